//! `jejak assess` (one JSON object per application, issue 4 item 6) and `jejak backtest`.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use jejak_domain::date::parse_date;
use jejak_domain::{Office, OfficeCode};
use jejak_interchange::{Format, ReadOptions, read_table};
use jejak_matching::Model;
use jejak_rules::backtest::{BacktestOptions, BacktestReport};
use jejak_service::assess::{AssessmentReport, Assessor};
use jejak_service::facts::counts_as_match;
use jejak_service::screening::Screening;
use serde_json::json;

use crate::args::{AssessArgs, BacktestArgs};
use crate::commands::{open_store, rules};
use crate::output;

pub(crate) async fn assess(args: AssessArgs) -> anyhow::Result<ExitCode> {
    let store = match &args.database {
        Some(url) => Some(open_store(url).await?),
        None => None,
    };
    let rule_set = Arc::new(rules::load_or_active(&args.rules, store.as_deref(), "rules").await?);
    let (screening, offices) = match store {
        Some(store) => {
            let offices = store.list_offices().await?;
            let model = Arc::new(Model::interchange().context("the built-in interchange model")?);
            let screening =
                Screening::start(store, model).await.context("building the match index")?;
            (Some(Arc::new(screening)), offices)
        }
        None => (None, Office::lampung_pilot()),
    };
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let name = args.input.display().to_string();
    let Some(format) = Format::from_file_name(&name) else {
        bail!("{name}: unsupported file type: use .csv or .xlsx");
    };
    let known: HashSet<OfficeCode> = offices.iter().map(|o| o.code.clone()).collect();
    let read = read_table(
        format,
        &bytes,
        &name,
        &ReadOptions { known_offices: known, ..ReadOptions::default() },
    );
    for e in &read.errors {
        output::note(&e.to_string());
    }
    let assessor = Assessor::new(rule_set, screening, offices);
    for row in &read.rows {
        let report = assessor
            .assess(&row.application)
            .with_context(|| format!("{name}: row {}", row.row))?;
        output::line(&assessment_json(&row.application.application_id, &report).to_string());
    }
    if read.errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        output::note(&format!(
            "{name}: {} error(s); those rows were not assessed",
            read.errors.len()
        ));
        Ok(ExitCode::FAILURE)
    }
}

/// The JSON object of issue 4 item 6.
fn assessment_json(application_id: &str, report: &AssessmentReport) -> serde_json::Value {
    let a = &report.assessment;
    json!({
        "application_id": application_id,
        "rule_set_version": a.rule_set.version,
        "score": a.score,
        "band": a.band.name(),
        "hard_checks": a.hard_checks.iter().map(|h| json!({
            "id": &*h.id,
            "passed": h.passed,
            "message": h.message.en,
        })).collect::<Vec<_>>(),
        "indicators": a.indicators.iter().map(|i| json!({
            "id": &*i.id,
            "weight": i.weight,
            "message": i.message.en,
        })).collect::<Vec<_>>(),
        "matches": report.candidates.iter().filter(|c| counts_as_match(c)).map(|c| json!({
            "application_id": c.application_id,
            "person_id": c.person_id,
            "office_code": c.office_code.as_str(),
            "probability": c.probability,
            "band": c.band.as_str(),
        })).collect::<Vec<_>>(),
        "village_alerts": report.village_alerts.iter().map(|v| json!({
            "report_id": v.report_id,
            "linked_by": v.linked_by.as_str(),
        })).collect::<Vec<_>>(),
        "cpmi": report.cpmi,
    })
}

pub(crate) async fn backtest(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let date = |s: &Option<String>| {
        s.as_deref().map(|d| parse_date(d).with_context(|| format!("bad date {d}"))).transpose()
    };
    let options = BacktestOptions {
        from: date(&args.from)?,
        to: date(&args.to)?,
        office: args.office.clone(),
        ..BacktestOptions::default()
    };
    let store = open_store(&args.db.database).await?;
    let candidate = rules::load_or_active(&args.rules, Some(store.as_ref()), "candidate").await?;
    let baseline = rules::load_or_active(&args.baseline, Some(store.as_ref()), "baseline").await?;
    let model = Arc::new(Model::interchange().context("the built-in interchange model")?);
    let report = jejak_service::backtest::backtest_store(
        store.as_ref(),
        model,
        &candidate,
        Some(&baseline),
        options,
    )
    .await
    .context("backtest failed")?;
    output::line(report.render_table().trim_end());
    if let Some(out) = &args.out {
        write_report(&report, out)?;
        output::note(&format!("wrote {}", out.display()));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_report(report: &BacktestReport, out: &Path) -> anyhow::Result<()> {
    let mut rules_csv = Vec::new();
    report.write_rules_csv(&mut rules_csv).context("rules table")?;
    let mut differences_csv = Vec::new();
    report.write_differences_csv(&mut differences_csv).context("differences table")?;
    let is_xlsx = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (sheet_name, csv_bytes) in [("rules", &rules_csv), ("differences", &differences_csv)] {
            let sheet = book.add_worksheet();
            sheet.set_name(sheet_name)?;
            let mut reader =
                csv::ReaderBuilder::new().has_headers(false).from_reader(csv_bytes.as_slice());
            for (r, record) in reader.records().enumerate() {
                let record = record?;
                for (c, cell) in record.iter().enumerate() {
                    let (row, col) = (u32::try_from(r)?, u16::try_from(c)?);
                    match cell.parse::<f64>() {
                        Ok(n) if r > 0 => sheet.write_number(row, col, n)?,
                        _ => sheet.write_string(row, col, cell)?,
                    };
                }
            }
        }
        book.save(out).with_context(|| format!("cannot write {}", out.display()))?;
    } else {
        std::fs::write(out, &rules_csv)
            .with_context(|| format!("cannot write {}", out.display()))?;
        let differences = out.with_extension("differences.csv");
        std::fs::write(&differences, &differences_csv)
            .with_context(|| format!("cannot write {}", differences.display()))?;
    }
    Ok(())
}
