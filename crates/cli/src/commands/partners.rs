//! `jejak cpmi import` and `jejak partner import p3mi|deportations`: a partner's file stored
//! as one dated snapshot, all rows or none; every problem is printed as `file: row N, column
//! C: reason` and nothing is written.

use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_domain::PartnerKind;
use jejak_domain::date::parse_date;
use jejak_service::{Clock, ServiceError, SystemClock};

use crate::args::{CpmiCommand, PartnerCommand, PartnerFileArgs};
use crate::commands::{console, open_store};
use crate::output;

pub(crate) async fn cpmi(command: CpmiCommand) -> anyhow::Result<ExitCode> {
    match command {
        CpmiCommand::Import(args) => import(PartnerKind::Cpmi, args).await,
    }
}

pub(crate) async fn partner(command: PartnerCommand) -> anyhow::Result<ExitCode> {
    match command {
        PartnerCommand::Import { kind, file } => {
            let Some(kind @ (PartnerKind::P3mi | PartnerKind::Deportations)) =
                PartnerKind::parse(&kind)
            else {
                bail!(
                    "unknown partner list {kind:?}: use p3mi or deportations (CPMI: jejak cpmi import)"
                );
            };
            import(kind, file).await
        }
    }
}

async fn import(kind: PartnerKind, args: PartnerFileArgs) -> anyhow::Result<ExitCode> {
    let taken_on = match &args.as_of {
        Some(d) => parse_date(d).with_context(|| format!("--as-of {d:?}"))?,
        None => SystemClock.today(),
    };
    let name = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {name}"))?;
    let store = open_store(&args.db.database).await?;
    let console = console(&store, &args.user.user, None).await?;
    let purpose = Some(args.purpose.clone());
    match console.import_partner_list(kind, &name, &bytes, taken_on, purpose).await {
        Ok(imported) => {
            let s = &imported.snapshot;
            output::line(&format!(
                "{name}: {} {kind} record(s) imported as snapshot {} of {}",
                s.record_count,
                s.id,
                jejak_domain::date::iso(s.taken_on)
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(ServiceError::Invalid(problems)) => {
            for problem in problems.lines() {
                output::note(problem);
            }
            output::note(&format!("{name}: nothing imported"));
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e).with_context(|| format!("{name}: import failed")),
    }
}
