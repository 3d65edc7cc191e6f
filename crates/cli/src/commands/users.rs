//! `jejak user add|list|disable` and `jejak token add|list|revoke`. Whoever can run these
//! against the database acts as administrator ("cli" in the audit log).

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use jejak_domain::OfficeCode;
use jejak_service::auth::{Auth, AuthConfig, NewUserInput};
use jejak_service::authz::{Action, Actor, Role};
use jejak_service::{Clock, SystemClock};
use jejak_store::Store;

use crate::args::{TokenCommand, UserCommand};
use crate::commands::{console_actor, open_store};
use crate::output;

/// The Auth service over `store` with the real clock.
pub(crate) fn auth(store: Arc<dyn Store>) -> anyhow::Result<Auth> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Ok(Auth::new(store, clock, AuthConfig::default())?)
}

/// The command line acts as an administrator at `office` (or the first office).
async fn console(store: &Arc<dyn Store>, office: Option<OfficeCode>) -> anyhow::Result<Actor> {
    console_actor(store, "cli", office).await
}

fn role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text).with_context(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("--role {text:?}: use one of {}", names.join(", "))
    })
}

fn office(text: &str) -> anyhow::Result<OfficeCode> {
    OfficeCode::parse(text).with_context(|| format!("--office {text:?}"))
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password: ").context("reading the password")?;
    let second = rpassword::prompt_password("Password again: ").context("reading the password")?;
    if first != second {
        bail!("the two passwords differ; nothing was saved");
    }
    Ok(first)
}

pub(crate) async fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Add(args) => {
            let role = role(&args.role)?;
            let office = office(&args.office)?;
            let password = read_password(args.password_stdin)?;
            let store = open_store(&args.db.database).await?;
            let by = console(&store, Some(office.clone())).await?;
            let input = NewUserInput {
                username: args.username,
                display_name: args.name,
                role,
                office,
                password,
            };
            let info = auth(store)?.add_user(&by, input).await?;
            output::line(&format!(
                "added user {} ({}) at {}",
                info.username, info.role, info.office
            ));
        }
        UserCommand::List(db) => {
            let store = open_store(&db.database).await?;
            let by = console(&store, None).await?;
            for u in auth(store)?.list_users(&by).await? {
                let state = match (&u.locked_until, u.active) {
                    (_, false) => "disabled".to_owned(),
                    (Some(until), true) => format!("active (lock until {until})"),
                    (None, true) => "active".to_owned(),
                };
                output::line(&format!(
                    "{}\t{}\t{}\t{}\t{state}",
                    u.username, u.display_name, u.role, u.office
                ));
            }
        }
        UserCommand::Disable(args) => {
            let store = open_store(&args.db.database).await?;
            let by = console(&store, None).await?;
            auth(store)?.disable_user(&by, &args.name).await?;
            output::line(&format!("disabled user {}; their sessions have ended", args.name));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Add(args) => {
            let role = role(&args.role)?;
            let office = office(&args.office)?;
            let scopes = args
                .scopes
                .iter()
                .flat_map(|s| s.split(','))
                .map(|s| {
                    Action::parse(s).with_context(|| format!("--scope {s:?} is not an action"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let expires_at = match &args.expires_on {
                Some(text) => {
                    let day = jejak_domain::date::parse_date(text)
                        .with_context(|| format!("--expires-on {text:?}"))?;
                    // Works through that day: it ends at the next midnight (UTC).
                    Some(day.midnight().assume_utc() + time::Duration::days(1))
                }
                None => None,
            };
            let store = open_store(&args.db.database).await?;
            let by = console(&store, Some(office.clone())).await?;
            let secret = auth(store)?
                .add_token_until(&by, &args.name, role, &scopes, office, expires_at)
                .await?;
            output::note("The token's secret follows. It is shown only now: store it safely.");
            output::line(&secret);
        }
        TokenCommand::List(db) => {
            let store = open_store(&db.database).await?;
            let by = console(&store, None).await?;
            for t in auth(store)?.list_tokens(&by).await? {
                let scopes: Vec<&str> = t.scopes.iter().map(|a| a.as_str()).collect();
                let state = match &t.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_owned(),
                };
                output::line(&format!(
                    "{}\t{}\t{}\t{}\t{state}\tlast used {}\texpires {}",
                    t.name,
                    t.role,
                    t.office,
                    scopes.join(","),
                    t.last_used_at.as_deref().unwrap_or("never"),
                    t.expires_at.as_deref().unwrap_or("never")
                ));
            }
        }
        TokenCommand::Revoke(args) => {
            let store = open_store(&args.db.database).await?;
            let by = console(&store, None).await?;
            auth(store)?.revoke_token(&by, &args.name).await?;
            output::line(&format!("revoked API token {}", args.name));
        }
    }
    Ok(ExitCode::SUCCESS)
}
