//! Partner files (`jejak cpmi import`, `jejak partner import`): CSV (UTF-8, header row) or
//! JSON (an array of objects, or an object with a `records` array), read whole into typed
//! records or into every problem found, each naming the file, row and column. Rows count as a
//! spreadsheet shows them (the CSV header is row 1); in JSON, record N is row N. A file with
//! any problem gives no records, so an import is all or nothing.

use std::collections::HashSet;

use jejak_domain::date::parse_date;
use jejak_domain::{
    CountryCode, CpmiRecord, CpmiStatus, DeportationKind, DeportationRecord, Nik, P3miLicence, Sex,
};
use time::Date;

use crate::Diagnostic;

/// Columns of a CPMI export, in the documented order.
pub const CPMI_COLUMNS: &[&str] = &[
    "cpmi_id",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "destination_country",
    "p3mi_name",
    "employer",
    "job_title",
    "placement_scheme",
    "status",
    "recommendation_no",
    "recommendation_date",
    "updated_on",
];
const CPMI_REQUIRED: &[&str] = &["cpmi_id", "full_name", "status"];

/// Columns of the licensed P3MI list.
pub const P3MI_COLUMNS: &[&str] = &["p3mi_name", "licence_no", "valid_until"];
const P3MI_REQUIRED: &[&str] = &["p3mi_name"];

/// Columns of the BP3MI returns / deportations list.
pub const DEPORTATION_COLUMNS: &[&str] =
    &["nik", "full_name", "birth_date", "sex", "country", "kind", "event_date", "reference"];
const DEPORTATION_REQUIRED: &[&str] = &["full_name", "kind"];

/// One data row: its number and one cell per expected column (empty cells are `None`).
struct Row {
    number: usize,
    cells: Vec<Option<String>>,
}

/// Reads the rows of a CSV or JSON file against the expected columns.
fn read_rows(
    file: &str,
    bytes: &[u8],
    columns: &[&str],
    required: &[&str],
) -> Result<Vec<Row>, Vec<Diagnostic>> {
    let problem = |row: usize, column: Option<&str>, message: String| Diagnostic {
        file: file.to_owned(),
        row,
        column: column.map(str::to_owned),
        value: None,
        message,
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| vec![problem(1, None, format!("the file is not UTF-8 text ({e})"))])?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_json =
        file.to_ascii_lowercase().ends_with(".json") || text.trim_start().starts_with(['[', '{']);
    let rows = if is_json {
        json_rows(text, columns, &problem)?
    } else {
        csv_rows(text, columns, &problem)?
    };
    let mut problems = Vec::new();
    for row in &rows {
        for name in required {
            let index = columns.iter().position(|c| c == name).unwrap_or(0);
            if row.cells[index].is_none() {
                problems.push(problem(row.number, Some(name), "required value is empty".into()));
            }
        }
    }
    if rows.is_empty() {
        problems.push(problem(1, None, "the file holds no records".into()));
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

fn csv_rows(
    text: &str,
    columns: &[&str],
    problem: &dyn Fn(usize, Option<&str>, String) -> Diagnostic,
) -> Result<Vec<Row>, Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![problem(1, None, format!("cannot read the header row: {e}"))])?
        .clone();
    let mut positions = vec![None; columns.len()];
    let mut problems = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let name = header.trim().to_ascii_lowercase();
        match columns.iter().position(|c| *c == name) {
            Some(p) if positions[p].is_some() => {
                problems.push(problem(1, Some(header), "column given twice".into()));
            }
            Some(p) => positions[p] = Some(i),
            None => problems.push(problem(
                1,
                Some(header),
                format!("unknown column (expected: {})", columns.join(", ")),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let number = i + 2;
        let record = record.map_err(|e| vec![problem(number, None, format!("{e}"))])?;
        let cells = positions
            .iter()
            .map(|p| {
                p.and_then(|p| record.get(p))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            })
            .collect();
        rows.push(Row { number, cells });
    }
    Ok(rows)
}

fn json_rows(
    text: &str,
    columns: &[&str],
    problem: &dyn Fn(usize, Option<&str>, String) -> Diagnostic,
) -> Result<Vec<Row>, Vec<Diagnostic>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| vec![problem(e.line(), None, format!("not valid JSON: {e}"))])?;
    let records = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => match map.get("records") {
            Some(serde_json::Value::Array(items)) => items,
            _ => {
                return Err(vec![problem(
                    1,
                    None,
                    "expected an array of records or an object with a \"records\" array".into(),
                )]);
            }
        },
        _ => return Err(vec![problem(1, None, "expected an array of records".into())]),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let number = i + 1;
        let Some(object) = record.as_object() else {
            problems.push(problem(number, None, "a record must be a JSON object".into()));
            continue;
        };
        let mut cells = vec![None; columns.len()];
        for (key, value) in object {
            let Some(p) = columns.iter().position(|c| c == key) else {
                problems.push(problem(
                    number,
                    Some(key),
                    format!("unknown field (expected: {})", columns.join(", ")),
                ));
                continue;
            };
            cells[p] = match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => {
                    problems.push(problem(number, Some(key), "expected text or a number".into()));
                    None
                }
            };
        }
        rows.push(Row { number, cells });
    }
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// Typed access to one row's cells, collecting problems.
struct Cells<'a> {
    file: &'a str,
    row: &'a Row,
    columns: &'a [&'a str],
    problems: &'a mut Vec<Diagnostic>,
}

impl Cells<'_> {
    fn text(&self, column: &str) -> Option<String> {
        let p = self.columns.iter().position(|c| *c == column)?;
        self.row.cells[p].clone()
    }

    fn parsed<T, E: std::fmt::Display>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let value = self.text(column)?;
        match parse(&value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(Diagnostic {
                    file: self.file.to_owned(),
                    row: self.row.number,
                    column: Some(column.to_owned()),
                    value: Some(value),
                    message: e.to_string(),
                });
                None
            }
        }
    }

    fn date(&mut self, column: &str) -> Option<Date> {
        self.parsed(column, parse_date)
    }

    fn nik(&mut self, column: &str) -> Option<Nik> {
        self.parsed(column, Nik::parse)
    }

    fn sex(&mut self, column: &str) -> Option<Sex> {
        self.parsed(column, |v| Sex::parse(v).ok_or("expected L or P"))
    }

    fn country(&mut self, column: &str) -> Option<CountryCode> {
        self.parsed(column, CountryCode::parse)
    }
}

fn each_row<T>(
    file: &str,
    bytes: &[u8],
    columns: &[&str],
    required: &[&str],
    mut parse: impl FnMut(&mut Cells<'_>) -> Option<T>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let rows = read_rows(file, bytes, columns, required)?;
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut cells = Cells { file, row, columns, problems: &mut problems };
        if let Some(record) = parse(&mut cells) {
            out.push(record);
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// Reads a SISKOP2MI CPMI export. A `cpmi_id` given twice is a problem of the second row.
pub fn read_cpmi(file: &str, bytes: &[u8]) -> Result<Vec<CpmiRecord>, Vec<Diagnostic>> {
    let mut seen = HashSet::new();
    each_row(file, bytes, CPMI_COLUMNS, CPMI_REQUIRED, |c| {
        let cpmi_id = c.text("cpmi_id")?;
        let nik = c.nik("nik");
        let full_name = c.text("full_name");
        let birth_date = c.date("birth_date");
        let sex = c.sex("sex");
        let destination_country = c.country("destination_country");
        let status = c.parsed("status", |v| {
            CpmiStatus::parse(v)
                .ok_or("expected registered, in_process, departed, returned or failed_to_depart")
        });
        let recommendation_date = c.date("recommendation_date");
        let updated_on = c.date("updated_on");
        let record = CpmiRecord {
            cpmi_id: cpmi_id.clone(),
            nik,
            full_name: full_name?,
            birth_date,
            sex,
            destination_country,
            p3mi_name: c.text("p3mi_name"),
            employer: c.text("employer"),
            job_title: c.text("job_title"),
            placement_scheme: c.text("placement_scheme"),
            status: status?,
            recommendation_no: c.text("recommendation_no"),
            recommendation_date,
            updated_on,
        };
        if !seen.insert(cpmi_id.clone()) {
            c.parsed::<(), _>("cpmi_id", |_| Err("the same cpmi_id is on an earlier row"));
            return None;
        }
        Some(record)
    })
}

/// Reads the licensed P3MI list.
pub fn read_p3mi(file: &str, bytes: &[u8]) -> Result<Vec<P3miLicence>, Vec<Diagnostic>> {
    each_row(file, bytes, P3MI_COLUMNS, P3MI_REQUIRED, |c| {
        Some(P3miLicence {
            licence_no: c.text("licence_no"),
            valid_until: c.date("valid_until"),
            p3mi_name: c.text("p3mi_name")?,
        })
    })
}

/// Reads BP3MI's list of returned or deported undocumented workers.
pub fn read_deportations(
    file: &str,
    bytes: &[u8],
) -> Result<Vec<DeportationRecord>, Vec<Diagnostic>> {
    each_row(file, bytes, DEPORTATION_COLUMNS, DEPORTATION_REQUIRED, |c| {
        let nik = c.nik("nik");
        let birth_date = c.date("birth_date");
        let sex = c.sex("sex");
        let country = c.country("country");
        let kind =
            c.parsed("kind", |v| DeportationKind::parse(v).ok_or("expected deported or returned"));
        let event_date = c.date("event_date");
        Some(DeportationRecord {
            nik,
            full_name: c.text("full_name")?,
            birth_date,
            sex,
            country,
            kind: kind?,
            event_date,
            reference: c.text("reference"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "cpmi_id,nik,full_name,birth_date,sex,destination_country,p3mi_name,employer,job_title,placement_scheme,status,recommendation_no,recommendation_date,updated_on\n";

    #[test]
    fn a_cpmi_csv_reads_into_typed_records() {
        let csv = format!(
            "{HEADER}CPMI-1,1807055203950003,Suryani,1995-03-12,P,MY,PT Sinar Jaya,Tan Sdn Bhd,Operator,P-to-P,in_process,562/123/2025,2025-05-01,2025-05-02\n"
        );
        let records = read_cpmi("cpmi.csv", csv.as_bytes()).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].status, CpmiStatus::InProcess);
        assert_eq!(
            records[0].destination_country.map(|c| c.as_str().to_owned()).as_deref(),
            Some("MY")
        );
        assert_eq!(records[0].nik.as_ref().map(Nik::as_str), Some("1807055203950003"));
    }

    #[test]
    fn a_bad_row_names_row_and_column_and_gives_no_records() {
        let csv = format!(
            "{HEADER}CPMI-1,,Suryani,1995-03-12,P,MY,,,,,registered,,,\nCPMI-2,,Ani,1995-13-40,P,MY,,,,,flying,,,\n"
        );
        let problems = read_cpmi("cpmi.csv", csv.as_bytes()).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{text:?}");
        assert!(text[0].starts_with("cpmi.csv: row 3, column birth_date"), "{text:?}");
        assert!(text[1].starts_with("cpmi.csv: row 3, column status"), "{text:?}");
    }

    #[test]
    fn json_records_and_unknown_fields_and_duplicates() {
        let json = r#"[{"cpmi_id":"A","full_name":"Ani","status":"registered"},
                       {"cpmi_id":"A","full_name":"Ani","status":"departed","phone":"0812"}]"#;
        let problems = read_cpmi("cpmi.json", json.as_bytes()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].row, problems[0].column.as_deref()), (2, Some("phone")));
        let json = r#"{"records":[{"cpmi_id":"A","full_name":"Ani","status":"registered"},
                       {"cpmi_id":"A","full_name":"Ani","status":"departed"}]}"#;
        let problems = read_cpmi("cpmi.json", json.as_bytes()).unwrap_err();
        assert_eq!((problems[0].row, problems[0].column.as_deref()), (2, Some("cpmi_id")));
    }

    #[test]
    fn partner_lists_read() {
        let p3mi = "p3mi_name,licence_no,valid_until\nPT Sinar Jaya,KEP-1/2024,2029-12-31\n";
        assert_eq!(
            read_p3mi("p3mi.csv", p3mi.as_bytes()).unwrap()[0].licence_no.as_deref(),
            Some("KEP-1/2024")
        );
        let dep = "nik,full_name,birth_date,sex,country,kind,event_date,reference\n,Budi,1990-01-01,L,MY,deported,2024-02-01,\n";
        assert_eq!(
            read_deportations("d.csv", dep.as_bytes()).unwrap()[0].kind,
            DeportationKind::Deported
        );
        let missing = "nik,full_name,kind\n,,deported\n";
        let problems = read_deportations("d.csv", missing.as_bytes()).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "d.csv: row 2, column full_name: required value is empty"
        );
    }
}
