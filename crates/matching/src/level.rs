//! Comparison levels: how far two values of one field agree. Every comparison kind maps a
//! pair of values onto this one scale, so parameters, explanations and reports share it.

use std::fmt;

/// How two values of a field compare, from strongest agreement to none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Identical after folding case, punctuation and titles.
    Exact,
    /// The same under a known equivalence: old/new spelling, a name variant, swapped day and
    /// month, a re-issued NIK with the same decoded parts.
    Equivalent,
    /// Nearly the same: a typo, informal spelling, same kecamatan.
    Close,
    /// Partly the same: a name that is a subset of the other, same birth year.
    Partial,
    /// Not the same.
    Different,
    /// At least one side has no value: no evidence either way.
    Missing,
}

/// Number of levels that carry evidence (all but [`Level::Missing`]).
pub const EVIDENCE_LEVELS: usize = 5;

impl Level {
    /// The evidence levels, strongest first.
    pub const EVIDENCE: [Level; EVIDENCE_LEVELS] =
        [Level::Exact, Level::Equivalent, Level::Close, Level::Partial, Level::Different];

    /// Position in parameter arrays; `None` for [`Level::Missing`].
    pub fn evidence_index(self) -> Option<usize> {
        match self {
            Level::Missing => None,
            other => Some(other as usize),
        }
    }

    /// Compact code used when counting comparison patterns (0..=5).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`Level::code`].
    pub fn from_code(code: u8) -> Level {
        match code {
            0 => Level::Exact,
            1 => Level::Equivalent,
            2 => Level::Close,
            3 => Level::Partial,
            4 => Level::Different,
            _ => Level::Missing,
        }
    }

    /// Lower-case name, as written in reports and pair files.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Exact => "exact",
            Level::Equivalent => "equivalent",
            Level::Close => "close",
            Level::Partial => "partial",
            Level::Different => "different",
            Level::Missing => "missing",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for level in Level::EVIDENCE.into_iter().chain([Level::Missing]) {
            assert_eq!(Level::from_code(level.code()), level);
        }
        assert_eq!(Level::Missing.evidence_index(), None);
        assert_eq!(Level::Different.evidence_index(), Some(4));
    }
}
