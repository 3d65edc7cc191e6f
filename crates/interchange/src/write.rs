//! Writing applications in the interchange format: canonical headers, spec column order.

use std::io::Write;

use jejak_domain::date::iso;
use jejak_domain::text::csv_safe;
use jejak_domain::{IdentifierField, NewApplication};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use crate::column::Column;

/// The cells of one application in `Column::ALL` order, as the format writes them. An
/// identifier kept invalid is written exactly as it was read.
pub fn cells(app: &NewApplication) -> [String; 23] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let id = |field: IdentifierField| app.identifier_text(field).unwrap_or_default().to_owned();
    [
        app.application_id.clone(),
        app.office_code.as_str().to_owned(),
        iso(app.applied_on),
        app.full_name.clone(),
        id(IdentifierField::Nik),
        app.sex.map(|s| s.code().to_owned()).unwrap_or_default(),
        app.birth_date.map(iso).unwrap_or_default(),
        opt(&app.birth_place),
        opt(&app.address),
        app.village_code.as_ref().map(|v| v.dotted()).unwrap_or_default(),
        id(IdentifierField::Phone),
        opt(&app.mother_name),
        opt(&app.father_name),
        opt(&app.occupation),
        app.purpose.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        app.destination_country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        id(IdentifierField::PreviousPassportNo),
        opt(&app.sponsor_name),
        id(IdentifierField::SponsorPhone),
        opt(&app.cpmi_id),
        app.outcome.as_str().to_owned(),
        opt(&app.outcome_reason),
        app.decided_on.map(iso).unwrap_or_default(),
    ]
}

/// Writes a CSV with the canonical header (RFC 4180 quoting, UTF-8); cells that a spreadsheet
/// would run as a formula are neutralised (`text::csv_safe`) and read back unchanged.
pub fn write_csv<'a, W: Write>(
    out: W,
    applications: impl IntoIterator<Item = &'a NewApplication>,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(Column::ALL.iter().map(|c| c.canonical()))?;
    for app in applications {
        writer.write_record(cells(app).iter().map(|cell| csv_safe(cell).into_owned()))?;
    }
    writer.flush()?;
    Ok(())
}

/// Builds an XLSX workbook (one sheet, header on row 1) and returns its bytes. Every cell is
/// written as text so NIKs and phone numbers keep their digits.
pub fn write_xlsx<'a>(
    applications: impl IntoIterator<Item = &'a NewApplication>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Permohonan")?;
    let bold = CellFormat::new().set_bold();
    for (col, column) in Column::ALL.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, column.canonical(), &bold)?;
    }
    for (row, app) in applications.into_iter().enumerate() {
        for (col, value) in cells(app).iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(row as u32 + 1, col as u16, value)?;
            }
        }
    }
    workbook.save_to_buffer()
}
