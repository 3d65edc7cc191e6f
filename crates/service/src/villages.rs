//! The village early-warning use cases (issue 14): the Desa Binaan register, PIMPASA
//! assignments, filing village reports (one at a time from a phone, or a CSV file all or
//! nothing), routing a report to the office whose work area holds the village, the office's
//! alert queue with its acknowledgement deadline and escalation, follow-up, the outreach log
//! and Timpora operations. Permissions are checked here (`authz`): a PIMPASA files and reads
//! only reports of villages assigned to them and never sees the application register; the
//! informant of a report is shown only to the reporting officer and supervisors.

use std::collections::HashMap;
use std::sync::Arc;

use jejak_domain::region::{RegionLevel, regions};
use jejak_domain::{
    ApplicationKey, Assignment, AuditAction, NewOperation, NewOutreach, NewVillage,
    NewVillageReport, Office, OfficeCode, Operation, Outreach, RegionCode, ReportStatus,
    StatusChange, Village, VillageReport,
};
use jejak_store::{ApplicationQuery, FiledReport, RoutedReport, Store};
use time::{Date, Duration, Weekday};

use crate::authz::{Action, Actor, Role};
use crate::screening::Screening;
use crate::village_index::{LinkedApplication, LinkedBy, link_one, linked_in_mirror};
use crate::{Clock, Result, ServiceError};

/// Settings of the alert queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VillageConfig {
    /// Working days (Monday to Friday) a supervisor has to acknowledge a new report before
    /// it shows as escalated to the regional analysts.
    pub ack_working_days: u32,
}

impl Default for VillageConfig {
    fn default() -> Self {
        Self { ack_working_days: 2 }
    }
}

/// `from` plus `days` working days (Saturdays and Sundays skipped).
pub fn add_working_days(from: Date, days: u32) -> Date {
    let mut day = from;
    let mut left = days;
    while left > 0 {
        day += Duration::days(1);
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    day
}

/// One line of an alert queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertItem {
    pub report: VillageReport,
    /// The day the report reached the office (the deadline counts from it).
    pub filed_on: Date,
    /// Whole days since `filed_on`: how long the report has waited in the queue.
    pub waiting_days: i64,
    /// The last day to acknowledge.
    pub due_on: Date,
    /// Not acknowledged by `due_on`: shown to the regional analysts.
    pub escalated: bool,
}

/// A designated village with its assignment history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageRow {
    pub village: Village,
    pub name: Option<String>,
    pub assignments: Vec<Assignment>,
}

/// A report as one reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    pub report: VillageReport,
    /// The informant: only for the reporting officer and supervisors/analysts.
    pub source: Option<String>,
    pub history: Vec<StatusChange>,
}

/// How many linked applications a report's page lists.
pub const LINKED_SHOWN: usize = 100;

/// Most applications read per NIK a report names (one person rarely has more than a few).
const NIK_LINKS: u32 = 1_000;

/// A report's page (see [`Villages::report_detail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDetail {
    pub view: ReportView,
    /// The linked applications shown and how many there are; `None` for a reader who may not
    /// see the register.
    pub linked: Option<(Vec<LinkedApplication>, usize)>,
    /// Timpora operations linked to the report.
    pub operations: Vec<Operation>,
    pub may_follow_up: bool,
    /// Whether the reader may record a Timpora operation for the report's office.
    pub may_manage: bool,
}

/// The village use cases over one register.
pub struct Villages {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: VillageConfig,
}

impl std::fmt::Debug for Villages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Villages").field("config", &self.config).finish_non_exhaustive()
    }
}

/// What a reader may do on the village pages (which links and forms they are shown; every
/// action is checked again when done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VillageCapabilities {
    /// File reports and keep the outreach log (PIMPASA for their villages).
    pub report: bool,
    /// The alert queue: acknowledge and follow up.
    pub follow_up: bool,
    /// Designations, assignments and Timpora operations.
    pub manage: bool,
}

impl VillageCapabilities {
    pub fn of(actor: &Actor) -> VillageCapabilities {
        VillageCapabilities {
            report: actor.may(Action::SubmitVillageReport, None),
            follow_up: actor.may(Action::FollowUpVillageReports, None),
            manage: actor.may(Action::ManageVillages, None),
        }
    }
}

/// The name of a region (province to village) from the embedded Kemendagri list.
pub fn region_name(code: &RegionCode) -> Option<String> {
    regions().get(code).map(|r| r.name.to_string())
}

/// The village's name from the embedded Kemendagri list.
pub fn village_name(code: &RegionCode) -> Option<String> {
    regions().get(code).map(|r| r.name.to_string())
}

/// The office whose work area holds `village`.
pub fn route(offices: &[Office], village: &RegionCode) -> Option<OfficeCode> {
    offices.iter().find(|o| o.serves(village)).map(|o| o.code.clone())
}

impl Villages {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: VillageConfig) -> Self {
        Self { store, clock, config }
    }

    pub fn config(&self) -> VillageConfig {
        self.config
    }

    pub(crate) fn today(&self) -> Date {
        self.clock.today()
    }

    /// Refuses a role that holds no village permission (checked before reading input).
    pub(crate) async fn check_any_village_role(&self, actor: &Actor) -> Result<()> {
        self.own_villages(actor).await.map(|_| ())
    }

    fn ctx(&self, actor: &Actor) -> jejak_store::AuditCtx {
        actor.audit_ctx(self.clock.timestamp(), None)
    }

    /// Designates a village (a known Kemendagri village code) for an office.
    pub async fn designate(&self, actor: &Actor, village: NewVillage) -> Result<Village> {
        actor.authorize(Action::ManageVillages, Some(&village.office))?;
        if village.code.level() != RegionLevel::Village || !regions().contains(&village.code) {
            return Err(ServiceError::Invalid(format!(
                "{} is not a known Kemendagri village code (such as 18.09.01.2004)",
                village.code.dotted()
            )));
        }
        let offices = self.store.list_offices().await?;
        if !offices.iter().any(|o| o.code == village.office) {
            return Err(ServiceError::Invalid(format!("unknown office {}", village.office)));
        }
        Ok(self.store.designate_village(&village, &self.ctx(actor)).await?)
    }

    /// Every Desa Binaan with its designation date, whatever office holds it: the programme
    /// evaluation compares them (and must not take a village designated by another office as
    /// a comparison). Designation dates are programme facts, not personal data; the evaluation
    /// itself checks `view_dashboard`.
    pub async fn designations(&self) -> Result<Vec<crate::stats::evaluation::Designation>> {
        Ok(self
            .store
            .villages()
            .await?
            .into_iter()
            .map(|v| crate::stats::evaluation::Designation {
                village: v.data.code,
                designated_on: v.data.designated_on,
            })
            .collect())
    }

    /// Designated villages with their assignments: every village for supervisors (own
    /// office) and analysts, only the assigned ones for a PIMPASA.
    pub async fn list(&self, actor: &Actor) -> Result<Vec<VillageRow>> {
        let mine = self.own_villages(actor).await?;
        let mut out = Vec::new();
        for village in self.store.villages().await? {
            let visible = match &mine {
                Some(codes) => codes.contains(&village.data.code),
                None => actor.may(Action::ManageVillages, Some(&village.data.office)),
            };
            if !visible {
                continue;
            }
            let assignments = self.store.assignments(Some(&village.data.code), None).await?;
            let name = village_name(&village.data.code);
            out.push(VillageRow { village, name, assignments });
        }
        Ok(out)
    }

    /// The register of designations for the page that manages it: every village of the
    /// actor's scope with its assignment history (permission `manage_villages`).
    pub async fn register_view(&self, actor: &Actor) -> Result<Vec<VillageRow>> {
        actor.authorize(Action::ManageVillages, None)?;
        self.list(actor).await
    }

    /// `Some(villages)` assigned now to a PIMPASA actor; `None` for other roles.
    async fn own_villages(&self, actor: &Actor) -> Result<Option<Vec<RegionCode>>> {
        if actor.role != Role::Pimpasa {
            if !actor.may(Action::ManageVillages, None)
                && !actor.may(Action::FollowUpVillageReports, None)
                && !actor.may(Action::SubmitVillageReport, None)
            {
                return Err(ServiceError::Forbidden(format!(
                    "{} ({}) may not see village records",
                    actor.username, actor.role
                )));
            }
            return Ok(None);
        }
        actor.authorize(Action::SubmitVillageReport, None)?;
        let today = self.clock.today();
        Ok(Some(
            self.store
                .assignments(None, Some(&actor.username))
                .await?
                .into_iter()
                .filter(|a| a.covers(today))
                .map(|a| a.village)
                .collect(),
        ))
    }

    /// Assigns a PIMPASA user to a designated village from `from_on`.
    pub async fn assign(
        &self,
        actor: &Actor,
        code: &RegionCode,
        username: &str,
        from_on: Date,
    ) -> Result<Assignment> {
        actor.authorize(Action::ManageVillages, None)?;
        let village = self.store.village(code).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("village {} is not designated", code.dotted()))
        })?;
        actor.authorize(Action::ManageVillages, Some(&village.data.office))?;
        let user = self
            .store
            .get_user(username)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("user {username}")))?;
        if Role::parse(&user.role) != Some(Role::Pimpasa) {
            return Err(ServiceError::Invalid(format!(
                "user {username} has role {}; only a pimpasa user can be assigned to a village",
                user.role
            )));
        }
        Ok(self.store.assign_pimpasa(code, username, from_on, &self.ctx(actor)).await?)
    }

    /// Ends a PIMPASA's running assignment to a village on `until_on` (kept in the history).
    pub async fn end_assignment(
        &self,
        actor: &Actor,
        code: &RegionCode,
        username: &str,
        until_on: Date,
    ) -> Result<Vec<Assignment>> {
        actor.authorize(Action::ManageVillages, None)?;
        let village = self.store.village(code).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("village {} is not designated", code.dotted()))
        })?;
        actor.authorize(Action::ManageVillages, Some(&village.data.office))?;
        let running = self.store.assignments(Some(code), Some(username)).await?;
        if let Some(a) = running.iter().find(|a| a.until_on.is_none())
            && until_on < a.from_on
        {
            return Err(ServiceError::Invalid(format!(
                "until: {} is before the assignment began ({})",
                jejak_domain::date::iso(until_on),
                jejak_domain::date::iso(a.from_on)
            )));
        }
        self.store.end_assignment(code, username, until_on, &self.ctx(actor)).await?;
        Ok(self.store.assignments(Some(code), None).await?)
    }

    /// Ends a village's designation on `ends_on`; its running assignments end that day.
    /// The designation stays in the register with both dates (the evaluation needs them).
    pub async fn end_designation(
        &self,
        actor: &Actor,
        code: &RegionCode,
        ends_on: Date,
    ) -> Result<Village> {
        actor.authorize(Action::ManageVillages, None)?;
        let village = self.store.village(code).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("village {} is not designated", code.dotted()))
        })?;
        actor.authorize(Action::ManageVillages, Some(&village.data.office))?;
        if ends_on < village.data.designated_on {
            return Err(ServiceError::Invalid(format!(
                "on: {} is before the designation date {}",
                jejak_domain::date::iso(ends_on),
                jejak_domain::date::iso(village.data.designated_on)
            )));
        }
        Ok(self.store.end_designation(code, ends_on, &self.ctx(actor)).await?)
    }

    /// Files reports in one transaction (all or nothing; a report id already stored is
    /// unchanged). Each report is routed to the office whose work area holds its village.
    /// `reported_by` is the actor. A PIMPASA may file only for villages assigned to them.
    pub async fn file(
        &self,
        actor: &Actor,
        mut reports: Vec<NewVillageReport>,
    ) -> Result<Vec<FiledReport>> {
        actor.authorize(Action::SubmitVillageReport, None)?;
        let offices = self.store.list_offices().await?;
        let mine = self.own_villages(actor).await?;
        let mut routed = Vec::with_capacity(reports.len());
        for (i, report) in reports.iter_mut().enumerate() {
            report.reported_by = actor.username.clone();
            let at = |m: String| {
                if i == 0 && routed.is_empty() {
                    m
                } else {
                    format!("report {}: {m}", report.report_id)
                }
            };
            report.validate().map_err(|e| ServiceError::Invalid(at(e.to_string())))?;
            if regions().get(&report.village).is_none() {
                return Err(ServiceError::Invalid(at(format!(
                    "village_code: {} is not a known Kemendagri village code",
                    report.village.dotted()
                ))));
            }
            if let Some(codes) = &mine
                && !codes.contains(&report.village)
            {
                return Err(ServiceError::Forbidden(format!(
                    "{} is not assigned to village {}",
                    actor.username,
                    report.village.dotted()
                )));
            }
            let office = route(&offices, &report.village).ok_or_else(|| {
                ServiceError::Invalid(at(format!(
                    "village_code: no office's work area holds village {}",
                    report.village.dotted()
                )))
            })?;
            if mine.is_none() {
                actor.authorize(Action::SubmitVillageReport, Some(&office))?;
            }
            routed.push(RoutedReport { report: report.clone(), office });
        }
        Ok(self.store.file_village_reports(&routed, &self.ctx(actor)).await?)
    }

    /// One report with what this reader may see of it.
    pub async fn report(&self, actor: &Actor, report_id: &str) -> Result<ReportView> {
        // Roles without any village permission are refused before the look-up, so an
        // unknown id tells them nothing.
        let mine = self.own_villages(actor).await?;
        let report = self
            .store
            .village_report(report_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("village report {report_id}")))?;
        let own = report.data.reported_by == actor.username;
        let supervises = actor.may(Action::FollowUpVillageReports, Some(&report.office));
        if !own && !supervises {
            match mine {
                Some(codes) if codes.contains(&report.data.village) => {}
                _ => {
                    return Err(ServiceError::Forbidden(format!(
                        "{} may not read village report {report_id}",
                        actor.username
                    )));
                }
            }
        }
        let source =
            if own || supervises { self.store.report_source(report_id).await? } else { None };
        let history = self.store.report_history(report_id).await?;
        Ok(ReportView { report, source, history })
    }

    /// The stored applications `report` links to, strongest link first, then newest
    /// application: at most `limit`, with the number found. The mirror finds them (and the
    /// register those with a NIK the report names); the ones shown are read from the register.
    async fn applications_linked(
        &self,
        screening: &Screening,
        report: &VillageReport,
        limit: usize,
    ) -> Result<(Vec<LinkedApplication>, usize)> {
        let (found, mut applied) = screening.with_mirror(|mirror, _| {
            let found = linked_in_mirror(mirror, report);
            let applied: HashMap<ApplicationKey, Date> = found
                .iter()
                .filter_map(|(k, _)| Some((*k, mirror.brief(*k)?.applied_on)))
                .collect();
            (found, applied)
        })?;
        let mut best: HashMap<ApplicationKey, LinkedBy> = found.into_iter().collect();
        for nik in report.data.persons.iter().filter_map(|p| p.nik.as_ref()) {
            let query = ApplicationQuery {
                nik: Some(nik.as_str().to_owned()),
                limit: NIK_LINKS,
                ..ApplicationQuery::default()
            };
            for app in self.store.list_applications(&query).await? {
                best.insert(app.key, LinkedBy::Person);
                applied.insert(app.key, app.data.applied_on);
            }
        }
        let mut ranked: Vec<(LinkedBy, std::cmp::Reverse<Date>, ApplicationKey)> = best
            .into_iter()
            .map(|(key, by)| {
                (by, std::cmp::Reverse(applied.get(&key).copied().unwrap_or(Date::MIN)), key)
            })
            .collect();
        ranked.sort_unstable();
        let total = ranked.len();
        let model = screening.with_mirror(|mirror, _| Arc::clone(mirror.index().model()))?;
        let normaliser = model.normaliser();
        let mut shown = Vec::new();
        for (_, _, key) in ranked.into_iter().take(limit) {
            let app = match self.store.get_application(key).await {
                Ok(app) => app,
                // Deleted by retention since the mirror's last refresh.
                Err(jejak_store::StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            let Some(alert) = link_one(report, &app.data, normaliser) else { continue };
            shown.push(LinkedApplication {
                key,
                application_id: app.data.application_id.clone(),
                office: app.data.office_code.clone(),
                full_name: app.data.full_name.clone(),
                applied_on: app.data.applied_on,
                alert,
            });
        }
        Ok((shown, total))
    }

    /// A report's page: what `report` gives, the stored applications it links to (only for
    /// readers of the register: never a PIMPASA), the Timpora operations it prompted (for
    /// those who manage villages) and whether the reader may follow it up.
    pub async fn report_detail(
        &self,
        actor: &Actor,
        screening: &Screening,
        report_id: &str,
    ) -> Result<ReportDetail> {
        let view = self.report(actor, report_id).await?;
        let linked = if actor.role != Role::Pimpasa && actor.may(Action::ViewPerson, None) {
            Some(self.applications_linked(screening, &view.report, LINKED_SHOWN).await?)
        } else {
            None
        };
        let operations = if actor.may(Action::ManageVillages, Some(&view.report.office)) {
            let mut ops = self.store.operations().await?;
            ops.retain(|o| o.data.report_ids.contains(&view.report.data.report_id));
            ops
        } else {
            Vec::new()
        };
        // Reading the informant or the applicants linked is a read of personal data: logged
        // (what was shown, never the informant's words).
        if view.source.is_some() || linked.as_ref().is_some_and(|(apps, _)| !apps.is_empty()) {
            let keys: Vec<String> = linked
                .iter()
                .flat_map(|(apps, _)| apps.iter().map(|a| a.key.0.to_string()))
                .collect();
            let details = format!(
                "report page read; informant shown: {}; linked applications shown: [{}]",
                if view.source.is_some() { "yes" } else { "no" },
                keys.join(",")
            );
            self.store
                .append_audit(
                    &self.ctx(actor),
                    AuditAction::VillageReportRead,
                    "village_report",
                    Some(report_id),
                    &details,
                )
                .await?;
        }
        let may_follow_up = actor.may(Action::FollowUpVillageReports, Some(&view.report.office));
        let may_manage = actor.may(Action::ManageVillages, Some(&view.report.office));
        Ok(ReportDetail { view, linked, operations, may_follow_up, may_manage })
    }

    /// Reports a reader may list, newest first: a PIMPASA their villages' reports, others
    /// the reports routed to offices they follow up.
    pub async fn reports(&self, actor: &Actor) -> Result<Vec<VillageReport>> {
        let mine = self.own_villages(actor).await?;
        let mut all = self.store.village_reports_since(0, None, u32::MAX).await?;
        all.retain(|r| match &mine {
            Some(codes) => codes.contains(&r.data.village),
            None => actor.may(Action::FollowUpVillageReports, Some(&r.office)),
        });
        all.sort_by(|a, b| {
            b.data.reported_on.cmp(&a.data.reported_on).then(b.change_seq.cmp(&a.change_seq))
        });
        Ok(all)
    }

    /// The alert queue: open reports routed to the actor's office (all offices for an
    /// analyst, where only escalated ones are shown unless `all` is asked), oldest first,
    /// with the acknowledgement deadline.
    pub async fn alert_queue(&self, actor: &Actor, all: bool) -> Result<Vec<AlertItem>> {
        let office = (actor.role != Role::Analis).then(|| actor.office.clone());
        actor.authorize(Action::FollowUpVillageReports, office.as_ref())?;
        let today = self.clock.today();
        let reports = self.store.village_reports_since(0, office.as_ref(), u32::MAX).await?;
        let mut out: Vec<AlertItem> = reports
            .into_iter()
            .filter(|r| r.status.is_open())
            .map(|report| {
                let filed = filed_on(&report);
                let due_on = add_working_days(filed, self.config.ack_working_days);
                let escalated = report.status == ReportStatus::New && today > due_on;
                let waiting_days = (today - filed).whole_days().max(0);
                AlertItem { report, filed_on: filed, waiting_days, due_on, escalated }
            })
            .filter(|item| all || actor.role != Role::Analis || item.escalated)
            .collect();
        out.sort_by(|a, b| {
            b.escalated.cmp(&a.escalated).then(a.report.change_seq.cmp(&b.report.change_seq))
        });
        Ok(out)
    }

    /// Refuses an actor who may not file village reports (checked before a form or request
    /// body is read, so a refused caller learns nothing from validation).
    pub fn check_filing(&self, actor: &Actor) -> Result<()> {
        actor.authorize(Action::SubmitVillageReport, None)
    }

    /// [`Villages::set_status`] with the status as a page sends it (`new`, `acknowledged`,
    /// ...), read after the permission check.
    pub async fn set_status_text(
        &self,
        actor: &Actor,
        report_id: &str,
        status: &str,
        note: Option<String>,
    ) -> Result<VillageReport> {
        actor.authorize(Action::FollowUpVillageReports, None)?;
        let status = ReportStatus::parse(status)
            .ok_or_else(|| ServiceError::Invalid(format!("status: unknown status {status:?}")))?;
        self.set_status(actor, report_id, status, note).await
    }

    /// Moves a report to a follow-up status with a note.
    pub async fn set_status(
        &self,
        actor: &Actor,
        report_id: &str,
        status: ReportStatus,
        note: Option<String>,
    ) -> Result<VillageReport> {
        let report = self
            .store
            .village_report(report_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("village report {report_id}")))?;
        actor.authorize(Action::FollowUpVillageReports, Some(&report.office))?;
        if status == ReportStatus::New {
            return Err(ServiceError::Invalid("a report cannot be set back to new".into()));
        }
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if matches!(
            status,
            ReportStatus::Confirmed | ReportStatus::Unfounded | ReportStatus::Closed
        ) && note.is_none()
        {
            return Err(ServiceError::Invalid(format!(
                "note: setting a report to {} needs a note",
                status.as_str()
            )));
        }
        let change = StatusChange {
            report_id: report_id.to_owned(),
            status,
            note,
            by: actor.username.clone(),
            at: self.clock.timestamp(),
        };
        Ok(self.store.set_report_status(&change, &self.ctx(actor)).await?)
    }

    /// Records an outreach session (a PIMPASA for their villages).
    pub async fn record_outreach(&self, actor: &Actor, mut o: NewOutreach) -> Result<Outreach> {
        self.check_village_access(actor, &o.village).await?;
        if o.kind.trim().is_empty() {
            return Err(ServiceError::Invalid("kind: is required".into()));
        }
        o.recorded_by = actor.username.clone();
        Ok(self.store.record_outreach(&o, &self.ctx(actor)).await?)
    }

    /// Outreach sessions the actor may see, newest first.
    pub async fn outreach(&self, actor: &Actor) -> Result<Vec<Outreach>> {
        let mine = self.own_villages(actor).await?;
        let offices = self.store.list_offices().await?;
        let mut all = self.store.outreach(None).await?;
        all.retain(|o| match &mine {
            Some(codes) => codes.contains(&o.data.village),
            None => route(&offices, &o.data.village)
                .is_some_and(|office| actor.may(Action::ManageVillages, Some(&office))),
        });
        Ok(all)
    }

    async fn check_village_access(&self, actor: &Actor, village: &RegionCode) -> Result<()> {
        match self.own_villages(actor).await? {
            Some(codes) if codes.contains(village) => Ok(()),
            Some(_) => Err(ServiceError::Forbidden(format!(
                "{} is not assigned to village {}",
                actor.username,
                village.dotted()
            ))),
            None => {
                let offices = self.store.list_offices().await?;
                let office = route(&offices, village);
                actor.authorize(Action::ManageVillages, office.as_ref())
            }
        }
    }

    /// Records a Timpora operation with its findings, linked to the reports that prompted it.
    pub async fn record_operation(&self, actor: &Actor, mut op: NewOperation) -> Result<Operation> {
        actor.authorize(Action::ManageVillages, Some(&op.lead_office))?;
        op.recorded_by = actor.username.clone();
        Ok(self.store.record_operation(&op, &self.ctx(actor)).await?)
    }

    /// Timpora operations, newest first.
    pub async fn operations(&self, actor: &Actor) -> Result<Vec<Operation>> {
        actor.authorize(Action::ManageVillages, None)?;
        let mut ops = self.store.operations().await?;
        ops.retain(|o| actor.may(Action::ManageVillages, Some(&o.data.lead_office)));
        Ok(ops)
    }
}

/// The day a report was filed (its `filed_at` timestamp), or its report date.
pub fn filed_on(report: &VillageReport) -> Date {
    report
        .filed_at
        .get(..10)
        .and_then(|d| jejak_domain::date::parse_date(d).ok())
        .unwrap_or(report.data.reported_on)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use jejak_domain::date::ymd;

    use super::*;

    #[test]
    fn working_days_skip_weekends() {
        // Thursday 2 October 2025 + 2 working days = Monday 6 October.
        assert_eq!(add_working_days(ymd(2025, 10, 2).unwrap(), 2), ymd(2025, 10, 6).unwrap());
        assert_eq!(add_working_days(ymd(2025, 10, 6).unwrap(), 2), ymd(2025, 10, 8).unwrap());
        assert_eq!(add_working_days(ymd(2025, 10, 4).unwrap(), 1), ymd(2025, 10, 6).unwrap());
    }

    #[test]
    fn reports_are_routed_by_work_area() {
        let offices = Office::lampung_pilot();
        let way_layap = RegionCode::parse("18.09.01.2004").unwrap();
        let routed = route(&offices, &way_layap).unwrap();
        assert!(offices.iter().find(|o| o.code == routed).unwrap().serves(&way_layap));
        assert_eq!(route(&offices, &RegionCode::parse("31.71.01.1001").unwrap()), None);
    }
}
