//! The person page: every application of one person across offices, oldest first, with the
//! decisions and the officers' match verdicts. Opening it needs a purpose, logged with the
//! read (UU PDP); supervisors can split off applications merged by mistake, with a reason.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jejak_domain::{ApplicationKey, Verdict};
use jejak_service::ServiceError;
use jejak_service::authz::Entry;
use maud::html;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;
use crate::pages::application::kind_label;
use crate::pages::purpose::{PurposeQuery, purpose_form};

/// `GET /orang/{id}?keperluan=...&tujuan=...`.
pub(crate) async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> Response {
    let title = format!("{} {id}", ctx.t("Orang", "Person"));
    let Some(purpose) = q.stated() else {
        if let Err(e) = ctx.actor().open(Entry::Person) {
            return ctx.fail(&e);
        }
        let choices = match state.casework.purposes() {
            Ok(p) => p.choices().to_vec(),
            Err(e) => return ctx.fail(&e),
        };
        let body = html! {
            p { (ctx.t("Rekam data lengkap seseorang hanya dibuka untuk suatu keperluan, yang dicatat.",
                       "A person's full record is opened only for a stated purpose, which is logged.")) }
            (purpose_form(&ctx, &format!("/orang/{id}"), &choices))
        };
        return page(&ctx.chrome(), &title, body).into_response();
    };
    let (person, may_split) = match state.casework.person_view(ctx.actor(), &id, &purpose).await {
        Ok(view) => (view.person, view.may_split),
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let body = html! {
        p.muted { (ctx.t("Keperluan: ", "Purpose: ")) (purpose.choice) " — " (purpose.detail) }
        @if !person.unresolved.is_empty() {
            p.notice { (ctx.t("Putusan petugas saling bertentangan pada pasangan: ",
                              "Officers' verdicts contradict each other on: "))
                @for (a, b) in &person.unresolved { (a.0) "–" (b.0) " " } }
        }
        h2 { (ctx.t("Riwayat di seluruh kantor", "History across offices")) }
        form method="post" action=(format!("/orang/{id}/pisah")) {
            (ctx.chrome().csrf_field())
            table {
                thead { tr {
                    @if may_split { th { span.muted { (ctx.t("Pisahkan", "Split off")) } } }
                    th { (ctx.t("Tanggal", "Date")) } th { (ctx.t("Kantor", "Office")) }
                    th { (ctx.t("Permohonan", "Application")) } th { (ctx.t("Nama", "Name")) }
                    th { "NIK" } th { (ctx.t("Keputusan", "Decisions")) }
                } }
                tbody {
                    @for a in &person.applications {
                        tr {
                            @if may_split { td { input type="checkbox" name="key" value=(a.key.0)
                                aria-label=(format!("{} {}", ctx.t("Pisahkan", "Split off"), a.application.application_id)); } }
                            td { (lang.date(a.application.applied_on)) }
                            td { (a.application.office_code.as_str()) }
                            td { a href=(format!("/permohonan/{}", a.key.0)) { (a.application.application_id) } }
                            td { (a.application.full_name) }
                            td { (a.application.nik_text().unwrap_or("—"))
                                @if !a.application.nik_valid() { " " span.invalid-id { (ctx.t("NIK tidak valid", "invalid NIK")) } } }
                            td {
                                @for d in &a.decisions {
                                    (kind_label(lang, d.data.kind)) " " (lang.date(d.data.decided_on))
                                    @if let Some(u) = d.data.deferral_until { " → " (lang.date(u)) }
                                    " " (d.data.reason_codes.join(", ")) br;
                                }
                            }
                        }
                    }
                }
            }
            @if may_split && person.applications.len() > 1 {
                div.stack {
                    label for="split-reason" { (ctx.t("Alasan koreksi (wajib)", "Reason for the correction (required)")) }
                    input type="text" id="split-reason" name="reason" required;
                    button.danger type="submit" { (ctx.t("Pisahkan yang dipilih", "Split off the selected")) }
                }
            }
        }
        @if !person.verdicts.is_empty() {
            h2 { (ctx.t("Putusan kecocokan oleh petugas", "Officers' match verdicts")) }
            ul {
                @for v in &person.verdicts {
                    @let (a, b) = v.data.pair();
                    li { (a.0) "–" (b.0) ": "
                        strong { (match v.data.verdict() { Verdict::Confirm => ctx.t("orang yang sama", "same person"), Verdict::Reject => ctx.t("bukan orang yang sama", "not the same person") }) }
                        " — " (v.data.reason()) span.muted { " (" (v.data.officer()) ", " (v.data.decided_at()) ")" } }
                }
            }
        }
    };
    page(&ctx.chrome(), &title, body).into_response()
}

/// `POST /orang/{id}/pisah`: `key=..&key=..&reason=..`.
pub(crate) async fn split(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    if let Err(e) = ctx.actor().open(Entry::PersonSplit) {
        return ctx.fail(&e);
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mut keys = Vec::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k == "key") {
        match v.parse() {
            Ok(n) => keys.push(ApplicationKey(n)),
            Err(_) => {
                return ctx
                    .fail(&ServiceError::Invalid(format!("{k}: {v:?} is not an application")));
            }
        }
    }
    let reason = pairs.iter().find(|(k, _)| k == "reason").map_or("", |(_, v)| v.as_str());
    match state.casework.split_person(ctx.actor(), &id, &keys, reason).await {
        Ok(outcome) => {
            let first = outcome.persons.first().map(ToString::to_string).unwrap_or(id);
            Redirect::to(&format!("/orang/{first}?tujuan=koreksi%20penggabungan")).into_response()
        }
        Err(e) => ctx.fail(&e),
    }
}
