//! Nothing lost on import (issue 17 item 4): a legacy sheet with mistyped NIKs (15 digits, a
//! birth part that is no date, a letter for a digit) and an impossible phone imports every
//! row, each identifier kept exactly as written, flagged and warned about by file, row and
//! column; export writes them back as stored; and the identity engine still finds the person
//! from a correctly typed NIK or name and birth date. On both backends.

use crate::support::{count, jejak};

const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,village_code,phone,outcome,decided_on\n";

/// The old Kalianda sheet: three NIKs mistyped, one phone impossible.
const LEGACY: &str = "\
KLA-2019-001,KLA,2019-05-02,Suryani binti Karto,180705520395003,P,1995-03-12,18.07.05.2001,,ditunda,2019-05-06
KLA-2019-002,KLA,2019-06-11,Siti Rahmawati,1807057212880002,P,1988-12-07,18.07.05.2004,,ditolak,2019-06-20
KLA-2019-003,KLA,2019-07-01,Joko Susilo,1871O21208800003,L,1980-08-12,18.71.01.1003,,,
KLA-2019-004,KLA,2019-07-03,Dewi Lestari,1807054107900001,P,1990-07-01,18.07.05.2001,0812-345,,
";

/// The same persons applying again in Bandar Lampung, NIKs typed correctly at the desk.
const AGAIN: &str = "\
BDL-2025-001,BDL,2025-02-03,Suryani binti Karto,1807055203950003,P,1995-03-12,18.07.05.2001,,,
BDL-2025-002,BDL,2025-02-03,Siti Rahmawati,1807054712880002,P,1988-12-07,18.07.05.2004,,,
BDL-2025-003,BDL,2025-02-04,Joko Susilo,1871021208800003,L,1980-08-12,18.71.01.1003,,,
";

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The `nik` column of an exported file, by application id.
fn exported_niks(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, nik, phone) = (at("application_id"), at("nik"), at("phone"));
    let mut rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[id].to_owned(), format!("{}|{}", &r[nik], &r[phone]))
        })
        .collect();
    rows.sort();
    rows
}

fn story(db: &str, dir: &std::path::Path) {
    let legacy = write(dir, "legacy.csv", &format!("{HEADER}{LEGACY}"));
    let run = jejak(&["import", &legacy, "--database", db]);
    assert_eq!(
        run.code, 0,
        "warnings are not errors\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.contains("imported 4 new application(s)"), "{}", run.stdout);
    for warning in [
        "legacy.csv: row 2, column nik: NIK must be 16 digits, found 15 digits; kept as written and flagged invalid (value \"180705520395003\")",
        "legacy.csv: row 3, column nik: NIK birth date part 721288 is not a date",
        "legacy.csv: row 4, column nik: NIK must contain only digits; kept as written and flagged invalid (value \"1871O21208800003\")",
        "legacy.csv: row 5, column phone: phone number has 6 digits after the country code",
    ] {
        let warned = run.stderr.lines().any(|l| l.starts_with("warning: ") && l.contains(warning));
        assert!(warned, "{warning}\n{}", run.stderr);
    }
    assert_eq!(count(db, dir), 4, "every row is in the register");

    // Export writes each identifier exactly as it was written and stored.
    let out = dir.join("export.csv").to_str().unwrap().to_owned();
    let run = jejak(&["export", "--out", &out, "--database", db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        exported_niks(&out),
        [
            ("KLA-2019-001".to_owned(), "180705520395003|".to_owned()),
            ("KLA-2019-002".to_owned(), "1807057212880002|".to_owned()),
            ("KLA-2019-003".to_owned(), "1871O21208800003|".to_owned()),
            ("KLA-2019-004".to_owned(), "1807054107900001|0812-345".to_owned()),
        ]
    );
    // Re-importing the export changes nothing: the kept values compare equal.
    let run = jejak(&["import", &out, "--database", db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("imported 0 new application(s), 4 unchanged"), "{}", run.stdout);

    // A data-subject request for the correctly typed NIK finds the mistyped application
    // through the identity engine, flagged.
    let report = dir.join("subject.json");
    let run = jejak(&[
        "subject-report",
        "--nik",
        "1807055203950003",
        "--out",
        report.to_str().unwrap(),
        "--database",
        db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let apps = v["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1, "{v}");
    assert_eq!(apps[0]["application"]["application_id"], "KLA-2019-001");
    assert_eq!(apps[0]["application"]["nik"], "180705520395003");
    assert_eq!(apps[0]["nik_valid"], false);
    assert_eq!(apps[0]["found_by"], "identity_engine");

    // Screening the re-applications (NIK typed correctly, same name and birth date) shows
    // each mistyped application as the same person.
    let again = write(dir, "again.csv", &format!("{HEADER}{AGAIN}"));
    let run = jejak(&["assess", "--input", &again, "--database", db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for (line, expected) in lines.iter().zip(["KLA-2019-001", "KLA-2019-002", "KLA-2019-003"]) {
        let matches: Vec<&str> = line["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["application_id"].as_str().unwrap())
            .collect();
        assert_eq!(matches, [expected], "{line}");
        let band = line["matches"][0]["band"].as_str().unwrap();
        assert!(["auto_link", "review"].contains(&band), "{line}");
    }
}

#[test]
fn a_legacy_sheet_with_mistyped_niks_is_imported_whole_and_the_persons_are_found_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    story(&db, dir.path());
}

#[test]
fn a_legacy_sheet_with_mistyped_niks_is_imported_whole_and_the_persons_are_found_postgres() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(url) = runtime.block_on(jejak_testkit::fresh_postgres_url("cli_mistyped")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    story(&url, dir.path());
}
