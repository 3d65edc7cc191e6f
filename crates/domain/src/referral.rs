//! Referrals to the cross-agency forum (issue 15 item 5) and protected persons (item 6).
//!
//! A referral sends a case (one application, or a person with all their applications) to a
//! partner agency with a purpose, a legal basis, the fields shared and a due date; its status
//! moves from sent to closed with a note at every step. A protection marks a person recorded
//! as a trafficking (TPPO) victim: routine lists then show only that a protected record
//! exists.

use std::fmt;

use time::Date;

use crate::ApplicationKey;
use crate::OfficeCode;
use crate::PersonId;

/// The agencies of the pilot's cross-agency forum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Agency {
    /// Balai Pelayanan Pelindungan PMI (KemenP2MI's provincial unit).
    Bp3mi,
    /// The district labour office (Dinas Tenaga Kerja).
    Disnaker,
    /// Polri, the women and children protection unit (Unit PPA).
    PolriPpa,
    /// The local government (Pemerintah Daerah).
    Pemda,
}

impl Agency {
    pub const ALL: [Agency; 4] = [Agency::Bp3mi, Agency::Disnaker, Agency::PolriPpa, Agency::Pemda];

    pub fn as_str(self) -> &'static str {
        match self {
            Agency::Bp3mi => "bp3mi",
            Agency::Disnaker => "disnaker",
            Agency::PolriPpa => "polri_ppa",
            Agency::Pemda => "pemda",
        }
    }

    /// The agency's name as a letter addresses it.
    pub fn name_id(self) -> &'static str {
        match self {
            Agency::Bp3mi => "Balai Pelayanan Pelindungan Pekerja Migran Indonesia (BP3MI) Lampung",
            Agency::Disnaker => "Dinas Tenaga Kerja (Disnaker)",
            Agency::PolriPpa => {
                "Kepolisian Negara Republik Indonesia, Unit Pelayanan Perempuan dan Anak (PPA)"
            }
            Agency::Pemda => "Pemerintah Daerah (Pemda)",
        }
    }

    /// A short label for lists.
    pub fn short(self) -> &'static str {
        match self {
            Agency::Bp3mi => "BP3MI",
            Agency::Disnaker => "Disnaker",
            Agency::PolriPpa => "Polri (PPA)",
            Agency::Pemda => "Pemda",
        }
    }

    pub fn parse(text: &str) -> Option<Agency> {
        let t = text.trim().to_lowercase();
        Self::ALL.into_iter().find(|a| a.as_str() == t)
    }
}

impl fmt::Display for Agency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferralStatus {
    Sent,
    Received,
    Accepted,
    Declined,
    InFollowUp,
    Closed,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::Sent,
        ReferralStatus::Received,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::InFollowUp,
        ReferralStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Received => "received",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::InFollowUp => "in_follow_up",
            ReferralStatus::Closed => "closed",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "Dikirim",
            ReferralStatus::Received => "Diterima",
            ReferralStatus::Accepted => "Disetujui",
            ReferralStatus::Declined => "Ditolak",
            ReferralStatus::InFollowUp => "Ditindaklanjuti",
            ReferralStatus::Closed => "Ditutup",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "Sent",
            ReferralStatus::Received => "Received",
            ReferralStatus::Accepted => "Accepted",
            ReferralStatus::Declined => "Declined",
            ReferralStatus::InFollowUp => "In follow-up",
            ReferralStatus::Closed => "Closed",
        }
    }

    pub fn parse(text: &str) -> Option<ReferralStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// Declined and closed referrals need nothing more from anyone.
    pub fn is_open(self) -> bool {
        !matches!(self, ReferralStatus::Declined | ReferralStatus::Closed)
    }
}

/// What is referred: one application, or a person (all their applications).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferralSubject {
    Application(ApplicationKey),
    /// A person id (`P<key>`) with the application the officer referred it from.
    Person {
        person_id: PersonId,
        application: ApplicationKey,
    },
}

impl ReferralSubject {
    /// The application the referral's shared data is read from.
    pub fn application(&self) -> ApplicationKey {
        match self {
            ReferralSubject::Application(key) => *key,
            ReferralSubject::Person { application, .. } => *application,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            ReferralSubject::Application(_) => "application",
            ReferralSubject::Person { .. } => "person",
        }
    }
}

/// A referral as the officer makes it (checked by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    /// The referring office (the application's office).
    pub office: OfficeCode,
    pub subject: ReferralSubject,
    pub agency: Agency,
    pub purpose: String,
    pub legal_basis: String,
    /// The application fields shared with the agency (column names), in letter order.
    pub fields: Vec<String>,
    pub due_on: Option<Date>,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

/// A stored referral with where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// The change number of its creation.
    pub id: i64,
    /// Letter number (nomor surat), e.g. `W9.IMI.KLA/RJK-000123`.
    pub letter_no: String,
    pub data: NewReferral,
    pub status: ReferralStatus,
    pub change_seq: i64,
}

impl Referral {
    /// Open and past its due date on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.data.due_on.is_some_and(|d| d < today)
    }
}

/// One step of a referral's history (the first is its sending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralEvent {
    pub referral_id: i64,
    pub status: ReferralStatus,
    pub note: Option<String>,
    /// The due date set with this step (the next step's deadline), if any.
    pub due_on: Option<Date>,
    pub by: String,
    pub at: String,
}

/// A person marked protected (a recorded TPPO victim), anchored on one application; the
/// protection covers every application of the anchor's person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    pub id: i64,
    pub application: ApplicationKey,
    pub reason: String,
    pub marked_by: String,
    pub marked_at: String,
    /// Set when the protection was lifted (with its reason).
    pub lifted_by: Option<String>,
    pub lifted_at: Option<String>,
    pub lift_reason: Option<String>,
}

impl Protection {
    pub fn is_active(&self) -> bool {
        self.lifted_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Agency::ALL {
            assert_eq!(Agency::parse(a.as_str()), Some(a));
        }
        for s in ReferralStatus::ALL {
            assert_eq!(ReferralStatus::parse(s.as_str()), Some(s));
        }
        assert!(!ReferralStatus::Closed.is_open());
        assert!(ReferralStatus::InFollowUp.is_open());
    }
}
