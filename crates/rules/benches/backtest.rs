//! Backtest speed: 1,000,000 historical applications through a candidate and a baseline rule
//! set (target <= 60 s on the 2-core machine).
//!
//! Run with `cargo bench -p jejak-rules --bench backtest`. The cases are 10,000 distinct
//! synthetic applications (every fact drawn from a seeded generator, about a third of the
//! facts unknown) pushed 100 times through one incremental [`Backtest`].

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jejak_rules::backtest::{Backtest, BacktestOptions, Case, OfficerOutcome};
use jejak_rules::facts::VOCABULARY;
use jejak_rules::{FactInput, FactType, Facts, RuleSet, catalogue};
use time::macros::date;

const DISTINCT: u64 = 10_000;
const REPEAT: usize = 100;

/// SplitMix64: a small, seeded generator so the corpus is the same on every run.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<'a>(pool: &[&'a str], seed: u64) -> &'a str {
    pool[(seed % pool.len() as u64) as usize]
}

fn facts(i: u64) -> Facts {
    let mut f = Facts::new();
    for (j, def) in VOCABULARY.iter().enumerate() {
        let seed = mix(i.wrapping_mul(131).wrapping_add(j as u64));
        if seed.is_multiple_of(3) {
            continue; // unknown
        }
        let input: FactInput = match def.ty {
            FactType::Bool => seed.is_multiple_of(7).into(),
            FactType::Int if def.name == "age" => ((seed % 60) as i64 + 15).into(),
            FactType::Int => ((seed % 11) as i64 / 8).into(),
            FactType::Enum(values) => pick(values, seed >> 8).into(),
            FactType::Country => {
                pick(&["MY", "SA", "KH", "JP", "TW", "HK", "AE", "AU"], seed >> 8).into()
            }
            FactType::Region => match def.name {
                "village_code" => {
                    pick(&["18.07.05.2001", "18.09.01.2004", "18.71.01.1001"], seed >> 8)
                }
                "domicile_district" => {
                    pick(&["18.07.05", "18.09.01", "18.71.01", "18.04.02"], seed >> 8)
                }
                _ => pick(&["18.07", "18.09", "18.71", "18.04", "18.02"], seed >> 8),
            }
            .into(),
            FactType::Text => {
                pick(&["PETANI/PEKEBUN", "KARYAWAN SWASTA", "MENGURUS RUMAH TANGGA"], seed >> 8)
                    .into()
            }
            FactType::Set(values) => values
                .iter()
                .enumerate()
                .filter(|(k, _)| (seed >> (8 + k)) & 3 == 0)
                .map(|(_, v)| (*v).to_owned())
                .collect::<Vec<String>>()
                .into(),
        };
        f.set(def.name, input).unwrap_or_else(|e| panic!("{e}"));
    }
    f
}

fn corpus() -> Vec<Case> {
    (0..DISTINCT)
        .map(|i| Case {
            id: format!("A{i:07}"),
            office_code: pick(&["BDL", "KLD", "KTB"], i).to_owned(),
            applied_on: date!(2023 - 01 - 01) + time::Duration::days((i * 1000 / DISTINCT) as i64),
            facts: facts(i),
            outcome: match mix(i) % 20 {
                0 => OfficerOutcome::Deferred,
                1 => OfficerOutcome::Rejected,
                2 => OfficerOutcome::Cancelled,
                3 => OfficerOutcome::Pending,
                _ => OfficerOutcome::Issued,
            },
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let baseline = catalogue::default_rule_set().unwrap_or_else(|d| panic!("{d}"));
    let mut sources = catalogue::default_sources();
    sources[0].text = sources[0].text.replace("[bands]\nmedium = 30", "[bands]\nmedium = 25");
    let candidate = RuleSet::load(&sources).unwrap_or_else(|d| panic!("{d}"));
    let cases = corpus();
    let mut group = c.benchmark_group("backtest");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("1m_cases_candidate_vs_baseline", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let mut run =
                    Backtest::new(&candidate, Some(&baseline), BacktestOptions::default());
                for _ in 0..REPEAT {
                    run.push(black_box(&cases));
                }
                let report = run.finish();
                total += start.elapsed();
                assert_eq!(report.cases_assessed, DISTINCT * REPEAT as u64);
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
