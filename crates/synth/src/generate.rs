//! The generator: persons and households, their application timelines, and the final
//! date-ordered dataset with application ids per office and year.

use rand::{Rng, SeedableRng};
use time::{Date, Duration};

use jejak_domain::date::age_on;
use jejak_domain::{NewApplication, PassportNo, Purpose};

use crate::config::Config;
use crate::dataset::{Dataset, HouseholdId, PersonId, Truth};
use crate::geo::geo;
use crate::household::{self, MEAN_HOUSEHOLD_SIZE, Unit};
use crate::person::{Maker, Person};
use crate::pick::{Rng8, chance, weighted};
use crate::present::{Mode, present};
use crate::trip::{self, Decision, Sponsors, Trip};
use crate::variation::Variation;

/// An application before ids are assigned.
struct Draft {
    application: NewApplication,
    truth: Truth,
    office: usize,
}

struct Run<'a> {
    config: &'a Config,
    maker: Maker<'static>,
    sponsors: Sponsors,
    drafts: Vec<Draft>,
}

/// Generates a dataset. Same config (including seed), same dataset.
pub fn generate(config: &Config) -> Dataset {
    let mut rng = Rng8::seed_from_u64(config.seed);
    let (start, end) = if config.start <= config.end {
        (config.start, config.end)
    } else {
        (config.end, config.start)
    };
    let config = &Config { start, end, ..config.clone() };
    let reference = start + (end - start) / 2;
    let mut maker = Maker { geo: geo(), alloc: Default::default(), reference, next_id: 0 };
    let sponsors = Sponsors::new(&mut rng, &mut maker.alloc, config.persons);
    let capacity = config.persons + config.persons * 2 / 5;
    let mut run = Run { config, maker, sponsors, drafts: Vec::with_capacity(capacity) };
    let share = config.household_share.clamp(0.0, 1.0);
    let household_unit = share / (share + MEAN_HOUSEHOLD_SIZE * (1.0 - share));
    let mut households = 0u32;
    while (run.maker.next_id as usize) < config.persons {
        let room = config.persons - run.maker.next_id as usize;
        let unit = if room >= 2 && chance(&mut rng, household_unit) {
            households += 1;
            household::household(&mut run.maker, &mut rng, room, households)
        } else {
            household::single(&mut run.maker, &mut rng)
        };
        run.unit(&mut rng, unit);
    }
    run.finish()
}

impl Run<'_> {
    fn unit(&mut self, rng: &mut Rng8, unit: Unit) {
        let first = self.first_date(rng, 0);
        let shared_trip = unit.together.then(|| {
            let anchor = &unit.members[0];
            let minor = age_on(anchor.birth, first) < 18;
            trip::trip(rng, &self.sponsors, anchor.migrant, minor, None)
        });
        for person in &unit.members {
            let extra = if chance(rng, self.config.reapplicant_share) {
                1 + weighted(rng, &[75, 18, 7])
            } else {
                0
            };
            let first = if unit.together { first } else { self.first_date(rng, extra) };
            self.timeline(rng, person, first, extra, shared_trip.as_ref());
        }
    }

    /// A first application date leaving room for `extra` later applications.
    fn first_date(&self, rng: &mut Rng8, extra: usize) -> Date {
        let span = (self.config.end - self.config.start).whole_days().max(0);
        let reserve = (extra as i64 * 60).min(span / 2);
        self.config.start + Duration::days(rng.random_range(0..=span - reserve))
    }

    fn timeline(
        &mut self,
        rng: &mut Rng8,
        person: &Person,
        first: Date,
        extra: usize,
        shared: Option<&Trip>,
    ) {
        let end = self.config.end;
        let mut date = first;
        let mut previous: Option<(Decision, Purpose)> = None;
        let mut first_office = None;
        let mut office = None;
        let mut passport: Option<PassportNo> = None;
        let mut cpmi: Option<String> = None;
        for visit in 0..=extra {
            let mode = match &previous {
                None => Mode::First,
                Some((d, _)) if d.adverse() => {
                    if chance(rng, self.config.evasive_share) {
                        Mode::Evasive
                    } else {
                        Mode::Honest
                    }
                }
                Some(_) => {
                    if chance(rng, 0.1) {
                        Mode::Evasive
                    } else {
                        Mode::Honest
                    }
                }
            };
            if let Some((decision, _)) = &previous {
                let last = decision.decided_on.unwrap_or(date);
                let gap = if decision.adverse() {
                    rng.random_range(7..150)
                } else {
                    rng.random_range(60..720)
                };
                date = last + Duration::days(gap);
                if date > end {
                    break;
                }
            }
            let minor = age_on(person.birth, date) < 18;
            let trip = match (visit, shared) {
                (0, Some(t)) => t.clone(),
                _ => {
                    let avoid = match (&previous, mode) {
                        (Some((_, p)), Mode::Evasive) if chance(rng, 0.6) => Some(*p),
                        _ => None,
                    };
                    trip::trip(rng, &self.sponsors, person.migrant, minor, avoid)
                }
            };
            let risk = match mode {
                Mode::First if extra > 0 => trip::adverse_risk(&trip).max(0.65),
                Mode::First => trip::adverse_risk(&trip),
                Mode::Honest => trip::adverse_risk(&trip).min(0.1),
                Mode::Evasive => 0.25,
            };
            let adverse = chance(rng, risk);
            let mut decision = trip::decide(rng, &trip, adverse, date, end);
            if (end - date).whole_days() < self.config.backlog_days {
                decision = trip::Decision::pending();
            }
            let patronym =
                matches!(trip.purpose, Purpose::Umrah | Purpose::Hajj) && chance(rng, 0.25);
            let determined = mode == Mode::Evasive && chance(rng, self.config.determined_share);
            let shown =
                present(rng, &mut self.maker, self.config, person, mode, patronym, determined);
            let geo = self.maker.geo;
            let home_office = geo.regencies[geo.regency_of_village(shown.village)].office;
            let this_office = match (mode, office) {
                (Mode::Evasive, Some(prev))
                    if chance(rng, self.config.variation.office_changed) =>
                {
                    let others: Vec<usize> =
                        (0..geo.offices.len()).filter(|&o| o != prev).collect();
                    others.get(rng.random_range(0..others.len().max(1))).copied().unwrap_or(prev)
                }
                _ => home_office,
            };
            let first_office = *first_office.get_or_insert(this_office);
            office = Some(this_office);
            let mut tags = shown.tags;
            if this_office != first_office {
                tags.insert(Variation::OfficeChanged);
            }

            let mut a =
                NewApplication::new("", geo.offices[this_office].code.clone(), date, &shown.name);
            a.nik = shown.nik;
            a.sex = Some(person.sex);
            a.birth_date = Some(shown.birth);
            a.birth_place = shown.birth_place;
            a.address = shown.address;
            a.village_code = Some(geo.villages[shown.village].code.clone());
            a.phone = shown.phone;
            a.mother_name = shown.mother;
            a.father_name = shown.father;
            a.occupation = shown.occupation;
            a.purpose = Some(trip.purpose);
            a.destination_country = Some(trip.destination);
            let mut broker_phone = false;
            if let Some(sponsor) = &trip.sponsor {
                a.sponsor_name = Some(sponsor.name.clone());
                a.sponsor_phone = Some(sponsor.phone.clone());
                if trip.broker.is_some() && chance(rng, 0.2) {
                    a.phone = Some(sponsor.phone.clone());
                    broker_phone = true;
                    tags.remove(Variation::PhoneOmitted);
                    if sponsor.phone != person.phone {
                        tags.insert(Variation::PhoneChanged);
                    }
                }
            } else if trip.purpose == Purpose::FamilyVisit && chance(rng, 0.3) {
                let relative = trip::relative(rng, &mut self.maker.alloc);
                a.sponsor_name = Some(relative.name);
                a.sponsor_phone = Some(relative.phone);
            }
            if trip.procedural {
                let regency = &geo.districts[person.nik_district].code[..4];
                let id = cpmi.get_or_insert_with(|| self.maker.alloc.cpmi(regency, date.year()));
                a.cpmi_id = Some(id.clone());
            }
            a.previous_passport_no = match mode {
                Mode::Evasive => None,
                Mode::Honest => passport.clone(),
                Mode::First
                    if !person.migrant && age_on(person.birth, date) > 25 && chance(rng, 0.12) =>
                {
                    self.maker.alloc.passport(date - Duration::days(rng.random_range(1800..3700)))
                }
                Mode::First => None,
            };
            a.outcome = decision.outcome;
            a.outcome_reason = decision.reason.clone();
            a.decided_on = decision.decided_on;
            if decision.outcome == jejak_domain::Outcome::Issued {
                passport = decision.decided_on.and_then(|d| self.maker.alloc.passport(d));
            }
            let truth = Truth {
                person: PersonId(person.id),
                household: person.household.map(HouseholdId),
                relation: person.relation,
                group: person.group,
                visit: visit as u8,
                evasive: mode == Mode::Evasive,
                determined,
                broker_phone,
                variations: tags,
            };
            self.drafts.push(Draft { application: a, truth, office: this_office });
            previous = Some((decision, trip.purpose));
        }
    }

    /// Orders applications by date and gives each its id: `OFFICE-YEAR-NNNNNN`.
    fn finish(self) -> Dataset {
        let mut drafts: Vec<Option<Draft>> = self.drafts.into_iter().map(Some).collect();
        // Sort positions, not the large drafts themselves (stable: ties keep creation order).
        let mut order: Vec<(Date, u32)> = drafts
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (d.application.applied_on, i as u32)))
            .collect();
        order.sort_unstable();
        let offices = &self.maker.geo.offices;
        let mut counters: Vec<(i32, u32)> = vec![(0, 0); offices.len()];
        let mut applications = Vec::with_capacity(order.len());
        let mut truth = Vec::with_capacity(order.len());
        for (_, i) in order {
            let Some(mut d) = drafts[i as usize].take() else { continue };
            let year = d.application.applied_on.year();
            let counter = &mut counters[d.office];
            if counter.0 != year {
                *counter = (year, 0);
            }
            counter.1 += 1;
            d.application.application_id =
                format!("{}-{year}-{:06}", offices[d.office].code, counter.1);
            applications.push(d.application);
            truth.push(d.truth);
        }
        Dataset { applications, truth }
    }
}
