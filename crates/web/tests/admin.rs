//! The administration pages (issue 20): each page is the admin's only, and each form does
//! what it says through the service, audited: users, API tokens, offices, the audit chain,
//! legal holds and retention, data-subject reports.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jejak_service::SystemClock;
use jejak_service::auth::{Auth, AuthConfig};
use jejak_service::authz::Role;
use tower::ServiceExt;

use common::{App, Reply};

const FORM: &str = "application/x-www-form-urlencoded";

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn post(app: &App, path: &str, role: Role, body: &str) -> Reply {
    app.send("POST", path, Some(app.session(role)), FORM, body).await
}

/// The secret a page shows once (`<code id="secret">`).
fn shown_secret(body: &str) -> String {
    let marker = "<code id=\"secret\">";
    let start =
        body.find(marker).unwrap_or_else(|| panic!("no secret shown: {body}")) + marker.len();
    body[start..].split('<').next().unwrap().to_owned()
}

async fn audit_actions(app: &App) -> Vec<String> {
    app.store.audit_events(0, 10_000).await.unwrap().into_iter().map(|e| e.action).collect()
}

fn auth(app: &App) -> Auth {
    Auth::new(app.store.clone(), Arc::new(SystemClock), AuthConfig::default()).unwrap()
}

async fn bearer(app: &App, path: &str, secret: &str) -> StatusCode {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let _ = response.into_body().collect().await.unwrap();
    status
}

#[tokio::test]
async fn the_admin_pages_are_shown_to_the_admin_only_with_an_admin_menu_entry() {
    let app = App::start(false).await;
    for path in [
        "/admin",
        "/admin/token",
        "/admin/kantor",
        "/admin/audit",
        "/admin/retensi",
        "/admin/subjek",
    ] {
        let page = app.get(path, Some(app.session(Role::Admin))).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("<a href=\"/admin\">Admin</a>"), "{path}: navigation entry");
        assert!(page.body.contains("name=\"_csrf\""), "{path}: forms carry the CSRF token");
        for role in [Role::Petugas, Role::Supervisor, Role::Analis, Role::Pimpasa] {
            let refused = app.get(path, Some(app.session(role))).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
    let queue = app.get("/", Some(app.session(Role::Petugas))).await;
    assert!(!queue.body.contains("href=\"/admin\""), "no Admin entry for officers");
    let english = app.get("/admin?lang=en", Some(app.session(Role::Admin))).await;
    assert!(english.body.contains("New user") && english.body.contains("Reset password"));
}

#[tokio::test]
async fn an_admin_creates_a_user_whose_temporary_password_works_once_shown() {
    let app = App::start(false).await;
    let body = form(&[
        ("username", "rina.bdl"),
        ("display_name", "Rina Wulandari"),
        ("role", "supervisor"),
        ("office", "BDL"),
    ]);
    let created = post(&app, "/admin/pengguna", Role::Admin, &body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let password = shown_secret(&created.body);
    assert!(password.len() >= 12, "{password}");
    let session = auth(&app).login("rina.bdl", &password, None).await.unwrap();
    assert_eq!((session.actor.role, session.actor.office.as_str()), (Role::Supervisor, "BDL"));
    let list = app.get("/admin", Some(app.session(Role::Admin))).await;
    assert!(list.body.contains("Rina Wulandari") && !list.body.contains(&password));
    assert!(audit_actions(&app).await.contains(&"user.add".to_owned()));
    assert!(
        app.store
            .audit_events(0, 10_000)
            .await
            .unwrap()
            .iter()
            .all(|e| !e.details.contains(&password)),
        "the password is never audited"
    );
    // A second user of that name is a conflict; a bad name names the field.
    assert_eq!(
        post(&app, "/admin/pengguna", Role::Admin, &body).await.status,
        StatusCode::CONFLICT
    );
    let bad = form(&[
        ("username", "Rina Bdl"),
        ("display_name", "R"),
        ("role", "petugas"),
        ("office", "BDL"),
    ]);
    let refused = post(&app, "/admin/pengguna", Role::Admin, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("username"), "{}", refused.body);
    assert_eq!(
        post(&app, "/admin/pengguna", Role::Supervisor, &body).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn disabling_resetting_and_moving_a_user_take_effect_at_once() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    let disabled = post(&app, "/admin/pengguna/petugas.kla/aktif", Role::Admin, "active=0").await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER, "{}", disabled.body);
    assert!(app.get("/", Some(officer)).await.status.is_redirection(), "sessions ended");
    let enabled = post(&app, "/admin/pengguna/petugas.kla/aktif", Role::Admin, "active=1").await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);
    assert!(app.store.get_user("petugas.kla").await.unwrap().unwrap().active);

    let reset = post(&app, "/admin/pengguna/analis.kla/sandi", Role::Admin, "").await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let password = shown_secret(&reset.body);
    assert!(app.get("/dasbor", Some(app.session(Role::Analis))).await.status.is_redirection());
    assert!(auth(&app).login("analis.kla", &password, None).await.is_ok());
    assert!(auth(&app).login("analis.kla", common::PASSWORD, None).await.is_err());

    let moved =
        post(&app, "/admin/pengguna/supervisor.kla/peran", Role::Admin, "role=analis&office=BDL")
            .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let supervisor = app.session(Role::Supervisor);
    assert_eq!(
        app.get("/tinjauan", Some(supervisor)).await.status,
        StatusCode::FORBIDDEN,
        "no longer a supervisor"
    );
    assert_eq!(app.get("/dasbor", Some(supervisor)).await.status, StatusCode::OK, "now an analyst");
    let own =
        post(&app, "/admin/pengguna/admin.kla/peran", Role::Admin, "role=petugas&office=KLA").await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "nobody changes their own role");
    let actions = audit_actions(&app).await;
    for action in ["user.disable", "user.enable", "user.password", "user.role"] {
        assert!(actions.contains(&action.to_owned()), "{action}: {actions:?}");
    }
    for path in [
        "/admin/pengguna/petugas.kla/aktif",
        "/admin/pengguna/petugas.kla/sandi",
        "/admin/pengguna/petugas.kla/peran",
    ] {
        assert_eq!(
            post(&app, path, Role::Supervisor, "active=0&role=admin&office=KLA").await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

#[tokio::test]
async fn clearing_a_login_block_lets_the_user_in_again() {
    let app = App::start(false).await;
    let (now, cutoff) = ("2026-11-02T09:00:00Z", "2026-11-02T08:45:00Z");
    let key = "login:petugas.kla@10.1.2.3";
    app.store.count_login_attempt(key, now, cutoff).await.unwrap();
    assert!(app.store.block_login_key(key, now, "2099-01-01T00:00:00Z").await.unwrap());
    let page = app.get("/admin", Some(app.session(Role::Admin))).await;
    assert!(page.body.contains("10.1.2.3"), "the block is listed");
    assert_eq!(
        post(&app, "/admin/pengguna/petugas.kla/buka", Role::Petugas, "").await.status,
        StatusCode::FORBIDDEN
    );
    let cleared = post(&app, "/admin/pengguna/petugas.kla/buka", Role::Admin, "").await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    assert!(app.store.blocked_logins(now).await.unwrap().is_empty());
    assert!(audit_actions(&app).await.contains(&"user.unlock".to_owned()));
}

#[tokio::test]
async fn a_token_is_shown_once_works_with_its_scopes_and_fails_once_revoked() {
    let app = App::start(false).await;
    let body = "name=siskop&role=admin&office=BDL&scope=manage_users&expires_on=2099-12-31";
    let created = post(&app, "/admin/token", Role::Admin, body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let secret = shown_secret(&created.body);
    assert!(secret.starts_with("jejak_"));
    assert_eq!(bearer(&app, "/api/v1/users", &secret).await, StatusCode::OK);
    assert_eq!(
        bearer(&app, "/api/v1/tokens", &secret).await,
        StatusCode::FORBIDDEN,
        "outside its scopes"
    );
    let list = app.get("/admin/token", Some(app.session(Role::Admin))).await;
    assert!(list.body.contains("siskop") && !list.body.contains(&secret), "never the secret");
    assert!(list.body.contains("2100"), "the expiry is shown: {}", list.body);
    assert_eq!(
        post(&app, "/admin/token/siskop/cabut", Role::Supervisor, "").await.status,
        StatusCode::FORBIDDEN
    );
    let revoked = post(&app, "/admin/token/siskop/cabut", Role::Admin, "").await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(bearer(&app, "/api/v1/users", &secret).await, StatusCode::UNAUTHORIZED);
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"token.add".to_owned()) && actions.contains(&"token.revoke".to_owned())
    );

    let past = "name=old&role=admin&office=BDL&scope=manage_users&expires_on=2020-01-01";
    let refused = post(&app, "/admin/token", Role::Admin, past).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("expires_at"), "{}", refused.body);
    let wrong = "name=wide&role=petugas&office=BDL&scope=manage_users";
    assert_eq!(
        post(&app, "/admin/token", Role::Admin, wrong).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a scope the role lacks"
    );
}

#[tokio::test]
async fn an_expired_token_answers_401() {
    let app = App::start(false).await;
    // Made by a server whose clock says 2020, valid until 2021: expired for the app's server.
    let then = jejak_domain::date::ymd(2020, 1, 1).unwrap().midnight().assume_utc();
    let past = Auth::new(
        app.store.clone(),
        Arc::new(jejak_service::FixedClock(then)),
        AuthConfig::default(),
    )
    .unwrap();
    let admin = jejak_service::authz::Actor::user(
        "setup",
        "Setup",
        Role::Admin,
        jejak_domain::OfficeCode::parse("BDL").unwrap(),
    );
    let scopes = [jejak_service::authz::Action::ManageUsers];
    let office = jejak_domain::OfficeCode::parse("BDL").unwrap();
    let until = then + time::Duration::days(366);
    let secret = past
        .add_token_until(&admin, "lapsed", Role::Admin, &scopes, office, Some(until))
        .await
        .unwrap();
    assert_eq!(bearer(&app, "/api/v1/users", &secret).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn offices_and_work_areas_are_added_and_updated() {
    let app = App::start(false).await;
    let saved =
        post(&app, "/admin/kantor", Role::Admin, "code=MTR&name=Kanim+Metro&areas=18.72+18.07")
            .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let offices = app.store.list_offices().await.unwrap();
    let metro = offices.iter().find(|o| o.code.as_str() == "MTR").unwrap();
    assert_eq!(metro.work_area.len(), 2);
    let updated =
        post(&app, "/admin/kantor", Role::Admin, "code=MTR&name=Kanim+Kota+Metro&areas=18.72")
            .await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER);
    let page = app.get("/admin/kantor", Some(app.session(Role::Admin))).await;
    assert!(page.body.contains("Kanim Kota Metro"), "{}", page.body);
    let bad = post(&app, "/admin/kantor", Role::Admin, "code=MTR&name=Metro&areas=99.99").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("areas"), "{}", bad.body);
    assert_eq!(
        post(&app, "/admin/kantor", Role::Analis, "code=XYZ&name=X").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_audit_chain_is_verified_recorded_and_exported() {
    let app = App::start(false).await;
    let admin = app.session(Role::Admin);
    let before = app.get("/admin/audit", Some(admin)).await;
    assert!(before.body.contains("Belum pernah diverifikasi"), "{}", before.body);
    let verified = post(&app, "/admin/audit/verifikasi", Role::Admin, "").await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert!(verified.body.contains("UTUH"), "{}", verified.body);
    let after = app.get("/admin/audit", Some(admin)).await;
    assert!(
        after.body.contains("class=\"last-verified\"") && after.body.contains("admin.kla"),
        "{}",
        after.body
    );
    let export = app.get("/admin/audit/ekspor", Some(admin)).await;
    assert_eq!(export.status, StatusCode::OK);
    let lines: Vec<serde_json::Value> =
        export.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|e| e["action"] == "audit.verify"), "the verification is in the log");
    assert!(lines.iter().all(|e| e["hash"].is_string()));
    assert!(audit_actions(&app).await.contains(&"audit.export".to_owned()));
    assert_eq!(
        app.get("/admin/audit/ekspor", Some(app.session(Role::Analis))).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn holds_keep_an_application_through_a_previewed_retention_run() {
    let app = App::start(false).await;
    let held = post(
        &app,
        "/admin/retensi/tahan",
        Role::Admin,
        "application=KLA%2FKLA-1&reason=perkara+TPPO",
    )
    .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let page = app.get("/admin/retensi", Some(app.session(Role::Admin))).await;
    assert!(page.body.contains("perkara TPPO"), "{}", page.body);
    let no_reason =
        post(&app, "/admin/retensi/tahan", Role::Admin, "nik=1807054503950001&reason=").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);

    let preview =
        post(&app, "/admin/retensi/jalankan", Role::Admin, "as_of=2040-01-01&mode=preview").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("BDL/BDL-1") && preview.body.contains("akan dianonimkan"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("name=\"mode\" value=\"run\""),
        "the run is offered after the preview"
    );
    assert!(app.store.retention_done().await.unwrap().is_empty(), "a preview changes nothing");

    let run = post(&app, "/admin/retensi/jalankan", Role::Admin, "as_of=2040-01-01&mode=run").await;
    assert_eq!(run.status, StatusCode::OK, "{}", run.body);
    let done = app.store.retention_done().await.unwrap();
    assert_eq!(
        done,
        vec![jejak_domain::ApplicationKey(app.other_office_key)],
        "the held one is kept"
    );

    let holds = app.store.legal_holds(false).await.unwrap();
    let lifted = post(
        &app,
        &format!("/admin/retensi/{}/lepas", holds[0].id),
        Role::Admin,
        "reason=perkara+selesai",
    )
    .await;
    assert_eq!(lifted.status, StatusCode::SEE_OTHER, "{}", lifted.body);
    assert!(app.store.legal_holds(false).await.unwrap().is_empty());
    assert_eq!(
        post(&app, "/admin/retensi/jalankan", Role::Supervisor, "mode=run").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_subject_report_takes_the_nik_from_the_body_and_is_audited() {
    let app = App::start(false).await;
    let admin = app.session(Role::Admin);
    let form_page = app.get("/admin/subjek", Some(admin)).await;
    assert!(form_page.body.contains("method=\"post\" action=\"/admin/subjek\""));
    let report = post(&app, "/admin/subjek", Role::Admin, "nik=1807054503950001").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(
        report.body.contains("Suryani binti Ahmad") && report.body.contains("1807********0001")
    );
    assert!(report.body.contains("Nama lengkap"), "fields in the reader's language");
    let download =
        post(&app, "/admin/subjek", Role::Admin, "nik=1807054503950001&format=json").await;
    let json: serde_json::Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(json["nik"], "1807054503950001");
    assert_eq!(json["applications"].as_array().unwrap().len(), 1);
    let bad = post(&app, "/admin/subjek", Role::Admin, "nik=123").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("nik"), "{}", bad.body);
    assert!(audit_actions(&app).await.contains(&"subject.report".to_owned()));
    assert_eq!(
        post(&app, "/admin/subjek", Role::Petugas, "nik=1807054503950001").await.status,
        StatusCode::FORBIDDEN
    );
}
