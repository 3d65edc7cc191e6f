//! Officer decisions: an append-only history per application, with coded reasons and
//! time-boxed bars (`deferral_until`).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::application::{ApplicationKey, Outcome};

/// What an officer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Issued,
    Deferred,
    Rejected,
    Cancelled,
}

impl DecisionKind {
    pub const ALL: &'static [DecisionKind] = &[
        DecisionKind::Issued,
        DecisionKind::Deferred,
        DecisionKind::Rejected,
        DecisionKind::Cancelled,
    ];

    pub fn outcome(self) -> Outcome {
        match self {
            DecisionKind::Issued => Outcome::Issued,
            DecisionKind::Deferred => Outcome::Deferred,
            DecisionKind::Rejected => Outcome::Rejected,
            DecisionKind::Cancelled => Outcome::Cancelled,
        }
    }

    pub fn from_outcome(outcome: Outcome) -> Option<DecisionKind> {
        match outcome {
            Outcome::Pending => None,
            Outcome::Issued => Some(DecisionKind::Issued),
            Outcome::Deferred => Some(DecisionKind::Deferred),
            Outcome::Rejected => Some(DecisionKind::Rejected),
            Outcome::Cancelled => Some(DecisionKind::Cancelled),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.outcome().as_str()
    }

    pub fn parse(input: &str) -> Option<DecisionKind> {
        Outcome::parse(input).and_then(DecisionKind::from_outcome)
    }

    /// Adverse decisions count as prior history in risk screening (R12).
    pub fn is_adverse(self) -> bool {
        matches!(self, DecisionKind::Deferred | DecisionKind::Rejected | DecisionKind::Cancelled)
    }
}

/// A coded reason from the controlled vocabulary (DOMAIN.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonCode {
    pub code: &'static str,
    pub indonesian: &'static str,
    pub english: &'static str,
}

/// The controlled vocabulary of decision reasons.
pub const REASON_CODES: &[ReasonCode] = &[
    ReasonCode {
        code: "PMI_NP",
        indonesian: "Terindikasi Pekerja Migran Indonesia Non Prosedural (PMI NP)",
        english: "Suspected non-procedural migrant worker",
    },
    ReasonCode {
        code: "NO_CPMI_REC",
        indonesian: "Tidak dapat menunjukkan Surat Rekomendasi Paspor dari Dinas Tenaga Kerja / ID CPMI tidak terdaftar",
        english: "No passport recommendation from the labour office / CPMI ID not registered",
    },
    ReasonCode {
        code: "INTERVIEW",
        indonesian: "Keterangan tidak sesuai / tidak meyakinkan saat wawancara",
        english: "Statements inconsistent or unconvincing at interview",
    },
    ReasonCode {
        code: "PURPOSE_UNCLEAR",
        indonesian: "Tujuan perjalanan tidak jelas",
        english: "Purpose of travel unclear",
    },
    ReasonCode {
        code: "DOCS_30D",
        indonesian: "Tidak melengkapi data dukung dalam 30 hari",
        english: "Supporting documents not completed within 30 days",
    },
    ReasonCode {
        code: "DUPLICATE",
        indonesian: "Duplikasi permohonan",
        english: "Duplicate application",
    },
    ReasonCode {
        code: "LOST_NEGLIGENCE",
        indonesian: "Kehilangan paspor karena kelalaian (hasil BAP)",
        english: "Passport lost through negligence (examination record)",
    },
    ReasonCode {
        code: "IDENTITY_DIFFERS",
        indonesian: "Data/identitas berbeda dengan permohonan sebelumnya",
        english: "Identity data differ from an earlier application",
    },
    ReasonCode {
        code: "PREVENTION_LIST",
        indonesian: "Terdaftar dalam daftar pencegahan",
        english: "On the exit-prevention list",
    },
    ReasonCode {
        code: "TPPO",
        indonesian: "Diduga korban/calon korban TPPO",
        english: "Suspected (prospective) trafficking victim",
    },
];

/// Looks up a reason code (case-insensitive).
pub fn reason_code(code: &str) -> Option<&'static ReasonCode> {
    REASON_CODES.iter().find(|r| r.code.eq_ignore_ascii_case(code.trim()))
}

/// A decision to be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDecision {
    pub application: ApplicationKey,
    pub kind: DecisionKind,
    pub decided_on: Date,
    /// End of a time-boxed bar (deferral window or penangguhan); eligibility re-opens after it.
    pub deferral_until: Option<Date>,
    pub reason_codes: Vec<String>,
    pub reason_text: Option<String>,
    /// User name of the deciding officer; `None` for decisions imported from a spreadsheet.
    pub officer: Option<String>,
}

/// Why a decision is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    #[error("unknown reason code {0}")]
    UnknownReason(String),
    #[error("a deferral needs a deadline (deferral_until)")]
    DeferralWithoutDeadline,
    #[error("deferral_until {until} is not after the decision date {decided}")]
    DeadlineNotAfterDecision { until: Date, decided: Date },
    #[error("only deferrals and rejections carry a deadline")]
    DeadlineNotAllowed,
    #[error("an adverse decision needs a reason code or a reason text")]
    ReasonRequired,
    #[error("reason_text {0}")]
    ReasonText(crate::text::TextProblem),
}

/// The longest reason text an officer may write.
pub const MAX_REASON_TEXT_CHARS: usize = 2000;

impl NewDecision {
    /// Checks the rules an officer's decision must meet.
    pub fn validate(&self) -> Result<(), DecisionError> {
        for code in &self.reason_codes {
            if reason_code(code).is_none() {
                return Err(DecisionError::UnknownReason(code.clone()));
            }
        }
        match (self.kind, self.deferral_until) {
            (DecisionKind::Deferred, None) => return Err(DecisionError::DeferralWithoutDeadline),
            (DecisionKind::Issued | DecisionKind::Cancelled, Some(_)) => {
                return Err(DecisionError::DeadlineNotAllowed);
            }
            (_, Some(until)) if until <= self.decided_on => {
                return Err(DecisionError::DeadlineNotAfterDecision {
                    until,
                    decided: self.decided_on,
                });
            }
            _ => {}
        }
        if let Some(text) = &self.reason_text {
            crate::text::check_text(text, MAX_REASON_TEXT_CHARS, true)
                .map_err(DecisionError::ReasonText)?;
        }
        let has_text = self.reason_text.as_deref().is_some_and(|t| !t.trim().is_empty());
        if self.kind.is_adverse() && self.reason_codes.is_empty() && !has_text {
            return Err(DecisionError::ReasonRequired);
        }
        Ok(())
    }
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub change_seq: i64,
    pub data: NewDecision,
}

impl Decision {
    /// Whether the bar of this decision is in force on `on`.
    pub fn bar_active_on(&self, on: Date) -> bool {
        self.data.kind.is_adverse() && self.data.deferral_until.is_some_and(|until| on < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::ymd;

    fn deferral(until: Option<Date>) -> NewDecision {
        NewDecision {
            application: ApplicationKey(1),
            kind: DecisionKind::Deferred,
            decided_on: ymd(2025, 3, 1).unwrap(),
            deferral_until: until,
            reason_codes: vec!["PMI_NP".into()],
            reason_text: None,
            officer: Some("budi".into()),
        }
    }

    #[test]
    fn a_deferral_needs_a_future_deadline_and_a_reason() {
        assert_eq!(deferral(None).validate(), Err(DecisionError::DeferralWithoutDeadline));
        let past = ymd(2025, 2, 1).unwrap();
        assert!(matches!(
            deferral(Some(past)).validate(),
            Err(DecisionError::DeadlineNotAfterDecision { .. })
        ));
        let ok = deferral(Some(ymd(2025, 3, 31).unwrap()));
        assert_eq!(ok.validate(), Ok(()));
        let mut no_reason = ok.clone();
        no_reason.reason_codes.clear();
        assert_eq!(no_reason.validate(), Err(DecisionError::ReasonRequired));
        let mut bad = ok;
        bad.reason_codes = vec!["NOPE".into()];
        assert_eq!(bad.validate(), Err(DecisionError::UnknownReason("NOPE".into())));
    }

    #[test]
    fn a_bar_is_active_until_its_deadline() {
        let d = Decision { id: 1, change_seq: 1, data: deferral(Some(ymd(2025, 3, 31).unwrap())) };
        assert!(d.bar_active_on(ymd(2025, 3, 30).unwrap()));
        assert!(!d.bar_active_on(ymd(2025, 3, 31).unwrap()));
    }
}
