//! Applications: the new-application form (with NIK decoding hints), the examination page
//! (candidates across offices with per-field evidence, earlier decisions, active bars, hard
//! checks and indicators) and the decision form.

use std::collections::{HashMap, HashSet};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jejak_domain::decision::REASON_CODES;
use jejak_domain::{
    ApplicationKey, DecisionKind, IdentifierField, Nik, OfficeCode, Purpose, Verdict,
};
use jejak_interchange::{FieldProblem, parse_record};
use jejak_rules::CheckStatus;
use jejak_service::ServiceError;
use jejak_service::authz::Entry;
use jejak_service::casework::{DecisionInput, DecisionOutcome, Examination, PurposeNeeded};
use maud::{Markup, html};

use crate::AppState;
use crate::i18n::Lang;
use crate::layout::{match_band, page, respond, risk_band};
use crate::pages::PageCtx;

/// The form's fields: (interchange column, Indonesian label, English label, input type).
const FIELDS: &[(&str, &str, &str, &str)] = &[
    ("application_id", "No. permohonan", "Application no.", "text"),
    ("applied_on", "Tanggal permohonan", "Application date", "date"),
    ("full_name", "Nama lengkap (sesuai KTP)", "Full name (as on the ID card)", "text"),
    ("nik", "NIK", "NIK (national ID number)", "text"),
    ("sex", "Jenis kelamin", "Sex", "sex"),
    ("birth_date", "Tanggal lahir", "Date of birth", "date"),
    ("birth_place", "Tempat lahir", "Place of birth", "text"),
    ("address", "Alamat", "Address", "text"),
    ("village_code", "Kode desa/kelurahan (Kemendagri)", "Village code (Kemendagri)", "text"),
    ("phone", "No. telepon", "Phone", "text"),
    ("mother_name", "Nama ibu kandung", "Mother's name", "text"),
    ("father_name", "Nama ayah", "Father's name", "text"),
    ("occupation", "Pekerjaan", "Occupation", "text"),
    ("purpose", "Tujuan perjalanan", "Purpose of travel", "purpose"),
    ("destination_country", "Negara tujuan", "Destination country", "text"),
    ("previous_passport_no", "No. paspor lama", "Previous passport no.", "text"),
    ("sponsor_name", "Nama sponsor/penjamin", "Sponsor name", "text"),
    ("sponsor_phone", "Telepon sponsor", "Sponsor phone", "text"),
    ("cpmi_id", "ID CPMI (SISKOP2MI)", "CPMI ID (SISKOP2MI)", "text"),
];

fn purpose_label(lang: Lang, purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Tourism => lang.t("Wisata", "Tourism"),
        Purpose::Umrah => lang.t("Umrah", "Umrah"),
        Purpose::Hajj => lang.t("Haji", "Hajj"),
        Purpose::FamilyVisit => lang.t("Kunjungan keluarga", "Family visit"),
        Purpose::Work => lang.t("Bekerja", "Work"),
        Purpose::Study => lang.t("Belajar", "Study"),
        Purpose::Business => lang.t("Bisnis", "Business"),
        Purpose::Medical => lang.t("Berobat", "Medical"),
        Purpose::Other => lang.t("Lainnya", "Other"),
    }
}

/// The form's label of an interchange column (the column name when the form has none).
pub(crate) fn field_label(lang: Lang, column: &str) -> String {
    FIELDS
        .iter()
        .find(|(name, ..)| *name == column)
        .map_or_else(|| column.replace('_', " "), |(_, id, en, _)| lang.t(id, en).to_owned())
}

/// The form's label of an identifier field, for the examination page.
fn identifier_label(lang: Lang, field: IdentifierField) -> &'static str {
    FIELDS
        .iter()
        .find(|(name, ..)| *name == field.column())
        .map_or(field.column(), |(_, id, en, _)| lang.t(id, en))
}

pub(crate) fn kind_label(lang: Lang, kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Issued => lang.t("Diterbitkan", "Issued"),
        DecisionKind::Deferred => lang.t("Ditunda", "Deferred"),
        DecisionKind::Rejected => lang.t("Ditolak", "Rejected"),
        DecisionKind::Cancelled => lang.t("Dibatalkan", "Cancelled"),
    }
}

/// The form's values as typed (kept when the form comes back with errors).
type Values = HashMap<String, String>;

fn form_body(
    ctx: &PageCtx,
    today: time::Date,
    values: &Values,
    problems: &[FieldProblem],
) -> Markup {
    let lang = ctx.lang;
    let by_field: HashMap<&str, &FieldProblem> = problems.iter().map(|p| (p.field, p)).collect();
    let value = |name: &str| values.get(name).map(String::as_str).unwrap_or("");
    html! {
        @if !problems.is_empty() {
            div.error-box role="alert" {
                p { (ctx.t("Periksa kembali isian berikut:", "Please check these fields:")) }
                ul { @for p in problems { li { a href=(format!("#f-{}", p.field)) { (p.field) } ": " (p.message) } } }
            }
        }
        form.stack method="post" action="/permohonan/baru" hx-post="/permohonan/petunjuk"
            hx-trigger="change from:#f-nik, change from:#f-birth_date, change from:#f-sex"
            hx-target="#hints" hx-swap="innerHTML" {
            (ctx.chrome().csrf_field())
            div.grid2 {
                @for (name, id, en, kind) in FIELDS {
                    div {
                        label for=(format!("f-{name}")) {
                            (lang.t(id, en))
                            @if matches!(*name, "application_id" | "applied_on" | "full_name") {
                                " *"
                            }
                        }
                        @match *kind {
                            "sex" => select id=(format!("f-{name}")) name=(name) {
                                option value="" { "—" }
                                option value="F" selected[value(name) == "F"] { (lang.t("Perempuan", "Female")) }
                                option value="M" selected[value(name) == "M"] { (lang.t("Laki-laki", "Male")) }
                            },
                            "purpose" => select id=(format!("f-{name}")) name=(name) {
                                option value="" { "—" }
                                @for p in Purpose::ALL {
                                    option value=(p.as_str()) selected[value(name) == p.as_str()] { (purpose_label(lang, *p)) }
                                }
                            },
                            _ => input type=(kind) id=(format!("f-{name}")) name=(name) value=(value(name))
                                aria-invalid=[by_field.get(name).map(|_| "true")]
                                required[matches!(*name, "application_id" | "applied_on" | "full_name")];
                        }
                        @if let Some(p) = by_field.get(name) {
                            div.field-error { (p.message) }
                        }
                    }
                }
            }
            div id="hints" aria-live="polite" { (hints(lang, today, values)) }
            div { button type="submit" { (ctx.t("Simpan dan saring", "Save and screen")) } }
        }
    }
}

/// What the NIK says about its holder, and where it disagrees with the form.
fn hints(lang: Lang, today: time::Date, values: &Values) -> Markup {
    let Some(raw) = values.get("nik").map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return html! {};
    };
    match Nik::parse(raw) {
        Err(e) => html! { p.field-error { "NIK: " (e.to_string()) } },
        Ok(nik) => {
            let place = [nik.district(), nik.regency()]
                .iter()
                .find_map(|r| r.info().map(|i| i.name.clone()))
                .unwrap_or_else(|| lang.t("wilayah tidak dikenal", "unknown region").to_owned());
            let declared_birth =
                values.get("birth_date").and_then(|d| jejak_domain::date::parse_date(d).ok());
            let declared_sex = values.get("sex").and_then(|s| jejak_domain::Sex::parse(s));
            let born = nik.birth_date(today, declared_birth);
            let warnings = nik.check(today, declared_birth, declared_sex);
            let sex = match nik.sex() {
                jejak_domain::Sex::Female => lang.t("perempuan", "female"),
                jejak_domain::Sex::Male => lang.t("laki-laki", "male"),
            };
            html! {
                p.muted {
                    "NIK: " (place)
                    @if let Some(d) = born { ", " (lang.t("lahir", "born")) " " (lang.date(d)) }
                    ", " (sex)
                }
                @for w in &warnings { p.notice { (w.to_string()) } }
            }
        }
    }
}

fn known_offices(actor_office: &OfficeCode) -> HashSet<OfficeCode> {
    HashSet::from([actor_office.clone()])
}

/// `GET /permohonan/baru`.
pub(crate) async fn new_form(State(state): State<AppState>, ctx: PageCtx) -> Response {
    if let Err(e) = ctx.actor().open(Entry::NewApplication) {
        return ctx.fail(&e);
    }
    let today = state.casework.clock().today();
    let mut values = Values::new();
    values.insert("applied_on".into(), jejak_domain::date::iso(today));
    page(
        &ctx.chrome(),
        ctx.t("Permohonan baru", "New application"),
        form_body(&ctx, today, &values, &[]),
    )
    .into_response()
}

/// `POST /permohonan/petunjuk` (htmx): the NIK hints for the form as typed.
pub(crate) async fn form_hints(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(values): Form<Values>,
) -> Response {
    if let Err(e) = ctx.actor().open(Entry::NewApplication) {
        return ctx.fail(&e);
    }
    respond(StatusCode::OK, hints(ctx.lang, state.casework.clock().today(), &values))
}

/// `POST /permohonan/baru`: validates like the importer, stores, and opens the screening.
pub(crate) async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(values): Form<Values>,
) -> Response {
    let office = match ctx.actor().open(Entry::NewApplication) {
        Ok(office) => office,
        Err(e) => return ctx.fail(&e),
    };
    let today = state.casework.clock().today();
    let fields = values
        .iter()
        .filter(|(k, _)| !k.starts_with('_') && k.as_str() != "office_code")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(std::iter::once(("office_code", office.as_str())));
    let parsed = parse_record(fields, &known_offices(&office));
    let title = ctx.t("Permohonan baru", "New application");
    let Some(app) = parsed.application else {
        let body = form_body(&ctx, today, &values, &parsed.errors);
        return respond(StatusCode::UNPROCESSABLE_ENTITY, page(&ctx.chrome(), title, body));
    };
    match state.casework.register(ctx.actor(), &app).await {
        Ok(stored) => Redirect::to(&format!("/permohonan/{}", stored.key.0)).into_response(),
        Err(ServiceError::Conflict(message)) => {
            let problem = FieldProblem { field: "application_id", value: None, message };
            let body = form_body(&ctx, today, &values, &[problem]);
            respond(StatusCode::CONFLICT, page(&ctx.chrome(), title, body))
        }
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /permohonan/{key}`: the examination page. Another office's application opens only
/// with a stated purpose (`?keperluan=...&tujuan=...`), asked for first.
pub(crate) async fn examine(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(key): Path<i64>,
    Query(q): Query<crate::pages::purpose::PurposeQuery>,
) -> Response {
    let app_key = ApplicationKey(key);
    let stated = q.stated();
    if stated.is_none() {
        let needed = match state.casework.examination_needs_purpose(ctx.actor(), app_key).await {
            Ok(needed) => needed,
            Err(e) => return ctx.fail(&e),
        };
        let (title, why) = match needed {
            PurposeNeeded::No => (None, None),
            PurposeNeeded::OtherOffice => (
                Some(ctx.t("Permohonan kantor lain", "Another office's application")),
                Some(ctx.t(
                    "Permohonan ini milik kantor lain: data pribadinya hanya dibuka untuk suatu keperluan, yang dicatat.",
                    "This application is another office's: its personal data is opened only for a stated purpose, which is logged.",
                )),
            ),
            PurposeNeeded::Protected => (
                Some(ctx.t("Catatan dilindungi", "Protected record")),
                Some(ctx.t(
                    "Catatan ini dilindungi (korban TPPO): hanya dibuka oleh kepala seksi untuk suatu keperluan, yang dicatat.",
                    "This record is protected (trafficking victim): a supervisor opens it only for a stated purpose, which is logged.",
                )),
            ),
        };
        if let (Some(title), Some(why)) = (title, why) {
            let choices = match state.casework.purposes() {
                Ok(p) => p.choices().to_vec(),
                Err(e) => return ctx.fail(&e),
            };
            let body = html! {
                p { (why) }
                (crate::pages::purpose::purpose_form(&ctx, &format!("/permohonan/{key}"), &choices))
            };
            return page(&ctx.chrome(), title, body).into_response();
        }
    }
    match state.casework.examine_for(ctx.actor(), app_key, stated.as_ref()).await {
        Ok(exam) => {
            let protection =
                state.casework.protection_of(ctx.actor(), app_key).await.unwrap_or_default();
            let referrals =
                state.casework.referrals_of(ctx.actor(), app_key).await.unwrap_or_default();
            let extra = crate::pages::referral::application_section(
                &ctx,
                app_key,
                exam.allowed,
                &referrals,
                protection.as_ref(),
                state.casework.clock().today(),
            );
            examination_page(&ctx, &exam, None, Some(extra)).into_response()
        }
        Err(e) => ctx.fail(&e),
    }
}

fn examination_page(
    ctx: &PageCtx,
    exam: &Examination,
    message: Option<Markup>,
    extra: Option<Markup>,
) -> Markup {
    let lang = ctx.lang;
    let app = &exam.application.data;
    let assessment = &exam.report.assessment;
    let title = format!("{} {}", ctx.t("Permohonan", "Application"), app.application_id);
    let body = html! {
        @if let Some(m) = message { (m) }
        dl.kv {
            dt { (ctx.t("Nama", "Name")) } dd { (app.full_name) }
            dt { "NIK" } dd { (app.nik_text().unwrap_or("—"))
                @if !app.nik_valid() { " " span.invalid-id { (ctx.t("NIK tidak valid", "invalid NIK")) } } }
            @for field in IdentifierField::ALL.into_iter().filter(|f| *f != IdentifierField::Nik) {
                @if let Some(raw) = app.invalid(field) {
                    dt { (identifier_label(lang, field)) }
                    dd { (raw) " " span.invalid-id { (ctx.t("tidak valid", "invalid")) } }
                }
            }
            dt { (ctx.t("Tanggal lahir", "Date of birth")) } dd { (app.birth_date.map(|d| lang.date(d)).unwrap_or_else(|| "—".into())) }
            dt { (ctx.t("Kantor", "Office")) } dd { (app.office_code.as_str()) }
            dt { (ctx.t("Tanggal permohonan", "Application date")) } dd { (lang.date(app.applied_on)) }
            dt { (ctx.t("Tujuan", "Purpose")) } dd { (app.purpose.map(|p| purpose_label(lang, p)).unwrap_or("—")) }
            dt { (ctx.t("Negara tujuan", "Destination")) } dd { (app.destination_country.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_else(|| "—".into())) }
            dt { (ctx.t("Status", "Status")) } dd { (lang.t(app.outcome.indonesian(), app.outcome.as_str())) }
        }
        (cpmi_section(ctx, exam.report.cpmi.as_ref()))
        h2 { (ctx.t("Penilaian risiko (saran, bukan keputusan)", "Risk assessment (advice, not a decision)")) }
        p { (risk_band(lang, assessment.band)) " " (ctx.t("skor", "score")) " " (assessment.score)
            span.muted { " · " (ctx.t("aturan", "rules")) " " (assessment.rule_set.version) } }
        @if let Some(grounds) = &exam.issue_needs_review {
            p.notice { (ctx.t("Penerbitan memerlukan persetujuan kepala seksi: ", "Issuing needs a supervisor's approval: ")) (grounds) }
        }
        h3 { (ctx.t("Pemeriksaan wajib", "Hard checks")) }
        @if assessment.hard_checks.is_empty() { p.muted { "—" } }
        ul {
            @for check in &assessment.hard_checks {
                li {
                    @match check.status {
                        CheckStatus::Passed => span.passed { "✓ " (ctx.t("lulus", "passed")) },
                        CheckStatus::Failed => span.failed { "✗ " (ctx.t("gagal", "failed")) },
                        CheckStatus::Unknown => span.unknown { "? " (ctx.t("belum diketahui", "unknown")) },
                    }
                    " " strong { (check.id) } " " (lang.t(&check.message.id, &check.message.en))
                }
            }
        }
        h3 { (ctx.t("Indikator", "Indicators")) }
        @if assessment.indicators.is_empty() { p.muted { (ctx.t("Tidak ada indikator.", "No indicator fired.")) } }
        ul {
            @for ind in &assessment.indicators {
                li { strong { (ind.id) } " (+" (ind.weight) ") " (lang.t(&ind.message.id, &ind.message.en)) }
            }
        }
        section.village-alerts {
            h2 { (ctx.t("Peringatan desa (laporan PIMPASA)", "Village alerts (PIMPASA reports)")) }
            @if exam.report.village_alerts.is_empty() {
                p.muted { (ctx.t("Tidak ada laporan desa yang terkait.", "No village report is linked.")) }
            } @else {
                p.muted { (ctx.t("Laporan desa adalah sinyal untuk wawancara; tidak mengubah keputusan.", "Village reports are signals for the interview; they never change a decision.")) }
                ul {
                    @for alert in &exam.report.village_alerts {
                        li.village-alert data-report=(alert.report_id) {
                            strong { (alert.report_id) } " · "
                            (lang.t(link_label(alert.linked_by).0, link_label(alert.linked_by).1)) " · "
                            (alert.topic) " · " (alert.reported_on) " · " (alert.status)
                            ul { @for reason in &alert.reasons { li { (reason) } } }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("Kemungkinan orang yang sama di seluruh kantor", "Possibly the same person, all offices")) }
        (candidates(ctx, exam))
        h2 { (ctx.t("Riwayat keputusan", "Decision history")) }
        @if exam.decisions.is_empty() { p.muted { (ctx.t("Belum ada keputusan.", "No decision yet.")) } }
        ul {
            @for d in &exam.decisions {
                li { (lang.date(d.data.decided_on)) ": " strong { (kind_label(lang, d.data.kind)) }
                    @if let Some(until) = d.data.deferral_until { " " (ctx.t("sampai", "until")) " " (lang.date(until)) }
                    " " (d.data.reason_codes.join(", ")) " " (d.data.reason_text.as_deref().unwrap_or(""))
                    span.muted { " — " (d.data.officer.as_deref().unwrap_or("impor")) } }
            }
        }
        @for r in &exam.reviews {
            p.muted { (ctx.t("Permintaan tinjauan", "Review request")) " #" (r.id) ": " (r.status.as_str())
                " (" (r.data.requested_by) ")" }
        }
        @if let Some(extra) = extra { (extra) }
        @if exam.allowed.decide {
            h2 { (ctx.t("Keputusan", "Decision")) }
            (decision_form(ctx, exam))
        }
    };
    page(&ctx.chrome(), &title, body)
}

/// The applicant's CPMI registration in the newest SISKOP2MI snapshot, if one matches.
fn cpmi_section(ctx: &PageCtx, cpmi: Option<&jejak_service::partners::CpmiMatch>) -> Markup {
    let lang = ctx.lang;
    html! {
        section #cpmi {
            h2 { (ctx.t("Pendaftaran CPMI (SISKOP2MI)", "CPMI registration (SISKOP2MI)")) }
            @match cpmi {
                None => p.muted { (ctx.t(
                    "Tidak ada pendaftaran CPMI yang cocok dengan pemohon.",
                    "No CPMI registration matches the applicant.",
                )) },
                Some(c) => dl.kv {
                    dt { (ctx.t("ID CPMI", "CPMI ID")) } dd.cpmi-id { (c.cpmi_id) }
                    dt { (ctx.t("Nama di SISKOP2MI", "Name in SISKOP2MI")) } dd { (c.full_name) }
                    dt { (ctx.t("Status", "Status")) } dd.cpmi-status { (lang.t(c.status.indonesian(), c.status.as_str())) }
                    dt { (ctx.t("Negara penempatan", "Placement country")) } dd { (c.destination_country.as_deref().unwrap_or("—")) }
                    dt { "P3MI" } dd { (c.p3mi_name.as_deref().unwrap_or("—")) }
                    dt { (ctx.t("Rekomendasi Disnaker", "Disnaker recommendation")) } dd { (c.recommendation_no.as_deref().unwrap_or("—")) }
                    dt { (ctx.t("Dicocokkan dengan", "Matched by")) } dd { (match c.matched_by {
                        jejak_service::partners::MatchedBy::Nik => ctx.t("NIK", "NIK"),
                        jejak_service::partners::MatchedBy::NameBirthDate => ctx.t("nama dan tanggal lahir", "name and date of birth"),
                    }) }
                    dt { (ctx.t("Data per tanggal", "Data as of")) } dd { (lang.date(c.snapshot_taken_on)) }
                },
            }
        }
    }
}

/// How a village report is linked, in Indonesian and English.
pub(crate) fn link_label(
    by: jejak_service::village_index::LinkedBy,
) -> (&'static str, &'static str) {
    use jejak_service::village_index::LinkedBy;
    match by {
        LinkedBy::Person => ("orang yang disebut", "named person"),
        LinkedBy::Phone => ("nomor telepon", "phone number"),
        LinkedBy::Recruiter => ("perekrut/agen = sponsor", "recruiter/agency = sponsor"),
        LinkedBy::Village => ("desa domisili", "home village"),
    }
}

fn candidates(ctx: &PageCtx, exam: &Examination) -> Markup {
    let lang = ctx.lang;
    let may_verdict = exam.allowed.match_verdict;
    let shown = &exam.report.candidates;
    html! {
        @if shown.is_empty() {
            p.muted { (ctx.t("Tidak ada permohonan lain yang cocok.", "No other application matches.")) }
        } @else {
            @if exam.masked {
                p.muted { (ctx.t("Permohonan kantor lain: identitas pemohon lain disamarkan seperti pada pencarian.",
                                 "Another office's application: other applicants' identifiers are masked as in search.")) }
            }
            table {
                thead { tr {
                    th { (ctx.t("Kecocokan", "Match")) }
                    th { (ctx.t("Permohonan", "Application")) }
                    th { (ctx.t("Riwayat", "History")) }
                    th { (ctx.t("Bukti per kolom", "Evidence per field")) }
                } }
                tbody {
                    @for c in shown {
                        tr {
                            td { (format!("{:.1}%", c.probability * 100.0)) br; (match_band(lang, c.band)) }
                            td { (c.application_id) " @ " strong { (c.office_code.as_str()) } br;
                                 (lang.date(c.applied_on)) br;
                                 a href=(format!("/orang/{}?keperluan=memeriksa%20permohonan&tujuan=memeriksa%20permohonan%20{}", c.person_id, exam.application.key.0)) { (c.person_id) }
                                 @if let Some(v) = &c.verdict {
                                     br; span.muted { (match v.data.verdict() {
                                         Verdict::Confirm => ctx.t("dikonfirmasi sama", "confirmed same"),
                                         Verdict::Reject => ctx.t("dinyatakan berbeda", "rejected as different"),
                                     }) " (" (v.data.officer()) ")" }
                                 }
                                 @if may_verdict {
                                     form.verdict method="post" action=(format!("/permohonan/{}/kecocokan/{}", exam.application.key.0, c.key.0)) {
                                         (ctx.chrome().csrf_field())
                                         label.muted for=(format!("why-{}", c.key.0)) { (ctx.t("Alasan", "Reason")) }
                                         input type="text" id=(format!("why-{}", c.key.0)) name="reason" required;
                                         button.secondary type="submit" name="verdict" value="confirm" { (ctx.t("Orang yang sama", "Same person")) }
                                         " "
                                         button.secondary type="submit" name="verdict" value="reject" { (ctx.t("Bukan", "Not the same")) }
                                     }
                                 }
                            }
                            td {
                                @if let Some(until) = c.history.active_bar_until {
                                    span.failed { (ctx.t("Penangguhan berlaku sampai", "Bar in force until")) " " (lang.date(until)) } br;
                                }
                                @for d in &c.history.decisions {
                                    (kind_label(lang, d.kind)) " " (lang.date(d.decided_on))
                                    @if let Some(u) = d.deferral_until { " → " (lang.date(u)) }
                                    " " (d.reason_codes.join(", ")) br;
                                }
                                @if c.history.decisions.is_empty() { span.muted { (ctx.t("belum diputus", "undecided")) } }
                            }
                            td {
                                details {
                                    summary { (ctx.t("Lihat", "Show")) " (" (format!("{:+.1}", c.match_weight)) ")" }
                                    table {
                                        thead { tr { th { (ctx.t("Kolom", "Field")) } th { (ctx.t("Tingkat", "Level")) } th { (ctx.t("Bobot", "Weight")) } th { (ctx.t("Ini", "This")) } th { (ctx.t("Itu", "That")) } } }
                                        tbody {
                                            @for e in &c.evidence {
                                                tr { td { (e.field) } td { (format!("{:?}", e.level).to_lowercase()) }
                                                     td { (format!("{:+.1}", e.weight)) } td { (e.left) } td { (e.right) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn decision_form(ctx: &PageCtx, exam: &Examination) -> Markup {
    let lang = ctx.lang;
    let key = exam.application.key.0;
    html! {
        form.stack method="post" action=(format!("/permohonan/{key}/keputusan")) {
            (ctx.chrome().csrf_field())
            input type="hidden" name="version" value=(exam.application.version);
            fieldset {
                legend { (ctx.t("Jenis keputusan", "Kind of decision")) }
                @for kind in DecisionKind::ALL {
                    label { input type="radio" name="kind" value=(kind.as_str()) required; " " (kind_label(lang, *kind)) }
                }
            }
            fieldset {
                legend { (ctx.t("Alasan (kode)", "Reasons (codes)")) }
                @for r in REASON_CODES {
                    label { input type="checkbox" name="reason" value=(r.code); " " (r.code) " — " (lang.t(r.indonesian, r.english)) }
                }
            }
            div {
                label for="deferral_until" { (ctx.t("Ditunda/ditolak sampai", "Barred until"))
                    span.hint { " " (ctx.t("(wajib untuk penundaan)", "(required for a deferral)")) } }
                input type="date" id="deferral_until" name="deferral_until";
            }
            div {
                label for="reason_text" { (ctx.t("Catatan", "Notes")) }
                textarea id="reason_text" name="reason_text" rows="3" {}
            }
            div { button type="submit" { (ctx.t("Simpan keputusan", "Record decision")) } }
        }
    }
}

/// `POST /permohonan/{key}/keputusan`. The form's repeated `reason` fields arrive as pairs.
pub(crate) async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(key): Path<i64>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    let pairs = form_pairs(&body);
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let input = (|| -> Result<DecisionInput, ServiceError> {
        let kind = get("kind")
            .and_then(DecisionKind::parse)
            .ok_or_else(|| ServiceError::Invalid("choose the kind of decision".into()))?;
        let expected_version = get("version").and_then(|v| v.parse().ok()).ok_or_else(|| {
            ServiceError::Invalid("the form lacks the application version".into())
        })?;
        let deferral_until = match get("deferral_until").filter(|v| !v.is_empty()) {
            Some(d) => Some(
                jejak_domain::date::parse_date(d)
                    .map_err(|e| ServiceError::Invalid(format!("deferral_until: {e}")))?,
            ),
            None => None,
        };
        Ok(DecisionInput {
            kind,
            reason_codes: pairs
                .iter()
                .filter(|(k, _)| k == "reason")
                .map(|(_, v)| v.clone())
                .collect(),
            reason_text: get("reason_text").filter(|t| !t.is_empty()).map(str::to_owned),
            deferral_until,
            expected_version,
        })
    })();
    let key = ApplicationKey(key);
    let outcome = match input {
        Ok(input) => state.casework.decide(ctx.actor(), key, &input).await,
        Err(e) => Err(e),
    };
    let message = match &outcome {
        Ok(DecisionOutcome::Recorded(d)) => html! { div.ok-box role="status" {
        (ctx.t("Keputusan tersimpan: ", "Decision recorded: ")) (kind_label(ctx.lang, d.data.kind)) } },
        Ok(DecisionOutcome::AwaitingReview(r)) => html! { div.notice role="status" {
        (ctx.t("Menunggu persetujuan kepala seksi (permintaan #", "Awaiting a supervisor's approval (request #"))
        (r.id) "): " (r.data.grounds) } },
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            html! { div.error-box role="alert" { (e.to_string()) } }
        }
        Err(e) => return ctx.fail(e),
    };
    let status = match &outcome {
        Ok(_) => StatusCode::OK,
        Err(e) => crate::error::status_of(e),
    };
    match state.casework.examine(ctx.actor(), key).await {
        Ok(exam) => respond(status, examination_page(&ctx, &exam, Some(message), None)),
        // Another office's or a protected person's record is opened again only for a stated
        // purpose: show what happened and the way back (which asks for it).
        Err(ServiceError::Invalid(_)) => {
            let body = html! {
                (message)
                p { a href=(format!("/permohonan/{}", key.0)) {
                    (ctx.t("Buka kembali permohonan", "Open the application again")) } }
            };
            respond(status, page(&ctx.chrome(), ctx.t("Keputusan", "Decision"), body))
        }
        Err(e) => ctx.fail(&e),
    }
}

/// Decodes an urlencoded body into pairs, keeping repeated names (`reason=A&reason=B`).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

#[derive(serde::Deserialize)]
pub(crate) struct VerdictForm {
    verdict: String,
    reason: String,
}

/// `POST /permohonan/{key}/kecocokan/{other}`: the officer's verdict on a candidate.
pub(crate) async fn verdict(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path((key, other)): Path<(i64, i64)>,
    Form(form): Form<VerdictForm>,
) -> Response {
    let Some(verdict) = Verdict::parse(&form.verdict) else {
        return ctx.fail(&ServiceError::Invalid(format!(
            "verdict: {:?} is not confirm or reject",
            form.verdict
        )));
    };
    let key = ApplicationKey(key);
    let result = state
        .casework
        .match_verdict(ctx.actor(), key, ApplicationKey(other), verdict, &form.reason)
        .await;
    match result {
        Ok(_) => Redirect::to(&format!("/permohonan/{}", key.0)).into_response(),
        Err(e) => ctx.fail(&e),
    }
}
