//! Keeping a register safe: online backups of the SQLite register and integrity checks. A
//! PostgreSQL register is backed up with the server's own tools (`pg_dump`/`pg_restore`, see
//! README.md), which this trait's `backup_into` points to.

use std::path::Path;

use async_trait::async_trait;

use crate::Result;
use crate::backend::{Dialect, SqlStore, query, query_scalar};

/// How much a register holds, to refuse overwriting a non-empty one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegisterSize {
    pub applications: u64,
    pub audit_events: u64,
}

impl RegisterSize {
    pub fn is_empty(&self) -> bool {
        self.applications == 0 && self.audit_events == 0
    }
}

/// Backup and integrity.
#[async_trait]
pub trait MaintenanceStore: Send + Sync {
    /// Writes a consistent copy of the whole register to `path` (which must not exist) while
    /// other connections go on writing. SQLite only.
    async fn backup_into(&self, path: &Path) -> Result<()>;

    /// The database's own consistency check (SQLite `integrity_check`); `Ok(())` when sound.
    async fn integrity_check(&self) -> Result<()>;

    async fn register_size(&self) -> Result<RegisterSize>;

    /// Closes every connection (so the SQLite file can be replaced).
    async fn close(&self);
}

pub(crate) const VACUUM_INTO: &str = "vacuum into $1";
pub(crate) const INTEGRITY_CHECK: &str = "pragma integrity_check";
pub(crate) const COUNT_AUDIT: &str = "select count(*) from audit_events";

#[async_trait]
impl<B: Dialect> crate::maintenance::MaintenanceStore for SqlStore<B> {
    async fn backup_into(&self, path: &std::path::Path) -> crate::Result<()> {
        if B::KIND != crate::Backend::Sqlite {
            return Err(crate::StoreError::Unsupported(
                "back up a PostgreSQL register with pg_dump (see README.md, Backup)".to_owned(),
            ));
        }
        if path.exists() {
            return Err(crate::StoreError::InvalidValue(format!(
                "backup file {} already exists",
                path.display()
            )));
        }
        let target = path.to_str().ok_or_else(|| {
            crate::StoreError::InvalidValue(format!(
                "backup path {} is not valid UTF-8",
                path.display()
            ))
        })?;
        // VACUUM INTO reads one snapshot: writers carry on, the copy is consistent.
        query(crate::maintenance::VACUUM_INTO).bind(target).execute(self).await?;
        Ok(())
    }

    async fn integrity_check(&self) -> crate::Result<()> {
        if B::KIND != crate::Backend::Sqlite {
            return Ok(());
        }
        let findings: Vec<String> =
            query_scalar(crate::maintenance::INTEGRITY_CHECK).fetch_all(self).await?;
        if findings.len() == 1 && findings[0] == "ok" {
            Ok(())
        } else {
            Err(crate::StoreError::Corrupt {
                table: "(database)",
                column: "(file)",
                message: findings.join("; "),
            })
        }
    }

    async fn register_size(&self) -> crate::Result<crate::maintenance::RegisterSize> {
        let apps: i64 = query_scalar(crate::sql::COUNT_APPLICATIONS).fetch_one(self).await?;
        let audit: i64 = query_scalar(crate::maintenance::COUNT_AUDIT).fetch_one(self).await?;
        Ok(crate::maintenance::RegisterSize {
            applications: apps.max(0) as u64,
            audit_events: audit.max(0) as u64,
        })
    }

    async fn close(&self) {
        self.close_own_connections();
        self.pool.close().await;
    }
}
