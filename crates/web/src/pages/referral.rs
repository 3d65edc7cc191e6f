//! Referral pages (the cross-agency forum, issue 15): the office's referrals with the overdue
//! ones for supervisors (`/rujukan`), one referral with its history and follow-up form, the
//! printable referral letter (surat pengantar, A4, Indonesian), the "Rujuk" form reached from
//! the examination page, and marking a person protected. Permissions are the service's.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use jejak_domain::{Agency, Protection, Referral, ReferralStatus, ReferralSubject};
use jejak_service::authz::ApplicationActions;
use jejak_service::referrals::{
    DEFAULT_DUE_DAYS, DEFAULT_LEGAL_BASIS, ReferralInput, ReferralView, field_label,
};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Lang;
use crate::layout::page;
use crate::pages::PageCtx;

fn status_label(lang: Lang, status: ReferralStatus) -> &'static str {
    lang.t(status.label_id(), status.label_en())
}

fn subject_label(ctx: &PageCtx, referral: &Referral) -> String {
    match &referral.data.subject {
        ReferralSubject::Application(key) => {
            format!("{} #{key}", ctx.t("Permohonan", "Application"))
        }
        ReferralSubject::Person { person_id, .. } => {
            format!("{} {person_id}", ctx.t("Orang", "Person"))
        }
    }
}

fn referral_rows(ctx: &PageCtx, referrals: &[Referral], today: time::Date) -> Markup {
    let lang = ctx.lang;
    html! {
        table.referrals {
            thead { tr {
                th { (ctx.t("No. surat", "Letter no.")) }
                th { (ctx.t("Instansi", "Agency")) }
                th { (ctx.t("Perihal", "Subject")) }
                th { (ctx.t("Status", "Status")) }
                th { (ctx.t("Batas waktu", "Due")) }
            } }
            tbody {
                @for r in referrals {
                    tr data-referral=(r.id) {
                        td { a href=(format!("/rujukan/{}", r.id)) { (r.letter_no) } }
                        td { (r.data.agency.short()) }
                        td { (subject_label(ctx, r)) }
                        td.referral-status { (status_label(lang, r.status)) }
                        td { (r.data.due_on.map(|d| lang.date(d)).unwrap_or_else(|| "—".into()))
                            @if r.is_overdue(today) { " " strong.danger { (ctx.t("lewat batas", "overdue")) } } }
                    }
                }
            }
        }
    }
}

/// `GET /rujukan`: the office's referrals (analysts: every office's), and for supervisors the
/// open ones past their due date first.
pub(crate) async fn list(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let (referrals, overdue) = match state.casework.referral_overview(ctx.actor()).await {
        Ok(overview) => (overview.referrals, overview.overdue),
        Err(e) => return ctx.fail(&e),
    };
    let today = state.casework.clock().today();
    let body = html! {
        @if let Some(overdue) = &overdue {
            section #overdue {
                h2 { (ctx.t("Rujukan terbuka yang lewat batas waktu", "Open referrals past their due date")) }
                @if overdue.is_empty() {
                    p.muted { (ctx.t("Tidak ada rujukan yang terlambat.", "No referral is overdue.")) }
                } @else {
                    (referral_rows(&ctx, overdue, today))
                }
            }
        }
        h2 { (ctx.t("Semua rujukan", "All referrals")) }
        p.muted { (ctx.t(
            "Rujukan dibuat dari halaman pemeriksaan permohonan (tombol \"Rujuk\").",
            "Referrals are made from an application's examination page (the \"Refer\" button).")) }
        @if referrals.is_empty() {
            p.muted { (ctx.t("Belum ada rujukan.", "No referral yet.")) }
        } @else {
            (referral_rows(&ctx, &referrals, today))
        }
    };
    page(&ctx.chrome(), ctx.t("Rujukan lintas instansi", "Cross-agency referrals"), body)
        .into_response()
}

/// A shared value as a reader reads it (dates spelt out, sex in words).
fn shown_value(lang: Lang, field: &str, value: Option<&str>) -> String {
    match (field, value) {
        (_, None) => "—".to_owned(),
        ("birth_date", Some(v)) => {
            jejak_domain::date::parse_date(v).map(|d| lang.date(d)).unwrap_or_else(|_| v.to_owned())
        }
        ("sex", Some("P")) => lang.t("Perempuan", "Female").to_owned(),
        ("sex", Some("L")) => lang.t("Laki-laki", "Male").to_owned(),
        (_, Some(v)) => v.to_owned(),
    }
}

/// The shared fields with their values, in `lang` (the letter is always Indonesian).
fn shared_table(lang: Lang, view: &ReferralView) -> Markup {
    html! {
        @if view.withheld {
            p.notice { (lang.t(
                "Catatan dilindungi: data yang dibagikan hanya dapat dilihat kepala seksi.",
                "Protected record: the shared data is shown to supervisors only.")) }
        }
        table.shared {
            thead { tr { th { (lang.t("Data", "Field")) } th { (lang.t("Isi", "Value")) } } }
            tbody {
                @for f in &view.shared {
                    tr data-field=(f.field) {
                        th scope="row" { (lang.t(field_label(&f.field).0, field_label(&f.field).1)) }
                        td { (shown_value(lang, &f.field, f.value.as_deref())) }
                    }
                }
            }
        }
    }
}

/// `GET /rujukan/{id}`: one referral, its history, the shared data and the follow-up form.
pub(crate) async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Response {
    let view = match state.casework.referral(ctx.actor(), id).await {
        Ok(v) => v,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let r = &view.referral;
    let title = format!("{} {}", ctx.t("Rujukan", "Referral"), r.letter_no);
    let body = html! {
        dl.kv {
            dt { (ctx.t("Instansi tujuan", "Receiving agency")) } dd { (r.data.agency.name_id()) }
            dt { (ctx.t("Perihal", "Subject")) } dd {
                (subject_label(&ctx, r))
                @if let Some(app_id) = &view.application_id {
                    " · " a href=(format!("/permohonan/{}", r.data.subject.application())) { (app_id) }
                }
            }
            dt { (ctx.t("Status", "Status")) } dd #referral-status { (status_label(lang, r.status)) }
            dt { (ctx.t("Batas waktu", "Due")) } dd { (r.data.due_on.map(|d| lang.date(d)).unwrap_or_else(|| "—".into()))
                @if view.overdue { " " strong.danger { (ctx.t("lewat batas", "overdue")) } } }
            dt { (ctx.t("Tujuan", "Purpose")) } dd { (r.data.purpose) }
            dt { (ctx.t("Dasar hukum", "Legal basis")) } dd { (r.data.legal_basis) }
            dt { (ctx.t("Dibuat oleh", "Made by")) } dd { (r.data.created_by) " · " (r.data.office.as_str()) " · " (r.data.created_at) }
        }
        p { a.button #surat href=(format!("/rujukan/{}/surat", r.id)) { (ctx.t("Surat pengantar (cetak)", "Referral letter (print)")) } }
        h2 { (ctx.t("Data yang dibagikan", "Data shared")) }
        (shared_table(ctx.lang, &view))
        h2 { (ctx.t("Riwayat", "History")) }
        ol.history {
            @for e in &view.history {
                li { strong { (status_label(lang, e.status)) } " · " (e.by) " · " (e.at)
                    @if let Some(d) = e.due_on { " · " (ctx.t("batas", "due")) " " (lang.date(d)) }
                    @if let Some(n) = &e.note { br; span { (n) } } }
            }
        }
        @if view.may_follow_up {
            h2 { (ctx.t("Tindak lanjut", "Follow-up")) }
            form.stack #referral-status-form method="post" action=(format!("/rujukan/{}/status", r.id)) {
                (ctx.chrome().csrf_field())
                label for="status" { (ctx.t("Status baru", "New status")) }
                select #status name="status" {
                    @for s in ReferralStatus::ALL.into_iter().filter(|s| *s != ReferralStatus::Sent) {
                        option value=(s.as_str()) { (status_label(lang, s)) }
                    }
                }
                label for="due_on" { (ctx.t("Batas waktu berikutnya (boleh kosong)", "Next due date (optional)")) }
                input #due_on type="date" name="due_on";
                label for="note" { (ctx.t("Catatan", "Note")) }
                textarea #note name="note" rows="3" {}
                button type="submit" { (ctx.t("Simpan", "Save")) }
            }
        }
    };
    page(&ctx.chrome(), &title, body).into_response()
}

/// `GET /rujukan/{id}/surat`: the referral letter (surat pengantar), always in Indonesian,
/// laid out for A4 (the print stylesheet hides the navigation).
pub(crate) async fn letter(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> Response {
    let view = match state.casework.referral(ctx.actor(), id).await {
        Ok(v) => v,
        Err(e) => return ctx.fail(&e),
    };
    let r = &view.referral;
    let id_lang = Lang::Id;
    let created_on = r.data.created_at.get(..10).unwrap_or(&r.data.created_at);
    let created = jejak_domain::date::parse_date(created_on)
        .map(|d| id_lang.date(d))
        .unwrap_or_else(|_| created_on.to_owned());
    let body = html! {
        article.letter {
            p.letter-head {
                strong { "KEMENTERIAN IMIGRASI DAN PEMASYARAKATAN REPUBLIK INDONESIA" } br;
                "DIREKTORAT JENDERAL IMIGRASI" br;
                "KANTOR WILAYAH LAMPUNG · KANTOR IMIGRASI " (r.data.office.as_str())
            }
            table.letter-meta {
                tbody {
                    tr { th scope="row" { "Nomor" } td { (r.letter_no) } }
                    tr { th scope="row" { "Tanggal" } td { (created) } }
                    tr { th scope="row" { "Sifat" } td { "Rahasia" } }
                    tr { th scope="row" { "Perihal" } td { "Surat Pengantar Rujukan Kasus" } }
                }
            }
            p { "Kepada Yth." br; (r.data.agency.name_id()) br; "di tempat" }
            p { "Dengan hormat," }
            p { "Bersama ini kami merujuk "
                (match &r.data.subject {
                    ReferralSubject::Application(_) => "pemohon paspor berikut".to_owned(),
                    ReferralSubject::Person { person_id, .. } => format!("orang berikut (rekam {person_id}, seluruh permohonannya)"),
                })
                " untuk ditindaklanjuti sesuai kewenangan Saudara." }
            p { strong { "Tujuan rujukan: " } (r.data.purpose) }
            p { strong { "Dasar hukum: " } (r.data.legal_basis) }
            p { "Data yang dibagikan terbatas pada yang diperlukan instansi Saudara (UU 27/2022 Pasal 16):" }
            (shared_table(id_lang, &view))
            @if !view.applications.is_empty() {
                p { "Permohonan paspor orang tersebut:" }
                ul { @for a in &view.applications {
                    li { (a.application_id) " · Kantor Imigrasi " (a.office.as_str()) " · " (id_lang.date(a.applied_on)) }
                } }
            }
            p { "Mohon tanggapan paling lambat "
                strong { (r.data.due_on.map(|d| id_lang.date(d)).unwrap_or_else(|| "—".into())) }
                ". Data ini hanya digunakan untuk tujuan di atas dan tidak diteruskan kepada pihak lain tanpa dasar hukum." }
            p { "Demikian kami sampaikan. Atas perhatian dan kerja sama Saudara kami ucapkan terima kasih." }
            p.signature { "Petugas," br; br; br; (r.data.created_by) }
        }
        p.no-print { a href=(format!("/rujukan/{}", r.id)) { (ctx.t("Kembali ke rujukan", "Back to the referral")) } }
    };
    page(&ctx.chrome(), &format!("Surat pengantar {}", r.letter_no), body).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct StatusForm {
    status: String,
    note: Option<String>,
    due_on: Option<String>,
}

fn optional_date(
    field: &str,
    text: Option<&str>,
) -> Result<Option<time::Date>, jejak_service::ServiceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => jejak_domain::date::parse_date(t)
            .map(Some)
            .map_err(|e| jejak_service::ServiceError::Invalid(format!("{field}: {e}"))),
    }
}

/// `POST /rujukan/{id}/status`: records a follow-up step.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Response {
    let due_on = match optional_date("due_on", form.due_on.as_deref()) {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    match state
        .casework
        .update_referral(ctx.actor(), id, &form.status, form.note.as_deref(), due_on)
        .await
    {
        Ok(_) => Redirect::to(&format!("/rujukan/{id}")).into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /permohonan/{key}/rujuk`: the referral form, with what each agency receives.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(key): Path<i64>,
) -> Response {
    let target = match state
        .casework
        .referral_target(ctx.actor(), jejak_domain::ApplicationKey(key))
        .await
    {
        Ok(t) => t,
        Err(e) => return ctx.fail(&e),
    };
    let agency_fields = match state.casework.referral_fields() {
        Ok(f) => f,
        Err(e) => return ctx.fail(&e),
    };
    let due = state.casework.clock().today() + time::Duration::days(DEFAULT_DUE_DAYS);
    let title =
        format!("{} {}", ctx.t("Rujuk permohonan", "Refer application"), target.application_id);
    let body = html! {
        form.stack #referral-form method="post" action=(format!("/permohonan/{key}/rujuk")) {
            (ctx.chrome().csrf_field())
            label for="agency" { (ctx.t("Instansi tujuan", "Receiving agency")) }
            select #agency name="agency" required {
                @for a in Agency::ALL { option value=(a.as_str()) { (a.short()) } }
            }
            label { input #person type="checkbox" name="person" value="1";
                " " (ctx.t("Rujuk orangnya (semua permohonan ", "Refer the person (every application of ")) (target.person_id) ")" }
            label for="purpose" { (ctx.t("Tujuan rujukan", "Purpose of the referral")) }
            textarea #purpose name="purpose" rows="2" required {}
            label for="legal_basis" { (ctx.t("Dasar hukum", "Legal basis")) }
            textarea #legal_basis name="legal_basis" rows="3" { (DEFAULT_LEGAL_BASIS) }
            label for="due_on" { (ctx.t("Batas waktu tanggapan", "Reply due by")) }
            input #due_on type="date" name="due_on" value=(due);
            label for="note" { (ctx.t("Catatan", "Note")) }
            textarea #note name="note" rows="2" {}
            button type="submit" { (ctx.t("Kirim rujukan", "Send referral")) }
        }
        h2 { (ctx.t("Data yang dibagikan per instansi", "Data shared with each agency")) }
        table.agency-fields {
            thead { tr { th { (ctx.t("Instansi", "Agency")) } th { (ctx.t("Data", "Fields")) } } }
            tbody {
                @for (agency, fields) in agency_fields.iter() {
                    tr data-agency=(agency.as_str()) { th scope="row" { (agency.short()) }
                        td { (fields.iter().map(|f| ctx.t(field_label(f).0, field_label(f).1)).collect::<Vec<_>>().join(", ")) } }
                }
            }
        }
    };
    page(&ctx.chrome(), &title, body).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReferralForm {
    agency: String,
    person: Option<String>,
    purpose: String,
    legal_basis: String,
    due_on: Option<String>,
    note: Option<String>,
}

/// `POST /permohonan/{key}/rujuk`: sends the referral and opens it.
pub(crate) async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(key): Path<i64>,
    Form(form): Form<ReferralForm>,
) -> Response {
    let due_on = match optional_date("due_on", form.due_on.as_deref()) {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    let input = ReferralInput {
        agency: form.agency,
        person: form.person.is_some(),
        purpose: form.purpose,
        legal_basis: form.legal_basis,
        due_on,
        note: form.note,
        fields: None,
    };
    match state.casework.refer(ctx.actor(), jejak_domain::ApplicationKey(key), &input).await {
        Ok(r) => Redirect::to(&format!("/rujukan/{}", r.id)).into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// The referral and protection block of the examination page.
pub(crate) fn application_section(
    ctx: &PageCtx,
    key: jejak_domain::ApplicationKey,
    allowed: ApplicationActions,
    referrals: &[Referral],
    protection: Option<&Protection>,
    today: time::Date,
) -> Markup {
    let lang = ctx.lang;
    html! {
        @if let Some(p) = protection {
            p.notice #protected { strong { (ctx.t("Catatan dilindungi", "Protected record")) } " · "
                (ctx.t("korban TPPO; setiap pembacaan dicatat", "TPPO victim; every read is logged"))
                " · " (p.marked_by) " · " (p.marked_at) }
        }
        @if allowed.view_referrals {
            section #referrals {
                h2 { (ctx.t("Rujukan lintas instansi", "Cross-agency referrals")) }
                @if !referrals.is_empty() {
                    ul { @for r in referrals {
                        li { a href=(format!("/rujukan/{}", r.id)) { (r.letter_no) } " · " (r.data.agency.short())
                            " · " (status_label(lang, r.status))
                            @if r.is_overdue(today) { " " strong.danger { (ctx.t("lewat batas", "overdue")) } } }
                    } }
                }
                @if allowed.refer {
                    p { a.button #rujuk href=(format!("/permohonan/{key}/rujuk")) { (ctx.t("Rujuk", "Refer")) } }
                }
            }
        }
        @if allowed.protect {
            section #protection {
                h2 { (ctx.t("Perlindungan korban TPPO", "Protection of a TPPO victim")) }
                form.stack method="post" action=(format!("/permohonan/{key}/lindungi")) {
                    (ctx.chrome().csrf_field())
                    input type="hidden" name="lift" value=(if protection.is_some() { "1" } else { "" });
                    label for="protect-reason" { (ctx.t("Alasan", "Reason")) }
                    textarea #protect-reason name="reason" rows="2" required {}
                    button type="submit" { (if protection.is_some() {
                        ctx.t("Cabut perlindungan", "Lift the protection")
                    } else {
                        ctx.t("Tandai sebagai dilindungi (korban TPPO)", "Mark protected (TPPO victim)")
                    }) }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ProtectForm {
    reason: String,
    lift: String,
}

/// `POST /permohonan/{key}/lindungi`: marks the person protected, or lifts it (`lift=1`).
pub(crate) async fn protect(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(key): Path<i64>,
    Form(form): Form<ProtectForm>,
) -> Response {
    let key = jejak_domain::ApplicationKey(key);
    let result = if form.lift == "1" {
        state.casework.lift_protection(ctx.actor(), key, &form.reason).await
    } else {
        state.casework.protect_person(ctx.actor(), key, &form.reason).await
    };
    match result {
        Ok(_) => Redirect::to(&format!(
            "/permohonan/{key}?tujuan={}",
            form_urlencoded::byte_serialize(form.reason.as_bytes()).collect::<String>()
        ))
        .into_response(),
        Err(e) => ctx.fail(&e),
    }
}
