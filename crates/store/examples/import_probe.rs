//! Times `Store::import` of generated applications into a fresh register, printing wall and
//! process CPU time per run (CPU time is steadier than wall time on a shared machine).
//! Run: `cargo run --release -p jejak-store --example import_probe -- [rows] [runs] [url]`
//! (default 25,000 rows, 5 runs, a fresh SQLite file per run; a `postgres://` URL instead
//! imports into a fresh schema of that server per run).
#![allow(clippy::unwrap_used, reason = "a probe: a failed unwrap is a failed run")]
#![allow(clippy::print_stdout, reason = "a probe prints its measurements")]

use std::time::Instant;

use jejak_store::{AuditCtx, ConflictPolicy};

/// CPU seconds (user + system) this process has used so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line, 11 and 12 after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(25_000);
    let runs: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let pg = args.get(3).cloned();
    let config = jejak_synth::Config { persons: rows, seed: 42, ..Default::default() };
    let mut apps = jejak_synth::generate(&config).applications;
    apps.truncate(rows);
    let ctx = AuditCtx {
        actor: "probe".into(),
        office: None,
        purpose: None,
        at: "2026-01-01T00:00:00Z".into(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        let url = match &pg {
            Some(_) => runtime.block_on(jejak_testkit::fresh_postgres_url("probe")).unwrap(),
            None => format!("sqlite://{}", dir.path().join("probe.db").display()),
        };
        let store = runtime.block_on(jejak_store::open(&url)).unwrap();
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let outcome = runtime.block_on(store.import(&apps, ConflictPolicy::Abort, &ctx)).unwrap();
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        assert_eq!(outcome.inserted, apps.len());
        println!(
            "{} rows: wall {wall:.3} s ({:.0} rows/s), cpu {cpu:.2} s ({:.0} rows/s)",
            apps.len(),
            apps.len() as f64 / wall,
            apps.len() as f64 / cpu.max(0.01)
        );
    }
}
