//! How a person shows up in one application: the true identity, with omissions and, for
//! evasive re-applicants, the deliberate changes of DOMAIN.md §7 drawn from
//! [`VariationRates`](crate::VariationRates).

use std::borrow::Cow;

use rand::Rng;
use rand::seq::SliceRandom;
use time::Date;

use jejak_domain::date::ymd;
use jejak_domain::{Nik, Phone, Sex};

use crate::address::{Address, Style};
use crate::config::{Config, VariationRates};
use crate::names::{Case, Name};
use crate::person::{Maker, Person, other_district};
use crate::pick::{Rng8, chance, weighted};
use crate::tables::tables;
use crate::variation::{self, Variation, Variations};

/// What kind of application this is for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The person's first application.
    First,
    /// A later application in good faith (new documents, renewal).
    Honest,
    /// A later application by someone who wants to stay unrecognised.
    Evasive,
}

/// The identity fields of one application.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) name: String,
    pub(crate) nik: Option<Nik>,
    pub(crate) birth: Date,
    pub(crate) phone: Option<Phone>,
    pub(crate) village: usize,
    pub(crate) address: Option<String>,
    pub(crate) mother: Option<String>,
    pub(crate) father: Option<String>,
    pub(crate) birth_place: Option<String>,
    pub(crate) occupation: Option<String>,
    pub(crate) tags: Variations,
}

/// Which fields an evasive re-application changes (before rendering).
#[derive(Debug, Clone, Copy, Default)]
struct Plan {
    nik: Option<Variation>,
    birth: Option<Variation>,
    phone: Option<Variation>,
    village: bool,
    /// Another address in the same regency (a determined evader's "new address").
    new_address: bool,
    mother: Option<Variation>,
}

impl Plan {
    fn draw(rng: &mut Rng8, r: &VariationRates, birth: Date) -> Self {
        let nik = match weighted_option(rng, &[r.nik_serial, r.nik_district, r.nik_omitted]) {
            Some(0) => Some(Variation::NikSerial),
            Some(1) => Some(Variation::NikDistrict),
            Some(_) => Some(Variation::NikOmitted),
            None => None,
        };
        let swappable = birth.day() <= 12 && birth.day() != u8::from(birth.month());
        let swap = if swappable { r.birth_swapped } else { 0.0 };
        let birth = match weighted_option(rng, &[swap, r.birth_year]) {
            Some(0) => Some(Variation::BirthSwapped),
            Some(_) => Some(Variation::BirthYear),
            None => None,
        };
        let phone = match weighted_option(rng, &[r.phone_changed, r.phone_omitted]) {
            Some(0) => Some(Variation::PhoneChanged),
            Some(_) => Some(Variation::PhoneOmitted),
            None => None,
        };
        let village = chance(rng, r.village_changed);
        let mother = match weighted_option(rng, &[r.mother_varied, r.mother_omitted]) {
            Some(0) => Some(Variation::MotherVaried),
            Some(_) => Some(Variation::MotherOmitted),
            None => None,
        };
        let mut plan = Plan { nik, birth, phone, village, new_address: false, mother };
        plan.keep_anchors(rng, r.min_kept.min(5));
        plan
    }

    fn changed(&self) -> [bool; 5] {
        [
            self.nik.is_some(),
            self.birth.is_some(),
            self.phone.is_some(),
            self.village,
            self.mother.is_some(),
        ]
    }

    /// Undoes random changes until at least `min_kept` anchors are as they were.
    fn keep_anchors(&mut self, rng: &mut Rng8, min_kept: usize) {
        loop {
            let changed = self.changed();
            let kept = changed.iter().filter(|c| !**c).count();
            if kept >= min_kept {
                return;
            }
            let candidates: Vec<usize> = (0..5).filter(|&i| changed[i]).collect();
            match candidates[rng.random_range(0..candidates.len())] {
                0 => self.nik = None,
                1 => self.birth = None,
                2 => self.phone = None,
                3 => self.village = false,
                _ => self.mother = None,
            }
        }
    }
}

/// What a determined evader changes, several at once (issue 17): name order, an alias,
/// bin/binti + father, joined tokens, a dropped middle name, day and month swapped, the
/// year off by one, a second NIK from another regency with the same birth part, a new
/// phone, a new address.
const DETERMINED: [Variation; 10] = [
    Variation::TokenOrder,
    Variation::AliasAdded,
    Variation::PatronymAdded,
    Variation::TokensJoined,
    Variation::TokenDropped,
    Variation::BirthSwapped,
    Variation::BirthYear,
    Variation::NikRegency,
    Variation::PhoneChanged,
    Variation::AddressNew,
];

/// Applies a determined evader's changes to the name and returns the plan for the other
/// fields and the birth date shown: `count` distinct changes from [`DETERMINED`], those
/// that do not apply to this person (one word has no order) skipped.
fn determined_changes(
    rng: &mut Rng8,
    count: usize,
    name: &mut Name,
    person: &Person,
    tags: &mut Variations,
) -> (Plan, Date) {
    let mut kinds = DETERMINED;
    kinds.shuffle(rng);
    let mut plan = Plan::default();
    let (mut swap, mut year_shift) = (false, 0);
    let birth = person.birth;
    let mut done = 0;
    for kind in kinds {
        if done == count {
            break;
        }
        let applied = match kind {
            Variation::AliasAdded => variation::add_alias(rng, name),
            Variation::TokensJoined => variation::join_adjacent(rng, name),
            Variation::TokenDropped => variation::drop_middle(rng, name),
            Variation::TokenOrder | Variation::PatronymAdded => {
                variation::apply(rng, kind, name, person.sex, &person.father)
            }
            Variation::BirthSwapped => {
                swap = birth.day() <= 12 && birth.day() != u8::from(birth.month());
                swap
            }
            Variation::BirthYear => {
                year_shift = if chance(rng, 0.5) { 1 } else { -1 };
                true
            }
            Variation::NikRegency => {
                plan.nik = Some(kind);
                true
            }
            Variation::PhoneChanged => {
                plan.phone = Some(kind);
                true
            }
            _ => {
                plan.new_address = true;
                true
            }
        };
        if applied {
            done += 1;
            if !matches!(
                kind,
                Variation::NikRegency | Variation::PhoneChanged | Variation::AddressNew
            ) {
                tags.insert(kind);
            }
        }
    }
    let (y, m, d) = (birth.year() + year_shift, u8::from(birth.month()), birth.day());
    let (m, d) = if swap { (d, m) } else { (m, d) };
    let shown = ymd(y, m, d).or_else(|| ymd(y, m, d - 1)).unwrap_or(birth);
    (plan, shown)
}

/// A district of another regency than `district`'s.
fn district_elsewhere(rng: &mut Rng8, geo: &crate::geo::Geo, district: usize) -> usize {
    let regency = geo.districts[district].regency;
    for _ in 0..64 {
        let candidate = rng.random_range(0..geo.districts.len());
        if geo.districts[candidate].regency != regency {
            return candidate;
        }
    }
    other_district(rng, geo, None, district)
}

/// Index of the event that happened, given mutually exclusive probabilities, or `None`.
fn weighted_option(rng: &mut Rng8, probabilities: &[f64]) -> Option<usize> {
    let mut ticket: f64 = rng.random();
    for (i, p) in probabilities.iter().enumerate() {
        if ticket < *p {
            return Some(i);
        }
        ticket -= p;
    }
    None
}

fn shifted_birth(rng: &mut Rng8, birth: Date, v: Variation) -> Date {
    let (y, m, d) = (birth.year(), u8::from(birth.month()), birth.day());
    let new = match v {
        Variation::BirthSwapped => ymd(y, d, m),
        _ => {
            let shift = [-2, -1, 1, 2][rng.random_range(0..4)];
            ymd(y + shift, m, d).or_else(|| ymd(y + shift, m, d - 1))
        }
    };
    new.unwrap_or(birth)
}

fn render_parent(name: &Name, marker: Option<&str>, case: Case) -> String {
    let text = name.render(case);
    match marker {
        Some(m) => format!("{m} {text}"),
        None => text,
    }
}

fn occupation_text(rng: &mut Rng8, canonical: &'static str, changed: bool, sex: Sex) -> String {
    let spellings: Vec<&str> = canonical.split('|').collect();
    if !changed {
        return spellings[0].to_owned();
    }
    if spellings.len() > 1 && chance(rng, 0.6) {
        return spellings[rng.random_range(1..spellings.len())].to_owned();
    }
    let section = if sex == Sex::Male { "adult.male" } else { "adult.female" };
    for _ in 0..8 {
        if let Some(other) = tables().pool(section).pick(rng)
            && *other != canonical
        {
            return other.split('|').next().unwrap_or(other).to_owned();
        }
    }
    "Wiraswasta".to_owned()
}

fn birth_place_variant(rng: &mut Rng8, maker: &Maker<'_>, person: &Person) -> String {
    let geo = maker.geo;
    let district = &geo.districts[person.nik_district];
    let regency = &geo.regencies[district.regency].short_name;
    let place = &person.birth_place;
    if place == &district.name && place != regency {
        return regency.clone();
    }
    if place == regency && place != &district.name {
        return district.name.clone();
    }
    let mut name = Name::plain(place.split(' ').map(str::to_owned).collect());
    let changed = (0..4).any(|_| {
        let v = [Variation::Typo, Variation::Phonetic, Variation::Spelling][rng.random_range(0..3)];
        variation::apply(rng, v, &mut name, Sex::Male, &Name::plain(Vec::new()))
    });
    if changed { name.render(Case::Title) } else { format!("Kab. {regency}") }
}

/// Builds the identity fields of one application by `person`.
pub(crate) fn present(
    rng: &mut Rng8,
    maker: &mut Maker<'_>,
    config: &Config,
    person: &Person,
    mode: Mode,
    patronym: bool,
    determined: bool,
) -> Shown {
    let rates = &config.variation;
    // A determined evader makes the deliberate changes drawn below and no others.
    let determined = determined && mode == Mode::Evasive;
    let m = config.missing_rate / 0.05;
    let mut tags = Variations::NONE;
    let case = if chance(rng, 0.45) { Case::Upper } else { Case::Title };
    let age = jejak_domain::date::age_on(person.birth, maker.reference);

    // Name.
    let mut name = Cow::Borrowed(&person.name);
    let mut name_changes = match mode {
        Mode::First => 0,
        Mode::Honest => usize::from(chance(rng, 0.1)),
        Mode::Evasive if determined => 0,
        Mode::Evasive => weighted(rng, &rates.name_changes),
    };
    if patronym && name.patronym.is_none() {
        let added = crate::names::patronym(person.sex, &person.father);
        if added.is_some() {
            name.to_mut().patronym = added;
            tags.insert(Variation::PatronymAdded);
            name_changes = name_changes.saturating_sub(1);
        }
    }
    if name_changes > 0 {
        for v in variation::vary_name(rng, name.to_mut(), person.sex, &person.father, name_changes)
        {
            tags.insert(v);
        }
    }

    let mut determined_birth = None;
    if determined {
        let count = 2 + weighted(rng, &rates.determined_changes);
        let (plan, birth) = determined_changes(rng, count, name.to_mut(), person, &mut tags);
        determined_birth = Some((plan, birth));
    }
    // The other fields of a determined evader's application vary no more than a first one's.
    let mode = if determined { Mode::First } else { mode };

    // Identifiers and contact.
    let plan = match (mode, determined_birth) {
        (_, Some((plan, _))) => plan,
        (Mode::Evasive, None) => Plan::draw(rng, rates, person.birth),
        (Mode::Honest, None) => Plan {
            phone: chance(rng, 0.12).then_some(Variation::PhoneChanged),
            village: chance(rng, 0.04),
            ..Plan::default()
        },
        (Mode::First, None) => Plan::default(),
    };
    let birth = match (plan.birth, determined_birth) {
        (_, Some((_, shown))) => {
            if shown.year() != person.birth.year() {
                tags.insert(Variation::BirthYear);
            }
            if shown.month() != person.birth.month() {
                tags.insert(Variation::BirthSwapped);
            }
            shown
        }
        (Some(v), None) => {
            let b = shifted_birth(rng, person.birth, v);
            if b != person.birth {
                tags.insert(v);
            }
            b
        }
        (None, None) => person.birth,
    };
    let geo = maker.geo;
    let nik = match plan.nik {
        Some(Variation::NikSerial) => {
            tags.insert(Variation::NikSerial);
            Some(maker.alloc.nik(rng, &geo.districts[person.nik_district].code, birth, person.sex))
        }
        Some(Variation::NikDistrict) => {
            tags.insert(Variation::NikDistrict);
            let same_regency =
                chance(rng, 0.5).then_some(geo.districts[person.nik_district].regency);
            let district = other_district(rng, geo, same_regency, person.nik_district);
            Some(maker.alloc.nik(rng, &geo.districts[district].code, birth, person.sex))
        }
        Some(Variation::NikRegency) => {
            // A second KTP made elsewhere: the birth part is the true one.
            tags.insert(Variation::NikRegency);
            let district = district_elsewhere(rng, geo, person.nik_district);
            Some(maker.alloc.nik(rng, &geo.districts[district].code, person.birth, person.sex))
        }
        Some(_) => {
            tags.insert(Variation::NikOmitted);
            None
        }
        None if chance(rng, 0.015 * m) => {
            tags.insert(Variation::NikOmitted);
            None
        }
        None => Some(person.nik.clone()),
    };
    let phone = match plan.phone {
        Some(Variation::PhoneChanged) => {
            tags.insert(Variation::PhoneChanged);
            Some(maker.alloc.phone(rng))
        }
        Some(_) => {
            tags.insert(Variation::PhoneOmitted);
            None
        }
        None if chance(rng, 0.04 * m) => {
            tags.insert(Variation::PhoneOmitted);
            None
        }
        None => Some(person.phone.clone()),
    };

    // Where they live.
    let (village, address) = if plan.village {
        tags.insert(Variation::VillageChanged);
        let regency = if chance(rng, 0.5) {
            geo.regency_of_village(person.village)
        } else {
            geo.pick_regency(rng)
        };
        let mut village = geo.pick_village(rng, regency);
        if village == person.village {
            let regency = geo.pick_regency(rng);
            village = geo.pick_village(rng, regency);
        }
        let address = Address::random(rng, &geo.villages[village]);
        (village, address.render(Style::random(rng), geo, village))
    } else if plan.new_address {
        tags.insert(Variation::AddressNew);
        let village = geo.pick_village(rng, geo.regency_of_village(person.village));
        if village != person.village {
            tags.insert(Variation::VillageChanged);
        }
        let address = Address::random(rng, &geo.villages[village]);
        (village, address.render(Style::random(rng), geo, village))
    } else {
        let rewrite = match mode {
            Mode::Evasive => rates.address_rewritten,
            Mode::Honest => 0.1,
            Mode::First => 0.0,
        };
        let mut style = person.address_style;
        if chance(rng, rewrite) {
            let new = Style::random(rng);
            if new != style {
                tags.insert(Variation::AddressRewritten);
                style = new;
            }
        }
        (person.village, person.address.render(style, geo, person.village))
    };
    let address = if chance(rng, 0.03 * m) {
        tags.insert(Variation::AddressOmitted);
        None
    } else {
        Some(address)
    };

    // Parents.
    let evasive = mode == Mode::Evasive;
    let mut mother = Cow::Borrowed(&person.mother);
    let mother_shown = match plan.mother {
        Some(Variation::MotherOmitted) => false,
        Some(_) => {
            if variation::vary_parent(rng, mother.to_mut(), Sex::Female) {
                tags.insert(Variation::MotherVaried);
            }
            true
        }
        None => !chance(rng, 0.03 * m),
    };
    if !mother_shown {
        tags.insert(Variation::MotherOmitted);
    }
    let mut father = Cow::Borrowed(&person.father);
    let father_omit = if evasive { rates.father_omitted } else { 0.08 * m };
    let father_shown = !chance(rng, father_omit);
    if !father_shown {
        tags.insert(Variation::FatherOmitted);
    } else if evasive
        && chance(rng, rates.father_varied)
        && variation::vary_parent(rng, father.to_mut(), Sex::Male)
    {
        tags.insert(Variation::FatherVaried);
    }
    let deceased = |rng: &mut Rng8, sex: Sex| -> Option<&'static str> {
        if age < 35 || !chance(rng, 0.08) {
            return None;
        }
        let section = if sex == Sex::Male { "deceased.male" } else { "deceased.female" };
        tables().pool(section).pick(rng).copied()
    };
    let mother_marker = deceased(rng, Sex::Female);
    let father_marker = deceased(rng, Sex::Male);
    if (mother_shown && mother_marker.is_some()) || (father_shown && father_marker.is_some()) {
        tags.insert(Variation::DeceasedMarker);
    }
    let mother = mother_shown.then(|| render_parent(&mother, mother_marker, case));
    let father = father_shown.then(|| render_parent(&father, father_marker, case));

    // Birth place and occupation.
    let birth_place = if chance(rng, 0.04 * m) {
        tags.insert(Variation::BirthPlaceOmitted);
        None
    } else if evasive && chance(rng, rates.birth_place_varied) {
        let varied = birth_place_variant(rng, maker, person);
        if varied != person.birth_place {
            tags.insert(Variation::BirthPlaceVaried);
        }
        Some(varied)
    } else {
        Some(person.birth_place.clone())
    };
    let occupation_change = match mode {
        Mode::Evasive => rates.occupation_changed,
        Mode::Honest => 0.1,
        Mode::First => 0.0,
    };
    let occupation = if chance(rng, 0.05 * m) {
        None
    } else {
        let changed = chance(rng, occupation_change);
        let text = occupation_text(rng, person.occupation, changed, person.sex);
        if changed && person.occupation.split('|').next() != Some(text.as_str()) {
            tags.insert(Variation::OccupationChanged);
        }
        Some(text)
    };

    let upper = |s: String| if case == Case::Upper { s.to_uppercase() } else { s };
    Shown {
        name: name.render(case),
        nik,
        birth,
        phone,
        village,
        address: address.map(upper),
        mother,
        father,
        birth_place: birth_place.map(upper),
        occupation: occupation.map(upper),
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_anchor_floor_is_respected() {
        let mut rng = Rng8::seed_from_u64(1);
        let all_change = VariationRates {
            nik_serial: 1.0,
            birth_swapped: 1.0,
            phone_changed: 1.0,
            village_changed: 1.0,
            mother_varied: 1.0,
            min_kept: 3,
            ..VariationRates::default()
        };
        let birth = ymd(1990, 3, 7).expect("date");
        for _ in 0..100 {
            let plan = Plan::draw(&mut rng, &all_change, birth);
            assert_eq!(plan.changed().iter().filter(|c| !**c).count(), 3);
        }
    }

    #[test]
    fn birth_dates_swap_day_and_month() {
        let mut rng = Rng8::seed_from_u64(2);
        let birth = ymd(1990, 3, 7).expect("date");
        assert_eq!(
            shifted_birth(&mut rng, birth, Variation::BirthSwapped),
            ymd(1990, 7, 3).expect("d")
        );
        let leap = ymd(2000, 2, 29).expect("date");
        let moved = shifted_birth(&mut rng, leap, Variation::BirthYear);
        assert!(moved != leap && (moved - leap).whole_days().abs() < 800);
    }
}
