//! Reading rule files: TOML text -> validated [`RuleSet`], or every problem found.
//!
//! The TOML is parsed into a spanned tree (`toml::de::DeTable`) and walked by hand, so that
//! each problem carries the file, line, column and rule id, and so that one run reports all
//! problems: syntax errors, unknown or missing keys, wrong types, bad dates, duplicate ids,
//! unknown facts and lists, type errors in conditions, bad templates and lifecycle violations.
//! The file format is documented in `catalogue/example.toml`.

mod assemble;
mod read;
mod reader;

use toml::de::DeTable;

use crate::diagnostic::{DiagCode, Diagnostic, Diagnostics, Severity, Sink};
use crate::load::read::Collected;
use crate::ruleset::RuleSet;

/// One input file: a name for messages and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// File name as it should appear in messages.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

impl Source {
    /// A source from a name and a text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source { name: name.into(), text: text.into() }
    }
}

pub fn load(sources: &[Source]) -> Result<RuleSet, Diagnostics> {
    let mut sinks: Vec<Sink<'_>> =
        sources.iter().map(|s| Sink::new(s.name.as_str(), s.text.as_str())).collect();
    let mut collected = Collected::default();
    let mut syntax_ok = true;
    for (file, source) in sources.iter().enumerate() {
        let (doc, errors) = DeTable::parse_recoverable(&source.text);
        let sink = &mut sinks[file];
        if !errors.is_empty() {
            syntax_ok = false;
            for e in errors {
                let span = e.span().unwrap_or(0..0);
                sink.error(DiagCode::TomlSyntax, &span, None, format!("TOML: {}", e.message()));
            }
            continue;
        }
        read::collect_file(sink, file, doc.get_ref(), &mut collected);
    }
    // With a file unreadable, cross-file checks (missing header, unknown lists) would only
    // produce noise: report the syntax errors and what the readable files say on their own.
    let compiled = if syntax_ok { assemble::compile_all(&mut sinks, collected) } else { None };
    let mut diagnostics: Vec<Diagnostic> = sinks.into_iter().flat_map(|s| s.items).collect();
    diagnostics.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.column).cmp(&(b.severity, &b.file, b.line, b.column))
    });
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    match compiled {
        Some(mut set) if !has_errors => {
            set.warnings = diagnostics;
            Ok(set)
        }
        _ => Err(Diagnostics(diagnostics)),
    }
}
