//! One module per command; `run` dispatches.

mod assess;
mod audit;
mod backup;
mod data;
mod exchange;
mod link;
mod office;
mod partners;
mod referral;
mod retention;
mod rules;
mod serve;
mod stats;
mod subject;
mod users;
mod village;

use std::process::ExitCode;

use std::sync::Arc;

use anyhow::Context;
use jejak_domain::OfficeCode;
use jejak_service::SystemClock;
use jejak_service::admin::Admin;
use jejak_service::authz::Actor;
use jejak_service::console::Console;
use jejak_service::retention::RetentionPolicy;
use jejak_store::Store;

use crate::args::{Cli, Command, ConfigCommand, ReferralCommand};
use crate::config::Config;

pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Import(args) => data::import(args).await,
        Command::Export(args) => data::export(args).await,
        Command::Generate(args) => data::generate(&args),
        Command::Office(command) => office::run(command).await,
        Command::Serve(args) => serve::serve(args, &Config::load(config)?).await,
        Command::User(command) => users::user(command).await,
        Command::Token(command) => users::token(command).await,
        Command::Demo(args) => serve::demo(args, &Config::load(config)?).await,
        Command::Stats(args) => stats::stats(args).await,
        Command::Link(args) => link::link(&args),
        Command::Rules(command) => rules::run(command).await,
        Command::Assess(args) => assess::assess(args).await,
        Command::Backtest(args) => assess::backtest(args).await,
        Command::Audit(command) => audit::run(command).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Retention(command) => retention::run(command, &Config::load(config)?).await,
        Command::Config(ConfigCommand::Check) => check_config(config),
        Command::SubjectReport(args) => subject::subject_report(args).await,
        Command::Village(command) => village::run(command).await,
        Command::Referral(ReferralCommand::List(args)) => referral::list(args).await,
        Command::Cpmi(command) => partners::cpmi(command).await,
        Command::Partner(command) => partners::partner(command).await,
        Command::Exchange(command) => exchange::run(command).await,
    }
}

/// `jejak config check`: the effective configuration, or the error naming the bad setting.
fn check_config(path: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let config = Config::load(path)?;
    if let Ok(url) = std::env::var("JEJAK_DATABASE") {
        crate::output::line(&format!("# database: {}", jejak_store::redact(&url)));
    }
    crate::output::line(config.effective_toml()?.trim_end());
    Ok(ExitCode::SUCCESS)
}

/// Opens the register, naming it (without password) if that fails.
pub(crate) async fn open_store(url: &str) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    jejak_store::open(url)
        .await
        .with_context(|| format!("cannot open the register at {}", jejak_store::redact(url)))
}

/// The command line's gate: the console operator `user` (`--user`, `JEJAK_USER`) at `office`,
/// else the register's first office. Whoever runs commands against the database administers
/// the register; its writes still go through the service's gates with this actor, so the
/// permission table (its console row) and the audit log see them like the pages' writes.
pub(crate) async fn console(
    store: &Arc<dyn Store>,
    user: &str,
    office: Option<OfficeCode>,
) -> anyhow::Result<Console> {
    let office = match office {
        Some(o) => o,
        None => store
            .list_offices()
            .await?
            .into_iter()
            .next()
            .map_or_else(OfficeCode::console, |o| o.code),
    };
    Ok(Console::new(store.clone(), Arc::new(SystemClock), user, office))
}

/// The console's actor, for the gates the pages share (`Admin`, `Auth`, `Villages`).
pub(crate) async fn console_actor(
    store: &Arc<dyn Store>,
    user: &str,
    office: Option<OfficeCode>,
) -> anyhow::Result<Actor> {
    Ok(console(store, user, office).await?.actor().clone())
}

/// The administration use cases at the command line (no match index is built).
pub(crate) fn console_admin(store: &Arc<dyn Store>, policy: RetentionPolicy) -> Admin {
    Admin::without_index(store.clone(), Arc::new(SystemClock), policy)
}

#[cfg(test)]
mod tests {
    /// The command line writes only through the service's gates with the console actor: no
    /// command builds an audit context or asks the permission table itself (the demo's
    /// history comes from `Console::history_ctx`, which asks it).
    #[test]
    fn no_command_writes_around_the_service_gates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![dir];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (n, line) in code.lines().enumerate() {
                    let forbidden = ["AuditCtx {", ".audit_ctx(", ".authorize(", ".may("];
                    // A function returning an audit context names the type before its body.
                    let signature = line.contains("-> ") && line.trim_end().ends_with('{');
                    if forbidden.iter().any(|f| line.contains(f)) && !signature {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(offenders.is_empty(), "writes around the gates:\n{}", offenders.join("\n"));
    }
}
