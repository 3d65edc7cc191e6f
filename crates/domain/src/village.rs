//! The village early-warning vocabulary (DOMAIN.md §5.3, §9 item 7): designated villages
//! (Desa Binaan) with their PIMPASA officers, village reports (a distinct, lower-trust data
//! stream: they never change a decision), their follow-up, the outreach log (sosialisasi) and
//! Timpora joint operations.

use time::Date;

use crate::{CountryCode, Nik, OfficeCode, Phone, RegionCode};

/// A designated village (Desa Binaan) as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVillage {
    /// Kemendagri village code (10 digits).
    pub code: RegionCode,
    /// The office responsible.
    pub office: OfficeCode,
    pub designated_on: Date,
    /// The decree (SK) number.
    pub decree: Option<String>,
    pub ends_on: Option<Date>,
    /// Partner programmes, e.g. BP3MI's Desa Migran Emas.
    pub partners: Vec<String>,
}

/// A stored designated village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Village {
    pub data: NewVillage,
    pub designated_by: String,
    pub change_seq: i64,
}

/// A PIMPASA officer's assignment to a village over a period (history kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub village: RegionCode,
    pub username: String,
    pub from_on: Date,
    /// `None` while the assignment runs.
    pub until_on: Option<Date>,
}

impl Assignment {
    /// Whether the officer covered the village on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.from_on <= day && self.until_on.is_none_or(|until| day <= until)
    }
}

/// What a village report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportTopic {
    Recruiter,
    PlannedDeparture,
    Returnee,
    Foreigner,
    Question,
    Other,
}

impl ReportTopic {
    pub const ALL: [ReportTopic; 6] = [
        ReportTopic::Recruiter,
        ReportTopic::PlannedDeparture,
        ReportTopic::Returnee,
        ReportTopic::Foreigner,
        ReportTopic::Question,
        ReportTopic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportTopic::Recruiter => "recruiter",
            ReportTopic::PlannedDeparture => "planned_departure",
            ReportTopic::Returnee => "returnee",
            ReportTopic::Foreigner => "foreigner",
            ReportTopic::Question => "question",
            ReportTopic::Other => "other",
        }
    }

    /// Indonesian label.
    pub fn label_id(self) -> &'static str {
        match self {
            ReportTopic::Recruiter => "Perekrut / calo",
            ReportTopic::PlannedDeparture => "Rencana keberangkatan",
            ReportTopic::Returnee => "Pekerja migran pulang",
            ReportTopic::Foreigner => "Orang asing",
            ReportTopic::Question => "Pertanyaan warga",
            ReportTopic::Other => "Lainnya",
        }
    }

    pub fn parse(text: &str) -> Option<ReportTopic> {
        let t = text.trim().to_lowercase().replace(['-', ' '], "_");
        Self::ALL.into_iter().find(|x| x.as_str() == t)
    }
}

/// Follow-up status of a village report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    New,
    Acknowledged,
    InFollowUp,
    Confirmed,
    Unfounded,
    Closed,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 6] = [
        ReportStatus::New,
        ReportStatus::Acknowledged,
        ReportStatus::InFollowUp,
        ReportStatus::Confirmed,
        ReportStatus::Unfounded,
        ReportStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::New => "new",
            ReportStatus::Acknowledged => "acknowledged",
            ReportStatus::InFollowUp => "in_follow_up",
            ReportStatus::Confirmed => "confirmed",
            ReportStatus::Unfounded => "unfounded",
            ReportStatus::Closed => "closed",
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            ReportStatus::New => "Baru",
            ReportStatus::Acknowledged => "Diterima",
            ReportStatus::InFollowUp => "Ditindaklanjuti",
            ReportStatus::Confirmed => "Terbukti",
            ReportStatus::Unfounded => "Tidak terbukti",
            ReportStatus::Closed => "Ditutup",
        }
    }

    pub fn parse(text: &str) -> Option<ReportStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == text.trim())
    }

    /// An open report is linked to applications; unfounded and closed ones no longer are.
    pub fn is_open(self) -> bool {
        !matches!(self, ReportStatus::Unfounded | ReportStatus::Closed)
    }
}

/// A person named in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPerson {
    pub name: String,
    pub birth_date: Option<Date>,
    pub nik: Option<Nik>,
    /// E.g. "calo", "calon pekerja", "keluarga".
    pub relation: Option<String>,
}

/// Source reliability, graded A (reliable) to F (cannot be judged), apart from the
/// credibility of the information, 1 (confirmed) to 6 (cannot be judged).
pub const RELIABILITY_GRADES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];

/// A village report as filed by a PIMPASA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVillageReport {
    /// Client-generated (a UUID from the phone, or the CSV's id): filing twice is one report.
    pub report_id: String,
    pub village: RegionCode,
    pub reported_on: Date,
    pub topic: ReportTopic,
    /// `A`..`F`.
    pub source_reliability: String,
    /// 1..6.
    pub info_credibility: u8,
    pub persons: Vec<ReportPerson>,
    pub phones: Vec<Phone>,
    pub recruiters: Vec<String>,
    pub agency: Option<String>,
    pub destination_country: Option<CountryCode>,
    pub planned_departure_on: Option<Date>,
    pub narrative: String,
    /// Who told the PIMPASA: stored apart, readable only by the reporter and supervisors.
    pub source: Option<String>,
    pub reported_by: String,
}

/// Why a report field is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ReportFieldError {
    pub field: &'static str,
    pub message: String,
}

impl NewVillageReport {
    /// Checks what the types do not: id shape, grades, a non-empty narrative.
    pub fn validate(&self) -> Result<(), ReportFieldError> {
        let err = |field, message: &str| Err(ReportFieldError { field, message: message.into() });
        let id = self.report_id.trim();
        if id.is_empty() || id.len() > 64 {
            return err("report_id", "must be 1 to 64 characters");
        }
        if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return err("report_id", "may contain only letters, digits, '-', '_' and '.'");
        }
        if !RELIABILITY_GRADES.contains(&self.source_reliability.as_str()) {
            return err("source_reliability", "must be one of A, B, C, D, E, F");
        }
        if !(1..=6).contains(&self.info_credibility) {
            return err("info_credibility", "must be a number from 1 to 6");
        }
        if self.narrative.trim().is_empty() {
            return err("narrative", "is required");
        }
        if self.persons.iter().any(|p| p.name.trim().is_empty()) {
            return err("persons", "a named person needs a name");
        }
        Ok(())
    }
}

/// A stored village report (the source is not part of it: see `VillageStore::report_source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageReport {
    pub data: NewVillageReport,
    /// The office whose work area holds the village (routing).
    pub office: OfficeCode,
    pub status: ReportStatus,
    /// RFC 3339 UTC.
    pub filed_at: String,
    pub acknowledged_at: Option<String>,
    pub change_seq: i64,
}

/// One step of a report's follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub report_id: String,
    pub status: ReportStatus,
    pub note: Option<String>,
    pub by: String,
    pub at: String,
}

/// An outreach (sosialisasi) session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutreach {
    pub held_on: Date,
    pub village: RegionCode,
    /// A school or other venue, when not the village hall.
    pub venue: Option<String>,
    /// E.g. "sosialisasi desa", "sekolah", "pengajian".
    pub kind: String,
    pub attendees_female: u32,
    pub attendees_male: u32,
    pub topics: Vec<String>,
    pub partners: Vec<String>,
    pub notes: Option<String>,
    pub recorded_by: String,
}

/// A stored outreach session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outreach {
    pub id: i64,
    pub data: NewOutreach,
}

/// A Timpora joint operation with its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOperation {
    pub held_on: Date,
    /// Region code of the area (kecamatan or village).
    pub area: RegionCode,
    pub lead_office: OfficeCode,
    pub agencies: Vec<String>,
    pub foreigners_checked: u32,
    /// Violations by kind, e.g. ("overstay", 2).
    pub violations: Vec<(String, u32)>,
    pub persons_secured: u32,
    pub pmi_np_stopped: u32,
    /// The village reports that prompted the operation.
    pub report_ids: Vec<String>,
    pub notes: Option<String>,
    pub recorded_by: String,
}

/// A stored Timpora operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: i64,
    pub data: NewOperation,
}
