//! Authentication as users and partner systems meet it: logins, lockout, session timeouts,
//! API tokens, and the permission checks on managing them.

use std::sync::Arc;

use jejak_domain::OfficeCode;
use jejak_service::ManualClock;
use jejak_service::auth::{Auth, AuthConfig, LoginError, NewUserInput};
use jejak_service::authz::{Action, Actor, Credential, Role};
use jejak_service::{Clock, ServiceError};
use time::Duration;
use time::macros::datetime;

const PASSWORD: &str = "sandi-rahasia-panjang";

struct Fixture {
    auth: Auth,
    clock: Arc<ManualClock>,
    store: Arc<dyn jejak_store::Store>,
    admin: Actor,
    _dir: tempfile::TempDir,
}

fn office(code: &str) -> OfficeCode {
    OfficeCode::parse(code).unwrap()
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("auth.db").display());
    let store = jejak_store::open(&url).await.unwrap();
    let clock = Arc::new(ManualClock::new(datetime!(2025-03-01 08:00 UTC)));
    let auth = Auth::new(store.clone(), clock.clone(), AuthConfig::default()).unwrap();
    let admin = Actor::user("root", "Root", Role::Admin, office("BDL"));
    Fixture { auth, clock, store, admin, _dir: dir }
}

fn sari() -> NewUserInput {
    NewUserInput {
        username: "sari".into(),
        display_name: "Sari Wulandari".into(),
        role: Role::Petugas,
        office: office("KLA"),
        password: PASSWORD.into(),
    }
}

#[tokio::test]
async fn a_user_logs_in_and_the_session_names_them() {
    let f = fixture().await;
    let info = f.auth.add_user(&f.admin, sari()).await.unwrap();
    assert_eq!((info.role, info.office.as_str(), info.active), (Role::Petugas, "KLA", true));

    let login = f.auth.login("Sari", PASSWORD, Some("10.1.2.3")).await.unwrap();
    assert_eq!(login.token.len(), 43);
    assert_ne!(login.token, login.csrf);
    let session = f.auth.session(&login.token).await.unwrap();
    assert_eq!(session.actor, Actor::user("sari", "Sari Wulandari", Role::Petugas, office("KLA")));
    assert_eq!(session.csrf, login.csrf);

    // The stored session holds only a hash of the token.
    let events = f.store.audit_events(0, 100).await.unwrap();
    let login_event = events.iter().find(|e| e.action == "user.login").unwrap();
    assert_eq!(login_event.details, "from 10.1.2.3");
    assert!(events.iter().all(|e| !format!("{e:?}").contains(&login.token)));

    f.auth.logout(&login.token).await.unwrap();
    let err = f.auth.session(&login.token).await.unwrap_err();
    assert!(matches!(err, ServiceError::Unauthenticated(_)), "{err}");
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer() {
    let f = fixture().await;
    f.auth.add_user(&f.admin, sari()).await.unwrap();
    let unknown = f.auth.login("nobody", PASSWORD, None).await.unwrap_err();
    let wrong = f.auth.login("sari", "wrong password!!", None).await.unwrap_err();
    assert!(matches!(unknown, LoginError::BadCredentials));
    assert!(matches!(wrong, LoginError::BadCredentials));
    assert_eq!(unknown.to_string(), wrong.to_string());

    // A disabled account answers the same, even with the right password.
    f.auth.disable_user(&f.admin, "sari").await.unwrap();
    let disabled = f.auth.login("sari", PASSWORD, None).await.unwrap_err();
    assert!(matches!(disabled, LoginError::BadCredentials));
}

#[tokio::test]
async fn failures_past_the_limit_slow_the_client_down_without_locking_the_owner_out() {
    let f = fixture().await;
    f.auth.add_user(&f.admin, sari()).await.unwrap();
    let attacker = Some("203.0.113.9");
    for _ in 0..5 {
        let err = f.auth.login("sari", "wrong password!!", attacker).await.unwrap_err();
        assert!(matches!(err, LoginError::BadCredentials));
    }
    let err = f.auth.login("sari", "wrong password!!", attacker).await.unwrap_err();
    let LoginError::Throttled { until } = err else { panic!("expected a block, got {err}") };
    assert_eq!(until, datetime!(2025-03-01 08:01 UTC), "the first block is one minute");
    // From that client even the right password is refused while blocked...
    let err = f.auth.login("sari", PASSWORD, attacker).await.unwrap_err();
    assert!(matches!(err, LoginError::Throttled { .. }), "{err}");
    // ...but the owner at her own desk logs in: nobody can lock her out.
    f.auth.login("sari", PASSWORD, Some("10.1.2.3")).await.unwrap();

    // The attacker's next block is twice as long.
    f.clock.advance(Duration::minutes(1));
    for _ in 0..5 {
        f.auth.login("sari", "wrong password!!", attacker).await.unwrap_err();
    }
    let err = f.auth.login("sari", "wrong password!!", attacker).await.unwrap_err();
    let LoginError::Throttled { until } = err else { panic!("expected a block, got {err}") };
    assert_eq!(until, datetime!(2025-03-01 08:03 UTC));
    f.clock.advance(Duration::minutes(2));
    f.auth.login("sari", PASSWORD, attacker).await.unwrap();
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_timeouts() {
    let f = fixture().await;
    f.auth.add_user(&f.admin, sari()).await.unwrap();
    let idle = f.auth.login("sari", PASSWORD, None).await.unwrap();
    f.clock.advance(Duration::minutes(29));
    f.auth.session(&idle.token).await.unwrap();
    f.clock.advance(Duration::minutes(29));
    f.auth.session(&idle.token).await.unwrap();
    f.clock.advance(Duration::minutes(30));
    let err = f.auth.session(&idle.token).await.unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");

    let busy = f.auth.login("sari", PASSWORD, None).await.unwrap();
    for _ in 0..(12 * 3 - 1) {
        f.clock.advance(Duration::minutes(20));
        f.auth.session(&busy.token).await.unwrap();
    }
    f.clock.advance(Duration::minutes(20));
    assert!(f.auth.session(&busy.token).await.is_err(), "12 hours is the limit");
    let actions: Vec<String> =
        f.store.audit_events(0, 100).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "user.session_expired").count(), 2);
}

#[tokio::test]
async fn passwords_follow_the_policy_and_changing_one_ends_sessions() {
    let f = fixture().await;
    let mut weak = sari();
    weak.password = "pendek".into();
    let err = f.auth.add_user(&f.admin, weak).await.unwrap_err();
    assert!(err.to_string().contains("at least 12 characters"), "{err}");
    let mut nowhere = sari();
    nowhere.office = office("XYZ");
    let err = f.auth.add_user(&f.admin, nowhere).await.unwrap_err();
    assert!(err.to_string().contains("unknown office XYZ"), "{err}");

    f.auth.add_user(&f.admin, sari()).await.unwrap();
    let err = f.auth.add_user(&f.admin, sari()).await.unwrap_err();
    assert!(matches!(err, ServiceError::Conflict(_)), "{err}");
    let login = f.auth.login("sari", PASSWORD, None).await.unwrap();
    let me = login.actor.clone();
    let err = f.auth.change_password(&me, "not the password", "baru dan panjang sekali").await;
    assert!(matches!(err, Err(ServiceError::Forbidden(_))));
    f.auth.change_password(&me, PASSWORD, "baru dan panjang sekali").await.unwrap();
    assert!(f.auth.session(&login.token).await.is_err());
    f.auth.login("sari", "baru dan panjang sekali", None).await.unwrap();
}

#[tokio::test]
async fn only_admins_manage_users_and_tokens() {
    let f = fixture().await;
    f.auth.add_user(&f.admin, sari()).await.unwrap();
    let officer = f.auth.login("sari", PASSWORD, None).await.unwrap().actor;
    for err in [
        f.auth.add_user(&officer, sari()).await.unwrap_err(),
        f.auth.list_users(&officer).await.unwrap_err(),
        f.auth.disable_user(&officer, "sari").await.unwrap_err(),
        f.auth
            .add_token(&officer, "x", Role::Petugas, &[Action::ViewQueue], office("KLA"))
            .await
            .unwrap_err(),
        f.auth.revoke_token(&officer, "x").await.unwrap_err(),
    ] {
        assert!(matches!(err, ServiceError::Forbidden(_)), "{err}");
    }
    let err = f.auth.disable_user(&f.admin, "root").await.unwrap_err();
    assert!(err.to_string().contains("your own account"), "{err}");
    assert_eq!(f.auth.list_users(&f.admin).await.unwrap().len(), 1);
}

#[tokio::test]
async fn api_tokens_act_as_their_role_within_their_scopes_until_revoked() {
    let f = fixture().await;
    let scopes = [Action::SearchRegister, Action::ViewPerson];
    let secret = f
        .auth
        .add_token(&f.admin, "siskop2mi", Role::Analis, &scopes, office("BDL"))
        .await
        .unwrap();
    assert!(secret.starts_with("jejak_"), "{secret}");
    let actor = f.auth.token(&secret).await.unwrap();
    assert_eq!((actor.role, actor.office.as_str()), (Role::Analis, "BDL"));
    assert!(matches!(&actor.credential, Credential::Token { name, .. } if name == "siskop2mi"));
    assert!(actor.may(Action::SearchRegister, None));
    assert!(!actor.may(Action::ExportApplications, None), "outside its scopes");
    assert_eq!(actor.audit_ctx(f.clock.timestamp(), None).actor, "token:siskop2mi");

    let listed = f.auth.list_tokens(&f.admin).await.unwrap();
    assert_eq!(listed[0].scopes, scopes);
    assert_eq!(listed[0].last_used_at.as_deref(), Some("2025-03-01T08:00:00Z"));
    assert!(f.auth.token("jejak_not-a-token").await.is_err());

    // A scope the role lacks is refused when the token is made.
    let err = f
        .auth
        .add_token(&f.admin, "bad", Role::Analis, &[Action::RecordDecision], office("BDL"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("may not record_decision"), "{err}");

    f.auth.revoke_token(&f.admin, "siskop2mi").await.unwrap();
    let err = f.auth.token(&secret).await.unwrap_err();
    assert!(matches!(err, ServiceError::Unauthenticated(ref m) if m.contains("revoked")), "{err}");
    let events = f.store.audit_events(0, 100).await.unwrap();
    assert!(events.iter().all(|e| !format!("{e:?}").contains(&secret[6..])));
}

#[tokio::test]
async fn a_token_revoked_by_another_server_stops_working_here_within_the_recheck_time() {
    let f = fixture().await;
    let secret = f
        .auth
        .add_token(&f.admin, "siskop2mi", Role::Analis, &[Action::SearchRegister], office("BDL"))
        .await
        .unwrap();
    f.auth.token(&secret).await.unwrap();
    // A second server (or `jejak token revoke`) on the same register revokes it.
    let other = Auth::new(f.store.clone(), f.clock.clone(), AuthConfig::default()).unwrap();
    other.revoke_token(&f.admin, "siskop2mi").await.unwrap();
    assert!(other.token(&secret).await.is_err(), "refused at once where it was revoked");

    f.clock.advance(jejak_service::token_cache::RECHECK_AFTER);
    let err = f.auth.token(&secret).await.unwrap_err();
    assert!(matches!(err, ServiceError::Unauthenticated(ref m) if m.contains("revoked")), "{err}");
}

#[test]
fn architecture_md_shows_the_permission_table_in_force() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ARCHITECTURE.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let begin = "<!-- permissions:begin (generated from authz::PERMISSIONS) -->\n";
    let end = "<!-- permissions:end -->";
    let start = doc.find(begin).expect("ARCHITECTURE.md lacks the permissions:begin marker");
    let stop = doc.find(end).expect("ARCHITECTURE.md lacks the permissions:end marker");
    let shown = &doc[start + begin.len()..stop];
    let table = jejak_service::authz::permission_table_markdown();
    assert!(
        shown == table,
        "ARCHITECTURE.md's permission table differs from authz::PERMISSIONS; replace it with:\n{table}"
    );
}
