//! `jejak import`, `jejak export` and `jejak generate`.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jejak_domain::OfficeCode;
use jejak_domain::date::parse_date;
use jejak_domain::text::csv_safe;
use jejak_interchange::HeaderMapping;
use jejak_service::import::{ImportOptions, ImportProgress, ImportStatus, InputFile};
use jejak_store::ExportFilter;

use crate::args::{ExportArgs, GenerateArgs, ImportArgs};
use crate::commands::{console, open_store};
use crate::output;

/// How many errors to print before summarising the rest.
const SHOWN_ERRORS: usize = 50;
/// How many warnings to print before summarising the rest.
const SHOWN_WARNINGS: usize = 10;

pub(crate) async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let mapping = HeaderMapping::parse(&args.mappings)?;
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        files.push(InputFile { name: path.display().to_string(), bytes });
    }
    let store = open_store(&args.db.database).await?;
    let options = ImportOptions {
        mapping,
        ignore_unknown_columns: args.ignore_unknown,
        skip_invalid: args.skip_invalid,
        dry_run: args.dry_run,
    };
    let bar = progress_bar(&format!("checking {} file(s)", files.len()));
    let on_progress = |step: ImportProgress| {
        if args.progress {
            match step {
                ImportProgress::Checked { rows } => {
                    output::note(&format!("checked: {rows} row(s) to write"))
                }
                ImportProgress::Written { rows } => {
                    output::note(&format!("written: {rows} row(s)"))
                }
            }
        }
        if let Some(bar) = &bar {
            match step {
                ImportProgress::Checked { rows } => {
                    bar.set_length(rows as u64);
                    bar.set_message("writing");
                }
                ImportProgress::Written { rows } => bar.set_position(rows as u64),
            }
        }
    };
    let started = Instant::now();
    let console = console(&store, &args.user, None).await?;
    let report = console.import_applications(&files, &options, &on_progress).await?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed();

    let problems: Vec<String> = report
        .files
        .iter()
        .flat_map(|f| f.errors.iter())
        .chain(report.conflicts.iter())
        .map(ToString::to_string)
        .collect();
    for problem in problems.iter().take(SHOWN_ERRORS) {
        output::note(&format!("error: {problem}"));
    }
    let warnings: Vec<String> =
        report.files.iter().flat_map(|f| f.warnings.iter()).map(ToString::to_string).collect();
    for warning in warnings.iter().take(SHOWN_WARNINGS) {
        output::note(&format!("warning: {warning}"));
    }
    if problems.len() > SHOWN_ERRORS || warnings.len() > SHOWN_WARNINGS {
        output::note(&format!(
            "({} error(s) and {} warning(s) in all; the first {SHOWN_ERRORS} errors and {SHOWN_WARNINGS} warnings are shown, --report FILE writes them all)",
            problems.len(),
            warnings.len()
        ));
    }

    if let Some(path) = &args.report {
        write_diagnostics(path, &report)?;
        output::note(&format!("all errors and warnings written to {}", path.display()));
    }
    if args.skip_invalid && !report.rejected().is_empty() {
        let path = args.rejects.clone().unwrap_or_else(|| rejects_path(&args.files[0]));
        write_rejects(&path, &report)?;
        output::note(&format!(
            "{} rejected row(s) written to {}",
            report.rejected().len(),
            path.display()
        ));
    }

    let rows = report.valid_rows();
    match report.status {
        ImportStatus::DryRun => {
            output::line(&format!(
                "dry run: {rows} valid row(s), {} error(s); nothing was written",
                report.error_count()
            ));
            Ok(if report.error_count() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        ImportStatus::RejectedWithErrors => {
            output::line(&format!(
                "import refused: {} error(s); nothing was written (fix the rows, or pass --skip-invalid to import the valid ones)",
                report.error_count()
            ));
            Ok(ExitCode::FAILURE)
        }
        ImportStatus::Imported => {
            let outcome = report.store.clone().unwrap_or_default();
            let rate = outcome.inserted as f64 / elapsed.as_secs_f64().max(1e-9);
            output::line(&format!(
                "imported {} new application(s), {} unchanged, {} conflict(s), {} invalid row(s) skipped in {:.2}s ({rate:.0} rows/s)",
                outcome.inserted,
                outcome.unchanged,
                outcome.conflicts.len(),
                report.files.iter().map(|f| f.errors.len()).sum::<usize>(),
                elapsed.as_secs_f64(),
            ));
            Ok(if report.error_count() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}

fn rejects_path(first: &Path) -> PathBuf {
    let stem = first.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    first.with_file_name(format!("{stem}.rejects.csv"))
}

/// Rejected rows with their file, row and reasons, then the original cells.
fn write_rejects(path: &Path, report: &jejak_service::import::ImportReport) -> anyhow::Result<()> {
    let file =
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    let width = report.rejected().iter().map(|(_, r)| r.cells.len()).max().unwrap_or(0);
    let mut header = vec!["file".to_owned(), "row".to_owned(), "reasons".to_owned()];
    header.extend((1..=width).map(|i| format!("cell_{i}")));
    writer.write_record(&header)?;
    for (file_name, row) in report.rejected() {
        let mut record = vec![file_name.to_owned(), row.row.to_string(), row.reasons.join(" | ")];
        record.extend(row.cells.iter().cloned());
        record.resize(3 + width, String::new());
        writer.write_record(record.iter().map(|cell| csv_safe(cell).into_owned()))?;
    }
    writer.flush()?;
    Ok(())
}

/// Every diagnostic of an import as CSV, for the office administrator to work through.
fn write_diagnostics(
    path: &Path,
    report: &jejak_service::import::ImportReport,
) -> anyhow::Result<()> {
    let file =
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    writer.write_record(["file", "row", "column", "severity", "value", "message"])?;
    let errors = report.files.iter().flat_map(|f| f.errors.iter()).chain(report.conflicts.iter());
    let warnings = report.files.iter().flat_map(|f| f.warnings.iter());
    for (severity, d) in errors.map(|d| ("error", d)).chain(warnings.map(|d| ("warning", d))) {
        let row = d.row.to_string();
        let record = [
            d.file.as_str(),
            &row,
            d.column.as_deref().unwrap_or(""),
            severity,
            d.value.as_deref().unwrap_or(""),
            &d.message,
        ];
        writer.write_record(record.map(csv_safe).iter().map(|c| c.as_bytes()))?;
    }
    writer.flush()?;
    Ok(())
}

pub(crate) async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let parse = |flag: &str, value: &Option<String>| -> anyhow::Result<_> {
        value.as_deref().map(|v| parse_date(v).with_context(|| format!("{flag} {v:?}"))).transpose()
    };
    let filter = ExportFilter {
        from: parse("--from", &args.from)?,
        to: parse("--to", &args.to)?,
        office: args.office.as_deref().map(OfficeCode::parse).transpose().context("--office")?,
    };
    let name = args.out.display().to_string();
    let format = jejak_interchange::Format::from_file_name(&name)
        .with_context(|| format!("--out {name}: use a .csv or .xlsx file name"))?;
    let store = open_store(&args.db.database).await?;
    let apps = console(&store, &args.user.user, None).await?.export_applications(&filter).await?;
    write_atomically(&args.out, |out| match format {
        jejak_interchange::Format::Csv => Ok(jejak_interchange::write_csv(out, &apps)?),
        jejak_interchange::Format::Xlsx => {
            let mut out = out;
            out.write_all(&jejak_interchange::write_xlsx(&apps)?)?;
            Ok(out.flush()?)
        }
    })?;
    output::line(&format!("exported {} application(s) to {name}", apps.len()));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    if args.persons == 0 {
        bail!("--persons must be at least 1");
    }
    let config =
        jejak_synth::Config { persons: args.persons, seed: args.seed, ..Default::default() };
    let data = jejak_synth::generate(&config);
    write_atomically(&args.out, |out| Ok(jejak_synth::write_csv(&data, out)?))?;
    if let Some(truth) = &args.truth {
        write_atomically(truth, |out| Ok(jejak_synth::write_truth(&data, out)?))?;
    }
    output::line(&format!(
        "generated {} application(s) of {} person(s) (seed {}) into {}",
        data.len(),
        data.persons(),
        args.seed,
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Writes `path` through a temporary file renamed into place, so a failure never leaves half
/// a file behind (nor replaces a good one).
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(BufWriter<fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let tmp = path.with_extension("partial");
    let file =
        fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = write(BufWriter::new(file))
        .with_context(|| format!("cannot write {}", path.display()))
        .and_then(|()| {
            fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A progress bar on stderr when it is a terminal (rows written of rows to write).
fn progress_bar(message: &str) -> Option<indicatif::ProgressBar> {
    if !output::interactive() {
        return None;
    }
    let style = indicatif::ProgressStyle::with_template(
        "{msg:10} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)",
    )
    .ok()?
    .progress_chars("=> ");
    let bar = indicatif::ProgressBar::new(0).with_style(style).with_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}
