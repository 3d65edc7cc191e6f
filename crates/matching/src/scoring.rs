//! Scoring a pair: per-field comparison levels turned into match weights (log2 Bayes
//! factors), adjusted for term frequency, summed with the prior into a match probability,
//! and, on request, explained field by field.

use crate::comparison::{compare_field, frequency_key};
use crate::frequency::TermFrequencies;
use crate::level::Level;
use crate::model::{FieldGroup, Kind, MAX_FIELDS, Model};
use crate::parameters::{Parameters, normalised, prior_log2_odds};
use crate::record::PreparedRecord;

/// Registers smaller than this do not adjust for term frequency: counts are too noisy.
const MIN_RECORDS_FOR_FREQUENCIES: u64 = 100;

/// Match weights compiled from a model and a parameter set, for a population of a given
/// size (the prior and the group caps depend on it).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Scorer {
    weights: Vec<[f64; 5]>,
    u_exact: Vec<f64>,
    /// Per field, the part of an exact agreement that no group cap applies to (see
    /// [`Scorer::new`]); 0 for most fields.
    personal: Vec<f64>,
    matches_per_record: f64,
    /// Prior log2 odds that a pair is one person, for the population.
    prior: f64,
    /// Per group, the most bits its members' agreements may add, for the population.
    caps: Vec<f64>,
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
    /// Compiles weights for records each compared with `comparisons_per_record` others;
    /// parameters that do not fit the model fall back to its defaults.
    pub fn new(model: &Model, parameters: &Parameters, comparisons_per_record: f64) -> Self {
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
        // The household group caps what relatives share (address, parents, birth date, and
        // the NIK's district, birth date and sex: twins' NIKs differ only in the serial). An
        // exact NIK is shared by no relative, only by the person: its weight stays outside the
        // group's cap. (Twins then still meet the cap through the other fields.)
        let grouped: Vec<bool> = (0..weights.len())
            .map(|f| model.groups().iter().any(|g| g.fields.contains(&f)))
            .collect();
        let personal = weights
            .iter()
            .enumerate()
            .map(|(f, w)| {
                if grouped[f] && model.fields()[f].kind == Kind::Nik { w[0].max(0.0) } else { 0.0 }
            })
            .collect();
        let mut scorer = Self {
            weights,
            u_exact,
            personal,
            matches_per_record: parameters.matches_per_record,
            prior: 0.0,
            caps: Vec::with_capacity(model.groups().len()),
        };
        scorer.set_population(model, comparisons_per_record);
        scorer
    }

    /// Re-targets the prior and the group caps at a population that grew or shrank.
    pub fn set_population(&mut self, model: &Model, comparisons_per_record: f64) {
        self.prior = prior_log2_odds(self.matches_per_record, comparisons_per_record);
        self.caps.clear();
        self.caps.extend(model.groups().iter().map(|group| group.cap.bits(self.prior)));
    }

    /// Prior log2 odds that a pair of the population is one person.
    pub fn prior(&self) -> f64 {
        self.prior
    }

    /// Per group (model order), the most bits its members' agreements may add.
    pub fn group_caps(&self) -> &[f64] {
        &self.caps
    }

    /// The part of `weight` (field `index` at `level`) kept outside group caps.
    fn personal_part(&self, index: usize, level: Level) -> f64 {
        if level == Level::Exact { self.personal[index] } else { 0.0 }
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
        let fields = model.fields();
        let share = [frequency_key(fields, index, a), frequency_key(fields, index, b)]
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
        let mut personal = [0.0; MAX_FIELDS];
        for (index, field) in model.fields().iter().enumerate() {
            let level = compare_field(field, index, a, b);
            levels[index] = level;
            personal[index] = self.personal_part(index, level);
            weights[index] =
                self.field_weight(model, index, level, (a, b), frequencies) - personal[index];
        }
        apply_group_caps(model.groups(), &self.caps, &mut weights, 1.0);
        for (weight, personal) in weights.iter_mut().zip(personal) {
            *weight += personal;
        }
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

/// Scores pairs only as far as needed to know whether they reach a floor: cheap fields
/// first, then the expensive (names, free text) most decisive first, stopping as soon as
/// even the best outcome of the fields left cannot reach the floor. A pair that is scored
/// to the end gets exactly the weight of [`Scorer::match_weight`].
#[derive(Debug, Clone)]
pub struct PairPruner<'s> {
    scorer: &'s Scorer,
    frequencies: &'s TermFrequencies,
    /// Fields in evaluation order.
    order: Vec<usize>,
    /// Highest weight each field can contribute (at least 0: a missing value gives 0).
    bound: Vec<f64>,
    /// Innermost group of each field.
    group_of: Vec<Option<usize>>,
    /// The smallest group around each group, if any (groups run inner first, so a parent
    /// always comes later).
    parent: Vec<Option<usize>>,
    /// Highest total of the fields outside groups, all fields still to be compared.
    ungrouped_bound: f64,
    /// Highest positive total of each group's own members (not those of groups inside
    /// it), all still to be compared.
    group_bound: Vec<f64>,
}

impl<'s> PairPruner<'s> {
    /// Prepares the evaluation order and the per-field bounds.
    pub fn new(scorer: &'s Scorer, model: &Model, frequencies: &'s TermFrequencies) -> Self {
        let fields = model.fields();
        // Groups run inner first: the first group holding a field is its innermost, the
        // first later group holding all of a group's fields its parent.
        let groups = model.groups();
        let mut group_of = vec![None; fields.len()];
        for (g, group) in groups.iter().enumerate() {
            for &f in &group.fields {
                group_of[f].get_or_insert(g);
            }
        }
        let parent: Vec<Option<usize>> = (0..groups.len())
            .map(|g| {
                (g + 1..groups.len())
                    .find(|&o| groups[g].fields.iter().all(|f| groups[o].fields.contains(f)))
            })
            .collect();
        // Bounds of the part of each field that group caps apply to; the personal part of
        // an exact agreement counts with the fields outside groups.
        let bound: Vec<f64> = (0..fields.len())
            .map(|index| {
                let mut w = scorer.weights[index];
                w[0] -= scorer.personal[index];
                let mut max = w.iter().copied().fold(0.0, f64::max);
                if fields[index].term_frequency
                    && frequencies.records() >= MIN_RECORDS_FOR_FREQUENCIES
                {
                    // The share of a value is never below one record's.
                    let bonus = (scorer.u_exact[index] * frequencies.records() as f64).log2();
                    max = max.max(w[0] + bonus).max(w[1] + bonus);
                }
                max
            })
            .collect();
        let expensive = |f: usize| matches!(fields[f].kind, Kind::Name | Kind::Text);
        let mut order: Vec<usize> = (0..fields.len()).collect();
        order.sort_by(|&x, &y| {
            expensive(x)
                .cmp(&expensive(y))
                .then_with(|| if expensive(x) { bound[y].total_cmp(&bound[x]) } else { x.cmp(&y) })
                .then(x.cmp(&y))
        });
        let ungrouped_bound = (0..fields.len())
            .map(|f| if group_of[f].is_none() { bound[f] } else { scorer.personal[f] })
            .sum();
        let group_bound = (0..groups.len())
            .map(|g| {
                groups[g]
                    .fields
                    .iter()
                    .filter(|&&f| group_of[f] == Some(g))
                    .map(|&f| bound[f])
                    .sum()
            })
            .collect();
        Self { scorer, frequencies, order, bound, group_of, parent, ungrouped_bound, group_bound }
    }

    /// The pair's match weight (without prior) when it can reach `floor`, `None` when it
    /// certainly cannot.
    pub fn weight_at_least(
        &self,
        model: &Model,
        a: &PreparedRecord,
        b: &PreparedRecord,
        floor: f64,
    ) -> Option<f64> {
        let groups = model.groups();
        let fields = model.fields();
        let mut weights = [0.0; MAX_FIELDS];
        let mut personal = [0.0; MAX_FIELDS];
        let mut ungrouped = self.ungrouped_bound;
        let mut remaining = [0.0; MAX_FIELDS];
        let mut positive = [0.0; MAX_FIELDS];
        let mut negative = [0.0; MAX_FIELDS];
        let tracked = groups.len() <= MAX_FIELDS;
        if tracked {
            remaining[..groups.len()].copy_from_slice(&self.group_bound);
        }
        for &index in &self.order {
            let level = compare_field(&fields[index], index, a, b);
            personal[index] = self.scorer.personal_part(index, level);
            let weight = self.scorer.field_weight(model, index, level, (a, b), self.frequencies)
                - personal[index];
            weights[index] = weight;
            if !tracked || floor == f64::NEG_INFINITY {
                continue;
            }
            match self.group_of[index] {
                Some(g) => {
                    ungrouped += personal[index] - self.scorer.personal[index];
                    remaining[g] -= self.bound[index];
                    if weight > 0.0 {
                        positive[g] += weight;
                    } else {
                        negative[g] += weight;
                    }
                }
                None => ungrouped += weight - self.bound[index],
            }
            // A group adds at most its cap: its own members' best plus what the groups
            // inside it add at most (inner first, so those are known when it comes).
            let mut best = ungrouped;
            let mut from_inside = [0.0; MAX_FIELDS];
            for (g, cap) in self.scorer.caps.iter().enumerate() {
                let most = (positive[g] + remaining[g].max(0.0) + from_inside[g]).min(*cap);
                match self.parent[g] {
                    Some(outer) => from_inside[outer] += most,
                    None => best += most,
                }
                best += negative[g];
            }
            // A margin for rounding in the running sums.
            if best < floor - 1e-6 {
                return None;
            }
        }
        apply_group_caps(groups, &self.scorer.caps, &mut weights, 1.0);
        for (weight, personal) in weights.iter_mut().zip(personal) {
            *weight += personal;
        }
        Some(weights.iter().sum())
    }
}

/// Scales the positive weights of each group's members so that they add up to at most the
/// group's cap (`caps` in bits, in group order, times `unit`: 1 for bits, ln 2 for nats).
pub fn apply_group_caps(groups: &[FieldGroup], caps: &[f64], weights: &mut [f64], unit: f64) {
    for (group, cap) in groups.iter().zip(caps) {
        let positive: f64 = group.fields.iter().map(|&f| weights[f].max(0.0)).sum();
        let cap = cap * unit;
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
            let scorer = Scorer::new(&model, &Parameters::defaults(&model), 10_000.0);
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
            let scorer = Scorer::new(&model, &Parameters::defaults(&model), 10_000.0);
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

        #[test]
        fn pruning_keeps_every_pair_that_reaches_the_floor_with_its_exact_weight(
            present_a in proptest::collection::vec(any::<bool>(), 11),
            present_b in proptest::collection::vec(any::<bool>(), 11),
            seeds_b in proptest::collection::vec(0u8..3, 11),
            seed in any::<u8>(),
            floor in -40.0f64..40.0,
        ) {
            let model = Model::interchange().unwrap();
            let scorer = Scorer::new(&model, &Parameters::defaults(&model), 10_000.0);
            let build = |id: &str, present: &[bool], seeds: &[u8]| {
                let values: Vec<(&str, String)> = FIELDS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| present[*i])
                    .map(|(i, f)| (*f, value_for(f, seed.wrapping_add(seeds[i]))))
                    .collect();
                let pairs: Vec<(&str, &str)> = values.iter().map(|(f, v)| (*f, v.as_str())).collect();
                model.prepare(&Record::from_pairs(&model, id, pairs).unwrap())
            };
            let a = build("a", &present_a, &[0; 11]);
            let b = build("b", &present_b, &seeds_b);
            // Frequencies counted over a few records, so that the adjustment is in play.
            let others: Vec<PreparedRecord> = (0..120u8)
                .map(|k| build("o", &[true; 11], &[k % 7; 11]))
                .chain([a.clone(), b.clone()])
                .collect();
            for frequencies in [TermFrequencies::default(), TermFrequencies::from_records(&model, &others)] {
                let full = scorer.match_weight(&model, &a, &b, &frequencies);
                let pruner = PairPruner::new(&scorer, &model, &frequencies);
                match pruner.weight_at_least(&model, &a, &b, floor) {
                    Some(weight) => prop_assert!(weight == full, "{} != {}", weight, full),
                    None => prop_assert!(full < floor, "pruned a pair of weight {} >= {}", full, floor),
                }
                prop_assert_eq!(pruner.weight_at_least(&model, &a, &b, f64::NEG_INFINITY), Some(full));
            }
        }
    }

    /// A member of one household (same birth date, address, parents, phone) with its own
    /// name and NIK.
    fn household_member(model: &Model, id: &str, name: &str, nik: &str) -> PreparedRecord {
        let pairs = [
            ("full_name", name),
            ("nik", nik),
            ("sex", "P"),
            ("birth_date", "1990-03-07"),
            ("birth_place", "metro"),
            ("address", "dusun 3 rt 14 rw 07 suka jadi"),
            ("village_code", "1809012001"),
            ("phone", "081234567890"),
            ("mother_name", "siti aminah"),
            ("father_name", "karto"),
        ];
        model.prepare(&Record::from_pairs(model, id, pairs).unwrap())
    }

    #[test]
    fn an_exact_nik_counts_beyond_the_household_cap_and_a_twins_nik_does_not() {
        let model = Model::interchange().unwrap();
        let scorer = Scorer::new(&model, &Parameters::defaults(&model), 10_000.0);
        let frequencies = TermFrequencies::default();
        let household = |id: &str, name: &str, nik: &str| household_member(&model, id, name, nik);
        let first = household("a", "Rina Wati", "1809014703900002");
        let same_nik = household("b", "Dewi Lestari", "1809014703900002");
        let twin_nik = household("c", "Dewi Lestari", "1809014703900003");
        let exact = scorer.match_weight(&model, &first, &same_nik, &frequencies);
        let twin = scorer.match_weight(&model, &first, &twin_nik, &frequencies);
        // Both pairs reach the household cap; only the exact NIK adds to it.
        assert!(exact - twin > 10.0, "exact {exact} vs twin {twin}");
    }

    #[test]
    fn a_households_shared_values_give_the_same_probability_in_any_register_size() {
        let model = Model::interchange().unwrap();
        let frequencies = TermFrequencies::default();
        let member = |id: &str, name: &str, nik: &str| household_member(&model, id, name, nik);
        // Twins: everything but the name and the NIK's serial.
        let (first, twin) = (
            member("a", "Rina Wati", "1809014703900002"),
            member("b", "Dewi Lestari", "1809014703900003"),
        );
        let log2_odds = |population: f64| {
            let scorer = Scorer::new(&model, &Parameters::defaults(&model), population);
            scorer.prior() + scorer.match_weight(&model, &first, &twin, &frequencies)
        };
        let (small, large) = (log2_odds(20_000.0), log2_odds(1_000_000.0));
        assert!((small - large).abs() < 1e-9, "{small} at 20,000 vs {large} at 1,000,000");
        assert!(probability(large) < 0.05, "twins with different names: {large}");
        // The cap grows with the register, by the bits the prior loses.
        let family = model.groups().iter().position(|g| g.name == "family").unwrap();
        let caps = |population: f64| {
            Scorer::new(&model, &Parameters::defaults(&model), population).group_caps()[family]
        };
        assert!((caps(1_000_000.0) - caps(20_000.0) - (50.0f64).log2()).abs() < 0.01);
    }

    #[test]
    fn a_shared_birth_date_and_sex_count_once_not_three_times() {
        let model = Model::interchange().unwrap();
        let scorer = Scorer::new(&model, &Parameters::defaults(&model), 1_000_000.0);
        let frequencies = TermFrequencies::default();
        let woman = |id: &str, nik: &str, village: &str| {
            let pairs = [
                ("full_name", "Siti"),
                ("nik", nik),
                ("sex", "P"),
                ("birth_date", "1970-02-24"),
                ("village_code", village),
            ];
            model.prepare(&Record::from_pairs(&model, id, pairs).unwrap())
        };
        // Same kabupaten, birth date and sex; another kecamatan, village and serial.
        let (a, b) = (
            woman("a", "1807076402700024", "1807072008"),
            woman("b", "1807116402700003", "1807112013"),
        );
        let evidence = scorer.explain(&model, &a, &b, &frequencies);
        let birth: f64 = evidence
            .iter()
            .filter(|e| ["nik", "birth_date", "sex"].contains(&e.field.as_str()))
            .map(|e| e.weight)
            .sum();
        let birth_group = model.groups().iter().find(|g| g.name == "birth").unwrap();
        assert!(birth <= birth_group.cap.bits(scorer.prior()) + 1e-9, "{birth} bits");
        assert!(birth > 10.0, "the shared birth date still counts: {birth} bits");
    }

    #[test]
    fn probability_is_the_logistic_of_the_weight_in_bits() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!((probability(10.0) - 1024.0 / 1025.0).abs() < 1e-12);
    }
}
