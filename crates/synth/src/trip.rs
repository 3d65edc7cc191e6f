//! What an application asks for and what the office decided: purpose and destination
//! weighted like Lampung (DOMAIN.md §5.2, §6.2), sponsors and brokers, CPMI ids, outcomes
//! with reason codes or text (§2.3).

use rand::Rng;
use time::{Date, Duration};

use jejak_domain::decision::REASON_CODES;
use jejak_domain::{CountryCode, Outcome, Phone, Purpose};

use crate::alloc::Allocators;
use crate::pick::{Pool, Rng8, chance, weighted};
use crate::tables::tables;

const TRAVELLER_PURPOSE: [(Purpose, u32); 8] = [
    (Purpose::Tourism, 45),
    (Purpose::Umrah, 30),
    (Purpose::FamilyVisit, 8),
    (Purpose::Hajj, 3),
    (Purpose::Study, 4),
    (Purpose::Business, 4),
    (Purpose::Medical, 3),
    (Purpose::Other, 2),
];

const MIGRANT_PURPOSE: [(Purpose, u32); 5] = [
    (Purpose::Work, 50),
    (Purpose::Tourism, 20),
    (Purpose::Umrah, 12),
    (Purpose::FamilyVisit, 15),
    (Purpose::Other, 3),
];

const MINOR_PURPOSE: [(Purpose, u32); 4] =
    [(Purpose::Tourism, 45), (Purpose::Umrah, 35), (Purpose::FamilyVisit, 15), (Purpose::Study, 5)];

type Destinations = &'static [(&'static str, u32)];

const WORK: Destinations = &[("TW", 38), ("HK", 28), ("MY", 17), ("SG", 10), ("JP", 5), ("KR", 2)];
const HOLY: Destinations = &[("SA", 1)];
const MIGRANT_TOURISM: Destinations = &[
    ("MY", 50),
    ("SG", 8),
    ("TH", 8),
    ("KH", 12),
    ("AE", 4),
    ("SA", 5),
    ("VN", 4),
    ("MM", 3),
    ("LA", 3),
    ("PH", 3),
];
const MIGRANT_FAMILY: Destinations =
    &[("MY", 45), ("SA", 20), ("AE", 8), ("HK", 8), ("TW", 8), ("SG", 6), ("QA", 3), ("KW", 2)];
const TOURISM: Destinations = &[
    ("MY", 30),
    ("SG", 18),
    ("TH", 12),
    ("JP", 6),
    ("KR", 6),
    ("CN", 4),
    ("TR", 5),
    ("VN", 4),
    ("HK", 3),
    ("AU", 3),
    ("AE", 3),
    ("KH", 2),
    ("PH", 2),
    ("NL", 1),
    ("GB", 1),
];
const FAMILY: Destinations = &[
    ("MY", 30),
    ("SA", 10),
    ("SG", 10),
    ("AU", 8),
    ("NL", 8),
    ("US", 6),
    ("JP", 6),
    ("HK", 5),
    ("TW", 5),
    ("KR", 4),
    ("AE", 4),
    ("DE", 4),
];
const STUDY: Destinations =
    &[("MY", 25), ("JP", 15), ("EG", 15), ("SA", 10), ("AU", 10), ("TR", 10), ("CN", 8), ("KR", 7)];
const BUSINESS: Destinations =
    &[("CN", 35), ("MY", 20), ("SG", 20), ("TH", 10), ("VN", 5), ("IN", 10)];
const MEDICAL: Destinations = &[("MY", 70), ("SG", 30)];
const OTHER: Destinations = &[("MY", 40), ("SG", 20), ("SA", 20), ("TH", 20)];

fn destinations(purpose: Purpose, migrant: bool) -> Destinations {
    match (purpose, migrant) {
        (Purpose::Work, _) => WORK,
        (Purpose::Umrah | Purpose::Hajj, _) => HOLY,
        (Purpose::Tourism, true) => MIGRANT_TOURISM,
        (Purpose::Tourism, false) => TOURISM,
        (Purpose::FamilyVisit, true) => MIGRANT_FAMILY,
        (Purpose::FamilyVisit, false) => FAMILY,
        (Purpose::Study, _) => STUDY,
        (Purpose::Business, _) => BUSINESS,
        (Purpose::Medical, _) => MEDICAL,
        (Purpose::Other, _) => OTHER,
    }
}

/// Who arranges or pays a trip.
#[derive(Debug, Clone)]
pub(crate) struct Sponsor {
    pub(crate) name: String,
    pub(crate) phone: Phone,
}

/// Sponsors of one run: agencies and operators, and individual brokers whose name and
/// phone recur across unrelated applicants (R17).
pub(crate) struct Sponsors {
    p3mi: Vec<Sponsor>,
    ppiu: Vec<Sponsor>,
    travel: Vec<Sponsor>,
    brokers: Vec<Sponsor>,
    /// A few brokers recruit most (Zipf-like weights).
    broker_pool: Pool<usize>,
}

fn from_section(rng: &mut Rng8, alloc: &mut Allocators, section: &str) -> Vec<Sponsor> {
    tables()
        .pool(section)
        .items()
        .iter()
        .map(|name| Sponsor {
            name: (*name).to_owned(),
            phone: if chance(rng, 0.6) { alloc.landline(rng) } else { alloc.phone(rng) },
        })
        .collect()
}

impl Sponsors {
    pub(crate) fn new(rng: &mut Rng8, alloc: &mut Allocators, persons: usize) -> Self {
        let count = (persons / 250).clamp(5, 4000);
        let t = tables();
        let brokers: Vec<Sponsor> = (0..count)
            .map(|_| {
                let form = t.pool("address").pick(rng).copied().unwrap_or("Pak");
                let female = matches!(form, "Bu" | "Mbak" | "Hj.");
                let section = if female { "javanese.female" } else { "javanese.male" };
                let given = t.pool(section).pick(rng).copied().unwrap_or("Darto");
                Sponsor { name: format!("{form} {given}"), phone: alloc.phone(rng) }
            })
            .collect();
        let broker_pool = (0..count).map(|i| (i, (10_000 / (i + 1)) as u32 + 1)).collect();
        Self {
            p3mi: from_section(rng, alloc, "p3mi"),
            ppiu: from_section(rng, alloc, "ppiu"),
            travel: from_section(rng, alloc, "travel"),
            brokers,
            broker_pool,
        }
    }

    fn pick<'a>(rng: &mut Rng8, list: &'a [Sponsor]) -> Option<&'a Sponsor> {
        if list.is_empty() { None } else { list.get(rng.random_range(0..list.len())) }
    }

    fn broker(&self, rng: &mut Rng8) -> Option<(usize, &Sponsor)> {
        let i = self.broker_pool.pick(rng).copied()?;
        self.brokers.get(i).map(|b| (i, b))
    }
}

/// The travel part of one application.
#[derive(Debug, Clone)]
pub(crate) struct Trip {
    pub(crate) purpose: Purpose,
    pub(crate) destination: CountryCode,
    pub(crate) sponsor: Option<Sponsor>,
    pub(crate) broker: Option<usize>,
    /// Work through the procedural channel, with a CPMI registration.
    pub(crate) procedural: bool,
    /// A migrant declaring another purpose: the PMI-NP pattern officers look for.
    pub(crate) disguised: bool,
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("destination tables hold ISO codes")
}

/// A trip for a person; `avoid` is a purpose an evasive re-applicant no longer declares.
pub(crate) fn trip(
    rng: &mut Rng8,
    sponsors: &Sponsors,
    migrant: bool,
    minor: bool,
    avoid: Option<Purpose>,
) -> Trip {
    let table: &[(Purpose, u32)] = if minor {
        &MINOR_PURPOSE
    } else if migrant {
        &MIGRANT_PURPOSE
    } else {
        &TRAVELLER_PURPOSE
    };
    let weights: Vec<u32> =
        table.iter().map(|(p, w)| if Some(*p) == avoid { 0 } else { *w }).collect();
    let purpose = table[weighted(rng, &weights)].0;
    let dest = destinations(purpose, migrant);
    let dest_weights: Vec<u32> = dest.iter().map(|(_, w)| *w).collect();
    let destination = country(dest[weighted(rng, &dest_weights)].0);
    let disguised = migrant && purpose != Purpose::Work;
    let mut broker = None;
    let sponsor = match purpose {
        Purpose::Work => Sponsors::pick(rng, &sponsors.p3mi).filter(|_| chance(rng, 0.95)).cloned(),
        Purpose::Umrah | Purpose::Hajj if disguised && chance(rng, 0.35) => {
            sponsors.broker(rng).map(|(i, b)| {
                broker = Some(i);
                b.clone()
            })
        }
        Purpose::Umrah | Purpose::Hajj => {
            Sponsors::pick(rng, &sponsors.ppiu).filter(|_| chance(rng, 0.75)).cloned()
        }
        _ if disguised && chance(rng, 0.35) => sponsors.broker(rng).map(|(i, b)| {
            broker = Some(i);
            b.clone()
        }),
        Purpose::Tourism => {
            Sponsors::pick(rng, &sponsors.travel).filter(|_| chance(rng, 0.05)).cloned()
        }
        _ => None,
    };
    let procedural = purpose == Purpose::Work && chance(rng, 0.85);
    Trip { purpose, destination, sponsor, broker, procedural, disguised }
}

/// A relative abroad who invites (family visits); a new phone each time.
pub(crate) fn relative(rng: &mut Rng8, alloc: &mut Allocators) -> Sponsor {
    let t = tables();
    let section = if chance(rng, 0.5) { "javanese.female" } else { "malay.male" };
    let a = t.pool(section).pick(rng).copied().unwrap_or("Sari");
    let b = t.pool(section).pick(rng).copied().unwrap_or("Dewi");
    let name = if a == b { a.to_owned() } else { format!("{a} {b}") };
    Sponsor { name, phone: alloc.phone(rng) }
}

/// The decision on an application.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    pub(crate) outcome: Outcome,
    pub(crate) reason: Option<String>,
    pub(crate) decided_on: Option<Date>,
}

impl Decision {
    /// Not decided yet.
    pub(crate) fn pending() -> Self {
        Decision { outcome: Outcome::Pending, reason: None, decided_on: None }
    }

    pub(crate) fn adverse(&self) -> bool {
        matches!(self.outcome, Outcome::Deferred | Outcome::Rejected | Outcome::Cancelled)
    }
}

fn reason(rng: &mut Rng8, code: &str) -> String {
    let entry = REASON_CODES.iter().find(|r| r.code == code);
    match entry {
        Some(r) if chance(rng, 0.5) => r.indonesian.to_owned(),
        _ => code.to_owned(),
    }
}

/// Probability that an office defers or refuses this trip.
pub(crate) fn adverse_risk(trip: &Trip) -> f64 {
    if trip.purpose == Purpose::Work {
        if trip.procedural { 0.03 } else { 0.7 }
    } else if trip.disguised {
        0.3
    } else {
        0.012
    }
}

/// Decides an application made on `applied_on`; `adverse` says whether it goes against the
/// applicant. Decisions that would fall after `end` are still pending.
pub(crate) fn decide(
    rng: &mut Rng8,
    trip: &Trip,
    adverse: bool,
    applied_on: Date,
    end: Date,
) -> Decision {
    let (outcome, reason, days) = if !adverse {
        (Outcome::Issued, None, rng.random_range(1..=7))
    } else {
        match weighted(rng, &[70, 20, 10]) {
            0 => {
                let code = if trip.purpose == Purpose::Work && !trip.procedural {
                    "NO_CPMI_REC"
                } else {
                    ["PMI_NP", "PMI_NP", "PMI_NP", "INTERVIEW", "PURPOSE_UNCLEAR", "TPPO"]
                        [weighted(rng, &[40, 10, 10, 15, 20, 5])]
                };
                (Outcome::Deferred, Some(reason(rng, code)), rng.random_range(0..=2))
            }
            1 => {
                let code = ["PMI_NP", "NO_CPMI_REC", "IDENTITY_DIFFERS", "PREVENTION_LIST"]
                    [weighted(rng, &[50, 25, 20, 5])];
                (Outcome::Rejected, Some(reason(rng, code)), rng.random_range(0..=5))
            }
            _ => {
                let code = if chance(rng, 0.7) { "DOCS_30D" } else { "DUPLICATE" };
                (Outcome::Cancelled, Some(reason(rng, code)), rng.random_range(30..=35))
            }
        }
    };
    let decided_on = applied_on + Duration::days(days);
    if decided_on > end {
        return Decision::pending();
    }
    Decision { outcome, reason, decided_on: Some(decided_on) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn destination_tables_hold_known_countries() {
        for table in [
            WORK,
            HOLY,
            MIGRANT_TOURISM,
            MIGRANT_FAMILY,
            TOURISM,
            FAMILY,
            STUDY,
            BUSINESS,
            MEDICAL,
            OTHER,
        ] {
            for (code, _) in table {
                assert!(CountryCode::parse(code).is_ok(), "{code}");
            }
        }
    }

    #[test]
    fn migrants_mostly_work_and_umrah_goes_to_saudi_arabia() {
        let mut rng = Rng8::seed_from_u64(3);
        let mut alloc = Allocators::default();
        let sponsors = Sponsors::new(&mut rng, &mut alloc, 10_000);
        let trips: Vec<Trip> =
            (0..2000).map(|_| trip(&mut rng, &sponsors, true, false, None)).collect();
        let work = trips.iter().filter(|t| t.purpose == Purpose::Work).count();
        assert!((850..1150).contains(&work), "{work}");
        for t in &trips {
            if t.purpose == Purpose::Umrah {
                assert_eq!(t.destination.as_str(), "SA");
            }
        }
        let brokered = trips.iter().filter(|t| t.broker.is_some()).count();
        assert!(brokered > 100, "{brokered}");
        let avoided = (0..500).map(|_| trip(&mut rng, &sponsors, true, false, Some(Purpose::Work)));
        assert!(avoided.into_iter().all(|t| t.purpose != Purpose::Work));
    }

    #[test]
    fn decisions_come_after_the_application_or_stay_pending() {
        let mut rng = Rng8::seed_from_u64(4);
        let mut alloc = Allocators::default();
        let sponsors = Sponsors::new(&mut rng, &mut alloc, 100);
        let t = trip(&mut rng, &sponsors, true, false, None);
        let applied = jejak_domain::date::ymd(2025, 12, 30).expect("date");
        let end = jejak_domain::date::ymd(2025, 12, 31).expect("date");
        for _ in 0..200 {
            let adverse = chance(&mut rng, 0.5);
            let d = decide(&mut rng, &t, adverse, applied, end);
            match d.decided_on {
                Some(on) => assert!(on >= applied && on <= end),
                None => assert_eq!(d.outcome, Outcome::Pending),
            }
            assert_eq!(d.reason.is_some(), d.adverse());
        }
    }
}
