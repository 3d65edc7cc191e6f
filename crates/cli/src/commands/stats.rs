//! `jejak stats`: the monitoring figures of `GET /api/v1/stats`, read from the register
//! directly (the same aggregates and suppression, built from the store at start).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jejak_matching::Model;
use jejak_service::screening::Screening;
use jejak_service::stats::{StatsRequest, stats_csv, stats_table};

use crate::args::StatsArgs;
use crate::commands::{console_actor, open_store};
use crate::output;

pub(crate) async fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let request = StatsRequest::parse(
        Some(&args.from),
        Some(&args.to),
        Some(&args.group_by),
        args.office.as_deref(),
        args.region.as_deref(),
    )?;
    let store = open_store(&args.db.database).await?;
    let model = Arc::new(Model::interchange().context("the built-in interchange model")?);
    let actor = console_actor(&store, &args.user.user, None).await?;
    let screening = Screening::start(store, model).await.context("reading the register")?;
    let rows = stats_table(&screening, &actor, &request)?;
    match args.format.as_str() {
        "json" => output::line(&serde_json::to_string_pretty(&rows)?),
        _ => output::line(stats_csv(&rows).trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}
