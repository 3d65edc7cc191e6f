//! One application given as named fields (a web form, a JSON payload) rather than a file row:
//! the same parsing and the same messages as the importer, located by field name.

use std::collections::HashSet;

use jejak_domain::{NewApplication, OfficeCode};

use crate::cell::parse_row;
use crate::column::Column;

/// A problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The column's canonical name (e.g. `nik`).
    pub field: &'static str,
    pub value: Option<String>,
    pub message: String,
}

/// A parsed application with its warnings, or every problem that stops it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecord {
    pub application: Option<NewApplication>,
    pub errors: Vec<FieldProblem>,
    pub warnings: Vec<FieldProblem>,
}

/// Parses an application from `(field, value)` pairs; a field is named by its canonical or
/// Indonesian column name. Unknown field names are errors (a typo must not lose data).
pub fn parse_record<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    known_offices: &HashSet<OfficeCode>,
) -> ParsedRecord {
    let mut cells: [Option<String>; 23] = Default::default();
    let mut unknown = Vec::new();
    for (name, value) in fields {
        match Column::from_header(name) {
            Some(column) => cells[column as usize] = Some(value.to_owned()),
            None => unknown.push(FieldProblem {
                field: "",
                value: Some(name.to_owned()),
                message: format!("unknown field {name:?}"),
            }),
        }
    }
    let parsed = parse_row(&cells, known_offices);
    let convert = |p: crate::cell::CellProblem| FieldProblem {
        field: p.column.canonical(),
        value: p.value,
        message: p.message,
    };
    let mut errors: Vec<FieldProblem> = parsed.errors.into_iter().map(convert).collect();
    errors.extend(unknown);
    ParsedRecord {
        application: if errors.is_empty() { parsed.application } else { None },
        errors,
        warnings: parsed.warnings.into_iter().map(convert).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offices() -> HashSet<OfficeCode> {
        ["BDL", "KLA"].iter().map(|c| OfficeCode::parse(c).unwrap()).collect()
    }

    #[test]
    fn a_form_parses_like_a_file_row() {
        let parsed = parse_record(
            [
                ("application_id", "KLA-1"),
                ("office_code", "KLA"),
                ("tanggal_permohonan", "2025-02-01"),
                ("full_name", "Suryani"),
                ("nik", "1807054503950001"),
                ("phone", "0812 3456 7890"),
            ],
            &offices(),
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let app = parsed.application.unwrap();
        assert_eq!(app.phone.unwrap().as_str(), "+6281234567890");
    }

    #[test]
    fn problems_name_the_field() {
        let parsed = parse_record(
            [
                ("application_id", "KLA-1"),
                ("office_code", "XXX"),
                ("applied_on", "2025-02-01"),
                ("full_name", "Suryani"),
                ("nik", "12345"),
                ("nikk", "1"),
            ],
            &offices(),
        );
        assert!(parsed.application.is_none());
        let fields: Vec<&str> = parsed.errors.iter().map(|e| e.field).collect();
        assert!(fields.contains(&"office_code") && fields.contains(&"nik"), "{fields:?}");
        assert!(parsed.errors.iter().any(|e| e.message.contains("nikk")));
    }
}
