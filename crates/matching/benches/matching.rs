//! Criterion benchmarks: screening one application against N stored, building the index
//! from N records, and batch linking N records. N comes from the environment so the same
//! bench runs small in CI and at scale on demand:
//! `JEJAK_BENCH_RECORDS=1000000 cargo bench -p jejak-matching` (default 100,000 stored;
//! `JEJAK_BENCH_LINK_RECORDS`, default 20,000, for the link bench). The data is
//! jejak-synth's generated register (households, evasive re-applicants), seeded.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jejak_matching::batch::{self, Input, LinkOptions};
use jejak_matching::{MatchIndex, Model, Parameters, Record};

fn records_from_env(variable: &str, default: usize) -> usize {
    std::env::var(variable).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// About `applications` generated applications (the generator works in persons, with
/// about 1.2 applications per person).
fn generated(model: &Model, applications: usize, seed: u64) -> Vec<Record> {
    let persons = (applications as f64 / 1.2).ceil() as usize;
    let data = jejak_synth::generate(&jejak_synth::Config { persons, seed, ..Default::default() });
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).expect("write generated CSV to memory");
    let (records, _) = batch::read_inputs(model, vec![Input::new("generated", csv.as_slice())])
        .expect("read generated CSV");
    records
}

fn screening(c: &mut Criterion) {
    let stored_count = records_from_env("JEJAK_BENCH_RECORDS", 100_000);
    let model = Arc::new(Model::interchange().expect("embedded model"));
    let mut records = generated(&model, stored_count + 1_000, 7);
    let queries = records.split_off(records.len().saturating_sub(1_000));
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("build", records.len()), |b| {
        b.iter(|| {
            MatchIndex::build(Arc::clone(&model), Parameters::defaults(&model), black_box(&records))
        })
    });
    let index = MatchIndex::build(Arc::clone(&model), Parameters::defaults(&model), &records);
    let prepared: Vec<_> = queries.iter().map(|q| model.prepare(q)).collect();
    let mut next = 0;
    group.sample_size(100);
    group.throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("screen", records.len()), |b| {
        b.iter(|| {
            next = (next + 1) % prepared.len();
            index.screen_prepared(black_box(&prepared[next]), 10)
        })
    });
    group.finish();
}

fn linking(c: &mut Criterion) {
    let count = records_from_env("JEJAK_BENCH_LINK_RECORDS", 20_000);
    let model = Model::interchange().expect("embedded model");
    let records = generated(&model, count, 9);
    let mut group = c.benchmark_group("link");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function(BenchmarkId::new("dedupe", records.len()), |b| {
        b.iter(|| batch::link_records(&model, black_box(&records), &[], &LinkOptions::default()))
    });
    group.finish();
}

criterion_group!(benches, screening, linking);
criterion_main!(benches);
