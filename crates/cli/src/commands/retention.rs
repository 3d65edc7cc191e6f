//! `jejak retention run|policy|hold|lift|holds`: runs and holds go through the administration
//! gate with the command line's actor, as on the pages.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_domain::Nik;
use jejak_domain::date::parse_date;
use jejak_service::retention::RetentionPolicy;
use jejak_service::{Clock, SystemClock};

use crate::args::{HoldArgs, HoldsArgs, LiftArgs, RetentionCommand, RetentionRunArgs};
use crate::commands::{console_actor, console_admin, open_store};
use crate::config::Config;
use crate::output;

/// How many planned actions to list before summarising.
const SHOWN: usize = 50;

pub(crate) async fn run(command: RetentionCommand, config: &Config) -> anyhow::Result<ExitCode> {
    match command {
        RetentionCommand::Run(args) => run_schedule(args, config).await,
        RetentionCommand::Policy => print_policy(config),
        RetentionCommand::Hold(args) => hold(args).await,
        RetentionCommand::Lift(args) => lift(args).await,
        RetentionCommand::Holds(args) => holds(args).await,
    }
}

fn print_policy(config: &Config) -> anyhow::Result<ExitCode> {
    let policy = config.retention_policy()?;
    for (record_type, rule) in policy.rules() {
        output::line(&format!(
            "{record_type:10} {:2} years, then {}",
            rule.years,
            match rule.action {
                jejak_store::RetentionKind::Anonymise => "anonymise",
                jejak_store::RetentionKind::Delete => "delete",
            }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_schedule(args: RetentionRunArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let policy = config.retention_policy()?;
    let as_of = match &args.as_of {
        Some(v) => parse_date(v).with_context(|| format!("--as-of {v:?}"))?,
        None => SystemClock.today(),
    };
    let store = open_store(&args.db.database).await?;
    let actor = console_actor(&store, &args.user.user, None).await?;
    let (as_of, report) = console_admin(&store, policy)
        .run_retention(&actor, &jejak_domain::date::iso(as_of), args.dry_run)
        .await?;
    let verb = |kind: jejak_store::RetentionKind| match (args.dry_run, kind) {
        (true, jejak_store::RetentionKind::Anonymise) => "would anonymise",
        (true, jejak_store::RetentionKind::Delete) => "would delete",
        (false, jejak_store::RetentionKind::Anonymise) => "anonymised",
        (false, jejak_store::RetentionKind::Delete) => "deleted",
    };
    let mut per_type: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, e) in report.expired.iter().enumerate() {
        let counts = per_type.entry(e.record_type).or_default();
        if e.held {
            counts.1 += 1;
        } else {
            counts.0 += 1;
        }
        if i < SHOWN {
            let what = if e.held { "held, kept" } else { verb(e.kind) };
            output::line(&format!(
                "{what}: {}/{} ({}, retention ended {})",
                e.office_code,
                e.application_id,
                e.record_type,
                jejak_domain::date::iso(e.expired_on)
            ));
        }
    }
    if report.expired.len() > SHOWN {
        output::line(&format!("... and {} more", report.expired.len() - SHOWN));
    }
    for (record_type, (acted, held)) in &per_type {
        output::line(&format!("{record_type}: {acted} expired, {held} under legal hold"));
    }
    match &report.outcome {
        None => output::line(&format!(
            "dry run as of {}: {} application(s) expired; nothing was changed",
            jejak_domain::date::iso(as_of),
            report.expired.len()
        )),
        Some(o) => output::line(&format!(
            "retention as of {}: {} anonymised, {} deleted, {} kept under legal hold",
            jejak_domain::date::iso(as_of),
            o.anonymised.len(),
            o.deleted.len(),
            report.expired.iter().filter(|e| e.held).count()
        )),
    }
    Ok(ExitCode::SUCCESS)
}

async fn hold(args: HoldArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    let actor = console_actor(&store, &args.user.user, None).await?;
    let (application, nik) = match (&args.application, &args.nik) {
        (Some(spec), _) => (spec.as_str(), ""),
        (None, Some(nik)) => ("", nik.as_str()),
        (None, None) => bail!("give --application OFFICE/ID or --nik NIK"),
    };
    let placed = console_admin(&store, RetentionPolicy::default())
        .place_hold(&actor, application, nik, &args.reason)
        .await?;
    output::line(&format!("legal hold {} placed", placed.id));
    Ok(ExitCode::SUCCESS)
}

async fn lift(args: LiftArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    let actor = console_actor(&store, &args.user.user, None).await?;
    let lifted = console_admin(&store, RetentionPolicy::default())
        .lift_hold(&actor, args.id, &args.reason)
        .await?;
    output::line(&format!("legal hold {} lifted", lifted.id));
    Ok(ExitCode::SUCCESS)
}

async fn holds(args: HoldsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    for h in store.legal_holds(args.all).await? {
        let target = match (&h.application, &h.nik) {
            (Some(key), _) => format!("application {key}"),
            (None, Some(nik)) => {
                format!("NIK {}", Nik::parse(nik).map(|n| n.masked()).unwrap_or_default())
            }
            (None, None) => "?".to_owned(),
        };
        let state = match (&h.lifted_at, &h.lifted_by) {
            (Some(at), Some(by)) => {
                format!("lifted {at} by {by}: {}", h.lift_reason.as_deref().unwrap_or_default())
            }
            _ => "active".to_owned(),
        };
        output::line(&format!(
            "{}\t{target}\t{}\tplaced {} by {}\t{state}",
            h.id, h.reason, h.placed_at, h.placed_by
        ));
    }
    Ok(ExitCode::SUCCESS)
}
