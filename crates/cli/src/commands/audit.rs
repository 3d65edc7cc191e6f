//! `jejak audit verify`, `export`, `anchor` and `keygen`.

use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

use anyhow::Context;
use jejak_service::audit;
use jejak_service::audit_anchor::{self as anchor, AnchorOutcome};
use jejak_service::retention::RetentionPolicy;

use crate::args::{AuditAnchorArgs, AuditCommand, AuditExportArgs, AuditVerifyArgs};
use crate::commands::{console, console_actor, console_admin, open_store};
use crate::output;

pub(crate) async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(args).await,
        AuditCommand::Export(args) => export(args).await,
        AuditCommand::Anchor(args) => anchor(args).await,
        AuditCommand::Keygen { out } => keygen(&out),
    }
}

async fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    if !args.key.is_empty() {
        return verify_anchored(args).await;
    }
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
    let by = console_actor(&store, &args.user.user, None).await?;
    let admin = console_admin(&store, RetentionPolicy::default());
    // Written to a temporary file renamed into place: never half a checkpoint.
    let partial = args.out.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut writer = BufWriter::new(file);
    let result = admin.export_audit(&by, args.from_seq, &mut writer).await;
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

/// Reads the anchor signing key file named by `--key` or `[audit] anchor_key`.
pub(crate) fn load_anchor_key(path: &std::path::Path) -> anyhow::Result<jejak_exchange::SecretKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the anchor key {}", path.display()))?;
    Ok(anchor::read_anchor_key(&path.display().to_string(), &text)?)
}

/// A `--key` value: the base64 public key, or a file holding it.
fn public_key(value: &str) -> anyhow::Result<jejak_exchange::PublicKey> {
    let path = std::path::Path::new(value);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the public key {value}"))?;
        return Ok(anchor::read_public_key(value, &text)?);
    }
    Ok(anchor::read_public_key("--key", value)?)
}

async fn verify_anchored(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let keys = args.key.iter().map(|k| public_key(k)).collect::<anyhow::Result<Vec<_>>>()?;
    let checkpoint = match &args.checkpoint {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(audit::read_checkpoint(&path.display().to_string(), BufReader::new(file))?)
        }
        None => None,
    };
    let store = open_store(&args.db.database).await?;
    let result = anchor::verify_anchored(store.as_ref(), checkpoint, &keys).await?;
    let chain = &result.chain;
    if let Some(broken) = &chain.first_failure {
        output::line(&format!(
            "BROKEN: {broken}; {} entries checked, the chain is sound up to entry {}",
            chain.checked, chain.head_seq
        ));
    }
    if let Some(failure) = &result.anchor_failure {
        output::line(&format!(
            "BROKEN: {failure}; {} anchor(s) before it verified",
            result.anchors_verified
        ));
    }
    if !result.is_sound() {
        return Ok(ExitCode::FAILURE);
    }
    output::line(&format!(
        "OK: {} audit entries verified; last entry {} has hash {}",
        chain.checked, chain.head_seq, chain.head_hash
    ));
    if let Some(last) = &result.last_anchor {
        output::line(&format!(
            "{} signed anchor(s) verified; the newest, anchor {} made at {}, vouches for entries \
             up to {}{}",
            result.anchors_verified,
            last.n,
            last.at,
            last.seq,
            if chain.head_seq > last.seq {
                " (entries after it are vouched for by the chain alone)".to_owned()
            } else {
                String::new()
            }
        ));
    }
    if let Some(path) = &args.checkpoint {
        output::line(&format!("checkpoint {} is present and unchanged", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}

async fn anchor(args: AuditAnchorArgs) -> anyhow::Result<ExitCode> {
    let key = load_anchor_key(&args.key)?;
    let store = open_store(&args.db.database).await?;
    let console = console(&store, &args.user.user, None).await?;
    match console.anchor_audit(&key).await {
        Ok(AnchorOutcome::Anchored(a)) => output::line(&format!(
            "anchor {} signed: entry {} has hash {} ({})",
            a.n, a.seq, a.hash, a.at
        )),
        Ok(AnchorOutcome::Unchanged(a)) => output::line(&format!(
            "the chain has not moved since anchor {} (entry {}); nothing to sign",
            a.n, a.seq
        )),
        Ok(AnchorOutcome::Empty) => output::line("the audit log is empty; nothing to sign"),
        Err(e @ jejak_service::ServiceError::Invalid(_)) => {
            output::line(&format!("REFUSED: {e}"));
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(ExitCode::SUCCESS)
}

fn keygen(out: &std::path::Path) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let key = jejak_service::exchange::generate_signing_key();
    let public = key.public().to_base64();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?;
    file.write_all(anchor::anchor_key_file_text(&key).as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    let mut public_path = out.as_os_str().to_owned();
    public_path.push(".pub");
    std::fs::write(&public_path, format!("{public}\n")).with_context(|| {
        format!("cannot write {}", std::path::Path::new(&public_path).display())
    })?;
    output::line(&public);
    Ok(ExitCode::SUCCESS)
}
