//! ISO 3166-1 alpha-2 country codes, read from codes or from English and Indonesian names.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// An ISO 3166-1 alpha-2 code that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

/// Why a country could not be recognised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown country {0:?}: use an ISO 3166-1 alpha-2 code (MY, SA) or the country's name")]
pub struct CountryError(pub String);

struct Country {
    code: CountryCode,
    name_en: String,
    name_id: String,
}

struct Countries {
    by_code: HashMap<CountryCode, Country>,
    by_name: HashMap<String, CountryCode>,
}

const COUNTRIES: &str = include_str!("../data/countries.csv");
const ALIASES: &str = include_str!("../data/countries_aliases.csv");

fn countries() -> &'static Countries {
    static LIST: OnceLock<Countries> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut by_code = HashMap::new();
        let mut by_name = HashMap::new();
        for row in csv::Reader::from_reader(COUNTRIES.as_bytes()).records().flatten() {
            let (Some(code), Some(en), Some(id)) = (row.get(0), row.get(1), row.get(2)) else {
                continue;
            };
            let bytes = code.as_bytes();
            if bytes.len() != 2 {
                continue;
            }
            let code = CountryCode([bytes[0], bytes[1]]);
            by_name.insert(fold(en), code);
            by_name.insert(fold(id), code);
            by_code.insert(code, Country { code, name_en: en.to_owned(), name_id: id.to_owned() });
        }
        for row in csv::Reader::from_reader(ALIASES.as_bytes()).records().flatten() {
            if let (Some(alias), Some(code)) = (row.get(0), row.get(1)) {
                let bytes = code.as_bytes();
                if bytes.len() == 2 {
                    by_name.insert(fold(alias), CountryCode([bytes[0], bytes[1]]));
                }
            }
        }
        Countries { by_code, by_name }
    })
}

impl CountryCode {
    /// Reads `MY`, `my`, `Malaysia`, `Arab Saudi`, `Saudi Arabia`…
    pub fn parse(input: &str) -> Result<Self, CountryError> {
        let trimmed = input.trim();
        let list = countries();
        if trimmed.len() == 2 {
            let upper = trimmed.to_ascii_uppercase();
            let b = upper.as_bytes();
            let code = CountryCode([b[0], b[1]]);
            if list.by_code.contains_key(&code) {
                return Ok(code);
            }
        }
        list.by_name.get(&fold(trimmed)).copied().ok_or_else(|| CountryError(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn name_en(&self) -> &'static str {
        countries().by_code.get(self).map_or("", |c| c.name_en.as_str())
    }

    pub fn name_id(&self) -> &'static str {
        countries().by_code.get(self).map_or("", |c| c.name_id.as_str())
    }

    /// All known codes, sorted.
    pub fn all() -> Vec<CountryCode> {
        let mut v: Vec<_> = countries().by_code.values().map(|c| c.code).collect();
        v.sort();
        v
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_and_names_in_both_languages() {
        for s in ["SA", "sa", "Saudi Arabia", "Arab Saudi", "ARAB SAUDI", " saudi "] {
            assert_eq!(CountryCode::parse(s).unwrap().as_str(), "SA", "{s}");
        }
        assert_eq!(CountryCode::parse("Kamboja").unwrap().as_str(), "KH");
        assert_eq!(CountryCode::parse("Uni Emirat Arab").unwrap().as_str(), "AE");
        assert_eq!(CountryCode::parse("MY").unwrap().name_id(), "Malaysia");
        assert_eq!(CountryCode::all().len(), 249);
    }

    #[test]
    fn unknown_countries_are_errors() {
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("Atlantis").is_err());
    }
}
