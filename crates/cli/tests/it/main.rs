//! End-to-end tests of the `jejak` binary: what an office administrator migrating from the
//! shared spreadsheet does, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod anchors;
mod crash;
mod exchange;
mod mistyped;
mod ops;
mod partners;
mod referral;
mod register;
mod risk;
mod rulesets;
mod security;
mod stats;
mod support;
mod two_servers;
mod users;
mod village;
