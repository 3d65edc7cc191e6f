//! Behaviours every store must have, each a function over a fresh store.

use jejak_domain::date::ymd;
use jejak_domain::decision::DecisionKind;
use jejak_domain::{
    AuditAction, NewApplication, NewDecision, Nik, Office, OfficeCode, Outcome, Phone,
};
use jejak_store::{
    ApplicationQuery, AuditAppend, AuditCtx, ConflictPolicy, ExportFilter, StoreError, verify_chain,
};
use sqlx::Connection;

use crate::backends::{Fresh, contract};

contract!(
    offices_are_saved_and_updated,
    import_inserts_every_row_and_reimport_changes_nothing,
    a_changed_row_is_a_conflict_and_nothing_is_written,
    skip_policy_writes_the_rows_without_conflict,
    export_filters_and_reproduces_the_import,
    imported_outcomes_become_decision_history,
    a_decision_updates_the_outcome_and_a_stale_version_is_refused,
    change_sequence_orders_every_write,
    the_audit_chain_verifies_and_rejects_edits,
    a_batch_of_audit_events_is_appended_in_order_in_one_chain,
    a_large_import_keeps_every_index_and_a_failed_one_writes_nothing,
    a_large_import_checks_and_keeps_the_foreign_keys,
    a_conflict_after_many_new_rows_writes_nothing_or_only_the_new_rows,
    a_file_repeating_a_key_imports_nothing,
    a_row_whose_stored_hash_differs_but_content_is_equal_is_unchanged,
);

pub(crate) fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "admin".into(),
        office: Some(OfficeCode::parse("BDL").unwrap()),
        purpose: None,
        at: "2025-03-01T08:00:00Z".into(),
    }
}

pub(crate) async fn with_offices(fresh: &Fresh) {
    for office in Office::lampung_pilot() {
        fresh.store.save_office(&office, &ctx()).await.unwrap();
    }
}

pub(crate) fn app(id: &str, office: &str, day: u8) -> NewApplication {
    let mut a = NewApplication::new(
        id,
        OfficeCode::parse(office).unwrap(),
        ymd(2025, 3, day).unwrap(),
        "Suryani binti Karto",
    );
    a.nik = Some(Nik::parse("1807055203950003").unwrap());
    a.phone = Some(Phone::parse("081234567890").unwrap());
    a.birth_date = ymd(1995, 3, 12);
    a
}

fn batch(n: usize) -> Vec<NewApplication> {
    (0..n)
        .map(|i| {
            let mut a =
                app(&format!("BDL-{i:05}"), ["BDL", "KLA", "KTB"][i % 3], 1 + (i % 28) as u8);
            // Quotes, SQL fragments, backslashes and non-ASCII must be stored verbatim.
            a.address = Some(format!("Jl. Ma'arif No. {i}'); drop table applications; -- \\ é"));
            a
        })
        .collect()
}

pub async fn offices_are_saved_and_updated(fresh: &Fresh) {
    with_offices(fresh).await;
    let mut offices = fresh.store.list_offices().await.unwrap();
    assert_eq!(offices, Office::lampung_pilot());
    offices[0].name = "Kanim Bandar Lampung".into();
    fresh.store.save_office(&offices[0], &ctx()).await.unwrap();
    assert_eq!(fresh.store.list_offices().await.unwrap()[0].name, "Kanim Bandar Lampung");
}

pub async fn import_inserts_every_row_and_reimport_changes_nothing(fresh: &Fresh) {
    with_offices(fresh).await;
    let rows = batch(1200);
    let first = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((first.inserted, first.unchanged, first.committed), (1200, 0, true));
    assert_eq!(fresh.store.count_applications().await.unwrap(), 1200);
    let seq = fresh.store.current_change_seq().await.unwrap();
    let again = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 1200));
    assert!(again.conflicts.is_empty());
    assert_eq!(fresh.store.count_applications().await.unwrap(), 1200);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), seq);
}

pub async fn a_changed_row_is_a_conflict_and_nothing_is_written(fresh: &Fresh) {
    with_offices(fresh).await;
    fresh.store.import(&batch(3), ConflictPolicy::Abort, &ctx()).await.unwrap();
    let mut next = batch(5);
    next[1].full_name = "Soeryani".into();
    let outcome = fresh.store.import(&next, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert!(!outcome.committed);
    assert_eq!(outcome.conflicts.len(), 1);
    assert_eq!(outcome.conflicts[0].index, 1);
    assert_eq!(outcome.conflicts[0].fields, vec!["full_name"]);
    assert_eq!(fresh.store.count_applications().await.unwrap(), 3);
    let stored = fresh
        .store
        .find_application(&next[1].office_code, &next[1].application_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.data.full_name, "Suryani binti Karto");
}

pub async fn skip_policy_writes_the_rows_without_conflict(fresh: &Fresh) {
    with_offices(fresh).await;
    fresh.store.import(&batch(3), ConflictPolicy::Abort, &ctx()).await.unwrap();
    let mut next = batch(5);
    next[0].phone = None;
    let outcome = fresh.store.import(&next, ConflictPolicy::Skip, &ctx()).await.unwrap();
    assert!(outcome.committed);
    assert_eq!((outcome.inserted, outcome.unchanged, outcome.conflicts.len()), (2, 2, 1));
    assert_eq!(fresh.store.count_applications().await.unwrap(), 5);
}

pub async fn export_filters_and_reproduces_the_import(fresh: &Fresh) {
    with_offices(fresh).await;
    let mut rows = batch(30);
    rows[4].outcome = Outcome::Deferred;
    rows[4].outcome_reason = Some("Tujuan perjalanan tidak jelas".into());
    rows[4].decided_on = ymd(2025, 3, 20);
    fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let mut all = fresh.store.export(&ExportFilter::default()).await.unwrap();
    let mut expected = rows.clone();
    let key = |a: &NewApplication| (a.office_code.clone(), a.application_id.clone());
    all.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(all, expected);
    let filter = ExportFilter {
        from: ymd(2025, 3, 5),
        to: ymd(2025, 3, 10),
        office: Some(OfficeCode::parse("KLA").unwrap()),
    };
    let some = fresh.store.export(&filter).await.unwrap();
    let want = rows.iter().filter(|a| filter.matches(a)).count();
    assert_eq!(some.len(), want);
    assert!(!some.is_empty());
    assert!(some.iter().all(|a| filter.matches(a)));
    assert!(some.windows(2).all(|w| w[0].applied_on <= w[1].applied_on));
}

pub async fn imported_outcomes_become_decision_history(fresh: &Fresh) {
    with_offices(fresh).await;
    let mut a = app("KLA-1", "KLA", 2);
    a.outcome = Outcome::Deferred;
    a.outcome_reason = Some("pmi_np".into());
    a.decided_on = ymd(2025, 3, 4);
    fresh.store.import(&[a.clone()], ConflictPolicy::Abort, &ctx()).await.unwrap();
    let stored = fresh.store.find_application(&a.office_code, "KLA-1").await.unwrap().unwrap();
    let history = fresh.store.decisions_of(stored.key).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].data.kind, DecisionKind::Deferred);
    assert_eq!(history[0].data.reason_codes, vec!["PMI_NP".to_owned()]);
    assert_eq!(history[0].data.decided_on, ymd(2025, 3, 4).unwrap());
}

pub async fn a_decision_updates_the_outcome_and_a_stale_version_is_refused(fresh: &Fresh) {
    with_offices(fresh).await;
    let stored = fresh.store.insert_application(&app("BDL-9", "BDL", 3), &ctx()).await.unwrap();
    assert_eq!(stored.version, 1);
    let defer = NewDecision {
        application: stored.key,
        kind: DecisionKind::Deferred,
        decided_on: ymd(2025, 3, 3).unwrap(),
        deferral_until: ymd(2025, 4, 2),
        reason_codes: vec!["PMI_NP".into()],
        reason_text: Some("mengaku akan bekerja".into()),
        officer: Some("budi".into()),
    };
    fresh.store.record_decision(&defer, 1, &ctx()).await.unwrap();
    let after = fresh.store.get_application(stored.key).await.unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(after.data.outcome, Outcome::Deferred);
    assert_eq!(after.data.outcome_reason.as_deref(), Some("PMI_NP; mengaku akan bekerja"));
    let issue = NewDecision { kind: DecisionKind::Issued, deferral_until: None, ..defer.clone() };
    let err = fresh.store.record_decision(&issue, 1, &ctx()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("changed by someone else")),
        "{err}"
    );
    assert_eq!(fresh.store.decisions_of(stored.key).await.unwrap().len(), 1);
    let dup = fresh.store.insert_application(&app("BDL-9", "BDL", 3), &ctx()).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
}

pub async fn change_sequence_orders_every_write(fresh: &Fresh) {
    with_offices(fresh).await;
    let start = fresh.store.current_change_seq().await.unwrap();
    fresh.store.import(&batch(10), ConflictPolicy::Abort, &ctx()).await.unwrap();
    let changed = fresh.store.applications_changed_since(start, 100).await.unwrap();
    assert_eq!(changed.len(), 10);
    assert!(changed.windows(2).all(|w| w[0].change_seq < w[1].change_seq));
    let mark = fresh.store.current_change_seq().await.unwrap();
    assert!(fresh.store.applications_changed_since(mark, 100).await.unwrap().is_empty());
    let target = &changed[3];
    let decision = NewDecision {
        application: target.key,
        kind: DecisionKind::Rejected,
        decided_on: ymd(2025, 3, 29).unwrap(),
        deferral_until: None,
        reason_codes: vec!["INTERVIEW".into()],
        reason_text: None,
        officer: Some("sri".into()),
    };
    fresh.store.record_decision(&decision, target.version, &ctx()).await.unwrap();
    let moved = fresh.store.applications_changed_since(mark, 100).await.unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].key, target.key);
    assert!(moved[0].change_seq > mark);
    let decisions = fresh.store.decisions_changed_since(mark, 100).await.unwrap();
    assert_eq!(decisions.len(), 1);
    let limited = fresh.store.applications_changed_since(start, 4).await.unwrap();
    assert_eq!(limited.len(), 4);
}

pub async fn the_audit_chain_verifies_and_rejects_edits(fresh: &Fresh) {
    with_offices(fresh).await;
    fresh.store.import(&batch(5), ConflictPolicy::Abort, &ctx()).await.unwrap();
    fresh
        .store
        .append_audit(
            &ctx(),
            AuditAction::PersonView,
            "application",
            Some("1"),
            "purpose: screening",
        )
        .await
        .unwrap();
    let events = fresh.store.audit_events(0, 1000).await.unwrap();
    assert_eq!(events.len(), 5);
    let result = verify_chain(&events);
    assert_eq!((result.checked, result.first_failure), (5, None));

    // The database itself refuses to change history.
    let raw = fresh.raw_url.clone();
    let result = if raw.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(&raw).await.unwrap();
        sqlx::query("update audit_events set actor = 'x' where seq = 2")
            .execute(&mut c)
            .await
            .map(|_| ())
    } else {
        let mut c = sqlx::PgConnection::connect(&raw).await.unwrap();
        sqlx::query("delete from audit_events where seq = 2").execute(&mut c).await.map(|_| ())
    };
    let err = result.unwrap_err().to_string();
    assert!(err.contains("append-only"), "{err}");

    // An edited copy of an event is detected, naming the event.
    let mut tampered = events.clone();
    tampered[2].details = "nothing to see".into();
    assert_eq!(verify_chain(&tampered).first_failure.map(|f| f.seq), Some(3));
    let mut gap = events.clone();
    gap.remove(1);
    assert_eq!(verify_chain(&gap).first_failure.map(|f| f.seq), Some(2));
}

pub async fn a_batch_of_audit_events_is_appended_in_order_in_one_chain(fresh: &Fresh) {
    fresh
        .store
        .append_audit(&ctx(), AuditAction::PersonView, "screening", None, "first")
        .await
        .unwrap();
    fresh.store.append_audits(&[]).await.unwrap();
    let read = |details: &str| AuditAppend {
        ctx: ctx(),
        action: AuditAction::PersonalDataRead,
        entity: "screening".into(),
        entity_id: None,
        details: details.into(),
    };
    fresh.store.append_audits(&[read("a"), read("b"), read("c")]).await.unwrap();
    let events = fresh.store.audit_events(0, 1000).await.unwrap();
    let details: Vec<&str> = events.iter().map(|e| e.details.as_str()).collect();
    assert_eq!(details, ["first", "a", "b", "c"]);
    assert_eq!(events[1].action, "personal_data.read");
    let result = verify_chain(&events);
    assert_eq!((result.checked, result.first_failure), (4, None));
}

/// Names and definitions of the register's indexes, read from the database itself.
async fn index_definitions(fresh: &Fresh) -> Vec<(String, Option<String>)> {
    let raw = fresh.raw_url.clone();
    if raw.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(&raw).await.unwrap();
        sqlx::query_as("select name, sql from sqlite_master where type = 'index' order by name")
            .fetch_all(&mut c)
            .await
            .unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(&raw).await.unwrap();
        sqlx::query_as("select indexname::text, indexdef from pg_indexes where schemaname = current_schema() order by indexname")
            .fetch_all(&mut c)
            .await
            .unwrap()
    }
}

/// An import larger than the register may be loaded with its indexes built afterwards; the
/// register must look the same as after row-by-row inserts, and a failure half-way through
/// must leave the indexes and the rows as they were.
pub async fn a_large_import_keeps_every_index_and_a_failed_one_writes_nothing(fresh: &Fresh) {
    with_offices(fresh).await;
    let indexes = index_definitions(fresh).await;
    assert!(indexes.iter().any(|(name, _)| name == "applications_nik"), "{indexes:?}");
    let seq = fresh.store.current_change_seq().await.unwrap();
    let events = fresh.store.audit_events(0, 1000).await.unwrap().len();
    let mut rows = batch(2500);
    rows[2400].full_name = "Suryani\0binti Karto".into();
    let err = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidValue(_)), "{err}");
    assert_eq!(fresh.store.count_applications().await.unwrap(), 0);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), seq);
    assert_eq!(fresh.store.audit_events(0, 1000).await.unwrap().len(), events);
    assert_eq!(index_definitions(fresh).await, indexes);

    rows[2400].full_name = "Suryani binti Karto".into();
    rows[2400].nik = Some(Nik::parse("1871014107900001").unwrap());
    let outcome = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((outcome.inserted, outcome.committed), (2500, true));
    assert_eq!(index_definitions(fresh).await, indexes);
    let by_nik = fresh
        .store
        .list_applications(&ApplicationQuery {
            nik: Some("1871014107900001".into()),
            ..ApplicationQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_nik.len(), 1);
    assert_eq!(by_nik[0].data, rows[2400]);
    let changed = fresh.store.applications_changed_since(seq, 3000).await.unwrap();
    assert_eq!(changed.len(), 2500);
    assert!(changed.windows(2).all(|w| w[0].change_seq < w[1].change_seq));
    let again = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 2500));
    let events = fresh.store.audit_events(0, 1000).await.unwrap();
    assert_eq!(verify_chain(&events).first_failure, None);
}

/// The foreign keys of the register's tables, read from the database itself (on SQLite they
/// are part of each table's definition).
async fn foreign_key_definitions(fresh: &Fresh) -> Vec<(String, String)> {
    let raw = fresh.raw_url.clone();
    if raw.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(&raw).await.unwrap();
        sqlx::query_as(
            "select name, sql from sqlite_master where type = 'table' and sql like '%references%' order by name",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(&raw).await.unwrap();
        sqlx::query_as(
            "select conrelid::regclass::text || '.' || conname::text, pg_get_constraintdef(oid) \
             from pg_constraint where contype = 'f' \
             and connamespace = current_schema()::regnamespace order by 1",
        )
        .fetch_all(&mut c)
        .await
        .unwrap()
    }
}

/// An import large enough to be loaded before its indexes and keys are built still refuses a
/// row of an office the register does not know, writing nothing, and leaves every foreign
/// key (and index) as it was, failed or committed.
pub async fn a_large_import_checks_and_keeps_the_foreign_keys(fresh: &Fresh) {
    with_offices(fresh).await;
    let keys = foreign_key_definitions(fresh).await;
    assert!(keys.iter().any(|(name, _)| name.contains("decisions")), "{keys:?}");
    let indexes = index_definitions(fresh).await;
    let seq = fresh.store.current_change_seq().await.unwrap();
    let mut rows = batch(2500);
    // Half of them decided: their decisions are imported too, under the key to `applications`.
    for row in rows.iter_mut().step_by(2) {
        row.outcome = Outcome::Issued;
        row.decided_on = ymd(2025, 3, 20);
    }
    rows[2400].office_code = OfficeCode::parse("XYZ").unwrap();
    let refused = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(fresh.store.count_applications().await.unwrap(), 0);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), seq);
    assert_eq!(foreign_key_definitions(fresh).await, keys);
    assert_eq!(index_definitions(fresh).await, indexes);

    rows[2400].office_code = OfficeCode::parse("BDL").unwrap();
    let outcome = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((outcome.inserted, outcome.committed), (2500, true));
    let decided = fresh.store.find_application(&rows[2400].office_code, "BDL-02400").await;
    let decided = decided.unwrap().unwrap();
    let decisions = fresh.store.decisions_of(decided.key).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].data.kind, DecisionKind::Issued);
    assert_eq!(foreign_key_definitions(fresh).await, keys);
    assert_eq!(index_definitions(fresh).await, indexes);
}

/// A conflict that comes after many new rows (already written by a streaming import) still
/// leaves the register as it was under `Abort`; under `Skip` the new rows are written and the
/// conflicting row keeps its stored content.
pub async fn a_conflict_after_many_new_rows_writes_nothing_or_only_the_new_rows(fresh: &Fresh) {
    with_offices(fresh).await;
    let indexes = index_definitions(fresh).await;
    let mut rows = batch(2500);
    fresh.store.import(&rows[2400..2401], ConflictPolicy::Abort, &ctx()).await.unwrap();
    let seq = fresh.store.current_change_seq().await.unwrap();
    let events = fresh.store.audit_events(0, 1000).await.unwrap().len();
    rows[2400].full_name = "Soeryani".into();
    rows[2400].phone = None;
    let outcome = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert!(!outcome.committed);
    assert_eq!((outcome.inserted, outcome.unchanged), (0, 0));
    assert_eq!(outcome.conflicts.len(), 1);
    assert_eq!(outcome.conflicts[0].index, 2400);
    assert_eq!(outcome.conflicts[0].application_id, "BDL-02400");
    assert_eq!(outcome.conflicts[0].fields, vec!["full_name", "phone"]);
    assert_eq!(fresh.store.count_applications().await.unwrap(), 1);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), seq);
    assert_eq!(fresh.store.audit_events(0, 1000).await.unwrap().len(), events);
    assert_eq!(index_definitions(fresh).await, indexes);

    let outcome = fresh.store.import(&rows, ConflictPolicy::Skip, &ctx()).await.unwrap();
    assert!(outcome.committed);
    assert_eq!((outcome.inserted, outcome.unchanged, outcome.conflicts.len()), (2499, 0, 1));
    assert_eq!(fresh.store.count_applications().await.unwrap(), 2500);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), seq + 2499);
    let kept =
        fresh.store.find_application(&rows[2400].office_code, "BDL-02400").await.unwrap().unwrap();
    assert_eq!(kept.data.full_name, "Suryani binti Karto");
    assert_eq!(index_definitions(fresh).await, indexes);
    let events = fresh.store.audit_events(0, 1000).await.unwrap();
    assert!(events.last().unwrap().details.contains("\"conflicts_skipped\":1"));
    assert_eq!(verify_chain(&events).first_failure, None);
}

/// Two rows with the same office and application id in one file: an error, nothing written.
pub async fn a_file_repeating_a_key_imports_nothing(fresh: &Fresh) {
    with_offices(fresh).await;
    let seq = fresh.store.current_change_seq().await.unwrap();
    let mut rows = batch(4);
    let mut twin = rows[1].clone();
    twin.full_name = "Suryani".into();
    rows.push(twin);
    let err = fresh.store.import(&rows, ConflictPolicy::Skip, &ctx()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(fresh.store.count_applications().await.unwrap(), 0);
    assert_eq!(fresh.store.current_change_seq().await.unwrap(), seq);
}

/// The content hash is a shortcut: a stored row with another (or no) hash but the same
/// content is unchanged, not a conflict.
pub async fn a_row_whose_stored_hash_differs_but_content_is_equal_is_unchanged(fresh: &Fresh) {
    with_offices(fresh).await;
    let rows = batch(3);
    fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let raw = fresh.raw_url.clone();
    let sql = "update applications set source_hash = null where application_id = 'BDL-00001'";
    if raw.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(&raw).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&raw).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
    let again = fresh.store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((again.inserted, again.unchanged, again.conflicts.len()), (0, 3, 0));
    let mut changed = rows.clone();
    changed[1].address = None;
    let outcome = fresh.store.import(&changed, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!(outcome.conflicts.len(), 1);
    assert_eq!(outcome.conflicts[0].fields, vec!["address"]);
}

/// An in-memory SQLite register (no file for a second connection) imports through the pool.
#[tokio::test]
async fn an_in_memory_sqlite_register_imports() {
    let store = jejak_store::open("sqlite::memory:").await.unwrap();
    let rows = batch(2100);
    let outcome = store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((outcome.inserted, outcome.committed), (2100, true));
    assert_eq!(store.count_applications().await.unwrap(), 2100);
    let again = store.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 2100));
}
