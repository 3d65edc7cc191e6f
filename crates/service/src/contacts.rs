//! Contact groups for the broker facts: the applications sharing an applicant phone or a
//! sponsor (sponsor phone or folded sponsor name), with the number of distinct persons in each
//! group kept up to date as applications arrive and persons merge or split.
//!
//! A travel agency sponsors tens of thousands of applicants, so "how many unrelated persons
//! share this sponsor" must not walk the group. It is answered from aggregates: the persons per
//! group, the persons in both of two groups (an application names at most two sponsor keys),
//! and, for large groups, an index of the members by folded mother's name and address. Only
//! the persons that may be excluded (the applicant's own and matched persons, and persons
//! sharing the applicant's household) are looked at one by one.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use jejak_domain::text::{fold, folds_to};
use jejak_domain::{ApplicationKey, NewApplication};

use crate::mirror::brief::{Brief, MAX_GROUPS, NONE};
use crate::person_graph::PersonGraph;

pub(crate) type GroupId = u32;

/// Groups larger than this keep their members indexed by household (smaller ones are walked).
const INDEX_FROM: usize = 32;

/// The look-up keys of an application's sponsor: `phone:+62...` and `name:<folded name>`.
pub fn sponsor_keys(app: &NewApplication) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(phone) = &app.sponsor_phone {
        keys.push(format!("phone:{}", phone.as_str()));
    }
    if let Some(name) = &app.sponsor_name {
        let folded = fold(name);
        if !folded.is_empty() {
            keys.push(format!("name:{folded}"));
        }
    }
    keys
}

/// The group name of an applicant phone (kept apart from the sponsor keys).
pub(crate) fn phone_group(phone: &str) -> String {
    format!("tel:{phone}")
}

/// Every group an application belongs to, with whether it is a sponsor group.
fn groups_of(app: &NewApplication) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> =
        app.phone.iter().map(|p| (phone_group(p.as_str()), false)).collect();
    names.extend(sponsor_keys(app).into_iter().map(|k| (k, true)));
    names
}

/// The applicant's household as the broker facts compare it: folded mother's name and
/// address, empty ones left out. Another application shares it when either is equal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Household {
    pub mother: Option<String>,
    pub address: Option<String>,
}

impl Household {
    /// The household of an application.
    pub fn of(app: &NewApplication) -> Self {
        let folded = |s: &Option<String>| s.as_deref().map(fold).filter(|s| !s.is_empty());
        Self { mother: folded(&app.mother_name), address: folded(&app.address) }
    }

    /// Whether `other` shares the mother's name or the address.
    pub fn shared_by(&self, other: &NewApplication) -> bool {
        same_text(self.mother.as_deref(), other.mother_name.as_deref())
            || same_text(self.address.as_deref(), other.address.as_deref())
    }

    /// Whether the stored application `other` shares the mother's name or the address
    /// (compared by the hashes its brief keeps: 64 bits, so equal hashes are equal texts for
    /// every practical purpose).
    pub(crate) fn shared_by_brief(&self, other: &Brief) -> bool {
        let (mother, address) = self.keys();
        (mother != 0 && mother == other.mother) || (address != 0 && address == other.address)
    }

    /// The hashes of the folded mother's name and address, 0 for an absent one.
    pub(crate) fn keys(&self) -> (u64, u64) {
        let key = |field: u8, text: &Option<String>| {
            text.as_deref().map_or(0, |t| text_hash(field, t).max(1))
        };
        (key(b'm', &self.mother), key(b'a', &self.address))
    }

    /// Index keys of the household's fields.
    fn hashes(&self) -> impl Iterator<Item = u64> {
        let (mother, address) = self.keys();
        [mother, address].into_iter().filter(|h| *h != 0)
    }
}

/// Index keys of a stored application's household.
fn brief_hashes(brief: &Brief) -> impl Iterator<Item = u64> {
    [brief.mother, brief.address].into_iter().filter(|h| *h != 0)
}

fn same_text(folded: Option<&str>, other: Option<&str>) -> bool {
    match (folded, other) {
        (Some(a), Some(b)) => folds_to(a, b),
        _ => false,
    }
}

/// A stable hash of a folded field (`DefaultHasher::new` has fixed keys; a snapshot is only
/// read by the build that wrote it).
fn text_hash(field: u8, text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    field.hash(&mut hasher);
    text.hash(&mut hasher);
    hasher.finish()
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Group {
    sponsor: bool,
    members: Vec<ApplicationKey>,
    /// Distinct persons among the members.
    persons: u32,
    /// Members by household field hash, once the group is larger than [`INDEX_FROM`].
    by_household: Option<HashMap<u64, Vec<ApplicationKey>>>,
}

/// The contact groups of the register.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Contacts {
    ids: HashMap<String, GroupId>,
    groups: Vec<Group>,
    /// For each person (first application), its groups with the number of its applications
    /// in each.
    person_groups: HashMap<ApplicationKey, Vec<(GroupId, u32)>>,
    /// Persons present in both of two sponsor groups (smaller id first).
    pairs: HashMap<(GroupId, GroupId), u32>,
}

impl Contacts {
    /// Files the stored application `key` (data `app`, brief already in `briefs`) under
    /// `person`; returns the groups it was filed under, for its brief.
    pub(crate) fn add(
        &mut self,
        key: ApplicationKey,
        app: &NewApplication,
        briefs: &HashMap<ApplicationKey, Brief>,
        person: ApplicationKey,
    ) -> [GroupId; MAX_GROUPS] {
        let mut filed = [NONE; MAX_GROUPS];
        let hashes: Vec<u64> = Household::of(app).hashes().collect();
        for (slot, (name, sponsor)) in groups_of(app).into_iter().take(MAX_GROUPS).enumerate() {
            let id = match self.ids.get(&name) {
                Some(&id) => id,
                None => {
                    let id = self.groups.len() as GroupId;
                    self.groups.push(Group {
                        sponsor,
                        members: Vec::new(),
                        persons: 0,
                        by_household: None,
                    });
                    self.ids.insert(name, id);
                    id
                }
            };
            filed[slot] = id;
            let group = &mut self.groups[id as usize];
            group.members.push(key);
            match &mut group.by_household {
                Some(index) => {
                    for &h in &hashes {
                        index.entry(h).or_default().push(key);
                    }
                }
                None if group.members.len() > INDEX_FROM => {
                    let mut index: HashMap<u64, Vec<ApplicationKey>> = HashMap::new();
                    for &member in &group.members {
                        let member_hashes: Vec<u64> = if member == key {
                            hashes.clone()
                        } else {
                            briefs
                                .get(&member)
                                .map(|b| brief_hashes(b).collect())
                                .unwrap_or_default()
                        };
                        for h in member_hashes {
                            index.entry(h).or_default().push(member);
                        }
                    }
                    group.by_household = Some(index);
                }
                None => {}
            }
            self.enter(person, id);
        }
        filed
    }

    /// The groups `app` would be filed under, if each exists already (for telling whether an
    /// update changed them).
    pub(crate) fn groups_of_existing(&self, app: &NewApplication) -> Option<[GroupId; MAX_GROUPS]> {
        let mut ids = [NONE; MAX_GROUPS];
        for (slot, (name, _)) in groups_of(app).into_iter().take(MAX_GROUPS).enumerate() {
            ids[slot] = *self.ids.get(&name)?;
        }
        Some(ids)
    }

    /// Takes application `key` (filed as `brief` says) out, under `person`.
    pub(crate) fn remove(&mut self, key: ApplicationKey, brief: &Brief, person: ApplicationKey) {
        let hashes: Vec<u64> = brief_hashes(brief).collect();
        for id in brief.groups() {
            let Some(group) = self.groups.get_mut(id as usize) else { continue };
            let Some(at) = group.members.iter().position(|k| *k == key) else { continue };
            group.members.remove(at);
            if let Some(index) = &mut group.by_household {
                for h in &hashes {
                    if let Some(list) = index.get_mut(h) {
                        list.retain(|k| *k != key);
                        if list.is_empty() {
                            index.remove(h);
                        }
                    }
                }
            }
            self.leave(person, id);
        }
    }

    /// An application filed under `groups` now belongs to person `to` instead of `from`.
    pub(crate) fn move_person(
        &mut self,
        groups: impl Iterator<Item = GroupId>,
        from: ApplicationKey,
        to: ApplicationKey,
    ) {
        for id in groups {
            self.leave(from, id);
            self.enter(to, id);
        }
    }

    /// The sponsor-name groups: each id with its folded sponsor name.
    pub(crate) fn sponsor_name_groups(&self) -> impl Iterator<Item = (GroupId, &str)> {
        self.ids.iter().filter_map(|(name, id)| Some((*id, name.strip_prefix("name:")?)))
    }

    /// The id of the group `name` (`tel:` for applicant phones, else a sponsor key).
    pub(crate) fn group_id(&self, name: &str) -> Option<GroupId> {
        self.ids.get(name).copied()
    }

    /// Members of the group `name` (`tel:` for applicant phones, else a sponsor key).
    pub(crate) fn members(&self, name: &str) -> &[ApplicationKey] {
        self.ids.get(name).map_or(&[], |&id| self.groups[id as usize].members.as_slice())
    }

    /// The applications sharing the applicant phone `phone`.
    pub(crate) fn with_phone(&self, phone: &str) -> &[ApplicationKey] {
        self.members(&phone_group(phone))
    }

    /// Distinct persons with an application in any of the groups `names` (at most two), other
    /// than the `excluded` persons and persons all of whose applications there share
    /// `household`.
    pub(crate) fn unrelated_persons(
        &self,
        names: &[String],
        household: &Household,
        excluded: &HashSet<ApplicationKey>,
        persons: &PersonGraph,
        apps: &HashMap<ApplicationKey, Brief>,
    ) -> usize {
        let mut ids: Vec<GroupId> = names.iter().filter_map(|n| self.ids.get(n).copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let total = match ids.as_slice() {
            [] => return 0,
            [one] => self.groups[*one as usize].persons as usize,
            [a, b] => {
                (self.groups[*a as usize].persons + self.groups[*b as usize].persons) as usize
                    - self.pairs.get(&(*a, *b)).copied().unwrap_or(0) as usize
            }
            _ => return self.unrelated_by_walking(&ids, household, excluded, persons, apps),
        };
        // Persons that may not count: the excluded ones and those sharing the household.
        let mut suspects: HashSet<ApplicationKey> = excluded.clone();
        for &id in &ids {
            let group = &self.groups[id as usize];
            let mut consider = |k: &ApplicationKey| {
                if apps.get(k).is_some_and(|a| household.shared_by_brief(a)) {
                    suspects.insert(persons.person_of(*k));
                }
            };
            match &group.by_household {
                Some(index) => household
                    .hashes()
                    .filter_map(|h| index.get(&h))
                    .flatten()
                    .for_each(&mut consider),
                None => group.members.iter().for_each(&mut consider),
            }
        }
        let not_counted = suspects
            .iter()
            .filter(|p| {
                self.person_groups.get(p).is_some_and(|gs| gs.iter().any(|(g, _)| ids.contains(g)))
            })
            .filter(|p| {
                excluded.contains(p)
                    || persons.members_of(**p).iter().all(|m| {
                        apps.get(m).is_none_or(|a| {
                            household.shared_by_brief(a) || !a.groups().any(|g| ids.contains(&g))
                        })
                    })
            })
            .count();
        total - not_counted
    }

    /// [`Contacts::unrelated_persons`] by looking at every member (more than two groups).
    fn unrelated_by_walking(
        &self,
        ids: &[GroupId],
        household: &Household,
        excluded: &HashSet<ApplicationKey>,
        persons: &PersonGraph,
        apps: &HashMap<ApplicationKey, Brief>,
    ) -> usize {
        ids.iter()
            .flat_map(|id| &self.groups[*id as usize].members)
            .filter(|k| apps.get(k).is_some_and(|a| !household.shared_by_brief(a)))
            .map(|k| persons.person_of(*k))
            .filter(|p| !excluded.contains(p))
            .collect::<HashSet<_>>()
            .len()
    }

    /// `person` has one more application in group `id`.
    fn enter(&mut self, person: ApplicationKey, id: GroupId) {
        let list = self.person_groups.entry(person).or_default();
        if let Some(entry) = list.iter_mut().find(|(g, _)| *g == id) {
            entry.1 += 1;
            return;
        }
        if self.groups[id as usize].sponsor {
            for (other, _) in list.iter() {
                if self.groups[*other as usize].sponsor {
                    *self.pairs.entry((id.min(*other), id.max(*other))).or_default() += 1;
                }
            }
        }
        self.groups[id as usize].persons += 1;
        list.push((id, 1));
    }

    /// `person` has one application fewer in group `id`.
    fn leave(&mut self, person: ApplicationKey, id: GroupId) {
        let Some(list) = self.person_groups.get_mut(&person) else { return };
        let Some(at) = list.iter().position(|(g, _)| *g == id) else { return };
        list[at].1 -= 1;
        if list[at].1 > 0 {
            return;
        }
        list.swap_remove(at);
        self.groups[id as usize].persons -= 1;
        if self.groups[id as usize].sponsor {
            for (other, _) in list.iter() {
                if self.groups[*other as usize].sponsor {
                    let pair = (id.min(*other), id.max(*other));
                    if let Some(n) = self.pairs.get_mut(&pair) {
                        *n -= 1;
                        if *n == 0 {
                            self.pairs.remove(&pair);
                        }
                    }
                }
            }
        }
        if list.is_empty() {
            self.person_groups.remove(&person);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jejak_domain::date::ymd;
    use jejak_domain::{Application, MatchDecision, NewMatchDecision, OfficeCode, Phone, Verdict};
    use jejak_matching::Model;

    use crate::facts::unrelated_by_walking;
    use crate::mirror::Mirror;

    use super::*;

    fn k(n: i64) -> ApplicationKey {
        ApplicationKey(n)
    }

    /// A small deterministic generator (the test needs variety, not quality).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    const NAMES: [&str; 6] = ["Suryani", "Joko Santoso", "Wulandari", "Budi", "Sri Rahayu", "Agus"];
    const MOTHERS: [&str; 4] = ["Siti Maryam", "SITI  MARYAM", "Rukmini", "Sumarni"];
    const ADDRESSES: [&str; 3] = ["Dusun III RT 2 RW 1", "Jl. Merdeka No. 5", "Dsn. Way Layap"];
    const SPONSORS: [&str; 3] = ["PT Maju Jaya Travel", "pt maju jaya  travel", "Pak Darto"];

    fn application(rng: &mut Lcg, key: i64) -> Application {
        let office = OfficeCode::parse("KLA").unwrap_or_else(|e| panic!("{e}"));
        let on = ymd(2025, 1, 1 + (key % 28) as u8).unwrap_or(time::Date::MIN);
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        let mut app = NewApplication::new(&format!("KLA-{key}"), office, on, name);
        let pick = |rng: &mut Lcg, options: &[&str]| -> Option<String> {
            let i = rng.below(options.len() as u64 + 1) as usize;
            options.get(i).map(|s| (*s).to_owned())
        };
        app.mother_name = pick(rng, &MOTHERS);
        app.address = pick(rng, &ADDRESSES);
        app.sponsor_name = pick(rng, &SPONSORS);
        let phone = |n: u64| Phone::parse(&format!("08123456789{n}")).ok();
        app.phone = phone(rng.below(3));
        app.sponsor_phone = if rng.below(2) == 0 { phone(5 + rng.below(2)) } else { None };
        Application { key: k(key), version: 1, change_seq: key, data: app }
    }

    fn verdict(seq: i64, a: i64, b: i64, v: Verdict) -> MatchDecision {
        let data = NewMatchDecision::new(k(a), k(b), v, "sri", None, "checked", "t")
            .unwrap_or_else(|e| panic!("{e}"));
        MatchDecision { id: seq, change_seq: seq, data }
    }

    /// Distinct persons among `keys` not excluded and not sharing `household`, judged on the
    /// whole applications (the reference for the briefs' household hashes).
    fn walk_whole(
        mirror: &Mirror,
        whole: &HashMap<ApplicationKey, NewApplication>,
        keys: &[&[ApplicationKey]],
        household: &Household,
        excluded: &HashSet<ApplicationKey>,
    ) -> usize {
        keys.iter()
            .flat_map(|k| k.iter())
            .filter(|k| whole.get(k).is_some_and(|a| !household.shared_by(a)))
            .map(|k| mirror.person_key(*k))
            .filter(|p| !excluded.contains(p))
            .collect::<HashSet<_>>()
            .len()
    }

    /// The aggregates give the count of walking the groups, for every query and exclusion.
    fn assert_aggregates_agree(
        mirror: &Mirror,
        whole: &HashMap<ApplicationKey, NewApplication>,
        rng: &mut Lcg,
        queries: &[Application],
    ) {
        for query in queries {
            let household = Household::of(&query.data);
            let excluded: HashSet<ApplicationKey> = (0..rng.below(3))
                .map(|_| mirror.person_key(k(1 + rng.below(mirror.len() as u64) as i64)))
                .collect();
            if let Some(phone) = &query.data.phone {
                let walked = unrelated_by_walking(
                    mirror,
                    &[mirror.with_phone(phone.as_str())],
                    &household,
                    &excluded,
                    None,
                );
                let kept = mirror.unrelated_sharing_phone(phone.as_str(), &household, &excluded);
                assert_eq!(kept, walked, "phone of {:?}", query.data);
                let members = [mirror.with_phone(phone.as_str())];
                assert_eq!(walk_whole(mirror, whole, &members, &household, &excluded), walked);
            }
            let sponsors = sponsor_keys(&query.data);
            let groups: Vec<&[ApplicationKey]> =
                sponsors.iter().map(|s| mirror.with_sponsor(s)).collect();
            let walked = unrelated_by_walking(mirror, &groups, &household, &excluded, None);
            let kept = mirror.unrelated_sharing_sponsor(&sponsors, &household, &excluded);
            assert_eq!(kept, walked, "sponsor of {:?}", query.data);
            assert_eq!(walk_whole(mirror, whole, &groups, &household, &excluded), walked);
        }
    }

    #[test]
    fn kept_counts_equal_walking_the_groups_through_arrivals_merges_and_splits() {
        let mut rng = Lcg(2026);
        let model = Arc::new(Model::interchange().unwrap_or_else(|e| panic!("{e}")));
        // Large enough that the big groups get their household index.
        let apps: Vec<Application> = (1..=150).map(|n| application(&mut rng, n)).collect();
        let verdicts = vec![
            verdict(1000, 1, 2, Verdict::Confirm),
            verdict(1001, 3, 4, Verdict::Confirm),
            verdict(1002, 4, 5, Verdict::Confirm),
        ];
        let mut mirror =
            Mirror::build_with_verdicts(model, None, apps.clone(), Vec::new(), verdicts)
                .unwrap_or_else(|e| panic!("{e}"));
        let mut whole: HashMap<ApplicationKey, NewApplication> =
            apps.iter().map(|a| (a.key, a.data.clone())).collect();
        let queries: Vec<Application> = (500..540).map(|n| application(&mut rng, n)).collect();
        assert_aggregates_agree(&mirror, &whole, &mut rng, &queries);

        // New applications arrive (the refresher's upserts), some replacing earlier ones with
        // other contacts.
        for n in 151..=200 {
            let app = application(&mut rng, n);
            whole.insert(app.key, app.data.clone());
            mirror.upsert(app).unwrap_or_else(|e| panic!("{e}"));
        }
        for n in [7, 8, 9, 160] {
            let mut changed = application(&mut rng, n);
            changed.version = 2;
            whole.insert(changed.key, changed.data.clone());
            mirror.upsert(changed).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_aggregates_agree(&mirror, &whole, &mut rng, &queries);

        // Officers merge and split persons.
        let mut seq = 2000;
        for _ in 0..40 {
            let (a, b) = (1 + rng.below(200) as i64, 1 + rng.below(200) as i64);
            let v = if rng.below(3) == 0 { Verdict::Reject } else { Verdict::Confirm };
            if a != b {
                seq += 1;
                mirror.add_verdicts(vec![verdict(seq, a, b, v)]);
            }
        }
        assert_aggregates_agree(&mirror, &whole, &mut rng, &queries);
    }
}
