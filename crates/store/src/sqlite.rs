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

/// A register in one SQLite file.
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Whether bulk imports write literal rows (see `codec::literal_insert`).
    const LITERAL_BULK_INSERT: bool = true;
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
