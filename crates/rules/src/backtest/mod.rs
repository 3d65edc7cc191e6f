//! Backtest: replay historical applications through a candidate rule set (and optionally the
//! active one) and measure it against what officers eventually decided.
//!
//! The service supplies the cases in chronological order, each with its facts *as known at the
//! application date* (no look-ahead: later decisions must not leak into earlier facts) and the
//! officer's eventual outcome. The engine itself is pure and stateless per case; cases are
//! evaluated in parallel (rayon) and merged in input order, so the report is deterministic.
//!
//! Definitions (also in [`FLAGGED_DEFINITION`]):
//! * **flagged**: band medium or high, or at least one hard check failed;
//! * **adverse**: the officer deferred or rejected the application; cancelled applications are
//!   excluded by default ([`CancelledPolicy`]); pending ones never count for precision/recall;
//! * **precision** = flagged and adverse / flagged (among decided cases);
//!   **recall** = flagged and adverse / adverse.

mod output;

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use time::Date;

use crate::assess::{Outcome, RuleStatus};
use crate::facts::Facts;
use crate::rule::RuleKind;
use crate::ruleset::{Band, RuleSet, RuleSetRef};
use crate::validity::ser_date;

/// The definition of "flagged" used in reports.
pub const FLAGGED_DEFINITION: &str = "flagged = score band medium or high, or at least one hard check failed; \
     adverse = officer outcome deferred or rejected";

/// What the officer eventually decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerOutcome {
    /// Diterbitkan.
    Issued,
    /// Ditunda.
    Deferred,
    /// Ditolak.
    Rejected,
    /// Dibatalkan (duplicate, or documents not completed in 30 days).
    Cancelled,
    /// Not decided yet.
    Pending,
}

impl OfficerOutcome {
    /// Parses the canonical names and the Indonesian aliases of the interchange format.
    pub fn parse(text: &str) -> Option<OfficerOutcome> {
        match text.trim().to_ascii_lowercase().as_str() {
            "issued" | "terbit" | "diterbitkan" => Some(OfficerOutcome::Issued),
            "deferred" | "ditunda" => Some(OfficerOutcome::Deferred),
            "rejected" | "ditolak" => Some(OfficerOutcome::Rejected),
            "cancelled" | "canceled" | "dibatalkan" => Some(OfficerOutcome::Cancelled),
            "pending" | "diproses" | "" => Some(OfficerOutcome::Pending),
            _ => None,
        }
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            OfficerOutcome::Issued => "issued",
            OfficerOutcome::Deferred => "deferred",
            OfficerOutcome::Rejected => "rejected",
            OfficerOutcome::Cancelled => "cancelled",
            OfficerOutcome::Pending => "pending",
        }
    }
}

/// How cancelled applications count for precision and recall.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledPolicy {
    /// Left out of precision and recall (default: a cancellation may be a duplicate).
    #[default]
    Exclude,
    /// Counted as adverse (R19: not completing documents "indicates NP").
    Adverse,
    /// Counted as not adverse.
    NotAdverse,
}

/// One historical application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Application id.
    pub id: String,
    /// Receiving office.
    pub office_code: String,
    /// Application date: rules and lists are evaluated as of this day.
    pub applied_on: Date,
    /// Facts as known on the application date.
    pub facts: Facts,
    /// The officer's eventual outcome.
    pub outcome: OfficerOutcome,
}

/// Scope and reporting options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacktestOptions {
    /// First application date included.
    pub from: Option<Date>,
    /// Last application date included.
    pub to: Option<Date>,
    /// Only this office (compared case-insensitively).
    pub office: Option<String>,
    /// How cancelled applications count.
    pub cancelled: CancelledPolicy,
    /// At most this many per-case differences are kept (all are counted).
    pub max_differences: usize,
    /// Keep only differences where "flagged" changed.
    pub only_flips: bool,
}

impl Default for BacktestOptions {
    fn default() -> Self {
        BacktestOptions {
            from: None,
            to: None,
            office: None,
            cancelled: CancelledPolicy::Exclude,
            max_differences: 100_000,
            only_flips: false,
        }
    }
}

/// Counts of officer outcomes among the assessed cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OutcomeCounts {
    /// Issued.
    pub issued: u64,
    /// Deferred.
    pub deferred: u64,
    /// Rejected.
    pub rejected: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Pending.
    pub pending: u64,
}

/// Flag rate, bands and the confusion matrix of one rule set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetSummary {
    /// The rule set.
    pub rule_set: RuleSetRef,
    /// Cases assessed.
    pub cases: u64,
    /// Cases flagged.
    pub flagged: u64,
    /// flagged / cases.
    pub flag_rate: f64,
    /// Cases per band: low, medium, high.
    pub band_low: u64,
    /// Medium band.
    pub band_medium: u64,
    /// High band.
    pub band_high: u64,
    /// Cases with a failed hard check.
    pub hard_failed: u64,
    /// Flagged and adverse.
    pub true_positives: u64,
    /// Flagged, not adverse.
    pub false_positives: u64,
    /// Not flagged, adverse.
    pub false_negatives: u64,
    /// Not flagged, not adverse.
    pub true_negatives: u64,
    /// TP / (TP + FP), if defined.
    pub precision: Option<f64>,
    /// TP / (TP + FN), if defined.
    pub recall: Option<f64>,
}

/// Per-rule statistics of the candidate rule set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleStats {
    /// Rule id.
    pub rule_id: String,
    /// Kind.
    pub kind: RuleKind,
    /// Cases where it fired (hard checks: failed).
    pub fired: u64,
    /// fired / cases.
    pub fire_rate: f64,
    /// Cases where it could not be decided.
    pub unknown: u64,
    /// Cases where it did not apply or was not in force.
    pub not_applicable: u64,
    /// Fired and adverse.
    pub fired_adverse: u64,
    /// fired_adverse / fired among decided cases.
    pub precision: Option<f64>,
    /// fired_adverse / adverse.
    pub recall: Option<f64>,
    /// Fired count under the baseline rule set (`None` without a baseline or if the baseline
    /// has no rule with this id).
    pub baseline_fired: Option<u64>,
}

/// One case that the two rule sets treat differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseDifference {
    /// Application id.
    pub case_id: String,
    /// Application date.
    #[serde(serialize_with = "ser_date")]
    pub applied_on: Date,
    /// Office.
    pub office_code: String,
    /// Officer outcome.
    pub outcome: OfficerOutcome,
    /// Score under the baseline.
    pub baseline_score: i64,
    /// Score under the candidate.
    pub candidate_score: i64,
    /// Band under the baseline.
    pub baseline_band: Band,
    /// Band under the candidate.
    pub candidate_band: Band,
    /// Flagged under the baseline.
    pub baseline_flagged: bool,
    /// Flagged under the candidate.
    pub candidate_flagged: bool,
    /// Rules that fire only under the candidate.
    pub newly_fired: Vec<String>,
    /// Rules that fire only under the baseline.
    pub no_longer_fired: Vec<String>,
    /// One-line reason.
    pub reason: String,
}

/// The result of a backtest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BacktestReport {
    /// See [`FLAGGED_DEFINITION`].
    pub definition: &'static str,
    /// Cancelled-case policy used.
    pub cancelled_policy: CancelledPolicy,
    /// Cases given.
    pub cases_read: u64,
    /// Cases in scope (dates, office) and assessed.
    pub cases_assessed: u64,
    /// Cases whose date is earlier than the previous case's (input not chronological).
    pub out_of_order: u64,
    /// Officer outcomes of the assessed cases.
    pub outcomes: OutcomeCounts,
    /// The candidate rule set's summary.
    pub candidate: SetSummary,
    /// The baseline rule set's summary.
    pub baseline: Option<SetSummary>,
    /// Per-rule statistics of the candidate.
    pub rules: Vec<RuleStats>,
    /// Cases whose fired rules or score differ between the rule sets (capped).
    pub differences: Vec<CaseDifference>,
    /// All differing cases, kept or not.
    pub differences_total: u64,
    /// Differing cases where "flagged" changed.
    pub flips_total: u64,
}

#[derive(Clone, Default)]
struct RuleAccum {
    fired: u64,
    unknown: u64,
    not_applicable: u64,
    fired_adverse: u64,
    fired_labelled: u64,
}

#[derive(Clone, Default)]
struct SetAccum {
    rules: Vec<RuleAccum>,
    flagged: u64,
    bands: [u64; 3],
    hard_failed: u64,
    tp: u64,
    fp: u64,
    fn_: u64,
    tn: u64,
}

impl SetAccum {
    fn new(rules: usize) -> SetAccum {
        SetAccum { rules: vec![RuleAccum::default(); rules], ..SetAccum::default() }
    }

    fn add(&mut self, o: &Outcome, label: Option<bool>) {
        let flagged = o.flagged();
        self.flagged += u64::from(flagged);
        self.bands[o.band as usize] += 1;
        self.hard_failed += u64::from(o.hard_failed);
        match (label, flagged) {
            (Some(true), true) => self.tp += 1,
            (Some(false), true) => self.fp += 1,
            (Some(true), false) => self.fn_ += 1,
            (Some(false), false) => self.tn += 1,
            (None, _) => {}
        }
        for (acc, status) in self.rules.iter_mut().zip(&o.statuses) {
            match status {
                RuleStatus::Fired => {
                    acc.fired += 1;
                    acc.fired_labelled += u64::from(label.is_some());
                    acc.fired_adverse += u64::from(label == Some(true));
                }
                RuleStatus::Unknown => acc.unknown += 1,
                RuleStatus::NotApplicable | RuleStatus::NotInForce => acc.not_applicable += 1,
                RuleStatus::NotFired => {}
            }
        }
    }

    fn merge(&mut self, other: &SetAccum) {
        self.flagged += other.flagged;
        for i in 0..3 {
            self.bands[i] += other.bands[i];
        }
        self.hard_failed += other.hard_failed;
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.tn += other.tn;
        for (a, b) in self.rules.iter_mut().zip(&other.rules) {
            a.fired += b.fired;
            a.unknown += b.unknown;
            a.not_applicable += b.not_applicable;
            a.fired_adverse += b.fired_adverse;
            a.fired_labelled += b.fired_labelled;
        }
    }
}

#[derive(Clone, Default)]
struct Partial {
    assessed: u64,
    outcomes: OutcomeCounts,
    candidate: SetAccum,
    baseline: Option<SetAccum>,
    differences: Vec<CaseDifference>,
    differences_total: u64,
    flips_total: u64,
}

/// An incremental backtest: push cases in chronological batches, then finish.
pub struct Backtest<'a> {
    candidate: &'a RuleSet,
    baseline: Option<&'a RuleSet>,
    /// For each candidate rule, the index of the baseline rule with the same id.
    mapping: Vec<Option<usize>>,
    /// For each baseline rule, the index of the candidate rule with the same id.
    reverse: Vec<Option<usize>>,
    options: BacktestOptions,
    read: u64,
    out_of_order: u64,
    last_date: Option<Date>,
    total: Partial,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl<'a> Backtest<'a> {
    /// Starts a backtest of `candidate`, compared with `baseline` when given.
    pub fn new(
        candidate: &'a RuleSet,
        baseline: Option<&'a RuleSet>,
        options: BacktestOptions,
    ) -> Backtest<'a> {
        let mapping = candidate
            .rules()
            .iter()
            .map(|r| baseline.and_then(|b| b.rules().iter().position(|x| x.id == r.id)))
            .collect();
        let reverse = baseline
            .map(|b| {
                b.rules()
                    .iter()
                    .map(|r| candidate.rules().iter().position(|x| x.id == r.id))
                    .collect()
            })
            .unwrap_or_default();
        let total = Partial {
            candidate: SetAccum::new(candidate.rules().len()),
            baseline: baseline.map(|b| SetAccum::new(b.rules().len())),
            ..Partial::default()
        };
        Backtest {
            candidate,
            baseline,
            mapping,
            reverse,
            options,
            read: 0,
            out_of_order: 0,
            last_date: None,
            total,
        }
    }

    fn in_scope(&self, case: &Case) -> bool {
        self.options.from.is_none_or(|f| f <= case.applied_on)
            && self.options.to.is_none_or(|t| case.applied_on <= t)
            && self
                .options
                .office
                .as_ref()
                .is_none_or(|o| o.eq_ignore_ascii_case(&case.office_code))
    }

    fn label(&self, outcome: OfficerOutcome) -> Option<bool> {
        match outcome {
            OfficerOutcome::Deferred | OfficerOutcome::Rejected => Some(true),
            OfficerOutcome::Issued => Some(false),
            OfficerOutcome::Pending => None,
            OfficerOutcome::Cancelled => match self.options.cancelled {
                CancelledPolicy::Exclude => None,
                CancelledPolicy::Adverse => Some(true),
                CancelledPolicy::NotAdverse => Some(false),
            },
        }
    }

    /// Adds a batch of cases (in chronological order, continuing the previous batch).
    pub fn push(&mut self, cases: &[Case]) {
        for case in cases {
            self.read += 1;
            if self.last_date.is_some_and(|d| case.applied_on < d) {
                self.out_of_order += 1;
            }
            self.last_date = Some(case.applied_on);
        }
        let partials: Vec<Partial> =
            cases.par_chunks(1024).map(|chunk| self.run_chunk(chunk)).collect();
        for p in partials {
            self.merge(p);
        }
    }

    fn run_chunk(&self, chunk: &[Case]) -> Partial {
        let mut p = Partial {
            candidate: SetAccum::new(self.candidate.rules().len()),
            baseline: self.baseline.map(|b| SetAccum::new(b.rules().len())),
            ..Partial::default()
        };
        for case in chunk.iter().filter(|c| self.in_scope(c)) {
            p.assessed += 1;
            let counts = &mut p.outcomes;
            match case.outcome {
                OfficerOutcome::Issued => counts.issued += 1,
                OfficerOutcome::Deferred => counts.deferred += 1,
                OfficerOutcome::Rejected => counts.rejected += 1,
                OfficerOutcome::Cancelled => counts.cancelled += 1,
                OfficerOutcome::Pending => counts.pending += 1,
            }
            let label = self.label(case.outcome);
            let cand = self.candidate.evaluate(&case.facts, case.applied_on);
            p.candidate.add(&cand, label);
            if let (Some(base_set), Some(acc)) = (self.baseline, p.baseline.as_mut()) {
                let base = base_set.evaluate(&case.facts, case.applied_on);
                acc.add(&base, label);
                if let Some(diff) = self.difference(case, &cand, base_set, &base) {
                    p.differences_total += 1;
                    let flip = diff.baseline_flagged != diff.candidate_flagged;
                    p.flips_total += u64::from(flip);
                    if (flip || !self.options.only_flips)
                        && p.differences.len() < self.options.max_differences
                    {
                        p.differences.push(diff);
                    }
                }
            }
        }
        p
    }

    fn difference(
        &self,
        case: &Case,
        cand: &Outcome,
        base_set: &RuleSet,
        base: &Outcome,
    ) -> Option<CaseDifference> {
        let fired = |s: &RuleStatus| *s == RuleStatus::Fired;
        let mut newly = Vec::new();
        for (i, status) in cand.statuses.iter().enumerate() {
            let base_status = self.mapping[i].map(|j| base.statuses[j]);
            if fired(status) && !base_status.as_ref().is_some_and(fired) {
                newly.push(self.candidate.rules()[i].id.clone());
            }
        }
        let mut gone = Vec::new();
        for (j, status) in base.statuses.iter().enumerate() {
            if !fired(status) {
                continue;
            }
            let still = self.reverse[j].is_some_and(|i| fired(&cand.statuses[i]));
            if !still {
                gone.push(base_set.rules()[j].id.clone());
            }
        }
        if newly.is_empty() && gone.is_empty() && cand.score == base.score {
            return None;
        }
        let mut reason = String::new();
        if !newly.is_empty() {
            let _ = write!(reason, "newly fired: {}; ", newly.join(", "));
        }
        if !gone.is_empty() {
            let _ = write!(reason, "no longer fired: {}; ", gone.join(", "));
        }
        if newly.is_empty() && gone.is_empty() {
            reason.push_str("same rules fired with other weights; ");
        }
        let _ = write!(reason, "score {} -> {}", base.score, cand.score);
        if base.band != cand.band {
            let _ = write!(reason, "; band {} -> {}", base.band.name(), cand.band.name());
        }
        if base.flagged() != cand.flagged() {
            reason.push_str(if cand.flagged() { "; now flagged" } else { "; no longer flagged" });
        }
        Some(CaseDifference {
            case_id: case.id.clone(),
            applied_on: case.applied_on,
            office_code: case.office_code.clone(),
            outcome: case.outcome,
            baseline_score: base.score,
            candidate_score: cand.score,
            baseline_band: base.band,
            candidate_band: cand.band,
            baseline_flagged: base.flagged(),
            candidate_flagged: cand.flagged(),
            newly_fired: newly,
            no_longer_fired: gone,
            reason,
        })
    }

    fn merge(&mut self, p: Partial) {
        let t = &mut self.total;
        t.assessed += p.assessed;
        t.outcomes.issued += p.outcomes.issued;
        t.outcomes.deferred += p.outcomes.deferred;
        t.outcomes.rejected += p.outcomes.rejected;
        t.outcomes.cancelled += p.outcomes.cancelled;
        t.outcomes.pending += p.outcomes.pending;
        t.candidate.merge(&p.candidate);
        if let (Some(a), Some(b)) = (t.baseline.as_mut(), p.baseline.as_ref()) {
            a.merge(b);
        }
        t.differences_total += p.differences_total;
        t.flips_total += p.flips_total;
        let room = self.options.max_differences.saturating_sub(t.differences.len());
        t.differences.extend(p.differences.into_iter().take(room));
    }

    fn summary(set: &RuleSet, acc: &SetAccum, cases: u64) -> SetSummary {
        SetSummary {
            rule_set: set.reference().clone(),
            cases,
            flagged: acc.flagged,
            flag_rate: ratio(acc.flagged, cases).unwrap_or(0.0),
            band_low: acc.bands[Band::Low as usize],
            band_medium: acc.bands[Band::Medium as usize],
            band_high: acc.bands[Band::High as usize],
            hard_failed: acc.hard_failed,
            true_positives: acc.tp,
            false_positives: acc.fp,
            false_negatives: acc.fn_,
            true_negatives: acc.tn,
            precision: ratio(acc.tp, acc.tp + acc.fp),
            recall: ratio(acc.tp, acc.tp + acc.fn_),
        }
    }

    /// The report.
    pub fn finish(self) -> BacktestReport {
        let t = self.total;
        let cases = t.assessed;
        let adverse = t.candidate.tp + t.candidate.fn_;
        let rules = self
            .candidate
            .rules()
            .iter()
            .zip(&t.candidate.rules)
            .enumerate()
            .map(|(i, (rule, acc))| RuleStats {
                rule_id: rule.id.clone(),
                kind: rule.kind,
                fired: acc.fired,
                fire_rate: ratio(acc.fired, cases).unwrap_or(0.0),
                unknown: acc.unknown,
                not_applicable: acc.not_applicable,
                fired_adverse: acc.fired_adverse,
                precision: ratio(acc.fired_adverse, acc.fired_labelled),
                recall: ratio(acc.fired_adverse, adverse),
                baseline_fired: self.mapping[i]
                    .and_then(|j| t.baseline.as_ref().map(|b| b.rules[j].fired)),
            })
            .collect();
        BacktestReport {
            definition: FLAGGED_DEFINITION,
            cancelled_policy: self.options.cancelled,
            cases_read: self.read,
            cases_assessed: cases,
            out_of_order: self.out_of_order,
            outcomes: t.outcomes,
            candidate: Self::summary(self.candidate, &t.candidate, cases),
            baseline: self
                .baseline
                .zip(t.baseline.as_ref())
                .map(|(s, a)| Self::summary(s, a, cases)),
            rules,
            differences: t.differences,
            differences_total: t.differences_total,
            flips_total: t.flips_total,
        }
    }
}

/// Backtests a whole slice of cases at once.
pub fn backtest(
    cases: &[Case],
    candidate: &RuleSet,
    baseline: Option<&RuleSet>,
    options: BacktestOptions,
) -> BacktestReport {
    let mut run = Backtest::new(candidate, baseline, options);
    run.push(cases);
    run.finish()
}
