//! Risk indicators: a versioned, data-driven rule catalogue, its validation and its
//! evaluation against an application and derived facts. Pure: no I/O, no clock.
//!
//! * Rule files are TOML ([`RuleSet::from_toml`], [`RuleSet::load`]); the format is documented
//!   in `catalogue/example.toml`, the default catalogue (R01-R23) is [`catalogue::default_rule_set`].
//! * Conditions use a small three-valued language over the facts of [`facts::VOCABULARY`]
//!   ([`condition`]). An absent fact is unknown, never false.
//! * [`RuleSet::assess`] gives an [`Assessment`]: checklist of hard checks, advisory score and
//!   band, fired indicators with bilingual explanations and a per-rule trace.
//! * [`lifecycle`] holds the draft -> published (four-eyes) -> active transitions.
//! * [`backtest`] replays history against a candidate and the active rule set.

pub mod assess;
pub mod backtest;
pub mod catalogue;
pub mod condition;
pub mod diagnostic;
pub mod facts;
pub mod lifecycle;
pub mod list;
pub mod load;
pub mod region;
pub mod rule;
pub mod ruleset;
pub mod template;
pub mod validity;
pub mod value;

pub use assess::{
    Assessment, CheckStatus, FiredIndicator, HardCheck, Message, Outcome, RuleStatus, RuleTrace,
};
pub use diagnostic::{DiagCode, Diagnostic, Diagnostics, Severity};
pub use facts::{FactError, FactId, Facts};
pub use lifecycle::{LifecycleError, RuleSetInfo, Status};
pub use load::Source;
pub use rule::{Confidence, Rule, RuleKind};
pub use ruleset::{Band, Bands, RuleSet, RuleSetRef};
pub use value::{FactInput, FactType, Value};
