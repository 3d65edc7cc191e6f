//! Kemendagri region codes (`PP.KK.CC.DDDD`) and the embedded reference list.
//!
//! The list is compiled into the binary (a fresh machine has no `shared/` folder) and parsed
//! once on first use. Codes are stored in compact form (2/4/6/10 digits) and shown dotted.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The level of a region code, told apart by its number of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegionLevel {
    Province,
    Regency,
    District,
    Village,
}

/// A syntactically valid Kemendagri code (not necessarily present in the reference list).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(pub(crate) String);

/// Why a region code could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionCodeError {
    #[error("region code must contain only digits and dots")]
    NotDigits,
    #[error("region code must have 2, 4, 6 or 10 digits, found {0}")]
    BadLength(usize),
    #[error("region code {0} is not in the Kemendagri list")]
    Unknown(String),
}

impl RegionCode {
    /// Parses a dotted (`18.09.01.2004`) or compact (`1809012004`) code.
    pub fn parse(input: &str) -> Result<Self, RegionCodeError> {
        let trimmed = input.trim();
        let mut digits = String::with_capacity(10);
        for ch in trimmed.chars() {
            match ch {
                '0'..='9' => digits.push(ch),
                '.' | ' ' => {}
                _ => return Err(RegionCodeError::NotDigits),
            }
        }
        match digits.len() {
            2 | 4 | 6 | 10 => Ok(Self(digits)),
            n => Err(RegionCodeError::BadLength(n)),
        }
    }

    /// Parses a village code (10 digits) and checks it against the reference list.
    pub fn parse_village(input: &str) -> Result<Self, RegionCodeError> {
        let code = Self::parse(input)?;
        if code.level() != RegionLevel::Village {
            return Err(RegionCodeError::BadLength(code.0.len()));
        }
        if regions().get(&code).is_none() {
            return Err(RegionCodeError::Unknown(code.dotted()));
        }
        Ok(code)
    }

    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            2 => RegionLevel::Province,
            4 => RegionLevel::Regency,
            6 => RegionLevel::District,
            _ => RegionLevel::Village,
        }
    }

    /// Compact digits, e.g. `1809012004`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Dotted form, e.g. `18.09.01.2004`.
    pub fn dotted(&self) -> String {
        let d = &self.0;
        match d.len() {
            2 => d.clone(),
            4 => format!("{}.{}", &d[..2], &d[2..]),
            6 => format!("{}.{}.{}", &d[..2], &d[2..4], &d[4..]),
            _ => format!("{}.{}.{}.{}", &d[..2], &d[2..4], &d[4..6], &d[6..]),
        }
    }

    /// The enclosing region at `level`, if this code is at that level or below.
    pub fn ancestor(&self, level: RegionLevel) -> Option<RegionCode> {
        let len = match level {
            RegionLevel::Province => 2,
            RegionLevel::Regency => 4,
            RegionLevel::District => 6,
            RegionLevel::Village => 10,
        };
        (self.0.len() >= len).then(|| RegionCode(self.0[..len].to_owned()))
    }

    pub fn province(&self) -> RegionCode {
        RegionCode(self.0[..2].to_owned())
    }

    pub fn regency(&self) -> Option<RegionCode> {
        self.ancestor(RegionLevel::Regency)
    }

    /// `true` for a kota (digits 3-4 from 71), `false` for a kabupaten.
    pub fn is_city(&self) -> bool {
        self.0.len() >= 4 && self.0.as_bytes()[2] >= b'7'
    }

    /// Reference-list entry for this code, if the code is known.
    pub fn info(&self) -> Option<&'static Region> {
        regions().get(self)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dotted())
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(value: RegionCode) -> Self {
        value.0
    }
}

/// One entry of the Kemendagri list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub parent: Option<RegionCode>,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
}

/// The embedded reference list of provinces, regencies, districts and villages.
#[derive(Debug, Default)]
pub struct Regions {
    by_code: HashMap<RegionCode, Region>,
}

impl Regions {
    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.by_code.get(code)
    }

    pub fn contains(&self, code: &RegionCode) -> bool {
        self.by_code.contains_key(code)
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// All entries at one level, in code order.
    pub fn at_level(&self, level: RegionLevel) -> Vec<&Region> {
        let mut out: Vec<&Region> = self.by_code.values().filter(|r| r.level() == level).collect();
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// Children of `parent`, in code order.
    pub fn children(&self, parent: &RegionCode) -> Vec<&Region> {
        let mut out: Vec<&Region> =
            self.by_code.values().filter(|r| r.parent.as_ref() == Some(parent)).collect();
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// Human-readable path, e.g. `Way Layap, Gedong Tataan, Kabupaten Pesawaran, Lampung`.
    pub fn describe(&self, code: &RegionCode) -> Option<String> {
        let mut parts = Vec::new();
        let mut current = self.get(code)?;
        parts.push(current.name.clone());
        while let Some(parent) = current.parent.as_ref().and_then(|p| self.get(p)) {
            parts.push(parent.name.clone());
            current = parent;
        }
        Some(parts.join(", "))
    }

    fn load(sources: &[&str]) -> Self {
        let mut by_code = HashMap::new();
        for source in sources {
            let mut reader = csv::Reader::from_reader(source.as_bytes());
            for record in reader.records().flatten() {
                let (Some(code), Some(name)) = (record.get(0), record.get(1)) else { continue };
                let Ok(code) = RegionCode::parse(code) else { continue };
                let parent = record.get(3).and_then(|p| RegionCode::parse(p).ok());
                by_code.insert(code.clone(), Region { code, name: name.to_owned(), parent });
            }
        }
        Self { by_code }
    }
}

const PROVINCES: &str = include_str!("../data/wilayah/provinces.csv");
const REGENCIES: &str = include_str!("../data/wilayah/regencies.csv");
const DISTRICTS: &str = include_str!("../data/wilayah/districts.csv");
const VILLAGES: &str = include_str!("../data/wilayah/villages.csv");

/// The embedded list, parsed once on first use (about 92,000 entries).
pub fn regions() -> &'static Regions {
    static REGIONS: OnceLock<Regions> = OnceLock::new();
    REGIONS.get_or_init(|| Regions::load(&[PROVINCES, REGENCIES, DISTRICTS, VILLAGES]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_has_the_national_counts() {
        let r = regions();
        assert_eq!(r.at_level(RegionLevel::Province).len(), 38);
        assert_eq!(r.at_level(RegionLevel::Regency).len(), 514);
        assert_eq!(r.at_level(RegionLevel::District).len(), 7285);
        assert_eq!(r.at_level(RegionLevel::Village).len(), 83762);
    }

    #[test]
    fn dotted_and_compact_forms_parse_to_the_same_code() {
        let a = RegionCode::parse("18.09.01.2004").unwrap();
        let b = RegionCode::parse("1809012004").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.dotted(), "18.09.01.2004");
        assert_eq!(a.regency().unwrap().dotted(), "18.09");
        assert_eq!(a.info().unwrap().name, "Way Layap");
    }

    #[test]
    fn describe_walks_up_to_the_province() {
        let code = RegionCode::parse("18.09.01.2004").unwrap();
        let text = regions().describe(&code).unwrap();
        assert_eq!(text, "Way Layap, Gedong Tataan, Kabupaten Pesawaran, Lampung");
    }

    #[test]
    fn unknown_and_malformed_village_codes_are_rejected() {
        assert_eq!(
            RegionCode::parse_village("18.09.01.9999"),
            Err(RegionCodeError::Unknown("18.09.01.9999".into()))
        );
        assert_eq!(RegionCode::parse("18.09.0"), Err(RegionCodeError::BadLength(5)));
        assert_eq!(RegionCode::parse("18-09"), Err(RegionCodeError::NotDigits));
        assert!(RegionCode::parse("18.71").unwrap().is_city());
        assert!(!RegionCode::parse("18.07").unwrap().is_city());
    }
}
