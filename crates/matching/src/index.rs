//! The real-time match index: every stored record, prepared once, with posting lists from
//! blocking keys to records. Screening a record gathers candidates from its keys (skipping
//! keys more common than the block cap), scores them and returns the best, ranked, each
//! with probability, band and per-field evidence. Records are inserted, replaced and
//! removed by id, so the service can keep the index current from the store's changes.

use std::sync::Arc;

use ahash::AHashMap;
use rayon::prelude::*;

use crate::blocking::for_each_key;
use crate::frequency::TermFrequencies;
use crate::model::Model;
use crate::parameters::Parameters;
use crate::record::{PreparedRecord, Record};
use crate::scoring::{FieldEvidence, PairPruner, Scorer, probability};

mod snapshot;
pub use snapshot::IndexParts;

/// What the officer should do with a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Band {
    /// At or above the model's auto-link threshold.
    AutoLink,
    /// At or above the review threshold.
    Review,
    /// Below the review threshold.
    NoMatch,
}

impl Band {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::AutoLink => "auto_link",
            Band::Review => "review",
            Band::NoMatch => "no_match",
        }
    }
}

/// A stored record that may be the same person as the screened one.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Id of the stored record.
    pub id: String,
    /// Total match weight in bits, prior included.
    pub match_weight: f64,
    /// Probability that both records are the same person.
    pub probability: f64,
    /// Decision band.
    pub band: Band,
    /// Per-field explanation, in model field order.
    pub evidence: Vec<FieldEvidence>,
}

/// Approximate memory held by an index, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryUsage {
    /// Prepared records (arenas and value tables) and their slots.
    pub records: usize,
    /// Id to slot map.
    pub ids: usize,
    /// Blocking-key posting lists.
    pub postings: usize,
    /// Term-frequency counts.
    pub frequencies: usize,
}

impl MemoryUsage {
    /// Sum of the parts.
    pub fn total(&self) -> usize {
        self.records + self.ids + self.postings + self.frequencies
    }
}

/// Marks a posting value that indexes `lists` rather than naming one slot.
const LIST_FLAG: u32 = 1 << 31;

/// The in-memory index. `Send + Sync`: share it behind a lock.
#[derive(Debug)]
pub struct MatchIndex {
    model: Arc<Model>,
    parameters: Parameters,
    scorer: Scorer,
    records: Vec<Option<PreparedRecord>>,
    free_slots: Vec<u32>,
    slot_of: AHashMap<Box<str>, u32>,
    postings: AHashMap<u64, u32>,
    lists: Vec<Vec<u32>>,
    free_lists: Vec<u32>,
    frequencies: TermFrequencies,
}

impl MatchIndex {
    /// An empty index.
    pub fn new(model: Arc<Model>, parameters: Parameters) -> Self {
        let scorer = Scorer::new(&model, &parameters, 0.0);
        Self {
            model,
            parameters,
            scorer,
            records: Vec::new(),
            free_slots: Vec::new(),
            slot_of: AHashMap::new(),
            postings: AHashMap::new(),
            lists: Vec::new(),
            free_lists: Vec::new(),
            frequencies: TermFrequencies::default(),
        }
    }

    /// An index over `records`, prepared on all cores. Later duplicates of an id replace
    /// earlier ones.
    pub fn build(model: Arc<Model>, parameters: Parameters, records: &[Record]) -> Self {
        let prepared: Vec<PreparedRecord> = records.par_iter().map(|r| model.prepare(r)).collect();
        Self::from_prepared(model, parameters, prepared)
    }

    /// An index over records prepared already.
    pub fn from_prepared(
        model: Arc<Model>,
        parameters: Parameters,
        records: Vec<PreparedRecord>,
    ) -> Self {
        let mut index = Self::new(model, parameters);
        index.records.reserve(records.len());
        index.slot_of.reserve(records.len());
        index.postings.reserve(records.len() * index.model.blocking_rules().len());
        for record in records {
            index.upsert_prepared(record);
        }
        index
    }

    /// The model.
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// The parameters in use.
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// Number of stored records.
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    /// Whether a record with this id is stored.
    pub fn contains(&self, id: &str) -> bool {
        self.slot_of.contains_key(id)
    }

    /// Inserts a record, replacing any stored record with the same id.
    pub fn upsert(&mut self, record: &Record) {
        let prepared = self.model.prepare(record);
        self.upsert_prepared(prepared);
    }

    /// Inserts a prepared record, replacing any stored record with the same id.
    pub fn upsert_prepared(&mut self, record: PreparedRecord) {
        self.remove(record.id());
        let slot = match self.free_slots.pop() {
            Some(slot) => slot,
            None => {
                self.records.push(None);
                (self.records.len() - 1) as u32
            }
        };
        let model = Arc::clone(&self.model);
        for rule in 0..model.blocking_rules().len() {
            for_each_key(&model, rule, &record, |key| self.add_posting(key, slot));
        }
        self.frequencies.add(&model, &record);
        self.slot_of.insert(record.id().into(), slot);
        self.records[slot as usize] = Some(record);
        self.scorer.set_population(&model, self.len() as f64);
    }

    /// Removes the record with this id; false when there was none.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slot_of.remove(id) else {
            return false;
        };
        let Some(record) = self.records[slot as usize].take() else {
            return false;
        };
        let model = Arc::clone(&self.model);
        for rule in 0..model.blocking_rules().len() {
            for_each_key(&model, rule, &record, |key| self.remove_posting(key, slot));
        }
        self.frequencies.remove(&model, &record);
        self.free_slots.push(slot);
        self.scorer.set_population(&model, self.len() as f64);
        true
    }

    fn add_posting(&mut self, key: u64, slot: u32) {
        match self.postings.get(&key).copied() {
            None => {
                self.postings.insert(key, slot);
            }
            Some(value) if value & LIST_FLAG != 0 => {
                // A slot is inserted once per key: keys carry their rule, and a rule's keys
                // for one record are distinct.
                self.lists[(value & !LIST_FLAG) as usize].push(slot);
            }
            Some(existing) if existing == slot => {}
            Some(existing) => {
                let list = vec![existing, slot];
                let position = match self.free_lists.pop() {
                    Some(position) => {
                        self.lists[position as usize] = list;
                        position
                    }
                    None => {
                        self.lists.push(list);
                        (self.lists.len() - 1) as u32
                    }
                };
                self.postings.insert(key, position | LIST_FLAG);
            }
        }
    }

    fn remove_posting(&mut self, key: u64, slot: u32) {
        match self.postings.get(&key).copied() {
            Some(value) if value & LIST_FLAG != 0 => {
                let position = value & !LIST_FLAG;
                let list = &mut self.lists[position as usize];
                list.retain(|&s| s != slot);
                if list.len() == 1 {
                    let last = list[0];
                    self.lists[position as usize] = Vec::new();
                    self.free_lists.push(position);
                    self.postings.insert(key, last);
                }
            }
            Some(existing) if existing == slot => {
                self.postings.remove(&key);
            }
            _ => {}
        }
    }

    /// Screens a record: up to `limit` stored records, most probable first. The record's
    /// own id, if stored, is never a candidate.
    pub fn screen(&self, record: &Record, limit: usize) -> Vec<Candidate> {
        self.screen_prepared(&self.model.prepare(record), limit)
    }

    /// Screens a prepared record (see [`MatchIndex::screen`]).
    pub fn screen_prepared(&self, query: &PreparedRecord, limit: usize) -> Vec<Candidate> {
        self.ranked(query, limit)
            .map(|(candidate, stored)| Candidate {
                evidence: self.scorer.explain(&self.model, query, stored, &self.frequencies),
                ..candidate
            })
            .collect()
    }

    /// Like [`MatchIndex::screen_prepared`] without the per-field explanation (`evidence`
    /// left empty): for callers that explain only some candidates, with
    /// [`MatchIndex::explain`]. Explaining costs about as much as ranking.
    pub fn rank_prepared(&self, query: &PreparedRecord, limit: usize) -> Vec<Candidate> {
        self.ranked(query, limit).map(|(candidate, _)| candidate).collect()
    }

    /// The candidates of [`MatchIndex::rank_prepared`] whose probability is at least
    /// `min_probability` (e.g. the review threshold: the candidates an officer is shown),
    /// with the same weights, in the same order, for less work: a pair is scored only as far
    /// as needed to know it can reach neither `min_probability` nor the `limit`-th best
    /// weight found so far ([`PairPruner`]).
    pub fn rank_prepared_at_least(
        &self,
        query: &PreparedRecord,
        limit: usize,
        min_probability: f64,
    ) -> Vec<Candidate> {
        if limit == 0 {
            return Vec::new();
        }
        let prior = self.scorer.prior();
        // The weight (prior included) of `min_probability`; 0 or 1 give an infinite weight,
        // and then nothing is pruned by it.
        let min_weight = (min_probability / (1.0 - min_probability)).log2();
        let static_floor =
            if min_weight.is_finite() { min_weight - prior } else { f64::NEG_INFINITY };
        let pruner = PairPruner::new(&self.scorer, &self.model, &self.frequencies);
        let mut floor = static_floor;
        let mut scored: Vec<(f64, u32)> = Vec::new();
        for slot in self.candidate_slots(query) {
            let Some(stored) = self.records[slot as usize].as_ref() else { continue };
            let Some(weight) = pruner.weight_at_least(&self.model, query, stored, floor) else {
                continue;
            };
            scored.push((prior + weight, slot));
            // Keep the best `limit` now and then: the `limit`-th best is a floor for the rest
            // (slots come in ascending order, so a later equal weight never displaces it).
            if scored.len() >= 2 * limit {
                scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                scored.truncate(limit);
                if let Some(&(kth, _)) = scored.last() {
                    floor = floor.max(kth - prior);
                }
            }
        }
        scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        scored.truncate(limit);
        self.candidates(scored)
            .map(|(candidate, _)| candidate)
            .filter(|candidate| candidate.probability >= min_probability)
            .collect()
    }

    /// The per-field explanation of `query` against the stored record `id`, if stored.
    pub fn explain(&self, query: &PreparedRecord, id: &str) -> Option<Vec<FieldEvidence>> {
        let slot = *self.slot_of.get(id)?;
        let stored = self.records[slot as usize].as_ref()?;
        Some(self.scorer.explain(&self.model, query, stored, &self.frequencies))
    }

    fn ranked<'a>(
        &'a self,
        query: &PreparedRecord,
        limit: usize,
    ) -> impl Iterator<Item = (Candidate, &'a PreparedRecord)> + 'a {
        let slots = self.candidate_slots(query);
        let prior = self.scorer.prior();
        let mut scored: Vec<(f64, u32)> = slots
            .into_iter()
            .filter_map(|slot| {
                let stored = self.records[slot as usize].as_ref()?;
                let weight =
                    prior + self.scorer.match_weight(&self.model, query, stored, &self.frequencies);
                Some((weight, slot))
            })
            .collect();
        scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        scored.truncate(limit);
        self.candidates(scored)
    }

    /// Candidates from ranked (weight, slot) pairs.
    fn candidates(
        &self,
        scored: Vec<(f64, u32)>,
    ) -> impl Iterator<Item = (Candidate, &PreparedRecord)> + '_ {
        let thresholds = self.model.thresholds();
        scored.into_iter().filter_map(move |(weight, slot)| {
            let stored = self.records[slot as usize].as_ref()?;
            let p = probability(weight);
            let band = if p >= thresholds.auto_link {
                Band::AutoLink
            } else if p >= thresholds.review {
                Band::Review
            } else {
                Band::NoMatch
            };
            let candidate = Candidate {
                id: stored.id().to_owned(),
                match_weight: weight,
                probability: p,
                band,
                evidence: Vec::new(),
            };
            Some((candidate, stored))
        })
    }

    /// Slots sharing at least one blocking key with `query`, keys with more records than
    /// the block cap skipped, the query's own id excluded.
    fn candidate_slots(&self, query: &PreparedRecord) -> Vec<u32> {
        let mut slots = Vec::new();
        for (rule, spec) in self.model.blocking_rules().iter().enumerate() {
            let cap = spec.max_block_size;
            for_each_key(&self.model, rule, query, |key| match self.postings.get(&key).copied() {
                Some(value) if value & LIST_FLAG != 0 => {
                    let list = &self.lists[(value & !LIST_FLAG) as usize];
                    if list.len() <= cap {
                        slots.extend_from_slice(list);
                    }
                }
                Some(slot) => slots.push(slot),
                None => {}
            });
        }
        slots.sort_unstable();
        slots.dedup();
        if let Some(&own) = self.slot_of.get(query.id()) {
            slots.retain(|&slot| slot != own);
        }
        slots
    }

    /// Approximate memory held, by part.
    pub fn memory_usage(&self) -> MemoryUsage {
        let slot = std::mem::size_of::<Option<PreparedRecord>>();
        let records = self.records.capacity() * slot
            + self
                .records
                .iter()
                .flatten()
                .map(|r| r.heap_bytes() + r.allocations() * ALLOCATION_OVERHEAD)
                .sum::<usize>();
        let ids = self.slot_of.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1)
            + self.slot_of.keys().map(|id| id.len() + ALLOCATION_OVERHEAD).sum::<usize>();
        let postings = self.postings.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
            + self.lists.capacity() * std::mem::size_of::<Vec<u32>>()
            + self.lists.iter().map(|l| l.capacity() * 4 + ALLOCATION_OVERHEAD).sum::<usize>();
        MemoryUsage { records, ids, postings, frequencies: self.frequencies.heap_bytes() }
    }
}

/// Bytes the allocator spends per allocation beyond the requested size (glibc: 8-16).
const ALLOCATION_OVERHEAD: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model() -> Arc<Model> {
        Arc::new(Model::interchange().unwrap())
    }

    fn record(model: &Model, id: &str, pairs: &[(&str, &str)]) -> Record {
        Record::from_pairs(model, id, pairs.iter().copied()).unwrap()
    }

    fn applicant(
        model: &Model,
        id: &str,
        name: &str,
        nik: &str,
        birth: &str,
        mother: &str,
    ) -> Record {
        record(
            model,
            id,
            &[
                ("full_name", name),
                ("nik", nik),
                ("birth_date", birth),
                ("mother_name", mother),
                ("sex", "P"),
                ("village_code", "1809012001"),
            ],
        )
    }

    #[test]
    fn a_re_application_under_a_new_spelling_and_nik_is_found_and_explained() {
        let model = model();
        let stored = vec![
            applicant(&model, "A1", "Siti Aminah", "1809014703900002", "1990-03-07", "Sumarni"),
            applicant(&model, "A2", "Dewi Lestari", "1809015505920001", "1992-05-15", "Sumarni"),
            applicant(&model, "A3", "Rina Wati", "1809016101880003", "1988-01-21", "Karsih"),
        ];
        let index = MatchIndex::build(Arc::clone(&model), Parameters::defaults(&model), &stored);
        let query =
            applicant(&model, "B1", "St. Aminah", "1809014703900017", "1990-07-03", "Soemarni");
        let candidates = index.screen(&query, 5);
        assert_eq!(candidates[0].id, "A1");
        assert_ne!(candidates[0].band, Band::NoMatch, "{:?}", candidates[0]);
        let name = candidates[0].evidence.iter().find(|e| e.field == "full_name").unwrap();
        assert_eq!(name.level, crate::Level::Equivalent);
        assert_eq!((name.left.as_str(), name.right.as_str()), ("st aminah", "siti aminah"));
        assert!(name.weight > 0.0);
        if let Some(sibling) = candidates.iter().find(|c| c.id == "A2") {
            assert_eq!(
                sibling.band,
                Band::NoMatch,
                "a sister sharing the mother is not the same person"
            );
        }
    }

    #[test]
    fn building_keeps_the_last_record_of_an_id() {
        let model = model();
        let records = vec![
            applicant(&model, "A1", "Budi Santoso", "1809010101900001", "1990-01-01", "Sri"),
            applicant(&model, "A1", "Agus Salim", "1809010202910001", "1991-02-02", "Tini"),
        ];
        let index = MatchIndex::build(Arc::clone(&model), Parameters::defaults(&model), &records);
        assert_eq!(index.len(), 1);
        let query = applicant(&model, "Q", "Agus Salim", "1809010202910001", "1991-02-02", "Tini");
        assert_eq!(index.screen(&query, 5)[0].id, "A1");
        let old = applicant(&model, "Q", "Budi Santoso", "1809010101900001", "1990-01-01", "Sri");
        assert!(index.screen(&old, 5).is_empty());
    }

    #[test]
    fn upsert_replaces_and_remove_forgets() {
        let model = model();
        let mut index = MatchIndex::new(Arc::clone(&model), Parameters::defaults(&model));
        index.upsert(&applicant(
            &model,
            "A1",
            "Budi Santoso",
            "1809010101900001",
            "1990-01-01",
            "Sri",
        ));
        index.upsert(&applicant(
            &model,
            "A1",
            "Agus Salim",
            "1809010202910001",
            "1991-02-02",
            "Tini",
        ));
        assert_eq!(index.len(), 1);
        let query = applicant(&model, "Q", "Budi Santoso", "1809010101900001", "1990-01-01", "Sri");
        assert!(index.screen(&query, 5).is_empty(), "the old version left no posting behind");
        assert!(index.remove("A1"));
        assert!(!index.remove("A1"));
        assert!(index.is_empty());
        index.upsert(&query);
        assert!(index.screen(&query, 5).is_empty(), "a record is not its own candidate");
    }

    proptest! {
        #[test]
        fn screening_equals_a_brute_force_scan_over_records_sharing_a_key(
            people in proptest::collection::vec((0usize..4, 0usize..4, 0usize..3), 1..25),
            query in (0usize..4, 0usize..4, 0usize..3),
        ) {
            let names = ["budi santoso", "siti aminah", "agus salim", "dewi lestari"];
            let births = ["1990-01-01", "1991-02-03", "1985-12-24", "1990-03-01"];
            let phones = ["081234567890", "081298765432", ""];
            let model = model();
            let make = |id: String, (n, b, p): (usize, usize, usize)| {
                record(&model, &id, &[("full_name", names[n]), ("birth_date", births[b]), ("phone", phones[p]), ("village_code", "1809012001")])
            };
            let stored: Vec<Record> = people.iter().enumerate().map(|(i, &p)| make(format!("S{i}"), p)).collect();
            let index = MatchIndex::build(Arc::clone(&model), Parameters::defaults(&model), &stored);
            let query = make("Q".into(), query);
            let got: Vec<String> = index.screen(&query, usize::MAX).into_iter().map(|c| c.id).collect();
            let prepared_query = model.prepare(&query);
            let keys_of = |r: &PreparedRecord| {
                let mut keys = Vec::new();
                for rule in 0..model.blocking_rules().len() {
                    for_each_key(&model, rule, r, |k| keys.push(k));
                }
                keys
            };
            let query_keys = keys_of(&prepared_query);
            let mut expected: Vec<String> = stored
                .iter()
                .map(|r| model.prepare(r))
                .filter(|r| keys_of(r).iter().any(|k| query_keys.contains(k)))
                .map(|r| r.id().to_owned())
                .collect();
            let mut got_sorted = got.clone();
            got_sorted.sort();
            expected.sort();
            prop_assert_eq!(got_sorted, expected);
        }
    }

    #[test]
    fn ranking_then_explaining_gives_what_screening_gives() {
        let model = model();
        let records = vec![
            applicant(&model, "A1", "Siti Aminah", "1809014703900002", "1990-03-07", "Sumarni"),
            applicant(&model, "A2", "Dewi Lestari", "1809015505920001", "1992-05-15", "Sumarni"),
            applicant(&model, "A3", "St. Aminah", "1809014703900017", "1990-07-03", "Soemarni"),
            applicant(&model, "A4", "Rina Wati", "1809016101880003", "1988-01-21", "Karsih"),
        ];
        let index = MatchIndex::build(model.clone(), Parameters::defaults(&model), &records);
        let mut compared = 0;
        for record in &records {
            let query = model.prepare(record);
            let screened = index.screen_prepared(&query, 5);
            let ranked = index.rank_prepared(&query, 5);
            compared += screened.len();
            assert_eq!(screened.len(), ranked.len());
            for (s, r) in screened.iter().zip(&ranked) {
                assert!(r.evidence.is_empty());
                assert_eq!((&s.id, s.match_weight, s.band), (&r.id, r.match_weight, r.band));
                assert_eq!(index.explain(&query, &r.id).as_ref(), Some(&s.evidence));
            }
        }
        assert!(compared >= 2, "the two spellings of Siti Aminah find each other");
        assert_eq!(index.explain(&model.prepare(&records[0]), "no such id"), None);
    }
}
