//! One application given as named fields (a web form, a JSON payload) rather than a file row:
//! the same parsing and the same messages as the importer, located by field name.

use std::collections::{BTreeMap, HashSet};

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
    // Straight into field cells; a body that is not an object (or not JSON) is parsed again
    // as a general JSON value to say which.
    let Ok(map) = serde_json::from_slice::<BTreeMap<String, JsonCell>>(body) else {
        return Err(not_an_object(body));
    };
    let mut fields: Vec<(String, String)> = Vec::with_capacity(map.len() + 1);
    for (name, value) in map {
        let text = match value {
            JsonCell::Null => continue,
            JsonCell::Text(s) => s,
            JsonCell::Number(n) => n.to_string(),
            JsonCell::Other(found) => return Err(JsonRecordError::NotText { field: name, found }),
        };
        fields.push((name, text));
    }
    if !fields.iter().any(|(k, _)| Column::from_header(k) == Some(Column::OfficeCode)) {
        fields.push(("office_code".into(), default_office.as_str().to_owned()));
    }
    Ok(parse_record(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), known_offices))
}

/// Why `body` did not parse as an object of field values.
fn not_an_object(body: &[u8]) -> JsonRecordError {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(_) => JsonRecordError::NotAnObject,
        Err(e) => JsonRecordError::Malformed(e.to_string()),
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
