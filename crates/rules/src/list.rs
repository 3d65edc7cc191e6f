//! Reference lists: dated data that conditions consult with `in list("name")` and
//! `missing("name", ...)`, and that rules may take weights from.
//!
//! Four kinds:
//! * `countries`: ISO alpha-2 keys (high-risk destinations, moratorium countries);
//! * `regions`: Kemendagri codes; a code is in the list when it or one of its ancestors is
//!   (PMI pockets, desa binaan);
//! * `values`: free-text or enum values, compared case-insensitively (occupations);
//! * `requirements`: per key (a purpose), the documents required: all of `all_of` and, when
//!   `any_of` is not empty, at least one of `any_of`.
//!
//! Every entry has its own validity period, so a change such as the 2025 reopening of Saudi
//! Arabia is an end date on one entry, not an edit of history.

use serde::Serialize;
use time::Date;

use crate::region;
use crate::validity::Validity;
use crate::value::{FactType, Value};

/// The kind of a list, which decides key format and matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// ISO 3166-1 alpha-2 country codes.
    Countries,
    /// Kemendagri region codes, matched hierarchically.
    Regions,
    /// Text values, matched case-insensitively.
    Values,
    /// Purpose -> required documents.
    Requirements,
}

impl ListKind {
    /// Parses the `kind` key of a list.
    pub fn parse(text: &str) -> Option<ListKind> {
        match text {
            "countries" => Some(ListKind::Countries),
            "regions" => Some(ListKind::Regions),
            "values" => Some(ListKind::Values),
            "requirements" => Some(ListKind::Requirements),
            _ => None,
        }
    }

    /// The name as written in rule files.
    pub fn name(self) -> &'static str {
        match self {
            ListKind::Countries => "countries",
            ListKind::Regions => "regions",
            ListKind::Values => "values",
            ListKind::Requirements => "requirements",
        }
    }

    /// True when a fact of type `ty` can be looked up in a list of this kind.
    pub fn accepts(self, ty: FactType) -> bool {
        matches!(
            (self, ty),
            (ListKind::Countries, FactType::Country)
                | (ListKind::Regions, FactType::Region)
                | (ListKind::Values, FactType::Text | FactType::Enum(_))
        )
    }

    /// Canonical key form for this kind, or `None` when the key is malformed.
    pub fn canonical_key(self, key: &str) -> Option<String> {
        match self {
            ListKind::Countries => {
                crate::value::parse_country(key).ok().map(|c| String::from_utf8_lossy(&c).into())
            }
            ListKind::Regions => region::canonical(key),
            ListKind::Values | ListKind::Requirements => {
                let k = crate::value::normalise_text(key);
                (!k.is_empty()).then_some(k)
            }
        }
    }
}

/// One entry of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListEntry {
    /// Canonical key.
    pub key: String,
    /// Points given to a rule that takes its weight from this list.
    pub weight: Option<i64>,
    /// When the entry is in force.
    pub validity: Validity,
    /// Free-text note (name, source, caveat).
    pub note: String,
    /// `requirements` lists: documents all required.
    pub all_of: Vec<String>,
    /// `requirements` lists: documents of which one is required.
    pub any_of: Vec<String>,
}

/// A reference list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefList {
    /// Name used in conditions.
    pub name: String,
    /// Kind.
    pub kind: ListKind,
    /// Indonesian title.
    pub title_id: String,
    /// English title.
    pub title_en: String,
    /// Where the data comes from.
    pub source: String,
    /// Entries, sorted by key (then by start of validity).
    pub entries: Vec<ListEntry>,
}

impl RefList {
    /// Sorts entries so that lookups can use binary search.
    pub(crate) fn sort(&mut self) {
        self.entries.sort_by(|a, b| a.key.cmp(&b.key).then(a.validity.from.cmp(&b.validity.from)));
    }

    /// The entry for exactly this canonical key in force on `on`.
    pub fn find(&self, key: &str, on: Date) -> Option<&ListEntry> {
        let start = self.entries.partition_point(|e| e.key.as_str() < key);
        self.entries[start..].iter().take_while(|e| e.key == key).find(|e| e.validity.contains(on))
    }

    /// The most specific entry matching a value in force on `on` (for regions: the code itself,
    /// else its nearest listed ancestor).
    pub fn lookup(&self, value: &Value, ty: FactType, on: Date) -> Option<&ListEntry> {
        match (self.kind, value) {
            (ListKind::Countries, Value::Country(c)) => {
                std::str::from_utf8(c).ok().and_then(|k| self.find(k, on))
            }
            (ListKind::Regions, Value::Region(code)) => {
                region::self_and_ancestors(code).find_map(|k| self.find(k, on))
            }
            (ListKind::Values, Value::Text(text)) => self.find(text, on),
            (ListKind::Values, Value::Enum(_)) => {
                self.find(&value.render(ty).to_ascii_lowercase(), on)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn entry(key: &str, from: Option<Date>, to: Option<Date>, weight: i64) -> ListEntry {
        ListEntry {
            key: key.into(),
            weight: Some(weight),
            validity: Validity { from, to },
            note: String::new(),
            all_of: vec![],
            any_of: vec![],
        }
    }

    fn list(kind: ListKind, entries: Vec<ListEntry>) -> RefList {
        let mut l = RefList {
            name: "x".into(),
            kind,
            title_id: String::new(),
            title_en: String::new(),
            source: String::new(),
            entries,
        };
        l.sort();
        l
    }

    #[test]
    fn dated_entries_are_only_found_in_force() {
        let l = list(
            ListKind::Countries,
            vec![
                entry("SA", Some(date!(2015 - 07 - 01)), Some(date!(2025 - 03 - 13)), 1),
                entry("AE", Some(date!(2015 - 07 - 01)), None, 1),
            ],
        );
        let sa = Value::Country(*b"SA");
        assert!(l.lookup(&sa, FactType::Country, date!(2024 - 01 - 01)).is_some());
        assert!(l.lookup(&sa, FactType::Country, date!(2025 - 03 - 14)).is_none());
        assert!(l.lookup(&sa, FactType::Country, date!(2010 - 01 - 01)).is_none());
    }

    #[test]
    fn regions_match_the_most_specific_ancestor() {
        let l = list(
            ListKind::Regions,
            vec![entry("18.07", None, None, 10), entry("18.07.05", None, None, 15)],
        );
        let on = date!(2025 - 01 - 01);
        let v = |c: &str| Value::Region(c.into());
        assert_eq!(l.lookup(&v("18.07.05.2001"), FactType::Region, on).unwrap().weight, Some(15));
        assert_eq!(l.lookup(&v("18.07.01.2001"), FactType::Region, on).unwrap().weight, Some(10));
        assert!(l.lookup(&v("18.71.01.1001"), FactType::Region, on).is_none());
    }

    #[test]
    fn keys_are_canonicalised_per_kind() {
        assert_eq!(ListKind::Countries.canonical_key("my").as_deref(), Some("MY"));
        assert_eq!(ListKind::Countries.canonical_key("MYS"), None);
        assert_eq!(ListKind::Regions.canonical_key("1807").as_deref(), Some("18.07"));
        assert_eq!(ListKind::Values.canonical_key(" PETANI ").as_deref(), Some("petani"));
        assert_eq!(ListKind::Values.canonical_key("  "), None);
    }
}
