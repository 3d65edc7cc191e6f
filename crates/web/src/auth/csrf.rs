//! The CSRF guard: a POST, PUT, PATCH or DELETE that comes with a valid session cookie must
//! carry that session's CSRF token in the `X-CSRF-Token` header or the `_csrf` form field
//! (urlencoded or multipart), else 403. Bearer-token API requests carry no cookie an
//! attacker's page could ride on, so they are exempt; `/login` has its own double-submit
//! token.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::Response;
use jejak_service::auth::secrets_equal;

use crate::AppState;
use crate::auth::extract::{bearer, resolve};
use crate::auth::reply::{forbidden, is_api};
use crate::auth::{CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, cookie};
use crate::i18n::Lang;

/// Largest body read to find the `_csrf` field (an import upload fits).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Middleware: refuses state-changing session requests without the session's CSRF token.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let exempt = request.uri().path() == "/login"
        || (is_api(request.uri()) && bearer(request.headers()).is_some());
    if safe || exempt || cookie::read(request.headers(), SESSION_COOKIE).is_none() {
        return next.run(request).await;
    }
    let user = match resolve(&state, request.uri(), request.headers()).await {
        Ok(Some(user)) => user,
        // An expired or unknown session is no session: the handler answers as to anyone.
        Ok(None) => return next.run(request).await,
        Err(response) => return response,
    };
    let uri = request.uri().clone();
    let lang = Lang::of(&uri, request.headers());
    let header =
        request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (request, sent) = match header {
        Some(token) => (request, Some(token)),
        None => {
            let content_type = request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let (parts, body) = request.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
                return forbidden(&uri, lang, "request body too large to check the CSRF token");
            };
            let sent = form_field(&content_type, &bytes);
            (Request::from_parts(parts, Body::from(bytes)), sent)
        }
    };
    match sent {
        Some(token) if secrets_equal(&token, &user.csrf) => {
            let mut request = request;
            request.extensions_mut().insert(user);
            next.run(request).await
        }
        _ => forbidden(&uri, lang, "missing or wrong CSRF token: reload the page and try again"),
    }
}

/// The `_csrf` field of an urlencoded or multipart body.
fn form_field(content_type: &str, body: &Bytes) -> Option<String> {
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/x-www-form-urlencoded" => {
            form_urlencoded::parse(body).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned())
        }
        "multipart/form-data" => {
            let boundary = content_type.split(';').find_map(|p| {
                p.trim().strip_prefix("boundary=").map(|b| b.trim_matches('"').to_owned())
            })?;
            multipart_field(body, &boundary, CSRF_FIELD)
        }
        _ => None,
    }
}

/// The value of the multipart part named `name` (a plain text field).
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        let end = find(rest, delimiter.as_bytes()).unwrap_or(rest.len());
        let part = &rest[..end];
        if let Some(split) = find(part, b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&part[..split]);
            let named = headers.lines().any(|line| {
                line.to_ascii_lowercase().starts_with("content-disposition:")
                    && line.split(';').any(|p| p.trim() == wanted)
            });
            if named {
                let value = &part[split + 4..];
                let value = value.strip_suffix(b"\r\n").unwrap_or(value);
                return String::from_utf8(value.to_vec()).ok();
            }
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_in_urlencoded_and_multipart_bodies() {
        let body = Bytes::from_static(b"a=1&_csrf=abc%2Bd&b=2");
        assert_eq!(
            form_field("application/x-www-form-urlencoded", &body).as_deref(),
            Some("abc+d")
        );
        let multipart = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nname=\"_csrf\"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok123\r\n--XyZ--\r\n",
        );
        assert_eq!(
            form_field("multipart/form-data; boundary=XyZ", &multipart).as_deref(),
            Some("tok123")
        );
        assert_eq!(form_field("application/json", &body), None);
        assert_eq!(form_field("multipart/form-data; boundary=Other", &multipart), None);
    }
}
