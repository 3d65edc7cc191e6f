//! Router-level tests of the pages and API: status, language, content, and the limits that
//! matter on a slow office line.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use axum::http::StatusCode;
use jejak_service::authz::Role;
use jejak_web::ROUTES;

use common::App;

#[tokio::test]
async fn the_queue_is_indonesian_by_default_and_english_on_request() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    let page = app.get("/", Some(officer)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<html lang=\"id\">"), "{}", page.body);
    assert!(page.body.contains("Permohonan diproses"), "{}", page.body);
    assert!(page.body.contains("KLA-1"), "the pending application is queued");
    assert!(!page.body.contains("DEMO"), "no demo banner outside demo mode");
    let english = app.get("/?lang=en", Some(officer)).await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("Pending applications"));
    let switch = app.get("/bahasa?ke=en&kembali=/cari", None).await;
    assert!(switch.status.is_redirection());
    assert_eq!(switch.location.as_deref(), Some("/cari"));
}

#[tokio::test]
async fn demo_mode_says_so_on_every_page() {
    let app = App::start(true).await;
    let page = app.get("/", Some(app.session(Role::Petugas))).await;
    assert!(page.body.contains("DEMO: data sintetis"), "{}", page.body);
}

#[tokio::test]
async fn the_examination_shows_assessment_and_decision_form_and_logs_the_read() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    let page = app.get(&format!("/permohonan/{}", app.application_key), Some(officer)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Penilaian risiko"), "{}", page.body);
    assert!(page.body.contains("name=\"_csrf\""), "forms carry the CSRF token");
    assert!(page.body.contains("/keputusan"), "the officer of the office may decide");
    let events = app.store.audit_events(0, 1000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "personal_data.read" && e.actor == "petugas.kla"));
    let missing = app.get("/permohonan/999999", Some(officer)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_form_comes_back_with_the_fields_named() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    let reply = app
        .send(
            "POST",
            "/permohonan/baru",
            Some(officer),
            "application/x-www-form-urlencoded",
            "application_id=KLA-2&applied_on=2026-11-02&full_name=Sri&nik=12345",
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("f-nik") && reply.body.contains("field-error"), "{}", reply.body);
    assert!(reply.body.contains("value=\"Sri\""), "typed values are kept");
    let ok = app
        .send(
            "POST",
            "/permohonan/baru",
            Some(officer),
            "application/x-www-form-urlencoded",
            "application_id=KLA-2&applied_on=2026-11-02&full_name=Soeryani&nik=1807054503950001",
        )
        .await;
    assert!(ok.status.is_redirection(), "{}", ok.body);
    let exam = app.get(ok.location.as_deref().unwrap(), Some(officer)).await;
    assert!(exam.body.contains("KLA-1"), "the earlier application is a candidate: {}", exam.body);
}

#[tokio::test]
async fn the_api_speaks_json_and_unknown_routes_are_404() {
    let app = App::start(false).await;
    let offices = app.get("/api/v1/offices", None).await;
    assert_eq!(offices.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&offices.body).unwrap();
    assert_eq!(json[1]["code"], "KLA");
    let officer = app.session(Role::Petugas);
    let search = app.get("/api/v1/search?q=1807054503950001", Some(officer)).await;
    let json: serde_json::Value = serde_json::from_str(&search.body).unwrap();
    assert_eq!(json["hits"][0]["nik"], "1807********0001", "lists are masked");
    let bad =
        app.send("POST", "/api/v1/screen", Some(officer), "application/json", "{not json").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("malformed JSON"));
    let invalid = app
        .send(
            "POST",
            "/api/v1/applications",
            Some(officer),
            "application/json",
            r#"{"full_name":"X","nik":"1"}"#,
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(invalid.body.contains("\"field\":\"nik\""), "{}", invalid.body);
    assert_eq!(app.get("/nope", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let app = App::start(false).await;
    let doc = app.get("/api/openapi.json", None).await;
    let json: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    for route in ROUTES.iter().filter(|r| r.api) {
        assert!(
            json["paths"][route.path][route.method.to_lowercase()].is_object(),
            "{} {} missing",
            route.method,
            route.path
        );
    }
}

#[tokio::test]
async fn pages_stay_small_and_assets_are_cached() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    for path in ["/", "/permohonan/baru", "/cari?q=Suryani", "/impor"] {
        let page = app.get(path, Some(officer)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.len() <= 100 * 1024, "{path} is {} bytes", page.body.len());
        assert!(
            !page.body.contains("http://") && !page.body.contains("https://"),
            "{path}: no external resource"
        );
    }
    let css = app.get("/static/jejak.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(app.get("/static/../Cargo.toml", None).await.status, StatusCode::NOT_FOUND);
}

/// A multipart body with one file.
fn multipart_file(field: &str, name: &str, text: &str, csrf: &str) -> String {
    format!(
        "--X\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--X\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n--X--\r\n"
    )
}

#[tokio::test]
async fn a_rule_set_is_drafted_published_by_another_user_and_activated_from_the_pages() {
    let app = App::start(false).await;
    let example = jejak_rules::catalogue::EXAMPLE.replace("analyst-kanwil", "analis.kla");
    let analyst = app.session(Role::Analis);
    let body = multipart_file("files", "example.toml", &example, &analyst.csrf);
    let kind = "multipart/form-data; boundary=X";
    let drafted = app.send("POST", "/aturan/draf", Some(analyst), kind, &body).await;
    assert!(drafted.status.is_redirection(), "{}: {}", drafted.status, drafted.body);
    let own = app.send("POST", "/aturan/1/terbitkan", Some(analyst), "", "").await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "the author may not publish: {}", own.body);
    assert!(own.body.contains("four-eyes"), "{}", own.body);
    let supervisor = app.session(Role::Supervisor);
    let published = app.send("POST", "/aturan/1/terbitkan", Some(supervisor), "", "").await;
    assert!(published.status.is_redirection(), "{}", published.body);
    let admin = app.session(Role::Admin);
    let activated = app.send("POST", "/aturan/1/aktifkan", Some(admin), "", "").await;
    assert!(activated.status.is_redirection(), "{}", activated.body);
    let page = app.get("/aturan", Some(analyst)).await;
    assert!(page.body.contains("example 1") && page.body.contains("active"), "{}", page.body);
    let backtest = app.get("/aturan/1/uji", Some(analyst)).await;
    assert_eq!(backtest.status, StatusCode::OK, "{}", backtest.body);
    assert!(backtest.body.contains("<pre>"), "{}", backtest.body);
}

#[test]
fn every_served_route_is_in_the_table_and_every_row_is_served() {
    let served = jejak_web::served_routes();
    for route in ROUTES {
        assert!(
            served.contains(&(route.method, route.path)),
            "{} {} is in ROUTES but not served",
            route.method,
            route.path
        );
    }
    for (method, path) in &served {
        assert!(
            ROUTES.iter().any(|r| r.method == *method && r.path == *path),
            "{method} {path} is served but not in ROUTES"
        );
    }
    assert_eq!(served.len(), ROUTES.len(), "a route is listed or served twice");
    for path in ["/api/v1/applications/{key}/matches/{other}", "/api/v1/persons/{id}"] {
        assert!(ROUTES.iter().any(|r| r.path == path), "{path} in the table");
    }
}

#[tokio::test]
async fn liveness_and_readiness_answer_without_login_or_personal_data() {
    let app = App::start(false).await;
    let live = app.get("/healthz", None).await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body, "ok");
    // The index was built at start and nothing changed since: ready.
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body, "ready");
}

/// A server restored from a stale match index snapshot answers `/readyz` 503 with a short
/// reason until it has caught up with the register, then 200 (issue 18).
#[tokio::test]
async fn readiness_is_503_until_a_restored_index_has_caught_up() {
    use std::sync::Arc;

    use axum::body::Body;
    use http_body_util::BodyExt;
    use jejak_service::auth::{Auth, AuthConfig};
    use jejak_service::screening::Screening;
    use tower::ServiceExt;

    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    let ctx = jejak_store::AuditCtx {
        actor: "test".into(),
        office: None,
        purpose: None,
        at: "2026-11-01T00:00:00Z".into(),
    };
    store.insert_application(&common::suryani("KLA-1", "KLA"), &ctx).await.unwrap();
    let model = Arc::new(jejak_matching::Model::interchange().unwrap());
    let path = dir.path().join("r.db.index");
    let first = Arc::new(Screening::start(store.clone(), model.clone()).await.unwrap());
    first.save_snapshot_async(&path).await.unwrap().unwrap();
    // Written by another server after the snapshot.
    store.insert_application(&common::suryani("KLA-2", "KLA"), &ctx).await.unwrap();

    let restored = Arc::new(Screening::restore(store.clone(), model, &path).await.unwrap());
    let auth = Arc::new(
        Auth::new(store.clone(), Arc::new(jejak_service::SystemClock), AuthConfig::default())
            .unwrap(),
    );
    let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let state = jejak_web::AppState::with_screening(
        store.clone(),
        auth,
        rules,
        Arc::new(jejak_service::SystemClock),
        restored.clone(),
    );
    let router = jejak_web::router(state);
    let readyz = || async {
        let request = axum::http::Request::get("/readyz").body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    };
    let (status, body) = readyz().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.starts_with("not ready: ") && body.contains("snapshot"), "{body}");
    assert!(!body.contains("Suryani"), "no personal data: {body}");
    restored.refresh().await.unwrap();
    let (status, body) = readyz().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, "ready");
}

/// Every API error has the one shape, also those raised before a handler runs (a body or a
/// path the extractors refuse, an unknown path, a wrong method).
#[tokio::test]
async fn every_api_error_is_the_one_json_shape_with_a_stable_code() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    let key = app.application_key;
    let cases = [
        ("POST", format!("/api/v1/applications/{key}/decisions"), "{not json", "bad_request"),
        ("POST", format!("/api/v1/applications/{key}/decisions"), r#"{"kind":"issued"}"#, ""),
        ("GET", "/api/v1/applications/abc".to_owned(), "", "bad_request"),
        ("GET", "/api/v1/nope".to_owned(), "", "not_found"),
        ("DELETE", "/api/v1/queue".to_owned(), "", "method_not_allowed"),
        ("POST", "/api/v1/applications".to_owned(), r#"{"full_name":"X","nik":"1"}"#, "invalid"),
    ];
    for (method, path, body, code) in cases {
        let reply = app.send(method, &path, Some(officer), "application/json", body).await;
        assert!(reply.status.is_client_error(), "{method} {path}: {}", reply.status);
        let json: serde_json::Value = serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {}", reply.body));
        let error = &json["error"];
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {json}");
        let got = error["code"].as_str().unwrap_or_default();
        assert!(!got.is_empty(), "{method} {path}: {json}");
        if !code.is_empty() {
            assert_eq!(got, code, "{method} {path}: {json}");
        }
    }
}

/// Text the register cannot hold is refused with the field named, never a 500; names lose
/// bidirectional overrides.
#[tokio::test]
async fn control_characters_and_overlong_text_are_refused_by_field() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    let nul_name =
        r#"{"application_id":"KLA-50","applied_on":"2026-11-02","full_name":"Siti\u0000Rohmah"}"#;
    let reply =
        app.send("POST", "/api/v1/applications", Some(officer), "application/json", nul_name).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("\"field\":\"full_name\""), "{}", reply.body);
    assert!(reply.body.contains("control character"), "{}", reply.body);

    let long_address = format!(
        r#"{{"application_id":"KLA-51","applied_on":"2026-11-02","full_name":"Siti","address":"{}"}}"#,
        "x".repeat(600)
    );
    let reply = app
        .send("POST", "/api/v1/applications", Some(officer), "application/json", &long_address)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("\"field\":\"address\""), "{}", reply.body);

    let key = app.application_key;
    let bad_reason = r#"{"kind":"rejected","reason_text":"palsu\u0007","expected_version":1}"#;
    let reply = app
        .send(
            "POST",
            &format!("/api/v1/applications/{key}/decisions"),
            Some(officer),
            "application/json",
            bad_reason,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("reason_text"), "{}", reply.body);

    let bidi =
        r#"{"application_id":"KLA-52","applied_on":"2026-11-02","full_name":"Sur\u202einay"}"#;
    let reply =
        app.send("POST", "/api/v1/applications", Some(officer), "application/json", bidi).await;
    assert!(reply.status.is_success(), "{}", reply.body);
    assert!(reply.body.contains("Surinay"), "{}", reply.body);
}

#[tokio::test]
async fn a_village_report_sent_twice_from_the_phone_exists_once() {
    let app = App::start(false).await;
    app.designate_kla_village("18.07.05.2001").await;
    let body = r#"{"report_id":"0b7e6c7a-1f2d-4c1e-9a51-3f1f0f7b2c10","village_code":"18.07.05.2001",
        "reported_on":"2026-11-01","topic":"recruiter","source_reliability":"b","info_credibility":2,
        "persons":[{"name":"Siti Rohmah","birth_date":"1998-02-03"}],"phones":["0812-7788-9900"],
        "recruiters":["Pak Joko"],"narrative":"Calo keliling","source":"tetangga"}"#;
    let pimpasa = app.session(Role::Pimpasa);
    let first =
        app.send("POST", "/api/v1/village-reports", Some(pimpasa), "application/json", body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(first.body.contains("\"office\":\"KLA\""), "{}", first.body);
    let again =
        app.send("POST", "/api/v1/village-reports", Some(pimpasa), "application/json", body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.body.contains("\"created\":false"), "{}", again.body);
    assert_eq!(app.store.village_reports_since(0, None, 100).await.unwrap().len(), 1);
    let source = app.store.report_source("0b7e6c7a-1f2d-4c1e-9a51-3f1f0f7b2c10").await.unwrap();
    assert_eq!(source.as_deref(), Some("tetangga"));

    let bad = body.replace("18.07.05.2001", "18.07.05.9999").replace("0b7e", "1b7e");
    let refused =
        app.send("POST", "/api/v1/village-reports", Some(pimpasa), "application/json", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("village_code"), "{}", refused.body);
    let other_village = body.replace("18.07.05.2001", "18.01.04.2004").replace("0b7e", "2b7e");
    let not_mine = app
        .send("POST", "/api/v1/village-reports", Some(pimpasa), "application/json", &other_village)
        .await;
    assert_eq!(not_mine.status, StatusCode::FORBIDDEN, "{}", not_mine.body);
    let officer = app.session(Role::Petugas);
    let denied =
        app.send("POST", "/api/v1/village-reports", Some(officer), "application/json", body).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
}

#[tokio::test]
async fn a_mistyped_nik_from_a_file_is_kept_flagged_shown_and_still_refused_at_the_desk() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    // An old sheet: Suryani's NIK (1807054503950001) with a digit dropped.
    let csv = "application_id,office_code,applied_on,full_name,nik,sex,birth_date\n\
               KLA-2019-7,KLA,2019-04-01,Suryani binti Ahmad,180705450395001,P,1995-03-05\n";
    let imported =
        app.send("POST", "/api/v1/imports?file=lama.csv", Some(officer), "text/csv", csv).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let report: serde_json::Value = serde_json::from_str(&imported.body).unwrap();
    assert_eq!(report["inserted"], 1);
    let warning = &report["files"][0]["warning_details"][0];
    assert_eq!((warning["row"].as_u64(), warning["column"].as_str()), (Some(2), Some("nik")));
    assert_eq!(warning["value"], "180705450395001");

    // Search by the correctly typed NIK finds the stored one and the mistyped copy.
    let search = app.get("/api/v1/search?q=1807054503950001", Some(officer)).await;
    let found: serde_json::Value = serde_json::from_str(&search.body).unwrap();
    let hits: Vec<(&str, bool)> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["application_id"].as_str().unwrap(), h["nik_valid"].as_bool().unwrap()))
        .collect();
    assert_eq!(hits, [("KLA-1", true), ("KLA-2019-7", false)], "{}", search.body);
    let key = found["hits"][1]["key"].as_i64().unwrap();

    // The examination answer and page show the NIK as written, flagged.
    let exam = app.get(&format!("/api/v1/applications/{key}"), Some(officer)).await;
    assert_eq!(exam.status, StatusCode::OK, "{}", exam.body);
    let exam: serde_json::Value = serde_json::from_str(&exam.body).unwrap();
    assert_eq!(exam["application"]["application"]["nik"], "180705450395001");
    assert_eq!(exam["application"]["application"]["nik_valid"], false);
    let matched: Vec<&str> = exam["assessment"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["application_id"].as_str().unwrap())
        .collect();
    assert_eq!(matched, ["KLA-1"], "the identity engine still finds the person");
    let path = format!("/api/v1/applications/{}", app.application_key);
    let valid: serde_json::Value =
        serde_json::from_str(&app.get(&path, Some(officer)).await.body).unwrap();
    assert_eq!(valid["application"]["application"]["nik_valid"], true);
    let page = app.get(&format!("/permohonan/{key}"), Some(officer)).await;
    assert!(page.body.contains("180705450395001"), "{}", page.body);
    assert!(page.body.contains("NIK tidak valid"), "{}", page.body);
    let page = app.get(&format!("/permohonan/{key}?lang=en"), Some(officer)).await;
    assert!(page.body.contains("invalid NIK"), "{}", page.body);

    // At the desk the same NIK is refused, in the form and in the API.
    let form = app
        .send(
            "POST",
            "/permohonan/baru",
            Some(officer),
            "application/x-www-form-urlencoded",
            "application_id=KLA-9&applied_on=2026-11-02&full_name=Suryani&nik=180705450395001",
        )
        .await;
    assert_eq!(form.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form.body.contains("NIK must be 16 digits") || form.body.contains("16 digit"));
    let api = app
        .send(
            "POST",
            "/api/v1/applications",
            Some(officer),
            "application/json",
            r#"{"application_id":"KLA-9","applied_on":"2026-11-02","full_name":"Suryani","nik":"1807057503950001"}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", api.body);
    assert!(api.body.contains("\"field\":\"nik\""), "{}", api.body);
}
