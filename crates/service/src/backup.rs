//! Backing up and restoring a SQLite register. A backup is a consistent copy taken while the
//! server goes on writing (the store's online backup), checked before it counts as done. A
//! restore checks the backup's audit chain and integrity first, refuses to replace a register
//! that holds data unless forced, and swaps the file in whole.
//!
//! PostgreSQL registers use `pg_dump` / `pg_restore` (README.md).

use std::path::{Path, PathBuf};

use jejak_domain::AuditAction;
use jejak_store::{AuditCtx, AuditVerification, RegisterSize, Store};

use crate::{Result, ServiceError};

/// What a backup or restore saw in the copied register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub size: RegisterSize,
    pub audit: AuditVerification,
}

/// Writes a backup of `store` to `out` (through a temporary file, so `out` is either the
/// complete, verified backup or untouched). The backup is recorded in the audit log first, so
/// the copy carries its own record.
pub async fn backup(store: &dyn Store, out: &Path, ctx: &AuditCtx) -> Result<BackupSummary> {
    if store.backend() != jejak_store::Backend::Sqlite {
        return Err(ServiceError::Invalid(
            "jejak backup copies a SQLite register; back up PostgreSQL with pg_dump (README.md, Backup)"
                .to_owned(),
        ));
    }
    let partial = sibling(out, "partial")?;
    remove_if_exists(&partial)?;
    store
        .append_audit(
            ctx,
            AuditAction::RegisterBackup,
            "register",
            None,
            &format!("to {}", out.display()),
        )
        .await?;
    store.backup_into(&partial).await?;
    let summary = match check_file(&partial).await {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).map_err(|e| io(out, e))?;
    Ok(summary)
}

/// Restores the SQLite register at `target` (a file path) from `backup`. Refuses when the
/// backup's audit chain or integrity check fails, and when the target holds data and `force`
/// is off. The restore is recorded in the restored register's audit log.
pub async fn restore(
    backup: &Path,
    target: &Path,
    force: bool,
    ctx: &AuditCtx,
) -> Result<BackupSummary> {
    if !backup.is_file() {
        return Err(ServiceError::NotFound(format!("backup file {}", backup.display())));
    }
    let staging = sibling(target, "restoring")?;
    remove_sqlite_files(&staging)?;
    std::fs::copy(backup, &staging).map_err(|e| io(&staging, e))?;
    // A backup someone opened may keep committed pages in its journal: they belong to it.
    let journal = with_suffix(backup, "-wal");
    if journal.is_file() {
        let staged = with_suffix(&staging, "-wal");
        std::fs::copy(&journal, &staged).map_err(|e| io(&staged, e))?;
    }
    let summary = match check_file(&staging).await {
        Ok(s) => s,
        Err(e) => {
            remove_sqlite_files(&staging)?;
            return Err(e);
        }
    };
    if target.exists() {
        let current = jejak_store::open(&url_of(target)?).await?;
        let size = current.register_size().await?;
        current.close().await;
        if !size.is_empty() && !force {
            remove_sqlite_files(&staging)?;
            return Err(ServiceError::Conflict(format!(
                "the register {} holds {} application(s) and {} audit event(s); pass --force to replace it with the backup",
                target.display(),
                size.applications,
                size.audit_events
            )));
        }
    }
    // The old register's journal files belong to the old file: remove them with it.
    for suffix in ["-wal", "-shm"] {
        remove_if_exists(&with_suffix(target, suffix))?;
    }
    std::fs::rename(&staging, target).map_err(|e| io(target, e))?;
    let restored = jejak_store::open(&url_of(target)?).await?;
    let details = format!(
        "from {} ({} application(s), audit head {} {})",
        backup.display(),
        summary.size.applications,
        summary.audit.head_seq,
        summary.audit.head_hash
    );
    restored.append_audit(ctx, AuditAction::RegisterRestore, "register", None, &details).await?;
    restored.close().await;
    Ok(summary)
}

/// Opens a register file, checks its integrity and audit chain, and closes it again.
async fn check_file(path: &Path) -> Result<BackupSummary> {
    let store = jejak_store::open(&url_of(path)?).await?;
    let result = async {
        store.integrity_check().await?;
        let audit = crate::audit::verify(store.as_ref(), None).await?;
        if let Some(broken) = &audit.first_failure {
            return Err(ServiceError::Invalid(format!(
                "{}: the audit chain is broken: {broken}",
                path.display()
            )));
        }
        Ok(BackupSummary { size: store.register_size().await?, audit })
    }
    .await;
    store.close().await;
    result
}

fn url_of(path: &Path) -> Result<String> {
    path.to_str()
        .map(|p| format!("sqlite://{p}"))
        .ok_or_else(|| ServiceError::Invalid(format!("{} is not a UTF-8 path", path.display())))
}

/// `path` with `.EXT` appended to its file name, in the same directory (so renames are
/// atomic).
fn sibling(path: &Path, ext: &str) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| ServiceError::Invalid(format!("{} is not a file name", path.display())))?;
    let mut name = name.to_os_string();
    name.push(format!(".{ext}"));
    Ok(path.with_file_name(name))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_sqlite_files(path: &Path) -> Result<()> {
    remove_if_exists(path)?;
    remove_if_exists(&with_suffix(path, "-wal"))?;
    remove_if_exists(&with_suffix(path, "-shm"))
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

fn io(path: &Path, e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("{}: {e}", path.display()))
}
