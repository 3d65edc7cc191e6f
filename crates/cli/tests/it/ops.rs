//! `jejak audit`, `backup`/`restore`, `retention` and `subject-report` as an administrator
//! uses them, and the audit log against an attacker with access to the database file.

use std::path::Path;

use sqlx::Connection;

use crate::support::{count, generated_csv, jejak};

const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,birth_date,outcome,decided_on,outcome_reason\n";
const NIK: &str = "1807055203950003";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

/// Three imports (three audit entries): Suryani's deferral in 2020 and issue in 2024, and
/// someone else's issue in 2020.
fn small_register(db: &str, dir: &Path) {
    let rows = [
        format!("KLA-1,KLA,2020-02-03,Suryani,{NIK},1995-03-12,deferred,2020-02-04,PMI_NP\n"),
        format!("BDL-7,BDL,2024-05-06,Suryani binti Karto,{NIK},1995-03-12,issued,2024-05-20,\n"),
        "KTB-2,KTB,2020-02-03,Joko Susilo,1803011201900001,1990-01-12,issued,2020-02-10,\n".into(),
    ];
    for (i, row) in rows.iter().enumerate() {
        let file = dir.join(format!("part{i}.csv"));
        std::fs::write(&file, format!("{HEADER}{row}")).unwrap();
        let run = jejak(&["import", file.to_str().unwrap(), "--database", db]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    }
}

/// Runs SQL on the register as someone with database access would: triggers dropped first.
fn tamper(db: &str, sql: &str) {
    runtime().block_on(async {
        if db.starts_with("sqlite") {
            let mut c = sqlx::SqliteConnection::connect(db).await.unwrap();
            let drop = "drop trigger if exists audit_events_no_update; drop trigger if exists audit_events_no_delete;";
            sqlx::raw_sql(drop).execute(&mut c).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        } else {
            let mut c = sqlx::PgConnection::connect(db).await.unwrap();
            let sql = format!("alter table audit_events disable trigger user; {sql}");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
        }
    });
}

fn audit_story(db: &str, dir: &Path) {
    small_register(db, dir);
    let run = jejak(&["audit", "verify", "--database", db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("OK: 3 audit entries verified; last entry 3 has hash "),
        "{}",
        run.stdout
    );

    // A checkpoint kept outside the database.
    let checkpoint = dir.join("audit.jsonl");
    let run = jejak(&["audit", "export", "--out", checkpoint.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("exported 3 audit entries"), "{}", run.stdout);
    let lines = std::fs::read_to_string(&checkpoint).unwrap();
    assert_eq!(lines.lines().count(), 3);
    assert!(lines.lines().all(|l| l.contains("\"hash\":")), "{lines}");
    let from_two = dir.join("from2.jsonl");
    let run = jejak(&[
        "audit",
        "export",
        "--out",
        from_two.to_str().unwrap(),
        "--from-seq",
        "2",
        "--database",
        db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&from_two).unwrap().starts_with("{\"seq\":2,"));

    // Editing an entry names it.
    tamper(db, "update audit_events set details = '{\"inserted\":0}' where seq = 2");
    let run = jejak(&["audit", "verify", "--database", db]);
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("BROKEN: audit entry 2 edited"), "{}", run.stdout);
    assert!(run.stdout.contains("sound up to entry 1"), "{}", run.stdout);

    // Deleting one names the gap.
    tamper(db, "delete from audit_events where seq = 2");
    let run = jejak(&["audit", "verify", "--database", db]);
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("BROKEN: audit entry 2 deleted"), "{}", run.stdout);

    // Deleting the newest entries is only visible against the checkpoint.
    tamper(db, "delete from audit_events where seq >= 3");
    let run = jejak(&["audit", "verify", "--database", db]);
    assert_eq!(run.code, 0, "without a checkpoint a shortened chain still links: {}", run.stdout);
    let cp = checkpoint.to_str().unwrap();
    let run = jejak(&["audit", "verify", "--database", db, "--checkpoint", cp]);
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("BROKEN: audit entry 3 missing"), "{}", run.stdout);

    // A checkpoint file that was altered is refused.
    let forged = lines.replacen("\"actor\":\"cli\"", "\"actor\":\"mallory\"", 1);
    std::fs::write(&checkpoint, forged).unwrap();
    let run = jejak(&["audit", "verify", "--database", db, "--checkpoint", cp]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("audit.jsonl: line 1: event 1 does not match its own hash"),
        "{}",
        run.stderr
    );
}

#[test]
fn audit_verify_and_export_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    audit_story(&sqlite_url(dir.path(), "register.db"), dir.path());
}

#[test]
fn audit_verify_and_export_on_postgres() {
    let Some(db) = runtime().block_on(jejak_testkit::fresh_postgres_url("cli_audit")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    audit_story(&db, dir.path());
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "register.db");
    small_register(&db, dir.path());
    let backup = dir.path().join("backup.db");
    let run = jejak(&["backup", "--out", backup.to_str().unwrap(), "--database", &db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("3 application(s), 4 audit entries verified"), "{}", run.stdout);
    let again = jejak(&["backup", "--out", backup.to_str().unwrap(), "--database", &db]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    // Later work is lost on restore, on purpose, and only with --force.
    let more = dir.path().join("more.csv");
    std::fs::write(&more, format!("{HEADER}KTB-3,KTB,2025-01-02,Wayan,,,pending,,\n")).unwrap();
    assert_eq!(jejak(&["import", more.to_str().unwrap(), "--database", &db]).code, 0);
    assert_eq!(count(&db, dir.path()), 4);
    let from = backup.to_str().unwrap();
    let refused = jejak(&["restore", "--from", from, "--database", &db]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("holds 4 application(s)"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    let run = jejak(&["restore", "--from", from, "--database", &db, "--force"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(count(&db, dir.path()), 3);
    let verify = jejak(&["audit", "verify", "--database", &db]);
    assert!(verify.stdout.starts_with("OK: 5 audit entries"), "backup, restore: {}", verify.stdout);

    // Into a new file, and the restored register exports what the original held.
    let fresh = sqlite_url(dir.path(), "fresh.db");
    assert_eq!(jejak(&["restore", "--from", from, "--database", &fresh]).code, 0);
    assert_eq!(count(&fresh, dir.path()), 3);

    // A backup whose audit chain was tampered with is refused, naming the entry.
    let bad = sqlite_url(dir.path(), "backup.db");
    tamper(&bad, "update audit_events set actor = 'mallory' where seq = 2");
    let other = sqlite_url(dir.path(), "other.db");
    let run = jejak(&["restore", "--from", from, "--database", &other]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("audit entry 2 edited"), "{}", run.stderr);
    assert!(!dir.path().join("other.db").exists());

    let pg =
        jejak(&["restore", "--from", from, "--database", "postgres://postgres@127.0.0.1/test"]);
    assert_ne!(pg.code, 0);
    assert!(pg.stderr.contains("pg_restore"), "{}", pg.stderr);
}

#[test]
fn a_backup_taken_while_decisions_are_written_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "register.db");
    let file = crate::support::generated_csv(dir.path(), 3_000, 5);
    assert_eq!(jejak(&["import", file.to_str().unwrap(), "--database", &db]).code, 0);
    let rt = runtime();
    let store = rt.block_on(jejak_store::open(&db)).unwrap();
    let pending: Vec<_> =
        rt.block_on(store.applications_changed_since(0, 10_000)).unwrap().into_iter().collect();
    assert_eq!(pending.len(), 3_000);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, db) = (stop.clone(), db.clone());
        std::thread::spawn(move || {
            let rt = runtime();
            let store = rt.block_on(jejak_store::open(&db)).unwrap();
            let ctx = jejak_store::AuditCtx {
                actor: "sri".into(),
                office: None,
                purpose: None,
                at: "2025-03-01T08:00:00Z".into(),
            };
            let mut written = 0;
            for app in pending.iter().cycle() {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let current = rt.block_on(store.get_application(app.key)).unwrap();
                let decision = jejak_domain::NewDecision {
                    application: app.key,
                    kind: jejak_domain::DecisionKind::Issued,
                    decided_on: app.data.applied_on,
                    deferral_until: None,
                    reason_codes: vec![],
                    reason_text: None,
                    officer: Some("sri".into()),
                };
                rt.block_on(store.record_decision(&decision, current.version, &ctx)).unwrap();
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let backup = dir.path().join("live.db");
    let run = jejak(&["backup", "--out", backup.to_str().unwrap(), "--database", &db]);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.join().unwrap();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(written > 0);

    // The copy is one moment of the register: every version matches its history.
    let copy = rt.block_on(jejak_store::open(&format!("sqlite://{}", backup.display()))).unwrap();
    let apps = rt.block_on(copy.applications_changed_since(0, 10_000)).unwrap();
    let decisions = rt.block_on(copy.decisions_changed_since(0, 100_000)).unwrap();
    for app in &apps {
        let by_sri = decisions
            .iter()
            .filter(|d| d.data.application == app.key && d.data.officer.as_deref() == Some("sri"))
            .count() as i64;
        assert_eq!(app.version, 1 + by_sri, "{}", app.data.application_id);
    }
    let recorded = rt.block_on(copy.audit_events(0, 100_000)).unwrap();
    let by_sri = recorded.iter().filter(|e| e.action == "decision.record").count();
    let stored_by_sri =
        decisions.iter().filter(|d| d.data.officer.as_deref() == Some("sri")).count();
    assert_eq!(by_sri, stored_by_sri, "audit entries and decisions come from the same moment");
}

#[test]
fn retention_anonymises_what_expired_except_under_legal_hold() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "register.db");
    small_register(&db, dir.path());
    let policy = jejak(&["retention", "policy"]);
    assert!(policy.stdout.contains("deferred    3 years, then anonymise"), "{}", policy.stdout);

    let hold = jejak(&[
        "retention",
        "hold",
        "--nik",
        "1803011201900001",
        "--reason",
        "penyidikan Polda",
        "--database",
        &db,
    ]);
    assert_eq!(hold.code, 0, "{}{}", hold.stdout, hold.stderr);
    let hold_id = hold
        .stdout
        .trim()
        .strip_prefix("legal hold ")
        .unwrap()
        .strip_suffix(" placed")
        .unwrap()
        .to_owned();

    let dry = jejak(&["retention", "run", "--dry-run", "--as-of", "2031-01-01", "--database", &db]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("would anonymise: KLA/KLA-1 (deferred, retention ended 2023-02-04)"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("held, kept: KTB/KTB-2 (issued, retention ended 2030-02-10)"),
        "{}",
        dry.stdout
    );
    assert!(!dry.stdout.contains("BDL-7"), "{}", dry.stdout);
    assert!(dry.stdout.contains("nothing was changed"), "{}", dry.stdout);

    let config = dir.path().join("jejak.toml");
    std::fs::write(&config, "[retention]\ndeferred = { years = 3, action = \"delete\" }\n")
        .unwrap();
    let run = jejak(&[
        "retention",
        "run",
        "--as-of",
        "2031-01-01",
        "--config",
        config.to_str().unwrap(),
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("0 anonymised, 1 deleted, 1 kept under legal hold"),
        "{}",
        run.stdout
    );
    assert_eq!(count(&db, dir.path()), 2);
    let again = jejak(&["retention", "run", "--as-of", "2031-01-01", "--database", &db]);
    assert!(again.stdout.contains("0 anonymised, 0 deleted, 1 kept"), "{}", again.stdout);

    let lift =
        jejak(&["retention", "lift", &hold_id, "--reason", "perkara selesai", "--database", &db]);
    assert_eq!(lift.code, 0, "{}", lift.stderr);
    let holds = jejak(&["retention", "holds", "--all", "--database", &db]);
    assert!(holds.stdout.contains("NIK 1803********0001"), "{}", holds.stdout);
    assert!(holds.stdout.contains("perkara selesai"), "{}", holds.stdout);
    let run = jejak(&["retention", "run", "--as-of", "2031-01-01", "--database", &db]);
    assert!(run.stdout.contains("1 anonymised, 0 deleted, 0 kept"), "{}", run.stdout);

    let out = dir.path().join("all.csv");
    assert_eq!(jejak(&["export", "--out", out.to_str().unwrap(), "--database", &db]).code, 0);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("Joko"), "{text}");
    assert!(!text.contains("1803011201900001"), "{text}");
    assert!(text.contains("KTB-2,KTB,2020-02-03,"), "the record and its dates stay: {text}");
    let verify = jejak(&["audit", "verify", "--database", &db]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
    // Screening builds over anonymised records, and they are nobody's any more.
    let report = dir.path().join("joko.json");
    let run = jejak(&[
        "subject-report",
        "--nik",
        "1803011201900001",
        "--out",
        report.to_str().unwrap(),
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(": 0 application(s)"), "{}", run.stdout);
}

#[test]
fn a_subject_report_lists_the_persons_records_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "register.db");
    small_register(&db, dir.path());
    assert_eq!(
        jejak(&[
            "retention",
            "hold",
            "--application",
            "KLA/KLA-1",
            "--reason",
            "banding",
            "--database",
            &db
        ])
        .code,
        0
    );
    let out = dir.path().join("subject.json");
    let run =
        jejak(&["subject-report", "--nik", NIK, "--out", out.to_str().unwrap(), "--database", &db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("NIK 1807********0003"), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let apps = report["applications"].as_array().unwrap();
    let ids: Vec<&str> =
        apps.iter().map(|a| a["application"]["application_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["KLA-1", "BDL-7"]);
    assert_eq!(apps[0]["application"]["applied_on"], "2020-02-03");
    assert_eq!(apps[0]["decisions"][0]["kind"], "deferred");
    assert_eq!(apps[0]["decisions"][0]["decided_on"], "2020-02-04");
    assert_eq!(report["legal_holds"][0]["reason"], "banding");
    assert_eq!(report["audit_events"][0]["action"], "legal_hold.place");
    assert!(!report.to_string().contains("Joko"), "nobody else's data");

    let bad = jejak(&[
        "subject-report",
        "--nik",
        "12345",
        "--out",
        out.to_str().unwrap(),
        "--database",
        &db,
    ]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("--nik \"12345\""), "{}", bad.stderr);

    let events = runtime().block_on(async {
        let store = jejak_store::open(&db).await.unwrap();
        store.audit_events(0, 100).await.unwrap()
    });
    let last = events.last().unwrap();
    assert_eq!(last.action, "subject.report");
    assert_eq!(last.entity_id.as_deref(), Some("1807********0003"));
}

#[test]
fn logs_can_be_json_lines_for_a_log_collector() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    let csv = generated_csv(dir.path(), 30, 3);
    let csv = csv.to_str().unwrap();
    assert_eq!(jejak(&["import", "--database", &db, csv]).code, 0);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jejak"))
        .args(["--log-format", "json", "assess", "--input", csv, "--database", &db])
        .env("JEJAK_LOG", "info")
        .env_remove("JEJAK_DATABASE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let logs: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let built = logs
        .iter()
        .find(|l| l["fields"]["message"] == "match index built")
        .unwrap_or_else(|| panic!("no JSON log of the index build: {stderr}"));
    assert_eq!(built["level"], "INFO");
    assert!(built["fields"]["applications"].as_u64().is_some_and(|n| n > 0), "{built}");
    assert!(built["timestamp"].is_string());

    let run = jejak(&["--log-format", "xml", "office", "list", "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--log-format"), "{}", run.stderr);
}

/// The command line is an actor: its writes are audited under the operator it names
/// (`--user`), for the whole register (no office), and what it may not do is refused.
#[test]
fn console_writes_are_audited_under_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "register.db");
    let file = dir.path().join("one.csv");
    std::fs::write(
        &file,
        format!("{HEADER}KLA-1,KLA,2020-02-03,Suryani,{NIK},1995-03-12,issued,2020-02-04,\n"),
    )
    .unwrap();
    let run = jejak(&["import", file.to_str().unwrap(), "--database", &db, "--user", "ops.sri"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let backup = dir.path().join("backup.db");
    let run = jejak(&[
        "backup",
        "--out",
        backup.to_str().unwrap(),
        "--database",
        &db,
        "--user",
        "ops.sri",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = dir.path().join("audit.jsonl");
    let run = jejak(&[
        "audit",
        "export",
        "--out",
        out.to_str().unwrap(),
        "--database",
        &db,
        "--user",
        "ops.budi",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let events: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("application.import", "ops.sri"), ("register.backup", "ops.sri")]);
    assert!(events.iter().all(|e| e["office"].is_null()), "{events:?}");
}
