//! The refusals: 401 (log in), 403 (not allowed), 429 (slow down) and other service errors,
//! as a page in the user's language or as JSON `{"error": ...}` for the API.

use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use jejak_service::ServiceError;
use maud::html;

use crate::error::{code_for, json_error, public_message, status_of};
use crate::i18n::Lang;
use crate::layout::{Chrome, page, respond};

/// Whether a request is for the JSON API.
pub(crate) fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

/// A small page in the page shell (stylesheet, language switch) with one message and the
/// way home. It knows no user: a refusal shows no navigation.
pub(crate) fn message_page(
    status: StatusCode,
    uri: &Uri,
    lang: Lang,
    title: &str,
    message: &str,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let chrome = Chrome { lang, demo: false, user: None, csrf: "", path };
    let home = if lang == Lang::En { "/?lang=en" } else { "/" };
    let body = html! {
        p { (message) }
        p { a href=(home) { (lang.t("Kembali ke beranda", "Back to the home page")) } }
    };
    respond(status, page(&chrome, title, body))
}

/// Pages whose query is what someone searched for (a NIK, a name, a phone number).
const SEARCH_PAGES: &[&str] = &["/cari"];

/// Where the login page sends the user back to: the page asked for with its query, except a
/// search page's, whose search term is copied into no further URL (the login page's address
/// is kept in browser histories and in proxies' access logs).
fn way_back(uri: &Uri) -> &str {
    if SEARCH_PAGES.contains(&uri.path()) {
        return uri.path();
    }
    uri.path_and_query().map_or("/", |p| p.as_str())
}

/// Not logged in: the API gets 401 JSON, a page redirects to the login page and back.
pub(crate) fn unauthenticated(uri: &Uri, lang: Lang, message: &str) -> Response {
    if is_api(uri) {
        return json_error(StatusCode::UNAUTHORIZED, message);
    }
    let next = way_back(uri);
    let mut target = String::from("/login?");
    if lang == Lang::En {
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
pub(crate) fn forbidden(uri: &Uri, lang: Lang, message: &str) -> Response {
    if is_api(uri) {
        return json_error(StatusCode::FORBIDDEN, message);
    }
    message_page(
        StatusCode::FORBIDDEN,
        uri,
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
pub(crate) fn service_error(uri: &Uri, lang: Lang, error: &ServiceError) -> Response {
    match error {
        ServiceError::Unauthenticated(m) => return unauthenticated(uri, lang, m),
        ServiceError::Forbidden(m) => return forbidden(uri, lang, m),
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
    message_page(status, uri, lang, title, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_without_a_session_go_to_the_login_page_and_come_back() {
        let response =
            unauthenticated(&Uri::from_static("/queue?lang=en&x=1"), Lang::En, "no session");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[LOCATION],
            "/login?lang=en&next=%2Fqueue%3Flang%3Den%26x%3D1"
        );
        let api = unauthenticated(&Uri::from_static("/api/v1/x"), Lang::Id, "no session");
        assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn a_search_page_comes_back_without_its_search_term() {
        let response =
            unauthenticated(&Uri::from_static("/cari?q=1807054503950001"), Lang::Id, "no session");
        assert_eq!(response.headers()[LOCATION], "/login?next=%2Fcari");
    }

    #[test]
    fn forbidden_is_403_in_the_users_language() {
        let error = ServiceError::Forbidden("sari may not record_decision".into());
        let page = service_error(&Uri::from_static("/decide?lang=en"), Lang::En, &error);
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        let api = service_error(&Uri::from_static("/api/v1/decide"), Lang::Id, &error);
        assert_eq!(api.status(), StatusCode::FORBIDDEN);
    }
}
