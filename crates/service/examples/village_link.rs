//! Example bench (issue 14): what linking one application against 10,000 open village
//! reports costs. Builds a `VillageIndex` of synthetic reports (named persons with birth
//! dates, phones, recruiters and agencies, Lampung villages), then links applications of
//! which about one in ten shares a phone, a sponsor name or a person with some report.
//!
//! `cargo run --release -p jejak-service --example village_link -- [REPORTS] [APPLICATIONS]`
#![allow(clippy::print_stdout, clippy::unwrap_used, reason = "an example that prints figures")]

use std::time::Instant;

use jejak_domain::date::ymd;
use jejak_domain::region::{RegionLevel, regions};
use jejak_domain::{
    NewApplication, NewVillageReport, OfficeCode, Phone, RegionCode, ReportPerson, ReportStatus,
    ReportTopic, VillageReport,
};
use jejak_matching::Model;
use jejak_service::village_index::VillageIndex;

const GIVEN: &[&str] =
    &["Siti", "Sri", "Dewi", "Budi", "Agus", "Joko", "Nur", "Ahmad", "Rina", "Wahyu"];
const FAMILY: &[&str] =
    &["Rohmah", "Lestari", "Santoso", "Hidayat", "Saputra", "Wati", "Susanti", "Pratama"];
const ORGS: &[&str] = &["Maju", "Jaya", "Sinar", "Abadi", "Makmur", "Sentosa", "Mandiri", "Bahari"];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn phone(n: usize) -> Phone {
    Phone::parse(&format!("0812{:08}", n % 100_000_000)).unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reports: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let apps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    // Every Lampung village of the embedded Kemendagri list.
    let villages: Vec<RegionCode> = regions()
        .at_level(RegionLevel::Village)
        .into_iter()
        .map(|r| r.code.clone())
        .filter(|c| c.as_str().starts_with("18"))
        .collect();
    let model = Model::interchange().unwrap();
    let normaliser = model.normaliser();
    let mut rng = Lcg(7);
    let kla = OfficeCode::parse("KLA").unwrap();
    let mut index = VillageIndex::default();
    let built = Instant::now();
    for i in 0..reports {
        let birth = ymd(1970 + rng.next(35) as i32, 1 + rng.next(12) as u8, 1 + rng.next(28) as u8);
        let name = format!("{} {}", GIVEN[rng.next(GIVEN.len())], FAMILY[rng.next(FAMILY.len())]);
        let org = format!("PT {} {}", ORGS[rng.next(ORGS.len())], ORGS[rng.next(ORGS.len())]);
        let report = VillageReport {
            data: NewVillageReport {
                report_id: format!("r-{i}"),
                village: villages[rng.next(villages.len())].clone(),
                reported_on: ymd(2025, 10, 1).unwrap(),
                topic: ReportTopic::Recruiter,
                source_reliability: "C".into(),
                info_credibility: 3,
                persons: vec![ReportPerson { name, birth_date: birth, nik: None, relation: None }],
                phones: vec![phone(i * 7919)],
                recruiters: vec![format!("Pak {}", GIVEN[rng.next(GIVEN.len())])],
                agency: Some(org),
                destination_country: None,
                planned_departure_on: None,
                narrative: "x".into(),
                source: None,
                reported_by: "desa".into(),
            },
            office: kla.clone(),
            status: ReportStatus::New,
            filed_at: "2025-10-01T00:00:00Z".into(),
            acknowledged_at: None,
            change_seq: i as i64,
        };
        index.upsert(&report, normaliser);
    }
    let build_time = built.elapsed();
    let mut applications = Vec::with_capacity(apps);
    for i in 0..apps {
        let mut a = NewApplication::new(
            &format!("A-{i}"),
            kla.clone(),
            ymd(2025, 10, 6).unwrap(),
            &format!("{} {}", GIVEN[rng.next(GIVEN.len())], FAMILY[rng.next(FAMILY.len())]),
        );
        a.birth_date =
            ymd(1970 + rng.next(35) as i32, 1 + rng.next(12) as u8, 1 + rng.next(28) as u8);
        a.phone = Some(phone(rng.next(100_000_000)));
        a.sponsor_phone =
            Some(phone(if i % 10 == 0 { rng.next(reports) * 7919 } else { rng.next(100_000_000) }));
        a.sponsor_name =
            Some(format!("CV {} {}", ORGS[rng.next(ORGS.len())], ORGS[rng.next(ORGS.len())]));
        a.village_code = Some(villages[rng.next(villages.len())].clone());
        applications.push(a);
    }
    // Warm up, then measure.
    let mut linked = 0usize;
    for a in applications.iter().take(100) {
        linked += index.link(a, normaliser).len();
    }
    let started = Instant::now();
    let mut with_person_or_phone = 0usize;
    for a in &applications {
        let alerts = index.link(a, normaliser);
        linked += alerts.len();
        with_person_or_phone += usize::from(alerts.iter().any(|x| x.via_person || x.via_sponsor));
    }
    let elapsed = started.elapsed();
    println!(
        "{reports} open reports (index built in {:.1} ms); {apps} applications linked in {:.1} ms: \
         {:.1} µs per application; {with_person_or_phone} linked by person, phone or recruiter; {linked} links",
        build_time.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / apps as f64,
    );
}
