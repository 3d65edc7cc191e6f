//! Partner exchange (issue 15, migration 0014): each partner's configuration (public key,
//! our signing key's reference, base URL, purpose and legal basis) with its sequence
//! counters, and the batch log (direction, sequence, hash, record count, when applied). The
//! `ExchangeStore` trait, its SQL, and `exchange_impl!` for both backends.
//!
//! Sequence numbers are checked again inside each write transaction, so two runs at once
//! cannot both apply (or both cut) the same batch. An inbound batch is written with its CPMI
//! snapshot, the batch log row and the counter in one transaction, or not at all.

use async_trait::async_trait;
use jejak_domain::AuditAction;

use crate::backend::{Dialect, SqlStore, Tx, query};
use crate::codec::RowExt;
use crate::partners::{NewPartnerSnapshot, PartnerRecords};
use crate::{AuditCtx, Result};

pub(crate) const UPSERT_PARTNER_NEW: &str = "insert into exchange_partners (name, display_name, public_key, signing_key_ref, base_url, purpose, legal_basis, last_sent_seq, last_acknowledged_seq, last_received_seq, created_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, $8, $9)";
pub(crate) const UPDATE_PARTNER: &str = "update exchange_partners set display_name = $2, public_key = $3, signing_key_ref = $4, base_url = $5, purpose = $6, legal_basis = $7, change_seq = $8 where name = $1";
pub(crate) const PARTNER: &str = "select * from exchange_partners where name = $1";
pub(crate) const PARTNERS: &str = "select * from exchange_partners order by name";
pub(crate) const INSERT_BATCH: &str = "insert into exchange_batches (partner, direction, sequence, data_sha256, record_count, covers_to, manifest, data, snapshot_id, recorded_at, acknowledged_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, null, $11)";
pub(crate) const BATCHES_AFTER: &str = "select * from exchange_batches where partner = $1 and direction = $2 and sequence > $3 order by sequence";
pub(crate) const SET_SENT: &str =
    "update exchange_partners set last_sent_seq = $2, change_seq = $3 where name = $1";
pub(crate) const SET_RECEIVED: &str =
    "update exchange_partners set last_received_seq = $2, change_seq = $3 where name = $1";
pub(crate) const SET_ACKNOWLEDGED: &str =
    "update exchange_partners set last_acknowledged_seq = $2, change_seq = $3 where name = $1";
/// Acknowledged outbound batches keep their manifest (hash, count, sequence) but not their
/// data: the records were kept only to re-send them unchanged until the partner confirmed
/// them (data minimisation; the register keeps the decisions themselves).
pub(crate) const MARK_ACKNOWLEDGED: &str = "update exchange_batches set acknowledged_at = $4, data = null where partner = $1 and direction = 'outbound' and sequence > $2 and sequence <= $3";
/// Deferrals and refusals after a change number with the few applicant fields an outbound
/// record may carry (see `service::exchange`): never address, phones, parents or free text.
pub(crate) const ADVERSE_DECISIONS_SINCE: &str = "select d.id as decision_id, d.kind as kind, d.decided_on as decided_on, d.deferral_until as deferral_until, d.reason_codes as reason_codes, d.change_seq as change_seq, a.office_code as office_code, a.nik as nik, a.nik_valid as nik_valid, a.full_name as full_name, a.birth_date as birth_date, a.sex as sex, a.destination_country as destination_country from decisions d join applications a on a.id = d.application_key where d.change_seq > $1 and d.kind in ('deferred', 'rejected') order by d.change_seq limit $2";

/// A partner's exchange configuration as given by an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExchangePartner {
    /// Short name used in manifests and commands (`siskop2mi`).
    pub name: String,
    pub display_name: String,
    /// The partner's Ed25519 public key (base64), which its batches must verify with.
    pub public_key: String,
    /// Where our signing key is kept (a file path; the key itself is never in the register).
    pub signing_key_ref: String,
    /// The partner's exchange endpoint, for the HTTP adapter.
    pub base_url: Option<String>,
    /// Purpose of the exchange, written into every batch's audit event.
    pub purpose: String,
    /// Legal basis (the PKS reference), written into every batch's audit event.
    pub legal_basis: String,
}

/// A partner's configuration and where each direction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangePartner {
    pub config: NewExchangePartner,
    /// The last outbound batch made.
    pub last_sent_seq: i64,
    /// The last outbound batch the partner confirmed.
    pub last_acknowledged_seq: i64,
    /// The last inbound batch applied.
    pub last_received_seq: i64,
    pub created_at: String,
    pub change_seq: i64,
}

/// One row of the batch log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeBatchLog {
    pub partner: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub sequence: i64,
    pub data_sha256: String,
    pub record_count: i64,
    /// Outbound: the highest decision change number the batch covers.
    pub covers_to: Option<i64>,
    /// The manifest as JSON, signature included.
    pub manifest: String,
    /// Outbound: the data file, kept so a batch is re-sent byte for byte. Inbound: `None`
    /// (the snapshot holds the records).
    pub data: Option<String>,
    /// Inbound: the partner snapshot the batch became.
    pub snapshot_id: Option<i64>,
    /// When the batch was made (outbound) or applied (inbound).
    pub recorded_at: String,
    pub acknowledged_at: Option<String>,
    pub change_seq: i64,
}

/// A deferral or refusal with the applicant fields an outbound record may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdverseDecision {
    pub decision_id: i64,
    pub kind: String,
    pub decided_on: String,
    pub deferral_until: Option<String>,
    pub reason_codes: Vec<String>,
    pub change_seq: i64,
    pub office_code: String,
    /// Only a valid NIK (one kept as written from a file is left out).
    pub nik: Option<String>,
    pub full_name: String,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub destination_country: Option<String>,
}

/// Storage of exchange partners and the batch log.
#[async_trait]
pub trait ExchangeStore: Send + Sync {
    /// Adds a partner, or changes its configuration (its counters stay). Audited
    /// (`exchange.partner`).
    async fn save_exchange_partner(
        &self,
        partner: &NewExchangePartner,
        ctx: &AuditCtx,
    ) -> Result<ExchangePartner>;

    async fn exchange_partner(&self, name: &str) -> Result<Option<ExchangePartner>>;

    async fn exchange_partners(&self) -> Result<Vec<ExchangePartner>>;

    /// The batch log of one partner and direction after a sequence number, oldest first.
    async fn exchange_batches(
        &self,
        partner: &str,
        direction: &str,
        after: i64,
    ) -> Result<Vec<ExchangeBatchLog>>;

    /// Deferrals and refusals with a change number above `after`, oldest first, at most
    /// `limit`.
    async fn adverse_decisions_since(&self, after: i64, limit: i64)
    -> Result<Vec<AdverseDecision>>;

    /// Logs a new outbound batch and moves `last_sent_seq` to it: refused (Conflict) unless
    /// it is the next one. `audit` is the event's details (`exchange.send`).
    async fn record_outbound_batch(
        &self,
        batch: &ExchangeBatchLog,
        audit: &str,
        ctx: &AuditCtx,
    ) -> Result<ExchangeBatchLog>;

    /// Applies an inbound batch: the CPMI snapshot, the log row and `last_received_seq`, with
    /// one audit event (`exchange.receive`), all or nothing; refused (Conflict) unless the
    /// batch is the next one.
    async fn apply_inbound_batch(
        &self,
        batch: &ExchangeBatchLog,
        snapshot: &NewPartnerSnapshot,
        records: &PartnerRecords,
        audit: &str,
        ctx: &AuditCtx,
    ) -> Result<ExchangeBatchLog>;

    /// The partner confirmed our batches up to `sequence` (audited, `exchange.acknowledge`);
    /// refused (Conflict) when no such batch was sent; an earlier or equal one changes
    /// nothing and answers the partner as it stands.
    async fn acknowledge_outbound(
        &self,
        partner: &str,
        sequence: i64,
        ctx: &AuditCtx,
    ) -> Result<ExchangePartner>;
}

pub(crate) fn read_partner(row: &impl RowExt) -> Result<ExchangePartner> {
    Ok(ExchangePartner {
        config: NewExchangePartner {
            name: row.text("name")?,
            display_name: row.text("display_name")?,
            public_key: row.text("public_key")?,
            signing_key_ref: row.text("signing_key_ref")?,
            base_url: row.opt_text("base_url")?,
            purpose: row.text("purpose")?,
            legal_basis: row.text("legal_basis")?,
        },
        last_sent_seq: row.int("last_sent_seq")?,
        last_acknowledged_seq: row.int("last_acknowledged_seq")?,
        last_received_seq: row.int("last_received_seq")?,
        created_at: row.text("created_at")?,
        change_seq: row.int("change_seq")?,
    })
}

pub(crate) fn read_batch(row: &impl RowExt) -> Result<ExchangeBatchLog> {
    Ok(ExchangeBatchLog {
        partner: row.text("partner")?,
        direction: row.text("direction")?,
        sequence: row.int("sequence")?,
        data_sha256: row.text("data_sha256")?,
        record_count: row.int("record_count")?,
        covers_to: row.opt_int("covers_to")?,
        manifest: row.text("manifest")?,
        data: row.opt_text("data")?,
        snapshot_id: row.opt_int("snapshot_id")?,
        recorded_at: row.text("recorded_at")?,
        acknowledged_at: row.opt_text("acknowledged_at")?,
        change_seq: row.int("change_seq")?,
    })
}

pub(crate) fn read_adverse(row: &impl RowExt) -> Result<AdverseDecision> {
    let codes = row.text("reason_codes")?;
    let nik = if row.flag("nik_valid")? { row.opt_text("nik")? } else { None };
    Ok(AdverseDecision {
        decision_id: row.int("decision_id")?,
        kind: row.text("kind")?,
        decided_on: row.text("decided_on")?,
        deferral_until: row.opt_text("deferral_until")?,
        reason_codes: codes.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        change_seq: row.int("change_seq")?,
        office_code: row.text("office_code")?,
        nik,
        full_name: row.text("full_name")?,
        birth_date: row.opt_text("birth_date")?,
        sex: row.opt_text("sex")?,
        destination_country: row.opt_text("destination_country")?,
    })
}

/// Refuses what the backends cannot both store.
pub(crate) fn check_text(values: &[&str]) -> Result<()> {
    if values.iter().any(|v| v.contains('\0')) {
        return Err(crate::codec::nul_refused());
    }
    Ok(())
}

/// The refusal when a batch is not the next one in its direction.
pub(crate) fn not_next(direction: &str, sequence: i64, last: i64) -> crate::StoreError {
    let why = if sequence <= last { "a replay" } else { "out of order" };
    crate::StoreError::Conflict(format!(
        "{direction} batch {sequence} is {why}: the last one is {last}, the next must be {}",
        last + 1
    ))
}

impl<B: Dialect> SqlStore<B> {
    /// The partner row, read inside a write transaction.
    async fn exchange_partner_tx(
        tx: &mut Tx<B>,
        name: &str,
    ) -> crate::Result<crate::exchange::ExchangePartner> {
        let row = query(crate::exchange::PARTNER)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("exchange partner {name:?}")))?;
        crate::exchange::read_partner(&row)
    }

    async fn insert_exchange_batch(
        tx: &mut Tx<B>,
        batch: &crate::exchange::ExchangeBatchLog,
        seq: i64,
    ) -> crate::Result<()> {
        query(crate::exchange::INSERT_BATCH)
            .bind(&batch.partner)
            .bind(&batch.direction)
            .bind(batch.sequence)
            .bind(&batch.data_sha256)
            .bind(batch.record_count)
            .bind(batch.covers_to)
            .bind(&batch.manifest)
            .bind(batch.data.as_deref())
            .bind(batch.snapshot_id)
            .bind(&batch.recorded_at)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl<B: Dialect> crate::exchange::ExchangeStore for SqlStore<B> {
    async fn save_exchange_partner(
        &self,
        partner: &crate::exchange::NewExchangePartner,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::exchange::ExchangePartner> {
        let p = partner;
        crate::exchange::check_text(&[
            &p.name,
            &p.display_name,
            &p.public_key,
            &p.signing_key_ref,
            p.base_url.as_deref().unwrap_or(""),
            &p.purpose,
            &p.legal_basis,
        ])?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let exists =
            query(crate::exchange::PARTNER).bind(&p.name).fetch_optional(&mut tx).await?.is_some();
        let sql = if exists {
            crate::exchange::UPDATE_PARTNER
        } else {
            crate::exchange::UPSERT_PARTNER_NEW
        };
        let mut query = query(sql)
            .bind(&p.name)
            .bind(&p.display_name)
            .bind(&p.public_key)
            .bind(&p.signing_key_ref)
            .bind(p.base_url.as_deref())
            .bind(&p.purpose)
            .bind(&p.legal_basis);
        if !exists {
            query = query.bind(&ctx.at);
        }
        query.bind(seq).execute(&mut tx).await?;
        let details = format!(
            "{} partner={} public_key={} base_url={} legal_basis={}",
            if exists { "changed" } else { "added" },
            p.name,
            p.public_key,
            p.base_url.as_deref().unwrap_or("-"),
            p.legal_basis
        );
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ExchangePartner,
            "exchange_partner",
            Some(&p.name),
            &details,
        )
        .await?;
        let stored = Self::exchange_partner_tx(&mut tx, &p.name).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn exchange_partner(
        &self,
        name: &str,
    ) -> crate::Result<Option<crate::exchange::ExchangePartner>> {
        let row = query(crate::exchange::PARTNER).bind(name).fetch_optional(self).await?;
        row.as_ref().map(crate::exchange::read_partner).transpose()
    }

    async fn exchange_partners(&self) -> crate::Result<Vec<crate::exchange::ExchangePartner>> {
        let rows = query(crate::exchange::PARTNERS).fetch_all(self).await?;
        rows.iter().map(crate::exchange::read_partner).collect()
    }

    async fn exchange_batches(
        &self,
        partner: &str,
        direction: &str,
        after: i64,
    ) -> crate::Result<Vec<crate::exchange::ExchangeBatchLog>> {
        let rows = query(crate::exchange::BATCHES_AFTER)
            .bind(partner)
            .bind(direction)
            .bind(after)
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::exchange::read_batch).collect()
    }

    async fn adverse_decisions_since(
        &self,
        after: i64,
        limit: i64,
    ) -> crate::Result<Vec<crate::exchange::AdverseDecision>> {
        let rows = query(crate::exchange::ADVERSE_DECISIONS_SINCE)
            .bind(after)
            .bind(limit)
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::exchange::read_adverse).collect()
    }

    async fn record_outbound_batch(
        &self,
        batch: &crate::exchange::ExchangeBatchLog,
        audit: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::exchange::ExchangeBatchLog> {
        crate::exchange::check_text(&[
            &batch.manifest,
            batch.data.as_deref().unwrap_or(""),
            audit,
        ])?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let partner = Self::exchange_partner_tx(&mut tx, &batch.partner).await?;
        if batch.sequence != partner.last_sent_seq + 1 {
            return Err(crate::exchange::not_next(
                "outbound",
                batch.sequence,
                partner.last_sent_seq,
            ));
        }
        Self::insert_exchange_batch(&mut tx, batch, seq).await?;
        query(crate::exchange::SET_SENT)
            .bind(&batch.partner)
            .bind(batch.sequence)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        let id = format!("{}/outbound/{}", batch.partner, batch.sequence);
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ExchangePrepare,
            "exchange_batch",
            Some(&id),
            audit,
        )
        .await?;
        tx.commit().await?;
        Ok(crate::exchange::ExchangeBatchLog { change_seq: seq, ..batch.clone() })
    }

    async fn apply_inbound_batch(
        &self,
        batch: &crate::exchange::ExchangeBatchLog,
        snapshot: &crate::partners::NewPartnerSnapshot,
        records: &crate::partners::PartnerRecords,
        audit: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::exchange::ExchangeBatchLog> {
        crate::partners::check_snapshot(snapshot, records)?;
        crate::exchange::check_text(&[&batch.manifest, audit])?;
        let (insert, rows) = records.rows();
        for row in &rows {
            crate::codec::refuse_nul(row)?;
        }
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let partner = Self::exchange_partner_tx(&mut tx, &batch.partner).await?;
        if batch.sequence != partner.last_received_seq + 1 {
            return Err(crate::exchange::not_next(
                "inbound",
                batch.sequence,
                partner.last_received_seq,
            ));
        }
        // The snapshot, as `PartnerStore::import_partner_snapshot` writes one.
        query(crate::partners::INSERT_SNAPSHOT)
            .bind(seq)
            .bind(snapshot.kind.as_str())
            .bind(jejak_domain::date::iso(snapshot.taken_on))
            .bind(&snapshot.source)
            .bind(rows.len() as i64)
            .bind(&ctx.actor)
            .bind(&ctx.at)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        for (row_no, values) in (1_i64..).zip(&rows) {
            let mut query = query(insert).bind(seq).bind(row_no);
            for value in values {
                query = query.bind(value.as_deref());
            }
            query.execute(&mut tx).await?;
        }
        let logged = crate::exchange::ExchangeBatchLog {
            snapshot_id: Some(seq),
            change_seq: seq,
            ..batch.clone()
        };
        Self::insert_exchange_batch(&mut tx, &logged, seq).await?;
        query(crate::exchange::SET_RECEIVED)
            .bind(&batch.partner)
            .bind(batch.sequence)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        let id = format!("{}/inbound/{}", batch.partner, batch.sequence);
        let details = format!("{audit} snapshot={seq}");
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ExchangeReceive,
            "exchange_batch",
            Some(&id),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(logged)
    }

    async fn acknowledge_outbound(
        &self,
        partner: &str,
        sequence: i64,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::exchange::ExchangePartner> {
        let mut tx = self.begin_write().await?;
        // Reserved first, as every write does (it serialises writers); an answer
        // without a change rolls back and gives the number back.
        let seq = Self::reserve(&mut tx, 1).await?;
        let current = Self::exchange_partner_tx(&mut tx, partner).await?;
        if sequence > current.last_sent_seq {
            return Err(crate::StoreError::Conflict(format!(
                "batch {sequence} cannot be acknowledged: the last batch sent to {partner} is {}",
                current.last_sent_seq
            )));
        }
        if sequence <= current.last_acknowledged_seq {
            return Ok(current);
        }
        query(crate::exchange::SET_ACKNOWLEDGED)
            .bind(partner)
            .bind(sequence)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        query(crate::exchange::MARK_ACKNOWLEDGED)
            .bind(partner)
            .bind(current.last_acknowledged_seq)
            .bind(sequence)
            .bind(&ctx.at)
            .execute(&mut tx)
            .await?;
        let details = format!(
            "partner={partner} acknowledged={sequence} previously={} purpose={} legal_basis={}",
            current.last_acknowledged_seq, current.config.purpose, current.config.legal_basis
        );
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ExchangeAcknowledge,
            "exchange_partner",
            Some(partner),
            &details,
        )
        .await?;
        let stored = Self::exchange_partner_tx(&mut tx, partner).await?;
        tx.commit().await?;
        Ok(stored)
    }
}
