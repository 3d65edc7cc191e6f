//! Matching a file's header row to the format's columns, with user mappings for legacy
//! spreadsheets (`--map "Nama Pemohon=full_name"`) and an opt-in to ignore unknown columns.

use std::collections::HashMap;

use crate::column::Column;

/// What a user mapping sends a header to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    Column(Column),
    Ignore,
}

/// Problems with the header row or the mappings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    #[error("mapping {0:?} must look like \"Header=column\"")]
    BadMapping(String),
    #[error(
        "mapping {mapping:?} names unknown column {column:?}; use a canonical column name or \"ignore\""
    )]
    UnknownTarget { mapping: String, column: String },
}

/// User-supplied header mappings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderMapping {
    by_header: HashMap<String, Mapping>,
}

impl HeaderMapping {
    /// Parses `"Header=column"` entries (`column` may be `ignore`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, HeaderError> {
        let mut by_header = HashMap::new();
        for entry in entries {
            let entry = entry.as_ref();
            let Some((header, column)) = entry.rsplit_once('=') else {
                return Err(HeaderError::BadMapping(entry.to_owned()));
            };
            if header.trim().is_empty() {
                return Err(HeaderError::BadMapping(entry.to_owned()));
            }
            let target = if column.trim().eq_ignore_ascii_case("ignore") {
                Mapping::Ignore
            } else {
                Mapping::Column(Column::from_header(column).ok_or_else(|| {
                    HeaderError::UnknownTarget {
                        mapping: entry.to_owned(),
                        column: column.trim().to_owned(),
                    }
                })?)
            };
            by_header.insert(header.trim().to_lowercase(), target);
        }
        Ok(Self { by_header })
    }

    fn lookup(&self, header: &str) -> Option<Mapping> {
        self.by_header.get(&header.trim().to_lowercase()).copied()
    }
}

/// Result of reading a header row: the column each position feeds, and the problems.
pub(crate) struct ResolvedHeader {
    pub(crate) positions: Vec<Option<Column>>,
    pub(crate) problems: Vec<(Option<String>, String)>,
}

pub(crate) fn resolve(
    header: &[String],
    mapping: &HeaderMapping,
    ignore_unknown: bool,
) -> ResolvedHeader {
    let mut positions = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    let mut seen: HashMap<Column, usize> = HashMap::new();
    for (index, text) in header.iter().enumerate() {
        let target =
            mapping.lookup(text).or_else(|| Column::from_header(text).map(Mapping::Column));
        let column = match target {
            Some(Mapping::Column(column)) => Some(column),
            Some(Mapping::Ignore) => None,
            None if text.trim().is_empty() && ignore_unknown => None,
            None if ignore_unknown => None,
            None => {
                problems.push((
                    Some(text.clone()),
                    format!(
                        "unknown column {:?} (position {}): map it with --map \"{}=column\" or pass --ignore-unknown",
                        text.trim(),
                        index + 1,
                        text.trim()
                    ),
                ));
                None
            }
        };
        if let Some(column) = column
            && let Some(first) = seen.insert(column, index)
        {
            problems.push((
                Some(column.canonical().to_owned()),
                format!(
                    "column {} appears twice (positions {} and {})",
                    column.canonical(),
                    first + 1,
                    index + 1
                ),
            ));
        }
        positions.push(column);
    }
    for column in Column::ALL {
        if column.required() && !seen.contains_key(&column) {
            problems.push((
                Some(column.canonical().to_owned()),
                format!(
                    "required column {} (or {}) is missing",
                    column.canonical(),
                    column.alias()
                ),
            ));
        }
    }
    ResolvedHeader { positions, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn accepts_english_and_indonesian_names_in_any_case() {
        let h = header(&[" No_Permohonan", "KODE_KANTOR", "applied_on", "Nama_Lengkap"]);
        let r = resolve(&h, &HeaderMapping::default(), false);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.positions[0], Some(Column::ApplicationId));
        assert_eq!(r.positions[3], Some(Column::FullName));
    }

    #[test]
    fn unknown_missing_and_duplicate_columns_are_reported() {
        let h = header(&["application_id", "Nama Pemohon", "office_code", "kode_kantor"]);
        let r = resolve(&h, &HeaderMapping::default(), false);
        let messages: Vec<_> = r.problems.iter().map(|p| p.1.clone()).collect();
        assert!(messages[0].starts_with("unknown column \"Nama Pemohon\""));
        assert!(messages.iter().any(|m| m.contains("office_code appears twice")));
        assert!(messages.iter().any(|m| m.contains("required column applied_on")));
        assert!(messages.iter().any(|m| m.contains("required column full_name")));
    }

    #[test]
    fn mappings_rename_or_ignore_legacy_headers() {
        let map = HeaderMapping::parse(&["Nama Pemohon=full_name", "Catatan=ignore"]).unwrap();
        let h = header(&["application_id", "Nama Pemohon", "office_code", "applied_on", "catatan"]);
        let r = resolve(&h, &map, false);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.positions[1], Some(Column::FullName));
        assert_eq!(r.positions[4], None);
        assert!(matches!(
            HeaderMapping::parse(&["Nama=nama_panggilan"]),
            Err(HeaderError::UnknownTarget { .. })
        ));
        assert!(matches!(HeaderMapping::parse(&["full_name"]), Err(HeaderError::BadMapping(_))));
    }
}
