//! NIK (Nomor Induk Kependudukan): 16 digits `PPKKCC DDMMYY SSSS`.
//!
//! There is no check digit. A NIK is valid when it has 16 digits, a known province, a real
//! date after taking 40 off the day for women, and a non-zero serial. The district part is
//! where the NIK was first registered, so a code that no longer exists (after a region split)
//! is only a warning. Disagreement with the declared birth date or sex is a warning too:
//! Dukcapil data-entry errors exist (DOMAIN.md §4.1).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::application::Sex;
use crate::date::{age_on, ymd};
use crate::region::{RegionCode, regions};

/// A validated NIK.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nik(String);

/// Why a NIK is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NikError {
    #[error("NIK must be 16 digits, found {0} digits")]
    Length(usize),
    #[error("NIK must contain only digits")]
    NotDigits,
    #[error("NIK province code {0} does not exist")]
    UnknownProvince(String),
    #[error("NIK birth date part {0} is not a date (day 01-31 for men, 41-71 for women)")]
    BadDate(String),
    #[error("NIK serial number must not be 0000")]
    ZeroSerial,
}

/// Findings that do not make a NIK invalid but deserve the officer's eye.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum NikWarning {
    /// The district (kecamatan) code is not in the current list: an old code, or a typo.
    UnknownDistrict { code: String },
    /// The birth date encoded in the NIK differs from the declared one.
    BirthDateMismatch { encoded: String, declared: Date },
    /// The sex encoded in the NIK (day + 40) differs from the declared one.
    SexMismatch { encoded: Sex, declared: Sex },
}

impl fmt::Display for NikWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownDistrict { code } => {
                write!(f, "NIK district code {code} is not in the current Kemendagri list")
            }
            Self::BirthDateMismatch { encoded, declared } => write!(
                f,
                "NIK encodes birth date {encoded} but {} was declared",
                crate::date::iso(*declared)
            ),
            Self::SexMismatch { encoded, declared } => {
                write!(f, "NIK encodes sex {} but {} was declared", encoded.code(), declared.code())
            }
        }
    }
}

impl Nik {
    /// Parses a NIK, tolerating spaces, dots and dashes between digit groups.
    pub fn parse(input: &str) -> Result<Self, NikError> {
        let mut digits = String::with_capacity(16);
        for ch in input.trim().chars() {
            match ch {
                '0'..='9' => digits.push(ch),
                ' ' | '.' | '-' => {}
                _ => return Err(NikError::NotDigits),
            }
        }
        if digits.len() != 16 {
            return Err(NikError::Length(digits.len()));
        }
        let nik = Self(digits);
        if !regions().contains(&nik.province()) {
            return Err(NikError::UnknownProvince(nik.0[..2].to_owned()));
        }
        let (day, month, yy) = nik.date_digits();
        let day = if day > 40 { day - 40 } else { day };
        // 1900 and 2000 differ only on 29 February; accept the date if either century has it.
        let valid = [1900, 2000].iter().any(|c| ymd(c + i32::from(yy), month, day).is_some());
        if !valid || day == 0 {
            return Err(NikError::BadDate(nik.0[6..12].to_owned()));
        }
        if &nik.0[12..] == "0000" {
            return Err(NikError::ZeroSerial);
        }
        Ok(nik)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn date_digits(&self) -> (u8, u8, u8) {
        let two = |i: usize| (self.0.as_bytes()[i] - b'0') * 10 + (self.0.as_bytes()[i + 1] - b'0');
        (two(6), two(8), two(10))
    }

    pub fn province(&self) -> RegionCode {
        RegionCode(self.0[..2].to_owned())
    }

    pub fn regency(&self) -> RegionCode {
        RegionCode(self.0[..4].to_owned())
    }

    /// The district (kecamatan) where the NIK was first registered.
    pub fn district(&self) -> RegionCode {
        RegionCode(self.0[..6].to_owned())
    }

    /// Encoded sex: day > 40 means a woman.
    pub fn sex(&self) -> Sex {
        if self.date_digits().0 > 40 { Sex::Female } else { Sex::Male }
    }

    /// Day, month and two-digit year of birth as encoded (day already corrected for women).
    pub fn birth_day_month_year(&self) -> (u8, u8, u8) {
        let (day, month, yy) = self.date_digits();
        (if day > 40 { day - 40 } else { day }, month, yy)
    }

    /// The encoded birth date with its century inferred: the declared birth date's century
    /// when its last two digits agree, otherwise the latest century that makes the person
    /// at most 100 years old on `reference` and not born after it.
    pub fn birth_date(&self, reference: Date, declared: Option<Date>) -> Option<Date> {
        let (day, month, yy) = self.birth_day_month_year();
        let yy = i32::from(yy);
        if let Some(declared) = declared
            && declared.year().rem_euclid(100) == yy
        {
            let century = declared.year() - yy;
            if let Some(date) = ymd(century + yy, month, day) {
                return Some(date);
            }
        }
        let this_century = reference.year() - reference.year().rem_euclid(100);
        [this_century, this_century - 100]
            .iter()
            .filter_map(|c| ymd(c + yy, month, day))
            .find(|date| *date <= reference && age_on(*date, reference) <= 100)
    }

    /// The serial number (last 4 digits).
    pub fn serial(&self) -> &str {
        &self.0[12..]
    }

    /// NIK with the middle hidden, for lists: `1807********0003`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..4], &self.0[12..])
    }

    /// Checks the NIK against the declared birth date and sex; each finding is a warning.
    pub fn check(
        &self,
        reference: Date,
        declared_birth: Option<Date>,
        declared_sex: Option<Sex>,
    ) -> Vec<NikWarning> {
        let mut warnings = Vec::new();
        if !regions().contains(&self.district()) {
            warnings.push(NikWarning::UnknownDistrict { code: self.district().dotted() });
        }
        if let Some(declared) = declared_birth {
            let (day, month, yy) = self.birth_day_month_year();
            let agrees = declared.day() == day
                && u8::from(declared.month()) == month
                && declared.year().rem_euclid(100) == i32::from(yy);
            if !agrees {
                let encoded = match self.birth_date(reference, None) {
                    Some(date) => crate::date::iso(date),
                    None => format!("{day:02}-{month:02}-{yy:02}"),
                };
                warnings.push(NikWarning::BirthDateMismatch { encoded, declared });
            }
        }
        if let Some(declared) = declared_sex
            && declared != self.sex()
        {
            warnings.push(NikWarning::SexMismatch { encoded: self.sex(), declared });
        }
        warnings
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Nik {
    type Error = NikError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Nik> for String {
    fn from(value: Nik) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        ymd(y, m, day).unwrap()
    }

    #[test]
    fn decodes_a_womans_nik() {
        // Kec. Sekampung (18.07.05), woman born 12 March 1995, serial 0003.
        let nik = Nik::parse("1807055203950003").unwrap();
        assert_eq!(nik.sex(), Sex::Female);
        assert_eq!(nik.district().dotted(), "18.07.05");
        assert_eq!(nik.birth_date(d(2025, 1, 1), None), Some(d(1995, 3, 12)));
        assert_eq!(nik.masked(), "1807********0003");
        assert!(nik.check(d(2025, 1, 1), Some(d(1995, 3, 12)), Some(Sex::Female)).is_empty());
    }

    #[test]
    fn infers_the_century_from_age_or_the_declared_date() {
        let nik = Nik::parse("1807051203200001").unwrap();
        assert_eq!(nik.birth_date(d(2025, 1, 1), None), Some(d(2020, 3, 12)));
        assert_eq!(nik.birth_date(d(2019, 1, 1), None), Some(d(1920, 3, 12)));
        assert_eq!(nik.birth_date(d(2025, 1, 1), Some(d(1920, 3, 12))), Some(d(1920, 3, 12)));
    }

    #[test]
    fn rejects_malformed_niks_with_the_reason() {
        assert_eq!(Nik::parse("180705520395000"), Err(NikError::Length(15)));
        assert_eq!(Nik::parse("18070552039500x3"), Err(NikError::NotDigits));
        assert_eq!(Nik::parse("9907051203950003"), Err(NikError::UnknownProvince("99".into())));
        assert_eq!(Nik::parse("1807053203950003"), Err(NikError::BadDate("320395".into())));
        assert_eq!(Nik::parse("1807057203950003"), Err(NikError::BadDate("720395".into())));
        assert_eq!(Nik::parse("1807051213950003"), Err(NikError::BadDate("121395".into())));
        assert_eq!(Nik::parse("1807051203950000"), Err(NikError::ZeroSerial));
        assert!(Nik::parse("1807 0552 0395 0003").is_ok());
    }

    #[test]
    fn inconsistencies_with_the_declaration_are_warnings() {
        let nik = Nik::parse("1899015203950003").unwrap();
        let warnings = nik.check(d(2025, 1, 1), Some(d(1995, 12, 3)), Some(Sex::Male));
        assert_eq!(
            warnings,
            vec![
                NikWarning::UnknownDistrict { code: "18.99.01".into() },
                NikWarning::BirthDateMismatch {
                    encoded: "1995-03-12".into(),
                    declared: d(1995, 12, 3)
                },
                NikWarning::SexMismatch { encoded: Sex::Female, declared: Sex::Male },
            ]
        );
    }

    proptest! {
        #[test]
        fn every_valid_birth_date_and_sex_round_trips(
            days in 0i64..36_500, female: bool, serial in 1u16..9999
        ) {
            let birth = d(1930, 1, 1) + time::Duration::days(days);
            let day = birth.day() + if female { 40 } else { 0 };
            let text = format!(
                "180705{:02}{:02}{:02}{:04}",
                day, u8::from(birth.month()), birth.year() % 100, serial
            );
            let nik = Nik::parse(&text).unwrap();
            prop_assert_eq!(nik.birth_date(d(2030, 12, 31), Some(birth)), Some(birth));
            prop_assert_eq!(nik.sex(), if female { Sex::Female } else { Sex::Male });
        }
    }
}
