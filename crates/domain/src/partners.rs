//! Partner data (DOMAIN.md §6.1): CPMI registrations exported by SISKOP2MI, the licensed P3MI
//! list and BP3MI's list of returned or deported undocumented workers. Each import is a dated
//! snapshot; the newest snapshot of a kind is what screening uses, older ones are the history.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::application::{Sex, vocabulary};
use crate::country::CountryCode;
use crate::nik::Nik;
use crate::text::fold;

vocabulary! {
    /// Status of a CPMI registration in SISKOP2MI.
    CpmiStatus {
        Registered = "registered" | "terdaftar",
        InProcess = "in_process" | "dalam_proses" | "proses",
        Departed = "departed" | "berangkat",
        Returned = "returned" | "pulang" | "kembali",
        FailedToDepart = "failed_to_depart" | "gagal_berangkat" | "batal_berangkat",
    }
}

impl CpmiStatus {
    /// Whether the registration is in force for a passport application with the work purpose:
    /// registered or in process (a departed, returned or failed placement is over).
    pub fn in_force(self) -> bool {
        matches!(self, CpmiStatus::Registered | CpmiStatus::InProcess)
    }

    /// The status as officers say it.
    pub fn indonesian(self) -> &'static str {
        match self {
            CpmiStatus::Registered => "terdaftar",
            CpmiStatus::InProcess => "dalam proses",
            CpmiStatus::Departed => "sudah berangkat",
            CpmiStatus::Returned => "sudah pulang",
            CpmiStatus::FailedToDepart => "gagal berangkat",
        }
    }
}

vocabulary! {
    /// What kind of partner data a snapshot holds.
    PartnerKind {
        Cpmi = "cpmi",
        P3mi = "p3mi",
        Deportations = "deportations" | "deportasi",
    }
}

vocabulary! {
    /// How an undocumented worker came back (BP3MI returns list).
    DeportationKind {
        Deported = "deported" | "dideportasi" | "deportasi",
        Returned = "returned" | "dipulangkan" | "pemulangan",
    }
}

impl DeportationKind {
    /// The kind as officers say it.
    pub fn indonesian(self) -> &'static str {
        match self {
            DeportationKind::Deported => "dideportasi",
            DeportationKind::Returned => "dipulangkan",
        }
    }
}

/// One CPMI registration as SISKOP2MI exports it (the `jejak cpmi import` columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpmiRecord {
    pub cpmi_id: String,
    pub nik: Option<Nik>,
    pub full_name: String,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    pub destination_country: Option<CountryCode>,
    pub p3mi_name: Option<String>,
    pub employer: Option<String>,
    pub job_title: Option<String>,
    pub placement_scheme: Option<String>,
    pub status: CpmiStatus,
    pub recommendation_no: Option<String>,
    pub recommendation_date: Option<Date>,
    pub updated_on: Option<Date>,
}

/// One licensed recruitment company (P3MI) of the KemenP2MI list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct P3miLicence {
    pub p3mi_name: String,
    pub licence_no: Option<String>,
    /// Last day the licence is valid; open-ended when absent.
    pub valid_until: Option<Date>,
}

impl P3miLicence {
    /// Whether the licence is valid on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_until.is_none_or(|until| day <= until)
    }
}

/// One return or deportation of an undocumented worker (BP3MI list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeportationRecord {
    pub nik: Option<Nik>,
    pub full_name: String,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    pub country: Option<CountryCode>,
    pub kind: DeportationKind,
    pub event_date: Option<Date>,
    /// The partner's own reference (case or letter number).
    pub reference: Option<String>,
}

/// The header of one imported snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSnapshot {
    pub id: i64,
    pub kind: PartnerKind,
    /// The date the partner's data describes.
    pub taken_on: Date,
    /// Where it came from (the file name as given).
    pub source: String,
    pub record_count: i64,
    pub imported_by: String,
    /// RFC 3339 timestamp of the import.
    pub imported_at: String,
    pub change_seq: i64,
}

/// A company name folded for comparison: lower case, punctuation dropped, the legal-form words
/// (PT, CV, Tbk, persero) removed, single spaces. "PT. Sinar Jaya Abadi" and "SINAR JAYA
/// ABADI, PT" fold alike.
pub fn fold_company(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect::<String>();
    fold(&cleaned)
        .split(' ')
        .filter(|w| !w.is_empty() && !matches!(*w, "pt" | "cv" | "tbk" | "persero"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_english_and_indonesian_and_know_what_is_in_force() {
        assert_eq!(CpmiStatus::parse("in_process"), Some(CpmiStatus::InProcess));
        assert_eq!(CpmiStatus::parse("Gagal Berangkat"), Some(CpmiStatus::FailedToDepart));
        assert_eq!(CpmiStatus::parse("done"), None);
        assert!(CpmiStatus::Registered.in_force());
        assert!(!CpmiStatus::Departed.in_force());
    }

    #[test]
    fn company_names_fold_without_legal_form_and_punctuation() {
        assert_eq!(fold_company("PT. Sinar Jaya Abadi"), "sinar jaya abadi");
        assert_eq!(fold_company("SINAR  JAYA ABADI, PT"), "sinar jaya abadi");
        assert_ne!(fold_company("PT Sinar Jaya"), fold_company("PT Sinar Jaya Abadi"));
    }
}
