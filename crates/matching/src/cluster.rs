//! Persons: scored pairs clustered into persons, honouring officers' decisions (a
//! confirmed pair is always linked, a rejected pair never ends up in one person, even
//! through others), with person ids kept stable across re-runs. Pure functions: the
//! service stores the decisions and the previous assignment.

use std::collections::HashMap;

use ahash::AHashMap;
use rayon::prelude::*;

/// A scored pair of records, by position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// First record.
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Match probability.
    pub probability: f64,
}

/// Officers' decisions on pairs, by position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    /// Pairs an officer confirmed as the same person.
    pub confirmed: Vec<(u32, u32)>,
    /// Pairs an officer rejected: never the same person.
    pub rejected: Vec<(u32, u32)>,
}

/// Clusters by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clusters {
    /// For each record, the smallest record position of its cluster.
    pub cluster_of: Vec<u32>,
    /// Confirmed pairs that could not be linked because that would join a rejected pair
    /// (the decisions contradict each other; rejections win and an officer must look).
    pub conflicts: Vec<(u32, u32)>,
}

struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Rejected partners of each root's members.
    rejected: Vec<Vec<u32>>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        Self { parent: (0..n as u32).collect(), size: vec![1; n], rejected: vec![Vec::new(); n] }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Whether joining the sets of `a` and `b` would put a rejected pair together.
    fn forbidden(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (small, other) = if self.rejected[ra as usize].len() <= self.rejected[rb as usize].len()
        {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let partners = std::mem::take(&mut self.rejected[small as usize]);
        let hit = partners.iter().any(|&p| self.find(p) == other);
        self.rejected[small as usize] = partners;
        hit
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) =
            if self.size[ra as usize] >= self.size[rb as usize] { (ra, rb) } else { (rb, ra) };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        let moved = std::mem::take(&mut self.rejected[small as usize]);
        self.rejected[big as usize].extend(moved);
    }
}

/// Clusters `n` records: confirmed pairs first, then edges at or above `threshold` from
/// the most to the least probable, skipping any union that would join a rejected pair.
pub fn cluster(n: usize, edges: &[Edge], threshold: f64, constraints: &Constraints) -> Clusters {
    let mut sets = DisjointSets::new(n);
    let valid = |&(a, b): &(u32, u32)| (a as usize) < n && (b as usize) < n && a != b;
    for &(a, b) in constraints.rejected.iter().filter(|pair| valid(pair)) {
        sets.rejected[a as usize].push(b);
        sets.rejected[b as usize].push(a);
    }
    let mut conflicts = Vec::new();
    for &(a, b) in constraints.confirmed.iter().filter(|pair| valid(pair)) {
        if sets.forbidden(a, b) {
            conflicts.push((a, b));
        } else {
            sets.union(a, b);
        }
    }
    let mut ordered: Vec<&Edge> = edges
        .iter()
        .filter(|e| e.probability >= threshold && (e.a as usize) < n && (e.b as usize) < n)
        .collect();
    ordered.par_sort_unstable_by(|x, y| {
        y.probability.total_cmp(&x.probability).then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    for edge in ordered {
        if !sets.forbidden(edge.a, edge.b) {
            sets.union(edge.a, edge.b);
        }
    }
    // Roots are record positions: the smallest member per root goes in a flat array.
    let roots: Vec<u32> = (0..n as u32).map(|i| sets.find(i)).collect();
    let mut smallest = vec![u32::MAX; n];
    for (i, &root) in roots.iter().enumerate() {
        let first = &mut smallest[root as usize];
        *first = (*first).min(i as u32);
    }
    let cluster_of = roots.par_iter().map(|&root| smallest[root as usize]).collect();
    Clusters { cluster_of, conflicts }
}

/// Person ids for clusters, reusing previous ids where possible: each cluster takes the
/// previous id most of its members had, unless a cluster with more such members claims
/// it; clusters left without one get `mint(members)`. Returns one id per record.
pub fn assign_person_ids(
    record_ids: &[&str],
    clusters: &Clusters,
    previous: &HashMap<String, String>,
    mut mint: impl FnMut(&[&str]) -> String,
) -> Vec<String> {
    // Clusters numbered densely in the order of their values, members listed per cluster
    // in record order (flat arrays: a batch run has about one cluster per record).
    let mut values: Vec<u32> = clusters.cluster_of.clone();
    values.par_sort_unstable();
    values.dedup();
    let dense: Vec<usize> =
        clusters.cluster_of.iter().map(|value| values.partition_point(|v| v < value)).collect();
    let mut starts = vec![0usize; values.len() + 1];
    for &d in &dense {
        starts[d + 1] += 1;
    }
    for d in 0..values.len() {
        starts[d + 1] += starts[d];
    }
    let mut members = vec![0usize; dense.len()];
    let mut filled = starts.clone();
    for (record, &d) in dense.iter().enumerate() {
        members[filled[d]] = record;
        filled[d] += 1;
    }
    let members_of = |d: usize| &members[starts[d]..starts[d + 1]];
    let mut claims: Vec<(usize, &str, usize)> = Vec::new();
    if !previous.is_empty() {
        for d in 0..values.len() {
            let mut votes: AHashMap<&str, usize> = AHashMap::new();
            for &record in members_of(d) {
                if let Some(person) = record_ids.get(record).and_then(|id| previous.get(*id)) {
                    *votes.entry(person.as_str()).or_insert(0) += 1;
                }
            }
            claims.extend(votes.into_iter().map(|(person, count)| (count, person, d)));
        }
    }
    // Dense numbers keep the order of the cluster values, so ties break as on the values.
    claims.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)).then(x.2.cmp(&y.2)));
    let mut person_of_cluster: Vec<Option<String>> = vec![None; values.len()];
    let mut taken: ahash::AHashSet<&str> = ahash::AHashSet::new();
    for (_, person, d) in claims {
        if person_of_cluster[d].is_none() && taken.insert(person) {
            person_of_cluster[d] = Some(person.to_owned());
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    for (d, person) in person_of_cluster.iter_mut().enumerate() {
        if person.is_none() {
            ids.clear();
            ids.extend(members_of(d).iter().filter_map(|&r| record_ids.get(r).copied()));
            *person = Some(mint(&ids));
        }
    }
    // The last member of a cluster takes its id, the others copy it.
    dense
        .iter()
        .enumerate()
        .map(|(record, &d)| {
            let person = &mut person_of_cluster[d];
            if members_of(d).last() == Some(&record) {
                person.take().unwrap_or_default()
            } else {
                person.clone().unwrap_or_default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn edge(a: u32, b: u32, probability: f64) -> Edge {
        Edge { a, b, probability }
    }

    #[test]
    fn edges_above_the_threshold_join_records_transitively() {
        let clusters = cluster(
            5,
            &[edge(0, 1, 0.9), edge(1, 2, 0.8), edge(3, 4, 0.2)],
            0.5,
            &Constraints::default(),
        );
        assert_eq!(clusters.cluster_of, vec![0, 0, 0, 3, 4]);
    }

    #[test]
    fn a_rejected_pair_is_never_joined_even_through_a_third_record() {
        let constraints = Constraints { confirmed: vec![], rejected: vec![(0, 2)] };
        let clusters = cluster(3, &[edge(0, 1, 0.99), edge(1, 2, 0.95)], 0.5, &constraints);
        assert_eq!(
            clusters.cluster_of,
            vec![0, 0, 2],
            "the stronger edge wins, the weaker is dropped"
        );
    }

    #[test]
    fn confirmed_pairs_link_below_the_threshold_and_contradictions_are_reported() {
        let constraints = Constraints { confirmed: vec![(0, 1), (1, 2)], rejected: vec![(0, 2)] };
        let clusters = cluster(3, &[], 0.5, &constraints);
        assert_eq!(clusters.cluster_of, vec![0, 0, 2]);
        assert_eq!(clusters.conflicts, vec![(1, 2)]);
    }

    #[test]
    fn person_ids_survive_a_re_run_and_new_clusters_get_minted_ids() {
        let ids = ["a", "b", "c", "d"];
        let previous: HashMap<String, String> = [("a", "P1"), ("b", "P1"), ("c", "P2")]
            .into_iter()
            .map(|(r, p)| (r.to_owned(), p.to_owned()))
            .collect();
        // c now joins a and b; d is new.
        let clusters = Clusters { cluster_of: vec![0, 0, 0, 3], conflicts: vec![] };
        let persons =
            assign_person_ids(&ids, &clusters, &previous, |members| format!("new-{}", members[0]));
        assert_eq!(persons, vec!["P1", "P1", "P1", "new-d"]);
        // A split: a stays with P1, b and c form another person; P2 is reused there.
        let clusters = Clusters { cluster_of: vec![0, 1, 1, 3], conflicts: vec![] };
        let persons =
            assign_person_ids(&ids, &clusters, &previous, |members| format!("new-{}", members[0]));
        assert_eq!(persons, vec!["P1", "P2", "P2", "new-d"]);
    }

    /// The implementation before flat arrays, kept to check the current one against.
    fn reference_assign_person_ids(
        record_ids: &[&str],
        clusters: &Clusters,
        previous: &HashMap<String, String>,
        mut mint: impl FnMut(&[&str]) -> String,
    ) -> Vec<String> {
        let mut members: AHashMap<u32, Vec<usize>> = AHashMap::new();
        for (record, &cluster) in clusters.cluster_of.iter().enumerate() {
            members.entry(cluster).or_default().push(record);
        }
        let mut claims: Vec<(usize, &str, u32)> = Vec::new();
        for (&cluster, records) in &members {
            let mut votes: AHashMap<&str, usize> = AHashMap::new();
            for &record in records {
                if let Some(person) = record_ids.get(record).and_then(|id| previous.get(*id)) {
                    *votes.entry(person.as_str()).or_insert(0) += 1;
                }
            }
            claims.extend(votes.into_iter().map(|(person, count)| (count, person, cluster)));
        }
        claims.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)).then(x.2.cmp(&y.2)));
        let mut person_of_cluster: AHashMap<u32, String> = AHashMap::new();
        let mut taken: ahash::AHashSet<&str> = ahash::AHashSet::new();
        for (_, person, cluster) in claims {
            if !person_of_cluster.contains_key(&cluster) && taken.insert(person) {
                person_of_cluster.insert(cluster, person.to_owned());
            }
        }
        let mut clusters_in_order: Vec<u32> = members.keys().copied().collect();
        clusters_in_order.sort_unstable();
        for cluster in clusters_in_order {
            if !person_of_cluster.contains_key(&cluster) {
                let ids: Vec<&str> =
                    members[&cluster].iter().filter_map(|&r| record_ids.get(r).copied()).collect();
                person_of_cluster.insert(cluster, mint(&ids));
            }
        }
        clusters.cluster_of.iter().map(|cluster| person_of_cluster[cluster].clone()).collect()
    }

    proptest! {
        #[test]
        fn person_ids_match_the_map_based_reference(
            cluster_picks in proptest::collection::vec(0usize..40, 1..40),
            previous_picks in proptest::collection::vec((0usize..40, 0u8..6), 0..30),
        ) {
            // Each record joins the cluster of an earlier record (or its own), so every
            // value is the smallest position of its cluster, as `cluster` gives them.
            let mut cluster_of: Vec<u32> = Vec::new();
            for (i, &pick) in cluster_picks.iter().enumerate() {
                let joined = if pick < i { cluster_of[pick] } else { i as u32 };
                cluster_of.push(joined);
            }
            let clusters = Clusters { cluster_of, conflicts: Vec::new() };
            let names: Vec<String> = (0..cluster_picks.len()).map(|i| format!("r{i}")).collect();
            let ids: Vec<&str> = names.iter().map(String::as_str).collect();
            let previous: HashMap<String, String> = previous_picks
                .iter()
                .filter(|(r, _)| *r < ids.len())
                .map(|&(r, p)| (ids[r].to_owned(), format!("p{p}")))
                .collect();
            let mut minted = 0;
            let got = assign_person_ids(&ids, &clusters, &previous, |m| {
                minted += 1;
                format!("new-{}-{minted}", m.join("+"))
            });
            let mut minted = 0;
            let expected = reference_assign_person_ids(&ids, &clusters, &previous, |m| {
                minted += 1;
                format!("new-{}-{minted}", m.join("+"))
            });
            prop_assert_eq!(got, expected);
        }
    }

    proptest! {
        #[test]
        fn no_cluster_ever_holds_a_rejected_pair(
            edges in proptest::collection::vec((0u32..12, 0u32..12, 0.0f64..1.0), 0..60),
            rejected in proptest::collection::vec((0u32..12, 0u32..12), 0..8),
            confirmed in proptest::collection::vec((0u32..12, 0u32..12), 0..8),
        ) {
            let edges: Vec<Edge> = edges.into_iter().map(|(a, b, p)| edge(a, b, p)).collect();
            let constraints = Constraints { confirmed: confirmed.clone(), rejected: rejected.clone() };
            let clusters = cluster(12, &edges, 0.3, &constraints);
            for (a, b) in rejected {
                if a != b {
                    prop_assert_ne!(clusters.cluster_of[a as usize], clusters.cluster_of[b as usize]);
                }
            }
            for (a, b) in confirmed {
                let linked = clusters.cluster_of[a as usize] == clusters.cluster_of[b as usize];
                prop_assert!(linked || clusters.conflicts.contains(&(a, b)));
            }
        }
    }
}
