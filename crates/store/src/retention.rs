//! Retention of personal data (UU PDP, DOMAIN.md §8): legal holds, and anonymising or deleting
//! applications whose retention period has ended. Which applications have expired is the
//! service's decision (it knows the policy); the store carries it out, re-checking holds inside
//! the transaction so a hold placed meanwhile always wins.

use async_trait::async_trait;
use jejak_domain::{ApplicationKey, AuditAction};

use crate::backend::{Dialect, SqlStore, query, query_scalar};
use crate::{AuditCtx, Result};

/// A legal hold: while active, retention leaves the application (or every application with
/// the NIK) untouched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LegalHold {
    pub id: i64,
    pub application: Option<ApplicationKey>,
    pub nik: Option<String>,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: String,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<String>,
    pub lift_reason: Option<String>,
}

impl LegalHold {
    pub fn is_active(&self) -> bool {
        self.lifted_at.is_none()
    }
}

/// What a new hold covers and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldTarget {
    Application(ApplicationKey),
    Nik(String),
}

/// What retention does to an expired application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RetentionKind {
    /// Personal fields blanked; office, dates, sex, purpose, destination, occupation, regency
    /// and the decisions (kinds, dates, reason codes) kept for statistics.
    Anonymise,
    /// The application and its decisions removed.
    Delete,
}

impl RetentionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anonymise => "anonymised",
            Self::Delete => "deleted",
        }
    }
}

/// One planned retention action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionAction {
    pub application: ApplicationKey,
    pub kind: RetentionKind,
    /// The policy's record type, e.g. `deferred` (recorded and audited).
    pub record_type: String,
    /// The day the retention period ended (ISO date).
    pub expired_on: String,
    /// The reference day of the run (ISO date).
    pub as_of: String,
    /// Age in whole years on the application date, kept for statistics.
    pub age_at_application: Option<i64>,
}

/// What a retention batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionOutcome {
    pub anonymised: Vec<ApplicationKey>,
    pub deleted: Vec<ApplicationKey>,
    /// Skipped because a legal hold covers them.
    pub held: Vec<ApplicationKey>,
    /// Skipped because retention already acted on them (or they are gone).
    pub already_done: Vec<ApplicationKey>,
}

/// An application retention deleted, with the change number of the deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionDeletion {
    pub application: ApplicationKey,
    pub change_seq: i64,
}

/// Legal holds and retention actions.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Places a hold; `reason` must not be blank.
    async fn place_hold(
        &self,
        target: &HoldTarget,
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<LegalHold>;

    /// Lifts an active hold; `reason` must not be blank.
    async fn lift_hold(&self, id: i64, reason: &str, ctx: &AuditCtx) -> Result<LegalHold>;

    /// Holds in placement order; lifted ones too when `include_lifted`.
    async fn legal_holds(&self, include_lifted: bool) -> Result<Vec<LegalHold>>;

    /// Keys of the applications retention already acted on.
    async fn retention_done(&self) -> Result<Vec<ApplicationKey>>;

    /// Applications deleted by retention after change `since`, in change order, at most
    /// `limit`: a deleted row leaves no trace in the application change stream, so servers
    /// read this to drop it from what they hold in memory.
    async fn retention_deletions_since(
        &self,
        since: i64,
        limit: u32,
    ) -> Result<Vec<RetentionDeletion>>;

    /// Carries out the actions in one transaction, each with its audit event; held and
    /// already-treated applications are skipped.
    async fn apply_retention(
        &self,
        actions: &[RetentionAction],
        ctx: &AuditCtx,
    ) -> Result<RetentionOutcome>;
}

pub(crate) const INSERT_HOLD: &str = "insert into legal_holds (id, application_key, nik, reason, placed_by, placed_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const SELECT_HOLD: &str = "select * from legal_holds where id = $1";
pub(crate) const LIFT_HOLD: &str = "update legal_holds set lifted_by = $1, lifted_at = $2, lift_reason = $3, change_seq = $4 where id = $5 and lifted_at is null";
pub(crate) const ACTIVE_HOLDS: &str =
    "select * from legal_holds where lifted_at is null order by id";
pub(crate) const ALL_HOLDS: &str = "select * from legal_holds order by id";
pub(crate) const DELETIONS_SINCE: &str = "select application_key, change_seq from retention_actions where action = 'deleted' and change_seq > $1 order by change_seq limit $2";
pub(crate) const RETENTION_DONE: &str =
    "select application_key from retention_actions order by application_key";
/// Whether an active hold covers the application (by key or by its NIK).
pub(crate) const IS_HELD: &str = "select count(*) from legal_holds h where h.lifted_at is null and (h.application_key = $1 or h.nik = (select a.nik from applications a where a.id = $1))";
pub(crate) const APPLICATION_EXISTS: &str = "select count(*) from applications where id = $1 and not exists (select 1 from retention_actions r where r.application_key = $1)";
pub(crate) const ANONYMISE_APPLICATION: &str = "update applications set full_name = '', nik = null, birth_date = null, birth_place = null, address = null, village_code = substr(village_code, 1, 4), phone = null, mother_name = null, father_name = null, previous_passport_no = null, sponsor_name = null, sponsor_phone = null, cpmi_id = null, outcome_reason = null, nik_valid = true, phone_valid = true, sponsor_phone_valid = true, previous_passport_no_valid = true, version = version + 1, change_seq = $1 where id = $2";
/// Free-text reasons may name people; reason codes, kinds, scores and dates stay.
pub(crate) const ANONYMISE_RELATED: &[&str] = &[
    "update decisions set reason_text = null where application_key = $1",
    "update review_requests set reason_text = null, review_note = null where application_key = $1",
    "update match_decisions set reason = '' where application_a = $1 or application_b = $1",
];
/// Rows that refer to an application, deleted before it.
pub(crate) const DELETE_RELATED: &[&str] = &[
    "delete from decisions where application_key = $1",
    "delete from review_requests where application_key = $1",
    "delete from assessments where application_key = $1",
    "delete from match_decisions where application_a = $1 or application_b = $1",
];
pub(crate) const DELETE_APPLICATION: &str = "delete from applications where id = $1";
pub(crate) const INSERT_RETENTION: &str = "insert into retention_actions (application_key, action, record_type, expired_on, as_of, done_at, age_at_application, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8)";

pub(crate) fn read_hold(row: &impl crate::codec::RowExt) -> Result<LegalHold> {
    Ok(LegalHold {
        id: row.int("id")?,
        application: row.opt_int("application_key")?.map(ApplicationKey),
        nik: row.opt_text("nik")?,
        reason: row.text("reason")?,
        placed_by: row.text("placed_by")?,
        placed_at: row.text("placed_at")?,
        lifted_by: row.opt_text("lifted_by")?,
        lifted_at: row.opt_text("lifted_at")?,
        lift_reason: row.opt_text("lift_reason")?,
    })
}

#[async_trait]
impl<B: Dialect> crate::retention::RetentionStore for SqlStore<B> {
    async fn place_hold(
        &self,
        target: &crate::retention::HoldTarget,
        reason: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::retention::LegalHold> {
        use crate::retention::HoldTarget;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(crate::StoreError::InvalidValue("a legal hold needs a reason".to_owned()));
        }
        let (key, nik) = match target {
            HoldTarget::Application(key) => (Some(key.0), None),
            HoldTarget::Nik(nik) => (None, Some(nik.clone())),
        };
        let mut tx = self.begin_write().await?;
        let id = Self::reserve(&mut tx, 1).await?;
        query(crate::retention::INSERT_HOLD)
            .bind(id)
            .bind(key)
            .bind(&nik)
            .bind(reason)
            .bind(&ctx.actor)
            .bind(&ctx.at)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let what = match target {
            HoldTarget::Application(key) => format!("application {key}"),
            HoldTarget::Nik(nik) => format!("NIK {}", crate::retention::mask(nik)),
        };
        let details = format!("{what}: {reason}");
        let id_text = id.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::LegalHoldPlace,
            "legal_hold",
            Some(&id_text),
            &details,
        )
        .await?;
        let row = query(crate::retention::SELECT_HOLD).bind(id).fetch_one(&mut tx).await?;
        let hold = crate::retention::read_hold(&row)?;
        tx.commit().await?;
        Ok(hold)
    }

    async fn lift_hold(
        &self,
        id: i64,
        reason: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::retention::LegalHold> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(crate::StoreError::InvalidValue(
                "lifting a legal hold needs a reason".to_owned(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let lifted = query(crate::retention::LIFT_HOLD)
            .bind(&ctx.actor)
            .bind(&ctx.at)
            .bind(reason)
            .bind(seq)
            .bind(id)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if lifted == 0 {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("active legal hold {id}")));
        }
        let id_text = id.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::LegalHoldLift,
            "legal_hold",
            Some(&id_text),
            reason,
        )
        .await?;
        let row = query(crate::retention::SELECT_HOLD).bind(id).fetch_one(&mut tx).await?;
        let hold = crate::retention::read_hold(&row)?;
        tx.commit().await?;
        Ok(hold)
    }

    async fn legal_holds(
        &self,
        include_lifted: bool,
    ) -> crate::Result<Vec<crate::retention::LegalHold>> {
        let sql = if include_lifted {
            crate::retention::ALL_HOLDS
        } else {
            crate::retention::ACTIVE_HOLDS
        };
        let rows = query(sql).fetch_all(self).await?;
        rows.iter().map(crate::retention::read_hold).collect()
    }

    async fn retention_done(&self) -> crate::Result<Vec<jejak_domain::ApplicationKey>> {
        let keys: Vec<i64> = query_scalar(crate::retention::RETENTION_DONE).fetch_all(self).await?;
        Ok(keys.into_iter().map(jejak_domain::ApplicationKey).collect())
    }

    async fn retention_deletions_since(
        &self,
        since: i64,
        limit: u32,
    ) -> crate::Result<Vec<crate::retention::RetentionDeletion>> {
        use crate::codec::RowExt;
        let rows = query(crate::retention::DELETIONS_SINCE)
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(crate::retention::RetentionDeletion {
                    application: jejak_domain::ApplicationKey(row.int_at(0)?),
                    change_seq: row.int_at(1)?,
                })
            })
            .collect()
    }

    async fn apply_retention(
        &self,
        actions: &[crate::retention::RetentionAction],
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::retention::RetentionOutcome> {
        use crate::retention::RetentionKind;
        let mut outcome = crate::retention::RetentionOutcome::default();
        if actions.is_empty() {
            return Ok(outcome);
        }
        let mut tx = self.begin_write().await?;
        let first = Self::reserve(&mut tx, actions.len() as i64).await?;
        for (i, action) in actions.iter().enumerate() {
            let seq = first + i as i64;
            let key = action.application;
            let present: i64 = query_scalar(crate::retention::APPLICATION_EXISTS)
                .bind(key.0)
                .fetch_one(&mut tx)
                .await?;
            if present == 0 {
                outcome.already_done.push(key);
                continue;
            }
            let held: i64 =
                query_scalar(crate::retention::IS_HELD).bind(key.0).fetch_one(&mut tx).await?;
            if held > 0 {
                outcome.held.push(key);
                continue;
            }
            match action.kind {
                RetentionKind::Anonymise => {
                    query(crate::retention::ANONYMISE_APPLICATION)
                        .bind(seq)
                        .bind(key.0)
                        .execute(&mut tx)
                        .await?;
                    for statement in crate::retention::ANONYMISE_RELATED {
                        query(*statement).bind(key.0).execute(&mut tx).await?;
                    }
                    outcome.anonymised.push(key);
                }
                RetentionKind::Delete => {
                    for statement in crate::retention::DELETE_RELATED {
                        query(*statement).bind(key.0).execute(&mut tx).await?;
                    }
                    query(crate::retention::DELETE_APPLICATION)
                        .bind(key.0)
                        .execute(&mut tx)
                        .await?;
                    outcome.deleted.push(key);
                }
            }
            query(crate::retention::INSERT_RETENTION)
                .bind(key.0)
                .bind(action.kind.as_str())
                .bind(&action.record_type)
                .bind(&action.expired_on)
                .bind(&action.as_of)
                .bind(&ctx.at)
                .bind(action.age_at_application)
                .bind(seq)
                .execute(&mut tx)
                .await?;
            let details = format!(
                "{} ({}, retention ended {}, run as of {})",
                action.kind.as_str(),
                action.record_type,
                action.expired_on,
                action.as_of
            );
            let key_text = key.to_string();
            let verb = match action.kind {
                RetentionKind::Anonymise => AuditAction::RetentionAnonymise,
                RetentionKind::Delete => AuditAction::RetentionDelete,
            };
            Self::audit_tx(&mut tx, ctx, verb, "application", Some(&key_text), &details).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

/// A NIK with its middle hidden, for audit details and messages.
pub(crate) fn mask(nik: &str) -> String {
    match jejak_domain::Nik::parse(nik) {
        Ok(n) => n.masked(),
        Err(_) => "****".to_owned(),
    }
}
