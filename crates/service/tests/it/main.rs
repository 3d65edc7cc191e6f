//! Service tests against real stores: screening kept current from the change sequence on
//! SQLite and PostgreSQL, facts and assessments derived from the register, persons under
//! officers' match verdicts.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod admin;
mod auth;
mod casework;
mod mirror;
mod partners;
mod persons;
mod rulesets;
mod screening;
mod snapshot;
mod stats;
mod support;
