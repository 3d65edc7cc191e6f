//! Import throughput into a fresh register: 25,000 generated applications per iteration, on
//! SQLite (a new file each time) and PostgreSQL (a new schema each time, if the server is up).
//! Run: `cargo bench -p jejak-store --bench import`. Figures go to BENCHMARKS.md.
#![allow(clippy::unwrap_used, reason = "benchmark setup: a failed unwrap is a failed run")]

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jejak_store::{AuditCtx, ConflictPolicy};

const ROWS: usize = 25_000;

fn rows() -> Vec<jejak_domain::NewApplication> {
    let config = jejak_synth::Config { persons: ROWS, seed: 42, ..Default::default() };
    let mut apps = jejak_synth::generate(&config).applications;
    apps.truncate(ROWS);
    apps
}

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "bench".into(),
        office: None,
        purpose: None,
        at: "2026-01-01T00:00:00Z".into(),
    }
}

fn import(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let apps = rows();
    let mut group = c.benchmark_group("import");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(apps.len() as u64));

    group.bench_function("sqlite_25k", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("bench.db").display());
                let store = runtime.block_on(jejak_store::open(&url)).unwrap();
                let started = Instant::now();
                let outcome =
                    runtime.block_on(store.import(&apps, ConflictPolicy::Abort, &ctx())).unwrap();
                total += started.elapsed();
                assert_eq!(outcome.inserted, apps.len());
            }
            total
        });
    });

    if let Some(probe) = runtime.block_on(jejak_testkit::fresh_postgres_url("bench_probe")) {
        drop(probe);
        group.bench_function("postgres_25k", |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let url = runtime.block_on(jejak_testkit::fresh_postgres_url("bench")).unwrap();
                    let store = runtime.block_on(jejak_store::open(&url)).unwrap();
                    let started = Instant::now();
                    let outcome = runtime
                        .block_on(store.import(&apps, ConflictPolicy::Abort, &ctx()))
                        .unwrap();
                    total += started.elapsed();
                    assert_eq!(outcome.inserted, apps.len());
                }
                total
            });
        });
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
