//! Blocking: cheap keys (NIK, decoded NIK parts, name spelling keys, birth date, phone,
//! mother's name...) that decide which pairs are compared at all. Shared by the real-time
//! index (posting lists) and batch linking (sorted blocks), with block sizes capped and a
//! diagnostics report of what the keys produced.

use std::hash::{BuildHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::comparison::hasher_seed;
use crate::model::{Kind, Model, Transform};
use crate::record::PreparedRecord;
use crate::value;

/// Calls `visit` with every key of blocking rule `rule` for `record`: none when a part is
/// missing, several when a part takes each token of a name.
pub fn for_each_key(
    model: &Model,
    rule: usize,
    record: &PreparedRecord,
    mut visit: impl FnMut(u64),
) {
    let Some(rule_spec) = model.blocking_rules().get(rule) else {
        return;
    };
    let mut hasher = hasher_seed().build_hasher();
    rule.hash(&mut hasher);
    let mut multi: Option<Vec<&str>> = None;
    for part in &rule_spec.parts {
        let kind = model.fields()[part.field].kind;
        if part.transform == Transform::Tokens {
            let tokens = match kind {
                Kind::Name => record.name(part.field).map(|n| n.close),
                _ => record.text(part.field),
            };
            let Some(tokens) = tokens else { return };
            let mut list: Vec<&str> = tokens.split(' ').filter(|t| t.len() > 1).collect();
            list.sort_unstable();
            list.dedup();
            if list.is_empty() {
                return;
            }
            multi = Some(list);
            continue;
        }
        if !hash_part(record, part.field, kind, part.transform, &mut hasher) {
            return;
        }
    }
    match multi {
        None => visit(hasher.finish()),
        Some(tokens) => {
            for token in tokens {
                let mut per_token = hasher.clone();
                token.hash(&mut per_token);
                visit(per_token.finish());
            }
        }
    }
}

/// Most name tokens a key is made of; further tokens are ignored.
const MAX_KEY_TOKENS: usize = 16;

/// Hashes one single-valued key part; false when the record has no value for it.
fn hash_part(
    record: &PreparedRecord,
    field: usize,
    kind: Kind,
    transform: Transform,
    hasher: &mut impl Hasher,
) -> bool {
    match transform {
        Transform::Value | Transform::Close if kind == Kind::Name => {
            let Some(name) = record.name(field) else { return false };
            let text = if transform == Transform::Close { name.close } else { name.equivalent };
            let mut tokens = [""; MAX_KEY_TOKENS];
            let mut len = 0;
            for token in text.split(' ') {
                if len == MAX_KEY_TOKENS {
                    break;
                }
                tokens[len] = token;
                len += 1;
            }
            tokens[..len].sort_unstable();
            // Hashed like a slice (length first), as the key always was.
            tokens[..len].hash(hasher);
        }
        Transform::Value | Transform::Close if kind == Kind::Date => match record.date(field) {
            Some(date) => date.hash(hasher),
            None => return false,
        },
        Transform::Value | Transform::Close | Transform::Tokens => match record.text(field) {
            Some(text) => text.hash(hasher),
            None => return false,
        },
        Transform::Year | Transform::DayMonthUnordered | Transform::Birthday => {
            let Some(date) = record.date(field) else { return false };
            let (year, month, day) = value::unpack_date(date);
            if transform != Transform::Birthday {
                year.hash(hasher);
            }
            if transform != Transform::Year {
                month.min(day).hash(hasher);
                month.max(day).hash(hasher);
            }
        }
        Transform::NikBirth | Transform::NikSex => {
            let Some(parts) = record.text(field).and_then(value::decode_nik) else { return false };
            if transform == Transform::NikBirth {
                parts.birth.hash(hasher);
            } else {
                parts.female.hash(hasher);
            }
        }
        Transform::Regency | Transform::District => {
            let digits = if transform == Transform::Regency { 4 } else { 6 };
            match record.text(field).and_then(|t| t.get(..digits)) {
                Some(prefix) => prefix.hash(hasher),
                None => return false,
            }
        }
        Transform::Initial => {
            let first = match kind {
                Kind::Name => record
                    .name(field)
                    .and_then(|n| n.close.split(' ').min())
                    .and_then(|t| t.bytes().next()),
                _ => record.text(field).and_then(|t| t.bytes().next()),
            };
            match first {
                Some(initial) => initial.hash(hasher),
                None => return false,
            }
        }
    }
    true
}

/// One block: the records sharing a key, as a range of a rule's sorted entries.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// The blocking rule.
    pub rule: usize,
    start: u32,
    len: u32,
}

/// Per-rule diagnostics of batch blocking.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleDiagnostics {
    /// Rule name.
    pub rule: String,
    /// Records that have at least one key for this rule.
    pub records_keyed: usize,
    /// Blocks with at least one pair.
    pub blocks: usize,
    /// Pairs in those blocks (before removing pairs an earlier rule already produced).
    pub pairs: u64,
    /// Of those, pairs no earlier rule produced (filled in after pair generation).
    pub new_pairs: u64,
    /// Blocks larger than the cap, skipped.
    pub blocks_capped: usize,
    /// Pairs in the skipped blocks.
    pub pairs_capped: u64,
    /// The largest blocks: (size, id of one member), largest first, capped ones included.
    pub largest: Vec<(usize, String)>,
}

/// Diagnostics of batch blocking, rule by rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlockingDiagnostics {
    /// Block-size cap in force.
    pub max_block_size: usize,
    /// One entry per blocking rule, in model order.
    pub rules: Vec<RuleDiagnostics>,
}

impl BlockingDiagnostics {
    /// Distinct candidate pairs over all rules.
    pub fn candidate_pairs(&self) -> u64 {
        self.rules.iter().map(|r| r.new_pairs).sum()
    }

    /// Pairs skipped in capped blocks over all rules (may overlap).
    pub fn pairs_capped(&self) -> u64 {
        self.rules.iter().map(|r| r.pairs_capped).sum()
    }
}

/// Blocks of a whole data set, for batch linking.
#[derive(Debug)]
pub struct BatchBlocking {
    entries: Vec<Vec<u32>>,
    blocks: Vec<Block>,
    /// Side of each record in link mode (0 = left file, 1 = right file); empty for dedupe.
    sides: Vec<u8>,
    diagnostics: BlockingDiagnostics,
}

const LARGEST_REPORTED: usize = 5;

/// Records keyed per task when building batch blocks.
const KEY_CHUNK: usize = 4096;

impl BatchBlocking {
    /// Blocks `records` by every rule of the model. With `sides` (one entry per record),
    /// only pairs across the two sides are generated.
    pub fn build(model: &Model, records: &[PreparedRecord], sides: &[u8]) -> Self {
        let link_mode = !sides.is_empty();
        let mut entries = Vec::new();
        let mut blocks = Vec::new();
        let mut diagnostics =
            BlockingDiagnostics { max_block_size: model.max_block_size(), rules: Vec::new() };
        for (rule, spec) in model.blocking_rules().iter().enumerate() {
            // (key, record) per chunk of records, and how many records have a key.
            let per_chunk: Vec<(Vec<(u64, u32)>, usize)> = records
                .par_chunks(KEY_CHUNK)
                .enumerate()
                .map(|(chunk_index, chunk)| {
                    let mut keys = Vec::with_capacity(chunk.len());
                    let mut keyed = 0;
                    for (offset, record) in chunk.iter().enumerate() {
                        let index = (chunk_index * KEY_CHUNK + offset) as u32;
                        let before = keys.len();
                        for_each_key(model, rule, record, |key| keys.push((key, index)));
                        keyed += usize::from(keys.len() > before);
                    }
                    (keys, keyed)
                })
                .collect();
            let total_keys: usize = per_chunk.iter().map(|(keys, _)| keys.len()).sum();
            let mut sorted: Vec<(u64, u32)> = Vec::with_capacity(total_keys);
            let mut keyed = 0usize;
            for (keys, count) in per_chunk {
                sorted.extend(keys);
                keyed += count;
            }
            sorted.par_sort_unstable();
            let mut rule_diagnostics = RuleDiagnostics {
                rule: spec.name.clone(),
                records_keyed: keyed,
                ..Default::default()
            };
            let mut members: Vec<u32> = Vec::with_capacity(sorted.len());
            let mut largest: Vec<(usize, u32)> = Vec::new();
            let mut start = 0;
            while start < sorted.len() {
                let key = sorted[start].0;
                let end = start + sorted[start..].iter().take_while(|(k, _)| *k == key).count();
                let size = end - start;
                let pairs = block_pairs(&sorted[start..end], sides);
                if pairs > 0 {
                    note_largest(&mut largest, size, sorted[start].1);
                    if size > spec.max_block_size {
                        rule_diagnostics.blocks_capped += 1;
                        rule_diagnostics.pairs_capped += pairs;
                    } else {
                        let block_start = members.len() as u32;
                        members.extend(sorted[start..end].iter().map(|&(_, i)| i));
                        blocks.push(Block { rule, start: block_start, len: size as u32 });
                        rule_diagnostics.blocks += 1;
                        rule_diagnostics.pairs += pairs;
                    }
                }
                start = end;
            }
            rule_diagnostics.largest = largest
                .into_iter()
                .map(|(size, i)| (size, records[i as usize].id().to_owned()))
                .collect();
            diagnostics.rules.push(rule_diagnostics);
            entries.push(members);
        }
        let sides = if link_mode { sides.to_vec() } else { Vec::new() };
        Self { entries, blocks, sides, diagnostics }
    }

    /// Every block of every rule.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Members of a block.
    pub fn members(&self, block: &Block) -> &[u32] {
        &self.entries[block.rule][block.start as usize..(block.start + block.len) as usize]
    }

    /// Every distinct candidate pair over all rules, as `(i << 32) | j` with `i < j`, sorted;
    /// records per rule how many pairs no earlier rule produced. Pairs are collected rule by
    /// rule and de-duplicated by sorting and merging, which is much cheaper than checking each
    /// pair against the keys of every earlier rule.
    pub fn candidate_pairs(&mut self) -> Vec<u64> {
        let rules = self.diagnostics.rules.len();
        let mut all: Vec<u64> = Vec::new();
        for rule in 0..rules {
            let start = self.blocks.partition_point(|b| b.rule < rule);
            let end = self.blocks.partition_point(|b| b.rule <= rule);
            let mut pairs: Vec<u64> = self.blocks[start..end]
                .par_iter()
                .fold(Vec::new, |mut pairs, block| {
                    self.for_each_pair(block, |i, j| pairs.push(pack_pair(i, j)));
                    pairs
                })
                .reduce(Vec::new, |mut a, mut b| {
                    if a.len() < b.len() {
                        std::mem::swap(&mut a, &mut b);
                    }
                    a.append(&mut b);
                    a
                });
            pairs.par_sort_unstable();
            pairs.dedup();
            let (merged, new) = merge_counting_new(&all, &pairs);
            self.diagnostics.rules[rule].new_pairs = new;
            all = merged;
        }
        all
    }

    /// Calls `visit(i, j)` for every pair of the block, earlier rules or not.
    pub fn for_each_pair(&self, block: &Block, mut visit: impl FnMut(u32, u32)) {
        let members = self.members(block);
        for (position, &i) in members.iter().enumerate() {
            for &j in &members[position + 1..] {
                if self.sides.is_empty() || self.sides[i as usize] != self.sides[j as usize] {
                    visit(i, j);
                }
            }
        }
    }

    /// The diagnostics report.
    pub fn diagnostics(&self) -> &BlockingDiagnostics {
        &self.diagnostics
    }
}

/// One candidate pair `(i, j)`, `i < j`, packed so that sorting orders by `i` then `j`.
pub fn pack_pair(i: u32, j: u32) -> u64 {
    (u64::from(i) << 32) | u64::from(j)
}

/// The two records of a packed pair.
pub fn unpack_pair(pair: u64) -> (u32, u32) {
    ((pair >> 32) as u32, pair as u32)
}

/// Merges two sorted, distinct lists; also returns how many of `new` were not in `old`.
fn merge_counting_new(old: &[u64], new: &[u64]) -> (Vec<u64>, u64) {
    let mut merged = Vec::with_capacity(old.len() + new.len());
    let (mut x, mut y, mut added) = (0, 0, 0);
    while x < old.len() && y < new.len() {
        match old[x].cmp(&new[y]) {
            std::cmp::Ordering::Less => {
                merged.push(old[x]);
                x += 1;
            }
            std::cmp::Ordering::Greater => {
                merged.push(new[y]);
                y += 1;
                added += 1;
            }
            std::cmp::Ordering::Equal => {
                merged.push(old[x]);
                x += 1;
                y += 1;
            }
        }
    }
    merged.extend_from_slice(&old[x..]);
    added += (new.len() - y) as u64;
    merged.extend_from_slice(&new[y..]);
    (merged, added)
}

fn block_pairs(block: &[(u64, u32)], sides: &[u8]) -> u64 {
    let n = block.len() as u64;
    if sides.is_empty() {
        n * n.saturating_sub(1) / 2
    } else {
        let left = block.iter().filter(|(_, i)| sides[*i as usize] == 0).count() as u64;
        left * (n - left)
    }
}

fn note_largest(largest: &mut Vec<(usize, u32)>, size: usize, example: u32) {
    if largest.len() < LARGEST_REPORTED || largest.last().is_some_and(|&(s, _)| size > s) {
        largest.push((size, example));
        largest.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        largest.truncate(LARGEST_REPORTED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn prepared(model: &Model, id: &str, pairs: &[(&str, &str)]) -> PreparedRecord {
        model.prepare(&Record::from_pairs(model, id, pairs.iter().copied()).unwrap())
    }

    fn keys(model: &Model, rule: &str, record: &PreparedRecord) -> Vec<u64> {
        let index = model.blocking_rules().iter().position(|r| r.name == rule).unwrap();
        let mut keys = Vec::new();
        for_each_key(model, index, record, |k| keys.push(k));
        keys
    }

    #[test]
    fn swapped_day_and_month_share_the_birth_date_key() {
        let model = Model::interchange().unwrap();
        let a =
            prepared(&model, "a", &[("birth_date", "1990-03-07"), ("village_code", "1809012001")]);
        let b =
            prepared(&model, "b", &[("birth_date", "1990-07-03"), ("village_code", "1809012005")]);
        let ka = keys(&model, "birth_date_district", &a);
        assert_eq!(ka.len(), 1);
        assert_eq!(ka, keys(&model, "birth_date_district", &b));
        // Another kecamatan of the same kabupaten is another block.
        let c =
            prepared(&model, "c", &[("birth_date", "1990-03-07"), ("village_code", "1809022005")]);
        assert_ne!(ka, keys(&model, "birth_date_district", &c));
    }

    #[test]
    fn old_and_new_spellings_share_the_name_key_and_missing_parts_give_none() {
        let model = Model::interchange().unwrap();
        let a = prepared(
            &model,
            "a",
            &[
                ("full_name", "Djoko Soesilo"),
                ("birth_date", "1970-01-02"),
                ("village_code", "1809012001"),
            ],
        );
        let b = prepared(
            &model,
            "b",
            &[
                ("full_name", "Susilo Joko"),
                ("birth_date", "1970-02-01"),
                ("village_code", "1809022005"),
            ],
        );
        assert_eq!(keys(&model, "name_birth_year", &a).len(), 1);
        assert_eq!(keys(&model, "name_birth_year", &a), keys(&model, "name_birth_year", &b));
        assert!(keys(&model, "phone", &a).is_empty());
        let tokens = keys(
            &model,
            "birth_date_name_token",
            &prepared(&model, "c", &[("full_name", "Budi"), ("birth_date", "1990-01-01")]),
        );
        assert_eq!(tokens.len(), 1);
    }

    #[test]
    fn batch_blocks_pair_each_candidate_once_and_cap_big_blocks() {
        let model = Model::from_toml(
            r#"
name = "t"
id = { column = "id" }
[blocking]
max_block_size = 3
[[field]]
name = "full_name"
kind = "name"
[[field]]
name = "phone"
kind = "phone"
[[block]]
name = "name"
keys = ["full_name"]
[[block]]
name = "phone"
keys = ["phone"]
"#,
        )
        .unwrap();
        let records: Vec<PreparedRecord> = [
            ("1", "budi", "0812000001"),
            ("2", "budi", "0812000001"),
            ("3", "agus", "0812000001"),
            ("4", "rina", "0812000009"),
            ("5", "rina", "0812000009"),
            ("6", "rina", "0812000008"),
            ("7", "rina", "0812000007"),
        ]
        .iter()
        .map(|(id, name, phone)| prepared(&model, id, &[("full_name", name), ("phone", phone)]))
        .collect();
        let mut blocking = BatchBlocking::build(&model, &records, &[]);
        let pairs: Vec<(u32, u32)> =
            blocking.candidate_pairs().into_iter().map(unpack_pair).collect();
        // budi/budi by name; budi, budi, agus by phone (1-2 already seen); the four rinas
        // exceed the cap of 3, so 4-5 comes from the phone rule only.
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2), (3, 4)]);
        let diagnostics = blocking.diagnostics();
        assert_eq!(diagnostics.rules[0].blocks_capped, 1);
        assert_eq!(diagnostics.rules[0].pairs_capped, 6);
        assert_eq!(diagnostics.rules[0].largest[0].0, 4);
        assert_eq!(diagnostics.rules[0].new_pairs, 1);
        assert_eq!(diagnostics.rules[1].new_pairs, 3);
    }

    #[test]
    fn link_mode_pairs_only_across_sides() {
        let model = Model::interchange().unwrap();
        let records: Vec<PreparedRecord> = ["a1", "a2", "b1"]
            .iter()
            .map(|id| prepared(&model, id, &[("phone", "0812000001")]))
            .collect();
        let mut blocking = BatchBlocking::build(&model, &records, &[0, 0, 1]);
        let pairs: Vec<(u32, u32)> =
            blocking.candidate_pairs().into_iter().map(unpack_pair).collect();
        assert_eq!(pairs, vec![(0, 2), (1, 2)]);
    }
}
