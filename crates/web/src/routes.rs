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
    page("GET", "/health", Public, "Liveness"),
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
        "POST",
        "/api/v1/imports",
        Needs(Action::ImportApplications),
        "Import a CSV/XLSX file given as the body",
    ),
];
