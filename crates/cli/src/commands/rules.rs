//! `jejak rules check|publish|activate|list`, and choosing the rule set for `assess` and
//! `backtest`. Every problem is printed as FILE:LINE:COLUMN; a rule set with an error is never
//! used, published or stored.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_rules::{RuleSet, Source, lifecycle};
use jejak_service::rulesets::{self, LoadedRuleSet};
use jejak_service::{Clock, SystemClock};
use jejak_store::{Store, StoredRuleSet};

use crate::args::{DatabaseArg, RulesActivateArgs, RulesCheckArgs, RulesCommand, RulesPublishArgs};
use crate::commands::{console, open_store};
use crate::output;

pub(crate) async fn run(command: RulesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RulesCommand::Check(args) => check(&args),
        RulesCommand::Publish(args) => publish(&args).await,
        RulesCommand::Activate(args) => activate(&args).await,
        RulesCommand::List(args) => list(&args).await,
    }
}

fn read_sources(paths: &[PathBuf]) -> anyhow::Result<Vec<Source>> {
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Ok(Source::new(p.display().to_string(), text))
        })
        .collect()
}

/// Loads a rule set, printing warnings; on errors prints every problem and fails.
pub(crate) fn load(paths: &[PathBuf]) -> anyhow::Result<RuleSet> {
    let sources = read_sources(paths)?;
    load_sources(&sources)
}

fn load_sources(sources: &[Source]) -> anyhow::Result<RuleSet> {
    match RuleSet::load(sources) {
        Ok(set) => {
            for warning in set.warnings() {
                output::note(&warning.to_string());
            }
            Ok(set)
        }
        Err(diagnostics) => {
            for d in &diagnostics.0 {
                output::note(&d.to_string());
            }
            bail!("the rule set has {} error(s)", diagnostics.errors().count())
        }
    }
}

/// The given rule files; without any, the register's active rule set (when a register is
/// given and one is active) or else the built-in catalogue, saying on stderr which is used.
pub(crate) async fn load_or_active(
    paths: &[PathBuf],
    store: Option<&dyn Store>,
    role: &str,
) -> anyhow::Result<RuleSet> {
    if !paths.is_empty() {
        return load(paths);
    }
    let loaded = match store {
        Some(store) => rulesets::active_or_default(store)
            .await
            .context("cannot load the register's active rule set")?,
        None => LoadedRuleSet { rules: std::sync::Arc::new(rulesets::built_in()?), stored: None },
    };
    output::note(&format!("{role}: {}", loaded.origin()));
    Ok(std::sync::Arc::unwrap_or_clone(loaded.rules))
}

fn check(args: &RulesCheckArgs) -> anyhow::Result<ExitCode> {
    let set = load(&args.files)?;
    let info = set.info();
    output::line(&format!(
        "ok: rule set {} version {} ({}), {} rule(s), {} list(s), {} warning(s)",
        info.name,
        info.version,
        info.status,
        set.rules().len(),
        set.lists().len(),
        set.warnings().len()
    ));
    Ok(ExitCode::SUCCESS)
}

async fn publish(args: &RulesPublishArgs) -> anyhow::Result<ExitCode> {
    let mut paths = args.files.clone();
    paths.extend(args.with.iter().cloned());
    let file = &paths[0];
    let sources = read_sources(&paths)?;
    let set = load_sources(&sources)?;
    let today = SystemClock.today();
    let published = set.publish(&args.by, today).context("cannot publish")?;
    let text = &sources[0].text;
    let new_text = lifecycle::write_header_fields(text, published.info())
        .with_context(|| format!("cannot update the header of {}", file.display()))?;
    // The rewritten file must load to the same content before it replaces the old one.
    let mut check = sources.clone();
    check[0] = Source::new(sources[0].name.clone(), new_text.clone());
    let reloaded = RuleSet::load(&check)
        .map_err(|d| anyhow::anyhow!("the rewritten header does not load, nothing written: {d}"))?;
    if reloaded.reference().digest != set.reference().digest {
        bail!("the rewritten file changed the rule content; nothing written");
    }
    // The register is written before the file, so a refusal there leaves the file a draft.
    if let Some(url) = &args.database {
        let store = open_store(url).await?;
        let console = console(&store, &args.by, None).await?;
        let stored = console
            .publish_rules(&sources, &args.by)
            .await
            .context("cannot publish in the register")?;
        output::note(&format!(
            "stored in the register {} as published; activate it with: jejak rules activate {}",
            jejak_store::redact(url),
            stored.version
        ));
    }
    write_atomically(file, &new_text)?;
    output::line(&format!(
        "published rule set {} version {} by {} on {}",
        published.info().name,
        published.info().version,
        args.by.trim(),
        jejak_domain::date::iso(today)
    ));
    Ok(ExitCode::SUCCESS)
}

async fn activate(args: &RulesActivateArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    let before = store.active_rule_set().await?;
    let console = console(&store, &args.by, None).await?;
    let active = console
        .activate_rules(args.label.trim(), &args.by)
        .await
        .with_context(|| format!("cannot activate rule set {}", args.label.trim()))?;
    let retired = before.map(|b| format!("; {} {} is retired", b.name, b.version));
    output::line(&format!(
        "activated rule set {} {}{}",
        active.name,
        active.version,
        retired.unwrap_or_default()
    ));
    Ok(ExitCode::SUCCESS)
}

async fn list(args: &DatabaseArg) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.database).await?;
    let sets = rulesets::list(store.as_ref()).await?;
    if sets.is_empty() {
        output::note("no rule sets in the register (assessments use the built-in catalogue)");
        return Ok(ExitCode::SUCCESS);
    }
    for line in list_table(&sets) {
        output::line(line.trim_end());
    }
    Ok(ExitCode::SUCCESS)
}

/// The rule sets as aligned columns, with a header line.
fn list_table(sets: &[StoredRuleSet]) -> Vec<String> {
    let day = |t: &Option<String>| t.as_deref().and_then(|t| t.get(..10)).unwrap_or("-").to_owned();
    let mut rows = vec![[
        "VERSION".to_owned(),
        "NAME".to_owned(),
        "STATUS".to_owned(),
        "AUTHOR".to_owned(),
        "PUBLISHER".to_owned(),
        "PUBLISHED".to_owned(),
        "ACTIVATED".to_owned(),
        "DIGEST".to_owned(),
    ]];
    for s in sets {
        rows.push([
            s.version.clone(),
            s.name.clone(),
            s.status.to_string(),
            s.author.clone(),
            s.publisher.clone().unwrap_or_else(|| "-".to_owned()),
            day(&s.published_at),
            day(&s.activated_at),
            s.digest.chars().take(12).collect(),
        ]);
    }
    let widths: Vec<usize> =
        (0..8).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect()
}

fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("toml.publishing");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}
