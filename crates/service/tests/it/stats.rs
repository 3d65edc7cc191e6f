//! The monitoring aggregates against counts made directly from a generated register, on
//! SQLite and PostgreSQL: at start-up, after incremental refreshes, across month boundaries,
//! with office scoping and without look-ahead.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jejak_domain::{Application, ApplicationKey, Decision, DecisionKind, OfficeCode};
use jejak_matching::Model;
use jejak_service::authz::{Actor, Role};
use jejak_service::screening::Screening;
use jejak_service::stats::cube::{Month, month_label, month_of};
use jejak_service::stats::query::{
    Dimension, Filter, breakdown_counts, breakdown_counts_many, measure_counts, rule_category,
};
use jejak_service::stats::suppress::Shown;
use jejak_service::stats::{GroupBy, StatsRequest, stats_table};
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
        let earlier_elsewhere = apps.iter().any(|other| {
            persons[&other.key] == persons[&app.key]
                && other.data.office_code != app.data.office_code
                && other.data.applied_on < app.data.applied_on
        });
        if fired || earlier_elsewhere {
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
        .map(|(k, v)| (k.clone(), v[..6].to_vec()))
        .collect();

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
    // No look-ahead: 2024's applications, decisions and bands did not move when 2025 came.
    let still: BTreeMap<_, _> = direct
        .iter()
        .filter(|((m, _), _)| *m < month_of(cut))
        .map(|(k, v)| (k.clone(), v[..6].to_vec()))
        .collect();
    assert_eq!(still, before_2025);

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
    let petugas = Actor::user("p", "P", Role::Petugas, kla);
    assert!(stats_table(&screening, &petugas, &request).is_err());

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
