//! Casework across offices: an officer at one office sees a person deferred at another,
//! issuing despite the bar waits for a supervisor, permissions are enforced here.

use std::sync::Arc;

use jejak_domain::{DecisionKind, IdentifierField, OfficeCode, Outcome, ReviewStatus};
use jejak_matching::Model;
use jejak_service::authz::{Actor, Role};
use jejak_service::casework::{Casework, DecisionInput, DecisionOutcome};
use jejak_service::screening::Screening;
use jejak_service::search::SearchKind;
use jejak_service::{FixedClock, ServiceError};
use jejak_store::Store;

use crate::support::{ctx, day, deferral, joko, suryani};

fn actor(name: &str, role: Role, office: &str) -> Actor {
    Actor::user(name, name, role, OfficeCode::parse(office).unwrap())
}

async fn casework(store: Arc<dyn Store>) -> Casework {
    let screening = Arc::new(
        Screening::start(store.clone(), Arc::new(Model::interchange().unwrap())).await.unwrap(),
    );
    let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let clock = FixedClock(day(2025, 2, 1).midnight().assume_utc());
    Casework::new(store, screening, rules, Arc::new(clock))
}

fn issue(version: i64) -> DecisionInput {
    DecisionInput {
        kind: DecisionKind::Issued,
        reason_codes: vec![],
        reason_text: None,
        deferral_until: None,
        expected_version: version,
    }
}

#[tokio::test]
async fn an_override_of_a_deferral_elsewhere_waits_for_a_supervisor() {
    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    let first =
        store.insert_application(&suryani("BDL-1", "BDL", day(2025, 1, 10)), &ctx()).await.unwrap();
    store.insert_application(&joko("BDL-2", "BDL", day(2025, 1, 10)), &ctx()).await.unwrap();
    store
        .record_decision(&deferral(first.key, day(2025, 1, 12), day(2025, 7, 12)), 1, &ctx())
        .await
        .unwrap();
    let work = casework(store.clone()).await;
    let officer = actor("sari", Role::Petugas, "KLA");
    let supervisor = actor("kasi", Role::Supervisor, "KLA");

    let mut again = suryani("KLA-7", "KLA", day(2025, 2, 1));
    again.full_name = "Soeryani".into();
    let stored = work.register(&officer, &again).await.unwrap();
    let exam = work.examine(&officer, stored.key).await.unwrap();
    let best = &exam.report.candidates[0];
    assert_eq!(best.application_id, "BDL-1");
    assert_eq!(best.history.active_bar_until, Some(day(2025, 7, 12)));
    let grounds = exam.issue_needs_review.clone().expect("issuing needs a supervisor");
    assert!(grounds.contains("R12B"), "{grounds}");

    let queue = work.queue(&officer, &stored.data.office_code).await.unwrap();
    assert_eq!(queue.pending.len(), 1);
    assert!(queue.pending[0].flagged);
    assert_eq!(queue.pending[0].matches, 1);

    let outcome = work.decide(&officer, stored.key, &issue(stored.version)).await.unwrap();
    let DecisionOutcome::AwaitingReview(request) = outcome else { panic!("{outcome:?}") };
    assert_eq!(store.get_application(stored.key).await.unwrap().data.outcome, Outcome::Pending);

    let err = work.resolve_review(&officer, request.id, true, None).await.unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err}");
    let pending = work.pending_reviews(&supervisor).await.unwrap();
    assert_eq!(pending.len(), 1);
    let done = work.resolve_review(&supervisor, request.id, true, None).await.unwrap();
    assert_eq!(done.status, ReviewStatus::Approved);
    assert_eq!(store.get_application(stored.key).await.unwrap().data.outcome, Outcome::Issued);

    let reads = store.audit_events(0, 1000).await.unwrap();
    let read = reads.iter().find(|e| e.action == "personal_data.read").unwrap();
    assert_eq!(read.actor, "sari");
    assert_eq!(read.purpose.as_deref(), Some("memeriksa permohonan KLA-7"));
}

#[tokio::test]
async fn casework_is_refused_outside_the_own_office_and_lists_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    let first =
        store.insert_application(&suryani("BDL-1", "BDL", day(2025, 1, 10)), &ctx()).await.unwrap();
    let work = casework(store.clone()).await;
    let officer = actor("sari", Role::Petugas, "KLA");
    let err = work.decide(&officer, first.key, &issue(first.version)).await.unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(ref m) if m.contains("BDL")), "{err}");
    let err = work.register(&officer, &joko("BDL-3", "BDL", day(2025, 2, 1))).await.unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err}");
    let village = actor("desa", Role::Pimpasa, "KLA");
    assert!(matches!(work.search(&village, "Suryani").await, Err(ServiceError::Forbidden(_))));

    let by_name = work.search(&officer, "Soeryani binti Ahmad").await.unwrap();
    assert_eq!(by_name.kind, SearchKind::Name);
    assert_eq!(by_name.hits[0].application_id, "BDL-1");
    assert_eq!(by_name.hits[0].nik_masked.as_deref(), Some("1807********0001"));
    let by_nik = work.search(&officer, "1807054503950001").await.unwrap();
    assert_eq!((by_nik.kind, by_nik.hits.len()), (SearchKind::Nik, 1));
    let by_phone = work.search(&officer, "0812 3456 7890").await.unwrap();
    assert_eq!(by_phone.hits[0].phone_masked.as_deref(), Some("+62812*****890"));
}

#[tokio::test]
async fn a_name_search_finds_every_application_holding_the_typed_names() {
    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    let names = ["Soeryani binti Ahmad", "Siti Suryani", "Suryadi", "Hj. Siti Aminah"];
    for (i, name) in names.iter().enumerate() {
        let mut app = joko(&format!("BDL-{i}"), "BDL", day(2025, 1, 10));
        app.full_name = (*name).to_owned();
        store.insert_application(&app, &ctx()).await.unwrap();
    }
    // More namesakes than a list shows.
    for i in 0..60 {
        let mut app = joko(&format!("KLA-{i}"), "KLA", day(2025, 1, 11));
        app.full_name = format!("Siti Rahayu {}", ["Lestari", "Wulandari", "Pertiwi"][i % 3]);
        store.insert_application(&app, &ctx()).await.unwrap();
    }
    let work = casework(store.clone()).await;
    let officer = actor("sari", Role::Petugas, "KLA");

    let one_token = work.search(&officer, "Suryani").await.unwrap();
    let found: Vec<&str> = one_token.hits.iter().map(|h| h.full_name.as_str()).collect();
    assert!(found.contains(&"Soeryani binti Ahmad"), "{found:?}");
    assert!(found.contains(&"Siti Suryani"), "{found:?}");
    assert!(!found.contains(&"Suryadi"), "{found:?}");
    assert!(!one_token.truncated);

    let two_tokens = work.search(&officer, "aminah siti").await.unwrap();
    assert_eq!(two_tokens.hits[0].full_name, "Hj. Siti Aminah");

    let common = work.search(&officer, "Siti").await.unwrap();
    assert_eq!(common.hits.len(), jejak_service::search::SEARCH_LIMIT as usize);
    assert!(common.truncated, "62 applications hold 'Siti'; the list must say it is cut");
}

#[tokio::test]
async fn the_desk_refuses_an_invalid_identifier_that_an_import_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    let work = casework(store.clone()).await;
    let officer = actor("sari", Role::Petugas, "KLA");
    // A sibling's application holds a NIK one serial on; it must not come up for hers.
    let mut sister = suryani("KLA-3", "KLA", day(2025, 1, 9));
    sister.full_name = "Dewi binti Ahmad".into();
    sister.nik = jejak_domain::Nik::parse("1807054503950002").ok();
    store.insert_application(&sister, &ctx()).await.unwrap();
    for (field, raw) in [
        (IdentifierField::Nik, "180705450395001"),
        (IdentifierField::Phone, "0812-345"),
        (IdentifierField::PreviousPassportNo, "B12/345"),
    ] {
        let mut typed = suryani("KLA-1", "KLA", day(2025, 2, 1));
        typed.set_invalid(field, raw);
        let err = work.register(&officer, &typed).await.unwrap_err();
        assert!(
            matches!(err, ServiceError::Invalid(ref m) if m.starts_with(field.column())),
            "{err}"
        );
    }
    // From a file the same NIK is kept, and a search by the correct NIK finds it (not the
    // sister's), flagged.
    let mut old = suryani("KLA-2", "KLA", day(2024, 3, 1));
    old.set_invalid(IdentifierField::Nik, "180705450395001");
    let file = jejak_service::import::InputFile {
        name: "lama.csv".into(),
        bytes: {
            let mut bytes = Vec::new();
            jejak_interchange::write_csv(&mut bytes, [&old]).unwrap();
            bytes
        },
    };
    let report = work.import(&officer, &[file], false).await.unwrap();
    assert_eq!(report.error_count(), 0);
    assert_eq!(report.files[0].warnings.len(), 1);
    let found = work.search(&officer, "1807054503950001").await.unwrap();
    let hits: Vec<(&str, Option<&str>, bool)> = found
        .hits
        .iter()
        .map(|h| (h.application_id.as_str(), h.nik_masked.as_deref(), h.nik_valid))
        .collect();
    assert_eq!(hits, [("KLA-2", Some("1807*******5001"), false)]);
}
