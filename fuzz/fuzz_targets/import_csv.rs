//! Fuzz target: the CSV importer (`read_table`) must never panic on any file: every problem
//! becomes a diagnostic naming file, row and column, and every diagnostic renders. Valid rows
//! written back out as CSV read back to the same applications. Run with
//! `cargo fuzz run import_csv` from `fuzz/` (nightly), or see fuzz/README.md.

#![no_main]

use std::collections::HashSet;

use jejak_domain::Office;
use jejak_interchange::{Format, ReadOptions, read_table, write_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        known_offices: Office::lampung_pilot().into_iter().map(|o| o.code).collect::<HashSet<_>>(),
        ..ReadOptions::default()
    };
    let report = read_table(Format::Csv, data, "fuzz.csv", &options);
    for diagnostic in report.errors.iter().chain(report.warnings.iter()) {
        let _ = diagnostic.to_string();
    }
    if report.rows.is_empty() {
        return;
    }
    let apps: Vec<_> = report.rows.iter().map(|r| r.application.clone()).collect();
    let mut csv = Vec::new();
    write_csv(&mut csv, &apps).expect("writing valid rows to memory");
    let again = read_table(Format::Csv, &csv, "again.csv", &options);
    let back: Vec<_> = again.rows.iter().map(|r| r.application.clone()).collect();
    assert_eq!(back, apps, "valid rows must survive a CSV round trip");
});
