//! Shared helpers: the default rule set, a fully known "clean" applicant and fact editing.

use std::sync::OnceLock;

use jejak_rules::{FactInput, Facts, RuleSet, RuleStatus, catalogue};
use time::Date;
use time::macros::date;

/// An application date after every default rule and list entry took effect.
pub const ON: Date = date!(2025 - 10 - 01);

pub fn default_set() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| catalogue::default_rule_set().unwrap_or_else(|d| panic!("{d}")))
}

/// Builds facts from (name, value) pairs.
pub fn facts(pairs: &[(&str, FactInput)]) -> Facts {
    let mut f = Facts::new();
    with(&mut f, pairs);
    f
}

/// Sets (name, value) pairs on existing facts.
pub fn with(f: &mut Facts, pairs: &[(&str, FactInput)]) {
    for (name, value) in pairs {
        f.set(name, value.clone()).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A tourist to Japan from Bandar Lampung with every fact known and nothing suspicious.
pub fn clean() -> Facts {
    let none: [&str; 0] = [];
    facts(&[
        ("purpose", "tourism".into()),
        ("destination_country", "JP".into()),
        ("sex", "L".into()),
        ("occupation", "KARYAWAN SWASTA".into()),
        ("education", "s1".into()),
        ("application_type", "replacement_expired".into()),
        ("has_previous_passport", true.into()),
        ("has_cpmi_id", false.into()),
        ("cpmi_record_status", "none".into()),
        ("has_sponsor", false.into()),
        ("village_code", "1871011001".into()),
        ("office_code", "BDL".into()),
        ("documents_supplied", none.into()),
        ("age", 40.into()),
        ("nik_consistent", true.into()),
        ("domicile_regency", "18.71".into()),
        ("domicile_district", "18.71.01".into()),
        ("domicile_in_office_area", true.into()),
        ("prior_deferrals", 0.into()),
        ("prior_rejections", 0.into()),
        ("prior_cancellations", 0.into()),
        ("prior_lapsed_deferrals", 0.into()),
        ("active_bar", false.into()),
        ("prior_decision_other_office", false.into()),
        ("open_applications_elsewhere", 0.into()),
        ("phone_shared_unrelated_count", 0.into()),
        ("sponsor_shared_unrelated_count", 0.into()),
        ("group_same_trip_unrelated_count", 0.into()),
        ("identity_mismatch", false.into()),
        ("identity_mismatch_fields", none.into()),
        ("lost_passport_count", 0.into()),
        ("lost_passport_negligent", false.into()),
        ("cpmi_status", "not_found".into()),
        ("ppiu_registered", true.into()),
        ("p3mi_licensed", true.into()),
        ("intended_job_domestic", false.into()),
        ("spsk_placement", false.into()),
        ("person_reports_count", 0.into()),
        ("sponsor_reports_count", 0.into()),
        ("village_reports_count", 0.into()),
        ("prior_deportation", false.into()),
        ("prior_border_crossings", 4.into()),
        ("interview_cannot_substantiate_trip", false.into()),
        ("interview_no_funds", false.into()),
        ("interview_unclear_profile", false.into()),
        ("interview_inconsistent_answers", false.into()),
        ("interview_admits_work_intent", false.into()),
        ("companion_non_family", false.into()),
    ])
}

/// The status of one rule in the default set for these facts.
pub fn status(set: &RuleSet, rule: &str, f: &Facts, on: Date) -> RuleStatus {
    let a = set.assess(f, on);
    a.trace.iter().find(|t| &*t.id == rule).unwrap_or_else(|| panic!("no rule {rule}")).status
}
