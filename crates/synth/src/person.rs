//! A person's true identity: the facts the generator knows and each application shows
//! (or hides, or bends).

use rand::Rng;
use time::{Date, Duration};

use jejak_domain::{Nik, Phone, Sex};

use crate::address::{Address, Style};
use crate::alloc::Allocators;
use crate::dataset::Relation;
use crate::geo::Geo;
use crate::names::{self, Family, Group, Name};
use crate::pick::{Rng8, chance};
use crate::tables::tables;

/// A person's true identity.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) id: u32,
    pub(crate) household: Option<u32>,
    pub(crate) relation: Relation,
    pub(crate) group: Group,
    pub(crate) sex: Sex,
    pub(crate) birth: Date,
    pub(crate) name: Name,
    /// Index of the district where the NIK was first registered.
    pub(crate) nik_district: usize,
    pub(crate) nik: Nik,
    pub(crate) birth_place: String,
    /// Index of the domicile village.
    pub(crate) village: usize,
    pub(crate) address: Address,
    pub(crate) address_style: Style,
    pub(crate) phone: Phone,
    pub(crate) mother: Name,
    pub(crate) father: Name,
    /// The spellings of one occupation, `|`-separated, the usual one first.
    pub(crate) occupation: &'static str,
    /// Intends to work abroad (procedurally or not).
    pub(crate) migrant: bool,
}

/// Facts fixed by the household a person belongs to; `None` = draw freely.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shared {
    pub(crate) group: Option<Group>,
    pub(crate) sex: Option<Sex>,
    pub(crate) birth: Option<Date>,
    pub(crate) village: Option<usize>,
    pub(crate) address: Option<(Address, Style)>,
    pub(crate) phone: Option<Phone>,
    pub(crate) mother: Option<Name>,
    pub(crate) father: Option<Name>,
    pub(crate) nik_district: Option<usize>,
    pub(crate) family: Family,
    pub(crate) order: usize,
    pub(crate) migrant: Option<bool>,
    /// Age range (at the reference date) when the birth date is free.
    pub(crate) ages: Option<(i32, i32)>,
}

/// Draws an age in `lo..=hi` peaking in the lower third (applicants are mostly young).
fn age_between(rng: &mut Rng8, lo: i32, hi: i32) -> i32 {
    let span = (hi - lo).max(0);
    let a = rng.random_range(0..=span);
    let b = rng.random_range(0..=span);
    lo + a.min(b) + (a.max(b) - a.min(b)) / 3
}

/// A birth date for someone `age` years old on `reference`.
pub(crate) fn birth_for_age(rng: &mut Rng8, reference: Date, age: i32) -> Date {
    let days = i64::from(age) * 365 + i64::from(age / 4) + rng.random_range(0..365);
    reference - Duration::days(days)
}

/// Draws a group for residents of a regency.
pub(crate) fn group_in(rng: &mut Rng8, geo: &Geo, regency: usize) -> Group {
    geo.regencies[regency].groups.pick(rng).copied().unwrap_or(Group::Javanese)
}

fn birth_place(
    rng: &mut Rng8,
    geo: &Geo,
    group: Group,
    year: i32,
    district: usize,
    village: usize,
) -> String {
    let from_origin = match group {
        Group::Javanese | Group::Sundanese | Group::Balinese if year < 1980 => 0.4,
        Group::Batak | Group::Chinese => 0.3,
        Group::Lampung => 0.03,
        _ => 0.08,
    };
    if chance(rng, from_origin)
        && let Some(place) = tables().pool(group.birthplace_section()).pick(rng)
    {
        return (*place).to_owned();
    }
    let d = &geo.districts[district];
    match rng.random_range(0..4u8) {
        0 | 1 => d.name.clone(),
        2 => geo.regencies[d.regency].short_name.clone(),
        _ => geo.villages[village].name.clone(),
    }
}

/// Another district of Lampung than `not`, in `regency` if given.
pub(crate) fn other_district(
    rng: &mut Rng8,
    geo: &Geo,
    regency: Option<usize>,
    not: usize,
) -> usize {
    for _ in 0..16 {
        let candidate = match regency {
            Some(r) => {
                let list = &geo.regencies[r].districts;
                list[rng.random_range(0..list.len())]
            }
            None => rng.random_range(0..geo.districts.len()),
        };
        if candidate != not {
            return candidate;
        }
    }
    (not + 1) % geo.districts.len()
}

fn occupation(rng: &mut Rng8, sex: Sex, age: i32, migrant: bool) -> &'static str {
    let section = if age < 19 {
        "young"
    } else if migrant {
        "migrant"
    } else if sex == Sex::Male {
        "adult.male"
    } else {
        "adult.female"
    };
    let mut pick = tables().pool(section).pick(rng).copied().unwrap_or("Wiraswasta");
    if sex == Sex::Male && pick.starts_with("Mengurus") {
        pick = "Buruh Harian Lepas|Buruh|BHL";
    }
    pick
}

/// Everything needed to create persons.
pub(crate) struct Maker<'a> {
    pub(crate) geo: &'a Geo,
    pub(crate) alloc: Allocators,
    /// Ages are counted on this day (the middle of the application period).
    pub(crate) reference: Date,
    pub(crate) next_id: u32,
}

impl Maker<'_> {
    /// A new person, honouring what the household fixes.
    pub(crate) fn person(&mut self, rng: &mut Rng8, shared: &Shared, relation: Relation) -> Person {
        let geo = self.geo;
        let village = shared.village.unwrap_or_else(|| {
            let regency = geo.pick_regency(rng);
            geo.pick_village(rng, regency)
        });
        let regency = geo.regency_of_village(village);
        let pocket = f64::from(geo.regencies[regency].pocket);
        let migrant = shared.migrant.unwrap_or_else(|| chance(rng, 0.12 + 0.06 * pocket));
        let sex = shared.sex.unwrap_or_else(|| {
            let female = if migrant { 0.74 } else { 0.5 };
            if chance(rng, female) { Sex::Female } else { Sex::Male }
        });
        let birth = shared.birth.unwrap_or_else(|| {
            let (lo, hi) = shared.ages.unwrap_or(if migrant { (18, 42) } else { (18, 70) });
            let age = age_between(rng, lo, hi);
            birth_for_age(rng, self.reference, age)
        });
        let age = jejak_domain::date::age_on(birth, self.reference);
        let group = shared.group.unwrap_or_else(|| group_in(rng, geo, regency));
        let year = birth.year();
        let mut family = shared.family.clone();
        if family.surname.is_none() {
            family.surname = names::family_surname(rng, group);
        }
        let mut name = names::person_name(rng, group, sex, year, shared.order, &family);
        names::add_titles(rng, &mut name, group, sex, age);
        let nik_district = shared.nik_district.unwrap_or_else(|| {
            let home = geo.villages[village].district;
            match rng.random_range(0..100u8) {
                0..85 => home,
                85..95 => other_district(rng, geo, Some(regency), home),
                _ => other_district(rng, geo, None, home),
            }
        });
        let nik = self.alloc.nik(rng, &geo.districts[nik_district].code, birth, sex);
        let birth_place = birth_place(rng, geo, group, year, nik_district, village);
        let (address, address_style) = shared
            .address
            .clone()
            .unwrap_or_else(|| (Address::random(rng, &geo.villages[village]), Style::random(rng)));
        let phone = match &shared.phone {
            Some(p) => p.clone(),
            None => self.alloc.phone(rng),
        };
        let parents_year = year - rng.random_range(20..36);
        let mother = shared.mother.clone().unwrap_or_else(|| {
            names::parent_name(rng, group, Sex::Female, parents_year, &Family::default())
        });
        let father = shared.father.clone().unwrap_or_else(|| {
            names::parent_name(rng, group, Sex::Male, parents_year - 3, &family)
        });
        let occupation = occupation(rng, sex, age, migrant);
        let id = self.next_id;
        self.next_id += 1;
        Person {
            id,
            household: None,
            relation,
            group,
            sex,
            birth,
            name,
            nik_district,
            nik,
            birth_place,
            village,
            address,
            address_style,
            phone,
            mother,
            father,
            occupation,
            migrant,
        }
    }
}
