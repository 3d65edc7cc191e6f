//! Property tests: three-valued soundness (an unknown fact never makes a rule fire that would
//! not fire with the fact known), determinism, score consistency, and total parsing.

use jejak_rules::backtest::{BacktestOptions, Case, OfficerOutcome, backtest};
use jejak_rules::facts::VOCABULARY;
use jejak_rules::{
    Assessment, FactInput, FactType, Facts, RuleSet, RuleStatus, catalogue, condition,
};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

use crate::support::default_set;

fn pick<'a>(pool: &[&'a str], seed: u64) -> &'a str {
    pool[(seed % pool.len() as u64) as usize]
}

/// A value for every fact of the vocabulary, derived from one seed per fact.
fn full_facts(seeds: &[u64]) -> Facts {
    let mut f = Facts::new();
    for (def, &seed) in VOCABULARY.iter().zip(seeds) {
        let input: FactInput = match def.ty {
            FactType::Bool => (seed & 1 == 1).into(),
            FactType::Int if def.name == "age" => ((seed % 80) as i64 + 10).into(),
            FactType::Int => ((seed % 4) as i64).into(),
            FactType::Enum(values) => pick(values, seed).into(),
            FactType::Country => {
                pick(&["MY", "SA", "KH", "JP", "TW", "AE", "TH", "AU"], seed).into()
            }
            FactType::Region => match def.name {
                "village_code" => pick(
                    &["18.07.05.2001", "18.09.01.2004", "18.71.01.1001", "18.04.02.2003"],
                    seed,
                ),
                "domicile_district" => {
                    pick(&["18.07.05", "18.09.01", "18.71.01", "18.04.02"], seed)
                }
                _ => pick(&["18.07", "18.09", "18.71", "18.04", "18.02"], seed),
            }
            .into(),
            FactType::Text => pick(
                &[
                    "PETANI/PEKEBUN",
                    "KARYAWAN SWASTA",
                    "MENGURUS RUMAH TANGGA",
                    "BELUM/TIDAK BEKERJA",
                ],
                seed,
            )
            .into(),
            FactType::Set(values) => values
                .iter()
                .enumerate()
                .filter(|(i, _)| seed & (1 << i) != 0)
                .map(|(_, v)| (*v).to_owned())
                .collect::<Vec<String>>()
                .into(),
        };
        f.set(def.name, input).unwrap_or_else(|e| panic!("{e}"));
    }
    f
}

fn without(full: &Facts, mask: u64) -> Facts {
    let mut f = full.clone();
    for (i, def) in VOCABULARY.iter().enumerate() {
        if mask & (1 << i) != 0 {
            f.unset(def.name).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    f
}

fn date_strategy() -> impl Strategy<Value = Date> {
    (0i32..4000).prop_map(|d| date!(2014 - 01 - 01) + time::Duration::days(i64::from(d)))
}

fn fires(s: RuleStatus) -> bool {
    s == RuleStatus::Fired
}

fn decided_not(s: RuleStatus) -> bool {
    matches!(s, RuleStatus::NotFired | RuleStatus::NotApplicable | RuleStatus::NotInForce)
}

fn check_consistency(set: &RuleSet, a: &Assessment, facts: &Facts, on: Date) {
    let lean = set.evaluate(facts, on);
    assert_eq!(lean.score, a.score);
    assert_eq!(lean.band, a.band);
    assert_eq!(lean.flagged(), a.flagged);
    let statuses: Vec<RuleStatus> = a.trace.iter().map(|t| t.status).collect();
    assert_eq!(lean.statuses, statuses);
    assert_eq!(a.score, a.indicators.iter().map(|i| i.weight).sum::<i64>());
    assert!(a.potential_score >= a.score);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn unknown_facts_never_change_a_decided_rule(
        seeds in prop::collection::vec(any::<u64>(), VOCABULARY.len()),
        mask in any::<u64>(),
        on in date_strategy(),
    ) {
        prop_assume!(VOCABULARY.len() <= 64);
        let set = default_set();
        let full = full_facts(&seeds);
        let partial = without(&full, mask);
        let a_full = set.assess(&full, on);
        let a_part = set.assess(&partial, on);
        for (f, p) in a_full.trace.iter().zip(&a_part.trace) {
            prop_assert_ne!(f.status, RuleStatus::Unknown, "{} unknown with every fact known", &f.id);
            if fires(p.status) {
                prop_assert!(fires(f.status), "{} fired on partial facts only", &p.id);
            }
            if decided_not(p.status) {
                prop_assert!(decided_not(f.status), "{} decided wrongly on partial facts", &p.id);
            }
            if p.status == RuleStatus::Unknown {
                prop_assert!(!p.unknown_facts.is_empty(), "{} unknown without a reason", &p.id);
            }
        }
        prop_assert!(a_part.score <= a_full.score || a_part.potential_score >= a_full.score);
        check_consistency(set, &a_full, &full, on);
        check_consistency(set, &a_part, &partial, on);
    }

    #[test]
    fn assessment_is_deterministic(
        seeds in prop::collection::vec(any::<u64>(), VOCABULARY.len()),
        mask in any::<u64>(),
        on in date_strategy(),
    ) {
        let set = default_set();
        let facts = without(&full_facts(&seeds), mask);
        let first = set.assess(&facts, on);
        let again = set.assess(&facts.clone(), on);
        prop_assert_eq!(first, again);
    }

    #[test]
    fn the_condition_parser_is_total(text in ".{0,80}") {
        let _ = condition::parse(&text);
    }

    #[test]
    fn mutated_catalogue_files_load_or_explain_why(
        file in 0usize..5,
        at in any::<prop::sample::Index>(),
        byte in 32u8..127,
    ) {
        let mut sources = catalogue::default_sources();
        let text = &mut sources[file].text;
        let mut i = at.index(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        let len = text[i..].chars().next().map_or(0, char::len_utf8);
        text.replace_range(i..i + len, &char::from(byte).to_string());
        if let Err(d) = RuleSet::load(&sources) {
            prop_assert!(d.errors().count() > 0);
            for e in &d.0 {
                prop_assert!(e.line >= 1 && e.column >= 1);
                prop_assert!(sources.iter().any(|s| s.name == e.file));
                let lines = sources.iter().find(|s| s.name == e.file).map_or(0, |s| s.text.lines().count());
                prop_assert!(e.line <= lines + 1, "{e}");
            }
        }
    }

    #[test]
    fn the_rule_file_loader_is_total(text in "(\\[\\[rule\\]\\]|\\[rule_set\\]|id = |condition = '|[a-z_]{1,8}|\"|'|=|\n| |[0-9]){0,60}") {
        let _ = RuleSet::from_toml("fuzz.toml", &text);
    }
}

#[test]
fn backtest_is_deterministic_across_parallel_chunks() {
    let cases: Vec<Case> = (0..5000u64)
        .map(|i| {
            let seeds: Vec<u64> = (0..VOCABULARY.len() as u64)
                .map(|j| {
                    i.wrapping_mul(6364136223846793005)
                        .wrapping_add(j.wrapping_mul(1442695040888963407))
                        >> 7
                })
                .collect();
            Case {
                id: format!("c{i}"),
                office_code: "BDL".into(),
                applied_on: date!(2024 - 01 - 01) + time::Duration::days((i / 10) as i64),
                facts: without(&full_facts(&seeds), i.wrapping_mul(2654435761) & 0xFFFF_FFFF),
                outcome: match i % 5 {
                    0 => OfficerOutcome::Deferred,
                    1 => OfficerOutcome::Rejected,
                    2 => OfficerOutcome::Pending,
                    _ => OfficerOutcome::Issued,
                },
            }
        })
        .collect();
    let set = default_set();
    let one = backtest(&cases, set, Some(set), BacktestOptions::default());
    let two = backtest(&cases, set, Some(set), BacktestOptions::default());
    assert_eq!(one, two);
    assert_eq!(one.differences_total, 0, "a rule set does not differ from itself");
    let fired: u64 = one.rules.iter().map(|r| r.fired).sum();
    let sequential: u64 = cases
        .iter()
        .map(|c| {
            set.evaluate(&c.facts, c.applied_on).statuses.iter().filter(|s| fires(**s)).count()
                as u64
        })
        .sum();
    assert_eq!(fired, sequential);
}
