//! Households: siblings, twins, spouses, a parent with a grown child. Members share
//! parents, address, village and often a phone (twins also a birth date), and are still
//! different persons the identity engine must keep apart.

use rand::Rng;

use jejak_domain::Sex;

use crate::dataset::Relation;
use crate::names::{self, Family, Group, Name};
use crate::person::{Maker, Person, Shared, birth_for_age, group_in};
use crate::pick::{Rng8, chance, weighted};

/// The persons of one household (or one single person) and whether they travel together.
pub(crate) struct Unit {
    pub(crate) members: Vec<Person>,
    pub(crate) together: bool,
}

/// Expected number of applicants in a household (used to hit the configured share).
pub(crate) const MEAN_HOUSEHOLD_SIZE: f64 = 2.15;

fn family_for(rng: &mut Rng8, group: Group) -> Family {
    Family { surname: names::family_surname(rng, group), shared: None }
}

fn random_sex(rng: &mut Rng8) -> Sex {
    if chance(rng, 0.5) { Sex::Female } else { Sex::Male }
}

fn without_titles(name: &Name) -> Name {
    Name::plain(name.tokens.clone())
}

/// A single applicant.
pub(crate) fn single(maker: &mut Maker<'_>, rng: &mut Rng8) -> Unit {
    let person = maker.person(rng, &Shared::default(), Relation::Single);
    Unit { members: vec![person], together: false }
}

/// A household of at most `room` (at least 2) members.
pub(crate) fn household(maker: &mut Maker<'_>, rng: &mut Rng8, room: usize, id: u32) -> Unit {
    let geo = maker.geo;
    let regency = geo.pick_regency(rng);
    let village = geo.pick_village(rng, regency);
    let group = group_in(rng, geo, regency);
    let address = Some((
        crate::address::Address::random(rng, &geo.villages[village]),
        crate::address::Style::random(rng),
    ));
    let base = Shared { group: Some(group), village: Some(village), address, ..Shared::default() };
    let kind = weighted(rng, &[35, 15, 35, 15]);
    let (mut members, together) = match kind {
        0 | 1 => siblings(maker, rng, base, room, kind == 1),
        2 => (couple(maker, rng, base), chance(rng, 0.6)),
        _ => (parent_and_child(maker, rng, base), chance(rng, 0.6)),
    };
    for m in &mut members {
        m.household = Some(id);
    }
    Unit { members, together }
}

fn siblings(
    maker: &mut Maker<'_>,
    rng: &mut Rng8,
    mut shared: Shared,
    room: usize,
    twins: bool,
) -> (Vec<Person>, bool) {
    let group = shared.group.unwrap_or(Group::Javanese);
    let size = if twins { 2 } else { 2 + weighted(rng, &[80, 20]) }.min(room);
    let parents_year = maker.reference.year() - rng.random_range(45..75);
    shared.family = family_for(rng, group);
    shared.mother =
        Some(names::parent_name(rng, group, Sex::Female, parents_year, &Family::default()));
    shared.father =
        Some(names::parent_name(rng, group, Sex::Male, parents_year - 3, &shared.family));
    // Brothers and sisters living at home give the family's phone.
    shared.phone = Some(maker.alloc.phone(rng));
    let first_age = rng.random_range(18..40);
    let first_birth = birth_for_age(rng, maker.reference, first_age);
    let migrant = chance(rng, 0.3);
    let mut members = Vec::with_capacity(size);
    let mut birth = first_birth;
    let mut district = None;
    for order in 0..size {
        let sex = random_sex(rng);
        shared.family.shared = if order == 0 || twins {
            names::shared_sibling_token(rng, group, sex, birth.year(), twins)
        } else {
            None
        };
        let mut s = shared.clone();
        s.sex = Some(sex);
        s.birth = Some(birth);
        s.order = order;
        s.migrant = Some(if chance(rng, 0.6) { migrant } else { chance(rng, 0.2) });
        s.nik_district = if chance(rng, 0.85) { district } else { None };
        let relation = if twins { Relation::Twin } else { Relation::Sibling };
        let mut person = maker.person(rng, &s, relation);
        // Parents never give two children the same first name, nor one child's whole name
        // inside another's ("Wahyuni" / "Sri Wahyuni").
        let family = names::Family { shared: None, ..s.family.clone() };
        for _ in 0..16 {
            if members.iter().all(|m: &Person| names_apart(&m.name, &person.name)) {
                break;
            }
            let age = jejak_domain::date::age_on(person.birth, maker.reference);
            let mut name = names::person_name(rng, group, sex, birth.year(), order, &family);
            names::add_titles(rng, &mut name, group, sex, age);
            person.name = name;
        }
        district.get_or_insert(person.nik_district);
        members.push(person);
        if !twins {
            // Brothers and sisters are born one to seven years apart; the younger ones
            // applying are grown up (at least 17).
            let gap = time::Duration::days(rng.random_range(400..2500));
            let younger = birth + gap;
            birth = if jejak_domain::date::age_on(younger, maker.reference) >= 17 {
                younger
            } else {
                first_birth - gap * (order as i32 + 1)
            };
        }
    }
    (members, chance(rng, if twins { 0.4 } else { 0.3 }))
}

/// Whether two siblings' names tell them apart: another first name (as typed, any case),
/// and neither name's words all inside the other's.
pub(crate) fn names_apart(a: &Name, b: &Name) -> bool {
    let words = |n: &Name| -> Vec<String> { n.tokens.iter().map(|t| t.to_lowercase()).collect() };
    let (x, y) = (words(a), words(b));
    let first = |n: &Name| n.call_name().map(str::to_lowercase);
    let inside = |p: &[String], q: &[String]| p.iter().all(|t| q.contains(t));
    first(a) != first(b) && !inside(&x, &y) && !inside(&y, &x)
}

fn couple(maker: &mut Maker<'_>, rng: &mut Rng8, shared: Shared) -> Vec<Person> {
    let husband_age = rng.random_range(22..62);
    let mut husband = shared.clone();
    husband.sex = Some(Sex::Male);
    husband.ages = Some((husband_age, husband_age));
    husband.migrant = Some(chance(rng, 0.1));
    if chance(rng, 0.6) {
        let phone = maker.alloc.phone(rng);
        husband.phone = Some(phone);
    }
    let mut wife = husband.clone();
    wife.sex = Some(Sex::Female);
    let gap = rng.random_range(0..8);
    wife.ages = Some(((husband_age - gap).max(18), (husband_age - gap).max(18)));
    wife.migrant = Some(chance(rng, 0.15));
    if chance(rng, 0.15) {
        wife.group = None;
    }
    let h = maker.person(rng, &husband, Relation::Spouse);
    let w = maker.person(rng, &wife, Relation::Spouse);
    vec![h, w]
}

fn parent_and_child(maker: &mut Maker<'_>, rng: &mut Rng8, mut shared: Shared) -> Vec<Person> {
    let group = shared.group.unwrap_or(Group::Javanese);
    let parent_age = rng.random_range(40..68);
    let child_age = (parent_age - rng.random_range(20..36)).max(1);
    shared.family = family_for(rng, group);
    if chance(rng, 0.5) {
        shared.phone = Some(maker.alloc.phone(rng));
    }
    let mut p = shared.clone();
    let parent_sex = random_sex(rng);
    p.sex = Some(parent_sex);
    p.ages = Some((parent_age, parent_age));
    p.migrant = Some(false);
    let parent = maker.person(rng, &p, Relation::Parent);
    let mut c = shared;
    c.ages = Some((child_age, child_age));
    c.migrant = Some(child_age >= 18 && chance(rng, 0.25));
    c.nik_district = if chance(rng, 0.8) { Some(parent.nik_district) } else { None };
    match parent_sex {
        Sex::Female => c.mother = Some(without_titles(&parent.name)),
        Sex::Male => c.father = Some(without_titles(&parent.name)),
    }
    let child = maker.person(rng, &c, Relation::Child);
    vec![parent, child]
}
