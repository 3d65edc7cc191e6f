//! `jejak audit verify` and `jejak audit export`.

use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

use anyhow::Context;
use jejak_service::audit;

use crate::args::{AuditCommand, AuditExportArgs, AuditVerifyArgs};
use crate::commands::{cli_ctx, open_store};
use crate::output;

pub(crate) async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(args).await,
        AuditCommand::Export(args) => export(args).await,
    }
}

async fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let checkpoint = match &args.checkpoint {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(audit::read_checkpoint(&path.display().to_string(), BufReader::new(file))?)
        }
        None => None,
    };
    let store = open_store(&args.db.database).await?;
    let result = audit::verify(store.as_ref(), checkpoint.clone()).await?;
    match &result.first_failure {
        None => {
            output::line(&format!(
                "OK: {} audit entries verified; last entry {} has hash {}",
                result.checked, result.head_seq, result.head_hash
            ));
            if let Some(cp) = checkpoint {
                output::line(&format!("checkpoint entry {} is present and unchanged", cp.seq));
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(broken) => {
            output::line(&format!(
                "BROKEN: {broken}; {} entries checked, the chain is sound up to entry {}",
                result.checked, result.head_seq
            ));
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn export(args: AuditExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.from_seq >= 1, "--from-seq must be at least 1");
    let store = open_store(&args.db.database).await?;
    let ctx = cli_ctx(&args.user.user);
    // Written to a temporary file renamed into place: never half a checkpoint.
    let partial = args.out.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut writer = BufWriter::new(file);
    let result = audit::export(store.as_ref(), args.from_seq, &mut writer, &ctx).await;
    let summary = match result.map_err(anyhow::Error::from).and_then(|summary| {
        writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&partial, &args.out)?;
        Ok(summary)
    }) {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context(format!("cannot write {}", args.out.display())));
        }
    };
    match summary.last {
        Some(last) => output::line(&format!(
            "exported {} audit entries to {} (last entry {} hash {})",
            summary.events,
            args.out.display(),
            last.seq,
            last.hash
        )),
        None => output::line(&format!(
            "no audit entries from {}; {} is empty",
            args.from_seq,
            args.out.display()
        )),
    }
    Ok(ExitCode::SUCCESS)
}
