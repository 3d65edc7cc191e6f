//! The storage contract: every behaviour is written once and run against SQLite and
//! PostgreSQL. PostgreSQL comes from `JEJAK_TEST_POSTGRES` (default: the local server,
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema. When the server
//! is unreachable the PostgreSQL half is skipped with a note, except under `CI=true`, where
//! that is a failure.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod anchors;
mod backends;
mod behaviour;
mod exchange;
mod identifiers;
mod import_paths;
mod match_decisions;
mod ops;
mod partners;
mod referrals;
mod reviews;
mod rulesets;
mod schema;
mod security;
mod users;
mod villages;
