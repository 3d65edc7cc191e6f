//! Benchmark: the dashboard's answer time over the aggregates of generated applications
//! (issue 16: <= 300 ms at 1,000,000): `stats::dashboard_of`, the whole answer of one
//! `/dasbor` view (the month x office grids of the seven measures, every breakdown and days
//! to decision, each suppressed, a region filter against its enclosing views), for 12 and 36
//! months, region-wide, one office, one regency and one district of origin; 7 runs each,
//! median and max.
//!
//! Run: `cargo run --release -p jejak-service --example dashboard -- 1000000`

use std::time::Instant;

use jejak_domain::{ApplicationKey, Decision, DecisionKind, NewDecision, OfficeCode};
use jejak_service::authz::{Actor, Role};
use jejak_service::stats::cube::{Cube, DecisionFacts, RiskBand, month_of};
use jejak_service::stats::{DashboardAsk, dashboard_of};

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
    // Region-wide, one office, one regency of origin (Lampung Selatan) and one district in
    // it: each view as `stats::dashboard` answers it (a region filter restricts the aggregates
    // and is suppressed against the enclosing views and the unfiltered origin breakdowns).
    let analyst = Actor::user("analis", "Analis", Role::Analis, offices[0].clone());
    let regency = jejak_domain::RegionCode::parse("18.01").ok();
    let district = jejak_domain::RegionCode::parse("18.01.04").ok();
    for months in [12, 36] {
        let views =
            [(None, None), (one.as_ref(), None), (None, regency.clone()), (None, district.clone())];
        for (office, region) in views {
            let to = month_of(day(2025, 12, 1));
            let mut times = Vec::new();
            for _ in 0..7 {
                let t = Instant::now();
                let ask = DashboardAsk {
                    from: to - (months - 1),
                    to,
                    office,
                    region: region.clone(),
                    as_of_seq: 0,
                };
                let view = dashboard_of(&cube, &offices, &analyst, ask);
                std::hint::black_box(view.expect("a dashboard view"));
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            eprintln!(
                "{months} months, {}: median {:.0} ms, max {:.0} ms",
                match (office, &region) {
                    (Some(o), _) => o.as_str().to_owned(),
                    (None, Some(r)) => format!("origin {}", r.dotted()),
                    (None, None) => "region".to_owned(),
                },
                times[3],
                times[6]
            );
        }
    }
}
