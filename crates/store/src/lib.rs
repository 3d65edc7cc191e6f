//! The register's storage: the `Store` trait and its SQLite and PostgreSQL implementations.
//!
//! Only this crate contains SQL. Every write runs in one transaction that also reserves
//! numbers from the register-wide change counter and appends to the hash-chained audit log,
//! so derived state (the match index) can follow writes from any server in commit order.

pub mod anchors;
mod audit;
mod backend;
mod codec;
mod error;
pub mod exchange;
pub mod identity;
mod import;
pub mod maintenance;
mod match_decisions;
pub mod partners;
mod pg_copy;
mod postgres;
pub mod referrals;
pub mod retention;
mod reviews;
mod rulesets;
pub mod security;
mod sql;
mod sqlite;
mod sqlite_audit;
mod sqlite_bulk;
pub mod subject;
mod types;
mod users;
pub mod villages;

use std::sync::Arc;

use async_trait::async_trait;
use jejak_domain::{
    Application, ApplicationKey, AuditAction, Decision, NewApplication, NewDecision, Office,
    OfficeCode,
};

pub use anchors::{AnchorStore, AuditAnchor};
pub use audit::{
    AuditBreak, AuditEvent, AuditFailure, AuditVerification, ChainVerifier, Checkpoint,
    GENESIS_HASH, verify_chain,
};
pub use error::StoreError;
pub use exchange::{
    AdverseDecision, ExchangeBatchLog, ExchangePartner, ExchangeStore, NewExchangePartner,
};
pub use identity::{IdentityStore, RegisterIdentity};
pub use maintenance::{MaintenanceStore, RegisterSize};
pub use match_decisions::MatchDecisionStore;
pub use partners::{CpmiHistoryEntry, NewPartnerSnapshot, PartnerRecords, PartnerStore};
pub use referrals::{ReferralFilter, ReferralStore, ReferralUpdate};
pub use retention::{
    HoldTarget, LegalHold, RetentionAction, RetentionDeletion, RetentionKind, RetentionOutcome,
    RetentionStore,
};
pub use reviews::{ReviewResolution, ReviewStore};
pub use rulesets::{
    FiredRule, NewAssessment, NewRuleSet, RuleFile, RuleSetError, RuleSetStatus, RuleSetStore,
    StoredAssessment, StoredRuleSet,
};
pub use security::{NewUpload, SecurityStore, ThrottleCount, UploadCaps, UploadRefusal};
pub use subject::SubjectStore;
pub use types::{
    ApplicationQuery, AuditAppend, AuditCtx, ConflictPolicy, ExportFilter, ImportConflict,
    ImportOutcome,
};
pub use users::{
    ApiTokenRecord, BlockedLogin, NewApiToken, NewSession, NewUser, SessionRecord, UserRecord,
    UserStore,
};
pub use villages::{FiledReport, RoutedReport, VillageStore};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The register's storage contract; both backends pass the same test suite.
#[async_trait]
pub trait Store:
    ReviewStore
    + RuleSetStore
    + MatchDecisionStore
    + PartnerStore
    + ReferralStore
    + ExchangeStore
    + UserStore
    + RetentionStore
    + MaintenanceStore
    + SubjectStore
    + VillageStore
    + SecurityStore
    + AnchorStore
    + IdentityStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Offices in code order.
    async fn list_offices(&self) -> Result<Vec<Office>>;

    /// Adds an office or updates its name and work area.
    async fn save_office(&self, office: &Office, ctx: &AuditCtx) -> Result<()>;

    /// Imports rows in one transaction. A row already present with the same content is
    /// unchanged; one with other content is a conflict. With `ConflictPolicy::Abort`, any
    /// conflict rolls the whole import back (nothing is written).
    async fn import(
        &self,
        rows: &[NewApplication],
        policy: ConflictPolicy,
        ctx: &AuditCtx,
    ) -> Result<ImportOutcome> {
        self.import_with_progress(rows, policy, ctx, &|_| {}).await
    }

    /// `import`, calling `progress` with the number of rows written so far as it goes.
    async fn import_with_progress(
        &self,
        rows: &[NewApplication],
        policy: ConflictPolicy,
        ctx: &AuditCtx,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<ImportOutcome>;

    /// Registers one new application (an officer's entry).
    async fn insert_application(&self, app: &NewApplication, ctx: &AuditCtx)
    -> Result<Application>;

    async fn get_application(&self, key: ApplicationKey) -> Result<Application>;

    async fn find_application(
        &self,
        office: &OfficeCode,
        application_id: &str,
    ) -> Result<Option<Application>>;

    /// Applications matching the filter, ordered by application date, office and id.
    async fn export(&self, filter: &ExportFilter) -> Result<Vec<NewApplication>>;

    async fn count_applications(&self) -> Result<u64>;

    /// Appends a decision and updates the application's outcome, if the application is still
    /// at `expected_version` (optimistic concurrency); otherwise `StoreError::Conflict`.
    async fn record_decision(
        &self,
        decision: &NewDecision,
        expected_version: i64,
        ctx: &AuditCtx,
    ) -> Result<Decision>;

    /// Applications matching `query`, newest application date first, at most `query.limit`.
    async fn list_applications(&self, query: &ApplicationQuery) -> Result<Vec<Application>>;

    /// Decision history of one application, oldest first.
    async fn decisions_of(&self, key: ApplicationKey) -> Result<Vec<Decision>>;

    /// Applications whose last change is after `seq`, in change order (for the match index).
    async fn applications_changed_since(&self, seq: i64, limit: u32) -> Result<Vec<Application>>;

    /// Decisions recorded after `seq`, in change order.
    async fn decisions_changed_since(&self, seq: i64, limit: u32) -> Result<Vec<Decision>>;

    /// The latest change sequence number handed out.
    async fn current_change_seq(&self) -> Result<i64>;

    /// Audit events after `after_seq`, in order.
    async fn audit_events(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEvent>>;

    /// Appends an audit event on its own (for reads of personal data and other non-writes).
    async fn append_audit(
        &self,
        ctx: &AuditCtx,
        action: AuditAction,
        entity: &str,
        entity_id: Option<&str>,
        details: &str,
    ) -> Result<()>;

    /// Appends several audit events on their own in one transaction, in order: all or none
    /// (group commit of the audit events of concurrent reads).
    async fn append_audits(&self, events: &[AuditAppend]) -> Result<()>;
}

/// Opens (and migrates) the store named by `url`: `sqlite://PATH` (or `sqlite:PATH`) or
/// `postgres://…`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    open_with(url, &PoolOptions::default()).await
}

/// Connection pool sizes (the configuration file's `[database]` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// Most connections a SQLite register's pool keeps open.
    pub sqlite_max_connections: u32,
    /// Most connections a PostgreSQL register's pool keeps open.
    pub postgres_max_connections: u32,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions { sqlite_max_connections: 4, postgres_max_connections: 8 }
    }
}

/// `open` with the given pool sizes.
pub async fn open_with(url: &str, pool: &PoolOptions) -> Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::connect_with(url, pool.postgres_max_connections.max(1)).await?))
    } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))
    {
        Ok(Arc::new(sqlite::open_with(path, pool.sqlite_max_connections.max(1)).await?))
    } else {
        Err(StoreError::BadUrl(redact(url)))
    }
}

/// The URL with any password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://jejak:s3cret@db:5432/jejak"),
            "postgres://jejak:***@db:5432/jejak"
        );
        assert_eq!(
            super::redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(super::redact("sqlite://jejak.db"), "sqlite://jejak.db");
    }
}
