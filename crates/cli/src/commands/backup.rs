//! `jejak backup` and `jejak restore`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_service::SystemClock;
use jejak_service::console::Console;

use crate::args::{BackupArgs, RestoreArgs};
use crate::commands::{console, open_store};
use crate::output;

pub(crate) async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    if args.out.exists() {
        bail!("{} already exists: choose a new backup file name", args.out.display());
    }
    let store = open_store(&args.db.database).await?;
    let console = console(&store, &args.user.user, None).await?;
    let summary = console
        .backup(&args.out)
        .await
        .with_context(|| format!("backup to {} failed", args.out.display()))?;
    output::line(&format!(
        "backup written to {}: {} application(s), {} audit entries verified (last hash {})",
        args.out.display(),
        summary.size.applications,
        summary.audit.checked,
        summary.audit.head_hash
    ));
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let Some(path) = sqlite_path(&args.db.database) else {
        bail!(
            "restore replaces a SQLite register file; restore a PostgreSQL register with pg_restore (see README.md, Backup)"
        );
    };
    let summary = Console::restore(&SystemClock, &args.user.user, &args.from, &path, args.force)
        .await
        .with_context(|| format!("restore from {} refused", args.from.display()))?;
    output::line(&format!(
        "restored {} from {}: {} application(s), audit chain of {} entries verified (last hash {})",
        path.display(),
        args.from.display(),
        summary.size.applications,
        summary.audit.checked,
        summary.audit.head_hash
    ));
    Ok(ExitCode::SUCCESS)
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).map(PathBuf::from)
}
