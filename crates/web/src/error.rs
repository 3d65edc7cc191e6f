//! Errors as HTTP responses, one mapping for pages and API: the status says what kind of
//! problem it is, a stable machine code names it (`{"error": {"code", "message"}}` in the API,
//! the same code in the log of a page's error), the message says what to do; failures inside
//! Jejak are logged and shown without internals (no database text reaches an answer).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jejak_service::ServiceError;
use maud::html;
use serde_json::json;

use crate::i18n::Lang;
use crate::layout::{Chrome, page, respond};

/// The stable machine code of an error answered with `status`: clients branch on it, so a
/// code never changes meaning.
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    }
}

/// The status for a service error (the one mapping: pages and API alike).
pub(crate) fn status_of(err: &ServiceError) -> StatusCode {
    match err {
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What the user is told: the message for their mistakes, a generic line for ours.
pub(crate) fn public_message(lang: Lang, err: &ServiceError) -> String {
    match err {
        ServiceError::NotFound(m) => format!("{}: {m}", lang.t("Tidak ditemukan", "Not found")),
        ServiceError::Conflict(m) => format!("{}: {m}", lang.t("Konflik", "Conflict")),
        ServiceError::Invalid(m) => format!("{}: {m}", lang.t("Data tidak valid", "Invalid input")),
        ServiceError::Forbidden(m) => format!("{}: {m}", lang.t("Tidak diizinkan", "Not allowed")),
        ServiceError::Unauthenticated(m) => {
            format!("{}: {m}", lang.t("Belum masuk", "Not logged in"))
        }
        ServiceError::TooMany(m) => format!("{}: {m}", lang.t("Terlalu banyak", "Too many")),
        other => {
            tracing::error!(error = %other, "request failed");
            lang.t(
                "Terjadi kesalahan di sistem. Coba lagi; bila berulang, hubungi admin.",
                "Something went wrong inside Jejak. Try again; if it happens again, tell the admin.",
            )
            .to_owned()
        }
    }
}

/// An error page in the user's language.
pub(crate) fn page_error(chrome: &Chrome<'_>, err: &ServiceError) -> Response {
    let status = status_of(err);
    // The path without its query: a query may hold a search term or a stated purpose.
    let path = chrome.path.split_once('?').map_or(chrome.path, |(path, _)| path);
    tracing::info!(code = code_for(status), path, "page refused");
    let title = chrome.t("Permintaan tidak dapat diproses", "The request could not be completed");
    let body = html! {
        div.error-box role="alert" { (public_message(chrome.lang, err)) }
        p { a href="/" { (chrome.t("Kembali ke antrean", "Back to the queue")) } }
    };
    respond(status, page(chrome, title, body))
}

/// A service error as the API's JSON error.
pub(crate) fn api_error(err: &ServiceError) -> Response {
    json_error(status_of(err), &public_message(Lang::En, err))
}

/// A JSON error from a plain status and message.
pub(crate) fn api_status(status: StatusCode, message: impl Into<String>) -> Response {
    json_error(status, &message.into())
}

/// The API's one error shape: `{"error": {"code": ..., "message": ...}}`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(error_body(status, message, None))).into_response()
}

/// The error object, with per-field problems when a payload had them.
pub(crate) fn error_body(
    status: StatusCode,
    message: &str,
    fields: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut error = json!({ "code": code_for(status), "message": message });
    if let Some(fields) = fields {
        error["fields"] = fields;
    }
    json!({ "error": error })
}

/// Middleware for `/api/`: an error answered outside the handlers (a body or path the
/// extractors refuse, an unknown API path, a wrong method) becomes the one JSON error shape
/// instead of axum's plain text.
pub(crate) async fn api_errors_as_json(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // Rejection texts are short; a larger body is not echoed.
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, 4096).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).trim().to_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_owned(),
    };
    let mut json = json_error(status, &text);
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}
