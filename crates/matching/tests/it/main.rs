//! Integration tests of the matching crate: one binary (STYLE.md §5.9), one module per
//! concern.

#![expect(clippy::unwrap_used, reason = "test helpers outside #[test] functions fail loudly too")]

mod evasions;
mod febrl;
mod screening;
mod synthetic;
