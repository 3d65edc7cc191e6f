//! The data tables behind name normalisation: titles and particles, the variant dictionary
//! and the spelling folds. They live in `data/*.toml` and are embedded at compile time, so
//! adding a title or a variant is a data change, not a code change.

use std::collections::HashMap;

use ahash::{AHashMap, AHashSet};
use serde::Deserialize;

use crate::error::TableError;

const TITLES_TOML: &str = include_str!("../../data/titles.toml");
const VARIANTS_TOML: &str = include_str!("../../data/variants.toml");
const SPELLING_TOML: &str = include_str!("../../data/spelling.toml");

/// Titles, honorifics and particles, each stored as its sequence of folded tokens.
#[derive(Debug, Clone)]
pub struct TitleTable {
    leading: Vec<Vec<String>>,
    trailing: Vec<Vec<String>>,
    patronymic: AHashSet<String>,
    alias: AHashSet<String>,
    /// Every token that occurs in some title: most tokens are in no title, and this set
    /// lets the lookups answer them without scanning the lists.
    title_tokens: AHashSet<String>,
}

/// Variant token -> canonical tokens.
#[derive(Debug, Clone)]
pub struct VariantTable {
    canonical_of: AHashMap<String, Vec<String>>,
}

/// One rewrite: `pattern` -> `replacement`, optionally anchored at the token's start or end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpellingRule {
    pattern: String,
    replacement: String,
    anchor: Anchor,
    /// Letters of the pattern as a bit set (bit 0 = 'a'): a token lacking any of them
    /// cannot match, which skips most rules without searching.
    letters: u32,
}

/// Letters of an ASCII lower-case string as a bit set; other bytes set bit 31.
pub fn letter_set(text: &str) -> u32 {
    text.bytes()
        .fold(0, |set, b| set | if b.is_ascii_lowercase() { 1 << (b - b'a') } else { 1 << 31 })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Anywhere,
    Start,
    End,
}

/// The two ordered lists of spelling folds.
#[derive(Debug, Clone)]
pub struct SpellingTable {
    pub equivalent: Vec<SpellingRule>,
    pub close: Vec<SpellingRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TitlesFile {
    leading: Vec<String>,
    trailing: Vec<String>,
    patronymic: Vec<String>,
    #[serde(default)]
    alias: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantsFile {
    canonical: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpellingFile {
    equivalent: Vec<(String, String)>,
    close: Vec<(String, String)>,
}

impl TitleTable {
    /// The embedded table from `data/titles.toml`.
    pub fn embedded() -> Result<Self, TableError> {
        Self::parse(TITLES_TOML)
    }

    /// Parses a table in the format of `data/titles.toml`.
    pub fn parse(source: &str) -> Result<Self, TableError> {
        let file: TitlesFile = toml::from_str(source)
            .map_err(|err| TableError::Syntax { table: "titles", message: err.to_string() })?;
        let split = |entries: Vec<String>| -> Vec<Vec<String>> {
            let mut out: Vec<Vec<String>> = entries
                .iter()
                .map(|entry| entry.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
                .filter(|tokens| !tokens.is_empty())
                .collect();
            // Longest first, so "raden ayu" wins over "raden".
            out.sort_by_key(|tokens| std::cmp::Reverse(tokens.len()));
            out
        };
        let leading = split(file.leading);
        let trailing = split(file.trailing);
        let title_tokens = leading.iter().chain(&trailing).flatten().cloned().collect();
        Ok(Self {
            leading,
            trailing,
            patronymic: file.patronymic.into_iter().collect(),
            alias: file.alias.into_iter().collect(),
            title_tokens,
        })
    }

    /// Number of tokens of the longest leading title that starts `tokens`, if any.
    pub fn leading_title_len(&self, tokens: &[&str]) -> Option<usize> {
        if !tokens.first().is_some_and(|t| self.title_tokens.contains(*t)) {
            return None;
        }
        self.leading
            .iter()
            .find(|title| {
                tokens.len() >= title.len() && tokens.iter().zip(title.iter()).all(|(t, w)| t == w)
            })
            .map(Vec::len)
    }

    /// Number of tokens of the longest trailing title that ends `tokens`, if any.
    pub fn trailing_title_len(&self, tokens: &[&str]) -> Option<usize> {
        if !tokens.last().is_some_and(|t| self.title_tokens.contains(*t)) {
            return None;
        }
        self.trailing
            .iter()
            .find(|title| {
                tokens.len() >= title.len()
                    && tokens[tokens.len() - title.len()..]
                        .iter()
                        .zip(title.iter())
                        .all(|(t, w)| t == w)
            })
            .map(Vec::len)
    }

    /// Whether `token` introduces a father's name ("bin", "binti").
    pub fn is_patronymic(&self, token: &str) -> bool {
        self.patronymic.contains(token)
    }

    /// Whether `token` introduces an alias ("als", "alias", "a.k.a.").
    pub fn is_alias_marker(&self, token: &str) -> bool {
        self.alias.contains(token)
    }
}

impl VariantTable {
    /// The embedded dictionary from `data/variants.toml`.
    pub fn embedded() -> Result<Self, TableError> {
        Self::parse(VARIANTS_TOML)
    }

    /// Parses a dictionary in the format of `data/variants.toml`. A variant listed under two
    /// canonical forms is an error, since the fold would depend on table order.
    pub fn parse(source: &str) -> Result<Self, TableError> {
        let file: VariantsFile = toml::from_str(source)
            .map_err(|err| TableError::Syntax { table: "variants", message: err.to_string() })?;
        let mut canonical_of: AHashMap<String, Vec<String>> = AHashMap::new();
        let mut entries: Vec<_> = file.canonical.into_iter().collect();
        entries.sort();
        for (canonical, variants) in entries {
            let canonical_tokens: Vec<String> =
                canonical.split_whitespace().map(str::to_owned).collect();
            for variant in variants {
                let key = variant.split_whitespace().collect::<Vec<_>>().join("");
                if let Some(previous) = canonical_of.insert(key.clone(), canonical_tokens.clone())
                    && previous != canonical_tokens
                {
                    return Err(TableError::ConflictingVariant { variant: key });
                }
            }
        }
        Ok(Self { canonical_of })
    }

    /// Every (variant, canonical tokens) entry.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.canonical_of
            .iter()
            .map(|(variant, canonical)| (variant.as_str(), canonical.as_slice()))
    }

    /// Canonical tokens for a single folded token, if it is a known variant.
    pub fn canonical(&self, token: &str) -> Option<&[String]> {
        self.canonical_of.get(token).map(Vec::as_slice)
    }
}

impl SpellingTable {
    /// The embedded folds from `data/spelling.toml`.
    pub fn embedded() -> Result<Self, TableError> {
        Self::parse(SPELLING_TOML)
    }

    /// Parses folds in the format of `data/spelling.toml`.
    pub fn parse(source: &str) -> Result<Self, TableError> {
        let file: SpellingFile = toml::from_str(source)
            .map_err(|err| TableError::Syntax { table: "spelling", message: err.to_string() })?;
        let convert = |rules: Vec<(String, String)>| -> Result<Vec<SpellingRule>, TableError> {
            rules
                .into_iter()
                .map(|(pattern, replacement)| SpellingRule::new(&pattern, &replacement))
                .collect()
        };
        Ok(Self { equivalent: convert(file.equivalent)?, close: convert(file.close)? })
    }
}

impl SpellingRule {
    fn new(pattern: &str, replacement: &str) -> Result<Self, TableError> {
        let (anchor, bare) = if let Some(rest) = pattern.strip_prefix('^') {
            (Anchor::Start, rest)
        } else if let Some(rest) = pattern.strip_suffix('$') {
            (Anchor::End, rest)
        } else {
            (Anchor::Anywhere, pattern)
        };
        let valid = |s: &str| s.bytes().all(|b| b.is_ascii_lowercase());
        if bare.is_empty() || !valid(bare) || !valid(replacement) {
            return Err(TableError::InvalidRule { pattern: pattern.to_owned() });
        }
        Ok(Self {
            pattern: bare.to_owned(),
            replacement: replacement.to_owned(),
            anchor,
            letters: letter_set(bare),
        })
    }

    /// Applies the rule to `token` in place.
    pub fn apply(&self, token: &mut String) {
        match self.anchor {
            Anchor::Anywhere => {
                if token.contains(self.pattern.as_str()) {
                    *token = token.replace(self.pattern.as_str(), &self.replacement);
                }
            }
            Anchor::Start => {
                if token.starts_with(self.pattern.as_str()) && token.len() > self.pattern.len() {
                    token.replace_range(..self.pattern.len(), &self.replacement);
                }
            }
            Anchor::End => {
                if token.ends_with(self.pattern.as_str()) && token.len() > self.pattern.len() {
                    let start = token.len() - self.pattern.len();
                    token.replace_range(start.., &self.replacement);
                }
            }
        }
    }
}

/// Applies `rules` in order to `token`.
pub fn fold_spelling(rules: &[SpellingRule], token: &mut String) {
    let mut letters = letter_set(token);
    for rule in rules {
        if rule.letters & !letters == 0 {
            rule.apply(token);
            letters = letter_set(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_parse() {
        TitleTable::embedded().unwrap();
        VariantTable::embedded().unwrap();
        SpellingTable::embedded().unwrap();
    }

    #[test]
    fn anchored_rules_touch_only_their_end_and_never_empty_a_token() {
        let rule = SpellingRule::new("y$", "i").unwrap();
        let mut token = "yaya".to_owned();
        rule.apply(&mut token);
        assert_eq!(token, "yaya");
        let mut token = "rizky".to_owned();
        rule.apply(&mut token);
        assert_eq!(token, "rizki");
        let mut token = "y".to_owned();
        rule.apply(&mut token);
        assert_eq!(token, "y");
    }

    #[test]
    fn a_variant_under_two_canonical_forms_is_rejected() {
        let err = VariantTable::parse("[canonical]\na = [\"x\"]\nb = [\"x\"]\n").unwrap_err();
        assert!(matches!(err, TableError::ConflictingVariant { ref variant } if variant == "x"));
    }

    #[test]
    fn a_rule_with_capitals_is_rejected() {
        let err = SpellingTable::parse("equivalent = [[\"Oe\", \"u\"]]\nclose = []\n").unwrap_err();
        assert!(matches!(err, TableError::InvalidRule { .. }));
    }
}
