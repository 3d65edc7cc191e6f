//! The village programme's registers: Desa Binaan designations with their PIMPASA assignments
//! (`/desa/kelola`: designate, assign, end an assignment, end a designation; history kept),
//! the outreach log (`/desa/sosialisasi`, with a one-column form for a phone) and Timpora
//! joint operations (`/desa/timpora`) with their findings and the village reports that
//! prompted them. The service checks every permission; the forms' fields are read there.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jejak_domain::RegionCode;
use jejak_service::village_forms::{
    AssignmentInput, DesignationInput, EndDesignationInput, OperationInput, OutreachInput,
};
use jejak_service::villages::{VillageCapabilities, region_name};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;
use crate::pages::village::report_href;

fn region_label(code: &RegionCode) -> String {
    match region_name(code) {
        Some(name) => format!("{name} ({})", code.dotted()),
        None => code.dotted(),
    }
}

/// Links between the village pages, as far as the reader may use them.
pub(crate) fn village_menu(ctx: &PageCtx) -> Markup {
    let can = VillageCapabilities::of(ctx.actor());
    html! {
        nav.subnav aria-label=(ctx.t("Menu desa binaan", "Village menu")) {
            a href="/desa" { (ctx.t("Desa binaan", "Villages")) }
            @if can.follow_up { " · " a href="/desa/peringatan" { (ctx.t("Peringatan desa", "Village alerts")) } }
            @if can.report { " · " a href="/desa/sosialisasi" { (ctx.t("Sosialisasi", "Outreach")) } }
            @if can.manage {
                " · " a href="/desa/timpora" { (ctx.t("Operasi Timpora", "Timpora operations")) }
                " · " a href="/desa/kelola" { (ctx.t("Kelola desa binaan", "Manage villages")) }
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct DoneQuery {
    ok: Option<String>,
}

fn done_notice(ctx: &PageCtx, q: &DoneQuery) -> Markup {
    html! {
        @if let Some(what) = &q.ok {
            p.notice role="status" { (ctx.t("Tersimpan", "Saved")) ": " (what) }
        }
    }
}

fn redirect_done(path: &str, what: &str) -> Response {
    let what: String = form_urlencoded::byte_serialize(what.as_bytes()).collect();
    Redirect::to(&format!("{path}?ok={what}")).into_response()
}

/// `GET /desa/kelola`: designations with their assignment history and the forms that change
/// them.
pub(crate) async fn manage(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    let rows = match state.villages.register_view(ctx.actor()).await {
        Ok(r) => r,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let today = state.casework.clock().today();
    let office = ctx.actor().office.as_str().to_owned();
    let body = html! {
        (village_menu(&ctx))
        (done_notice(&ctx, &q))
        section {
            h2 { (ctx.t("Tetapkan desa binaan", "Designate a village")) }
            form.stack.phone method="post" action="/desa/kelola/penetapan" {
                (ctx.chrome().csrf_field())
                label for="d-code" { (ctx.t("Kode desa (Kemendagri)", "Village code (Kemendagri)")) }
                input #d-code name="code" type="text" inputmode="numeric" placeholder="18.09.01.2004" required;
                label for="d-office" { (ctx.t("Kantor penanggung jawab", "Responsible office")) }
                input #d-office name="office" type="text" value=(office) required;
                label for="d-on" { (ctx.t("Tanggal penetapan", "Designation date")) }
                input #d-on name="on" type="date" value=(today) required;
                label for="d-decree" { (ctx.t("Nomor SK", "Decree (SK) number")) }
                input #d-decree name="decree" type="text";
                label for="d-partners" { (ctx.t("Program mitra (pisahkan dengan ;)", "Partner programmes (separated by ;)")) }
                input #d-partners name="partners" type="text" placeholder="Desa Migran Emas";
                button type="submit" { (ctx.t("Tetapkan", "Designate")) }
            }
        }
        h2 { (ctx.t("Desa binaan dan PIMPASA", "Designated villages and PIMPASA")) }
        @if rows.is_empty() { p.muted { (ctx.t("Belum ada desa binaan.", "No designated village yet.")) } }
        @for row in &rows {
            @let v = &row.village.data;
            @let code = v.code.dotted();
            section.village id=(format!("desa-{}", v.code.as_str())) {
                h3 { (region_label(&v.code)) }
                dl.kv {
                    dt { (ctx.t("Kantor", "Office")) } dd { (v.office.as_str()) }
                    dt { (ctx.t("Ditetapkan", "Designated")) } dd { (lang.date(v.designated_on))
                        @if let Some(decree) = &v.decree { " · SK " (decree) } }
                    dt { (ctx.t("Berakhir", "Ends")) } dd.ends { (v.ends_on.map(|e| lang.date(e)).unwrap_or_else(|| "—".into())) }
                    dt { (ctx.t("Program mitra", "Partner programmes")) } dd { (if v.partners.is_empty() { "—".to_owned() } else { v.partners.join(", ") }) }
                    dt { (ctx.t("Ditetapkan oleh", "Designated by")) } dd { (row.village.designated_by) }
                }
                table.assignments {
                    thead { tr { th { "PIMPASA" } th { (ctx.t("Mulai", "From")) } th { (ctx.t("Sampai", "Until")) } th {} } }
                    tbody {
                        @for a in &row.assignments {
                            tr {
                                td { (a.username) }
                                td { (lang.date(a.from_on)) }
                                td { (a.until_on.map(|u| lang.date(u)).unwrap_or_else(|| ctx.t("berjalan", "running").to_owned())) }
                                td {
                                    @if a.until_on.is_none() {
                                        form.inline method="post" action="/desa/kelola/penugasan/akhiri" {
                                            (ctx.chrome().csrf_field())
                                            input type="hidden" name="code" value=(code);
                                            input type="hidden" name="user" value=(a.username);
                                            label { (ctx.t("Akhiri pada", "End on")) " "
                                                input type="date" name="until" value=(today); }
                                            " " button type="submit" { (ctx.t("Akhiri penugasan", "End assignment")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if v.ends_on.is_none() {
                    form.inline method="post" action="/desa/kelola/penugasan" {
                        (ctx.chrome().csrf_field())
                        input type="hidden" name="code" value=(code);
                        label { (ctx.t("Pengguna PIMPASA", "PIMPASA user")) " " input type="text" name="user" required; }
                        " "
                        label { (ctx.t("Mulai", "From")) " " input type="date" name="from" value=(today); }
                        " " button type="submit" { (ctx.t("Tugaskan", "Assign")) }
                    }
                    form.inline method="post" action="/desa/kelola/penetapan/akhiri" {
                        (ctx.chrome().csrf_field())
                        input type="hidden" name="code" value=(code);
                        label { (ctx.t("Akhiri penetapan pada", "End the designation on")) " "
                            input type="date" name="on" value=(today); }
                        " " button type="submit" { (ctx.t("Akhiri penetapan", "End designation")) }
                    }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Kelola desa binaan", "Manage designated villages"), body)
        .into_response()
}

/// `POST /desa/kelola/penetapan`: designates a village.
pub(crate) async fn designate(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(input): Form<DesignationInput>,
) -> Response {
    match state.villages.designate_input(ctx.actor(), &input).await {
        Ok(v) => redirect_done("/desa/kelola", &v.data.code.dotted()),
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /desa/kelola/penugasan`: assigns a PIMPASA to a village.
pub(crate) async fn assign(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(input): Form<AssignmentInput>,
) -> Response {
    match state.villages.assign_input(ctx.actor(), &input).await {
        Ok(a) => redirect_done("/desa/kelola", &format!("{} {}", a.village.dotted(), a.username)),
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /desa/kelola/penugasan/akhiri`: ends a running assignment (kept in the history).
pub(crate) async fn end_assignment(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(input): Form<AssignmentInput>,
) -> Response {
    match state.villages.end_assignment_input(ctx.actor(), &input).await {
        Ok(_) => redirect_done("/desa/kelola", &format!("{} {}", input.code.trim(), input.user)),
        Err(e) => ctx.fail(&e),
    }
}

/// `POST /desa/kelola/penetapan/akhiri`: ends a designation (kept with both dates).
pub(crate) async fn end_designation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(input): Form<EndDesignationInput>,
) -> Response {
    match state.villages.end_designation_input(ctx.actor(), &input).await {
        Ok(v) => redirect_done("/desa/kelola", &v.data.code.dotted()),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /desa/sosialisasi`: the outreach log the reader may see (a PIMPASA: their villages).
pub(crate) async fn outreach(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    let sessions = match state.villages.outreach(ctx.actor()).await {
        Ok(s) => s,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let body = html! {
        (village_menu(&ctx))
        (done_notice(&ctx, &q))
        p { a.button href="/desa/sosialisasi/baru" { (ctx.t("Catat sosialisasi", "Record outreach")) } }
        @if sessions.is_empty() { p.muted { (ctx.t("Belum ada sosialisasi.", "No outreach recorded yet.")) } }
        ul.outreach {
            @for o in &sessions {
                @let d = &o.data;
                li.outreach-session {
                    strong { (lang.date(d.held_on)) " · " (d.kind) }
                    " · " (region_label(&d.village))
                    @if let Some(venue) = &d.venue { " · " (venue) }
                    br;
                    (ctx.t("Peserta", "Attendees")) ": "
                    (d.attendees_female) " " (ctx.t("perempuan", "women")) ", "
                    (d.attendees_male) " " (ctx.t("laki-laki", "men"))
                    @if !d.topics.is_empty() { br; (ctx.t("Materi", "Topics")) ": " (d.topics.join("; ")) }
                    @if !d.partners.is_empty() { br; (ctx.t("Instansi mitra", "Partner agencies")) ": " (d.partners.join("; ")) }
                    @if let Some(n) = &d.notes { br; span.muted { (n) } }
                    br; span.muted { (ctx.t("dicatat oleh", "recorded by")) " " (d.recorded_by) }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Sosialisasi", "Outreach log"), body).into_response()
}

/// `GET /desa/sosialisasi/baru`: the outreach form, one column for a phone.
pub(crate) async fn outreach_form(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let villages = match state.villages.list(ctx.actor()).await {
        Ok(v) => v,
        Err(e) => return ctx.fail(&e),
    };
    let today = state.casework.clock().today();
    let kinds = ["sosialisasi desa", "sekolah", "pengajian", "posyandu", "pasar", "lainnya"];
    let body = html! {
        (village_menu(&ctx))
        form #sosialisasi.stack.phone method="post" action="/desa/sosialisasi" {
            (ctx.chrome().csrf_field())
            label for="held_on" { (ctx.t("Tanggal", "Date")) }
            input #held_on type="date" name="held_on" value=(today) required;
            label for="village" { (ctx.t("Desa", "Village")) }
            select #village name="village" required {
                @for row in &villages {
                    @if row.village.data.ends_on.is_none() {
                        option value=(row.village.data.code.dotted()) { (region_label(&row.village.data.code)) }
                    }
                }
            }
            label for="venue" { (ctx.t("Tempat atau sekolah (bila bukan balai desa)", "Venue or school (when not the village hall)")) }
            input #venue type="text" name="venue";
            label for="kind" { (ctx.t("Jenis kegiatan", "Kind")) }
            input #kind type="text" name="kind" list="kinds" required value="sosialisasi desa";
            datalist #kinds { @for k in kinds { option value=(k) {} } }
            label for="attendees_female" { (ctx.t("Peserta perempuan", "Attendees, women")) }
            input #attendees_female type="number" inputmode="numeric" min="0" name="attendees_female" value="0";
            label for="attendees_male" { (ctx.t("Peserta laki-laki", "Attendees, men")) }
            input #attendees_male type="number" inputmode="numeric" min="0" name="attendees_male" value="0";
            label for="topics" { (ctx.t("Materi (satu per baris)", "Topics (one a line)")) }
            textarea #topics name="topics" rows="3" {}
            label for="partners" { (ctx.t("Instansi mitra (pisahkan dengan ;)", "Partner agencies (separated by ;)")) }
            input #partners type="text" name="partners";
            label for="notes" { (ctx.t("Catatan", "Notes")) }
            textarea #notes name="notes" rows="3" {}
            button type="submit" { (ctx.t("Simpan", "Save")) }
        }
    };
    page(&ctx.chrome(), ctx.t("Catat sosialisasi", "Record outreach"), body).into_response()
}

/// `POST /desa/sosialisasi`: records an outreach session.
pub(crate) async fn record_outreach(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(input): Form<OutreachInput>,
) -> Response {
    match state.villages.record_outreach_input(ctx.actor(), &input).await {
        Ok(o) => redirect_done(
            "/desa/sosialisasi",
            &format!("{} {}", o.data.kind, jejak_domain::date::iso(o.data.held_on)),
        ),
        Err(e) => ctx.fail(&e),
    }
}

/// `GET /desa/timpora`: Timpora operations with their findings and linked reports.
pub(crate) async fn operations(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DoneQuery>,
) -> Response {
    let ops = match state.villages.operations(ctx.actor()).await {
        Ok(o) => o,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let body = html! {
        (village_menu(&ctx))
        (done_notice(&ctx, &q))
        p { a.button href="/desa/timpora/baru" { (ctx.t("Catat operasi", "Record an operation")) } }
        @if ops.is_empty() { p.muted { (ctx.t("Belum ada operasi Timpora.", "No Timpora operation yet.")) } }
        @for op in &ops {
            @let d = &op.data;
            section.operation id=(format!("operasi-{}", op.id)) {
                h2 { (lang.date(d.held_on)) " · " (region_label(&d.area)) }
                dl.kv {
                    dt { (ctx.t("Kantor pemimpin", "Lead office")) } dd { (d.lead_office.as_str()) }
                    dt { (ctx.t("Instansi", "Participating agencies")) } dd { (if d.agencies.is_empty() { "—".to_owned() } else { d.agencies.join("; ") }) }
                    dt { (ctx.t("Orang asing diperiksa", "Foreigners checked")) } dd { (d.foreigners_checked) }
                    dt { (ctx.t("Pelanggaran", "Violations")) } dd {
                        @if d.violations.is_empty() { "—" }
                        @for (i, (kind, n)) in d.violations.iter().enumerate() { @if i > 0 { "; " } (kind) ": " (n) }
                    }
                    dt { (ctx.t("Orang diamankan", "Persons secured")) } dd { (d.persons_secured) }
                    dt { (ctx.t("Terduga PMI nonprosedural dicegah", "Suspected irregular migrant workers stopped")) } dd { (d.pmi_np_stopped) }
                    dt { (ctx.t("Laporan desa terkait", "Linked village reports")) } dd {
                        @if d.report_ids.is_empty() { "—" }
                        @for (i, id) in d.report_ids.iter().enumerate() { @if i > 0 { ", " } a href=(report_href(id)) { (id) } }
                    }
                    @if let Some(n) = &d.notes { dt { (ctx.t("Catatan", "Notes")) } dd { (n) } }
                    dt { (ctx.t("Dicatat oleh", "Recorded by")) } dd { (d.recorded_by) }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Operasi Timpora", "Timpora operations"), body).into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct OperationFormQuery {
    /// A report to link (from the report's page).
    laporan: Option<String>,
}

/// `GET /desa/timpora/baru`: the operation form.
pub(crate) async fn operation_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<OperationFormQuery>,
) -> Response {
    // The list call checks `manage_villages` before anything is shown.
    if let Err(e) = state.villages.operations(ctx.actor()).await {
        return ctx.fail(&e);
    }
    let today = state.casework.clock().today();
    let body = html! {
        (village_menu(&ctx))
        form #timpora.stack.phone method="post" action="/desa/timpora" {
            (ctx.chrome().csrf_field())
            label for="held_on" { (ctx.t("Tanggal", "Date")) }
            input #held_on type="date" name="held_on" value=(today) required;
            label for="area" { (ctx.t("Wilayah (kode kecamatan atau desa)", "Area (district or village code)")) }
            input #area type="text" inputmode="numeric" name="area" placeholder="18.07.05" required;
            label for="lead_office" { (ctx.t("Kantor pemimpin", "Lead office")) }
            input #lead_office type="text" name="lead_office" value=(ctx.actor().office.as_str()) required;
            label for="agencies" { (ctx.t("Instansi yang ikut (pisahkan dengan ;)", "Participating agencies (separated by ;)")) }
            input #agencies type="text" name="agencies" placeholder="Polres; Kesbangpol; Disnaker";
            label for="foreigners_checked" { (ctx.t("Orang asing diperiksa", "Foreigners checked")) }
            input #foreigners_checked type="number" inputmode="numeric" min="0" name="foreigners_checked" value="0";
            label for="violations" { (ctx.t("Pelanggaran (JENIS=JUMLAH; ...)", "Violations (KIND=COUNT; ...)")) }
            input #violations type="text" name="violations" placeholder="overstay=2; izin tinggal=1";
            label for="persons_secured" { (ctx.t("Orang diamankan", "Persons secured")) }
            input #persons_secured type="number" inputmode="numeric" min="0" name="persons_secured" value="0";
            label for="pmi_np_stopped" { (ctx.t("Terduga PMI nonprosedural dicegah", "Suspected irregular migrant workers stopped")) }
            input #pmi_np_stopped type="number" inputmode="numeric" min="0" name="pmi_np_stopped" value="0";
            label for="report_ids" { (ctx.t("Nomor laporan desa terkait (pisahkan dengan ;)", "Linked village report ids (separated by ;)")) }
            input #report_ids type="text" name="report_ids" value=(q.laporan.clone().unwrap_or_default());
            label for="notes" { (ctx.t("Catatan", "Notes")) }
            textarea #notes name="notes" rows="3" {}
            button type="submit" { (ctx.t("Simpan", "Save")) }
        }
    };
    page(&ctx.chrome(), ctx.t("Catat operasi Timpora", "Record a Timpora operation"), body)
        .into_response()
}

/// `POST /desa/timpora`: records an operation with its findings.
pub(crate) async fn record_operation(
    State(state): State<AppState>,
    ctx: PageCtx,
    Form(input): Form<OperationInput>,
) -> Response {
    match state.villages.record_operation_input(ctx.actor(), &input).await {
        Ok(op) => {
            Redirect::to(&format!("/desa/timpora?ok={}#operasi-{}", op.id, op.id)).into_response()
        }
        Err(e) => ctx.fail(&e),
    }
}
