//! Passport numbers: stored uppercased without spaces, validated softly (DOMAIN.md §4.3).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A passport number in its normal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassportNo(String);

/// Why a passport number could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PassportError {
    #[error("passport number may contain only letters and digits")]
    BadCharacter,
    #[error("passport number has {0} characters; the machine-readable zone allows at most 9")]
    TooLong(usize),
}

impl PassportNo {
    pub fn parse(input: &str) -> Result<Self, PassportError> {
        let mut out = String::with_capacity(9);
        for ch in input.trim().chars() {
            match ch {
                ' ' | '-' => {}
                c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
                _ => return Err(PassportError::BadCharacter),
            }
        }
        if out.len() > 9 {
            return Err(PassportError::TooLong(out.len()));
        }
        if out.is_empty() {
            return Err(PassportError::BadCharacter);
        }
        Ok(Self(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The observed Indonesian pattern (one or two letters, six or seven digits). A number
    /// outside it is shown as a warning, never refused: the series change over time.
    pub fn looks_indonesian(&self) -> bool {
        let letters = self.0.bytes().take_while(u8::is_ascii_uppercase).count();
        let digits = self.0.len() - letters;
        (1..=2).contains(&letters)
            && (6..=7).contains(&digits)
            && self.0.bytes().skip(letters).all(|b| b.is_ascii_digit())
    }
}

impl fmt::Display for PassportNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PassportNo {
    type Error = PassportError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PassportNo> for String {
    fn from(value: PassportNo) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        let p = PassportNo::parse(" b 1234567 ").unwrap();
        assert_eq!(p.as_str(), "B1234567");
        assert!(p.looks_indonesian());
        assert!(!PassportNo::parse("12345678").unwrap().looks_indonesian());
    }

    #[test]
    fn rejects_what_cannot_be_a_passport_number() {
        assert_eq!(PassportNo::parse("B12/345"), Err(PassportError::BadCharacter));
        assert_eq!(PassportNo::parse("B1234567890"), Err(PassportError::TooLong(11)));
    }
}
