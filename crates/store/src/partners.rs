//! Partner data (issue 15): dated snapshots of SISKOP2MI's CPMI registrations, the licensed
//! P3MI list and BP3MI's returns/deportations. The `PartnerStore` trait, its SQL, and
//! `partner_impl!`, which implements it for both backends like `store_impl!` does for `Store`.
//! A snapshot is written whole in one transaction with one change number and one audit event;
//! snapshots are never changed, so older ones are the status history.

use async_trait::async_trait;
use jejak_domain::date::iso;
use jejak_domain::{
    AuditAction, CountryCode, CpmiRecord, CpmiStatus, DeportationKind, DeportationRecord, Nik,
    P3miLicence, PartnerKind, PartnerSnapshot, Sex,
};
use time::Date;

use crate::backend::{Dialect, SqlStore, query, query_scalar};
use crate::codec::{RowExt, corrupt, date, opt};
use crate::{AuditCtx, Result, StoreError};

pub(crate) const INSERT_SNAPSHOT: &str = "insert into partner_snapshots (id, kind, taken_on, source, record_count, imported_by, imported_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const INSERT_CPMI: &str = "insert into cpmi_records (snapshot_id, row_no, cpmi_id, nik, full_name, birth_date, sex, destination_country, p3mi_name, employer, job_title, placement_scheme, status, recommendation_no, recommendation_date, updated_on) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
pub(crate) const INSERT_P3MI: &str = "insert into p3mi_licences (snapshot_id, row_no, p3mi_name, licence_no, valid_until) values ($1, $2, $3, $4, $5)";
pub(crate) const INSERT_DEPORTATION: &str = "insert into deportation_records (snapshot_id, row_no, nik, full_name, birth_date, sex, country, kind, event_date, reference) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub(crate) const LATEST_SNAPSHOT: &str =
    "select * from partner_snapshots where kind = $1 order by taken_on desc, id desc limit 1";
pub(crate) const SNAPSHOTS: &str =
    "select * from partner_snapshots where kind = $1 order by taken_on, id";
pub(crate) const PARTNER_SEQ: &str = "select max(change_seq) from partner_snapshots";
pub(crate) const CPMI_OF: &str =
    "select * from cpmi_records where snapshot_id = $1 order by row_no";
pub(crate) const P3MI_OF: &str =
    "select * from p3mi_licences where snapshot_id = $1 order by row_no";
pub(crate) const DEPORTATIONS_OF: &str =
    "select * from deportation_records where snapshot_id = $1 order by row_no";
pub(crate) const CPMI_HISTORY: &str = "select s.taken_on as taken_on, c.* from cpmi_records c join partner_snapshots s on s.id = c.snapshot_id where c.cpmi_id = $1 order by s.taken_on, s.id";

/// A snapshot to import: what it is, the date it describes and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartnerSnapshot {
    pub kind: PartnerKind,
    pub taken_on: Date,
    pub source: String,
}

/// The records of one snapshot, of the kind the snapshot says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerRecords {
    Cpmi(Vec<CpmiRecord>),
    P3mi(Vec<P3miLicence>),
    Deportations(Vec<DeportationRecord>),
}

impl PartnerRecords {
    /// The kind of partner data held.
    pub fn kind(&self) -> PartnerKind {
        match self {
            PartnerRecords::Cpmi(_) => PartnerKind::Cpmi,
            PartnerRecords::P3mi(_) => PartnerKind::P3mi,
            PartnerRecords::Deportations(_) => PartnerKind::Deportations,
        }
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        match self {
            PartnerRecords::Cpmi(r) => r.len(),
            PartnerRecords::P3mi(r) => r.len(),
            PartnerRecords::Deportations(r) => r.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The insert statement and each record's values (after snapshot id and row number).
    pub(crate) fn rows(&self) -> (&'static str, Vec<Vec<Option<String>>>) {
        let d = |d: &Option<Date>| d.map(iso);
        match self {
            PartnerRecords::Cpmi(records) => (
                INSERT_CPMI,
                records
                    .iter()
                    .map(|r| {
                        vec![
                            Some(r.cpmi_id.clone()),
                            r.nik.as_ref().map(|n| n.as_str().to_owned()),
                            Some(r.full_name.clone()),
                            d(&r.birth_date),
                            r.sex.map(|s| s.code().to_owned()),
                            r.destination_country.map(|c| c.as_str().to_owned()),
                            r.p3mi_name.clone(),
                            r.employer.clone(),
                            r.job_title.clone(),
                            r.placement_scheme.clone(),
                            Some(r.status.as_str().to_owned()),
                            r.recommendation_no.clone(),
                            d(&r.recommendation_date),
                            d(&r.updated_on),
                        ]
                    })
                    .collect(),
            ),
            PartnerRecords::P3mi(records) => (
                INSERT_P3MI,
                records
                    .iter()
                    .map(|r| {
                        vec![Some(r.p3mi_name.clone()), r.licence_no.clone(), d(&r.valid_until)]
                    })
                    .collect(),
            ),
            PartnerRecords::Deportations(records) => (
                INSERT_DEPORTATION,
                records
                    .iter()
                    .map(|r| {
                        vec![
                            r.nik.as_ref().map(|n| n.as_str().to_owned()),
                            Some(r.full_name.clone()),
                            d(&r.birth_date),
                            r.sex.map(|s| s.code().to_owned()),
                            r.country.map(|c| c.as_str().to_owned()),
                            Some(r.kind.as_str().to_owned()),
                            d(&r.event_date),
                            r.reference.clone(),
                        ]
                    })
                    .collect(),
            ),
        }
    }
}

/// One CPMI record as it stood in one snapshot (the status history of a registration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmiHistoryEntry {
    pub snapshot_id: i64,
    pub taken_on: Date,
    pub record: CpmiRecord,
}

/// Storage of partner snapshots.
#[async_trait]
pub trait PartnerStore: Send + Sync {
    /// Stores a snapshot with its records in one transaction (all or nothing): one change
    /// number (the snapshot's id) and one audit event (`partner.import`, entity
    /// `partner_snapshot`, details naming the kind, date, source and count).
    async fn import_partner_snapshot(
        &self,
        snapshot: &NewPartnerSnapshot,
        records: &PartnerRecords,
        ctx: &AuditCtx,
    ) -> Result<PartnerSnapshot>;

    /// The newest snapshot of a kind (latest `taken_on`, then latest import).
    async fn latest_partner_snapshot(&self, kind: PartnerKind) -> Result<Option<PartnerSnapshot>>;

    /// Every snapshot of a kind, oldest first.
    async fn partner_snapshots(&self, kind: PartnerKind) -> Result<Vec<PartnerSnapshot>>;

    /// The highest change number of any snapshot (0 when there is none): a running server
    /// reloads its partner data when it moves.
    async fn partner_change_seq(&self) -> Result<i64>;

    /// The records of one snapshot, in file order.
    async fn partner_records(&self, snapshot: &PartnerSnapshot) -> Result<PartnerRecords>;

    /// A CPMI registration in every snapshot that holds it, oldest first.
    async fn cpmi_history(&self, cpmi_id: &str) -> Result<Vec<CpmiHistoryEntry>>;
}

pub(crate) fn read_snapshot(row: &impl RowExt) -> Result<PartnerSnapshot> {
    const T: &str = "partner_snapshots";
    let kind = row.text("kind")?;
    Ok(PartnerSnapshot {
        id: row.int("id")?,
        kind: PartnerKind::parse(&kind)
            .ok_or_else(|| corrupt(T, "kind", format!("unknown kind {kind:?}")))?,
        taken_on: date(T, "taken_on", &row.text("taken_on")?)?,
        source: row.text("source")?,
        record_count: row.int("record_count")?,
        imported_by: row.text("imported_by")?,
        imported_at: row.text("imported_at")?,
        change_seq: row.int("change_seq")?,
    })
}

fn opt_date(t: &'static str, column: &'static str, row: &impl RowExt) -> Result<Option<Date>> {
    opt(t, column, row.opt_text(column)?, jejak_domain::date::parse_date)
}

fn opt_sex(t: &'static str, row: &impl RowExt) -> Result<Option<Sex>> {
    opt(t, "sex", row.opt_text("sex")?, |v| Sex::parse(v).ok_or("unknown sex"))
}

pub(crate) fn read_cpmi(row: &impl RowExt) -> Result<CpmiRecord> {
    const T: &str = "cpmi_records";
    let status = row.text("status")?;
    Ok(CpmiRecord {
        cpmi_id: row.text("cpmi_id")?,
        nik: opt(T, "nik", row.opt_text("nik")?, Nik::parse)?,
        full_name: row.text("full_name")?,
        birth_date: opt_date(T, "birth_date", row)?,
        sex: opt_sex(T, row)?,
        destination_country: opt(
            T,
            "destination_country",
            row.opt_text("destination_country")?,
            CountryCode::parse,
        )?,
        p3mi_name: row.opt_text("p3mi_name")?,
        employer: row.opt_text("employer")?,
        job_title: row.opt_text("job_title")?,
        placement_scheme: row.opt_text("placement_scheme")?,
        status: CpmiStatus::parse(&status)
            .ok_or_else(|| corrupt(T, "status", format!("unknown status {status:?}")))?,
        recommendation_no: row.opt_text("recommendation_no")?,
        recommendation_date: opt_date(T, "recommendation_date", row)?,
        updated_on: opt_date(T, "updated_on", row)?,
    })
}

pub(crate) fn read_p3mi(row: &impl RowExt) -> Result<P3miLicence> {
    Ok(P3miLicence {
        p3mi_name: row.text("p3mi_name")?,
        licence_no: row.opt_text("licence_no")?,
        valid_until: opt_date("p3mi_licences", "valid_until", row)?,
    })
}

pub(crate) fn read_deportation(row: &impl RowExt) -> Result<DeportationRecord> {
    const T: &str = "deportation_records";
    let kind = row.text("kind")?;
    Ok(DeportationRecord {
        nik: opt(T, "nik", row.opt_text("nik")?, Nik::parse)?,
        full_name: row.text("full_name")?,
        birth_date: opt_date(T, "birth_date", row)?,
        sex: opt_sex(T, row)?,
        country: opt(T, "country", row.opt_text("country")?, CountryCode::parse)?,
        kind: DeportationKind::parse(&kind)
            .ok_or_else(|| corrupt(T, "kind", format!("unknown kind {kind:?}")))?,
        event_date: opt_date(T, "event_date", row)?,
        reference: row.opt_text("reference")?,
    })
}

/// Refuses an empty snapshot and text the backends cannot both store.
pub(crate) fn check_snapshot(
    snapshot: &NewPartnerSnapshot,
    records: &PartnerRecords,
) -> Result<()> {
    if snapshot.kind != records.kind() {
        return Err(StoreError::InvalidValue(format!(
            "a {} snapshot cannot hold {} records",
            snapshot.kind,
            records.kind()
        )));
    }
    if records.is_empty() {
        return Err(StoreError::InvalidValue(
            "a partner snapshot needs at least one record".into(),
        ));
    }
    if snapshot.source.contains('\0') {
        return Err(crate::codec::nul_refused());
    }
    Ok(())
}

#[async_trait]
impl<B: Dialect> crate::partners::PartnerStore for SqlStore<B> {
    async fn import_partner_snapshot(
        &self,
        snapshot: &crate::partners::NewPartnerSnapshot,
        records: &crate::partners::PartnerRecords,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::PartnerSnapshot> {
        crate::partners::check_snapshot(snapshot, records)?;
        let (insert, rows) = records.rows();
        for row in &rows {
            crate::codec::refuse_nul(row)?;
        }
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let stored = jejak_domain::PartnerSnapshot {
            id: seq,
            kind: snapshot.kind,
            taken_on: snapshot.taken_on,
            source: snapshot.source.clone(),
            record_count: rows.len() as i64,
            imported_by: ctx.actor.clone(),
            imported_at: ctx.at.clone(),
            change_seq: seq,
        };
        query(crate::partners::INSERT_SNAPSHOT)
            .bind(seq)
            .bind(stored.kind.as_str())
            .bind(jejak_domain::date::iso(stored.taken_on))
            .bind(&stored.source)
            .bind(stored.record_count)
            .bind(&stored.imported_by)
            .bind(&stored.imported_at)
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
        let details = format!(
            "kind={} taken_on={} source={} records={}",
            stored.kind,
            jejak_domain::date::iso(stored.taken_on),
            stored.source,
            stored.record_count
        );
        let id = seq.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::PartnerImport,
            "partner_snapshot",
            Some(&id),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn latest_partner_snapshot(
        &self,
        kind: jejak_domain::PartnerKind,
    ) -> crate::Result<Option<jejak_domain::PartnerSnapshot>> {
        let row = query(crate::partners::LATEST_SNAPSHOT)
            .bind(kind.as_str())
            .fetch_optional(self)
            .await?;
        row.as_ref().map(crate::partners::read_snapshot).transpose()
    }

    async fn partner_snapshots(
        &self,
        kind: jejak_domain::PartnerKind,
    ) -> crate::Result<Vec<jejak_domain::PartnerSnapshot>> {
        let rows = query(crate::partners::SNAPSHOTS).bind(kind.as_str()).fetch_all(self).await?;
        rows.iter().map(crate::partners::read_snapshot).collect()
    }

    async fn partner_change_seq(&self) -> crate::Result<i64> {
        let seq: Option<i64> = query_scalar(crate::partners::PARTNER_SEQ).fetch_one(self).await?;
        Ok(seq.unwrap_or(0))
    }

    async fn partner_records(
        &self,
        snapshot: &jejak_domain::PartnerSnapshot,
    ) -> crate::Result<crate::partners::PartnerRecords> {
        use crate::partners::PartnerRecords;
        use jejak_domain::PartnerKind;
        let sql = match snapshot.kind {
            PartnerKind::Cpmi => crate::partners::CPMI_OF,
            PartnerKind::P3mi => crate::partners::P3MI_OF,
            PartnerKind::Deportations => crate::partners::DEPORTATIONS_OF,
        };
        let rows = query(sql).bind(snapshot.id).fetch_all(self).await?;
        Ok(match snapshot.kind {
            PartnerKind::Cpmi => PartnerRecords::Cpmi(
                rows.iter().map(crate::partners::read_cpmi).collect::<crate::Result<_>>()?,
            ),
            PartnerKind::P3mi => PartnerRecords::P3mi(
                rows.iter().map(crate::partners::read_p3mi).collect::<crate::Result<_>>()?,
            ),
            PartnerKind::Deportations => PartnerRecords::Deportations(
                rows.iter().map(crate::partners::read_deportation).collect::<crate::Result<_>>()?,
            ),
        })
    }

    async fn cpmi_history(
        &self,
        cpmi_id: &str,
    ) -> crate::Result<Vec<crate::partners::CpmiHistoryEntry>> {
        use crate::codec::RowExt;
        let rows = query(crate::partners::CPMI_HISTORY).bind(cpmi_id).fetch_all(self).await?;
        rows.iter()
            .map(|row| {
                Ok(crate::partners::CpmiHistoryEntry {
                    snapshot_id: row.int("snapshot_id")?,
                    taken_on: crate::codec::date(
                        "partner_snapshots",
                        "taken_on",
                        &row.text("taken_on")?,
                    )?,
                    record: crate::partners::read_cpmi(row)?,
                })
            })
            .collect()
    }
}
