//! The SQLite backend: the embedded default (`sqlite://jejak.db`), WAL mode, one writer.
//! What it does its own way (`Dialect`): `BEGIN IMMEDIATE` writes, `?` placeholders, a bulk
//! import dropping and rebuilding indexes, and rusqlite connections for a register file's
//! import (`sqlite_bulk`) and audit batches (`sqlite_audit`).

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use jejak_domain::{NewApplication, NewDecision};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Sqlite};

use crate::backend::{Dialect, Fetch, Fetched, On, Query, RowOf, SqlStore, Tx, query, run_sqlx};
use crate::codec::RowExt;
use crate::sqlite_audit::AuditWriter;
use crate::{AuditAppend, AuditCtx, ConflictPolicy, ImportOutcome, Result};

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

/// SQLite's own state beside the pool.
pub(crate) struct SqliteDialect {
    /// The database file, for the bulk importer's own connection; `None` for an in-memory
    /// database or a URI with options, which only the pool can open.
    bulk_path: Option<PathBuf>,
    /// The audit batches' own connection (`sqlite_audit`), for a register file; `None` where
    /// `bulk_path` is.
    audit_writer: Option<AuditWriter>,
}

/// Opens (and migrates) the register at `path`.
pub(crate) async fn open_with(path: &str, max_connections: u32) -> Result<SqlStore<SqliteDialect>> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("cache_size", CACHE_SIZE)
        .pragma("temp_store", "memory");
    let pool: SqlitePool =
        SqlitePoolOptions::new().max_connections(max_connections).connect_with(options).await?;
    MIGRATOR.run(&pool).await?;
    let plain_file = !path.is_empty()
        && !path.contains('?')
        && !path.starts_with("file:")
        && !path.starts_with(":memory:");
    let bulk_path = plain_file.then(|| PathBuf::from(path));
    let audit_writer = bulk_path.clone().map(AuditWriter::new);
    Ok(SqlStore { pool, db: SqliteDialect { bulk_path, audit_writer } })
}

/// Whether an import of `incoming` rows into a register of about `stored_estimate` rows
/// drops the secondary indexes and rebuilds them afterwards (`drop_indexes_for_bulk`).
///
/// Why: inserting rows in random key order into six indexes costs more than sorting the
/// whole table once per index afterwards, as long as the table is mostly new rows. DDL is
/// transactional in SQLite, so a rolled-back import leaves the indexes as they were, and
/// readers (WAL) keep seeing the committed indexes until the import commits. Definitions
/// are read from the schema (`BULK_INDEXES`), so indexes added by later migrations are
/// rebuilt too.
pub(crate) fn drops_indexes_for_bulk(incoming: usize, stored_estimate: i64) -> bool {
    incoming >= BULK_INDEX_MIN_ROWS && (incoming as i64) >= stored_estimate
}

/// The statement dropping the index named `name`.
pub(crate) fn drop_index_sql(name: &str) -> String {
    format!("drop index \"{}\"", name.replace('"', "\"\""))
}

impl Dialect for SqliteDialect {
    type Db = Sqlite;
    const KIND: crate::Backend = crate::Backend::Sqlite;
    const NUMBERED_PLACEHOLDERS: bool = false;

    /// Write transactions take the write lock up front, so two writers never deadlock on
    /// upgrading a read lock.
    async fn begin_write(pool: &SqlitePool) -> Result<Tx<Self>> {
        Ok(Tx(pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    fn run<'a>(
        on: On<'a, Sqlite>,
        query: Query<'a>,
        fetch: Fetch,
    ) -> impl Future<Output = Result<Fetched<RowOf<Self>>>> + Send + 'a {
        run_sqlx(on, query, fetch, |done| done.rows_affected())
    }

    async fn commit(tx: Tx<Self>) -> Result<()> {
        Ok(tx.0.commit().await?)
    }

    async fn rollback(tx: Tx<Self>) -> Result<()> {
        Ok(tx.0.rollback().await?)
    }

    /// Through the bulk importer (`sqlite_bulk`) when the register is a file, else through
    /// the pool.
    async fn import_rows(
        store: &SqlStore<Self>,
        rows: &[NewApplication],
        policy: ConflictPolicy,
        ctx: &AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<ImportOutcome> {
        match &store.db.bulk_path {
            Some(path) => crate::sqlite_bulk::import(path, rows, policy, ctx, progress).await,
            None => store.import_sqlx(rows, policy, ctx, progress).await,
        }
    }

    async fn drop_indexes_for_bulk(
        tx: &mut Tx<Self>,
        incoming: usize,
        stored_estimate: i64,
    ) -> Result<Vec<String>> {
        if !drops_indexes_for_bulk(incoming, stored_estimate) {
            return Ok(Vec::new());
        }
        let indexes = query(BULK_INDEXES).fetch_all(&mut *tx).await?;
        let mut definitions = Vec::with_capacity(indexes.len());
        for index in indexes {
            let drop = drop_index_sql(&index.text("name")?);
            // Not prepared: the statement runs once.
            sqlx::raw_sql(AssertSqlSafe(drop)).execute(&mut *tx.0).await?;
            definitions.push(index.text("sql")?);
        }
        Ok(definitions)
    }

    async fn rebuild_indexes(tx: &mut Tx<Self>, definitions: Vec<String>) -> Result<()> {
        for sql in definitions {
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx.0).await?;
        }
        Ok(())
    }

    /// Bound `INSERT`s (a register the bulk importer cannot open).
    async fn insert_imported(
        tx: &mut Tx<Self>,
        applications: &[(i64, &NewApplication)],
        decisions: &[(i64, NewDecision)],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<()> {
        SqlStore::<Self>::insert_applications_tx(tx, applications, 0, progress).await?;
        SqlStore::<Self>::insert_decisions_tx(tx, decisions).await
    }

    /// Through the audit connection when the register is a file, else through the pool.
    async fn append_audit_batch(store: &SqlStore<Self>, events: &[AuditAppend]) -> Result<()> {
        match &store.db.audit_writer {
            Some(writer) => writer.append(events).await,
            None => store.append_audits_sqlx(events).await,
        }
    }

    fn close_own_connections(&self) {
        if let Some(writer) = &self.audit_writer {
            writer.close();
        }
    }
}
