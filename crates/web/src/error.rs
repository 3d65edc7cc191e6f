//! Service errors as HTTP responses: the status says what kind of problem it is, the message
//! says what to do; failures inside Jejak are logged and shown without internals.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jejak_service::ServiceError;
use maud::html;
use serde_json::json;

use crate::i18n::Lang;
use crate::layout::{Chrome, page, respond};

/// The status for a service error.
pub(crate) fn status_of(err: &ServiceError) -> StatusCode {
    match err {
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// What the user is told: the message for their mistakes, a generic line for ours.
fn public_message(lang: Lang, err: &ServiceError) -> String {
    match err {
        ServiceError::NotFound(m) => format!("{}: {m}", lang.t("Tidak ditemukan", "Not found")),
        ServiceError::Conflict(m) => format!("{}: {m}", lang.t("Konflik", "Conflict")),
        ServiceError::Invalid(m) => format!("{}: {m}", lang.t("Data tidak valid", "Invalid input")),
        ServiceError::Forbidden(m) => format!("{}: {m}", lang.t("Tidak diizinkan", "Not allowed")),
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
    let title = chrome.t("Permintaan tidak dapat diproses", "The request could not be completed");
    let body = html! {
        div.error-box role="alert" { (public_message(chrome.lang, err)) }
        p { a href="/" { (chrome.t("Kembali ke antrean", "Back to the queue")) } }
    };
    respond(status, page(chrome, title, body))
}

/// A JSON error: `{"error": message}`.
pub(crate) fn api_error(err: &ServiceError) -> Response {
    (status_of(err), Json(json!({ "error": public_message(Lang::En, err) }))).into_response()
}

/// A JSON error from a plain status and message.
pub(crate) fn api_status(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}
