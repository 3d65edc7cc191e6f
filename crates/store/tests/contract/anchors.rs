//! Signed audit anchors on both backends: stored in turn and append-only, and the chain
//! walked against them catches a rewrite whose hashes were all recomputed. (Signatures are
//! the service's business; here they are opaque text.)

use jejak_domain::{AuditAction, OfficeCode};
use jejak_store::anchors::NO_PREVIOUS_ANCHOR;
use jejak_store::{
    AuditAnchor, AuditBreak, AuditCtx, AuditFailure, Backend, ChainVerifier, Store, StoreError,
};
use sqlx::Connection;

use crate::backends::{Fresh, contract};

contract!(anchors:
    anchors_are_stored_in_turn_and_only_for_the_hash_the_entry_holds,
    anchors_are_append_only,
    a_rewritten_chain_with_recomputed_hashes_links_but_misses_its_anchors,
    a_chain_extended_after_the_last_anchor_still_verifies,
    entries_deleted_after_an_anchored_one_are_named,
);

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "admin".into(),
        office: Some(OfficeCode::parse("BDL").unwrap()),
        purpose: None,
        at: "2025-03-01T08:00:00Z".into(),
    }
}

async fn events(store: &dyn Store, n: usize) {
    for i in 0..n {
        store
            .append_audit(
                &ctx(),
                AuditAction::PersonView,
                "application",
                None,
                &format!("read {i}"),
            )
            .await
            .unwrap();
    }
}

/// The anchor after `last` vouching for the current head, signed with opaque text.
async fn next_anchor(store: &dyn Store, last: Option<&AuditAnchor>) -> AuditAnchor {
    let all = store.audit_events(0, 10_000).await.unwrap();
    let head = all.last().unwrap();
    let n = last.map_or(1, |l| l.n + 1);
    AuditAnchor {
        n,
        seq: head.seq,
        hash: head.hash.clone(),
        at: "2025-03-01T09:00:00Z".into(),
        public_key: "cHVibGlj".into(),
        prev_signature: last.map_or(NO_PREVIOUS_ANCHOR.into(), |l| l.signature.clone()),
        signature: format!("signature-{n}"),
    }
}

async fn verify_against_anchors(store: &dyn Store) -> Option<AuditBreak> {
    let anchors = store.audit_anchors(0, 1_000).await.unwrap();
    let mut v = ChainVerifier::new().with_anchors(&anchors);
    v.feed(&store.audit_events(0, 10_000).await.unwrap());
    v.finish().first_failure
}

async fn verify_unanchored(store: &dyn Store) -> Option<AuditBreak> {
    let mut v = ChainVerifier::new();
    v.feed(&store.audit_events(0, 10_000).await.unwrap());
    v.finish().first_failure
}

/// Runs SQL as an attacker with database access: the append-only triggers go first.
async fn tamper(fresh: &Fresh, sql: &str) {
    if fresh.store.backend() == Backend::Sqlite {
        let mut c = sqlx::SqliteConnection::connect(&fresh.raw_url).await.unwrap();
        let drop = "drop trigger audit_events_no_update; drop trigger audit_events_no_delete; drop trigger audit_anchors_no_update; drop trigger audit_anchors_no_delete;";
        sqlx::raw_sql(drop).execute(&mut c).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&fresh.raw_url).await.unwrap();
        let sql = format!(
            "alter table audit_events disable trigger user; alter table audit_anchors disable trigger user; {sql}"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
    }
}

pub async fn anchors_are_stored_in_turn_and_only_for_the_hash_the_entry_holds(fresh: &Fresh) {
    let s = fresh.store.as_ref();
    assert_eq!(s.last_audit_anchor().await.unwrap(), None);
    events(s, 3).await;
    let first = next_anchor(s, None).await;

    let mut wrong_hash = first.clone();
    wrong_hash.hash = "ab".repeat(32);
    let refused = s.add_audit_anchor(&wrong_hash).await.unwrap_err();
    assert!(
        matches!(refused, StoreError::InvalidValue(ref m) if m.contains("entry 3 has another hash")),
        "{refused}"
    );
    let mut missing = first.clone();
    missing.seq = 9;
    let refused = s.add_audit_anchor(&missing).await.unwrap_err();
    assert!(
        matches!(refused, StoreError::InvalidValue(ref m) if m.contains("entry 9 does not exist")),
        "{refused}"
    );

    s.add_audit_anchor(&first).await.unwrap();
    assert_eq!(s.last_audit_anchor().await.unwrap(), Some(first.clone()));
    // Anchor 1 again (another server anchoring at the same moment) is a conflict.
    let again = s.add_audit_anchor(&first).await.unwrap_err();
    assert!(
        matches!(again, StoreError::Conflict(ref m) if m.contains("not the next one")),
        "{again}"
    );
    events(s, 2).await;
    let mut unchained = next_anchor(s, Some(&first)).await;
    unchained.prev_signature = "another".into();
    assert!(matches!(s.add_audit_anchor(&unchained).await, Err(StoreError::Conflict(_))));
    let second = next_anchor(s, Some(&first)).await;
    s.add_audit_anchor(&second).await.unwrap();
    assert_eq!(s.audit_anchors(0, 10).await.unwrap(), vec![first.clone(), second.clone()]);
    assert_eq!(s.audit_anchors(1, 10).await.unwrap(), vec![second.clone()]);
    assert_eq!(second.seq, 5);
}

pub async fn anchors_are_append_only(fresh: &Fresh) {
    let s = fresh.store.as_ref();
    events(s, 2).await;
    s.add_audit_anchor(&next_anchor(s, None).await).await.unwrap();
    for sql in ["update audit_anchors set hash = 'x' where n = 1", "delete from audit_anchors"] {
        let refused = if s.backend() == Backend::Sqlite {
            let mut c = sqlx::SqliteConnection::connect(&fresh.raw_url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap_err()
        } else {
            let mut c = sqlx::PgConnection::connect(&fresh.raw_url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap_err()
        };
        assert!(refused.to_string().contains("audit_anchors is append-only"), "{refused}");
    }
    assert_eq!(s.audit_anchors(0, 10).await.unwrap().len(), 1);
}

pub async fn a_rewritten_chain_with_recomputed_hashes_links_but_misses_its_anchors(fresh: &Fresh) {
    let s = fresh.store.as_ref();
    events(s, 3).await;
    let first = next_anchor(s, None).await;
    s.add_audit_anchor(&first).await.unwrap();
    events(s, 2).await;
    let second = next_anchor(s, Some(&first)).await;
    s.add_audit_anchor(&second).await.unwrap();
    assert_eq!(verify_against_anchors(s).await, None);

    // Entry 2 rewritten and every later hash recomputed, as one who knows the scheme would.
    let mut all = s.audit_events(0, 100).await.unwrap();
    let mut sql = String::new();
    for i in 1..all.len() {
        if i == 1 {
            all[i].details = "rewritten".into();
        }
        all[i].prev_hash = all[i - 1].hash.clone();
        all[i].hash = all[i].compute_hash();
        sql.push_str(&format!(
            "update audit_events set details = '{}', prev_hash = '{}', hash = '{}' where seq = {};\n",
            all[i].details, all[i].prev_hash, all[i].hash, all[i].seq
        ));
    }
    tamper(fresh, &sql).await;
    assert_eq!(verify_unanchored(s).await, None, "the rewritten chain links");
    assert_eq!(
        verify_against_anchors(s).await,
        Some(AuditBreak { seq: 3, failure: AuditFailure::DiffersFromAnchor { anchor: 1 } })
    );
}

pub async fn a_chain_extended_after_the_last_anchor_still_verifies(fresh: &Fresh) {
    let s = fresh.store.as_ref();
    events(s, 3).await;
    s.add_audit_anchor(&next_anchor(s, None).await).await.unwrap();
    events(s, 4).await;
    assert_eq!(verify_against_anchors(s).await, None);
    // Resuming from the anchored entry walks only what came after it.
    let anchor = s.last_audit_anchor().await.unwrap().unwrap();
    let mut v = ChainVerifier::resume_after(jejak_store::Checkpoint {
        seq: anchor.seq,
        hash: anchor.hash.clone(),
    });
    v.feed(&s.audit_events(anchor.seq, 100).await.unwrap());
    let walked = v.finish();
    assert_eq!((walked.first_failure, walked.checked, walked.head_seq), (None, 4, 7));
}

pub async fn entries_deleted_after_an_anchored_one_are_named(fresh: &Fresh) {
    let s = fresh.store.as_ref();
    events(s, 4).await;
    s.add_audit_anchor(&next_anchor(s, None).await).await.unwrap();
    tamper(fresh, "delete from audit_events where seq >= 3").await;
    assert_eq!(verify_unanchored(s).await, None, "a shortened chain still links");
    assert_eq!(
        verify_against_anchors(s).await,
        Some(AuditBreak { seq: 4, failure: AuditFailure::MissingAnchored { anchor: 1 } })
    );
}
