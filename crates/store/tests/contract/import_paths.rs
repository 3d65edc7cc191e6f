//! One import, three write paths: PostgreSQL's `COPY`, the bound multi-row `INSERT`s an
//! in-memory SQLite register still uses (PostgreSQL's path before `COPY`), and a SQLite
//! file's bulk importer. The registers they leave must hold the same rows, decisions,
//! change numbers and audit entries.

use std::sync::Arc;

use jejak_domain::{IdentifierField, NewApplication, Office, Outcome};
use jejak_store::{ConflictPolicy, Store, verify_chain};
use sqlx::{Connection, Row};

use crate::behaviour::ctx;

/// Generated applications (outcomes, invalid identifiers kept as written) and a few rows
/// with text that a text-format `COPY` would have to escape.
fn rows() -> Vec<NewApplication> {
    let config = jejak_synth::Config { persons: 1_500, seed: 11, ..Default::default() };
    let mut rows = jejak_synth::generate(&config).applications;
    let template = rows[0].clone();
    let odd =
        ["Tab\there", "Line\nbreak\r\n", "Back\\slash \\N \\.", "Quote ' \" ; -- é ñ 漢字", ""];
    for (i, text) in odd.iter().enumerate() {
        let mut app = template.clone();
        app.application_id = format!("{}-ODD{i}", template.office_code);
        app.full_name = format!("Nama {text}");
        app.address = Some((*text).to_owned());
        app.outcome_reason = Some(format!("alasan {text}"));
        app.outcome = Outcome::Rejected;
        app.set_invalid(IdentifierField::Nik, format!("12{text}34"));
        rows.push(app);
    }
    assert!(rows.iter().any(|a| a.outcome == Outcome::Pending));
    assert!(rows.iter().any(|a| a.decided_on.is_some()));
    rows
}

/// Every column of every application, in key order, as text (flags as 0/1).
async fn raw_applications(url: &str) -> Vec<Vec<Option<String>>> {
    let columns = "id, office_code, application_id, applied_on, full_name, nik, sex, birth_date, \
        birth_place, address, village_code, phone, mother_name, father_name, occupation, purpose, \
        destination_country, previous_passport_no, sponsor_name, sponsor_phone, cpmi_id, outcome, \
        outcome_reason, decided_on, source_hash, version, change_seq, nik_valid, phone_valid, \
        sponsor_phone_valid, previous_passport_no_valid";
    let sql = format!("select {columns} from applications order by id");
    let ints = [0, 25, 26];
    if url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut c).await.unwrap();
        rows.iter()
            .map(|r| {
                (0..31)
                    .map(|i| {
                        if ints.contains(&i) || i >= 27 {
                            Some(r.get::<i64, _>(i).to_string())
                        } else {
                            r.get::<Option<String>, _>(i)
                        }
                    })
                    .collect()
            })
            .collect()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).fetch_all(&mut c).await.unwrap();
        rows.iter()
            .map(|r| {
                (0..31)
                    .map(|i| {
                        if ints.contains(&i) {
                            Some(r.get::<i64, _>(i).to_string())
                        } else if i >= 27 {
                            Some(i64::from(r.get::<bool, _>(i)).to_string())
                        } else {
                            r.get::<Option<String>, _>(i)
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

async fn import(store: &Arc<dyn Store>, rows: &[NewApplication]) {
    for office in Office::lampung_pilot() {
        store.save_office(&office, &ctx()).await.unwrap();
    }
    let outcome = store.import(rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((outcome.inserted, outcome.committed), (rows.len(), true));
}

#[tokio::test]
async fn copy_stores_what_the_insert_paths_store() {
    let Some(pg_url) = jejak_testkit::fresh_postgres_url("import_paths").await else { return };
    let dir = tempfile::tempdir().unwrap();
    let file_url = format!("sqlite://{}", dir.path().join("register.db").display());
    let rows = rows();
    let pg = jejak_store::open(&pg_url).await.unwrap();
    let memory = jejak_store::open("sqlite::memory:").await.unwrap();
    let file = jejak_store::open(&file_url).await.unwrap();
    for store in [&pg, &memory, &file] {
        import(store, &rows).await;
    }

    let applications = pg.applications_changed_since(0, 100_000).await.unwrap();
    assert_eq!(applications.len(), rows.len());
    let decisions = pg.decisions_changed_since(0, 100_000).await.unwrap();
    assert!(decisions.len() > 100, "{}", decisions.len());
    let events = pg.audit_events(0, 100_000).await.unwrap();
    assert_eq!(verify_chain(&events).first_failure, None);
    for other in [&memory, &file] {
        assert_eq!(other.applications_changed_since(0, 100_000).await.unwrap(), applications);
        assert_eq!(other.decisions_changed_since(0, 100_000).await.unwrap(), decisions);
        assert_eq!(other.audit_events(0, 100_000).await.unwrap(), events);
        assert_eq!(
            other.current_change_seq().await.unwrap(),
            pg.current_change_seq().await.unwrap()
        );
    }
    // Content hashes and validity flags are not read back into applications: compare the
    // stored columns themselves.
    assert_eq!(raw_applications(&pg_url).await, raw_applications(&file_url).await);

    // Re-importing finds every row unchanged by its stored hash.
    let again = pg.import(&rows, ConflictPolicy::Abort, &ctx()).await.unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, rows.len()));
}
