//! Screening follows the store: built at start-up, refreshed from the change sequence.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jejak_matching::{Band, Model};
use jejak_service::assess::Assessor;
use jejak_service::screening::{REFRESH_INTERVAL, Readiness, Screening};
use jejak_store::Store;

use crate::support::{ctx, day, deferral, joko, suryani};

fn model() -> Arc<Model> {
    Arc::new(Model::interchange().unwrap())
}

async fn sqlite_store(dir: &std::path::Path) -> Arc<dyn Store> {
    jejak_store::open(&format!("sqlite://{}", dir.join("register.db").display())).await.unwrap()
}

/// The earlier application of the same person is found, with its history.
async fn screening_finds_the_earlier_application_and_its_deferral(store: Arc<dyn Store>) {
    let first =
        store.insert_application(&suryani("KLA-1", "KLA", day(2025, 1, 10)), &ctx()).await.unwrap();
    store.insert_application(&joko("KLA-2", "KLA", day(2025, 1, 10)), &ctx()).await.unwrap();
    store
        .record_decision(
            &deferral(first.key, day(2025, 1, 12), day(2025, 7, 12)),
            first.version,
            &ctx(),
        )
        .await
        .unwrap();
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    assert_eq!(screening.stats().applications, 2);

    let mut again = suryani("BDL-9", "BDL", day(2025, 2, 1));
    again.full_name = "Soeryani".into();
    let result = screening.screen(&again).unwrap();
    let best = &result.candidates[0];
    assert_eq!(best.application_id, "KLA-1");
    assert_ne!(best.band, Band::NoMatch, "{best:?}");
    assert_eq!(best.history.adverse, 1);
    assert_eq!(best.history.active_bar_until, Some(day(2025, 7, 12)));
    assert!(best.evidence.iter().any(|e| e.field == "full_name"));
    assert!(
        result.candidates.iter().all(|c| c.application_id != "KLA-2" || c.band == Band::NoMatch)
    );

    // The default catalogue sees the active bar (R12B), the deferral (R12) and the
    // changed name (R14), from the register.
    let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let assessor = Assessor::new(rules, Some(Arc::new(screening)), Vec::new());
    let report = assessor.assess(&again).unwrap();
    let fired: Vec<&str> = report.assessment.indicators.iter().map(|i| &*i.id).collect();
    assert!(fired.contains(&"R12"), "{fired:?}");
    assert!(fired.contains(&"R14"), "{fired:?}");
    let bar = report.assessment.hard_checks.iter().find(|h| &*h.id == "R12B").unwrap();
    assert_eq!(bar.passed, Some(false));
}

#[tokio::test]
async fn screening_finds_the_earlier_application_and_its_deferral_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    screening_finds_the_earlier_application_and_its_deferral(sqlite_store(dir.path()).await).await;
}

#[tokio::test]
async fn screening_finds_the_earlier_application_and_its_deferral_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_screen").await else { return };
    screening_finds_the_earlier_application_and_its_deferral(
        jejak_store::open(&url).await.unwrap(),
    )
    .await;
}

/// A write through one handle becomes visible to another process's screening.
async fn a_write_through_one_store_is_screened_by_the_other_instance(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    let screening_a = Arc::new(Screening::start(a.clone(), model()).await.unwrap());
    let screening_b = Arc::new(Screening::start(b.clone(), model()).await.unwrap());
    let refresher = screening_b.spawn_refresher(REFRESH_INTERVAL);
    let probe = suryani("BDL-2", "BDL", day(2025, 3, 1));
    assert!(screening_b.screen(&probe).unwrap().candidates.is_empty());

    let written = Instant::now();
    a.insert_application(&suryani("KLA-1", "KLA", day(2025, 2, 1)), &ctx()).await.unwrap();
    let deadline = written + Duration::from_secs(1);
    let seen = loop {
        let found = screening_b
            .screen(&probe)
            .unwrap()
            .candidates
            .iter()
            .any(|c| c.application_id == "KLA-1");
        if found || Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    refresher.abort();
    assert!(seen, "instance B did not see the write within one second");

    // An explicit refresh brings instance A up to date the same way, decisions included.
    assert_eq!(screening_a.refresh().await.unwrap(), 1);
    let stored = a
        .find_application(&jejak_domain::OfficeCode::parse("KLA").unwrap(), "KLA-1")
        .await
        .unwrap()
        .unwrap();
    b.record_decision(
        &deferral(stored.key, day(2025, 2, 3), day(2025, 8, 3)),
        stored.version,
        &ctx(),
    )
    .await
    .unwrap();
    assert!(screening_a.refresh().await.unwrap() >= 1);
    let best = &screening_a.screen(&probe).unwrap().candidates[0];
    assert_eq!(best.history.adverse, 1);
}

#[tokio::test]
async fn a_write_through_one_store_is_screened_by_the_other_instance_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let a = sqlite_store(dir.path()).await;
    let b = sqlite_store(dir.path()).await;
    a_write_through_one_store_is_screened_by_the_other_instance(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_through_one_store_is_screened_by_the_other_instance_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_two").await else { return };
    let a = jejak_store::open(&url).await.unwrap();
    let b = jejak_store::open(&url).await.unwrap();
    a_write_through_one_store_is_screened_by_the_other_instance(a, b).await;
}

/// The broker fact follows the register: an unrelated applicant naming the same sponsor,
/// arriving through the change sequence, raises the count; a relative (same mother) and a
/// second application of a person already counted do not.
#[tokio::test]
async fn the_sponsor_count_follows_new_applications_through_the_refresher() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let sponsored = |mut app: jejak_domain::NewApplication| {
        app.sponsor_name = Some("PT Maju Jaya Travel".into());
        app
    };
    store
        .insert_application(&sponsored(joko("KLA-1", "KLA", day(2025, 1, 10))), &ctx())
        .await
        .unwrap();
    let screening = Arc::new(Screening::start(store.clone(), model()).await.unwrap());
    let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
    let assessor = Assessor::new(rules, Some(screening.clone()), Vec::new());
    let query = sponsored(suryani("BDL-9", "BDL", day(2025, 2, 1)));
    let count = |assessor: &Assessor| match assessor
        .assess(&query)
        .unwrap()
        .facts
        .get_by_name("sponsor_shared_unrelated_count")
    {
        Some(jejak_rules::Value::Int(n)) => *n,
        other => panic!("{other:?}"),
    };
    assert_eq!(count(&assessor), 1, "Joko");

    // Another stranger with the sponsor written differently (the name is folded).
    let mut stranger = joko("KLA-2", "KLA", day(2025, 1, 11));
    stranger.full_name = "Bambang Wijaya".into();
    stranger.nik = Some(jejak_domain::Nik::parse("1871020101750005").unwrap());
    stranger.birth_date = Some(day(1975, 1, 1));
    stranger.mother_name = Some("Sumarni".into());
    stranger.sponsor_name = Some("pt  MAJU jaya travel".into());
    store.insert_application(&stranger, &ctx()).await.unwrap();
    // Suryani's sister: the same mother, so the same household.
    let mut sister = sponsored(suryani("KLA-3", "KLA", day(2025, 1, 12)));
    sister.full_name = "Wulandari".into();
    sister.nik = Some(jejak_domain::Nik::parse("1807055012980002").unwrap());
    sister.birth_date = Some(day(1998, 12, 10));
    sister.address = None;
    store.insert_application(&sister, &ctx()).await.unwrap();
    // Joko again: the same person, counted once.
    store
        .insert_application(&sponsored(joko("KLA-4", "KLA", day(2025, 1, 13))), &ctx())
        .await
        .unwrap();
    assert_eq!(count(&assessor), 1, "not refreshed yet");
    screening.refresh().await.unwrap();
    assert_eq!(count(&assessor), 2, "Joko and Bambang");
}

/// An application deleted by retention (another process, `jejak retention`) leaves a running
/// server's mirror at its next refresh: it is no longer screened, held, found by its id or
/// part of a person.
async fn a_retention_deletion_leaves_the_running_mirror(store: Arc<dyn Store>) {
    let old =
        store.insert_application(&suryani("KLA-1", "KLA", day(2019, 1, 10)), &ctx()).await.unwrap();
    store
        .record_decision(
            &deferral(old.key, day(2019, 1, 12), day(2019, 7, 12)),
            old.version,
            &ctx(),
        )
        .await
        .unwrap();
    let recent =
        store.insert_application(&suryani("KLA-2", "KLA", day(2025, 6, 1)), &ctx()).await.unwrap();
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    let probe = suryani("BDL-9", "BDL", day(2025, 7, 1));
    let ids = |screening: &Screening| -> Vec<String> {
        screening.screen(&probe).unwrap().candidates.into_iter().map(|c| c.application_id).collect()
    };
    assert!(ids(&screening).contains(&"KLA-1".to_owned()));
    let person_of_recent = |screening: &Screening| {
        screening.with_mirror(|mirror, _| mirror.person_id(recent.key).to_string()).unwrap()
    };
    assert_eq!(person_of_recent(&screening), format!("P{}", old.key.0), "one person");

    let policy = jejak_service::retention::parse_policy(
        "retention.toml",
        "[retention]\ndeferred = { years = 3, action = \"delete\" }\n",
    )
    .unwrap();
    let report =
        jejak_service::retention::run(store.as_ref(), &policy, day(2026, 1, 1), false, &ctx())
            .await
            .unwrap();
    assert_eq!(report.outcome.unwrap().deleted, vec![old.key]);

    assert!(screening.refresh().await.unwrap() >= 1);
    assert_eq!(ids(&screening), vec!["KLA-2".to_owned()]);
    assert_eq!(person_of_recent(&screening), format!("P{}", recent.key.0), "its own person now");
    let held = screening.with_mirror(|mirror, _| {
        let office = jejak_domain::OfficeCode::parse("KLA").unwrap();
        mirror.contains(old.key) || mirror.key_of(&office, "KLA-1").is_some()
    });
    assert!(!held.unwrap());
    // Nothing new: nothing applied.
    assert_eq!(screening.refresh().await.unwrap(), 0);
}

#[tokio::test]
async fn a_retention_deletion_leaves_the_running_mirror_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_retention_deletion_leaves_the_running_mirror(sqlite_store(dir.path()).await).await;
}

#[tokio::test]
async fn a_retention_deletion_leaves_the_running_mirror_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_retention").await else { return };
    a_retention_deletion_leaves_the_running_mirror(jejak_store::open(&url).await.unwrap()).await;
}

/// Readiness follows the register: ready after the build, not ready once the register moved on
/// and no refresh caught up within the allowed lag, ready again after a refresh.
#[tokio::test]
async fn readiness_is_lost_when_the_register_moves_on_and_regained_by_a_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    store.insert_application(&suryani("KLA-1", "KLA", day(2025, 1, 10)), &ctx()).await.unwrap();
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    assert_eq!(screening.readiness_within(Duration::ZERO).await, Readiness::Ready);
    store.insert_application(&joko("KLA-2", "KLA", day(2025, 1, 10)), &ctx()).await.unwrap();
    match screening.readiness_within(Duration::ZERO).await {
        Readiness::NotReady(reason) => assert!(reason.contains("behind"), "{reason}"),
        Readiness::Ready => panic!("the index misses KLA-2 and must not be ready"),
    }
    // Within the default lag a server that refreshed recently still serves.
    assert_eq!(screening.readiness().await, Readiness::Ready);
    screening.refresh().await.unwrap();
    assert_eq!(screening.readiness_within(Duration::ZERO).await, Readiness::Ready);
}
