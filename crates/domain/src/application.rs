//! Passport applications: every field of the interchange format, typed.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::country::CountryCode;
use crate::nik::Nik;
use crate::office::OfficeCode;
use crate::passport::PassportNo;
use crate::phone::Phone;
use crate::region::RegionCode;
use crate::text::fold;

/// Sex as on the KTP: `L` (laki-laki) or `P` (perempuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "L")]
    Male,
    #[serde(rename = "P")]
    Female,
}

impl Sex {
    /// Reads `L`/`P`, also `M`/`F` and the spelled-out words.
    pub fn parse(input: &str) -> Option<Sex> {
        match fold(input).as_str() {
            "l" | "m" | "laki-laki" | "laki laki" | "pria" | "male" => Some(Sex::Male),
            "p" | "f" | "perempuan" | "wanita" | "female" => Some(Sex::Female),
            _ => None,
        }
    }

    /// The interchange code, `L` or `P`.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "L",
            Sex::Female => "P",
        }
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $canonical:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Reads the canonical English value or one of its Indonesian aliases.
            pub fn parse(input: &str) -> Option<$name> {
                let folded = fold(input).replace(' ', "_");
                match folded.as_str() {
                    $($canonical $(| $alias)* => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The canonical value written on output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $canonical),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary! {
    /// Declared purpose of travel (interchange `purpose` / `tujuan`).
    Purpose {
        Tourism = "tourism" | "wisata",
        Umrah = "umrah" | "umroh",
        Hajj = "hajj" | "haji",
        FamilyVisit = "family_visit" | "kunjungan_keluarga",
        Work = "work" | "bekerja",
        Study = "study" | "belajar",
        Business = "business" | "bisnis",
        Medical = "medical" | "berobat",
        Other = "other" | "lainnya",
    }
}

vocabulary! {
    /// The application's current outcome, as the interchange format writes it. `cancelled`
    /// (dibatalkan) is beyond the format's list: Jejak writes it because the register has it.
    Outcome {
        Pending = "pending" | "diproses",
        Issued = "issued" | "terbit" | "diterbitkan",
        Deferred = "deferred" | "ditunda",
        Rejected = "rejected" | "ditolak",
        Cancelled = "cancelled" | "dibatalkan",
    }
}

impl Outcome {
    /// Indonesian word for the outcome, as officers say it.
    pub fn indonesian(self) -> &'static str {
        match self {
            Outcome::Pending => "diproses",
            Outcome::Issued => "diterbitkan",
            Outcome::Deferred => "ditunda",
            Outcome::Rejected => "ditolak",
            Outcome::Cancelled => "dibatalkan",
        }
    }
}

/// Internal key of a stored application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ApplicationKey(pub i64);

impl fmt::Display for ApplicationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An application as it enters the register: one row of the interchange format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApplication {
    /// The office's own application number; unique per office.
    pub application_id: String,
    pub office_code: OfficeCode,
    pub applied_on: Date,
    /// As written on the form, titles included.
    pub full_name: String,
    pub nik: Option<Nik>,
    pub sex: Option<Sex>,
    pub birth_date: Option<Date>,
    pub birth_place: Option<String>,
    pub address: Option<String>,
    pub village_code: Option<RegionCode>,
    pub phone: Option<Phone>,
    pub mother_name: Option<String>,
    pub father_name: Option<String>,
    pub occupation: Option<String>,
    pub purpose: Option<Purpose>,
    pub destination_country: Option<CountryCode>,
    pub previous_passport_no: Option<PassportNo>,
    pub sponsor_name: Option<String>,
    pub sponsor_phone: Option<Phone>,
    pub cpmi_id: Option<String>,
    pub outcome: Outcome,
    pub outcome_reason: Option<String>,
    pub decided_on: Option<Date>,
    /// Identifiers present on the source but not valid, kept exactly as written (interchange
    /// spec: evidence even when mistyped). A field set here is `None` among the typed ones
    /// above. Boxed: almost every application has none, and the register keeps every
    /// application in memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<Box<InvalidIdentifiers>>,
}

/// The identifier columns whose values are kept as written when they are not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierField {
    Nik,
    Phone,
    SponsorPhone,
    PreviousPassportNo,
}

impl IdentifierField {
    pub const ALL: [IdentifierField; 4] = [
        IdentifierField::Nik,
        IdentifierField::Phone,
        IdentifierField::SponsorPhone,
        IdentifierField::PreviousPassportNo,
    ];

    /// The interchange column's canonical name.
    pub fn column(self) -> &'static str {
        match self {
            IdentifierField::Nik => "nik",
            IdentifierField::Phone => "phone",
            IdentifierField::SponsorPhone => "sponsor_phone",
            IdentifierField::PreviousPassportNo => "previous_passport_no",
        }
    }

    /// The name of the flag saying whether the value is valid (`nik_valid`, ...): the
    /// register's column and the JSON field.
    pub fn valid_flag(self) -> &'static str {
        match self {
            IdentifierField::Nik => "nik_valid",
            IdentifierField::Phone => "phone_valid",
            IdentifierField::SponsorPhone => "sponsor_phone_valid",
            IdentifierField::PreviousPassportNo => "previous_passport_no_valid",
        }
    }
}

/// Identifier values that are present but not valid (a NIK of 15 digits, a NIK whose birth
/// part is not a date, an impossible phone number), exactly as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidIdentifiers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_passport_no: Option<String>,
}

impl InvalidIdentifiers {
    pub fn get(&self, field: IdentifierField) -> Option<&str> {
        match field {
            IdentifierField::Nik => self.nik.as_deref(),
            IdentifierField::Phone => self.phone.as_deref(),
            IdentifierField::SponsorPhone => self.sponsor_phone.as_deref(),
            IdentifierField::PreviousPassportNo => self.previous_passport_no.as_deref(),
        }
    }

    fn slot(&mut self, field: IdentifierField) -> &mut Option<String> {
        match field {
            IdentifierField::Nik => &mut self.nik,
            IdentifierField::Phone => &mut self.phone,
            IdentifierField::SponsorPhone => &mut self.sponsor_phone,
            IdentifierField::PreviousPassportNo => &mut self.previous_passport_no,
        }
    }

    pub fn is_empty(&self) -> bool {
        IdentifierField::ALL.iter().all(|f| self.get(*f).is_none())
    }
}

impl NewApplication {
    /// A minimal application: only the required fields, everything else missing.
    pub fn new(
        application_id: &str,
        office_code: OfficeCode,
        applied_on: Date,
        full_name: &str,
    ) -> Self {
        Self {
            application_id: application_id.to_owned(),
            office_code,
            applied_on,
            full_name: full_name.to_owned(),
            nik: None,
            sex: None,
            birth_date: None,
            birth_place: None,
            address: None,
            village_code: None,
            phone: None,
            mother_name: None,
            father_name: None,
            occupation: None,
            purpose: None,
            destination_country: None,
            previous_passport_no: None,
            sponsor_name: None,
            sponsor_phone: None,
            cpmi_id: None,
            outcome: Outcome::Pending,
            outcome_reason: None,
            decided_on: None,
            invalid: None,
        }
    }

    /// The invalid value of `field` as written, if the field holds one.
    pub fn invalid(&self, field: IdentifierField) -> Option<&str> {
        self.invalid.as_deref().and_then(|i| i.get(field))
    }

    /// Whether `field` holds no invalid value (an absent value is not invalid).
    pub fn is_valid(&self, field: IdentifierField) -> bool {
        self.invalid(field).is_none()
    }

    /// `false` when the NIK is present but not valid (kept as written): `nik_valid`.
    pub fn nik_valid(&self) -> bool {
        self.is_valid(IdentifierField::Nik)
    }

    /// Keeps `raw` as the invalid value of `field` and clears the typed value, so the field
    /// holds one value only.
    pub fn set_invalid(&mut self, field: IdentifierField, raw: impl Into<String>) {
        match field {
            IdentifierField::Nik => self.nik = None,
            IdentifierField::Phone => self.phone = None,
            IdentifierField::SponsorPhone => self.sponsor_phone = None,
            IdentifierField::PreviousPassportNo => self.previous_passport_no = None,
        }
        *self.invalid.get_or_insert_with(Box::default).slot(field) = Some(raw.into());
    }

    /// The value of `field` as the register holds it: the normal form of a valid value, or
    /// the invalid one exactly as written.
    pub fn identifier_text(&self, field: IdentifierField) -> Option<&str> {
        let typed = match field {
            IdentifierField::Nik => self.nik.as_ref().map(Nik::as_str),
            IdentifierField::Phone => self.phone.as_ref().map(Phone::as_str),
            IdentifierField::SponsorPhone => self.sponsor_phone.as_ref().map(Phone::as_str),
            IdentifierField::PreviousPassportNo => {
                self.previous_passport_no.as_ref().map(PassportNo::as_str)
            }
        };
        typed.or_else(|| self.invalid(field))
    }

    /// The NIK as the register holds it (valid, or invalid as written).
    pub fn nik_text(&self) -> Option<&str> {
        self.identifier_text(IdentifierField::Nik)
    }

    /// The domicile: the village code if given, else nothing (the NIK is where the person
    /// was first registered, not where they live).
    pub fn domicile(&self) -> Option<&RegionCode> {
        self.village_code.as_ref()
    }
}

/// A stored application with its register metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub key: ApplicationKey,
    /// Optimistic-concurrency version, bumped on every change.
    pub version: i64,
    /// The register-wide change sequence number of the last change.
    pub change_seq: i64,
    pub data: NewApplication,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_read_english_and_indonesian() {
        assert_eq!(Purpose::parse("Kunjungan Keluarga"), Some(Purpose::FamilyVisit));
        assert_eq!(Purpose::parse("umroh"), Some(Purpose::Umrah));
        assert_eq!(Purpose::parse("WORK"), Some(Purpose::Work));
        assert_eq!(Purpose::parse("piknik"), None);
        assert_eq!(Outcome::parse("ditunda"), Some(Outcome::Deferred));
        assert_eq!(Outcome::parse("terbit"), Some(Outcome::Issued));
        assert_eq!(Outcome::Deferred.as_str(), "deferred");
        assert_eq!(Sex::parse("f"), Some(Sex::Female));
        assert_eq!(Sex::parse("L"), Some(Sex::Male));
        assert_eq!(Sex::parse("x"), None);
    }

    #[test]
    fn an_invalid_identifier_replaces_the_typed_value_and_is_read_as_written() {
        let day = crate::date::ymd(2025, 1, 2).unwrap();
        let mut app = NewApplication::new("K-1", OfficeCode::parse("KLA").unwrap(), day, "Sri");
        app.nik = Nik::parse("1807055203950003").ok();
        app.phone = Phone::parse("081234567890").ok();
        assert!(app.nik_valid());
        assert_eq!(app.nik_text(), Some("1807055203950003"));
        app.set_invalid(IdentifierField::Nik, "1807-0552-0395-000");
        assert!(!app.nik_valid());
        assert_eq!(app.nik, None);
        assert_eq!(app.nik_text(), Some("1807-0552-0395-000"));
        assert!(app.is_valid(IdentifierField::Phone));
        assert_eq!(app.identifier_text(IdentifierField::Phone), Some("+6281234567890"));
        assert_eq!(app.invalid(IdentifierField::SponsorPhone), None);
        assert!(!app.invalid.as_ref().unwrap().is_empty());
    }
}
