//! Times `Store::import` of generated applications into a fresh register, printing wall and
//! process CPU time per run (CPU time is steadier than wall time on a shared machine).
//! Run: `cargo run --release -p jejak-store --example import_probe -- [rows] [runs] [url]`
//! (default 25,000 rows, 5 runs, a fresh SQLite file per run; a `postgres://` URL instead
//! imports into a fresh schema of that server per run). On PostgreSQL it also prints the CPU
//! time of the server process that ran the import (read from `/proc`, so the server must run
//! on this machine): on a loaded machine that is steadier than wall time, and it is where an
//! import into PostgreSQL spends most of its time.
#![allow(clippy::unwrap_used, reason = "a probe: a failed unwrap is a failed run")]
#![allow(clippy::print_stdout, reason = "a probe prints its measurements")]

use std::time::Instant;

use jejak_store::{AuditCtx, ConflictPolicy};
use sqlx::Connection;

/// CPU seconds (user + system) this process has used so far.
fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// CPU seconds (user + system) process `pid` has used so far (0 when unreadable).
fn cpu_seconds_of(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
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
        // The server processes of this run are found by an application name of its own.
        let name = format!("import_probe_{}", std::process::id());
        let url = match &pg {
            Some(_) => {
                let url = runtime.block_on(jejak_testkit::fresh_postgres_url("probe")).unwrap();
                format!("{url}&application_name={name}")
            }
            None => format!("sqlite://{}", dir.path().join("probe.db").display()),
        };
        let store = runtime.block_on(jejak_store::open(&url)).unwrap();
        let backends = || -> Vec<String> {
            let Some(_) = &pg else { return Vec::new() };
            runtime.block_on(async {
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                let pids: Vec<i32> = sqlx::query_scalar(
                    "select pid from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()",
                )
                .bind(&name)
                .fetch_all(&mut c)
                .await
                .unwrap();
                pids.iter().map(i32::to_string).collect()
            })
        };
        let before: Vec<(String, f64)> =
            backends().into_iter().map(|p| (p.clone(), cpu_seconds_of(&p))).collect();
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let outcome = runtime.block_on(store.import(&apps, ConflictPolicy::Abort, &ctx)).unwrap();
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        assert_eq!(outcome.inserted, apps.len());
        // A connection the pool opened for the import counts from zero.
        let server: f64 = backends()
            .iter()
            .map(|p| {
                let earlier = before.iter().find(|(q, _)| q == p).map_or(0.0, |(_, c)| *c);
                cpu_seconds_of(p) - earlier
            })
            .sum();
        let server = if pg.is_some() {
            format!(
                ", server cpu {server:.2} s ({:.0} rows/s)",
                apps.len() as f64 / server.max(0.01)
            )
        } else {
            String::new()
        };
        println!(
            "{} rows: wall {wall:.3} s ({:.0} rows/s), cpu {cpu:.2} s ({:.0} rows/s){server}",
            apps.len(),
            apps.len() as f64 / wall,
            apps.len() as f64 / cpu.max(0.01)
        );
    }
}
