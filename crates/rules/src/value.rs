//! Fact types and fact values.
//!
//! A fact has one of a few types ([`FactType`]). Values are stored in a compact, canonical form
//! ([`Value`]): enumerated text as an index, sets as a bit mask, countries as two upper-case
//! letters, region codes in dotted Kemendagri form, free text trimmed and lower-cased. Values come
//! in from the service as [`FactInput`] (plain Rust values) and are checked against the type.

use std::fmt;

use crate::region;

/// The type of a fact, as declared in the vocabulary ([`crate::facts::VOCABULARY`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactType {
    /// `true` / `false`.
    Bool,
    /// A whole number (ages, counts).
    Int,
    /// One of a fixed set of lower-case (or, for `sex`, upper-case) codes.
    Enum(&'static [&'static str]),
    /// ISO 3166-1 alpha-2 country code, e.g. `MY`.
    Country,
    /// Kemendagri region code: province `18`, regency `18.07`, district `18.07.05` or village
    /// `18.07.05.2001` (dots optional on input).
    Region,
    /// Free text, compared case-insensitively.
    Text,
    /// A set of codes drawn from a fixed list (at most 64).
    Set(&'static [&'static str]),
}

impl FactType {
    /// A short name of the type for messages and the vocabulary table.
    pub fn name(self) -> &'static str {
        match self {
            FactType::Bool => "bool",
            FactType::Int => "int",
            FactType::Enum(_) => "enum",
            FactType::Country => "country",
            FactType::Region => "region",
            FactType::Text => "text",
            FactType::Set(_) => "set",
        }
    }

    /// True when a value of this type is text of some kind (enum, country, region, free text).
    pub fn is_textual(self) -> bool {
        matches!(self, FactType::Enum(_) | FactType::Country | FactType::Region | FactType::Text)
    }
}

impl fmt::Display for FactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactType::Enum(values) => write!(f, "enum({})", values.join(", ")),
            FactType::Set(values) => write!(f, "set({})", values.join(", ")),
            other => f.write_str(other.name()),
        }
    }
}

/// A fact value in canonical form. Absent facts are not values: they are unknown.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A boolean fact.
    Bool(bool),
    /// A number fact.
    Int(i64),
    /// An enumerated fact, as the index into its type's value list.
    Enum(u16),
    /// A country code, two upper-case ASCII letters.
    Country([u8; 2]),
    /// A region code in dotted form (`18.07.05.2001`).
    Region(Box<str>),
    /// Free text, trimmed and lower-cased.
    Text(Box<str>),
    /// A set of codes, as a bit mask over the type's value list.
    Set(u64),
}

/// A value as the caller supplies it, before it is checked against the fact's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactInput {
    /// For bool facts.
    Bool(bool),
    /// For int facts.
    Int(i64),
    /// For enum, country, region and text facts.
    Text(String),
    /// For set facts.
    List(Vec<String>),
}

impl From<bool> for FactInput {
    fn from(v: bool) -> Self {
        FactInput::Bool(v)
    }
}
impl From<i64> for FactInput {
    fn from(v: i64) -> Self {
        FactInput::Int(v)
    }
}
impl From<i32> for FactInput {
    fn from(v: i32) -> Self {
        FactInput::Int(i64::from(v))
    }
}
impl From<u32> for FactInput {
    fn from(v: u32) -> Self {
        FactInput::Int(i64::from(v))
    }
}
impl From<usize> for FactInput {
    fn from(v: usize) -> Self {
        FactInput::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<&str> for FactInput {
    fn from(v: &str) -> Self {
        FactInput::Text(v.to_owned())
    }
}
impl From<String> for FactInput {
    fn from(v: String) -> Self {
        FactInput::Text(v)
    }
}
impl From<&[&str]> for FactInput {
    fn from(v: &[&str]) -> Self {
        FactInput::List(v.iter().map(|s| (*s).to_owned()).collect())
    }
}
impl<const N: usize> From<[&str; N]> for FactInput {
    fn from(v: [&str; N]) -> Self {
        FactInput::List(v.iter().map(|s| (*s).to_owned()).collect())
    }
}
impl From<Vec<String>> for FactInput {
    fn from(v: Vec<String>) -> Self {
        FactInput::List(v)
    }
}

/// Why a value does not fit a fact's type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value has the wrong shape (text for a number, ...).
    #[error("expected {expected}, got {got}")]
    WrongType {
        /// The type the fact has.
        expected: String,
        /// What was supplied.
        got: &'static str,
    },
    /// Text that is not one of the enumerated values.
    #[error("`{value}` is not one of {allowed}")]
    NotAllowed {
        /// The supplied text.
        value: String,
        /// The allowed values, joined.
        allowed: String,
    },
    /// Not an ISO 3166-1 alpha-2 code.
    #[error("`{0}` is not an ISO 3166-1 alpha-2 country code (two letters)")]
    Country(String),
    /// Not a Kemendagri region code.
    #[error("`{0}` is not a Kemendagri region code (18, 18.07, 18.07.05 or 18.07.05.2001)")]
    Region(String),
}

impl FactInput {
    fn shape(&self) -> &'static str {
        match self {
            FactInput::Bool(_) => "bool",
            FactInput::Int(_) => "int",
            FactInput::Text(_) => "text",
            FactInput::List(_) => "list",
        }
    }

    /// Checks the input against a type and returns the canonical value.
    pub fn into_value(self, ty: FactType) -> Result<Value, ValueError> {
        let wrong = |input: &FactInput| ValueError::WrongType {
            expected: ty.to_string(),
            got: input.shape(),
        };
        match (ty, self) {
            (FactType::Bool, FactInput::Bool(b)) => Ok(Value::Bool(b)),
            (FactType::Int, FactInput::Int(i)) => Ok(Value::Int(i)),
            (FactType::Enum(values), FactInput::Text(t)) => enum_index(values, &t)
                .map(Value::Enum)
                .ok_or_else(|| ValueError::NotAllowed { value: t, allowed: values.join(", ") }),
            (FactType::Country, FactInput::Text(t)) => parse_country(&t).map(Value::Country),
            (FactType::Region, FactInput::Text(t)) => region::canonical(&t)
                .map(|c| Value::Region(c.into_boxed_str()))
                .ok_or(ValueError::Region(t)),
            (FactType::Text, FactInput::Text(t)) => Ok(Value::Text(normalise_text(&t).into())),
            (FactType::Set(values), FactInput::List(items)) => {
                let mut mask = 0u64;
                for item in items {
                    let index = enum_index(values, &item).ok_or_else(|| {
                        ValueError::NotAllowed { value: item, allowed: values.join(", ") }
                    })?;
                    mask |= 1u64 << index;
                }
                Ok(Value::Set(mask))
            }
            (_, input) => Err(wrong(&input)),
        }
    }
}

/// The index of `text` in an enumerated value list (case-insensitive, trimmed).
pub(crate) fn enum_index(values: &[&str], text: &str) -> Option<u16> {
    let text = text.trim();
    values.iter().position(|v| v.eq_ignore_ascii_case(text)).and_then(|i| u16::try_from(i).ok())
}

/// Parses a two-letter country code into upper case.
pub(crate) fn parse_country(text: &str) -> Result<[u8; 2], ValueError> {
    let bytes = text.trim().as_bytes();
    match bytes {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Ok([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => Err(ValueError::Country(text.to_owned())),
    }
}

/// Free text in comparison form: trimmed, inner whitespace collapsed, lower-cased.
pub(crate) fn normalise_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

impl Value {
    /// Renders the value for messages, given the fact's type.
    pub fn render(&self, ty: FactType) -> String {
        match (self, ty) {
            (Value::Bool(b), _) => b.to_string(),
            (Value::Int(i), _) => i.to_string(),
            (Value::Enum(i), FactType::Enum(values)) => {
                values.get(usize::from(*i)).copied().unwrap_or("?").to_owned()
            }
            (Value::Country(c), _) => String::from_utf8_lossy(c).into_owned(),
            (Value::Region(r), _) | (Value::Text(r), _) => r.to_string(),
            (Value::Set(mask), FactType::Set(values)) => values
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1u64 << i) != 0)
                .map(|(_, v)| *v)
                .collect::<Vec<_>>()
                .join(", "),
            _ => "?".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_are_matched_case_insensitively() {
        let ty = FactType::Enum(&["tourism", "work"]);
        assert_eq!(FactInput::from(" Work ").into_value(ty), Ok(Value::Enum(1)));
        assert!(matches!(
            FactInput::from("bekerja").into_value(ty),
            Err(ValueError::NotAllowed { .. })
        ));
    }

    #[test]
    fn countries_are_upper_cased_and_checked() {
        assert_eq!(FactInput::from("my").into_value(FactType::Country), Ok(Value::Country(*b"MY")));
        assert!(FactInput::from("Malaysia").into_value(FactType::Country).is_err());
    }

    #[test]
    fn wrong_shape_is_a_type_error() {
        let err = FactInput::from("30").into_value(FactType::Int).unwrap_err();
        assert_eq!(err.to_string(), "expected int, got text");
    }

    #[test]
    fn sets_render_in_vocabulary_order() {
        let ty = FactType::Set(&["a", "b", "c"]);
        let v = FactInput::from(["c", "a"]).into_value(ty).unwrap();
        assert_eq!(v.render(ty), "a, c");
    }

    #[test]
    fn text_is_normalised() {
        assert_eq!(normalise_text("  PETANI/PEKEBUN   Sawah "), "petani/pekebun sawah");
    }
}
