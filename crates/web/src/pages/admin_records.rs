//! The administrator's pages for the register's records (issue 20): the audit chain's state
//! (`/admin/audit`: verify now, the last verification, JSON-lines export), legal holds and
//! retention runs (`/admin/retensi`: place or lift a hold with a reason, a dry-run preview
//! before a run) and data-subject reports (`/admin/subjek`: the NIK only in a POST body; the
//! report shown or downloaded as JSON). The service checks every permission and audits.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jejak_domain::Nik;
use jejak_service::retention::RetentionReport;
use jejak_store::RetentionKind;
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;
use crate::pages::admin::{DoneQuery, admin_menu, done_notice, redirect_done};
use crate::pages::application::{field_label, kind_label};

/// A decision kind as stored (`issued`, ...) in the reader's language.
fn decision_label(lang: crate::i18n::Lang, kind: &str) -> String {
    jejak_domain::DecisionKind::ALL
        .iter()
        .find(|k| k.as_str() == kind)
        .map_or_else(|| kind.to_owned(), |k| kind_label(lang, *k).to_owned())
}

/// Planned retention actions listed on the page before the rest are only counted.
const SHOWN: usize = 100;

/// `GET /admin/audit`: the last verification and the export link.
pub(crate) async fn audit(State(state): State<AppState>, ctx: PageCtx) -> Response {
    audit_page(&state, &ctx, html! {}).await
}

async fn audit_page(state: &AppState, ctx: &PageCtx, result: Markup) -> Response {
    let last = match state.admin.last_verification(ctx.actor()).await {
        Ok(l) => l,
        Err(e) => return ctx.fail(&e),
    };
    let body = html! {
        (admin_menu(ctx))
        (result)
        section {
            h2 { (ctx.t("Verifikasi terakhir", "Last verification")) }
            @match &last {
                Some(v) => dl.kv {
                    dt { (ctx.t("Waktu", "When")) } dd.last-verified { (ctx.lang.instant(&v.at)) }
                    dt { (ctx.t("Oleh", "By")) } dd { (v.by) }
                    dt { (ctx.t("Hasil", "Result")) } dd { (v.details) }
                },
                None => p.muted { (ctx.t("Belum pernah diverifikasi dari halaman ini.", "Not verified from these pages yet.")) },
            }
            form method="post" action="/admin/audit/verifikasi" {
                (ctx.chrome().csrf_field())
                button type="submit" { (ctx.t("Verifikasi rantai audit sekarang", "Verify the audit chain now")) }
            }
        }
        section {
            h2 { (ctx.t("Ekspor", "Export")) }
            p { (ctx.t(
                "Seluruh log audit sebagai JSON lines dengan hash; simpan di luar basis data sebagai titik periksa (jejak audit verify --checkpoint).",
                "The whole audit log as JSON lines with hashes; keep it outside the database as a checkpoint (jejak audit verify --checkpoint).")) }
            p { a href="/admin/audit/ekspor" download="jejak-audit.jsonl" { (ctx.t("Unduh log audit (JSON lines)", "Download the audit log (JSON lines)")) } }
        }
    };
    page(&ctx.chrome(), ctx.t("Admin: log audit", "Admin: audit log"), body).into_response()
}

/// `POST /admin/audit/verifikasi`: walks the chain and shows the result.
pub(crate) async fn verify_audit(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let result = match state.admin.verify_audit(ctx.actor()).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let shown = html! {
        @match &result.first_failure {
            None => p.notice.verified role="status" {
                (ctx.t("UTUH", "OK")) ": " (result.checked) " "
                (ctx.t("entri diverifikasi; entri terakhir", "entries verified; last entry")) " "
                (result.head_seq) " hash " code { (result.head_hash) }
            },
            Some(broken) => div.error-box.broken role="alert" {
                (ctx.t("RUSAK", "BROKEN")) ": " (broken.to_string()) "; "
                (ctx.t("rantai utuh sampai entri", "the chain is sound up to entry")) " " (result.head_seq)
            },
        }
    };
    audit_page(&state, &ctx, shown).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ExportQuery {
    dari: Option<i64>,
}

/// `GET /admin/audit/ekspor[?dari=SEQ]`: the audit log as a JSON-lines download.
pub(crate) async fn export_audit(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ExportQuery>,
) -> Response {
    let mut out = Vec::new();
    match state.admin.export_audit(ctx.actor(), q.dari.unwrap_or(1), &mut out).await {
        Ok(_) => (
            [
                (header::CONTENT_TYPE, "application/jsonl; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"jejak-audit.jsonl\""),
            ],
            out,
        )
            .into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /admin/retensi`: legal holds, the retention policy and the run form.
pub(crate) async fn retention(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    retention_page(&state, &ctx, done_notice(&ctx, q.ok.as_deref())).await
}

fn kind_text(ctx: &PageCtx, kind: RetentionKind, dry_run: bool) -> &'static str {
    match (dry_run, kind) {
        (true, RetentionKind::Anonymise) => ctx.t("akan dianonimkan", "would be anonymised"),
        (true, RetentionKind::Delete) => ctx.t("akan dihapus", "would be deleted"),
        (false, RetentionKind::Anonymise) => ctx.t("dianonimkan", "anonymised"),
        (false, RetentionKind::Delete) => ctx.t("dihapus", "deleted"),
    }
}

async fn retention_page(state: &AppState, ctx: &PageCtx, result: Markup) -> Response {
    let holds = match state.admin.holds(ctx.actor(), true).await {
        Ok(h) => h,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let today = jejak_domain::date::iso(state.casework.clock().today());
    let body = html! {
        (admin_menu(ctx))
        (result)
        section {
            h2 { (ctx.t("Jalankan retensi", "Run retention")) }
            table.policy {
                thead { tr { th { (ctx.t("Jenis catatan", "Record type")) } th { (ctx.t("Tahun", "Years")) } th { (ctx.t("Lalu", "Then")) } } }
                tbody { @for (record_type, rule) in state.admin.policy().rules() { tr {
                    td { (record_type) } td { (rule.years) }
                    td { (match rule.action { RetentionKind::Anonymise => ctx.t("anonimkan", "anonymise"), RetentionKind::Delete => ctx.t("hapus", "delete") }) }
                } } }
            }
            form.stack method="post" action="/admin/retensi/jalankan" {
                (ctx.chrome().csrf_field())
                label for="r-as-of" { (ctx.t("Per tanggal", "As of")) }
                input #r-as-of name="as_of" type="date" value=(today) required;
                input type="hidden" name="mode" value="preview";
                button type="submit" { (ctx.t("Pratinjau (tanpa perubahan)", "Preview (changes nothing)")) }
            }
        }
        section {
            h2 { (ctx.t("Penahanan hukum (legal hold)", "Legal holds")) }
            form.stack method="post" action="/admin/retensi/tahan" {
                (ctx.chrome().csrf_field())
                label for="h-app" { (ctx.t("Permohonan (KANTOR/NOMOR)", "Application (OFFICE/NUMBER)")) }
                input #h-app name="application" type="text" placeholder="BDL/2025-000123";
                label for="h-nik" { (ctx.t("atau NIK (semua permohonannya)", "or NIK (all its applications)")) }
                input #h-nik name="nik" type="text" inputmode="numeric" autocomplete="off";
                label for="h-reason" { (ctx.t("Alasan", "Reason")) }
                input #h-reason name="reason" type="text" required;
                button type="submit" { (ctx.t("Tahan", "Place hold")) }
            }
            table.holds {
                thead { tr {
                    th { "#" }
                    th { (ctx.t("Sasaran", "Target")) }
                    th { (ctx.t("Alasan", "Reason")) }
                    th { (ctx.t("Dipasang", "Placed")) }
                    th { (ctx.t("Status", "State")) }
                } }
                tbody { @for h in &holds { tr id=(format!("tahan-{}", h.id)) {
                    td { (h.id) }
                    td { @match (&h.application, &h.nik) {
                        (Some(key), _) => { (ctx.t("permohonan", "application")) " " (key.to_string()) },
                        (None, Some(nik)) => { "NIK " (Nik::parse(nik).map(|n| n.masked()).unwrap_or_default()) },
                        (None, None) => { "—" },
                    } }
                    td { (h.reason) }
                    td { (lang.instant(&h.placed_at)) " · " (h.placed_by) }
                    td.state {
                        @if let (Some(at), Some(by)) = (&h.lifted_at, &h.lifted_by) {
                            (ctx.t("dilepas", "lifted")) " " (lang.instant(at)) " · " (by) ": " (h.lift_reason.as_deref().unwrap_or_default())
                        } @else {
                            form.inline method="post" action=(format!("/admin/retensi/{}/lepas", h.id)) {
                                (ctx.chrome().csrf_field())
                                label { (ctx.t("Alasan", "Reason")) " " input type="text" name="reason" required; }
                                " " button type="submit" { (ctx.t("Lepas", "Lift")) }
                            }
                        }
                    }
                } } }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Admin: retensi dan penahanan", "Admin: retention and holds"), body)
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct HoldForm {
    application: String,
    nik: String,
    reason: String,
}

/// `POST /admin/retensi/tahan`: places a legal hold (the NIK stays in the body).
pub(crate) async fn place_hold(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<HoldForm>,
) -> Response {
    match state.admin.place_hold(ctx.actor(), &form.application, &form.nik, &form.reason).await {
        Ok(hold) => redirect_done(
            "/admin/retensi",
            &format!("{} {}", ctx.t("penahanan dipasang", "hold placed"), hold.id),
        ),
        Err(e) => ctx.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LiftForm {
    reason: String,
}

/// `POST /admin/retensi/{id}/lepas`: lifts a legal hold with a reason.
pub(crate) async fn lift_hold(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<LiftForm>,
) -> Response {
    match state.admin.lift_hold(ctx.actor(), id, &form.reason).await {
        Ok(hold) => redirect_done(
            "/admin/retensi",
            &format!("{} {}", ctx.t("penahanan dilepas", "hold lifted"), hold.id),
        ),
        Err(e) => ctx.fail(&e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RunForm {
    as_of: String,
    /// `preview` (dry run) or `run`.
    mode: String,
}

/// `POST /admin/retensi/jalankan`: `mode=preview` lists what would happen and offers the run
/// for the same date; `mode=run` anonymises or deletes what expired (holds respected).
pub(crate) async fn run_retention(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<RunForm>,
) -> Response {
    let dry_run = form.mode != "run";
    let (as_of, report) = match state.admin.run_retention(ctx.actor(), &form.as_of, dry_run).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let shown = retention_result(&ctx, as_of, &report, dry_run);
    retention_page(&state, &ctx, shown).await
}

fn retention_result(
    ctx: &PageCtx,
    as_of: time::Date,
    report: &RetentionReport,
    dry_run: bool,
) -> Markup {
    let held = report.expired.iter().filter(|e| e.held).count();
    let acting = report.expired.len() - held;
    html! {
        section.retention-result role="status" {
            h2 { @if dry_run { (ctx.t("Pratinjau retensi per", "Retention preview as of")) } @else { (ctx.t("Retensi dijalankan per", "Retention run as of")) } " " (ctx.lang.date(as_of)) }
            @match &report.outcome {
                None => p.summary { (acting) " " (ctx.t("permohonan telah melewati masa retensi", "application(s) past their retention period")) ", " (held) " " (ctx.t("ditahan (tidak diubah). Belum ada yang diubah.", "under legal hold (kept). Nothing was changed.")) },
                Some(o) => p.summary { (o.anonymised.len()) " " (ctx.t("dianonimkan", "anonymised")) ", " (o.deleted.len()) " " (ctx.t("dihapus", "deleted")) ", " (held) " " (ctx.t("ditahan", "kept under legal hold")) "." },
            }
            @if !report.expired.is_empty() {
                ul { @for e in report.expired.iter().take(SHOWN) { li {
                    (e.office_code) "/" (e.application_id) " (" (e.record_type) ", " (ctx.t("berakhir", "ended")) " " (ctx.lang.date(e.expired_on)) "): "
                    @if e.held { (ctx.t("ditahan, tetap disimpan", "held, kept")) } @else { (kind_text(ctx, e.kind, dry_run)) }
                } } }
                @if report.expired.len() > SHOWN { p { "… " (report.expired.len() - SHOWN) " " (ctx.t("lagi", "more")) } }
            }
            @if dry_run && acting > 0 {
                form method="post" action="/admin/retensi/jalankan" {
                    (ctx.chrome().csrf_field())
                    input type="hidden" name="as_of" value=(jejak_domain::date::iso(as_of));
                    input type="hidden" name="mode" value="run";
                    button.danger type="submit" { (ctx.t("Jalankan retensi ini sekarang", "Run this retention now")) }
                }
            }
        }
    }
}

/// `GET /admin/subjek`: the form (the NIK is posted, never put in a URL).
pub(crate) async fn subject_form(State(state): State<AppState>, ctx: PageCtx) -> Response {
    if let Err(e) = state.admin.subject_report_form(ctx.actor()) {
        return ctx.fail(&e);
    }
    page(
        &ctx.chrome(),
        ctx.t("Admin: laporan subjek data", "Admin: data-subject report"),
        html! { (admin_menu(&ctx)) (subject_form_markup(&ctx)) },
    )
    .into_response()
}

fn subject_form_markup(ctx: &PageCtx) -> Markup {
    html! {
        p { (ctx.t(
            "Semua yang disimpan Jejak tentang satu orang (UU PDP): permohonan dengan NIK ini dan yang digabungkan mesin identitas, keputusan, penahanan hukum dan entri audit. Permintaan ini dicatat.",
            "Everything Jejak holds on one person (UU PDP): applications with this NIK and those the identity engine joins to them, decisions, legal holds and audit entries. The request is logged.")) }
        form.stack method="post" action="/admin/subjek" {
            (ctx.chrome().csrf_field())
            label for="s-nik" { "NIK" }
            input #s-nik name="nik" type="text" inputmode="numeric" autocomplete="off" required;
            label.check { input type="checkbox" name="format" value="json"; " " (ctx.t("Unduh sebagai JSON", "Download as JSON")) }
            button type="submit" { (ctx.t("Buat laporan", "Make the report")) }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SubjectForm {
    nik: String,
    format: String,
}

/// `POST /admin/subjek`: the report for the posted NIK, on the page or as a JSON download.
pub(crate) async fn subject_report(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<SubjectForm>,
) -> Response {
    let report = match state.admin.subject_report(ctx.actor(), &form.nik).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    if form.format == "json" {
        return match serde_json::to_vec_pretty(&report) {
            Ok(json) => (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"laporan-subjek.json\""),
                ],
                json,
            )
                .into_response(),
            Err(e) => ctx.fail(&jejak_service::ServiceError::Internal(e.to_string())),
        };
    }
    let masked = Nik::parse(&report.nik).map(|n| n.masked()).unwrap_or_default();
    let lang = ctx.lang;
    let body = html! {
        (admin_menu(&ctx))
        p.summary { "NIK " (masked) ": " (report.applications.len()) " " (ctx.t("permohonan", "application(s)")) ", "
            (report.legal_holds.len()) " " (ctx.t("penahanan hukum", "legal hold(s)")) ", "
            (report.audit_events.len()) " " (ctx.t("entri audit", "audit entries")) }
        @for app in &report.applications {
            section.subject-application {
                h2 { (ctx.t("Permohonan", "Application")) " " (app.key.to_string())
                    @if let Some(p) = &app.person_id { " · " (ctx.t("orang", "person")) " " (p) } }
                dl.kv { @for (field, value) in &app.application { dt { (field_label(lang, field)) } dd { (value) } } }
                @if !app.decisions.is_empty() {
                    h3 { (ctx.t("Keputusan", "Decisions")) }
                    ul { @for d in &app.decisions { li { (d.decided_on) " " (decision_label(lang, d.kind)) @if let Some(t) = &d.reason_text { ": " (t) } } } }
                }
            }
        }
        @if !report.audit_events.is_empty() {
            h2 { (ctx.t("Entri audit", "Audit entries")) }
            table.audit { tbody { @for e in &report.audit_events { tr {
                td { (lang.instant(&e.at)) } td { (e.actor) } td { code { (e.action) } } td { (e.details) }
            } } } }
        }
        ul { @for note in &report.notes { li.muted { (note) } } }
        h2 { (ctx.t("Laporan lain", "Another report")) }
        (subject_form_markup(&ctx))
    };
    page(&ctx.chrome(), ctx.t("Laporan subjek data", "Data-subject report"), body).into_response()
}
