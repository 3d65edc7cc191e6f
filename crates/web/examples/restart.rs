//! Restart time of the screening state (issue 18, fast restart): a register of N synthetic
//! applications, the start of `jejak serve` without a snapshot (build from the rows), the
//! snapshot written, then starts from the snapshot: up to date, and stale by a thousand
//! applications (loaded, then caught up from the change sequence). Prints each time with
//! the resident memory, and checks that the restored state screens as the built one.
//!
//! Run: `cargo run --release -p jejak-web --example restart -- 1000000 [RUNS]` (RUNS
//! restarts from the snapshot, default 2). The register is cached as
//! `<target>/jejak-bench/register-<N>-seed2026.db` like the HTTP screening benchmark's (the
//! same generator, seed and size, so either builds it for the other); the snapshot is
//! written beside it and removed at the end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark program: a failed setup step is a failed run, figures go to stdout"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use jejak_matching::Model;
use jejak_service::screening::{Origin, Screening};
use jejak_store::{AuditCtx, ConflictPolicy};

/// The allocator of the `jejak` binary, so the figures are those of `jejak serve`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEED: u64 = 2026;
/// Applications generated beyond the register (the HTTP benchmark's queries); the first
/// thousand are the changes a stale snapshot catches up with.
const QUERIES: usize = 20_000;
const CATCH_UP: usize = 1_000;
const IMPORT_CHUNK: usize = 100_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let apps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (db, later) = register(&rt, apps);
    // Work on a copy: the stale run adds applications, the cached register stays as it is.
    let work = db.with_extension("restart.db");
    std::fs::copy(&db, &work).unwrap();
    let snapshot = db.with_extension("restart.index");
    let _ = std::fs::remove_file(&snapshot);
    let model = Arc::new(Model::interchange().unwrap());
    let queries = &later[CATCH_UP..CATCH_UP + 200];
    rt.block_on(async {
        let store = jejak_store::open(&format!("sqlite://{}", work.display())).await.unwrap();
        let baseline = rss_mib();
        println!("load {}; RSS before the start {baseline} MiB", loadavg());

        let started = Instant::now();
        let (built, origin) =
            Screening::start_from_snapshot(store.clone(), model.clone(), &snapshot).await.unwrap();
        let cold = started.elapsed();
        assert!(matches!(origin, Origin::Built { .. }), "{origin:?}");
        println!(
            "cold start (no snapshot, build from {apps} rows): {:.1} s, RSS {} MiB; load {}",
            cold.as_secs_f64(),
            rss_mib(),
            loadavg()
        );
        print_memory(&built, apps, baseline);
        let built = Arc::new(built);
        let saved = built.save_snapshot_async(&snapshot).await.unwrap().unwrap();
        println!(
            "snapshot written: {} MB in {:.1} s",
            saved.bytes / 1_000_000,
            saved.elapsed.as_secs_f64()
        );
        let expected: Vec<_> = queries.iter().map(|q| built.screen(q).unwrap().candidates).collect();
        drop(built);

        for run in 1..=runs {
            let started = Instant::now();
            let (restored, origin) =
                Screening::start_from_snapshot(store.clone(), model.clone(), &snapshot)
                    .await
                    .unwrap();
            let warm = started.elapsed();
            assert!(matches!(origin, Origin::Restored { applied: 0, .. }), "{origin:?}");
            println!(
                "restart {run} (snapshot up to date): {:.1} s, RSS {} MiB; load {}",
                warm.as_secs_f64(),
                rss_mib(),
                loadavg()
            );
            print_memory(&restored, apps, baseline);
            let got: Vec<_> =
                queries.iter().map(|q| restored.screen(q).unwrap().candidates).collect();
            assert!(got == expected, "the restored index screens as the built one");
        }

        store.import(&later[..CATCH_UP], ConflictPolicy::Abort, &ctx()).await.unwrap();
        let started = Instant::now();
        let (_restored, origin) =
            Screening::start_from_snapshot(store.clone(), model.clone(), &snapshot).await.unwrap();
        let stale = started.elapsed();
        let Origin::Restored { applied, .. } = origin else { panic!("{origin:?}") };
        println!(
            "restart (snapshot stale by {CATCH_UP} applications, {applied} rows caught up): {:.1} s, RSS {} MiB; load {}",
            stale.as_secs_f64(),
            rss_mib(),
            loadavg()
        );
        store.close().await;
    });
    for file in [&snapshot, &work] {
        let _ = std::fs::remove_file(file);
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", work.display()));
    }
}

/// The server's resident growth per application over `baseline`, and the state's own
/// account of its bytes by part.
fn print_memory(screening: &Screening, apps: usize, baseline: u64) {
    let growth = rss_mib().saturating_sub(baseline) as f64 * 1_048_576.0 / apps as f64;
    let (index, outside) = screening
        .with_mirror(|mirror, _| (mirror.index().memory_usage(), mirror.memory_outside_index()))
        .unwrap();
    let per = |bytes: usize| bytes as f64 / apps as f64;
    let parts: Vec<String> =
        outside.iter().map(|(name, bytes)| format!("{name} {:.0}", per(*bytes))).collect();
    println!(
        "  resident growth {growth:.0} B per application; by account: index {:.0} (records {:.0}, ids {:.0}, postings {:.0}, frequencies {:.0}), {}",
        per(index.total()),
        per(index.records),
        per(index.ids),
        per(index.postings),
        per(index.frequencies),
        parts.join(", ")
    );
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Resident memory now, from /proc.
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024)
}

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "bench".into(),
        office: None,
        purpose: None,
        at: "2026-11-01T00:00:00Z".into(),
    }
}

/// Where cached registers live: the target directory this example was built into.
fn cache_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/release/examples/restart
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| ".".into());
    target.join("jejak-bench")
}

/// The cached register of `apps` applications (built if missing) and the applications
/// generated after it.
fn register(
    rt: &tokio::runtime::Runtime,
    apps: usize,
) -> (PathBuf, Vec<jejak_domain::NewApplication>) {
    let started = Instant::now();
    // About 1.2 applications per person; generate a little more than needed (as the HTTP
    // screening benchmark does, so the two share the cached register).
    let persons = (apps + QUERIES) * 5 / 6 + 1_000;
    let data =
        jejak_synth::generate(&jejak_synth::Config { persons, seed: SEED, ..Default::default() });
    assert!(data.len() >= apps + QUERIES, "generated {} applications only", data.len());
    println!("generated {} applications in {:.1} s", data.len(), started.elapsed().as_secs_f64());
    let mut applications = data.applications;
    let later = applications.split_off(apps);
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(format!("register-{apps}-seed{SEED}.db"));
    if db.exists() {
        println!("reusing {}", db.display());
        return (db, later);
    }
    let partial = dir.join(format!("register-{apps}-seed{SEED}.partial.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let started = Instant::now();
    rt.block_on(async {
        let store = jejak_store::open(&format!("sqlite://{}", partial.display())).await.unwrap();
        for chunk in applications.chunks(IMPORT_CHUNK) {
            let outcome = store.import(chunk, ConflictPolicy::Abort, &ctx()).await.unwrap();
            assert_eq!(outcome.inserted, chunk.len());
        }
        store.close().await;
    });
    std::fs::rename(&partial, &db).unwrap();
    println!("imported {apps} applications in {:.1} s", started.elapsed().as_secs_f64());
    (db, later)
}
