//! Fast restart (issue 18): the screening state saved to a snapshot file (see
//! [`crate::snapshot`] for the file and its checks) and restored at start, then caught up
//! from the register's change sequence like any refresh.
//!
//! What is saved is everything a start would compute from the rows: the mirror
//! ([`crate::mirror`]: match index with the parameters estimated at the last full build, so
//! results do not change across a restart; applications, decisions, persons, contacts, name
//! tokens) and the monitoring aggregates, with the change number of each stream applied.
//! Offices, partner snapshots and open village reports are small and read from the register
//! at every start.
//!
//! When the snapshot is written: after a full build, every `every` while the register moves,
//! and at a clean shutdown (see [`Screening::spawn_snapshotter`], [`Screening::save_snapshot`]).
//! Writing holds off the refresher (not the screens) for as long as it takes.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jejak_matching::Model;
use jejak_store::Store;
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

use super::{BuildStats, Screening, State, Synced, all_village_reports};
use crate::mirror::{Mirror, MirrorParts};
use crate::partners::PartnerData;
use crate::snapshot::{self, Header, Identity, SnapshotError};
use crate::stats::cube::Cube;
use crate::village_index::VillageIndex;
use crate::{Result, ServiceError};

/// The saved part of the screening state.
#[derive(Debug, Serialize, Deserialize)]
struct StateParts<'a> {
    mirror: MirrorParts<'a>,
    cube: Cow<'a, Cube>,
    app_seq: i64,
    decision_seq: i64,
    verdict_seq: i64,
    deletion_seq: i64,
    assessment_seq: i64,
}

/// How the screening state was obtained at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Loaded from the snapshot, which reflected `change_seq`; `applied` rows were caught up.
    Restored { change_seq: i64, applied: usize },
    /// Built from the rows, because the snapshot could not be used (`reason`).
    Built { reason: String },
}

/// Why a snapshot was not restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The snapshot is missing, corrupt or for something else: rebuild.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The register could not be read.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// A snapshot written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Saved {
    pub change_seq: i64,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// What a snapshot of this register under this model and build must say.
async fn expected_identity(store: &dyn Store, model: &Model) -> Result<Identity> {
    let register = store.register_identity().await?;
    Ok(Identity {
        format: snapshot::FORMAT_VERSION,
        register: register.id,
        schema: register.schema_version,
        model: model.fingerprint(),
        build: snapshot::build_id(),
    })
}

impl State {
    /// The highest change number of any stream the saved state holds.
    fn saved_seq(&self) -> i64 {
        self.as_of_seq().max(self.deletion_seq).max(self.assessment_seq)
    }
}

impl Screening {
    /// Starts from the snapshot at `path` and catches up from the register; when the
    /// snapshot is missing, for something else (another register, schema, model or build),
    /// corrupt or unreadable, logs why and builds from the rows instead (the caller then
    /// writes a new snapshot: [`Screening::spawn_snapshotter`] does on its first tick).
    pub async fn start_from_snapshot(
        store: Arc<dyn Store>,
        model: Arc<Model>,
        path: &Path,
    ) -> Result<(Self, Origin)> {
        match Self::restore(store.clone(), model.clone(), path).await {
            Ok(screening) => {
                let change_seq = screening.read()?.saved_seq();
                let applied = screening.refresh().await?;
                tracing::info!(change_seq, applied, "match index restored from its snapshot");
                Ok((screening, Origin::Restored { change_seq, applied }))
            }
            Err(RestoreError::Snapshot(why)) => {
                tracing::warn!(reason = %why, "match index snapshot not used: building from the register");
                let screening = Self::start(store, model).await?;
                Ok((screening, Origin::Built { reason: why.to_string() }))
            }
            Err(RestoreError::Service(e)) => Err(e),
        }
    }

    /// Loads the snapshot at `path` without catching up: until a refresh has run, the
    /// service is not ready unless nothing was committed since the snapshot.
    pub async fn restore(
        store: Arc<dyn Store>,
        model: Arc<Model>,
        path: &Path,
    ) -> std::result::Result<Self, RestoreError> {
        let started = Instant::now();
        let expected = expected_identity(store.as_ref(), &model).await?;
        let register_seq = store.current_change_seq().await.map_err(ServiceError::from)?;
        let offices = store.list_offices().await.map_err(ServiceError::from)?;
        let (reports, report_seq) = all_village_reports(store.as_ref(), 0).await?;
        let partners = Arc::new(PartnerData::load(store.as_ref()).await?);
        let file = path.to_owned();
        let loaded = tokio::task::spawn_blocking(move || {
            let (header, parts): (Header, StateParts<'static>) =
                snapshot::read(&file, &expected, register_seq)?;
            let StateParts {
                mirror,
                cube,
                app_seq,
                decision_seq,
                verdict_seq,
                deletion_seq,
                assessment_seq,
            } = parts;
            let mirror = Mirror::from_parts(model, mirror);
            let seqs = [app_seq, decision_seq, verdict_seq, deletion_seq, assessment_seq];
            Ok::<_, SnapshotError>((header, mirror, cube.into_owned(), seqs))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("snapshot load task failed: {e}")))?;
        let (header, mirror, cube, seqs) = loaded?;
        let [app_seq, decision_seq, verdict_seq, deletion_seq, assessment_seq] = seqs;
        let mut villages = VillageIndex::default();
        for report in &reports {
            villages.upsert(report, mirror.normaliser());
        }
        let stats = BuildStats {
            applications: mirror.len(),
            decisions: 0,
            match_verdicts: 0,
            elapsed: started.elapsed(),
            index_bytes: mirror.index().memory_usage().total(),
        };
        tracing::info!(
            applications = stats.applications,
            change_seq = header.change_seq,
            elapsed_ms = stats.elapsed.as_millis() as u64,
            "match index snapshot loaded"
        );
        let state = State {
            mirror,
            offices,
            app_seq,
            decision_seq,
            verdict_seq,
            deletion_seq,
            villages,
            report_seq,
            cube,
            assessment_seq,
            partners,
        };
        let saved_seq = state.saved_seq();
        // Ready at once only if nothing was committed after the snapshot.
        let synced = Synced { seq: header.change_seq, at: None };
        Ok(Self::around(store, state, stats, synced, Some(saved_seq)))
    }

    /// Writes the state to `path` now, unless a snapshot of this very state was written or
    /// loaded already (then `None`). Blocking: call it from a blocking thread of a Tokio
    /// runtime (it asks the register for its identity). Holds off the refresher while it
    /// writes; screens go on.
    pub fn save_snapshot(&self, path: &Path) -> Result<Option<Saved>> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| ServiceError::Internal(format!("no runtime for the snapshot: {e}")))?;
        let _no_refresh = self.refresh_lock.blocking_lock();
        let started = Instant::now();
        let state = self.read()?;
        let change_seq = state.saved_seq();
        let last = self.snapshot_seq.lock().ok().and_then(|seq| *seq);
        if last == Some(change_seq) {
            return Ok(None);
        }
        let model = Arc::clone(state.mirror.index().model());
        let identity = runtime.block_on(expected_identity(self.store.as_ref(), &model))?;
        let header = Header { identity, change_seq, applications: state.mirror.len() as u64 };
        let parts = StateParts {
            mirror: state.mirror.parts(),
            cube: Cow::Borrowed(&state.cube),
            app_seq: state.app_seq,
            decision_seq: state.decision_seq,
            verdict_seq: state.verdict_seq,
            deletion_seq: state.deletion_seq,
            assessment_seq: state.assessment_seq,
        };
        let bytes = snapshot::write(path, &header, &parts)
            .map_err(|e| ServiceError::Internal(format!("writing {}: {e}", path.display())))?;
        drop(state);
        if let Ok(mut seq) = self.snapshot_seq.lock() {
            *seq = Some(change_seq);
        }
        let saved = Saved { change_seq, bytes, elapsed: started.elapsed() };
        tracing::info!(
            change_seq,
            bytes,
            elapsed_ms = saved.elapsed.as_millis() as u64,
            "match index snapshot written"
        );
        Ok(Some(saved))
    }

    /// [`Screening::save_snapshot`] on a blocking thread.
    pub async fn save_snapshot_async(self: &Arc<Self>, path: &Path) -> Result<Option<Saved>> {
        let (this, file) = (Arc::clone(self), path.to_owned());
        tokio::task::spawn_blocking(move || this.save_snapshot(&file))
            .await
            .map_err(|e| ServiceError::Internal(format!("snapshot task failed: {e}")))?
    }

    /// Starts a task that writes the snapshot to `path` at once (after a build, or when the
    /// catch-up applied changes) and then every `every` when the register moved, until the
    /// handle is aborted. Errors are logged and retried at the next tick.
    pub fn spawn_snapshotter(self: &Arc<Self>, path: PathBuf, every: Duration) -> JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = this.save_snapshot_async(&path).await {
                    tracing::warn!(error = %e, "match index snapshot not written");
                }
            }
        })
    }
}
