//! Person ids: a person (every application joined by matches and officers' verdicts) is
//! named `P` + the key of its first application in the register. Persons are derived, not
//! stored, so the id is all the register keeps of a person in referrals and audit entries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::application::ApplicationKey;

/// The id of a person: written `P123` (123 is the key of the person's first application).
/// Serialised as that text, so JSON keeps carrying `"P123"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PersonId(ApplicationKey);

/// Text that is not a person id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a person id (P followed by digits)")]
pub struct PersonIdError(pub String);

impl PersonId {
    /// The person whose first application is `first`.
    pub fn of_first(first: ApplicationKey) -> Self {
        PersonId(first)
    }

    /// The key of the person's first application.
    pub fn first_application(self) -> ApplicationKey {
        self.0
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.0.0)
    }
}

impl FromStr for PersonId {
    type Err = PersonIdError;

    /// `P123` or `p123`, surrounding blanks ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse = || PersonIdError(text.to_owned());
        let digits = text.trim().strip_prefix(['P', 'p']).ok_or_else(refuse)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse());
        }
        digits.parse().map(|key| PersonId(ApplicationKey(key))).map_err(|_| refuse())
    }
}

impl From<PersonId> for String {
    fn from(id: PersonId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for PersonId {
    type Error = PersonIdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_p_and_the_first_applications_key_and_reads_back() {
        let id = PersonId::of_first(ApplicationKey(123));
        assert_eq!(id.to_string(), "P123");
        assert_eq!(" p123 ".parse(), Ok(id));
        assert_eq!(id.first_application(), ApplicationKey(123));
    }

    #[test]
    fn other_texts_are_refused() {
        for text in ["", "P", "123", "Q123", "P12a", "P-1", "P+1", "P99999999999999999999"] {
            assert_eq!(text.parse::<PersonId>(), Err(PersonIdError(text.to_owned())), "{text}");
        }
    }
}
