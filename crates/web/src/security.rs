//! Security headers on every response, and TLS termination with rustls.
//!
//! The CSP allows only this site's own scripts, styles and images (plus `data:` images),
//! no inline script, no framing, forms posting only here. HSTS is sent only when this
//! server itself speaks TLS (behind a plain-HTTP listener it would be meaningless).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::response::Response;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
/// One year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the security headers to every response of `router`. A response that sets no caching
/// policy of its own (every page and API answer; only the static assets do) is `no-store`:
/// personal data must not stay in a shared office computer's cache or a proxy.
pub fn security_layers(router: Router, tls: bool) -> Router {
    router.layer(axum::middleware::map_response(move |mut response: Response| async move {
        let headers = response.headers_mut();
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if !headers.contains_key(CACHE_CONTROL) {
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if tls {
            headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
        }
        response
    }))
}

fn bad_pem(path: &Path, what: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{}: cannot read the TLS {what}: {e}", path.display()),
    )
}

/// A rustls server configuration from PEM files: the certificate chain and its private key.
pub fn tls_config(cert: &Path, key: &Path) -> std::io::Result<rustls::ServerConfig> {
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad_pem(cert, "certificate", e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_pem(cert, "certificate", e))?;
    if certs.is_empty() {
        return Err(bad_pem(cert, "certificate", "no CERTIFICATE block found"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad_pem(key, "private key", e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad_pem(cert, "configuration", e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad_pem(cert, "certificate and key", e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `router` over TLS on an already bound listener until the process is stopped.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    router: Router,
    config: rustls::ServerConfig,
) -> std::io::Result<()> {
    let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config));
    listener.set_nonblocking(true)?;
    axum_server::from_tcp_rustls(listener, config)?
        .serve(router.into_make_service_with_connect_info::<SocketAddr>())
        .await
}
