//! `jejak rules check` and `jejak rules publish`, and loading rule sets for `assess` and
//! `backtest`. Every problem is printed as FILE:LINE:COLUMN; a rule set with an error is never
//! used or published.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_rules::{RuleSet, Source, catalogue, lifecycle};
use jejak_service::{Clock, SystemClock};

use crate::args::{RulesCheckArgs, RulesCommand, RulesPublishArgs};
use crate::output;

pub(crate) fn run(command: RulesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RulesCommand::Check(args) => check(&args),
        RulesCommand::Publish(args) => publish(&args),
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

/// The given rule files, or the built-in catalogue when none are given.
pub(crate) fn load_or_default(paths: &[PathBuf]) -> anyhow::Result<RuleSet> {
    if paths.is_empty() {
        catalogue::default_rule_set().map_err(|d| anyhow::anyhow!("the built-in catalogue: {d}"))
    } else {
        load(paths)
    }
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

fn publish(args: &RulesPublishArgs) -> anyhow::Result<ExitCode> {
    let mut paths = vec![args.file.clone()];
    paths.extend(args.with.iter().cloned());
    let sources = read_sources(&paths)?;
    let set = load_sources(&sources)?;
    let today = SystemClock.today();
    let published = set.publish(&args.by, today).context("cannot publish")?;
    let text = &sources[0].text;
    let new_text = lifecycle::write_header_fields(text, published.info())
        .with_context(|| format!("cannot update the header of {}", args.file.display()))?;
    // The rewritten file must load to the same content before it replaces the old one.
    let mut check = sources.clone();
    check[0] = Source::new(sources[0].name.clone(), new_text.clone());
    let reloaded = RuleSet::load(&check)
        .map_err(|d| anyhow::anyhow!("the rewritten header does not load, nothing written: {d}"))?;
    if reloaded.reference().digest != set.reference().digest {
        bail!("the rewritten file changed the rule content; nothing written");
    }
    write_atomically(&args.file, &new_text)?;
    output::line(&format!(
        "published rule set {} version {} by {} on {}",
        published.info().name,
        published.info().version,
        args.by.trim(),
        jejak_domain::date::iso(today)
    ));
    Ok(ExitCode::SUCCESS)
}

fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("toml.publishing");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}
