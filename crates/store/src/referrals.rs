//! Referrals to the cross-agency forum and protected persons (issue 15 items 5 and 6,
//! migration 0012): the `ReferralStore` trait, its SQL, and `referral_impl!`, which implements
//! it for both backends next to `store_impl!`. Every write reserves a change number and
//! appends its audit event in the same transaction; a referral's history is append-only
//! (`referral_events`), and a lifted protection keeps its row with who lifted it and why.

use async_trait::async_trait;
use jejak_domain::date::{iso, parse_date};
use jejak_domain::{
    Agency, ApplicationKey, AuditAction, NewReferral, OfficeCode, Protection, Referral,
    ReferralEvent, ReferralStatus, ReferralSubject,
};

use crate::backend::{Dialect, SqlStore, query};
use crate::codec::{RowExt, corrupt, opt};
use crate::{AuditCtx, Result, StoreError};

pub(crate) const INSERT_REFERRAL: &str = "insert into referrals (id, letter_no, office_code, subject_kind, person_id, application_key, agency, purpose, legal_basis, fields, due_on, status, created_by, created_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'sent', $12, $13, $14)";
pub(crate) const INSERT_EVENT: &str = "insert into referral_events (id, referral_id, status, note, due_on, by_user, at) values ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const SELECT_REFERRAL: &str = "select * from referrals where id = $1";
pub(crate) const REFERRALS_ALL: &str = "select * from referrals order by id desc";
pub(crate) const REFERRALS_OF_OFFICE: &str =
    "select * from referrals where office_code = $1 order by id desc";
pub(crate) const REFERRALS_OF_APPLICATION: &str =
    "select * from referrals where application_key = $1 order by id desc";
pub(crate) const UPDATE_REFERRAL: &str =
    "update referrals set status = $1, due_on = $2, change_seq = $3 where id = $4";
pub(crate) const REFERRAL_EVENTS: &str =
    "select * from referral_events where referral_id = $1 order by id";
pub(crate) const INSERT_PROTECTION: &str = "insert into protected_persons (id, application_key, reason, marked_by, marked_at, lifted_by, lifted_at, lift_reason, change_seq) values ($1, $2, $3, $4, $5, null, null, null, $6)";
pub(crate) const ACTIVE_PROTECTION_OF: &str =
    "select * from protected_persons where application_key = $1 and lifted_at is null";
pub(crate) const LIFT_PROTECTION: &str = "update protected_persons set lifted_by = $1, lifted_at = $2, lift_reason = $3, change_seq = $4 where id = $5";
pub(crate) const PROTECTIONS: &str = "select * from protected_persons order by id";
pub(crate) const ACTIVE_PROTECTIONS: &str =
    "select * from protected_persons where lifted_at is null order by id";

/// A step in a referral's follow-up: its new status, a note and the next due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralUpdate {
    pub referral_id: i64,
    pub status: ReferralStatus,
    pub note: Option<String>,
    /// The new due date (`None` keeps the current one).
    pub due_on: Option<time::Date>,
    pub by: String,
    pub at: String,
}

/// Which referrals to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReferralFilter {
    /// Every referral of every office.
    #[default]
    All,
    Office(OfficeCode),
    Application(ApplicationKey),
}

/// Storage of referrals and protections.
#[async_trait]
pub trait ReferralStore {
    /// Stores a referral as sent (its first history event) with its letter number, one
    /// change number and one audit event (`referral.create`).
    async fn create_referral(&self, referral: &NewReferral, ctx: &AuditCtx) -> Result<Referral>;

    async fn referral(&self, id: i64) -> Result<Option<Referral>>;

    /// Referrals, newest first.
    async fn referrals(&self, filter: &ReferralFilter) -> Result<Vec<Referral>>;

    /// Moves a referral on (appending to its history; audit `referral.status`). A closed or
    /// declined referral is final (`Conflict`); an unknown one is `NotFound`.
    async fn update_referral(&self, update: &ReferralUpdate, ctx: &AuditCtx) -> Result<Referral>;

    /// A referral's history, oldest first.
    async fn referral_history(&self, id: i64) -> Result<Vec<ReferralEvent>>;

    /// Marks the person of `application` protected (audit `person.protect`); a protection
    /// already in force on the same application is a `Conflict`.
    async fn protect_person(
        &self,
        application: ApplicationKey,
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<Protection>;

    /// Lifts the protection in force on `application` (audit `person.unprotect`); none in
    /// force is `NotFound`.
    async fn lift_protection(
        &self,
        application: ApplicationKey,
        reason: &str,
        ctx: &AuditCtx,
    ) -> Result<Protection>;

    /// Protections, oldest first: only those in force, or all with the lifted ones.
    async fn protections(&self, active_only: bool) -> Result<Vec<Protection>>;
}

/// The letter number of a referral: office and change number, unique in the register.
pub(crate) fn letter_no(office: &OfficeCode, id: i64) -> String {
    format!("RJK/{}/{id:06}", office.as_str())
}

/// Joins the shared field names (plain column names, so `,` never occurs in them).
pub(crate) fn join_fields(fields: &[String]) -> Result<String> {
    if fields.iter().any(|f| f.is_empty() || !f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    {
        return Err(StoreError::InvalidValue("a shared field is a column name".into()));
    }
    Ok(fields.join(","))
}

pub(crate) fn referral_values(r: &NewReferral) -> Result<Vec<Option<String>>> {
    let values = vec![
        Some(r.purpose.clone()),
        Some(r.legal_basis.clone()),
        r.note.clone(),
        Some(r.created_by.clone()),
        Some(r.created_at.clone()),
    ];
    crate::codec::refuse_nul(&values)?;
    Ok(values)
}

pub(crate) fn read_referral(row: &impl RowExt) -> Result<Referral> {
    const T: &str = "referrals";
    let office = row.text("office_code")?;
    let agency = row.text("agency")?;
    let status = row.text("status")?;
    let key = ApplicationKey(row.int("application_key")?);
    let subject = match row.text("subject_kind")?.as_str() {
        "person" => ReferralSubject::Person {
            person_id: row
                .opt_text("person_id")?
                .ok_or_else(|| corrupt(T, "person_id", "a person referral without a person"))?
                .parse()
                .map_err(|e: jejak_domain::PersonIdError| corrupt(T, "person_id", e.to_string()))?,
            application: key,
        },
        _ => ReferralSubject::Application(key),
    };
    Ok(Referral {
        id: row.int("id")?,
        letter_no: row.text("letter_no")?,
        data: NewReferral {
            office: OfficeCode::parse(&office).map_err(|e| corrupt(T, "office_code", e))?,
            subject,
            agency: Agency::parse(&agency)
                .ok_or_else(|| corrupt(T, "agency", format!("unknown agency {agency:?}")))?,
            purpose: row.text("purpose")?,
            legal_basis: row.text("legal_basis")?,
            fields: row
                .text("fields")?
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            due_on: opt(T, "due_on", row.opt_text("due_on")?, parse_date)?,
            note: None,
            created_by: row.text("created_by")?,
            created_at: row.text("created_at")?,
        },
        status: ReferralStatus::parse(&status)
            .ok_or_else(|| corrupt(T, "status", format!("unknown status {status:?}")))?,
        change_seq: row.int("change_seq")?,
    })
}

pub(crate) fn read_event(row: &impl RowExt) -> Result<ReferralEvent> {
    const T: &str = "referral_events";
    let status = row.text("status")?;
    Ok(ReferralEvent {
        referral_id: row.int("referral_id")?,
        status: ReferralStatus::parse(&status)
            .ok_or_else(|| corrupt(T, "status", format!("unknown status {status:?}")))?,
        note: row.opt_text("note")?,
        due_on: opt(T, "due_on", row.opt_text("due_on")?, parse_date)?,
        by: row.text("by_user")?,
        at: row.text("at")?,
    })
}

pub(crate) fn read_protection(row: &impl RowExt) -> Result<Protection> {
    Ok(Protection {
        id: row.int("id")?,
        application: ApplicationKey(row.int("application_key")?),
        reason: row.text("reason")?,
        marked_by: row.text("marked_by")?,
        marked_at: row.text("marked_at")?,
        lifted_by: row.opt_text("lifted_by")?,
        lifted_at: row.opt_text("lifted_at")?,
        lift_reason: row.opt_text("lift_reason")?,
    })
}

/// The due date as stored.
pub(crate) fn due(d: Option<time::Date>) -> Option<String> {
    d.map(iso)
}

#[async_trait]
impl<B: Dialect> crate::referrals::ReferralStore for SqlStore<B> {
    async fn create_referral(
        &self,
        r: &jejak_domain::NewReferral,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Referral> {
        crate::referrals::referral_values(r)?;
        let fields = crate::referrals::join_fields(&r.fields)?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 2).await?;
        let letter_no = crate::referrals::letter_no(&r.office, seq);
        let person_id = match &r.subject {
            jejak_domain::ReferralSubject::Person { person_id, .. } => Some(person_id.to_string()),
            jejak_domain::ReferralSubject::Application(_) => None,
        };
        query(crate::referrals::INSERT_REFERRAL)
            .bind(seq)
            .bind(&letter_no)
            .bind(r.office.as_str())
            .bind(r.subject.kind())
            .bind(person_id)
            .bind(r.subject.application().0)
            .bind(r.agency.as_str())
            .bind(&r.purpose)
            .bind(&r.legal_basis)
            .bind(&fields)
            .bind(crate::referrals::due(r.due_on))
            .bind(&r.created_by)
            .bind(&r.created_at)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        query(crate::referrals::INSERT_EVENT)
            .bind(seq + 1)
            .bind(seq)
            .bind(jejak_domain::ReferralStatus::Sent.as_str())
            .bind(r.note.clone())
            .bind(crate::referrals::due(r.due_on))
            .bind(&r.created_by)
            .bind(&r.created_at)
            .execute(&mut tx)
            .await?;
        let details = format!(
            "{letter_no} to {} about {} {}: purpose={}; legal_basis={}; fields={fields}",
            r.agency,
            r.subject.kind(),
            r.subject.application(),
            r.purpose,
            r.legal_basis
        );
        let id = seq.to_string();
        Self::audit_tx(&mut tx, ctx, AuditAction::ReferralCreate, "referral", Some(&id), &details)
            .await?;
        tx.commit().await?;
        crate::referrals::ReferralStore::referral(self, seq)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("referral {seq}")))
    }

    async fn referral(&self, id: i64) -> crate::Result<Option<jejak_domain::Referral>> {
        let row = query(crate::referrals::SELECT_REFERRAL).bind(id).fetch_optional(self).await?;
        row.as_ref().map(crate::referrals::read_referral).transpose()
    }

    async fn referrals(
        &self,
        filter: &crate::referrals::ReferralFilter,
    ) -> crate::Result<Vec<jejak_domain::Referral>> {
        use crate::referrals::ReferralFilter;
        let rows = match filter {
            ReferralFilter::All => query(crate::referrals::REFERRALS_ALL).fetch_all(self).await?,
            ReferralFilter::Office(office) => {
                query(crate::referrals::REFERRALS_OF_OFFICE)
                    .bind(office.as_str())
                    .fetch_all(self)
                    .await?
            }
            ReferralFilter::Application(key) => {
                query(crate::referrals::REFERRALS_OF_APPLICATION)
                    .bind(key.0)
                    .fetch_all(self)
                    .await?
            }
        };
        rows.iter().map(crate::referrals::read_referral).collect()
    }

    async fn update_referral(
        &self,
        u: &crate::referrals::ReferralUpdate,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Referral> {
        crate::codec::refuse_nul(&[u.note.clone(), Some(u.by.clone())])?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let id = u.referral_id;
        let row = query(crate::referrals::SELECT_REFERRAL)
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("referral {id}")))?;
        let current = crate::referrals::read_referral(&row)?;
        if !current.status.is_open() {
            return Err(crate::StoreError::Conflict(format!(
                "referral {} is {}: it cannot change any more",
                current.letter_no,
                current.status.as_str()
            )));
        }
        let due_on = u.due_on.or(current.data.due_on);
        query(crate::referrals::UPDATE_REFERRAL)
            .bind(u.status.as_str())
            .bind(crate::referrals::due(due_on))
            .bind(seq)
            .bind(id)
            .execute(&mut tx)
            .await?;
        query(crate::referrals::INSERT_EVENT)
            .bind(seq)
            .bind(id)
            .bind(u.status.as_str())
            .bind(u.note.clone())
            .bind(crate::referrals::due(u.due_on))
            .bind(&u.by)
            .bind(&u.at)
            .execute(&mut tx)
            .await?;
        let details = format!(
            "{} status {}{}{}",
            current.letter_no,
            u.status.as_str(),
            u.due_on.map(|d| format!(" due {}", jejak_domain::date::iso(d))).unwrap_or_default(),
            u.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
        );
        let key = id.to_string();
        Self::audit_tx(&mut tx, ctx, AuditAction::ReferralStatus, "referral", Some(&key), &details)
            .await?;
        tx.commit().await?;
        crate::referrals::ReferralStore::referral(self, id)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("referral {id}")))
    }

    async fn referral_history(&self, id: i64) -> crate::Result<Vec<jejak_domain::ReferralEvent>> {
        let rows = query(crate::referrals::REFERRAL_EVENTS).bind(id).fetch_all(self).await?;
        rows.iter().map(crate::referrals::read_event).collect()
    }

    async fn protect_person(
        &self,
        application: jejak_domain::ApplicationKey,
        reason: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Protection> {
        crate::codec::refuse_nul(&[Some(reason.to_owned())])?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let existing = query(crate::referrals::ACTIVE_PROTECTION_OF)
            .bind(application.0)
            .fetch_optional(&mut tx)
            .await?;
        if existing.is_some() {
            return Err(crate::StoreError::Conflict(format!(
                "the person of application {application} is already protected"
            )));
        }
        query(crate::referrals::INSERT_PROTECTION)
            .bind(seq)
            .bind(application.0)
            .bind(reason)
            .bind(&ctx.actor)
            .bind(&ctx.at)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        let key = application.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::PersonProtect,
            "application",
            Some(&key),
            &format!("protected: {reason}"),
        )
        .await?;
        tx.commit().await?;
        Ok(jejak_domain::Protection {
            id: seq,
            application,
            reason: reason.to_owned(),
            marked_by: ctx.actor.clone(),
            marked_at: ctx.at.clone(),
            lifted_by: None,
            lifted_at: None,
            lift_reason: None,
        })
    }

    async fn lift_protection(
        &self,
        application: jejak_domain::ApplicationKey,
        reason: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::Protection> {
        crate::codec::refuse_nul(&[Some(reason.to_owned())])?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let row = query(crate::referrals::ACTIVE_PROTECTION_OF)
            .bind(application.0)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| {
                crate::StoreError::NotFound(format!(
                    "no protection in force on application {application}"
                ))
            })?;
        let mut protection = crate::referrals::read_protection(&row)?;
        query(crate::referrals::LIFT_PROTECTION)
            .bind(&ctx.actor)
            .bind(&ctx.at)
            .bind(reason)
            .bind(seq)
            .bind(protection.id)
            .execute(&mut tx)
            .await?;
        let key = application.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::PersonUnprotect,
            "application",
            Some(&key),
            &format!("protection lifted: {reason}"),
        )
        .await?;
        tx.commit().await?;
        protection.lifted_by = Some(ctx.actor.clone());
        protection.lifted_at = Some(ctx.at.clone());
        protection.lift_reason = Some(reason.to_owned());
        Ok(protection)
    }

    async fn protections(&self, active_only: bool) -> crate::Result<Vec<jejak_domain::Protection>> {
        let sql = if active_only {
            crate::referrals::ACTIVE_PROTECTIONS
        } else {
            crate::referrals::PROTECTIONS
        };
        let rows = query(sql).fetch_all(self).await?;
        rows.iter().map(crate::referrals::read_protection).collect()
    }
}
