//! Evaluation against known truth: pairwise precision, recall and F1 over all true pairs.
//! Truth comes as clusters (`application_id,person_id`) or as pairs (FEBRL's `id_a,id_b`
//! or `id_l,id_r`); both are turned into clusters and compared with the predicted ones by
//! counting pairs in each (predicted, true) intersection, so no pair list is materialised.

use std::io::Read;

use ahash::AHashMap;
use jejak_domain::text::csv_unquote;
use rayon::prelude::*;

use super::io::{PIECE_BYTES, Text, parse_in_pieces};
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
        Self::from_text(Text::read(reader))
    }

    /// [`Truth::read`] over a text already in memory: parsed on all cores in pieces, or
    /// serially when anything is wrong (for the exact error).
    pub(crate) fn from_text(mut text: Text) -> Result<Self, LinkError> {
        if text.failure.is_none()
            && let Some(truth) = Self::from_pieces(&text.bytes)
        {
            return truth;
        }
        Self::read_serially(text.replay())
    }

    /// The fast path of [`Truth::from_text`]: `None` when the serial reader must decide.
    fn from_pieces(bytes: &[u8]) -> Option<Result<Self, LinkError>> {
        let mut reader = csv::Reader::from_reader(bytes);
        let headers = reader.headers().ok()?.clone();
        let format = match Format::of(&headers) {
            Ok(format) => format,
            Err(error) => return Some(Err(error)),
        };
        let body = bytes.get(usize::try_from(reader.position().byte()).ok()?..)?;
        let rows = parse_in_pieces(body, headers.len(), PIECE_BYTES, |row, rows| {
            if let Some(pair) = truth_row(row) {
                rows.push(pair);
            }
            true
        })?;
        let mut grouping = Grouping::with_capacity(rows.len());
        for (first, second) in rows {
            grouping.add(format, first, second);
        }
        Some(Ok(grouping.finish()))
    }

    /// Row by row, stopping at the first CSV error.
    fn read_serially<R: Read>(reader: R) -> Result<Self, LinkError> {
        let csv_error = |source| LinkError::Csv { source_name: "truth".into(), source };
        let mut reader = csv::Reader::from_reader(reader);
        let headers = reader.headers().map_err(csv_error)?.clone();
        let format = Format::of(&headers)?;
        let mut grouping = Grouping::with_capacity(0);
        for row in reader.records() {
            let row = row.map_err(csv_error)?;
            if let Some((first, second)) = truth_row(&row) {
                grouping.add(format, first, second);
            }
        }
        Ok(grouping.finish())
    }

    /// Compares predicted clusters (`predicted[i]` is record `ids[i]`'s cluster) with the
    /// truth. With `sides`, only pairs across the two sides count (link mode).
    pub fn evaluate(&self, ids: &[&str], predicted: &[u32], sides: &[u8]) -> Evaluation {
        let link_mode = !sides.is_empty();
        let count = ids.len().min(predicted.len());
        let side_of = |position: usize| if link_mode { sides[position].min(1) } else { 0 };
        // (predicted cluster, true cluster if known, side) per record; the lookups, the
        // costly part, on all cores.
        let labelled: Vec<(u32, Option<u32>, u8)> = (0..count)
            .into_par_iter()
            .map(|i| (predicted[i], self.cluster_of.get(ids[i]).copied(), side_of(i)))
            .collect();
        let known = labelled.iter().filter(|(_, truth, _)| truth.is_some()).count() as u64;
        let pairs = |counts: [u64; 2]| {
            if link_mode {
                counts[0] * counts[1]
            } else {
                counts[0] * counts[0].saturating_sub(1) / 2
            }
        };
        let pairs_within = |groups: Vec<(u64, u8)>| group_pairs(groups, pairs);
        let predicted_pairs = pairs_within(
            labelled.iter().map(|&(cluster, _, side)| (u64::from(cluster), side)).collect(),
        );
        let true_pairs = pairs_within(
            labelled
                .iter()
                .filter_map(|&(_, truth, side)| Some((u64::from(truth?), side)))
                .collect(),
        );
        let true_positives = pairs_within(
            labelled
                .iter()
                .filter_map(|&(cluster, truth, side)| {
                    Some(((u64::from(cluster) << 32) | u64::from(truth?), side))
                })
                .collect(),
        );
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

/// Sums `pairs(counts per side)` over the groups of equal keys among `(key, side)`.
fn group_pairs(mut keyed: Vec<(u64, u8)>, pairs: impl Fn([u64; 2]) -> u64) -> u64 {
    keyed.par_sort_unstable();
    let mut total = 0;
    let mut start = 0;
    while start < keyed.len() {
        let key = keyed[start].0;
        let mut counts = [0u64; 2];
        let mut end = start;
        while end < keyed.len() && keyed[end].0 == key {
            counts[usize::from(keyed[end].1.min(1))] += 1;
            end += 1;
        }
        total += pairs(counts);
        start = end;
    }
    total
}

/// How the truth file is laid out, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `id_a,id_b`: two records of one person per row.
    Pairs,
    /// `application_id,person_id`: a record and its person per row.
    Clusters,
}

impl Format {
    fn of(headers: &csv::StringRecord) -> Result<Self, LinkError> {
        let lower: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
        let is_pairs = matches!(
            lower.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
            ["id_a", "id_b", ..] | ["id_l", "id_r", ..] | ["id_1", "id_2", ..]
        );
        let is_clusters = lower.len() >= 2 && lower[1] == "person_id";
        if is_pairs {
            Ok(Self::Pairs)
        } else if is_clusters {
            Ok(Self::Clusters)
        } else {
            Err(LinkError::TruthHeader { found: lower.join(",") })
        }
    }
}

/// The two trimmed values of a truth row (a neutralising quote taken off, as Jejak writes
/// ids: `text::csv_safe`); `None` for rows that say nothing.
fn truth_row(row: &csv::StringRecord) -> Option<(String, String)> {
    let (first, second) = (csv_unquote(row.get(0)?.trim()), csv_unquote(row.get(1)?.trim()));
    (!first.is_empty() && !second.is_empty()).then(|| (first.to_owned(), second.to_owned()))
}

/// Truth rows grouped into clusters as they come.
struct Grouping {
    labels: AHashMap<String, u32>,
    parent: Vec<u32>,
    /// Cluster format: each person is anchored on the first record seen with it.
    anchor_of_person: AHashMap<String, u32>,
}

impl Grouping {
    fn with_capacity(rows: usize) -> Self {
        Self {
            labels: AHashMap::with_capacity(rows),
            parent: Vec::with_capacity(rows),
            anchor_of_person: AHashMap::new(),
        }
    }

    fn label_of(&mut self, id: String) -> u32 {
        let parent = &mut self.parent;
        *self.labels.entry(id).or_insert_with(|| {
            parent.push(parent.len() as u32);
            parent.len() as u32 - 1
        })
    }

    fn add(&mut self, format: Format, first: String, second: String) {
        let a = self.label_of(first);
        let b = match format {
            Format::Pairs => self.label_of(second),
            Format::Clusters => *self.anchor_of_person.entry(second).or_insert(a),
        };
        union(&mut self.parent, a, b);
    }

    fn finish(mut self) -> Truth {
        for label in self.labels.values_mut() {
            *label = find(&mut self.parent, *label);
        }
        Truth { cluster_of: self.labels }
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
    fn the_parallel_read_groups_like_the_serial_one() {
        let cases: [&[u8]; 4] = [
            b"id_a,id_b\na,b\n\nb, c\n,d\n\"e\nf\",a\n",
            b"application_id,person_id\na,P1\nb,P2\nc,P1\nb,P3\n d ,P3\ne,\n",
            b"application_id,person_id\na,P1\nb\n",
            b"x,y\na,b\n",
        ];
        for case in cases {
            let serial = Truth::read_serially(case).map_err(|e| e.to_string());
            let parallel = Truth::from_pieces(case).map(|t| t.map_err(|e| e.to_string()));
            let whole = Truth::read(case).map_err(|e| e.to_string());
            assert_eq!(whole, serial, "{case:?}");
            if let Some(parallel) = parallel {
                assert_eq!(parallel, serial, "{case:?}");
            }
        }
    }

    #[test]
    fn an_unknown_header_is_an_error() {
        assert!(matches!(Truth::read("x,y\n".as_bytes()), Err(LinkError::TruthHeader { .. })));
    }
}
