//! The register's identity (migration 0017) and the schema version it is at: what derived
//! state saved outside the database (a server's match index snapshot) is checked against, so
//! that it is never used with another register or another schema.

use async_trait::async_trait;

use crate::Result;
use crate::backend::{Dialect, SqlStore, query_scalar};

/// Which register this is, and at which migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterIdentity {
    /// Random id drawn when the register was created (32 hexadecimal digits).
    pub id: String,
    /// The highest migration applied.
    pub schema_version: i64,
}

/// Reads the register's identity.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    async fn register_identity(&self) -> Result<RegisterIdentity>;
}

pub(crate) const REGISTER_ID: &str = "select id from register_identity where only_row = 1";
pub(crate) const SCHEMA_VERSION: &str =
    "select coalesce(max(version), 0) from _sqlx_migrations where success";

#[async_trait]
impl<B: Dialect> IdentityStore for SqlStore<B> {
    async fn register_identity(&self) -> Result<RegisterIdentity> {
        let id: String = query_scalar(REGISTER_ID).fetch_one(self).await?;
        let schema_version: i64 = query_scalar(SCHEMA_VERSION).fetch_one(self).await?;
        Ok(RegisterIdentity { id, schema_version })
    }
}
