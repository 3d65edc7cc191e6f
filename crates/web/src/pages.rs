//! The pages and API routes of this first release: the register's home page and office list.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::AppState;
use crate::html::escape;
use crate::i18n::{Lang, LangQuery};

fn internal(e: &jejak_store::StoreError) -> Response {
    tracing::error!(error = %e, "store failure");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

pub(crate) async fn health() -> &'static str {
    "ok"
}

/// Home: what the register holds, per office.
pub(crate) async fn home(State(state): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::from_query(&q);
    let (offices, total) =
        match (state.store.list_offices().await, state.store.count_applications().await) {
            (Ok(o), Ok(t)) => (o, t),
            (Err(e), _) | (_, Err(e)) => return internal(&e),
        };
    let mut rows = String::new();
    for office in &offices {
        let area: Vec<String> = office
            .work_area
            .iter()
            .map(|r| r.info().map_or_else(|| r.dotted(), |i| i.name.clone()))
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(office.code.as_str()),
            escape(&office.name),
            escape(&area.join(", "))
        ));
    }
    let banner = if state.demo {
        format!(
            "<p class=\"demo\" role=\"alert\">{}</p>",
            lang.t(
                "DEMO: data sintetis, bukan data pemohon sungguhan.",
                "DEMO: synthetic data, not real applicants."
            )
        )
    } else {
        String::new()
    };
    let other = match lang {
        Lang::Id => "<a href=\"/?lang=en\" lang=\"en\">English</a>",
        Lang::En => "<a href=\"/?lang=id\" lang=\"id\">Bahasa Indonesia</a>",
    };
    let page = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Jejak</title></head><body><header><h1>Jejak</h1><nav>{other}</nav></header>{banner}<main><p>{intro}</p><p><strong>{total}</strong> {apps}</p><h2>{offices_title}</h2><table><thead><tr><th>{code_h}</th><th>{name_h}</th><th>{area_h}</th></tr></thead><tbody>{rows}</tbody></table></main></body></html>",
        code = lang.code(),
        intro = lang.t(
            "Register bersama permohonan paspor seluruh kantor imigrasi.",
            "The shared register of passport applications of all immigration offices."
        ),
        apps = lang.t("permohonan tercatat", "applications registered"),
        offices_title = lang.t("Kantor Imigrasi", "Immigration offices"),
        code_h = lang.t("Kode", "Code"),
        name_h = lang.t("Nama", "Name"),
        area_h = lang.t("Wilayah kerja", "Work area"),
    );
    Html(page).into_response()
}

#[derive(Serialize)]
struct OfficeResponse {
    code: String,
    name: String,
    work_area: Vec<String>,
}

/// `GET /api/v1/offices`.
pub(crate) async fn api_offices(State(state): State<AppState>) -> Response {
    match state.store.list_offices().await {
        Ok(offices) => Json(
            offices
                .into_iter()
                .map(|o| OfficeResponse {
                    code: o.code.as_str().to_owned(),
                    name: o.name,
                    work_area: o.work_area.iter().map(|r| r.dotted()).collect(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => internal(&e),
    }
}
