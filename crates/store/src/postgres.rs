//! The PostgreSQL backend, for deployments where several `jejak serve` processes share one
//! register. What it does its own way (`Dialect`): `$N` placeholders, and an import writing
//! its rows with binary `COPY` (`pg_copy`) while the indexes stay in place.

use jejak_domain::{NewApplication, NewDecision};
use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::backend::{Dialect, Fetch, Fetched, On, Query, RowOf, SqlStore, Tx, run_sqlx};
use crate::{AuditAppend, AuditCtx, ConflictPolicy, ImportOutcome, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// PostgreSQL keeps nothing beside the pool.
pub(crate) struct PgDialect;

/// Connects to (and migrates) the register at `url`.
pub(crate) async fn connect_with(url: &str, max_connections: u32) -> Result<SqlStore<PgDialect>> {
    let pool: PgPool = PgPoolOptions::new().max_connections(max_connections).connect(url).await?;
    MIGRATOR.run(&pool).await?;
    Ok(SqlStore { pool, db: PgDialect })
}

impl Dialect for PgDialect {
    type Db = Postgres;
    const KIND: crate::Backend = crate::Backend::Postgres;
    const NUMBERED_PLACEHOLDERS: bool = true;

    async fn begin_write(pool: &PgPool) -> Result<Tx<Self>> {
        Ok(Tx(pool.begin().await?))
    }

    fn run<'a>(
        on: On<'a, Postgres>,
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

    async fn import_rows(
        store: &SqlStore<Self>,
        rows: &[NewApplication],
        policy: ConflictPolicy,
        ctx: &AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<ImportOutcome> {
        store.import_sqlx(rows, policy, ctx, progress).await
    }

    /// Indexes stay in place on PostgreSQL: dropping one takes an exclusive lock on the table,
    /// which would block every reader for the length of the import.
    async fn drop_indexes_for_bulk(
        _tx: &mut Tx<Self>,
        _incoming: usize,
        _stored_estimate: i64,
    ) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    async fn rebuild_indexes(_tx: &mut Tx<Self>, _definitions: Vec<String>) -> Result<()> {
        Ok(())
    }

    /// Binary `COPY` (`pg_copy`).
    async fn insert_imported(
        tx: &mut Tx<Self>,
        applications: &[(i64, &NewApplication)],
        decisions: &[(i64, NewDecision)],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<()> {
        crate::pg_copy::copy_imported(&mut tx.0, applications, decisions, progress).await
    }

    async fn append_audit_batch(store: &SqlStore<Self>, events: &[AuditAppend]) -> Result<()> {
        store.append_audits_sqlx(events).await
    }

    /// Nothing outside the pool.
    fn close_own_connections(&self) {}
}
