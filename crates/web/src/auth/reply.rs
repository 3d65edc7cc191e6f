//! The refusals: 401 (log in), 403 (not allowed), 429 (slow down) and other service errors,
//! as a page in the user's language or as JSON `{"error": ...}` for the API.

use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use jejak_service::ServiceError;

use crate::error::{code_for, json_error, public_message, status_of};
use crate::html::escape;
use crate::i18n::Lang;

/// Whether a request is for the JSON API.
pub(crate) fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

/// The language asked for in the query string (`lang=en`), Indonesian otherwise.
pub(crate) fn lang_of(uri: &Uri) -> Lang {
    let en = uri.query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "lang" && v == "en")
    });
    if en { Lang::En } else { Lang::Id }
}

/// A small page with a title and one message.
pub(crate) fn message_page(status: StatusCode, lang: Lang, title: &str, message: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Jejak</title></head><body><main><h1>{title}</h1><p>{message}</p><p><a href=\"/{query}\">{home}</a></p></main></body></html>",
        code = lang.code(),
        title = escape(title),
        message = escape(message),
        query = if lang == Lang::En { "?lang=en" } else { "" },
        home = lang.t("Kembali ke beranda", "Back to the home page"),
    );
    (status, Html(page)).into_response()
}

/// Not logged in: the API gets 401 JSON, a page redirects to the login page and back.
pub(crate) fn unauthenticated(uri: &Uri, message: &str) -> Response {
    if is_api(uri) {
        return json_error(StatusCode::UNAUTHORIZED, message);
    }
    let next = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut target = String::from("/login?");
    if lang_of(uri) == Lang::En {
        target.push_str("lang=en&");
    }
    target.push_str(
        &form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish(),
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Not allowed: 403, as JSON or as a page.
pub(crate) fn forbidden(uri: &Uri, message: &str) -> Response {
    if is_api(uri) {
        return json_error(StatusCode::FORBIDDEN, message);
    }
    let lang = lang_of(uri);
    message_page(
        StatusCode::FORBIDDEN,
        lang,
        lang.t("Akses ditolak", "Access denied"),
        lang.t(
            "Peran Anda tidak berwenang melakukan ini di kantor ini.",
            "Your role may not do this at this office.",
        ),
    )
}

/// Too many requests from one API token.
pub(crate) fn too_many(retry_after: u64) -> Response {
    let mut response =
        json_error(StatusCode::TOO_MANY_REQUESTS, "too many requests: wait before trying again");
    response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

/// A service error as the user should see it (the status from `error::status_of`, the one
/// mapping): 401 and 403 as above, others as JSON or a page; internal failures are logged and
/// shown with no detail given away.
pub fn service_error(uri: &Uri, error: &ServiceError) -> Response {
    let lang = lang_of(uri);
    match error {
        ServiceError::Unauthenticated(m) => return unauthenticated(uri, m),
        ServiceError::Forbidden(m) => return forbidden(uri, m),
        _ => {}
    }
    let status = status_of(error);
    let message = public_message(lang, error);
    if is_api(uri) {
        return json_error(status, &public_message(Lang::En, error));
    }
    tracing::info!(code = code_for(status), path = uri.path(), "request refused");
    let title = match error {
        ServiceError::NotFound(_) => lang.t("Tidak ditemukan", "Not found"),
        ServiceError::Conflict(_) => lang.t("Konflik", "Conflict"),
        ServiceError::Invalid(_) => lang.t("Masukan tidak valid", "Invalid input"),
        _ => lang.t("Terjadi kesalahan internal.", "Internal error."),
    };
    message_page(status, lang, title, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_without_a_session_go_to_the_login_page_and_come_back() {
        let response = unauthenticated(&Uri::from_static("/queue?lang=en&x=1"), "no session");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[LOCATION],
            "/login?lang=en&next=%2Fqueue%3Flang%3Den%26x%3D1"
        );
        let api = unauthenticated(&Uri::from_static("/api/v1/x"), "no session");
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn forbidden_is_403_in_the_users_language() {
        let error = ServiceError::Forbidden("sari may not record_decision".into());
        let page = service_error(&Uri::from_static("/decide?lang=en"), &error);
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        let api = service_error(&Uri::from_static("/api/v1/decide"), &error);
        assert_eq!(api.status(), StatusCode::FORBIDDEN);
        assert_eq!(lang_of(&Uri::from_static("/decide?lang=en")), Lang::En);
        assert_eq!(lang_of(&Uri::from_static("/decide")), Lang::Id);
    }
}
