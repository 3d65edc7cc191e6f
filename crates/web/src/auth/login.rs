//! `GET/POST /login` and `POST /logout`. The login form carries its own CSRF token
//! (double submit: a random value in a short-lived cookie and in the form), so nobody can
//! log a browser in to an account of theirs.

use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use jejak_service::auth::{LoginError, random_secret, secrets_equal};
use serde::Deserialize;

use crate::AppState;
use crate::auth::reply::{lang_of, service_error};
use crate::auth::{CSRF_FIELD, SESSION_COOKIE, cookie};
use crate::html::escape;
use crate::i18n::Lang;

const LOGIN_CSRF_COOKIE: &str = "jejak_login_csrf";

#[derive(Debug, Deserialize, Default)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// `GET /login`.
pub(crate) async fn form(
    State(state): State<AppState>,
    uri: Uri,
    Query(q): Query<LoginQuery>,
) -> Response {
    page(&state, lang_of(&uri), StatusCode::OK, q.next.as_deref().unwrap_or("/"), "", None)
}

/// `POST /login`: on success a session cookie and a redirect to `next`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&uri);
    let expected = cookie::read(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !secrets_equal(expected, &form.csrf) {
        let message = lang.t(
            "Formulir sudah kedaluwarsa. Silakan coba lagi.",
            "The form has expired. Please try again.",
        );
        return page(
            &state,
            lang,
            StatusCode::FORBIDDEN,
            &form.next,
            &form.username,
            Some(message),
        );
    }
    let addr = client_address(&state, &headers)
        .or_else(|| connect.map(|Extension(ConnectInfo(a))| a.ip().to_string()));
    match state.auth.login(&form.username, &form.password, addr.as_deref()).await {
        Ok(session) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            let target = safe_next(&form.next);
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(target) {
                headers.insert(LOCATION, v);
            }
            for value in [
                cookie::set(SESSION_COOKIE, &session.token, "/", state.tls, None),
                cookie::set(LOGIN_CSRF_COOKIE, "", "/login", state.tls, Some(0)),
            ] {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    headers.append(SET_COOKIE, v);
                }
            }
            response
        }
        // One answer for every failure: an unknown user, a wrong password and a blocked
        // client look the same, so the answer tells no one which usernames exist.
        Err(LoginError::BadCredentials | LoginError::Throttled { .. }) => {
            let message = lang.t(
                "Nama pengguna atau kata sandi salah, atau terlalu banyak percobaan (coba lagi nanti).",
                "Wrong username or password, or too many attempts (try again later).",
            );
            page(&state, lang, StatusCode::UNAUTHORIZED, &form.next, &form.username, Some(message))
        }
        Err(LoginError::Service(e)) => service_error(&uri, &e),
    }
}

/// `POST /logout` (CSRF-guarded): ends the session and clears the cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = cookie::read(&headers, SESSION_COOKIE)
        && let Err(e) = state.auth.logout(token).await
    {
        return service_error(&uri, &e);
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    let target = if lang_of(&uri) == Lang::En { "/login?lang=en" } else { "/login" };
    response.headers_mut().insert(LOCATION, HeaderValue::from_static(target));
    if let Ok(v) = HeaderValue::from_str(&cookie::set(SESSION_COOKIE, "", "/", state.tls, Some(0)))
    {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    response
}

/// The client's address as the trusted proxy reports it (the last entry of the configured
/// header, the one the proxy itself added), when a header is configured.
fn client_address(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = state.client_address_header.as_deref()?;
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// Only a path on this site: never `//host`, a scheme, or a backslash trick.
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local { next } else { "/" }
}

fn page(
    state: &AppState,
    lang: Lang,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let csrf = random_secret();
    let error = error.map_or_else(String::new, |m| {
        format!("<p class=\"error\" role=\"alert\" id=\"login-error\">{}</p>", escape(m))
    });
    let (action, other) = match lang {
        Lang::Id => ("/login", "<a href=\"/login?lang=en\" lang=\"en\">English</a>"),
        Lang::En => ("/login?lang=en", "<a href=\"/login\" lang=\"id\">Bahasa Indonesia</a>"),
    };
    let demo = if state.demo {
        format!(
            "<p class=\"demo\" role=\"alert\">{}</p>",
            lang.t(
                "DEMO: data sintetis, bukan data pemohon sungguhan.",
                "DEMO: synthetic data, not real applicants.",
            )
        )
    } else {
        String::new()
    };
    let html = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Jejak</title></head><body><header><h1>Jejak</h1><nav>{other}</nav></header>{demo}<main><h2>{title}</h2>{error}<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\"><input type=\"hidden\" name=\"next\" value=\"{next}\"><p><label for=\"username\">{user_label}</label><br><input id=\"username\" name=\"username\" autocomplete=\"username\" required value=\"{username}\" autofocus></p><p><label for=\"password\">{password_label}</label><br><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p><p><button type=\"submit\">{submit}</button></p></form></main></body></html>",
        code = lang.code(),
        title = lang.t("Masuk", "Log in"),
        next = escape(safe_next(next)),
        username = escape(username),
        user_label = lang.t("Nama pengguna", "Username"),
        password_label = lang.t("Kata sandi", "Password"),
        submit = lang.t("Masuk", "Log in"),
    );
    let mut response = (status, Html(html)).into_response();
    let cookie = cookie::set(LOGIN_CSRF_COOKIE, &csrf, "/login", state.tls, Some(3600));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(super::safe_next("/queue?office=KLA"), "/queue?office=KLA");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "queue", ""] {
            assert_eq!(super::safe_next(bad), "/", "{bad}");
        }
    }
}
