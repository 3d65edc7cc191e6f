//! Every route with the action it needs: the source of the OpenAPI document and of the test
//! that walks every route for every role (ARCHITECTURE.md, Security).

use jejak_service::authz::Action;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (no personal data).
    Public,
    /// Any logged-in user.
    LoggedIn,
    /// A user or token allowed to do this action (see `authz::PERMISSIONS`).
    Action(Action),
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    /// axum path syntax (`{key}` for parameters).
    pub path: &'static str,
    pub access: Access,
    /// Part of the JSON API (`/api/`), else a page.
    pub api: bool,
    pub summary: &'static str,
}

const fn page(
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
) -> RouteSpec {
    RouteSpec { method, path, access, api: false, summary }
}

const fn api(
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
) -> RouteSpec {
    RouteSpec { method, path, access, api: true, summary }
}

use Access::{Action as Needs, LoggedIn, Public};

/// Every route of `router()`.
pub const ROUTES: &[RouteSpec] = &[
    page(
        "GET",
        "/",
        LoggedIn,
        "Work queue of the user's office (a welcome page for roles without one)",
    ),
    page("GET", "/health", Public, "Liveness (as /healthz)"),
    page("GET", "/healthz", Public, "Liveness for load balancers: the process answers"),
    page(
        "GET",
        "/metrics",
        Public,
        "Operators' metrics, Prometheus text (requests by route and status, latencies, screening, audit batches, index size, refresher lag; no personal data)",
    ),
    page(
        "GET",
        "/readyz",
        Public,
        "Readiness: 200 once the match index has caught up with the register, else 503",
    ),
    page("GET", "/bahasa", Public, "Switch the interface language"),
    page("GET", "/static/{name}", Public, "Stylesheet and htmx"),
    page("GET", "/permohonan/baru", Needs(Action::RegisterApplication), "New application form"),
    page("POST", "/permohonan/baru", Needs(Action::RegisterApplication), "Register an application"),
    page("POST", "/permohonan/petunjuk", Needs(Action::RegisterApplication), "NIK decoding hints"),
    page("GET", "/permohonan/{key}", Needs(Action::ViewPerson), "Examine an application"),
    page("POST", "/permohonan/{key}/keputusan", Needs(Action::RecordDecision), "Record a decision"),
    page(
        "POST",
        "/permohonan/{key}/kecocokan/{other}",
        Needs(Action::ConfirmMatch),
        "Confirm or reject a candidate match",
    ),
    page(
        "GET",
        "/orang/{id}",
        Needs(Action::ViewPerson),
        "A person's timeline across offices (purpose required, logged)",
    ),
    page(
        "POST",
        "/orang/{id}/pisah",
        Needs(Action::SplitPerson),
        "Split off applications merged by mistake",
    ),
    page("GET", "/tinjauan", Needs(Action::ReviewOverride), "Supervisor review queue"),
    page(
        "POST",
        "/tinjauan/{id}",
        Needs(Action::ReviewOverride),
        "Approve or refuse a review request",
    ),
    page("GET", "/cari", Needs(Action::SearchRegister), "Search the register"),
    page(
        "GET",
        "/desa",
        Needs(Action::SubmitVillageReport),
        "Designated villages and village reports (a PIMPASA's home: their villages and reports)",
    ),
    page(
        "GET",
        "/desa/laporan/baru",
        Needs(Action::SubmitVillageReport),
        "Village report form for a phone (kept on the phone and sent later when offline)",
    ),
    page(
        "POST",
        "/desa/laporan",
        Needs(Action::SubmitVillageReport),
        "File a village report from the form (the same report_id twice makes one report)",
    ),
    page(
        "GET",
        "/desa/peringatan",
        Needs(Action::FollowUpVillageReports),
        "Village alert queue of the office (analysts: escalated ones, all with semua=1)",
    ),
    page(
        "POST",
        "/desa/laporan/{id}/status",
        Needs(Action::FollowUpVillageReports),
        "Acknowledge a village report or change its follow-up status (with a note)",
    ),
    page(
        "GET",
        "/desa/laporan/{id}",
        Needs(Action::SubmitVillageReport),
        "One village report: named persons, phones, follow-up history and form; linked applications for readers of the register; the informant for the reporter and supervisors",
    ),
    page(
        "GET",
        "/desa/sosialisasi",
        Needs(Action::SubmitVillageReport),
        "Outreach (sosialisasi) log (a PIMPASA: their villages)",
    ),
    page(
        "GET",
        "/desa/sosialisasi/baru",
        Needs(Action::SubmitVillageReport),
        "Outreach form for a phone",
    ),
    page(
        "POST",
        "/desa/sosialisasi",
        Needs(Action::SubmitVillageReport),
        "Record an outreach session",
    ),
    page(
        "GET",
        "/desa/timpora",
        Needs(Action::ManageVillages),
        "Timpora joint operations with findings and linked village reports",
    ),
    page("GET", "/desa/timpora/baru", Needs(Action::ManageVillages), "Timpora operation form"),
    page("POST", "/desa/timpora", Needs(Action::ManageVillages), "Record a Timpora operation"),
    page(
        "GET",
        "/desa/kelola",
        Needs(Action::ManageVillages),
        "Desa Binaan register: designations and PIMPASA assignments with their history",
    ),
    page("POST", "/desa/kelola/penetapan", Needs(Action::ManageVillages), "Designate a village"),
    page(
        "POST",
        "/desa/kelola/penetapan/akhiri",
        Needs(Action::ManageVillages),
        "End a designation (kept with both dates; running assignments end)",
    ),
    page(
        "POST",
        "/desa/kelola/penugasan",
        Needs(Action::ManageVillages),
        "Assign a PIMPASA to a village",
    ),
    page(
        "POST",
        "/desa/kelola/penugasan/akhiri",
        Needs(Action::ManageVillages),
        "End a PIMPASA's assignment (kept in the history)",
    ),
    page(
        "GET",
        "/dasbor",
        Needs(Action::ViewDashboard),
        "Monitoring dashboard (filters dari, sampai, kantor, wilayah in the URL)",
    ),
    page(
        "GET",
        "/dasbor/unduh",
        Needs(Action::ViewDashboard),
        "The dashboard's tables as CSV or XLSX (format=csv|xlsx), filters included",
    ),
    page(
        "GET",
        "/dasbor/laporan",
        Needs(Action::ViewDashboard),
        "Printable monthly report (bulan=YYYY-MM, kantor)",
    ),
    page(
        "GET",
        "/evaluasi",
        Needs(Action::ViewDashboard),
        "Desa Binaan programme evaluation (before/after designation against comparable villages)",
    ),
    page(
        "GET",
        "/evaluasi/unduh",
        Needs(Action::ViewDashboard),
        "The evaluation's tables as CSV or XLSX (format=csv|xlsx), the window included",
    ),
    page(
        "GET",
        "/aturan",
        Needs(Action::ViewRules),
        "Rules in force and the versions in the register",
    ),
    page("POST", "/aturan/draf", Needs(Action::DraftRules), "Upload rule files as a draft"),
    page(
        "POST",
        "/aturan/{version}/terbitkan",
        Needs(Action::PublishRules),
        "Publish a draft (never by its author)",
    ),
    page(
        "POST",
        "/aturan/{version}/aktifkan",
        Needs(Action::ActivateRules),
        "Activate a published version",
    ),
    page(
        "GET",
        "/aturan/{version}/uji",
        Needs(Action::RunBacktest),
        "Backtest a version against the rules in force",
    ),
    page(
        "GET",
        "/rujukan",
        Needs(Action::ViewReferrals),
        "Cross-agency referrals of the office (supervisors: the overdue ones first)",
    ),
    page(
        "GET",
        "/rujukan/{id}",
        Needs(Action::ViewReferrals),
        "A referral, its history and follow-up",
    ),
    page(
        "GET",
        "/rujukan/{id}/surat",
        Needs(Action::ViewReferrals),
        "Printable referral letter (surat pengantar, A4, Indonesian)",
    ),
    page(
        "POST",
        "/rujukan/{id}/status",
        Needs(Action::MakeReferral),
        "Record a referral's follow-up (status, note, next due date)",
    ),
    page("GET", "/permohonan/{key}/rujuk", Needs(Action::MakeReferral), "Referral form"),
    page(
        "POST",
        "/permohonan/{key}/rujuk",
        Needs(Action::MakeReferral),
        "Refer an application or its person to BP3MI, Disnaker, Polri (PPA) or Pemda",
    ),
    page(
        "POST",
        "/permohonan/{key}/lindungi",
        Needs(Action::ProtectPerson),
        "Mark the person protected (TPPO victim) or lift it, with a reason",
    ),
    page("GET", "/admin", Needs(Action::ManageUsers), "Administration: users, login blocks"),
    page(
        "POST",
        "/admin/pengguna",
        Needs(Action::ManageUsers),
        "Create a user (temporary password shown once)",
    ),
    page(
        "POST",
        "/admin/pengguna/{name}/aktif",
        Needs(Action::ManageUsers),
        "Disable or enable a user",
    ),
    page(
        "POST",
        "/admin/pengguna/{name}/sandi",
        Needs(Action::ManageUsers),
        "Reset a user's password (temporary password shown once; sessions end)",
    ),
    page(
        "POST",
        "/admin/pengguna/{name}/buka",
        Needs(Action::ManageUsers),
        "Clear a user's login throttle",
    ),
    page(
        "POST",
        "/admin/pengguna/{name}/peran",
        Needs(Action::ManageUsers),
        "Change a user's role and office",
    ),
    page("GET", "/admin/token", Needs(Action::ManageTokens), "API tokens (never their secrets)"),
    page(
        "POST",
        "/admin/token",
        Needs(Action::ManageTokens),
        "Create an API token with scopes and expiry (secret shown once)",
    ),
    page("POST", "/admin/token/{name}/cabut", Needs(Action::ManageTokens), "Revoke an API token"),
    page("GET", "/admin/kantor", Needs(Action::ManageOffices), "Offices and their work areas"),
    page("POST", "/admin/kantor", Needs(Action::ManageOffices), "Add or update an office"),
    page(
        "GET",
        "/admin/audit",
        Needs(Action::ViewAudit),
        "The audit chain's state and last verification",
    ),
    page(
        "POST",
        "/admin/audit/verifikasi",
        Needs(Action::ViewAudit),
        "Verify the audit chain (the result is recorded in the audit log)",
    ),
    page(
        "GET",
        "/admin/audit/ekspor",
        Needs(Action::ViewAudit),
        "Download the audit log as JSON lines (a checkpoint; the export is audited)",
    ),
    page("GET", "/admin/retensi", Needs(Action::RunRetention), "Legal holds and retention runs"),
    page(
        "POST",
        "/admin/retensi/tahan",
        Needs(Action::RunRetention),
        "Place a legal hold (NIK in the body, never the URL)",
    ),
    page("POST", "/admin/retensi/{id}/lepas", Needs(Action::RunRetention), "Lift a legal hold"),
    page(
        "POST",
        "/admin/retensi/jalankan",
        Needs(Action::RunRetention),
        "Preview (dry run) or run retention",
    ),
    page("GET", "/admin/subjek", Needs(Action::SubjectReport), "Data-subject report form"),
    page(
        "POST",
        "/admin/subjek",
        Needs(Action::SubjectReport),
        "Data-subject report for a NIK in the body (shown, or downloaded as JSON)",
    ),
    page("GET", "/impor", Needs(Action::ImportApplications), "Import form"),
    page("POST", "/impor", Needs(Action::ImportApplications), "Check or confirm an import"),
    page("GET", "/login", Public, "Login form"),
    page("POST", "/login", Public, "Log in"),
    page("POST", "/logout", LoggedIn, "Log out"),
    page("GET", "/account", LoggedIn, "The user's account"),
    api("GET", "/api/openapi.json", Public, "This document"),
    api("GET", "/api/v1/me", LoggedIn, "Who the caller is"),
    api("GET", "/api/v1/users", Needs(Action::ManageUsers), "Users"),
    api("GET", "/api/v1/tokens", Needs(Action::ManageTokens), "API tokens"),
    api("GET", "/api/v1/offices", Public, "Offices and their work areas"),
    api("GET", "/api/v1/queue", Needs(Action::ViewQueue), "Work queue of the caller's office"),
    api(
        "GET",
        "/api/v1/stats",
        Needs(Action::ViewDashboard),
        "Monthly figures per office (from, to, group_by=month,office|month, office, region, format=json|csv); counts 1-4 read <5",
    ),
    api(
        "POST",
        "/api/v1/applications",
        Needs(Action::RegisterApplication),
        "Register an application (interchange field names)",
    ),
    api(
        "GET",
        "/api/v1/applications/{key}",
        Needs(Action::ViewPerson),
        "Examination: candidates, assessment, history (logged read)",
    ),
    api(
        "POST",
        "/api/v1/applications/{key}/decisions",
        Needs(Action::RecordDecision),
        "Record a decision (201) or request a supervisor's review (202)",
    ),
    api(
        "POST",
        "/api/v1/applications/{key}/matches/{other}",
        Needs(Action::ConfirmMatch),
        "Confirm or reject a candidate pair (both applications' offices are checked)",
    ),
    api(
        "GET",
        "/api/v1/persons/{id}",
        Needs(Action::ViewPerson),
        "A person's applications across offices (purpose required, logged read)",
    ),
    api(
        "POST",
        "/api/v1/screen",
        Needs(Action::ScreenApplication),
        "Screen and assess an application without storing it",
    ),
    api(
        "POST",
        "/api/v1/village-reports",
        Needs(Action::SubmitVillageReport),
        "File a village report (client-generated report_id: sending twice makes one report)",
    ),
    api(
        "GET",
        "/api/v1/exchange/{partner}/batches",
        Needs(Action::ExchangePartnerData),
        "A partner's signed exchange batches after sequence `after` (issue 15)",
    ),
    api(
        "POST",
        "/api/v1/exchange/{partner}/acknowledgements",
        Needs(Action::ExchangePartnerData),
        "A partner acknowledges our exchange batches up to `sequence`",
    ),
    api(
        "GET",
        "/api/v1/reviews",
        Needs(Action::ReviewOverride),
        "Review requests waiting at the caller's office",
    ),
    api(
        "POST",
        "/api/v1/reviews/{id}",
        Needs(Action::ReviewOverride),
        "Approve or refuse a review request",
    ),
    api(
        "GET",
        "/api/v1/search",
        Needs(Action::SearchRegister),
        "Search by NIK, name, phone or passport (masked)",
    ),
    api(
        "GET",
        "/api/v1/referrals",
        Needs(Action::ViewReferrals),
        "Referrals of the caller's office (overdue=true: open ones past their due date)",
    ),
    api(
        "POST",
        "/api/v1/referrals",
        Needs(Action::MakeReferral),
        "Refer an application (or its person) to a partner agency",
    ),
    api(
        "GET",
        "/api/v1/referrals/{id}",
        Needs(Action::ViewReferrals),
        "A referral with only the fields shared with its agency (logged read)",
    ),
    api(
        "POST",
        "/api/v1/referrals/{id}/status",
        Needs(Action::MakeReferral),
        "Record a referral's follow-up step",
    ),
    api(
        "POST",
        "/api/v1/imports",
        Needs(Action::ImportApplications),
        "Import a CSV/XLSX file given as the body",
    ),
];

/// The router under construction, which accepts only routes listed in [`ROUTES`]: a handler
/// registered with a method and path the table lacks stops the server at start-up (and every
/// test that builds the router), so a route cannot exist outside the table.
pub(crate) struct TableRouter {
    router: axum::Router<crate::AppState>,
    served: Vec<(&'static str, &'static str)>,
}

impl TableRouter {
    pub(crate) fn new() -> TableRouter {
        TableRouter { router: axum::Router::new(), served: Vec::new() }
    }

    /// Serves `handler` on `method` and `path`, which must be a row of [`ROUTES`].
    pub(crate) fn on<H, T>(self, method: &'static str, path: &'static str, handler: H) -> Self
    where
        H: axum::handler::Handler<T, crate::AppState>,
        T: 'static,
    {
        self.on_limited(method, path, handler, None)
    }

    /// As [`TableRouter::on`], with a request body limit of `max_body` bytes.
    pub(crate) fn on_limited<H, T>(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: H,
        max_body: Option<usize>,
    ) -> Self
    where
        H: axum::handler::Handler<T, crate::AppState>,
        T: 'static,
    {
        assert!(
            ROUTES.iter().any(|r| r.method == method && r.path == path),
            "route {method} {path} is served but missing from ROUTES (crates/web/src/routes.rs)"
        );
        let filter = match method {
            "GET" => axum::routing::MethodFilter::GET,
            "POST" => axum::routing::MethodFilter::POST,
            "PUT" => axum::routing::MethodFilter::PUT,
            "PATCH" => axum::routing::MethodFilter::PATCH,
            "DELETE" => axum::routing::MethodFilter::DELETE,
            other => panic!("route {other} {path}: unsupported method"),
        };
        let mut method_router = axum::routing::on(filter, handler);
        if let Some(max) = max_body {
            method_router = method_router.layer(axum::extract::DefaultBodyLimit::max(max));
        }
        self.router = self.router.route(path, method_router);
        self.served.push((method, path));
        self
    }

    /// The method and path of every route served, in registration order.
    pub(crate) fn served(&self) -> &[(&'static str, &'static str)] {
        &self.served
    }

    pub(crate) fn into_router(self) -> axum::Router<crate::AppState> {
        self.router
    }
}
