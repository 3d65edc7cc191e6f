//! The monitoring aggregates against counts made directly from a generated register, on
//! SQLite and PostgreSQL: at start-up, after incremental refreshes, across month boundaries,
//! with office scoping and without look-ahead.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use jejak_domain::decision::REASON_CODES;
use jejak_domain::{
    Application, ApplicationKey, Decision, DecisionKind, OfficeCode, RegionCode, Sex,
};
use jejak_matching::Model;
use jejak_service::authz::{Actor, Role};
use jejak_service::screening::Screening;
use jejak_service::stats::cube::{AgeBand, Month, month_label, month_of};
use jejak_service::stats::query::{
    BreakdownCounts, Dimension, Filter, MEASURES, breakdown_counts, breakdown_counts_many,
    measure_counts, rule_category,
};
use jejak_service::stats::suppress::Shown;
use jejak_service::stats::{Dashboard, GroupBy, StatsRequest, dashboard, stats_table};
use jejak_store::{ConflictPolicy, Store};
use jejak_store::{FiredRule, NewAssessment, StoredAssessment};

use crate::support::{ctx, day};

fn model() -> Arc<Model> {
    Arc::new(Model::interchange().unwrap())
}

async fn everything(store: &dyn Store) -> (Vec<Application>, Vec<Decision>, Vec<StoredAssessment>) {
    let apps = store.applications_changed_since(0, 1_000_000).await.unwrap();
    let decisions = store.decisions_changed_since(0, 1_000_000).await.unwrap();
    let assessments = store.assessments_changed_since(0, 1_000_000).await.unwrap();
    (apps, decisions, assessments)
}

/// Counts per (month, office) made straight from the rows and the register's persons.
fn direct_counts(
    screening: &Screening,
    apps: &[Application],
    decisions: &[Decision],
    assessments: &[StoredAssessment],
    from: Month,
    to: Month,
) -> BTreeMap<(Month, OfficeCode), [u64; 7]> {
    let by_key: HashMap<ApplicationKey, &Application> = apps.iter().map(|a| (a.key, a)).collect();
    let mut latest: HashMap<ApplicationKey, &StoredAssessment> = HashMap::new();
    for a in assessments {
        latest.insert(a.data.application, a);
    }
    let persons: HashMap<ApplicationKey, ApplicationKey> = screening
        .with_mirror(|r, _| apps.iter().map(|a| (a.key, r.person_key(a.key))).collect())
        .unwrap();
    let mut out = BTreeMap::new();
    for app in apps {
        let m = month_of(app.data.applied_on);
        if m < from || m > to {
            continue;
        }
        let row: &mut [u64; 7] = out.entry((m, app.data.office_code.clone())).or_insert([0; 7]);
        row[0] += 1;
        let assessment = latest.get(&app.key);
        if assessment.is_some_and(|a| a.data.band == "high") {
            row[5] += 1;
        }
        let fired = assessment.is_some_and(|a| {
            a.data.fired_indicators.iter().any(|f| f.id == "R12" || f.id == "R16")
        });
        if fired || caught_when_applied(screening, &by_key, &persons, app) {
            row[6] += 1;
        }
    }
    for d in decisions {
        let m = month_of(d.data.decided_on);
        if m < from || m > to {
            continue;
        }
        let app = by_key[&d.data.application];
        let row = out.entry((m, app.data.office_code.clone())).or_insert([0; 7]);
        row[match d.data.kind {
            DecisionKind::Issued => 1,
            DecisionKind::Deferred => 2,
            DecisionKind::Rejected => 3,
            DecisionKind::Cancelled => 4,
        }] += 1;
    }
    out
}

/// Whether `app` was caught re-applying across offices by what was known on its date: an
/// application at another office, applied strictly earlier, reached through direct joins
/// (auto-link matches, confirmed pairs) inside today's person using only applications
/// applied on or before `app`'s date.
fn caught_when_applied(
    screening: &Screening,
    by_key: &HashMap<ApplicationKey, &Application>,
    persons: &HashMap<ApplicationKey, ApplicationKey>,
    app: &Application,
) -> bool {
    let on = app.data.applied_on;
    let mut seen = vec![app.key];
    let mut stack = vec![app.key];
    while let Some(at) = stack.pop() {
        let joined = screening.with_mirror(|r, _| r.joined_to(at)).unwrap();
        for next in joined {
            let Some(other) = by_key.get(&next) else { continue };
            if persons[&next] != persons[&app.key]
                || other.data.applied_on > on
                || seen.contains(&next)
            {
                continue;
            }
            if other.data.office_code != app.data.office_code && other.data.applied_on < on {
                return true;
            }
            seen.push(next);
            stack.push(next);
        }
    }
    false
}

/// The facts of an application read straight from its fields: origin (village, else the
/// NIK's district), sex (declared, else the NIK's), age band on the application date.
fn origin_of(app: &Application) -> Option<String> {
    let a = &app.data;
    a.village_code
        .clone()
        .or_else(|| a.nik.as_ref().map(|n| n.district()))
        .map(|r| r.as_str().to_owned())
}

fn sex_of(app: &Application) -> &'static str {
    let a = &app.data;
    match a.sex.or_else(|| a.nik.as_ref().map(|n| n.sex())) {
        Some(Sex::Male) => "L",
        Some(Sex::Female) => "P",
        None => "?",
    }
}

fn age_band_of(app: &Application) -> &'static str {
    let a = &app.data;
    let birth =
        a.birth_date.or_else(|| a.nik.as_ref().and_then(|n| n.birth_date(a.applied_on, None)));
    AgeBand::at(birth, a.applied_on).label()
}

/// Every dashboard breakdown counted straight from the rows, in the order of
/// [`Dimension::ALL`]: category -> (month, office) -> count.
fn direct_breakdowns(
    apps: &[Application],
    decisions: &[Decision],
    assessments: &[StoredAssessment],
    from: Month,
    to: Month,
) -> Vec<BreakdownCounts> {
    let by_key: HashMap<ApplicationKey, &Application> = apps.iter().map(|a| (a.key, a)).collect();
    let mut latest: HashMap<ApplicationKey, &StoredAssessment> = HashMap::new();
    for a in assessments {
        latest.insert(a.data.application, a);
    }
    let mut out: Vec<BreakdownCounts> = vec![BTreeMap::new(); Dimension::ALL.len()];
    let mut add = |d: Dimension, category: String, month: Month, office: &OfficeCode| {
        if month < from || month > to {
            return;
        }
        let i = Dimension::ALL.iter().position(|x| *x == d).unwrap();
        *out[i].entry(category).or_default().entry((month, office.clone())).or_insert(0) += 1;
    };
    for app in apps {
        let (m, o) = (month_of(app.data.applied_on), &app.data.office_code);
        let origin = origin_of(app);
        let prefix = |n: usize| origin.as_ref().map_or("?".to_owned(), |c| c[..n].to_owned());
        add(Dimension::Regency, prefix(4), m, o);
        add(Dimension::District, prefix(6), m, o);
        let destination =
            app.data.destination_country.map_or("?".to_owned(), |c| c.as_str().to_owned());
        add(Dimension::Destination, destination, m, o);
        let purpose = app.data.purpose.map_or("?".to_owned(), |p| p.as_str().to_owned());
        add(Dimension::Purpose, purpose, m, o);
        add(Dimension::Sex, sex_of(app).to_owned(), m, o);
        add(Dimension::AgeBand, age_band_of(app).to_owned(), m, o);
        let assessment = latest.get(&app.key);
        let band = assessment.map_or("unassessed", |a| match a.data.band.as_str() {
            "low" => "low",
            "medium" => "medium",
            "high" => "high",
            _ => "unassessed",
        });
        add(Dimension::RiskBand, band.to_owned(), m, o);
        if let Some(a) = assessment {
            for rule in &a.data.fired_indicators {
                add(Dimension::Rule, rule_category(&a.data.rule_set_version, &rule.id), m, o);
            }
        }
    }
    for d in decisions {
        let app = by_key[&d.data.application];
        let (m, o) = (month_of(d.data.decided_on), &app.data.office_code);
        add(Dimension::Outcome, d.data.kind.as_str().to_owned(), m, o);
        let codes: Vec<&str> = REASON_CODES
            .iter()
            .filter(|r| d.data.reason_codes.iter().any(|c| c.eq_ignore_ascii_case(r.code)))
            .map(|r| r.code)
            .collect();
        let text = d.data.reason_text.as_deref().is_some_and(|t| !t.trim().is_empty());
        match (codes.is_empty(), text) {
            (true, true) => add(Dimension::Reason, "TEXT".to_owned(), m, o),
            (true, false) => add(Dimension::Reason, "-".to_owned(), m, o),
            (false, _) => {
                for code in codes {
                    add(Dimension::Reason, code.to_owned(), m, o);
                }
            }
        }
    }
    out
}

/// Days from application to first decision straight from the rows: per decision month, the
/// days of every application decided for the first time in it (capped at 730), of one
/// office or all.
fn direct_days(
    apps: &[Application],
    decisions: &[Decision],
    office: Option<&OfficeCode>,
) -> BTreeMap<Month, Vec<i64>> {
    let mut first: HashMap<ApplicationKey, &Decision> = HashMap::new();
    for d in decisions {
        let held = first.entry(d.data.application).or_insert(d);
        if (d.data.decided_on, d.id) < (held.data.decided_on, held.id) {
            *held = d;
        }
    }
    let mut out: BTreeMap<Month, Vec<i64>> = BTreeMap::new();
    for app in apps {
        if office.is_some_and(|o| *o != app.data.office_code) {
            continue;
        }
        let Some(d) = first.get(&app.key) else { continue };
        let days = (d.data.decided_on - app.data.applied_on).whole_days().clamp(0, 730);
        out.entry(month_of(d.data.decided_on)).or_default().push(days);
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    out
}

/// A published value against its true count: shown counts equal, `<5` is 1-4.
fn check_shown(shown: Shown, truth: u64, what: &str) {
    match shown {
        Shown::Count(c) => assert_eq!(c, truth, "{what}"),
        Shown::Suppressed => assert!((1..5).contains(&truth), "{what}: <5 for {truth}"),
        Shown::Withheld => {}
    }
}

/// Every number of a dashboard view against the direct counts: the monthly figures, every
/// breakdown and the days to decision, for one office or the region.
fn check_dashboard(
    d: &Dashboard,
    direct: &BTreeMap<(Month, OfficeCode), [u64; 7]>,
    breakdowns: &[BreakdownCounts],
    apps: &[Application],
    decisions: &[Decision],
) {
    let office = d.office.as_ref();
    let mine = |o: &OfficeCode| office.is_none_or(|x| x == o);
    for row in &d.trend {
        let m = march_of(&row.period);
        let mut truth = [0u64; 7];
        for ((mm, o), v) in direct {
            if *mm == m && mine(o) {
                for (t, n) in truth.iter_mut().zip(v) {
                    *t += n;
                }
            }
        }
        for (i, (shown, n)) in row.values().iter().zip(truth).enumerate() {
            check_shown(*shown, n, &format!("{} {}", row.period, MEASURES[i]));
        }
    }
    let mut counted = 0;
    for b in &d.breakdowns {
        let i = Dimension::ALL.iter().position(|x| *x == b.dimension).unwrap();
        let want = &breakdowns[i];
        let present: Vec<&String> = want
            .iter()
            .filter(|(_, cells)| {
                cells.iter().any(|((m, o), n)| *n > 0 && mine(o) && *m >= d.from && *m <= d.to)
            })
            .map(|(c, _)| c)
            .collect();
        for c in &present {
            assert!(b.categories.contains(c), "{:?}: category {c} missing", b.dimension);
        }
        for (category, values) in b.categories.iter().zip(&b.values) {
            for (month, shown) in b.months.iter().zip(values) {
                let truth: u64 = want
                    .get(category)
                    .map(|cells| {
                        cells
                            .iter()
                            .filter(|((m, o), _)| m == month && mine(o))
                            .map(|(_, n)| n)
                            .sum()
                    })
                    .unwrap_or(0);
                let what = format!("{:?} {category} {}", b.dimension, month_label(*month));
                check_shown(*shown, truth, &what);
                counted += u64::from(shown.count().is_some_and(|n| n > 0));
            }
        }
    }
    assert!(counted > 0, "some breakdown cells are shown");
    let days = direct_days(apps, decisions, office);
    for (m, figure) in &d.days {
        let list = days.get(m).cloned().unwrap_or_default();
        let what = format!("days to decision {}", month_label(*m));
        check_shown(figure.decisions, list.len() as u64, &what);
        if list.len() >= 5 {
            let median = list[list.len().div_ceil(2) - 1];
            let mean = list.iter().sum::<i64>() as f64 / list.len() as f64;
            assert_eq!(figure.median.map(i64::from), Some(median), "{what}");
            assert!((figure.mean.unwrap() - mean).abs() < 1e-9, "{what}");
        } else {
            assert_eq!((figure.median, figure.mean), (None, None), "{what}");
        }
    }
}

fn nonzero(
    map: BTreeMap<(Month, OfficeCode), [u64; 7]>,
) -> BTreeMap<(Month, OfficeCode), [u64; 7]> {
    map.into_iter().filter(|(_, v)| v.iter().any(|n| *n > 0)).collect()
}

fn offices() -> Vec<OfficeCode> {
    ["BDL", "KLA", "KTB"].iter().map(|o| OfficeCode::parse(o).unwrap()).collect()
}

/// Assessments for some applications: every 5th high (R12 fired on every 3rd of those),
/// every 4th medium.
async fn assess_some(store: &dyn Store, apps: &[Application]) {
    for app in apps {
        let band = match app.key.0 % 20 {
            0 | 5 | 10 | 15 => "high",
            4 | 8 | 12 => "medium",
            _ => continue,
        };
        let fired = if app.key.0 % 3 == 0 {
            vec![FiredRule { id: "R12".into(), weight: 40 }]
        } else {
            vec![FiredRule { id: "R06".into(), weight: 20 }]
        };
        let assessment = NewAssessment {
            application: app.key,
            rule_set_version: "test".into(),
            digest: "d".into(),
            score: 50,
            band: band.into(),
            fired_indicators: fired,
            failed_hard_checks: Vec::new(),
        };
        store.record_assessment(&assessment, &ctx()).await.unwrap();
    }
}

async fn the_aggregates_equal_direct_counts(store: Arc<dyn Store>) {
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: 400,
        seed: 16,
        start: day(2024, 1, 1),
        end: day(2025, 12, 31),
        ..Default::default()
    });
    let cut = day(2025, 1, 1);
    let (early, late): (Vec<_>, Vec<_>) =
        data.applications.iter().cloned().partition(|a| a.applied_on < cut);
    store.import(&early, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let (apps, _, _) = everything(store.as_ref()).await;
    assess_some(store.as_ref(), &apps).await;

    let screening = Screening::start(store.clone(), model()).await.unwrap();
    let (from, to) = (month_of(day(2024, 1, 1)), month_of(day(2025, 12, 31)));
    let filter = Filter { from, to, region: None };
    let (apps, decisions, assessments) = everything(store.as_ref()).await;
    let direct = direct_counts(&screening, &apps, &decisions, &assessments, from, to);
    let cube = screening.with_stats(|cube, _| measure_counts(cube, &filter, &offices())).unwrap();
    assert!(direct.values().map(|r| r[0]).sum::<u64>() > 100, "a real register");
    assert!(direct.values().any(|r| r[5] > 0) && direct.values().any(|r| r[6] > 0));
    assert_eq!(nonzero(cube), direct, "at start-up");
    let before_2025: BTreeMap<_, _> = direct
        .iter()
        .filter(|((m, _), _)| *m < month_of(cut))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let until_2024 = Filter { to: month_of(cut) - 1, ..filter.clone() };
    let breakdowns_2024 = screening
        .with_stats(|cube, _| breakdown_counts_many(cube, &until_2024, &Dimension::ALL))
        .unwrap();
    let days_2024 = screening
        .with_stats(|cube, _| {
            jejak_service::stats::query::days_to_decision(cube, &until_2024, None)
        })
        .unwrap();

    // Later applications, more assessments and a deletion, followed incrementally.
    store.import(&late, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let (apps, _, _) = everything(store.as_ref()).await;
    let new: Vec<Application> = apps.iter().filter(|a| a.data.applied_on >= cut).cloned().collect();
    assess_some(store.as_ref(), &new).await;
    screening.refresh().await.unwrap();
    let (apps, decisions, assessments) = everything(store.as_ref()).await;
    let direct = direct_counts(&screening, &apps, &decisions, &assessments, from, to);
    let cube = screening.with_stats(|cube, _| measure_counts(cube, &filter, &offices())).unwrap();
    assert_eq!(nonzero(cube.clone()), direct, "after refreshing");
    // No look-ahead: 2024's applications, decisions, bands and cross-office catches did not
    // move when 2025 came (a 2025 application linking two persons leaves 2024 alone), nor
    // did any breakdown or the days to decision.
    let still: BTreeMap<_, _> = cube
        .iter()
        .filter(|((m, _), v)| *m < month_of(cut) && v.iter().any(|n| *n > 0))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(still, before_2025);
    let breakdowns_still = screening
        .with_stats(|cube, _| breakdown_counts_many(cube, &until_2024, &Dimension::ALL))
        .unwrap();
    assert_eq!(breakdowns_still, breakdowns_2024);
    let days_still = screening
        .with_stats(|cube, _| {
            jejak_service::stats::query::days_to_decision(cube, &until_2024, None)
        })
        .unwrap();
    assert_eq!(days_still, days_2024);

    // Every breakdown equals a count made straight from the rows.
    let direct_b = direct_breakdowns(&apps, &decisions, &assessments, from, to);
    let cube_b = screening
        .with_stats(|cube, _| breakdown_counts_many(cube, &filter, &Dimension::ALL))
        .unwrap();
    for ((d, got), want) in Dimension::ALL.iter().zip(&cube_b).zip(&direct_b) {
        assert_eq!(got, want, "{d:?} against the direct count");
    }
    // A month boundary: the register has applications on a month's last and next first day.
    let last_days: Vec<_> = apps
        .iter()
        .map(|a| a.data.applied_on)
        .filter(|d| d.next_day().is_some_and(|n| n.day() == 1))
        .collect();
    assert!(
        last_days.iter().any(|d| apps.iter().any(|a| Some(a.data.applied_on) == d.next_day())),
        "applications on both sides of a month boundary"
    );

    // Rule fires per rule-set version: the latest assessment of each application, by the
    // month it was applied for.
    let mut latest: HashMap<ApplicationKey, &StoredAssessment> = HashMap::new();
    for a in &assessments {
        latest.insert(a.data.application, a);
    }
    let mut fired: BTreeMap<String, BTreeMap<(Month, OfficeCode), u64>> = BTreeMap::new();
    for app in &apps {
        let Some(a) = latest.get(&app.key) else { continue };
        for rule in &a.data.fired_indicators {
            let category = rule_category(&a.data.rule_set_version, &rule.id);
            let cell = (month_of(app.data.applied_on), app.data.office_code.clone());
            *fired.entry(category).or_default().entry(cell).or_insert(0) += 1;
        }
    }
    assert!(fired.contains_key("test R12") && fired.contains_key("test R06"));
    let all = screening
        .with_stats(|cube, _| {
            assert_eq!(breakdown_counts(cube, &filter, Dimension::Rule), fired);
            breakdown_counts_many(cube, &filter, &Dimension::ALL)
        })
        .unwrap();
    // A region filter counts only the applicants from that region (here: one regency).
    let origin = |a: &Application| jejak_service::stats::cube::AppFacts::of(&a.data).origin;
    let regency = apps.iter().find_map(origin).unwrap().regency().unwrap();
    let in_regency = Filter { region: Some(regency.clone()), ..filter.clone() };
    let mut expected: BTreeMap<(Month, OfficeCode), u64> = BTreeMap::new();
    for app in &apps {
        if origin(app).is_some_and(|o| o.as_str().starts_with(regency.as_str())) {
            let cell = (month_of(app.data.applied_on), app.data.office_code.clone());
            *expected.entry(cell).or_insert(0) += 1;
        }
    }
    let counted: BTreeMap<(Month, OfficeCode), u64> = screening
        .with_stats(|cube, _| measure_counts(cube, &in_regency, &offices()))
        .unwrap()
        .into_iter()
        .filter(|(_, row)| row[0] > 0)
        .map(|(k, row)| (k, row[0]))
        .collect();
    assert_eq!(counted, expected, "applications from regency {regency:?}");
    assert!(counted.values().sum::<u64>() < apps.len() as u64, "a real restriction");
    for (d, many) in Dimension::ALL.iter().zip(&all) {
        let one = screening.with_stats(|cube, _| breakdown_counts(cube, &filter, *d)).unwrap();
        assert_eq!(&one, many, "{d:?}: one walk for all gives each breakdown's counts");
        assert!(!many.is_empty(), "{d:?}");
    }

    // A month boundary: 31 March and 1 April land in their own months.
    let march = month_of(day(2025, 3, 1));
    let on_31 = apps.iter().filter(|a| a.data.applied_on == day(2025, 3, 31)).count() as u64;
    assert!(cube.iter().filter(|((m, _), _)| *m == march).map(|(_, v)| v[0]).sum::<u64>() >= on_31);

    // Published: every shown count is the true one, every `<5` is 1-4.
    let analis = Actor::user("analis", "Analis", Role::Analis, OfficeCode::parse("BDL").unwrap());
    let request = StatsRequest {
        from: day(2024, 1, 1),
        to: day(2025, 12, 31),
        group_by: GroupBy::MonthOffice,
        office: None,
        region: None,
    };
    let rows = stats_table(&screening, &analis, &request).unwrap();
    assert_eq!(rows.len(), 24 * 3, "one row per month and office, zeros included");
    let mut suppressed = 0;
    for row in &rows {
        let office = OfficeCode::parse(&row.office_code).unwrap();
        let truth = direct.get(&(march_of(&row.period), office)).copied().unwrap_or([0; 7]);
        for (shown, n) in row.values().iter().zip(truth) {
            match shown {
                Shown::Count(c) => assert_eq!(*c, n, "{row:?}"),
                Shown::Suppressed => {
                    assert!((1..5).contains(&n), "{row:?}");
                    suppressed += 1;
                }
                Shown::Withheld => {}
            }
        }
    }
    assert!(suppressed > 0, "a small register has small counts");

    // A supervisor sees their own office only, and may not ask for another.
    let kla = OfficeCode::parse("KLA").unwrap();
    let supervisor = Actor::user("sup", "Sup", Role::Supervisor, kla.clone());
    let own = stats_table(&screening, &supervisor, &request).unwrap();
    assert_eq!(own.len(), 24);
    assert!(own.iter().all(|r| r.office_code == "KLA"));
    let theirs: Vec<_> = rows.iter().filter(|r| r.office_code == "KLA").cloned().collect();
    assert_eq!(own, theirs, "the same cells as the analyst's view");
    let other = StatsRequest { office: Some(OfficeCode::parse("BDL").unwrap()), ..request.clone() };
    assert!(stats_table(&screening, &supervisor, &other).is_err());
    let petugas = Actor::user("p", "P", Role::Petugas, kla.clone());
    assert!(stats_table(&screening, &petugas, &request).is_err());

    // Every number of the dashboard, for the region, each office and a supervisor's own.
    let region_view = dashboard(&screening, &analis, from, to, None, None).unwrap();
    check_dashboard(&region_view, &direct, &direct_b, &apps, &decisions);
    for o in offices() {
        let view = dashboard(&screening, &analis, from, to, Some(&o), None).unwrap();
        check_dashboard(&view, &direct, &direct_b, &apps, &decisions);
    }
    let own_view = dashboard(&screening, &supervisor, from, to, None, None).unwrap();
    assert_eq!(own_view.office, Some(kla));
    check_dashboard(&own_view, &direct, &direct_b, &apps, &decisions);

    // Region filters: a village is refused (too small to publish); a regency's and a
    // district's numbers never differ from an enclosing view's (the whole region; the
    // district's regency) by 1 to 4, for the region and for each office.
    let origins: Vec<RegionCode> = apps
        .iter()
        .filter_map(|a| jejak_service::stats::cube::AppFacts::of(&a.data).origin)
        .collect();
    let village = origins.iter().find(|o| o.as_str().len() == 10).unwrap().clone();
    let refused = dashboard(&screening, &analis, from, to, None, Some(village.clone()));
    assert!(
        refused.as_ref().is_err_and(|e| e.to_string().contains("kecamatan")),
        "{:?}",
        refused.map(|_| ())
    );
    let village_rows = StatsRequest { region: Some(village), ..request.clone() };
    assert!(stats_table(&screening, &analis, &village_rows).is_err());
    let regencies: BTreeSet<RegionCode> = origins.iter().filter_map(RegionCode::regency).collect();
    let mut compared = 0;
    for office in [None, Some(OfficeCode::parse("KLA").unwrap())] {
        let whole = dashboard(&screening, &analis, from, to, office.as_ref(), None).unwrap();
        for regency in &regencies {
            let r = Some(regency.clone());
            let by_regency = dashboard(&screening, &analis, from, to, office.as_ref(), r).unwrap();
            compared += assert_no_small_difference(&whole, &by_regency);
            assert_origins_consistent(&whole, &by_regency);
            let districts: BTreeSet<RegionCode> = origins
                .iter()
                .filter(|o| o.as_str().starts_with(regency.as_str()))
                .filter_map(|o| o.ancestor(jejak_domain::region::RegionLevel::District))
                .collect();
            for district in districts {
                let d = Some(district);
                let by_district =
                    dashboard(&screening, &analis, from, to, office.as_ref(), d).unwrap();
                compared += assert_no_small_difference(&whole, &by_district);
                compared += assert_no_small_difference(&by_regency, &by_district);
                assert_origins_consistent(&whole, &by_district);
            }
        }
    }
    assert!(compared > 1000, "{compared} numbers compared");

    // Region-wide rows: the sums over offices, suppressed on their own.
    let by_month = StatsRequest { group_by: GroupBy::Month, ..request };
    let region = stats_table(&screening, &analis, &by_month).unwrap();
    assert_eq!(region.len(), 24);
    for row in region {
        let m = march_of(&row.period);
        let truth: u64 = direct.iter().filter(|((mm, _), _)| *mm == m).map(|(_, v)| v[0]).sum();
        match row.applications {
            Shown::Count(c) => assert_eq!(c, truth),
            Shown::Suppressed => assert!((1..5).contains(&truth)),
            Shown::Withheld => panic!("a region total is withheld only for a single office"),
        }
    }
}

/// Every pair of numbers shown at the same place in two views, one enclosing the other:
/// (what, outer, inner).
fn shown_pairs(outer: &Dashboard, inner: &Dashboard) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    let mut pair = |what: String, a: Shown, b: Shown| {
        if let (Some(a), Some(b)) = (a.count(), b.count()) {
            out.push((what, a, b));
        }
    };
    for (o, i) in outer.trend.iter().zip(&inner.trend) {
        for (m, (a, b)) in o.values().iter().zip(i.values()).enumerate() {
            pair(format!("{} {}", o.period, MEASURES[m]), *a, b);
        }
    }
    for (ob, ib) in outer.breakdowns.iter().zip(&inner.breakdowns) {
        for (category, values) in ib.categories.iter().zip(&ib.values) {
            let Some(c) = ob.categories.iter().position(|x| x == category) else { continue };
            for (month, (a, b)) in ob.values[c].iter().zip(values).enumerate() {
                pair(format!("{:?} {category} {month}", ib.dimension), *a, *b);
            }
        }
    }
    for ((m, a), (_, b)) in outer.days.iter().zip(&inner.days) {
        pair(format!("days {}", month_label(*m)), a.decisions, b.decisions);
    }
    out
}

/// No number of `inner` (a region-filtered view) subtracted from the same number of `outer`
/// (a view enclosing it) leaves 1 to 4.
fn assert_no_small_difference(outer: &Dashboard, inner: &Dashboard) -> usize {
    let pairs = shown_pairs(outer, inner);
    for (what, a, b) in &pairs {
        assert!(
            *b == 0 || !(1..5).contains(&(a - b)),
            "{what}: {a} in the enclosing view, {b} in {:?}",
            inner.region
        );
    }
    pairs.len()
}

/// The origins inside a filtered view's region count the same as in the unfiltered view:
/// the filtered view shows them only where the unfiltered one does (else a withheld cell
/// there could be read here), its applications included (the region's own row).
fn assert_origins_consistent(whole: &Dashboard, inner: &Dashboard) {
    let region = inner.region.as_ref().unwrap();
    let shown_in = |d: &Dashboard, dimension: Dimension, category: &str| -> Option<Vec<Shown>> {
        let b = d.breakdowns.iter().find(|b| b.dimension == dimension)?;
        let i = b.categories.iter().position(|c| c == category)?;
        Some(b.values[i].clone())
    };
    for dimension in [Dimension::Regency, Dimension::District] {
        let Some(b) = inner.breakdowns.iter().find(|b| b.dimension == dimension) else {
            continue;
        };
        for (category, values) in b.categories.iter().zip(&b.values) {
            if !category.starts_with(region.as_str()) {
                continue;
            }
            let outer = shown_in(whole, dimension, category).unwrap();
            for (month, (o, i)) in outer.iter().zip(values).enumerate() {
                assert!(
                    !o.is_hidden() || i.is_hidden(),
                    "{dimension:?} {category} {month}: hidden unfiltered, {i:?} filtered"
                );
            }
        }
    }
    let level = if region.as_str().len() == 4 { Dimension::Regency } else { Dimension::District };
    if let Some(outer) = shown_in(whole, level, region.as_str()) {
        for (o, row) in outer.iter().zip(&inner.trend) {
            assert!(
                !o.is_hidden() || row.applications.is_hidden(),
                "{region:?} {}: applications hidden unfiltered, {:?} filtered",
                row.period,
                row.applications
            );
        }
    }
}

fn march_of(period: &str) -> Month {
    let m = jejak_service::stats::cube::parse_month(period).unwrap();
    assert_eq!(month_label(m), period);
    m
}

#[tokio::test]
async fn the_aggregates_equal_direct_counts_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    the_aggregates_equal_direct_counts(store).await;
}

#[tokio::test]
async fn the_aggregates_equal_direct_counts_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_stats").await else { return };
    the_aggregates_equal_direct_counts(jejak_store::open(&url).await.unwrap()).await;
}

/// A person linked only later: February at BDL and March at KLA are different-looking
/// applications; in April a third application is confirmed by an officer as the same person
/// as both. Today they are one person, yet March stays no catch (no look-ahead) while April
/// is one (February was at another office).
#[tokio::test]
async fn a_later_application_linking_two_persons_leaves_the_earlier_month_alone() {
    use jejak_domain::{NewApplication, NewMatchDecision, Verdict};
    let dir = tempfile::tempdir().unwrap();
    let store = jejak_store::open(&format!("sqlite://{}", dir.path().join("r.db").display()))
        .await
        .unwrap();
    let feb = crate::support::joko("B-1", "BDL", day(2025, 2, 10));
    let march = crate::support::suryani("K-1", "KLA", day(2025, 3, 12));
    store.import(&[feb, march], ConflictPolicy::Abort, &ctx()).await.unwrap();
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    let filter =
        Filter { from: month_of(day(2025, 2, 1)), to: month_of(day(2025, 4, 1)), region: None };
    let kla = OfficeCode::parse("KLA").unwrap();
    let catches = |screening: &Screening, month: Month| {
        let counts =
            screening.with_stats(|cube, _| measure_counts(cube, &filter, &offices())).unwrap();
        counts[&(month, kla.clone())][6]
    };
    let (march_m, april_m) = (month_of(day(2025, 3, 1)), month_of(day(2025, 4, 1)));
    assert_eq!(catches(&screening, march_m), 0);

    let mut april = NewApplication::new(
        "K-2",
        OfficeCode::parse("KLA").unwrap(),
        day(2025, 4, 20),
        "Rina Marlina",
    );
    april.birth_date = Some(day(1990, 1, 1));
    store.import(&[april], ConflictPolicy::Abort, &ctx()).await.unwrap();
    let (apps, _, _) = everything(store.as_ref()).await;
    let key = |id: &str| apps.iter().find(|a| a.data.application_id == id).unwrap().key;
    for other in ["B-1", "K-1"] {
        let verdict = NewMatchDecision::new(
            key("K-2"),
            key(other),
            Verdict::Confirm,
            "budi",
            None,
            "dokumen sama",
            "2025-04-21T00:00:00Z",
        )
        .unwrap();
        store.record_match_decision(&verdict, &ctx()).await.unwrap();
    }
    screening.refresh().await.unwrap();
    let persons: Vec<ApplicationKey> = screening
        .with_mirror(|r, _| ["B-1", "K-1", "K-2"].map(|id| r.person_key(key(id))).to_vec())
        .unwrap();
    assert!(persons.iter().all(|p| *p == persons[0]), "one person today: {persons:?}");
    assert_eq!(catches(&screening, march_m), 0, "March is not a catch after April");
    assert_eq!(catches(&screening, april_m), 1, "April is: February was at BDL");
}
