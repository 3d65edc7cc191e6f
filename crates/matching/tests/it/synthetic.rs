//! The project's own generated register (jejak-synth: households with twins and siblings,
//! evasive re-applicants varying name, NIK, birth date, phone, village) linked with the
//! default interchange model: precision must stay >= 0.998 and recall >= 0.99.

use jejak_matching::Model;
use jejak_matching::batch::{self, Input, LinkOptions, Truth};

#[test]
fn the_default_model_links_generated_applicants_without_merging_households() {
    let config = jejak_synth::Config { persons: 3_000, seed: 11, ..Default::default() };
    let data = jejak_synth::generate(&config);
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).unwrap();
    let mut truth = Vec::new();
    jejak_synth::write_truth(&data, &mut truth).unwrap();

    let model = Model::interchange().unwrap();
    let (records, sides) =
        batch::read_inputs(&model, vec![Input::new("synthetic", csv.as_slice())]).unwrap();
    let linkage = batch::link_records(&model, &records, &sides, &LinkOptions::default());
    let evaluation = linkage.evaluate(&Truth::read(truth.as_slice()).unwrap());
    eprintln!("synthetic 3,000 persons: {evaluation:?}");
    assert!(evaluation.true_pairs > 300, "the generator made re-applications: {evaluation:?}");
    assert!(evaluation.precision >= 0.998, "precision {:.4}: {evaluation:?}", evaluation.precision);
    assert!(evaluation.recall >= 0.99, "recall {:.4}: {evaluation:?}", evaluation.recall);
}
