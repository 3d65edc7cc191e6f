//! Term frequencies: how often each value occurs per field, so that agreeing on a common
//! name ("Muhammad Rizki", "Siti Aminah") counts less than agreeing on a rare one.

use ahash::AHashMap;
use rayon::prelude::*;

use crate::comparison::frequency_key;
use crate::model::Model;
use crate::record::PreparedRecord;

/// Records counted per task when counting in parallel.
const CHUNK: usize = 1 << 16;

/// Value counts for the fields with `term_frequency = true`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct TermFrequencies {
    counts: AHashMap<u64, u32>,
    records: u64,
}

impl TermFrequencies {
    /// Counts over `records`.
    pub fn from_records<'r>(
        model: &Model,
        records: impl IntoIterator<Item = &'r PreparedRecord>,
    ) -> Self {
        let mut frequencies = Self::default();
        for record in records {
            frequencies.add(model, record);
        }
        frequencies
    }

    /// Counts over `records` on all cores; the same counts as [`TermFrequencies::from_records`].
    pub fn from_records_parallel(model: &Model, records: &[PreparedRecord]) -> Self {
        Self::from_chunks(model, records, CHUNK)
    }

    fn from_chunks(model: &Model, records: &[PreparedRecord], chunk: usize) -> Self {
        records.par_chunks(chunk.max(1)).map(|chunk| Self::from_records(model, chunk)).reduce(
            Self::default,
            |mut a, mut b| {
                if a.counts.len() < b.counts.len() {
                    std::mem::swap(&mut a, &mut b);
                }
                a.records += b.records;
                for (key, count) in b.counts {
                    *a.counts.entry(key).or_insert(0) += count;
                }
                a
            },
        )
    }

    /// Counts one more record.
    pub fn add(&mut self, model: &Model, record: &PreparedRecord) {
        self.records += 1;
        for_each_key(model, record, |key| *self.counts.entry(key).or_insert(0) += 1);
    }

    /// Forgets one record counted before.
    pub fn remove(&mut self, model: &Model, record: &PreparedRecord) {
        self.records = self.records.saturating_sub(1);
        for_each_key(model, record, |key| {
            if let Some(count) = self.counts.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    self.counts.remove(&key);
                }
            }
        });
    }

    /// Number of records counted.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Share of records holding the value with this key, never below one record's share.
    pub fn share(&self, key: u64) -> f64 {
        let count = self.counts.get(&key).copied().unwrap_or(0).max(1);
        f64::from(count) / self.records.max(1) as f64
    }

    /// Approximate heap bytes.
    pub fn heap_bytes(&self) -> usize {
        self.counts.capacity() * (std::mem::size_of::<(u64, u32)>() + 1)
    }
}

fn for_each_key(model: &Model, record: &PreparedRecord, mut visit: impl FnMut(u64)) {
    for index in 0..model.fields().len() {
        if let Some(key) = frequency_key(model.fields(), index, record) {
            visit(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    #[test]
    fn parallel_counts_equal_sequential_counts() {
        let model = Model::interchange().unwrap();
        let names = ["Siti Aminah", "Budi Santoso", "Siti Aminah", "Agus", "Budi Santoso"];
        let records: Vec<PreparedRecord> = (0..23)
            .map(|i| {
                let name = names[i % names.len()];
                let mother = names[(i * 3) % names.len()];
                let record = Record::from_pairs(
                    &model,
                    &format!("r{i}"),
                    [("full_name", name), ("mother_name", mother), ("birth_place", "Metro")],
                )
                .unwrap();
                model.prepare(&record)
            })
            .collect();
        let sequential = TermFrequencies::from_records(&model, &records);
        for chunk in [1, 2, 5, 64] {
            let parallel = TermFrequencies::from_chunks(&model, &records, chunk);
            assert_eq!(parallel.records, sequential.records);
            assert_eq!(parallel.counts, sequential.counts, "chunk {chunk}");
        }
    }
}
