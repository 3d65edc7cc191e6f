//! Immigration offices (Kanim) and their work areas (the regencies whose residents they serve).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::region::RegionCode;

/// A short office code such as `BDL`: letters, digits and dashes, at most 16 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficeCode(String);

/// Why an office code is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfficeCodeError {
    #[error("office code must not be empty")]
    Empty,
    #[error("office code may contain only letters, digits and dashes, at most 16 characters")]
    Malformed,
}

impl OfficeCode {
    /// Reads a code, upper-casing it (`bdl` = `BDL`).
    pub fn parse(input: &str) -> Result<Self, OfficeCodeError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(OfficeCodeError::Empty);
        }
        if t.len() > 16 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(OfficeCodeError::Malformed);
        }
        Ok(Self(t.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The office the command line names when the register has none yet (a fresh register
    /// being set up or restored). Never stored: console audit entries carry no office.
    pub fn console() -> Self {
        Self("KONSOL".to_owned())
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OfficeCode {
    type Error = OfficeCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OfficeCode> for String {
    fn from(value: OfficeCode) -> Self {
        value.0
    }
}

/// An immigration office with its work area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub code: OfficeCode,
    pub name: String,
    /// Regency (kab/kota) codes whose residents this office serves.
    pub work_area: Vec<RegionCode>,
}

impl Office {
    /// Whether a domicile (any region code at regency level or below) lies in the work area.
    pub fn serves(&self, domicile: &RegionCode) -> bool {
        domicile.regency().is_some_and(|regency| self.work_area.contains(&regency))
    }

    /// The three pilot offices of Kanwil Lampung with their work areas (DOMAIN.md §5.2).
    pub fn lampung_pilot() -> Vec<Office> {
        let office = |code: &str, name: &str, area: &[&str]| Office {
            code: OfficeCode(code.to_owned()),
            name: name.to_owned(),
            work_area: area.iter().filter_map(|c| RegionCode::parse(c).ok()).collect(),
        };
        vec![
            office(
                "BDL",
                "Kantor Imigrasi Kelas I TPI Bandar Lampung",
                &["18.71", "18.72", "18.02", "18.06", "18.09", "18.10"],
            ),
            office("KLA", "Kantor Imigrasi Kelas II Non TPI Kalianda", &["18.01", "18.07"]),
            office(
                "KTB",
                "Kantor Imigrasi Kelas II Non TPI Kotabumi",
                &["18.03", "18.04", "18.05", "18.08", "18.11", "18.12", "18.13"],
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pilot_offices_cover_all_fifteen_lampung_regencies_once() {
        let offices = Office::lampung_pilot();
        let mut all: Vec<_> = offices.iter().flat_map(|o| o.work_area.iter().cloned()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 15);
        assert_eq!(offices.iter().map(|o| o.work_area.len()).sum::<usize>(), 15);
    }

    #[test]
    fn an_office_serves_villages_in_its_regencies() {
        let kalianda = &Office::lampung_pilot()[1];
        assert!(kalianda.serves(&RegionCode::parse("18.07.05.2001").unwrap()));
        assert!(!kalianda.serves(&RegionCode::parse("18.09.01.2004").unwrap()));
    }

    #[test]
    fn codes_are_upper_cased_and_checked() {
        assert_eq!(OfficeCode::parse(" bdl ").unwrap().as_str(), "BDL");
        assert_eq!(OfficeCode::parse(""), Err(OfficeCodeError::Empty));
        assert_eq!(OfficeCode::parse("B D L"), Err(OfficeCodeError::Malformed));
    }
}
