//! Importing interchange files into the register: read every file, check every row, and
//! write all valid rows in one transaction, or nothing at all.

use std::collections::{HashMap, HashSet};

use jejak_domain::{NewApplication, OfficeCode};
use jejak_interchange::{
    Diagnostic, Format, HeaderMapping, IdentifierMode, ReadOptions, ReadReport, RejectedRow,
    read_table,
};
use jejak_store::{AuditCtx, ConflictPolicy, ImportOutcome, Store};

use crate::Result;

/// One input file, already read into memory.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub mapping: HeaderMapping,
    pub ignore_unknown_columns: bool,
    /// Import the valid rows and set the invalid ones aside instead of importing nothing.
    pub skip_invalid: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

/// What happened to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStatus {
    Imported,
    /// Nothing was written because of errors (and `skip_invalid` was off).
    RejectedWithErrors,
    /// `dry_run`: nothing was written on purpose.
    DryRun,
}

/// Everything the user needs to see about an import.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub files: Vec<ReadReport>,
    /// Rows whose key conflicts with a stored application with other content.
    pub conflicts: Vec<Diagnostic>,
    pub store: Option<ImportOutcome>,
    pub status: ImportStatus,
}

impl ImportReport {
    pub fn error_count(&self) -> usize {
        self.files.iter().map(|f| f.errors.len()).sum::<usize>() + self.conflicts.len()
    }

    pub fn valid_rows(&self) -> usize {
        self.files.iter().map(|f| f.rows.len()).sum()
    }

    /// Rows set aside (invalid or conflicting), with their file, for a rejects file.
    pub fn rejected(&self) -> Vec<(&str, &RejectedRow)> {
        self.files
            .iter()
            .flat_map(|f| f.rejected.iter().map(move |r| (f.file.as_str(), r)))
            .collect()
    }
}

/// Reads, checks and (unless there are errors or it is a dry run) writes the files.
pub async fn import_files(
    store: &dyn Store,
    files: &[InputFile],
    options: &ImportOptions,
    ctx: &AuditCtx,
) -> Result<ImportReport> {
    import_files_with_progress(store, files, options, ctx, &|_| {}).await
}

/// Where an import is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// All files are read and checked; this many rows will be written.
    Checked { rows: usize },
    /// This many rows are written so far.
    Written { rows: usize },
}

/// `import_files`, reporting progress as it goes.
pub async fn import_files_with_progress(
    store: &dyn Store,
    files: &[InputFile],
    options: &ImportOptions,
    ctx: &AuditCtx,
    progress: &(dyn Fn(ImportProgress) + Send + Sync),
) -> Result<ImportReport> {
    let known_offices: HashSet<OfficeCode> =
        store.list_offices().await?.into_iter().map(|o| o.code).collect();
    let read_options = ReadOptions {
        mapping: options.mapping.clone(),
        ignore_unknown_columns: options.ignore_unknown_columns,
        known_offices,
        // Files are the offices' records: a mistyped identifier is kept, flagged and warned
        // about, never a reason to refuse the row.
        identifiers: IdentifierMode::Lenient,
    };
    let mut reports: Vec<ReadReport> = files
        .iter()
        .map(|file| match Format::from_file_name(&file.name) {
            Some(format) => read_table(format, &file.bytes, &file.name, &read_options),
            None => ReadReport {
                file: file.name.clone(),
                errors: vec![Diagnostic {
                    file: file.name.clone(),
                    row: 0,
                    column: None,
                    value: None,
                    message: "unsupported file type: use .csv or .xlsx".to_owned(),
                }],
                ..ReadReport::default()
            },
        })
        .collect();
    reject_cross_file_duplicates(&mut reports);

    let has_errors = reports.iter().any(|r| !r.errors.is_empty());
    let mut report = ImportReport {
        files: reports,
        conflicts: Vec::new(),
        store: None,
        status: ImportStatus::Imported,
    };
    if has_errors && !options.skip_invalid {
        report.status = ImportStatus::RejectedWithErrors;
        return Ok(report);
    }
    // Where each valid row came from, to report conflicts by file and row.
    let mut origin: Vec<(usize, usize)> = Vec::new();
    let mut rows: Vec<NewApplication> = Vec::new();
    for (file_index, file) in report.files.iter().enumerate() {
        for row in &file.rows {
            origin.push((file_index, row.row));
            rows.push(row.application.clone());
        }
    }
    if options.dry_run {
        report.status = ImportStatus::DryRun;
        return Ok(report);
    }
    let policy = if options.skip_invalid { ConflictPolicy::Skip } else { ConflictPolicy::Abort };
    progress(ImportProgress::Checked { rows: rows.len() });
    let written = |n: usize| progress(ImportProgress::Written { rows: n });
    let outcome = store.import_with_progress(&rows, policy, ctx, &written).await?;
    for conflict in &outcome.conflicts {
        let (file_index, row) = origin[conflict.index];
        let file = &mut report.files[file_index];
        let message = format!(
            "application {} of office {} is already in the register with different {}; it was not overwritten",
            conflict.application_id,
            conflict.office_code,
            conflict.fields.join(", ")
        );
        report.conflicts.push(Diagnostic {
            file: file.file.clone(),
            row,
            column: Some("application_id".to_owned()),
            value: Some(conflict.application_id.clone()),
            message: message.clone(),
        });
        let cells = jejak_interchange::cells(&rows[conflict.index]).to_vec();
        file.rejected.push(RejectedRow { row, cells, reasons: vec![message] });
    }
    report.status =
        if outcome.committed { ImportStatus::Imported } else { ImportStatus::RejectedWithErrors };
    report.store = Some(outcome);
    Ok(report)
}

/// The same application in two files is an error in the second.
fn reject_cross_file_duplicates(reports: &mut [ReadReport]) {
    let mut seen: HashMap<(OfficeCode, String), (String, usize)> = HashMap::new();
    for report in reports.iter_mut() {
        let mut keep = Vec::with_capacity(report.rows.len());
        for row in std::mem::take(&mut report.rows) {
            let key = (row.application.office_code.clone(), row.application.application_id.clone());
            match seen.get(&key) {
                Some((file, first)) if *file != report.file => {
                    let message = format!(
                        "application {} of office {} already appears in {file} row {first}",
                        key.1, key.0
                    );
                    report.errors.push(Diagnostic {
                        file: report.file.clone(),
                        row: row.row,
                        column: Some("application_id".to_owned()),
                        value: Some(key.1.clone()),
                        message: message.clone(),
                    });
                    let cells = jejak_interchange::cells(&row.application).to_vec();
                    report.rejected.push(RejectedRow {
                        row: row.row,
                        cells,
                        reasons: vec![message],
                    });
                }
                _ => {
                    seen.insert(key, (report.file.clone(), row.row));
                    keep.push(row);
                }
            }
        }
        report.rows = keep;
    }
}
