//! `CurrentUser`: the actor behind the request, from the session cookie or, for `/api/`, an
//! `Authorization: Bearer` API token (rate-limited per token, sessions per user).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use jejak_service::ServiceError;
use jejak_service::authz::{Actor, Credential};

use crate::AppState;
use crate::auth::reply::{is_api, service_error, too_many, unauthenticated};
use crate::auth::{SESSION_COOKIE, cookie};
use crate::i18n::Lang;

/// The logged-in user (or partner system) and the CSRF token its forms must carry (empty for
/// API tokens, which need none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf: String,
}

impl CurrentUser {
    /// Whether the request came with an API token rather than a session.
    pub fn is_token(&self) -> bool {
        matches!(self.actor.credential, Credential::Token { .. })
    }
}

/// The bearer token of the request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// Who is asking, or `None` when nobody valid is; `Err` is the response to give instead
/// (rate limit, failure inside).
pub(crate) async fn resolve(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, Response> {
    // On the API a bearer token, when given, is the only credential looked at.
    if is_api(uri)
        && let Some(secret) = bearer(headers)
    {
        return match state.auth.token(secret).await {
            Ok(actor) => {
                if let Credential::Token { name, .. } = &actor.credential {
                    state.limiter.check(name).map_err(too_many)?;
                }
                Ok(Some(CurrentUser { actor, csrf: String::new() }))
            }
            Err(ServiceError::Unauthenticated(_)) => Ok(None),
            Err(e) => Err(service_error(uri, Lang::of(uri, headers), &e)),
        };
    }
    let Some(token) = cookie::read(headers, SESSION_COOKIE) else { return Ok(None) };
    match state.auth.session(token).await {
        Ok(session) => {
            // Sessions share the token buckets, one per user (`user:` cannot begin a token
            // name), so one officer's session cannot read in bulk either.
            state.limiter.check(&format!("user:{}", session.actor.username)).map_err(too_many)?;
            Ok(Some(CurrentUser { actor: session.actor, csrf: session.csrf }))
        }
        Err(ServiceError::Unauthenticated(_)) => Ok(None),
        Err(e) => Err(service_error(uri, Lang::of(uri, headers), &e)),
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // The CSRF guard has already looked the session up for unsafe requests.
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        match resolve(state, &parts.uri, &parts.headers).await? {
            Some(user) => {
                parts.extensions.insert(user.clone());
                Ok(user)
            }
            None => {
                let message = if is_api(&parts.uri) && bearer(&parts.headers).is_some() {
                    "the API token is unknown or revoked"
                } else {
                    "log in first"
                };
                Err(unauthenticated(&parts.uri, Lang::of(&parts.uri, &parts.headers), message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The web layer decides no permission: outside this extractor, no source file of the
    /// crate asks the permission table (`authorize`, `may`); the service does and hands the
    /// pages what the actor may do.
    #[test]
    fn no_permission_is_decided_outside_the_service() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src.clone()];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("auth/extract.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if line.contains(".authorize(") || line.contains(".may(") {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "permission checks in crates/web/src:\n{}",
            offenders.join("\n")
        );
    }
}
