//! Who one is (`/account`, `/api/v1/me`) and the API of users and tokens (for
//! administrators and their scripts).

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use jejak_service::authz::Credential;
use maud::html;
use serde_json::json;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::reply::service_error;
use crate::i18n::Lang;
use crate::layout::page;
use crate::pages::PageCtx;

/// `GET /api/v1/me`: the actor and what it may do.
pub(crate) async fn me(user: CurrentUser) -> Response {
    let actor = &user.actor;
    let scopes = match &actor.credential {
        Credential::User | Credential::Console => None,
        Credential::Token { scopes, .. } => Some(scopes.clone()),
    };
    Json(json!({
        "username": actor.username,
        "display_name": actor.display_name,
        "role": actor.role,
        "office": actor.office.as_str(),
        "token_scopes": scopes,
    }))
    .into_response()
}

/// `GET /api/v1/users` (`manage_users`).
pub(crate) async fn users(
    State(state): State<AppState>,
    uri: Uri,
    lang: Lang,
    user: CurrentUser,
) -> Response {
    match state.auth.list_users(&user.actor).await {
        Ok(users) => Json(
            users
                .iter()
                .map(|u| {
                    json!({
                        "username": u.username,
                        "display_name": u.display_name,
                        "role": u.role,
                        "office": u.office.as_str(),
                        "active": u.active,
                        "locked_until": u.locked_until,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => service_error(&uri, lang, &e),
    }
}

/// `GET /api/v1/tokens` (`manage_tokens`): never the secrets.
pub(crate) async fn tokens(
    State(state): State<AppState>,
    uri: Uri,
    lang: Lang,
    user: CurrentUser,
) -> Response {
    match state.auth.list_tokens(&user.actor).await {
        Ok(tokens) => Json(
            tokens
                .iter()
                .map(|t| {
                    json!({
                        "name": t.name,
                        "role": t.role,
                        "scopes": t.scopes,
                        "office": t.office.as_str(),
                        "created_by": t.created_by,
                        "revoked_at": t.revoked_at,
                        "last_used_at": t.last_used_at,
                        "expires_at": t.expires_at,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => service_error(&uri, lang, &e),
    }
}

/// `GET /account`: who is logged in, and the logout button (with the CSRF token).
pub(crate) async fn account(ctx: PageCtx) -> Response {
    let lang = ctx.lang;
    let actor = ctx.actor();
    let (role_id, role_en) = actor.role.label();
    let logout = if lang == Lang::En { "/logout?lang=en" } else { "/logout" };
    let body = html! {
        dl.kv {
            dt { (lang.t("Nama", "Name")) } dd { (actor.display_name) }
            dt { (lang.t("Nama pengguna", "Username")) } dd { (actor.username) }
            dt { (lang.t("Peran", "Role")) } dd { (lang.t(role_id, role_en)) }
            dt { (lang.t("Kantor", "Office")) } dd { (actor.office.as_str()) }
        }
        form method="post" action=(logout) {
            (ctx.chrome().csrf_field())
            button type="submit" { (lang.t("Keluar", "Log out")) }
        }
    };
    page(&ctx.chrome(), lang.t("Akun saya", "My account"), body).into_response()
}
