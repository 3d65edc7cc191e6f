//! Evaluation against known truth: pairwise precision, recall and F1 over all true pairs.
//! Truth comes as clusters (`application_id,person_id`) or as pairs (FEBRL's `id_a,id_b`
//! or `id_l,id_r`); both are turned into clusters and compared with the predicted ones by
//! counting pairs in each (predicted, true) intersection, so no pair list is materialised.

use std::io::Read;

use ahash::AHashMap;

use crate::error::LinkError;

/// Known truth, as groups of record ids that are the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    /// Truth cluster label per record id.
    cluster_of: AHashMap<String, u32>,
}

/// Pairwise evaluation figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Pairs that are truly the same person.
    pub true_pairs: u64,
    /// Pairs put in the same person by the linker.
    pub predicted_pairs: u64,
    /// Pairs both true and predicted.
    pub true_positives: u64,
    /// `true_positives / predicted_pairs`.
    pub precision: f64,
    /// `true_positives / true_pairs`.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Ids named in the truth file but absent from the input.
    pub unknown_ids: u64,
}

impl Truth {
    /// Reads a truth file; the header decides the format.
    pub fn read<R: Read>(reader: R) -> Result<Self, LinkError> {
        let csv_error = |source| LinkError::Csv { source_name: "truth".into(), source };
        let mut reader = csv::Reader::from_reader(reader);
        let headers = reader.headers().map_err(csv_error)?.clone();
        let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        let is_pairs = matches!(
            lower.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
            ["id_a", "id_b", ..] | ["id_l", "id_r", ..] | ["id_1", "id_2", ..]
        );
        let is_clusters = lower.len() >= 2 && lower[1] == "person_id";
        if !is_pairs && !is_clusters {
            return Err(LinkError::TruthHeader { found: lower.join(",") });
        }
        let mut labels: AHashMap<String, u32> = AHashMap::new();
        let mut parent: Vec<u32> = Vec::new();
        let label_of =
            |id: &str, labels: &mut AHashMap<String, u32>, parent: &mut Vec<u32>| -> u32 {
                *labels.entry(id.trim().to_owned()).or_insert_with(|| {
                    parent.push(parent.len() as u32);
                    parent.len() as u32 - 1
                })
            };
        // Cluster format: each person is anchored on the first record seen with it.
        let mut anchor_of_person: AHashMap<String, u32> = AHashMap::new();
        for row in reader.records() {
            let row = row.map_err(csv_error)?;
            let (Some(first), Some(second)) = (row.get(0), row.get(1)) else { continue };
            if first.trim().is_empty() || second.trim().is_empty() {
                continue;
            }
            let a = label_of(first, &mut labels, &mut parent);
            let b = if is_pairs {
                label_of(second, &mut labels, &mut parent)
            } else {
                *anchor_of_person.entry(second.trim().to_owned()).or_insert(a)
            };
            union(&mut parent, a, b);
        }
        let cluster_of =
            labels.into_iter().map(|(id, label)| (id, find(&mut parent, label))).collect();
        Ok(Self { cluster_of })
    }

    /// Compares predicted clusters (`predicted[i]` is record `ids[i]`'s cluster) with the
    /// truth. With `sides`, only pairs across the two sides count (link mode).
    pub fn evaluate(&self, ids: &[&str], predicted: &[u32], sides: &[u8]) -> Evaluation {
        let link_mode = !sides.is_empty();
        let mut known = 0u64;
        let mut predicted_sizes: AHashMap<u32, [u64; 2]> = AHashMap::new();
        let mut true_sizes: AHashMap<u32, [u64; 2]> = AHashMap::new();
        let mut intersections: AHashMap<(u32, u32), [u64; 2]> = AHashMap::new();
        for (position, (&id, &cluster)) in ids.iter().zip(predicted).enumerate() {
            let side = if link_mode { usize::from(sides[position].min(1)) } else { 0 };
            predicted_sizes.entry(cluster).or_default()[side] += 1;
            if let Some(&truth) = self.cluster_of.get(id) {
                known += 1;
                true_sizes.entry(truth).or_default()[side] += 1;
                intersections.entry((cluster, truth)).or_default()[side] += 1;
            }
        }
        let pairs = |counts: &[u64; 2]| {
            if link_mode {
                counts[0] * counts[1]
            } else {
                counts[0] * counts[0].saturating_sub(1) / 2
            }
        };
        let true_pairs: u64 = true_sizes.values().map(pairs).sum();
        let predicted_pairs: u64 = predicted_sizes.values().map(pairs).sum();
        let true_positives: u64 = intersections.values().map(pairs).sum();
        let precision = ratio(true_positives, predicted_pairs);
        let recall = ratio(true_positives, true_pairs);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Evaluation {
            true_pairs,
            predicted_pairs,
            true_positives,
            precision,
            recall,
            f1,
            unknown_ids: (self.cluster_of.len() as u64).saturating_sub(known),
        }
    }
}

fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 { 1.0 } else { numerator as f64 / denominator as f64 }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_and_cluster_truth_files_describe_the_same_persons() {
        let pairs = Truth::read("id_a,id_b\na,b\nb,c\n".as_bytes()).unwrap();
        let clusters =
            Truth::read("application_id,person_id\na,P1\nb,P1\nc,P1\nd,P2\n".as_bytes()).unwrap();
        let ids = ["a", "b", "c", "d"];
        let predicted = [0, 0, 2, 3];
        let from_pairs = pairs.evaluate(&ids, &predicted, &[]);
        let from_clusters = clusters.evaluate(&ids, &predicted, &[]);
        assert_eq!(from_pairs.true_pairs, 3);
        assert_eq!(from_pairs.true_positives, 1);
        assert_eq!(from_pairs.predicted_pairs, 1);
        assert_eq!(from_pairs.true_positives, from_clusters.true_positives);
        assert_eq!(from_pairs.true_pairs, from_clusters.true_pairs);
        assert!((from_pairs.recall - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(from_pairs.precision, 1.0);
    }

    #[test]
    fn link_mode_counts_only_pairs_across_sides() {
        let truth = Truth::read("id_l,id_r\na1,b1\na2,b2\n".as_bytes()).unwrap();
        let ids = ["a1", "a2", "b1", "b2"];
        // Everything in one cluster: 4 cross pairs predicted, 2 true.
        let evaluation = truth.evaluate(&ids, &[0, 0, 0, 0], &[0, 0, 1, 1]);
        assert_eq!(
            (evaluation.predicted_pairs, evaluation.true_positives, evaluation.true_pairs),
            (4, 2, 2)
        );
    }

    #[test]
    fn an_unknown_header_is_an_error() {
        assert!(matches!(Truth::read("x,y\n".as_bytes()), Err(LinkError::TruthHeader { .. })));
    }
}
