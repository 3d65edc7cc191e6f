//! Fellegi-Sunter parameters: per field, the probability of each comparison level among
//! true matches (m) and among non-matches (u), plus the prior expectation of matches. They
//! are plain data (serde) so the service can store the estimated set and reuse it.

use serde::{Deserialize, Serialize};

use crate::model::Model;

/// Where a parameter set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParameterSource {
    /// The model file's (or kind's) defaults: a register too small to estimate from.
    Defaults,
    /// u from random pairs, m from defaults: too few records for expectation-maximisation.
    SampledU,
    /// u from random pairs, m and the prior by expectation-maximisation over candidates.
    Estimated,
}

/// m and u over (exact, equivalent, close, partial, different) for one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldParameters {
    /// Field name, to check the set against its model.
    pub field: String,
    /// Probability of each level among true matches.
    pub m: [f64; 5],
    /// Probability of each level among non-matches.
    pub u: [f64; 5],
}

/// A full parameter set for one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    /// Expected number of other records of the same person, per record.
    pub matches_per_record: f64,
    /// Per-field m and u, in model field order.
    pub fields: Vec<FieldParameters>,
    /// How the set was obtained.
    pub source: ParameterSource,
}

/// Smallest probability a level may have, so that no weight is infinite.
pub const PROBABILITY_FLOOR: f64 = 1e-6;

impl Parameters {
    /// The model's default parameters.
    pub fn defaults(model: &Model) -> Self {
        Self {
            matches_per_record: model.training().matches_per_record,
            fields: model
                .fields()
                .iter()
                .map(|field| FieldParameters {
                    field: field.name.clone(),
                    m: field.default_m,
                    u: field.default_u,
                })
                .collect(),
            source: ParameterSource::Defaults,
        }
    }

    /// Whether this set was made for `model` (same fields in the same order).
    pub fn fits(&self, model: &Model) -> bool {
        self.fields.len() == model.fields().len()
            && self.fields.iter().zip(model.fields()).all(|(p, f)| p.field == f.name)
    }

    /// Prior log2-odds that one pair matches, when each record is compared with
    /// `comparisons_per_record` others.
    pub fn prior_log2_odds(&self, comparisons_per_record: f64) -> f64 {
        prior_log2_odds(self.matches_per_record, comparisons_per_record)
    }
}

/// Prior log2-odds that one pair matches, from the expected matches per record.
pub(crate) fn prior_log2_odds(matches_per_record: f64, comparisons_per_record: f64) -> f64 {
    let lambda = (matches_per_record / comparisons_per_record.max(1.0)).clamp(1e-12, 0.5);
    (lambda / (1.0 - lambda)).log2()
}

/// Floors every entry at [`PROBABILITY_FLOOR`] and rescales to sum to one.
pub fn normalised(values: [f64; 5]) -> [f64; 5] {
    let floored =
        values.map(|v| if v.is_finite() { v.max(PROBABILITY_FLOOR) } else { PROBABILITY_FLOOR });
    let total: f64 = floored.iter().sum();
    floored.map(|v| v / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fit_their_model_and_round_trip_through_toml() {
        let model = Model::interchange().unwrap();
        let parameters = Parameters::defaults(&model);
        assert!(parameters.fits(&model));
        let text = toml::to_string(&parameters).unwrap();
        let back: Parameters = toml::from_str(&text).unwrap();
        assert_eq!(back, parameters);
    }

    #[test]
    fn the_prior_falls_as_the_register_grows() {
        let model = Model::interchange().unwrap();
        let parameters = Parameters::defaults(&model);
        assert!(parameters.prior_log2_odds(1_000.0) > parameters.prior_log2_odds(1_000_000.0));
    }

    #[test]
    fn normalised_distributions_sum_to_one_without_zeros() {
        let p = normalised([1.0, 0.0, 0.0, 0.0, 1.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.iter().all(|&v| v > 0.0));
    }
}
