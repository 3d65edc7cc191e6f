//! Backtesting rule sets on the register's history: applications replayed in application-date
//! order, each screened against the applications applied strictly before its date and given
//! the facts known then (decisions taken strictly before it), then run through the candidate
//! and the baseline rule sets by the rules crate's backtest engine.
//!
//! One look-ahead remains, in the matching parameters only: they are estimated once from the
//! whole register (the m/u probabilities of the model), not re-estimated per day.

use std::sync::Arc;

use jejak_domain::{Application, Outcome};
use jejak_matching::Model;
use jejak_rules::RuleSet;
use jejak_rules::backtest::{Backtest, BacktestOptions, BacktestReport, Case, OfficerOutcome};
use jejak_store::Store;

use crate::Result;
use crate::facts::{FactContext, derive_facts};
use crate::mirror::{Mirror, SCREEN_LIMIT};
use crate::screening::{all_applications, all_decisions};

/// Cases handed to the rules engine per batch.
const BATCH: usize = 10_000;

/// Replays the store's history; see the module documentation.
pub async fn backtest_store(
    store: &dyn Store,
    model: Arc<Model>,
    candidate: &RuleSet,
    baseline: Option<&RuleSet>,
    options: BacktestOptions,
) -> Result<BacktestReport> {
    let (apps, _) = all_applications(store, 0).await?;
    let (decisions, _) = all_decisions(store, 0).await?;
    let offices = store.list_offices().await?;
    let candidate = candidate.clone();
    let baseline = baseline.cloned();
    tokio::task::spawn_blocking(move || {
        replay(model, apps, decisions, &offices, &candidate, baseline.as_ref(), options)
    })
    .await
    .map_err(|e| crate::ServiceError::Internal(format!("backtest task failed: {e}")))?
}

/// The replay itself, on data already loaded.
pub fn replay(
    model: Arc<Model>,
    mut apps: Vec<Application>,
    decisions: Vec<jejak_domain::Decision>,
    offices: &[jejak_domain::Office],
    candidate: &RuleSet,
    baseline: Option<&RuleSet>,
    options: BacktestOptions,
) -> Result<BacktestReport> {
    apps.sort_by(|a, b| {
        (a.data.applied_on, &a.data.office_code, &a.data.application_id, a.key).cmp(&(
            b.data.applied_on,
            &b.data.office_code,
            &b.data.application_id,
            b.key,
        ))
    });
    let parameters = Mirror::estimate_parameters(&model, &apps)?;
    let mut mirror = Mirror::build(model, Some(parameters), Vec::new(), decisions)?;
    let last_day = options.to;
    let mut run = Backtest::new(candidate, baseline, options);
    let mut cases: Vec<Case> = Vec::with_capacity(BATCH);
    let mut day_start = 0;
    while day_start < apps.len() {
        let day = apps[day_start].data.applied_on;
        if last_day.is_some_and(|to| day > to) {
            break;
        }
        let day_end = apps[day_start..]
            .iter()
            .position(|a| a.data.applied_on != day)
            .map_or(apps.len(), |n| day_start + n);
        // Everything applied today is screened against the register before today.
        for app in &apps[day_start..day_end] {
            let candidates = mirror.screen(&app.data, SCREEN_LIMIT, Some(day))?;
            let ctx =
                FactContext { mirror: Some(&mirror), offices, as_of: Some(day), partners: None };
            let facts = derive_facts(&app.data, &candidates, &ctx)?;
            cases.push(Case {
                id: app.data.application_id.clone(),
                office_code: app.data.office_code.as_str().to_owned(),
                applied_on: day,
                facts,
                outcome: officer_outcome(app.data.outcome),
            });
        }
        for app in &apps[day_start..day_end] {
            mirror.upsert(app.clone())?;
        }
        if cases.len() >= BATCH {
            run.push(&cases);
            cases.clear();
        }
        day_start = day_end;
    }
    run.push(&cases);
    Ok(run.finish())
}

fn officer_outcome(outcome: Outcome) -> OfficerOutcome {
    match outcome {
        Outcome::Pending => OfficerOutcome::Pending,
        Outcome::Issued => OfficerOutcome::Issued,
        Outcome::Deferred => OfficerOutcome::Deferred,
        Outcome::Rejected => OfficerOutcome::Rejected,
        Outcome::Cancelled => OfficerOutcome::Cancelled,
    }
}
