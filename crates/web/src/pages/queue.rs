//! The home page: the office's work queue (pending applications, newest first, with their
//! risk band and matches elsewhere) and the review requests waiting for a supervisor.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jejak_service::views::Home;
use maud::html;

use crate::AppState;
use crate::layout::{page, risk_band};
use crate::pages::PageCtx;

/// `GET /`.
pub(crate) async fn home(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let actor = ctx.actor();
    let queue = match state.casework.home(actor).await {
        Ok(Home::Queue(q)) => q,
        Ok(Home::Villages) => return axum::response::Redirect::to("/desa").into_response(),
        Ok(Home::Welcome) => {
            return page(
                &ctx.chrome(),
                ctx.t("Beranda", "Home"),
                html! {
                    p { (ctx.t("Selamat datang di Jejak.", "Welcome to Jejak.")) }
                },
            )
            .into_response();
        }
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let title = format!("{} {}", ctx.t("Antrean", "Queue"), actor.office.as_str());
    let body = html! {
        @if !queue.awaiting_review.is_empty() {
            p.notice {
                a href="/tinjauan" {
                    (queue.awaiting_review.len()) " "
                    (ctx.t("permintaan menunggu tinjauan kepala seksi", "requests await a supervisor's review"))
                }
            }
        }
        h2 { (ctx.t("Permohonan diproses", "Pending applications")) }
        @if queue.pending.is_empty() {
            p.muted { (ctx.t("Tidak ada permohonan yang menunggu.", "No application is waiting.")) }
        } @else {
            table {
                thead { tr {
                    th { (ctx.t("No. permohonan", "Application no.")) }
                    th { (ctx.t("Nama", "Name")) }
                    th { (ctx.t("Tanggal", "Date")) }
                    th { (ctx.t("Risiko", "Risk")) }
                    th { (ctx.t("Permohonan lain orang ini", "Other applications of this person")) }
                    th { span.muted { (ctx.t("Tindakan", "Action")) } }
                } }
                tbody {
                    @for item in &queue.pending {
                        tr {
                            td { (item.application.data.application_id) }
                            td { (item.application.data.full_name) }
                            td { (lang.date(item.application.data.applied_on)) }
                            td { (risk_band(lang, item.band))
                                @if item.flagged { " " span.failed { "⚑" } } }
                            td { (item.matches) }
                            td { a href=(format!("/permohonan/{}", item.application.key.0)) {
                                (ctx.t("Periksa", "Examine")) } }
                        }
                    }
                }
            }
        }
    };
    page(&ctx.chrome(), &title, body).into_response()
}
