//! The SQLite backend: the embedded default (`sqlite://jejak.db`), WAL mode, one writer.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::anchors::anchor_impl;
use crate::exchange::exchange_impl;
use crate::identity::identity_impl;
use crate::maintenance::maintenance_impl;
use crate::match_decisions::match_decision_impl;
use crate::partners::partner_impl;
use crate::referrals::referral_impl;
use crate::retention::retention_impl;
use crate::reviews::review_impl;
use crate::rulesets::ruleset_impl;
use crate::security::security_impl;
use crate::sql::store_impl;
use crate::sqlite_audit::AuditWriter;
use crate::subject::subject_impl;
use crate::users::user_impl;
use crate::villages::village_impl;
use crate::{Backend, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another's write lock.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A 64 MiB page cache (in KiB, negative) keeps a large import's index pages in memory instead
/// of spilling them to the WAL in the middle of the transaction.
pub(crate) const CACHE_SIZE: &str = "-65536";

/// Imports smaller than this keep the indexes in place (rebuilding costs a fixed overhead).
pub(crate) const BULK_INDEX_MIN_ROWS: usize = 2_000;

/// The query giving the secondary indexes a bulk import drops and rebuilds (name, definition).
pub(crate) const BULK_INDEXES: &str = "select name, sql from sqlite_master where type = 'index' \
    and sql is not null and tbl_name in ('applications', 'decisions') order by name";

/// A register in one SQLite file.
pub(crate) struct SqliteStore {
    pool: SqlitePool,
    /// The database file, for the bulk importer's own connection; `None` for an in-memory
    /// database or a URI with options, which only the pool can open.
    bulk_path: Option<PathBuf>,
    /// The audit batches' own connection (`sqlite_audit`), for a register file; `None` where
    /// `bulk_path` is.
    audit_writer: Option<AuditWriter>,
}

impl SqliteStore {
    /// Whether placeholders are written `$N` (else `?`).
    const NUMBERED_PLACEHOLDERS: bool = false;
    const BACKEND: Backend = Backend::Sqlite;

    pub(crate) async fn open_with(path: &str, max_connections: u32) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("cache_size", CACHE_SIZE)
            .pragma("temp_store", "memory");
        let pool =
            SqlitePoolOptions::new().max_connections(max_connections).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        let plain_file = !path.is_empty()
            && !path.contains('?')
            && !path.starts_with("file:")
            && !path.starts_with(":memory:");
        let bulk_path = plain_file.then(|| PathBuf::from(path));
        let audit_writer = bulk_path.clone().map(AuditWriter::new);
        Ok(Self { pool, bulk_path, audit_writer })
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
        let indexes: Vec<(String, String)> =
            sqlx::query_as(BULK_INDEXES).fetch_all(&mut **tx).await?;
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

    /// Writes an import's new applications and their decisions through bound `INSERT`s
    /// (an in-memory register; a file is imported by `sqlite_bulk`).
    async fn insert_imported(
        tx: &mut Transaction<'static, Sqlite>,
        applications: &[(i64, &jejak_domain::NewApplication)],
        decisions: &[(i64, jejak_domain::NewDecision)],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<()> {
        Self::insert_applications_tx(tx, applications, 0, progress).await?;
        Self::insert_decisions_tx(tx, decisions).await
    }

    /// Write transactions take the write lock up front, so two writers never deadlock on
    /// upgrading a read lock.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Imports through the bulk importer (`sqlite_bulk`) when the register is a file, else
    /// through the pool.
    async fn import_rows(
        &self,
        rows: &[jejak_domain::NewApplication],
        policy: crate::ConflictPolicy,
        ctx: &crate::AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<crate::ImportOutcome> {
        match &self.bulk_path {
            Some(path) => crate::sqlite_bulk::import(path, rows, policy, ctx, progress).await,
            None => self.import_sqlx(rows, policy, ctx, progress).await,
        }
    }
}

impl SqliteStore {
    /// Appends audit events through the audit connection when the register is a file, else
    /// through the pool.
    async fn append_audit_batch(&self, events: &[crate::AuditAppend]) -> Result<()> {
        match &self.audit_writer {
            Some(writer) => writer.append(events).await,
            None => self.append_audits_sqlx(events).await,
        }
    }

    /// Closes the connections outside the pool.
    fn close_own_connections(&self) {
        if let Some(writer) = &self.audit_writer {
            writer.close();
        }
    }
}

store_impl!(SqliteStore, Sqlite);
review_impl!(SqliteStore, Sqlite);
ruleset_impl!(SqliteStore, Sqlite);
retention_impl!(SqliteStore, Sqlite);
maintenance_impl!(SqliteStore, Sqlite);
subject_impl!(SqliteStore, Sqlite);
match_decision_impl!(SqliteStore, Sqlite);
partner_impl!(SqliteStore, Sqlite);
referral_impl!(SqliteStore, Sqlite);
exchange_impl!(SqliteStore, Sqlite);
user_impl!(SqliteStore, Sqlite);
village_impl!(SqliteStore, Sqlite);
security_impl!(SqliteStore, Sqlite);
anchor_impl!(SqliteStore, Sqlite);
identity_impl!(SqliteStore, Sqlite);
