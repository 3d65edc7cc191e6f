//! Fuzz target: the rule-file loader and the condition parser must never panic, whatever the
//! input; they return diagnostics instead. Run with `cargo +nightly fuzz run rule_file`.

#![no_main]

use jejak_rules::{RuleSet, condition};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = condition::parse(text);
    if let Err(diagnostics) = RuleSet::from_toml("fuzz.toml", text) {
        // Rendering must not panic either (positions are clamped to the text).
        let _ = diagnostics.to_string();
    }
});
