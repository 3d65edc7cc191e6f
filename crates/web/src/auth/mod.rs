//! Who is asking: the login page, sessions in a cookie, bearer tokens for `/api/`, the CSRF
//! guard on state-changing requests, per-token rate limits, and the 401/403 answers.

mod cookie;
mod csrf;
mod extract;
mod limit;
mod login;
mod manage;
mod reply;

use crate::routes::TableRouter;

pub use csrf::csrf_guard;
pub use extract::CurrentUser;
pub use limit::RateLimiter;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "jejak_session";
/// Form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Login, logout and the API of users and tokens.
pub(crate) fn auth_routes(table: TableRouter) -> TableRouter {
    table
        .on("GET", "/login", login::form)
        .on("POST", "/login", login::submit)
        .on("POST", "/logout", login::logout)
        .on("GET", "/account", manage::account)
        .on("GET", "/api/v1/me", manage::me)
        .on("GET", "/api/v1/users", manage::users)
        .on("GET", "/api/v1/tokens", manage::tokens)
}
