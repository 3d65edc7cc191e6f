//! Runs batch linking from the command line, for experiments and profiling without the
//! CLI crate: `cargo run --release -p jejak-matching --example link_file -- MODEL.toml
//! TRUTH.csv OUT_PAIRS.csv INPUT.csv [INPUT_B.csv]`.

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

use jejak_matching::Model;
use jejak_matching::batch::{self, Input, LinkOptions, Outputs};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: link_file MODEL.toml TRUTH.csv OUT_PAIRS.csv INPUT.csv [INPUT_B.csv]");
        return ExitCode::FAILURE;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let source = std::fs::read_to_string(&args[0]).map_err(|e| e.to_string())?;
    let model = Model::from_toml(&source).map_err(|e| e.to_string())?;
    let inputs: Vec<Input<File>> = args[3..]
        .iter()
        .map(|path| {
            File::open(path).map(|f| Input::new(path.clone(), f)).map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let mut clusters = BufWriter::new(File::create("/dev/null").map_err(|e| e.to_string())?);
    let mut pairs = BufWriter::new(File::create(&args[2]).map_err(|e| e.to_string())?);
    let truth =
        if args[1] == "-" { None } else { Some(File::open(&args[1]).map_err(|e| e.to_string())?) };
    let started = std::time::Instant::now();
    let report = batch::link(
        &model,
        inputs,
        Outputs { clusters: &mut clusters, pairs: Some(&mut pairs) },
        truth,
        &LinkOptions::default(),
    )
    .map_err(|e| e.to_string())?;
    eprintln!("elapsed {:.2?}", started.elapsed());
    eprintln!("{report:#?}");
    Ok(())
}
