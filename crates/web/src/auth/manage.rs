//! Who one is (`/account`, `/api/v1/me`) and the API of users and tokens (for
//! administrators and their scripts).

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};
use jejak_service::authz::Credential;
use serde_json::json;

use crate::AppState;
use crate::auth::reply::{lang_of, service_error};
use crate::auth::{CSRF_FIELD, CurrentUser};
use crate::html::escape;
use crate::i18n::Lang;

/// `GET /api/v1/me`: the actor and what it may do.
pub(crate) async fn me(user: CurrentUser) -> Response {
    let actor = &user.actor;
    let scopes = match &actor.credential {
        Credential::User => None,
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
pub(crate) async fn users(State(state): State<AppState>, uri: Uri, user: CurrentUser) -> Response {
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
        Err(e) => service_error(&uri, &e),
    }
}

/// `GET /api/v1/tokens` (`manage_tokens`): never the secrets.
pub(crate) async fn tokens(State(state): State<AppState>, uri: Uri, user: CurrentUser) -> Response {
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
        Err(e) => service_error(&uri, &e),
    }
}

/// `GET /account`: who is logged in, and the logout button (with the CSRF token).
pub(crate) async fn account(uri: Uri, user: CurrentUser) -> Response {
    let lang = lang_of(&uri);
    let actor = &user.actor;
    let (role_id, role_en) = actor.role.label();
    let html = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Jejak</title></head><body><header><h1>Jejak</h1></header><main><h2>{title}</h2><dl><dt>{name_h}</dt><dd>{name}</dd><dt>{user_h}</dt><dd>{username}</dd><dt>{role_h}</dt><dd>{role}</dd><dt>{office_h}</dt><dd>{office}</dd></dl><form method=\"post\" action=\"/logout{query}\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\"><button type=\"submit\">{logout}</button></form></main></body></html>",
        code = lang.code(),
        title = lang.t("Akun saya", "My account"),
        name_h = lang.t("Nama", "Name"),
        user_h = lang.t("Nama pengguna", "Username"),
        role_h = lang.t("Peran", "Role"),
        office_h = lang.t("Kantor", "Office"),
        name = escape(&actor.display_name),
        username = escape(&actor.username),
        role = escape(lang.t(role_id, role_en)),
        office = escape(actor.office.as_str()),
        query = if lang == Lang::En { "?lang=en" } else { "" },
        csrf = escape(&user.csrf),
        logout = lang.t("Keluar", "Log out"),
    );
    Html(html).into_response()
}
