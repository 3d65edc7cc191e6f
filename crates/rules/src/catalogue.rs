//! The default catalogue and the commented example, embedded in the binary. The same files
//! can be written out, edited and loaded again with [`RuleSet::load`]: they are data, not code.

use crate::diagnostic::Diagnostics;
use crate::load::Source;
use crate::ruleset::RuleSet;

/// The default catalogue's files, as (file name, text), rules first.
pub const DEFAULT_FILES: &[(&str, &str)] = &[
    ("rules.toml", include_str!("../catalogue/rules.toml")),
    ("lists/destinations.toml", include_str!("../catalogue/lists/destinations.toml")),
    ("lists/regions.toml", include_str!("../catalogue/lists/regions.toml")),
    ("lists/occupations.toml", include_str!("../catalogue/lists/occupations.toml")),
    ("lists/documents.toml", include_str!("../catalogue/lists/documents.toml")),
];

/// The commented example rule file (`catalogue/example.toml`).
pub const EXAMPLE: &str = include_str!("../catalogue/example.toml");

/// The default catalogue's files as sources.
pub fn default_sources() -> Vec<Source> {
    DEFAULT_FILES.iter().map(|(name, text)| Source::new(*name, *text)).collect()
}

/// Loads the default catalogue (R01-R23). It is validated by the test suite, so an error here
/// means the embedded files were edited without running the tests.
pub fn default_rule_set() -> Result<RuleSet, Diagnostics> {
    RuleSet::load(&default_sources())
}
