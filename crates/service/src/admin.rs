//! The administrator's use cases besides users and tokens (`auth`): offices and their work
//! areas, the audit chain's state (verify, last verification, export), legal holds, retention
//! runs and data-subject reports. The pages and the CLI go through here,
//! so every call is checked against the permission table and audited.

use std::sync::Arc;

use jejak_domain::date::parse_date;
use jejak_domain::region::{RegionLevel, regions};
use jejak_domain::{AuditAction, Nik, Office, OfficeCode, RegionCode};
use jejak_store::{AuditVerification, HoldTarget, LegalHold, Store};
use time::Date;

use crate::audit::{self, ExportSummary};
use crate::authz::{Action, Actor};
use crate::retention::{self, RetentionPolicy, RetentionReport};
use crate::screening::Screening;
use crate::subject::{self, SubjectReport};
use crate::text::checked_note;
use crate::{Clock, Result, ServiceError};

/// The audit entry a verification from the administration pages leaves.
const VERIFY_ACTION: AuditAction = AuditAction::AuditVerify;
/// Its entity id, by which the last verification is found again.
const VERIFY_ENTITY_ID: &str = "verify";

/// A verification of the audit chain as recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub at: String,
    pub by: String,
    /// What was found, in words ("OK: ..." or "BROKEN: ...").
    pub details: String,
}

/// An office to add or update, as typed in a form.
#[derive(Debug, Clone, Default)]
pub struct OfficeInput {
    pub code: String,
    pub name: String,
    /// Regency (kab/kota) codes such as `18.71`, separated by spaces, commas or semicolons.
    pub areas: String,
}

/// Administration over the register.
pub struct Admin {
    store: Arc<dyn Store>,
    /// The live match index, for subject reports through the identity engine (`None` at the
    /// command line, which builds none for offices, holds and retention).
    screening: Option<Arc<Screening>>,
    clock: Arc<dyn Clock>,
    policy: RetentionPolicy,
}

impl Admin {
    pub fn new(
        store: Arc<dyn Store>,
        screening: Arc<Screening>,
        clock: Arc<dyn Clock>,
        policy: RetentionPolicy,
    ) -> Admin {
        Admin { store, screening: Some(screening), clock, policy }
    }

    /// Administration without a match index (the command line's offices, legal holds and
    /// retention runs); a subject report then lists the NIK's applications only.
    pub fn without_index(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        policy: RetentionPolicy,
    ) -> Admin {
        Admin { store, screening: None, clock, policy }
    }

    /// The same administration under another retention policy (the configuration's).
    pub fn with_policy(&self, policy: RetentionPolicy) -> Admin {
        Admin {
            store: self.store.clone(),
            screening: self.screening.clone(),
            clock: self.clock.clone(),
            policy,
        }
    }

    /// The retention policy in force.
    pub fn policy(&self) -> &RetentionPolicy {
        &self.policy
    }

    fn ctx(&self, by: &Actor) -> jejak_store::AuditCtx {
        by.audit_ctx(self.clock.timestamp(), None)
    }

    /// Every office with its work area (`ManageOffices`).
    pub async fn offices(&self, by: &Actor) -> Result<Vec<Office>> {
        by.authorize(Action::ManageOffices, None)?;
        Ok(self.store.list_offices().await?)
    }

    /// The offices' codes, for the office a new user or token is given (`ManageUsers` or
    /// `ManageTokens`: choosing an office there needs no right to change offices).
    pub async fn office_codes(&self, by: &Actor) -> Result<Vec<OfficeCode>> {
        if !by.may(Action::ManageTokens, None) {
            by.authorize(Action::ManageUsers, None)?;
        }
        Ok(self.store.list_offices().await?.into_iter().map(|o| o.code).collect())
    }

    /// Adds an office or updates its name and work area (`ManageOffices`).
    pub async fn save_office(&self, by: &Actor, input: &OfficeInput) -> Result<Office> {
        by.authorize(Action::ManageOffices, None)?;
        let code = OfficeCode::parse(input.code.trim())
            .map_err(|e| ServiceError::Invalid(format!("code {:?}: {e}", input.code)))?;
        let name = checked_note("name", &input.name)?;
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ServiceError::Invalid("name must have 1-200 characters".into()));
        }
        let mut work_area = Vec::new();
        for text in input.areas.split([' ', ',', ';', '\n', '\r']).filter(|t| !t.is_empty()) {
            let region = RegionCode::parse(text)
                .ok()
                .filter(|r| r.level() == RegionLevel::Regency && regions().contains(r))
                .ok_or_else(|| {
                    ServiceError::Invalid(format!(
                        "areas {text:?} is not a known regency (kab/kota) code such as 18.71"
                    ))
                })?;
            if !work_area.contains(&region) {
                work_area.push(region);
            }
        }
        let office = Office { code, name: name.to_owned(), work_area };
        self.store.save_office(&office, &self.ctx(by)).await?;
        Ok(office)
    }

    /// Walks the whole audit chain (`ViewAudit`) and records the result in the audit log,
    /// so the last verification is known to every administrator.
    pub async fn verify_audit(&self, by: &Actor) -> Result<AuditVerification> {
        by.authorize(Action::ViewAudit, None)?;
        let result = audit::verify(self.store.as_ref(), None).await?;
        let details = match &result.first_failure {
            None => format!(
                "OK: {} entries verified; last entry {} has hash {}",
                result.checked, result.head_seq, result.head_hash
            ),
            Some(broken) => format!(
                "BROKEN: {broken}; {} entries checked, sound up to entry {}",
                result.checked, result.head_seq
            ),
        };
        self.store
            .append_audit(
                &self.ctx(by),
                VERIFY_ACTION,
                "audit_log",
                Some(VERIFY_ENTITY_ID),
                &details,
            )
            .await?;
        Ok(result)
    }

    /// The last verification recorded by `verify_audit` (`ViewAudit`).
    pub async fn last_verification(&self, by: &Actor) -> Result<Option<VerificationRecord>> {
        by.authorize(Action::ViewAudit, None)?;
        let events =
            self.store.audit_events_about("audit_log", &[VERIFY_ENTITY_ID.to_owned()]).await?;
        Ok(events
            .into_iter()
            .filter(|e| e.action == VERIFY_ACTION.as_str())
            .max_by_key(|e| e.seq)
            .map(|e| VerificationRecord { at: e.at, by: e.actor, details: e.details }))
    }

    /// Writes the audit log from `from_seq` as JSON lines (`ViewAudit`); the export is audited.
    pub async fn export_audit(
        &self,
        by: &Actor,
        from_seq: i64,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<ExportSummary> {
        by.authorize(Action::ViewAudit, None)?;
        audit::export(self.store.as_ref(), from_seq, out, &self.ctx(by)).await
    }

    /// Legal holds, lifted ones too when `all` (`RunRetention`).
    pub async fn holds(&self, by: &Actor, all: bool) -> Result<Vec<LegalHold>> {
        by.authorize(Action::RunRetention, None)?;
        Ok(self.store.legal_holds(all).await?)
    }

    /// Places a legal hold on an application (`OFFICE/APPLICATION_ID`) or on every
    /// application with a NIK (`RunRetention`); a reason is required.
    pub async fn place_hold(
        &self,
        by: &Actor,
        application: &str,
        nik: &str,
        reason: &str,
    ) -> Result<LegalHold> {
        by.authorize(Action::RunRetention, None)?;
        let reason = required_note("reason", reason)?;
        let target = match (application.trim(), nik.trim()) {
            ("", "") => {
                return Err(ServiceError::Invalid(
                    "application: give OFFICE/APPLICATION_ID or a NIK".into(),
                ));
            }
            ("", nik) => {
                let nik =
                    Nik::parse(nik).map_err(|e| ServiceError::Invalid(format!("nik: {e}")))?;
                HoldTarget::Nik(nik.as_str().to_owned())
            }
            (spec, _) => {
                let (office, id) = spec.split_once('/').ok_or_else(|| {
                    ServiceError::Invalid(format!(
                        "application {spec:?}: write OFFICE/APPLICATION_ID, e.g. BDL/2025-000123"
                    ))
                })?;
                let office = OfficeCode::parse(office)
                    .map_err(|e| ServiceError::Invalid(format!("application {spec:?}: {e}")))?;
                let app = self.store.find_application(&office, id).await?.ok_or_else(|| {
                    ServiceError::Invalid(format!("application {spec:?}: no such application"))
                })?;
                HoldTarget::Application(app.key)
            }
        };
        Ok(self.store.place_hold(&target, reason, &self.ctx(by)).await?)
    }

    /// Lifts a legal hold with a reason (`RunRetention`).
    pub async fn lift_hold(&self, by: &Actor, id: i64, reason: &str) -> Result<LegalHold> {
        by.authorize(Action::RunRetention, None)?;
        let reason = required_note("reason", reason)?;
        Ok(self.store.lift_hold(id, reason, &self.ctx(by)).await?)
    }

    /// Runs retention as of `as_of` under the policy in force (`RunRetention`); a dry run
    /// lists what would happen and changes nothing.
    /// `as_of` is `YYYY-MM-DD`, empty for today.
    pub async fn run_retention(
        &self,
        by: &Actor,
        as_of: &str,
        dry_run: bool,
    ) -> Result<(Date, RetentionReport)> {
        by.authorize(Action::RunRetention, None)?;
        let as_of = match as_of.trim() {
            "" => self.clock.today(),
            text => parse_date(text)
                .map_err(|e| ServiceError::Invalid(format!("as_of {text:?}: {e}")))?,
        };
        let report =
            retention::run(self.store.as_ref(), &self.policy, as_of, dry_run, &self.ctx(by))
                .await?;
        Ok((as_of, report))
    }

    /// `Ok` when the actor may ask for subject reports (the form is shown only then).
    pub fn subject_report_form(&self, by: &Actor) -> Result<()> {
        by.authorize(Action::SubjectReport, None)
    }

    /// Everything held on the person with a NIK, through the identity engine too
    /// (`SubjectReport`); the report is audited.
    pub async fn subject_report(&self, by: &Actor, nik: &str) -> Result<SubjectReport> {
        by.authorize(Action::SubjectReport, None)?;
        let nik = Nik::parse(nik.trim()).map_err(|e| ServiceError::Invalid(format!("nik: {e}")))?;
        subject::report(self.store.as_ref(), self.screening.as_deref(), &nik, &self.ctx(by)).await
    }
}

fn required_note<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    let text = checked_note(field, value)?;
    if text.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} is required")));
    }
    Ok(text)
}
