//! The condition language: a small, typed, side-effect-free expression language over facts.
//!
//! ```text
//! purpose == "work" and cpmi_status != "registered"
//! destination_country in list("high_risk_destinations")
//! sex == "P" and age between 17 and 45 and (interview_unclear_profile or interview_no_funds)
//! prior_deferrals > 0 or active_bar
//! missing("purpose_documents", purpose, documents_supplied) > 0
//! documents_supplied contains "guarantee_letter"
//! cpmi_status is unknown
//! ```
//!
//! No loops, no assignment, no user functions: conditions compare facts with literals, with
//! each other, with literal sets and with reference lists. Evaluation is three-valued
//! ([`Tri`], Kleene logic): a comparison that reads an unknown fact is Unknown; `and` is False
//! as soon as one side is False, `or` is True as soon as one side is True, otherwise Unknown
//! wins; only `is known` / `is unknown` turn an unknown fact into a definite answer.

pub(crate) mod compile;
pub(crate) mod eval;
pub mod syntax;

pub use eval::Tri;
pub use syntax::{SyntaxError, parse};
