//! Fuzzes the Indonesian name normaliser with arbitrary text: it must never panic, must
//! be idempotent (normalising the normalised name changes nothing), and a name prepared
//! as a record must compare exact with itself. Run with
//! `cargo fuzz run name_normaliser` from `fuzz/` (nightly).

#![no_main]

use std::sync::OnceLock;

use jejak_matching::name::NameNormaliser;
use jejak_matching::{Level, Model, Record};
use libfuzzer_sys::fuzz_target;

fn normaliser() -> &'static NameNormaliser {
    static NORMALISER: OnceLock<NameNormaliser> = OnceLock::new();
    NORMALISER.get_or_init(|| NameNormaliser::embedded().expect("embedded name tables are valid"))
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::interchange().expect("embedded model is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else { return };
    let once = normaliser().normalise(raw);
    let twice = normaliser().normalise(&once.display());
    assert_eq!(once.tokens, twice.tokens, "tokens not idempotent for {raw:?}");
    assert_eq!(once.equivalent_key, twice.equivalent_key, "equivalent key not idempotent for {raw:?}");
    assert_eq!(once.close_key, twice.close_key, "close key not idempotent for {raw:?}");

    let model = model();
    if let Ok(record) = Record::from_pairs(model, "fuzz", [("full_name", raw), ("mother_name", raw)]) {
        let prepared = model.prepare(&record);
        let parameters = jejak_matching::Parameters::defaults(model);
        for evidence in jejak_matching::Scorer::new(model, &parameters, 10_000.0)
            .explain(model, &prepared, &prepared, &jejak_matching::TermFrequencies::default())
        {
            assert!(
                matches!(evidence.level, Level::Exact | Level::Missing),
                "{} of {raw:?} is {:?} with itself",
                evidence.field,
                evidence.level
            );
        }
    }
});
