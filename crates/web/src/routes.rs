//! Every route with the action it needs: the source of the OpenAPI document and of the test
//! that walks every route for every role (ARCHITECTURE.md, Security).

use jejak_service::authz::Action;

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    /// axum path syntax (`{key}` for parameters).
    pub path: &'static str,
    /// What the caller must be allowed to do (`None`: public).
    pub action: Option<Action>,
    /// Part of the JSON API (`/api/`), else a page.
    pub api: bool,
    pub summary: &'static str,
}

const fn page(method: &'static str, path: &'static str, action: Option<Action>, summary: &'static str) -> RouteSpec {
    RouteSpec { method, path, action, api: false, summary }
}

const fn api(method: &'static str, path: &'static str, action: Option<Action>, summary: &'static str) -> RouteSpec {
    RouteSpec { method, path, action, api: true, summary }
}

/// Every route of `router()`.
pub const ROUTES: &[RouteSpec] = &[
    page("GET", "/", Some(Action::ViewQueue), "Work queue of the user's office"),
    page("GET", "/health", None, "Liveness"),
    page("GET", "/bahasa", None, "Switch the interface language"),
    page("GET", "/static/{name}", None, "Stylesheet and htmx"),
    page("GET", "/permohonan/baru", Some(Action::RegisterApplication), "New application form"),
    page("POST", "/permohonan/baru", Some(Action::RegisterApplication), "Register an application"),
    page("POST", "/permohonan/petunjuk", Some(Action::RegisterApplication), "NIK decoding hints"),
    page("GET", "/permohonan/{key}", Some(Action::ViewPerson), "Examine an application"),
    page("POST", "/permohonan/{key}/keputusan", Some(Action::RecordDecision), "Record a decision"),
    page("GET", "/tinjauan", Some(Action::ReviewOverride), "Supervisor review queue"),
    page("POST", "/tinjauan/{id}", Some(Action::ReviewOverride), "Approve or refuse a review request"),
    page("GET", "/cari", Some(Action::SearchRegister), "Search the register"),
    page("GET", "/impor", Some(Action::ImportApplications), "Import form"),
    page("POST", "/impor", Some(Action::ImportApplications), "Check or confirm an import"),
    api("GET", "/api/openapi.json", None, "This document"),
    api("GET", "/api/v1/offices", None, "Offices and their work areas"),
    api("GET", "/api/v1/queue", Some(Action::ViewQueue), "Work queue of the caller's office"),
    api("POST", "/api/v1/applications", Some(Action::RegisterApplication), "Register an application (interchange field names)"),
    api("GET", "/api/v1/applications/{key}", Some(Action::ViewPerson), "Examination: candidates, assessment, history (logged read)"),
    api("POST", "/api/v1/applications/{key}/decisions", Some(Action::RecordDecision), "Record a decision (201) or request a supervisor's review (202)"),
    api("POST", "/api/v1/screen", Some(Action::ScreenApplication), "Screen and assess an application without storing it"),
    api("GET", "/api/v1/reviews", Some(Action::ReviewOverride), "Review requests waiting at the caller's office"),
    api("POST", "/api/v1/reviews/{id}", Some(Action::ReviewOverride), "Approve or refuse a review request"),
    api("GET", "/api/v1/search", Some(Action::SearchRegister), "Search by NIK, name, phone or passport (masked)"),
    api("POST", "/api/v1/imports", Some(Action::ImportApplications), "Import a CSV/XLSX file given as the body"),
];
