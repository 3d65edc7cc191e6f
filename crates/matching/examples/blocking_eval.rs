//! Evaluates blocking rules alone (no scoring) on a generated register: how many distinct
//! candidate pairs each rule adds, and how many true pairs (same person) no rule brings
//! together, with the rules each true pair is found by. Quick to run at 1M, so that a
//! key change can be judged for pairs and blocking recall before a full `synth_eval`.
//! `cargo run --release -p jejak-matching --example blocking_eval -- PERSONS [MODEL.toml]`

use std::collections::HashMap;

use jejak_matching::batch::{self, Input};
use jejak_matching::blocking::for_each_key;
use jejak_matching::{Model, PreparedRecord};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let persons: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let model = match args.get(1) {
        Some(path) => {
            Model::from_toml(&std::fs::read_to_string(path).expect("model file")).expect("model")
        }
        None => Model::interchange().expect("embedded model"),
    };
    let data =
        jejak_synth::generate(&jejak_synth::Config { persons, seed: 1, ..Default::default() });
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).expect("write CSV");
    let mut truth = Vec::new();
    jejak_synth::write_truth(&data, &mut truth).expect("write truth");
    let records =
        batch::read_inputs(&model, vec![Input::new("generated", csv.as_slice())]).expect("read").0;
    let prepared: Vec<PreparedRecord> = records.par_iter().map(|r| model.prepare(r)).collect();
    let mut person_of: HashMap<String, String> = HashMap::new();
    let mut reader = csv::Reader::from_reader(truth.as_slice());
    for row in reader.records() {
        let row = row.expect("truth row");
        person_of.insert(row[0].to_owned(), row[1].to_owned());
    }
    let mut members: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, record) in prepared.iter().enumerate() {
        members.entry(person_of[record.id()].as_str()).or_default().push(i as u32);
    }
    let true_pairs: Vec<(u32, u32)> = members
        .values()
        .flat_map(|m| {
            m.iter().enumerate().flat_map(move |(x, &a)| m[x + 1..].iter().map(move |&b| (a, b)))
        })
        .collect();

    // Keys per rule per record, and the keys of blocks over the rule's cap.
    let rules = model.blocking_rules();
    let mut keys: Vec<Vec<Vec<u64>>> = Vec::new();
    let mut open: Vec<HashMap<u64, u32>> = Vec::new();
    let mut all_pairs: Vec<u64> = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let per_record: Vec<Vec<u64>> = prepared
            .par_iter()
            .map(|p| {
                let mut k = Vec::new();
                for_each_key(&model, r, p, |key| k.push(key));
                k
            })
            .collect();
        let mut sizes: HashMap<u64, u32> = HashMap::new();
        for k in per_record.iter().flatten() {
            *sizes.entry(*k).or_insert(0) += 1;
        }
        sizes.retain(|_, &mut size| size >= 2 && size as usize <= rule.max_block_size);
        let mut blocks: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, k) in per_record.iter().enumerate() {
            for key in k {
                if sizes.contains_key(key) {
                    blocks.entry(*key).or_default().push(i as u32);
                }
            }
        }
        let before = all_pairs.len();
        for block in blocks.values() {
            for (x, &a) in block.iter().enumerate() {
                for &b in &block[x + 1..] {
                    all_pairs.push((u64::from(a) << 32) | u64::from(b));
                }
            }
        }
        let rule_pairs = all_pairs.len() - before;
        all_pairs.par_sort_unstable();
        all_pairs.dedup();
        eprintln!(
            "rule {:<24} pairs {:>10} distinct so far {:>10}",
            rule.name,
            rule_pairs,
            all_pairs.len()
        );
        keys.push(per_record);
        open.push(sizes);
    }
    let found_by = |a: u32, b: u32| -> Vec<&str> {
        (0..rules.len())
            .filter(|&r| {
                let (ka, kb) = (&keys[r][a as usize], &keys[r][b as usize]);
                ka.iter().any(|k| kb.contains(k) && open[r].contains_key(k))
            })
            .map(|r| rules[r].name.as_str())
            .collect()
    };
    let mut only: HashMap<&str, usize> = HashMap::new();
    let mut missed = Vec::new();
    for &(a, b) in &true_pairs {
        let by = found_by(a, b);
        match by.as_slice() {
            [] => missed.push((a, b)),
            [one] => *only.entry(one).or_insert(0) += 1,
            _ => {}
        }
    }
    eprintln!(
        "{} records, {} true pairs, {} candidate pairs; true pairs no rule finds: {} (blocking recall {:.5})",
        prepared.len(),
        true_pairs.len(),
        all_pairs.len(),
        missed.len(),
        1.0 - missed.len() as f64 / true_pairs.len().max(1) as f64
    );
    let mut only: Vec<_> = only.into_iter().collect();
    only.sort();
    eprintln!("true pairs found by one rule only: {only:?}");
    for &(a, b) in missed.iter().take(8) {
        eprintln!("MISSED");
        for field in 0..model.fields().len() {
            eprintln!(
                "    {:<22} {:?} / {:?}",
                model.fields()[field].name,
                prepared[a as usize].display(field),
                prepared[b as usize].display(field)
            );
        }
    }
}
