//! Reading a CSV or XLSX file into applications, with every problem located.
//!
//! Nothing here decides whether to import: the caller gets the valid rows, the rejected rows
//! with their original cells (for a rejects file) and all diagnostics, and applies the
//! all-or-nothing rule itself.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use jejak_domain::text::csv_unquote;
use jejak_domain::{NewApplication, OfficeCode};

use crate::cell::{CellProblem, IdentifierMode, parse_row};
use crate::column::Column;
use crate::diagnostic::Diagnostic;
use crate::header::{HeaderMapping, resolve};

/// The two file formats of the interchange spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// Chooses the format from a file name's extension.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let lower = name.to_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub mapping: HeaderMapping,
    pub ignore_unknown_columns: bool,
    /// Office codes configured in the register; any other code is an error.
    pub known_offices: HashSet<OfficeCode>,
    /// Invalid identifiers: kept as written with a warning (files, the default) or errors.
    pub identifiers: IdentifierMode,
}

/// A valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRow {
    pub row: usize,
    pub application: NewApplication,
}

/// A row that could not be read, with its original cells and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub row: usize,
    pub cells: Vec<String>,
    pub reasons: Vec<String>,
}

/// Everything learnt from one file.
#[derive(Debug, Clone, Default)]
pub struct ReadReport {
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<ReadRow>,
    pub rejected: Vec<RejectedRow>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl ReadReport {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    fn file_error(file: &str, message: String) -> Self {
        let diagnostic =
            Diagnostic { file: file.to_owned(), row: 0, column: None, value: None, message };
        Self { file: file.to_owned(), errors: vec![diagnostic], ..Self::default() }
    }
}

/// Reads a whole file's bytes. `file` names it in diagnostics.
pub fn read_table(format: Format, bytes: &[u8], file: &str, options: &ReadOptions) -> ReadReport {
    let table = match format {
        Format::Csv => csv_table(bytes),
        Format::Xlsx => xlsx_table(bytes),
    };
    match table {
        Ok(table) => read_rows(table, file, options),
        Err(message) => ReadReport::file_error(file, message),
    }
}

/// Raw rows: spreadsheet row number and cells, or a problem with the whole row.
struct RawTable {
    rows: Vec<(usize, Result<Vec<String>, String>)>,
}

fn csv_table(bytes: &[u8]) -> Result<RawTable, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(rows.len() + 1, |p| p.line() as usize);
                let cells: Result<Vec<String>, String> = record
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        String::from_utf8(c.to_vec()).map_err(|_| {
                            format!("cell {} is not valid UTF-8: save the file as CSV UTF-8", i + 1)
                        })
                    })
                    .collect();
                rows.push((line, cells));
            }
            Err(e) => {
                let line = e.position().map_or(rows.len() + 1, |p| p.line() as usize);
                return Err(format!("row {line}: the file is not valid CSV: {e}"));
            }
        }
    }
    Ok(RawTable { rows })
}

/// Largest integer an XLSX number can hold exactly (2^53).
const EXACT_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

fn xlsx_cell(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < EXACT_FLOAT_LIMIT => format!("{f:.0}"),
        Data::Float(f) if f.fract() == 0.0 => {
            return Err(format!(
                "number {f} is too large to be stored exactly; format the column as Text"
            ));
        }
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_to_iso(dt.as_f64())
            .ok_or_else(|| format!("date serial {} is out of range", dt.as_f64()))?,
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("spreadsheet error {e}")),
    })
}

/// Excel's day serial (1900 system, epoch 1899-12-30) to `YYYY-MM-DD`.
fn excel_serial_to_iso(serial: f64) -> Option<String> {
    let epoch = jejak_domain::date::ymd(1899, 12, 30)?;
    let days = serial.floor();
    if !(0.0..=2_958_465.0).contains(&days) {
        return None;
    }
    let date = epoch.checked_add(time::Duration::days(days as i64))?;
    Some(jejak_domain::date::iso(date))
}

fn xlsx_table(bytes: &[u8]) -> Result<RawTable, String> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("the file is not a readable XLSX workbook: {e}"))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_owned())?
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut out: Vec<String> = vec![String::new(); first_col];
            let mut problem = None;
            for (c, cell) in cells.iter().enumerate() {
                match xlsx_cell(cell) {
                    Ok(s) => out.push(s),
                    Err(message) => {
                        problem.get_or_insert(format!("cell {}: {message}", first_col + c + 1));
                        out.push(String::new());
                    }
                }
            }
            (first_row + i + 1, problem.map_or(Ok(out), Err))
        })
        .collect();
    Ok(RawTable { rows })
}

fn read_rows(table: RawTable, file: &str, options: &ReadOptions) -> ReadReport {
    let mut report = ReadReport { file: file.to_owned(), ..ReadReport::default() };
    let mut rows = table.rows.into_iter();
    let Some((header_row, header)) = rows.next() else {
        return ReadReport::file_error(file, "the file is empty: no header row".to_owned());
    };
    let header = match header {
        Ok(h) => h,
        Err(message) => {
            return ReadReport::file_error(file, format!("header row {header_row}: {message}"));
        }
    };
    let resolved = resolve(&header, &options.mapping, options.ignore_unknown_columns);
    report.header = header.clone();
    if !resolved.problems.is_empty() {
        for (column, message) in resolved.problems {
            report.errors.push(Diagnostic {
                file: file.to_owned(),
                row: header_row,
                column,
                value: None,
                message,
            });
        }
        return report;
    }

    let mut first_row_of: HashMap<(OfficeCode, String), usize> = HashMap::new();
    for (row, cells) in rows {
        let diag = |column: Option<Column>, value: Option<String>, message: String| Diagnostic {
            file: file.to_owned(),
            row,
            column: column.map(|c| c.canonical().to_owned()),
            value,
            message,
        };
        let cells = match cells {
            Ok(cells) => cells,
            Err(message) => {
                report.errors.push(diag(None, None, message.clone()));
                report.rejected.push(RejectedRow {
                    row,
                    cells: Vec::new(),
                    reasons: vec![message],
                });
                continue;
            }
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue; // Blank rows are layout, not data.
        }
        if cells.len() > header.len() && cells[header.len()..].iter().any(|c| !c.trim().is_empty())
        {
            let message =
                format!("row has {} cells but the header has {}", cells.len(), header.len());
            report.errors.push(diag(None, None, message.clone()));
            report.rejected.push(RejectedRow { row, cells, reasons: vec![message] });
            continue;
        }
        let mut by_column: [Option<String>; 23] = Default::default();
        for (position, column) in resolved.positions.iter().enumerate() {
            if let Some(column) = column {
                // A cell neutralised against formula injection on export reads as written.
                let cell = cells.get(position).map(|c| csv_unquote(c)).unwrap_or_default();
                by_column[*column as usize] = Some(cell.to_owned());
            }
        }
        let parsed = parse_row(&by_column, &options.known_offices, options.identifiers);
        let to_diag = |p: CellProblem| diag(Some(p.column), p.value, p.message);
        report.warnings.extend(parsed.warnings.into_iter().map(to_diag));
        let mut reasons: Vec<String> = Vec::new();
        for problem in parsed.errors {
            reasons.push(format!("{}: {}", problem.column.canonical(), problem.message));
            report.errors.push(to_diag(problem));
        }
        if let Some(application) = parsed.application {
            let key = (application.office_code.clone(), application.application_id.clone());
            if let Some(first) = first_row_of.get(&key) {
                let message = format!(
                    "application {} of office {} already appears in row {first}",
                    key.1, key.0
                );
                reasons.push(format!("application_id: {message}"));
                report.errors.push(diag(Some(Column::ApplicationId), Some(key.1.clone()), message));
            } else {
                first_row_of.insert(key, row);
                report.rows.push(ReadRow { row, application });
                continue;
            }
        }
        report.rejected.push(RejectedRow { row, cells, reasons });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use jejak_domain::{IdentifierField, Outcome, Sex};

    fn options() -> ReadOptions {
        ReadOptions {
            known_offices: ["BDL", "KLA", "KTB"]
                .iter()
                .map(|c| OfficeCode::parse(c).unwrap())
                .collect(),
            ..ReadOptions::default()
        }
    }

    const HEADER: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,village_code,phone,purpose,destination_country,outcome,decided_on\n";

    #[test]
    fn reads_a_clean_file_into_typed_applications() {
        let csv = format!(
            "{HEADER}BDL-1,bdl,2025-03-01,Hj. Suryani binti Karto,1807055203950003,P,12-03-1995,18.07.05.2001,0812-3456-7890,umroh,Arab Saudi,ditunda,05/03/2025\n"
        );
        let report = read_table(Format::Csv, csv.as_bytes(), "a.csv", &options());
        assert!(report.is_clean(), "{:?}", report.errors);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let app = &report.rows[0].application;
        assert_eq!(report.rows[0].row, 2);
        assert_eq!(app.office_code.as_str(), "BDL");
        assert_eq!(app.sex, Some(Sex::Female));
        assert_eq!(app.phone.as_ref().unwrap().as_str(), "+6281234567890");
        assert_eq!(app.destination_country.unwrap().as_str(), "SA");
        assert_eq!(app.outcome, Outcome::Deferred);
        assert_eq!(app.village_code.as_ref().unwrap().dotted(), "18.07.05.2001");
    }

    #[test]
    fn formula_text_is_neutralised_on_export_and_reads_back_as_written() {
        let mut app = NewApplication::new(
            "BDL-7",
            OfficeCode::parse("BDL").unwrap(),
            jejak_domain::date::ymd(2025, 3, 1).unwrap(),
            "=HYPERLINK(\"http://x\",\"klik\")",
        );
        app.sponsor_name = Some("@SUM(1+1)".into());
        app.phone = Some(jejak_domain::Phone::parse("0812-3456-7890").unwrap());
        let mut out = Vec::new();
        crate::write::write_csv(&mut out, [&app]).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(text.contains("'@SUM(1+1)"), "{text}");
        assert!(text.contains(",+6281234567890,"), "a phone number is no formula: {text}");
        let report = read_table(Format::Csv, &out, "back.csv", &options());
        assert!(report.is_clean(), "{:?}", report.errors);
        assert_eq!(report.rows[0].application, app);
    }

    #[test]
    fn a_bad_row_is_reported_with_row_column_and_reason() {
        let csv = format!(
            "{HEADER}BDL-1,BDL,2025-03-01,Suryani,,P,,,,,,ditunda,28-02-2025\nBDL-2,BDL,2025-03-01,Sri,,P,31-02-2024,,,,,,\n"
        );
        let report = read_table(Format::Csv, csv.as_bytes(), "bad.csv", &options());
        assert_eq!(report.rows.len(), 0);
        assert_eq!(report.errors.len(), 2);
        assert_eq!(
            report.errors[0].to_string(),
            "bad.csv: row 2, column decided_on: decision date is before the application date (value \"28-02-2025\")"
        );
        assert_eq!(
            report.errors[1].to_string(),
            "bad.csv: row 3, column birth_date: 31-02-2024 is not a calendar date (value \"31-02-2024\")"
        );
        assert_eq!(report.rejected.len(), 2);
        assert_eq!(report.rejected[0].cells[0], "BDL-1");
    }

    #[test]
    fn mistyped_identifiers_are_kept_as_written_flagged_and_warned_about() {
        let header = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,phone,sponsor_phone,previous_passport_no\n";
        let csv = format!(
            "{header}B-1,BDL,2025-03-01,Suryani,180705520395000,P,1995-03-12,,,\n\
             B-2,BDL,2025-03-01,Suryani,1807-0532-0395-0003,P,1995-03-12,0812-345,+60123456789,B12/345\n\
             B-3,BDL,2025-03-01,Suryani,1807055203950003,P,1995-03-12,081234567890,,\n"
        );
        let report = read_table(Format::Csv, csv.as_bytes(), "legacy.csv", &options());
        assert!(report.is_clean(), "{:?}", report.errors);
        assert_eq!(report.rows.len(), 3, "every row is imported");

        let first = &report.rows[0].application;
        assert!(!first.nik_valid());
        assert_eq!(first.nik, None);
        assert_eq!(first.nik_text(), Some("180705520395000"));
        let second = &report.rows[1].application;
        assert_eq!(second.nik_text(), Some("1807-0532-0395-0003"), "kept exactly as written");
        assert_eq!(second.invalid(IdentifierField::Phone), Some("0812-345"));
        assert_eq!(second.invalid(IdentifierField::SponsorPhone), Some("+60123456789"));
        assert_eq!(second.invalid(IdentifierField::PreviousPassportNo), Some("B12/345"));
        let third = &report.rows[2].application;
        assert!(third.nik_valid() && third.invalid.is_none());
        assert_eq!(third.nik.as_ref().unwrap().as_str(), "1807055203950003");

        let text: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "legacy.csv: row 2, column nik: NIK must be 16 digits, found 15 digits; kept as written and flagged invalid (value \"180705520395000\")",
                "legacy.csv: row 3, column nik: NIK birth date part 320395 is not a date (day 01-31 for men, 41-71 for women); kept as written and flagged invalid (value \"1807-0532-0395-0003\")",
                "legacy.csv: row 3, column phone: phone number has 6 digits after the country code; an Indonesian number has 8 to 12; kept as written and flagged invalid (value \"0812-345\")",
                "legacy.csv: row 3, column sponsor_phone: phone number with country code +601 is not Indonesian; kept as written and flagged invalid (value \"+60123456789\")",
                "legacy.csv: row 3, column previous_passport_no: passport number may contain only letters and digits; kept as written and flagged invalid (value \"B12/345\")",
            ]
        );
    }

    #[test]
    fn refusing_invalid_identifiers_makes_them_errors_again() {
        let csv = format!("{HEADER}BDL-1,BDL,2025-03-01,Suryani,180705520395000,P,,,,,,,\n");
        let strict = ReadOptions { identifiers: IdentifierMode::Strict, ..options() };
        let report = read_table(Format::Csv, csv.as_bytes(), "bad.csv", &strict);
        assert_eq!(report.rows.len(), 0);
        assert_eq!(
            report.errors[0].to_string(),
            "bad.csv: row 2, column nik: NIK must be 16 digits, found 15 digits (value \"180705520395000\")"
        );
    }

    #[test]
    fn structural_values_stay_errors_beside_a_kept_identifier() {
        let csv = format!(
            "{HEADER}BDL-1,XXX,2025-03-01,Suryani,180705520395000,Q,,,,piknik,,hilang,\n,BDL,01-13-2025,,180705520395000,,,,,,,,\n"
        );
        let report = read_table(Format::Csv, csv.as_bytes(), "bad.csv", &options());
        assert!(report.rows.is_empty());
        let columns: Vec<(usize, &str)> =
            report.errors.iter().map(|d| (d.row, d.column.as_deref().unwrap_or(""))).collect();
        assert_eq!(
            columns,
            [
                (2, "office_code"),
                (2, "sex"),
                (2, "purpose"),
                (2, "outcome"),
                (3, "application_id"),
                (3, "full_name"),
                (3, "applied_on"),
            ]
        );
        assert_eq!(
            report.warnings.iter().filter(|w| w.column.as_deref() == Some("nik")).count(),
            2
        );
    }

    #[test]
    fn unknown_offices_duplicates_and_missing_required_values_are_errors() {
        let csv = format!(
            "{HEADER}X-1,JKT,2025-03-01,Ani,,,,,,,,,\nB-1,BDL,2025-03-01,Ani,,,,,,,,,\nB-1,BDL,2025-03-02,Ani,,,,,,,,,\nB-2,BDL,,,,,,,,,,,\n"
        );
        let report = read_table(Format::Csv, csv.as_bytes(), "f.csv", &options());
        let text: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("row 2, column office_code: unknown office JKT"), "{text:?}");
        assert!(text[1].contains("row 4, column application_id: application B-1 of office BDL already appears in row 3"), "{text:?}");
        assert!(
            text[2].contains("row 5, column applied_on: required value is missing"),
            "{text:?}"
        );
        assert!(text[3].contains("row 5, column full_name: required value is missing"), "{text:?}");
        assert_eq!(report.rows.len(), 1);
    }

    #[test]
    fn nik_inconsistency_is_a_warning_not_an_error() {
        let csv = format!("{HEADER}B-1,BDL,2025-03-01,Ani,1807055203950003,L,1995-03-12,,,,,,\n");
        let report = read_table(Format::Csv, csv.as_bytes(), "f.csv", &options());
        assert!(report.is_clean());
        assert_eq!(report.warnings.len(), 1);
        assert!(report.warnings[0].message.contains("NIK encodes sex P but L was declared"));
    }

    #[test]
    fn header_problems_stop_the_file_before_any_row() {
        let report =
            read_table(Format::Csv, b"no_permohonan,Nama Pemohon\nB-1,Ani\n", "h.csv", &options());
        assert!(report.rows.is_empty());
        assert!(report.errors.iter().all(|d| d.row == 1));
        assert!(report.errors[0].message.contains("unknown column \"Nama Pemohon\""));
    }

    #[test]
    fn blank_rows_and_a_byte_order_mark_are_tolerated() {
        let csv = format!("\u{feff}{HEADER}B-1,BDL,2025-03-01,Ani,,,,,,,,,\n,,,,,,,,,,,,\n");
        let report = read_table(Format::Csv, csv.as_bytes(), "f.csv", &options());
        assert!(report.is_clean(), "{:?}", report.errors);
        assert_eq!(report.rows.len(), 1);
    }

    #[test]
    fn excel_serials_become_iso_dates() {
        assert_eq!(excel_serial_to_iso(45352.0).as_deref(), Some("2024-03-01"));
        assert_eq!(excel_serial_to_iso(-1.0), None);
    }
}
