//! Fast restart (issue 18): the screening state restored from its snapshot screens exactly as
//! the state that was saved, caught up from the change sequence when the snapshot is stale;
//! a snapshot that is absent, corrupt, or written for another register or model is rebuilt
//! from the rows, never served.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jejak_domain::{ApplicationKey, NewApplication};
use jejak_matching::Model;
use jejak_service::screening::{Origin, Readiness, RestoreError, Screening, ScreeningResult};
use jejak_service::snapshot::SnapshotError;
use jejak_store::{ConflictPolicy, Store};

use crate::support::{ctx, day, deferral};

fn model() -> Arc<Model> {
    Arc::new(Model::interchange().unwrap())
}

/// Synthetic applications in date order: the first `stored` go into the register, the rest
/// are later applications (re-applications among them) to screen or to add.
fn applications() -> Vec<NewApplication> {
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: 350,
        seed: 18,
        ..Default::default()
    });
    data.applications
}

async fn register_with(dir: &Path, apps: &[NewApplication]) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", dir.join("register.db").display());
    let store = jejak_store::open(&url).await.unwrap();
    store.import(apps, ConflictPolicy::Abort, &ctx()).await.unwrap();
    store
}

/// What screening `queries` gives, for comparing two states (the register position aside:
/// a restored state has not necessarily seen the same change numbers of other streams).
fn screen_all(screening: &Screening, queries: &[NewApplication]) -> Vec<ScreeningResult> {
    queries
        .iter()
        .map(|q| {
            let mut result = screening.screen(q).unwrap();
            result.as_of_seq = 0;
            result
        })
        .collect()
}

/// Persons and decision counts of every stored application, and the monitoring totals.
fn mirror_summary(screening: &Screening) -> (Vec<(ApplicationKey, String, usize)>, usize) {
    let mut persons = screening
        .with_mirror(|mirror, _| {
            mirror
                .briefs()
                .map(|(key, _)| {
                    (key, mirror.person_id(key).to_string(), mirror.decisions_of(key).len())
                })
                .collect::<Vec<_>>()
        })
        .unwrap();
    persons.sort();
    let cells = screening.with_stats(|cube, _| cube.apps.values().sum::<u32>() as usize).unwrap();
    (persons, cells)
}

#[tokio::test]
async fn snapshot_absent_is_built_and_written_then_a_restart_restores_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let apps = applications();
    let (stored, queries) = apps.split_at(300);
    let store = register_with(dir.path(), stored).await;
    let path = dir.path().join("index.snapshot");

    let (built, origin) =
        Screening::start_from_snapshot(store.clone(), model(), &path).await.unwrap();
    match origin {
        Origin::Built { reason } => assert!(reason.contains("no snapshot"), "{reason}"),
        other => panic!("nothing to restore from, yet {other:?}"),
    }
    let built = Arc::new(built);
    let saved = built.save_snapshot_async(&path).await.unwrap().unwrap();
    assert!(path.exists() && saved.bytes > 0);
    // Nothing changed since: no second write.
    assert_eq!(built.save_snapshot_async(&path).await.unwrap(), None);

    let (restored, origin) =
        Screening::start_from_snapshot(store.clone(), model(), &path).await.unwrap();
    assert_eq!(origin, Origin::Restored { change_seq: saved.change_seq, applied: 0 });
    assert_eq!(restored.held_applications().unwrap(), 300);
    assert_eq!(restored.readiness_within(Duration::ZERO).await, Readiness::Ready);
    let expected = screen_all(&built, queries);
    assert!(expected.iter().any(|r| !r.candidates.is_empty()), "the queries find someone");
    assert_eq!(screen_all(&restored, queries), expected);
    assert_eq!(mirror_summary(&restored), mirror_summary(&built));
    // The parameters estimated at the build are the ones restored.
    let parameters =
        |s: &Screening| s.with_mirror(|mirror, _| mirror.index().parameters().clone()).unwrap();
    assert_eq!(parameters(&restored), parameters(&built));
}

#[tokio::test]
async fn snapshot_stale_is_loaded_then_caught_up_to_what_a_running_server_holds() {
    let dir = tempfile::tempdir().unwrap();
    let apps = applications();
    let (stored, later) = apps.split_at(250);
    let (added, queries) = later.split_at(50);
    let store = register_with(dir.path(), stored).await;
    let path = dir.path().join("index.snapshot");
    let running = Arc::new(Screening::start(store.clone(), model()).await.unwrap());
    running.save_snapshot_async(&path).await.unwrap().unwrap();

    // The register moves on after the snapshot: applications and a decision.
    store.import(added, ConflictPolicy::Abort, &ctx()).await.unwrap();
    let first = store.get_application(ApplicationKey(1)).await.unwrap();
    store
        .record_decision(
            &deferral(first.key, day(2026, 1, 2), day(2026, 7, 2)),
            first.version,
            &ctx(),
        )
        .await
        .unwrap();
    running.refresh().await.unwrap();

    let restored = Screening::restore(store.clone(), model(), &path).await.unwrap();
    assert_eq!(restored.held_applications().unwrap(), 250, "as saved, not caught up yet");
    match restored.readiness().await {
        Readiness::NotReady(reason) => assert!(reason.contains("snapshot"), "{reason}"),
        Readiness::Ready => panic!("a stale snapshot must not be ready before catching up"),
    }
    let applied = restored.refresh().await.unwrap();
    assert!(applied >= 51, "{applied}");
    assert_eq!(restored.readiness_within(Duration::ZERO).await, Readiness::Ready);
    assert_eq!(restored.held_applications().unwrap(), 300);
    assert_eq!(screen_all(&restored, queries), screen_all(&running, queries));
    assert_eq!(mirror_summary(&restored), mirror_summary(&running));

    // Through the start path the catch-up is part of the start.
    let (started, origin) =
        Screening::start_from_snapshot(store.clone(), model(), &path).await.unwrap();
    assert!(matches!(origin, Origin::Restored { applied, .. } if applied >= 51), "{origin:?}");
    assert_eq!(screen_all(&started, queries), screen_all(&running, queries));
}

#[tokio::test]
async fn snapshot_corrupt_is_detected_and_rebuilt_never_served() {
    let dir = tempfile::tempdir().unwrap();
    let apps = applications();
    let (stored, queries) = apps.split_at(300);
    let store = register_with(dir.path(), stored).await;
    let path = dir.path().join("index.snapshot");
    let built = Arc::new(Screening::start(store.clone(), model()).await.unwrap());
    built.save_snapshot_async(&path).await.unwrap().unwrap();
    let expected = screen_all(&built, queries);
    let bytes = std::fs::read(&path).unwrap();

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let truncated = bytes[..bytes.len() - 1_000].to_vec();
    let mut extended = bytes.clone();
    extended.extend_from_slice(b"more");
    for (what, damaged) in [("flipped", flipped), ("truncated", truncated), ("extended", extended)]
    {
        std::fs::write(&path, &damaged).unwrap();
        match Screening::restore(store.clone(), model(), &path).await {
            Err(RestoreError::Snapshot(SnapshotError::Corrupt(_))) => {}
            Err(other) => panic!("{what}: {other}"),
            Ok(_) => panic!("{what}: a damaged snapshot was restored"),
        }
        let (rebuilt, origin) =
            Screening::start_from_snapshot(store.clone(), model(), &path).await.unwrap();
        match origin {
            Origin::Built { reason } => assert!(reason.contains("corrupt"), "{what}: {reason}"),
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(screen_all(&rebuilt, queries), expected, "{what}");
    }
}

#[tokio::test]
async fn snapshot_of_another_register_or_model_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let apps = applications();
    let (stored, queries) = apps.split_at(300);
    let store = register_with(dir.path(), stored).await;
    let path = dir.path().join("index.snapshot");
    let built = Arc::new(Screening::start(store.clone(), model()).await.unwrap());
    built.save_snapshot_async(&path).await.unwrap().unwrap();

    // The same rows in another register (another identity).
    let other_dir = tempfile::tempdir().unwrap();
    let other = register_with(other_dir.path(), stored).await;
    let (rebuilt, origin) =
        Screening::start_from_snapshot(other.clone(), model(), &path).await.unwrap();
    match origin {
        Origin::Built { reason } => assert!(reason.contains("another register"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(screen_all(&rebuilt, queries), screen_all(&built, queries));

    // Another model over the same register.
    let stricter = Arc::new(Model::interchange().unwrap().with_link_threshold(0.999).unwrap());
    let (_, origin) = Screening::start_from_snapshot(store.clone(), stricter, &path).await.unwrap();
    match origin {
        Origin::Built { reason } => assert!(reason.contains("model"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
