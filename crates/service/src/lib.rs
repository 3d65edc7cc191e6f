//! Use cases shared by the CLI and the web layer: import, export, screening, assessing,
//! backtesting. Owns the store handle; reads the clock only through `Clock` so tests control
//! time.

pub mod assess;
pub mod auth;
pub mod authz;
pub mod backtest;
pub mod clock;
pub mod error;
pub mod facts;
pub mod import;
pub mod register;
pub mod screening;

pub use clock::{Clock, FixedClock, ManualClock, SystemClock};
pub use error::ServiceError;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
