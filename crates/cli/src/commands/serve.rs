//! `jejak serve` and `jejak demo`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jejak_domain::OfficeCode;
use jejak_service::SystemClock;
use jejak_service::auth::Auth;
use jejak_service::auth::NewUserInput;
use jejak_service::authz::{Actor, Role};
use jejak_service::import::{ImportOptions, InputFile, import_files};
use jejak_service::screening::REFRESH_INTERVAL;
use jejak_store::Store;
use jejak_web::AppState;

use crate::args::{DemoArgs, ServeArgs};
use crate::commands::{cli_ctx, open_store, users};
use crate::output;

/// Demo users, one per role at the pilot offices: (username, name, role, office).
const DEMO_USERS: [(&str, &str, Role, &str); 7] = [
    ("petugas.kla", "Petugas Kalianda", Role::Petugas, "KLA"),
    ("petugas.bdl", "Petugas Bandar Lampung", Role::Petugas, "BDL"),
    ("petugas.ktb", "Petugas Kotabumi", Role::Petugas, "KTB"),
    ("supervisor.kla", "Kepala Seksi Kalianda", Role::Supervisor, "KLA"),
    ("analis", "Analis Kanwil Lampung", Role::Analis, "BDL"),
    ("pimpasa.kla", "PIMPASA Desa Binaan Kalianda", Role::Pimpasa, "KLA"),
    ("admin", "Admin Jejak", Role::Admin, "BDL"),
];
/// The one password of every demo user; only `jejak demo` ever sets it.
const DEMO_PASSWORD: &str = "demo-jejak-2026";

/// Days of applications the demo offices have not decided yet (their work queues).
const DEMO_BACKLOG_DAYS: i64 = 10;

/// The demo's span: three years in days (a day count, so 29 February needs no special case).
const DEMO_YEARS_OF_DAYS: i64 = 3 * 365;

pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    let auth = Arc::new(users::auth(store.clone())?);
    let mut state = app_state(store, auth).await?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(jejak_web::security::tls_config(cert, key)?),
        _ => None,
    };
    state.tls = tls.is_some();
    run_server(&args.bind, state, tls).await
}

/// The server's state: the match index built from the register (and kept current from its
/// change sequence), the rule set in force, users and sessions, the real clock.
async fn app_state(store: Arc<dyn Store>, auth: Arc<Auth>) -> anyhow::Result<AppState> {
    let rules = jejak_service::rulesets::active_or_default(store.as_ref())
        .await
        .context("loading the rule set")?;
    output::note(&format!("assessing with {}", rules.origin()));
    let state = AppState::start(store, auth, rules.rules, Arc::new(SystemClock))
        .await
        .context("building the match index")?;
    let screening = state.casework.screening();
    let stats = screening.stats();
    output::note(&format!(
        "match index: {} applications, {} decisions, built in {:.1} s",
        stats.applications,
        stats.decisions,
        stats.elapsed.as_secs_f64()
    ));
    screening.spawn_refresher(REFRESH_INTERVAL);
    Ok(state)
}

async fn run_server(
    bind: &str,
    state: AppState,
    tls: Option<rustls::ServerConfig>,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr().context("listener address")?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    output::line(&format!("Jejak is running at {scheme}://{address}/ (Ctrl-C to stop)"));
    let server = async move {
        match tls {
            Some(config) => {
                let listener = listener.into_std()?;
                jejak_web::security::serve_tls(listener, jejak_web::router(state), config).await
            }
            None => jejak_web::serve(listener, state).await,
        }
    };
    tokio::select! {
        result = server => result.context("web server failed")?,
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
    // The demo's three years end today, so deferrals are still running and the offices have
    // the last days' applications waiting in their queues.
    let today = time::OffsetDateTime::now_utc().date();
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: args.persons,
        seed: 2026,
        start: today - time::Duration::days(DEMO_YEARS_OF_DAYS),
        end: today,
        backlog_days: DEMO_BACKLOG_DAYS,
        ..Default::default()
    });
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).context("generating demo data")?;
    let file = InputFile { name: "demo.csv".to_owned(), bytes: csv };
    let report =
        import_files(store.as_ref(), &[file], &ImportOptions::default(), &cli_ctx("demo")).await?;
    let (legacy, hint) = legacy_sheet(&data.applications);
    let mut csv = Vec::new();
    jejak_interchange::write_csv(&mut csv, &legacy).context("generating the old sheet")?;
    let file = InputFile { name: "demo-lama.csv".to_owned(), bytes: csv };
    let old =
        import_files(store.as_ref(), &[file], &ImportOptions::default(), &cli_ctx("demo")).await?;
    output::line("==================================================================");
    output::line(" DEMO MODE: a fresh register of SYNTHETIC applicants, not real data.");
    output::line(&format!(
        " {} applications of {} persons at the three Lampung pilot offices, in {}",
        report.valid_rows(),
        data.persons(),
        args.path.display()
    ));
    output::line(&format!(
        " plus {} from an old sheet whose NIKs were mistyped (kept as written, shown as \
         \"NIK tidak valid\"; search one of their correct NIKs: {})",
        old.valid_rows(),
        hint.unwrap_or_default()
    ));
    let auth = Arc::new(users::auth(store.clone())?);
    let admin = Actor::user("demo", "demo", Role::Admin, OfficeCode::parse("BDL")?);
    for (username, name, role, office) in DEMO_USERS {
        let input = NewUserInput {
            username: username.to_owned(),
            display_name: name.to_owned(),
            role,
            office: OfficeCode::parse(office)?,
            password: DEMO_PASSWORD.to_owned(),
        };
        auth.add_user(&admin, input).await?;
    }
    output::line(" DEMO users (every one with the password below; never use it for real):");
    for (username, _, role, office) in DEMO_USERS {
        output::line(&format!("   {username:<16} {role:<10} {office}"));
    }
    output::line(&format!(" DEMO password: {DEMO_PASSWORD}"));
    output::line("==================================================================");
    let mut state = app_state(store, auth).await?;
    state.demo = true;
    run_server(&args.bind, state, None).await
}

/// Where the demo's old sheet drops a digit of the NIK (the serial's first).
const MISTYPED_AT: usize = 12;

/// An office's old spreadsheet in the demo: earlier applications of a few generated persons
/// whose NIKs were typed with a digit missing, and one of the correct NIKs (to search for).
/// The import keeps them as written and flags them; the identity engine still finds them.
fn legacy_sheet(
    applications: &[jejak_domain::NewApplication],
) -> (Vec<jejak_domain::NewApplication>, Option<String>) {
    let sources: Vec<&jejak_domain::NewApplication> = applications
        .iter()
        .filter(|a| a.nik.is_some() && a.birth_date.is_some())
        .step_by(97)
        .take(5)
        .collect();
    let old = sources
        .iter()
        .map(|a| {
            let mut old = jejak_domain::NewApplication::new(
                &format!("{}-LAMA", a.application_id),
                a.office_code.clone(),
                a.applied_on - time::Duration::days(400),
                &a.full_name,
            );
            old.sex = a.sex;
            old.birth_date = a.birth_date;
            old.village_code = a.village_code.clone();
            old.mother_name = a.mother_name.clone();
            let mut mistyped = a.nik_text().unwrap_or_default().to_owned();
            if mistyped.len() > MISTYPED_AT {
                mistyped.remove(MISTYPED_AT);
            }
            old.set_invalid(jejak_domain::IdentifierField::Nik, mistyped);
            old
        })
        .collect();
    (old, sources.first().and_then(|a| a.nik_text()).map(str::to_owned))
}
