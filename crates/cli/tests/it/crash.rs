//! Crash safety: the process is killed (SIGKILL) in the middle of a large import and in the
//! middle of a stream of decisions; afterwards nothing is half-written, the audit chain
//! verifies, and the interrupted work can simply be run again.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use jejak_domain::date::ymd;
use jejak_domain::decision::DecisionKind;
use jejak_domain::{NewApplication, NewDecision, OfficeCode};
use jejak_store::AuditCtx;

use crate::support::{count, generated_csv, jejak};

/// Longest wait for the child to reach the point where it is killed (generous: a debug build
/// on a loaded 2-core machine needs tens of seconds to generate and check the file).
const PATIENCE: Duration = Duration::from_secs(90);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "crash".into(),
        office: None,
        purpose: None,
        at: "2025-03-01T08:00:00Z".into(),
    }
}

/// Starts `command`, waits until one of its output lines satisfies `ready`, then kills it
/// with SIGKILL. Returns whether it was killed while still running (not finished first).
fn kill_when(mut command: Command, from_stderr: bool, ready: impl Fn(&str) -> bool) -> bool {
    if from_stderr {
        command.stderr(Stdio::piped()).stdout(Stdio::null());
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::null());
    }
    let mut child = command.spawn().unwrap();
    let pipe: Box<dyn std::io::Read + Send> = if from_stderr {
        Box::new(child.stderr.take().unwrap())
    } else {
        Box::new(child.stdout.take().unwrap())
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if ready(&line) => break,
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("the child never reached the point to kill it");
            }
        }
    }
    let still_running = child.try_wait().unwrap().is_none();
    // `Child::kill` sends SIGKILL on Unix: no destructor, no rollback by the process itself.
    child.kill().unwrap();
    child.wait().unwrap();
    still_running
}

fn verify_ok(db: &str) {
    let run = jejak(&["audit", "verify", "--database", db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("OK:"), "{}", run.stdout);
}

fn import_killed_midway(db: &str, dir: &std::path::Path, rows: usize) {
    let file = generated_csv(dir, rows, 11);
    let mut command = Command::new(env!("CARGO_BIN_EXE_jejak"));
    command.args(["import", file.to_str().unwrap(), "--database", db, "--progress"]);
    command.env_remove("JEJAK_DATABASE");
    // Killed once rows are being written, before the last chunk.
    let killed = kill_when(command, true, |line| {
        line.strip_prefix("written: ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n > 0 && n < rows)
    });
    assert!(killed, "the import finished before it could be killed");
    let after = count(db, dir);
    assert!(after == 0 || after == rows, "half an import is visible: {after} of {rows} rows");
    verify_ok(db);
    let run = jejak(&["import", file.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(count(db, dir), rows);
    verify_ok(db);
}

#[test]
fn an_import_killed_midway_leaves_nothing_and_runs_again_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    import_killed_midway(&db, dir.path(), 30_000);
}

#[test]
fn an_import_killed_midway_leaves_nothing_and_runs_again_on_postgres() {
    let Some(db) = runtime().block_on(jejak_testkit::fresh_postgres_url("crash_import")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    import_killed_midway(&db, dir.path(), 8_000);
}

/// Applications the decision writer works on.
const APPS: usize = 20;

/// Child process of the decision crash test: decides the applications of
/// `JEJAK_CRASH_DB` round after round, printing a line after each commit, until killed.
#[test]
#[ignore = "run as a child process by decisions_killed_midway"]
fn decision_writer_child() {
    let Ok(db) = std::env::var("JEJAK_CRASH_DB") else { return };
    runtime().block_on(async {
        let store = jejak_store::open(&db).await.unwrap();
        let mut n = 0_u64;
        loop {
            for i in 0..APPS {
                let office = OfficeCode::parse("BDL").unwrap();
                let app = store.find_application(&office, &format!("BDL-{i}")).await.unwrap();
                let app = app.unwrap();
                let kind = [DecisionKind::Deferred, DecisionKind::Issued][(n % 2) as usize];
                let decision = decision(app.key, kind);
                store.record_decision(&decision, app.version, &ctx()).await.unwrap();
                n += 1;
                crate::support::progress_line(&format!("decided {n}"));
            }
        }
    });
}

fn decision(key: jejak_domain::ApplicationKey, kind: DecisionKind) -> NewDecision {
    NewDecision {
        application: key,
        kind,
        decided_on: ymd(2025, 3, 3).unwrap(),
        deferral_until: None,
        reason_codes: vec!["PMI_NP".into()],
        reason_text: Some("mengaku akan bekerja di Malaysia".into()),
        officer: Some("budi".into()),
    }
}

fn decisions_killed_midway(db: &str) {
    let rt = runtime();
    let store = rt.block_on(jejak_store::open(db)).unwrap();
    for i in 0..APPS {
        let app = NewApplication::new(
            &format!("BDL-{i}"),
            OfficeCode::parse("BDL").unwrap(),
            ymd(2025, 3, 1).unwrap(),
            "Suryani binti Karto",
        );
        rt.block_on(store.insert_application(&app, &ctx())).unwrap();
    }
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--ignored", "--exact", "crash::decision_writer_child", "--nocapture"]);
    command.env("JEJAK_CRASH_DB", db);
    let killed = kill_when(command, false, |line| {
        line.strip_prefix("decided ").and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 60)
    });
    assert!(killed);

    // Every application's version, outcome and history agree: no decision half-written.
    let mut total = 0;
    for i in 0..APPS {
        let office = OfficeCode::parse("BDL").unwrap();
        let app = rt.block_on(store.find_application(&office, &format!("BDL-{i}"))).unwrap();
        let app = app.unwrap();
        let history = rt.block_on(store.decisions_of(app.key)).unwrap();
        assert_eq!(app.version, 1 + history.len() as i64, "BDL-{i}");
        if let Some(last) = history.last() {
            assert_eq!(app.data.outcome, last.data.kind.outcome(), "BDL-{i}");
        }
        total += history.len();
    }
    assert!(total >= 60);
    let audit = rt.block_on(store.audit_events(0, 100_000)).unwrap();
    let recorded = audit.iter().filter(|e| e.action == "decision.record").count();
    assert_eq!(recorded, total, "one audit entry per decision, no more, no less");
    drop(store);
    verify_ok(db);

    // Deciding goes on where it stopped.
    let store = rt.block_on(jejak_store::open(db)).unwrap();
    let office = OfficeCode::parse("BDL").unwrap();
    let app = rt.block_on(store.find_application(&office, "BDL-0")).unwrap().unwrap();
    rt.block_on(store.record_decision(
        &decision(app.key, DecisionKind::Issued),
        app.version,
        &ctx(),
    ))
    .unwrap();
    verify_ok(db);
}

#[test]
fn decisions_killed_midway_leave_consistent_histories_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    decisions_killed_midway(&format!("sqlite://{}", dir.path().join("register.db").display()));
}

#[test]
fn decisions_killed_midway_leave_consistent_histories_on_postgres() {
    let Some(db) = runtime().block_on(jejak_testkit::fresh_postgres_url("crash_decide")) else {
        return;
    };
    decisions_killed_midway(&db);
}
