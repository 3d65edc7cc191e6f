//! Example bench (issue 14): what linking one new application against 10,000 open village
//! reports adds to its screening. The applicants come from the synthetic Lampung generator
//! (`jejak-synth`: realistic names, birth dates, villages, phones, P3MI and broker sponsors
//! with their phones). The reports are written about part of that population, as a PIMPASA
//! would: each names one earlier applicant (name and birth date) with some probability, the
//! sponsor's or the applicant's phone, the sponsor as recruiter or agency, in the applicant's
//! village. The later applicants are then linked one by one, each link timed (the fastest
//! of five runs, so time spent preempted by other processes does not count).
//!
//! `cargo run --release -p jejak-service --example village_link -- [REPORTS] [PERSONS]`
#![allow(clippy::print_stdout, clippy::unwrap_used, reason = "an example that prints figures")]

use std::time::{Duration, Instant};

use jejak_domain::date::ymd;
use jejak_domain::{
    NewApplication, NewVillageReport, OfficeCode, ReportPerson, ReportStatus, ReportTopic,
    VillageReport,
};
use jejak_matching::Model;
use jejak_service::village_index::VillageIndex;

/// Runs per application; the fastest counts.
const RUNS: usize = 5;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.next(100) < percent
    }
}

/// A report about `source`, as a PIMPASA would write it.
fn report_about(i: usize, source: &NewApplication, rng: &mut Lcg) -> Option<VillageReport> {
    let village = source.village_code.clone()?;
    let mut persons = Vec::new();
    if rng.chance(60) {
        persons.push(ReportPerson {
            name: source.full_name.clone(),
            birth_date: source.birth_date,
            nik: None,
            relation: Some("calon pekerja".into()),
        });
    }
    let mut phones = Vec::new();
    if let Some(phone) = source.sponsor_phone.clone().filter(|_| rng.chance(50)) {
        phones.push(phone);
    } else if let Some(phone) = source.phone.clone().filter(|_| rng.chance(30)) {
        phones.push(phone);
    }
    let mut recruiters = Vec::new();
    let mut agency = None;
    if let Some(sponsor) = source.sponsor_name.clone().filter(|_| rng.chance(40)) {
        if sponsor.starts_with("PT") { agency = Some(sponsor) } else { recruiters.push(sponsor) }
    }
    let topic = if rng.chance(70) { ReportTopic::Recruiter } else { ReportTopic::PlannedDeparture };
    Some(VillageReport {
        data: NewVillageReport {
            report_id: format!("r-{i}"),
            village,
            reported_on: source.applied_on - time::Duration::days(rng.next(90) as i64),
            topic,
            source_reliability: "C".into(),
            info_credibility: 3,
            persons,
            phones,
            recruiters,
            agency,
            destination_country: source.destination_country,
            planned_departure_on: None,
            narrative: "calo menawarkan kerja ke luar negeri".into(),
            source: None,
            reported_by: "desa".into(),
        },
        office: OfficeCode::parse("KLA").unwrap(),
        status: ReportStatus::New,
        filed_at: "2025-10-01T00:00:00Z".into(),
        acknowledged_at: None,
        change_seq: i as i64,
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reports: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let persons: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(40_000);
    let generated = Instant::now();
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons,
        seed: 14,
        start: ymd(2024, 1, 1).unwrap(),
        end: ymd(2025, 12, 31).unwrap(),
        ..jejak_synth::Config::default()
    });
    let apps = &data.applications;
    println!(
        "{} synthetic applications of {persons} persons in {:.1} s",
        apps.len(),
        generated.elapsed().as_secs_f64()
    );
    // Reports are about the first half (in date order); the second half are the new
    // applications screened.
    let half = apps.len() / 2;
    let model = Model::interchange().unwrap();
    let normaliser = model.normaliser();
    let mut rng = Lcg(7);
    let mut index = VillageIndex::default();
    let built = Instant::now();
    let mut n = 0;
    while index.len() < reports {
        let source = &apps[rng.next(half)];
        if let Some(report) = report_about(n, source, &mut rng) {
            index.upsert(&report, normaliser);
        }
        n += 1;
    }
    let build_time = built.elapsed();
    let screened = &apps[half..];
    for a in screened.iter().take(200) {
        std::hint::black_box(index.link(a, normaliser));
    }
    let mut times: Vec<(Duration, usize, [usize; 4])> = Vec::with_capacity(screened.len());
    let (mut links, mut linked_apps, mut strong) = (0usize, 0usize, 0usize);
    let started = Instant::now();
    for a in screened {
        // The fastest of `RUNS` runs: on a shared machine a single run may include time the
        // process spent preempted, which is not the cost of linking.
        let mut elapsed = Duration::MAX;
        let mut alerts = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            alerts = index.link(a, normaliser);
            elapsed = elapsed.min(t.elapsed());
        }
        let mut by = [0usize; 4];
        for alert in &alerts {
            by[alert.linked_by as usize] += 1;
        }
        times.push((elapsed, alerts.len(), by));
        links += alerts.len();
        linked_apps += usize::from(!alerts.is_empty());
        strong += usize::from(alerts.iter().any(|x| x.via_person || x.via_sponsor));
    }
    let wall = started.elapsed();
    let total: Duration = times.iter().map(|(d, _, _)| *d).sum();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].0;
    // What the slowest 1 % link to: (alerts, by person / phone / recruiter / village).
    let slow = &times[times.len() * 99 / 100..];
    let mut slow_by = [0usize; 4];
    for (_, _, by) in slow {
        for (i, n) in by.iter().enumerate() {
            slow_by[i] += n;
        }
    }
    let slow_links: usize = slow.iter().map(|(_, n, _)| n).sum();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "{reports} open reports (index built in {:.1} ms); {} applications linked in {:.1} ms \
         ({:.1} ms wall for {RUNS} runs each): \
         mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs per application; \
         {linked_apps} applications with an alert ({strong} by person, phone or sponsor), {links} links",
        build_time.as_secs_f64() * 1e3,
        screened.len(),
        total.as_secs_f64() * 1e3,
        wall.as_secs_f64() * 1e3,
        us(total) / screened.len() as f64,
        us(at(0.5)),
        us(at(0.99)),
        us(at(1.0)),
    );
    println!(
        "slowest 1 %: {:.0} alerts per application on average (strongest link: person {}, phone {}, recruiter {}, village {})",
        slow_links as f64 / slow.len() as f64,
        slow_by[0] / slow.len(),
        slow_by[1] / slow.len(),
        slow_by[2] / slow.len(),
        slow_by[3] / slow.len(),
    );
}
