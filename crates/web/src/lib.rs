//! The web layer: server-rendered pages in Bahasa Indonesia (English on request) and the
//! versioned JSON API, over the register. Knows HTTP; knows no SQL.

mod html;
mod i18n;
mod pages;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jejak_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Shown as a banner on every page when the register holds demo data.
    pub demo: bool,
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/health", get(pages::health))
        .route("/api/v1/offices", get(pages::api_offices))
        .with_state(state)
}

/// Serves the application on an already bound listener until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
