//! Indonesian phone numbers, normalised to E.164 (`+628…`).
//!
//! People write `0812-3456-7890`, `+62 812 3456 7890`, `62812…` or `812…`; they are one number.
//! A shared phone across unrelated applicants is a broker signal (R17), so the normal form must
//! be exact.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Why a phone number could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    #[error(
        "phone number contains characters other than digits, spaces, dashes, dots, brackets or a leading +"
    )]
    BadCharacter,
    #[error("phone number has {0} digits after the country code; an Indonesian number has 8 to 12")]
    Length(usize),
    #[error("phone number with country code +{0} is not Indonesian")]
    Foreign(String),
}

impl Phone {
    /// Normalises any common spelling of an Indonesian number.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        let plus = trimmed.starts_with('+');
        let mut digits = String::with_capacity(16);
        for (i, ch) in trimmed.chars().enumerate() {
            match ch {
                '0'..='9' => digits.push(ch),
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::BadCharacter),
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("62") {
            rest.to_owned()
        } else if plus {
            return Err(PhoneError::Foreign(digits.chars().take(3).collect()));
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest.to_owned()
        } else {
            digits
        };
        let national = national.trim_start_matches('0');
        if !(8..=12).contains(&national.len()) {
            return Err(PhoneError::Length(national.len()));
        }
        Ok(Self(format!("+62{national}")))
    }

    /// E.164 form, e.g. `+6281234567890`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// National form as people write it: `081234567890`.
    pub fn national(&self) -> String {
        format!("0{}", &self.0[3..])
    }

    /// Mobile numbers start with 8 after the country code.
    pub fn is_mobile(&self) -> bool {
        self.0.as_bytes().get(3) == Some(&b'8')
    }

    /// Hides all but the operator prefix and the last three digits: `0812*****890`.
    pub fn masked(&self) -> String {
        let national = self.national();
        let keep_tail = 3.min(national.len());
        let head = &national[..4.min(national.len())];
        let tail = &national[national.len() - keep_tail..];
        format!("{head}{}{tail}", "*".repeat(national.len().saturating_sub(4 + keep_tail)))
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_spellings_are_one_number() {
        for s in [
            "0812-3456-7890",
            "+62 812 3456 7890",
            "6281234567890",
            "81234567890",
            "(0812) 3456.7890",
        ] {
            assert_eq!(Phone::parse(s).unwrap().as_str(), "+6281234567890", "{s}");
        }
        let p = Phone::parse("081234567890").unwrap();
        assert!(p.is_mobile());
        assert_eq!(p.national(), "081234567890");
        assert_eq!(p.masked(), "0812*****890");
    }

    #[test]
    fn landlines_are_accepted_but_not_mobile() {
        let p = Phone::parse("0721 123456").unwrap();
        assert_eq!(p.as_str(), "+62721123456");
        assert!(!p.is_mobile());
    }

    #[test]
    fn bad_numbers_are_rejected_with_the_reason() {
        assert_eq!(Phone::parse("0812345"), Err(PhoneError::Length(6)));
        assert_eq!(Phone::parse("0812-3456-7890 ext 2"), Err(PhoneError::BadCharacter));
        assert_eq!(Phone::parse("+60123456789"), Err(PhoneError::Foreign("601".into())));
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(n in "8[1-9][0-9]{7,10}") {
            let once = Phone::parse(&format!("0{n}")).unwrap();
            prop_assert_eq!(Phone::parse(once.as_str()).unwrap(), once.clone());
            prop_assert_eq!(Phone::parse(&once.national()).unwrap(), once);
        }
    }
}
