//! A validated, immutable rule set: header, bands, rules and lists, with a content digest that
//! identifies exactly which rules produced an assessment.

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Date;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lifecycle::{self, LifecycleError, RuleSetInfo};
use crate::list::RefList;
use crate::load::{self, Source};
use crate::rule::Rule;
use crate::validity::format_date;

/// Score thresholds: `score >= high` is high, `score >= medium` is medium, else low.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bands {
    /// Lowest score of the medium band.
    pub medium: i64,
    /// Lowest score of the high band.
    pub high: i64,
}

/// Advisory risk band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Below the medium threshold.
    Low,
    /// At or above the medium threshold: deeper interview (pendalaman).
    Medium,
    /// At or above the high threshold.
    High,
}

impl Band {
    /// The band's name.
    pub fn name(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
        }
    }
}

impl Bands {
    /// The band of a score.
    pub fn band(&self, score: i64) -> Band {
        if score >= self.high {
            Band::High
        } else if score >= self.medium {
            Band::Medium
        } else {
            Band::Low
        }
    }
}

/// Identifies the rule set that produced an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RuleSetRef {
    /// Catalogue name.
    pub name: String,
    /// Version label.
    pub version: String,
    /// SHA-256 of the rule content (hex), independent of lifecycle fields.
    pub digest: String,
}

/// A validated rule set. Build it with [`RuleSet::from_toml`] or [`RuleSet::load`].
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(crate) info: RuleSetInfo,
    pub(crate) bands: Bands,
    pub(crate) rules: Vec<Rule>,
    pub(crate) lists: Vec<RefList>,
    pub(crate) reference: Arc<RuleSetRef>,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl RuleSet {
    pub(crate) fn new(
        info: RuleSetInfo,
        bands: Bands,
        rules: Vec<Rule>,
        lists: Vec<RefList>,
    ) -> RuleSet {
        let digest = digest(&info, &bands, &rules, &lists);
        let reference =
            Arc::new(RuleSetRef { name: info.name.clone(), version: info.version.clone(), digest });
        RuleSet { info, bands, rules, lists, reference, warnings: Vec::new() }
    }

    /// Loads a self-contained rule file (rules and lists in one text).
    pub fn from_toml(file_name: &str, text: &str) -> Result<RuleSet, Diagnostics> {
        load::load(&[Source::new(file_name, text)])
    }

    /// Loads a rule set spread over several files (e.g. `rules.toml` plus list files).
    pub fn load(sources: &[Source]) -> Result<RuleSet, Diagnostics> {
        load::load(sources)
    }

    /// The header (name, version, author, lifecycle state).
    pub fn info(&self) -> &RuleSetInfo {
        &self.info
    }

    /// Name, version and content digest, as stored with every assessment.
    pub fn reference(&self) -> &RuleSetRef {
        &self.reference
    }

    /// The band thresholds.
    pub fn bands(&self) -> Bands {
        self.bands
    }

    /// The rules in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The reference lists.
    pub fn lists(&self) -> &[RefList] {
        &self.lists
    }

    /// A list by name.
    pub fn list(&self, name: &str) -> Option<&RefList> {
        self.lists.iter().find(|l| l.name == name)
    }

    /// Warnings found while loading (the rule set is usable).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Publishes a draft (four-eyes: `by` must not be the author). The content, and so the
    /// digest, is unchanged.
    pub fn publish(&self, by: &str, on: Date) -> Result<RuleSet, LifecycleError> {
        let info = lifecycle::publish(&self.info, by, on)?;
        Ok(RuleSet { info, ..self.clone() })
    }

    /// Activates a published rule set.
    pub fn activate(&self, on: Date) -> Result<RuleSet, LifecycleError> {
        let info = lifecycle::activate(&self.info, on)?;
        Ok(RuleSet { info, ..self.clone() })
    }
}

/// SHA-256 over a canonical rendering of everything that influences an assessment's result or
/// wording; lifecycle fields (status, publisher, dates) are left out.
fn digest(info: &RuleSetInfo, bands: &Bands, rules: &[Rule], lists: &[RefList]) -> String {
    let date = |d: Option<Date>| d.map(format_date).unwrap_or_default();
    let mut s = String::new();
    let _ = writeln!(s, "rule_set\t{}\t{}", info.name, info.version);
    let _ = writeln!(s, "bands\t{}\t{}", bands.medium, bands.high);
    let mut sorted: Vec<&RefList> = lists.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for l in sorted {
        let _ = writeln!(s, "list\t{}\t{}\t{}\t{}", l.name, l.kind.name(), l.title_id, l.title_en);
        for e in &l.entries {
            let _ = writeln!(
                s,
                "entry\t{}\t{:?}\t{}\t{}\t{}\t{}",
                e.key,
                e.weight,
                date(e.validity.from),
                date(e.validity.to),
                e.all_of.join(","),
                e.any_of.join(",")
            );
        }
    }
    for r in rules {
        let _ = writeln!(
            s,
            "rule\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:?}\t{:?}\t{}\t{}\t{}\t{}",
            r.id,
            r.kind.name(),
            r.confidence.name(),
            r.weight,
            date(r.validity.from),
            date(r.validity.to),
            r.condition,
            r.applies_when,
            r.weight_from
                .as_ref()
                .map(|w| (&w.list, w.keys.iter().map(|k| k.name()).collect::<Vec<_>>())),
            r.title_id,
            r.title_en,
            r.explain_id.source(),
            r.explain_en.source(),
        );
    }
    hex::encode(Sha256::digest(s.as_bytes()))
}
