//! `jejak village` and the village alerts of `jejak assess` (issue 14 "Must show"): a report
//! naming a recruiter's phone surfaces on the applicant whose sponsor has that phone (and R20
//! fires), a named person links through spelling variation, a sponsor named as the agency
//! counts as a report on the sponsor (R20), an applicant from the reported village gets the
//! home-village alert (R20B), an unrelated applicant gets no alert, a report file imported
//! twice exists once, and a file with a bad row imports nothing and names the row. And `jejak
//! demo` shows every role the capability at once, escalated alerts included.

use std::path::Path;

use serde_json::Value;

use crate::security::{Server, http, login_with};
use crate::support::{jejak, jejak_with_stdin as with_stdin};

/// The demo users' one password (`jejak demo` prints it).
const DEMO_PASSWORD: &str = "demo-jejak-2026";

/// KLA-5 lives in the reported village (18.09.01.2004) and nothing else of hers is named:
/// only the home-village link (R20B) applies to her.
const APPLICATIONS: &str = "application_id,office_code,applied_on,full_name,sex,birth_date,village_code,phone,purpose,destination_country,sponsor_name,sponsor_phone,outcome\n\
KLA-1,KLA,2025-10-06,Sitti Rochmah,P,1998-02-03,,081355550001,tourism,MY,,,pending\n\
KLA-2,KLA,2025-10-06,Budi Santoso,L,1990-05-17,,081355550002,tourism,MY,Keluarga Budi,+62 812 7788 9900,pending\n\
KLA-3,KLA,2025-10-06,Dewi Lestari,P,1993-11-30,,081355550003,tourism,SG,,,pending\n\
KLA-4,KLA,2025-10-06,Agus Salim,L,1985-01-01,,081355550004,work,MY,PT. Maju  Jaya,,pending\n\
KLA-5,KLA,2025-10-06,Rina Marlina,P,2001-07-14,18.09.01.2004,081355550005,tourism,MY,,,pending\n";

const HEADER: &str = "report_id,village_code,reported_on,topic,source_reliability,info_credibility,persons,phones,recruiters,agency,destination_country,planned_departure_on,narrative\n";

const REPORTS: &str = "r-1,18.09.01.2004,2025-10-02,recruiter,B,2,Siti Rohmah|1998-02-03|,0812-7788-9900,Pak Joko,PT Maju Jaya,MY,2025-10-20,Calo datang dari rumah ke rumah\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Per application: its id, its (report_id, linked_by) alerts and the indicators fired.
type Assessed = (String, Vec<(String, String)>, Vec<String>);

fn alerts(stdout: &str) -> Vec<Assessed> {
    stdout
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let alerts = v["village_alerts"]
                .as_array()
                .expect("village_alerts is always an array")
                .iter()
                .map(|a| {
                    (
                        a["report_id"].as_str().unwrap().to_owned(),
                        a["linked_by"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            let fired = v["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect();
            (v["application_id"].as_str().unwrap().to_owned(), alerts, fired)
        })
        .collect()
}

#[test]
fn village_reports_link_to_applications_and_import_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    let apps = write(dir.path(), "apps.csv", APPLICATIONS);
    let run = jejak(&["import", &apps, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = jejak(&[
        "village",
        "designate",
        "18.09.01.2004",
        "--office",
        "KLA",
        "--on",
        "2025-09-26",
        "--decree",
        "W8-123",
        "--partner",
        "Desa Migran Emas",
        "--partner",
        "Kampung Imigrasi",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Way Layap"), "{}", run.stdout);
    let run = jejak(&[
        "village",
        "designate",
        "18.09.01.9999",
        "--office",
        "KLA",
        "--on",
        "2025-09-26",
        "--database",
        &db,
    ]);
    assert_ne!(run.code, 0);
    let add = with_stdin(
        &[
            "user",
            "add",
            "--username",
            "desa1",
            "--name",
            "Desa Satu",
            "--role",
            "pimpasa",
            "--office",
            "KLA",
            "--password-stdin",
            "--database",
            &db,
        ],
        "rahasia-panjang-sekali\n",
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let run = jejak(&[
        "village",
        "assign",
        "18.09.01.2004",
        "--user",
        "desa1",
        "--from",
        "2025-10-01",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = jejak(&["village", "list", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("18.09.01.2004\tWay Layap\tKLA\t2025-09-26\tW8-123"),
        "{}",
        run.stdout
    );
    // Partner programmes come after the officers (the earlier columns keep their places).
    assert!(
        run.stdout.contains("\tdesa1 (since 2025-10-01)\tDesa Migran Emas; Kampung Imigrasi\n"),
        "{}",
        run.stdout
    );

    // A file with a bad row imports nothing and names the row and column.
    let bad = write(
        dir.path(),
        "bad.csv",
        &format!("{HEADER}{REPORTS}r-2,18.09.01.2004,2025-10-03,recruiter,B,2,,0812-ABC,,,,,x\n"),
    );
    let run = jejak(&["village", "report", "import", &bad, "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("row 3, column phones"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was imported"), "{}", run.stderr);

    let good = write(dir.path(), "reports.csv", &format!("{HEADER}{REPORTS}"));
    let run = jejak(&["village", "report", "import", &good, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 report(s) imported, 0 already present"), "{}", run.stdout);
    let run = jejak(&["village", "report", "import", &good, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("0 report(s) imported, 1 already present"), "{}", run.stdout);

    let run = jejak(&["assess", "--input", &apps, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = alerts(&run.stdout);
    let get = |id: &str| rows.iter().find(|r| r.0 == id).unwrap().clone();
    let (_, sitti, sitti_fired) = get("KLA-1");
    assert_eq!(sitti, [("r-1".to_owned(), "person".to_owned())]);
    assert!(sitti_fired.contains(&"R20".to_owned()), "{sitti_fired:?}");
    let (_, budi, budi_fired) = get("KLA-2");
    assert_eq!(budi, [("r-1".to_owned(), "phone".to_owned())]);
    assert!(budi_fired.contains(&"R20".to_owned()), "{budi_fired:?}");
    let (_, dewi, dewi_fired) = get("KLA-3");
    assert!(dewi.is_empty(), "an unrelated applicant gets no alert: {dewi:?}");
    assert!(!dewi_fired.contains(&"R20".to_owned()));
    let (_, agus, agus_fired) = get("KLA-4");
    assert_eq!(agus, [("r-1".to_owned(), "recruiter".to_owned())], "sponsor named as agency");
    // The agency named is the sponsor: `sponsor_reports_count` is 1, so R20 fires; Agus
    // lives elsewhere, so R20B (home village) does not.
    assert!(agus_fired.contains(&"R20".to_owned()), "{agus_fired:?}");
    assert!(!agus_fired.contains(&"R20B".to_owned()), "{agus_fired:?}");
    // The recruiter report is about Rina's home village: `village_reports_count` is 1, so
    // R20B fires, and R20 (a report naming her or her sponsor) does not.
    let (_, rina, rina_fired) = get("KLA-5");
    assert_eq!(rina, [("r-1".to_owned(), "village".to_owned())], "home village");
    assert!(rina_fired.contains(&"R20B".to_owned()), "{rina_fired:?}");
    assert!(!rina_fired.contains(&"R20".to_owned()), "{rina_fired:?}");
    assert!(!dewi_fired.contains(&"R20B".to_owned()), "{dewi_fired:?}");
}

#[test]
fn ending_an_assignment_and_a_designation_keeps_both_in_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    let village = "18.09.01.2004";
    let run = jejak(&[
        "village",
        "designate",
        village,
        "--office",
        "KLA",
        "--on",
        "2025-09-26",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let add = with_stdin(
        &[
            "user",
            "add",
            "--username",
            "desa1",
            "--name",
            "Desa Satu",
            "--role",
            "pimpasa",
            "--office",
            "KLA",
            "--password-stdin",
            "--database",
            &db,
        ],
        "rahasia-panjang-sekali\n",
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let assign = |from: &str| {
        jejak(&["village", "assign", village, "--user", "desa1", "--from", from, "--database", &db])
    };
    assert_eq!(assign("2025-10-01").code, 0);
    // `assign --until` ends the running assignment.
    let run = jejak(&[
        "village",
        "assign",
        village,
        "--user",
        "desa1",
        "--until",
        "2025-12-31",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ended the assignment of desa1"), "{}", run.stdout);
    let again = jejak(&[
        "village",
        "assign",
        village,
        "--user",
        "desa1",
        "--until",
        "2026-01-31",
        "--database",
        &db,
    ]);
    assert_ne!(again.code, 0, "no running assignment is left to end");
    assert_eq!(assign("2026-02-01").code, 0);
    // `end` without a user ends the designation and the running assignment that day.
    let early = jejak(&["village", "end", village, "--on", "2025-01-01", "--database", &db]);
    assert_ne!(early.code, 0);
    assert!(early.stderr.contains("before the designation date"), "{}", early.stderr);
    let run = jejak(&["village", "end", village, "--on", "2026-06-30", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("ended the designation of village 18.09.01.2004"),
        "{}",
        run.stdout
    );
    let run = jejak(&["village", "list", "--database", &db]);
    assert!(
        run.stdout.contains(
            "18.09.01.2004\tWay Layap\tKLA\t2025-09-26\t-\t2026-06-30\tdesa1 (2025-10-01..2025-12-31); desa1 (2026-02-01..2026-06-30)"
        ),
        "{}",
        run.stdout
    );
    let twice = jejak(&["village", "end", village, "--on", "2026-07-01", "--database", &db]);
    assert_ne!(twice.code, 0, "a designation ends once");
}

/// `jejak demo` has village reports for every role: the PIMPASA sees their reports, Kalianda's
/// supervisor the office queue (fresh reports, one in follow-up, the late ones), and the
/// analyst's default queue (escalated reports only) is not empty: reports filed days back
/// and never acknowledged are past their deadline.
#[test]
fn the_demo_gives_every_role_village_reports_and_the_analyst_escalated_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, summary) = Server::demo(&dir.path().join("demo.db"), 300);
    assert!(
        summary.contains("2 past the acknowledgement deadline, escalated to the analysts"),
        "{summary}"
    );
    let page = |user: &str, path: &str| {
        let cookie = login_with(&demo.addr, user, DEMO_PASSWORD);
        let reply = http(&demo.addr, "GET", path, &[("Cookie", &cookie)], b"");
        assert_eq!(reply.status, 200, "{user} {path}: {}", reply.body);
        reply.body
    };
    let returnee = "paspor ditahan majikan";
    let foreigners = "Dua warga negara asing menginap";
    let umrah = "Rombongan 8 orang";

    let analyst = page("analis", "/desa/peringatan");
    assert_eq!(analyst.matches("Terlambat — dieskalasi").count(), 2, "{analyst}");
    assert!(analyst.contains(returnee) && analyst.contains(foreigners), "{analyst}");
    assert!(!analyst.contains(umrah), "acknowledged on time: not escalated: {analyst}");
    assert!(analyst.contains("Menunggu penerimaan"), "{analyst}");

    let supervisor = page("supervisor.kla", "/desa/peringatan");
    for text in [returnee, foreigners, umrah, "Ditindaklanjuti", "Terlambat — dieskalasi"] {
        assert!(supervisor.contains(text), "{text}: {supervisor}");
    }

    let pimpasa = page("pimpasa.kla", "/desa");
    assert!(pimpasa.contains("Laporan saya"), "{pimpasa}");
    for text in [returnee, foreigners, umrah] {
        assert!(pimpasa.contains(text), "{text}: {pimpasa}");
    }
}
