//! Assessing one application: hard checks as a checklist, scored rules as an advisory score
//! and band, and a per-rule trace. Total and deterministic: any fact set and any date give an
//! [`Assessment`], never an error.
//!
//! [`RuleSet::evaluate`] is the lean path used by the backtest (statuses and score only);
//! [`RuleSet::assess`] adds messages, the checklist and the trace.

use std::sync::Arc;

use serde::Serialize;
use time::Date;

use crate::condition::Tri;
use crate::condition::eval::Env;
use crate::facts::{FactId, Facts};
use crate::rule::{Rule, RuleKind};
use crate::ruleset::{Band, RuleSet, RuleSetRef};
use crate::validity::ser_date;

/// What happened to one rule for one application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// The condition holds (for a hard check: the check failed).
    Fired,
    /// The condition does not hold (for a hard check: passed).
    NotFired,
    /// A fact the rule needs is unknown; the trace names it.
    Unknown,
    /// `applies_when` is false (e.g. a work-permit check for a tourist).
    NotApplicable,
    /// The application date is outside the rule's validity.
    NotInForce,
}

impl RuleStatus {
    /// The status name.
    pub fn name(self) -> &'static str {
        match self {
            RuleStatus::Fired => "fired",
            RuleStatus::NotFired => "not_fired",
            RuleStatus::Unknown => "unknown",
            RuleStatus::NotApplicable => "not_applicable",
            RuleStatus::NotInForce => "not_in_force",
        }
    }
}

/// A hard check's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Requirement met.
    Passed,
    /// Requirement not met: issuance waits until it is resolved.
    Failed,
    /// Cannot be decided until the named facts are known.
    Unknown,
}

/// A message in Indonesian and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Bahasa Indonesia.
    pub id: String,
    /// English.
    pub en: String,
}

/// One checklist item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HardCheck {
    /// Rule id.
    pub id: Arc<str>,
    /// Passed, failed or unknown.
    pub status: CheckStatus,
    /// The same as `status`: `true` passed, `false` failed, `null` unknown.
    pub passed: Option<bool>,
    /// One-line explanation.
    pub message: Message,
    /// The facts that must become known to decide it (empty unless unknown).
    pub unknown_facts: Vec<&'static str>,
}

/// A scored rule that fired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FiredIndicator {
    /// Rule id.
    pub id: Arc<str>,
    /// Indicator or cross-record.
    pub kind: RuleKind,
    /// Points added.
    pub weight: i64,
    /// One-line explanation.
    pub message: Message,
}

/// A fact a rule read, with its value (`None` = unknown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Input {
    /// Fact name.
    pub fact: &'static str,
    /// Rendered value.
    pub value: Option<String>,
}

/// One rule's line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleTrace {
    /// Rule id.
    pub id: Arc<str>,
    /// Kind.
    pub kind: RuleKind,
    /// What happened.
    pub status: RuleStatus,
    /// Points added to the score (0 unless a scored rule fired).
    pub contribution: i64,
    /// When unknown: the unknown facts the result depends on.
    pub unknown_facts: Vec<&'static str>,
    /// When fired or unknown: the facts the rule reads, with their values.
    pub inputs: Vec<Input>,
}

/// The full, explainable result for one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The rule set used.
    pub rule_set: Arc<RuleSetRef>,
    /// The date the rules and lists were evaluated at (the application date).
    #[serde(serialize_with = "ser_date")]
    pub assessed_on: Date,
    /// Sum of the weights of the scored rules that fired.
    pub score: i64,
    /// The score if every undecided scored rule fired: how much unknown facts could add.
    pub potential_score: i64,
    /// Advisory band of `score`.
    pub band: Band,
    /// `band >= medium` or a hard check failed (see [`Outcome::flagged`]).
    pub flagged: bool,
    /// Checklist of the hard checks that apply.
    pub hard_checks: Vec<HardCheck>,
    /// Scored rules that fired, in rule order.
    pub indicators: Vec<FiredIndicator>,
    /// Every rule, in rule order.
    pub trace: Vec<RuleTrace>,
}

/// The lean result: per-rule statuses and the score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Sum of the weights of the scored rules that fired.
    pub score: i64,
    /// Band of the score.
    pub band: Band,
    /// Some hard check failed.
    pub hard_failed: bool,
    /// Status per rule, in rule order.
    pub statuses: Vec<RuleStatus>,
}

impl Outcome {
    /// The definition of "flagged" used by the assessment and the backtest: the band is medium
    /// or high, or at least one hard check failed. Unknown hard checks do not flag.
    pub fn flagged(&self) -> bool {
        self.band >= Band::Medium || self.hard_failed
    }
}

/// Reusable buffer for the unknown facts of one rule.
type Scratch = Vec<FactId>;

impl RuleSet {
    fn env<'a>(&'a self, facts: &'a Facts, on: Date) -> Env<'a> {
        Env { facts, on, lists: &self.lists }
    }

    /// Evaluates one rule: its status and its contribution to the score.
    fn run_rule(&self, rule: &Rule, env: &Env<'_>, scratch: &mut Scratch) -> (RuleStatus, i64) {
        scratch.clear();
        if !rule.validity.contains(env.on) {
            return (RuleStatus::NotInForce, 0);
        }
        let applies = rule.applies.as_ref().map_or(Tri::True, |a| env.eval(a, scratch));
        if applies == Tri::False {
            scratch.clear();
            return (RuleStatus::NotApplicable, 0);
        }
        let condition = env.eval(&rule.expr, scratch);
        match (applies, condition) {
            (_, Tri::False) => {
                scratch.clear();
                (RuleStatus::NotFired, 0)
            }
            (Tri::True, Tri::True) => {
                let w = if rule.kind.is_scored() { self.weight(rule, env) } else { 0 };
                (RuleStatus::Fired, w)
            }
            _ => (RuleStatus::Unknown, 0),
        }
    }

    /// The weight of a scored rule: from its list when a key fact has a weighted entry.
    fn weight(&self, rule: &Rule, env: &Env<'_>) -> i64 {
        if let Some(from) = &rule.weight_from {
            let list = &self.lists[from.list_index];
            for key in &from.keys {
                if let Some(v) = env.facts.get(*key)
                    && let Some(w) = list.lookup(v, key.def().ty, env.on).and_then(|e| e.weight)
                {
                    return w;
                }
            }
        }
        rule.weight
    }

    /// Lean evaluation: statuses and score only (used by the backtest).
    pub fn evaluate(&self, facts: &Facts, on: Date) -> Outcome {
        let env = self.env(facts, on);
        let mut scratch = Vec::new();
        let mut score = 0i64;
        let mut hard_failed = false;
        let statuses = self
            .rules
            .iter()
            .map(|rule| {
                let (status, w) = self.run_rule(rule, &env, &mut scratch);
                score = score.saturating_add(w);
                hard_failed |= rule.kind == RuleKind::HardCheck && status == RuleStatus::Fired;
                status
            })
            .collect();
        Outcome { score, band: self.bands.band(score), hard_failed, statuses }
    }

    /// Full assessment of one application on its application date.
    pub fn assess(&self, facts: &Facts, on: Date) -> Assessment {
        let env = self.env(facts, on);
        let mut scratch = Vec::new();
        let mut score = 0i64;
        let mut potential = 0i64;
        let mut hard_failed = false;
        let mut hard_checks = Vec::new();
        let mut indicators = Vec::new();
        let mut trace = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let (status, contribution) = self.run_rule(rule, &env, &mut scratch);
            let unknown_facts: Vec<&'static str> = if status == RuleStatus::Unknown {
                scratch.iter().map(|f| f.name()).collect()
            } else {
                Vec::new()
            };
            score = score.saturating_add(contribution);
            potential = potential.saturating_add(contribution);
            if status == RuleStatus::Unknown && rule.kind.is_scored() {
                potential = potential.saturating_add(self.weight(rule, &env).max(0));
            }
            if rule.kind == RuleKind::HardCheck {
                let check = match status {
                    RuleStatus::Fired => {
                        hard_failed = true;
                        Some((CheckStatus::Failed, explain(rule, facts)))
                    }
                    RuleStatus::NotFired => Some((
                        CheckStatus::Passed,
                        Message {
                            id: format!("Terpenuhi: {}", rule.title_id),
                            en: format!("Passed: {}", rule.title_en),
                        },
                    )),
                    RuleStatus::Unknown => Some((
                        CheckStatus::Unknown,
                        Message {
                            id: format!(
                                "Belum dapat diputuskan: {} (data belum ada: {})",
                                rule.title_id,
                                unknown_facts.join(", ")
                            ),
                            en: format!(
                                "Cannot be decided yet: {} (unknown: {})",
                                rule.title_en,
                                unknown_facts.join(", ")
                            ),
                        },
                    )),
                    RuleStatus::NotApplicable | RuleStatus::NotInForce => None,
                };
                if let Some((status, message)) = check {
                    hard_checks.push(HardCheck {
                        id: Arc::clone(&rule.shared_id),
                        passed: match status {
                            CheckStatus::Passed => Some(true),
                            CheckStatus::Failed => Some(false),
                            CheckStatus::Unknown => None,
                        },
                        status,
                        message,
                        unknown_facts: unknown_facts.clone(),
                    });
                }
            } else if status == RuleStatus::Fired {
                indicators.push(FiredIndicator {
                    id: Arc::clone(&rule.shared_id),
                    kind: rule.kind,
                    weight: contribution,
                    message: explain(rule, facts),
                });
            }
            let inputs = if matches!(status, RuleStatus::Fired | RuleStatus::Unknown) {
                rule.facts
                    .iter()
                    .map(|f| Input { fact: f.name(), value: facts.render(*f) })
                    .collect()
            } else {
                Vec::new()
            };
            trace.push(RuleTrace {
                id: Arc::clone(&rule.shared_id),
                kind: rule.kind,
                status,
                contribution,
                unknown_facts,
                inputs,
            });
        }
        let band = self.bands.band(score);
        Assessment {
            rule_set: Arc::clone(&self.reference),
            assessed_on: on,
            score,
            potential_score: potential,
            band,
            flagged: band >= Band::Medium || hard_failed,
            hard_checks,
            indicators,
            trace,
        }
    }
}

fn explain(rule: &Rule, facts: &Facts) -> Message {
    Message { id: rule.explain_id.render(facts), en: rule.explain_en.render(facts) }
}
