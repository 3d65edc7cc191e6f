//! Checking and exporting the audit log: `verify` walks the whole hash chain page by page
//! (optionally against a checkpoint kept outside the database), `export` writes events as JSON
//! lines, hashes included, so the export itself is a checkpoint.

use std::io::{BufRead, Write};

use jejak_domain::AuditAction;
use jejak_store::{AuditCtx, AuditEvent, AuditVerification, ChainVerifier, Checkpoint, Store};

use crate::{Result, ServiceError};

/// Events read per page.
const PAGE: u32 = 5_000;

/// Walks the whole chain; with a checkpoint, the entry it names must still be there unchanged.
pub async fn verify(
    store: &dyn Store,
    checkpoint: Option<Checkpoint>,
) -> Result<AuditVerification> {
    let mut verifier = ChainVerifier::new();
    if let Some(cp) = checkpoint {
        verifier = verifier.with_checkpoint(cp);
    }
    let mut after = 0;
    loop {
        let page = store.audit_events(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        verifier.feed(&page);
        if verifier.is_broken() {
            break;
        }
    }
    Ok(verifier.finish())
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub events: u64,
    /// The last exported entry: keep it (or the file) as a checkpoint.
    pub last: Option<Checkpoint>,
}

/// Writes the events with `seq >= from_seq` as JSON lines, then records the export itself in
/// the audit log (after the exported range).
pub async fn export(
    store: &dyn Store,
    from_seq: i64,
    out: &mut (dyn Write + Send),
    ctx: &AuditCtx,
) -> Result<ExportSummary> {
    let mut summary = ExportSummary { events: 0, last: None };
    let mut after = from_seq.max(1) - 1;
    loop {
        let page = store.audit_events(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            serde_json::to_writer(&mut *out, event)
                .map_err(|e| ServiceError::Internal(format!("writing the export: {e}")))?;
            out.write_all(b"\n").map_err(io_error)?;
        }
        summary.events += page.len() as u64;
        summary.last = Some(Checkpoint { seq: last.seq, hash: last.hash.clone() });
    }
    out.flush().map_err(io_error)?;
    let details = match &summary.last {
        Some(cp) => {
            format!("{} event(s) from {from_seq} to {} (head {})", summary.events, cp.seq, cp.hash)
        }
        None => format!("no events from {from_seq}"),
    };
    store.append_audit(ctx, AuditAction::AuditExport, "audit_log", None, &details).await?;
    Ok(summary)
}

fn io_error(e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("writing the export: {e}"))
}

/// The checkpoint an export file vouches for: its last event. `name` is used in messages.
pub fn read_checkpoint(name: &str, input: impl BufRead) -> Result<Checkpoint> {
    let mut last: Option<AuditEvent> = None;
    for (index, line) in input.lines().enumerate() {
        let line = line.map_err(|e| ServiceError::Invalid(format!("{name}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let event: AuditEvent = serde_json::from_str(&line).map_err(|e| {
            ServiceError::Invalid(format!("{name}: line {}: not an audit event: {e}", index + 1))
        })?;
        if event.compute_hash() != event.hash {
            return Err(ServiceError::Invalid(format!(
                "{name}: line {}: event {} does not match its own hash; the checkpoint file was altered",
                index + 1,
                event.seq
            )));
        }
        last = Some(event);
    }
    last.map(|e| Checkpoint { seq: e.seq, hash: e.hash })
        .ok_or_else(|| ServiceError::Invalid(format!("{name}: no audit events in the file")))
}
