//! The evasive set of issue 17 screened as the service screens: the generator's
//! determined evaders (several deliberate changes at once) and households (siblings and
//! twins sharing mother, father, village, phone and address), every application of the
//! later half screened against all earlier ones in date order (the index grows as the
//! service's does), parameters estimated on the first half.
//!
//! `cargo run --release -p jejak-matching --example evasion_eval -- [PERSONS] [SEED] [SET]`
//! with SET `evasive` (default: `Config::evasive_set`) or `register` (`Config::default()`,
//! the ordinary stream, for the review load). Prints, per review threshold, evaders found
//! in auto-link and in review, siblings shown, auto-link precision and the review load per
//! 1,000 applications, then the misses by what the evader changed.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;

use jejak_matching::batch::{self, Input};
use jejak_matching::{MatchIndex, Model, PreparedRecord, training};
use jejak_synth::{Relation, Truth};

/// Candidates scored per query at most, and the lowest probability kept for the sweep.
const LIMIT: usize = 20;
const FLOOR: f64 = 1e-5;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let persons: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(17);
    let set = args.get(2).map_or("evasive", String::as_str);
    match run(persons, seed, set) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What one screened application found.
struct Outcome {
    index: usize,
    /// Best probability of an earlier application of the same person (None: first visit).
    same: Option<f64>,
    /// Best probability of an earlier sibling or twin (None: no earlier sibling stored).
    sibling: Option<f64>,
    /// Every candidate kept: (probability, same person).
    candidates: Vec<(f64, bool)>,
}

fn run(persons: usize, seed: u64, set: &str) -> Result<(), String> {
    let config = match set {
        "evasive" => jejak_synth::Config::evasive_set(persons, seed),
        "register" => jejak_synth::Config { persons, seed, ..Default::default() },
        other => return Err(format!("unknown set {other:?} (evasive or register)")),
    };
    let data = jejak_synth::generate(&config);
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).map_err(|e| e.to_string())?;
    let model = Arc::new(Model::interchange().map_err(|e| e.to_string())?);
    let (records, _) = batch::read_inputs(&model, vec![Input::new("synthetic", csv.as_slice())])
        .map_err(|e| e.to_string())?;
    let prepared: Vec<PreparedRecord> = records.iter().map(|r| model.prepare(r)).collect();
    let position: HashMap<&str, usize> =
        prepared.iter().enumerate().map(|(i, r)| (r.id(), i)).collect();
    let truth_of = |id: &str| position.get(id).map(|&i| &data.truth[i]);
    if prepared.iter().zip(&data.applications).any(|(r, a)| r.id() != a.application_id) {
        return Err("records are not in the generator's order".into());
    }

    let half = prepared.len() / 2;
    let (parameters, _) = training::estimate_for_register(&model, &prepared[..half]);
    let mut index = MatchIndex::from_prepared(model.clone(), parameters, prepared[..half].to_vec());
    let started = std::time::Instant::now();
    let mut seen_person: HashMap<u32, usize> = HashMap::new();
    let mut seen_household: HashMap<u32, Vec<u32>> = HashMap::new();
    for t in &data.truth[..half] {
        *seen_person.entry(t.person.0).or_default() += 1;
        if let Some(h) = t.household {
            seen_household.entry(h.0).or_default().push(t.person.0);
        }
    }
    let mut outcomes = Vec::with_capacity(prepared.len() - half);
    for (i, query) in prepared.iter().enumerate().skip(half) {
        let t = &data.truth[i];
        let candidates = index.rank_prepared_at_least(query, LIMIT, FLOOR);
        let earlier_self = seen_person.get(&t.person.0).copied().unwrap_or(0) > 0;
        let earlier_sibling = is_sibling(t)
            && t.household.is_some_and(|h| {
                seen_household.get(&h.0).is_some_and(|m| m.iter().any(|&p| p != t.person.0))
            });
        let mut outcome = Outcome {
            index: i,
            same: earlier_self.then_some(0.0),
            sibling: earlier_sibling.then_some(0.0),
            candidates: Vec::with_capacity(candidates.len()),
        };
        for c in &candidates {
            let Some(other) = truth_of(&c.id) else { continue };
            let same = other.person == t.person;
            outcome.candidates.push((c.probability, same));
            if same {
                outcome.same = outcome.same.map(|p| p.max(c.probability));
            } else if earlier_sibling && other.household == t.household && is_sibling(other) {
                outcome.sibling = outcome.sibling.map(|p| p.max(c.probability));
            }
        }
        outcomes.push(outcome);
        index.upsert_prepared(query.clone());
        *seen_person.entry(t.person.0).or_default() += 1;
        if let Some(h) = t.household {
            seen_household.entry(h.0).or_default().push(t.person.0);
        }
    }
    let screened = outcomes.len();
    let evaders = outcomes.iter().filter(|o| o.same.is_some() && data.truth[o.index].evasive);
    let evaders: Vec<&Outcome> = evaders.collect();
    let revisits = outcomes.iter().filter(|o| o.same.is_some()).count();
    let siblings = outcomes.iter().filter(|o| o.sibling.is_some()).count();
    eprintln!(
        "set {set}, {persons} persons, seed {seed}: {} applications, {half} stored first, {screened} screened in {:.2?}",
        prepared.len(),
        started.elapsed()
    );
    eprintln!(
        "screened: {revisits} re-applications of a stored person, {} of them evasive ({} determined); {siblings} with an earlier sibling or twin stored",
        evaders.len(),
        evaders.iter().filter(|o| data.truth[o.index].determined).count()
    );
    let thresholds = model.thresholds();
    eprintln!("model thresholds: auto_link {}, review {}", thresholds.auto_link, thresholds.review);
    eprintln!(
        "{:>8} {:>8} | {:>7} {:>7} {:>7} | {:>8} | {:>9} | {:>8} {:>8} {:>8}",
        "auto",
        "review",
        "ev.auto",
        "ev.rev",
        "ev.all",
        "sib.shown",
        "auto.prec",
        "rev/1k",
        "false/1k",
        "apps/1k"
    );
    for auto in [0.99, 0.999] {
        for review in [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005] {
            let found_auto = evaders.iter().filter(|o| o.same >= Some(auto)).count();
            let found = evaders.iter().filter(|o| o.same >= Some(review)).count();
            let shown_siblings = outcomes.iter().filter(|o| o.sibling >= Some(review)).count();
            let auto_pairs: Vec<bool> = outcomes
                .iter()
                .flat_map(|o| o.candidates.iter().filter(|c| c.0 >= auto).map(|c| c.1))
                .collect();
            let precision =
                auto_pairs.iter().filter(|s| **s).count() as f64 / auto_pairs.len().max(1) as f64;
            let in_review =
                |o: &Outcome| o.candidates.iter().filter(|c| c.0 >= review && c.0 < auto).count();
            let review_candidates: usize = outcomes.iter().map(in_review).sum();
            let false_review: usize = outcomes
                .iter()
                .map(|o| o.candidates.iter().filter(|c| c.0 >= review && !c.1).count())
                .sum();
            let apps_in_review = outcomes.iter().filter(|o| in_review(o) > 0).count();
            let per_k = |n: usize| n as f64 * 1000.0 / screened as f64;
            let share = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
            eprintln!(
                "{auto:>8} {review:>8} | {:>6.1}% {:>6.1}% {:>6.1}% | {:>8.2}% | {precision:>9.5} | {:>8.1} {:>8.1} {:>8.1}",
                share(found_auto, evaders.len()),
                share(found - found_auto, evaders.len()),
                share(found, evaders.len()),
                share(shown_siblings, siblings),
                per_k(review_candidates),
                per_k(false_review),
                per_k(apps_in_review),
            );
        }
    }

    // Misses at the model's review threshold, by change.
    let mut by_change: HashMap<String, (usize, usize)> = HashMap::new();
    for o in &evaders {
        let missed = o.same < Some(thresholds.review);
        for v in data.truth[o.index].variations.iter() {
            let entry = by_change.entry(v.as_str().to_owned()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(missed);
        }
    }
    let mut by_change: Vec<_> = by_change.into_iter().collect();
    by_change.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
    eprintln!(
        "evaders missed at review {} by change (missed / with that change):",
        thresholds.review
    );
    for (change, (with, missed)) in by_change {
        eprintln!("  {change:<22} {missed:>5} / {with:>6}");
    }
    let verbose = std::env::var_os("EVASION_EVAL_SHOW").is_some();
    if verbose {
        show_errors(&data, &prepared, &evaders, &outcomes, thresholds.review);
    }
    Ok(())
}

fn is_sibling(t: &Truth) -> bool {
    matches!(t.relation, Relation::Sibling | Relation::Twin)
}

/// Prints the first misses and the siblings shown, with the two applications' names.
fn show_errors(
    data: &jejak_synth::Dataset,
    prepared: &[PreparedRecord],
    evaders: &[&Outcome],
    outcomes: &[Outcome],
    review: f64,
) {
    let first_of =
        |i: usize, same: &dyn Fn(&Truth) -> bool| (0..i).rev().find(|&j| same(&data.truth[j]));
    let line = |j: usize| {
        let a = &data.applications[j];
        format!(
            "{} | {} | {} | {:?} | {:?} | {:?}",
            a.full_name,
            a.nik.as_ref().map_or("-", |n| n.as_str()),
            a.birth_date.map_or_else(|| "-".into(), |d| d.to_string()),
            a.village_code,
            a.mother_name,
            a.father_name
        )
    };
    for o in evaders.iter().filter(|o| o.same < Some(review)).take(25) {
        let t = &data.truth[o.index];
        let earlier = first_of(o.index, &|x: &Truth| x.person == t.person);
        eprintln!("MISSED p={:.5} [{}]", o.same.unwrap_or(0.0), t.variations);
        eprintln!("   now  {}", line(o.index));
        if let Some(e) = earlier {
            eprintln!("   then {}", line(e));
        }
    }
    for o in outcomes.iter().filter(|o| o.sibling >= Some(review)).take(15) {
        let t = &data.truth[o.index];
        let sib = first_of(o.index, &|x: &Truth| {
            x.household == t.household && x.person != t.person && is_sibling(x)
        });
        eprintln!("SIBLING SHOWN p={:.5} ({})", o.sibling.unwrap_or(0.0), prepared[o.index].id());
        eprintln!("   now  {}", line(o.index));
        if let Some(s) = sib {
            eprintln!("   sib  {}", line(s));
        }
    }
}
