//! The `jejak` binary.
fn main() {}
