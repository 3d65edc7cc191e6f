//! Partner exchange use cases (issue 15, DOMAIN.md §6.1 and §8): which records go out, how
//! an inbound batch is checked and applied, and the audit of every batch in or out with the
//! exchange's purpose and legal basis (the PKS reference) from the partner's configuration.
//!
//! **Outbound** (Jejak → partner, record kind `passport_decision`): deferrals and refusals
//! whose reason codes include `PMI_NP` or `NO_CPMI_REC`, with exactly the fields of
//! [`OUTBOUND_FIELDS`]: no address, phone numbers, parents' names, sponsor, occupation or free
//! text (the officer's written reason stays in the register), and a NIK only when valid. A new
//! batch holds every such decision since the last batch the partner *acknowledged*, so a lost
//! batch loses nothing; the partner keys records by `record_id` and applies batches in
//! sequence order (a later batch repeats what an unacknowledged earlier one held).
//!
//! **Inbound** (partner → Jejak, record kind `cpmi_registration`): one CPMI record per line
//! with the columns of `jejak cpmi import`; a batch is verified (the partner's public key,
//! hash, count, the next sequence number), read whole with row-level errors (line N is row N),
//! and stored as one dated CPMI snapshot with its batch-log row in one transaction, or refused
//! with the reason and nothing written.

use std::path::Path;

use jejak_domain::{AuditAction, PartnerKind};
use jejak_exchange::{
    Batch, BatchHeader, Direction, ExchangeError, Expectation, PublicKey, Refusal, SecretKey,
    Transport,
};
use jejak_store::{
    AdverseDecision, AuditAppend, AuditCtx, ExchangeBatchLog, ExchangePartner, NewExchangePartner,
    NewPartnerSnapshot, PartnerRecords, Store,
};
use serde::Serialize;

use crate::authz::{Action, Actor};
use crate::{Clock, ServiceError};

/// Record kind of outbound batches.
pub const OUTBOUND_KIND: &str = "passport_decision";
/// Record kind of inbound batches.
pub const INBOUND_KIND: &str = "cpmi_registration";
/// Reason codes that make a deferral or refusal one "for suspected PMI NP".
pub const OUTBOUND_REASONS: &[&str] = &["PMI_NP", "NO_CPMI_REC"];
/// Every field an outbound record has, in the order written (the data-minimisation list of
/// the README; a test reads a batch back against it).
pub const OUTBOUND_FIELDS: &[&str] = &[
    "record_id",
    "office_code",
    "decision",
    "decided_on",
    "deferral_until",
    "reason_codes",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "destination_country",
];
/// Decisions read per page when a batch is cut.
const PAGE: i64 = 10_000;

/// One outbound record: the agreed minimal fields (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundRecord {
    /// `<office>-<decision id>`: stable, so the partner can key on it.
    pub record_id: String,
    pub office_code: String,
    /// `deferred` or `rejected`.
    pub decision: String,
    pub decided_on: String,
    pub deferral_until: Option<String>,
    /// Only the codes of the controlled vocabulary, never the officer's text.
    pub reason_codes: Vec<String>,
    pub nik: Option<String>,
    pub full_name: String,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub destination_country: Option<String>,
}

impl OutboundRecord {
    /// The record for a decision, if it is one for suspected PMI NP.
    pub fn of(d: &AdverseDecision) -> Option<OutboundRecord> {
        let suspected = d.reason_codes.iter().any(|c| OUTBOUND_REASONS.contains(&c.as_str()));
        suspected.then(|| OutboundRecord {
            record_id: format!("{}-{}", d.office_code, d.decision_id),
            office_code: d.office_code.clone(),
            decision: d.kind.clone(),
            decided_on: d.decided_on.clone(),
            deferral_until: d.deferral_until.clone(),
            reason_codes: d
                .reason_codes
                .iter()
                .filter(|c| jejak_domain::decision::reason_code(c).is_some())
                .cloned()
                .collect(),
            nik: d.nik.clone(),
            full_name: d.full_name.clone(),
            birth_date: d.birth_date.clone(),
            sex: d.sex.clone(),
            destination_country: d.destination_country.clone(),
        })
    }
}

/// Why an exchange step failed. A refused batch changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeFailure {
    #[error("batch {sequence} from {partner} refused: {refusal}")]
    Refused { partner: String, sequence: u64, refusal: Refusal },
    #[error("batch {sequence} from {partner} refused: {reason}")]
    BadData { partner: String, sequence: u64, reason: String },
    #[error("{0}")]
    Transport(#[from] ExchangeError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<jejak_store::StoreError> for ExchangeFailure {
    fn from(e: jejak_store::StoreError) -> Self {
        ExchangeFailure::Service(e.into())
    }
}

type Result<T, E = ExchangeFailure> = std::result::Result<T, E>;

/// Checks and stores a partner's configuration (added, or changed with its counters kept).
pub async fn save_partner(
    store: &dyn Store,
    partner: &NewExchangePartner,
    ctx: &AuditCtx,
) -> Result<ExchangePartner> {
    let name_ok = !partner.name.is_empty()
        && partner.name.len() <= 40
        && partner.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        return Err(ServiceError::Invalid(format!(
            "name: {:?} must be 1-40 lower-case letters, digits or '-'",
            partner.name
        ))
        .into());
    }
    PublicKey::from_base64(&partner.public_key)
        .map_err(|e| ServiceError::Invalid(format!("public key: {e}")))?;
    load_signing_key(&partner.signing_key_ref)?;
    if let Some(url) = &partner.base_url {
        jejak_exchange::HttpTransport::new(http_config(url))
            .map_err(|e| ServiceError::Invalid(format!("base URL: {e}")))?;
    }
    for (field, value) in [("purpose", &partner.purpose), ("legal basis", &partner.legal_basis)] {
        if value.trim().is_empty() {
            return Err(ServiceError::Invalid(format!("{field}: required")).into());
        }
    }
    Ok(store.save_exchange_partner(partner, ctx).await?)
}

/// Default HTTP settings for a base URL (the CLI can change them).
pub fn http_config(base_url: &str) -> jejak_exchange::HttpConfig {
    jejak_exchange::HttpConfig {
        base_url: base_url.to_owned(),
        timeout: std::time::Duration::from_secs(30),
        retries: 3,
        backoff: std::time::Duration::from_millis(500),
        bearer: None,
    }
}

/// A new signing key from the operating system's random generator.
pub fn generate_signing_key() -> SecretKey {
    use rand::RngCore;
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretKey::from_bytes(bytes)
}

/// Reads our signing key from the file a partner configuration names.
pub fn load_signing_key(path: &str) -> Result<SecretKey> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ServiceError::Invalid(format!("signing key {path}: {e}")))?;
    Ok(SecretKey::from_file_text(&text)
        .map_err(|e| ServiceError::Invalid(format!("signing key {path}: {e}")))?)
}

/// A configured partner, or a clear "not found".
pub async fn partner(store: &dyn Store, name: &str) -> Result<ExchangePartner> {
    store.exchange_partner(name).await?.ok_or_else(|| {
        ServiceError::NotFound(format!(
            "exchange partner {name:?} (add it: jejak exchange partner add --name {name} ...)"
        ))
        .into()
    })
}

/// The audit context of an exchange step: the partner's purpose and legal basis.
fn exchange_ctx(ctx: &AuditCtx, partner: &ExchangePartner) -> AuditCtx {
    AuditCtx {
        purpose: Some(format!(
            "{}; dasar hukum / legal basis: {}",
            partner.config.purpose, partner.config.legal_basis
        )),
        ..ctx.clone()
    }
}

fn stored_batch(log: &ExchangeBatchLog) -> Result<Batch> {
    let manifest = jejak_exchange::Manifest::from_json(log.manifest.as_bytes())?;
    Ok(Batch { manifest, data: log.data.clone().unwrap_or_default().into_bytes() })
}

/// Our outbound batches the partner has not acknowledged, oldest first, after cutting a new
/// one when decisions were recorded since the newest batch (audited `exchange.prepare`). The
/// newest holds everything since the last acknowledged batch.
pub async fn pending_outbound(
    store: &dyn Store,
    clock: &dyn Clock,
    name: &str,
    ctx: &AuditCtx,
) -> Result<Vec<Batch>> {
    let partner = partner(store, name).await?;
    let logs = store
        .exchange_batches(name, Direction::Outbound.as_str(), partner.last_acknowledged_seq)
        .await?;
    let acknowledged_to = if partner.last_acknowledged_seq == 0 {
        0
    } else {
        store
            .exchange_batches(name, Direction::Outbound.as_str(), partner.last_acknowledged_seq - 1)
            .await?
            .first()
            .and_then(|b| b.covers_to)
            .unwrap_or(0)
    };
    let newest_covers = logs.last().and_then(|b| b.covers_to).unwrap_or(acknowledged_to);
    let mut batches = logs.iter().map(stored_batch).collect::<Result<Vec<_>>>()?;
    if has_news(store, newest_covers).await? {
        let batch = cut_outbound(store, clock, &partner, acknowledged_to, ctx).await?;
        batches.push(batch);
    }
    Ok(batches)
}

/// Whether a suspected-PMI-NP deferral or refusal was recorded after change number `after`.
async fn has_news(store: &dyn Store, mut after: i64) -> Result<bool> {
    loop {
        let page = store.adverse_decisions_since(after, PAGE).await?;
        if page.iter().any(|d| OutboundRecord::of(d).is_some()) {
            return Ok(true);
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.change_seq,
            _ => return Ok(false),
        }
    }
}

/// Makes, signs and logs the next outbound batch: every suspected-PMI-NP deferral or refusal
/// after `from` (a change number).
async fn cut_outbound(
    store: &dyn Store,
    clock: &dyn Clock,
    partner: &ExchangePartner,
    from: i64,
    ctx: &AuditCtx,
) -> Result<Batch> {
    let key = load_signing_key(&partner.config.signing_key_ref)?;
    let mut data = Vec::new();
    let mut after = from;
    loop {
        let page = store.adverse_decisions_since(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.change_seq;
        for record in page.iter().filter_map(OutboundRecord::of) {
            serde_json::to_writer(&mut data, &record)
                .map_err(|e| ServiceError::Internal(format!("outbound record: {e}")))?;
            data.push(b'\n');
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    let sequence = partner.last_sent_seq + 1;
    let header = BatchHeader {
        partner: partner.config.name.clone(),
        direction: Direction::Outbound,
        sequence: sequence as u64,
        created_at: clock.timestamp(),
        record_kind: OUTBOUND_KIND.to_owned(),
    };
    let batch = Batch::seal(header, data, &key)?;
    let m = &batch.manifest;
    let log = ExchangeBatchLog {
        partner: m.partner.clone(),
        direction: Direction::Outbound.as_str().to_owned(),
        sequence,
        data_sha256: m.data_sha256.clone(),
        record_count: m.record_count as i64,
        covers_to: Some(after),
        manifest: m.to_json()?,
        data: Some(String::from_utf8_lossy(&batch.data).into_owned()),
        snapshot_id: None,
        recorded_at: clock.timestamp(),
        acknowledged_at: None,
        change_seq: 0,
    };
    let ctx = exchange_ctx(ctx, partner);
    let details = format!(
        "prepared partner={} direction=outbound sequence={} records={} sha256={} fields={} legal_basis={}",
        m.partner,
        m.sequence,
        m.record_count,
        m.data_sha256,
        OUTBOUND_FIELDS.join(","),
        partner.config.legal_basis
    );
    store.record_outbound_batch(&log, &details, &ctx).await?;
    Ok(batch)
}

/// Audits that batches left Jejak (`exchange.send`, one event each) by `via`.
pub async fn audit_sent(
    store: &dyn Store,
    partner: &ExchangePartner,
    batches: &[Batch],
    via: &str,
    ctx: &AuditCtx,
) -> Result<()> {
    let ctx = exchange_ctx(ctx, partner);
    let events: Vec<AuditAppend> = batches
        .iter()
        .map(|b| {
            let m = &b.manifest;
            AuditAppend {
                ctx: ctx.clone(),
                action: AuditAction::ExchangeSend,
                entity: "exchange_batch".into(),
                entity_id: Some(format!("{}/outbound/{}", m.partner, m.sequence)),
                details: format!(
                    "partner={} sequence={} records={} sha256={} via={via} legal_basis={}",
                    m.partner,
                    m.sequence,
                    m.record_count,
                    m.data_sha256,
                    partner.config.legal_basis
                ),
            }
        })
        .collect();
    if !events.is_empty() {
        store.append_audits(&events).await?;
    }
    Ok(())
}

/// `jejak exchange export`: the newest pending outbound batch (cut first when there is
/// something new) written as a batch folder at `dir`; `None` when there is nothing the
/// partner has not acknowledged.
pub async fn export_folder(
    store: &dyn Store,
    clock: &dyn Clock,
    name: &str,
    dir: &Path,
    ctx: &AuditCtx,
) -> Result<Option<Batch>> {
    let pending = pending_outbound(store, clock, name, ctx).await?;
    let Some(batch) = pending.last() else { return Ok(None) };
    jejak_exchange::write_batch(dir, batch)?;
    let partner = partner(store, name).await?;
    audit_sent(
        store,
        &partner,
        std::slice::from_ref(batch),
        &format!("folder {}", dir.display()),
        ctx,
    )
    .await?;
    Ok(Some(batch.clone()))
}

/// Checks a batch against the register: an inbound one as it would be applied (the partner's
/// key and the next sequence number), an outbound one against our own key. `key` instead
/// checks signature, hash and count with that key only.
pub async fn verify(
    store: Option<&dyn Store>,
    batch: &Batch,
    key: Option<&PublicKey>,
) -> Result<()> {
    let m = &batch.manifest;
    let refused = |refusal| ExchangeFailure::Refused {
        partner: m.partner.clone(),
        sequence: m.sequence,
        refusal,
    };
    if let Some(key) = key {
        let expected =
            Expectation { partner: &m.partner, direction: m.direction, key, last_applied: None };
        return batch.verify(&expected).map_err(refused);
    }
    let store = store.ok_or_else(|| {
        ServiceError::Invalid("give --public-key or --database to verify a batch".into())
    })?;
    let partner = partner(store, &m.partner).await?;
    match m.direction {
        Direction::Inbound => {
            let key = PublicKey::from_base64(&partner.config.public_key)?;
            let last = partner.last_received_seq as u64;
            let expected = Expectation {
                partner: &partner.config.name,
                direction: Direction::Inbound,
                key: &key,
                last_applied: Some(last),
            };
            batch.verify(&expected).map_err(refused)?;
            check_inbound_data(batch)?;
            Ok(())
        }
        Direction::Outbound => {
            let key = load_signing_key(&partner.config.signing_key_ref)?.public();
            let expected = Expectation {
                partner: &partner.config.name,
                direction: Direction::Outbound,
                key: &key,
                last_applied: None,
            };
            batch.verify(&expected).map_err(refused)
        }
    }
}

/// The CPMI records of an inbound batch, or every problem (line N is row N).
fn check_inbound_data(batch: &Batch) -> Result<PartnerRecords> {
    let m = &batch.manifest;
    let bad = |reason: String| ExchangeFailure::BadData {
        partner: m.partner.clone(),
        sequence: m.sequence,
        reason,
    };
    if m.record_kind != INBOUND_KIND {
        return Err(bad(format!("record kind {:?}, expected {INBOUND_KIND}", m.record_kind)));
    }
    let text = std::str::from_utf8(&batch.data).map_err(|_| bad("the data is not UTF-8".into()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return Err(bad("the batch holds no CPMI record".into()));
    }
    for (number, line) in (1..).zip(&lines) {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
            return Err(bad(format!(
                "{}: row {number}: not valid JSON: {e}",
                jejak_exchange::DATA_FILE
            )));
        }
    }
    let array = format!("[{}]", lines.join(","));
    jejak_interchange::partner::read_cpmi(jejak_exchange::DATA_FILE, array.as_bytes())
        .map(PartnerRecords::Cpmi)
        .map_err(|problems| {
            bad(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })
}

/// Verifies an inbound batch and applies it (one CPMI snapshot, dated by the batch) with its
/// batch-log row and one audit event, or refuses it with nothing written.
pub async fn apply_inbound(
    store: &dyn Store,
    clock: &dyn Clock,
    batch: &Batch,
    ctx: &AuditCtx,
) -> Result<ExchangeBatchLog> {
    let m = &batch.manifest;
    verify(Some(store), batch, None).await?;
    if m.direction != Direction::Inbound {
        return Err(ExchangeFailure::Refused {
            partner: m.partner.clone(),
            sequence: m.sequence,
            refusal: Refusal::WrongDirection { found: m.direction, expected: Direction::Inbound },
        });
    }
    let records = check_inbound_data(batch)?;
    let partner = partner(store, &m.partner).await?;
    let taken_on = m
        .created_at
        .get(..10)
        .and_then(|d| jejak_domain::date::parse_date(d).ok())
        .unwrap_or_else(|| clock.today());
    let snapshot = NewPartnerSnapshot {
        kind: PartnerKind::Cpmi,
        taken_on,
        source: format!("{} batch {}", m.partner, m.sequence),
    };
    let log = ExchangeBatchLog {
        partner: m.partner.clone(),
        direction: Direction::Inbound.as_str().to_owned(),
        sequence: m.sequence as i64,
        data_sha256: m.data_sha256.clone(),
        record_count: m.record_count as i64,
        covers_to: None,
        manifest: m.to_json()?,
        data: None,
        snapshot_id: None,
        recorded_at: clock.timestamp(),
        acknowledged_at: None,
        change_seq: 0,
    };
    let details = format!(
        "applied partner={} direction=inbound sequence={} records={} sha256={} legal_basis={}",
        m.partner, m.sequence, m.record_count, m.data_sha256, partner.config.legal_basis
    );
    let ctx = exchange_ctx(ctx, &partner);
    store.apply_inbound_batch(&log, &snapshot, &records, &details, &ctx).await.map_err(|e| {
        match e {
            // Another run applied it between the check and the write.
            jejak_store::StoreError::Conflict(reason) => ExchangeFailure::BadData {
                partner: m.partner.clone(),
                sequence: m.sequence,
                reason,
            },
            other => other.into(),
        }
    })
}

/// What one run over a transport did.
#[derive(Debug, Default)]
pub struct Received {
    /// Sequence numbers applied, in order.
    pub applied: Vec<u64>,
    /// Where the partner's batches now stand (the last applied).
    pub last_received: u64,
}

/// Receives the partner's batches after the last one applied, applies them in order, each
/// whole, and acknowledges what was applied. Stops at the first failure: what was applied
/// before it stays, the failed batch wrote nothing, and the next run resumes after the last
/// applied one.
pub async fn receive(
    store: &dyn Store,
    clock: &dyn Clock,
    transport: &dyn Transport,
    name: &str,
    ctx: &AuditCtx,
) -> Result<Received> {
    let start = partner(store, name).await?.last_received_seq as u64;
    let mut done = Received { applied: Vec::new(), last_received: start };
    let outcome = async {
        for batch in transport.receive(start).await? {
            apply_inbound(store, clock, &batch, ctx).await?;
            done.applied.push(batch.manifest.sequence);
            done.last_received = batch.manifest.sequence;
        }
        Ok::<_, ExchangeFailure>(())
    }
    .await;
    if !done.applied.is_empty() {
        // Acknowledged even when a later batch failed: what was applied is applied.
        let ack = transport.acknowledge(done.last_received).await;
        outcome?;
        ack?;
    } else {
        outcome?;
    }
    Ok(done)
}

/// Sends the batches the partner has not acknowledged (cutting a new one when there is
/// something new) and records each acknowledgement the transport brings back.
pub async fn send(
    store: &dyn Store,
    clock: &dyn Clock,
    transport: &dyn Transport,
    name: &str,
    via: &str,
    ctx: &AuditCtx,
) -> Result<ExchangePartner> {
    let pending = pending_outbound(store, clock, name, ctx).await?;
    let mut partner = partner(store, name).await?;
    for batch in &pending {
        let acknowledged = transport.send(batch).await?;
        audit_sent(store, &partner, std::slice::from_ref(batch), via, ctx).await?;
        if let Some(sequence) = acknowledged {
            partner = acknowledge(store, name, sequence, ctx).await?;
        }
    }
    Ok(partner)
}

/// The partner confirmed our batches up to `sequence`.
pub async fn acknowledge(
    store: &dyn Store,
    name: &str,
    sequence: u64,
    ctx: &AuditCtx,
) -> Result<ExchangePartner> {
    let partner = partner(store, name).await?;
    let ctx = exchange_ctx(ctx, &partner);
    Ok(store.acknowledge_outbound(name, as_seq(sequence), &ctx).await?)
}

/// `GET /api/v1/exchange/{partner}/batches?after=N`: a partner pulling our batches after `after`
/// (cutting a new one when there is something new); each batch handed out is audited.
pub async fn pull(
    store: &dyn Store,
    clock: &dyn Clock,
    actor: &Actor,
    name: &str,
    after: u64,
) -> Result<Vec<Batch>, ServiceError> {
    actor.authorize(Action::ExchangePartnerData, None)?;
    let ctx = actor.audit_ctx(clock.timestamp(), None);
    let run = async {
        pending_outbound(store, clock, name, &ctx).await?;
        let partner = partner(store, name).await?;
        // Acknowledged batches are not handed out again: their data is no longer kept.
        let from = as_seq(after).max(partner.last_acknowledged_seq);
        let out: Vec<Batch> = store
            .exchange_batches(name, Direction::Outbound.as_str(), from)
            .await?
            .iter()
            .map(stored_batch)
            .collect::<Result<_>>()?;
        audit_sent(store, &partner, &out, "http pull", &ctx).await?;
        Ok::<_, ExchangeFailure>(out)
    };
    run.await.map_err(into_service)
}

/// `POST /api/v1/exchange/{partner}/acknowledgements`: the partner confirms our batches.
pub async fn acknowledge_by(
    store: &dyn Store,
    clock: &dyn Clock,
    actor: &Actor,
    name: &str,
    sequence: u64,
) -> Result<ExchangePartner, ServiceError> {
    actor.authorize(Action::ExchangePartnerData, None)?;
    let ctx = actor.audit_ctx(clock.timestamp(), None);
    acknowledge(store, name, sequence, &ctx).await.map_err(into_service)
}

/// A sequence number from a partner as the register counts them (beyond any batch when huge).
fn as_seq(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An exchange failure as the web layer reports it.
pub fn into_service(e: ExchangeFailure) -> ServiceError {
    match e {
        ExchangeFailure::Service(e) => e,
        other => ServiceError::Invalid(other.to_string()),
    }
}
