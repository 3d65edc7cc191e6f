//! Test helpers shared by the crates' test suites: fresh PostgreSQL schemas for tests that
//! must run on both backends.
//!
//! PostgreSQL comes from `JEJAK_TEST_POSTGRES` (default: the local server,
//! `postgres://postgres@127.0.0.1:5432/test`). When it is unreachable the caller skips its
//! PostgreSQL half with a note, except under `CI=true`, where that is a failure.
#![allow(clippy::print_stderr, reason = "the skip note is meant for the test log")]

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use sqlx::Connection;

/// Base URL of the test server.
pub fn postgres_base() -> String {
    std::env::var("JEJAK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Creates an empty schema on the test server and returns a URL whose connections use it,
/// or `None` (after printing a note) when the server is unreachable outside CI.
///
/// # Panics
/// In CI (`CI=true`) when the server is unreachable, and when the schema cannot be created.
pub async fn fresh_postgres_url(label: &str) -> Option<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    static CLEANED: AtomicBool = AtomicBool::new(false);
    let base = postgres_base();
    let mut admin = match sqlx::PgConnection::connect(&base).await {
        Ok(c) => c,
        Err(e) => {
            assert!(!in_ci(), "PostgreSQL at {base} is unreachable in CI: {e}");
            eprintln!("note: PostgreSQL part skipped, {base} unreachable: {e}");
            return None;
        }
    };
    let pid = std::process::id();
    if !CLEANED.swap(true, Ordering::SeqCst) {
        // Schemas of earlier runs (processes no longer alive) are dropped once per run.
        let mine = format!("t{pid}\\_%");
        let old: Vec<String> = sqlx::query_scalar(
            "select schema_name::text from information_schema.schemata where schema_name ~ '^t[0-9]+_' and schema_name not like $1",
        )
        .bind(mine)
        .fetch_all(&mut admin)
        .await
        .unwrap_or_default();
        for schema in old {
            // A schema of a process still running belongs to a concurrent test run.
            let owner = schema[1..].split('_').next().unwrap_or("");
            if std::path::Path::new(&format!("/proc/{owner}")).exists() {
                continue;
            }
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "drop schema if exists {schema} cascade"
            )))
            .execute(&mut admin)
            .await;
        }
    }
    let label: String = label.chars().filter(char::is_ascii_alphanumeric).take(20).collect();
    let schema =
        format!("t{pid}_{}_{}", COUNTER.fetch_add(1, Ordering::SeqCst), label.to_lowercase());
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("create schema {schema}")))
        .execute(&mut admin)
        .await
    {
        panic!("cannot create schema {schema}: {e}");
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}
