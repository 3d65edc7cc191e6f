//! Use cases shared by the CLI and the web layer: import, export, screening, assessing,
//! backtesting, audit verification, backup, retention and subject reports. Owns the store
//! handle; reads the clock only through `Clock` so tests control time.

pub mod admin;
pub mod admin_forms;
pub mod assess;
pub mod audit;
pub mod audit_anchor;
pub mod audit_batch;
pub mod auth;
pub mod authz;
pub mod backtest;
pub mod backup;
pub mod casework;
pub mod clock;
pub mod console;
pub mod contacts;
pub mod error;
pub mod exchange;
pub mod facts;
pub mod import;
pub mod mirror;
pub mod name_tokens;
pub mod partners;
pub mod person_graph;
pub mod persons;
pub mod referrals;
pub mod retention;
pub mod rulesets;
pub mod screening;
pub mod search;
pub mod security;
pub mod snapshot;
pub mod stats;
pub mod subject;
pub mod text;
pub mod token_cache;
pub mod views;
pub mod village_forms;
pub mod village_index;
pub mod villages;

pub use clock::{Clock, FixedClock, ManualClock, SystemClock};
pub use error::ServiceError;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
