//! Screening against the match index: the pruned ranking of the candidates an officer is
//! shown gives exactly the full ranking's candidates at or above the threshold, with the
//! same weights in the same order.

use std::sync::Arc;

use jejak_matching::batch::{self, Input};
use jejak_matching::{MatchIndex, Model, Parameters};

#[test]
fn ranking_at_least_a_probability_equals_the_full_ranking_filtered() {
    let config = jejak_synth::Config { persons: 2_000, seed: 5, ..Default::default() };
    let data = jejak_synth::generate(&config);
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).unwrap();
    let model = Arc::new(Model::interchange().unwrap());
    let (records, _) =
        batch::read_inputs(&model, vec![Input::new("synthetic", csv.as_slice())]).unwrap();
    // The register is the first records, the queries the later ones (re-applications among
    // them) and some stored ones (their own id is excluded from their candidates).
    let stored = records.len() * 4 / 5;
    let index = MatchIndex::build(model.clone(), Parameters::defaults(&model), &records[..stored]);
    let review = model.thresholds().review;
    let (mut compared, mut shown) = (0, 0);
    for query in records[stored..].iter().chain(records[..200].iter()) {
        let query = model.prepare(query);
        for limit in [1, 3, 20] {
            for min_probability in [review, 0.0, 0.5] {
                let full: Vec<_> = index
                    .rank_prepared(&query, limit)
                    .into_iter()
                    .filter(|c| c.probability >= min_probability)
                    .collect();
                let pruned = index.rank_prepared_at_least(&query, limit, min_probability);
                assert_eq!(pruned, full, "limit {limit}, at least {min_probability}");
                compared += 1;
                shown += full.len();
            }
        }
    }
    assert!(compared > 1_000 && shown > 300, "{compared} rankings, {shown} candidates");
}
