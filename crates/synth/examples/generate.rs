//! Generates a dataset and reports how long it took:
//! `cargo run --release -p jejak-synth --example generate -- PERSONS [SEED] [OUT.csv [TRUTH.csv [TAGS.csv]]]`.

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use jejak_synth::{Config, generate, write_csv, write_tags, write_truth};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let persons = args.first().map(|s| s.parse()).transpose()?.unwrap_or(1_000);
    let seed = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1);
    let config = Config { persons, seed, ..Config::default() };
    let started = Instant::now();
    let data = generate(&config);
    let generated = started.elapsed();
    eprintln!(
        "{} persons, {} applications, {} true pairs: generated in {:.2?}",
        data.persons(),
        data.len(),
        data.true_pairs(),
        generated
    );
    if let Some(path) = args.get(2) {
        let started = Instant::now();
        write_csv(&data, BufWriter::new(File::create(path)?))?;
        eprintln!("{path} written in {:.2?}", started.elapsed());
    }
    if let Some(path) = args.get(3) {
        write_truth(&data, BufWriter::new(File::create(path)?))?;
    }
    if let Some(path) = args.get(4) {
        write_tags(&data, BufWriter::new(File::create(path)?))?;
    }
    Ok(())
}
