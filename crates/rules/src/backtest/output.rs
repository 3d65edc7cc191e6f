//! Output of a backtest report: CSV files (per-rule statistics, per-case differences) and a
//! plain-text table for the terminal.

use std::fmt::Write as _;
use std::io;

use jejak_domain::text::csv_safe;
use serde::Serialize;

use crate::backtest::BacktestReport;
use crate::validity::format_date;

/// A flat CSV row of [`RuleStats`](crate::backtest::RuleStats).
#[derive(Serialize)]
struct RuleRow<'a> {
    rule_id: &'a str,
    kind: &'static str,
    fired: u64,
    fire_rate: String,
    unknown: u64,
    not_applicable: u64,
    fired_adverse: u64,
    precision: String,
    recall: String,
    baseline_fired: String,
}

/// A flat CSV row of [`CaseDifference`](crate::backtest::CaseDifference).
#[derive(Serialize)]
struct DifferenceRow<'a> {
    case_id: &'a str,
    applied_on: String,
    office_code: &'a str,
    outcome: &'static str,
    baseline_score: i64,
    candidate_score: i64,
    baseline_band: &'static str,
    candidate_band: &'static str,
    baseline_flagged: bool,
    candidate_flagged: bool,
    newly_fired: String,
    no_longer_fired: String,
    reason: &'a str,
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(String::new, |r| format!("{r:.4}"))
}

impl BacktestReport {
    /// Writes the per-rule statistics as CSV (header + one row per rule).
    pub fn write_rules_csv<W: io::Write>(&self, out: W) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        for r in &self.rules {
            w.serialize(RuleRow {
                rule_id: &r.rule_id,
                kind: r.kind.name(),
                fired: r.fired,
                fire_rate: format!("{:.4}", r.fire_rate),
                unknown: r.unknown,
                not_applicable: r.not_applicable,
                fired_adverse: r.fired_adverse,
                precision: fmt_ratio(r.precision),
                recall: fmt_ratio(r.recall),
                baseline_fired: r.baseline_fired.map(|n| n.to_string()).unwrap_or_default(),
            })?;
        }
        w.flush()?;
        Ok(())
    }

    /// Writes the per-case differences as CSV (rule ids joined with `;`).
    pub fn write_differences_csv<W: io::Write>(&self, out: W) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        for d in &self.differences {
            w.serialize(DifferenceRow {
                case_id: &csv_safe(&d.case_id),
                applied_on: format_date(d.applied_on),
                office_code: &d.office_code,
                outcome: d.outcome.name(),
                baseline_score: d.baseline_score,
                candidate_score: d.candidate_score,
                baseline_band: d.baseline_band.name(),
                candidate_band: d.candidate_band.name(),
                baseline_flagged: d.baseline_flagged,
                candidate_flagged: d.candidate_flagged,
                newly_fired: d.newly_fired.join(";"),
                no_longer_fired: d.no_longer_fired.join(";"),
                reason: &csv_safe(&d.reason),
            })?;
        }
        w.flush()?;
        Ok(())
    }

    /// A plain-text summary and per-rule table for the terminal.
    pub fn render_table(&self) -> String {
        let mut s = String::new();
        let pct =
            |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", r * 100.0));
        let _ = writeln!(s, "{}", self.definition);
        let _ = writeln!(
            s,
            "cases read {}, assessed {}, out of order {}",
            self.cases_read, self.cases_assessed, self.out_of_order
        );
        let o = &self.outcomes;
        let _ = writeln!(
            s,
            "outcomes: issued {}, deferred {}, rejected {}, cancelled {}, pending {}",
            o.issued, o.deferred, o.rejected, o.cancelled, o.pending
        );
        for (label, sum) in std::iter::once(("candidate", &self.candidate))
            .chain(self.baseline.iter().map(|b| ("baseline", b)))
        {
            let _ = writeln!(
                s,
                "{label:<9} {} {}: flagged {} ({}), bands L/M/H {}/{}/{}, hard failed {}, precision {}, recall {}",
                sum.rule_set.name,
                sum.rule_set.version,
                sum.flagged,
                pct(Some(sum.flag_rate)),
                sum.band_low,
                sum.band_medium,
                sum.band_high,
                sum.hard_failed,
                pct(sum.precision),
                pct(sum.recall)
            );
        }
        let _ = writeln!(
            s,
            "\n{:<8} {:<12} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "rule",
            "kind",
            "fired",
            "rate",
            "unknown",
            "adverse",
            "precision",
            "recall",
            "baseline"
        );
        for r in &self.rules {
            let _ = writeln!(
                s,
                "{:<8} {:<12} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
                r.rule_id,
                r.kind.name(),
                r.fired,
                pct(Some(r.fire_rate)),
                r.unknown,
                r.fired_adverse,
                pct(r.precision),
                pct(r.recall),
                r.baseline_fired.map_or_else(|| "-".to_owned(), |n| n.to_string())
            );
        }
        if self.baseline.is_some() {
            let _ = writeln!(
                s,
                "\ndiffering cases {}, of which flips {} ({} listed)",
                self.differences_total,
                self.flips_total,
                self.differences.len()
            );
        }
        s
    }
}
