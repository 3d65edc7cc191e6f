//! Fuzz target: the JSON API's application payload (`POST /api/v1/applications` and
//! `/api/v1/screen` go through `parse_json_record`) must never panic on any body: it is either
//! refused with an error that renders, or parsed into an application or field problems. Run
//! with `cargo fuzz run api_application_json` from `fuzz/` (nightly), or see fuzz/README.md.

#![no_main]

use std::collections::HashSet;

use jejak_domain::{Office, OfficeCode};
use jejak_interchange::parse_json_record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let offices: HashSet<OfficeCode> = Office::lampung_pilot().into_iter().map(|o| o.code).collect();
    let Some(default) = offices.iter().min().cloned() else { return };
    match parse_json_record(data, &default, &offices) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(parsed) => {
            assert!(
                parsed.application.is_some() != !parsed.errors.is_empty(),
                "either an application or problems"
            );
            for problem in parsed.errors.iter().chain(parsed.warnings.iter()) {
                assert!(!problem.message.is_empty());
            }
        }
    }
});
