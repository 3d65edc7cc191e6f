//! Operations behaviours on both backends: the audit chain against an attacker with database
//! access, legal holds and retention, subject look-ups, backups, and two officers deciding the
//! same application at once.

use jejak_domain::date::ymd;
use jejak_domain::decision::DecisionKind;
use jejak_domain::{
    ApplicationKey, AuditAction, NewApplication, NewDecision, Nik, OfficeCode, Outcome, Phone,
};
use jejak_store::{
    AuditBreak, AuditCtx, AuditEvent, AuditFailure, Backend, ChainVerifier, ConflictPolicy,
    HoldTarget, RetentionAction, RetentionKind, Store, StoreError,
};
use sqlx::Connection;

use crate::backends::Fresh;

/// Declares `#[tokio::test]`s that run one behaviour of this module on both backends.
macro_rules! ops_contract {
    ($($name:ident),+ $(,)?) => {
        mod ops_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite().await;
                    super::$name(&fresh).await;
                }
            )+
        }
        mod ops_sqlite_pool {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite_pool().await;
                    super::$name(&fresh).await;
                }
            )+
        }
        mod ops_postgres {
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

ops_contract!(
    an_untouched_register_verifies,
    an_edited_entry_is_named,
    a_deleted_entry_is_named,
    a_forged_entry_inserted_into_the_chain_is_named,
    a_forged_entry_appended_with_a_wrong_hash_is_named,
    legal_holds_are_placed_and_lifted_with_audit,
    retention_anonymises_deletes_and_never_touches_held_records,
    subject_lookups_find_applications_and_their_audit_events,
    backup_is_online_for_sqlite_and_points_postgres_to_pg_dump,
    two_officers_deciding_at_once_one_wins_the_other_gets_a_conflict,
);

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "admin".into(),
        office: Some(OfficeCode::parse("BDL").unwrap()),
        purpose: None,
        at: "2025-03-01T08:00:00Z".into(),
    }
}

const NIK: &str = "1807055203950003";

fn app(id: &str, nik: Option<&str>) -> NewApplication {
    let mut a = NewApplication::new(
        id,
        OfficeCode::parse("BDL").unwrap(),
        ymd(2020, 3, 2).unwrap(),
        "Suryani binti Karto",
    );
    a.nik = nik.map(|n| Nik::parse(n).unwrap());
    a.phone = Some(Phone::parse("081234567890").unwrap());
    a.birth_date = ymd(1995, 3, 12);
    a.address = Some("Jl. Kenanga 4, Kalianda".into());
    a.village_code = Some(jejak_domain::RegionCode::parse("1801012001").unwrap());
    a.mother_name = Some("Sumiati".into());
    a.outcome = Outcome::Deferred;
    a.outcome_reason = Some("PMI_NP".into());
    a.decided_on = ymd(2020, 3, 3);
    a
}

/// A register with a few writes: 2 imports, 3 applications, a decision, a read.
async fn with_history(fresh: &Fresh) -> Vec<ApplicationKey> {
    let s = &fresh.store;
    s.import(&[app("BDL-1", Some(NIK)), app("BDL-2", None)], ConflictPolicy::Abort, &ctx())
        .await
        .unwrap();
    let third = s.insert_application(&app("BDL-3", Some(NIK)), &ctx()).await.unwrap();
    let decision = NewDecision {
        application: third.key,
        kind: DecisionKind::Issued,
        decided_on: ymd(2020, 4, 1).unwrap(),
        deferral_until: None,
        reason_codes: vec![],
        reason_text: Some("dokumen lengkap".into()),
        officer: Some("budi".into()),
    };
    s.record_decision(&decision, third.version, &ctx()).await.unwrap();
    s.append_audit(&ctx(), AuditAction::PersonView, "application", Some("1"), "screening")
        .await
        .unwrap();
    let one = s.find_application(&OfficeCode::parse("BDL").unwrap(), "BDL-1").await.unwrap();
    let two = s.find_application(&OfficeCode::parse("BDL").unwrap(), "BDL-2").await.unwrap();
    vec![one.unwrap().key, two.unwrap().key, third.key]
}

async fn verify(store: &dyn Store) -> Option<AuditBreak> {
    let mut v = ChainVerifier::new();
    v.feed(&store.audit_events(0, 10_000).await.unwrap());
    v.finish().first_failure
}

/// Runs SQL as an attacker with database access: the append-only triggers go first.
async fn tamper(fresh: &Fresh, statements: &[String]) {
    if fresh.store.backend() == Backend::Sqlite {
        let mut c = sqlx::SqliteConnection::connect(&fresh.raw_url).await.unwrap();
        sqlx::raw_sql("drop trigger audit_events_no_update; drop trigger audit_events_no_delete;")
            .execute(&mut c)
            .await
            .unwrap();
        for s in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone())).execute(&mut c).await.unwrap();
        }
    } else {
        let mut c = sqlx::PgConnection::connect(&fresh.raw_url).await.unwrap();
        sqlx::raw_sql("alter table audit_events disable trigger user")
            .execute(&mut c)
            .await
            .unwrap();
        for s in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone())).execute(&mut c).await.unwrap();
        }
    }
}

fn insert_sql(e: &AuditEvent) -> String {
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let opt = |s: &Option<String>| s.as_deref().map_or("null".to_owned(), q);
    format!(
        "insert into audit_events (seq, at, actor, office_code, purpose, action, entity, entity_id, details, prev_hash, hash) values ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        e.seq,
        q(&e.at),
        q(&e.actor),
        opt(&e.office_code),
        opt(&e.purpose),
        q(&e.action),
        q(&e.entity),
        opt(&e.entity_id),
        q(&e.details),
        q(&e.prev_hash),
        q(&e.hash)
    )
}

pub async fn an_untouched_register_verifies(fresh: &Fresh) {
    with_history(fresh).await;
    let events = fresh.store.audit_events(0, 100).await.unwrap();
    let mut v = ChainVerifier::new();
    v.feed(&events[..2]);
    v.feed(&events[2..]);
    let result = v.finish();
    assert_eq!(result.first_failure, None);
    assert_eq!(result.checked, events.len() as u64);
    assert_eq!(result.head_hash, events.last().unwrap().hash);
}

pub async fn an_edited_entry_is_named(fresh: &Fresh) {
    with_history(fresh).await;
    tamper(fresh, &["update audit_events set actor = 'someone else' where seq = 3".into()]).await;
    assert_eq!(
        verify(fresh.store.as_ref()).await,
        Some(AuditBreak { seq: 3, failure: AuditFailure::Edited })
    );
}

pub async fn a_deleted_entry_is_named(fresh: &Fresh) {
    with_history(fresh).await;
    tamper(fresh, &["delete from audit_events where seq = 2".into()]).await;
    assert_eq!(
        verify(fresh.store.as_ref()).await,
        Some(AuditBreak { seq: 2, failure: AuditFailure::Deleted { last_missing: 2 } })
    );
}

pub async fn a_forged_entry_inserted_into_the_chain_is_named(fresh: &Fresh) {
    with_history(fresh).await;
    let events = fresh.store.audit_events(0, 100).await.unwrap();
    // The forger knows the hashing scheme: the forged entry is consistent in itself and links
    // to entry 2; the later entries are renumbered to make room.
    let mut forged = events[1].clone();
    forged.seq = 3;
    forged.action = "decision.record".into();
    forged.details = "issued".into();
    forged.prev_hash = events[1].hash.clone();
    forged.hash = forged.compute_hash();
    tamper(
        fresh,
        &[
            "update audit_events set seq = -seq where seq >= 3".into(),
            "update audit_events set seq = 1 - seq where seq < 0".into(),
            insert_sql(&forged),
        ],
    )
    .await;
    assert_eq!(
        verify(fresh.store.as_ref()).await,
        Some(AuditBreak { seq: 3, failure: AuditFailure::Inserted })
    );
}

pub async fn a_forged_entry_appended_with_a_wrong_hash_is_named(fresh: &Fresh) {
    with_history(fresh).await;
    let events = fresh.store.audit_events(0, 100).await.unwrap();
    let last = events.last().unwrap();
    let mut forged = last.clone();
    forged.seq = last.seq + 1;
    forged.prev_hash = last.hash.clone();
    forged.details = "issued".into();
    tamper(fresh, &[insert_sql(&forged)]).await;
    assert_eq!(
        verify(fresh.store.as_ref()).await,
        Some(AuditBreak { seq: last.seq + 1, failure: AuditFailure::Edited })
    );
}

pub async fn legal_holds_are_placed_and_lifted_with_audit(fresh: &Fresh) {
    let keys = with_history(fresh).await;
    let s = &fresh.store;
    let blank = s.place_hold(&HoldTarget::Nik(NIK.into()), "  ", &ctx()).await.unwrap_err();
    assert!(matches!(blank, StoreError::InvalidValue(ref m) if m.contains("reason")), "{blank}");
    let by_nik =
        s.place_hold(&HoldTarget::Nik(NIK.into()), "penyidikan TPPO Polda", &ctx()).await.unwrap();
    let by_key = s.place_hold(&HoldTarget::Application(keys[1]), "banding", &ctx()).await.unwrap();
    assert_eq!(by_nik.nik.as_deref(), Some(NIK));
    assert_eq!(by_key.application, Some(keys[1]));
    assert_eq!(by_key.placed_by, "admin");
    assert_eq!(s.legal_holds(false).await.unwrap().len(), 2);

    let lifted = s.lift_hold(by_key.id, "banding selesai", &ctx()).await.unwrap();
    assert_eq!(lifted.lift_reason.as_deref(), Some("banding selesai"));
    assert!(!lifted.is_active());
    assert_eq!(s.legal_holds(false).await.unwrap(), vec![by_nik.clone()]);
    assert_eq!(s.legal_holds(true).await.unwrap().len(), 2);
    let again = s.lift_hold(by_key.id, "lagi", &ctx()).await.unwrap_err();
    assert!(matches!(again, StoreError::NotFound(_)), "{again}");

    let events = s.audit_events(0, 100).await.unwrap();
    let actions: Vec<&str> = events.iter().rev().take(3).map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["legal_hold.lift", "legal_hold.place", "legal_hold.place"]);
    // The NIK is masked in the audit details.
    assert!(events.iter().all(|e| !e.details.contains(NIK)));
    assert_eq!(verify(s.as_ref()).await, None);
}

fn action(key: ApplicationKey, kind: RetentionKind) -> RetentionAction {
    RetentionAction {
        application: key,
        kind,
        record_type: "deferred".into(),
        expired_on: "2023-03-03".into(),
        as_of: "2025-03-01".into(),
        age_at_application: Some(24),
    }
}

pub async fn retention_anonymises_deletes_and_never_touches_held_records(fresh: &Fresh) {
    let keys = with_history(fresh).await;
    let s = &fresh.store;
    // BDL-3 carries the held NIK; BDL-1 too, but it is asked to be anonymised after the hold.
    s.place_hold(&HoldTarget::Application(keys[2]), "banding", &ctx()).await.unwrap();
    let before = s.get_application(keys[1]).await.unwrap();
    let outcome = s
        .apply_retention(
            &[
                action(keys[1], RetentionKind::Anonymise),
                action(keys[2], RetentionKind::Delete),
                action(keys[0], RetentionKind::Delete),
            ],
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(outcome.anonymised, vec![keys[1]]);
    assert_eq!(outcome.deleted, vec![keys[0]]);
    assert_eq!(outcome.held, vec![keys[2]]);

    let anon = s.get_application(keys[1]).await.unwrap();
    assert_eq!(anon.data.full_name, "");
    assert_eq!((anon.data.nik.clone(), anon.data.phone.clone()), (None, None));
    assert_eq!((anon.data.address.clone(), anon.data.mother_name.clone()), (None, None));
    assert_eq!(anon.data.birth_date, None);
    assert_eq!(anon.data.village_code.as_ref().map(|c| c.as_str().to_owned()), Some("1801".into()));
    // Decision facts stay for statistics.
    assert_eq!(anon.data.outcome, Outcome::Deferred);
    assert_eq!(anon.data.applied_on, before.data.applied_on);
    assert_eq!(anon.data.decided_on, before.data.decided_on);
    assert_eq!(anon.version, before.version + 1);
    assert!(anon.change_seq > before.change_seq);
    let history = s.decisions_of(keys[1]).await.unwrap();
    assert_eq!(history[0].data.reason_codes, vec!["PMI_NP".to_owned()]);

    assert!(matches!(s.get_application(keys[0]).await, Err(StoreError::NotFound(_))));
    assert!(s.decisions_of(keys[0]).await.unwrap().is_empty());
    let held = s.get_application(keys[2]).await.unwrap();
    assert_eq!(held.data.full_name, "Suryani binti Karto");

    let mut done = s.retention_done().await.unwrap();
    done.sort();
    let mut expected = vec![keys[0], keys[1]];
    expected.sort();
    assert_eq!(done, expected);
    // A second run does nothing more.
    let again =
        s.apply_retention(&[action(keys[1], RetentionKind::Anonymise)], &ctx()).await.unwrap();
    assert_eq!(again.already_done, vec![keys[1]]);

    let events = s.audit_events(0, 100).await.unwrap();
    let retention: Vec<(String, Option<String>)> = events
        .iter()
        .filter(|e| e.action.starts_with("retention."))
        .map(|e| (e.action.clone(), e.entity_id.clone()))
        .collect();
    assert_eq!(
        retention,
        [
            ("retention.anonymise".to_owned(), Some(keys[1].to_string())),
            ("retention.delete".to_owned(), Some(keys[0].to_string()))
        ]
    );
    assert_eq!(verify(s.as_ref()).await, None);
}

pub async fn subject_lookups_find_applications_and_their_audit_events(fresh: &Fresh) {
    let keys = with_history(fresh).await;
    let s = &fresh.store;
    let found = s.applications_with_nik(&Nik::parse(NIK).unwrap()).await.unwrap();
    let found: Vec<ApplicationKey> = found.iter().map(|a| a.key).collect();
    assert_eq!(found, vec![keys[0], keys[2]]);
    let ids: Vec<String> = keys.iter().map(ToString::to_string).collect();
    let events = s.audit_events_about("application", &ids).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["application.create", "decision.record", "person.view"]);
    assert!(s.audit_events_about("application", &[]).await.unwrap().is_empty());
}

pub async fn backup_is_online_for_sqlite_and_points_postgres_to_pg_dump(fresh: &Fresh) {
    with_history(fresh).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.db");
    let result = fresh.store.backup_into(&path).await;
    if fresh.store.backend() == Backend::Postgres {
        let err = result.unwrap_err();
        assert!(err.to_string().contains("pg_dump"), "{err}");
        return;
    }
    result.unwrap();
    let copy = jejak_store::open(&format!("sqlite://{}", path.display())).await.unwrap();
    copy.integrity_check().await.unwrap();
    assert_eq!(copy.register_size().await.unwrap(), fresh.store.register_size().await.unwrap());
    assert_eq!(verify(copy.as_ref()).await, None);
    let exists = fresh.store.backup_into(&path).await.unwrap_err();
    assert!(exists.to_string().contains("already exists"), "{exists}");
}

pub async fn two_officers_deciding_at_once_one_wins_the_other_gets_a_conflict(fresh: &Fresh) {
    let s = &fresh.store;
    // A second handle on the same register: a second server.
    let other = jejak_store::open(&fresh.raw_url).await.unwrap();
    for round in 0..10 {
        let mut a = app(&format!("KTB-{round}"), None);
        a.outcome = Outcome::Pending;
        a.outcome_reason = None;
        a.decided_on = None;
        let stored = s.insert_application(&a, &ctx()).await.unwrap();
        let decide = |kind, officer: &str| NewDecision {
            application: stored.key,
            kind,
            decided_on: ymd(2025, 3, 3).unwrap(),
            deferral_until: None,
            reason_codes: vec![],
            reason_text: None,
            officer: Some(officer.to_owned()),
        };
        let (budi, sri) =
            (decide(DecisionKind::Issued, "budi"), decide(DecisionKind::Deferred, "sri"));
        let (budi_ctx, sri_ctx) = (ctx(), ctx());
        let (first, second) = tokio::join!(
            s.record_decision(&budi, stored.version, &budi_ctx),
            other.record_decision(&sri, stored.version, &sri_ctx),
        );
        let (won, lost) = match (first, second) {
            (Ok(d), Err(e)) | (Err(e), Ok(d)) => (d, e),
            (a, b) => panic!("round {round}: exactly one decision must succeed: {a:?} / {b:?}"),
        };
        assert!(
            matches!(lost, StoreError::Conflict(ref m) if m.contains("changed by someone else") && m.contains("reload")),
            "{lost}"
        );
        let history = s.decisions_of(stored.key).await.unwrap();
        assert_eq!(history.len(), 1, "round {round}: no lost update, one decision");
        assert_eq!(history[0].data, won.data);
        let after = s.get_application(stored.key).await.unwrap();
        assert_eq!(after.version, stored.version + 1);
        assert_eq!(after.data.outcome, won.data.kind.outcome());
    }
    assert_eq!(verify(s.as_ref()).await, None);
}
