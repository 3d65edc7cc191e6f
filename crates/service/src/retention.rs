//! Retention: which applications have outlived their retention period, and running the
//! anonymisation or deletion (UU PDP: end processing when the period ends, DOMAIN.md §8).
//!
//! The period of an application runs from its last event: the latest decision, or the end of
//! a deferral bar (`deferral_until`) if later, or the application date when nothing was
//! decided. Its length and what happens at the end depend on the record type (the current
//! outcome). The defaults are placeholders grounded in DOMAIN.md §8 until Kanwil/Ditjen set
//! the jadwal retensi arsip; a configuration file overrides them.

use std::collections::{BTreeMap, HashSet};

use jejak_domain::{Application, ApplicationKey, Decision, Outcome};
use jejak_store::{AuditCtx, LegalHold, RetentionAction, RetentionKind, RetentionOutcome, Store};
use serde::Deserialize;
use time::Date;

use crate::screening::{all_applications, all_decisions};
use crate::{Result, ServiceError};

/// Actions written per transaction.
const BATCH: usize = 500;

/// How long one record type is kept and what happens then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    pub years: u16,
    #[serde(default = "anonymise")]
    pub action: RetentionKind,
}

fn anonymise() -> RetentionKind {
    RetentionKind::Anonymise
}

/// Retention per record type (the application's current outcome).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Passport issued: 10 years, the validity of an ordinary passport (Permenkumham 18/2022
    /// Art. 2A, DOMAIN.md §1), during which a re-application must still be screened.
    pub issued: RetentionRule,
    /// Ditunda: 3 years, the longest penangguhan window (2 years) plus one year for appeal
    /// (DOMAIN.md §8), counted from the decision or the end of the bar, whichever is later.
    pub deferred: RetentionRule,
    /// Ditolak: as deferrals.
    pub rejected: RetentionRule,
    /// Dibatalkan: as deferrals.
    pub cancelled: RetentionRule,
    /// Never decided: 3 years after the application date.
    pub pending: RetentionRule,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        let rule = |years| RetentionRule { years, action: RetentionKind::Anonymise };
        Self {
            issued: rule(10),
            deferred: rule(3),
            rejected: rule(3),
            cancelled: rule(3),
            pending: rule(3),
        }
    }
}

impl RetentionPolicy {
    /// The record type name and rule of an outcome.
    pub fn rule_for(&self, outcome: Outcome) -> (&'static str, RetentionRule) {
        match outcome {
            Outcome::Issued => ("issued", self.issued),
            Outcome::Deferred => ("deferred", self.deferred),
            Outcome::Rejected => ("rejected", self.rejected),
            Outcome::Cancelled => ("cancelled", self.cancelled),
            Outcome::Pending => ("pending", self.pending),
        }
    }

    /// Every record type with its rule, for printing the policy in force.
    pub fn rules(&self) -> [(&'static str, RetentionRule); 5] {
        [
            ("issued", self.issued),
            ("deferred", self.deferred),
            ("rejected", self.rejected),
            ("cancelled", self.cancelled),
            ("pending", self.pending),
        ]
    }
}

/// One application whose retention period has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub key: ApplicationKey,
    pub office_code: String,
    pub application_id: String,
    pub record_type: &'static str,
    pub expired_on: Date,
    pub kind: RetentionKind,
    /// A legal hold covers it: it is left alone.
    pub held: bool,
}

/// What a run found and (unless a dry run) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub expired: Vec<Expired>,
    /// `None` for a dry run.
    pub outcome: Option<RetentionOutcome>,
}

/// The day an application's retention period ends.
pub fn expires_on(policy: &RetentionPolicy, app: &Application, decisions: &[Decision]) -> Date {
    let (_, rule) = policy.rule_for(app.data.outcome);
    let mut start = app.data.decided_on.unwrap_or(app.data.applied_on).max(app.data.applied_on);
    for d in decisions {
        start = start.max(d.data.decided_on);
        if let Some(until) = d.data.deferral_until {
            start = start.max(until);
        }
    }
    add_years(start, rule.years)
}

/// `date` plus whole years; 29 February becomes 28 February in a common year.
fn add_years(date: Date, years: u16) -> Date {
    let year = date.year() + i32::from(years);
    date.replace_year(year)
        .or_else(|_| date.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(Date::MAX)
}

/// Finds what has expired on `as_of` and, unless `dry_run`, anonymises or deletes it, in
/// batches, each action audited in its batch's transaction. Held applications are reported
/// and left alone (the store checks the holds again inside each transaction).
pub async fn run(
    store: &dyn Store,
    policy: &RetentionPolicy,
    as_of: Date,
    dry_run: bool,
    ctx: &AuditCtx,
) -> Result<RetentionReport> {
    let (apps, _) = all_applications(store, 0).await?;
    let (decisions, _) = all_decisions(store, 0).await?;
    let done: HashSet<ApplicationKey> = store.retention_done().await?.into_iter().collect();
    let holds = store.legal_holds(false).await?;
    let mut by_app: BTreeMap<ApplicationKey, Vec<Decision>> = BTreeMap::new();
    for d in decisions {
        by_app.entry(d.data.application).or_default().push(d);
    }
    let mut report = RetentionReport::default();
    let mut actions = Vec::new();
    for app in &apps {
        if done.contains(&app.key) {
            continue;
        }
        let history = by_app.get(&app.key).map(Vec::as_slice).unwrap_or_default();
        let expired_on = expires_on(policy, app, history);
        if expired_on > as_of {
            continue;
        }
        let (record_type, rule) = policy.rule_for(app.data.outcome);
        let held = is_held(&holds, app);
        report.expired.push(Expired {
            key: app.key,
            office_code: app.data.office_code.as_str().to_owned(),
            application_id: app.data.application_id.clone(),
            record_type,
            expired_on,
            kind: rule.action,
            held,
        });
        if !held {
            actions.push(RetentionAction {
                application: app.key,
                kind: rule.action,
                record_type: record_type.to_owned(),
                expired_on: jejak_domain::date::iso(expired_on),
                as_of: jejak_domain::date::iso(as_of),
                age_at_application: app
                    .data
                    .birth_date
                    .map(|b| i64::from(jejak_domain::date::age_on(b, app.data.applied_on))),
            });
        }
    }
    if dry_run {
        return Ok(report);
    }
    let mut outcome = RetentionOutcome::default();
    for batch in actions.chunks(BATCH) {
        let part = store.apply_retention(batch, ctx).await?;
        outcome.anonymised.extend(part.anonymised);
        outcome.deleted.extend(part.deleted);
        outcome.held.extend(part.held);
        outcome.already_done.extend(part.already_done);
    }
    // Holds placed after the plan was made were honoured by the store: report them as held.
    for key in &outcome.held {
        if let Some(e) = report.expired.iter_mut().find(|e| e.key == *key) {
            e.held = true;
        }
    }
    report.outcome = Some(outcome);
    Ok(report)
}

fn is_held(holds: &[LegalHold], app: &Application) -> bool {
    let nik = app.data.nik_text();
    holds.iter().any(|h| {
        h.is_active()
            && (h.application == Some(app.key) || (nik.is_some() && h.nik.as_deref() == nik))
    })
}

/// Parses a policy from TOML text: a `[retention]` table with one entry per record type,
/// e.g. `deferred = { years = 5, action = "delete" }`; record types left out keep their
/// default.
pub fn parse_policy(name: &str, text: &str) -> Result<RetentionPolicy> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        retention: Overrides,
    }
    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Overrides {
        issued: Option<RetentionRule>,
        deferred: Option<RetentionRule>,
        rejected: Option<RetentionRule>,
        cancelled: Option<RetentionRule>,
        pending: Option<RetentionRule>,
    }
    let file: File =
        toml::from_str(text).map_err(|e| ServiceError::Invalid(format!("{name}: {e}")))?;
    let o = file.retention;
    let d = RetentionPolicy::default();
    Ok(RetentionPolicy {
        issued: o.issued.unwrap_or(d.issued),
        deferred: o.deferred.unwrap_or(d.deferred),
        rejected: o.rejected.unwrap_or(d.rejected),
        cancelled: o.cancelled.unwrap_or(d.cancelled),
        pending: o.pending.unwrap_or(d.pending),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use jejak_domain::date::ymd;
    use jejak_domain::decision::DecisionKind;
    use jejak_domain::{NewApplication, NewDecision, OfficeCode};

    use super::*;

    fn app(outcome: Outcome, applied: Date, decided: Option<Date>) -> Application {
        let mut data =
            NewApplication::new("BDL-1", OfficeCode::parse("BDL").unwrap(), applied, "Sri");
        data.outcome = outcome;
        data.decided_on = decided;
        Application { key: ApplicationKey(1), version: 1, change_seq: 1, data }
    }

    #[test]
    fn a_deferral_is_kept_three_years_after_its_bar_ends() {
        let policy = RetentionPolicy::default();
        let a = app(Outcome::Deferred, ymd(2020, 1, 10).unwrap(), ymd(2020, 1, 20));
        let bar = Decision {
            id: 2,
            change_seq: 2,
            data: NewDecision {
                application: a.key,
                kind: DecisionKind::Deferred,
                decided_on: ymd(2020, 1, 20).unwrap(),
                deferral_until: ymd(2022, 1, 20),
                reason_codes: vec![],
                reason_text: None,
                officer: None,
            },
        };
        assert_eq!(expires_on(&policy, &a, &[bar]), ymd(2025, 1, 20).unwrap());
        assert_eq!(expires_on(&policy, &a, &[]), ymd(2023, 1, 20).unwrap());
    }

    #[test]
    fn an_issued_passport_is_kept_for_its_validity() {
        let a = app(Outcome::Issued, ymd(2016, 2, 29).unwrap(), ymd(2016, 2, 29));
        assert_eq!(expires_on(&RetentionPolicy::default(), &a, &[]), ymd(2026, 2, 28).unwrap());
    }

    #[test]
    fn a_policy_file_overrides_some_types_and_rejects_unknown_ones() {
        let policy = parse_policy(
            "jejak.toml",
            "[retention]\ndeferred = { years = 5, action = \"delete\" }\n",
        )
        .unwrap();
        assert_eq!(policy.deferred, RetentionRule { years: 5, action: RetentionKind::Delete });
        assert_eq!(policy.issued, RetentionPolicy::default().issued);
        let err = parse_policy("jejak.toml", "[retention]\nditunda = { years = 5 }\n").unwrap_err();
        assert!(err.to_string().contains("jejak.toml"), "{err}");
        assert!(err.to_string().contains("ditunda"), "{err}");
    }
}
