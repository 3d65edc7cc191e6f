//! The village early-warning pages (Desa Binaan): the PIMPASA home with their villages and
//! reports, the phone-sized report form (offline-capable through `static/laporan.js`), and the
//! supervisor's alert queue with acknowledgement and follow-up. Permissions are the service's.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jejak_domain::{ReportStatus, ReportTopic, VillageReport};
use jejak_service::ServiceError;
use jejak_service::authz::Role;
use jejak_service::villages::{VillageCapabilities, village_name};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::api::{ReportPersonBody, VillageReportBody};
use crate::i18n::Lang;
use crate::layout::page;
use crate::pages::PageCtx;

fn topic_label(lang: Lang, topic: ReportTopic) -> String {
    match lang {
        Lang::Id => topic.label_id().to_owned(),
        Lang::En => topic.as_str().replace('_', " "),
    }
}

fn status_label(lang: Lang, status: ReportStatus) -> String {
    match lang {
        Lang::Id => status.label_id().to_owned(),
        Lang::En => status.as_str().replace('_', " "),
    }
}

fn village_label(code: &jejak_domain::RegionCode) -> String {
    match village_name(code) {
        Some(name) => format!("{name} ({})", code.dotted()),
        None => code.dotted(),
    }
}

/// The page of one report.
pub(crate) fn report_href(report_id: &str) -> String {
    format!(
        "/desa/laporan/{}",
        form_urlencoded::byte_serialize(report_id.as_bytes()).collect::<String>()
    )
}

fn report_line(ctx: &PageCtx, report: &VillageReport) -> Markup {
    let lang = ctx.lang;
    html! {
        li {
            a href=(report_href(&report.data.report_id)) { strong { (topic_label(lang, report.data.topic)) } }
            " · " (village_label(&report.data.village))
            " · " (lang.date(report.data.reported_on))
            " · " span.badge { (status_label(lang, report.status)) }
            br;
            span.muted { (report.data.narrative.chars().take(160).collect::<String>()) }
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct HomeQuery {
    terkirim: Option<String>,
}

/// `GET /desa`: a PIMPASA's villages and reports; the designated villages (and their
/// reports) of a supervisor's or analyst's scope.
pub(crate) async fn home(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<HomeQuery>,
) -> Response {
    let villages = match state.villages.list(ctx.actor()).await {
        Ok(v) => v,
        Err(e) => return ctx.fail(&e),
    };
    let reports = match state.villages.reports(ctx.actor()).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let pimpasa = ctx.actor().role == Role::Pimpasa;
    let mine: Vec<&VillageReport> = if pimpasa {
        reports.iter().filter(|r| r.data.reported_by == ctx.actor().username).collect()
    } else {
        reports.iter().collect()
    };
    let can = VillageCapabilities::of(ctx.actor());
    let body = html! {
        (crate::pages::village_register::village_menu(&ctx))
        @if let Some(id) = &query.terkirim {
            p.notice { (ctx.t("Laporan terkirim: ", "Report sent: ")) (id) }
        }
        @if can.report && !villages.is_empty() {
            p { a.button href="/desa/laporan/baru" { (ctx.t("Laporan baru", "New report")) } }
        }
        @if can.follow_up {
            p { a href="/desa/peringatan" { (ctx.t("Antrean peringatan desa", "Village alert queue")) } }
        }
        h2 { (if pimpasa { ctx.t("Desa binaan saya", "My villages") } else { ctx.t("Desa binaan", "Designated villages") }) }
        @if villages.is_empty() {
            p.muted { (ctx.t("Belum ada desa binaan.", "No designated village yet.")) }
        }
        ul.villages {
            @for row in &villages {
                li {
                    strong { (village_label(&row.village.data.code)) }
                    " · " (row.village.data.office.as_str())
                    " · " (ctx.t("sejak", "since")) " " (row.village.data.designated_on)
                    @if let Some(decree) = &row.village.data.decree { " · SK " (decree) }
                    @let officers: Vec<&str> = row.assignments.iter()
                        .filter(|a| a.until_on.is_none()).map(|a| a.username.as_str()).collect();
                    @if !officers.is_empty() {
                        br; span.muted { "PIMPASA: " (officers.join(", ")) }
                    }
                }
            }
        }
        h2 { (if pimpasa { ctx.t("Laporan saya", "My reports") } else { ctx.t("Laporan desa", "Village reports") }) }
        @if mine.is_empty() {
            p.muted { (ctx.t("Belum ada laporan.", "No report yet.")) }
        }
        ul.reports { @for r in &mine { (report_line(&ctx, r)) } }
    };
    page(&ctx.chrome(), ctx.t("Desa binaan", "Designated villages"), body).into_response()
}

/// `GET /desa/laporan/baru`: the report form, one column, for a phone.
pub(crate) async fn new_form(State(state): State<AppState>, ctx: PageCtx) -> Response {
    if let Err(e) = state.villages.check_filing(ctx.actor()) {
        return ctx.fail(&e);
    }
    let villages = match state.villages.list(ctx.actor()).await {
        Ok(v) => v,
        Err(e) => return ctx.fail(&e),
    };
    let today = state.casework.clock().today();
    let report_id = uuid::Uuid::now_v7().to_string();
    let grades = ["A", "B", "C", "D", "E", "F"];
    let body = html! {
        p #laporan-status.notice hidden {}
        form #laporan.stack.phone method="post" action="/desa/laporan" {
            (ctx.chrome().csrf_field())
            input type="hidden" name="report_id" value=(report_id);
            label for="village_code" { (ctx.t("Desa", "Village")) }
            select #village_code name="village_code" required {
                @for row in &villages {
                    option value=(row.village.data.code.dotted()) { (village_label(&row.village.data.code)) }
                }
            }
            label for="reported_on" { (ctx.t("Tanggal kejadian", "Date")) }
            input #reported_on type="date" name="reported_on" value=(today) required;
            label for="topic" { (ctx.t("Topik", "Topic")) }
            select #topic name="topic" required {
                @for t in ReportTopic::ALL { option value=(t.as_str()) { (topic_label(ctx.lang, t)) } }
            }
            label for="source_reliability" { (ctx.t("Keandalan sumber (A–F)", "Source reliability (A–F)")) }
            select #source_reliability name="source_reliability" {
                @for g in grades { option value=(g) selected[g == "F"] { (g) } }
            }
            label for="info_credibility" { (ctx.t("Kredibilitas informasi (1–6)", "Information credibility (1–6)")) }
            select #info_credibility name="info_credibility" {
                @for n in 1..=6u8 { option value=(n) selected[n == 6] { (n) } }
            }
            label for="persons" { (ctx.t("Orang yang disebut", "Named persons"))
                span.hint { " " (ctx.t("(satu per baris: NAMA|TANGGAL LAHIR|NIK)", "(one a line: NAME|BIRTH DATE|NIK)")) } }
            textarea #persons name="persons" rows="3" {}
            label for="phones" { (ctx.t("Nomor telepon", "Phone numbers")) span.hint { " (;)" } }
            input #phones type="tel" name="phones";
            label for="recruiters" { (ctx.t("Nama calo / perekrut", "Recruiter names")) span.hint { " (;)" } }
            input #recruiters type="text" name="recruiters";
            label for="agency" { (ctx.t("Perusahaan (P3MI)", "Agency (P3MI)")) }
            input #agency type="text" name="agency";
            label for="destination_country" { (ctx.t("Negara tujuan (kode, mis. MY)", "Destination country (code, e.g. MY)")) }
            input #destination_country type="text" name="destination_country" maxlength="3";
            label for="planned_departure_on" { (ctx.t("Rencana berangkat", "Planned departure")) }
            input #planned_departure_on type="date" name="planned_departure_on";
            label for="narrative" { (ctx.t("Uraian", "Narrative")) }
            textarea #narrative name="narrative" rows="5" required {}
            label for="source" { (ctx.t("Sumber informasi (rahasia)", "Informant (confidential)")) }
            input #source type="text" name="source";
            button type="submit" { (ctx.t("Kirim laporan", "Send report")) }
        }
        p #laporan-tersimpan.muted hidden {}
        script src="/static/laporan.js" defer {}
    };
    page(&ctx.chrome(), ctx.t("Laporan desa baru", "New village report"), body).into_response()
}

/// The report form's fields (lists separated by `;`, persons one a line).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ReportForm {
    report_id: String,
    village_code: String,
    reported_on: String,
    topic: String,
    source_reliability: Option<String>,
    info_credibility: Option<u8>,
    persons: String,
    phones: String,
    recruiters: String,
    agency: Option<String>,
    destination_country: Option<String>,
    planned_departure_on: Option<String>,
    narrative: String,
    source: Option<String>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split([';', '\n']).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

impl ReportForm {
    fn into_body(self) -> VillageReportBody {
        let persons = self
            .persons
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut parts = line.split('|').map(|p| p.trim().to_owned());
                ReportPersonBody {
                    name: parts.next().unwrap_or_default(),
                    birth_date: parts.next(),
                    nik: parts.next(),
                    relation: parts.next(),
                }
            })
            .collect();
        VillageReportBody {
            report_id: self.report_id,
            village_code: self.village_code,
            reported_on: self.reported_on,
            topic: self.topic,
            source_reliability: self.source_reliability,
            info_credibility: self.info_credibility,
            persons,
            phones: split_list(&self.phones),
            recruiters: split_list(&self.recruiters),
            agency: self.agency,
            destination_country: self.destination_country,
            planned_departure_on: self.planned_departure_on,
            narrative: self.narrative,
            source: self.source,
        }
    }
}

/// `POST /desa/laporan`: files the form's report (sending the same report_id again changes
/// nothing) and goes back to `/desa`.
pub(crate) async fn file(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(form): Form<ReportForm>,
) -> Response {
    if let Err(e) = state.villages.check_filing(ctx.actor()) {
        return ctx.fail(&e);
    }
    let report = match form.into_body().into_report() {
        Ok(r) => r,
        Err((field, message)) => {
            return ctx.fail(&ServiceError::Invalid(format!("{field}: {message}")));
        }
    };
    let id = report.report_id.clone();
    match state.villages.file(ctx.actor(), vec![report]).await {
        Ok(_) => Redirect::to(&format!(
            "/desa?terkirim={}",
            form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ))
        .into_response(),
        Err(e) => ctx.fail(&e),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct AlertQuery {
    semua: Option<String>,
}

/// `GET /desa/peringatan`: the office's open village alerts (analysts: the escalated ones of
/// every office, all with `?semua=1`), with acknowledgement and follow-up forms.
pub(crate) async fn alerts(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<AlertQuery>,
) -> Response {
    let all = query.semua.is_some();
    let items = match state.villages.alert_queue(ctx.actor(), all).await {
        Ok(i) => i,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let body = html! {
        (crate::pages::village_register::village_menu(&ctx))
        @if ctx.actor().role == Role::Analis && !all {
            p { a href="/desa/peringatan?semua=1" { (ctx.t("Tampilkan semua laporan terbuka", "Show every open report")) } }
        }
        @if items.is_empty() {
            p.muted { (ctx.t("Tidak ada peringatan desa.", "No village alert.")) }
        }
        @for item in &items {
            @let r = &item.report;
            @let id = &r.data.report_id;
            section.alert {
                h2 { a href=(report_href(id)) { (topic_label(lang, r.data.topic)) " · " (village_label(&r.data.village)) } }
                p {
                    (ctx.t("Status", "Status")) ": " strong { (status_label(lang, r.status)) }
                    " · " (r.office.as_str())
                    " · " (ctx.t("dilaporkan oleh", "reported by")) " " (r.data.reported_by)
                    " · " (lang.date(r.data.reported_on))
                }
                p {
                    @if r.status == ReportStatus::New {
                        (ctx.t("Menunggu penerimaan", "Waiting for acknowledgement")) ": "
                    } @else {
                        (ctx.t("Terbuka", "Open")) ": "
                    }
                    strong { (item.waiting_days) " " (ctx.t("hari", "day(s)")) }
                    " (" (ctx.t("masuk", "filed")) " " (lang.date(item.filed_on)) ")"
                    " · " (ctx.t("Batas penerimaan", "Acknowledge by")) ": " (lang.date(item.due_on))
                    @if item.escalated { " " strong.danger { (ctx.t("Terlambat — dieskalasi", "Overdue — escalated")) } }
                }
                p { (r.data.narrative) }
                @if r.status == ReportStatus::New {
                    form method="post" action=(format!("/desa/laporan/{id}/status")) {
                        (ctx.chrome().csrf_field())
                        input type="hidden" name="status" value="acknowledged";
                        button type="submit" { (ctx.t("Terima", "Acknowledge")) }
                    }
                }
                form.stack method="post" action=(format!("/desa/laporan/{id}/status")) {
                    (ctx.chrome().csrf_field())
                    label for=(format!("status-{id}")) { (ctx.t("Ubah status", "Change status")) }
                    select id=(format!("status-{id}")) name="status" {
                        @for s in ReportStatus::ALL.into_iter().filter(|s| *s != ReportStatus::New) {
                            option value=(s.as_str()) selected[s == r.status] { (status_label(lang, s)) }
                        }
                    }
                    label for=(format!("note-{id}")) { (ctx.t("Catatan", "Note")) }
                    textarea id=(format!("note-{id}")) name="note" rows="2" {}
                    button type="submit" { (ctx.t("Simpan", "Save")) }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Peringatan desa", "Village alerts"), body).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct StatusForm {
    status: String,
    note: Option<String>,
    /// `laporan`: back to the report's page (else the alert queue).
    next: Option<String>,
}

/// `POST /desa/laporan/{id}/status`: acknowledges or moves a report on, with a note.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let back = match form.next.as_deref() {
        Some("laporan") => report_href(&id),
        _ => "/desa/peringatan".to_owned(),
    };
    match state.villages.set_status_text(ctx.actor(), &id, &form.status, form.note).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /desa/laporan/{id}`: one report with its named persons, phones and recruiters, its
/// follow-up history and form, the Timpora operations it prompted, the applications it links
/// to and why (readers of the register only, never a PIMPASA) and the informant (only the
/// reporting officer and supervisors).
pub(crate) async fn show_report(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Response {
    let screening = state.casework.screening();
    let detail = match state.villages.report_detail(ctx.actor(), screening, &id).await {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let r = &detail.view.report;
    let d = &r.data;
    let dash = "—".to_owned();
    let body = html! {
        p { a href="/desa" { (ctx.t("← Desa binaan", "← Villages")) }
            @if detail.may_follow_up { " · " a href="/desa/peringatan" { (ctx.t("Antrean peringatan desa", "Village alert queue")) } } }
        dl.kv.report {
            dt { (ctx.t("Nomor laporan", "Report id")) } dd.report-id { (d.report_id) }
            dt { (ctx.t("Topik", "Topic")) } dd { (topic_label(lang, d.topic)) }
            dt { (ctx.t("Desa", "Village")) } dd { (village_label(&d.village)) }
            dt { (ctx.t("Tanggal kejadian", "Date")) } dd { (lang.date(d.reported_on)) }
            dt { (ctx.t("Status", "Status")) } dd.status { (status_label(lang, r.status)) }
            dt { (ctx.t("Kantor tujuan", "Routed to office")) } dd { (r.office.as_str()) }
            dt { (ctx.t("Dilaporkan oleh", "Reported by")) } dd { (d.reported_by) " · " (lang.instant(&r.filed_at)) }
            dt { (ctx.t("Keandalan sumber / kredibilitas informasi", "Source reliability / information credibility")) }
            dd { (d.source_reliability) " / " (d.info_credibility) }
            dt { (ctx.t("Perusahaan (P3MI)", "Agency (P3MI)")) } dd { (d.agency.clone().unwrap_or_else(|| dash.clone())) }
            dt { (ctx.t("Negara tujuan", "Destination country")) } dd { (d.destination_country.map(|c| c.as_str().to_owned()).unwrap_or_else(|| dash.clone())) }
            dt { (ctx.t("Rencana berangkat", "Planned departure")) } dd { (d.planned_departure_on.map(|x| lang.date(x)).unwrap_or_else(|| dash.clone())) }
            @if let Some(source) = &detail.view.source {
                dt { (ctx.t("Sumber informasi (rahasia)", "Informant (confidential)")) } dd.source { (source) }
            }
        }
        h2 { (ctx.t("Uraian", "Narrative")) }
        p.narrative { (d.narrative) }
        h2 { (ctx.t("Orang yang disebut", "Named persons")) }
        @if d.persons.is_empty() { p.muted { (ctx.t("Tidak ada.", "None.")) } } @else {
            table {
                thead { tr { th { (ctx.t("Nama", "Name")) } th { (ctx.t("Tanggal lahir", "Birth date")) } th { "NIK" } th { (ctx.t("Hubungan", "Relation")) } } }
                tbody { @for p in &d.persons { tr {
                    td { (p.name) }
                    td { (p.birth_date.map(|b| lang.date(b)).unwrap_or_else(|| dash.clone())) }
                    td { (p.nik.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_else(|| dash.clone())) }
                    td { (p.relation.clone().unwrap_or_else(|| dash.clone())) }
                } } }
            }
        }
        h2 { (ctx.t("Nomor telepon dan perekrut", "Phones and recruiters")) }
        ul {
            @for p in &d.phones { li.phone { (ctx.t("Telepon", "Phone")) ": " (p.national()) } }
            @for n in &d.recruiters { li.recruiter { (ctx.t("Calo / perekrut", "Recruiter")) ": " (n) } }
            @if d.phones.is_empty() && d.recruiters.is_empty() { li.muted { (ctx.t("Tidak ada.", "None.")) } }
        }
        @if let Some((apps, total)) = &detail.linked {
            section.linked-applications {
                h2 { (ctx.t("Permohonan yang terkait", "Linked applications")) " (" (total) ")" }
                p.muted { (ctx.t("Keterkaitan adalah sinyal untuk wawancara; tidak mengubah keputusan.", "A link is a signal for the interview; it never changes a decision.")) }
                @if apps.is_empty() { p.muted { (ctx.t("Belum ada permohonan yang terkait.", "No application is linked yet.")) } }
                ul {
                    @for a in apps {
                        li.linked-application data-key=(a.key.0) {
                            a href=(format!("/permohonan/{}", a.key.0)) { (a.full_name) }
                            " · " (a.office.as_str()) " " (a.application_id)
                            " · " (lang.date(a.applied_on))
                            " · " strong { (lang.t(crate::pages::application::link_label(a.alert.linked_by).0, crate::pages::application::link_label(a.alert.linked_by).1)) }
                            ul { @for reason in &a.alert.reasons { li { (reason) } } }
                        }
                    }
                }
                @if *total > apps.len() { p.muted { (ctx.t("Hanya yang terkuat yang ditampilkan.", "Only the strongest are shown.")) } }
            }
        }
        @if !detail.operations.is_empty() {
            h2 { (ctx.t("Operasi Timpora terkait", "Linked Timpora operations")) }
            ul { @for op in &detail.operations {
                li { a href=(format!("/desa/timpora#operasi-{}", op.id)) { (lang.date(op.data.held_on)) " · " (op.data.lead_office.as_str()) } }
            } }
        }
        h2 { (ctx.t("Riwayat tindak lanjut", "Follow-up history")) }
        table.history {
            thead { tr { th { (ctx.t("Waktu", "When")) } th { (ctx.t("Status", "Status")) } th { (ctx.t("Oleh", "By")) } th { (ctx.t("Catatan", "Note")) } } }
            tbody { @for h in &detail.view.history { tr {
                td { (lang.instant(&h.at)) } td { (status_label(lang, h.status)) } td { (h.by) } td { (h.note.clone().unwrap_or_default()) }
            } } }
        }
        @if detail.may_follow_up && r.status != ReportStatus::Closed {
            h2 { (ctx.t("Tindak lanjut", "Follow up")) }
            @if r.status == ReportStatus::New {
                form method="post" action=(format!("{}/status", report_href(&d.report_id))) {
                    (ctx.chrome().csrf_field())
                    input type="hidden" name="status" value="acknowledged";
                    input type="hidden" name="next" value="laporan";
                    button type="submit" { (ctx.t("Terima", "Acknowledge")) }
                }
            }
            form.stack.follow-up method="post" action=(format!("{}/status", report_href(&d.report_id))) {
                (ctx.chrome().csrf_field())
                input type="hidden" name="next" value="laporan";
                label for="status" { (ctx.t("Ubah status", "Change status")) }
                select #status name="status" {
                    @for s in ReportStatus::ALL.into_iter().filter(|s| *s != ReportStatus::New) {
                        option value=(s.as_str()) selected[s == r.status] { (status_label(lang, s)) }
                    }
                }
                label for="note" { (ctx.t("Catatan", "Note")) }
                textarea #note name="note" rows="3" {}
                button type="submit" { (ctx.t("Simpan", "Save")) }
            }
            @if detail.may_manage {
                p { a href=(format!("/desa/timpora/baru?laporan={}", form_urlencoded::byte_serialize(d.report_id.as_bytes()).collect::<String>())) { (ctx.t("Catat operasi Timpora dari laporan ini", "Record a Timpora operation prompted by this report")) } }
            }
        }
    };
    let title =
        format!("{} · {}", ctx.t("Laporan desa", "Village report"), topic_label(lang, d.topic));
    page(&ctx.chrome(), &title, body).into_response()
}
