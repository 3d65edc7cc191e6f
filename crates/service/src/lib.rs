//! Use cases shared by the CLI and the web layer: import, export, screening, deciding.
//! Owns the store handle; reads the clock only through `Clock` so tests control time.

pub mod clock;
pub mod error;
pub mod import;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::ServiceError;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
