//! The rules' facts for one application (vocabulary in `crates/rules/README.md`), from the
//! application itself, the offices' work areas and the register as the screening sees it.
//!
//! * An absent value is an unset fact (unknown), never `false` or `0`: an empty
//!   `previous_passport_no` leaves `has_previous_passport` unknown, a register that was not
//!   consulted leaves every cross-record fact unknown. A consulted register with no match gives
//!   counts of 0 and `active_bar = false`.
//! * **Matched person** = the candidates in band auto-link **or review** ([`counts_as_match`]):
//!   the score is advisory and the officer sees the review matches too, so their history
//!   counts. An officer's verdict on the pair overrides the band (confirmed counts, rejected
//!   never does). `identity_mismatch` compares with the best (most probable) of them only.
//! * **No look-ahead** with [`FactContext::as_of`]: only applications applied strictly before
//!   that date and decisions taken strictly before it are used (backtests). Without it (live
//!   screening) the whole register is used.
//! * **Unrelated** (broker facts) = another person (not matched, not the same person id) and
//!   not the same household, approximated as sharing neither the mother's name nor the
//!   address (the register has no family-card number). Counted as distinct persons.

use std::collections::HashSet;

use jejak_domain::date::age_on;
use jejak_domain::{
    ApplicationKey, DecisionKind, IdentifierField, NewApplication, NikWarning, Office, RegionCode,
    RegionLevel, Verdict,
};
use jejak_matching::{Band, Level};
use jejak_rules::Facts;
use time::Date;

use crate::contacts::Household;
use crate::mirror::{Mirror, ScreenedCandidate, sponsor_keys};
use crate::partners::PartnerData;
use crate::{Result, ServiceError};

/// Where the facts come from besides the application.
#[derive(Debug, Clone, Copy)]
pub struct FactContext<'a> {
    /// The mirror screened against; `None` when no register was consulted.
    pub mirror: Option<&'a Mirror>,
    /// The offices with their work areas.
    pub offices: &'a [Office],
    /// Use only history strictly before this date (backtests).
    pub as_of: Option<Date>,
    /// Partner data (SISKOP2MI, P3MI and deportation lists); `None` leaves their facts
    /// unknown (backtests: the lists describe today, not the application date).
    pub partners: Option<&'a PartnerData>,
}

/// Whether a candidate's history counts as the applicant's own: the officer's verdict on the
/// pair if there is one, else the band (auto-link or review).
pub fn counts_as_match(candidate: &ScreenedCandidate) -> bool {
    match candidate.verdict.as_ref().map(|v| v.data.verdict()) {
        Some(Verdict::Confirm) => true,
        Some(Verdict::Reject) => false,
        None => matches!(candidate.band, Band::AutoLink | Band::Review),
    }
}

/// Derives every fact the data allows; the rest stay unknown.
pub fn derive_facts(
    app: &NewApplication,
    candidates: &[ScreenedCandidate],
    ctx: &FactContext<'_>,
) -> Result<Facts> {
    let mut facts = Facts::new();
    let mut set = |name: &str, value: jejak_rules::FactInput| -> Result<()> {
        facts
            .set(name, value)
            .map(|_| ())
            .map_err(|e| ServiceError::Internal(format!("fact {name}: {e}")))
    };
    application_facts(app, ctx.offices, &mut set)?;
    if let Some(partners) = ctx.partners {
        partners.facts(app, &mut set)?;
    }
    if let Some(mirror) = ctx.mirror {
        cross_record_facts(app, candidates, mirror, ctx.as_of, &mut set)?;
    }
    Ok(facts)
}

type Setter<'s> = dyn FnMut(&str, jejak_rules::FactInput) -> Result<()> + 's;

fn application_facts(app: &NewApplication, offices: &[Office], set: &mut Setter<'_>) -> Result<()> {
    set("office_code", app.office_code.as_str().into())?;
    if let Some(purpose) = app.purpose {
        set("purpose", purpose.as_str().into())?;
    }
    if let Some(country) = &app.destination_country {
        set("destination_country", country.as_str().into())?;
    }
    if let Some(sex) = app.sex {
        set("sex", sex.code().into())?;
    }
    if let Some(occupation) = app.occupation.as_deref().filter(|o| !o.trim().is_empty()) {
        set("occupation", occupation.into())?;
    }
    if let Some(village) = &app.village_code {
        set("village_code", village.dotted().into())?;
    }
    // A previous passport number or sponsor phone kept as written (not valid) still says
    // there was one.
    if app.identifier_text(IdentifierField::PreviousPassportNo).is_some() {
        set("has_previous_passport", true.into())?;
    }
    if app.cpmi_id.as_deref().is_some_and(|c| !c.trim().is_empty()) {
        set("has_cpmi_id", true.into())?;
    }
    if app.identifier_text(IdentifierField::SponsorPhone).is_some()
        || app.sponsor_name.as_deref().is_some_and(|s| !s.trim().is_empty())
    {
        set("has_sponsor", true.into())?;
    }
    let birth = app
        .birth_date
        .or_else(|| app.nik.as_ref().and_then(|nik| nik.birth_date(app.applied_on, None)));
    if let Some(birth) = birth {
        set("age", age_on(birth, app.applied_on).into())?;
    }
    if let Some(nik) = &app.nik
        && (app.birth_date.is_some() || app.sex.is_some())
    {
        let consistent = !nik.check(app.applied_on, app.birth_date, app.sex).iter().any(|w| {
            matches!(w, NikWarning::BirthDateMismatch { .. } | NikWarning::SexMismatch { .. })
        });
        set("nik_consistent", consistent.into())?;
    }
    let domicile: Option<RegionCode> =
        app.village_code.clone().or_else(|| app.nik.as_ref().map(|n| n.district()));
    if let Some(domicile) = &domicile {
        if let Some(regency) = domicile.regency() {
            set("domicile_regency", regency.dotted().into())?;
        }
        if let Some(district) = domicile.ancestor(RegionLevel::District) {
            set("domicile_district", district.dotted().into())?;
        }
        if let Some(office) = offices.iter().find(|o| o.code == app.office_code)
            && domicile.regency().is_some()
        {
            set("domicile_in_office_area", office.serves(domicile).into())?;
        }
    }
    Ok(())
}

fn cross_record_facts(
    app: &NewApplication,
    candidates: &[ScreenedCandidate],
    mirror: &Mirror,
    as_of: Option<Date>,
    set: &mut Setter<'_>,
) -> Result<()> {
    let decided_in_time = |d: Date| as_of.is_none_or(|cut| d < cut);
    let applied_in_time = |d: Date| as_of.is_none_or(|cut| d < cut);
    let own = mirror.key_of(&app.office_code, &app.application_id);
    let matched: Vec<&ScreenedCandidate> = candidates
        .iter()
        .filter(|c| counts_as_match(c) && Some(c.key) != own && applied_in_time(c.applied_on))
        .collect();

    let (mut deferrals, mut rejections, mut cancellations, mut lapsed) = (0usize, 0, 0, 0);
    let (mut active_bar, mut other_office, mut open) = (false, false, 0usize);
    for candidate in &matched {
        let decisions: Vec<_> = mirror
            .decisions_of(candidate.key)
            .iter()
            .filter(|d| decided_in_time(d.decided_on))
            .collect();
        let mut deferred_here = false;
        for d in &decisions {
            match d.kind {
                DecisionKind::Deferred => {
                    deferrals += 1;
                    deferred_here = true;
                }
                DecisionKind::Rejected => rejections += 1,
                DecisionKind::Cancelled => {
                    cancellations += 1;
                    if deferred_here {
                        lapsed += 1;
                    }
                }
                DecisionKind::Issued => {}
            }
            if d.bar_active_on(app.applied_on) {
                active_bar = true;
            }
            if matches!(d.kind, DecisionKind::Deferred | DecisionKind::Rejected)
                && candidate.office_code != app.office_code
            {
                other_office = true;
            }
        }
        if decisions.is_empty() {
            open += 1;
        }
    }
    set("prior_deferrals", deferrals.into())?;
    set("prior_rejections", rejections.into())?;
    set("prior_cancellations", cancellations.into())?;
    set("prior_lapsed_deferrals", lapsed.into())?;
    set("active_bar", active_bar.into())?;
    set("prior_decision_other_office", other_office.into())?;
    set("open_applications_elsewhere", open.into())?;

    // Broker signals: the same phone or sponsor on other persons' applications.
    let mut excluded: HashSet<ApplicationKey> =
        matched.iter().map(|c| c.person_id.first_application()).collect();
    excluded.extend(own.map(|k| mirror.person_key(k)));
    let household = Household::of(app);
    // The mirror's aggregates hold every application; with a cut-off date they serve only
    // when nothing held is on or after it (the backtest's day-by-day mirror).
    let aggregates = as_of.is_none_or(|cut| mirror.all_applied_before(cut));
    if let Some(phone) = &app.phone {
        let count = if aggregates {
            mirror.unrelated_sharing_phone(phone.as_str(), &household, &excluded)
        } else {
            unrelated_by_walking(
                mirror,
                &[mirror.with_phone(phone.as_str())],
                &household,
                &excluded,
                as_of,
            )
        };
        set("phone_shared_unrelated_count", count.into())?;
    }
    let sponsors = sponsor_keys(app);
    if !sponsors.is_empty() {
        let count = if aggregates {
            mirror.unrelated_sharing_sponsor(&sponsors, &household, &excluded)
        } else {
            let groups: Vec<&[ApplicationKey]> =
                sponsors.iter().map(|s| mirror.with_sponsor(s)).collect();
            unrelated_by_walking(mirror, &groups, &household, &excluded, as_of)
        };
        set("sponsor_shared_unrelated_count", count.into())?;
    }

    if let Some(best) = matched.first() {
        let fields = mismatched_fields(best);
        set("identity_mismatch", (!fields.is_empty()).into())?;
        set(
            "identity_mismatch_fields",
            fields.into_iter().map(str::to_owned).collect::<Vec<_>>().into(),
        )?;
    }
    Ok(())
}

/// Distinct persons among the applications in `groups` applied before `as_of`, other than the
/// `excluded` persons and applications sharing `household`, by looking at each one (the
/// reference for the mirror's aggregates, and the way when later applications are held).
pub fn unrelated_by_walking(
    mirror: &Mirror,
    groups: &[&[ApplicationKey]],
    household: &Household,
    excluded: &HashSet<ApplicationKey>,
    as_of: Option<Date>,
) -> usize {
    groups
        .iter()
        .flat_map(|keys| keys.iter().copied())
        .filter(|k| {
            mirror.brief(*k).is_some_and(|other| {
                as_of.is_none_or(|cut| other.applied_on < cut) && !household.shared_by_brief(other)
            })
        })
        .map(|k| mirror.person_key(k))
        .filter(|p| !excluded.contains(p))
        .collect::<HashSet<_>>()
        .len()
}

/// Identity fields that differ from the best match, from the matching engine's evidence:
/// any level other than exact (a spelling variant counts as a difference: that is the
/// evasion R14 looks for); missing values say nothing.
pub fn mismatched_fields(best: &ScreenedCandidate) -> Vec<&'static str> {
    let level = |field: &str| best.evidence.iter().find(|e| e.field == field).map(|e| e.level);
    let differs =
        |field: &str| level(field).is_some_and(|l| !matches!(l, Level::Exact | Level::Missing));
    let mut out = Vec::new();
    if differs("full_name") {
        out.push("name");
    }
    if differs("birth_date") {
        out.push("birth_date");
    }
    if differs("sex") {
        out.push("sex");
    }
    if differs("birth_place") {
        out.push("birth_place");
    }
    if differs("mother_name") || differs("father_name") {
        out.push("parents");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jejak_domain::date::ymd;
    use jejak_domain::{
        Application, Decision, NewDecision, Nik, OfficeCode, PassportNo, Phone, RegionCode, Sex,
    };
    use jejak_matching::Model;
    use jejak_rules::Value;

    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Date {
        ymd(y, m, d).unwrap_or(Date::MIN)
    }

    fn person(id: &str, office: &str, on: Date, name: &str, mother: &str) -> NewApplication {
        let office = OfficeCode::parse(office).unwrap_or_else(|_| panic!("office {office}"));
        let mut app = NewApplication::new(id, office, on, name);
        app.nik = Nik::parse("1807054503950001").ok();
        app.sex = Some(Sex::Female);
        app.birth_date = Some(day(1995, 3, 5));
        app.village_code = RegionCode::parse("18.07.05.2001").ok();
        app.mother_name = Some(mother.to_owned());
        app.phone = Phone::parse("081234567890").ok();
        app
    }

    fn stored(key: i64, data: NewApplication) -> Application {
        Application { key: ApplicationKey(key), version: 1, change_seq: key, data }
    }

    fn deferred(id: i64, key: i64, on: Date, until: Date) -> Decision {
        Decision {
            id,
            change_seq: id,
            data: NewDecision {
                application: ApplicationKey(key),
                kind: DecisionKind::Deferred,
                decided_on: on,
                deferral_until: Some(until),
                reason_codes: vec!["PMI_NP".into()],
                reason_text: None,
                officer: None,
            },
        }
    }

    fn mirror(apps: Vec<Application>, decisions: Vec<Decision>) -> Mirror {
        let model = Arc::new(Model::interchange().unwrap_or_else(|e| panic!("{e}")));
        Mirror::build(model, None, apps, decisions).unwrap_or_else(|e| panic!("{e}"))
    }

    fn facts_of(app: &NewApplication, mirror: Option<&Mirror>, as_of: Option<Date>) -> Facts {
        let offices = Office::lampung_pilot();
        let candidates = mirror
            .map(|r| r.screen(app, 20, as_of).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_default();
        let ctx = FactContext { mirror, offices: &offices, as_of, partners: None };
        derive_facts(app, &candidates, &ctx).unwrap_or_else(|e| panic!("{e}"))
    }

    fn int(facts: &Facts, name: &str) -> Option<i64> {
        match facts.get_by_name(name) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    fn boolean(facts: &Facts, name: &str) -> Option<bool> {
        match facts.get_by_name(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    #[test]
    fn absent_values_and_an_unconsulted_mirror_leave_facts_unknown() {
        let app = person("BDL-1", "BDL", day(2025, 3, 1), "Suryani", "Siti Maryam");
        let facts = facts_of(&app, None, None);
        assert_eq!(int(&facts, "age"), Some(29));
        assert_eq!(boolean(&facts, "nik_consistent"), Some(true));
        assert_eq!(boolean(&facts, "domicile_in_office_area"), Some(false), "18.07 is KLA's area");
        assert!(facts.get_by_name("has_previous_passport").is_none());
        assert!(facts.get_by_name("prior_deferrals").is_none());
        assert!(facts.get_by_name("active_bar").is_none());
        assert!(facts.get_by_name("identity_mismatch").is_none());

        let mut with_passport = app.clone();
        with_passport.previous_passport_no = PassportNo::parse("C1234567").ok();
        with_passport.sex = Some(Sex::Male);
        let facts = facts_of(&with_passport, None, None);
        assert_eq!(boolean(&facts, "has_previous_passport"), Some(true));
        assert_eq!(boolean(&facts, "nik_consistent"), Some(false), "the NIK says female");
    }

    #[test]
    fn a_matched_persons_deferral_elsewhere_counts_with_an_active_bar() {
        let earlier = person("KLA-1", "KLA", day(2025, 1, 10), "Suryani", "Siti Maryam");
        let mirror = mirror(
            vec![stored(1, earlier)],
            vec![deferred(2, 1, day(2025, 1, 12), day(2025, 7, 12))],
        );
        let again = person("BDL-1", "BDL", day(2025, 3, 1), "Soeryani", "Siti Maryam");
        let facts = facts_of(&again, Some(&mirror), None);
        assert_eq!(int(&facts, "prior_deferrals"), Some(1));
        assert_eq!(int(&facts, "prior_rejections"), Some(0));
        assert_eq!(boolean(&facts, "active_bar"), Some(true));
        assert_eq!(boolean(&facts, "prior_decision_other_office"), Some(true));
        assert_eq!(int(&facts, "open_applications_elsewhere"), Some(0));
        assert_eq!(boolean(&facts, "identity_mismatch"), Some(true), "Suryani became Soeryani");
        assert_eq!(int(&facts, "phone_shared_unrelated_count"), Some(0), "the same person");
    }

    #[test]
    fn history_after_the_as_of_date_is_not_seen() {
        let earlier = person("KLA-1", "KLA", day(2025, 1, 10), "Suryani", "Siti Maryam");
        // Deferred on 2025-03-05, after the second application's date.
        let mirror = mirror(
            vec![stored(1, earlier)],
            vec![deferred(2, 1, day(2025, 3, 5), day(2025, 9, 5))],
        );
        let again = person("BDL-1", "BDL", day(2025, 3, 1), "Suryani", "Siti Maryam");
        let facts = facts_of(&again, Some(&mirror), Some(again.applied_on));
        assert_eq!(int(&facts, "prior_deferrals"), Some(0));
        assert_eq!(boolean(&facts, "active_bar"), Some(false));
        assert_eq!(int(&facts, "open_applications_elsewhere"), Some(1), "undecided on 2025-03-01");
        // Live, the same mirror shows the deferral.
        let live = facts_of(&again, Some(&mirror), None);
        assert_eq!(int(&live, "prior_deferrals"), Some(1));
        // And an application applied on or after the as-of date is no candidate at all.
        let before = facts_of(&again, Some(&mirror), Some(day(2025, 1, 10)));
        assert_eq!(int(&before, "open_applications_elsewhere"), Some(0));
    }

    #[test]
    fn a_phone_shared_with_unrelated_applicants_counts_but_not_with_the_household() {
        let mut stranger = person("KLA-1", "KLA", day(2025, 1, 10), "Joko Santoso", "Rukmini");
        stranger.nik = Nik::parse("1871021208800003").ok();
        stranger.sex = Some(Sex::Male);
        stranger.birth_date = Some(day(1980, 8, 12));
        let mut sister = person("KLA-2", "KLA", day(2025, 1, 11), "Wulandari", "Siti Maryam");
        sister.nik = Nik::parse("1807055012980002").ok();
        sister.birth_date = Some(day(1998, 12, 10));
        let mirror = mirror(vec![stored(1, stranger), stored(2, sister)], Vec::new());
        let app = person("BDL-1", "BDL", day(2025, 3, 1), "Suryani", "Siti Maryam");
        let facts = facts_of(&app, Some(&mirror), None);
        assert_eq!(int(&facts, "phone_shared_unrelated_count"), Some(1));
        assert!(facts.get_by_name("sponsor_shared_unrelated_count").is_none(), "no sponsor given");
    }
}
