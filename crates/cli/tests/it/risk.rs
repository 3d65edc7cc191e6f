//! `jejak rules`, `jejak assess`, `jejak backtest` and `jejak link`, end to end.

use std::path::Path;

use crate::support::jejak;

/// A draft rule set with one indicator that fires on work trips to Malaysia.
const RULES: &str = r#"[rule_set]
name = "test-rules"
version = "7"
author = "analyst"
description = "one indicator"
status = "draft"

[bands]
medium = 30
high = 60

[[rule]]
id = "T01"
kind = "indicator"
title_id = "Bekerja ke Malaysia"
title_en = "Work in Malaysia"
legal_basis = "test"
confidence = "inference"
weight = 40
condition = 'purpose == "work" and destination_country == "MY"'
explain_id = "Bekerja ke {destination_country}"
explain_en = "Work trip to {destination_country}"

[[rule]]
id = "T02"
kind = "cross_record"
title_id = "Pernah ditunda"
title_en = "Deferred before"
legal_basis = "test"
confidence = "inference"
weight = 30
condition = 'prior_deferrals > 0'
explain_id = "Pernah ditunda {prior_deferrals} kali"
explain_en = "Deferred {prior_deferrals} time(s) before"
"#;

const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,village_code,phone,mother_name,purpose,destination_country,outcome,outcome_reason,decided_on\n";

/// Suryani deferred at Kalianda in January, issued nothing; Joko issued at Kotabumi.
const HISTORY: &str = "KLA-1,KLA,2025-01-10,Suryani binti Ahmad,1807054503950001,P,1995-03-05,18.07.05.2001,081234567890,Siti Maryam,work,MY,deferred,PMI_NP,2025-01-12\n\
KTB-1,KTB,2025-01-11,Joko Santoso,1871021208800003,L,1980-08-12,,081311112222,Rukmini,tourism,SG,issued,,2025-01-13\n";

/// She applies again at Bandar Lampung as Soeryani.
const AGAIN: &str = "BDL-7,BDL,2025-03-01,Soeryani,1807054503950001,P,1995-03-05,18.07.05.2001,081234567890,Siti Maryam,work,MY,pending,,\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn sqlite(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("register.db").display())
}

#[test]
fn rules_check_accepts_a_good_file_and_names_file_and_line_of_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.toml", RULES);
    let run = jejak(&["rules", "check", &good]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("ok: rule set test-rules version 7 (draft), 2 rule(s)"),
        "{}",
        run.stdout
    );

    let broken = write(
        dir.path(),
        "broken.toml",
        &RULES.replace("prior_deferrals > 0", "prior_deferals > 0"),
    );
    let run = jejak(&["rules", "check", &broken]);
    assert_ne!(run.code, 0);
    let line = RULES.lines().position(|l| l.contains("prior_deferrals > 0")).unwrap() + 1;
    assert!(run.stderr.contains(&format!("broken.toml:{line}:")), "{}", run.stderr);
    assert!(run.stderr.contains("T02"), "{}", run.stderr);
}

#[test]
fn the_author_cannot_publish_and_a_broken_file_is_never_published() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "rules.toml", RULES);
    let run = jejak(&["rules", "publish", &file, "--by", "Analyst"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("four-eyes"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), RULES);

    let broken_text = RULES.replace("weight = 40", "weight = \"forty\"");
    let broken = write(dir.path(), "broken.toml", &broken_text);
    let run = jejak(&["rules", "publish", &broken, "--by", "supervisor"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("broken.toml:"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), broken_text);

    let run = jejak(&["rules", "publish", &file, "--by", "supervisor"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("status = \"published\""), "{text}");
    assert!(text.contains("published_by = \"supervisor\""), "{text}");
    let run = jejak(&["rules", "check", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("(published)"), "{}", run.stdout);
    // Published once: publishing again is refused.
    assert_ne!(jejak(&["rules", "publish", &file, "--by", "someone-else"]).code, 0);
}

#[test]
fn assess_prints_one_json_object_per_application_with_register_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    let history = write(dir.path(), "history.csv", &format!("{HEADER}{HISTORY}"));
    let run = jejak(&["import", &history, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rules = write(dir.path(), "rules.toml", RULES);
    let input = write(dir.path(), "new.csv", &format!("{HEADER}{AGAIN}"));

    let run = jejak(&["assess", "--input", &input, "--database", &db, "--rules", &rules]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "application_id",
            "band",
            "cpmi",
            "hard_checks",
            "indicators",
            "matches",
            "rule_set_version",
            "score",
            "village_alerts"
        ]
    );
    assert_eq!(v["village_alerts"], serde_json::json!([]), "no village report names BDL-7");
    assert_eq!(v["application_id"], "BDL-7");
    assert_eq!(v["rule_set_version"], "7");
    assert_eq!(v["score"], 70);
    assert_eq!(v["band"], "high");
    let fired: Vec<&str> =
        v["indicators"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(fired, ["T01", "T02"]);
    assert_eq!(v["indicators"][1]["message"], "Deferred 1 time(s) before");
    let matches = v["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{matches:?}");
    let m = &matches[0];
    assert_eq!(m["application_id"], "KLA-1");
    assert_eq!(m["office_code"], "KLA");
    assert!(m["person_id"].as_str().unwrap().starts_with('P'));
    assert!(m["probability"].as_f64().unwrap() >= 0.5);
    assert!(["auto_link", "review"].contains(&m["band"].as_str().unwrap()));

    // Without a register, the cross-record rule cannot fire and nothing matches; the
    // default catalogue has hard checks with passed true/false/null.
    let run = jejak(&["assess", "--input", &input]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(v["rule_set_version"], "2026.1");
    assert!(v["matches"].as_array().unwrap().is_empty());
    let checks = v["hard_checks"].as_array().unwrap();
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|c| c["id"].is_string()
        && c["message"].is_string()
        && (c["passed"].is_boolean() || c["passed"].is_null())));
}

#[test]
fn backtest_replays_history_without_look_ahead_and_writes_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    let history = write(
        dir.path(),
        "history.csv",
        &format!("{HEADER}{HISTORY}{}", AGAIN.replace("pending,,", "rejected,PMI_NP,2025-03-02")),
    );
    assert_eq!(jejak(&["import", &history, "--database", &db]).code, 0);
    let rules = write(dir.path(), "rules.toml", RULES);
    let out = dir.path().join("bt.csv");
    let run =
        jejak(&["backtest", "--rules", &rules, "--database", &db, "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("T01"), "{}", run.stdout);
    let csv_text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(csv_text.as_bytes()).records().map(Result::unwrap).collect();
    let headers = csv::Reader::from_reader(csv_text.as_bytes()).headers().unwrap().clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {headers:?}"))
    };
    let fired =
        |id: &str| rows.iter().find(|r| &r[0] == id).map(|r| r[col("fired")].to_owned()).unwrap();
    // T01 fires on both work trips to Malaysia; T02 only on the second (the deferral of
    // 2025-01-12 is history by 2025-03-01, and KLA-1 itself had no history yet).
    assert_eq!(fired("T01"), "2");
    assert_eq!(fired("T02"), "1");
    assert!(dir.path().join("bt.differences.csv").exists());

    let xlsx = dir.path().join("bt.xlsx");
    let run = jejak(&[
        "backtest",
        "--rules",
        &rules,
        "--database",
        &db,
        "--out",
        xlsx.to_str().unwrap(),
        "--office",
        "BDL",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
}

#[test]
fn link_with_truth_reports_precision_recall_and_f1_on_a_generated_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("synthetic.csv");
    let truth = dir.path().join("truth.csv");
    let run = jejak(&[
        "generate",
        "--persons",
        "400",
        "--seed",
        "3",
        "--out",
        input.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let clusters = dir.path().join("clusters.csv");
    let pairs = dir.path().join("pairs.csv");
    let run = jejak(&[
        "link",
        "--input",
        input.to_str().unwrap(),
        "--output",
        clusters.to_str().unwrap(),
        "--pairs",
        pairs.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let figures = run
        .stdout
        .lines()
        .find(|l| l.starts_with("precision"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let number = |label: &str| -> f64 {
        let rest = &figures[figures.find(label).unwrap() + label.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    assert!(number("precision ") > 0.95, "{figures}");
    assert!(number("recall ") > 0.9, "{figures}");
    assert!(number("F1 ") > 0.9, "{figures}");
    let rows = std::fs::read_to_string(&clusters).unwrap();
    let input_rows = csv::Reader::from_path(&input).unwrap().records().count();
    assert_eq!(rows.lines().count(), input_rows + 1, "one person per application plus header");
    assert!(std::fs::metadata(&pairs).unwrap().len() > 0);
}
