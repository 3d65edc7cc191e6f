//! Router-level tests: every route answers with the right status, language and content.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jejak_service::SystemClock;
use jejak_service::auth::{Auth, AuthConfig};
use jejak_web::{AppState, router};
use tower::ServiceExt;

async fn get(path: &str, demo: bool) -> (StatusCode, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    let store = jejak_store::open(&url).await.unwrap();
    let auth = Auth::new(store.clone(), Arc::new(SystemClock), AuthConfig::default()).unwrap();
    let mut state = AppState::new(store, Arc::new(auth));
    state.demo = demo;
    let response = router(state)
        .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn home_is_indonesian_by_default_and_lists_the_offices() {
    let (status, body) = get("/", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"id\">"), "{body}");
    assert!(body.contains("permohonan tercatat"), "{body}");
    assert!(body.contains("Kantor Imigrasi Kelas II Non TPI Kalianda"), "{body}");
    assert!(body.contains("Kabupaten Lampung Timur"), "{body}");
    assert!(!body.contains("DEMO"), "no demo banner outside demo mode");
}

#[tokio::test]
async fn the_english_switch_changes_the_language() {
    let (status, body) = get("/?lang=en", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"en\">"), "{body}");
    assert!(body.contains("applications registered"), "{body}");
    assert!(body.contains("href=\"/?lang=id\""), "{body}");
}

#[tokio::test]
async fn demo_mode_says_so_on_the_page() {
    let (_, body) = get("/", true).await;
    assert!(body.contains("DEMO: data sintetis"), "{body}");
}

#[tokio::test]
async fn the_office_api_returns_json_and_unknown_routes_are_404() {
    let (status, body) = get("/api/v1/offices", false).await;
    assert_eq!(status, StatusCode::OK);
    let offices: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(offices[1]["code"], "KLA");
    assert_eq!(offices[1]["work_area"][1], "18.07");
    assert_eq!(get("/health", false).await, (StatusCode::OK, "ok".to_owned()));
    assert_eq!(get("/nope", false).await.0, StatusCode::NOT_FOUND);
}
