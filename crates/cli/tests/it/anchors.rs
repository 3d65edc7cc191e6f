//! Keyed audit anchoring (issue 20): `jejak audit keygen`, `audit anchor` and `audit verify
//! --key` against an attacker who can write the database and knows the hashing scheme, on
//! SQLite and PostgreSQL.

use std::path::Path;

use sqlx::Connection;

use crate::support::jejak;

const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,birth_date,outcome,decided_on,outcome_reason\n";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Imports one application (one audit entry).
fn import_one(db: &str, dir: &Path, id: u32) {
    let file = dir.join(format!("part{id}.csv"));
    let row = format!("KLA-{id},KLA,2024-02-03,Suryani {id},,1995-03-12,issued,2024-02-10,\n");
    std::fs::write(&file, format!("{HEADER}{row}")).unwrap();
    let run = jejak(&["import", file.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Runs SQL on the register as someone with database access would: the append-only
/// triggers of the audit log and of the anchors dropped first.
fn tamper(db: &str, sql: &str) {
    runtime().block_on(async {
        if db.starts_with("sqlite") {
            let mut c = sqlx::SqliteConnection::connect(db).await.unwrap();
            let drop = "drop trigger if exists audit_events_no_update; drop trigger if exists audit_events_no_delete; drop trigger if exists audit_anchors_no_update; drop trigger if exists audit_anchors_no_delete;";
            sqlx::raw_sql(drop).execute(&mut c).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        } else {
            let mut c = sqlx::PgConnection::connect(db).await.unwrap();
            let sql = format!(
                "alter table audit_events disable trigger user; alter table audit_anchors disable trigger user; {sql}"
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap();
        }
    });
}

/// Rewrites entry `seq`'s details and recomputes every hash from it to the head, as an
/// attacker who knows the scheme would; returns the new hashes by sequence number.
fn rewrite_from(db: &str, seq: i64) -> Vec<(i64, String)> {
    let events = runtime().block_on(async {
        let store = jejak_store::open(db).await.unwrap();
        store.audit_events(0, 1_000).await.unwrap()
    });
    let mut sql = String::new();
    let mut hashes = Vec::new();
    let mut prev = events[usize::try_from(seq).unwrap() - 2].hash.clone();
    for mut e in events.into_iter().filter(|e| e.seq >= seq) {
        if e.seq == seq {
            e.details = "{\"rewritten\":true}".into();
        }
        e.prev_hash = prev;
        e.hash = e.compute_hash();
        sql.push_str(&format!(
            "update audit_events set details = '{}', prev_hash = '{}', hash = '{}' where seq = {};\n",
            e.details, e.prev_hash, e.hash, e.seq
        ));
        prev = e.hash.clone();
        hashes.push((e.seq, e.hash));
    }
    tamper(db, &sql);
    hashes
}

fn anchor_story(db: &str, dir: &Path) {
    for id in 1..=3 {
        import_one(db, dir, id);
    }
    let key = dir.join("anchor.key");
    let key_arg = key.to_str().unwrap();
    let run = jejak(&["audit", "keygen", "--out", key_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = run.stdout.trim().to_owned();
    let public_file = dir.join("anchor.key.pub");
    assert_eq!(std::fs::read_to_string(&public_file).unwrap().trim(), public);
    let public_arg = public_file.to_str().unwrap();

    // Before any anchor, a keyed verification has nothing to vouch for the chain.
    let run = jejak(&["audit", "verify", "--database", db, "--key", &public]);
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("BROKEN: no signed anchors"), "{}", run.stdout);

    let run = jejak(&["audit", "anchor", "--key", key_arg, "--database", db]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("anchor 1 signed: entry 3 has hash "), "{}", run.stdout);
    let run = jejak(&["audit", "anchor", "--key", key_arg, "--database", db]);
    assert!(run.stdout.contains("has not moved since anchor 1"), "{}", run.stdout);

    // A chain extended after the last anchor still verifies.
    import_one(db, dir, 4);
    let run = jejak(&["audit", "verify", "--database", db, "--key", public_arg]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("OK: 4 audit entries verified"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 signed anchor(s) verified; the newest, anchor 1")
            && run.stdout.contains("vouches for entries up to 3 (entries after it"),
        "{}",
        run.stdout
    );
    let run = jejak(&["audit", "anchor", "--key", key_arg, "--database", db]);
    assert!(run.stdout.starts_with("anchor 2 signed: entry 4 "), "{}", run.stdout);
    import_one(db, dir, 5);

    // A wrong public key is refused as such, and a secret key is never taken for one.
    let other = dir.join("other.key");
    let run = jejak(&["audit", "keygen", "--out", other.to_str().unwrap()]);
    let other_public = run.stdout.trim().to_owned();
    let run = jejak(&["audit", "verify", "--database", db, "--key", &other_public]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("wrong public key: none of the 2 audit anchors was made with")
            && run.stderr.contains(&public),
        "{}",
        run.stderr
    );
    let run = jejak(&["audit", "verify", "--database", db, "--key", key_arg]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is a secret signing key; give the public key"), "{}", run.stderr);
    let run = jejak(&["audit", "verify", "--database", db, "--key", "bm90IGEga2V5"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("a public key is 32 bytes of base64"), "{}", run.stderr);
    // An exchange key is not an anchor key.
    let exchange_key = dir.join("exchange.key");
    jejak(&["exchange", "keygen", "--out", exchange_key.to_str().unwrap()]);
    let run =
        jejak(&["audit", "anchor", "--key", exchange_key.to_str().unwrap(), "--database", db]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is an exchange signing key"), "{}", run.stderr);

    // The chain rewritten from entry 2 with every hash recomputed: the unkeyed walk passes,
    // the anchors do not, and it is not signed again.
    let rewritten = rewrite_from(db, 2);
    let run = jejak(&["audit", "verify", "--database", db]);
    assert_eq!(run.code, 0, "the rewritten chain links: {}", run.stdout);
    let run = jejak(&["audit", "verify", "--database", db, "--key", public_arg]);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains(
            "BROKEN: audit entry 3 rewritten: its hash is not the one signed anchor 1 vouches for"
        ),
        "{}",
        run.stdout
    );
    let run = jejak(&["audit", "anchor", "--key", key_arg, "--database", db]);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains("REFUSED: invalid input: audit entry 4 is not the one anchor 2 signed"),
        "{}",
        run.stdout
    );

    // The attacker moves the anchors to the new hashes: their signatures no longer verify.
    let new_hash = |seq: i64| rewritten.iter().find(|(s, _)| *s == seq).unwrap().1.clone();
    tamper(
        db,
        &format!(
            "update audit_anchors set hash = '{}' where n = 1; update audit_anchors set hash = '{}' where n = 2;",
            new_hash(3),
            new_hash(4)
        ),
    );
    let run = jejak(&["audit", "verify", "--database", db, "--key", public_arg]);
    assert_ne!(run.code, 0);
    assert!(
        run.stdout.contains("BROKEN: audit anchor 1: its signature does not verify (forged"),
        "{}",
        run.stdout
    );
}

#[test]
fn audit_anchors_catch_a_rewritten_chain_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    anchor_story(&db, dir.path());
}

#[test]
fn audit_anchors_catch_a_rewritten_chain_on_postgres() {
    let Some(db) = runtime().block_on(jejak_testkit::fresh_postgres_url("cli_anchor")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    anchor_story(&db, dir.path());
}

#[test]
fn the_server_anchors_the_chain_when_given_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    import_one(&db, dir.path(), 1);
    let key = dir.path().join("anchor.key");
    let run = jejak(&["audit", "keygen", "--out", key.to_str().unwrap()]);
    let public = run.stdout.trim().to_owned();
    let config = dir.path().join("jejak.toml");
    std::fs::write(
        &config,
        format!("[audit]\nanchor_key = \"{}\"\nanchor_every_minutes = 60\n", key.display()),
    )
    .unwrap();

    // A key the server cannot read stops it at start, naming the file.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[audit]\nanchor_key = \"/nonexistent/anchor.key\"\n").unwrap();
    let run = jejak(&[
        "serve",
        "--database",
        &db,
        "--bind",
        "127.0.0.1:0",
        "--config",
        bad.to_str().unwrap(),
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("cannot read the anchor key /nonexistent/anchor.key"),
        "{}",
        run.stderr
    );

    // The first anchoring happens at start; wait for it (the server keeps running meanwhile).
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_jejak"))
        .args(["serve", "--database", &db, "--bind", "127.0.0.1:0", "--config"])
        .arg(&config)
        .env_remove("JEJAK_DATABASE")
        .env_remove("JEJAK_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut verified = None;
    for _ in 0..300 {
        let run = jejak(&["audit", "verify", "--database", &db, "--key", &public]);
        if run.code == 0 {
            verified = Some(run.stdout);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = server.kill();
    let _ = server.wait();
    let verified = verified.expect("the server anchored the chain");
    assert!(verified.contains("1 signed anchor(s) verified; the newest, anchor 1"), "{verified}");
}

#[test]
fn the_sample_deploy_configuration_is_accepted() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/jejak.toml");
    let run = jejak(&["config", "check", "--config", sample]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("client_address_header = \"x-forwarded-for\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("[audit]") && run.stdout.contains("anchor_every_minutes = 15"),
        "{}",
        run.stdout
    );
}
