//! Issue 18's two-server casework walk: two `jejak serve` processes on one register (one
//! PostgreSQL database, and one SQLite file) take turns on a whole case. Register on A, an
//! import checked on A and confirmed on B, screen on B (B's refresher has caught up with A's
//! write, and A's with B's import), decide on A (A's assessment sees a deferral recorded on
//! B, so issuing waits for a supervisor), review on B (a supervisor approves), and the audit
//! chain both servers wrote stays intact.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::security::{
    Reply, Server, actions, audit_events, http, key_of, login, multipart, post_import,
    postgres_register, register,
};
use crate::support::{add_user, jejak};

/// Suryani (BDL-7 and KLA-9 in the register) applying again at KLA.
const SURYANI_AGAIN: &str = r#"{"application_id":"KLA-20","applied_on":"2026-11-02","full_name":"Soeryani binti Ahmad","nik":"1807054503950001","sex":"P","birth_date":"1995-03-05","phone":"081234567890","mother_name":"Aminah"}"#;

/// A new applicant, imported.
const DEWI_CSV: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,mother_name\n\
KLA-21,KLA,2026-11-03,Dewi Anggraini,1807055207980002,P,1998-07-12,Kartini\n";

const SCREEN: &str =
    "/api/v1/screen?purpose=verifikasi%20identitas&purpose_text=skrining%20pemohon%20baru";

/// The other server's refresher polls the register every 200 ms: what one server wrote is
/// asked of the other until it shows (at most 30 s, far beyond any refresh).
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not seen within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A logged-in user's session cookie and CSRF token (from the logout form on the home page).
struct Session {
    cookie: String,
    csrf: String,
}

fn session(addr: &str, user: &str) -> Session {
    let cookie = login(addr, user);
    let csrf = http(addr, "GET", "/", &[("Cookie", &cookie)], b"").field("_csrf").unwrap();
    Session { cookie, csrf }
}

fn json_headers(session: &Session) -> [(&str, &str); 3] {
    [
        ("Cookie", &session.cookie),
        ("X-CSRF-Token", &session.csrf),
        ("Content-Type", "application/json"),
    ]
}

/// The application ids among a screening's candidates.
fn candidate_ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["application_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_case_walks_through_two_servers_on_one_register_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = postgres_register(dir.path(), "two_servers_walk") else { return };
    casework_walk(&db, dir.path());
}

#[test]
fn a_case_walks_through_two_servers_on_one_register_file() {
    let dir = tempfile::tempdir().unwrap();
    casework_walk(&register(dir.path()), dir.path());
}

fn casework_walk(db: &str, dir: &Path) {
    add_user(db, "kasi.kla", "supervisor", "KLA");
    let a = Server::start(db, None, &[]);
    let b = Server::start(db, None, &[]);
    // Sessions live in the register: one login serves on both.
    let kla = session(&a.addr, "petugas.kla");

    // Register on A.
    let created = http(
        &a.addr,
        "POST",
        "/api/v1/applications",
        &json_headers(&kla),
        SURYANI_AGAIN.as_bytes(),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.json()["key"].as_i64().unwrap();

    // An import checked on A and confirmed on B (the upload waits in the register).
    let file = Some(("baru.csv", DEWI_CSV.as_bytes()));
    let checked = post_import(&a.addr, &kla.cookie, &multipart(&kla.csrf, file, None));
    assert_eq!(checked.status, 200, "{}", checked.body);
    let token = checked.field("confirm").unwrap();
    let confirmed = post_import(&b.addr, &kla.cookie, &multipart(&kla.csrf, None, Some(&token)));
    assert_eq!(confirmed.status, 200, "confirmed on B: {}", confirmed.body);
    assert!(confirmed.body.contains("1 permohonan diimpor"), "{}", confirmed.body);

    // Screen on B: the application registered on A is a candidate; and A finds the row
    // imported on B.
    let suryani = br#"{"application_id":"KLA-30","applied_on":"2026-11-04","full_name":"Suryani","nik":"1807054503950001","sex":"P","birth_date":"1995-03-05"}"#;
    let on_b = eventually("B screening finds KLA-20 registered on A", || {
        let ids = candidate_ids(&http(&b.addr, "POST", SCREEN, &json_headers(&kla), suryani));
        ids.iter().any(|id| id == "KLA-20").then_some(ids)
    });
    assert!(on_b.iter().any(|id| id == "BDL-7"), "{on_b:?}");
    let dewi = br#"{"application_id":"KLA-31","applied_on":"2026-11-04","full_name":"Dewi Anggraini","nik":"1807055207980002","sex":"P","birth_date":"1998-07-12"}"#;
    eventually("A screening finds KLA-21 imported on B", || {
        let ids = candidate_ids(&http(&a.addr, "POST", SCREEN, &json_headers(&kla), dewi));
        ids.iter().any(|id| id == "KLA-21").then_some(())
    });

    // BDL defers Suryani's earlier application on B; deciding KLA-20 on A then needs a
    // supervisor, once A's assessment sees the deferral.
    let bdl = session(&b.addr, "petugas.bdl");
    let bdl7 = key_of(&b.addr, &bdl.cookie, "BDL-7");
    let deferral = br#"{"kind":"deferred","reason_codes":["PMI_NP"],"deferral_until":"2099-06-01","expected_version":1}"#;
    let path = format!("/api/v1/applications/{bdl7}/decisions");
    let deferred = http(&b.addr, "POST", &path, &json_headers(&bdl), deferral);
    assert_eq!(deferred.status, 201, "{}", deferred.body);
    let exam_path = format!("/api/v1/applications/{key}");
    let version = eventually("A's assessment of KLA-20 sees the deferral recorded on B", || {
        let exam = http(&a.addr, "GET", &exam_path, &[("Cookie", &kla.cookie)], b"").json();
        let grounds = exam["issue_needs_review"].as_str().unwrap_or_default().to_owned();
        grounds.contains("R12B").then(|| exam["application"]["version"].as_i64().unwrap())
    });
    let issue = format!(r#"{{"kind":"issued","expected_version":{version}}}"#);
    let path = format!("/api/v1/applications/{key}/decisions");
    let decided = http(&a.addr, "POST", &path, &json_headers(&kla), issue.as_bytes());
    assert_eq!(decided.status, 202, "issuing waits for a supervisor: {}", decided.body);
    let review = decided.json()["review"]["id"].as_i64().unwrap();

    // Review on B: the supervisor finds the request there and approves it.
    let kasi = session(&b.addr, "kasi.kla");
    let waiting = http(&b.addr, "GET", "/api/v1/reviews", &[("Cookie", &kasi.cookie)], b"").json();
    assert!(waiting.as_array().unwrap().iter().any(|r| r["id"] == review), "{waiting}");
    let path = format!("/api/v1/reviews/{review}");
    let approved = http(&b.addr, "POST", &path, &json_headers(&kasi), br#"{"approve":true}"#);
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.json()["status"], "approved");

    // Back on A: KLA-20 is issued, and the audit chain both servers wrote holds.
    let exam = http(&a.addr, "GET", &exam_path, &[("Cookie", &kla.cookie)], b"").json();
    assert_eq!(exam["application"]["application"]["outcome"], "issued", "{exam}");
    drop((a, b));
    let verified = jejak(&["audit", "verify", "--database", db]);
    assert_eq!(verified.code, 0, "{}{}", verified.stdout, verified.stderr);
    let events = audit_events(db, dir);
    for (action, count) in [
        ("application.create", 1),
        ("import.held", 1),
        ("review.request", 1),
        ("review.resolve", 1),
    ] {
        assert_eq!(actions(&events, action), count, "{action}");
    }
}
