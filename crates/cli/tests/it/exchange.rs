//! `jejak exchange` end to end (issue 15): signed batch folders verified and applied all or
//! nothing (tampered, truncated, forged, replayed and out-of-order batches refused with
//! nothing written), an outbound batch holding only the documented fields, and the HTTP
//! adapter against a partner server the test starts (it hangs, answers 500, sends malformed
//! JSON or a bad signature) resuming at the right sequence. Every batch is audited with its
//! purpose and legal basis.

use std::path::Path;
use std::sync::{Arc, Mutex};

use jejak_exchange::{Batch, BatchHeader, Direction, SecretKey, write_batch};

use crate::support::jejak;

/// The partner's (SISKOP2MI's) signing key in these tests.
fn partner_key() -> SecretKey {
    SecretKey::from_bytes([9; 32])
}

fn cpmi_line(id: &str, name: &str, status: &str) -> String {
    format!(
        "{{\"cpmi_id\":\"{id}\",\"nik\":\"1807055203950003\",\"full_name\":\"{name}\",\"birth_date\":\"1995-03-12\",\"sex\":\"P\",\"destination_country\":\"MY\",\"p3mi_name\":\"PT Sinar Jaya Abadi\",\"status\":\"{status}\"}}\n"
    )
}

/// An inbound batch from the partner, signed with `key`.
fn inbound(sequence: u64, data: &str, key: &SecretKey) -> Batch {
    let header = BatchHeader {
        partner: "siskop2mi".into(),
        direction: Direction::Inbound,
        sequence,
        created_at: "2026-12-01T08:00:00Z".into(),
        record_kind: "cpmi_registration".into(),
    };
    Batch::seal(header, data.as_bytes().to_vec(), key).unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    db: String,
}

/// A register with SISKOP2MI configured as an exchange partner (`base_url` optional).
fn setup(base_url: Option<&str>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let db = format!("sqlite://{}", root.join("register.db").display());
    let key_file = root.join("our.key");
    let run = jejak(&["exchange", "keygen", "--out", key_file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim().len(), 44, "a base64 public key: {}", run.stdout);
    let again = jejak(&["exchange", "keygen", "--out", key_file.to_str().unwrap()]);
    assert_ne!(again.code, 0, "an existing key file is never overwritten");
    let public = partner_key().public().to_base64();
    let mut args = vec![
        "exchange",
        "partner",
        "add",
        "--name",
        "siskop2mi",
        "--public-key",
        &public,
        "--signing-key",
        key_file.to_str().unwrap(),
        "--legal-basis",
        "PKS/UJI/2026",
        "--database",
        &db,
    ];
    if let Some(url) = base_url {
        args.extend(["--base-url", url]);
    }
    let run = jejak(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    Setup { _dir: dir, root, db }
}

fn folder(root: &Path, name: &str, batch: &Batch) -> String {
    let dir = root.join(name);
    write_batch(&dir, batch).unwrap();
    dir.to_str().unwrap().to_owned()
}

async fn store(db: &str) -> Arc<dyn jejak_store::Store> {
    jejak_store::open(db).await.unwrap()
}

/// CPMI snapshots and the partner's received counter, as the register holds them.
async fn received(db: &str) -> (usize, i64) {
    let store = store(db).await;
    let snapshots = store.partner_snapshots(jejak_domain::PartnerKind::Cpmi).await.unwrap();
    let partner = store.exchange_partner("siskop2mi").await.unwrap().unwrap();
    (snapshots.len(), partner.last_received_seq)
}

/// The audit events of an action.
async fn audited(db: &str, action: &str) -> Vec<jejak_store::AuditEvent> {
    let store = store(db).await;
    let events = store.audit_events(0, 10_000).await.unwrap();
    events.into_iter().filter(|e| e.action == action).collect()
}

#[tokio::test]
async fn folder_batches_are_verified_and_every_bad_one_is_refused_with_nothing_written() {
    let s = setup(None);
    let key = partner_key();
    let first =
        folder(&s.root, "b1", &inbound(1, &cpmi_line("CPMI-1", "Suryani", "registered"), &key));
    let run = jejak(&["exchange", "verify", &first, "--database", &s.db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = jejak(&["exchange", "import", &first, "--database", &s.db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("batch 1 of siskop2mi applied: 1 CPMI record(s)"),
        "{}",
        run.stdout
    );
    assert_eq!(received(&s.db).await, (1, 1));

    let second = inbound(2, &cpmi_line("CPMI-1", "Suryani", "in_process"), &key);
    let mut tampered = second.clone();
    tampered.data = cpmi_line("CPMI-1", "Suryani", "departed").into_bytes();
    let mut truncated = second.clone();
    truncated.data.truncate(40);
    let forged =
        inbound(2, &cpmi_line("CPMI-1", "Suryani", "in_process"), &SecretKey::from_bytes([1; 32]));
    let gap = inbound(3, &cpmi_line("CPMI-1", "Suryani", "in_process"), &key);
    let cases = [
        (
            "replay",
            folder(
                &s.root,
                "replay",
                &inbound(1, &cpmi_line("CPMI-1", "Suryani", "registered"), &key),
            ),
            "a replay",
        ),
        ("tampered", folder(&s.root, "tampered", &tampered), "does not match the manifest"),
        ("truncated", folder(&s.root, "truncated", &truncated), "does not match the manifest"),
        ("forged", folder(&s.root, "forged", &forged), "signature does not verify"),
        ("gap", folder(&s.root, "gap", &gap), "out of order: the next batch expected is 2"),
    ];
    for (what, dir, reason) in &cases {
        let run = jejak(&["exchange", "verify", dir, "--database", &s.db]);
        assert_eq!(run.code, 2, "verify {what}: {}", run.stderr);
        assert!(run.stderr.contains(reason), "verify {what}: {}", run.stderr);
        let run = jejak(&["exchange", "import", dir, "--database", &s.db]);
        assert_eq!(run.code, 2, "import {what}: {}", run.stderr);
        assert!(run.stderr.contains(reason), "import {what}: {}", run.stderr);
        assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    }
    // A manifest edited after signing (here: the count) no longer verifies.
    let edited = folder(&s.root, "edited", &second);
    let manifest = Path::new(&edited).join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"record_count\": 1", "\"record_count\": 2")).unwrap();
    let run = jejak(&["exchange", "import", &edited, "--database", &s.db]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("signature does not verify"), "{}", run.stderr);
    // A bad record names its row; nothing is written either.
    let bad_row = format!(
        "{}{}",
        cpmi_line("CPMI-2", "Ani", "registered"),
        cpmi_line("CPMI-3", "Budi", "asleep")
    );
    let bad = folder(&s.root, "bad-row", &inbound(2, &bad_row, &key));
    let run = jejak(&["exchange", "import", &bad, "--database", &s.db]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("row 2, column status"), "{}", run.stderr);

    assert_eq!(received(&s.db).await, (1, 1), "no refused batch wrote anything");
    assert_eq!(audited(&s.db, "exchange.receive").await.len(), 1);

    // Without a register, a public key checks signature, hash and count.
    let public = key.public().to_base64();
    let good = folder(&s.root, "b2", &second);
    let run = jejak(&["exchange", "verify", &good, "--public-key", &public]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = jejak(&["exchange", "verify", &cases[1].1, "--public-key", &public]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    let run = jejak(&["exchange", "import", &good, "--database", &s.db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(received(&s.db).await, (2, 2));
    let events = audited(&s.db, "exchange.receive").await;
    assert_eq!(events.len(), 2);
    for e in &events {
        let purpose = e.purpose.as_deref().unwrap_or_default();
        assert!(purpose.contains("PKS/UJI/2026"), "legal basis in the audit: {purpose}");
        assert!(purpose.contains("PMI non-prosedural"), "purpose in the audit: {purpose}");
    }
    let store = store(&s.db).await;
    let history = store.cpmi_history("CPMI-1").await.unwrap();
    let statuses: Vec<_> = history.iter().map(|h| h.record.status.as_str()).collect();
    assert_eq!(statuses, ["registered", "in_process"], "each batch is a dated snapshot");
}

const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,address,phone,mother_name,father_name,occupation,purpose,destination_country,sponsor_name,sponsor_phone,outcome,outcome_reason,decided_on\n";

/// Two suspected PMI NP (deferred, rejected), one deferral for another reason, one issued,
/// one deferral whose reason is free text only.
const APPS: &str = "BDL-1,BDL,2026-10-01,Suryani binti Ahmad,1807054503950001,P,1995-03-05,Jl. Melati 7 Kalianda,081234567890,Siti Maryam,Ahmad Dahlan,petani,work,MY,PT Calo Jaya,081377778888,deferred,PMI_NP,2026-10-02\n\
BDL-2,BDL,2026-10-03,Joko Santoso,1871021208800003,L,1980-08-12,Jl. Mawar 2,081311112222,Rukmini,Slamet,buruh,tourism,SA,,,rejected,NO_CPMI_REC,2026-10-04\n\
BDL-3,BDL,2026-10-05,Dewi Lestari,1871024306900002,P,1990-06-03,Jl. Kenanga 9,081399990000,Sri,Bambang,guru,tourism,SG,,,deferred,DUPLICATE,2026-10-06\n\
BDL-4,BDL,2026-10-07,Rina Wati,1871024306910002,P,1991-06-03,Jl. Anggrek 1,081355554444,Ani,Budi,IRT,tourism,JP,,,issued,,2026-10-08\n\
BDL-5,BDL,2026-10-09,Sari Dewi,1871024306920002,P,1992-06-03,Jl. Flamboyan 3,081366665555,Ina,Eko,IRT,work,MY,,,deferred,dia bilang mau kerja di kebun sawit,2026-10-10\n";

#[tokio::test]
async fn an_outbound_batch_holds_only_the_documented_fields_since_the_last_acknowledgement() {
    let s = setup(None);
    let apps = s.root.join("apps.csv");
    std::fs::write(&apps, format!("{HEADER}{APPS}")).unwrap();
    let run = jejak(&["import", apps.to_str().unwrap(), "--database", &s.db]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let out = s.root.join("out1");
    let run = jejak(&[
        "exchange",
        "export",
        "--partner",
        "siskop2mi",
        "--out",
        out.to_str().unwrap(),
        "--database",
        &s.db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("batch 1 for siskop2mi with 2 record(s)"), "{}", run.stdout);
    let run = jejak(&["exchange", "verify", out.to_str().unwrap(), "--database", &s.db]);
    assert_eq!(run.code, 0, "our own batch verifies with our key: {}", run.stderr);

    let data = std::fs::read_to_string(out.join("data.jsonl")).unwrap();
    let records: Vec<serde_json::Value> =
        data.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 2);
    for record in &records {
        let keys: Vec<&str> = record.as_object().unwrap().keys().map(String::as_str).collect();
        let mut documented = jejak_service::exchange::OUTBOUND_FIELDS.to_vec();
        documented.sort_unstable();
        let mut found = keys.clone();
        found.sort_unstable();
        assert_eq!(found, documented, "exactly the documented fields");
    }
    assert_eq!(records[0]["full_name"], "Suryani binti Ahmad");
    assert_eq!(records[0]["nik"], "1807054503950001");
    assert_eq!(records[0]["decision"], "deferred");
    assert_eq!(records[0]["reason_codes"], serde_json::json!(["PMI_NP"]));
    assert_eq!(records[1]["decision"], "rejected");
    for absent in [
        "Melati",
        "081234567890",
        "Siti Maryam",
        "Ahmad Dahlan",
        "petani",
        "PT Calo Jaya",
        "081377778888",
        "Dewi Lestari",
        "Rina Wati",
        "Sari Dewi",
        "sawit",
        "work",
    ] {
        assert!(!data.contains(absent), "{absent:?} must not leave the register: {data}");
    }

    // Not acknowledged yet: the same batch again, byte for byte.
    let again = s.root.join("out1-again");
    let run = jejak(&[
        "exchange",
        "export",
        "--partner",
        "siskop2mi",
        "--out",
        again.to_str().unwrap(),
        "--database",
        &s.db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(again.join("data.jsonl")).unwrap(), data.as_bytes());
    assert_eq!(
        std::fs::read(again.join("manifest.json")).unwrap(),
        std::fs::read(out.join("manifest.json")).unwrap()
    );

    let run = jejak(&[
        "exchange",
        "ack",
        "--partner",
        "siskop2mi",
        "--sequence",
        "2",
        "--database",
        &s.db,
    ]);
    assert_ne!(run.code, 0, "batch 2 was never sent");
    let run = jejak(&[
        "exchange",
        "ack",
        "--partner",
        "siskop2mi",
        "--sequence",
        "1",
        "--database",
        &s.db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let nothing = s.root.join("out2");
    let run = jejak(&[
        "exchange",
        "export",
        "--partner",
        "siskop2mi",
        "--out",
        nothing.to_str().unwrap(),
        "--database",
        &s.db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("nothing to send"), "{}", run.stderr);
    assert!(!nothing.exists());

    let sent = audited(&s.db, "exchange.send").await;
    assert_eq!(sent.len(), 2, "each folder written is audited");
    for e in &sent {
        assert!(e.purpose.as_deref().unwrap_or_default().contains("PKS/UJI/2026"), "{e:?}");
    }
    assert_eq!(audited(&s.db, "exchange.prepare").await.len(), 1);
    assert_eq!(audited(&s.db, "exchange.acknowledge").await.len(), 1);
}

/// How the test partner answers `GET /x/batches`.
#[derive(Clone)]
enum Answer {
    Hang,
    Status500,
    Malformed,
    Batches(Vec<Batch>),
}

#[derive(Default)]
struct Partner {
    answer: Option<Answer>,
    /// The `after` of every batch request, in order.
    asked_after: Vec<u64>,
    acknowledged: Vec<u64>,
    /// Batches pushed to the partner, and whether it accepts them.
    pushed: Vec<Batch>,
    refuse_pushes: bool,
}

/// A partner's exchange endpoint on 127.0.0.1 at `/x`.
async fn partner_server(state: Arc<Mutex<Partner>>) -> String {
    use axum::extract::{Query, State};
    use axum::response::IntoResponse;
    async fn batches(
        State(state): State<Arc<Mutex<Partner>>>,
        Query(q): Query<std::collections::HashMap<String, String>>,
    ) -> axum::response::Response {
        let after: u64 = q["after"].parse().unwrap();
        let answer = {
            let mut s = state.lock().unwrap();
            s.asked_after.push(after);
            s.answer.clone().unwrap()
        };
        match answer {
            Answer::Hang => std::future::pending::<axum::response::Response>().await,
            Answer::Status500 => {
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down").into_response()
            }
            Answer::Malformed => "{\"batches\": [ {\"manifest\": ".into_response(),
            Answer::Batches(all) => {
                let batches: Vec<_> = all
                    .iter()
                    .filter(|b| b.manifest.sequence > after)
                    .map(|b| jejak_exchange::WireBatch::from_batch(b).unwrap())
                    .collect();
                axum::Json(jejak_exchange::WireBatches { batches }).into_response()
            }
        }
    }
    async fn acknowledge(
        State(state): State<Arc<Mutex<Partner>>>,
        axum::Json(ack): axum::Json<serde_json::Value>,
    ) -> &'static str {
        state.lock().unwrap().acknowledged.push(ack["sequence"].as_u64().unwrap());
        "{}"
    }
    async fn take_batch(
        State(state): State<Arc<Mutex<Partner>>>,
        axum::Json(wire): axum::Json<jejak_exchange::WireBatch>,
    ) -> axum::response::Response {
        let mut s = state.lock().unwrap();
        if s.refuse_pushes {
            return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
        }
        let sequence = wire.manifest.sequence;
        s.pushed.push(wire.into_batch());
        axum::Json(serde_json::json!({"acknowledged": sequence})).into_response()
    }
    let app = axum::Router::new()
        .route("/x/batches", axum::routing::get(batches).post(take_batch))
        .route("/x/acknowledgements", axum::routing::post(acknowledge))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/x", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn pull(db: &str) -> crate::support::Run {
    let db = db.to_owned();
    tokio::task::spawn_blocking(move || {
        jejak(&[
            "exchange",
            "pull",
            "--partner",
            "siskop2mi",
            "--timeout-ms",
            "300",
            "--retries",
            "2",
            "--backoff-ms",
            "10",
            "--database",
            &db,
        ])
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_adapter_survives_a_failing_partner_and_resumes_at_the_right_sequence() {
    let state = Arc::new(Mutex::new(Partner::default()));
    let url = partner_server(state.clone()).await;
    let s = setup(Some(&url));
    let key = partner_key();
    let set = |answer: Answer| state.lock().unwrap().answer = Some(answer);
    let asked =
        |state: &Arc<Mutex<Partner>>| std::mem::take(&mut state.lock().unwrap().asked_after);

    set(Answer::Hang);
    let run = pull(&s.db).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no answer within 300 ms (after 3 attempt(s))"), "{}", run.stderr);
    assert_eq!(asked(&state), [0, 0, 0], "two retries");

    set(Answer::Status500);
    let run = pull(&s.db).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 500 Internal Server Error: down"), "{}", run.stderr);
    assert_eq!(asked(&state).len(), 3);

    set(Answer::Malformed);
    let run = pull(&s.db).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is not the expected JSON"), "{}", run.stderr);
    assert_eq!(asked(&state).len(), 1, "a malformed answer is not retried");

    let forged =
        inbound(1, &cpmi_line("CPMI-1", "Suryani", "registered"), &SecretKey::from_bytes([1; 32]));
    set(Answer::Batches(vec![forged]));
    let run = pull(&s.db).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("signature does not verify"), "{}", run.stderr);
    assert_eq!(received(&s.db).await, (0, 0), "nothing written by any failure");
    assert!(state.lock().unwrap().acknowledged.is_empty());

    let good: Vec<Batch> = (1..=3)
        .map(|n| inbound(n, &cpmi_line(&format!("CPMI-{n}"), "Suryani", "registered"), &key))
        .collect();
    let mut tampered = inbound(4, &cpmi_line("CPMI-4", "Suryani", "registered"), &key);
    tampered.data = cpmi_line("CPMI-4", "Suryani", "departed").into_bytes();
    set(Answer::Batches(vec![good[0].clone(), good[1].clone()]));
    asked(&state);
    let run = pull(&s.db).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2 batch(es) applied, last received 2"), "{}", run.stdout);
    assert_eq!(received(&s.db).await, (2, 2));
    assert_eq!(asked(&state), [0]);

    set(Answer::Batches(vec![good[0].clone(), good[1].clone(), good[2].clone(), tampered]));
    let run = pull(&s.db).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("batch 4 from siskop2mi refused"), "{}", run.stderr);
    assert_eq!(received(&s.db).await, (3, 3), "batch 3 applied whole, batch 4 not at all");
    assert_eq!(asked(&state), [2], "resumed after the last batch applied");
    assert_eq!(state.lock().unwrap().acknowledged, [2, 3]);

    let run = pull(&s.db).await;
    assert_eq!(asked(&state), [3], "and again from there");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(audited(&s.db, "exchange.receive").await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_push_sends_what_is_unacknowledged_and_records_the_acknowledgement() {
    let state = Arc::new(Mutex::new(Partner::default()));
    let url = partner_server(state.clone()).await;
    let s = setup(Some(&url));
    let apps = s.root.join("apps.csv");
    std::fs::write(&apps, format!("{HEADER}{APPS}")).unwrap();
    let run = jejak(&["import", apps.to_str().unwrap(), "--database", &s.db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let push = |db: String| {
        tokio::task::spawn_blocking(move || {
            jejak(&[
                "exchange",
                "push",
                "--partner",
                "siskop2mi",
                "--timeout-ms",
                "2000",
                "--retries",
                "1",
                "--backoff-ms",
                "10",
                "--database",
                &db,
            ])
        })
    };

    state.lock().unwrap().refuse_pushes = true;
    let run = push(s.db.clone()).await.unwrap();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("HTTP 503 Service Unavailable: busy (after 2 attempt(s))"),
        "{}",
        run.stderr
    );
    let partner = store(&s.db).await.exchange_partner("siskop2mi").await.unwrap().unwrap();
    assert_eq!((partner.last_sent_seq, partner.last_acknowledged_seq), (1, 0));

    state.lock().unwrap().refuse_pushes = false;
    let run = push(s.db.clone()).await.unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("sent up to batch 1, acknowledged up to 1"), "{}", run.stdout);
    let pushed = std::mem::take(&mut state.lock().unwrap().pushed);
    assert_eq!(pushed.len(), 1, "the same batch 1 again, not a new one");
    assert_eq!((pushed[0].manifest.sequence, pushed[0].manifest.record_count), (1, 2));

    let run = push(s.db.clone()).await.unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(state.lock().unwrap().pushed.is_empty(), "nothing unacknowledged is left");
    let sent = audited(&s.db, "exchange.send").await;
    assert_eq!(sent.len(), 1, "only the batch that reached the partner counts as sent");
}
