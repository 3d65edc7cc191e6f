//! Load generator for `POST /api/v1/screen` (issue 5): the real router over a register of
//! N synthetic applications, 50 concurrent keep-alive clients on loopback for a fixed time,
//! printing throughput and p50/p90/p95/p99/max latency.
//!
//! Not criterion: criterion times one closure at a time and cannot give latency percentiles
//! under concurrency, so this is a plain `harness = false` program.
//!
//! Run: `cargo bench -p jejak-web --bench http_screen`. Environment:
//! - `JEJAK_BENCH_APPS` stored applications (default 100000),
//! - `JEJAK_BENCH_CLIENTS` concurrent clients (default 50),
//! - `JEJAK_BENCH_SECS` measured seconds after a 5 s warm-up (default 30),
//! - `JEJAK_BENCH_POSTGRES` a `postgres://` URL of an existing database: the same register
//!   is then served from PostgreSQL too, measured after SQLite in the same run, followed by
//!   the database cost of each common request (below),
//! - `JEJAK_BENCH_SQLITE=0` skips the SQLite measurement.
//!
//! The SQLite register is cached as `<target>/jejak-bench/register-<N>-seed<S>.db`, so reruns
//! skip the generation and import (delete the file to rebuild it). A PostgreSQL database that
//! holds no application is filled with the same N (binary `COPY`, 100,000 rows per import),
//! one that already holds at least N is reused (drop and create it to rebuild). The queries
//! are applications generated with the register but not stored: later applications of the
//! same persons with their spelling variants and changed details, and first-time applicants.
//!
//! Database cost (PostgreSQL only, issue 18): statements per request are counted from sqlx's
//! per-statement events (target `sqlx::query`), PostgreSQL CPU from `/proc` of the server
//! processes serving this database (their title names it; needs the server on this machine),
//! for the measured screening load, then for a fixed number of requests of each common kind
//! (register, examine, decide, queue, search) from 4 clients, then per second of an idle
//! server (the match index refresher's polling).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "benchmark program: a failed setup step is a failed run, figures go to stdout"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use jejak_domain::{IdentifierField, NewApplication, OfficeCode};
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
/// The office of the bench's tokens.
const OFFICE: &str = "KLA";
/// Requests of each kind in the database cost pass, and its clients.
const COST_REQUESTS: usize = 400;
const COST_CLIENTS: usize = 4;
/// Requests of each kind that reads personal data: 100 of the 120 a user may make a minute.
const READS: usize = 100;
/// Seconds an idle server is watched for its polling cost.
const IDLE_SECS: u64 = 20;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let apps = env_usize("JEJAK_BENCH_APPS", 100_000);
    let clients = env_usize("JEJAK_BENCH_CLIENTS", 50);
    let seconds = env_usize("JEJAK_BENCH_SECS", 30) as u64;
    let postgres = std::env::var("JEJAK_BENCH_POSTGRES").ok().filter(|u| !u.is_empty());
    let sqlite = std::env::var("JEJAK_BENCH_SQLITE").map_or(true, |v| v != "0");
    // `cargo bench` passes `--bench`; a filter that does not name this bench skips it.
    if std::env::args().skip(1).any(|a| !a.starts_with('-') && !"http_screen".contains(&a)) {
        return;
    }
    // Counts the statements sqlx sends, for PostgreSQL's database cost (nothing else is
    // enabled, so nothing else is paid). Only then: a SQLite-only run pays no event per
    // statement, so its figures compare with runs of builds that counted nothing.
    if postgres.is_some() {
        tracing::subscriber::set_global_default(StatementCounter).unwrap();
    }

    // The load generator gets its own runtime, each server another, as two processes would.
    // Named threads, so a profile tells the server's work from the generator's.
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("loadgen")
        .enable_all()
        .build()
        .unwrap();

    let (stored, queries, fresh) = generate(apps);
    let mut registers = Vec::new();
    if sqlite {
        registers.push(("SQLite", sqlite_register(&stored)));
    }
    if let Some(url) = &postgres {
        postgres_register(url, &stored);
        registers.push(("PostgreSQL", url.clone()));
    }
    drop(stored);

    for (backend, url) in registers {
        let server_rt = tokio::runtime::Builder::new_multi_thread()
            .thread_name("server")
            .enable_all()
            .build()
            .unwrap();
        let server = server_rt.block_on(start_server(&url));
        let audit_before = server_rt.block_on(server.store.register_size()).unwrap();
        let database = (backend == "PostgreSQL").then(|| database_name(&url));
        let cost_before = Cost::now(database.as_deref());
        let figures = client_rt.block_on(load(
            server.address,
            &server.screen_token,
            &queries,
            clients,
            seconds,
        ));
        let cost = Cost::now(database.as_deref()).since(&cost_before);
        let audit_after = server_rt.block_on(server.store.register_size()).unwrap();
        println!(
            "http_screen on {backend}: {} stored applications, {clients} clients, {seconds} s measured (+{} s warm-up)",
            audit_before.applications,
            WARM_UP.as_secs()
        );
        println!("{figures}");
        if let Some(cpu) = figures.cpu_seconds {
            println!(
                "process CPU while measuring (server and load generator): {cpu:.1} s = {:.0} µs per request",
                cpu * 1e6 / figures.requests.max(1) as f64
            );
        }
        println!(
            "audit events: {} before, {} after (one per screening)",
            audit_before.audit_events, audit_after.audit_events
        );
        if database.is_some() {
            // The cost counted over the whole load, warm-up and tail included: per request
            // of all those sent, not only the measured ones.
            println!("database cost, screening under load: {}", cost.per(figures.sent, None));
            client_rt.block_on(cost_pass(&server, database.as_deref(), &queries, &fresh));
        }
        drop(server);
        // Stops the server's tasks and frees its index before the next backend is served.
        server_rt.shutdown_timeout(Duration::from_secs(5));
    }
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

/// The `apps` applications of the register, the query bodies, and the bodies the cost pass
/// registers (the last queries whose identifiers are valid, as the desk requires, pending,
/// under numbers of their own).
fn generate(apps: usize) -> (Vec<NewApplication>, Vec<Bytes>, Vec<Bytes>) {
    let started = Instant::now();
    // About 1.2 applications per person; generate a little more than needed.
    let persons = (apps + QUERIES) * 5 / 6 + 1_000;
    let mut data =
        jejak_synth::generate(&jejak_synth::Config { persons, seed: SEED, ..Default::default() });
    assert!(data.len() >= apps + QUERIES, "generated {} applications only", data.len());
    // Applications are in date order: the register is the past, the queries come after it.
    let held_out = &data.applications[apps..apps + QUERIES];
    let revisits = data.truth[apps..apps + QUERIES].iter().filter(|t| t.visit > 0).count();
    let evasive = data.truth[apps..apps + QUERIES].iter().filter(|t| t.evasive).count();
    println!(
        "generated {} applications in {:.1} s; {QUERIES} queries, {revisits} of them re-applications ({evasive} evasive)",
        data.len(),
        started.elapsed().as_secs_f64()
    );
    let queries = bodies(held_out);
    let valid: Vec<NewApplication> = held_out
        .iter()
        .rev()
        .filter(|a| IdentifierField::ALL.into_iter().all(|f| a.is_valid(f)))
        .take(COST_REQUESTS)
        .cloned()
        .collect();
    let run = uuid::Uuid::now_v7().simple().to_string();
    let fresh = bodies(&valid)
        .iter()
        .enumerate()
        .map(|(i, body)| renumbered(body, &format!("BENCH-{}-{i}", &run[20..])))
        .collect();
    data.applications.truncate(apps);
    data.applications.shrink_to_fit();
    (data.applications, queries, fresh)
}

/// The URL of the cached SQLite register of `stored` (built if missing).
fn sqlite_register(stored: &[NewApplication]) -> String {
    let apps = stored.len();
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(format!("register-{apps}-seed{SEED}.db"));
    if db.exists() {
        println!("reusing {}", db.display());
        return format!("sqlite://{}", db.display());
    }
    let partial = dir.join(format!("register-{apps}-seed{SEED}.partial.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    import_all(&format!("sqlite://{}", partial.display()), stored);
    std::fs::rename(&partial, &db).unwrap();
    format!("sqlite://{}", db.display())
}

/// Fills the PostgreSQL database at `url` with `stored` unless it already holds them.
fn postgres_register(url: &str, stored: &[NewApplication]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let held = rt
        .block_on(async {
            let store = jejak_store::open(url).await?;
            let size = store.register_size().await;
            store.close().await;
            size
        })
        .unwrap()
        .applications;
    if held >= stored.len() as u64 {
        println!("reusing {} ({held} applications)", jejak_store::redact(url));
        return;
    }
    assert_eq!(
        held,
        0,
        "{} holds {held} applications: drop and create it",
        jejak_store::redact(url)
    );
    import_all(url, stored);
}

/// Imports `stored` into the register at `url`, `IMPORT_CHUNK` rows per transaction, printing
/// the rate of each chunk.
fn import_all(url: &str, stored: &[NewApplication]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    rt.block_on(async {
        let store = jejak_store::open(url).await.unwrap();
        for (i, chunk) in stored.chunks(IMPORT_CHUNK).enumerate() {
            let chunk_started = Instant::now();
            let outcome = store.import(chunk, ConflictPolicy::Abort, &ctx()).await.unwrap();
            assert_eq!(outcome.inserted, chunk.len());
            println!(
                "imported {} rows ({:.0} rows/s for this chunk)",
                i * IMPORT_CHUNK + chunk.len(),
                chunk.len() as f64 / chunk_started.elapsed().as_secs_f64()
            );
        }
        store.close().await;
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {} applications in {secs:.1} s ({:.0} rows/s) into {}",
        stored.len(),
        stored.len() as f64 / secs,
        jejak_store::redact(url)
    );
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

/// `body` (a JSON object) as a new pending application numbered `id` of the bench's office.
fn renumbered(body: &Bytes, id: &str) -> Bytes {
    let mut object: Map<String, Value> = serde_json::from_slice(body).unwrap();
    object.insert("application_id".into(), Value::String(id.to_owned()));
    object.insert(
        "outcome".into(),
        Value::String(jejak_domain::Outcome::Pending.as_str().to_owned()),
    );
    object.remove("outcome_reason");
    object.remove("decided_on");
    Bytes::from(serde_json::to_vec(&object).unwrap())
}

/// A served register: its address, tokens and store.
struct Server {
    address: std::net::SocketAddr,
    /// May only screen (the load's token, as a partner system's).
    screen_token: String,
    auth: Arc<Auth>,
    store: Arc<dyn Store>,
}

impl Server {
    /// A new officer's token for the cost pass (register, examine, decide, queue, search):
    /// one per kind of request, as reads of personal data are limited per user and minute.
    async fn officer_token(&self) -> String {
        let office = OfficeCode::parse(OFFICE).unwrap();
        let admin = Actor::user("bench", "Benchmark", Role::Admin, office.clone());
        let actions = [
            Action::ScreenApplication,
            Action::RegisterApplication,
            Action::ViewPerson,
            Action::RecordDecision,
            Action::ViewQueue,
            Action::SearchRegister,
        ];
        let name = format!("bench-officer-{}", uuid::Uuid::now_v7());
        self.auth.add_token(&admin, &name, Role::Petugas, &actions, office).await.unwrap()
    }
}

/// The router with the state of `jejak serve` (index from the register, refresher, rule set
/// in force, system clock) on 127.0.0.1:0, and two tokens.
async fn start_server(url: &str) -> Server {
    let store = jejak_store::open(url).await.unwrap();
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
    let office = OfficeCode::parse(OFFICE).unwrap();
    let admin = Actor::user("bench", "Benchmark", Role::Admin, office.clone());
    let name = format!("bench-{}", uuid::Uuid::now_v7());
    let screen_token = auth
        .add_token(&admin, &name, Role::Petugas, &[Action::ScreenApplication], office.clone())
        .await
        .unwrap();
    let mut state = AppState::new(store.clone(), casework, auth.clone());
    // One token stands for 50 partner systems here; the per-token budget (10 requests/s by
    // default) would measure the limiter, not the screening.
    state.limiter = Arc::new(RateLimiter::new(u32::MAX, 1e12));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { jejak_web::serve(listener, state).await.unwrap() });
    Server { address, screen_token, auth, store }
}

/// Counts the statements sqlx runs: its per-statement events (target `sqlx::query`) are the
/// only ones this subscriber enables.
struct StatementCounter;

static STATEMENTS: AtomicU64 = AtomicU64::new(0);

impl tracing::Subscriber for StatementCounter {
    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if self.enabled(metadata) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

/// The database name of a `postgres://` URL.
fn database_name(url: &str) -> String {
    let path = url.rsplit('/').next().unwrap_or("");
    path.split('?').next().unwrap_or("").to_owned()
}

/// CPU seconds (user + system) of the PostgreSQL processes serving `database` on this
/// machine: backends whose title (`postgres: CLUSTER: USER DATABASE HOST(PORT) STATE`) names
/// it. Backends that ended are missed, so the pool must stay open between two readings.
fn postgres_cpu_seconds(database: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut found = false;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let path = entry.path();
        let Ok(cmdline) = std::fs::read(path.join("cmdline")) else { continue };
        let title = String::from_utf8_lossy(&cmdline);
        if !title.starts_with("postgres: ") || !title.split_whitespace().any(|w| w == database) {
            continue;
        }
        if let Some(cpu) = cpu_of(&path.join("stat")) {
            total += cpu;
            found = true;
        }
    }
    found.then_some(total)
}

/// User + system CPU seconds in a `/proc/PID/stat` file.
fn cpu_of(stat: &Path) -> Option<f64> {
    let stat = std::fs::read_to_string(stat).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks; 100 per second on every Linux this runs on.
    Some((utime + stime) / 100.0)
}

/// Statements sent and PostgreSQL CPU used, as totals at one moment or over an interval.
#[derive(Clone, Copy)]
struct Cost {
    statements: u64,
    postgres_cpu: Option<f64>,
    at: Instant,
    /// Seconds the interval lasted (0 for a reading).
    secs: f64,
}

impl Cost {
    fn now(database: Option<&str>) -> Cost {
        Cost {
            statements: STATEMENTS.load(Ordering::Relaxed),
            postgres_cpu: database.and_then(postgres_cpu_seconds),
            at: Instant::now(),
            secs: 0.0,
        }
    }

    /// The cost since `before` (its `at` is then the interval's start).
    fn since(&self, before: &Cost) -> Cost {
        Cost {
            statements: self.statements - before.statements,
            postgres_cpu: self.postgres_cpu.zip(before.postgres_cpu).map(|(a, b)| a - b),
            at: before.at,
            secs: self.at.duration_since(before.at).as_secs_f64(),
        }
    }

    /// Per request, and per request net of what an idle server (`idle`, per second) polls
    /// meanwhile.
    fn per(&self, requests: usize, idle: Option<&Idle>) -> String {
        let n = requests.max(1) as f64;
        let cpu = match self.postgres_cpu {
            Some(cpu) => format!("{:.0} µs PostgreSQL CPU", cpu * 1e6 / n),
            None => "PostgreSQL CPU not readable".into(),
        };
        let net = match idle {
            Some(idle) => {
                let statements = self.statements as f64 - idle.statements * self.secs;
                let cpu =
                    self.postgres_cpu.zip(idle.postgres_cpu).map_or(String::new(), |(c, i)| {
                        format!(", {:.0} µs", (c - i * self.secs) * 1e6 / n)
                    });
                format!(" (net of idle polling: {:.1} statements{cpu})", statements / n)
            }
            None => String::new(),
        };
        format!(
            "{requests} requests in {:.1} s: {:.1} statements and {cpu} per request{net}",
            self.secs,
            self.statements as f64 / n
        )
    }
}

/// One request of the cost pass.
struct Call {
    method: Method,
    uri: String,
    body: Bytes,
}

/// Sends `calls` from `COST_CLIENTS` clients with `token` and returns the replies' bodies
/// (in order) and the cost. Every reply must be a success.
async fn run_calls(
    address: std::net::SocketAddr,
    token: &str,
    calls: Vec<Call>,
    database: Option<&str>,
) -> (Vec<Bytes>, Cost) {
    let calls = Arc::new(calls);
    let next = Arc::new(AtomicU64::new(0));
    let bearer = format!("Bearer {token}");
    let before = Cost::now(database);
    let mut tasks = Vec::new();
    for _ in 0..COST_CLIENTS {
        let (calls, next, bearer) = (calls.clone(), next.clone(), bearer.clone());
        let mut sender = connect(address).await;
        tasks.push(tokio::spawn(async move {
            let mut replies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(call) = calls.get(i) else { break };
                let request = Request::builder()
                    .method(call.method.clone())
                    .uri(call.uri.as_str())
                    .header(header::HOST, "127.0.0.1")
                    .header(header::AUTHORIZATION, bearer.as_str())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(call.body.clone()))
                    .unwrap();
                sender.ready().await.unwrap();
                let response = sender.send_request(request).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                assert!(
                    status.is_success(),
                    "{} {}: {status} {}",
                    call.method,
                    call.uri,
                    String::from_utf8_lossy(&bytes)
                );
                replies.push((i, bytes));
            }
            replies
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.extend(task.await.unwrap());
    }
    let cost = Cost::now(database).since(&before);
    replies.sort_by_key(|(i, _)| *i);
    (replies.into_iter().map(|(_, b)| b).collect(), cost)
}

/// The database cost of the common requests of an office, `COST_REQUESTS` (or `READS`) of
/// each: screen, register an application, examine it, decide it, the queue, a search by NIK;
/// then of an idle server.
async fn cost_pass(server: &Server, database: Option<&str>, queries: &[Bytes], fresh: &[Bytes]) {
    let post = |uri: &str, body: Bytes| Call { method: Method::POST, uri: uri.to_owned(), body };
    let get = |uri: String| Call { method: Method::GET, uri, body: Bytes::new() };
    let address = server.address;
    let idle = idle_cost(database).await;
    let report = |what: &str, n: usize, cost: Cost| {
        println!("database cost, {what}: {}", cost.per(n, Some(&idle)));
    };

    let calls = queries
        .iter()
        .take(COST_REQUESTS)
        .map(|b| {
            post("/api/v1/screen?purpose=verifikasi%20identitas&purpose_text=benchmark", b.clone())
        })
        .collect();
    let (_, cost) = run_calls(address, &server.officer_token().await, calls, database).await;
    report("POST /api/v1/screen (4 clients)", COST_REQUESTS, cost);

    let calls = fresh.iter().map(|b| post("/api/v1/applications", b.clone())).collect();
    let (replies, cost) = run_calls(address, &server.officer_token().await, calls, database).await;
    report("POST /api/v1/applications (register)", fresh.len(), cost);
    let registered: Vec<(i64, i64)> = replies
        .iter()
        .map(|r| {
            let view: Value = serde_json::from_slice(r).unwrap();
            (view["key"].as_i64().unwrap(), view["version"].as_i64().unwrap())
        })
        .collect();

    let calls = registered
        .iter()
        .take(READS)
        .map(|(key, _)| get(format!("/api/v1/applications/{key}")))
        .collect();
    let (_, cost) = run_calls(address, &server.officer_token().await, calls, database).await;
    report("GET /api/v1/applications/{key} (examine)", READS.min(registered.len()), cost);

    let calls = registered
        .iter()
        .map(|(key, version)| {
            let body = serde_json::json!({
                "kind": "deferred",
                "reason_codes": ["INTERVIEW"],
                "deferral_until": "2027-06-01",
                "expected_version": version,
            });
            post(&format!("/api/v1/applications/{key}/decisions"), Bytes::from(body.to_string()))
        })
        .collect();
    let (_, cost) = run_calls(address, &server.officer_token().await, calls, database).await;
    report("POST /api/v1/applications/{key}/decisions (decide)", registered.len(), cost);

    let calls = (0..READS).map(|_| get("/api/v1/queue".into())).collect();
    let (_, cost) = run_calls(address, &server.officer_token().await, calls, database).await;
    report("GET /api/v1/queue", READS, cost);

    let niks: Vec<String> = queries
        .iter()
        .filter_map(|b| {
            let object: Map<String, Value> = serde_json::from_slice(b).ok()?;
            object.get("nik")?.as_str().map(str::to_owned)
        })
        .take(READS)
        .collect();
    let calls = niks.iter().map(|nik| get(format!("/api/v1/search?q={nik}"))).collect();
    let (_, cost) = run_calls(address, &server.officer_token().await, calls, database).await;
    report("GET /api/v1/search?q=NIK", niks.len(), cost);
}

/// What an idle server costs per second (the index refresher's polling), measured over
/// `IDLE_SECS`.
async fn idle_cost(database: Option<&str>) -> Idle {
    let before = Cost::now(database);
    tokio::time::sleep(Duration::from_secs(IDLE_SECS)).await;
    let idle = Cost::now(database).since(&before);
    let secs = idle.secs;
    println!(
        "database cost, idle server ({secs:.0} s, index refresh every {} ms): {:.1} statements/s, {}",
        REFRESH_INTERVAL.as_millis(),
        idle.statements as f64 / secs,
        match idle.postgres_cpu {
            Some(cpu) => format!("{:.1} ms PostgreSQL CPU per second", cpu * 1e3 / secs),
            None => "PostgreSQL CPU not readable".into(),
        }
    );
    Idle {
        statements: idle.statements as f64 / secs,
        postgres_cpu: idle.postgres_cpu.map(|c| c / secs),
    }
}

/// Statements and PostgreSQL CPU seconds per second of an idle server.
struct Idle {
    statements: f64,
    postgres_cpu: Option<f64>,
}

struct Figures {
    /// Measured requests.
    requests: usize,
    /// Every request answered, warm-up and tail included.
    sent: usize,
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
    cpu_of(Path::new("/proc/self/stat"))
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |q: f64| {
            let i = ((self.micros.len() as f64 * q).ceil() as usize).saturating_sub(1);
            self.micros[i.min(self.micros.len() - 1)] as f64 / 1000.0
        };
        write!(
            f,
            "{} requests in {:.1} s = {:.0} req/s; latency ms: p50 {:.2}, p90 {:.2}, p95 {:.2}, p99 {:.2}, max {:.2}; {} replies with candidates",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            at(0.50),
            at(0.90),
            at(0.95),
            at(0.99),
            self.micros.last().copied().unwrap_or(0) as f64 / 1000.0,
            self.with_candidates,
        )
    }
}

/// A bare HTTP/1.1 keep-alive connection (no pool, no connector): a load generator sharing
/// the server's two cores should spend as little of them as it can.
async fn connect(
    address: std::net::SocketAddr,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, connection) =
        hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    sender
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
        let mut sender = connect(address).await;
        let (queries, bearer) = (queries.clone(), bearer.clone());
        let (measuring, stop) = (measuring.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut micros = Vec::new();
            let mut with_candidates = 0usize;
            let mut sent = 0usize;
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
                sent += 1;
                if measuring.load(Ordering::Relaxed) {
                    micros.push(took.as_micros() as u64);
                    // A byte search, not a parse: the generator shares the server's cores.
                    if bytes.windows(12).any(|w| w.starts_with(b"\"matches\":[") && w[11] != b']') {
                        with_candidates += 1;
                    }
                }
            }
            (micros, with_candidates, sent)
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
    let mut sent = 0;
    for task in tasks {
        let (m, c, s) = task.await.unwrap();
        micros.extend(m);
        with_candidates += c;
        sent += s;
    }
    micros.sort_unstable();
    Figures { requests: micros.len(), sent, elapsed, micros, with_candidates, cpu_seconds }
}
