//! Backtest: counts, precision and recall against officer outcomes, and per-case differences.

use jejak_rules::RuleSet;
use jejak_rules::backtest::{BacktestOptions, CancelledPolicy, Case, OfficerOutcome, backtest};
use jejak_rules::catalogue;
use time::Date;
use time::macros::date;

use crate::support::{clean, default_set, with};

fn case(
    id: &str,
    on: Date,
    changes: &[(&str, jejak_rules::FactInput)],
    outcome: OfficerOutcome,
) -> Case {
    let mut facts = clean();
    with(&mut facts, changes);
    Case { id: id.into(), office_code: "BDL".into(), applied_on: on, facts, outcome }
}

/// Four decided cases and one pending:
/// c1 flagged (R06 15 + R12 35), deferred   -> TP
/// c2 flagged (R18 35),           issued     -> FP
/// c3 not flagged (R06 15),       rejected   -> FN
/// c4 not flagged,                issued     -> TN
/// c5 flagged (R15 25 + R08 5),   pending    -> not labelled
fn cases() -> Vec<Case> {
    vec![
        case(
            "c1",
            date!(2025 - 01 - 02),
            &[("destination_country", "MY".into()), ("prior_deferrals", 1.into())],
            OfficerOutcome::Deferred,
        ),
        case(
            "c2",
            date!(2025 - 01 - 03),
            &[("interview_inconsistent_answers", true.into())],
            OfficerOutcome::Issued,
        ),
        case(
            "c3",
            date!(2025 - 01 - 04),
            &[("destination_country", "SA".into())],
            OfficerOutcome::Rejected,
        ),
        case("c4", date!(2025 - 01 - 05), &[], OfficerOutcome::Issued),
        case(
            "c5",
            date!(2025 - 01 - 06),
            &[("open_applications_elsewhere", 1.into()), ("age", 30.into())],
            OfficerOutcome::Pending,
        ),
    ]
}

#[test]
fn precision_and_recall_follow_the_stated_definition() {
    let r = backtest(&cases(), default_set(), None, BacktestOptions::default());
    assert_eq!(r.cases_assessed, 5);
    let c = &r.candidate;
    assert_eq!(
        (c.true_positives, c.false_positives, c.false_negatives, c.true_negatives),
        (1, 1, 1, 1)
    );
    assert_eq!(c.flagged, 3);
    assert!((c.flag_rate - 0.6).abs() < 1e-9);
    assert_eq!(c.precision, Some(0.5));
    assert_eq!(c.recall, Some(0.5));
    assert_eq!(r.outcomes.pending, 1);
    let r06 = r.rules.iter().find(|x| x.rule_id == "R06").unwrap();
    assert_eq!((r06.fired, r06.fired_adverse), (2, 2));
    assert_eq!(r06.precision, Some(1.0));
    assert_eq!(r06.recall, Some(1.0));
    assert!(r.differences.is_empty());
    assert!(r.definition.contains("band medium or high"));
}

#[test]
fn cancelled_cases_follow_the_policy() {
    let cs = vec![case(
        "x",
        date!(2025 - 01 - 01),
        &[("prior_rejections", 1.into())],
        OfficerOutcome::Cancelled,
    )];
    let excluded = backtest(&cs, default_set(), None, BacktestOptions::default());
    assert_eq!(excluded.candidate.precision, None);
    let adverse = backtest(
        &cs,
        default_set(),
        None,
        BacktestOptions { cancelled: CancelledPolicy::Adverse, ..BacktestOptions::default() },
    );
    assert_eq!(adverse.candidate.true_positives, 1);
}

#[test]
fn differences_to_the_active_rule_set_say_which_rules_changed() {
    let mut sources = catalogue::default_sources();
    // Candidate: R18 no longer fires on inconsistent answers alone.
    sources[0].text = sources[0].text.replace(
        "condition = 'interview_inconsistent_answers or interview_admits_work_intent'",
        "condition = 'interview_admits_work_intent'",
    );
    let candidate = RuleSet::load(&sources).unwrap();
    let r = backtest(&cases(), &candidate, Some(default_set()), BacktestOptions::default());
    assert_eq!(r.differences_total, 1);
    assert_eq!(r.flips_total, 1);
    let d = &r.differences[0];
    assert_eq!(d.case_id, "c2");
    assert_eq!(d.no_longer_fired, ["R18"]);
    assert!(d.newly_fired.is_empty());
    assert_eq!((d.baseline_score, d.candidate_score), (35, 0));
    assert_eq!(
        d.reason,
        "no longer fired: R18; score 35 -> 0; band medium -> low; no longer flagged"
    );
    let base = r.baseline.as_ref().unwrap();
    assert_eq!(base.flagged, 3);
    assert_eq!(r.candidate.flagged, 2);
    let r18 = r.rules.iter().find(|x| x.rule_id == "R18").unwrap();
    assert_eq!((r18.fired, r18.baseline_fired), (0, Some(1)));

    let mut csv = Vec::new();
    r.write_differences_csv(&mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("case_id,applied_on,office_code,outcome,baseline_score"), "{csv}");
    assert!(csv.contains("c2,2025-01-03,BDL,issued,35,0,medium,low,true,false,,R18,"), "{csv}");
    let mut rules_csv = Vec::new();
    r.write_rules_csv(&mut rules_csv).unwrap();
    let rules_csv = String::from_utf8(rules_csv).unwrap();
    assert_eq!(rules_csv.lines().count(), candidate.rules().len() + 1);
    assert!(
        rules_csv.lines().any(|l| l.starts_with("R06,indicator,2,0.4000,0,0,2,1.0000,1.0000,2")),
        "{rules_csv}"
    );
    let table = r.render_table();
    assert!(table.contains("differing cases 1, of which flips 1"), "{table}");
}

#[test]
fn scope_filters_and_order_checks() {
    let mut cs = cases();
    cs[4].office_code = "KLD".into();
    cs.swap(0, 1);
    let r = backtest(
        &cs,
        default_set(),
        None,
        BacktestOptions {
            from: Some(date!(2025 - 01 - 03)),
            office: Some("bdl".into()),
            ..BacktestOptions::default()
        },
    );
    assert_eq!(r.cases_read, 5);
    assert_eq!(r.cases_assessed, 3, "c1 before `from`, c5 at another office");
    assert_eq!(r.out_of_order, 1);
}

#[test]
fn outcomes_parse_with_indonesian_aliases() {
    assert_eq!(OfficerOutcome::parse("Ditunda"), Some(OfficerOutcome::Deferred));
    assert_eq!(OfficerOutcome::parse(""), Some(OfficerOutcome::Pending));
    assert_eq!(OfficerOutcome::parse("terbit"), Some(OfficerOutcome::Issued));
    assert_eq!(OfficerOutcome::parse("maybe"), None);
}
