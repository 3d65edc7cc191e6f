//! The web layer: server-rendered pages in Bahasa Indonesia (English on request) and the
//! versioned JSON API, over the register. Knows HTTP; knows no SQL.

pub mod auth;
mod html;
mod i18n;
mod pages;
pub mod security;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jejak_service::auth::Auth;
use jejak_store::Store;

pub use auth::{CurrentUser, RateLimiter, auth_routes};
pub use security::security_layers;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Shown as a banner on every page when the register holds demo data.
    pub demo: bool,
    /// Users, sessions and API tokens.
    pub auth: Arc<Auth>,
    /// Whether this server terminates TLS itself (Secure cookies, HSTS).
    pub tls: bool,
    /// Request budget of each API token.
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    /// A state over `store` and `auth`: no demo banner, plain HTTP, default rate limits.
    pub fn new(store: Arc<dyn Store>, auth: Arc<Auth>) -> AppState {
        AppState { store, demo: false, auth, tls: false, limiter: Arc::new(RateLimiter::default()) }
    }
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let tls = state.tls;
    let app = Router::new()
        .route("/", get(pages::home))
        .route("/health", get(pages::health))
        .route("/api/v1/offices", get(pages::api_offices))
        .merge(auth_routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        .with_state(state);
    security_layers(app, tls)
}

/// Serves the application on an already bound listener until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
}
