//! Search across the register by NIK, name (fuzzy), phone or passport number. The list shows
//! NIK and phone masked; opening an application is a logged, purpose-tagged read.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jejak_service::ServiceError;
use jejak_service::search::SearchKind;
use maud::html;
use serde::Deserialize;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

/// `GET /cari?q=`.
pub(crate) async fn search(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<SearchQuery>,
) -> Response {
    let q = query.q.unwrap_or_default();
    let result = if q.trim().is_empty() {
        None
    } else {
        match state.casework.search(ctx.actor(), &q).await {
            Ok(r) => Some(Ok(r)),
            Err(e @ ServiceError::Invalid(_)) => Some(Err(e)),
            Err(e) => return ctx.fail(&e),
        }
    };
    if q.trim().is_empty() {
        // The permission is checked even before the first search.
        if let Err(e) = ctx.actor().open(jejak_service::authz::Entry::Search) {
            return ctx.fail(&e);
        }
    }
    let lang = ctx.lang;
    let body = html! {
        form method="get" action="/cari" role="search" {
            label for="q" { (ctx.t("NIK, nama, no. telepon atau no. paspor", "NIK, name, phone or passport number")) }
            input type="search" id="q" name="q" value=(q) minlength="3" autofocus;
            " " button type="submit" { (ctx.t("Cari", "Search")) }
        }
        @match &result {
            None => {},
            Some(Err(e)) => div.error-box role="alert" { (e.to_string()) },
            Some(Ok(r)) => {
                p.muted { (match r.kind {
                    SearchKind::Nik => ctx.t("Dicari sebagai NIK", "Searched as a NIK"),
                    SearchKind::Phone => ctx.t("Dicari sebagai nomor telepon", "Searched as a phone number"),
                    SearchKind::Passport => ctx.t("Dicari sebagai nomor paspor", "Searched as a passport number"),
                    SearchKind::Name => ctx.t("Dicari sebagai nama (ejaan lama/baru, variasi)", "Searched as a name (old/new spelling, variants)"),
                }) ": " (r.hits.len()) " " (ctx.t("hasil", "results")) }
                @if r.truncated {
                    p.notice { (ctx.t(
                        "Hanya hasil teratas yang ditampilkan. Ketik nama lebih lengkap, atau cari dengan NIK atau nomor telepon.",
                        "Only the best results are shown. Type more of the name, or search by NIK or phone number.",
                    )) }
                }
                @if !r.hits.is_empty() {
                    table {
                        thead { tr {
                            th { (ctx.t("Nama", "Name")) } th { "NIK" } th { (ctx.t("Telepon", "Phone")) }
                            th { (ctx.t("Tanggal lahir", "Born")) } th { (ctx.t("Permohonan", "Application")) }
                            th { (ctx.t("Status", "Status")) } th { (ctx.t("Orang", "Person")) }
                        } }
                        tbody {
                            @for h in &r.hits {
                                tr {
                                    td { a href=(format!("/permohonan/{}", h.key.0)) { (h.full_name) }
                                        @if let Some(p) = h.probability { span.muted { " " (format!("{:.0}%", p * 100.0)) } } }
                                    td { (h.nik_masked.as_deref().unwrap_or("—"))
                                        @if !h.nik_valid { " " span.invalid-id { (ctx.t("NIK tidak valid", "invalid NIK")) } } }
                                    td { (h.phone_masked.as_deref().unwrap_or("—")) }
                                    td { (h.birth_date.map(|d| lang.date(d)).unwrap_or_else(|| "—".into())) }
                                    td { (h.application_id) " @ " (h.office_code.as_str()) br; span.muted { (lang.date(h.applied_on)) } }
                                    td { (lang.t(h.outcome.indonesian(), h.outcome.as_str())) }
                                    td { span.muted { (h.person_id) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Cari di register", "Search the register"), body).into_response()
}
