//! Unsupervised parameter estimation, as in Splink: u probabilities from random pairs
//! (almost all non-matches), then m probabilities and the share of matches by
//! expectation-maximisation over each blocking rule's candidate pairs, leaving out the
//! fields the rule blocks on (they agree by construction there). Registers too small to
//! estimate from keep the model's defaults.

use ahash::AHashMap;
use rayon::prelude::*;

use crate::blocking::BatchBlocking;
use crate::level::{EVIDENCE_LEVELS, Level};
use crate::model::{FieldGroup, Model};
use crate::parameters::{FieldParameters, ParameterSource, Parameters, normalised};
use crate::record::PreparedRecord;
use crate::rng::SplitMix64;
use crate::scoring::{Scorer, apply_group_caps};

/// What estimation did, for the link report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainingReport {
    /// Random pairs compared to estimate u.
    pub u_pairs: usize,
    /// One entry per blocking rule that ran expectation-maximisation.
    pub rules: Vec<RuleTraining>,
    /// Estimated number of matching pairs among all pairs.
    pub expected_matches: f64,
}

/// Expectation-maximisation over one blocking rule's pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTraining {
    /// Rule name.
    pub rule: String,
    /// Pairs used (a deterministic sample of the rule's pairs).
    pub pairs_used: usize,
    /// Iterations run.
    pub iterations: usize,
    /// Estimated share of matches among the rule's pairs.
    pub match_share: f64,
}

/// What is being linked: one data set against itself, or a left side against a right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population<'a> {
    /// Deduplicate all records.
    Dedupe,
    /// Link records with side 0 to records with side 1 (one entry per record).
    Link(&'a [u8]),
}

impl Population<'_> {
    /// How many others each record is compared with among `records`: all others when
    /// deduplicating, the right side's records when linking.
    pub fn comparisons_per_record(&self, records: usize) -> f64 {
        match self {
            Self::Dedupe => records.saturating_sub(1) as f64,
            Self::Link(sides) => sides.iter().filter(|&&s| s != 0).count() as f64,
        }
    }
}

/// Estimates parameters for a register (one data set, deduplicated), blocking it first.
/// This is what the service calls at start-up before building the [`crate::MatchIndex`]
/// (or it reuses a stored [`Parameters`] set).
pub fn estimate_for_register(
    model: &Model,
    records: &[PreparedRecord],
) -> (Parameters, TrainingReport) {
    let blocking = BatchBlocking::build(model, records, &[]);
    estimate(model, records, Population::Dedupe, &blocking)
}

/// Estimates parameters from `records` and their blocks.
pub fn estimate(
    model: &Model,
    records: &[PreparedRecord],
    population: Population<'_>,
    blocking: &BatchBlocking,
) -> (Parameters, TrainingReport) {
    let settings = model.training();
    let mut parameters = Parameters::defaults(model);
    let mut report = TrainingReport::default();
    let sides = match population {
        Population::Dedupe => None,
        Population::Link(sides) => Some(sides),
    };
    // A handful of records gives a handful of random pairs, some of them true matches: u
    // estimated from them would make an exact NIK worth a bit. Small registers keep the
    // model's defaults for u as well as m.
    if records.len() < settings.min_records {
        return (parameters, report);
    }
    let random_pairs =
        sample_random_pairs(records.len(), sides, settings.u_sample_pairs, settings.seed);
    if random_pairs.is_empty() {
        return (parameters, report);
    }
    report.u_pairs = random_pairs.len();
    let u_counts = count_levels(model, records, &random_pairs);
    for (field, counts) in parameters.fields.iter_mut().zip(&u_counts) {
        let total: f64 = counts.iter().sum();
        if total > 0.0 {
            field.u = normalised(counts.map(|c| (c + 0.5) / (total + 2.5)));
        }
    }
    parameters.source = ParameterSource::SampledU;

    // Group caps as scoring will apply them to this population (with the prior expectation
    // of matches: estimation is what refines it).
    let prior = parameters.prior_log2_odds(population.comparisons_per_record(records.len()));
    let caps: Vec<f64> = model.groups().iter().map(|group| group.cap.bits(prior)).collect();
    let mut m_sums = vec![[0.0; EVIDENCE_LEVELS]; model.fields().len()];
    let mut m_weights = vec![0.0; model.fields().len()];
    let mut expected_matches: f64 = 0.0;
    for (rule_index, rule) in
        model.blocking_rules().iter().enumerate().filter(|(_, rule)| rule.train)
    {
        let total_pairs = blocking.diagnostics().rules[rule_index].pairs;
        let sample = sample_rule_pairs(blocking, rule_index, total_pairs, settings.em_max_pairs);
        if sample.len() < 2 {
            continue;
        }
        let patterns = count_patterns(model, records, &sample);
        let excluded: Vec<bool> = (0..model.fields().len())
            .map(|f| rule.parts.iter().any(|part| part.field == f))
            .collect();
        let outcome = expectation_maximisation(
            &patterns,
            &parameters.fields,
            &excluded,
            (model.groups(), &caps),
            settings.em_iterations,
        );
        let matches_in_sample = outcome.match_share * sample.len() as f64;
        for (f, m) in outcome.m.iter().enumerate() {
            if let Some(m) = m {
                for level in 0..EVIDENCE_LEVELS {
                    m_sums[f][level] += m[level] * matches_in_sample;
                }
                m_weights[f] += matches_in_sample;
            }
        }
        expected_matches = expected_matches.max(outcome.match_share * total_pairs as f64);
        report.rules.push(RuleTraining {
            rule: rule.name.clone(),
            pairs_used: sample.len(),
            iterations: outcome.iterations,
            match_share: outcome.match_share,
        });
    }
    for (f, field) in parameters.fields.iter_mut().enumerate() {
        if m_weights[f] > 0.0 && model.fields()[f].estimate_m {
            field.m = normalised(m_sums[f].map(|s| s / m_weights[f]));
        }
    }
    if expected_matches > 0.0 {
        let per_record_base = match sides {
            None => records.len() as f64 / 2.0,
            Some(sides) => sides.iter().filter(|&&s| s == 0).count().max(1) as f64,
        };
        parameters.matches_per_record = expected_matches / per_record_base;
    }
    report.expected_matches = expected_matches;
    parameters.source = ParameterSource::Estimated;
    (parameters, report)
}

/// Uniform random pairs of distinct records (across sides in link mode).
fn sample_random_pairs(
    n: usize,
    sides: Option<&[u8]>,
    wanted: usize,
    seed: u64,
) -> Vec<(u32, u32)> {
    let mut rng = SplitMix64::new(seed);
    match sides {
        None => {
            if n < 2 {
                return Vec::new();
            }
            let total = (n as u64) * (n as u64 - 1) / 2;
            let count = (wanted as u64).min(total) as usize;
            (0..count)
                .map(|_| {
                    let i = rng.below(n);
                    let mut j = rng.below(n - 1);
                    if j >= i {
                        j += 1;
                    }
                    (i as u32, j as u32)
                })
                .collect()
        }
        Some(sides) => {
            let left: Vec<u32> = (0..n as u32).filter(|&i| sides[i as usize] == 0).collect();
            let right: Vec<u32> = (0..n as u32).filter(|&i| sides[i as usize] != 0).collect();
            if left.is_empty() || right.is_empty() {
                return Vec::new();
            }
            let count = (wanted as u64).min(left.len() as u64 * right.len() as u64) as usize;
            (0..count)
                .map(|_| (left[rng.below(left.len())], right[rng.below(right.len())]))
                .collect()
        }
    }
}

/// Every `stride`-th pair of one rule, so that at most `wanted` pairs are taken.
fn sample_rule_pairs(
    blocking: &BatchBlocking,
    rule: usize,
    total: u64,
    wanted: usize,
) -> Vec<(u32, u32)> {
    let stride = total.div_ceil(wanted.max(1) as u64).max(1);
    let mut counter = 0u64;
    let mut sample = Vec::with_capacity(wanted.min(total as usize));
    for block in blocking.blocks().iter().filter(|b| b.rule == rule) {
        blocking.for_each_pair(block, |i, j| {
            if counter.is_multiple_of(stride) {
                sample.push((i, j));
            }
            counter += 1;
        });
    }
    sample
}

/// Level counts per field over `pairs` (missing not counted).
fn count_levels(
    model: &Model,
    records: &[PreparedRecord],
    pairs: &[(u32, u32)],
) -> Vec<[f64; EVIDENCE_LEVELS]> {
    let fields = model.fields().len();
    count_patterns(model, records, pairs).into_iter().fold(
        vec![[0.0; EVIDENCE_LEVELS]; fields],
        |mut counts, (pattern, count)| {
            for (f, field_counts) in counts.iter_mut().enumerate() {
                if let Some(level) = level_of(pattern, f).evidence_index() {
                    field_counts[level] += count;
                }
            }
            counts
        },
    )
}

/// Distinct comparison patterns with their counts.
fn count_patterns(
    model: &Model,
    records: &[PreparedRecord],
    pairs: &[(u32, u32)],
) -> Vec<(u64, f64)> {
    let counts = pairs
        .par_iter()
        .fold(AHashMap::<u64, f64>::new, |mut counts, &(i, j)| {
            let pattern = Scorer::pattern(model, &records[i as usize], &records[j as usize]);
            *counts.entry(pattern).or_insert(0.0) += 1.0;
            counts
        })
        .reduce(AHashMap::new, |mut a, b| {
            for (pattern, count) in b {
                *a.entry(pattern).or_insert(0.0) += count;
            }
            a
        });
    let mut patterns: Vec<(u64, f64)> = counts.into_iter().collect();
    patterns.sort_unstable_by_key(|&(pattern, _)| pattern);
    patterns
}

fn level_of(pattern: u64, field: usize) -> Level {
    Level::from_code(((pattern >> (3 * field)) & 0b111) as u8)
}

struct EmOutcome {
    m: Vec<Option<[f64; EVIDENCE_LEVELS]>>,
    match_share: f64,
    iterations: usize,
}

/// Fellegi-Sunter expectation-maximisation with u fixed: estimates m (for fields not
/// excluded) and the share of matches.
fn expectation_maximisation(
    patterns: &[(u64, f64)],
    start: &[FieldParameters],
    excluded: &[bool],
    (groups, caps): (&[FieldGroup], &[f64]),
    max_iterations: usize,
) -> EmOutcome {
    let fields = start.len();
    let mut m: Vec<[f64; EVIDENCE_LEVELS]> = start.iter().map(|p| normalised(p.m)).collect();
    let u: Vec<[f64; EVIDENCE_LEVELS]> = start.iter().map(|p| normalised(p.u)).collect();
    let mut share: f64 = 0.1;
    let total: f64 = patterns.iter().map(|(_, c)| c).sum();
    let mut iterations = 0;
    for _ in 0..max_iterations {
        iterations += 1;
        let mut m_numerators = vec![[0.0; EVIDENCE_LEVELS]; fields];
        let mut expected = 0.0;
        let prior = (share / (1.0 - share)).ln();
        let mut field_odds = vec![0.0; fields];
        for &(pattern, count) in patterns {
            for f in 0..fields {
                field_odds[f] = match level_of(pattern, f).evidence_index() {
                    Some(level) if !excluded[f] => (m[f][level] / u[f][level]).ln(),
                    _ => 0.0,
                };
            }
            apply_group_caps(groups, caps, &mut field_odds, std::f64::consts::LN_2);
            let log_odds = prior + field_odds.iter().sum::<f64>();
            let posterior = 1.0 / (1.0 + (-log_odds).exp());
            let weight = posterior * count;
            expected += weight;
            for (f, numerators) in m_numerators.iter_mut().enumerate() {
                if let Some(level) = level_of(pattern, f).evidence_index() {
                    numerators[level] += weight;
                }
            }
        }
        let new_share = (expected / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change: f64 = (new_share - share).abs();
        for f in 0..fields {
            if excluded[f] {
                continue;
            }
            let sum: f64 = m_numerators[f].iter().sum();
            if sum > 0.0 {
                let updated = normalised(m_numerators[f].map(|n| n / sum));
                for level in 0..EVIDENCE_LEVELS {
                    change = change.max((updated[level] - m[f][level]).abs());
                }
                m[f] = updated;
            }
        }
        share = new_share;
        if change < 1e-6 {
            break;
        }
    }
    let m = m.into_iter().zip(excluded).map(|(m, &skip)| (!skip).then_some(m)).collect();
    EmOutcome { m, match_share: share, iterations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_recovers_m_and_the_match_share_of_a_two_field_mixture() {
        // Two fields, levels exact (code 0) or different (code 4). Matches agree on both
        // fields 90% of the time each; non-matches 5% each. 20% of the pairs are matches.
        let pattern = |a: u64, b: u64| a | (b << 3);
        let (exact, different) = (0u64, 4u64);
        let (n, share) = (100_000.0, 0.2);
        let mut patterns = Vec::new();
        for (a, pa_m, pa_u) in [(exact, 0.9, 0.05), (different, 0.1, 0.95)] {
            for (b, pb_m, pb_u) in [(exact, 0.9, 0.05), (different, 0.1, 0.95)] {
                let count = n * (share * pa_m * pb_m + (1.0 - share) * pa_u * pb_u);
                patterns.push((pattern(a, b), count));
            }
        }
        let start = vec![
            FieldParameters {
                field: "a".into(),
                m: [0.6, 0.0, 0.0, 0.0, 0.4],
                u: [0.05, 0.0, 0.0, 0.0, 0.95],
            },
            FieldParameters {
                field: "b".into(),
                m: [0.6, 0.0, 0.0, 0.0, 0.4],
                u: [0.05, 0.0, 0.0, 0.0, 0.95],
            },
        ];
        let outcome = expectation_maximisation(&patterns, &start, &[false, false], (&[], &[]), 500);
        assert!((outcome.match_share - 0.2).abs() < 0.02, "share {}", outcome.match_share);
        let m = outcome.m[0].unwrap();
        assert!((m[0] - 0.9).abs() < 0.03, "m {m:?}");
    }

    #[test]
    fn random_pairs_are_distinct_and_cross_sides_in_link_mode() {
        for (i, j) in sample_random_pairs(10, None, 100, 1) {
            assert_ne!(i, j);
        }
        let sides = [0, 0, 0, 1, 1];
        for (i, j) in sample_random_pairs(5, Some(&sides), 100, 1) {
            assert_eq!((sides[i as usize], sides[j as usize]), (0, 1));
        }
        assert!(sample_random_pairs(1, None, 100, 1).is_empty());
    }

    #[test]
    fn a_small_register_keeps_the_default_parameters() {
        let model = Model::interchange().unwrap();
        // Two applications of one person: the only random pair is a match, so a u sampled
        // from it would make agreement worth almost nothing.
        let records: Vec<PreparedRecord> = ["1", "2"]
            .into_iter()
            .map(|id| {
                let pairs = [("full_name", "Suryani"), ("nik", "1807054503950001")];
                model.prepare(&crate::Record::from_pairs(&model, id, pairs).unwrap())
            })
            .collect();
        let (parameters, report) = estimate_for_register(&model, &records);
        assert_eq!(parameters, Parameters::defaults(&model));
        assert_eq!(report.u_pairs, 0);
    }
}
