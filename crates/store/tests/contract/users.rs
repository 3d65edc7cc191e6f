//! Users, sessions and API tokens behave alike on both backends, every change is audited,
//! and no secret reaches the audit log.

use jejak_domain::{AuditAction, OfficeCode};
use jejak_store::{AuditCtx, NewApiToken, NewSession, NewUser, StoreError};

use crate::backends::Fresh;

/// Declares `#[tokio::test]`s that run one behaviour of this module on both backends.
macro_rules! user_contract {
    ($($name:ident),+ $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite().await;
                    super::$name(&fresh).await;
                }
            )+
        }
        mod sqlite_pool_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite_pool().await;
                    super::$name(&fresh).await;
                }
            )+
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(fresh) = crate::backends::postgres().await {
                        super::$name(&fresh).await;
                    }
                }
            )+
        }
    };
}

user_contract!(
    users_are_created_once_listed_and_disabled,
    failed_logins_lock_after_the_threshold_and_a_login_clears_them,
    sessions_are_found_by_hash_touched_and_ended,
    a_new_password_ends_every_session,
    tokens_are_found_by_hash_and_revoked_once,
    user_writes_are_audited_without_secrets,
    roles_change_and_unlocking_clears_only_that_users_throttle,
);

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$SECRETHASHVALUE";

fn ctx(at: &str) -> AuditCtx {
    AuditCtx {
        actor: "root".into(),
        office: Some(OfficeCode::parse("BDL").unwrap()),
        purpose: None,
        at: at.into(),
    }
}

fn user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("Ibu {name}"),
        role: "petugas".into(),
        office: OfficeCode::parse("KLA").unwrap(),
        password_hash: HASH.into(),
        created_at: "2025-03-01T08:00:00Z".into(),
    }
}

fn session(hash: &str, name: &str) -> NewSession {
    NewSession {
        token_hash: hash.into(),
        username: name.into(),
        csrf_token: "CSRFSECRET".into(),
        client_addr: Some("10.0.0.7".into()),
        created_at: "2025-03-01T08:00:00Z".into(),
        expires_at: "2025-03-01T20:00:00Z".into(),
    }
}

fn token(name: &str, hash: &str) -> NewApiToken {
    NewApiToken {
        name: name.into(),
        token_hash: hash.into(),
        role: "analis".into(),
        scopes: vec!["search_register".into(), "view_person".into()],
        office: OfficeCode::parse("BDL").unwrap(),
        created_by: "root".into(),
        created_at: "2025-03-01T08:00:00Z".into(),
        expires_at: None,
    }
}

async fn users_are_created_once_listed_and_disabled(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_user(&user("sari"), &ctx("t1")).await.unwrap();
    store.insert_user(&user("adi"), &ctx("t1")).await.unwrap();
    let err = store.insert_user(&user("sari"), &ctx("t2")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("sari")), "{err}");

    let sari = store.get_user("sari").await.unwrap().unwrap();
    assert_eq!(sari.display_name, "Ibu sari");
    assert_eq!((sari.role.as_str(), sari.office.as_str()), ("petugas", "KLA"));
    assert_eq!(sari.password_hash, HASH);
    assert!(sari.active);
    assert_eq!((sari.failed_logins, sari.locked_until), (0, None));
    assert_eq!(sari.password_changed_at, "2025-03-01T08:00:00Z");
    assert!(store.get_user("nobody").await.unwrap().is_none());
    let names: Vec<String> =
        store.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["adi", "sari"]);

    store.create_session(&session("h1", "sari"), &ctx("t3")).await.unwrap();
    store.set_user_active("sari", false, &ctx("t4")).await.unwrap();
    assert!(!store.get_user("sari").await.unwrap().unwrap().active);
    assert!(store.get_session("h1").await.unwrap().is_none(), "disabling ends sessions");
    let err = store.set_user_active("nobody", false, &ctx("t5")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    // A user must belong to a known office.
    let mut stray = user("stray");
    stray.office = OfficeCode::parse("XYZ").unwrap();
    assert!(store.insert_user(&stray, &ctx("t6")).await.is_err());
}

async fn failed_logins_lock_after_the_threshold_and_a_login_clears_them(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_user(&user("sari"), &ctx("t1")).await.unwrap();
    for n in 1..=2 {
        let locked = store.record_failed_login("sari", 3, "L", &ctx("t2")).await.unwrap();
        assert_eq!(locked, None);
        assert_eq!(store.get_user("sari").await.unwrap().unwrap().failed_logins, n);
    }
    let locked = store.record_failed_login("sari", 3, "2025-03-01T08:15:00Z", &ctx("t3")).await;
    assert_eq!(locked.unwrap().as_deref(), Some("2025-03-01T08:15:00Z"));
    let sari = store.get_user("sari").await.unwrap().unwrap();
    assert_eq!(
        (sari.failed_logins, sari.locked_until.as_deref()),
        (0, Some("2025-03-01T08:15:00Z"))
    );

    store.record_failed_login("sari", 3, "L", &ctx("t4")).await.unwrap();
    store.create_session(&session("h1", "sari"), &ctx("t5")).await.unwrap();
    let sari = store.get_user("sari").await.unwrap().unwrap();
    assert_eq!((sari.failed_logins, sari.locked_until), (0, None));
    let err = store.record_failed_login("nobody", 3, "L", &ctx("t6")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

async fn sessions_are_found_by_hash_touched_and_ended(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_user(&user("sari"), &ctx("t1")).await.unwrap();
    store.create_session(&session("h1", "sari"), &ctx("t2")).await.unwrap();
    store.create_session(&session("h2", "sari"), &ctx("t2")).await.unwrap();
    let s = store.get_session("h1").await.unwrap().unwrap();
    assert_eq!((s.username.as_str(), s.csrf_token.as_str()), ("sari", "CSRFSECRET"));
    assert_eq!(s.last_seen_at, s.created_at);
    assert_eq!(s.expires_at, "2025-03-01T20:00:00Z");
    assert_eq!(s.client_addr.as_deref(), Some("10.0.0.7"));

    store.touch_session("h1", "2025-03-01T09:00:00Z").await.unwrap();
    assert_eq!(
        store.get_session("h1").await.unwrap().unwrap().last_seen_at,
        "2025-03-01T09:00:00Z"
    );

    let before = store.audit_events(0, 100).await.unwrap().len();
    store.delete_session("h1", AuditAction::UserLogout, &ctx("t3")).await.unwrap();
    assert!(store.get_session("h1").await.unwrap().is_none());
    assert!(store.get_session("h2").await.unwrap().is_some(), "other sessions stay");
    store.delete_session("h1", AuditAction::UserLogout, &ctx("t4")).await.unwrap();
    let events = store.audit_events(0, 100).await.unwrap();
    assert_eq!(events.len(), before + 1, "a second logout records nothing");
    assert_eq!(events.last().unwrap().action, "user.logout");
}

async fn a_new_password_ends_every_session(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_user(&user("sari"), &ctx("t1")).await.unwrap();
    store.record_failed_login("sari", 5, "L", &ctx("t2")).await.unwrap();
    store.create_session(&session("h1", "sari"), &ctx("t2")).await.unwrap();
    store.set_password("sari", "$argon2id$new", &ctx("2025-03-02T08:00:00Z")).await.unwrap();
    let sari = store.get_user("sari").await.unwrap().unwrap();
    assert_eq!(sari.password_hash, "$argon2id$new");
    assert_eq!(sari.password_changed_at, "2025-03-02T08:00:00Z");
    assert!(store.get_session("h1").await.unwrap().is_none());
    let err = store.set_password("nobody", "x", &ctx("t3")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

async fn tokens_are_found_by_hash_and_revoked_once(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_token(&token("siskop", "th1"), &ctx("t1")).await.unwrap();
    let err = store.insert_token(&token("siskop", "th2"), &ctx("t1")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let t = store.token_by_hash("th1").await.unwrap().unwrap();
    assert_eq!(t.name, "siskop");
    assert_eq!(t.scopes, ["search_register", "view_person"]);
    assert_eq!((t.role.as_str(), t.office.as_str()), ("analis", "BDL"));
    assert_eq!((t.revoked_at, t.last_used_at), (None, None));
    assert!(store.token_by_hash("th2").await.unwrap().is_none());

    store.touch_token("siskop", "2025-03-01T09:00:00Z").await.unwrap();
    store.revoke_token("siskop", &ctx("2025-03-01T10:00:00Z")).await.unwrap();
    let t = store.token_by_hash("th1").await.unwrap().unwrap();
    assert_eq!(t.last_used_at.as_deref(), Some("2025-03-01T09:00:00Z"));
    assert_eq!(t.revoked_at.as_deref(), Some("2025-03-01T10:00:00Z"));
    let err = store.revoke_token("siskop", &ctx("t3")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert_eq!(store.list_tokens().await.unwrap().len(), 1);
}

async fn user_writes_are_audited_without_secrets(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_user(&user("sari"), &ctx("t1")).await.unwrap();
    store.record_failed_login("sari", 2, "L", &ctx("t2")).await.unwrap();
    store.record_failed_login("sari", 2, "2025-03-01T08:15:00Z", &ctx("t3")).await.unwrap();
    store.create_session(&session("SESSIONHASH", "sari"), &ctx("t4")).await.unwrap();
    store.delete_session("SESSIONHASH", AuditAction::UserLogout, &ctx("t5")).await.unwrap();
    store.set_password("sari", "$argon2id$NEWHASH", &ctx("t6")).await.unwrap();
    store.set_user_active("sari", false, &ctx("t7")).await.unwrap();
    store.insert_token(&token("siskop", "TOKENHASH"), &ctx("t8")).await.unwrap();
    store.revoke_token("siskop", &ctx("t9")).await.unwrap();
    let events = store.audit_events(0, 100).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.add",
            "user.login_failed",
            "user.lock",
            "user.login",
            "user.logout",
            "user.password",
            "user.disable",
            "token.add",
            "token.revoke"
        ]
    );
    for event in &events {
        let text = format!("{event:?}");
        for secret in ["SECRETHASH", "NEWHASH", "SESSIONHASH", "TOKENHASH", "CSRFSECRET"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    let verification = jejak_store::verify_chain(&events);
    assert_eq!((verification.checked, verification.first_failure), (9, None));
    // Debug output of records leaves the secrets out too.
    let record = format!("{:?}", store.get_user("sari").await.unwrap().unwrap());
    assert!(!record.contains("NEWHASH"), "{record}");
}

async fn roles_change_and_unlocking_clears_only_that_users_throttle(fresh: &Fresh) {
    let store = &fresh.store;
    store.insert_user(&user("sari"), &ctx("t1")).await.unwrap();
    let bdl = OfficeCode::parse("BDL").unwrap();
    store.set_user_role("sari", "supervisor", &bdl, &ctx("t2")).await.unwrap();
    let sari = store.get_user("sari").await.unwrap().unwrap();
    assert_eq!((sari.role.as_str(), sari.office.as_str()), ("supervisor", "BDL"));
    let err = store.set_user_role("nobody", "admin", &bdl, &ctx("t2")).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");

    let (now, cutoff, until) =
        ("2025-03-01T09:00:00Z", "2025-03-01T08:45:00Z", "2025-03-01T09:01:00Z");
    for key in ["login:sari@10.0.0.9", "login:sari@10.0.0.8", "login:sarix@10.0.0.9"] {
        store.count_login_attempt(key, now, cutoff).await.unwrap();
        assert!(store.block_login_key(key, now, until).await.unwrap());
    }
    assert_eq!(store.blocked_logins(now).await.unwrap().len(), 3);
    assert_eq!(store.unlock_user("sari", &ctx("t3")).await.unwrap(), 2);
    let left = store.blocked_logins(now).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].key, "login:sarix@10.0.0.9");
    assert!(store.blocked_logins(until).await.unwrap().is_empty(), "a block ends");
    let events = store.audit_events(0, 100).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"user.role") && actions.contains(&"user.unlock"), "{actions:?}");
}
