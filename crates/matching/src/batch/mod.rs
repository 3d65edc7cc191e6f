//! Batch linking without a database: read one file (dedupe) or two (link A to B), block,
//! estimate parameters, score candidate pairs on all cores, cluster into persons, write
//! `id,person_id` (and optionally the scored pairs) and, given truth, evaluate.

mod io;
mod truth;

use std::io::{Read, Write};

use rayon::prelude::*;

pub use io::{Input, PairLine, read_inputs, write_clusters, write_pairs};
use io::{PIECE_BYTES, Text, read_fully, read_texts_as};
pub use truth::{Evaluation, Truth};

use crate::blocking::{BatchBlocking, BlockingDiagnostics, unpack_pair};
use crate::cluster::{Clusters, Constraints, Edge, cluster};
use crate::comparison::compare_field;
use crate::error::LinkError;
use crate::frequency::TermFrequencies;
use crate::model::Model;
use crate::parameters::{ParameterSource, Parameters};
use crate::record::{PreparedRecord, Record};
use crate::scoring::{PairPruner, Scorer, probability};
use crate::training::{self, Population, TrainingReport};

/// Candidate pairs scored per task: sorted pairs share their first record, so a chunk
/// reads few records.
const SCORE_CHUNK: usize = 1 << 14;

/// Candidate pairs whose second records are fetched from memory together before they are
/// scored (see [`score_pairs`]).
const FETCH_WINDOW: usize = 16;

/// Options of a batch run.
#[derive(Debug, Clone, Default)]
pub struct LinkOptions {
    /// Use these parameters instead of estimating them from the input.
    pub parameters: Option<Parameters>,
    /// Keep scored pairs at or above this probability (for the pairs file); by default
    /// only pairs at or above the model's link threshold are kept.
    pub keep_pairs_from: Option<f64>,
}

/// A scored candidate pair, by record position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// First record.
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Match weight in bits, prior included.
    pub match_weight: f32,
}

impl ScoredPair {
    /// Match probability.
    pub fn probability(&self) -> f64 {
        probability(f64::from(self.match_weight))
    }
}

/// What a batch run did.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkReport {
    /// Records read.
    pub records: usize,
    /// Whether two inputs were linked (true) or one deduplicated (false).
    pub link_mode: bool,
    /// Distinct candidate pairs scored.
    pub candidate_pairs: u64,
    /// Pairs at or above the link threshold.
    pub linked_pairs: u64,
    /// Persons (clusters) found.
    pub persons: usize,
    /// The link threshold used.
    pub threshold: f64,
    /// Blocking diagnostics.
    pub blocking: BlockingDiagnostics,
    /// How the parameters were obtained.
    pub parameter_source: ParameterSource,
    /// Estimation details.
    pub training: TrainingReport,
    /// Figures against the truth file, when one was given.
    pub evaluation: Option<Evaluation>,
}

/// The full result of linking, for callers that want more than the files.
#[derive(Debug)]
pub struct Linkage {
    /// Prepared records in input order.
    pub records: Vec<PreparedRecord>,
    /// Side of each record in link mode; empty for dedupe.
    pub sides: Vec<u8>,
    /// Kept scored pairs.
    pub pairs: Vec<ScoredPair>,
    /// Clusters by record position.
    pub clusters: Clusters,
    /// Person id per record.
    pub person_ids: Vec<String>,
    /// Parameters used.
    pub parameters: Parameters,
    /// Summary.
    pub report: LinkReport,
}

/// Links records already read: `sides` empty to deduplicate, or one side (0/1) per record.
pub fn link_records(
    model: &Model,
    records: &[Record],
    sides: &[u8],
    options: &LinkOptions,
) -> Linkage {
    let prepared: Vec<PreparedRecord> =
        records.par_iter().map(|record| model.prepare(record)).collect();
    link_prepared(model, prepared, sides, options)
}

/// Links prepared records (see [`link_records`]).
pub fn link_prepared(
    model: &Model,
    records: Vec<PreparedRecord>,
    sides: &[u8],
    options: &LinkOptions,
) -> Linkage {
    let link_mode = !sides.is_empty();
    let population = if link_mode { Population::Link(sides) } else { Population::Dedupe };
    let mut blocking = BatchBlocking::build(model, &records, sides);
    let (parameters, training) = match &options.parameters {
        Some(parameters) if parameters.fits(model) => {
            (parameters.clone(), TrainingReport::default())
        }
        _ => training::estimate(model, &records, population, &blocking),
    };
    let frequencies = TermFrequencies::from_records_parallel(model, &records);
    let scorer = Scorer::new(model, &parameters, population.comparisons_per_record(records.len()));
    let prior = scorer.prior();
    let threshold = model.thresholds().link;
    let keep_from = options.keep_pairs_from.unwrap_or(threshold).min(threshold);
    let keep_weight = (keep_from / (1.0 - keep_from)).log2();
    let pruner = PairPruner::new(&scorer, model, &frequencies);
    let candidates = blocking.candidate_pairs();
    let pairs = score_pairs(model, &records, &pruner, &candidates, prior, keep_weight);
    drop(candidates);
    let edges: Vec<Edge> =
        pairs.iter().map(|p| Edge { a: p.a, b: p.b, probability: p.probability() }).collect();
    let clusters = cluster(records.len(), &edges, threshold, &Constraints::default());
    let person_ids = first_member_ids(&records, &clusters);
    // A cluster is numbered by its smallest member, the one record numbered as itself.
    let persons = clusters
        .cluster_of
        .par_iter()
        .enumerate()
        .filter(|&(position, &cluster)| cluster as usize == position)
        .count();
    let report = LinkReport {
        records: records.len(),
        link_mode,
        candidate_pairs: blocking.diagnostics().candidate_pairs(),
        linked_pairs: edges.iter().filter(|e| e.probability >= threshold).count() as u64,
        persons,
        threshold,
        blocking: blocking.diagnostics().clone(),
        parameter_source: parameters.source,
        training,
        evaluation: None,
    };
    Linkage { records, sides: sides.to_vec(), pairs, clusters, person_ids, parameters, report }
}

/// Scores sorted candidate pairs on all cores and keeps those whose match weight (prior
/// included) reaches `keep_weight`.
///
/// A pair's second record lies anywhere in memory (its first is shared with the pairs
/// around it), and comparing fields reads its values, its text and its frequency keys: a
/// wait on memory each, pair after pair. So the second records of a window of pairs are
/// first touched all together, which lets the processor fetch them in parallel, and then
/// scored from cache. That took a quarter off the scoring time at a million records.
pub fn score_pairs(
    model: &Model,
    records: &[PreparedRecord],
    pruner: &PairPruner<'_>,
    candidates: &[u64],
    prior: f64,
    keep_weight: f64,
) -> Vec<ScoredPair> {
    candidates
        .par_chunks(SCORE_CHUNK)
        .fold(Vec::new, |mut kept, chunk| {
            for window in chunk.chunks(FETCH_WINDOW) {
                let touched = window.iter().fold(0u8, |mixed, &pair| {
                    let (_, j) = unpack_pair(pair);
                    mixed ^ records[j as usize].touch()
                });
                // Keeps the reads from being optimised away.
                std::hint::black_box(touched);
                for &pair in window {
                    let (i, j) = unpack_pair(pair);
                    let Some(weight) = pruner.weight_at_least(
                        model,
                        &records[i as usize],
                        &records[j as usize],
                        keep_weight - prior,
                    ) else {
                        continue;
                    };
                    let weight = prior + weight;
                    if weight >= keep_weight {
                        kept.push(ScoredPair { a: i, b: j, match_weight: weight as f32 });
                    }
                }
            }
            kept
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        })
}

/// Each record's person id: the id of its cluster's first record. This is what
/// [`assign_person_ids`](crate::cluster::assign_person_ids) gives without previous ids when it mints a cluster's id from its
/// first member (the tests check it), computed on all cores: a cluster's number is its
/// smallest member.
fn first_member_ids(records: &[PreparedRecord], clusters: &Clusters) -> Vec<String> {
    clusters
        .cluster_of
        .par_iter()
        .map(|&first| records.get(first as usize).map(PreparedRecord::id).unwrap_or("").to_owned())
        .collect()
}

impl Linkage {
    /// Evaluates the clusters against `truth`.
    pub fn evaluate(&self, truth: &Truth) -> Evaluation {
        let ids: Vec<&str> = self.records.iter().map(PreparedRecord::id).collect();
        truth.evaluate(&ids, &self.clusters.cluster_of, &self.sides)
    }

    /// Writes `id,person_id`.
    pub fn write_clusters<W: Write>(&self, model: &Model, writer: W) -> Result<(), LinkError> {
        let ids: Vec<&str> = self.records.iter().map(PreparedRecord::id).collect();
        io::write_clusters_in_pieces(model, &ids, &self.person_ids, writer)
    }

    /// Writes the kept scored pairs, most probable first, with per-field levels.
    pub fn write_pairs<W: Write>(&self, model: &Model, writer: W) -> Result<(), LinkError> {
        let mut order: Vec<&ScoredPair> = self.pairs.iter().collect();
        order.sort_by(|x, y| {
            y.match_weight.total_cmp(&x.match_weight).then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        let lines = order.into_iter().map(|pair| {
            let (a, b) = (&self.records[pair.a as usize], &self.records[pair.b as usize]);
            PairLine {
                left: a.id(),
                right: b.id(),
                match_weight: f64::from(pair.match_weight),
                probability: pair.probability(),
                levels: model
                    .fields()
                    .iter()
                    .enumerate()
                    .map(|(i, f)| compare_field(f, i, a, b))
                    .collect(),
            }
        });
        write_pairs(model, lines, writer)
    }
}

/// Where a batch run writes.
pub struct Outputs<'w> {
    /// The `id,person_id` file.
    pub clusters: &'w mut dyn Write,
    /// The scored-pairs file, if wanted (then every scored pair is kept).
    pub pairs: Option<&'w mut dyn Write>,
}

/// The whole batch run: read, link, write, evaluate. This is what `jejak link` calls.
pub fn link<R: Read, T: Read>(
    model: &Model,
    inputs: Vec<Input<R>>,
    outputs: Outputs<'_>,
    truth: Option<T>,
    options: &LinkOptions,
) -> Result<LinkReport, LinkError> {
    // The truth file is parsed on a thread of its own while the inputs are read and parsed
    // (their readers need not be `Send`); errors are reported in file order, truth first,
    // as a serial run would.
    let truth_text = truth.map(Text::read);
    let input_count = inputs.len();
    let (truth, read) = std::thread::scope(|scope| {
        let truth = truth_text.map(|text| scope.spawn(move || Truth::from_text(text)));
        let read = if (1..=2).contains(&input_count) {
            // Records are prepared as they are read: the raw ones never pile up.
            let prepare = |record: Record| model.prepare(&record);
            let texts = read_fully(inputs);
            read_texts_as(model, texts, input_count == 2, PIECE_BYTES, prepare, PreparedRecord::id)
        } else {
            Err(LinkError::InputCount { count: input_count })
        };
        let truth = truth
            .map(|thread| thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        (truth.transpose(), read)
    });
    let truth = truth?;
    let (records, sides) = read?;
    let mut options = options.clone();
    if outputs.pairs.is_some() && options.keep_pairs_from.is_none() {
        options.keep_pairs_from = Some(0.0);
    }
    let linkage = link_prepared(model, records, &sides, &options);
    linkage.write_clusters(model, outputs.clusters)?;
    if let Some(pairs) = outputs.pairs {
        linkage.write_pairs(model, pairs)?;
    }
    let mut report = linkage.report.clone();
    report.evaluation = truth.as_ref().map(|truth| linkage.evaluate(truth));
    // The truth's id map is freed beside the records.
    rayon::join(
        || drop(truth),
        || {
            drop_in_parallel(linkage.records);
            drop_in_parallel(linkage.person_ids);
        },
    );
    Ok(report)
}

/// Frees a large vector's items on all cores (a million records hold a few million
/// allocations).
fn drop_in_parallel<T: Send>(items: Vec<T>) {
    items.into_par_iter().for_each(drop);
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::cluster::assign_person_ids;

    #[test]
    fn person_ids_are_those_assign_person_ids_mints_from_first_members() {
        let model = Model::interchange().unwrap();
        let ids = ["r0", "r1", "r2", "r3", "r4", "r5"];
        let records: Vec<PreparedRecord> = ids
            .iter()
            .map(|id| model.prepare(&Record::from_pairs(&model, id, []).unwrap()))
            .collect();
        let edges = [(4, 1), (1, 3), (5, 2)].map(|(a, b)| Edge { a, b, probability: 0.99 });
        let clusters = cluster(ids.len(), &edges, 0.9, &Constraints::default());
        let expected = assign_person_ids(&ids, &clusters, &HashMap::new(), |members| {
            members.first().copied().unwrap_or("").to_owned()
        });
        assert_eq!(first_member_ids(&records, &clusters), expected);
        assert_eq!(expected, ["r0", "r1", "r2", "r1", "r1", "r2"]);
    }
}
