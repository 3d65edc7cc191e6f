//! The SQLite backend: the embedded default (`sqlite://jejak.db`), WAL mode, one writer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::maintenance::maintenance_impl;
use crate::match_decisions::match_decision_impl;
use crate::retention::retention_impl;
use crate::reviews::review_impl;
use crate::rulesets::ruleset_impl;
use crate::sql::store_impl;
use crate::subject::subject_impl;
use crate::users::user_impl;
use crate::{Backend, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Imports smaller than this keep the indexes in place (rebuilding costs a fixed overhead).
const BULK_INDEX_MIN_ROWS: usize = 2_000;

/// A register in one SQLite file.
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Whether placeholders are written `$N` (else `?`).
    const NUMBERED_PLACEHOLDERS: bool = false;
    const BACKEND: Backend = Backend::Sqlite;

    pub(crate) async fn open(path: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // A 64 MiB page cache keeps a large import's index pages in memory instead of
            // spilling them to the WAL in the middle of the transaction.
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Drops the secondary indexes of the tables a bulk import writes when the import is at
    /// least as large as the register, returning their definitions for `rebuild_indexes`.
    ///
    /// Why: inserting rows in random key order into six indexes costs more than sorting the
    /// whole table once per index afterwards, as long as the table is mostly new rows. DDL is
    /// transactional in SQLite, so a rolled-back import leaves the indexes as they were, and
    /// readers (WAL) keep seeing the committed indexes until the import commits. Definitions
    /// are read from the schema, so indexes added by later migrations are rebuilt too.
    async fn drop_indexes_for_bulk(
        tx: &mut Transaction<'static, Sqlite>,
        incoming: usize,
        stored_estimate: i64,
    ) -> Result<Vec<String>> {
        if incoming < BULK_INDEX_MIN_ROWS || (incoming as i64) < stored_estimate {
            return Ok(Vec::new());
        }
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "select name, sql from sqlite_master where type = 'index' and sql is not null \
             and tbl_name in ('applications', 'decisions') order by name",
        )
        .fetch_all(&mut **tx)
        .await?;
        let mut definitions = Vec::with_capacity(indexes.len());
        for (name, sql) in indexes {
            let drop = format!("drop index \"{}\"", name.replace('"', "\"\""));
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(&mut **tx).await?;
            definitions.push(sql);
        }
        Ok(definitions)
    }

    /// Recreates the indexes `drop_indexes_for_bulk` dropped, inside the same transaction.
    async fn rebuild_indexes(
        tx: &mut Transaction<'static, Sqlite>,
        definitions: Vec<String>,
    ) -> Result<()> {
        for sql in definitions {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Write transactions take the write lock up front, so two writers never deadlock on
    /// upgrading a read lock.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

store_impl!(SqliteStore, Sqlite);
review_impl!(SqliteStore, Sqlite);
ruleset_impl!(SqliteStore, Sqlite);
retention_impl!(SqliteStore, Sqlite);
maintenance_impl!(SqliteStore, Sqlite);
subject_impl!(SqliteStore, Sqlite);
match_decision_impl!(SqliteStore, Sqlite);
user_impl!(SqliteStore, Sqlite);
