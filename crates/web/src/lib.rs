//! The web layer: server-rendered pages in Bahasa Indonesia (English on request) and the
//! versioned JSON API, over the service. Knows HTTP; knows no SQL; decides no permission
//! (the service does, so pages, API and CLI share one gate).

mod api;
mod assets;
pub mod auth;
mod error;
mod i18n;
mod layout;
pub mod metrics;
mod pages;
mod routes;
pub mod security;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use jejak_service::auth::Auth;
use jejak_service::casework::Casework;
use jejak_store::Store;

pub use auth::{CurrentUser, RateLimiter};
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
    /// Checked uploads waiting in the register for the officer's confirmation.
    pub uploads: Arc<jejak_service::security::HeldUploads>,
    /// Village early-warning use cases (issue 14).
    pub villages: Arc<jejak_service::villages::Villages>,
    /// Header a trusted reverse proxy puts the client's address in (e.g. `x-forwarded-for`,
    /// whose last entry is used); `None`: the connection's address. Keys login throttling.
    pub client_address_header: Option<String>,
    /// Offices, audit chain, legal holds, retention and subject reports (issue 20).
    pub admin: Arc<jejak_service::admin::Admin>,
}

impl AppState {
    /// A state over the register: no demo banner, plain HTTP, default rate limits.
    pub fn new(store: Arc<dyn Store>, casework: Arc<Casework>, auth: Arc<Auth>) -> AppState {
        AppState {
            demo: false,
            auth,
            tls: false,
            limiter: Arc::new(RateLimiter::default()),
            uploads: Arc::new(jejak_service::security::HeldUploads::new(
                store.clone(),
                casework.clock().clone(),
                jejak_service::security::UploadConfig::default(),
            )),
            villages: Arc::new(jejak_service::villages::Villages::new(
                store.clone(),
                casework.clock().clone(),
                jejak_service::villages::VillageConfig::default(),
            )),
            client_address_header: None,
            admin: Arc::new(jejak_service::admin::Admin::new(
                store.clone(),
                casework.screening().clone(),
                casework.clock().clone(),
                jejak_service::retention::RetentionPolicy::default(),
            )),
            store,
            casework,
        }
    }
}

impl AppState {
    /// The same state with another village alert setting (acknowledgement deadline).
    pub fn with_village_config(mut self, config: jejak_service::villages::VillageConfig) -> Self {
        self.villages = Arc::new(jejak_service::villages::Villages::new(
            self.store.clone(),
            self.casework.clock().clone(),
            config,
        ));
        self
    }

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
        Ok(AppState::with_screening(store, auth, rules, clock, screening))
    }

    /// A state over a register whose match index is `screening` (built, or restored from its
    /// snapshot).
    pub fn with_screening(
        store: Arc<dyn Store>,
        auth: Arc<Auth>,
        rules: Arc<jejak_rules::RuleSet>,
        clock: Arc<dyn jejak_service::Clock>,
        screening: Arc<jejak_service::screening::Screening>,
    ) -> AppState {
        let casework = Arc::new(Casework::new(store.clone(), screening, rules, clock));
        AppState::new(store, casework, auth)
    }
}

/// Every served route, registered through the table check (`ROUTES` lists them with the
/// access each needs).
fn route_table() -> routes::TableRouter {
    let upload_limit = pages::import::MAX_UPLOAD_BYTES;
    let table = routes::TableRouter::new()
        .on("GET", "/", pages::queue::home)
        .on("GET", "/health", pages::health)
        .on("GET", "/healthz", pages::health)
        .on("GET", "/readyz", pages::ready)
        .on("GET", "/metrics", metrics::render)
        .on("GET", "/bahasa", pages::switch_language)
        .on("GET", "/static/{name}", assets::asset)
        .on("GET", "/permohonan/baru", pages::application::new_form)
        .on("POST", "/permohonan/baru", pages::application::create)
        .on("POST", "/permohonan/petunjuk", pages::application::form_hints)
        .on("GET", "/permohonan/{key}", pages::application::examine)
        .on("POST", "/permohonan/{key}/keputusan", pages::application::decide)
        .on("POST", "/permohonan/{key}/kecocokan/{other}", pages::application::verdict)
        .on("GET", "/orang/{id}", pages::person::show)
        .on("POST", "/orang/{id}/pisah", pages::person::split)
        .on("GET", "/tinjauan", pages::review::list)
        .on("POST", "/tinjauan/{id}", pages::review::resolve)
        .on("GET", "/cari", pages::search::search)
        .on("GET", "/dasbor", pages::dashboard::show)
        .on("GET", "/dasbor/unduh", pages::dashboard::download)
        .on("GET", "/dasbor/laporan", pages::dashboard::report)
        .on("GET", "/evaluasi", pages::evaluation::show)
        .on("GET", "/evaluasi/unduh", pages::evaluation::download)
        .on("GET", "/aturan", pages::rules::list)
        .on("POST", "/aturan/draf", pages::rules::draft)
        .on("POST", "/aturan/{version}/terbitkan", pages::rules::publish)
        .on("POST", "/aturan/{version}/aktifkan", pages::rules::activate)
        .on("GET", "/aturan/{version}/uji", pages::rules::backtest)
        .on("GET", "/desa", pages::village::home)
        .on("GET", "/desa/laporan/baru", pages::village::new_form)
        .on("POST", "/desa/laporan", pages::village::file)
        .on("GET", "/desa/peringatan", pages::village::alerts)
        .on("POST", "/desa/laporan/{id}/status", pages::village::set_status)
        .on("GET", "/rujukan", pages::referral::list)
        .on("GET", "/rujukan/{id}", pages::referral::show)
        .on("GET", "/rujukan/{id}/surat", pages::referral::letter)
        .on("POST", "/rujukan/{id}/status", pages::referral::set_status)
        .on("GET", "/permohonan/{key}/rujuk", pages::referral::new_form)
        .on("POST", "/permohonan/{key}/rujuk", pages::referral::create)
        .on("POST", "/permohonan/{key}/lindungi", pages::referral::protect)
        .on("GET", "/desa/laporan/{id}", pages::village::show_report)
        .on("GET", "/desa/sosialisasi", pages::village_register::outreach)
        .on("GET", "/desa/sosialisasi/baru", pages::village_register::outreach_form)
        .on("POST", "/desa/sosialisasi", pages::village_register::record_outreach)
        .on("GET", "/desa/timpora", pages::village_register::operations)
        .on("GET", "/desa/timpora/baru", pages::village_register::operation_form)
        .on("POST", "/desa/timpora", pages::village_register::record_operation)
        .on("GET", "/desa/kelola", pages::village_register::manage)
        .on("POST", "/desa/kelola/penetapan", pages::village_register::designate)
        .on("POST", "/desa/kelola/penetapan/akhiri", pages::village_register::end_designation)
        .on("POST", "/desa/kelola/penugasan", pages::village_register::assign)
        .on("POST", "/desa/kelola/penugasan/akhiri", pages::village_register::end_assignment)
        .on("GET", "/admin", pages::admin::users)
        .on("POST", "/admin/pengguna", pages::admin::create_user)
        .on("POST", "/admin/pengguna/{name}/aktif", pages::admin::set_active)
        .on("POST", "/admin/pengguna/{name}/sandi", pages::admin::reset_password)
        .on("POST", "/admin/pengguna/{name}/buka", pages::admin::unlock)
        .on("POST", "/admin/pengguna/{name}/peran", pages::admin::set_role)
        .on("GET", "/admin/token", pages::admin::tokens)
        .on("POST", "/admin/token", pages::admin::create_token)
        .on("POST", "/admin/token/{name}/cabut", pages::admin::revoke_token)
        .on("GET", "/admin/kantor", pages::admin::offices)
        .on("POST", "/admin/kantor", pages::admin::save_office)
        .on("GET", "/admin/audit", pages::admin_records::audit)
        .on("POST", "/admin/audit/verifikasi", pages::admin_records::verify_audit)
        .on("GET", "/admin/audit/ekspor", pages::admin_records::export_audit)
        .on("GET", "/admin/retensi", pages::admin_records::retention)
        .on("POST", "/admin/retensi/tahan", pages::admin_records::place_hold)
        .on("POST", "/admin/retensi/{id}/lepas", pages::admin_records::lift_hold)
        .on("POST", "/admin/retensi/jalankan", pages::admin_records::run_retention)
        .on("GET", "/admin/subjek", pages::admin_records::subject_form)
        .on("POST", "/admin/subjek", pages::admin_records::subject_report)
        .on("GET", "/impor", pages::import::form)
        .on_limited("POST", "/impor", pages::import::submit, Some(upload_limit + 1024 * 1024))
        .on("GET", "/api/openapi.json", api::openapi::document)
        .on("GET", "/api/v1/offices", api::offices)
        .on("GET", "/api/v1/queue", api::queue)
        .on("GET", "/api/v1/stats", api::stats)
        .on("POST", "/api/v1/village-reports", api::file_village_report)
        .on("POST", "/api/v1/applications", api::create_application)
        .on("GET", "/api/v1/applications/{key}", api::examine)
        .on("POST", "/api/v1/applications/{key}/decisions", api::decide)
        .on("POST", "/api/v1/screen", api::screen)
        .on("POST", "/api/v1/applications/{key}/matches/{other}", api::match_verdict)
        .on("GET", "/api/v1/persons/{id}", api::person)
        .on("GET", "/api/v1/reviews", api::reviews)
        .on("POST", "/api/v1/reviews/{id}", api::resolve_review)
        .on("GET", "/api/v1/search", api::search)
        .on("GET", "/api/v1/referrals", api::referrals)
        .on("POST", "/api/v1/referrals", api::create_referral)
        .on("GET", "/api/v1/referrals/{id}", api::referral)
        .on("POST", "/api/v1/referrals/{id}/status", api::referral_status)
        .on("GET", "/api/v1/exchange/{partner}/batches", api::exchange::batches)
        .on("POST", "/api/v1/exchange/{partner}/acknowledgements", api::exchange::acknowledge)
        .on_limited("POST", "/api/v1/imports", api::import, Some(upload_limit));
    auth::auth_routes(table)
}

/// The method and path of every route the router serves (for the test that compares them
/// with `ROUTES`).
pub fn served_routes() -> Vec<(&'static str, &'static str)> {
    route_table().served().to_vec()
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let tls = state.tls;
    // Installs the process's metrics recorder (once) before any request is counted.
    let _ = metrics::handle();
    let app = route_table()
        .into_router()
        .fallback(unknown_route)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        .layer(axum::middleware::from_fn(error::api_errors_as_json))
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(state);
    security_layers(app, tls)
}

/// A path no route serves: 404 (JSON under `/api/`, by the error middleware).
async fn unknown_route() -> axum::http::StatusCode {
    axum::http::StatusCode::NOT_FOUND
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
