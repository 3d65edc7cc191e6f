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
