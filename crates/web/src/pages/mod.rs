//! The officer pages: server-rendered HTML, one module per page family. Every handler gets a
//! `PageCtx` (the logged-in user, language, DEMO flag) and calls the service, which enforces
//! the permissions.

pub(crate) mod admin;
pub(crate) mod admin_records;
pub(crate) mod application;
pub(crate) mod dashboard;
pub(crate) mod evaluation;
pub(crate) mod import;
pub(crate) mod person;
pub(crate) mod purpose;
pub(crate) mod queue;
pub(crate) mod referral;
pub(crate) mod review;
pub(crate) mod rules;
pub(crate) mod search;
pub(crate) mod village;
pub(crate) mod village_register;

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use jejak_service::ServiceError;
use jejak_service::authz::Actor;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::{LANG_COOKIE, Lang};
use crate::layout::{Chrome, encode_path};

/// What every page handler needs.
pub(crate) struct PageCtx {
    pub(crate) user: CurrentUser,
    pub(crate) lang: Lang,
    pub(crate) demo: bool,
    pub(crate) path: String,
}

impl PageCtx {
    pub(crate) fn chrome(&self) -> Chrome<'_> {
        Chrome {
            lang: self.lang,
            demo: self.demo,
            user: Some(&self.user.actor),
            csrf: &self.user.csrf,
            path: &self.path,
        }
    }

    pub(crate) fn actor(&self) -> &Actor {
        &self.user.actor
    }

    pub(crate) fn t<'s>(&self, id: &'s str, en: &'s str) -> &'s str {
        self.lang.t(id, en)
    }

    /// The error page for a failed service call.
    pub(crate) fn fail(&self, err: &ServiceError) -> Response {
        crate::error::page_error(&self.chrome(), err)
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let app = state;
        let lang = Lang::from_request_parts(parts, state).await.unwrap_or_default();
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let user = CurrentUser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(PageCtx { user, lang, demo: app.demo, path })
    }
}

#[derive(Deserialize)]
pub(crate) struct SwitchQuery {
    ke: Option<String>,
    kembali: Option<String>,
}

/// `GET /bahasa?ke=en&kembali=/path`: remembers the language in a cookie and goes back.
pub(crate) async fn switch_language(Query(q): Query<SwitchQuery>) -> Response {
    let lang = Lang::parse(q.ke.as_deref()).unwrap_or_default();
    let back = q.kembali.as_deref().unwrap_or("/");
    let back = if back.starts_with('/') && !back.starts_with("//") { back } else { "/" };
    let cookie =
        format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
    let location = encode_path(back).replace("%3F", "?").replace("%3D", "=").replace("%26", "&");
    ([(axum::http::header::SET_COOKIE, cookie)], Redirect::to(&location)).into_response()
}

/// `GET /health`, `GET /healthz`: the process answers (no login, no personal data).
pub(crate) async fn health() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 `ready` once this server's match index has caught up with the register,
/// else 503 with a short reason (no login, no personal data), so a load balancer sends officers
/// only to servers that see every office's latest applications.
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    use jejak_service::screening::Readiness;
    match state.casework.screening().readiness().await {
        Readiness::Ready => (StatusCode::OK, "ready").into_response(),
        Readiness::NotReady(reason) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}")).into_response()
        }
    }
}
