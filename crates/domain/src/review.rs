//! Supervisor review: a decision an officer may not take alone (issuing a passport despite a
//! high risk band or a failed hard check) waits as a request until a supervisor approves it
//! (the decision is then recorded) or refuses it (nothing is decided).

use crate::{ApplicationKey, NewDecision};

/// Where a review request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewStatus {
    Pending,
    Approved,
    Refused,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewStatus> {
        [ReviewStatus::Pending, ReviewStatus::Approved, ReviewStatus::Refused]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// An officer's request to take a decision that needs a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReviewRequest {
    /// The decision the officer proposes (its `officer` is the requester).
    pub proposed: NewDecision,
    /// The application version the officer saw; approval fails if it changed since.
    pub expected_version: i64,
    /// Why a supervisor must look (e.g. "band tinggi; R03 gagal").
    pub grounds: String,
    pub requested_by: String,
}

/// A stored review request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub id: i64,
    pub data: NewReviewRequest,
    pub status: ReviewStatus,
    /// RFC 3339 UTC.
    pub requested_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: Option<String>,
    pub change_seq: i64,
}

impl ReviewRequest {
    pub fn application(&self) -> ApplicationKey {
        self.data.proposed.application
    }
}
