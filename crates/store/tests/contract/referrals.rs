//! Referrals and protections (issue 15, migration 0012) on both backends: a referral round
//! trips with its letter number and first history event, moves on with notes and due dates
//! until it is final, and every write takes a change number and an audit event; a protection
//! is marked once, lifted with its reason and kept.

use jejak_domain::date::ymd;
use jejak_domain::{
    Agency, ApplicationKey, NewApplication, NewReferral, OfficeCode, PersonId, ReferralStatus,
    ReferralSubject,
};
use jejak_store::{AuditCtx, ReferralFilter, ReferralUpdate, StoreError};

use crate::backends::{Fresh, contract};

contract!(
    referrals:
    a_referral_round_trips_moves_on_and_becomes_final,
    a_protection_is_marked_once_lifted_and_kept,
);

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "petugas.kla".into(),
        office: Some(OfficeCode::parse("KLA").unwrap()),
        purpose: Some("Dugaan PMI non-prosedural".into()),
        at: "2026-11-02T08:00:00Z".into(),
    }
}

async fn application(fresh: &Fresh) -> ApplicationKey {
    let app = NewApplication::new(
        "KLA-1",
        OfficeCode::parse("KLA").unwrap(),
        ymd(2026, 11, 1).unwrap(),
        "Suryani",
    );
    fresh.store.insert_application(&app, &ctx()).await.unwrap().key
}

pub async fn a_referral_round_trips_moves_on_and_becomes_final(fresh: &Fresh) {
    let store = &fresh.store;
    let key = application(fresh).await;
    let new = NewReferral {
        office: OfficeCode::parse("KLA").unwrap(),
        subject: ReferralSubject::Person { person_id: PersonId::of_first(key), application: key },
        agency: Agency::PolriPpa,
        purpose: "Dugaan TPPO".into(),
        legal_basis: "UU 21/2007".into(),
        fields: vec!["full_name".into(), "phone".into()],
        due_on: ymd(2026, 11, 16),
        note: Some("dirujuk setelah wawancara".into()),
        created_by: "petugas.kla".into(),
        created_at: "2026-11-02T08:00:00Z".into(),
    };
    let before = store.current_change_seq().await.unwrap();
    let stored = store.create_referral(&new, &ctx()).await.unwrap();
    assert!(stored.id > before && stored.change_seq == stored.id);
    assert_eq!(stored.letter_no, format!("RJK/KLA/{:06}", stored.id));
    assert_eq!(stored.status, ReferralStatus::Sent);
    assert_eq!(
        (stored.data.subject.clone(), stored.data.fields.clone()),
        (new.subject.clone(), new.fields.clone())
    );
    assert_eq!(store.referral(stored.id).await.unwrap().unwrap(), stored);
    let listed = store.referrals(&ReferralFilter::Application(key)).await.unwrap();
    assert_eq!(listed, vec![stored.clone()]);
    assert!(
        store
            .referrals(&ReferralFilter::Office(OfficeCode::parse("BDL").unwrap()))
            .await
            .unwrap()
            .is_empty()
    );

    let step = |status, note: Option<&str>, due| ReferralUpdate {
        referral_id: stored.id,
        status,
        note: note.map(str::to_owned),
        due_on: due,
        by: "petugas.kla".into(),
        at: "2026-11-03T08:00:00Z".into(),
    };
    let moved = store
        .update_referral(&step(ReferralStatus::Received, None, ymd(2026, 11, 30)), &ctx())
        .await
        .unwrap();
    assert_eq!((moved.status, moved.data.due_on), (ReferralStatus::Received, ymd(2026, 11, 30)));
    assert!(moved.change_seq > stored.change_seq);
    let declined = store
        .update_referral(&step(ReferralStatus::Declined, Some("bukan kewenangan"), None), &ctx())
        .await
        .unwrap();
    assert_eq!(declined.data.due_on, ymd(2026, 11, 30), "no new due date keeps the last one");
    let err = store
        .update_referral(&step(ReferralStatus::Closed, Some("x"), None), &ctx())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let missing =
        ReferralUpdate { referral_id: 999_999, ..step(ReferralStatus::Received, None, None) };
    assert!(matches!(
        store.update_referral(&missing, &ctx()).await.unwrap_err(),
        StoreError::NotFound(_)
    ));

    let history = store.referral_history(stored.id).await.unwrap();
    let statuses: Vec<_> = history.iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        [ReferralStatus::Sent, ReferralStatus::Received, ReferralStatus::Declined]
    );
    assert_eq!(history[0].note.as_deref(), Some("dirujuk setelah wawancara"));
    let audit = store.audit_events(0, 100).await.unwrap();
    let actions: Vec<&str> =
        audit.iter().map(|e| e.action.as_str()).filter(|a| a.starts_with("referral")).collect();
    assert_eq!(actions, ["referral.create", "referral.status", "referral.status"]);
}

pub async fn a_protection_is_marked_once_lifted_and_kept(fresh: &Fresh) {
    let store = &fresh.store;
    let key = application(fresh).await;
    let marked = store.protect_person(key, "korban TPPO", &ctx()).await.unwrap();
    assert!(marked.is_active());
    let again = store.protect_person(key, "korban TPPO", &ctx()).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
    assert_eq!(store.protections(true).await.unwrap(), vec![marked.clone()]);
    let lifted = store.lift_protection(key, "keliru", &ctx()).await.unwrap();
    assert_eq!((lifted.lift_reason.as_deref(), lifted.is_active()), (Some("keliru"), false));
    assert!(store.protections(true).await.unwrap().is_empty());
    assert_eq!(store.protections(false).await.unwrap(), vec![lifted]);
    assert!(matches!(
        store.lift_protection(key, "lagi", &ctx()).await.unwrap_err(),
        StoreError::NotFound(_)
    ));
    let audit = store.audit_events(0, 100).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "person.protect" && e.details.contains("korban TPPO"))
    );
    assert!(audit.iter().any(|e| e.action == "person.unprotect"));
}
