//! Problems found in rule files, with their location (file, line, column) and the rule or list
//! they belong to. Validation collects every problem instead of stopping at the first.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

/// How bad a problem is. Errors stop a rule set from loading; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The rule set is unusable.
    Error,
    /// Worth a look, but the rule set loads.
    Warning,
}

/// A stable code per kind of problem, for tests and for tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DiagCode {
    /// The file is not valid TOML.
    TomlSyntax,
    /// A key that the format does not know.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A key has a value of the wrong TOML type.
    WrongType,
    /// A date that is not `YYYY-MM-DD` or not a real date.
    BadDate,
    /// `valid_from` after `valid_to`.
    BadDateRange,
    /// Two rules with the same id.
    DuplicateRule,
    /// Two lists with the same name, or two list entries for the same key and period.
    DuplicateList,
    /// `[rule_set]` missing or given twice.
    RuleSetHeader,
    /// `[bands]` missing, given twice or not increasing.
    Bands,
    /// An id, name or value that is malformed.
    BadValue,
    /// The condition text does not parse.
    ConditionSyntax,
    /// A fact name not in the vocabulary.
    UnknownFact,
    /// A list name not defined.
    UnknownList,
    /// An unknown function in a condition.
    UnknownFunction,
    /// A literal that is not an allowed value of the fact (`purpose == "wrok"`).
    UnknownValue,
    /// Types do not fit (a number fact compared with a string, a list of the wrong kind).
    TypeMismatch,
    /// An explanation template is malformed or names an unknown fact.
    BadTemplate,
    /// The status fields break the lifecycle (e.g. published by its own author).
    Lifecycle,
    /// A rule that can never be in force, or other suspicious but legal content.
    Suspicious,
}

/// One problem in a rule file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of problem.
    pub code: DiagCode,
    /// The file name the caller gave.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The rule id (or `list NAME`) the problem belongs to, if any.
    pub rule: Option<String>,
    /// What is wrong, in one line.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}:{}: {level}", self.file, self.line, self.column)?;
        if let Some(rule) = &self.rule {
            write!(f, " in {rule}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems of a rule set that failed to load (at least one is an error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// True when some problem has this code.
    pub fn has(&self, code: DiagCode) -> bool {
        self.0.iter().any(|d| d.code == code)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        writeln!(f, "rule set is invalid: {errors} error(s)")?;
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Maps byte offsets of one source text to lines and columns.
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and character column of a byte offset.
    pub(crate) fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column =
            text.get(start..offset).map_or(offset - start, |s| s.chars().count()).saturating_add(1);
        (line, column)
    }
}

/// Collects diagnostics for one file.
pub(crate) struct Sink<'a> {
    pub(crate) file: &'a str,
    pub(crate) text: &'a str,
    lines: LineIndex,
    pub(crate) items: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Sink<'a> {
        Sink { file, text, lines: LineIndex::new(text), items: Vec::new() }
    }

    /// Line and column of a byte offset of this file.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        self.lines.position(self.text, offset)
    }

    pub(crate) fn push(
        &mut self,
        severity: Severity,
        code: DiagCode,
        span: &Range<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) {
        let (line, column) = self.lines.position(self.text, span.start);
        self.items.push(Diagnostic {
            severity,
            code,
            file: self.file.to_owned(),
            line,
            column,
            rule: rule.map(str::to_owned),
            message: message.into(),
        });
    }

    pub(crate) fn error(
        &mut self,
        code: DiagCode,
        span: &Range<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) {
        self.push(Severity::Error, code, span, rule, message);
    }

    pub(crate) fn warning(
        &mut self,
        code: DiagCode,
        span: &Range<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, span, rule, message);
    }
}

/// The closest candidate to a misspelt name, for "did you mean" hints.
pub(crate) fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min();
    match best {
        Some((_, c)) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_char_columns() {
        let text = "ab\ncé d\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 3), (2, 1));
        assert_eq!(idx.position(text, 6), (2, 3));
        assert_eq!(idx.position(text, 100), (3, 1));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let names = ["destination_country", "purpose"];
        assert_eq!(
            suggest("destinaton_country", names.iter().copied()),
            " (did you mean `destination_country`?)"
        );
        assert_eq!(suggest("zzz", names.iter().copied()), "");
    }
}
