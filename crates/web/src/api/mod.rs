//! The JSON API, `/api/v1`: every action of the pages, for partner systems (bearer tokens) and
//! scripts. Same service calls, same permission checks; errors are
//! `{"error": {"code", "message"}}` (`error.rs`).

pub(crate) mod exchange;
pub(crate) mod openapi;
mod schemas;
mod types;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jejak_domain::{ApplicationKey, Verdict};
use jejak_interchange::{JsonRecordError, parse_json_record};
use jejak_service::authz::Entry;
use jejak_service::casework::DecisionOutcome;
use jejak_service::import::InputFile;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{api_error, api_status, error_body};
use types::{ApplicationView, ExaminationView, QueueView, ReviewView, ScreenView, SearchView};

/// `GET /api/v1/offices` (public: no personal data).
pub(crate) async fn offices(State(state): State<AppState>) -> Response {
    match state.store.list_offices().await {
        Ok(offices) => Json(
            offices
                .into_iter()
                .map(|o| {
                    json!({
                        "code": o.code.as_str(),
                        "name": o.name,
                        "work_area": o.work_area.iter().map(|r| r.dotted()).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => api_error(&e.into()),
    }
}

/// `GET /api/v1/queue`: the caller's office queue.
pub(crate) async fn queue(State(state): State<AppState>, user: CurrentUser) -> Response {
    match state.casework.own_queue(&user.actor).await {
        Ok(q) => Json(QueueView::from(&q)).into_response(),
        Err(e) => api_error(&e),
    }
}

/// The application in a JSON payload (interchange field names), or the 4xx answer.
fn application_from_json(
    body: &Bytes,
    office: &jejak_domain::OfficeCode,
) -> Result<jejak_domain::NewApplication, Box<Response>> {
    let offices = std::collections::HashSet::from([office.clone()]);
    let parsed = match parse_json_record(body, office, &offices) {
        Ok(parsed) => parsed,
        Err(e @ JsonRecordError::Malformed(_)) | Err(e @ JsonRecordError::NotAnObject) => {
            return Err(Box::new(api_status(StatusCode::BAD_REQUEST, e.to_string())));
        }
        Err(e) => {
            return Err(Box::new(api_status(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())));
        }
    };
    match parsed.application {
        Some(app) => Ok(app),
        None => {
            let fields = parsed
                .errors
                .iter()
                .map(|p| json!({"field": p.field, "value": p.value, "message": p.message}))
                .collect::<Vec<_>>();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let body = error_body(status, "invalid application", Some(json!(fields)));
            Err(Box::new((status, Json(body)).into_response()))
        }
    }
}

/// `POST /api/v1/applications`: registers an application (interchange field names).
pub(crate) async fn create_application(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Response {
    let office = match user.actor.open(Entry::NewApplication) {
        Ok(office) => office,
        Err(e) => return api_error(&e),
    };
    let app = match application_from_json(&body, &office) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    match state.casework.register(&user.actor, &app).await {
        Ok(stored) => (StatusCode::CREATED, Json(ApplicationView::from(&stored))).into_response(),
        Err(e) => api_error(&e),
    }
}

/// The purpose of a read, as the caller states it: `?purpose=CHOICE&purpose_text=TEXT`.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReadPurpose {
    /// One of the configured purposes (`[purposes] choices`); needed to read another
    /// office's application or a protected person's.
    purpose: Option<String>,
    /// The purpose in words (at least 8 letters or digits).
    purpose_text: Option<String>,
}

impl ReadPurpose {
    fn stated(&self) -> Option<jejak_service::security::StatedPurpose> {
        let choice = self.purpose.as_deref().unwrap_or("").trim();
        let detail = self.purpose_text.as_deref().unwrap_or("").trim();
        (!choice.is_empty() || !detail.is_empty())
            .then(|| jejak_service::security::StatedPurpose::new(choice, detail))
    }
}

/// `POST /api/v1/screen?purpose=...&purpose_text=...`: screens and assesses an application
/// without storing it; the other applications' identifiers come masked.
pub(crate) async fn screen(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(purpose): Query<ReadPurpose>,
    body: Bytes,
) -> Response {
    let office = match user.actor.open(Entry::ScreenApplication) {
        Ok(office) => office,
        Err(e) => return api_error(&e),
    };
    let app = match application_from_json(&body, &office) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let purpose = purpose.stated().unwrap_or_default();
    match state.casework.screen(&user.actor, &app, &purpose).await {
        Ok(report) => Json(ScreenView::new(&app.application_id, &report)).into_response(),
        Err(e) => api_error(&e),
    }
}

/// `GET /api/v1/applications/{key}`: the examination (a logged read); another office's
/// application, or a protected person's (supervisors only), needs
/// `?purpose=...&purpose_text=...`, and another office's candidates come masked.
pub(crate) async fn examine(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(key): Path<i64>,
    Query(purpose): Query<ReadPurpose>,
) -> Response {
    let stated = purpose.stated();
    match state.casework.examine_for(&user.actor, ApplicationKey(key), stated.as_ref()).await {
        Ok(exam) => Json(ExaminationView::from(&exam)).into_response(),
        Err(e) => api_error(&e),
    }
}

/// A decision on an application.
#[derive(Deserialize, ToSchema)]
pub(crate) struct DecisionBody {
    #[schema(schema_with = schemas::decision_kind)]
    kind: String,
    /// Coded reasons (an adverse decision needs a code or a text).
    #[serde(default)]
    reason_codes: Vec<String>,
    reason_text: Option<String>,
    /// End of the bar of a deferral or rejection.
    #[schema(schema_with = schemas::iso_date_or_null)]
    deferral_until: Option<String>,
    /// The application's `version` as read: a newer one answers 409.
    expected_version: i64,
}

/// `POST /api/v1/applications/{key}/decisions`: 201 recorded, 202 awaiting a supervisor.
pub(crate) async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(key): Path<i64>,
    body: Bytes,
) -> Response {
    let body: DecisionBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return api_status(StatusCode::BAD_REQUEST, format!("malformed decision: {e}")),
    };
    let Some(kind) = jejak_domain::DecisionKind::parse(&body.kind) else {
        return api_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("kind: {:?} is not issued, deferred, rejected or cancelled", body.kind),
        );
    };
    let deferral_until = match body.deferral_until.as_deref().map(jejak_domain::date::parse_date) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            return api_status(StatusCode::UNPROCESSABLE_ENTITY, format!("deferral_until: {e}"));
        }
    };
    let input = jejak_service::casework::DecisionInput {
        kind,
        reason_codes: body.reason_codes,
        reason_text: body.reason_text,
        deferral_until,
        expected_version: body.expected_version,
    };
    match state.casework.decide(&user.actor, ApplicationKey(key), &input).await {
        Ok(DecisionOutcome::Recorded(d)) => {
            (StatusCode::CREATED, Json(json!({"status": "recorded", "decision": d})))
                .into_response()
        }
        Ok(DecisionOutcome::AwaitingReview(r)) => (
            StatusCode::ACCEPTED,
            Json(json!({"status": "awaiting_review", "review": ReviewView::from(&r)})),
        )
            .into_response(),
        Err(e) => api_error(&e),
    }
}

/// `GET /api/v1/reviews`: requests waiting at the supervisor's office.
pub(crate) async fn reviews(State(state): State<AppState>, user: CurrentUser) -> Response {
    match state.casework.pending_reviews(&user.actor).await {
        Ok(list) => {
            Json(list.iter().map(|(r, _)| ReviewView::from(r)).collect::<Vec<_>>()).into_response()
        }
        Err(e) => api_error(&e),
    }
}

/// A supervisor's answer to a review request.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ResolveBody {
    approve: bool,
    note: Option<String>,
}

/// `POST /api/v1/reviews/{id}`.
pub(crate) async fn resolve_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let body: ResolveBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return api_status(StatusCode::BAD_REQUEST, format!("malformed body: {e}")),
    };
    match state.casework.resolve_review(&user.actor, id, body.approve, body.note).await {
        Ok(r) => Json(ReviewView::from(&r)).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// A NIK, a phone number, a passport number or a name.
    q: String,
}

/// `GET /api/v1/search?q=`.
pub(crate) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SearchQuery>,
) -> Response {
    match state.casework.search(&user.actor, &q.q).await {
        Ok(r) => Json(SearchView::from(&r)).into_response(),
        Err(e) => api_error(&e),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    /// The file's name: `.csv` or `.xlsx` says how to read it (default `upload.csv`).
    file: Option<String>,
    /// Check everything, write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// `POST /api/v1/imports?file=NAME.csv&dry_run=true`: the file as the body.
pub(crate) async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Response {
    let name = q.file.unwrap_or_else(|| "upload.csv".into());
    let files = [InputFile { name, bytes: body.to_vec() }];
    match state.casework.import(&user.actor, &files, q.dry_run).await {
        Ok(report) => {
            let status = if report.error_count() > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, Json(types::import_view(&report))).into_response()
        }
        Err(e) => api_error(&e),
    }
}

/// An officer's verdict on a candidate pair.
#[derive(Deserialize, ToSchema)]
pub(crate) struct VerdictBody {
    #[schema(schema_with = schemas::verdict)]
    verdict: String,
    reason: String,
}

/// `POST /api/v1/applications/{key}/matches/{other}`.
pub(crate) async fn match_verdict(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((key, other)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let body: VerdictBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return api_status(StatusCode::BAD_REQUEST, format!("malformed verdict: {e}")),
    };
    let Some(verdict) = Verdict::parse(&body.verdict) else {
        return api_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("verdict: {:?} is not confirm or reject", body.verdict),
        );
    };
    let result = state
        .casework
        .match_verdict(
            &user.actor,
            ApplicationKey(key),
            ApplicationKey(other),
            verdict,
            &body.reason,
        )
        .await;
    match result {
        Ok(d) => {
            let (a, b) = d.data.pair();
            (
                StatusCode::CREATED,
                Json(json!({"id": d.id, "pair": [a.0, b.0], "verdict": verdict.as_str()})),
            )
                .into_response()
        }
        Err(e) => api_error(&e),
    }
}

/// `GET /api/v1/persons/{id}?purpose=...&purpose_text=...`.
pub(crate) async fn person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<ReadPurpose>,
) -> Response {
    let purpose = q.stated().unwrap_or_default();
    match state.casework.person(&user.actor, &id, &purpose).await {
        Ok(p) => Json(json!({
            "id": p.id,
            "applications": p.applications.iter().map(|a| json!({
                "key": a.key.0,
                "application": types::fields_json(&a.application),
                "decisions": a.decisions,
            })).collect::<Vec<_>>(),
            "unresolved": p.unresolved.iter().map(|(a, b)| [a.0, b.0]).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => api_error(&e),
    }
}

/// `GET /api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=month,office[&office=&region=&format=csv|json]`:
/// one row per month (and office) with suppressed cells as `"<5"` (and `"x"` for cells
/// withheld so that a `<5` cannot be worked out from a total).
pub(crate) async fn stats(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(e) = user.actor.open(Entry::Stats) {
        return api_error(&e);
    }
    let get = |name: &str| q.get(name).map(String::as_str);
    let request = match jejak_service::stats::StatsRequest::parse(
        get("from"),
        get("to"),
        get("group_by").or(get("group-by")),
        get("office"),
        get("region"),
    ) {
        Ok(r) => r,
        Err(e) => return api_error(&e),
    };
    let rows = match jejak_service::stats::stats_table(
        state.casework.screening(),
        &user.actor,
        &request,
    ) {
        Ok(rows) => rows,
        Err(e) => return api_error(&e),
    };
    match get("format").unwrap_or("json") {
        "json" => Json(rows).into_response(),
        "csv" => (
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            jejak_service::stats::stats_csv(&rows),
        )
            .into_response(),
        other => api_status(
            StatusCode::BAD_REQUEST,
            format!("format: expected csv or json, found `{other}`"),
        ),
    }
}

/// A named person in a village report payload.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportPersonBody {
    pub(crate) name: String,
    #[serde(default)]
    #[schema(schema_with = schemas::iso_date_or_null)]
    pub(crate) birth_date: Option<String>,
    #[serde(default)]
    pub(crate) nik: Option<String>,
    #[serde(default)]
    pub(crate) relation: Option<String>,
}

/// `POST /api/v1/village-reports` payload (the CSV's columns, lists as arrays).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VillageReportBody {
    /// Made by the client (a UUID): sending the same report twice makes one report.
    pub(crate) report_id: String,
    pub(crate) village_code: String,
    #[schema(schema_with = schemas::iso_date)]
    pub(crate) reported_on: String,
    #[schema(schema_with = schemas::report_topic)]
    pub(crate) topic: String,
    #[serde(default)]
    pub(crate) source_reliability: Option<String>,
    #[serde(default)]
    pub(crate) info_credibility: Option<u8>,
    #[serde(default)]
    pub(crate) persons: Vec<ReportPersonBody>,
    #[serde(default)]
    pub(crate) phones: Vec<String>,
    #[serde(default)]
    pub(crate) recruiters: Vec<String>,
    #[serde(default)]
    pub(crate) agency: Option<String>,
    #[serde(default)]
    pub(crate) destination_country: Option<String>,
    #[serde(default)]
    #[schema(schema_with = schemas::iso_date_or_null)]
    pub(crate) planned_departure_on: Option<String>,
    pub(crate) narrative: String,
    /// The informant: stored apart from the report.
    #[serde(default)]
    pub(crate) source: Option<String>,
}

/// A 422 in the one error shape, naming the field at fault.
fn field_error(field: &str, message: impl std::fmt::Display) -> Response {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let fields = json!([{"field": field, "value": null, "message": message.to_string()}]);
    let body = error_body(status, &format!("{field}: {message}"), Some(fields));
    (status, Json(body)).into_response()
}

impl VillageReportBody {
    /// The report, or the field at fault with the message.
    pub(crate) fn into_report(self) -> Result<jejak_domain::NewVillageReport, (String, String)> {
        use jejak_domain::date::parse_date;
        let opt = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let village = jejak_domain::RegionCode::parse_village(&self.village_code)
            .map_err(|e| ("village_code".to_owned(), e.to_string()))?;
        let reported_on =
            parse_date(&self.reported_on).map_err(|e| ("reported_on".to_owned(), e.to_string()))?;
        let topic = jejak_domain::ReportTopic::parse(&self.topic)
            .ok_or_else(|| ("topic".to_owned(), format!("unknown topic {:?}", self.topic)))?;
        let mut persons = Vec::new();
        for (i, p) in self.persons.into_iter().enumerate() {
            let birth_date = opt(p.birth_date)
                .map(|d| parse_date(&d))
                .transpose()
                .map_err(|e| (format!("persons[{i}].birth_date"), e.to_string()))?;
            let nik = opt(p.nik)
                .map(|n| jejak_domain::Nik::parse(&n))
                .transpose()
                .map_err(|e| (format!("persons[{i}].nik"), e.to_string()))?;
            persons.push(jejak_domain::ReportPerson {
                name: p.name.trim().to_owned(),
                birth_date,
                nik,
                relation: opt(p.relation),
            });
        }
        let mut phones = Vec::new();
        for (i, p) in self.phones.iter().enumerate().filter(|(_, p)| !p.trim().is_empty()) {
            phones.push(
                jejak_domain::Phone::parse(p)
                    .map_err(|e| (format!("phones[{i}]"), e.to_string()))?,
            );
        }
        let destination_country = opt(self.destination_country)
            .map(|c| jejak_domain::CountryCode::parse(&c))
            .transpose()
            .map_err(|e| ("destination_country".to_owned(), e.to_string()))?;
        let planned_departure_on = opt(self.planned_departure_on)
            .map(|d| parse_date(&d))
            .transpose()
            .map_err(|e| ("planned_departure_on".to_owned(), e.to_string()))?;
        Ok(jejak_domain::NewVillageReport {
            report_id: self.report_id.trim().to_owned(),
            village,
            reported_on,
            topic,
            source_reliability: opt(self.source_reliability)
                .map(|s| s.to_uppercase())
                .unwrap_or_else(|| "F".into()),
            info_credibility: self.info_credibility.unwrap_or(6),
            persons,
            phones,
            recruiters: self
                .recruiters
                .into_iter()
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
            agency: opt(self.agency),
            destination_country,
            planned_departure_on,
            narrative: self.narrative,
            source: opt(self.source),
            reported_by: String::new(),
        })
    }
}

/// `POST /api/v1/village-reports`: files one report; 201 when new, 200 when a report with
/// this id was already stored (the stored one is unchanged).
pub(crate) async fn file_village_report(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Response {
    if let Err(e) = state.villages.check_filing(&user.actor) {
        return api_error(&e);
    }
    let parsed: VillageReportBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return api_status(StatusCode::BAD_REQUEST, format!("invalid JSON: {e}")),
    };
    let report = match parsed.into_report() {
        Ok(r) => r,
        Err((field, message)) => return field_error(&field, message),
    };
    match state.villages.file(&user.actor, vec![report]).await {
        Ok(filed) => match filed.into_iter().next() {
            Some(f) => {
                let status = if f.created { StatusCode::CREATED } else { StatusCode::OK };
                (
                    status,
                    Json(json!({
                        "report_id": f.report.data.report_id,
                        "created": f.created,
                        "office": f.report.office.as_str(),
                        "status": f.report.status.as_str(),
                    })),
                )
                    .into_response()
            }
            None => api_status(StatusCode::INTERNAL_SERVER_ERROR, "no report filed".to_owned()),
        },
        Err(e) => api_error(&e),
    }
}

/// A referral as a partner system reads it: only the fields shared with its agency.
fn referral_json(view: &jejak_service::referrals::ReferralView) -> serde_json::Value {
    let r = &view.referral;
    let shared: serde_json::Map<String, serde_json::Value> = view
        .shared
        .iter()
        .map(|f| (f.field.clone(), f.value.clone().map_or(serde_json::Value::Null, Into::into)))
        .collect();
    json!({
        "id": r.id,
        "letter_no": r.letter_no,
        "office_code": r.data.office.as_str(),
        "agency": r.data.agency.as_str(),
        "agency_name": r.data.agency.name_id(),
        "subject": {
            "kind": r.data.subject.kind(),
            "application_key": r.data.subject.application().0,
            "application_id": view.application_id,
            "person_id": match &r.data.subject {
                jejak_domain::ReferralSubject::Person { person_id, .. } => Some(person_id.to_string()),
                jejak_domain::ReferralSubject::Application(_) => None,
            },
        },
        "purpose": r.data.purpose,
        "legal_basis": r.data.legal_basis,
        "status": r.status.as_str(),
        "due_on": r.data.due_on.map(jejak_domain::date::iso),
        "overdue": view.overdue,
        "created_by": r.data.created_by,
        "created_at": r.data.created_at,
        "fields": r.data.fields,
        "shared": shared,
        "withheld": view.withheld,
        "applications": view.applications.iter().map(|a| json!({
            "application_id": a.application_id,
            "office_code": a.office.as_str(),
            "applied_on": jejak_domain::date::iso(a.applied_on),
        })).collect::<Vec<_>>(),
        "history": view.history.iter().map(|e| json!({
            "status": e.status.as_str(),
            "note": e.note,
            "due_on": e.due_on.map(jejak_domain::date::iso),
            "by": e.by,
            "at": e.at,
        })).collect::<Vec<_>>(),
    })
}

fn referral_summary(r: &jejak_domain::Referral, today: time::Date) -> serde_json::Value {
    json!({
        "id": r.id,
        "letter_no": r.letter_no,
        "office_code": r.data.office.as_str(),
        "agency": r.data.agency.as_str(),
        "subject_kind": r.data.subject.kind(),
        "status": r.status.as_str(),
        "due_on": r.data.due_on.map(jejak_domain::date::iso),
        "overdue": r.is_overdue(today),
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReferralListQuery {
    /// Only the open referrals past their due date.
    #[serde(default)]
    overdue: bool,
}

/// `GET /api/v1/referrals[?overdue=true]`: the caller's referrals, or the overdue ones.
pub(crate) async fn referrals(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReferralListQuery>,
) -> Response {
    let result = if q.overdue {
        state.casework.overdue_referrals(&user.actor).await
    } else {
        state.casework.referrals(&user.actor).await
    };
    let today = state.casework.clock().today();
    match result {
        Ok(list) => Json(list.iter().map(|r| referral_summary(r, today)).collect::<Vec<_>>())
            .into_response(),
        Err(e) => api_error(&e),
    }
}

/// `GET /api/v1/referrals/{id}`: one referral for a partner system (a logged read).
pub(crate) async fn referral(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Response {
    match state.casework.referral(&user.actor, id).await {
        Ok(view) => Json(referral_json(&view)).into_response(),
        Err(e) => api_error(&e),
    }
}

/// A referral to a partner agency.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ReferralBody {
    application_key: i64,
    #[schema(schema_with = schemas::agency)]
    agency: String,
    /// Refer the application's person rather than the application.
    #[serde(default)]
    person: bool,
    purpose: String,
    #[serde(default)]
    legal_basis: String,
    #[schema(schema_with = schemas::iso_date_or_null)]
    due_on: Option<String>,
    note: Option<String>,
    /// The fields to share (default: the agency's usual ones).
    fields: Option<Vec<String>>,
}

fn body_date(field: &str, text: Option<&str>) -> Result<Option<time::Date>, Box<Response>> {
    match text {
        None => Ok(None),
        Some(t) => jejak_domain::date::parse_date(t).map(Some).map_err(|e| {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let fields = json!([{"field": field, "value": t, "message": e.to_string()}]);
            Box::new(
                (status, Json(error_body(status, &format!("{field}: {e}"), Some(fields))))
                    .into_response(),
            )
        }),
    }
}

/// `POST /api/v1/referrals`: refers an application (or its person) to a partner agency.
pub(crate) async fn create_referral(
    State(state): State<AppState>,
    user: CurrentUser,
    body: Bytes,
) -> Response {
    let body: ReferralBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return api_status(StatusCode::BAD_REQUEST, format!("malformed referral: {e}")),
    };
    let due_on = match body_date("due_on", body.due_on.as_deref()) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let input = jejak_service::referrals::ReferralInput {
        agency: body.agency,
        person: body.person,
        purpose: body.purpose,
        legal_basis: body.legal_basis,
        due_on,
        note: body.note,
        fields: body.fields,
    };
    let key = ApplicationKey(body.application_key);
    let created = match state.casework.refer(&user.actor, key, &input).await {
        Ok(r) => r,
        Err(e) => return api_error(&e),
    };
    match state.casework.referral(&user.actor, created.id).await {
        Ok(view) => (StatusCode::CREATED, Json(referral_json(&view))).into_response(),
        Err(e) => api_error(&e),
    }
}

/// A follow-up step of a referral.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ReferralStatusBody {
    #[schema(schema_with = schemas::referral_status)]
    status: String,
    note: Option<String>,
    /// The next due date.
    #[schema(schema_with = schemas::iso_date_or_null)]
    due_on: Option<String>,
}

/// `POST /api/v1/referrals/{id}/status`: records a follow-up step.
pub(crate) async fn referral_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let body: ReferralStatusBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return api_status(StatusCode::BAD_REQUEST, format!("malformed status: {e}")),
    };
    let due_on = match body_date("due_on", body.due_on.as_deref()) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let today = state.casework.clock().today();
    match state
        .casework
        .update_referral(&user.actor, id, &body.status, body.note.as_deref(), due_on)
        .await
    {
        Ok(r) => Json(referral_summary(&r, today)).into_response(),
        Err(e) => api_error(&e),
    }
}
