//! Assessing one application: screening against the register, the facts derived from it, and
//! the rule set's advisory assessment. The officer decides; this only explains.

use std::sync::Arc;

use jejak_domain::{NewApplication, Office};
use jejak_rules::{Assessment, Facts, RuleSet};

use crate::Result;
use crate::facts::{FactContext, derive_facts};
use crate::mirror::ScreenedCandidate;
use crate::partners::CpmiMatch;
use crate::screening::Screening;
use crate::village_index::{VillageAlert, alert_counts};

/// Everything about one application's assessment.
#[derive(Debug, Clone)]
pub struct AssessmentReport {
    /// Candidates from the register an officer is shown (auto-link or review band, or with
    /// an officer's verdict), most probable first; empty without a register.
    pub candidates: Vec<ScreenedCandidate>,
    /// The facts the rules saw.
    pub facts: Facts,
    /// The rule set's verdict: checklist, score, band, fired indicators, trace.
    pub assessment: Assessment,
    /// Open village reports linked to the application, with why (empty without a
    /// register). They feed R20/R20B's facts and never decide anything.
    pub village_alerts: Vec<VillageAlert>,
    /// The applicant's CPMI registration in the newest SISKOP2MI snapshot; `None` without a
    /// register, a snapshot or a match.
    pub cpmi: Option<CpmiMatch>,
}

/// Assesses applications with one rule set, against a register when there is one.
#[derive(Debug, Clone)]
pub struct Assessor {
    rules: Arc<RuleSet>,
    screening: Option<Arc<Screening>>,
    /// Offices used when there is no register.
    offices: Vec<Office>,
}

impl Assessor {
    /// An assessor; without `screening` cross-record facts stay unknown and `offices` give
    /// the work areas.
    pub fn new(
        rules: Arc<RuleSet>,
        screening: Option<Arc<Screening>>,
        offices: Vec<Office>,
    ) -> Self {
        Self { rules, screening, offices }
    }

    /// The rule set in use.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Screens, derives the facts and assesses, as of the application date.
    pub fn assess(&self, app: &NewApplication) -> Result<AssessmentReport> {
        let started = std::time::Instant::now();
        let report = self.assess_untimed(app)?;
        metrics::histogram!("jejak_assessment_seconds").record(started.elapsed().as_secs_f64());
        Ok(report)
    }

    fn assess_untimed(&self, app: &NewApplication) -> Result<AssessmentReport> {
        let (candidates, mut facts, cpmi) = match &self.screening {
            Some(screening) => screening.with_context(|mirror, offices, partners| {
                let started = std::time::Instant::now();
                let candidates = mirror.screen_shown(app, crate::mirror::SCREEN_LIMIT, None)?;
                metrics::histogram!("jejak_screening_seconds")
                    .record(started.elapsed().as_secs_f64());
                let ctx = FactContext {
                    mirror: Some(mirror),
                    offices,
                    as_of: None,
                    partners: Some(partners),
                };
                let facts = derive_facts(app, &candidates, &ctx)?;
                Ok::<_, crate::ServiceError>((candidates, facts, partners.cpmi_match(app)))
            })??,
            None => {
                let ctx = FactContext {
                    mirror: None,
                    offices: &self.offices,
                    as_of: None,
                    partners: None,
                };
                (Vec::new(), derive_facts(app, &[], &ctx)?, None)
            }
        };
        let village_alerts = match &self.screening {
            Some(screening) => {
                let alerts = screening.village_alerts(app)?;
                set_report_facts(&mut facts, &alerts)?;
                alerts
            }
            None => Vec::new(),
        };
        let assessment = self.rules.assess(&facts, app.applied_on);
        Ok(AssessmentReport { candidates, facts, assessment, village_alerts, cpmi })
    }
}

/// Sets `person_reports_count`, `sponsor_reports_count` and `village_reports_count` from the
/// linked village reports (a consulted index with no link gives 0, not unknown).
pub fn set_report_facts(facts: &mut Facts, alerts: &[VillageAlert]) -> Result<()> {
    let (person, sponsor, village) = alert_counts(alerts);
    for (name, value) in [
        ("person_reports_count", person),
        ("sponsor_reports_count", sponsor),
        ("village_reports_count", village),
    ] {
        facts
            .set(name, jejak_rules::FactInput::from(value))
            .map_err(|e| crate::ServiceError::Internal(format!("fact {name}: {e}")))?;
    }
    Ok(())
}
