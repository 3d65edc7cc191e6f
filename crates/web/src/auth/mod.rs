//! Who is asking: the login page, sessions in a cookie, bearer tokens for `/api/`, the CSRF
//! guard on state-changing requests, per-token rate limits, and the 401/403 answers.

mod cookie;
mod csrf;
mod extract;
mod limit;
mod login;
mod manage;
mod reply;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub use csrf::csrf_guard;
pub use extract::CurrentUser;
pub use limit::RateLimiter;
pub use reply::service_error;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "jejak_session";
/// Form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Login, logout and the API of users and tokens.
pub fn auth_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/account", get(manage::account))
        .route("/api/v1/me", get(manage::me))
        .route("/api/v1/users", get(manage::users))
        .route("/api/v1/tokens", get(manage::tokens))
}
