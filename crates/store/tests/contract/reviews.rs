//! Work queues and supervisor review requests, on both backends.

use jejak_domain::date::ymd;
use jejak_domain::{
    DecisionKind, NewDecision, NewReviewRequest, OfficeCode, Outcome, ReviewStatus,
};
use jejak_store::{ApplicationQuery, ReviewResolution, StoreError};

use crate::backends::{Fresh, contract};
use crate::behaviour::{app, ctx, with_offices};

contract!(
    reviews:
    queues_list_pending_applications_of_one_office_newest_first,
    approving_a_review_records_the_decision_once,
    a_refused_review_decides_nothing_and_a_stale_one_conflicts,
);

fn issue(key: jejak_domain::ApplicationKey) -> NewDecision {
    NewDecision {
        application: key,
        kind: DecisionKind::Issued,
        decided_on: ymd(2025, 3, 20).unwrap(),
        deferral_until: None,
        reason_codes: vec![],
        reason_text: Some("dokumen lengkap".into()),
        officer: Some("sari".into()),
    }
}

fn request(key: jejak_domain::ApplicationKey, version: i64) -> NewReviewRequest {
    NewReviewRequest {
        proposed: issue(key),
        expected_version: version,
        grounds: "band tinggi".into(),
        requested_by: "sari".into(),
    }
}

fn resolution(approve: bool) -> ReviewResolution {
    ReviewResolution {
        approve,
        reviewer: "kasi".into(),
        note: Some("sudah dicek".into()),
        at: "2025-03-21T09:00:00Z".into(),
    }
}

pub async fn queues_list_pending_applications_of_one_office_newest_first(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    let a = store.insert_application(&app("K-1", "KLA", 1), &ctx()).await.unwrap();
    let b = store.insert_application(&app("K-2", "KLA", 5), &ctx()).await.unwrap();
    store.insert_application(&app("B-1", "BDL", 6), &ctx()).await.unwrap();
    let mut decided = issue(a.key);
    decided.reason_text = None;
    store.record_decision(&decided, a.version, &ctx()).await.unwrap();
    let query = ApplicationQuery {
        office: Some(OfficeCode::parse("KLA").unwrap()),
        outcome: Some(Outcome::Pending),
        ..ApplicationQuery::default()
    };
    let queue = store.list_applications(&query).await.unwrap();
    assert_eq!(queue.iter().map(|x| x.key).collect::<Vec<_>>(), vec![b.key]);
    let by_nik = ApplicationQuery {
        nik: Some("1807055203950003".into()),
        limit: 2,
        ..ApplicationQuery::default()
    };
    let hits = store.list_applications(&by_nik).await.unwrap();
    assert_eq!(hits.len(), 2, "limit honoured");
    assert_eq!(hits[0].data.application_id, "B-1", "newest first");
}

pub async fn approving_a_review_records_the_decision_once(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    let a = store.insert_application(&app("K-1", "KLA", 1), &ctx()).await.unwrap();
    let req = store.request_review(&request(a.key, a.version), &ctx()).await.unwrap();
    assert_eq!(req.status, ReviewStatus::Pending);
    let kla = OfficeCode::parse("KLA").unwrap();
    let bdl = OfficeCode::parse("BDL").unwrap();
    assert_eq!(store.pending_reviews(Some(&kla)).await.unwrap().len(), 1);
    assert!(store.pending_reviews(Some(&bdl)).await.unwrap().is_empty());
    assert!(store.decisions_of(a.key).await.unwrap().is_empty(), "nothing decided yet");

    let done = store.resolve_review(req.id, &resolution(true), &ctx()).await.unwrap();
    assert_eq!(done.status, ReviewStatus::Approved);
    assert_eq!(done.reviewed_by.as_deref(), Some("kasi"));
    let decisions = store.decisions_of(a.key).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].data.kind, DecisionKind::Issued);
    assert_eq!(decisions[0].data.officer.as_deref(), Some("sari"));
    assert!(decisions[0].data.reason_text.as_deref().unwrap().contains("disetujui oleh kasi"));
    assert_eq!(store.get_application(a.key).await.unwrap().data.outcome, Outcome::Issued);

    let again = store.resolve_review(req.id, &resolution(true), &ctx()).await.unwrap_err();
    assert!(
        matches!(again, StoreError::Conflict(ref m) if m.contains("already approved")),
        "{again}"
    );
    assert_eq!(store.decisions_of(a.key).await.unwrap().len(), 1);
    assert!(store.pending_reviews(None).await.unwrap().is_empty());
}

pub async fn a_refused_review_decides_nothing_and_a_stale_one_conflicts(fresh: &Fresh) {
    with_offices(fresh).await;
    let store = &fresh.store;
    let a = store.insert_application(&app("K-1", "KLA", 1), &ctx()).await.unwrap();
    let refused = store.request_review(&request(a.key, a.version), &ctx()).await.unwrap();
    let done = store.resolve_review(refused.id, &resolution(false), &ctx()).await.unwrap();
    assert_eq!(done.status, ReviewStatus::Refused);
    assert!(store.decisions_of(a.key).await.unwrap().is_empty());

    let stale = store.request_review(&request(a.key, a.version), &ctx()).await.unwrap();
    let mut defer = issue(a.key);
    defer.kind = DecisionKind::Deferred;
    defer.reason_codes = vec!["INTERVIEW".into()];
    defer.deferral_until = ymd(2025, 6, 20);
    store.record_decision(&defer, a.version, &ctx()).await.unwrap();
    let err = store.resolve_review(stale.id, &resolution(true), &ctx()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    let after = store.get_review(stale.id).await.unwrap();
    assert_eq!(after.status, ReviewStatus::Pending, "a failed approval changes nothing");
    assert_eq!(store.reviews_of(a.key).await.unwrap().len(), 2);
    assert_eq!(store.decisions_of(a.key).await.unwrap().len(), 1);
}
