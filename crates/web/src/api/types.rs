//! The API's JSON shapes: stable field names, dates as ISO 8601, identifiers masked in lists.
//! Each derives its OpenAPI schema (`ToSchema`), so the document describes what is sent.

use jejak_domain::date::iso;
use jejak_domain::{Application, IdentifierField, ReviewRequest};
use jejak_service::assess::AssessmentReport;
use jejak_service::casework::{Examination, Queue};
use jejak_service::import::{ImportReport, ImportStatus};
use jejak_service::search::{SearchKind, SearchResult};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::schemas;

/// A stored application.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApplicationView {
    /// The register's key of the application (the `{key}` of the other routes).
    key: i64,
    /// Its version: send it as a decision's `expected_version`.
    version: i64,
    #[schema(value_type = schemas::ApplicationFields)]
    application: Value,
}

/// An application's fields under their interchange names (empty fields left out), with the
/// validity flags of its identifiers: `nik_valid` always (false when the NIK is kept as
/// written because it is not valid), `phone_valid`, `sponsor_phone_valid` and
/// `previous_passport_no_valid` beside a value of that field.
pub(crate) fn fields_json(app: &jejak_domain::NewApplication) -> Value {
    let cells = jejak_interchange::cells(app);
    let mut map = serde_json::Map::new();
    for (column, value) in jejak_interchange::Column::ALL.iter().zip(cells) {
        if !value.is_empty() {
            map.insert(column.canonical().to_owned(), Value::String(value));
        }
    }
    for field in IdentifierField::ALL {
        if field == IdentifierField::Nik || app.identifier_text(field).is_some() {
            map.insert(field.valid_flag().to_owned(), Value::Bool(app.is_valid(field)));
        }
    }
    Value::Object(map)
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        Self { key: a.key.0, version: a.version, application: fields_json(&a.data) }
    }
}

// The reply shapes, serialised straight from the report. Fields are in alphabetical order:
// the order the replies have always had (they were `serde_json::Value` maps, sorted by key).

/// An assessment with its candidates (`POST /api/v1/screen`, examinations): advice for the
/// officer, never a decision.
#[derive(Serialize, ToSchema)]
pub(crate) struct AssessmentView<'a> {
    application_id: &'a str,
    #[schema(schema_with = schemas::risk_band)]
    band: jejak_rules::Band,
    /// The applicant's CPMI registration in the newest SISKOP2MI snapshot, or null.
    #[schema(value_type = Option<schemas::CpmiMatchShape>)]
    cpmi: Option<&'a jejak_service::partners::CpmiMatch>,
    flagged: bool,
    hard_checks: Vec<HardCheckView<'a>>,
    indicators: Vec<IndicatorView<'a>>,
    /// Earlier applications that may be the same person, strongest first.
    matches: Vec<MatchView<'a>>,
    rule_set_version: &'a str,
    score: i64,
    /// Open village reports linked to the application, with why (never a decision).
    #[schema(value_type = Vec<schemas::VillageAlertShape>)]
    village_alerts: &'a [jejak_service::village_index::VillageAlert],
}

/// A hard check of the rule set: passed, failed, or null when its facts were missing.
#[derive(Serialize, ToSchema)]
struct HardCheckView<'a> {
    id: &'a str,
    /// In Indonesian.
    message: &'a str,
    message_en: &'a str,
    passed: Option<bool>,
}

/// A risk indicator that fired, with its weight in the score.
#[derive(Serialize, ToSchema)]
struct IndicatorView<'a> {
    id: &'a str,
    /// In Indonesian.
    message: &'a str,
    message_en: &'a str,
    weight: i64,
}

/// A candidate match: an earlier application that may be the same person.
#[derive(Serialize, ToSchema)]
struct MatchView<'a> {
    /// The end of a bar in force on that application (`YYYY-MM-DD`), or null.
    active_bar_until: Option<String>,
    adverse_decisions: usize,
    application_id: &'a str,
    application_key: i64,
    /// `YYYY-MM-DD`.
    applied_on: String,
    #[schema(schema_with = schemas::match_band)]
    band: &'static str,
    /// Field by field, how far the two applications agree (masked for another office's).
    evidence: Vec<EvidenceView<'a>>,
    match_weight: f64,
    office_code: &'a str,
    person_id: String,
    probability: f64,
}

/// How one field of the two applications compares.
#[derive(Serialize, ToSchema)]
struct EvidenceView<'a> {
    field: &'a str,
    #[schema(schema_with = schemas::evidence_level)]
    level: String,
    /// The candidate's value.
    that: &'a str,
    /// This application's value.
    this: &'a str,
    /// Null when not a number.
    #[schema(value_type = Option<f64>)]
    weight: f64,
}

impl<'a> AssessmentView<'a> {
    pub(crate) fn new(application_id: &'a str, report: &'a AssessmentReport) -> Self {
        let a = &report.assessment;
        Self {
            application_id,
            band: a.band,
            cpmi: report.cpmi.as_ref(),
            flagged: a.flagged,
            hard_checks: a
                .hard_checks
                .iter()
                .map(|h| HardCheckView {
                    id: &h.id,
                    message: &h.message.id,
                    message_en: &h.message.en,
                    passed: h.passed,
                })
                .collect(),
            indicators: a
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    id: &i.id,
                    message: &i.message.id,
                    message_en: &i.message.en,
                    weight: i.weight,
                })
                .collect(),
            matches: report.candidates.iter().map(MatchView::new).collect(),
            rule_set_version: &a.rule_set.version,
            score: a.score,
            village_alerts: &report.village_alerts,
        }
    }
}

/// The name of a match band in the API.
pub(crate) fn match_band_name(band: jejak_matching::Band) -> &'static str {
    match band {
        jejak_matching::Band::AutoLink => "auto_link",
        jejak_matching::Band::Review => "review",
        jejak_matching::Band::NoMatch => "no_match",
    }
}

/// The name of a comparison level in the API.
pub(crate) fn level_name(level: jejak_matching::Level) -> String {
    format!("{level:?}").to_lowercase()
}

impl<'a> MatchView<'a> {
    fn new(c: &'a jejak_service::mirror::ScreenedCandidate) -> Self {
        Self {
            active_bar_until: c.history.active_bar_until.map(iso),
            adverse_decisions: c.history.adverse,
            application_id: &c.application_id,
            application_key: c.key.0,
            applied_on: iso(c.applied_on),
            band: match_band_name(c.band),
            evidence: c
                .evidence
                .iter()
                .map(|e| EvidenceView {
                    field: &e.field,
                    level: level_name(e.level),
                    that: &e.right,
                    this: &e.left,
                    weight: e.weight,
                })
                .collect(),
            match_weight: c.match_weight,
            office_code: c.office_code.as_str(),
            person_id: c.person_id.to_string(),
            probability: c.probability,
        }
    }
}

/// `POST /api/v1/screen` response: the `jejak assess` object with per-field evidence.
pub(crate) type ScreenView<'a> = AssessmentView<'a>;

/// The examination of an application (a logged read).
#[derive(Serialize, ToSchema)]
pub(crate) struct ExaminationView<'a> {
    application: ApplicationView,
    #[schema(value_type = Vec<schemas::DecisionShape>)]
    decisions: &'a [jejak_domain::Decision],
    reviews: Vec<ReviewView>,
    assessment: AssessmentView<'a>,
    /// Why issuing needs a supervisor's review, or null.
    issue_needs_review: Option<&'a str>,
    /// Whether the candidates' identifiers are masked (another office's application).
    evidence_masked: bool,
}

impl<'a> From<&'a Examination> for ExaminationView<'a> {
    fn from(e: &'a Examination) -> Self {
        Self {
            application: ApplicationView::from(&e.application),
            decisions: &e.decisions,
            reviews: e.reviews.iter().map(ReviewView::from).collect(),
            assessment: AssessmentView::new(&e.application.data.application_id, &e.report),
            issue_needs_review: e.issue_needs_review.as_deref(),
            evidence_masked: e.masked,
        }
    }
}

/// A request for a supervisor's review of a decision (an override of the advice).
#[derive(Serialize, ToSchema)]
pub(crate) struct ReviewView {
    id: i64,
    application_key: i64,
    #[schema(schema_with = schemas::decision_kind)]
    kind: &'static str,
    grounds: String,
    requested_by: String,
    requested_at: String,
    #[schema(schema_with = schemas::review_status)]
    status: &'static str,
    reviewed_by: Option<String>,
    review_note: Option<String>,
}

impl From<&ReviewRequest> for ReviewView {
    fn from(r: &ReviewRequest) -> Self {
        Self {
            id: r.id,
            application_key: r.application().0,
            kind: r.data.proposed.kind.as_str(),
            grounds: r.data.grounds.clone(),
            requested_by: r.data.requested_by.clone(),
            requested_at: r.requested_at.clone(),
            status: r.status.as_str(),
            reviewed_by: r.reviewed_by.clone(),
            review_note: r.review_note.clone(),
        }
    }
}

/// The work queue of the caller's office.
#[derive(Serialize, ToSchema)]
pub(crate) struct QueueView<'a> {
    pending: Vec<PendingView<'a>>,
    awaiting_review: Vec<ReviewView>,
}

/// An application waiting for a decision (a protected person's: number, office, date only).
#[derive(Serialize, ToSchema)]
struct PendingView<'a> {
    application_id: &'a str,
    /// `YYYY-MM-DD`.
    applied_on: String,
    #[schema(schema_with = schemas::risk_band)]
    band: jejak_rules::Band,
    flagged: bool,
    full_name: &'a str,
    key: i64,
    /// Earlier applications of the same person (review or auto-link), any office.
    matches: usize,
    protected: bool,
}

impl<'a> From<&'a Queue> for QueueView<'a> {
    fn from(q: &'a Queue) -> Self {
        Self {
            pending: q
                .pending
                .iter()
                .map(|i| PendingView {
                    application_id: &i.application.data.application_id,
                    applied_on: iso(i.application.data.applied_on),
                    band: i.band,
                    flagged: i.flagged,
                    full_name: &i.application.data.full_name,
                    key: i.application.key.0,
                    matches: i.matches,
                    protected: i.protected,
                })
                .collect(),
            awaiting_review: q.awaiting_review.iter().map(ReviewView::from).collect(),
        }
    }
}

/// The applications found and how the query was read.
#[derive(Serialize, ToSchema)]
pub(crate) struct SearchView<'a> {
    hits: Vec<SearchHitView<'a>>,
    #[schema(schema_with = schemas::search_kind)]
    kind: String,
    /// More applications matched than are listed.
    truncated: bool,
}

/// One application found, its identifiers masked (a protected person's: no name, NIK,
/// phone or birth date).
#[derive(Serialize, ToSchema)]
struct SearchHitView<'a> {
    application_id: &'a str,
    /// `YYYY-MM-DD`.
    applied_on: String,
    /// `YYYY-MM-DD`.
    birth_date: Option<String>,
    full_name: &'a str,
    key: i64,
    /// Masked, e.g. `1807********0001`.
    nik: Option<&'a str>,
    /// False when the NIK is kept as written because it is not valid.
    nik_valid: bool,
    office_code: &'a str,
    outcome: &'static str,
    person_id: String,
    /// Masked.
    phone: Option<&'a str>,
    /// Match probability for name searches.
    probability: Option<f64>,
    protected: bool,
}

/// The name of a search kind in the API.
pub(crate) fn search_kind_name(kind: SearchKind) -> String {
    format!("{kind:?}").to_lowercase()
}

impl<'a> From<&'a SearchResult> for SearchView<'a> {
    fn from(r: &'a SearchResult) -> Self {
        Self {
            hits: r
                .hits
                .iter()
                .map(|h| SearchHitView {
                    application_id: &h.application_id,
                    applied_on: iso(h.applied_on),
                    birth_date: h.birth_date.map(iso),
                    full_name: &h.full_name,
                    key: h.key.0,
                    nik: h.nik_masked.as_deref(),
                    nik_valid: h.nik_valid,
                    office_code: h.office_code.as_str(),
                    outcome: h.outcome.as_str(),
                    person_id: h.person_id.to_string(),
                    phone: h.phone_masked.as_deref(),
                    probability: h.probability,
                    protected: h.protected,
                })
                .collect(),
            kind: search_kind_name(r.kind),
            truncated: r.truncated,
        }
    }
}

/// The import report: per file, the valid row count and every error located by row/column.
#[derive(Serialize, ToSchema)]
pub(crate) struct ImportView<'a> {
    /// Rows whose key conflicts with a stored application with other content.
    conflicts: Vec<String>,
    files: Vec<ImportFileView<'a>>,
    inserted: usize,
    #[schema(schema_with = schemas::import_status)]
    status: String,
    unchanged: usize,
}

/// One file of an import.
#[derive(Serialize, ToSchema)]
struct ImportFileView<'a> {
    errors: Vec<ProblemView<'a>>,
    file: &'a str,
    valid_rows: usize,
    warning_details: Vec<ProblemView<'a>>,
    warnings: usize,
}

/// A problem located in a file: row as a spreadsheet numbers it (the header is row 1).
#[derive(Serialize, ToSchema)]
struct ProblemView<'a> {
    /// The column's canonical name, or the header text for header problems.
    column: Option<&'a str>,
    message: &'a str,
    row: usize,
    /// What the cell held.
    value: Option<&'a str>,
}

/// The name of an import status in the API.
pub(crate) fn import_status_name(status: &ImportStatus) -> String {
    format!("{status:?}").to_lowercase()
}

impl<'a> ProblemView<'a> {
    fn new(d: &'a jejak_interchange::Diagnostic) -> Self {
        Self {
            column: d.column.as_deref(),
            message: &d.message,
            row: d.row,
            value: d.value.as_deref(),
        }
    }
}

/// The import report of `POST /api/v1/imports`.
pub(crate) fn import_view(report: &ImportReport) -> ImportView<'_> {
    ImportView {
        conflicts: report.conflicts.iter().map(ToString::to_string).collect(),
        files: report
            .files
            .iter()
            .map(|f| ImportFileView {
                errors: f.errors.iter().map(ProblemView::new).collect(),
                file: &f.file,
                valid_rows: f.rows.len(),
                warning_details: f.warnings.iter().map(ProblemView::new).collect(),
                warnings: f.warnings.len(),
            })
            .collect(),
        inserted: report.store.as_ref().map_or(0, |s| s.inserted),
        status: import_status_name(&report.status),
        unchanged: report.store.as_ref().map_or(0, |s| s.unchanged),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use jejak_domain::date::ymd;
    use jejak_domain::{ApplicationKey, OfficeCode};
    use jejak_matching::{Band, FieldEvidence, Level};
    use jejak_rules::Facts;
    use jejak_service::mirror::{HistorySummary, ScreenedCandidate};
    use serde_json::json;

    use super::*;

    /// The reply as it was built before the typed views: a `json!` tree.
    fn reference(application_id: &str, report: &AssessmentReport) -> Value {
        let a = &report.assessment;
        json!({
            "application_id": application_id,
            "rule_set_version": a.rule_set.version,
            "score": a.score,
            "band": a.band,
            "cpmi": report.cpmi,
            "flagged": a.flagged,
            "hard_checks": a.hard_checks.iter().map(|h| json!({
                "id": &*h.id, "passed": h.passed, "message": h.message.id, "message_en": h.message.en,
            })).collect::<Vec<_>>(),
            "indicators": a.indicators.iter().map(|i| json!({
                "id": &*i.id, "weight": i.weight, "message": i.message.id, "message_en": i.message.en,
            })).collect::<Vec<_>>(),
            "matches": report.candidates.iter().map(|c| json!({
                "application_key": c.key.0,
                "application_id": c.application_id,
                "person_id": c.person_id,
                "office_code": c.office_code.as_str(),
                "applied_on": iso(c.applied_on),
                "probability": c.probability,
                "match_weight": c.match_weight,
                "band": match c.band {
                    Band::AutoLink => "auto_link",
                    Band::Review => "review",
                    Band::NoMatch => "no_match",
                },
                "active_bar_until": c.history.active_bar_until.map(iso),
                "adverse_decisions": c.history.adverse,
                "evidence": c.evidence.iter().map(|e| json!({
                    "field": e.field, "level": format!("{:?}", e.level).to_lowercase(),
                    "weight": e.weight, "this": e.left, "that": e.right,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "village_alerts": report.village_alerts.iter().map(|v| json!({
                "report_id": v.report_id,
            })).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn the_typed_reply_is_byte_for_byte_the_earlier_json() {
        let on = ymd(2025, 3, 1).unwrap();
        let mut facts = Facts::new();
        facts.set("prior_deferrals", 2).unwrap();
        facts.set("active_bar", true).unwrap();
        facts.set("phone_shared_unrelated_count", 4).unwrap();
        let rules = jejak_rules::catalogue::default_rule_set().unwrap();
        let assessment = rules.assess(&facts, on);
        assert!(!assessment.indicators.is_empty() && !assessment.hard_checks.is_empty());
        let evidence = |field: &str, level, weight| FieldEvidence {
            field: field.into(),
            level,
            weight,
            left: "suryani \"s\"".into(),
            right: "soeryani".into(),
        };
        let candidate = ScreenedCandidate {
            key: ApplicationKey(17),
            application_id: "KLA-2025-000017".into(),
            office_code: OfficeCode::parse("KLA").unwrap(),
            applied_on: ymd(2025, 1, 10).unwrap(),
            person_id: "P12".parse().unwrap(),
            probability: 0.987_654_321,
            match_weight: 17.25,
            band: Band::AutoLink,
            evidence: vec![
                evidence("full_name", Level::Exact, 9.5),
                evidence("mother_name", Level::Missing, 0.0),
                evidence("birth_date", Level::Exact, f64::NAN),
            ],
            history: HistorySummary {
                decisions: Vec::new(),
                adverse: 1,
                active_bar_until: Some(ymd(2025, 7, 12).unwrap()),
            },
            verdict: None,
        };
        let mut other = candidate.clone();
        other.band = Band::Review;
        other.history = HistorySummary::default();
        let cpmi = jejak_service::partners::CpmiMatch {
            cpmi_id: "CPMI-9".into(),
            destination_country: Some("MY".into()),
            matched_by: jejak_service::partners::MatchedBy::NameBirthDate,
            p3mi_name: None,
            status: jejak_domain::CpmiStatus::InProcess,
            full_name: "Suryani".into(),
            recommendation_no: None,
            snapshot_taken_on: on,
        };
        let report = AssessmentReport {
            candidates: vec![candidate, other],
            facts,
            assessment,
            village_alerts: Vec::new(),
            cpmi: Some(cpmi),
        };
        let cpmi_json =
            serde_json::to_value(AssessmentView::new("BDL-1", &report)).unwrap()["cpmi"].clone();
        assert_eq!(
            cpmi_json,
            json!({"cpmi_id": "CPMI-9", "status": "in_process", "destination_country": "MY",
                "p3mi_name": null, "matched_by": "name_birth_date"})
        );
        let typed = serde_json::to_string(&AssessmentView::new("BDL-1", &report)).unwrap();
        let earlier = serde_json::to_string(&reference("BDL-1", &report)).unwrap();
        assert_eq!(typed, earlier);
        let empty = AssessmentReport { candidates: Vec::new(), cpmi: None, ..report };
        assert_eq!(
            serde_json::to_string(&AssessmentView::new("BDL-2", &empty)).unwrap(),
            serde_json::to_string(&reference("BDL-2", &empty)).unwrap()
        );
    }
}
