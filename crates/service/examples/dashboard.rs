//! Benchmark: the dashboard's answer time over the aggregates of generated applications
//! (issue 16: <= 300 ms at 1,000,000). Every query one `/dasbor` view makes (the month x
//! office grids of the seven measures with their suppression, every breakdown, days to
//! decision) for 12 and 36 months, region-wide and for one office; 7 runs each, median and
//! max.
//!
//! Run: `cargo run --release -p jejak-service --example dashboard -- 1000000`

use std::time::Instant;

use jejak_domain::{ApplicationKey, Decision, DecisionKind, NewDecision, OfficeCode};
use jejak_service::stats::cube::{Cube, DecisionFacts, RiskBand, month_of};
use jejak_service::stats::query::{
    Dimension, Filter, breakdown_counts_many, days_to_decision, publish_counts, publish_measures,
};

fn main() {
    let apps: usize = std::env::args().nth(1).and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let day = |y, m, d| jejak_domain::date::ymd(y, m, d).unwrap_or(time::Date::MIN);
    let started = Instant::now();
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: apps * 4 / 5,
        seed: 1,
        start: day(2023, 1, 1),
        end: day(2025, 12, 31),
        ..Default::default()
    });
    let generated = started.elapsed();
    let started = Instant::now();
    let mut cube = Cube::new();
    for (i, app) in data.applications.iter().enumerate() {
        let key = ApplicationKey(i as i64 + 1);
        cube.upsert(key, app);
        if let Some(kind) = DecisionKind::from_outcome(app.outcome) {
            let decision = Decision {
                id: key.0,
                change_seq: key.0,
                data: NewDecision {
                    application: key,
                    kind,
                    decided_on: app.decided_on.unwrap_or(app.applied_on),
                    deferral_until: None,
                    reason_codes: app
                        .outcome_reason
                        .iter()
                        .filter_map(|r| jejak_domain::decision::reason_code(r))
                        .map(|r| r.code.to_owned())
                        .collect(),
                    reason_text: None,
                    officer: None,
                },
            };
            cube.add_decision(key, DecisionFacts::of(&decision));
        }
        // An assessment for most applications: every 10th high, every 4th medium.
        let band = match i % 20 {
            0 | 10 => RiskBand::High,
            1 | 5 | 9 | 13 | 17 => RiskBand::Medium,
            19 => RiskBand::Unassessed,
            _ => RiskBand::Low,
        };
        // Rules fired: a few per assessed application, under two rule-set versions.
        let version = if i % 2 == 0 { "2025.1" } else { "2026.1" };
        let fired: &[&str] = match i % 7 {
            0 => &["R05", "R12"],
            1 => &["R20"],
            2 => &["R03", "R05", "R21"],
            _ => &[],
        };
        cube.set_assessment(key, band, i % 30 == 0, version, fired);
    }
    let built = started.elapsed();
    let mut offices: Vec<OfficeCode> = cube.offices.values().to_vec();
    offices.sort();
    let one = offices.first().cloned();
    eprintln!(
        "{} applications (generated in {:.1} s), aggregates built in {:.1} s: {} application cells, {} decision cells",
        cube.len(),
        generated.as_secs_f64(),
        built.as_secs_f64(),
        cube.apps.len(),
        cube.decisions.len()
    );
    for months in [12, 36] {
        for office in [None, one.as_ref()] {
            let filter = Filter {
                from: month_of(day(2025, 12, 1)) - (months - 1),
                to: month_of(day(2025, 12, 1)),
                region: None,
            };
            let mut times = Vec::new();
            // Per phase (ms): grids, breakdown counts, publishing the breakdowns, days.
            let mut phases = [0.0f64; 4];
            for _ in 0..7 {
                let t = Instant::now();
                let published = publish_measures(&cube, &filter, &offices);
                let t1 = t.elapsed().as_secs_f64() * 1000.0;
                let counts = breakdown_counts_many(&cube, &filter, &Dimension::ALL);
                let t2 = t.elapsed().as_secs_f64() * 1000.0;
                for (c, d) in counts.iter().zip(Dimension::ALL) {
                    std::hint::black_box(publish_counts(c, &filter, d, &published, office));
                }
                let t3 = t.elapsed().as_secs_f64() * 1000.0;
                std::hint::black_box(days_to_decision(&cube, &filter, office));
                let t4 = t.elapsed().as_secs_f64() * 1000.0;
                for (p, v) in phases.iter_mut().zip([t1, t2 - t1, t3 - t2, t4 - t3]) {
                    *p += v / 7.0;
                }
                times.push(t4);
            }
            eprintln!(
                "  mean per phase: grids {:.0} ms, breakdown counts {:.0} ms, publishing {:.0} ms, days {:.0} ms",
                phases[0], phases[1], phases[2], phases[3]
            );
            times.sort_by(f64::total_cmp);
            eprintln!(
                "{months} months, {}: median {:.0} ms, max {:.0} ms",
                office.map_or("region", |o| o.as_str()),
                times[3],
                times[6]
            );
        }
    }
}
