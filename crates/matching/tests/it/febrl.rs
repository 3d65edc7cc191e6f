//! The FEBRL benchmarks from `shared/data/febrl`: FEBRL4 links two files of 5,000 records
//! (F1 >= 0.9998 required, the figure Splink and recordlinkage reach), FEBRL3 deduplicates
//! one file of 5,000 (reported). Skipped with a note when the shared folder is absent.

use std::fs::File;
use std::path::PathBuf;

use jejak_matching::Model;
use jejak_matching::batch::{self, Input, LinkOptions, LinkReport, Outputs};

fn febrl_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/febrl");
    dir.join("febrl4a.csv").exists().then_some(dir)
}

fn febrl_model() -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/febrl.toml");
    Model::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(names: &[&str], truth: &str) -> Option<(LinkReport, Vec<u8>)> {
    let Some(dir) = febrl_dir() else {
        eprintln!("note: shared/data/febrl not found next to the repository; FEBRL test skipped");
        return None;
    };
    let model = febrl_model();
    let inputs: Vec<Input<File>> =
        names.iter().map(|name| Input::new(*name, File::open(dir.join(name)).unwrap())).collect();
    let mut clusters = Vec::new();
    let report = batch::link(
        &model,
        inputs,
        Outputs { clusters: &mut clusters, pairs: None },
        Some(File::open(dir.join(truth)).unwrap()),
        &LinkOptions::default(),
    )
    .unwrap();
    let evaluation = report.evaluation.unwrap();
    eprintln!(
        "{names:?}: P {:.4} R {:.4} F1 {:.4} (tp {} / predicted {} / true {}), candidates {}, source {:?}",
        evaluation.precision,
        evaluation.recall,
        evaluation.f1,
        evaluation.true_positives,
        evaluation.predicted_pairs,
        evaluation.true_pairs,
        report.candidate_pairs,
        report.parameter_source,
    );
    Some((report, clusters))
}

#[test]
fn febrl4_link_reaches_the_reference_f1() {
    let Some((report, clusters)) = run(&["febrl4a.csv", "febrl4b.csv"], "febrl4_truth.csv") else {
        return;
    };
    let evaluation = report.evaluation.unwrap();
    assert_eq!(evaluation.unknown_ids, 0);
    assert!(evaluation.f1 >= 0.9998, "FEBRL4 F1 {:.5} below 0.9998: {evaluation:?}", evaluation.f1);
    let text = String::from_utf8(clusters).unwrap();
    assert!(text.starts_with("rec_id,person_id\n"));
    assert_eq!(text.lines().count(), 10_001);
}

#[test]
fn febrl3_dedupe_is_reported_and_stays_accurate() {
    let Some((report, _)) = run(&["febrl3.csv"], "febrl3_truth.csv") else { return };
    let evaluation = report.evaluation.unwrap();
    assert_eq!(evaluation.true_pairs, 6_538);
    assert!(evaluation.f1 >= 0.97, "FEBRL3 F1 {:.5}: {evaluation:?}", evaluation.f1);
}
