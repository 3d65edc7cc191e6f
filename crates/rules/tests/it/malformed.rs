//! Broken rule files never load; every problem is reported with file, line, column and rule.

use jejak_rules::{DiagCode, Diagnostic, Diagnostics, RuleSet, Severity, Source};

const HEADER: &str = r#"
[rule_set]
name = "t"
version = "1"
author = "ana"

[bands]
medium = 30
high = 60
"#;

/// A valid rule to which `extra` lines are appended (inside the same `[[rule]]`).
fn rule(id: &str, condition: &str) -> String {
    format!(
        r#"
[[rule]]
id = "{id}"
kind = "indicator"
title_id = "judul"
title_en = "title"
legal_basis = "test"
confidence = "know"
weight = 10
condition = '{condition}'
explain_id = "penjelasan"
explain_en = "explanation"
"#
    )
}

fn load(text: &str) -> Diagnostics {
    match RuleSet::from_toml("bad.toml", text) {
        Ok(_) => panic!("the rule set should not load:\n{text}"),
        Err(d) => d,
    }
}

fn only(d: &Diagnostics, code: DiagCode) -> &Diagnostic {
    let found: Vec<&Diagnostic> = d.0.iter().filter(|x| x.code == code).collect();
    assert_eq!(found.len(), 1, "expected one {code:?} in:\n{d}");
    found[0]
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap_or_else(|| panic!("{needle} not in text"))]
        .matches('\n')
        .count()
        + 1
}

#[test]
fn toml_syntax_errors_give_a_line() {
    let text = format!("{HEADER}{}\nweight = = 3\n", rule("R1", "age > 3"));
    let d = load(&text);
    let e = &d.0[0];
    assert_eq!(e.code, DiagCode::TomlSyntax);
    assert_eq!(e.line, line_of(&text, "weight = = 3"));
    assert_eq!(e.file, "bad.toml");
}

#[test]
fn unknown_fact_names_file_line_column_and_rule_with_a_hint() {
    let text = format!("{HEADER}{}", rule("R7", "age > 3 and destinaton_country == \"MY\""));
    let d = load(&text);
    let e = only(&d, DiagCode::UnknownFact);
    assert_eq!(e.rule.as_deref(), Some("rule R7"));
    assert_eq!(e.line, line_of(&text, "condition ="));
    assert_eq!(e.column, "condition = 'age > 3 and ".chars().count() + 1);
    assert_eq!(
        e.to_string(),
        format!(
            "bad.toml:{}:{}: error in rule R7: unknown fact `destinaton_country` (did you mean `destination_country`?)",
            e.line, e.column
        )
    );
}

#[test]
fn unknown_lists_and_functions_are_errors() {
    let text = format!(
        "{HEADER}{}{}",
        rule("A", r#"destination_country in list("nowhere")"#),
        rule("B", "count(age) > 1")
    );
    let d = load(&text);
    assert_eq!(only(&d, DiagCode::UnknownList).rule.as_deref(), Some("rule A"));
    assert_eq!(only(&d, DiagCode::UnknownFunction).rule.as_deref(), Some("rule B"));
}

#[test]
fn type_errors_are_caught_before_evaluation() {
    for condition in [
        r#"age == "old""#,
        "purpose > 3",
        "age",
        r#"active_bar == "yes""#,
        "age between 1 and true",
        r#"documents_supplied == "x""#,
        r#"occupation in list("nowhere_but_typed")"#,
    ] {
        let text = format!("{HEADER}{}", rule("R1", condition));
        let d = load(&text);
        assert!(d.has(DiagCode::TypeMismatch) || d.has(DiagCode::UnknownList), "{condition}: {d}");
    }
}

#[test]
fn literals_must_be_allowed_values() {
    let text = format!("{HEADER}{}", rule("R1", r#"purpose == "wisata""#));
    let d = load(&text);
    let e = only(&d, DiagCode::UnknownValue);
    assert!(e.message.contains("`wisata` is not one of tourism"), "{e}");
    let text = format!("{HEADER}{}", rule("R1", r#"destination_country == "Malaysia""#));
    assert!(load(&text).has(DiagCode::UnknownValue));
}

#[test]
fn condition_syntax_errors_point_into_multi_line_strings() {
    let text = format!(
        "{HEADER}{}",
        rule("R1", "x").replace("condition = 'x'", "condition = '''\nage > 3\nand && purpose\n'''")
    );
    let d = load(&text);
    let e = only(&d, DiagCode::ConditionSyntax);
    assert_eq!(e.line, line_of(&text, "and && purpose"));
    assert_eq!(e.column, 5);
    assert!(e.message.contains("use `and`"));
}

#[test]
fn bad_dates_and_ranges_are_errors() {
    let text = format!(
        "{HEADER}{}valid_from = \"2025-02-30\"\n{}valid_from = 2025-01-02\nvalid_to = 2024-01-01\n",
        rule("A", "age > 1"),
        rule("B", "age > 1")
    );
    let d = load(&text);
    assert_eq!(only(&d, DiagCode::BadDate).rule.as_deref(), Some("rule A"));
    assert_eq!(only(&d, DiagCode::BadDateRange).rule.as_deref(), Some("rule B"));
}

#[test]
fn duplicate_ids_name_the_first_definition() {
    let text = format!("{HEADER}{}{}", rule("R1", "age > 1"), rule("R1", "age > 2"));
    let d = load(&text);
    let e = only(&d, DiagCode::DuplicateRule);
    assert!(e.message.contains(&format!("bad.toml:{}", line_of(&text, "id = \"R1\""))), "{e}");
}

#[test]
fn unknown_and_missing_keys_are_reported() {
    let text = format!("{HEADER}{}", rule("R1", "age > 1").replace("weight = 10", "wieght = 10"));
    let d = load(&text);
    assert!(only(&d, DiagCode::UnknownKey).message.contains("did you mean `weight`"));
    assert!(only(&d, DiagCode::MissingKey).message.contains("`weight`"));
}

#[test]
fn every_problem_is_listed_at_once() {
    let text = format!(
        "{HEADER}{}{}{}{}",
        rule("A", "agee > 1"),
        rule("B", r#"purpose == "wrok""#),
        rule("C", "age >").replace("legal_basis = \"test\"\n", ""),
        rule("D", r#"destination_country in list("x")"#).replace("\"know\"", "\"sure\""),
    );
    let d = load(&text);
    let errors: Vec<&Diagnostic> = d.errors().collect();
    for (code, rule) in [
        (DiagCode::UnknownFact, "rule A"),
        (DiagCode::UnknownValue, "rule B"),
        (DiagCode::ConditionSyntax, "rule C"),
        (DiagCode::MissingKey, "rule C"),
        (DiagCode::BadValue, "rule D"),
        (DiagCode::UnknownList, "rule D"),
    ] {
        assert!(
            errors.iter().any(|e| e.code == code && e.rule.as_deref() == Some(rule)),
            "missing {code:?} for {rule} in\n{d}"
        );
    }
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "sorted by position: {lines:?}");
}

#[test]
fn header_bands_and_four_eyes_are_checked() {
    let no_header = rule("R1", "age > 1");
    let d = load(&no_header);
    assert!(d.has(DiagCode::RuleSetHeader));

    let bands = HEADER.replace("medium = 30", "medium = 70");
    let d = load(&format!("{bands}{}", rule("R1", "age > 1")));
    assert!(d.has(DiagCode::Bands));

    let self_published = HEADER.replace(
        "author = \"ana\"",
        "author = \"ana\"\nstatus = \"published\"\npublished_by = \"ANA\"\npublished_on = 2025-01-01",
    );
    let d = load(&format!("{self_published}{}", rule("R1", "age > 1")));
    let e = only(&d, DiagCode::Lifecycle);
    assert!(e.message.contains("four-eyes"));
    assert_eq!(e.rule.as_deref(), Some("rule_set"));
}

#[test]
fn hard_checks_are_not_scored() {
    let text =
        format!("{HEADER}{}", rule("H1", "active_bar").replace("\"indicator\"", "\"hard_check\""));
    let d = load(&text);
    assert!(d.0.iter().any(|e| e.code == DiagCode::BadValue && e.message.contains("not scored")));
}

#[test]
fn bad_templates_are_errors() {
    let text =
        format!("{HEADER}{}", rule("R1", "age > 1").replace("\"explanation\"", "\"age {agee}\""));
    let e = only(&load(&text), DiagCode::BadTemplate).clone();
    assert!(e.message.contains("did you mean `age`"));
    assert_eq!(e.line, line_of(&text, "explain_en"));
}

#[test]
fn list_problems_are_reported_per_list() {
    let text = format!(
        r#"{HEADER}{}
[list.places]
kind = "regions"
title_id = "t"
title_en = "t"
entries = [
  {{ key = "18.7" }},
  {{ key = "18.07", valid_to = 2020-01-01 }},
  {{ key = "1807" }},
  {{ key = "18.71", all_of = ["x"] }},
]
"#,
        rule("R1", r#"domicile_regency in list("places")"#)
    );
    let d = load(&text);
    assert!(d.0.iter().any(|e| e.code == DiagCode::BadValue && e.message.contains("`18.7`")));
    assert!(d.has(DiagCode::DuplicateList), "overlapping 18.07 entries: {d}");
    assert!(d.0.iter().any(|e| e.code == DiagCode::UnknownKey && e.message.contains("all_of")));
    assert!(d.0.iter().all(|e| e.rule.as_deref() == Some("list places")), "{d}");
}

#[test]
fn list_kinds_must_fit_the_fact() {
    let text = format!(
        r#"{HEADER}{}
[list.countries]
kind = "countries"
title_id = "t"
title_en = "t"
entries = [{{ key = "MY" }}]
"#,
        rule("R1", r#"domicile_regency in list("countries")"#)
    );
    let e = only(&load(&text), DiagCode::TypeMismatch).clone();
    assert!(e.message.contains("holds countries"), "{e}");
}

#[test]
fn problems_in_several_files_name_each_file() {
    let list = r#"
[list.places]
kind = "regions"
title_id = "t"
title_en = "t"
entries = [{ key = "18.07" }]
"#;
    let rules = format!("{HEADER}{}", rule("R1", r#"domicile_regency in list("places")"#));
    let ok =
        RuleSet::load(&[Source::new("rules.toml", rules.clone()), Source::new("lists.toml", list)]);
    assert!(ok.is_ok());
    let d = RuleSet::load(&[
        Source::new("rules.toml", rules),
        Source::new("a.toml", list),
        Source::new("b.toml", list),
    ])
    .unwrap_err();
    let e = only(&d, DiagCode::DuplicateList);
    assert_eq!(e.file, "b.toml");
    assert!(e.message.contains("already defined at a.toml:2"), "{e}");
}

#[test]
fn unused_lists_are_warnings_not_errors() {
    let text = format!(
        r#"{HEADER}{}
[list.spare]
kind = "values"
title_id = "t"
title_en = "t"
entries = [{{ key = "x" }}]
"#,
        rule("R1", "age > 1")
    );
    let set = RuleSet::from_toml("ok.toml", &text).unwrap();
    assert_eq!(set.warnings().len(), 1);
    assert_eq!(set.warnings()[0].severity, Severity::Warning);
}
