//! Integration tests of the rules crate: the default catalogue, malformed files, lifecycle,
//! backtest and properties.

mod backtest;
mod catalogue;
mod lifecycle;
mod malformed;
mod properties;
mod smoke;
mod support;
