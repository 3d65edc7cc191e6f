//! Opening a fresh store of each backend for one test.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use jejak_store::Store;
use sqlx::Connection;

/// A fresh store and a raw connection URL to the same database (for tampering tests).
pub struct Fresh {
    pub store: Arc<dyn Store>,
    pub raw_url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    let url = format!("sqlite://{}", path.display());
    let store = jejak_store::open(&url).await.unwrap();
    Fresh { store, raw_url: url, _dir: Some(dir) }
}

fn postgres_base() -> String {
    std::env::var("JEJAK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A store in a new schema of the test server, or `None` (with a note) if the server is
/// unreachable outside CI.
pub async fn postgres() -> Option<Fresh> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let base = postgres_base();
    let mut admin = match sqlx::PgConnection::connect(&base).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL at {base} is unreachable in CI: {e}");
            }
            eprintln!("note: PostgreSQL tests skipped, {base} unreachable: {e}");
            return None;
        }
    };
    static CLEANED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !CLEANED.swap(true, Ordering::SeqCst) {
        // Schemas left by earlier runs (other process ids) are dropped once per run.
        let mine = format!("contract_{}_%", std::process::id());
        let old: Vec<String> = sqlx::query_scalar(
            "select schema_name::text from information_schema.schemata where schema_name like 'contract\\_%' and schema_name not like $1",
        )
        .bind(mine)
        .fetch_all(&mut admin)
        .await
        .unwrap();
        for schema in old {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("drop schema if exists {schema} cascade")))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }
    let schema = format!(
        "contract_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "drop schema if exists {schema} cascade; create schema {schema}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let store = jejak_store::open(&url).await.unwrap();
    Some(Fresh { store, raw_url: url, _dir: None })
}

/// Declares `#[tokio::test]`s that run one behaviour on both backends.
macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let fresh = crate::backends::sqlite().await;
                    crate::behaviour::$name(&fresh).await;
                }
            )+
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(fresh) = crate::backends::postgres().await {
                        crate::behaviour::$name(&fresh).await;
                    }
                }
            )+
        }
    };
}
pub(crate) use contract;
