//! Times the phases of a batch dedupe on generated data (preparation, blocking,
//! estimation, term frequencies, scoring; scoring also pair after pair, as before the
//! fetch windows of [`batch::score_pairs`]), to find what dominates.
//! `cargo run --release -p jejak-matching --example phases -- RECORDS`

use std::time::Instant;

use jejak_matching::batch::{self, Input};
use jejak_matching::blocking::{BatchBlocking, unpack_pair};
use jejak_matching::training::{self, Population};
use jejak_matching::{Model, Scorer, TermFrequencies};
use rayon::prelude::*;

/// CPU seconds used by this process so far (user + system, all threads).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file (utime, stime), counted after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall and CPU time since a mark.
struct Mark(Instant, f64);

impl Mark {
    fn now() -> Self {
        Mark(Instant::now(), cpu_seconds())
    }
}

impl std::fmt::Display for Mark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2?} wall, {:.2} s CPU", self.0.elapsed(), cpu_seconds() - self.1)
    }
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let model = Model::interchange().expect("embedded model");
    let persons = (n as f64 / 1.2).ceil() as usize;
    let data =
        jejak_synth::generate(&jejak_synth::Config { persons, seed: 9, ..Default::default() });
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).expect("write CSV");
    let records =
        batch::read_inputs(&model, vec![Input::new("generated", csv.as_slice())]).expect("read").0;
    let t = Mark::now();
    let prepared: Vec<_> = records.par_iter().map(|r| model.prepare(r)).collect();
    eprintln!("prepare {} records: {t}", prepared.len());
    if std::env::var_os("PHASES_PREPARE_ONLY").is_some() {
        for _ in 0..3 {
            let again: Vec<_> = records.par_iter().map(|r| model.prepare(r)).collect();
            drop(again);
        }
        return;
    }
    let t = Mark::now();
    let mut blocking = BatchBlocking::build(&model, &prepared, &[]);
    eprintln!("blocking build: {t}");
    let t = Mark::now();
    let (parameters, _) = training::estimate(&model, &prepared, Population::Dedupe, &blocking);
    eprintln!("estimate: {t}");
    let t = Mark::now();
    let frequencies = TermFrequencies::from_records_parallel(&model, &prepared);
    eprintln!("frequencies: {t}");
    let scorer = Scorer::new(&model, &parameters, prepared.len() as f64 - 1.0);
    let t = Mark::now();
    let candidates = blocking.candidate_pairs();
    eprintln!("pair generation only: {} pairs in {t}", candidates.len());
    let pruner = jejak_matching::PairPruner::new(&scorer, &model, &frequencies);
    let prior = scorer.prior();
    // Twice each, alternating: the second pass of each shows the first was not cold.
    for _ in 0..2 {
        let t = Mark::now();
        let kept = batch::score_pairs(&model, &prepared, &pruner, &candidates, prior, 0.0).len();
        eprintln!("pruned scoring: {t} ({kept} kept)");
        let t = Mark::now();
        let kept: usize = candidates
            .par_chunks(1 << 14)
            .map(|chunk| {
                chunk
                    .iter()
                    .filter(|&&pair| {
                        let (i, j) = unpack_pair(pair);
                        pruner
                            .weight_at_least(
                                &model,
                                &prepared[i as usize],
                                &prepared[j as usize],
                                -prior,
                            )
                            .is_some_and(|w| w + prior >= 0.0)
                    })
                    .count()
            })
            .sum();
        eprintln!("pruned scoring, one pair after another (before session 6): {t} ({kept} kept)");
    }
}
