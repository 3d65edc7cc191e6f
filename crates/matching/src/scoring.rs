//! Scoring a pair: per-field comparison levels turned into match weights (log2 Bayes
//! factors), adjusted for term frequency, summed with the prior into a match probability,
//! and, on request, explained field by field.

use crate::comparison::{compare_field, frequency_key};
use crate::frequency::TermFrequencies;
use crate::level::Level;
use crate::model::{FieldGroup, MAX_FIELDS, Model};
use crate::parameters::{Parameters, normalised};
use crate::record::PreparedRecord;

/// Registers smaller than this do not adjust for term frequency: counts are too noisy.
const MIN_RECORDS_FOR_FREQUENCIES: u64 = 100;

/// Match weights compiled from a model and a parameter set.
#[derive(Debug, Clone)]
pub struct Scorer {
    weights: Vec<[f64; 5]>,
    u_exact: Vec<f64>,
}

/// How one field contributed to a pair's score.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldEvidence {
    /// Field name.
    pub field: String,
    /// How the two values compare.
    pub level: Level,
    /// The field's contribution in bits (log2 Bayes factor); 0 when missing.
    pub weight: f64,
    /// The query's (left) prepared value, as compared.
    pub left: String,
    /// The stored (right) prepared value, as compared.
    pub right: String,
}

impl Scorer {
    /// Compiles weights; parameters that do not fit the model fall back to its defaults.
    pub fn new(model: &Model, parameters: &Parameters) -> Self {
        let defaults;
        let parameters = if parameters.fits(model) {
            parameters
        } else {
            defaults = Parameters::defaults(model);
            &defaults
        };
        let mut weights = Vec::with_capacity(parameters.fields.len());
        let mut u_exact = Vec::with_capacity(parameters.fields.len());
        for field in &parameters.fields {
            let m = normalised(field.m);
            let u = normalised(field.u);
            let mut w: [f64; 5] = std::array::from_fn(|i| (m[i] / u[i]).log2());
            // Agreement never counts against a pair.
            w[0] = w[0].max(0.0);
            weights.push(w);
            u_exact.push(u[0]);
        }
        Self { weights, u_exact }
    }

    /// Weight of one field at one level, with the term-frequency adjustment.
    fn field_weight(
        &self,
        model: &Model,
        index: usize,
        level: Level,
        (a, b): (&PreparedRecord, &PreparedRecord),
        frequencies: &TermFrequencies,
    ) -> f64 {
        let Some(position) = level.evidence_index() else {
            return 0.0;
        };
        let base = self.weights[index][position];
        let field = &model.fields()[index];
        let adjustable = matches!(level, Level::Exact | Level::Equivalent);
        if !(field.term_frequency
            && adjustable
            && frequencies.records() >= MIN_RECORDS_FOR_FREQUENCIES)
        {
            return base;
        }
        // The commoner of the two values decides, which keeps the weight symmetric.
        let share = [frequency_key(field, index, a), frequency_key(field, index, b)]
            .into_iter()
            .flatten()
            .map(|key| frequencies.share(key))
            .fold(0.0, f64::max);
        if share <= 0.0 {
            return base;
        }
        let adjusted = base + (self.u_exact[index] / share).log2();
        if level == Level::Exact { adjusted.max(0.0) } else { adjusted }
    }

    /// Per-field levels and weights of a pair, group caps applied.
    fn weigh(
        &self,
        model: &Model,
        a: &PreparedRecord,
        b: &PreparedRecord,
        frequencies: &TermFrequencies,
    ) -> ([Level; MAX_FIELDS], [f64; MAX_FIELDS]) {
        let mut levels = [Level::Missing; MAX_FIELDS];
        let mut weights = [0.0; MAX_FIELDS];
        for (index, field) in model.fields().iter().enumerate() {
            let level = compare_field(field, index, a, b);
            levels[index] = level;
            weights[index] = self.field_weight(model, index, level, (a, b), frequencies);
        }
        apply_group_caps(model.groups(), &mut weights, 1.0);
        (levels, weights)
    }

    /// Total match weight of a pair in bits, without the prior.
    pub fn match_weight(
        &self,
        model: &Model,
        a: &PreparedRecord,
        b: &PreparedRecord,
        frequencies: &TermFrequencies,
    ) -> f64 {
        let (_, weights) = self.weigh(model, a, b, frequencies);
        weights.iter().sum()
    }

    /// Comparison levels of a pair, as codes, packed three bits per field.
    pub fn pattern(model: &Model, a: &PreparedRecord, b: &PreparedRecord) -> u64 {
        let mut packed = 0u64;
        for (index, field) in model.fields().iter().enumerate() {
            let level = compare_field(field, index, a, b);
            packed |= u64::from(level.code()) << (3 * index);
        }
        packed
    }

    /// Per-field evidence of a pair, in model field order.
    pub fn explain(
        &self,
        model: &Model,
        a: &PreparedRecord,
        b: &PreparedRecord,
        frequencies: &TermFrequencies,
    ) -> Vec<FieldEvidence> {
        let (levels, weights) = self.weigh(model, a, b, frequencies);
        model
            .fields()
            .iter()
            .enumerate()
            .map(|(index, field)| FieldEvidence {
                field: field.name.clone(),
                level: levels[index],
                weight: weights[index],
                left: a.display(index),
                right: b.display(index),
            })
            .collect()
    }
}

/// Scales the positive weights of each group's members so that they add up to at most the
/// group's `max_weight` (in bits, times `unit`: 1 for bits, ln 2 for nats).
pub fn apply_group_caps(groups: &[FieldGroup], weights: &mut [f64], unit: f64) {
    for group in groups {
        let positive: f64 = group.fields.iter().map(|&f| weights[f].max(0.0)).sum();
        let cap = group.max_weight * unit;
        if positive > cap {
            let scale = cap / positive;
            for &f in &group.fields {
                if weights[f] > 0.0 {
                    weights[f] *= scale;
                }
            }
        }
    }
}

/// Probability from a total match weight (prior included), in bits.
pub fn probability(weight_with_prior: f64) -> f64 {
    1.0 / (1.0 + (-weight_with_prior).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;
    use proptest::prelude::*;

    const FIELDS: [&str; 11] = [
        "full_name",
        "nik",
        "sex",
        "birth_date",
        "birth_place",
        "address",
        "village_code",
        "phone",
        "mother_name",
        "father_name",
        "previous_passport_no",
    ];

    fn value_for(field: &str, seed: u8) -> String {
        match field {
            "nik" => format!("18010447039{:05}", seed),
            "sex" => {
                if seed.is_multiple_of(2) {
                    "L".into()
                } else {
                    "P".into()
                }
            }
            "birth_date" => format!("19{:02}-0{}-1{}", 60 + seed % 40, 1 + seed % 9, seed % 10),
            "village_code" => format!("180901{:04}", 2000 + u32::from(seed)),
            "phone" => format!("0812{:08}", u32::from(seed) * 7919),
            "previous_passport_no" => format!("B{:07}", u32::from(seed) * 31),
            _ => ["siti aminah", "budi santoso", "agus salim", "dewi lestari", "rina wati"]
                [usize::from(seed) % 5]
                .into(),
        }
    }

    proptest! {
        #[test]
        fn adding_an_agreeing_field_never_lowers_the_score(
            present in proptest::collection::vec(any::<bool>(), 11),
            other in proptest::collection::vec(any::<bool>(), 11),
            added in 0usize..11,
            seed in any::<u8>(),
        ) {
            let model = Model::interchange().unwrap();
            let scorer = Scorer::new(&model, &Parameters::defaults(&model));
            let frequencies = TermFrequencies::default();
            let build = |id: &str, with_added: bool, differ: &[bool]| {
                let mut pairs: Vec<(&str, String)> = Vec::new();
                for (i, field) in FIELDS.iter().enumerate() {
                    if (present[i] && i != added) || (with_added && i == added) {
                        let value = if differ[i] && i != added { value_for(field, seed.wrapping_add(1)) } else { value_for(field, seed) };
                        pairs.push((field, value));
                    }
                }
                let pairs: Vec<(&str, &str)> = pairs.iter().map(|(f, v)| (*f, v.as_str())).collect();
                model.prepare(&Record::from_pairs(&model, id, pairs).unwrap())
            };
            let same = vec![false; 11];
            let a = build("a", false, &same);
            let b_without = build("b", false, &other);
            let a_with = build("a", true, &same);
            let b_with = build("b", true, &other);
            let before = scorer.match_weight(&model, &a, &b_without, &frequencies);
            let after = scorer.match_weight(&model, &a_with, &b_with, &frequencies);
            prop_assert!(after >= before - 1e-9, "{} < {}", after, before);
        }

        #[test]
        fn scores_are_symmetric_without_frequencies(seed_a in any::<u8>(), seed_b in any::<u8>()) {
            let model = Model::interchange().unwrap();
            let scorer = Scorer::new(&model, &Parameters::defaults(&model));
            let frequencies = TermFrequencies::default();
            let build = |id: &str, seed: u8| {
                let values: Vec<(&str, String)> = FIELDS.iter().map(|f| (*f, value_for(f, seed))).collect();
                let pairs: Vec<(&str, &str)> = values.iter().map(|(f, v)| (*f, v.as_str())).collect();
                model.prepare(&Record::from_pairs(&model, id, pairs).unwrap())
            };
            let (a, b) = (build("a", seed_a), build("b", seed_b));
            let ab = scorer.match_weight(&model, &a, &b, &frequencies);
            let ba = scorer.match_weight(&model, &b, &a, &frequencies);
            prop_assert!((ab - ba).abs() < 1e-9);
        }
    }

    #[test]
    fn probability_is_the_logistic_of_the_weight_in_bits() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!((probability(10.0) - 1024.0 / 1025.0).abs() < 1e-12);
    }
}
