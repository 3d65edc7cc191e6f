//! `jejak serve` and `jejak demo`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jejak_matching::Model;
use jejak_service::SystemClock;
use jejak_service::casework::Casework;
use jejak_service::import::{ImportOptions, InputFile, import_files};
use jejak_service::screening::{REFRESH_INTERVAL, Screening};
use jejak_store::Store;
use jejak_web::AppState;

use crate::args::{DemoArgs, ServeArgs};
use crate::commands::{cli_ctx, open_store};
use crate::output;

pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    run_server(&args.bind, app_state(store, false).await?).await
}

/// The server's state: the match index built from the register (and kept current from its
/// change sequence), the rule set, the real clock.
async fn app_state(store: Arc<dyn Store>, demo: bool) -> anyhow::Result<AppState> {
    let model = Arc::new(Model::interchange().context("loading the identity model")?);
    let screening =
        Arc::new(Screening::start(store.clone(), model).await.context("building the match index")?);
    let stats = screening.stats();
    output::note(&format!(
        "match index: {} applications, {} decisions, built in {:.1} s",
        stats.applications,
        stats.decisions,
        stats.elapsed.as_secs_f64()
    ));
    screening.spawn_refresher(REFRESH_INTERVAL);
    let rules = jejak_service::rulesets::active_or_default(store.as_ref())
        .await
        .context("loading the rule set")?;
    output::note(&format!("assessing with {}", rules.origin()));
    let casework =
        Arc::new(Casework::new(store.clone(), screening, rules.rules, Arc::new(SystemClock)));
    Ok(AppState::new(store, casework, demo))
}

async fn run_server(bind: &str, state: AppState) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr().context("listener address")?;
    output::line(&format!("Jejak is running at http://{address}/ (Ctrl-C to stop)"));
    tokio::select! {
        result = jejak_web::serve(listener, state) => result.context("web server failed")?,
        _ = tokio::signal::ctrl_c() => output::note("stopping"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", args.path.display());
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot replace the demo register {path}"));
            }
        }
    }
    let url = format!("sqlite://{}", args.path.display());
    let store = open_store(&url).await?;
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: args.persons,
        seed: 2026,
        ..Default::default()
    });
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).context("generating demo data")?;
    let file = InputFile { name: "demo.csv".to_owned(), bytes: csv };
    let report =
        import_files(store.as_ref(), &[file], &ImportOptions::default(), &cli_ctx("demo")).await?;
    output::line("==================================================================");
    output::line(" DEMO MODE: a fresh register of SYNTHETIC applicants, not real data.");
    output::line(&format!(
        " {} applications of {} persons at the three Lampung pilot offices, in {}",
        report.valid_rows(),
        data.persons(),
        args.path.display()
    ));
    output::line("==================================================================");
    run_server(&args.bind, app_state(store, true).await?).await
}
