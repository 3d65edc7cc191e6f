//! Assessing one application: screening against the register, the facts derived from it, and
//! the rule set's advisory assessment. The officer decides; this only explains.

use std::sync::Arc;

use jejak_domain::{NewApplication, Office};
use jejak_rules::{Assessment, Facts, RuleSet};

use crate::Result;
use crate::facts::{FactContext, derive_facts};
use crate::partners::CpmiMatch;
use crate::register::ScreenedCandidate;
use crate::screening::Screening;

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
        let (candidates, facts, cpmi) = match &self.screening {
            Some(screening) => screening.with_context(|register, offices, partners| {
                let candidates = register.screen_shown(app, crate::register::SCREEN_LIMIT, None)?;
                let ctx = FactContext {
                    register: Some(register),
                    offices,
                    as_of: None,
                    partners: Some(partners),
                };
                let facts = derive_facts(app, &candidates, &ctx)?;
                Ok::<_, crate::ServiceError>((candidates, facts, partners.cpmi_match(app)))
            })??,
            None => {
                let ctx = FactContext {
                    register: None,
                    offices: &self.offices,
                    as_of: None,
                    partners: None,
                };
                (Vec::new(), derive_facts(app, &[], &ctx)?, None)
            }
        };
        let assessment = self.rules.assess(&facts, app.applied_on);
        Ok(AssessmentReport { candidates, facts, assessment, cpmi })
    }
}
