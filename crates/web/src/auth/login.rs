//! `GET/POST /login` and `POST /logout`. The login form carries its own CSRF token
//! (double submit: a random value in a short-lived cookie and in the form), so nobody can
//! log a browser in to an account of theirs.

use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use jejak_service::auth::{LoginError, random_secret, secrets_equal};
use maud::html;
use serde::Deserialize;

use crate::AppState;
use crate::auth::reply::service_error;
use crate::auth::{CSRF_FIELD, SESSION_COOKIE, cookie};
use crate::i18n::Lang;
use crate::layout::{self, Chrome, respond};

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
    lang: Lang,
    Query(q): Query<LoginQuery>,
) -> Response {
    let login = LoginPage { uri: &uri, lang, next: q.next.as_deref().unwrap_or("/"), username: "" };
    page(&state, &login, StatusCode::OK, None)
}

/// `POST /login`: on success a session cookie and a redirect to `next`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    lang: Lang,
    headers: HeaderMap,
    connect: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let login = LoginPage { uri: &uri, lang, next: &form.next, username: &form.username };
    let expected = cookie::read(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !secrets_equal(expected, &form.csrf) {
        let message = lang.t(
            "Formulir sudah kedaluwarsa. Silakan coba lagi.",
            "The form has expired. Please try again.",
        );
        return page(&state, &login, StatusCode::FORBIDDEN, Some(message));
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
            page(&state, &login, StatusCode::UNAUTHORIZED, Some(message))
        }
        Err(LoginError::Service(e)) => service_error(&uri, lang, &e),
    }
}

/// `POST /logout` (CSRF-guarded): ends the session and clears the cookie.
pub(crate) async fn logout(
    State(state): State<AppState>,
    uri: Uri,
    lang: Lang,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = cookie::read(&headers, SESSION_COOKIE)
        && let Err(e) = state.auth.logout(token).await
    {
        return service_error(&uri, lang, &e);
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    let target = if lang == Lang::En { "/login?lang=en" } else { "/login" };
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

/// What the login page shows around its form.
struct LoginPage<'a> {
    uri: &'a Uri,
    lang: Lang,
    /// Where to go after logging in (kept only if on this site).
    next: &'a str,
    /// The username typed before, so a refused login need not retype it.
    username: &'a str,
}

/// The login page with a fresh double-submit token (in the form and a short-lived cookie),
/// in the page shell: stylesheet, language switch, DEMO banner; no navigation.
fn page(
    state: &AppState,
    login: &LoginPage<'_>,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let lang = login.lang;
    let csrf = random_secret();
    let path = login.uri.path_and_query().map_or("/login", |p| p.as_str());
    let chrome = Chrome { lang, demo: state.demo, user: None, csrf: "", path };
    let action = if lang == Lang::En { "/login?lang=en" } else { "/login" };
    let body = html! {
        @if let Some(message) = error {
            p.error role="alert" id="login-error" { (message) }
        }
        form.stack method="post" action=(action) {
            input type="hidden" name=(CSRF_FIELD) value=(csrf);
            input type="hidden" name="next" value=(safe_next(login.next));
            div {
                label for="username" { (lang.t("Nama pengguna", "Username")) }
                input id="username" name="username" autocomplete="username" required value=(login.username) autofocus;
            }
            div {
                label for="password" { (lang.t("Kata sandi", "Password")) }
                input id="password" name="password" type="password" autocomplete="current-password" required;
            }
            div { button type="submit" { (lang.t("Masuk", "Log in")) } }
        }
    };
    let mut response = respond(status, layout::page(&chrome, lang.t("Masuk", "Log in"), body));
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
