//! Persons under officers' verdicts: a rejected pair never merges again, a confirmed pair is
//! one person, a split rectifies a wrong merge, and other servers see verdicts in time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jejak_domain::{Application, ApplicationKey, DecisionKind, OfficeCode, PersonId, Verdict};
use jejak_matching::{Band, Model};
use jejak_service::ServiceError;
use jejak_service::facts::counts_as_match;
use jejak_service::screening::{REFRESH_INTERVAL, Screening};
use jejak_store::{AuditCtx, Store};

use crate::support::{ctx, day, deferral, joko, suryani};

fn model() -> Arc<Model> {
    Arc::new(Model::interchange().unwrap())
}

fn officer() -> AuditCtx {
    AuditCtx {
        actor: "sri".into(),
        office: Some(OfficeCode::parse("KLA").unwrap()),
        purpose: Some("identity review".into()),
        at: "2025-04-01T09:00:00Z".into(),
    }
}

async fn sqlite_store(dir: &std::path::Path) -> Arc<dyn Store> {
    jejak_store::open(&format!("sqlite://{}", dir.join("register.db").display())).await.unwrap()
}

/// Suryani's applications at three offices: the same data, so they auto-link.
async fn suryani_three_times(store: &dyn Store) -> Vec<Application> {
    let mut out = Vec::new();
    for (id, office, on) in [
        ("KLA-1", "KLA", day(2024, 5, 2)),
        ("BDL-2", "BDL", day(2024, 11, 20)),
        ("KTB-3", "KTB", day(2025, 2, 1)),
    ] {
        out.push(store.insert_application(&suryani(id, office, on), &ctx()).await.unwrap());
    }
    out
}

async fn insert(store: &dyn Store, app: jejak_domain::NewApplication) -> Application {
    store.insert_application(&app, &ctx()).await.unwrap()
}

async fn persons_of(screening: &Screening, keys: &[ApplicationKey]) -> Vec<String> {
    keys.iter().map(|k| screening.person_of(*k).unwrap().to_string()).collect()
}

fn id(text: &str) -> PersonId {
    text.parse().unwrap()
}

async fn a_rejected_pair_never_merges_again(store: Arc<dyn Store>) {
    let first = insert(store.as_ref(), suryani("KLA-1", "KLA", day(2024, 5, 2))).await;
    let second = insert(store.as_ref(), suryani("BDL-2", "BDL", day(2024, 11, 20))).await;
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    let (a, b) = (first.key, second.key);
    let p = persons_of(&screening, &[a, b]).await;
    assert_eq!(p[0], p[1], "identical applications auto-link");
    assert_eq!(p[0], format!("P{}", a.0), "the person is named after its first application");

    let rejected =
        screening.reject_match(b, a, "kembar identik, beda NIK ibu", &officer()).await.unwrap();
    assert_eq!(rejected.data.pair(), (a, b));
    assert_eq!(rejected.data.officer(), "sri");
    let p = persons_of(&screening, &[a, b]).await;
    assert_ne!(p[0], p[1]);

    // The rejection shows on the candidate and keeps its history out of the facts.
    let result = screening.screen(&second.data).unwrap();
    let candidate = result.candidates.iter().find(|c| c.key == a).unwrap();
    assert_eq!(candidate.band, Band::AutoLink);
    assert_eq!(candidate.verdict.as_ref().map(|v| v.data.verdict()), Some(Verdict::Reject));
    assert!(!counts_as_match(candidate));

    // A third application that links both joins one of them only, also after a refresh
    // and after a restart that rebuilds everything from the store.
    store.insert_application(&suryani("KTB-3", "KTB", day(2025, 2, 1)), &ctx()).await.unwrap();
    screening.refresh().await.unwrap();
    screening.refresh().await.unwrap();
    let p = persons_of(&screening, &[a, b]).await;
    assert_ne!(p[0], p[1]);
    let restarted = Screening::start(store.clone(), model()).await.unwrap();
    assert_eq!(restarted.stats().match_verdicts, 1);
    let again = persons_of(&restarted, &[a, b]).await;
    assert_eq!(again, p, "a restart gives the same persons and ids");

    // A decision on one of them (which re-reads the application) changes nothing.
    store
        .record_decision(&deferral(a, day(2024, 5, 9), day(2024, 11, 9)), 1, &ctx())
        .await
        .unwrap();
    screening.refresh().await.unwrap();
    assert_eq!(persons_of(&screening, &[a, b]).await, p);
}

#[tokio::test]
async fn a_rejected_pair_never_merges_again_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_rejected_pair_never_merges_again(sqlite_store(dir.path()).await).await;
}

#[tokio::test]
async fn a_rejected_pair_never_merges_again_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_reject").await else { return };
    a_rejected_pair_never_merges_again(jejak_store::open(&url).await.unwrap()).await;
}

#[tokio::test]
async fn a_confirmed_pair_is_one_person_with_one_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let joko_later = insert(store.as_ref(), joko("BDL-7", "BDL", day(2025, 1, 5))).await;
    let mut earlier = joko("KLA-3", "KLA", day(2023, 6, 1));
    earlier.full_name = "Djoko Susanto".into();
    earlier.nik = None;
    earlier.birth_date = Some(day(1980, 12, 8));
    let joko_earlier = store.insert_application(&earlier, &ctx()).await.unwrap();
    store
        .record_decision(
            &deferral(joko_earlier.key, day(2023, 6, 2), day(2023, 12, 2)),
            joko_earlier.version,
            &ctx(),
        )
        .await
        .unwrap();
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    let (a, b) = (joko_later.key, joko_earlier.key);
    let p = persons_of(&screening, &[a, b]).await;
    assert_ne!(p[0], p[1], "too different to auto-link");

    screening.confirm_match(a, b, "KTP lama dan baru, foto sama", &officer()).await.unwrap();
    let p = persons_of(&screening, &[a, b]).await;
    assert_eq!(p, vec![format!("P{}", a.0); 2], "the first application names the person");

    let person = screening.person(id(&p[0]), &officer()).await.unwrap();
    let timeline: Vec<&str> =
        person.applications.iter().map(|x| x.application.application_id.as_str()).collect();
    assert_eq!(timeline, vec!["KLA-3", "BDL-7"], "oldest application date first");
    assert_eq!(person.applications[0].decisions[0].data.kind, DecisionKind::Deferred);
    assert_eq!(person.verdicts.len(), 1);
    assert!(person.unresolved.is_empty());
    let events = store.audit_events(0, 1000).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.action.as_str(), last.entity_id.as_deref()), ("person.view", Some(&*p[0])));
    assert!(events.iter().any(|e| e.action == "match.confirm" && e.actor == "sri"));

    let missing = screening.person(id("P999999"), &officer()).await.unwrap_err();
    assert!(matches!(missing, ServiceError::NotFound(_)), "{missing}");
    let bad = jejak_service::persons::parse_person_id("orang-1").unwrap_err();
    assert!(matches!(bad, ServiceError::Invalid(_)), "{bad}");
    let blank = screening.confirm_match(a, b, " ", &officer()).await.unwrap_err();
    assert!(matches!(blank, ServiceError::Invalid(_)), "{blank}");
    let unknown = screening.confirm_match(a, ApplicationKey(424_242), "x", &officer()).await;
    assert!(matches!(unknown, Err(ServiceError::NotFound(_))), "{unknown:?}");
}

#[tokio::test]
async fn a_merged_person_keeps_the_older_id_and_a_split_rectifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let other = insert(store.as_ref(), joko("KLA-0", "KLA", day(2022, 1, 3))).await;
    let apps = suryani_three_times(store.as_ref()).await;
    let keys: Vec<ApplicationKey> = apps.iter().map(|a| a.key).collect();
    let screening = Screening::start(store.clone(), model()).await.unwrap();
    let suryani_id = format!("P{}", keys[0].0);
    assert_eq!(persons_of(&screening, &keys).await, vec![suryani_id.clone(); 3]);

    // A wrong confirmation merges Joko (registered first) into Suryani: the older id wins.
    screening.confirm_match(other.key, keys[2], "salah klik", &officer()).await.unwrap();
    let joko_id = format!("P{}", other.key.0);
    assert_eq!(persons_of(&screening, &keys).await, vec![joko_id.clone(); 3]);
    let gone = screening.person(id(&suryani_id), &officer()).await.unwrap_err();
    assert!(gone.to_string().contains(&format!("merged into {joko_id}")), "{gone}");

    // Rectification: Joko's application is split off again.
    let refused = screening.split_person(id(&joko_id), &[other.key], "", &officer()).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    let stranger =
        screening.split_person(id(&joko_id), &[ApplicationKey(77)], "salah", &officer()).await;
    assert!(matches!(stranger, Err(ServiceError::Invalid(_))), "{stranger:?}");
    let split = screening
        .split_person(id(&joko_id), &[other.key], "salah gabung, permintaan pemohon", &officer())
        .await
        .unwrap();
    assert_eq!(split.rejected.len(), 3);
    assert!(split.rejected.iter().all(|r| r.data.verdict() == Verdict::Reject));
    assert_eq!(split.persons, vec![id(&suryani_id), id(&joko_id)]);
    assert_eq!(persons_of(&screening, &keys).await, vec![suryani_id.clone(); 3]);
    assert_eq!(screening.person_of(other.key).unwrap(), id(&joko_id));
    let rejects = store.audit_events(0, 1000).await.unwrap();
    let rejects = rejects.iter().filter(|e| e.action == "match.reject").count();
    assert_eq!(rejects, 3);

    // A later application of Suryani joins her person and keeps its id.
    let fourth = insert(store.as_ref(), suryani("BDL-9", "BDL", day(2025, 6, 1))).await;
    screening.refresh().await.unwrap();
    assert_eq!(screening.person_of(fourth.key).unwrap(), id(&suryani_id));
    let person = screening.person(id(&suryani_id), &officer()).await.unwrap();
    assert_eq!(person.applications.len(), 4);
    assert!(person.unresolved.is_empty(), "the split superseded the confirmation");
}

/// A verdict written through one server reaches another server's persons within a second.
async fn another_server_sees_a_verdict_within_one_second(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let apps = suryani_three_times(a.as_ref()).await;
    let screening_a = Screening::start(a.clone(), model()).await.unwrap();
    let screening_b = Arc::new(Screening::start(b.clone(), model()).await.unwrap());
    let refresher = screening_b.spawn_refresher(REFRESH_INTERVAL);
    let (x, y) = (apps[0].key, apps[2].key);
    assert_eq!(screening_b.person_of(x).unwrap(), screening_b.person_of(y).unwrap());

    let written = Instant::now();
    screening_a.split_person(PersonId::of_first(x), &[y], "beda orang", &officer()).await.unwrap();
    let deadline = written + Duration::from_secs(1);
    let seen = loop {
        let apart = screening_b.person_of(x).unwrap() != screening_b.person_of(y).unwrap();
        if apart || Instant::now() > deadline {
            break apart;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    refresher.abort();
    assert!(seen, "server B did not see the split within one second");
    let candidate = screening_b.screen(&apps[2].data).unwrap();
    let candidate = candidate.candidates.iter().find(|c| c.key == x).unwrap();
    assert_eq!(candidate.verdict.as_ref().map(|v| v.data.verdict()), Some(Verdict::Reject));
}

#[tokio::test]
async fn another_server_sees_a_verdict_within_one_second_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let a = sqlite_store(dir.path()).await;
    let b = sqlite_store(dir.path()).await;
    another_server_sees_a_verdict_within_one_second(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_server_sees_a_verdict_within_one_second_on_postgres() {
    let Some(url) = jejak_testkit::fresh_postgres_url("svc_verdict").await else { return };
    let a = jejak_store::open(&url).await.unwrap();
    let b = jejak_store::open(&url).await.unwrap();
    another_server_sees_a_verdict_within_one_second(a, b).await;
}
