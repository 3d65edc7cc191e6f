//! The web layer: server-rendered pages in Bahasa Indonesia (English on request) and the
//! versioned JSON API, over the service. Knows HTTP; knows no SQL; decides no permission
//! (the service does, so pages, API and CLI share one gate).

mod api;
mod assets;
pub mod auth;
mod error;
mod html;
mod i18n;
mod layout;
mod pages;
mod routes;
pub mod security;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use jejak_service::auth::Auth;
use jejak_service::casework::Casework;
use jejak_store::Store;

pub use auth::{CurrentUser, RateLimiter, auth_routes};
pub use routes::{Access, ROUTES, RouteSpec};
pub use security::security_layers;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub casework: Arc<Casework>,
    /// Shown as a banner on every page when the register holds demo data.
    pub demo: bool,
    /// Users, sessions and API tokens.
    pub auth: Arc<Auth>,
    /// Whether this server terminates TLS itself (Secure cookies, HSTS).
    pub tls: bool,
    /// Request budget of each API token.
    pub limiter: Arc<RateLimiter>,
    /// Checked uploads waiting for the officer's confirmation.
    pub(crate) uploads: Arc<pages::import::PendingUploads>,
    /// Village early-warning use cases (issue 14).
    pub villages: Arc<jejak_service::villages::Villages>,
}

impl AppState {
    /// A state over the register: no demo banner, plain HTTP, default rate limits.
    pub fn new(store: Arc<dyn Store>, casework: Arc<Casework>, auth: Arc<Auth>) -> AppState {
        AppState {
            demo: false,
            auth,
            tls: false,
            limiter: Arc::new(RateLimiter::default()),
            uploads: Arc::default(),
            villages: Arc::new(jejak_service::villages::Villages::new(
                store.clone(),
                casework.clock().clone(),
                jejak_service::villages::VillageConfig::default(),
            )),
            store,
            casework,
        }
    }
}

impl AppState {
    /// A state over a register: builds its match index (without following later writes;
    /// `jejak serve` starts the refresher) and assesses with `rules`.
    pub async fn start(
        store: Arc<dyn Store>,
        auth: Arc<Auth>,
        rules: Arc<jejak_rules::RuleSet>,
        clock: Arc<dyn jejak_service::Clock>,
    ) -> Result<AppState, jejak_service::ServiceError> {
        let model = jejak_matching::Model::interchange()
            .map_err(|e| jejak_service::ServiceError::Internal(format!("identity model: {e}")))?;
        let screening = Arc::new(
            jejak_service::screening::Screening::start(store.clone(), Arc::new(model)).await?,
        );
        let casework = Arc::new(Casework::new(store.clone(), screening, rules, clock));
        Ok(AppState::new(store, casework, auth))
    }
}

/// The application's routes (`ROUTES` lists them with the access each needs).
pub fn router(state: AppState) -> Router {
    let tls = state.tls;
    let app = Router::new()
        .route("/", get(pages::queue::home))
        .route("/health", get(pages::health))
        .route("/bahasa", get(pages::switch_language))
        .route("/static/{name}", get(assets::asset))
        .route(
            "/permohonan/baru",
            get(pages::application::new_form).post(pages::application::create),
        )
        .route("/permohonan/petunjuk", post(pages::application::form_hints))
        .route("/permohonan/{key}", get(pages::application::examine))
        .route("/permohonan/{key}/keputusan", post(pages::application::decide))
        .route("/permohonan/{key}/kecocokan/{other}", post(pages::application::verdict))
        .route("/orang/{id}", get(pages::person::show))
        .route("/orang/{id}/pisah", post(pages::person::split))
        .route("/tinjauan", get(pages::review::list))
        .route("/tinjauan/{id}", post(pages::review::resolve))
        .route("/cari", get(pages::search::search))
        .route("/aturan", get(pages::rules::list))
        .route("/aturan/draf", post(pages::rules::draft))
        .route("/aturan/{version}/terbitkan", post(pages::rules::publish))
        .route("/aturan/{version}/aktifkan", post(pages::rules::activate))
        .route("/aturan/{version}/uji", get(pages::rules::backtest))
        .route(
            "/impor",
            get(pages::import::form)
                .post(pages::import::submit)
                .layer(DefaultBodyLimit::max(pages::import::MAX_UPLOAD_BYTES + 1024 * 1024)),
        )
        .route("/api/openapi.json", get(api::openapi::document))
        .route("/api/v1/offices", get(api::offices))
        .route("/api/v1/queue", get(api::queue))
        .route("/api/v1/applications", post(api::create_application))
        .route("/api/v1/applications/{key}", get(api::examine))
        .route("/api/v1/applications/{key}/decisions", post(api::decide))
        .route("/api/v1/screen", post(api::screen))
        .route("/api/v1/village-reports", post(api::file_village_report))
        .route("/api/v1/applications/{key}/matches/{other}", post(api::match_verdict))
        .route("/api/v1/persons/{id}", get(api::person))
        .route("/api/v1/reviews", get(api::reviews))
        .route("/api/v1/reviews/{id}", post(api::resolve_review))
        .route("/api/v1/search", get(api::search))
        .route(
            "/api/v1/imports",
            post(api::import).layer(DefaultBodyLimit::max(pages::import::MAX_UPLOAD_BYTES)),
        )
        .merge(auth_routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        .with_state(state);
    security_layers(app, tls)
}

/// Serves the application on an already bound listener until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Replies go out as soon as they are written: with Nagle's algorithm a reply written in
    // two parts can wait for the client's delayed acknowledgement (tens of milliseconds).
    let listener = listener.tap_io(|stream| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set on a connection: {e}");
        }
    });
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
}
