//! The PostgreSQL backend, for deployments where several `jejak serve` processes share one
//! register.

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use crate::anchors::anchor_impl;
use crate::exchange::exchange_impl;
use crate::maintenance::maintenance_impl;
use crate::match_decisions::match_decision_impl;
use crate::partners::partner_impl;
use crate::referrals::referral_impl;
use crate::retention::retention_impl;
use crate::reviews::review_impl;
use crate::rulesets::ruleset_impl;
use crate::security::security_impl;
use crate::sql::store_impl;
use crate::subject::subject_impl;
use crate::users::user_impl;
use crate::villages::village_impl;
use crate::{Backend, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A register in a PostgreSQL database.
pub(crate) struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Whether placeholders are written `$N` (else `?`).
    const NUMBERED_PLACEHOLDERS: bool = true;
    const BACKEND: Backend = Backend::Postgres;

    pub(crate) async fn connect_with(url: &str, max_connections: u32) -> Result<Self> {
        let pool = PgPoolOptions::new().max_connections(max_connections).connect(url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// A large import drops and rebuilds indexes and foreign keys (`pg_copy`).
    async fn drop_indexes_for_bulk(
        tx: &mut Transaction<'static, Postgres>,
        incoming: usize,
        stored_estimate: i64,
    ) -> Result<Vec<String>> {
        crate::pg_copy::drop_indexes_for_bulk(tx, incoming, stored_estimate).await
    }

    async fn rebuild_indexes(
        tx: &mut Transaction<'static, Postgres>,
        definitions: Vec<String>,
    ) -> Result<()> {
        crate::pg_copy::rebuild_indexes(tx, definitions).await
    }

    /// Writes an import's new applications and their decisions with `COPY` (`pg_copy`).
    async fn insert_imported(
        tx: &mut Transaction<'static, Postgres>,
        applications: &[(i64, &jejak_domain::NewApplication)],
        decisions: &[(i64, jejak_domain::NewDecision)],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<()> {
        crate::pg_copy::copy_imported(tx, applications, decisions, progress).await
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    async fn import_rows(
        &self,
        rows: &[jejak_domain::NewApplication],
        policy: crate::ConflictPolicy,
        ctx: &crate::AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<crate::ImportOutcome> {
        self.import_sqlx(rows, policy, ctx, progress).await
    }
}

impl PgStore {
    async fn append_audit_batch(&self, events: &[crate::AuditAppend]) -> Result<()> {
        self.append_audits_sqlx(events).await
    }

    /// Nothing outside the pool.
    fn close_own_connections(&self) {}
}

store_impl!(PgStore, Postgres);
review_impl!(PgStore, Postgres);
ruleset_impl!(PgStore, Postgres);
retention_impl!(PgStore, Postgres);
maintenance_impl!(PgStore, Postgres);
subject_impl!(PgStore, Postgres);
match_decision_impl!(PgStore, Postgres);
partner_impl!(PgStore, Postgres);
referral_impl!(PgStore, Postgres);
exchange_impl!(PgStore, Postgres);
user_impl!(PgStore, Postgres);
village_impl!(PgStore, Postgres);
security_impl!(PgStore, Postgres);
anchor_impl!(PgStore, Postgres);
