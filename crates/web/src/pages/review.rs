//! The supervisor's review queue: decisions an officer may not take alone, approved (the
//! decision is recorded) or refused with a note. Never by the officer who asked.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::AppState;
use crate::layout::page;
use crate::pages::PageCtx;
use crate::pages::application::kind_label;

/// `GET /tinjauan`.
pub(crate) async fn list(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let pending = match state.casework.pending_reviews(ctx.actor()).await {
        Ok(p) => p,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let body = html! {
        @if pending.is_empty() {
            p.muted { (ctx.t("Tidak ada permintaan yang menunggu.", "No request is waiting.")) }
        }
        @for (request, app) in &pending {
            section {
                h2 { "#" (request.id) " · " (app.data.application_id) " · " (app.data.full_name) }
                p { (ctx.t("Diminta oleh", "Requested by")) " " strong { (request.data.requested_by) }
                    " (" (lang.instant(&request.requested_at)) "): " (kind_label(lang, request.data.proposed.kind)) }
                p.notice { (ctx.t("Dasar: ", "Grounds: ")) (request.data.grounds) }
                @if let Some(text) = &request.data.proposed.reason_text { p { (text) } }
                p { a href=(format!("/permohonan/{}", app.key.0)) { (ctx.t("Buka pemeriksaan", "Open the examination")) } }
                form.stack method="post" action=(format!("/tinjauan/{}", request.id)) {
                    (ctx.chrome().csrf_field())
                    div {
                        label for=(format!("note-{}", request.id)) { (ctx.t("Catatan", "Note"))
                            span.hint { " " (ctx.t("(wajib bila ditolak)", "(required to refuse)")) } }
                        textarea id=(format!("note-{}", request.id)) name="note" rows="2" {}
                    }
                    div {
                        button type="submit" name="verdict" value="approve" { (ctx.t("Setujui", "Approve")) }
                        " "
                        button.danger type="submit" name="verdict" value="refuse" { (ctx.t("Tolak", "Refuse")) }
                    }
                }
            }
        }
    };
    page(&ctx.chrome(), ctx.t("Tinjauan kepala seksi", "Supervisor review"), body).into_response()
}

#[derive(Deserialize)]
pub(crate) struct Verdict {
    verdict: String,
    note: Option<String>,
}

/// `POST /tinjauan/{id}`.
pub(crate) async fn resolve(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(id): Path<i64>,
    Form(form): Form<Verdict>,
) -> Response {
    let approve = form.verdict == "approve";
    match state.casework.resolve_review(ctx.actor(), id, approve, form.note).await {
        Ok(_) => Redirect::to("/tinjauan").into_response(),
        Err(e) => ctx.fail(&e),
    }
}
