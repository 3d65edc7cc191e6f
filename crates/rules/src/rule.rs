//! A rule of the catalogue: identity, bilingual titles and explanations, legal basis, kind,
//! confidence, validity, weight and the compiled condition.

use std::sync::Arc;

use serde::Serialize;

use crate::condition::compile::Expr;
use crate::facts::FactId;
use crate::template::Template;
use crate::validity::Validity;

/// What a rule produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Documentary rule (DOMAIN type H): a checklist item, passed / failed / unknown. It blocks
    /// issuance until resolved and adds nothing to the score.
    HardCheck,
    /// Soft signal (type S): adds its weight to the advisory score.
    Indicator,
    /// Cross-record signal from the shared register (type X): adds its weight to the score.
    CrossRecord,
}

impl RuleKind {
    /// Parses the `kind` key.
    pub fn parse(text: &str) -> Option<RuleKind> {
        match text {
            "hard_check" => Some(RuleKind::HardCheck),
            "indicator" => Some(RuleKind::Indicator),
            "cross_record" => Some(RuleKind::CrossRecord),
            _ => None,
        }
    }

    /// The name as written in rule files.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::HardCheck => "hard_check",
            RuleKind::Indicator => "indicator",
            RuleKind::CrossRecord => "cross_record",
        }
    }

    /// True for kinds that add to the score.
    pub fn is_scored(self) -> bool {
        !matches!(self, RuleKind::HardCheck)
    }
}

/// How well a rule is founded, with the marks of DOMAIN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// `reg`: a regulation text or an official page quoting it.
    Reg,
    /// `off`: an official statement reported in the press.
    Off,
    /// `prac`: what a single office says it does.
    Prac,
    /// `know`: background knowledge, no source found.
    Know,
    /// `inference`: inferred from data, not stated anywhere.
    Inference,
    /// `programme`: required by the programme brief.
    Programme,
    /// `unverified`: plausible, to be confirmed with Kanwil before relying on it.
    Unverified,
}

impl Confidence {
    /// Parses the `confidence` key.
    pub fn parse(text: &str) -> Option<Confidence> {
        match text {
            "reg" => Some(Confidence::Reg),
            "off" => Some(Confidence::Off),
            "prac" => Some(Confidence::Prac),
            "know" => Some(Confidence::Know),
            "inference" => Some(Confidence::Inference),
            "programme" => Some(Confidence::Programme),
            "unverified" => Some(Confidence::Unverified),
            _ => None,
        }
    }

    /// The mark as written in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Reg => "reg",
            Confidence::Off => "off",
            Confidence::Prac => "prac",
            Confidence::Know => "know",
            Confidence::Inference => "inference",
            Confidence::Programme => "programme",
            Confidence::Unverified => "unverified",
        }
    }
}

/// Take the weight from a list entry instead of the rule's fixed weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightFrom {
    /// List name.
    pub list: String,
    pub(crate) list_index: usize,
    /// Facts whose values are looked up in the list, first match wins.
    pub keys: Vec<FactId>,
}

/// A validated rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Stable id, e.g. `R06`.
    pub id: String,
    /// What the rule produces.
    pub kind: RuleKind,
    /// Indonesian title.
    pub title_id: String,
    /// English title.
    pub title_en: String,
    /// Regulation or source the rule rests on.
    pub legal_basis: String,
    /// Source references (DOMAIN.md `[S..]`).
    pub sources: Vec<String>,
    /// How well founded the rule is.
    pub confidence: Confidence,
    /// When the rule is in force.
    pub validity: Validity,
    /// Points added when the rule fires (default when `weight_from` finds nothing).
    pub weight: i64,
    /// Optional list-driven weight.
    pub weight_from: Option<WeightFrom>,
    /// The condition as written.
    pub condition: String,
    /// The applicability condition as written, if any.
    pub applies_when: Option<String>,
    /// Indonesian explanation template.
    pub explain_id: Template,
    /// English explanation template.
    pub explain_en: Template,
    /// Every fact the rule reads (conditions, weight keys and templates).
    pub facts: Vec<FactId>,
    pub(crate) shared_id: Arc<str>,
    pub(crate) expr: Expr,
    pub(crate) applies: Option<Expr>,
}
