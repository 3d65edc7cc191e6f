//! `serve_tls` speaks HTTPS with a PEM certificate and key (a self-signed one made here) and
//! then sends HSTS; a bad PEM file is named in the error.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::Arc;

use jejak_service::SystemClock;
use jejak_service::auth::{Auth, AuthConfig};
use jejak_web::{AppState, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

#[tokio::test]
async fn https_works_with_a_pem_certificate_and_sends_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, generated.cert.pem()).unwrap();
    std::fs::write(&key_path, generated.signing_key.serialize_pem()).unwrap();

    let url = format!("sqlite://{}", dir.path().join("tls.db").display());
    let store = jejak_store::open(&url).await.unwrap();
    let auth = Auth::new(store.clone(), Arc::new(SystemClock), AuthConfig::default()).unwrap();
    let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let mut state =
        AppState::start(store, Arc::new(auth), rules, Arc::new(SystemClock)).await.unwrap();
    state.tls = true;
    let config = jejak_web::security::tls_config(&cert_path, &key_path).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(jejak_web::security::serve_tls(listener, router(state), config));

    let mut roots = RootCertStore::empty();
    roots.add(generated.cert.der().clone()).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = TlsConnector::from(Arc::new(client)).connect(name, tcp).await.unwrap();
    tls.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tls.read_to_string(&mut response).await.unwrap();
    server.abort();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let lower = response.to_ascii_lowercase();
    assert!(lower.contains("strict-transport-security: max-age=31536000"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
}

#[test]
fn a_missing_or_bad_pem_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let err = jejak_web::security::tls_config(&bad, &bad).unwrap_err().to_string();
    assert!(err.contains("bad.pem") && err.contains("certificate"), "{err}");
    let missing = dir.path().join("missing.pem");
    let err = jejak_web::security::tls_config(&missing, &bad).unwrap_err().to_string();
    assert!(err.contains("missing.pem"), "{err}");
}
