//! Links a synthetic register from `jejak-synth` (households, evasive re-applicants) with
//! the default interchange model and prints precision, recall and the remaining errors:
//! `cargo run --release -p jejak-matching --example synth_eval -- PERSONS [SEED]`.

use std::collections::HashMap;
use std::process::ExitCode;

use jejak_matching::batch::{self, Input, LinkOptions, Truth};
use jejak_matching::{Model, Scorer, TermFrequencies};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let persons: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    match run(persons, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(persons: usize, seed: u64) -> Result<(), String> {
    let config = jejak_synth::Config { persons, seed, ..Default::default() };
    let started = std::time::Instant::now();
    let data = jejak_synth::generate(&config);
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).map_err(|e| e.to_string())?;
    let mut truth_csv = Vec::new();
    jejak_synth::write_truth(&data, &mut truth_csv).map_err(|e| e.to_string())?;
    let mut tags = Vec::new();
    jejak_synth::write_tags(&data, &mut tags).map_err(|e| e.to_string())?;
    eprintln!("generated {} applications in {:.2?}", data.len(), started.elapsed());

    let model = Model::interchange().map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let (records, sides) =
        batch::read_inputs(&model, vec![Input::new("synthetic", csv.as_slice())])
            .map_err(|e| e.to_string())?;
    let read = started.elapsed();
    let linkage = batch::link_records(
        &model,
        &records,
        &sides,
        &LinkOptions { keep_pairs_from: Some(0.01), ..Default::default() },
    );
    eprintln!(
        "read {read:.2?}, linked in {:.2?} (total {:.2?})",
        started.elapsed() - read,
        started.elapsed()
    );
    let truth = Truth::read(truth_csv.as_slice()).map_err(|e| e.to_string())?;
    let evaluation = linkage.evaluate(&truth);
    eprintln!("{evaluation:#?}");
    threshold_sweep(&linkage, &truth);
    eprintln!(
        "candidates {}, source {:?}, matches/record {:.4}",
        linkage.report.candidate_pairs,
        linkage.parameters.source,
        linkage.parameters.matches_per_record
    );
    for rule in &linkage.report.blocking.rules {
        eprintln!(
            "  rule {:<24} blocks {:>8} pairs {:>10} new {:>10} capped blocks {:>5} capped pairs {:>9} largest {:?}",
            rule.rule,
            rule.blocks,
            rule.pairs,
            rule.new_pairs,
            rule.blocks_capped,
            rule.pairs_capped,
            rule.largest.first()
        );
    }
    for field in &linkage.parameters.fields {
        eprintln!(
            "  {:<22} m {:?}\n  {:<22} u {:?}",
            field.field,
            field.m.map(|v| (v * 1000.0).round() / 1000.0),
            "",
            field.u.map(|v| (v * 100000.0).round() / 100000.0)
        );
    }

    // Error analysis: the tags file says who is who.
    let mut reader = csv::Reader::from_reader(tags.as_slice());
    let mut tag_of: HashMap<String, (String, String, String)> = HashMap::new();
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        tag_of.insert(row[0].to_owned(), (row[1].to_owned(), row[3].to_owned(), row[7].to_owned()));
    }
    let person = |id: &str| tag_of.get(id).map(|t| t.0.clone()).unwrap_or_default();
    let scorer = Scorer::new(&model, &linkage.parameters, linkage.records.len() as f64 - 1.0);
    let frequencies = TermFrequencies::from_records(&model, &linkage.records);
    let explain = (&scorer, &frequencies);
    let mut shown = 0;
    let mut scored: HashMap<(u32, u32), f64> = HashMap::new();
    for pair in &linkage.pairs {
        scored.insert((pair.a, pair.b), pair.probability());
        let (a, b) = (linkage.records[pair.a as usize].id(), linkage.records[pair.b as usize].id());
        let linked = linkage.clusters.cluster_of[pair.a as usize]
            == linkage.clusters.cluster_of[pair.b as usize];
        if linked && pair.probability() >= 0.5 && person(a) != person(b) && shown < 12 {
            shown += 1;
            eprintln!(
                "FALSE LINK p={:.3} {a} {:?} / {b} {:?}",
                pair.probability(),
                tag_of.get(a),
                tag_of.get(b)
            );
            for e in linkage_explain(&model, &linkage, explain, pair.a, pair.b) {
                eprintln!("    {e}");
            }
        }
    }
    let mut by_person: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, record) in linkage.records.iter().enumerate() {
        by_person.entry(person(record.id())).or_default().push(i as u32);
    }
    let mut missed = 0;
    let mut tally: HashMap<String, usize> = HashMap::new();
    for members in by_person.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if linkage.clusters.cluster_of[a as usize]
                    != linkage.clusters.cluster_of[b as usize]
                {
                    missed += 1;
                    let p = scored.get(&(a.min(b), a.max(b))).copied();
                    let evidence = linkage_explain(&model, &linkage, explain, a, b);
                    let level = |field: &str| {
                        evidence
                            .iter()
                            .find(|e| e.starts_with(field))
                            .and_then(|e| e.split_whitespace().nth(1).map(str::to_owned))
                            .unwrap_or_default()
                    };
                    let bucket = match p {
                        None => "not kept (p < 0.01 or not a candidate)".to_owned(),
                        Some(p) => format!("p {:.1}", (p * 10.0).floor() / 10.0),
                    };
                    if level("full_name") == "different" {
                        let name = |i: u32| linkage.records[i as usize].display(0);
                        eprintln!("NAME DIFFERENT {:?} / {:?}", name(a), name(b));
                    }
                    *tally
                        .entry(format!(
                            "{bucket}; name {}; nik {}",
                            level("full_name"),
                            level("nik")
                        ))
                        .or_insert(0) += 1;
                    if missed <= 12 {
                        let p = scored
                            .get(&(a.min(b), a.max(b)))
                            .or_else(|| scored.get(&(a, b)))
                            .copied();
                        let (ia, ib) =
                            (linkage.records[a as usize].id(), linkage.records[b as usize].id());
                        eprintln!(
                            "MISSED p={p:?} {ia} {:?} / {ib} {:?}",
                            tag_of.get(ia),
                            tag_of.get(ib)
                        );
                        for e in linkage_explain(&model, &linkage, explain, a, b) {
                            eprintln!("    {e}");
                        }
                    }
                }
            }
        }
    }
    let mut tally: Vec<(String, usize)> = tally.into_iter().collect();
    tally.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    eprintln!("missed pairs: {missed}");
    for (bucket, count) in tally {
        eprintln!("  {count:>6}  {bucket}");
    }
    Ok(())
}

/// Precision and recall had the clusters been cut at other thresholds (the kept pairs go
/// down to p 0.01): shows whether the misses sit just under the link threshold.
fn threshold_sweep(linkage: &batch::Linkage, truth: &Truth) {
    use jejak_matching::cluster::{Constraints, Edge, cluster};
    let edges: Vec<Edge> = linkage
        .pairs
        .iter()
        .map(|p| Edge { a: p.a, b: p.b, probability: p.probability() })
        .collect();
    let ids: Vec<&str> = linkage.records.iter().map(|r| r.id()).collect();
    for threshold in [0.9, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02] {
        let clusters = cluster(linkage.records.len(), &edges, threshold, &Constraints::default());
        let e = truth.evaluate(&ids, &clusters.cluster_of, &linkage.sides);
        eprintln!(
            "  threshold {threshold:<5} P {:.5} R {:.5} F1 {:.5}",
            e.precision, e.recall, e.f1
        );
    }
}

fn linkage_explain(
    model: &Model,
    linkage: &batch::Linkage,
    (scorer, frequencies): (&Scorer, &TermFrequencies),
    a: u32,
    b: u32,
) -> Vec<String> {
    scorer
        .explain(model, &linkage.records[a as usize], &linkage.records[b as usize], frequencies)
        .into_iter()
        .map(|e| {
            format!(
                "{:<22} {:<10} {:>7.2}  {:?} / {:?}",
                e.field,
                e.level.as_str(),
                e.weight,
                e.left,
                e.right
            )
        })
        .collect()
}
