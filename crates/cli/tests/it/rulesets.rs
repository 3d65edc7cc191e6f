//! Rule sets in the register from the command line: `rules publish --database`, `rules
//! activate`, `rules list`, and `assess` / `backtest` using the active rule set.

use std::path::Path;

use jejak_rules::Source;
use jejak_store::AuditCtx;

use crate::support::{add_user, jejak};

/// A draft by `analis` with one indicator that fires on work trips to Malaysia.
const RULES: &str = r#"[rule_set]
name = "lampung-rules"
version = "2025.7"
author = "analis"
status = "draft"

[bands]
medium = 30
high = 60

[[rule]]
id = "L01"
kind = "indicator"
title_id = "Bekerja ke Malaysia"
title_en = "Work in Malaysia"
legal_basis = "test"
confidence = "inference"
weight = 40
condition = 'purpose == "work" and destination_country == "MY"'
explain_id = "Bekerja ke {destination_country}"
explain_en = "Work trip to {destination_country}"
"#;

const APPLICATIONS: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,purpose,destination_country,outcome\n\
KLA-1,KLA,2025-01-10,Suryani binti Ahmad,1807054503950001,P,1995-03-05,work,MY,pending\n\
BDL-7,BDL,2025-03-01,Joko Santoso,1871021208800003,L,1980-08-12,work,MY,pending\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn sqlite(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("register.db").display())
}

#[test]
fn a_rule_set_published_and_activated_in_the_register_is_used_by_assess_and_backtest() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    let file = write(dir.path(), "rules.toml", RULES);
    let input = write(dir.path(), "applications.csv", APPLICATIONS);
    assert_eq!(jejak(&["import", &input, "--database", &db]).code, 0);
    // The author must be a user of the register (the four-eyes check compares with them).
    let run = jejak(&["rules", "publish", &file, "--by", "supervisor", "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("not a user of this register"), "{}", run.stderr);
    add_user(&db, "analis", "analis", "BDL");

    // The author cannot publish: refused with the reason, nothing stored, the file unchanged.
    let run = jejak(&["rules", "publish", &file, "--by", "Analis", "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("four-eyes"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), RULES);
    let run = jejak(&["rules", "list", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // Without an active rule set, assess says it uses the built-in catalogue.
    let run = jejak(&["assess", "--input", &input, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("built-in catalogue"), "{}", run.stderr);

    let run = jejak(&["rules", "publish", &file, "--by", "supervisor", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("jejak rules activate 2025.7"), "{}", run.stderr);
    assert!(std::fs::read_to_string(&file).unwrap().contains("status = \"published\""));
    let run = jejak(&["rules", "list", "--database", &db]);
    let row = run.stdout.lines().find(|l| l.starts_with("2025.7")).unwrap_or_default().to_owned();
    assert!(
        row.contains("published") && row.contains("analis") && row.contains("supervisor"),
        "{}",
        run.stdout
    );

    let run = jejak(&["rules", "activate", "2025.7", "--by", "kepala", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("activated rule set lampung-rules 2025.7"), "{}", run.stdout);
    let run = jejak(&["rules", "list", "--database", &db]);
    let row = run.stdout.lines().find(|l| l.starts_with("2025.7")).unwrap_or_default().to_owned();
    assert!(row.contains("active"), "{}", run.stdout);

    // assess without --rules uses the active rule set and says so.
    let run = jejak(&["assess", "--input", &input, "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("active rule set lampung-rules 2025.7"), "{}", run.stderr);
    for line in run.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["rule_set_version"], "2025.7", "{line}");
        assert_eq!(v["indicators"][0]["id"], "L01", "{line}");
        assert_eq!(v["score"], 40, "{line}");
    }
    // Without a register there is no active rule set: the built-in catalogue.
    let run = jejak(&["assess", "--input", &input]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.lines().all(|l| l.contains("\"rule_set_version\":\"2026.1\"")),
        "{}",
        run.stdout
    );

    // backtest without --rules replays the active rule set.
    let run = jejak(&["backtest", "--database", &db]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("candidate: the register's active rule set"), "{}", run.stderr);
    assert!(run.stdout.contains("L01"), "{}", run.stdout);

    // A broken next version is refused with file and line, and the active one stays.
    let broken_text = RULES
        .replace("version = \"2025.7\"", "version = \"2025.8\"")
        .replace("weight = 40", "weight = \"forty\"");
    let broken = write(dir.path(), "next.toml", &broken_text);
    let run = jejak(&["rules", "publish", &broken, "--by", "supervisor", "--database", &db]);
    assert_ne!(run.code, 0);
    let line = broken_text.lines().position(|l| l.contains("forty")).unwrap() + 1;
    assert!(run.stderr.contains(&format!("next.toml:{line}:")), "{}", run.stderr);
    let run = jejak(&["rules", "list", "--database", &db]);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(run.stdout.lines().any(|l| l.starts_with("2025.7") && l.contains("active")));

    // Publishing the same version again is refused.
    let run = jejak(&["rules", "publish", &file, "--by", "someone", "--database", &db]);
    assert_ne!(run.code, 0);
}

#[tokio::test]
async fn a_draft_or_unknown_version_is_never_activated() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    {
        // An analyst's draft, uploaded as the web does.
        let store = jejak_store::open(&db).await.unwrap();
        add_user(&db, "analis", "analis", "BDL");
        let ctx = AuditCtx {
            actor: "analis".into(),
            office: None,
            purpose: None,
            at: "2025-03-01T08:00:00Z".into(),
        };
        jejak_service::rulesets::draft(store.as_ref(), &[Source::new("rules.toml", RULES)], &ctx)
            .await
            .unwrap();
    }
    let run = jejak(&["rules", "activate", "2025.7", "--by", "kepala", "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("only a published rule set can be activated"), "{}", run.stderr);
    let run = jejak(&["rules", "activate", "2099.1", "--by", "kepala", "--database", &db]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("no rule set version 2099.1"), "{}", run.stderr);
    let run = jejak(&["rules", "list", "--database", &db]);
    assert!(
        run.stdout.lines().any(|l| l.starts_with("2025.7") && l.contains("draft")),
        "{}",
        run.stdout
    );
}
