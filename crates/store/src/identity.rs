//! The register's identity (migration 0017) and the schema version it is at: what derived
//! state saved outside the database (a server's match index snapshot) is checked against, so
//! that it is never used with another register or another schema.

use async_trait::async_trait;

use crate::Result;

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

/// Implements `IdentityStore` for a backend type (see `store_impl!`).
macro_rules! identity_impl {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::identity::IdentityStore for $store {
            async fn register_identity(
                &self,
            ) -> $crate::Result<$crate::identity::RegisterIdentity> {
                let id: String =
                    sqlx::query_scalar($crate::identity::REGISTER_ID).fetch_one(&self.pool).await?;
                let schema_version: i64 = sqlx::query_scalar($crate::identity::SCHEMA_VERSION)
                    .fetch_one(&self.pool)
                    .await?;
                Ok($crate::identity::RegisterIdentity { id, schema_version })
            }
        }
    };
}

pub(crate) use identity_impl;
