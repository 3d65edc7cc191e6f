//! Rule sets in the register: a draft from uploaded files (validated, so a broken rule file is
//! never stored), publication by a second user (four-eyes), activation, the active rule set
//! loaded and ready, and assessments recorded with the version that produced them.
//!
//! The register is the authority on a version's lifecycle: its stored files keep the header
//! they were uploaded with, and loading rewrites the header's lifecycle fields from the
//! register before checking that the content still has the stored digest.

use std::sync::Arc;

use jejak_domain::Application;
use jejak_domain::date::parse_date;
use jejak_rules::{CheckStatus, RuleSet, RuleSetInfo, Source, Status, catalogue, lifecycle};
use jejak_store::{
    AuditCtx, FiredRule, NewAssessment, NewRuleSet, RuleFile, RuleSetError, RuleSetStatus, Store,
    StoredAssessment, StoredRuleSet,
};
use time::Date;

use crate::assess::{AssessmentReport, Assessor};
use crate::{Result, ServiceError};

impl From<RuleSetError> for ServiceError {
    fn from(e: RuleSetError) -> Self {
        match e {
            RuleSetError::NotFound(_) => ServiceError::NotFound(e.to_string()),
            RuleSetError::SameUser { .. } => ServiceError::Forbidden(e.to_string()),
            RuleSetError::MissingUser => ServiceError::Invalid(e.to_string()),
            RuleSetError::Store(inner) => inner.into(),
            other => ServiceError::Conflict(other.to_string()),
        }
    }
}

/// A rule set ready to assess with, and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedRuleSet {
    pub rules: Arc<RuleSet>,
    /// The register's version, or `None` for the built-in catalogue.
    pub stored: Option<StoredRuleSet>,
}

impl LoadedRuleSet {
    /// Where the rules come from, for messages: "the register's active rule set 7" or "the
    /// built-in catalogue 2026.1".
    pub fn origin(&self) -> String {
        match &self.stored {
            Some(s) => format!("the register's active rule set {} {}", s.name, s.version),
            None => format!(
                "the built-in catalogue {} {} (no rule set is active in the register)",
                self.rules.info().name,
                self.rules.info().version
            ),
        }
    }
}

/// Loads rule files, turning every problem into one error naming file, line and rule.
pub fn load_sources(sources: &[Source]) -> Result<RuleSet> {
    RuleSet::load(sources).map_err(|d| ServiceError::Invalid(d.to_string().trim_end().to_owned()))
}

/// Stores uploaded rule files as a draft version. The files must load without error; the
/// header's `author` is recorded as the author (the four-eyes check compares against it).
pub async fn draft(store: &dyn Store, sources: &[Source], ctx: &AuditCtx) -> Result<StoredRuleSet> {
    let set = load_sources(sources)?;
    let info = set.info();
    // The four-eyes check at publication compares the author with the publisher: the author
    // must be a real user, named as usernames are compared (ASCII, case-insensitive).
    let known = match crate::auth::username_key(&info.author) {
        Some(key) => store.get_user(&key).await?.is_some(),
        None => false,
    };
    if !known {
        return Err(ServiceError::Invalid(format!(
            "the rule set's author {:?} is not a user of this register: `author` must be the \
             username of the analyst who wrote it",
            info.author
        )));
    }
    let new = NewRuleSet {
        name: info.name.clone(),
        version: info.version.clone(),
        digest: set.reference().digest.clone(),
        author: info.author.clone(),
        files: sources
            .iter()
            .map(|s| RuleFile { path: s.name.clone(), text: s.text.clone() })
            .collect(),
    };
    match store.save_rule_set_draft(&new, ctx).await {
        Ok(stored) => Ok(stored),
        Err(RuleSetError::VersionTaken { version, status, same_content: false }) => {
            Err(ServiceError::Conflict(format!(
                "rule set version {version} is already in the register ({status}) with other content: give the changed rule set a new version label"
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// Stores uploaded files as a draft if that version is not in the register yet (the same
/// content already stored is reused), then publishes it by `ctx.actor`.
pub async fn draft_and_publish(
    store: &dyn Store,
    sources: &[Source],
    ctx: &AuditCtx,
) -> Result<StoredRuleSet> {
    let set = load_sources(sources)?;
    let version = set.info().version.clone();
    match store.rule_set(&version).await? {
        Some(existing) if existing.digest != set.reference().digest => {
            return Err(ServiceError::Conflict(format!(
                "rule set version {version} is already in the register ({}) with other content: give the changed rule set a new version label",
                existing.status
            )));
        }
        Some(_) => {}
        None => {
            draft(store, sources, ctx).await?;
        }
    }
    publish(store, &version, ctx).await
}

/// Publishes a stored draft; `ctx.actor` must not be its author.
pub async fn publish(store: &dyn Store, version: &str, ctx: &AuditCtx) -> Result<StoredRuleSet> {
    Ok(store.publish_rule_set(version, ctx).await?)
}

/// Activates a published version (the active one is retired). The stored files are loaded
/// first: a version that no longer loads to its digest is never activated.
pub async fn activate(store: &dyn Store, version: &str, ctx: &AuditCtx) -> Result<StoredRuleSet> {
    let stored = store
        .rule_set(version)
        .await?
        .ok_or_else(|| ServiceError::from(RuleSetError::NotFound(version.to_owned())))?;
    load_stored(&stored)?;
    Ok(store.activate_rule_set(version, ctx).await?)
}

/// Every version in the register, oldest first.
pub async fn list(store: &dyn Store) -> Result<Vec<StoredRuleSet>> {
    Ok(store.list_rule_sets().await?)
}

/// The register's active rule set, loaded and ready, if one is active.
pub async fn active(store: &dyn Store) -> Result<Option<LoadedRuleSet>> {
    let Some(stored) = store.active_rule_set().await? else { return Ok(None) };
    let rules = Arc::new(load_stored(&stored)?);
    Ok(Some(LoadedRuleSet { rules, stored: Some(stored) }))
}

/// The register's active rule set, or the built-in catalogue when none is active.
pub async fn active_or_default(store: &dyn Store) -> Result<LoadedRuleSet> {
    match active(store).await? {
        Some(loaded) => Ok(loaded),
        None => Ok(LoadedRuleSet { rules: Arc::new(built_in()?), stored: None }),
    }
}

/// The built-in catalogue (R01-R23).
pub fn built_in() -> Result<RuleSet> {
    catalogue::default_rule_set()
        .map_err(|d| ServiceError::Internal(format!("the built-in catalogue does not load: {d}")))
}

/// Loads a stored version with the register's lifecycle state written into its header, and
/// checks that its content still has the stored digest.
pub fn load_stored(stored: &StoredRuleSet) -> Result<RuleSet> {
    let corrupt = |why: String| {
        ServiceError::Internal(format!("stored rule set {} cannot be used: {why}", stored.version))
    };
    let mut sources: Vec<Source> =
        stored.files.iter().map(|f| Source::new(f.path.clone(), f.text.clone())).collect();
    let Some(header) = sources.first_mut() else { return Err(corrupt("it has no files".into())) };
    let info = RuleSetInfo {
        name: stored.name.clone(),
        version: stored.version.clone(),
        author: stored.author.clone(),
        description: String::new(),
        status: status(stored.status),
        published_by: stored.publisher.clone(),
        published_on: day(stored.published_at.as_deref()),
        activated_on: day(stored.activated_at.as_deref()),
    };
    header.text = lifecycle::write_header_fields(&header.text, &info)
        .map_err(|e| corrupt(format!("{}: {e}", header.name)))?;
    let set = RuleSet::load(&sources).map_err(|d| corrupt(d.to_string()))?;
    if set.reference().digest != stored.digest {
        return Err(corrupt("its files no longer match the stored digest".into()));
    }
    Ok(set)
}

fn status(s: RuleSetStatus) -> Status {
    match s {
        RuleSetStatus::Draft => Status::Draft,
        RuleSetStatus::Published => Status::Published,
        RuleSetStatus::Active => Status::Active,
        RuleSetStatus::Retired => Status::Retired,
    }
}

/// The date of an RFC 3339 timestamp.
fn day(timestamp: Option<&str>) -> Option<Date> {
    timestamp.and_then(|t| t.get(..10)).and_then(|d| parse_date(d).ok())
}

/// Assesses a stored application with the assessor's rule set and records the result (rule
/// set version, digest, score, band, fired indicators, failed hard checks) by `ctx.actor`.
pub async fn assess_and_record(
    store: &dyn Store,
    assessor: &Assessor,
    application: &Application,
    ctx: &AuditCtx,
) -> Result<(AssessmentReport, StoredAssessment)> {
    let report = assessor.assess(&application.data)?;
    let stored = record_report(store, application, &report, ctx).await?;
    Ok((report, stored))
}

/// Records an assessment already made (e.g. the one a decision was taken on).
pub async fn record_report(
    store: &dyn Store,
    application: &Application,
    report: &AssessmentReport,
    ctx: &AuditCtx,
) -> Result<StoredAssessment> {
    Ok(store.record_assessment(&to_record(application, report), ctx).await?)
}

fn to_record(application: &Application, report: &AssessmentReport) -> NewAssessment {
    let a = &report.assessment;
    NewAssessment {
        application: application.key,
        rule_set_version: a.rule_set.version.clone(),
        digest: a.rule_set.digest.clone(),
        score: a.score,
        band: a.band.name().to_owned(),
        fired_indicators: a
            .indicators
            .iter()
            .map(|i| FiredRule { id: i.id.to_string(), weight: i.weight })
            .collect(),
        failed_hard_checks: a
            .hard_checks
            .iter()
            .filter(|h| h.status == CheckStatus::Failed)
            .map(|h| h.id.to_string())
            .collect(),
    }
}
