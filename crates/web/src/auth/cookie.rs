//! Reading the request's cookies and writing ours: HttpOnly, SameSite=Strict, Secure behind
//! TLS.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The value of cookie `name` in the request, if sent.
pub(crate) fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value; `max_age` `Some(0)` deletes the cookie, `None` lasts the browser
/// session.
pub(crate) fn set(name: &str, value: &str, path: &str, tls: bool, max_age: Option<u32>) -> String {
    let mut cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if tls {
        cookie.push_str("; Secure");
    }
    cookie
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn finds_the_named_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; jejak_session=abc; b=2"));
        assert_eq!(read(&headers, "jejak_session"), Some("abc"));
        assert_eq!(read(&headers, "jejak"), None);
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_with_tls() {
        assert_eq!(set("s", "v", "/", false, None), "s=v; Path=/; HttpOnly; SameSite=Strict");
        assert_eq!(
            set("s", "", "/", true, Some(0)),
            "s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
        );
    }
}
