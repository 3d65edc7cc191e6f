//! `jejak link`: batch linking of files into persons, without a database (the matching
//! crate's batch linker does the work; this reads and writes the files).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use jejak_matching::Model;
use jejak_matching::batch::{self, Input, LinkOptions, Outputs};

use crate::args::LinkArgs;
use crate::output;

pub(crate) fn link(args: &LinkArgs) -> anyhow::Result<ExitCode> {
    let model = match &args.model {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Model::from_toml(&text).with_context(|| format!("model {}", path.display()))?
        }
        None => Model::interchange().context("the built-in interchange model")?,
    };
    let mut inputs = Vec::with_capacity(args.input.len());
    for path in &args.input {
        let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        inputs.push(Input::new(path.display().to_string(), file));
    }
    let truth = args
        .truth
        .as_ref()
        .map(|p| File::open(p).with_context(|| format!("cannot read {}", p.display())))
        .transpose()?;
    let create = |p: &std::path::Path| {
        File::create(p).map(BufWriter::new).with_context(|| format!("cannot write {}", p.display()))
    };
    let mut clusters = create(&args.output)?;
    let mut pairs = args.pairs.as_deref().map(create).transpose()?;
    let started = Instant::now();
    let report = batch::link(
        &model,
        inputs,
        Outputs { clusters: &mut clusters, pairs: pairs.as_mut().map(|w| w as &mut dyn Write) },
        truth,
        &LinkOptions::default(),
    )
    .context("linking failed")?;
    clusters.flush().with_context(|| format!("cannot write {}", args.output.display()))?;
    if let (Some(w), Some(path)) = (pairs.as_mut(), &args.pairs) {
        w.flush().with_context(|| format!("cannot write {}", path.display()))?;
    }
    output::line(&format!(
        "{} records, {} candidate pairs, {} linked pairs, {} persons ({:.2?}); clusters in {}",
        report.records,
        report.candidate_pairs,
        report.linked_pairs,
        report.persons,
        started.elapsed(),
        args.output.display()
    ));
    if let Some(e) = report.evaluation {
        output::line(&format!(
            "precision {:.4}  recall {:.4}  F1 {:.4}  (true pairs {}, predicted pairs {}, true positives {})",
            e.precision, e.recall, e.f1, e.true_pairs, e.predicted_pairs, e.true_positives
        ));
        if e.unknown_ids > 0 {
            output::note(&format!(
                "note: {} id(s) of the truth file are not in the input",
                e.unknown_ids
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}
