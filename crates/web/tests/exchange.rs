//! `/api/v1/exchange/{partner}` (issue 15): the partner pulls our signed batch of suspected
//! PMI NP decisions, acknowledges it, and then gets nothing more until something new is
//! recorded; every batch handed out is audited with the exchange's legal basis. A partner
//! system does so with an API token scoped to `exchange_partner_data` alone, which opens
//! nothing else; a token without that scope is refused there.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use jejak_domain::OfficeCode;
use jejak_domain::{ApplicationKey, DecisionKind, NewDecision};
use jejak_exchange::{Direction, Expectation, SecretKey, WireBatches};
use jejak_service::authz::{Action, Actor, Role};
use jejak_store::{AuditCtx, NewExchangePartner};

use common::App;

/// Configures the partner `siskop2mi` with our signing key in `dir` and records a deferral
/// for suspected PMI NP on the test application, so one outbound batch is waiting. Returns
/// our signing key.
async fn partner_with_a_pending_batch(app: &App, dir: &std::path::Path) -> SecretKey {
    let key_path = dir.join("our.key");
    let key = jejak_service::exchange::generate_signing_key();
    std::fs::write(&key_path, key.to_file_text()).unwrap();
    let ctx = AuditCtx {
        actor: "setup".into(),
        office: None,
        purpose: None,
        at: "2026-11-02T08:00:00Z".into(),
    };
    let partner = NewExchangePartner {
        name: "siskop2mi".into(),
        display_name: "SISKOP2MI".into(),
        public_key: jejak_service::exchange::generate_signing_key().public().to_base64(),
        signing_key_ref: key_path.display().to_string(),
        base_url: None,
        purpose: "deteksi dini".into(),
        legal_basis: "PKS/9/2026".into(),
    };
    jejak_service::exchange::save_partner(app.store.as_ref(), &partner, &ctx).await.unwrap();
    let application = app.store.get_application(ApplicationKey(app.application_key)).await.unwrap();
    let decision = NewDecision {
        application: application.key,
        kind: DecisionKind::Deferred,
        decided_on: jejak_domain::date::ymd(2026, 11, 2).unwrap(),
        deferral_until: None,
        reason_codes: vec!["PMI_NP".into()],
        reason_text: Some("mengaku akan bekerja".into()),
        officer: Some("petugas.kla".into()),
    };
    app.store.record_decision(&decision, application.version, &ctx).await.unwrap();
    key
}

#[tokio::test]
async fn a_partner_pulls_and_acknowledges_our_signed_batches() {
    let app = App::start(false).await;
    let dir = tempfile::tempdir().unwrap();
    let key = partner_with_a_pending_batch(&app, dir.path()).await;

    let admin = app.session(Role::Admin);
    let reply = app.get("/api/v1/exchange/siskop2mi/batches?after=0", Some(admin)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let wire: WireBatches = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(wire.batches.len(), 1);
    let batch = wire.batches[0].clone().into_batch();
    let public = key.public();
    let expected = Expectation {
        partner: "siskop2mi",
        direction: Direction::Outbound,
        key: &public,
        last_applied: Some(0),
    };
    assert_eq!(batch.verify(&expected), Ok(()));
    assert_eq!(batch.manifest.record_count, 1);
    assert!(!wire.batches[0].data.contains("bekerja"), "no free text leaves the register");

    let officer = app.session(Role::Petugas);
    let refused = app.get("/api/v1/exchange/siskop2mi/batches?after=0", Some(officer)).await;
    assert_eq!(refused.status, 403);

    let ack = app
        .send(
            "POST",
            "/api/v1/exchange/siskop2mi/acknowledgements",
            Some(admin),
            "application/json",
            r#"{"sequence":1}"#,
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    assert_eq!(ack.body, r#"{"acknowledged":1}"#);
    let later = app.get("/api/v1/exchange/siskop2mi/batches?after=1", Some(admin)).await;
    assert_eq!(later.body, r#"{"batches":[]}"#);
    let huge =
        app.get("/api/v1/exchange/siskop2mi/batches?after=18446744073709551615", Some(admin)).await;
    assert_eq!(huge.body, r#"{"batches":[]}"#);
    let negative = app.get("/api/v1/exchange/siskop2mi/batches?after=-1", Some(admin)).await;
    assert_eq!(negative.status, 400, "{}", negative.body);
    let unknown = app.get("/api/v1/exchange/nobody/batches", Some(admin)).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    let audit = app.store.audit_events(0, 10_000).await.unwrap();
    let sent: Vec<_> = audit.iter().filter(|e| e.action == "exchange.send").collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].purpose.as_deref().unwrap().contains("PKS/9/2026"));
    assert!(sent[0].details.contains("via=http pull"));
}

#[tokio::test]
async fn a_token_scoped_to_exchange_partner_data_pulls_and_acknowledges_and_opens_nothing_else() {
    let app = App::start(false).await;
    let dir = tempfile::tempdir().unwrap();
    let key = partner_with_a_pending_batch(&app, dir.path()).await;
    let setup = Actor::user("setup", "Setup", Role::Admin, OfficeCode::parse("KLA").unwrap());
    let partner_token = app
        .auth
        .add_token(
            &setup,
            "siskop2mi",
            Role::Admin,
            &[Action::ExchangePartnerData],
            OfficeCode::parse("KLA").unwrap(),
        )
        .await
        .unwrap();
    let users_token = app
        .auth
        .add_token(
            &setup,
            "userbot",
            Role::Admin,
            &[Action::ManageUsers],
            OfficeCode::parse("KLA").unwrap(),
        )
        .await
        .unwrap();
    let batches = "/api/v1/exchange/siskop2mi/batches?after=0";
    let acknowledgements = "/api/v1/exchange/siskop2mi/acknowledgements";
    const JSON: &str = "application/json";

    let pulled = app.send_bearer("GET", batches, &partner_token, "", "").await;
    assert_eq!(pulled.status, 200, "{}", pulled.body);
    let wire: WireBatches = serde_json::from_str(&pulled.body).unwrap();
    assert_eq!(wire.batches.len(), 1);
    let public = key.public();
    let expected = Expectation {
        partner: "siskop2mi",
        direction: Direction::Outbound,
        key: &public,
        last_applied: Some(0),
    };
    assert_eq!(wire.batches[0].clone().into_batch().verify(&expected), Ok(()));
    let ack =
        app.send_bearer("POST", acknowledgements, &partner_token, JSON, r#"{"sequence":1}"#).await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    assert_eq!(ack.body, r#"{"acknowledged":1}"#);
    let after = "/api/v1/exchange/siskop2mi/batches?after=1";
    let nothing_new = app.send_bearer("GET", after, &partner_token, "", "").await;
    assert_eq!(nothing_new.body, r#"{"batches":[]}"#);
    let audit = app.store.audit_events(0, 10_000).await.unwrap();
    let sent: Vec<_> = audit.iter().filter(|e| e.action == "exchange.send").collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].purpose.as_deref().unwrap().contains("PKS/9/2026"));

    // The exchange scope opens nothing else, not even what its admin role could do.
    for path in ["/api/v1/search?q=Suryani", "/api/v1/users", "/api/v1/tokens", "/api/v1/referrals"]
    {
        let refused = app.send_bearer("GET", path, &partner_token, "", "").await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    let registration = r#"{"application_id":"KLA-9","applied_on":"2026-11-02","full_name":"Ani"}"#;
    let refused =
        app.send_bearer("POST", "/api/v1/applications", &partner_token, JSON, registration).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // A working token of another scope is refused on both exchange routes.
    let users = app.send_bearer("GET", "/api/v1/users", &users_token, "", "").await;
    assert_eq!(users.status, 200, "the other token works where it is scoped: {}", users.body);
    let refused = app.send_bearer("GET", batches, &users_token, "", "").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let refused =
        app.send_bearer("POST", acknowledgements, &users_token, JSON, r#"{"sequence":1}"#).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}
