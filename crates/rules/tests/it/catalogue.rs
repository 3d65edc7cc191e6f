//! Every default rule has an application that fires it and a close one that does not.

use jejak_rules::{Band, CheckStatus, FactInput, RuleKind, RuleStatus};
use time::Date;
use time::macros::date;

use crate::support::{ON, clean, default_set, status, with};

type Pairs = &'static [(&'static str, Val)];

/// A fact value in a static table.
#[derive(Clone, Copy)]
enum Val {
    B(bool),
    I(i64),
    S(&'static str),
    L(&'static [&'static str]),
}

impl From<Val> for FactInput {
    fn from(v: Val) -> FactInput {
        match v {
            Val::B(b) => b.into(),
            Val::I(i) => i.into(),
            Val::S(s) => s.into(),
            Val::L(l) => l.into(),
        }
    }
}

use Val::{B, I, L, S};

struct Case {
    rule: &'static str,
    /// Changes to the clean applicant that make the rule fire.
    fires: Pairs,
    /// Changes that leave it not fired (a near miss).
    not_fired: Pairs,
    /// Application date (default [`ON`]).
    on: Option<Date>,
}

const CASES: &[Case] = &[
    Case {
        rule: "R01",
        fires: &[
            ("purpose", S("work")),
            ("cpmi_status", S("not_found")),
            ("documents_supplied", L(&["disnaker_recommendation"])),
        ],
        not_fired: &[
            ("purpose", S("work")),
            ("cpmi_status", S("registered")),
            ("documents_supplied", L(&["disnaker_recommendation"])),
        ],
        on: None,
    },
    Case {
        rule: "R02",
        fires: &[("purpose", S("umrah")), ("documents_supplied", L(&["kemenag_recommendation"]))],
        not_fired: &[
            ("purpose", S("umrah")),
            ("documents_supplied", L(&["kemenag_recommendation", "travel_operator_letter"])),
        ],
        on: None,
    },
    Case {
        rule: "R03",
        fires: &[("purpose", S("family_visit")), ("documents_supplied", L(&["medical_referral"]))],
        not_fired: &[
            ("purpose", S("family_visit")),
            ("documents_supplied", L(&["host_passport_copy"])),
        ],
        on: None,
    },
    Case {
        rule: "R04",
        fires: &[("interview_cannot_substantiate_trip", B(true))],
        not_fired: &[],
        on: None,
    },
    Case {
        rule: "R05",
        fires: &[("interview_no_funds", B(true))],
        not_fired: &[("interview_no_funds", B(false)), ("occupation", S("WIRASWASTA"))],
        on: None,
    },
    Case {
        rule: "R06",
        fires: &[("destination_country", S("KH"))],
        not_fired: &[("destination_country", S("AU"))],
        on: None,
    },
    Case {
        rule: "R07",
        fires: &[("sex", S("P")), ("age", I(23)), ("occupation", S("belum/tidak bekerja"))],
        not_fired: &[("sex", S("P")), ("age", I(46)), ("occupation", S("belum/tidak bekerja"))],
        on: None,
    },
    Case { rule: "R08", fires: &[("age", I(25))], not_fired: &[("age", I(36))], on: None },
    Case {
        rule: "R08B",
        fires: &[("age", I(24)), ("education", S("s1")), ("destination_country", S("KH"))],
        not_fired: &[("age", I(24)), ("education", S("sma")), ("destination_country", S("KH"))],
        on: None,
    },
    Case {
        rule: "R09",
        fires: &[
            ("village_code", S("18.07.05.2001")),
            ("domicile_district", S("18.07.05")),
            ("domicile_regency", S("18.07")),
        ],
        not_fired: &[
            ("village_code", S("18.04.01.2001")),
            ("domicile_district", S("18.04.01")),
            ("domicile_regency", S("18.04")),
        ],
        on: None,
    },
    Case {
        rule: "R10",
        fires: &[
            ("occupation", S("PETANI/PEKEBUN")),
            ("education", S("sd")),
            ("destination_country", S("MY")),
        ],
        not_fired: &[
            ("occupation", S("PETANI/PEKEBUN")),
            ("education", S("sma")),
            ("destination_country", S("MY")),
        ],
        on: None,
    },
    Case {
        rule: "R11",
        fires: &[("has_previous_passport", B(false)), ("prior_border_crossings", I(0))],
        not_fired: &[("has_previous_passport", B(false)), ("prior_border_crossings", I(1))],
        on: None,
    },
    Case {
        rule: "R12",
        fires: &[("prior_rejections", I(1))],
        not_fired: &[("prior_cancellations", I(3))],
        on: None,
    },
    Case {
        rule: "R12B",
        fires: &[("active_bar", B(true))],
        not_fired: &[("prior_deferrals", I(1))],
        on: None,
    },
    Case {
        rule: "R13",
        fires: &[("application_type", S("replacement_lost")), ("lost_passport_negligent", B(true))],
        not_fired: &[
            ("application_type", S("replacement_lost")),
            ("lost_passport_negligent", B(false)),
        ],
        on: None,
    },
    Case {
        rule: "R13B",
        fires: &[("lost_passport_count", I(2))],
        not_fired: &[("lost_passport_count", I(1))],
        on: None,
    },
    Case {
        rule: "R14",
        fires: &[
            ("identity_mismatch", B(true)),
            ("identity_mismatch_fields", L(&["name", "parents"])),
        ],
        not_fired: &[("identity_mismatch", B(false))],
        on: None,
    },
    Case { rule: "R14B", fires: &[("nik_consistent", B(false))], not_fired: &[], on: None },
    Case {
        rule: "R15",
        fires: &[("open_applications_elsewhere", I(1))],
        not_fired: &[("prior_cancellations", I(1))],
        on: None,
    },
    Case {
        rule: "R16",
        fires: &[("domicile_in_office_area", B(false)), ("prior_decision_other_office", B(true))],
        not_fired: &[
            ("domicile_in_office_area", B(false)),
            ("prior_decision_other_office", B(false)),
        ],
        on: None,
    },
    Case {
        rule: "R17",
        fires: &[("sponsor_shared_unrelated_count", I(4))],
        not_fired: &[("group_same_trip_unrelated_count", I(2))],
        on: None,
    },
    Case {
        rule: "R18",
        fires: &[("interview_admits_work_intent", B(true))],
        not_fired: &[],
        on: None,
    },
    Case {
        rule: "R19",
        fires: &[("prior_lapsed_deferrals", I(1))],
        not_fired: &[("prior_deferrals", I(1))],
        on: None,
    },
    Case {
        rule: "R20",
        fires: &[("sponsor_reports_count", I(1))],
        not_fired: &[("village_reports_count", I(1))],
        on: None,
    },
    Case {
        rule: "R20B",
        fires: &[("village_reports_count", I(2))],
        not_fired: &[("person_reports_count", I(0))],
        on: None,
    },
    Case {
        rule: "R21",
        fires: &[
            ("purpose", S("work")),
            ("destination_country", S("SA")),
            ("intended_job_domestic", B(true)),
        ],
        // The same placement after Saudi Arabia left the moratorium list (14 Mar 2025).
        not_fired: &[
            ("purpose", S("work")),
            ("destination_country", S("SA")),
            ("intended_job_domestic", B(true)),
        ],
        on: Some(date!(2024 - 06 - 01)),
    },
    Case { rule: "R22", fires: &[("prior_deportation", B(true))], not_fired: &[], on: None },
    Case {
        rule: "R23",
        fires: &[("purpose", S("tourism")), ("cpmi_record_status", S("in_process"))],
        // A returned worker on holiday is not a registration in progress.
        not_fired: &[("purpose", S("tourism")), ("cpmi_record_status", S("returned"))],
        on: None,
    },
];

fn apply(changes: Pairs) -> jejak_rules::Facts {
    let mut f = clean();
    let pairs: Vec<(&str, FactInput)> = changes.iter().map(|(n, v)| (*n, (*v).into())).collect();
    with(&mut f, &pairs);
    f
}

#[test]
fn every_default_rule_has_a_firing_and_a_non_firing_case() {
    let set = default_set();
    for rule in set.rules() {
        assert!(CASES.iter().any(|c| c.rule == rule.id), "no test case for {}", rule.id);
    }
    for case in CASES {
        let on_fire = case.on.unwrap_or(ON);
        let fired = status(set, case.rule, &apply(case.fires), on_fire);
        assert_eq!(fired, RuleStatus::Fired, "{} should fire", case.rule);
        // R21's near miss is the same placement after the Saudi reopening.
        let on_miss = if case.rule == "R21" { ON } else { on_fire };
        let missed = status(set, case.rule, &apply(case.not_fired), on_miss);
        assert_eq!(missed, RuleStatus::NotFired, "{} should not fire", case.rule);
    }
}

#[test]
fn the_clean_applicant_fires_nothing_and_nothing_is_unknown() {
    let a = default_set().assess(&clean(), ON);
    for t in &a.trace {
        assert!(
            matches!(t.status, RuleStatus::NotFired | RuleStatus::NotApplicable),
            "{} is {:?}",
            t.id,
            t.status
        );
    }
    assert_eq!((a.score, a.potential_score, a.band, a.flagged), (0, 0, Band::Low, false));
    assert!(a.indicators.is_empty());
    assert!(a.hard_checks.iter().all(|c| c.status == CheckStatus::Passed));
}

#[test]
fn fired_indicators_explain_themselves_in_both_languages() {
    let f = apply(&[("destination_country", S("MY")), ("prior_deferrals", I(2))]);
    let a = default_set().assess(&f, ON);
    let ids: Vec<&str> = a.indicators.iter().map(|i| &*i.id).collect();
    assert_eq!(ids, ["R06", "R12"]);
    assert_eq!(a.indicators[0].weight, 15, "weight from the destination list");
    assert_eq!(
        a.indicators[0].message.id,
        "Negara tujuan MY termasuk daftar negara berisiko tinggi"
    );
    assert_eq!(a.indicators[0].message.en, "Destination MY is on the high-risk list");
    assert_eq!(
        a.indicators[1].message.en,
        "Previously deferred (2x) or refused (0x) at some office"
    );
    assert_eq!(a.score, 50);
    assert_eq!(a.band, Band::Medium);
    assert!(a.flagged);
    assert_eq!(a.rule_set.name, "jejak-default");
    assert_eq!(a.rule_set.digest.len(), 64);
}

#[test]
fn failed_hard_checks_flag_without_adding_to_the_score() {
    let f = apply(&[("purpose", S("family_visit"))]);
    let a = default_set().assess(&f, ON);
    let r03 = a.hard_checks.iter().find(|c| &*c.id == "R03").unwrap();
    assert_eq!(r03.status, CheckStatus::Failed);
    assert_eq!(r03.passed, Some(false));
    assert!(r03.message.id.starts_with("Kunjungan keluarga tanpa"));
    assert_eq!(a.score, 0);
    assert!(a.flagged);
    // Work-only checks do not apply to a family visit and are left out of the checklist.
    assert!(a.hard_checks.iter().all(|c| &*c.id != "R01" && &*c.id != "R21"));
}

#[test]
fn weights_come_from_the_most_specific_list_entry() {
    let set = default_set();
    let weight = |pairs: Pairs| {
        let a = set.assess(&apply(pairs), ON);
        a.indicators.iter().find(|i| &*i.id == "R09").map(|i| i.weight)
    };
    let lamtim = weight(&[("domicile_district", S("18.07.01")), ("domicile_regency", S("18.07"))]);
    assert_eq!(lamtim, Some(10));
    let gedong_tataan =
        weight(&[("domicile_district", S("18.09.01")), ("domicile_regency", S("18.09"))]);
    assert_eq!(gedong_tataan, Some(7));
    let desa_binaan_only = weight(&[
        ("village_code", S("18.09.01.2004")),
        ("domicile_district", S("18.71.01")),
        ("domicile_regency", S("18.71")),
    ]);
    assert_eq!(desa_binaan_only, Some(5), "no pocket entry: the rule's own weight");
}

#[test]
fn unknown_facts_leave_a_hard_check_undecided_and_name_them() {
    let f = crate::support::facts(&[("purpose", "work".into())]);
    let a = default_set().assess(&f, ON);
    let r01 = a.hard_checks.iter().find(|c| &*c.id == "R01").unwrap();
    assert_eq!(r01.status, CheckStatus::Unknown);
    assert_eq!(r01.unknown_facts, ["cpmi_status", "cpmi_recommendation", "documents_supplied"]);
    assert!(
        r01.message.en.contains("unknown: cpmi_status, cpmi_recommendation, documents_supplied")
    );
    assert!(!a.flagged, "unknown hard checks do not flag");
    // No document shown: the SISKOP2MI registration may still carry the recommendation, so
    // the check waits for it; a registration without one decides it.
    let none: [&str; 0] = [];
    let r01 = |pairs: &[(&str, FactInput)]| {
        let f = crate::support::facts(pairs);
        default_set().assess(&f, ON).hard_checks.into_iter().find(|c| &*c.id == "R01").unwrap()
    };
    let no_document = [("purpose", "work".into()), ("documents_supplied", none.into())];
    assert_eq!(r01(&no_document).status, CheckStatus::Unknown);
    let mut without = no_document.to_vec();
    without.push(("cpmi_recommendation", false.into()));
    assert_eq!(r01(&without).status, CheckStatus::Failed);
    // The recommendation on the registration stands in for the document.
    let registered = [
        ("purpose", "work".into()),
        ("documents_supplied", none.into()),
        ("cpmi_status", "registered".into()),
        ("cpmi_recommendation", true.into()),
    ];
    assert_eq!(r01(&registered).status, CheckStatus::Passed);
}

#[test]
fn unknown_indicators_show_in_the_trace_and_the_potential_score() {
    let mut f = clean();
    f.unset("interview_inconsistent_answers").unwrap();
    f.unset("interview_admits_work_intent").unwrap();
    let a = default_set().assess(&f, ON);
    let r18 = a.trace.iter().find(|t| &*t.id == "R18").unwrap();
    assert_eq!(r18.status, RuleStatus::Unknown);
    assert_eq!(
        r18.unknown_facts,
        ["interview_inconsistent_answers", "interview_admits_work_intent"]
    );
    assert_eq!(r18.inputs.len(), 2);
    assert_eq!(a.score, 0);
    assert_eq!(a.potential_score, 35);
}

#[test]
fn rules_outside_their_validity_are_not_in_force() {
    let f = apply(&[("purpose", S("work"))]);
    let a = default_set().assess(&f, date!(2016 - 01 - 01));
    let r01 = a.trace.iter().find(|t| &*t.id == "R01").unwrap();
    assert_eq!(r01.status, RuleStatus::NotInForce);
    assert_eq!(r01.kind, RuleKind::HardCheck);
}

#[test]
fn assessments_serialise_to_json() {
    let a = default_set().assess(&apply(&[("destination_country", S("MY"))]), ON);
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["band"], "low");
    assert_eq!(json["assessed_on"], "2025-10-01");
    assert_eq!(json["indicators"][0]["id"], "R06");
    assert_eq!(json["rule_set"]["version"], "2026.1");
    assert_eq!(json["trace"].as_array().unwrap().len(), default_set().rules().len());
}

#[test]
fn reference_lists_hold_the_documented_data() {
    let set = default_set();
    let moratorium = set.list("moratorium_countries").unwrap();
    let in_force = |on| moratorium.entries.iter().filter(|e| e.validity.contains(on)).count();
    assert_eq!(in_force(date!(2015 - 06 - 30)), 0);
    assert_eq!(in_force(date!(2020 - 01 - 01)), 19, "Kepmenaker 260/2015: 19 countries");
    assert_eq!(in_force(date!(2025 - 06 - 01)), 18, "Saudi Arabia reopened on 14 Mar 2025");
    let high_risk = set.list("high_risk_destinations").unwrap();
    for e in &moratorium.entries {
        assert!(high_risk.entries.iter().any(|h| h.key == e.key), "{} not high-risk", e.key);
    }
    let pockets = set.list("pmi_pockets").unwrap();
    let lamtim = pockets.entries.iter().find(|e| e.key == "18.07").unwrap();
    assert!(pockets.entries.iter().all(|e| e.weight <= lamtim.weight), "Lampung Timur ranks first");
    let binaan = set.list("desa_binaan").unwrap();
    assert!(binaan.entries.iter().any(|e| e.key == "18.09.01.2004"), "Way Layap");
}
