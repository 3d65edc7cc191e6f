//! Load generator for `POST /api/v1/screen` (issue 5): the real router over a register of
//! N synthetic applications, 50 concurrent keep-alive clients on loopback for a fixed time,
//! printing throughput and p50/p95/p99/max latency.
//!
//! Not criterion: criterion times one closure at a time and cannot give latency percentiles
//! under concurrency, so this is a plain `harness = false` program.
//!
//! Run: `cargo bench -p jejak-web --bench http_screen`. Environment:
//! - `JEJAK_BENCH_APPS` stored applications (default 100000),
//! - `JEJAK_BENCH_CLIENTS` concurrent clients (default 50),
//! - `JEJAK_BENCH_SECS` measured seconds after a 5 s warm-up (default 30).
//!
//! The register is cached as `<target>/jejak-bench/register-<N>-seed<S>.db`, so reruns skip
//! the generation and import (delete the file to rebuild it). The queries are applications
//! generated with the register but not stored: later applications of the same persons with
//! their spelling variants and changed details, and first-time applicants.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark program: a failed setup step is a failed run, figures go to stdout"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use jejak_domain::OfficeCode;
use jejak_matching::Model;
use jejak_service::SystemClock;
use jejak_service::auth::{Auth, AuthConfig};
use jejak_service::authz::{Action, Actor, Role};
use jejak_service::casework::Casework;
use jejak_service::screening::{REFRESH_INTERVAL, Screening};
use jejak_store::{AuditCtx, ConflictPolicy, Store};
use jejak_web::{AppState, RateLimiter};
use serde_json::{Map, Value};

/// The allocator of the `jejak` binary, so the figures are those of `jejak serve`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEED: u64 = 2026;
/// Applications generated beyond the register and used as queries.
const QUERIES: usize = 20_000;
/// Rows per import transaction while building the register.
const IMPORT_CHUNK: usize = 100_000;
const WARM_UP: Duration = Duration::from_secs(5);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let apps = env_usize("JEJAK_BENCH_APPS", 100_000);
    let clients = env_usize("JEJAK_BENCH_CLIENTS", 50);
    let seconds = env_usize("JEJAK_BENCH_SECS", 30) as u64;
    // `cargo bench` passes `--bench`; a filter that does not name this bench skips it.
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"http_screen".contains(&a)) {
        return;
    }

    // The server gets its own runtime, the load generator another, as two processes would.
    // Named threads, so a profile tells the server's work from the generator's.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("server")
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("loadgen")
        .enable_all()
        .build()
        .unwrap();

    let (db, queries) = register(&server_rt, apps);
    let (address, secret, store) = server_rt.block_on(start_server(&db));
    let audit_before = server_rt.block_on(store.register_size()).unwrap();

    let figures = client_rt.block_on(load(address, &secret, &queries, clients, seconds));
    let cpu = figures.cpu_seconds;
    let audit_after = server_rt.block_on(store.register_size()).unwrap();
    println!(
        "http_screen: {apps} stored applications, {clients} clients, {seconds} s measured (+{} s warm-up)",
        WARM_UP.as_secs()
    );
    println!("{figures}");
    if let Some(cpu) = cpu {
        println!(
            "process CPU while measuring (server and load generator): {cpu:.1} s = {:.0} µs per request",
            cpu * 1e6 / figures.requests.max(1) as f64
        );
    }
    println!(
        "audit events: {} before, {} after (one per screening)",
        audit_before.audit_events, audit_after.audit_events
    );
}

/// Where cached registers live: the target directory this bench was built into.
fn cache_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/release/deps/http_screen-<hash>
    let target = exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| ".".into());
    target.join("jejak-bench")
}

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "bench".into(),
        office: None,
        purpose: None,
        at: "2026-11-01T00:00:00Z".into(),
    }
}

/// The cached register of `apps` applications (built if missing) and the query bodies.
fn register(rt: &tokio::runtime::Runtime, apps: usize) -> (PathBuf, Vec<Bytes>) {
    let started = Instant::now();
    // About 1.2 applications per person; generate a little more than needed.
    let persons = (apps + QUERIES) * 5 / 6 + 1_000;
    let data =
        jejak_synth::generate(&jejak_synth::Config { persons, seed: SEED, ..Default::default() });
    assert!(data.len() >= apps + QUERIES, "generated {} applications only", data.len());
    // Applications are in date order: the register is the past, the queries come after it.
    let stored = &data.applications[..apps];
    let held_out = &data.applications[apps..apps + QUERIES];
    let revisits = data.truth[apps..apps + QUERIES].iter().filter(|t| t.visit > 0).count();
    let evasive = data.truth[apps..apps + QUERIES].iter().filter(|t| t.evasive).count();
    println!(
        "generated {} applications in {:.1} s; {QUERIES} queries, {revisits} of them re-applications ({evasive} evasive)",
        data.len(),
        started.elapsed().as_secs_f64()
    );
    let queries = bodies(held_out);

    let dir = cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(format!("register-{apps}-seed{SEED}.db"));
    if db.exists() {
        println!("reusing {}", db.display());
        return (db, queries);
    }
    let partial = dir.join(format!("register-{apps}-seed{SEED}.partial.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let started = Instant::now();
    rt.block_on(async {
        let store = jejak_store::open(&format!("sqlite://{}", partial.display())).await.unwrap();
        for (i, chunk) in stored.chunks(IMPORT_CHUNK).enumerate() {
            let outcome = store.import(chunk, ConflictPolicy::Abort, &ctx()).await.unwrap();
            assert_eq!(outcome.inserted, chunk.len());
            println!("imported {} rows", i * IMPORT_CHUNK + chunk.len());
        }
        store.close().await;
    });
    std::fs::rename(&partial, &db).unwrap();
    println!(
        "imported {apps} applications in {:.1} s into {}",
        started.elapsed().as_secs_f64(),
        db.display()
    );
    (db, queries)
}

/// JSON bodies with the interchange field names, through the same CSV writer partners use.
/// The office comes from the token, so the body leaves it out.
fn bodies(apps: &[jejak_domain::NewApplication]) -> Vec<Bytes> {
    let mut csv = Vec::new();
    jejak_interchange::write_csv(&mut csv, apps).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            let object: Map<String, Value> = headers
                .iter()
                .zip(row.iter())
                .filter(|(k, v)| *k != "office_code" && !v.is_empty())
                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                .collect();
            Bytes::from(serde_json::to_vec(&object).unwrap())
        })
        .collect()
}

/// The router with the state of `jejak serve` (index from the register, refresher, rule set
/// in force, system clock) on 127.0.0.1:0, and a screening token.
async fn start_server(db: &Path) -> (std::net::SocketAddr, String, Arc<dyn Store>) {
    let store = jejak_store::open(&format!("sqlite://{}", db.display())).await.unwrap();
    let started = Instant::now();
    let model = Arc::new(Model::interchange().unwrap());
    let screening = Arc::new(Screening::start(store.clone(), model).await.unwrap());
    println!(
        "match index: {} applications, built in {:.1} s",
        screening.stats().applications,
        started.elapsed().as_secs_f64()
    );
    screening.spawn_refresher(REFRESH_INTERVAL);
    let rules = jejak_service::rulesets::active_or_default(store.as_ref()).await.unwrap();
    let clock = Arc::new(SystemClock);
    let casework = Arc::new(Casework::new(store.clone(), screening, rules.rules, clock.clone()));
    let auth = Arc::new(Auth::new(store.clone(), clock, AuthConfig::default()).unwrap());
    let office = OfficeCode::parse("KLA").unwrap();
    let admin = Actor::user("bench", "Benchmark", Role::Admin, office.clone());
    let name = format!("bench-{}", uuid::Uuid::now_v7());
    let secret = auth
        .add_token(&admin, &name, Role::Petugas, &[Action::ScreenApplication], office)
        .await
        .unwrap();
    let mut state = AppState::new(store.clone(), casework, auth);
    // One token stands for 50 partner systems here; the per-token budget (10 requests/s by
    // default) would measure the limiter, not the screening.
    state.limiter = Arc::new(RateLimiter::new(u32::MAX, 1e12));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { jejak_web::serve(listener, state).await.unwrap() });
    (address, secret, store)
}

struct Figures {
    requests: usize,
    elapsed: Duration,
    /// Sorted latencies of the measured requests, in microseconds.
    micros: Vec<u64>,
    with_candidates: usize,
    /// User + system CPU seconds of the whole process over the measured interval.
    cpu_seconds: Option<f64>,
}

/// User + system CPU seconds this process has used so far (Linux `/proc/self/stat`), so a
/// run on a shared machine can be compared by CPU per request as well as by wall time.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks; 100 per second on every Linux this runs on.
    Some((utime + stime) / 100.0)
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |q: f64| {
            let i = ((self.micros.len() as f64 * q).ceil() as usize).saturating_sub(1);
            self.micros[i.min(self.micros.len() - 1)] as f64 / 1000.0
        };
        write!(
            f,
            "{} requests in {:.1} s = {:.0} req/s; latency ms: p50 {:.2}, p95 {:.2}, p99 {:.2}, max {:.2}; {} replies with candidates",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            at(0.50),
            at(0.95),
            at(0.99),
            self.micros.last().copied().unwrap_or(0) as f64 / 1000.0,
            self.with_candidates,
        )
    }
}

/// `clients` closed-loop clients, each on its own keep-alive connection, each sending the
/// next query as soon as the previous reply has been read.
async fn load(
    address: std::net::SocketAddr,
    secret: &str,
    queries: &[Bytes],
    clients: usize,
    seconds: u64,
) -> Figures {
    let queries: Arc<[Bytes]> = queries.into();
    let bearer = format!("Bearer {secret}");
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for client_no in 0..clients {
        // A bare HTTP/1.1 connection per client (no pool, no connector): a load generator
        // sharing the server's two cores should spend as little of them as it can.
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        let (queries, bearer) = (queries.clone(), bearer.clone());
        let (measuring, stop) = (measuring.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut micros = Vec::new();
            let mut with_candidates = 0usize;
            let mut next = client_no * queries.len() / clients.max(1);
            while !stop.load(Ordering::Relaxed) {
                let body = queries[next % queries.len()].clone();
                next += 1;
                let request = Request::post("/api/v1/screen?purpose=verifikasi%20identitas&purpose_text=benchmark%20screening")
                    .header(header::HOST, "127.0.0.1")
                    .header(header::AUTHORIZATION, bearer.as_str())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(body))
                    .unwrap();
                let started = Instant::now();
                sender.ready().await.unwrap();
                let response = sender.send_request(request).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                let took = started.elapsed();
                assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
                if measuring.load(Ordering::Relaxed) {
                    micros.push(took.as_micros() as u64);
                    // A byte search, not a parse: the generator shares the server's cores.
                    if bytes.windows(12).any(|w| w.starts_with(b"\"matches\":[") && w[11] != b']') {
                        with_candidates += 1;
                    }
                }
            }
            (micros, with_candidates)
        }));
    }
    tokio::time::sleep(WARM_UP).await;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let cpu_seconds = cpu_before.zip(process_cpu_seconds()).map(|(before, after)| after - before);
    stop.store(true, Ordering::Relaxed);
    let mut micros = Vec::new();
    let mut with_candidates = 0;
    for task in tasks {
        let (m, c) = task.await.unwrap();
        micros.extend(m);
        with_candidates += c;
    }
    micros.sort_unstable();
    Figures { requests: micros.len(), elapsed, micros, with_candidates, cpu_seconds }
}
