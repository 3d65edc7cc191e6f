//! Administration through the service gate: what the user and token forms read about offices.

use std::sync::Arc;

use jejak_domain::OfficeCode;
use jejak_service::admin::Admin;
use jejak_service::authz::{Action, Actor, Credential, Role};
use jejak_service::retention::RetentionPolicy;
use jejak_service::{ServiceError, SystemClock};

/// The office choices of the user and token forms come through the gate: administrators
/// (or a token scoped to users or tokens) get every office's code, nobody else any.
#[tokio::test]
async fn office_choices_are_given_only_to_those_managing_users_or_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("admin.db").display());
    let store = jejak_store::open(&url).await.unwrap();
    let admin =
        Admin::without_index(store.clone(), Arc::new(SystemClock), RetentionPolicy::default());
    let bdl = OfficeCode::parse("BDL").unwrap();
    let listed: Vec<OfficeCode> =
        store.list_offices().await.unwrap().into_iter().map(|o| o.code).collect();
    assert!(!listed.is_empty());

    let root = Actor::user("root", "Root", Role::Admin, bdl.clone());
    assert_eq!(admin.office_codes(&root).await.unwrap(), listed);
    let token = |scopes: Vec<Action>| Actor {
        credential: Credential::Token { name: "portal".into(), scopes },
        ..root.clone()
    };
    assert_eq!(admin.office_codes(&token(vec![Action::ManageTokens])).await.unwrap(), listed);
    for refused in [
        token(vec![Action::ViewAudit]),
        Actor::user("sari", "Sari", Role::Petugas, bdl.clone()),
        Actor::user("ani", "Ani", Role::Analis, bdl.clone()),
    ] {
        let answer = admin.office_codes(&refused).await;
        assert!(matches!(answer, Err(ServiceError::Forbidden(_))), "{refused:?}: {answer:?}");
    }
}
