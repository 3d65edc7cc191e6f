//! `jejak cpmi import` and `jejak partner import`, end to end: a bad row imports nothing and
//! is named; `jejak assess` shows the matched CPMI registration and R23.

use std::path::Path;

use crate::support::jejak;

const CPMI: &str = "cpmi_id,nik,full_name,birth_date,sex,destination_country,p3mi_name,employer,job_title,placement_scheme,status,recommendation_no,recommendation_date,updated_on\n\
CPMI-9,,Suryani,1995-03-05,P,MY,PT Sinar Jaya Abadi,Tan Sdn Bhd,Operator,P-to-P,in_process,562/9/2025,2025-02-01,2025-02-10\n";

const APPS: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,purpose,destination_country,outcome\n\
BDL-7,BDL,2025-03-01,Soeryani,1807054503950001,P,1995-03-05,tourism,MY,pending\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn cpmi_import_is_all_or_nothing_and_assess_shows_the_registration() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("register.db").display());
    let bad = write(
        dir.path(),
        "bad.csv",
        &format!("{CPMI}CPMI-10,,Ani,1990-02-30,P,MY,,,,,registered,,,\n"),
    );
    let run = jejak(&["cpmi", "import", &bad, "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("bad.csv: row 3, column birth_date"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing imported"), "{}", run.stderr);

    let apps = write(dir.path(), "apps.csv", APPS);
    let run = jejak(&["assess", "--input", &apps, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(line["cpmi"], serde_json::Value::Null, "nothing was imported");

    let good = write(dir.path(), "cpmi.json", &csv_to_json(CPMI));
    let run = jejak(&["cpmi", "import", &good, "--as-of", "2025-02-15", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 cpmi record(s) imported"), "{}", run.stdout);
    let run = jejak(&["assess", "--input", &apps, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        line["cpmi"],
        serde_json::json!({"cpmi_id": "CPMI-9", "status": "in_process", "destination_country": "MY",
            "p3mi_name": "PT Sinar Jaya Abadi", "matched_by": "name_birth_date"})
    );
    let fired: Vec<&str> =
        line["indicators"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(fired.contains(&"R23"), "{fired:?}");

    let p3mi = write(
        dir.path(),
        "p3mi.csv",
        "p3mi_name,licence_no,valid_until\nPT Sinar Jaya Abadi,KEP.1/2024,\n",
    );
    let run = jejak(&["partner", "import", "p3mi", &p3mi, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = jejak(&["partner", "import", "visas", &p3mi, "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("use p3mi or deportations"), "{}", run.stderr);
}

/// The CSV rows as a JSON array of records (the other accepted format).
fn csv_to_json(csv: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let records: Vec<serde_json::Value> = lines
        .map(|l| {
            let map: serde_json::Map<String, serde_json::Value> = header
                .iter()
                .zip(l.split(','))
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.to_owned())))
                .collect();
            serde_json::Value::Object(map)
        })
        .collect();
    serde_json::to_string(&records).unwrap()
}
