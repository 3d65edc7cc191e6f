//! Match verdicts: recorded with change numbers and audit events, superseded but never
//! rewritten, refused for unknown applications.

use jejak_domain::date::ymd;
use jejak_domain::{
    Application, ApplicationKey, NewApplication, NewMatchDecision, OfficeCode, Verdict,
};
use jejak_store::{AuditCtx, StoreError};

use crate::backends::{Fresh, contract};

contract!(
    match_decisions:
    verdicts_are_recorded_in_change_order_and_audited,
    a_later_verdict_supersedes_and_history_is_kept,
    a_batch_of_verdicts_is_all_or_nothing,
);

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "sri".into(),
        office: Some(OfficeCode::parse("KLA").unwrap()),
        purpose: Some("identity review".into()),
        at: "2025-04-01T09:00:00Z".into(),
    }
}

async fn three_applications(fresh: &Fresh) -> Vec<Application> {
    let mut out = Vec::new();
    for (i, office) in ["BDL", "KLA", "KTB"].into_iter().enumerate() {
        let app = NewApplication::new(
            &format!("{office}-{i}"),
            OfficeCode::parse(office).unwrap(),
            ymd(2025, 3, 1 + i as u8).unwrap(),
            "Siti Aminah",
        );
        out.push(fresh.store.insert_application(&app, &ctx()).await.unwrap());
    }
    out
}

fn verdict(x: ApplicationKey, y: ApplicationKey, v: Verdict, reason: &str) -> NewMatchDecision {
    let office = Some(OfficeCode::parse("KLA").unwrap());
    NewMatchDecision::new(x, y, v, "sri", office, reason, "2025-04-01T09:00:00Z").unwrap()
}

pub async fn verdicts_are_recorded_in_change_order_and_audited(fresh: &Fresh) {
    let apps = three_applications(fresh).await;
    let mark = fresh.store.current_change_seq().await.unwrap();
    let audit_mark = fresh.store.audit_events(0, 1000).await.unwrap().len() as i64;
    // Given the other way round, stored ordered.
    let confirm = verdict(apps[1].key, apps[0].key, Verdict::Confirm, "NIK sama, foto sama");
    let recorded = fresh.store.record_match_decision(&confirm, &ctx()).await.unwrap();
    assert_eq!(recorded.data.pair(), (apps[0].key, apps[1].key));
    assert!(recorded.change_seq > mark);
    let reject = verdict(apps[0].key, apps[2].key, Verdict::Reject, "kembar");
    fresh.store.record_match_decision(&reject, &ctx()).await.unwrap();

    let changed = fresh.store.match_decisions_changed_since(mark, 100).await.unwrap();
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[0], recorded);
    assert_eq!(changed[1].data, reject);
    assert!(changed[0].change_seq < changed[1].change_seq);
    assert_eq!(changed[0].data.office().map(OfficeCode::as_str), Some("KLA"));
    let after_first = fresh.store.match_decisions_changed_since(changed[0].change_seq, 100);
    assert_eq!(after_first.await.unwrap().len(), 1);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), changed[1].change_seq);

    let events = fresh.store.audit_events(audit_mark, 100).await.unwrap();
    let actions: Vec<(&str, Option<&str>, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.entity_id.as_deref(), e.details.as_str()))
        .collect();
    let pair = |a: &Application, b: &Application| format!("{}-{}", a.key, b.key);
    assert_eq!(
        actions,
        vec![
            ("match.confirm", Some(pair(&apps[0], &apps[1]).as_str()), "NIK sama, foto sama"),
            ("match.reject", Some(pair(&apps[0], &apps[2]).as_str()), "kembar"),
        ]
    );
    assert!(events.iter().all(|e| e.actor == "sri" && e.entity == "application_pair"));
}

pub async fn a_later_verdict_supersedes_and_history_is_kept(fresh: &Fresh) {
    let apps = three_applications(fresh).await;
    let (a, b, c) = (apps[0].key, apps[1].key, apps[2].key);
    fresh
        .store
        .record_match_decision(&verdict(a, b, Verdict::Confirm, "sama"), &ctx())
        .await
        .unwrap();
    fresh
        .store
        .record_match_decision(&verdict(b, c, Verdict::Reject, "beda"), &ctx())
        .await
        .unwrap();
    fresh
        .store
        .record_match_decision(&verdict(b, a, Verdict::Reject, "salah gabung"), &ctx())
        .await
        .unwrap();
    let of_b = fresh.store.match_decisions_of(b).await.unwrap();
    let seen: Vec<(Verdict, &str)> =
        of_b.iter().map(|d| (d.data.verdict(), d.data.reason())).collect();
    assert_eq!(
        seen,
        vec![
            (Verdict::Confirm, "sama"),
            (Verdict::Reject, "beda"),
            (Verdict::Reject, "salah gabung")
        ]
    );
    let of_a = fresh.store.match_decisions_of(a).await.unwrap();
    assert_eq!(of_a.len(), 2);
    assert_eq!(of_a.last().unwrap().data.verdict(), Verdict::Reject, "the latest one is last");
    assert!(fresh.store.match_decisions_of(ApplicationKey(999_999)).await.unwrap().is_empty());
}

pub async fn a_batch_of_verdicts_is_all_or_nothing(fresh: &Fresh) {
    let apps = three_applications(fresh).await;
    let mark = fresh.store.current_change_seq().await.unwrap();
    let batch = [
        verdict(apps[0].key, apps[1].key, Verdict::Reject, "pemisahan"),
        verdict(apps[0].key, ApplicationKey(999_999), Verdict::Reject, "pemisahan"),
    ];
    let err = fresh.store.record_match_decisions(&batch, &ctx()).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound(ref m) if m.contains("999999")), "{err}");
    assert!(fresh.store.match_decisions_changed_since(mark, 100).await.unwrap().is_empty());
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), mark);

    let recorded = fresh.store.record_match_decisions(&batch[..1], &ctx()).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert!(fresh.store.record_match_decisions(&[], &ctx()).await.unwrap().is_empty());
}
