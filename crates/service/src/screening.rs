//! Real-time screening: the match index built from the store at start-up and kept current by
//! polling the register-wide change sequence, so several servers on one PostgreSQL see each
//! other's new applications, decisions and match verdicts within a refresh interval.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jejak_domain::{Application, Decision, MatchDecision, NewApplication, Office};
use jejak_matching::Model;
use jejak_store::StoredAssessment;
use jejak_store::{RetentionDeletion, Store};
use tokio::task::JoinHandle;

use crate::mirror::{Mirror, SCREEN_LIMIT, ScreenedCandidate};
use crate::partners::PartnerData;
use crate::stats::cube::{Cube, DecisionFacts};
use crate::village_index::{VillageAlert, VillageIndex};
use crate::{Result, ServiceError};

mod snapshot;
pub use snapshot::{Origin, RestoreError, Saved};

/// Rows read per store call when building and refreshing.
pub const PAGE_SIZE: u32 = 5_000;

/// How often [`Screening::spawn_refresher`] polls by default.
pub const REFRESH_INTERVAL: Duration = Duration::from_millis(200);

/// What screening one application found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningResult {
    /// Candidates, most probable first (all bands; see [`ScreenedCandidate::band`]).
    pub candidates: Vec<ScreenedCandidate>,
    /// The register position the result reflects (highest change number applied).
    pub as_of_seq: i64,
}

/// Figures about the start-up build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildStats {
    pub applications: usize,
    pub decisions: usize,
    pub match_verdicts: usize,
    pub elapsed: Duration,
    /// Approximate bytes held by the match index.
    pub index_bytes: usize,
}

#[derive(Debug)]
struct State {
    mirror: Mirror,
    offices: Vec<Office>,
    /// Highest application change number applied.
    app_seq: i64,
    /// Highest decision change number applied (a separate stream: reading both from one
    /// cursor could skip a row committed between the two reads).
    decision_seq: i64,
    /// Highest match verdict change number applied (a third stream, for the same reason).
    verdict_seq: i64,
    /// Highest retention deletion applied (a deleted application leaves the other streams).
    deletion_seq: i64,
    /// Open village reports (issue 14), and the highest report change number applied.
    villages: VillageIndex,
    report_seq: i64,
    /// The monitoring aggregates (issue 16), moved by the same rows as the register.
    cube: Cube,
    /// Highest assessment change number applied (a fifth stream, for the aggregates only).
    assessment_seq: i64,
    /// The newest partner snapshots (reloaded whole when one is imported).
    partners: Arc<PartnerData>,
}

impl State {
    fn as_of_seq(&self) -> i64 {
        self.app_seq.max(self.decision_seq).max(self.verdict_seq)
    }
}

/// The screening service: one per server process, shared as `Arc<Screening>`.
pub struct Screening {
    store: Arc<dyn Store>,
    state: RwLock<State>,
    refresh_lock: tokio::sync::Mutex<()>,
    stats: BuildStats,
    synced: std::sync::Mutex<Synced>,
    /// The change number of the last snapshot written or loaded (see [`Screening::save_snapshot`]).
    snapshot_seq: std::sync::Mutex<Option<i64>>,
}

/// The last moment the index was known to hold the whole register.
#[derive(Debug, Clone, Copy)]
struct Synced {
    /// The register-wide change number read before the last complete build or refresh began:
    /// everything committed up to it is in the index (change numbers become visible in
    /// commit order).
    seq: i64,
    /// When that build or refresh finished (`None`: restored from a snapshot, not caught up
    /// since).
    at: Option<Instant>,
}

/// How far behind the register the index may be and still serve: a refresh that finished this
/// recently leaves out at most the writes of one refresh interval.
pub const READY_LAG: Duration = Duration::from_secs(5);

/// Whether this server's index has caught up with the register (for load balancers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Not ready, with a short reason (no personal data).
    NotReady(String),
}

impl std::fmt::Debug for Screening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screening").field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl Screening {
    /// Builds the index from every application, decision and match verdict in the store.
    /// Parameters are estimated from the register at start-up and kept until the next start.
    pub async fn start(store: Arc<dyn Store>, model: Arc<Model>) -> Result<Self> {
        let started = Instant::now();
        let synced_seq = store.current_change_seq().await?;
        let (apps, app_seq) = all_applications(store.as_ref(), 0).await?;
        let (decisions, decision_seq) = all_decisions(store.as_ref(), 0).await?;
        let (verdicts, verdict_seq) = all_match_decisions(store.as_ref(), 0).await?;
        // Deleted before the start: already absent from what was read.
        let (_, deletion_seq) = all_retention_deletions(store.as_ref(), 0).await?;
        let (assessments, assessment_seq) = all_assessments(store.as_ref(), 0).await?;
        let offices = store.list_offices().await?;
        let (reports, report_seq) = all_village_reports(store.as_ref(), 0).await?;
        let partners = Arc::new(PartnerData::load(store.as_ref()).await?);
        let (applications, decision_count, match_verdicts) =
            (apps.len(), decisions.len(), verdicts.len());
        let (mirror, cube) = tokio::task::spawn_blocking(move || {
            let mut cube = Cube::new();
            for app in &apps {
                cube.upsert(app.key, &app.data);
            }
            for d in &decisions {
                cube.add_decision(d.data.application, DecisionFacts::of(d));
            }
            for a in &assessments {
                crate::stats::apply_assessment(&mut cube, a);
            }
            let keys: Vec<_> = apps.iter().map(|a| a.key).collect();
            let mirror = Mirror::build_with_verdicts(model, None, apps, decisions, verdicts)?;
            crate::stats::refresh_person_catches(&mut cube, &mirror, keys);
            Ok::<_, ServiceError>((mirror, cube))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("index build task failed: {e}")))??;
        let mut villages = VillageIndex::default();
        for report in &reports {
            villages.upsert(report, mirror.normaliser());
        }
        let index_bytes = mirror.index().memory_usage().total();
        let stats = BuildStats {
            applications,
            decisions: decision_count,
            match_verdicts,
            elapsed: started.elapsed(),
            index_bytes,
        };
        tracing::info!(
            applications,
            decisions = decision_count,
            elapsed_ms = stats.elapsed.as_millis() as u64,
            index_bytes,
            "match index built"
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
        let synced = Synced { seq: synced_seq, at: Some(Instant::now()) };
        Ok(Self::around(store, state, stats, synced, None))
    }

    /// The service around a state built from the register or restored from a snapshot
    /// (`snapshot_seq`: the state's change number when it is that snapshot's).
    fn around(
        store: Arc<dyn Store>,
        state: State,
        stats: BuildStats,
        synced: Synced,
        snapshot_seq: Option<i64>,
    ) -> Self {
        Self {
            store,
            state: RwLock::new(state),
            refresh_lock: tokio::sync::Mutex::new(()),
            stats,
            synced: std::sync::Mutex::new(synced),
            snapshot_seq: std::sync::Mutex::new(snapshot_seq),
        }
    }

    /// Whether the index holds the register: ready when nothing was committed since the last
    /// complete refresh, or that refresh finished within [`READY_LAG`]; not ready when the
    /// register does not answer or the refresher has fallen behind.
    pub async fn readiness(&self) -> Readiness {
        self.readiness_within(READY_LAG).await
    }

    /// [`Screening::readiness`] with `max_lag` instead of [`READY_LAG`].
    pub async fn readiness_within(&self, max_lag: Duration) -> Readiness {
        let Ok(current) = self.store.current_change_seq().await else {
            return Readiness::NotReady("register unreachable".to_owned());
        };
        let Ok(synced) = self.synced.lock().map(|synced| *synced) else {
            return Readiness::NotReady("index lock poisoned".to_owned());
        };
        match synced.at {
            _ if synced.seq >= current => Readiness::Ready,
            Some(at) if at.elapsed() <= max_lag => Readiness::Ready,
            Some(at) => Readiness::NotReady(format!(
                "index behind the register: {} changes, last caught up {} s ago",
                current - synced.seq,
                at.elapsed().as_secs()
            )),
            None => Readiness::NotReady(format!(
                "index loaded from its snapshot, {} changes to catch up",
                current - synced.seq
            )),
        }
    }

    /// Applications held in the match index now.
    pub fn held_applications(&self) -> Result<usize> {
        Ok(self.read()?.mirror.len())
    }

    /// Time since the index last caught up with the register (a complete refresh).
    pub fn refresh_lag(&self) -> Option<Duration> {
        self.synced.lock().ok().and_then(|synced| synced.at).map(|at| at.elapsed())
    }

    /// Figures of the start-up build.
    pub fn stats(&self) -> BuildStats {
        self.stats
    }

    /// The store this service follows.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Applies every application, decision and match verdict changed, and every retention
    /// deletion made, since the last refresh. Returns the number of rows applied.
    pub async fn refresh(&self) -> Result<usize> {
        let _one_at_a_time = self.refresh_lock.lock().await;
        let started = Instant::now();
        let applied = self.refresh_locked().await?;
        metrics::histogram!("jejak_refresh_seconds").record(started.elapsed().as_secs_f64());
        Ok(applied)
    }

    /// [`Screening::refresh`] under its lock.
    async fn refresh_locked(&self) -> Result<usize> {
        let synced_seq = self.store.current_change_seq().await?;
        // Every write the mirror follows takes its change number from this one counter, so
        // an unchanged counter means nothing to read: an idle server asks two questions per
        // tick instead of reading every change feed.
        let last_synced = self.synced.lock().map(|synced| synced.seq).ok();
        let partner_seq = self.read()?.partners.seq();
        if last_synced == Some(synced_seq) && self.store.partner_change_seq().await? == partner_seq
        {
            if let Ok(mut synced) = self.synced.lock() {
                synced.at = Some(Instant::now());
            }
            return Ok(0);
        }
        let (
            app_seq,
            decision_seq,
            verdict_seq,
            deletion_seq,
            report_seq,
            assessment_seq,
            partner_seq,
        ) = {
            let state = self.read()?;
            (
                state.app_seq,
                state.decision_seq,
                state.verdict_seq,
                state.deletion_seq,
                state.report_seq,
                state.assessment_seq,
                state.partners.seq(),
            )
        };
        let partners = if self.store.partner_change_seq().await? == partner_seq {
            None
        } else {
            Some(Arc::new(PartnerData::load(self.store.as_ref()).await?))
        };
        let (apps, new_app_seq) = all_applications(self.store.as_ref(), app_seq).await?;
        let (decisions, new_decision_seq) =
            all_decisions(self.store.as_ref(), decision_seq).await?;
        let (verdicts, new_verdict_seq) =
            all_match_decisions(self.store.as_ref(), verdict_seq).await?;
        let (deletions, new_deletion_seq) =
            all_retention_deletions(self.store.as_ref(), deletion_seq).await?;
        let (reports, new_report_seq) =
            all_village_reports(self.store.as_ref(), report_seq).await?;
        let (assessments, new_assessment_seq) =
            all_assessments(self.store.as_ref(), assessment_seq).await?;
        let applied =
            apps.len() + decisions.len() + verdicts.len() + deletions.len() + reports.len();
        let offices = if apps.is_empty() { None } else { Some(self.store.list_offices().await?) };
        let mut guard = self.write()?;
        let state = &mut *guard;
        // Applications whose person may have changed: their persons' flags are re-derived.
        let mut touched: Vec<jejak_domain::ApplicationKey> = Vec::new();
        for app in apps {
            touched.push(app.key);
            state.cube.upsert(app.key, &app.data);
            state.mirror.upsert(app)?;
        }
        for decision in decisions {
            state.cube.add_decision(decision.data.application, DecisionFacts::of(&decision));
            state.mirror.add_decision(decision);
        }
        for verdict in &verdicts {
            let (a, b) = verdict.data.pair();
            touched.extend([a, b]);
        }
        // A verdict naming an application not read yet is kept and honoured when that
        // application arrives.
        state.mirror.add_verdicts(verdicts);
        // After the upserts: an application changed and then deleted since the last refresh
        // must not stay.
        for deletion in deletions {
            let key = deletion.application;
            let person = state.mirror.person_key(key);
            touched.extend(state.mirror.members_of_person(person).iter().filter(|k| **k != key));
            state.mirror.remove(key);
            state.cube.remove(key);
        }
        for report in &reports {
            state.villages.upsert(report, state.mirror.normaliser());
        }
        state.report_seq = state.report_seq.max(new_report_seq);
        for assessment in &assessments {
            crate::stats::apply_assessment(&mut state.cube, assessment);
        }
        touched.retain(|k| state.mirror.contains(*k));
        crate::stats::refresh_person_catches(&mut state.cube, &state.mirror, touched);
        state.assessment_seq = state.assessment_seq.max(new_assessment_seq);
        state.app_seq = state.app_seq.max(new_app_seq);
        state.decision_seq = state.decision_seq.max(new_decision_seq);
        state.verdict_seq = state.verdict_seq.max(new_verdict_seq);
        state.deletion_seq = state.deletion_seq.max(new_deletion_seq);
        if let Some(offices) = offices {
            state.offices = offices;
        }
        if let Some(partners) = partners {
            state.partners = partners;
        }
        drop(guard);
        if let Ok(mut synced) = self.synced.lock() {
            *synced = Synced { seq: synced_seq, at: Some(Instant::now()) };
        }
        Ok(applied)
    }

    /// Starts a task that refreshes every `interval` until the returned handle is aborted.
    /// Errors are logged and retried at the next tick. Needs a Tokio runtime.
    pub fn spawn_refresher(self: &Arc<Self>, interval: Duration) -> JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(e) = this.refresh().await {
                    tracing::warn!(error = %e, "match index refresh failed");
                }
            }
        })
    }

    /// Screens an application against the register as this process knows it: up to 20
    /// candidates, most probable first, each with its person and decision history.
    pub fn screen(&self, app: &NewApplication) -> Result<ScreeningResult> {
        let state = self.read()?;
        let candidates = state.mirror.screen(app, SCREEN_LIMIT, None)?;
        Ok(ScreeningResult { candidates, as_of_seq: state.as_of_seq() })
    }

    /// The open village reports linked to `app`, strongest link first.
    pub fn village_alerts(&self, app: &NewApplication) -> Result<Vec<VillageAlert>> {
        let state = self.read()?;
        Ok(state.villages.link(app, state.mirror.normaliser()))
    }

    /// The number of open village reports held in memory.
    pub fn open_village_reports(&self) -> Result<usize> {
        Ok(self.read()?.villages.len())
    }

    /// Runs `f` with the monitoring aggregates and the configured office codes.
    pub fn with_stats<T>(
        &self,
        f: impl FnOnce(&Cube, &[jejak_domain::OfficeCode]) -> T,
    ) -> Result<T> {
        let state = self.read()?;
        let offices: Vec<jejak_domain::OfficeCode> =
            state.offices.iter().map(|o| o.code.clone()).collect();
        Ok(f(&state.cube, &offices))
    }

    /// The register position this process reflects (highest change number applied).
    pub fn as_of_seq(&self) -> Result<i64> {
        Ok(self.read()?.as_of_seq())
    }

    /// Runs `f` with the mirror and the offices (for fact derivation).
    pub fn with_mirror<T>(&self, f: impl FnOnce(&Mirror, &[Office]) -> T) -> Result<T> {
        let state = self.read()?;
        Ok(f(&state.mirror, &state.offices))
    }

    /// Runs `f` with the mirror, the offices and the partner data in use.
    pub fn with_context<T>(
        &self,
        f: impl FnOnce(&Mirror, &[Office], &PartnerData) -> T,
    ) -> Result<T> {
        let state = self.read()?;
        Ok(f(&state.mirror, &state.offices, &state.partners))
    }

    /// The partner data in use.
    pub fn partners(&self) -> Result<Arc<PartnerData>> {
        Ok(Arc::clone(&self.read()?.partners))
    }

    fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, State>> {
        self.state.read().map_err(|_| ServiceError::Internal("match index lock poisoned".into()))
    }

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, State>> {
        self.state.write().map_err(|_| ServiceError::Internal("match index lock poisoned".into()))
    }
}

/// Reads a change stream page by page from `since`: every row, with the highest change number
/// seen (`since` when there is none).
async fn drain<T, F, Fut>(
    since: i64,
    seq_of: impl Fn(&T) -> i64,
    mut page: F,
) -> Result<(Vec<T>, i64)>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = jejak_store::Result<Vec<T>>>,
{
    let mut seq = since;
    let mut out = Vec::new();
    loop {
        let rows = page(seq).await?;
        let Some(last) = rows.last() else { break };
        seq = seq_of(last);
        let full = rows.len() == PAGE_SIZE as usize;
        out.extend(rows);
        if !full {
            break;
        }
    }
    Ok((out, seq))
}

/// Every application changed after `since`, with the highest change number seen.
pub async fn all_applications(store: &dyn Store, since: i64) -> Result<(Vec<Application>, i64)> {
    drain(
        since,
        |a: &Application| a.change_seq,
        |seq| store.applications_changed_since(seq, PAGE_SIZE),
    )
    .await
}

/// Every decision recorded after `since`, with the highest change number seen.
pub async fn all_decisions(store: &dyn Store, since: i64) -> Result<(Vec<Decision>, i64)> {
    drain(since, |d: &Decision| d.change_seq, |seq| store.decisions_changed_since(seq, PAGE_SIZE))
        .await
}

/// Every match verdict recorded after `since`, with the highest change number seen.
pub async fn all_match_decisions(
    store: &dyn Store,
    since: i64,
) -> Result<(Vec<MatchDecision>, i64)> {
    drain(
        since,
        |m: &MatchDecision| m.change_seq,
        |seq| store.match_decisions_changed_since(seq, PAGE_SIZE),
    )
    .await
}

/// Every assessment recorded after `since`, with the highest change number seen.
async fn all_assessments(store: &dyn Store, since: i64) -> Result<(Vec<StoredAssessment>, i64)> {
    drain(
        since,
        |a: &StoredAssessment| a.change_seq,
        |seq| store.assessments_changed_since(seq, PAGE_SIZE),
    )
    .await
}

/// Every application deleted by retention after `since`, with the highest change number seen.
async fn all_retention_deletions(
    store: &dyn Store,
    since: i64,
) -> Result<(Vec<RetentionDeletion>, i64)> {
    drain(
        since,
        |d: &RetentionDeletion| d.change_seq,
        |seq| store.retention_deletions_since(seq, PAGE_SIZE),
    )
    .await
}

/// Every village report changed after `since`, with the highest change number seen.
async fn all_village_reports(
    store: &dyn Store,
    since: i64,
) -> Result<(Vec<jejak_domain::VillageReport>, i64)> {
    drain(
        since,
        |r: &jejak_domain::VillageReport| r.change_seq,
        |seq| store.village_reports_since(seq, None, PAGE_SIZE),
    )
    .await
}
