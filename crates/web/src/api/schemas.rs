//! OpenAPI schemas of what the API's types do not describe by themselves: the application
//! record (its fields are the interchange columns), value lists read from the domain's own
//! enums, the one error shape, and the shapes of answers built from other crates' types or
//! as JSON in a handler. The test `every_api_answer_matches_its_schema` (tests/openapi.rs)
//! checks each of these against real answers, so a changed answer fails it until its schema
//! follows.

// The shape structs are never built: they exist for their derived schema.
#![allow(dead_code, reason = "schema-only types: they describe answers built elsewhere")]

use std::borrow::Cow;

use jejak_interchange::Column;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{RefOr, schema::KnownFormat, schema::SchemaFormat};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::types::ReviewView;

/// The values `values` serialise to: the wire names, read from the types themselves.
fn wire_names<T: Serialize>(values: impl IntoIterator<Item = T>) -> Vec<Value> {
    values.into_iter().filter_map(|v| serde_json::to_value(v).ok()).collect()
}

/// A string with one of `values`.
fn one_of(values: Vec<Value>, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
}

fn strings(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| Value::from(*v)).collect()
}

fn date(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .description(Some(description))
}

/// The advisory risk band of an assessment.
pub(crate) fn risk_band() -> ObjectBuilder {
    use jejak_rules::Band;
    one_of(wire_names([Band::Low, Band::Medium, Band::High]), "Advisory risk band")
}

/// How strongly a candidate matches.
pub(crate) fn match_band() -> ObjectBuilder {
    use jejak_matching::Band;
    let names = [Band::AutoLink, Band::Review, Band::NoMatch]
        .map(|b| Value::from(super::types::match_band_name(b)));
    one_of(names.to_vec(), "auto_link: the same person; review: an officer should look")
}

/// How far one field of two applications agrees.
pub(crate) fn evidence_level() -> ObjectBuilder {
    use jejak_matching::Level;
    let levels = Level::EVIDENCE.into_iter().chain([Level::Missing]);
    let names = levels.map(|l| Value::from(super::types::level_name(l))).collect();
    one_of(names, "From exact agreement to different; missing when either value is absent")
}

pub(crate) fn decision_kind() -> ObjectBuilder {
    one_of(wire_names(jejak_domain::DecisionKind::ALL), "The decision")
}

pub(crate) fn review_status() -> ObjectBuilder {
    use jejak_domain::ReviewStatus;
    let names = [ReviewStatus::Pending, ReviewStatus::Approved, ReviewStatus::Refused];
    one_of(names.map(|s| Value::from(s.as_str())).to_vec(), "Where the review stands")
}

/// How a search query was read.
pub(crate) fn search_kind() -> ObjectBuilder {
    use jejak_service::search::SearchKind;
    let kinds = [SearchKind::Nik, SearchKind::Phone, SearchKind::Passport, SearchKind::Name];
    let names = kinds.map(|k| Value::from(super::types::search_kind_name(k)));
    one_of(names.to_vec(), "What the query was understood as")
}

pub(crate) fn import_status() -> ObjectBuilder {
    use jejak_service::import::ImportStatus;
    let all = [ImportStatus::Imported, ImportStatus::RejectedWithErrors, ImportStatus::DryRun];
    let names = all.iter().map(|s| Value::from(super::types::import_status_name(s)));
    one_of(names.collect(), "imported; rejectedwitherrors: nothing written; dryrun: checked only")
}

fn role() -> ObjectBuilder {
    one_of(wire_names(jejak_service::authz::Role::ALL), "A user's role")
}

fn action() -> ObjectBuilder {
    one_of(wire_names(jejak_service::authz::Action::ALL), "An action a role or token may do")
}

fn cpmi_status() -> ObjectBuilder {
    one_of(wire_names(jejak_domain::CpmiStatus::ALL), "The registration's status in SISKOP2MI")
}

fn linked_by() -> ObjectBuilder {
    use jejak_service::village_index::LinkedBy;
    let all = [LinkedBy::Person, LinkedBy::Phone, LinkedBy::Recruiter, LinkedBy::Village];
    one_of(wire_names(all), "The strongest reason the report is linked")
}

pub(crate) fn report_topic() -> ObjectBuilder {
    let names = jejak_domain::ReportTopic::ALL.map(|t| Value::from(t.as_str()));
    one_of(names.to_vec(), "What a village report is about")
}

pub(crate) fn report_status() -> ObjectBuilder {
    let names = jejak_domain::ReportStatus::ALL.map(|s| Value::from(s.as_str()));
    one_of(names.to_vec(), "A village report's follow-up status")
}

pub(crate) fn agency() -> ObjectBuilder {
    let names = jejak_domain::Agency::ALL.map(|a| Value::from(a.as_str()));
    one_of(names.to_vec(), "The partner agency")
}

pub(crate) fn referral_status() -> ObjectBuilder {
    let names = jejak_domain::ReferralStatus::ALL.map(|s| Value::from(s.as_str()));
    one_of(names.to_vec(), "A referral's follow-up status")
}

fn error_code() -> ObjectBuilder {
    use axum::http::StatusCode;
    let statuses = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503];
    let mut codes: Vec<Value> = Vec::new();
    for status in statuses.into_iter().filter_map(|s| StatusCode::from_u16(s).ok()) {
        let code = Value::from(crate::error::code_for(status));
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    one_of(codes, "Stable machine code: clients branch on it")
}

/// An application as stored: its fields under their interchange names (empty fields left
/// out) and the validity flags of its identifiers.
pub(crate) struct ApplicationFields;

impl PartialSchema for ApplicationFields {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The application's fields under their interchange names (empty ones left \
                 out), all as text, with `nik_valid` and the other identifiers' validity flags",
            ))
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
        for column in Column::ALL {
            let field = ObjectBuilder::new().schema_type(Type::String);
            object = object.property(column.canonical(), field);
            if column.required() {
                object = object.required(column.canonical());
            }
        }
        for field in jejak_domain::IdentifierField::ALL {
            let flag = ObjectBuilder::new().schema_type(Type::Boolean).description(Some(
                "False when the identifier is kept as written because it is not valid",
            ));
            object = object.property(field.valid_flag(), flag);
        }
        object = object.required(jejak_domain::IdentifierField::Nik.valid_flag());
        RefOr::T(Schema::Object(object.build()))
    }
}

impl ToSchema for ApplicationFields {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ApplicationFields")
    }
}

/// An application to register or screen: the interchange fields by name.
pub(crate) struct ApplicationInput;

impl PartialSchema for ApplicationInput {
    fn schema() -> RefOr<Schema> {
        let aliases: Vec<String> =
            Column::ALL.iter().map(|c| format!("{} ({})", c.canonical(), c.alias())).collect();
        let mut object = ObjectBuilder::new().schema_type(Type::Object).description(Some(format!(
            "An application's fields under their interchange names; the Indonesian names \
             are accepted too: {}. Values are text (numbers are read as text, null is \
             empty). office_code defaults to the caller's office.",
            aliases.join(", ")
        )));
        for column in Column::ALL {
            let field = ObjectBuilder::new()
                .schema_type(
                    [Type::String, Type::Number, Type::Null].into_iter().collect::<SchemaType>(),
                )
                .max_length(Some(column.max_chars()));
            object = object.property(column.canonical(), field);
            if column.required() && column != Column::OfficeCode {
                object = object.required(column.canonical());
            }
        }
        RefOr::T(Schema::Object(object.build()))
    }
}

impl ToSchema for ApplicationInput {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ApplicationInput")
    }
}

/// The one error shape of the API.
#[derive(ToSchema)]
#[schema(as = Error)]
pub(crate) struct ErrorShape {
    error: ErrorDetailShape,
}

/// What went wrong.
#[derive(ToSchema)]
#[schema(as = ErrorDetail)]
struct ErrorDetailShape {
    #[schema(schema_with = error_code)]
    code: String,
    /// What to do about it (English).
    message: String,
    /// The fields at fault, when a payload had them.
    #[schema(required = false)]
    fields: Vec<FieldProblemShape>,
}

/// One field at fault.
#[derive(ToSchema)]
#[schema(as = FieldProblem)]
struct FieldProblemShape {
    field: String,
    value: Option<String>,
    message: String,
}

/// The applicant's CPMI registration in the newest SISKOP2MI snapshot.
#[derive(ToSchema)]
#[schema(as = CpmiMatch)]
pub(crate) struct CpmiMatchShape {
    cpmi_id: String,
    destination_country: Option<String>,
    #[schema(schema_with = cpmi_matched_by)]
    matched_by: String,
    p3mi_name: Option<String>,
    #[schema(schema_with = cpmi_status)]
    status: String,
}

fn cpmi_matched_by() -> ObjectBuilder {
    use jejak_service::partners::MatchedBy;
    one_of(wire_names([MatchedBy::Nik, MatchedBy::NameBirthDate]), "How the record was matched")
}

/// An open village report linked to the application (never a decision).
#[derive(ToSchema)]
#[schema(as = VillageAlert)]
pub(crate) struct VillageAlertShape {
    report_id: String,
    #[schema(schema_with = linked_by)]
    linked_by: String,
    /// Every reason, in words (Indonesian).
    reasons: Vec<String>,
    village_code: String,
    #[schema(schema_with = report_topic)]
    topic: String,
    /// `YYYY-MM-DD`.
    reported_on: String,
    #[schema(schema_with = report_status)]
    status: String,
}

/// A recorded decision.
#[derive(ToSchema)]
#[schema(as = Decision)]
pub(crate) struct DecisionShape {
    id: i64,
    change_seq: i64,
    data: DecisionDataShape,
}

/// What was decided. Dates are `[year, day of the year]`, as they have always been sent.
#[derive(ToSchema)]
#[schema(as = DecisionData)]
struct DecisionDataShape {
    /// The application's key.
    application: i64,
    #[schema(schema_with = decision_kind)]
    kind: String,
    #[schema(schema_with = ordinal_date)]
    decided_on: String,
    /// End of a time-boxed bar, or null.
    #[schema(schema_with = ordinal_date_or_null)]
    deferral_until: Option<String>,
    reason_codes: Vec<String>,
    reason_text: Option<String>,
    /// The deciding officer; null for imported decisions.
    officer: Option<String>,
}

fn ordinal_date() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::Integer))
        .min_items(Some(2))
        .max_items(Some(2))
        .description(Some("[year, day of the year]"))
}

fn ordinal_date_or_null() -> OneOfBuilder {
    OneOfBuilder::new().item(ObjectBuilder::new().schema_type(Type::Null)).item(ordinal_date())
}

/// An office and its work area (`GET /api/v1/offices`).
#[derive(ToSchema)]
#[schema(as = Office)]
pub(crate) struct OfficeShape {
    code: String,
    name: String,
    /// Region codes, dotted (`18.07`).
    work_area: Vec<String>,
}

/// Who the caller is (`GET /api/v1/me`).
#[derive(ToSchema)]
#[schema(as = Me)]
pub(crate) struct MeShape {
    username: String,
    display_name: String,
    #[schema(schema_with = role)]
    role: String,
    office: String,
    /// A token's scopes; null for a user.
    #[schema(schema_with = token_scopes)]
    token_scopes: Option<Vec<String>>,
}

fn token_scopes() -> OneOfBuilder {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(ArrayBuilder::new().items(action()))
}

/// A user (`GET /api/v1/users`).
#[derive(ToSchema)]
#[schema(as = User)]
pub(crate) struct UserShape {
    username: String,
    display_name: String,
    #[schema(schema_with = role)]
    role: String,
    office: String,
    active: bool,
    /// Until when logins are refused after failed attempts, or null.
    locked_until: Option<String>,
}

/// An API token, never its secret (`GET /api/v1/tokens`).
#[derive(ToSchema)]
#[schema(as = Token)]
pub(crate) struct TokenShape {
    name: String,
    #[schema(schema_with = role)]
    role: String,
    #[schema(schema_with = scopes)]
    scopes: Vec<String>,
    office: String,
    created_by: String,
    revoked_at: Option<String>,
    last_used_at: Option<String>,
    /// When the token stops working; null: until revoked.
    expires_at: Option<String>,
}

fn scopes() -> ArrayBuilder {
    ArrayBuilder::new().items(action())
}

/// A decision recorded (201).
#[derive(ToSchema)]
#[schema(as = DecisionRecorded)]
pub(crate) struct DecisionRecordedShape {
    #[schema(schema_with = recorded)]
    status: String,
    decision: DecisionShape,
}

fn recorded() -> ObjectBuilder {
    one_of(strings(&["recorded"]), "The decision is recorded")
}

/// A decision that needs a supervisor: the review request made (202).
#[derive(ToSchema)]
#[schema(as = ReviewRequested)]
pub(crate) struct ReviewRequestedShape {
    #[schema(schema_with = awaiting_review)]
    status: String,
    review: ReviewView,
}

fn awaiting_review() -> ObjectBuilder {
    one_of(strings(&["awaiting_review"]), "A supervisor must approve it first")
}

/// A candidate pair confirmed or rejected (201).
#[derive(ToSchema)]
#[schema(as = MatchVerdictRecorded)]
pub(crate) struct MatchVerdictShape {
    id: i64,
    /// The two applications' keys, lower first.
    pair: [i64; 2],
    #[schema(schema_with = verdict)]
    verdict: String,
}

pub(crate) fn verdict() -> ObjectBuilder {
    one_of(strings(&["confirm", "reject"]), "Whether the two applications are the same person")
}

/// A person's applications across offices (`GET /api/v1/persons/{id}`).
#[derive(ToSchema)]
#[schema(as = Person)]
pub(crate) struct PersonShape {
    id: String,
    applications: Vec<PersonApplicationShape>,
    /// Candidate pairs of the person not yet confirmed or rejected (application keys).
    unresolved: Vec<[i64; 2]>,
}

/// One application of a person.
#[derive(ToSchema)]
#[schema(as = PersonApplication)]
struct PersonApplicationShape {
    key: i64,
    application: ApplicationFields,
    decisions: Vec<DecisionShape>,
}

/// A village report filed: 201 when new, 200 when this `report_id` was already stored.
#[derive(ToSchema)]
#[schema(as = VillageReportFiled)]
pub(crate) struct VillageReportFiledShape {
    report_id: String,
    /// False when the report was already stored (it is unchanged).
    created: bool,
    /// The office the report went to.
    office: String,
    #[schema(schema_with = report_status)]
    status: String,
}

/// A referral as its agency reads it: only the fields shared with it.
#[derive(ToSchema)]
#[schema(as = Referral)]
pub(crate) struct ReferralShape {
    id: i64,
    letter_no: String,
    office_code: String,
    #[schema(schema_with = agency)]
    agency: String,
    agency_name: String,
    subject: ReferralSubjectShape,
    purpose: String,
    legal_basis: String,
    #[schema(schema_with = referral_status)]
    status: String,
    /// `YYYY-MM-DD`.
    due_on: Option<String>,
    overdue: bool,
    created_by: String,
    created_at: String,
    /// The names of the fields shared with the agency.
    fields: Vec<String>,
    /// The shared fields' values (null: empty or withheld).
    #[schema(schema_with = shared_values)]
    shared: Value,
    /// The subject is protected and the reader may not see it: values are withheld.
    withheld: bool,
    /// For a person referral, the person's applications.
    applications: Vec<ReferredApplicationShape>,
    history: Vec<ReferralEventShape>,
}

fn shared_values() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(
        ObjectBuilder::new()
            .schema_type([Type::String, Type::Null].into_iter().collect::<SchemaType>()),
    ))
}

/// What a referral is about.
#[derive(ToSchema)]
#[schema(as = ReferralSubject)]
struct ReferralSubjectShape {
    #[schema(schema_with = subject_kind)]
    kind: String,
    application_key: i64,
    /// Null once retention removed the application.
    application_id: Option<String>,
    /// For a person referral.
    person_id: Option<String>,
}

fn subject_kind() -> ObjectBuilder {
    one_of(strings(&["application", "person"]), "An application or its person")
}

/// An application of a referred person.
#[derive(ToSchema)]
#[schema(as = ReferredApplication)]
struct ReferredApplicationShape {
    application_id: String,
    office_code: String,
    /// `YYYY-MM-DD`.
    applied_on: String,
}

/// One step of a referral's follow-up.
#[derive(ToSchema)]
#[schema(as = ReferralEvent)]
struct ReferralEventShape {
    #[schema(schema_with = referral_status)]
    status: String,
    note: Option<String>,
    /// `YYYY-MM-DD`.
    due_on: Option<String>,
    by: String,
    at: String,
}

/// A referral in a list (and after a follow-up step).
#[derive(ToSchema)]
#[schema(as = ReferralSummary)]
pub(crate) struct ReferralSummaryShape {
    id: i64,
    letter_no: String,
    office_code: String,
    #[schema(schema_with = agency)]
    agency: String,
    #[schema(schema_with = subject_kind)]
    subject_kind: String,
    #[schema(schema_with = referral_status)]
    status: String,
    /// `YYYY-MM-DD`.
    due_on: Option<String>,
    overdue: bool,
}

/// One row of the monthly figures: a count, `"<5"` for 1 to 4, or `"x"` where a count is
/// withheld so that a `<5` cannot be worked out from a total.
#[derive(ToSchema)]
#[schema(as = StatsRow)]
pub(crate) struct StatsRowShape {
    /// `YYYY-MM`.
    period: String,
    /// Empty when grouped by month only.
    office_code: String,
    #[schema(schema_with = shown)]
    applications: Value,
    #[schema(schema_with = shown)]
    issued: Value,
    #[schema(schema_with = shown)]
    deferred: Value,
    #[schema(schema_with = shown)]
    rejected: Value,
    #[schema(schema_with = shown)]
    cancelled: Value,
    #[schema(schema_with = shown)]
    flagged_high: Value,
    #[schema(schema_with = shown)]
    cross_office_catches: Value,
}

fn shown() -> OneOfBuilder {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .item(one_of(strings(&["<5", "x"]), "Suppressed (<5) or withheld (x)"))
}

/// `GET /api/v1/stats` query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsQuery {
    /// First day, `YYYY-MM-DD`.
    from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    to: Option<String>,
    /// `month,office` (the default) or `month`.
    group_by: Option<String>,
    /// One office's figures.
    office: Option<String>,
    /// One region's figures (a region code).
    region: Option<String>,
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

/// A partner's exchange batches after the one asked for.
#[derive(ToSchema)]
#[schema(as = ExchangeBatches)]
pub(crate) struct WireBatchesShape {
    batches: Vec<WireBatchShape>,
}

/// One signed batch.
#[derive(ToSchema)]
#[schema(as = ExchangeBatch)]
struct WireBatchShape {
    manifest: ManifestShape,
    /// The data file as UTF-8 text (JSON lines).
    data: String,
}

/// The manifest of one batch.
#[derive(ToSchema)]
#[schema(as = ExchangeManifest)]
struct ManifestShape {
    schema_version: u32,
    /// The partner system's name as the register knows it.
    partner: String,
    #[schema(schema_with = direction)]
    direction: String,
    /// 1 for the first batch each way; every batch is the previous one plus one.
    sequence: u64,
    /// RFC 3339 UTC time the batch was made.
    created_at: String,
    record_kind: String,
    record_count: u64,
    /// SHA-256 of the data file's bytes, lower-case hex.
    data_sha256: String,
    /// Ed25519 signature over the manifest's canonical bytes, base64.
    signature: String,
}

fn direction() -> ObjectBuilder {
    use jejak_exchange::manifest::Direction;
    one_of(wire_names([Direction::Inbound, Direction::Outbound]), "Which way the batch travels")
}

/// A partner acknowledges our batches up to `sequence`.
#[derive(ToSchema)]
#[schema(as = ExchangeAcknowledgement)]
pub(crate) struct WireAcknowledgementShape {
    sequence: u64,
}

/// The last batch acknowledged.
#[derive(ToSchema)]
#[schema(as = ExchangeAcknowledged)]
pub(crate) struct WireAcknowledgedShape {
    acknowledged: u64,
}

/// The date schema, for request fields (`YYYY-MM-DD`).
pub(crate) fn iso_date() -> ObjectBuilder {
    date("`YYYY-MM-DD`")
}

/// The date schema or null, for optional request fields.
pub(crate) fn iso_date_or_null() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type([Type::String, Type::Null].into_iter().collect::<SchemaType>())
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .description(Some("`YYYY-MM-DD`"))
}
