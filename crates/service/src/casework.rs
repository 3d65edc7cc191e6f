//! Casework: what an officer does with an application, with every permission checked here (so
//! the pages, the JSON API and the CLI share one gate). Register, examine (screening across
//! offices + risk assessment), decide, and the supervisor review of overrides.

use std::sync::{Arc, RwLock};

use jejak_domain::{
    Application, ApplicationKey, AuditAction, Decision, DecisionKind, IdentifierField,
    NewApplication, NewDecision, NewReviewRequest, OfficeCode, Outcome, ReviewRequest, Verdict,
};
use jejak_rules::{CheckStatus, RuleSet};
use jejak_store::{ApplicationQuery, AuditAppend, ReviewResolution, Store};
use time::Date;

use crate::assess::{AssessmentReport, Assessor};
use crate::audit_batch::AuditBatcher;
use crate::authz::{Action, Actor, Role};
use crate::screening::Screening;
use crate::{Clock, Result, ServiceError};

/// Most applications a work queue shows (the oldest pending beyond it wait their turn).
pub const QUEUE_LIMIT: u32 = 50;

/// An officer's decision, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub kind: DecisionKind,
    pub reason_codes: Vec<String>,
    pub reason_text: Option<String>,
    pub deferral_until: Option<Date>,
    /// The application version the officer saw (optimistic concurrency).
    pub expected_version: i64,
}

/// What became of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionOutcome {
    Recorded(Decision),
    /// Needs a supervisor: a review request was stored instead.
    AwaitingReview(ReviewRequest),
}

/// Everything the officer sees when examining one application.
#[derive(Debug, Clone)]
pub struct Examination {
    pub application: Application,
    pub decisions: Vec<Decision>,
    pub reviews: Vec<ReviewRequest>,
    /// Candidates across offices, facts and the advisory assessment.
    pub report: AssessmentReport,
    /// Why issuing would need a supervisor (`None`: the officer may issue).
    pub issue_needs_review: Option<String>,
    /// Whether the candidates' evidence is masked (the application is another office's).
    pub masked: bool,
    /// What the examining actor may do with the application.
    pub allowed: crate::authz::ApplicationActions,
}

/// One line of a work queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub application: Application,
    pub band: jejak_rules::Band,
    pub flagged: bool,
    /// Earlier applications of the same person (review or auto-link), any office.
    pub matches: usize,
    /// A protected person's application: `application` holds only its number, office, date
    /// and outcome.
    pub protected: bool,
}

/// An office's work queue.
#[derive(Debug, Clone, Default)]
pub struct Queue {
    pub pending: Vec<QueueItem>,
    pub awaiting_review: Vec<ReviewRequest>,
}

/// The casework use cases over one register.
pub struct Casework {
    store: Arc<dyn Store>,
    screening: Arc<Screening>,
    rules: RwLock<Arc<RuleSet>>,
    clock: Arc<dyn Clock>,
    /// Group commit for the audit events of screenings.
    audit: AuditBatcher,
    /// What a read of personal data may be for, and the per-user read limits.
    reads: RwLock<(crate::security::Purposes, crate::security::ReadLimits)>,
    /// The fields each partner agency receives in a referral (`[referrals.fields]`).
    referral_fields: RwLock<Arc<crate::referrals::ReferralFields>>,
}

impl std::fmt::Debug for Casework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Casework").finish_non_exhaustive()
    }
}

impl Casework {
    pub fn new(
        store: Arc<dyn Store>,
        screening: Arc<Screening>,
        rules: Arc<RuleSet>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let audit = AuditBatcher::new(store.clone());
        Self {
            store,
            screening,
            rules: RwLock::new(rules),
            clock,
            audit,
            reads: RwLock::default(),
            referral_fields: RwLock::default(),
        }
    }

    /// Sets the purposes a read may be stated for and the per-user read limits.
    pub fn configure_reads(
        &self,
        purposes: crate::security::Purposes,
        limits: crate::security::ReadLimits,
    ) -> Result<()> {
        *self
            .reads
            .write()
            .map_err(|_| ServiceError::Internal("read settings lock poisoned".into()))? =
            (purposes, limits);
        Ok(())
    }

    /// Sets the fields each partner agency receives in a referral made from now on.
    pub fn configure_referrals(&self, fields: crate::referrals::ReferralFields) -> Result<()> {
        *self
            .referral_fields
            .write()
            .map_err(|_| ServiceError::Internal("referral settings lock poisoned".into()))? =
            Arc::new(fields);
        Ok(())
    }

    /// The fields each partner agency receives in a referral (the form shows them; a new
    /// referral shares them or a subset).
    pub fn referral_fields(&self) -> Result<Arc<crate::referrals::ReferralFields>> {
        self.referral_fields
            .read()
            .map(|f| f.clone())
            .map_err(|_| ServiceError::Internal("referral settings lock poisoned".into()))
    }

    /// The purposes a read of personal data may be stated for.
    pub fn purposes(&self) -> Result<crate::security::Purposes> {
        self.reads
            .read()
            .map(|r| r.0.clone())
            .map_err(|_| ServiceError::Internal("read settings lock poisoned".into()))
    }

    /// The stated purpose as recorded (`choice: detail`), checked against the list.
    fn checked_purpose(&self, purpose: &crate::security::StatedPurpose) -> Result<String> {
        self.purposes()?.check(purpose)
    }

    /// Counts a read of personal data by `actor` (bulk-read audit, per-user limit).
    async fn note_read(&self, actor: &Actor) -> Result<()> {
        let limits = self
            .reads
            .read()
            .map(|r| r.1)
            .map_err(|_| ServiceError::Internal("read settings lock poisoned".into()))?;
        crate::security::note_read(self.store.as_ref(), self.clock.as_ref(), limits, actor).await
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn screening(&self) -> &Arc<Screening> {
        &self.screening
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The rule set assessments use now.
    pub fn rules(&self) -> Result<Arc<RuleSet>> {
        self.rules
            .read()
            .map(|r| r.clone())
            .map_err(|_| ServiceError::Internal("rule set lock poisoned".into()))
    }

    /// Switches the rule set (after activation of another version).
    pub fn set_rules(&self, rules: Arc<RuleSet>) -> Result<()> {
        *self
            .rules
            .write()
            .map_err(|_| ServiceError::Internal("rule set lock poisoned".into()))? = rules;
        Ok(())
    }

    fn assessor(&self) -> Result<Assessor> {
        Ok(Assessor::new(self.rules()?, Some(self.screening.clone()), Vec::new()))
    }

    fn ctx(&self, actor: &Actor, purpose: Option<String>) -> jejak_store::AuditCtx {
        actor.audit_ctx(self.clock.timestamp(), purpose)
    }

    /// The pending applications of `office` (newest first, assessed) and the review requests
    /// waiting there.
    pub async fn queue(&self, actor: &Actor, office: &OfficeCode) -> Result<Queue> {
        actor.authorize(Action::ViewQueue, Some(office))?;
        let query = ApplicationQuery {
            office: Some(office.clone()),
            outcome: Some(Outcome::Pending),
            limit: QUEUE_LIMIT,
            ..ApplicationQuery::default()
        };
        let apps = self.store.list_applications(&query).await?;
        let assessor = self.assessor()?;
        let mut pending = Vec::with_capacity(apps.len());
        for application in apps {
            let report = assessor.assess(&application.data)?;
            let matches =
                report.candidates.iter().filter(|c| crate::facts::counts_as_match(c)).count();
            pending.push(QueueItem {
                band: report.assessment.band,
                flagged: report.assessment.flagged,
                matches,
                application,
                protected: false,
            });
        }
        // A protected person's application shows only that it exists (issue 15).
        let keys: Vec<ApplicationKey> = pending.iter().map(|i| i.application.key).collect();
        let protected = self.protected_among(&keys).await?;
        for item in pending.iter_mut().filter(|i| protected.contains(&i.application.key)) {
            item.application.data = crate::referrals::masked(&item.application.data);
            item.protected = true;
        }
        let awaiting_review = if actor.may(Action::ReviewOverride, Some(office)) {
            self.store.pending_reviews(Some(office)).await?
        } else {
            Vec::new()
        };
        Ok(Queue { pending, awaiting_review })
    }

    /// Registers an application typed in by an officer of its office; it is in the match
    /// index when this returns.
    pub async fn register(&self, actor: &Actor, app: &NewApplication) -> Result<Application> {
        actor.authorize(Action::RegisterApplication, Some(&app.office_code))?;
        if app.outcome != Outcome::Pending {
            return Err(ServiceError::Invalid(
                "a new application starts pending; record the decision after screening".into(),
            ));
        }
        // At the desk the officer holds the KTP: an identifier that is not valid is a typing
        // error to correct, not evidence to keep (only imported files keep such values).
        if let Some(field) = IdentifierField::ALL.into_iter().find(|f| !app.is_valid(*f)) {
            return Err(ServiceError::Invalid(format!(
                "{}: the value is not valid; correct it from the document",
                field.column()
            )));
        }
        let stored = self.store.insert_application(app, &self.ctx(actor, None)).await?;
        self.screening.refresh().await?;
        Ok(stored)
    }

    /// Opens one application of the actor's own office for examination (`examine_for`
    /// without a stated purpose).
    pub async fn examine(&self, actor: &Actor, key: ApplicationKey) -> Result<Examination> {
        self.examine_for(actor, key, None).await
    }

    /// Whether examining `key` needs a stated purpose first, and why: a protected person's
    /// record (for those who may open one) or another office's application.
    pub async fn examination_needs_purpose(
        &self,
        actor: &Actor,
        key: ApplicationKey,
    ) -> Result<PurposeNeeded> {
        actor.authorize(Action::ViewPerson, None)?;
        let application = self.store.get_application(key).await?;
        if actor.may(Action::ViewProtectedPerson, None)
            && !self.protected_among(&[key]).await?.is_empty()
        {
            return Ok(PurposeNeeded::Protected);
        }
        Ok(if application.data.office_code != actor.office {
            PurposeNeeded::OtherOffice
        } else {
            PurposeNeeded::No
        })
    }

    /// Opens one application for examination: screening across offices, assessment, history.
    /// A read of personal data, logged with its purpose: examining the actor's own office's
    /// application, or for another office's the purpose the actor states (required). The
    /// candidates' evidence is masked unless the application is the actor's office's, and a
    /// protected person's record needs `view_protected_person` and a stated purpose.
    pub async fn examine_for(
        &self,
        actor: &Actor,
        key: ApplicationKey,
        purpose: Option<&crate::security::StatedPurpose>,
    ) -> Result<Examination> {
        actor.authorize(Action::ViewPerson, None)?;
        let application = self.store.get_application(key).await?;
        let own = application.data.office_code == actor.office;
        let stated = purpose.map(|p| self.checked_purpose(p)).transpose()?;
        self.check_protected_read(
            actor,
            &[key],
            stated.as_deref(),
            "application",
            &key.to_string(),
        )
        .await?;
        let purpose = match stated {
            Some(stated) => stated,
            None if own => format!("memeriksa permohonan {}", application.data.application_id),
            None => {
                return Err(ServiceError::Invalid(format!(
                    "purpose: application {} is {}'s: state the purpose of the read",
                    application.data.application_id, application.data.office_code
                )));
            }
        };
        self.note_read(actor).await?;
        self.store
            .append_audit(
                &self.ctx(actor, Some(purpose)),
                AuditAction::PersonalDataRead,
                "application",
                Some(&key.to_string()),
                "examine",
            )
            .await?;
        let mut report = self.assessor()?.assess(&application.data)?;
        if !own {
            crate::security::mask_candidates(&mut report.candidates);
        }
        self.mask_candidates(actor, &mut report).await?;
        let decisions = self.store.decisions_of(key).await?;
        let reviews = self.store.reviews_of(key).await?;
        let issue_needs_review = review_grounds(&report);
        let allowed = crate::authz::ApplicationActions::of(actor, &application.data);
        Ok(Examination {
            application,
            decisions,
            reviews,
            report,
            issue_needs_review,
            masked: !own,
            allowed,
        })
    }

    /// Records a decision, or stores a review request when issuing needs a supervisor
    /// (a high band or a failed hard check) and the actor is not one.
    pub async fn decide(
        &self,
        actor: &Actor,
        key: ApplicationKey,
        input: &DecisionInput,
    ) -> Result<DecisionOutcome> {
        let application = self.store.get_application(key).await?;
        actor.authorize(Action::RecordDecision, Some(&application.data.office_code))?;
        // A protected person's case is decided by someone who may open the record.
        if !actor.may(Action::ViewProtectedPerson, None)
            && !self.protected_among(&[key]).await?.is_empty()
        {
            return Err(ServiceError::Forbidden(format!(
                "{}: a supervisor decides this application",
                crate::referrals::PROTECTED_LABEL
            )));
        }
        let decision = NewDecision {
            application: key,
            kind: input.kind,
            decided_on: self.clock.today(),
            deferral_until: input.deferral_until,
            reason_codes: input.reason_codes.clone(),
            reason_text: input.reason_text.clone().filter(|t| !t.trim().is_empty()),
            officer: Some(actor.username.clone()),
        };
        decision.validate().map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let ctx = self.ctx(actor, None);
        // The assessment the decision is taken on is recorded with it (monitoring counts
        // risk bands and rules fired from recorded assessments).
        let report = self.assessor()?.assess(&application.data)?;
        if input.kind == DecisionKind::Issued
            && let Some(grounds) = review_grounds(&report)
        {
            if actor.role != Role::Supervisor {
                let request = NewReviewRequest {
                    proposed: decision,
                    expected_version: input.expected_version,
                    grounds,
                    requested_by: actor.username.clone(),
                };
                let stored = self.store.request_review(&request, &ctx).await?;
                crate::rulesets::record_report(self.store.as_ref(), &application, &report, &ctx)
                    .await?;
                return Ok(DecisionOutcome::AwaitingReview(stored));
            }
            if decision.reason_text.is_none() {
                return Err(ServiceError::Invalid(format!(
                    "issuing despite {grounds} needs a written reason"
                )));
            }
        }
        let recorded = self.store.record_decision(&decision, input.expected_version, &ctx).await?;
        crate::rulesets::record_report(self.store.as_ref(), &application, &report, &ctx).await?;
        Ok(DecisionOutcome::Recorded(recorded))
    }

    /// Review requests waiting at the supervisor's office, with their applications.
    pub async fn pending_reviews(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(ReviewRequest, Application)>> {
        actor.authorize(Action::ReviewOverride, Some(&actor.office))?;
        let requests = self.store.pending_reviews(Some(&actor.office)).await?;
        let keys: Vec<ApplicationKey> = requests.iter().map(|r| r.application()).collect();
        let protected = self.protected_among(&keys).await?;
        let mut out = Vec::with_capacity(requests.len());
        for request in requests {
            let mut app = self.store.get_application(request.application()).await?;
            // A routine list: a protected person's application shows only that it exists.
            if protected.contains(&app.key) {
                app.data = crate::referrals::masked(&app.data);
            }
            out.push((request, app));
        }
        Ok(out)
    }

    /// Approves (the proposed decision is recorded) or refuses a review request. Never by the
    /// officer who asked (four-eyes).
    pub async fn resolve_review(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        note: Option<String>,
    ) -> Result<ReviewRequest> {
        let request = self.store.get_review(id).await?;
        let app = self.store.get_application(request.application()).await?;
        actor.authorize(Action::ReviewOverride, Some(&app.data.office_code))?;
        if request.data.requested_by == actor.username {
            return Err(ServiceError::Forbidden(
                "a review request is resolved by another supervisor than the one who asked".into(),
            ));
        }
        let note = match note {
            Some(note) => Some(crate::text::checked_note("note", &note)?.to_owned()),
            None => None,
        }
        .filter(|n| !n.is_empty());
        if !approve && note.is_none() {
            return Err(ServiceError::Invalid("refusing an override needs a note".into()));
        }
        let resolution = ReviewResolution {
            approve,
            reviewer: actor.username.clone(),
            note,
            at: self.clock.timestamp(),
        };
        let resolved = self.store.resolve_review(id, &resolution, &self.ctx(actor, None)).await?;
        if approve {
            self.screening.refresh().await?;
        }
        Ok(resolved)
    }
}

/// Whether an examination needs a stated purpose first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurposeNeeded {
    /// The actor's own office's application, not protected.
    No,
    /// Another office's application.
    OtherOffice,
    /// A protected person's record (asked of those who may open one).
    Protected,
}

/// Why issuing on this assessment needs a supervisor, in Indonesian (`None`: it does not).
pub fn review_grounds(report: &AssessmentReport) -> Option<String> {
    let mut grounds = Vec::new();
    if report.assessment.band == jejak_rules::Band::High {
        grounds.push(format!("band risiko tinggi (skor {})", report.assessment.score));
    }
    let failed: Vec<&str> = report
        .assessment
        .hard_checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .map(|c| &*c.id)
        .collect();
    if !failed.is_empty() {
        grounds.push(format!("pemeriksaan wajib gagal: {}", failed.join(", ")));
    }
    (!grounds.is_empty()).then(|| grounds.join("; "))
}

impl Casework {
    /// Imports files for the actor's office (checked first; `dry_run` writes nothing). A row
    /// of another office is refused unless the actor may import for every office.
    pub async fn import(
        &self,
        actor: &Actor,
        files: &[crate::import::InputFile],
        dry_run: bool,
    ) -> Result<crate::import::ImportReport> {
        actor.authorize(Action::ImportApplications, Some(&actor.office))?;
        let ctx = self.ctx(actor, None);
        let check = crate::import::ImportOptions { dry_run: true, ..Default::default() };
        let report = crate::import::import_files(self.store.as_ref(), files, &check, &ctx).await?;
        for file in &report.files {
            if let Some(row) = file
                .rows
                .iter()
                .find(|r| !actor.may(Action::ImportApplications, Some(&r.application.office_code)))
            {
                return Err(ServiceError::Forbidden(format!(
                    "{}: row {}: office {} is not yours ({})",
                    file.file, row.row, row.application.office_code, actor.office
                )));
            }
        }
        if dry_run || report.error_count() > 0 {
            return Ok(report);
        }
        let write = crate::import::ImportOptions::default();
        let report = crate::import::import_files(self.store.as_ref(), files, &write, &ctx).await?;
        self.screening.refresh().await?;
        Ok(report)
    }
}

impl Casework {
    /// Screens and assesses an application without storing it (partner systems, the
    /// benchmark). Candidates are personal data: the read is logged, and the report is
    /// returned only once the audit event is committed (with the other screenings' events
    /// gathered meanwhile, see [`AuditBatcher`]).
    pub async fn screen(
        &self,
        actor: &Actor,
        app: &NewApplication,
        purpose: &crate::security::StatedPurpose,
    ) -> Result<AssessmentReport> {
        actor.authorize(Action::ScreenApplication, Some(&app.office_code))?;
        let purpose = self.checked_purpose(purpose)?;
        // Screenings are not counted as reads here: partner systems screen in bulk by
        // design, limited per token by the web layer; their audit events are batched.
        let mut report = self.assessor()?.assess(app)?;
        // Not an examination of a stored application of the caller's office: the other
        // applications' identifiers are shown as search shows them.
        crate::security::mask_candidates(&mut report.candidates);
        self.mask_candidates(actor, &mut report).await?;
        self.audit
            .append(AuditAppend {
                ctx: self.ctx(actor, Some(purpose)),
                action: AuditAction::PersonalDataRead,
                entity: "screening".into(),
                entity_id: None,
                details: format!(
                    "screening {}: {} candidates",
                    app.application_id,
                    report.candidates.len()
                ),
            })
            .await?;
        Ok(report)
    }
}

impl Casework {
    /// An officer's verdict on a candidate pair: `examined` is the application being
    /// examined (at the officer's office), `other` the candidate. A reason is required.
    pub async fn match_verdict(
        &self,
        actor: &Actor,
        examined: ApplicationKey,
        other: ApplicationKey,
        verdict: Verdict,
        reason: &str,
    ) -> Result<jejak_domain::MatchDecision> {
        let app = self.store.get_application(examined).await?;
        actor.authorize(Action::ConfirmMatch, Some(&app.data.office_code))?;
        let reason = crate::text::checked_note("reason", reason)?;
        if examined == other {
            return Err(ServiceError::Invalid(
                "an application cannot be matched with itself".into(),
            ));
        }
        // The candidate is usually at another office (that is the point of the register), so
        // its office cannot be the check: only a pair the screening shows the officer for the
        // application examined may be judged, so no one merges two unrelated persons by naming
        // any key.
        let shown = self.screening.with_mirror(|mirror, _| {
            mirror.screen_shown(&app.data, crate::mirror::SCREEN_LIMIT, None)
        })??;
        if !shown.iter().any(|candidate| candidate.key == other) {
            return Err(ServiceError::Forbidden(format!(
                "application {other} is not a candidate shown for application {}: only a pair \
                 the screening shows can be confirmed or rejected",
                app.data.application_id
            )));
        }
        // A verdict moves applications between persons: a protected person's record is
        // judged only by those who may open it, not by someone who sees it masked.
        if !actor.may(Action::ViewProtectedPerson, None)
            && !self.protected_among(&[examined, other]).await?.is_empty()
        {
            return Err(ServiceError::Forbidden(format!(
                "{}: only a supervisor may confirm or reject a match with a protected record",
                crate::referrals::PROTECTED_LABEL
            )));
        }
        let ctx =
            self.ctx(actor, Some(format!("memeriksa permohonan {}", app.data.application_id)));
        match verdict {
            Verdict::Confirm => self.screening.confirm_match(examined, other, reason, &ctx).await,
            Verdict::Reject => self.screening.reject_match(examined, other, reason, &ctx).await,
        }
    }

    /// A person's full record across offices. Opening it needs a purpose (UU PDP), which is
    /// logged with the read.
    pub async fn person(
        &self,
        actor: &Actor,
        person_id: &str,
        purpose: &crate::security::StatedPurpose,
    ) -> Result<crate::persons::Person> {
        actor.authorize(Action::ViewPerson, None)?;
        let purpose = self.checked_purpose(purpose)?;
        let person = crate::persons::parse_person_id(person_id)?;
        let members = self.screening.with_mirror(|mirror, _| {
            mirror.person_members(person).map(<[ApplicationKey]>::to_vec)
        })?;
        let members = members.unwrap_or_else(|| vec![person.first_application()]);
        let id_text = person.to_string();
        self.check_protected_read(actor, &members, Some(&purpose), "person", &id_text).await?;
        self.note_read(actor).await?;
        self.screening.person(person, &self.ctx(actor, Some(purpose))).await
    }

    /// Rectifies a wrong merge (supervisors of the office of every application split off).
    pub async fn split_person(
        &self,
        actor: &Actor,
        person_id: &str,
        keys: &[ApplicationKey],
        reason: &str,
    ) -> Result<crate::persons::SplitOutcome> {
        for key in keys {
            let app = self.store.get_application(*key).await?;
            actor.authorize(Action::SplitPerson, Some(&app.data.office_code))?;
        }
        if keys.is_empty() {
            return Err(ServiceError::Invalid("choose the applications to split off".into()));
        }
        let reason = crate::text::checked_note("reason", reason)?;
        let person = crate::persons::parse_person_id(person_id)?;
        let ctx = self.ctx(actor, Some(format!("koreksi penggabungan {person}")));
        self.screening.split_person(person, keys, reason, &ctx).await
    }
}

impl Casework {
    /// Stores uploaded rule files as a draft; the uploader must be the author named in the
    /// files' header (the four-eyes check at publication compares against it).
    pub async fn draft_rules(
        &self,
        actor: &Actor,
        sources: &[jejak_rules::Source],
    ) -> Result<jejak_store::StoredRuleSet> {
        actor.authorize(Action::DraftRules, None)?;
        let set = crate::rulesets::load_sources(sources)?;
        let author = crate::auth::username_key(&set.info().author);
        if author.as_deref() != crate::auth::username_key(&actor.username).as_deref() {
            return Err(ServiceError::Invalid(format!(
                "the rule set names {} as its author: upload it as that user, or change `author` to {}",
                set.info().author,
                actor.username
            )));
        }
        crate::rulesets::draft(self.store.as_ref(), sources, &self.ctx(actor, None)).await
    }

    /// Publishes a draft (never by its author).
    pub async fn publish_rules(
        &self,
        actor: &Actor,
        version: &str,
    ) -> Result<jejak_store::StoredRuleSet> {
        actor.authorize(Action::PublishRules, None)?;
        crate::rulesets::publish(self.store.as_ref(), version, &self.ctx(actor, None)).await
    }

    /// Activates a published version; assessments of this server use it at once (other
    /// servers at their next start).
    pub async fn activate_rules(
        &self,
        actor: &Actor,
        version: &str,
    ) -> Result<jejak_store::StoredRuleSet> {
        actor.authorize(Action::ActivateRules, None)?;
        let stored =
            crate::rulesets::activate(self.store.as_ref(), version, &self.ctx(actor, None)).await?;
        if let Some(active) = crate::rulesets::active(self.store.as_ref()).await? {
            self.set_rules(active.rules)?;
        }
        Ok(stored)
    }

    /// Every rule-set version in the register.
    pub async fn rule_sets(&self, actor: &Actor) -> Result<Vec<jejak_store::StoredRuleSet>> {
        actor.authorize(Action::ViewRules, None)?;
        crate::rulesets::list(self.store.as_ref()).await
    }

    /// Replays the register's history under a stored version, against the rule set in force.
    pub async fn backtest_rules(
        &self,
        actor: &Actor,
        version: &str,
    ) -> Result<jejak_rules::backtest::BacktestReport> {
        actor.authorize(Action::RunBacktest, None)?;
        let stored = self
            .store
            .rule_set(version)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("rule set {version}")))?;
        let candidate = crate::rulesets::load_stored(&stored)?;
        let baseline = self.rules()?;
        let model = std::sync::Arc::new(
            jejak_matching::Model::interchange()
                .map_err(|e| ServiceError::Internal(format!("identity model: {e}")))?,
        );
        crate::backtest::backtest_store(
            self.store.as_ref(),
            model,
            &candidate,
            Some(&baseline),
            jejak_rules::backtest::BacktestOptions::default(),
        )
        .await
    }
}
