//! Persons as derived state: the auto-link matches between applications and the officers'
//! verdicts on pairs, clustered by the matching crate's constrained clustering (a confirmed
//! pair is always one person, a rejected pair never, not even through a third application).
//!
//! **Person ids.** A person's id is `P` + the key of its first application in the register
//! (the smallest key among its applications). Keys are handed out in register order, so:
//! - an application joining a person never changes the person's id (its key is larger);
//! - when two persons merge, the older id survives (the one whose first application was
//!   registered earlier, which is not necessarily the earlier application date);
//! - when a person is split (by rejections), the group holding the first application keeps
//!   the id and every other group takes the key of its own first application.
//!
//! Ids are not stored: every server and every restart derives the same ids from the same
//! applications and verdicts. When something changes, only the connected part of the graph
//! it touches is clustered again; clustering is per connected component, so that gives the
//! same persons as clustering the whole register.

use std::collections::{BTreeSet, HashMap, HashSet};

use jejak_domain::{ApplicationKey, MatchDecision, Verdict};
use jejak_matching::cluster::{Constraints, Edge, cluster};

type Pair = (ApplicationKey, ApplicationKey);

/// An application whose person changed: `(application, old first application, new first
/// application)`, so look-ups kept per person (the contact groups) can follow.
pub(crate) type PersonMove = (ApplicationKey, ApplicationKey, ApplicationKey);

/// The pair in stored order (smaller key first).
pub(crate) fn ordered(a: ApplicationKey, b: ApplicationKey) -> Pair {
    (a.min(b), a.max(b))
}

/// Auto-link edges, verdicts and the persons they give.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct PersonGraph {
    /// Auto-link matches, both directions, with their probability.
    links: HashMap<ApplicationKey, Vec<(ApplicationKey, f64)>>,
    /// The latest verdict on each pair.
    verdicts: HashMap<Pair, MatchDecision>,
    /// Applications with a verdict on their pair, both directions.
    verdict_partners: HashMap<ApplicationKey, Vec<ApplicationKey>>,
    /// The person (first application) of every known application.
    person: HashMap<ApplicationKey, ApplicationKey>,
    /// Each person's applications, ascending, for persons of two applications or more (most
    /// applications are a person on their own: a list each would cost more than the rest).
    members: HashMap<ApplicationKey, Vec<ApplicationKey>>,
    /// Confirmed pairs the clustering could not honour because a rejection forbids it.
    conflicts: BTreeSet<Pair>,
}

impl PersonGraph {
    /// Makes `key` known, as a person of its own until it is linked.
    pub(crate) fn add_application(&mut self, key: ApplicationKey) {
        self.person.entry(key).or_insert(key);
    }

    /// Adds auto-link matches without clustering (for the start-up build, followed by
    /// [`PersonGraph::cluster_everything`]).
    pub(crate) fn add_links(&mut self, links: impl IntoIterator<Item = (Pair, f64)>) {
        for ((a, b), probability) in links {
            self.add_link(a, b, probability);
        }
    }

    /// Replaces the auto-link matches of `key` (its new screening result) and clusters the
    /// affected persons again; returns the applications whose person changed.
    pub(crate) fn set_links_of(
        &mut self,
        key: ApplicationKey,
        links: &[(ApplicationKey, f64)],
    ) -> Vec<PersonMove> {
        let mut seeds = vec![key];
        seeds.extend(self.members_of(self.person_of(key)).iter().copied());
        if let Some(old) = self.links.remove(&key) {
            for (other, _) in old {
                seeds.push(other);
                if let Some(list) = self.links.get_mut(&other) {
                    list.retain(|(k, _)| *k != key);
                }
            }
        }
        for &(other, probability) in links {
            self.add_link(key, other, probability);
        }
        self.recluster(&seeds)
    }

    /// Takes in verdicts (an older or repeated one than the one held for its pair is
    /// ignored) and clusters the affected persons again; returns the applications whose person
    /// changed.
    pub(crate) fn apply_verdicts(
        &mut self,
        verdicts: impl IntoIterator<Item = MatchDecision>,
    ) -> Vec<PersonMove> {
        let mut seeds = Vec::new();
        for verdict in verdicts {
            let (a, b) = verdict.data.pair();
            if self.verdicts.get(&(a, b)).is_some_and(|held| held.change_seq >= verdict.change_seq)
            {
                continue;
            }
            if self.verdicts.insert((a, b), verdict).is_none() {
                self.verdict_partners.entry(a).or_default().push(b);
                self.verdict_partners.entry(b).or_default().push(a);
            }
            seeds.extend([a, b]);
        }
        self.recluster(&seeds)
    }

    /// Forgets `key` (deleted at the end of its retention period): its links and verdicts go,
    /// and the person it belonged to is clustered again without it (it may fall apart, or
    /// take another first application and so another id). Returns the applications whose
    /// person changed.
    pub(crate) fn remove_application(&mut self, key: ApplicationKey) -> Vec<PersonMove> {
        let Some(first) = self.person.remove(&key) else {
            return Vec::new();
        };
        let mut seeds: Vec<ApplicationKey> = Vec::new();
        if let Some(members) = self.members.get_mut(&first) {
            members.retain(|&k| k != key);
            seeds.extend(members.iter().copied());
            if members.is_empty() {
                self.members.remove(&first);
            }
        }
        for (other, _) in self.links.remove(&key).unwrap_or_default() {
            seeds.push(other);
            if let Some(list) = self.links.get_mut(&other) {
                list.retain(|(k, _)| *k != key);
            }
        }
        for other in self.verdict_partners.remove(&key).unwrap_or_default() {
            self.verdicts.remove(&ordered(key, other));
            if let Some(list) = self.verdict_partners.get_mut(&other) {
                list.retain(|&k| k != key);
            }
            seeds.push(other);
        }
        self.conflicts.retain(|&(a, b)| a != key && b != key);
        self.recluster(&seeds)
    }

    /// Clusters every known application (start-up); returns the applications whose person
    /// changed.
    pub(crate) fn cluster_everything(&mut self) -> Vec<PersonMove> {
        let all: Vec<ApplicationKey> = self.person.keys().copied().collect();
        self.recluster(&all)
    }

    /// The first application of `key`'s person (`key` itself when unknown).
    pub(crate) fn person_of(&self, key: ApplicationKey) -> ApplicationKey {
        self.person.get(&key).copied().unwrap_or(key)
    }

    /// The applications of the person whose first application is `first`, ascending; empty
    /// when `first` is not a person's first application.
    pub(crate) fn members_of(&self, first: ApplicationKey) -> &[ApplicationKey] {
        if let Some(members) = self.members.get(&first) {
            return members;
        }
        match self.person.get_key_value(&first) {
            Some((key, person)) if person == key => std::slice::from_ref(key),
            _ => &[],
        }
    }

    /// The applications `key` is joined to directly: its auto-link matches and the pairs an
    /// officer confirmed (not the rest of its person).
    pub(crate) fn joined_to(&self, key: ApplicationKey) -> impl Iterator<Item = ApplicationKey> {
        let linked = self.links.get(&key).into_iter().flatten().map(|(k, _)| *k);
        let confirmed = self
            .verdict_partners
            .get(&key)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |&other| self.confirmed(key, other));
        linked.chain(confirmed)
    }

    /// The latest verdict on a pair, either order.
    pub(crate) fn verdict(&self, a: ApplicationKey, b: ApplicationKey) -> Option<&MatchDecision> {
        self.verdicts.get(&ordered(a, b))
    }

    /// The latest verdicts on pairs that include `key`.
    pub(crate) fn verdicts_of(&self, key: ApplicationKey) -> impl Iterator<Item = &MatchDecision> {
        self.verdict_partners
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(move |&other| self.verdict(key, other))
    }

    /// Confirmed pairs inside `members` that could not be joined (contradicting verdicts).
    pub(crate) fn conflicts_among(&self, members: &[ApplicationKey]) -> Vec<Pair> {
        let set: HashSet<&ApplicationKey> = members.iter().collect();
        self.conflicts.iter().filter(|(a, b)| set.contains(a) || set.contains(b)).copied().collect()
    }

    fn add_link(&mut self, a: ApplicationKey, b: ApplicationKey, probability: f64) {
        if a == b {
            return;
        }
        for (from, to) in [(a, b), (b, a)] {
            let list = self.links.entry(from).or_default();
            match list.iter_mut().find(|(k, _)| *k == to) {
                Some(held) => held.1 = probability,
                None => list.push((to, probability)),
            }
        }
    }

    fn confirmed(&self, a: ApplicationKey, b: ApplicationKey) -> bool {
        self.verdict(a, b).is_some_and(|v| v.data.verdict() == Verdict::Confirm)
    }

    /// Every known application connected to `seeds` by a link, a confirmed verdict or a
    /// shared current person, ascending.
    fn component(&self, seeds: &[ApplicationKey]) -> Vec<ApplicationKey> {
        let mut seen: HashSet<ApplicationKey> = HashSet::new();
        let mut stack: Vec<ApplicationKey> =
            seeds.iter().copied().filter(|k| self.person.contains_key(k)).collect();
        while let Some(key) = stack.pop() {
            if !seen.insert(key) {
                continue;
            }
            let linked = self.links.get(&key).into_iter().flatten().map(|(k, _)| *k);
            let confirmed = self
                .verdict_partners
                .get(&key)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&other| self.confirmed(key, other));
            let same_person = self.members_of(self.person_of(key)).iter().copied();
            stack.extend(
                linked
                    .chain(confirmed)
                    .chain(same_person)
                    .filter(|k| !seen.contains(k) && self.person.contains_key(k)),
            );
        }
        let mut keys: Vec<ApplicationKey> = seen.into_iter().collect();
        keys.sort_unstable();
        keys
    }

    /// Clusters the component of `seeds` again and records its persons; returns the
    /// applications whose person changed.
    fn recluster(&mut self, seeds: &[ApplicationKey]) -> Vec<PersonMove> {
        let keys = self.component(seeds);
        if keys.is_empty() {
            return Vec::new();
        }
        // Positions follow key order, so ties in the clustering resolve the same way on
        // every server, and the smallest position of a cluster is its first application.
        let position: HashMap<ApplicationKey, u32> =
            keys.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
        let mut edges = Vec::new();
        let mut constraints = Constraints::default();
        for (i, key) in keys.iter().enumerate() {
            for (other, probability) in self.links.get(key).into_iter().flatten() {
                if let Some(&j) = position.get(other).filter(|&&j| j > i as u32) {
                    edges.push(Edge { a: i as u32, b: j, probability: *probability });
                }
            }
            for other in self.verdict_partners.get(key).into_iter().flatten() {
                let Some(&j) = position.get(other).filter(|&&j| j > i as u32) else { continue };
                match self.verdict(*key, *other).map(|v| v.data.verdict()) {
                    Some(Verdict::Confirm) => constraints.confirmed.push((i as u32, j)),
                    Some(Verdict::Reject) => constraints.rejected.push((i as u32, j)),
                    None => {}
                }
            }
        }
        let clusters = cluster(keys.len(), &edges, 0.0, &constraints);
        for key in &keys {
            if let Some(first) = self.person.get(key) {
                self.members.remove(first);
            }
        }
        let inside: HashSet<&ApplicationKey> = keys.iter().collect();
        self.conflicts.retain(|(a, b)| !inside.contains(a) && !inside.contains(b));
        let mut moves = Vec::new();
        let mut members: HashMap<ApplicationKey, Vec<ApplicationKey>> = HashMap::new();
        for (key, &smallest) in keys.iter().zip(&clusters.cluster_of) {
            let first = keys[smallest as usize];
            if let Some(old) = self.person.insert(*key, first)
                && old != first
            {
                moves.push((*key, old, first));
            }
            members.entry(first).or_default().push(*key);
        }
        self.members.extend(members.into_iter().filter(|(_, list)| list.len() > 1));
        self.conflicts
            .extend(clusters.conflicts.iter().map(|&(a, b)| (keys[a as usize], keys[b as usize])));
        moves
    }
}

#[cfg(test)]
mod tests {
    use jejak_domain::NewMatchDecision;

    use super::*;

    fn k(n: i64) -> ApplicationKey {
        ApplicationKey(n)
    }

    fn graph(apps: &[i64], links: &[(i64, i64, f64)]) -> PersonGraph {
        let mut g = PersonGraph::default();
        for &a in apps {
            g.add_application(k(a));
        }
        g.add_links(links.iter().map(|&(a, b, p)| ((k(a), k(b)), p)));
        g.cluster_everything();
        g
    }

    fn verdict(seq: i64, a: i64, b: i64, v: Verdict) -> MatchDecision {
        let data = NewMatchDecision::new(k(a), k(b), v, "sri", None, "checked", "t")
            .unwrap_or_else(|e| panic!("{e}"));
        MatchDecision { id: seq, change_seq: seq, data }
    }

    fn persons(g: &PersonGraph, apps: &[i64]) -> Vec<i64> {
        apps.iter().map(|&a| g.person_of(k(a)).0).collect()
    }

    #[test]
    fn a_rejected_pair_is_split_and_stays_apart_when_a_third_application_links_both() {
        let mut g = graph(&[1, 2], &[(1, 2, 0.99)]);
        assert_eq!(persons(&g, &[1, 2]), vec![1, 1]);
        g.apply_verdicts([verdict(10, 2, 1, Verdict::Reject)]);
        assert_eq!(persons(&g, &[1, 2]), vec![1, 2]);
        g.add_application(k(3));
        g.set_links_of(k(3), &[(k(1), 0.98), (k(2), 0.97)]);
        assert_eq!(persons(&g, &[1, 2, 3]), vec![1, 2, 1], "3 joins the stronger match only");
        assert_eq!(g.members_of(k(1)), &[k(1), k(3)]);
        assert_eq!(g.members_of(k(2)), &[k(2)]);
    }

    #[test]
    fn removing_an_application_splits_what_it_held_together_and_hands_on_the_id() {
        let mut g = graph(&[1, 2, 3, 5, 6], &[(1, 2, 0.99), (2, 3, 0.99), (5, 6, 0.99)]);
        g.apply_verdicts([verdict(10, 3, 5, Verdict::Confirm)]);
        assert_eq!(persons(&g, &[1, 2, 3, 5, 6]), vec![1, 1, 1, 1, 1]);
        // 2 linked 1 with 3: without it, 1 stands alone and 3 keeps its confirmed 5 and 6.
        let moves = g.remove_application(k(2));
        assert_eq!(persons(&g, &[1, 3, 5, 6]), vec![1, 3, 3, 3]);
        assert_eq!(moves.len(), 3, "{moves:?}");
        assert_eq!(g.members_of(k(1)), &[k(1)]);
        assert_eq!(g.members_of(k(3)), &[k(3), k(5), k(6)]);
        // The first application goes: the next one names the person, the verdict is gone.
        g.remove_application(k(3));
        assert_eq!(persons(&g, &[5, 6]), vec![5, 5]);
        assert!(g.verdict(k(3), k(5)).is_none());
        assert!(g.verdicts_of(k(5)).next().is_none());
        assert!(g.members_of(k(3)).is_empty());
        assert!(g.remove_application(k(3)).is_empty(), "already gone");
    }

    #[test]
    fn a_confirmed_pair_is_one_person_without_any_link_and_a_later_verdict_supersedes() {
        let mut g = graph(&[1, 2, 3], &[]);
        g.apply_verdicts([verdict(10, 3, 2, Verdict::Confirm)]);
        assert_eq!(persons(&g, &[1, 2, 3]), vec![1, 2, 2]);
        // An older verdict arriving late does not win.
        g.apply_verdicts([verdict(9, 2, 3, Verdict::Reject)]);
        assert_eq!(persons(&g, &[2, 3]), vec![2, 2]);
        g.apply_verdicts([verdict(11, 2, 3, Verdict::Reject)]);
        assert_eq!(persons(&g, &[2, 3]), vec![2, 3]);
        assert_eq!(g.verdict(k(3), k(2)).map(|v| v.change_seq), Some(11));
    }

    #[test]
    fn ids_are_kept_when_joining_and_the_older_id_survives_a_merge() {
        let mut g = graph(&[4, 7, 9], &[(7, 9, 0.99)]);
        assert_eq!(persons(&g, &[4, 7, 9]), vec![4, 7, 7]);
        g.add_application(k(12));
        g.set_links_of(k(12), &[(k(9), 0.99)]);
        assert_eq!(persons(&g, &[12]), vec![7], "joining keeps P7");
        g.apply_verdicts([verdict(20, 12, 4, Verdict::Confirm)]);
        assert_eq!(persons(&g, &[4, 7, 9, 12]), vec![4, 4, 4, 4], "P4 is older than P7");
        assert!(g.members_of(k(7)).is_empty());
    }

    #[test]
    fn an_application_whose_links_change_leaves_its_person() {
        let mut g = graph(&[1, 2, 3], &[(1, 2, 0.99), (2, 3, 0.99)]);
        assert_eq!(persons(&g, &[1, 2, 3]), vec![1, 1, 1]);
        g.set_links_of(k(2), &[]);
        assert_eq!(persons(&g, &[1, 2, 3]), vec![1, 2, 3]);
    }

    #[test]
    fn contradicting_verdicts_are_reported_and_the_rejection_wins() {
        let mut g = graph(&[1, 2, 3], &[]);
        g.apply_verdicts([
            verdict(10, 1, 2, Verdict::Confirm),
            verdict(11, 2, 3, Verdict::Confirm),
            verdict(12, 1, 3, Verdict::Reject),
        ]);
        let p = persons(&g, &[1, 2, 3]);
        assert_ne!(p[0], p[2]);
        assert_eq!(g.conflicts_among(&[k(1), k(2), k(3)]).len(), 1);
    }
}
