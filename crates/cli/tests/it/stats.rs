//! `jejak stats`: the contract's columns, one row per month and office, every shown number
//! equal to a count made from the imported file, counts of 1 to 4 as `<5`.

use std::collections::HashMap;

use crate::support::{generated_csv, jejak};

#[test]
fn stats_counts_the_imported_file_by_month_and_office() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let file = generated_csv(dir.path(), 1500, 16);
    let run = jejak(&["import", file.to_str().unwrap(), "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Direct counts from the file: applications by applied_on, outcomes by decided_on.
    let mut expected: HashMap<(String, String), [u64; 5]> = HashMap::new();
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (office, applied, outcome, decided) =
        (col("office_code"), col("applied_on"), col("outcome"), col("decided_on"));
    for record in reader.records() {
        let r = record.unwrap();
        let month = |d: &str| d[..7].to_owned();
        expected.entry((month(&r[applied]), r[office].to_owned())).or_insert([0; 5])[0] += 1;
        let i = match &r[outcome] {
            "issued" => 1,
            "deferred" => 2,
            "rejected" => 3,
            "cancelled" => 4,
            _ => continue,
        };
        let on = if r[decided].is_empty() { &r[applied] } else { &r[decided] };
        expected.entry((month(on), r[office].to_owned())).or_insert([0; 5])[i] += 1;
    }

    let run = jejak(&[
        "stats",
        "--from",
        "2023-01-01",
        "--to",
        "2025-12-31",
        "--group-by",
        "month,office",
        "--format",
        "csv",
        "--database",
        &db,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        "period,office_code,applications,issued,deferred,rejected,cancelled,flagged_high,cross_office_catches"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 36 * 3, "every month of 2023-2025 for BDL, KLA and KTB");
    let (mut shown, mut small) = (0, 0);
    for row in &rows {
        let truth =
            expected.get(&(row[0].to_owned(), row[1].to_owned())).copied().unwrap_or([0; 5]);
        for (cell, n) in row[2..7].iter().zip(truth) {
            match *cell {
                "<5" => {
                    assert!((1..5).contains(&n), "{row:?}");
                    small += 1;
                }
                "x" => {}
                text => {
                    assert_eq!(text.parse::<u64>().unwrap(), n, "{row:?}");
                    shown += 1;
                }
            }
        }
    }
    assert!(shown > 100 && small > 0, "shown {shown}, small {small}");

    // JSON: the same rows; `--office` keeps one office; bad input names the parameter.
    let json = jejak(&[
        "stats",
        "--from",
        "2025-03-01",
        "--to",
        "2025-04-30",
        "--format",
        "json",
        "--office",
        "KLA",
        "--database",
        &db,
    ]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let list = parsed.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["period"], "2025-03");
    assert_eq!(list[1]["period"], "2025-04");
    assert_eq!(list[0]["office_code"], "KLA");
    let csv_row = rows.iter().find(|r| r[0] == "2025-03" && r[1] == "KLA").unwrap();
    let value = &list[0]["applications"];
    let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
    assert_eq!(text, csv_row[2]);
    let bad = jejak(&["stats", "--from", "2025-13-01", "--to", "2025-12-31", "--database", &db]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("from"), "{}", bad.stderr);
    let by_office = jejak(&[
        "stats",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--group-by",
        "office",
        "--database",
        &db,
    ]);
    assert_ne!(by_office.code, 0);
    assert!(by_office.stderr.contains("group-by"), "{}", by_office.stderr);
}
