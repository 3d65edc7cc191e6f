//! One application given as named fields (a web form, a JSON payload) rather than a file row:
//! the same parsing and the same messages as the importer, located by field name.

use std::collections::HashSet;

use jejak_domain::{NewApplication, OfficeCode};

use crate::cell::{IdentifierMode, parse_row};
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
/// Indonesian column name. Unknown field names are errors (a typo must not lose data). This is
/// entry at the desk: an invalid identifier (an impossible NIK) is an error, not kept
/// ([`IdentifierMode::Strict`]).
pub fn parse_record<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    known_offices: &HashSet<OfficeCode>,
) -> ParsedRecord {
    let mut cells = Cells::default();
    let mut unknown = Vec::new();
    for (name, value) in fields {
        match Column::from_header(name) {
            Some(column) => cells[column as usize] = Some(value.to_owned()),
            None => unknown.push(name.to_owned()),
        }
    }
    parse_cells(&cells, unknown, known_offices)
}

/// One value per column, in [`Column::ALL`] order.
type Cells = [Option<String>; Column::ALL.len()];

/// The application in `cells`, or its problems; `unknown` field names are errors too.
fn parse_cells(
    cells: &Cells,
    unknown: Vec<String>,
    known_offices: &HashSet<OfficeCode>,
) -> ParsedRecord {
    let parsed = parse_row(cells, known_offices, IdentifierMode::Strict);
    let convert = |p: crate::cell::CellProblem| FieldProblem {
        field: p.column.canonical(),
        value: p.value,
        message: p.message,
    };
    let mut errors: Vec<FieldProblem> = parsed.errors.into_iter().map(convert).collect();
    errors.extend(unknown.into_iter().map(|name| FieldProblem {
        field: "",
        message: format!("unknown field {name:?}"),
        value: Some(name),
    }));
    ParsedRecord {
        application: if errors.is_empty() { parsed.application } else { None },
        errors,
        warnings: parsed.warnings.into_iter().map(convert).collect(),
    }
}

/// Why a JSON payload is not an application at all (as opposed to one with bad fields).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonRecordError {
    #[error("malformed JSON: {0}")]
    Malformed(String),
    #[error("the body must be a JSON object of field names")]
    NotAnObject,
    #[error("field {field}: expected a string, got {found}")]
    NotText { field: String, found: &'static str },
}

/// Parses an application sent as a JSON object (the API's payload): field names as in
/// [`parse_record`], values as strings (numbers are taken as their text, `null` as absent).
/// Without `office_code`, `default_office` is used.
pub fn parse_json_record(
    body: &[u8],
    default_office: &OfficeCode,
    known_offices: &HashSet<OfficeCode>,
) -> Result<ParsedRecord, JsonRecordError> {
    // Straight into column cells, field names resolved as they are read (the screening API
    // takes thousands of these a second); a body that is not an object (or not JSON) is
    // parsed again as a general JSON value to say which.
    let Ok(JsonFields { mut cells, mut unknown, not_text }) =
        serde_json::from_slice::<JsonFields>(body)
    else {
        return Err(not_an_object(body));
    };
    if let Some((field, found)) = not_text {
        return Err(JsonRecordError::NotText { field, found });
    }
    let office = &mut cells[Column::OfficeCode as usize];
    if office.is_none() {
        *office = Some(default_office.as_str().to_owned());
    }
    unknown.sort_unstable();
    unknown.dedup();
    Ok(parse_cells(&cells, unknown, known_offices))
}

/// Why `body` did not parse as an object of field values.
fn not_an_object(body: &[u8]) -> JsonRecordError {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(_) => JsonRecordError::NotAnObject,
        Err(e) => JsonRecordError::Malformed(e.to_string()),
    }
}

/// A JSON object's fields by column. A field given twice keeps its last value (`null`
/// clears it); unknown names with a value are kept for the report; of the fields that are
/// not text, the first by name is the one reported, a known field by its canonical name
/// (as every other field problem is named).
struct JsonFields {
    cells: Cells,
    unknown: Vec<String>,
    not_text: Option<(String, &'static str)>,
}

impl<'de> serde::Deserialize<'de> for JsonFields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> serde::de::Visitor<'de> for FieldsVisitor {
    type Value = JsonFields;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of field values")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonFields, A::Error> {
        let mut fields =
            JsonFields { cells: Cells::default(), unknown: Vec::new(), not_text: None };
        while let Some(FieldName(name)) = map.next_key()? {
            let text = match map.next_value::<JsonCell>()? {
                JsonCell::Null => None,
                JsonCell::Text(s) => Some(s),
                JsonCell::Number(n) => Some(n.to_string()),
                JsonCell::Other(found) => {
                    let name = match name {
                        Ok(column) => column.canonical().to_owned(),
                        Err(name) => name,
                    };
                    if fields.not_text.as_ref().is_none_or(|(first, _)| name < *first) {
                        fields.not_text = Some((name, found));
                    }
                    continue;
                }
            };
            match name {
                Ok(column) => fields.cells[column as usize] = text,
                // An unknown field without a value loses nothing, so it is no error.
                Err(name) if text.is_some() => fields.unknown.push(name),
                Err(_) => {}
            }
        }
        Ok(fields)
    }
}

/// A field name resolved to its column, or the unknown name as given.
struct FieldName(Result<Column, String>);

impl<'de> serde::Deserialize<'de> for FieldName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(FieldNameVisitor)
    }
}

struct FieldNameVisitor;

impl serde::de::Visitor<'_> for FieldNameVisitor {
    type Value = FieldName;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, name: &str) -> Result<FieldName, E> {
        Ok(FieldName(Column::from_header(name).ok_or_else(|| name.to_owned())))
    }
}

/// One field's JSON value, as far as a field cell cares.
enum JsonCell {
    Null,
    Text(String),
    Number(serde_json::Number),
    /// Not text: what was found instead.
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for JsonCell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> serde::de::Visitor<'de> for CellVisitor {
    type Value = JsonCell;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<JsonCell, E> {
        Ok(JsonCell::Null)
    }

    fn visit_none<E>(self) -> Result<JsonCell, E> {
        Ok(JsonCell::Null)
    }

    fn visit_str<E>(self, v: &str) -> Result<JsonCell, E> {
        Ok(JsonCell::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<JsonCell, E> {
        Ok(JsonCell::Text(v))
    }

    fn visit_bool<E>(self, _: bool) -> Result<JsonCell, E> {
        Ok(JsonCell::Other("a boolean"))
    }

    fn visit_i64<E>(self, v: i64) -> Result<JsonCell, E> {
        Ok(JsonCell::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<JsonCell, E> {
        Ok(JsonCell::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<JsonCell, E> {
        serde_json::Number::from_f64(v)
            .map(JsonCell::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<JsonCell, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(JsonCell::Other("an array"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonCell, A::Error> {
        while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
        Ok(JsonCell::Other("an object"))
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
    fn json_payloads_parse_like_forms_and_say_what_is_wrong() {
        let kla = OfficeCode::parse("KLA").unwrap();
        let ok = br#"{"application_id":"KLA-1","applied_on":"2025-02-01","full_name":"Sri","nik":1807054503950001,"phone":null}"#;
        let parsed = parse_json_record(ok, &kla, &offices()).unwrap();
        assert_eq!(parsed.application.unwrap().office_code, kla);
        assert_eq!(parse_json_record(b"[1]", &kla, &offices()), Err(JsonRecordError::NotAnObject));
        assert!(matches!(
            parse_json_record(b"{", &kla, &offices()),
            Err(JsonRecordError::Malformed(_))
        ));
        let bad = parse_json_record(br#"{"full_name":true}"#, &kla, &offices()).unwrap_err();
        assert_eq!(bad.to_string(), "field full_name: expected a string, got a boolean");
        let bad = parse_json_record(br#"{"nama_lengkap":[1],"zz":{}}"#, &kla, &offices());
        assert_eq!(
            bad.unwrap_err().to_string(),
            "field full_name: expected a string, got an array"
        );
    }

    #[test]
    fn json_fields_take_either_name_any_case_and_unknown_ones_are_reported_by_name() {
        let kla = OfficeCode::parse("KLA").unwrap();
        let body = br#"{"zz_extra":"1","APPLICATION_ID":"KLA-9","tanggal_permohonan":"2025-02-01",
            "nama_lengkap":"Sri","full_name":"Sri Wahyuni","office_code":null,"aa_extra":2,
            "zz_extra":"again","empty_extra":null}"#;
        let parsed = parse_json_record(body, &kla, &offices()).unwrap();
        assert_eq!(parsed.application, None);
        let unknown: Vec<_> = parsed.errors.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(unknown, ["unknown field \"aa_extra\"", "unknown field \"zz_extra\""]);

        let body = br#"{"APPLICATION_ID":"KLA-9","tanggal_permohonan":"2025-02-01",
            "nama_lengkap":"Sri","nama_lengkap":"Sri Wahyuni","office_code":null,"x":null}"#;
        let app = parse_json_record(body, &kla, &offices()).unwrap().application.unwrap();
        assert_eq!(app.application_id, "KLA-9");
        assert_eq!(app.full_name, "Sri Wahyuni", "the last of a repeated field counts");
        assert_eq!(app.office_code, kla, "a null office is the caller's office");
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

    #[test]
    fn at_the_desk_an_impossible_identifier_is_refused_not_kept() {
        for (field, value) in [
            ("nik", "180705520395000"),
            ("nik", "1807053203950003"),
            ("phone", "0812-345"),
            ("sponsor_phone", "+60123456789"),
            ("previous_passport_no", "B12/345"),
        ] {
            let parsed = parse_record(
                [
                    ("application_id", "KLA-1"),
                    ("office_code", "KLA"),
                    ("applied_on", "2025-02-01"),
                    ("full_name", "Suryani"),
                    (field, value),
                ],
                &offices(),
            );
            assert_eq!(parsed.application, None, "{field} {value}");
            assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
            assert_eq!(parsed.errors[0].field, field);
            assert_eq!(parsed.errors[0].value.as_deref(), Some(value));
        }
        let kla = OfficeCode::parse("KLA").unwrap();
        let body = br#"{"application_id":"KLA-1","applied_on":"2025-02-01","full_name":"Sri","nik":"180705520395000"}"#;
        let parsed = parse_json_record(body, &kla, &offices()).unwrap();
        assert_eq!(parsed.application, None);
        assert_eq!(parsed.errors[0].message, "NIK must be 16 digits, found 15 digits");
    }

    /// The payload parse as it was, through a general `serde_json::Value`.
    fn reference(body: &[u8]) -> Result<ParsedRecord, JsonRecordError> {
        use serde_json::Value;
        let kla = OfficeCode::parse("KLA").unwrap();
        let map = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(JsonRecordError::NotAnObject),
            Err(e) => return Err(JsonRecordError::Malformed(e.to_string())),
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        for (name, value) in map {
            let text = match value {
                Value::Null => continue,
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(_) => {
                    return Err(JsonRecordError::NotText { field: name, found: "a boolean" });
                }
                Value::Array(_) => {
                    return Err(JsonRecordError::NotText { field: name, found: "an array" });
                }
                Value::Object(_) => {
                    return Err(JsonRecordError::NotText { field: name, found: "an object" });
                }
            };
            fields.push((name, text));
        }
        if !fields.iter().any(|(k, _)| Column::from_header(k) == Some(Column::OfficeCode)) {
            fields.push(("office_code".into(), kla.as_str().to_owned()));
        }
        Ok(parse_record(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), &offices()))
    }

    #[test]
    fn json_payloads_parse_as_through_a_general_json_value() {
        let kla = OfficeCode::parse("KLA").unwrap();
        let bodies: [&[u8]; 16] = [
            br#"{"application_id":"KLA-1","applied_on":"2025-02-01","full_name":"Sri","nik":1807054503950001,"phone":null}"#,
            br#"{"full_name":"Sri","full_name":"Sr\u00ed","applied_on":"2025-02-01","application_id":"K-2","office_code":"BDL"}"#,
            br#"{"zeta":[1,{"a":2}],"alpha":{"b":[]},"full_name":true}"#,
            br#"{"nik":-12,"phone":1.5e3,"birth_date":2.25,"application_id":"x"}"#,
            br#"{"nama_lengkap":"Wulan","tanggal_permohonan":"2025-02-01","application_id":"KLA-3","typo":"x"}"#,
            br#"{}"#,
            br#"[1]"#,
            br#"[1,2"#,
            br#""text""#,
            br#"null"#,
            br#"{"#,
            br#"{"a":1,}"#,
            br#"{"a":tru}"#,
            b"",
            b"{\"a\":\"\xff\"}",
            br#"{"a":1} trailing"#,
        ];
        for body in bodies {
            assert_eq!(
                parse_json_record(body, &kla, &offices()),
                reference(body),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
