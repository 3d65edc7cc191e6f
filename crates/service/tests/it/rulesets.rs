//! Rule sets in the register through the service: a broken file is never stored, four-eyes
//! publication, activation, the active rule set loaded from the register, and assessments
//! recorded with the version that made them.

use std::sync::Arc;

use jejak_domain::{CountryCode, Purpose};
use jejak_rules::{Source, Status};
use jejak_service::ServiceError;
use jejak_service::assess::Assessor;
use jejak_service::rulesets;
use jejak_store::{AuditCtx, RuleSetStatus, Store};

use crate::support::{day, suryani};

/// A draft with one indicator that fires on work trips to Malaysia.
fn rules(version: &str) -> String {
    format!(
        r#"[rule_set]
name = "test-rules"
version = "{version}"
author = "analis"
status = "draft"

[bands]
medium = 30
high = 60

[[rule]]
id = "T01"
kind = "indicator"
title_id = "Bekerja ke Malaysia"
title_en = "Work in Malaysia"
legal_basis = "test"
confidence = "inference"
weight = 40
condition = 'purpose == "work" and destination_country == "MY"'
explain_id = "Bekerja ke {{destination_country}}"
explain_en = "Work trip to {{destination_country}}"
"#
    )
}

fn as_user(actor: &str) -> AuditCtx {
    AuditCtx { actor: actor.into(), office: None, purpose: None, at: "2025-03-02T08:00:00Z".into() }
}

/// A register whose users include the rules' author, `analis`.
async fn store(dir: &std::path::Path) -> Arc<dyn Store> {
    use jejak_service::auth::{Auth, AuthConfig, NewUserInput};
    use jejak_service::authz::{Actor, Role};
    let store = jejak_store::open(&format!("sqlite://{}", dir.join("register.db").display()))
        .await
        .unwrap();
    let auth =
        Auth::new(store.clone(), Arc::new(jejak_service::SystemClock), AuthConfig::default())
            .unwrap();
    let bdl = jejak_domain::OfficeCode::parse("BDL").unwrap();
    let setup = Actor::user("setup", "Setup", Role::Admin, bdl.clone());
    let analyst = NewUserInput {
        username: "analis".into(),
        display_name: "Analis".into(),
        role: Role::Analis,
        office: bdl,
        password: "kata-sandi-uji-2025".into(),
    };
    auth.add_user(&setup, analyst).await.unwrap();
    store
}

/// The four-eyes check cannot be slipped with Unicode: an author spelled with the Kelvin sign
/// (which Unicode lowercases to "k") or naming no user of the register is refused at drafting.
#[tokio::test]
async fn a_rule_set_author_must_be_a_user_named_in_ascii() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    for author in ["\u{212A}epala", "kepala", "analis\u{212A}"] {
        let text = rules("3").replace("author = \"analis\"", &format!("author = \"{author}\""));
        let err =
            rulesets::draft(store.as_ref(), &[Source::new("r.toml", text)], &as_user("kepala"))
                .await
                .unwrap_err();
        assert!(err.to_string().contains("not a user of this register"), "{author}: {err}");
    }
    assert!(rulesets::list(store.as_ref()).await.unwrap().is_empty(), "nothing stored");
    assert_eq!(jejak_service::auth::username_key(" Analis "), Some("analis".into()));
    assert_eq!(jejak_service::auth::username_key("\u{212A}epala"), None);
}

#[tokio::test]
async fn a_rule_set_is_drafted_published_by_another_user_activated_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let store = store.as_ref();
    let default = rulesets::active_or_default(store).await.unwrap();
    assert!(default.stored.is_none());
    assert!(default.origin().contains("built-in catalogue"), "{}", default.origin());

    let sources = [Source::new("rules.toml", rules("7"))];
    let draft = rulesets::draft(store, &sources, &as_user("analis")).await.unwrap();
    assert_eq!(draft.status, RuleSetStatus::Draft);

    let err = rulesets::activate(store, "7", &as_user("kepala")).await.unwrap_err();
    assert!(
        matches!(err, ServiceError::Conflict(ref m) if m.contains("only a published")),
        "{err}"
    );
    let err = rulesets::publish(store, "7", &as_user("Analis")).await.unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(ref m) if m.contains("four-eyes")), "{err}");
    rulesets::publish(store, "7", &as_user("supervisor")).await.unwrap();
    rulesets::activate(store, "7", &as_user("kepala")).await.unwrap();

    let active = rulesets::active(store).await.unwrap().unwrap();
    let info = active.rules.info();
    assert_eq!((info.version.as_str(), info.status), ("7", Status::Active));
    assert_eq!(info.published_by.as_deref(), Some("supervisor"));
    assert_eq!(info.activated_on, Some(day(2025, 3, 2)));
    assert_eq!(active.rules.reference().digest, draft.digest);
    assert!(active.origin().contains("active rule set test-rules 7"), "{}", active.origin());

    // The active rule set assesses a stored application; the assessment is kept with it.
    let mut app = suryani("BDL-1", "BDL", day(2025, 3, 2));
    app.purpose = Some(Purpose::Work);
    app.destination_country = Some(CountryCode::parse("MY").unwrap());
    let app = store.insert_application(&app, &as_user("petugas")).await.unwrap();
    let assessor = Assessor::new(active.rules.clone(), None, jejak_domain::Office::lampung_pilot());
    let (report, stored) =
        rulesets::assess_and_record(store, &assessor, &app, &as_user("petugas")).await.unwrap();
    assert_eq!(report.assessment.score, 40);
    assert_eq!(stored.data.rule_set_version, "7");
    assert_eq!(stored.data.digest, draft.digest);
    assert_eq!(stored.data.band, "medium");
    assert_eq!(stored.data.fired_indicators.len(), 1);
    assert_eq!(stored.data.fired_indicators[0].id, "T01");
    assert_eq!(store.assessments_of(app.key).await.unwrap(), vec![stored]);
}

#[tokio::test]
async fn a_broken_rule_file_is_never_stored_and_the_active_rule_set_stays() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let store = store.as_ref();
    rulesets::draft(store, &[Source::new("rules.toml", rules("1"))], &as_user("analis"))
        .await
        .unwrap();
    rulesets::publish(store, "1", &as_user("supervisor")).await.unwrap();
    rulesets::activate(store, "1", &as_user("kepala")).await.unwrap();

    let broken =
        rules("2").replace("destination_country == \"MY\"", "destinaton_country == \"MY\"");
    let err = rulesets::draft(store, &[Source::new("v2.toml", broken.clone())], &as_user("analis"))
        .await
        .unwrap_err();
    let line = broken.lines().position(|l| l.contains("destinaton_country")).unwrap() + 1;
    let message = err.to_string();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err}");
    assert!(message.contains(&format!("v2.toml:{line}:")), "{message}");
    assert!(message.contains("T01"), "{message}");
    assert_eq!(rulesets::list(store).await.unwrap().len(), 1);
    assert_eq!(rulesets::active(store).await.unwrap().unwrap().rules.info().version, "1");

    // Another text under a stored version label is refused, not silently replaced.
    let changed = rules("1").replace("weight = 40", "weight = 45");
    let err = rulesets::draft(store, &[Source::new("rules.toml", changed)], &as_user("analis"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Conflict(ref m) if m.contains("new version label")),
        "{err}"
    );

    // Stored files that no longer give the stored digest are refused when loaded.
    let mut stored = store.rule_set("1").await.unwrap().unwrap();
    stored.files[0].text = stored.files[0].text.replace("weight = 40", "weight = 1");
    let err = rulesets::load_stored(&stored).unwrap_err();
    assert!(err.to_string().contains("no longer match"), "{err}");
}
