//! Router tests of logging in and out, sessions, CSRF, API tokens and security headers, as a
//! browser or a partner system meets them.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::{
    AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE,
    STRICT_TRANSPORT_SECURITY,
};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jejak_domain::OfficeCode;
use jejak_service::ManualClock;
use jejak_service::auth::{Auth, AuthConfig, NewUserInput};
use jejak_service::authz::{Action, Actor, Role};
use jejak_web::{AppState, RateLimiter, router};
use time::Duration;
use time::macros::datetime;
use tower::ServiceExt;

const PASSWORD: &str = "sandi-rahasia-panjang";

struct App {
    router: Router,
    clock: Arc<ManualClock>,
    auth: Arc<Auth>,
    admin: Actor,
    _dir: tempfile::TempDir,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn app_with(limiter: RateLimiter, tls: bool) -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    let store = jejak_store::open(&url).await.unwrap();
    let clock = Arc::new(ManualClock::new(datetime!(2025-03-01 08:00 UTC)));
    let auth = Arc::new(Auth::new(store.clone(), clock.clone(), AuthConfig::default()).unwrap());
    let admin = Actor::user("root", "Root", Role::Admin, OfficeCode::parse("BDL").unwrap());
    for (username, role, office) in [("sari", Role::Petugas, "KLA"), ("admin", Role::Admin, "BDL")]
    {
        let input = NewUserInput {
            username: username.into(),
            display_name: format!("Ibu {username}"),
            role,
            office: OfficeCode::parse(office).unwrap(),
            password: PASSWORD.into(),
        };
        auth.add_user(&admin, input).await.unwrap();
    }
    let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let mut state = AppState::start(store, auth.clone(), rules, clock.clone()).await.unwrap();
    state.limiter = Arc::new(limiter);
    state.tls = tls;
    App { router: router(state), clock, auth, admin, _dir: dir }
}

async fn app() -> App {
    app_with(RateLimiter::default(), false).await
}

async fn send(app: &App, request: Request<Body>) -> Reply {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(app: &App, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path);
    if let Some(c) = cookie {
        request = request.header(COOKIE, c);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// The login form's CSRF token and the cookie that goes with it.
async fn login_form(app: &App) -> (String, String) {
    let page = get(app, "/login", None).await;
    let cookie = set_cookies(&page.headers)[0].split(';').next().unwrap().to_owned();
    let marker = "name=\"_csrf\" value=\"";
    let start = page.body.find(marker).unwrap() + marker.len();
    let value = page.body[start..].split('"').next().unwrap().to_owned();
    (cookie, value)
}

async fn post_login(app: &App, username: &str, password: &str, next: &str) -> Reply {
    let (cookie, csrf) = login_form(app).await;
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &csrf)
        .append_pair("username", username)
        .append_pair("password", password)
        .append_pair("next", next)
        .finish();
    let request = Request::post("/login")
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

/// Logs in; returns the `Cookie` header value and the session's CSRF token.
async fn login(app: &App, username: &str) -> (String, String) {
    let reply = post_login(app, username, PASSWORD, "/").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let cookie =
        set_cookies(&reply.headers).into_iter().find(|c| c.starts_with("jejak_session=")).unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let token = pair.trim_start_matches("jejak_session=");
    let csrf = app.auth.session(token).await.unwrap().csrf;
    (pair, csrf)
}

#[tokio::test]
async fn the_login_page_is_indonesian_with_labels_and_english_on_request() {
    let app = app().await;
    let page = get(&app, "/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"id\">"), "{}", page.body);
    assert!(page.body.contains("<label for=\"username\">Nama pengguna</label>"));
    assert!(page.body.contains("<label for=\"password\">Kata sandi</label>"));
    let english = get(&app, "/login?lang=en", None).await;
    assert!(english.body.contains("<label for=\"password\">Password</label>"));
    assert!(english.body.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn a_good_login_sets_a_strict_http_only_cookie_and_returns_to_next() {
    let app = app().await;
    let reply = post_login(&app, "sari", PASSWORD, "/account?lang=en").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.headers[LOCATION], "/account?lang=en");
    let cookie =
        set_cookies(&reply.headers).into_iter().find(|c| c.starts_with("jejak_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/;"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: no Secure flag");

    let pair = cookie.split(';').next().unwrap();
    let me = get(&app, "/api/v1/me", Some(pair)).await;
    assert_eq!(me.status, StatusCode::OK);
    let me: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!((me["username"].as_str(), me["office"].as_str()), (Some("sari"), Some("KLA")));
    let account = get(&app, "/account?lang=en", Some(pair)).await;
    assert!(account.body.contains("Ibu sari") && account.body.contains("Officer"));

    // An off-site `next` is ignored.
    let reply = post_login(&app, "sari", PASSWORD, "//evil.example/").await;
    assert_eq!(reply.headers[LOCATION], "/");
}

/// The error paragraph of a login page (the form around it repeats the typed username).
fn message_of(body: &str) -> &str {
    let start = body.find("Nama pengguna atau kata sandi salah").unwrap_or(0);
    let end = body[start..].find('<').map_or(body.len(), |i| start + i);
    &body[start..end]
}

#[tokio::test]
async fn wrong_logins_do_not_say_which_field_was_wrong_and_past_five_the_client_waits() {
    let app = app().await;
    let unknown = post_login(&app, "nobody", PASSWORD, "/").await;
    let wrong = post_login(&app, "sari", "wrong password!!", "/").await;
    for reply in [&unknown, &wrong] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.body.contains("Nama pengguna atau kata sandi salah"), "{}", reply.body);
        assert!(!set_cookies(&reply.headers).iter().any(|c| c.starts_with("jejak_session=")));
    }
    for _ in 0..3 {
        post_login(&app, "sari", "wrong password!!", "/").await;
    }
    let locked = post_login(&app, "sari", "wrong password!!", "/").await;
    let still = post_login(&app, "sari", PASSWORD, "/").await;
    // A blocked client answers exactly as an unknown user does (no username enumeration).
    for reply in [&locked, &still] {
        assert_eq!(reply.status, unknown.status, "{}", reply.body);
        assert_eq!(message_of(&reply.body), message_of(&unknown.body));
        assert!(!set_cookies(&reply.headers).iter().any(|c| c.starts_with("jejak_session=")));
    }
    app.clock.advance(Duration::minutes(15));
    assert_eq!(post_login(&app, "sari", PASSWORD, "/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_login_post_without_the_forms_token_is_refused() {
    let app = app().await;
    let request = Request::post("/login")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username=sari&password={PASSWORD}&next=/")))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(!set_cookies(&reply.headers).iter().any(|c| c.starts_with("jejak_session=")));
}

#[tokio::test]
async fn expired_sessions_send_pages_to_the_login_page_and_the_api_gets_401() {
    let app = app().await;
    let (cookie, _) = login(&app, "sari").await;
    assert_eq!(get(&app, "/account", Some(&cookie)).await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(31));
    let page = get(&app, "/account?lang=en", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers[LOCATION], "/login?lang=en&next=%2Faccount%3Flang%3Den");
    let api = get(&app, "/api/v1/me", Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    let error: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert!(error["error"]["message"].is_string(), "{}", api.body);
    assert!(error["error"]["code"].is_string(), "{}", api.body);
    assert_eq!(get(&app, "/api/v1/me", None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn state_changes_need_the_sessions_csrf_token() {
    let app = app().await;
    let (cookie, csrf) = login(&app, "sari").await;
    let logout = |extra: Option<(&'static str, String)>, body: String, ctype: &str| {
        let mut request = Request::post("/logout").header(COOKIE, cookie.clone());
        request = request.header(CONTENT_TYPE, ctype);
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        request.body(Body::from(body)).unwrap()
    };
    let form = "application/x-www-form-urlencoded";
    let refused = send(&app, logout(None, String::new(), form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = send(&app, logout(None, "_csrf=not-the-token".into(), form)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let other =
        send(&app, logout(Some(("x-csrf-token", "nope".into())), String::new(), form)).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, "/api/v1/me", Some(&cookie)).await.status, StatusCode::OK, "still in");

    let multipart = format!(
        "--b0\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--b0--\r\n"
    );
    let accepted = send(&app, logout(None, multipart, "multipart/form-data; boundary=b0")).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&app, "/api/v1/me", Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);

    let (cookie, csrf) = login(&app, "sari").await;
    let request = Request::post("/logout")
        .header(COOKIE, cookie.clone())
        .header("X-CSRF-Token", csrf.clone())
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, request).await.status, StatusCode::SEE_OTHER);
    let (cookie, csrf) = login(&app, "sari").await;
    let request = Request::post("/logout")
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, form)
        .body(Body::from(format!("_csrf={csrf}")))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(set_cookies(&reply.headers)[0].contains("Max-Age=0"), "the cookie is cleared");
}

#[tokio::test]
async fn api_tokens_are_limited_to_their_scopes_and_stop_when_revoked() {
    let app = app().await;
    let office = OfficeCode::parse("BDL").unwrap();
    let secret = app
        .auth
        .add_token(&app.admin, "userbot", Role::Admin, &[Action::ManageUsers], office)
        .await
        .unwrap();
    let bearer = |path: &str, secret: &str| {
        Request::get(path)
            .header(AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap()
    };
    let users = send(&app, bearer("/api/v1/users", &secret)).await;
    assert_eq!(users.status, StatusCode::OK, "{}", users.body);
    let list: serde_json::Value = serde_json::from_str(&users.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let tokens = send(&app, bearer("/api/v1/tokens", &secret)).await;
    assert_eq!(tokens.status, StatusCode::FORBIDDEN, "outside the token's scopes");
    let refusal: serde_json::Value = serde_json::from_str(&tokens.body).unwrap();
    assert_eq!(refusal["error"]["code"], "forbidden", "{}", tokens.body);
    // Tokens are for the API only; pages do not accept them.
    assert_eq!(send(&app, bearer("/account", &secret)).await.status, StatusCode::SEE_OTHER);

    app.auth.revoke_token(&app.admin, "userbot").await.unwrap();
    let revoked = send(&app, bearer("/api/v1/users", &secret)).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(&app, bearer("/api/v1/users", "jejak_guess")).await.status,
        StatusCode::UNAUTHORIZED
    );

    // A session of a role without the permission gets 403 too.
    let (cookie, _) = login(&app, "sari").await;
    assert_eq!(get(&app, "/api/v1/users", Some(&cookie)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_api_token_is_rate_limited_with_retry_after() {
    let app = app_with(RateLimiter::new(2, 0.01), false).await;
    let office = OfficeCode::parse("BDL").unwrap();
    let secret = app
        .auth
        .add_token(&app.admin, "busy", Role::Admin, &[Action::ManageUsers], office)
        .await
        .unwrap();
    let request = || {
        Request::get("/api/v1/me")
            .header(AUTHORIZATION, format!("Bearer {secret}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&app, request()).await.status, StatusCode::OK);
    assert_eq!(send(&app, request()).await.status, StatusCode::OK);
    let limited = send(&app, request()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers[RETRY_AFTER], "100");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app().await;
    for path in ["/login", "/health", "/nope", "/account", "/api/v1/me"] {
        let reply = get(&app, path, None).await;
        let h = &reply.headers;
        assert_eq!(h["content-security-policy"], jejak_web::security::CSP, "{path}");
        assert!(!jejak_web::security::CSP.contains("unsafe-inline"));
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.get(STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS without TLS");
        assert_eq!(h["cache-control"], "no-store", "{path}: nothing personal stays in a cache");
    }
    let css = get(&app, "/static/jejak.css", None).await;
    assert_eq!(css.headers["cache-control"], "public, max-age=604800", "assets stay cacheable");
    let tls = app_with(RateLimiter::default(), true).await;
    let reply = get(&tls, "/login", None).await;
    assert_eq!(reply.headers[STRICT_TRANSPORT_SECURITY], jejak_web::security::HSTS);
    assert!(set_cookies(&reply.headers)[0].contains("; Secure"));
}

const STYLESHEET: &str = "<link rel=\"stylesheet\" href=\"/static/jejak.css\">";

#[tokio::test]
async fn the_login_page_links_the_stylesheet_and_follows_the_language_cookie() {
    let app = app().await;
    let indonesian = get(&app, "/login", None).await;
    assert!(indonesian.body.contains(STYLESHEET), "{}", indonesian.body);
    assert!(indonesian.body.contains("<html lang=\"id\">"), "{}", indonesian.body);

    let english = get(&app, "/login", Some("jejak_lang=en")).await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(english.body.contains(STYLESHEET), "{}", english.body);
    assert!(english.body.contains("<html lang=\"en\">"), "{}", english.body);
    assert!(english.body.contains("<label for=\"password\">Password</label>"), "{}", english.body);
    assert!(!english.body.contains("Kata sandi"), "{}", english.body);
    // The switch back to Indonesian, and still the form's own token.
    assert!(english.body.contains("Bahasa Indonesia"), "{}", english.body);
    assert!(english.body.contains("name=\"_csrf\" value=\""), "{}", english.body);

    // A refused login answers in the cookie's language too.
    let (login_cookie, csrf) = login_form(&app).await;
    let body = format!("_csrf={csrf}&username=sari&password=salah-sekali&next=/");
    let request = Request::post("/login")
        .header(COOKIE, format!("{login_cookie}; jejak_lang=en"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let refused = send(&app, request).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.body.contains("Wrong username or password"), "{}", refused.body);
    assert!(refused.body.contains(STYLESHEET), "{}", refused.body);
}

#[tokio::test]
async fn the_account_and_refusal_pages_share_the_page_shell_and_its_language() {
    let app = app().await;
    let (cookie, _) = login(&app, "sari").await;
    let account = get(&app, "/account", Some(&format!("{cookie}; jejak_lang=en"))).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains(STYLESHEET), "{}", account.body);
    assert!(account.body.contains("My account") && account.body.contains("Officer"));
    assert!(account.body.contains("name=\"_csrf\""), "the logout form carries the token");

    // A form posted without the session's CSRF token is refused with a page in the shell.
    let request = Request::post("/logout")
        .header(COOKIE, format!("{cookie}; jejak_lang=en"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("x=1"))
        .unwrap();
    let refused = send(&app, request).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains(STYLESHEET), "{}", refused.body);
    assert!(refused.body.contains("Access denied"), "{}", refused.body);
    let indonesian = Request::post("/logout")
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("x=1"))
        .unwrap();
    let refused = send(&app, indonesian).await;
    assert!(refused.body.contains("Akses ditolak"), "{}", refused.body);
}
