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
use jejak_service::admin::Admin;
use jejak_service::authz::{Actor, Role};
use jejak_service::retention::RetentionPolicy;
use jejak_service::{Clock, SystemClock};
use jejak_store::{AuditCtx, Store};

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

/// The command line's actor: whoever can run commands against the database administers the
/// register, as an administrator named `user` at `office` (or the register's first office).
/// Its writes go through the service's gates like the pages', so the permission table and the
/// audit log see them the same way.
pub(crate) async fn console_actor(
    store: &Arc<dyn Store>,
    user: &str,
    office: Option<OfficeCode>,
) -> anyhow::Result<Actor> {
    let office = match office {
        Some(o) => o,
        None => match store.list_offices().await?.into_iter().next() {
            Some(o) => o.code,
            None => anyhow::bail!("the register has no offices: add one with `jejak office add`"),
        },
    };
    Ok(Actor::user(user, "command line", Role::Admin, office))
}

/// The administration use cases at the command line (no match index is built).
pub(crate) fn console_admin(store: &Arc<dyn Store>, policy: RetentionPolicy) -> Admin {
    Admin::without_index(store.clone(), Arc::new(SystemClock), policy)
}

/// Audit context for a command-line action.
pub(crate) fn cli_ctx(user: &str) -> AuditCtx {
    AuditCtx { actor: user.to_owned(), office: None, purpose: None, at: SystemClock.timestamp() }
}
