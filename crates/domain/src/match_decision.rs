//! Officers' verdicts on candidate pairs: "these two applications are the same person"
//! (confirm) or "they are not" (reject). The history is kept; the latest verdict on a pair
//! supersedes the earlier ones.

use serde::{Deserialize, Serialize};

use crate::application::ApplicationKey;
use crate::audit_action::AuditAction;
use crate::office::OfficeCode;

/// What the officer said about a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The same person, even if the identity engine scores the pair low.
    Confirm,
    /// Not the same person, whatever the identity engine says.
    Reject,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirm => "confirm",
            Verdict::Reject => "reject",
        }
    }

    /// What the audit log records for this verdict.
    pub fn audit_action(self) -> AuditAction {
        match self {
            Verdict::Confirm => AuditAction::MatchConfirm,
            Verdict::Reject => AuditAction::MatchReject,
        }
    }

    pub fn parse(input: &str) -> Option<Verdict> {
        match input.trim().to_ascii_lowercase().as_str() {
            "confirm" => Some(Verdict::Confirm),
            "reject" => Some(Verdict::Reject),
            _ => None,
        }
    }
}

/// Why a verdict is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchDecisionError {
    #[error("application {0} cannot be matched with itself")]
    SamePair(ApplicationKey),
    #[error("a match verdict needs a reason")]
    ReasonRequired,
    #[error("a match verdict needs the officer's user name")]
    OfficerRequired,
}

/// A verdict to be recorded. The pair is kept ordered (`first < second`), so a pair has one
/// identity whichever way round the officer saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMatchDecision {
    first: ApplicationKey,
    second: ApplicationKey,
    verdict: Verdict,
    officer: String,
    office: Option<OfficeCode>,
    reason: String,
    decided_at: String,
}

impl NewMatchDecision {
    /// A verdict on the pair `x`, `y` (either order). `decided_at` is an RFC 3339 timestamp
    /// supplied by the caller. Refuses a pair of one application, a blank reason or officer.
    pub fn new(
        x: ApplicationKey,
        y: ApplicationKey,
        verdict: Verdict,
        officer: &str,
        office: Option<OfficeCode>,
        reason: &str,
        decided_at: &str,
    ) -> Result<Self, MatchDecisionError> {
        if x == y {
            return Err(MatchDecisionError::SamePair(x));
        }
        if reason.trim().is_empty() {
            return Err(MatchDecisionError::ReasonRequired);
        }
        if officer.trim().is_empty() {
            return Err(MatchDecisionError::OfficerRequired);
        }
        Ok(Self {
            first: x.min(y),
            second: x.max(y),
            verdict,
            officer: officer.trim().to_owned(),
            office,
            reason: reason.trim().to_owned(),
            decided_at: decided_at.to_owned(),
        })
    }

    /// The pair, smaller key first.
    pub fn pair(&self) -> (ApplicationKey, ApplicationKey) {
        (self.first, self.second)
    }

    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// User name of the deciding officer.
    pub fn officer(&self) -> &str {
        &self.officer
    }

    /// The officer's office, if known.
    pub fn office(&self) -> Option<&OfficeCode> {
        self.office.as_ref()
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// RFC 3339 timestamp of the verdict.
    pub fn decided_at(&self) -> &str {
        &self.decided_at
    }

    /// Whether the verdict concerns `key`.
    pub fn involves(&self, key: ApplicationKey) -> bool {
        self.first == key || self.second == key
    }
}

/// A recorded verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchDecision {
    pub id: i64,
    pub change_seq: i64,
    pub data: NewMatchDecision,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i64) -> ApplicationKey {
        ApplicationKey(n)
    }

    #[test]
    fn a_pair_is_the_same_whichever_way_round_it_is_given() {
        let one =
            NewMatchDecision::new(key(9), key(3), Verdict::Reject, "budi", None, "twins", "t")
                .unwrap_or_else(|e| panic!("{e}"));
        let other =
            NewMatchDecision::new(key(3), key(9), Verdict::Reject, "budi", None, "twins", "t")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.pair(), (key(3), key(9)));
        assert_eq!(one, other);
    }

    #[test]
    fn a_verdict_needs_two_applications_a_reason_and_an_officer() {
        let new = |x, reason: &str, officer: &str| {
            NewMatchDecision::new(key(x), key(5), Verdict::Confirm, officer, None, reason, "t")
        };
        assert_eq!(new(5, "same NIK", "budi"), Err(MatchDecisionError::SamePair(key(5))));
        assert_eq!(new(4, "  ", "budi"), Err(MatchDecisionError::ReasonRequired));
        assert_eq!(new(4, "same NIK", ""), Err(MatchDecisionError::OfficerRequired));
        assert!(new(4, "same NIK", "budi").is_ok());
    }

    #[test]
    fn verdicts_round_trip_through_their_names() {
        for v in [Verdict::Confirm, Verdict::Reject] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
        assert_eq!(Verdict::parse("merge"), None);
        assert_eq!(Verdict::Confirm.audit_action().as_str(), "match.confirm");
        assert_eq!(Verdict::Reject.audit_action().as_str(), "match.reject");
    }
}
