//! Static assets compiled into the binary (no CDN, nothing fetched at build time), served
//! with a long cache lifetime so slow office lines download them once.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../static/jejak.css");
/// htmx 2.0.11, 0BSD licence (static/htmx.LICENSE).
const HTMX: &str = include_str!("../static/htmx.min.js");
/// The village report form's offline queue (same origin: the CSP forbids inline scripts).
const LAPORAN: &str = include_str!("../static/laporan.js");

/// `GET /static/{name}`.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "jejak.css" => (CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "laporan.js" => (LAPORAN, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=604800")], body)
        .into_response()
}
