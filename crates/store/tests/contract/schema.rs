//! Both backends' migrations exist under the same versions and produce the same tables
//! and columns.

use std::collections::BTreeSet;
use std::path::Path;

use sqlx::{Connection, Row};

fn migration_names(dir: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
    std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_migration_exists_for_both_backends() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let lite = crate::backends::sqlite().await;
    let Some(pg) = crate::backends::postgres().await else { return };
    let mut c = sqlx::SqliteConnection::connect(&lite.raw_url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_sqlx%'")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let mut sqlite_columns = BTreeSet::new();
    for table in &tables {
        let rows = sqlx::query("select name from pragma_table_info($1)")
            .bind(table)
            .fetch_all(&mut c)
            .await
            .unwrap();
        for row in rows {
            sqlite_columns.insert(format!("{table}.{}", row.get::<String, _>(0)));
        }
    }
    let mut p = sqlx::PgConnection::connect(&pg.raw_url).await.unwrap();
    let rows = sqlx::query("select table_name::text, column_name::text from information_schema.columns where table_schema = current_schema() and table_name not like '_sqlx%'")
        .fetch_all(&mut p)
        .await
        .unwrap();
    let pg_columns: BTreeSet<String> = rows
        .iter()
        .map(|r| format!("{}.{}", r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect();
    assert_eq!(sqlite_columns, pg_columns);
}

/// A register written before migration 0007 (the audit table with `seq bigint primary key`)
/// opened by this version: every event is kept as it was, the chain still verifies, new
/// events chain on, and the table is a rowid table (no separate index on `seq`).
#[tokio::test]
async fn an_older_sqlite_register_keeps_its_audit_chain_through_the_rowid_migration() {
    use jejak_store::{AuditAppend, AuditCtx, verify_chain};
    use sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;

    let read = |details: String| AuditAppend {
        ctx: AuditCtx {
            actor: "petugas.kla".into(),
            office: Some(jejak_domain::OfficeCode::parse("KLA").unwrap()),
            purpose: Some("menyaring permohonan".into()),
            at: "2026-11-01T08:00:00Z".into(),
        },
        action: jejak_domain::AuditAction::PersonalDataRead,
        entity: "screening".into(),
        entity_id: details.len().is_multiple_of(2).then(|| details.clone()),
        details,
    };
    // Events as this version writes them, hashes included.
    let current = crate::backends::sqlite().await;
    let batch: Vec<AuditAppend> = (0..30).map(|n| read(format!("{n} candidates"))).collect();
    current.store.append_audits(&batch).await.unwrap();
    let events = current.store.audit_events(0, 1000).await.unwrap();
    assert_eq!(events.len(), 30);

    // The same events in a register at migration 6.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("older.db").display());
    let options = SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true);
    let mut c = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::migrate!("./migrations/sqlite").run_to(6, &mut c).await.unwrap();
    for e in &events {
        sqlx::query("insert into audit_events (seq, at, actor, office_code, purpose, action, entity, entity_id, details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(e.seq).bind(&e.at).bind(&e.actor).bind(&e.office_code).bind(&e.purpose)
            .bind(&e.action).bind(&e.entity).bind(&e.entity_id).bind(&e.details)
            .bind(&e.prev_hash).bind(&e.hash)
            .execute(&mut c)
            .await
            .unwrap();
    }
    let seq_indexes =
        "select count(*) from sqlite_master where type = 'index' and tbl_name = 'audit_events'";
    let before: i64 = sqlx::query_scalar(seq_indexes).fetch_one(&mut c).await.unwrap();
    assert_eq!(before, 1, "version 6 keeps a unique index beside the rowid table");
    c.close().await.unwrap();

    let store = jejak_store::open(&url).await.unwrap();
    let migrated = store.audit_events(0, 1000).await.unwrap();
    assert_eq!(migrated, events);
    store.append_audits(&[read("after the upgrade".into())]).await.unwrap();
    let all = store.audit_events(0, 1000).await.unwrap();
    let chain = verify_chain(&all);
    assert_eq!((chain.checked, chain.first_failure), (31, None));

    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let after: i64 = sqlx::query_scalar(seq_indexes).fetch_one(&mut c).await.unwrap();
    assert_eq!(after, 0, "seq is the rowid now");
    let tampered = sqlx::query("update audit_events set details = 'edited' where seq = 3")
        .execute(&mut c)
        .await;
    assert!(tampered.is_err(), "the append-only triggers are back on the new table");
}
