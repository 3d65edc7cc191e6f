//! The monitoring dashboard (`/dasbor`, issue 16): monthly figures for an office or the whole
//! region, breakdowns by origin, destination, purpose, sex, age band, risk band, outcome and
//! reason, and days to decision. Filters live in the URL (`dari`, `sampai` as YYYY-MM,
//! `kantor`, `wilayah`) so a view can be shared. Charts are server-rendered SVG, each with a
//! table of the same numbers; the CSV and XLSX downloads hold exactly the tables shown, with
//! the filters written at the top (the evaluation page downloads through the same code).
//! Counts of 1 to 4 read `<5`, cells withheld so that a `<5` cannot be worked out from a
//! total read `x` (see `service::stats::suppress`). The region filter (a regency or a
//! district) applies to every table, the village reports and outreach included. The monthly
//! report (`/dasbor/laporan`) prints the headline figures, the twelve-month trend charts,
//! the month's breakdown charts and every table, village tables included.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jejak_domain::text::csv_safe;
use jejak_domain::{CountryCode, OfficeCode, Purpose, RegionCode};
use jejak_service::ServiceError;
use jejak_service::stats::cube::{Month, month_label, month_of, parse_month};
use jejak_service::stats::query::Dimension;
use jejak_service::stats::suppress::{Shown, SuppressedGrid};
use jejak_service::stats::{Dashboard, StatsRow, dashboard};
use maud::{Markup, html};
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Lang;
use crate::layout::page;
use crate::pages::PageCtx;

#[derive(Deserialize, Default)]
pub(crate) struct DashboardQuery {
    dari: Option<String>,
    sampai: Option<String>,
    kantor: Option<String>,
    wilayah: Option<String>,
    format: Option<String>,
}

/// The filters read from the URL (12 months to the current one by default).
struct Filters {
    from: Month,
    to: Month,
    office: Option<OfficeCode>,
    region: Option<RegionCode>,
}

fn filters(q: &DashboardQuery, today: time::Date) -> Result<Filters, ServiceError> {
    let to = match q.sampai.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_month(s)
            .ok_or_else(|| ServiceError::Invalid(format!("sampai: `{s}` is not YYYY-MM")))?,
        None => month_of(today),
    };
    let from = match q.dari.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => parse_month(s)
            .ok_or_else(|| ServiceError::Invalid(format!("dari: `{s}` is not YYYY-MM")))?,
        None => to - 11,
    };
    let office = q
        .kantor
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| OfficeCode::parse(s).map_err(|e| ServiceError::Invalid(format!("kantor: {e}"))))
        .transpose()?;
    let region = q
        .wilayah
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| RegionCode::parse(s).map_err(|e| ServiceError::Invalid(format!("wilayah: {e}"))))
        .transpose()?;
    Ok(Filters { from, to, office, region })
}

/// One table as shown (and downloaded): title, column headers, rows of cell texts.
pub(crate) struct ShownTable {
    pub(crate) title: String,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

fn measure_labels(lang: Lang) -> [&'static str; 7] {
    [
        lang.t("Permohonan", "Applications"),
        lang.t("Diterbitkan", "Issued"),
        lang.t("Ditunda", "Deferred"),
        lang.t("Ditolak", "Rejected"),
        lang.t("Dibatalkan", "Cancelled"),
        lang.t("Risiko tinggi", "High risk"),
        lang.t("Tertangkap lintas kantor", "Cross-office catches"),
    ]
}

fn dimension_title(lang: Lang, d: Dimension) -> &'static str {
    match d {
        Dimension::Regency => lang.t("Kabupaten/kota asal", "Regency of origin"),
        Dimension::District => lang.t("Kecamatan asal", "District of origin"),
        Dimension::Destination => lang.t("Negara tujuan", "Destination"),
        Dimension::Purpose => lang.t("Tujuan perjalanan", "Purpose of travel"),
        Dimension::Sex => lang.t("Jenis kelamin", "Sex"),
        Dimension::AgeBand => lang.t("Kelompok umur", "Age band"),
        Dimension::RiskBand => lang.t("Tingkat risiko", "Risk band"),
        Dimension::Outcome => {
            lang.t("Keputusan (menurut tanggal keputusan)", "Decisions (by decision date)")
        }
        Dimension::Reason => lang.t("Alasan keputusan", "Decision reasons"),
        Dimension::Rule => lang.t(
            "Indikator yang menyala, per versi aturan",
            "Indicators fired, per rule-set version",
        ),
    }
}

fn category_label(lang: Lang, d: Dimension, code: &str) -> String {
    let unknown = || lang.t("tidak diketahui", "unknown").to_owned();
    match d {
        Dimension::Regency | Dimension::District => match RegionCode::parse(code) {
            Ok(r) => match r.info() {
                Some(info) => format!("{} {}", r.dotted(), info.name),
                None => r.dotted(),
            },
            Err(_) => unknown(),
        },
        Dimension::Destination => match CountryCode::parse(code) {
            Ok(c) => lang.t(c.name_id(), c.name_en()).to_owned(),
            Err(_) => unknown(),
        },
        Dimension::Purpose => match Purpose::parse(code) {
            Some(p) => p.as_str().replace('_', " "),
            None => unknown(),
        },
        Dimension::Sex => match code {
            "L" => lang.t("Laki-laki", "Male").to_owned(),
            "P" => lang.t("Perempuan", "Female").to_owned(),
            _ => unknown(),
        },
        Dimension::RiskBand => match code {
            "low" => lang.t("rendah", "low").to_owned(),
            "medium" => lang.t("sedang", "medium").to_owned(),
            "high" => lang.t("tinggi", "high").to_owned(),
            _ => lang.t("belum dinilai", "not assessed").to_owned(),
        },
        Dimension::Outcome => match jejak_domain::Outcome::parse(code) {
            Some(o) => lang.t(o.indonesian(), o.as_str()).to_owned(),
            None => code.to_owned(),
        },
        Dimension::Reason => match code {
            "-" => lang.t("tanpa alasan", "no reason").to_owned(),
            "TEXT" => lang.t("alasan teks bebas", "free-text reason").to_owned(),
            c => match jejak_domain::decision::reason_code(c) {
                Some(r) => format!("{} ({})", r.code, lang.t(r.indonesian, r.english)),
                None => c.to_owned(),
            },
        },
        Dimension::Rule => match code.split_once(' ') {
            Some((version, rule)) => format!("{rule} · {} {version}", lang.t("versi", "version")),
            None => code.to_owned(),
        },
        Dimension::AgeBand => {
            if code == "?" {
                unknown()
            } else {
                code.to_owned()
            }
        }
    }
}

/// Every table of the dashboard, in page order: what the page shows and the files hold.
pub(crate) fn tables(lang: Lang, d: &Dashboard) -> Vec<ShownTable> {
    let months: Vec<String> = (d.from..=d.to).map(month_label).collect();
    let mut out = Vec::new();
    let mut header = vec![lang.t("Bulan", "Month").to_owned()];
    header.extend(measure_labels(lang).iter().map(|s| (*s).to_owned()));
    out.push(ShownTable {
        title: lang.t("Angka bulanan", "Monthly figures").to_owned(),
        header,
        rows: d
            .trend
            .iter()
            .map(|r: &StatsRow| {
                let mut row = vec![r.period.clone()];
                row.extend(r.values().iter().map(|v| v.text()));
                row
            })
            .collect(),
    });
    for b in &d.breakdowns {
        let mut header = vec![dimension_title(lang, b.dimension).to_owned()];
        header.extend(months.iter().cloned());
        out.push(ShownTable {
            title: dimension_title(lang, b.dimension).to_owned(),
            header,
            rows: b
                .categories
                .iter()
                .zip(&b.values)
                .map(|(c, values)| {
                    let mut row = vec![category_label(lang, b.dimension, c)];
                    row.extend(values.iter().map(|v| v.text()));
                    row
                })
                .collect(),
        });
    }
    out.push(ShownTable {
        title: lang
            .t(
                "Hari dari permohonan ke keputusan pertama",
                "Days from application to first decision",
            )
            .to_owned(),
        header: vec![
            lang.t("Bulan", "Month").to_owned(),
            lang.t("Keputusan pertama", "First decisions").to_owned(),
            lang.t("Median hari", "Median days").to_owned(),
            lang.t("Rata-rata hari", "Mean days").to_owned(),
        ],
        rows: d
            .days
            .iter()
            .map(|(m, f)| {
                vec![
                    month_label(*m),
                    f.decisions.text(),
                    f.median.map_or_else(|| "–".to_owned(), |v| v.to_string()),
                    f.mean.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}")),
                ]
            })
            .collect(),
    });
    out
}

/// The filter lines written at the top of a download.
fn filter_lines(lang: Lang, d: &Dashboard) -> Vec<(String, String)> {
    vec![
        (lang.t("Dari", "From").to_owned(), month_label(d.from)),
        (lang.t("Sampai", "To").to_owned(), month_label(d.to)),
        (
            lang.t("Kantor", "Office").to_owned(),
            d.office.as_ref().map_or_else(
                || lang.t("semua kantor", "all offices").to_owned(),
                |o| o.to_string(),
            ),
        ),
        (
            lang.t("Wilayah asal", "Region of origin").to_owned(),
            d.region.as_ref().map_or_else(|| lang.t("semua", "all").to_owned(), |r| r.dotted()),
        ),
        (
            lang.t("Keterangan", "Note").to_owned(),
            lang.t(
                "<5 = 1 sampai 4; x = disembunyikan agar angka <5 tidak dapat dihitung dari total",
                "<5 = 1 to 4; x = withheld so that a <5 cannot be worked out from a total",
            )
            .to_owned(),
        ),
    ]
}

/// One CSV line, each cell made safe for a spreadsheet (`text::csv_safe`, as every CSV Jejak
/// writes) and quoted when it holds a separator, a quote or a line break.
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            let c = csv_safe(c);
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The CSV download: the filters, then every table after its title.
pub(crate) fn to_csv(filters: &[(String, String)], tables: &[ShownTable]) -> String {
    let mut out = String::new();
    for (k, v) in filters {
        out.push_str(&csv_line(&[k.clone(), v.clone()]));
        out.push('\n');
    }
    for t in tables {
        out.push('\n');
        out.push_str(&csv_line(std::slice::from_ref(&t.title)));
        out.push('\n');
        out.push_str(&csv_line(&t.header));
        out.push('\n');
        for r in &t.rows {
            out.push_str(&csv_line(r));
            out.push('\n');
        }
    }
    out
}

/// The XLSX download: one sheet, the same layout as the CSV (cells as text).
pub(crate) fn to_xlsx(
    filters: &[(String, String)],
    tables: &[ShownTable],
) -> Result<Vec<u8>, ServiceError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ServiceError::Internal(format!("xlsx: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut row: u32 = 0;
    for (k, v) in filters {
        sheet.write_string(row, 0, k).map_err(fail)?;
        sheet.write_string(row, 1, v).map_err(fail)?;
        row += 1;
    }
    for t in tables {
        row += 1;
        sheet.write_string(row, 0, &t.title).map_err(fail)?;
        row += 1;
        for (c, h) in t.header.iter().enumerate() {
            sheet.write_string(row, c as u16, h).map_err(fail)?;
        }
        row += 1;
        for r in &t.rows {
            for (c, cell) in r.iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(n) if c > 0 => sheet.write_number(row, c as u16, n).map_err(fail)?,
                    _ => sheet.write_string(row, c as u16, cell).map_err(fail)?,
                };
            }
            row += 1;
        }
    }
    book.save_to_buffer().map_err(fail)
}

fn load(state: &AppState, ctx: &PageCtx, q: &DashboardQuery) -> Result<Dashboard, ServiceError> {
    let f = filters(q, state.casework.clock().today())?;
    dashboard(state.casework.screening(), ctx.actor(), f.from, f.to, f.office.as_ref(), f.region)
}

/// The village programme's tables (issue 14): reports by topic and outreach sessions by
/// office, per month, suppressed like the rest.
async fn village_tables(
    state: &AppState,
    ctx: &PageCtx,
    lang: Lang,
    d: &Dashboard,
) -> Result<Vec<ShownTable>, ServiceError> {
    let v = jejak_service::stats::village::village_activity(
        state.store.as_ref(),
        ctx.actor(),
        d.from,
        d.to,
        d.office.as_ref(),
        d.region.as_ref(),
    )
    .await?;
    let total = lang.t("Jumlah", "Total").to_owned();
    let grid = |title: &str, columns: Vec<String>, g: &SuppressedGrid| {
        let mut header = vec![lang.t("Bulan", "Month").to_owned()];
        header.extend(columns);
        header.push(total.clone());
        let mut rows: Vec<Vec<String>> = v
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut row = vec![month_label(*m)];
                row.extend(g.cells.get(i).into_iter().flatten().map(|c| c.text()));
                row.push(g.row_totals.get(i).map_or_else(String::new, |c| c.text()));
                row
            })
            .collect();
        let mut last = vec![total.clone()];
        last.extend(g.column_totals.iter().map(|c| c.text()));
        last.push(g.total.text());
        rows.push(last);
        ShownTable { title: title.to_owned(), header, rows }
    };
    let topics = jejak_domain::ReportTopic::ALL
        .iter()
        .map(|t| lang.t(t.label_id(), &t.as_str().replace('_', " ")).to_owned())
        .collect();
    let offices = v.offices.iter().map(|o| o.as_str().to_owned()).collect();
    Ok(vec![
        grid(
            lang.t("Laporan desa (PIMPASA) menurut topik", "Village reports (PIMPASA) by topic"),
            topics,
            &v.reports_by_topic,
        ),
        grid(
            lang.t("Kegiatan sosialisasi per kantor", "Outreach sessions by office"),
            offices,
            &v.outreach_by_office,
        ),
    ])
}

/// The query string of the current filters (for links).
fn query_of(d: &Dashboard) -> String {
    let mut s = format!("dari={}&sampai={}", month_label(d.from), month_label(d.to));
    if let Some(o) = &d.office {
        s.push_str(&format!("&kantor={o}"));
    }
    if let Some(r) = &d.region {
        s.push_str(&format!("&wilayah={}", r.as_str()));
    }
    s
}

/// `GET /dasbor/unduh?...&format=csv|xlsx`.
pub(crate) async fn download(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let d = match load(&state, &ctx, &q) {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    let mut shown = tables(ctx.lang, &d);
    match village_tables(&state, &ctx, ctx.lang, &d).await {
        Ok(more) => shown.extend(more),
        Err(e) => return ctx.fail(&e),
    }
    let filters = filter_lines(ctx.lang, &d);
    let name = format!("dasbor-{}-{}", month_label(d.from), month_label(d.to));
    download_response(&ctx, &name, q.format.as_deref(), &filters, &shown)
}

/// A download of the tables a page shows, with its filters at the top: XLSX when `format`
/// is `xlsx`, CSV otherwise. Every page with tables downloads through this.
pub(crate) fn download_response(
    ctx: &PageCtx,
    name: &str,
    format: Option<&str>,
    filters: &[(String, String)],
    shown: &[ShownTable],
) -> Response {
    match format {
        Some("xlsx") => match to_xlsx(filters, shown) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.xlsx\"")),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => ctx.fail(&e),
        },
        _ => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
            ],
            to_csv(filters, shown),
        )
            .into_response(),
    }
}

/// A bar chart of one series per month (hidden values drawn as an outlined stub with their
/// label), with the table of the same numbers following it.
pub(crate) fn bar_chart(id: &str, title: &str, labels: &[String], values: &[Shown]) -> Markup {
    let max = values.iter().filter_map(|v| v.count()).max().unwrap_or(0).max(1);
    let n = values.len().max(1);
    let (width, height, top, bottom) = (720.0_f64, 220.0_f64, 16.0_f64, 40.0_f64);
    let slot = width / n as f64;
    let bar = (slot * 0.7).max(2.0);
    let scale = (height - top - bottom) / max as f64;
    html! {
        svg.chart viewBox=(format!("0 0 {width} {height}")) role="img" aria-labelledby=(format!("{id}-title")) {
            title id=(format!("{id}-title")) { (title) }
            line x1="0" y1=(height - bottom) x2=(width) y2=(height - bottom) stroke="#555" {}
            text x="2" y="12" font-size="11" { (max) }
            @for (i, (label, value)) in labels.iter().zip(values).enumerate() {
                @let x = i as f64 * slot + (slot - bar) / 2.0;
                @match value {
                    Shown::Count(c) => {
                        @let h = *c as f64 * scale;
                        rect x=(format!("{x:.1}")) y=(format!("{:.1}", height - bottom - h)) width=(format!("{bar:.1}")) height=(format!("{h:.1}")) fill="#2b6cb0" {}
                    }
                    hidden => {
                        rect x=(format!("{x:.1}")) y=(format!("{:.1}", height - bottom - 6.0)) width=(format!("{bar:.1}")) height="6" fill="none" stroke="#999" stroke-dasharray="2 2" {}
                        text x=(format!("{x:.1}")) y=(format!("{:.1}", height - bottom - 9.0)) font-size="10" { (hidden.text()) }
                    }
                }
                @if n <= 24 || i % 3 == 0 {
                    text x=(format!("{x:.1}")) y=(format!("{:.1}", height - bottom + 14.0)) font-size="10" transform=(format!("rotate(45 {x:.1} {:.1})", height - bottom + 14.0)) { (label) }
                }
            }
        }
    }
}

pub(crate) fn table_markup(t: &ShownTable) -> Markup {
    html! {
        div.table-scroll {
            table {
                caption { (t.title) }
                thead { tr { @for h in &t.header { th scope="col" { (h) } } } }
                tbody {
                    @for r in &t.rows {
                        tr {
                            @for (i, c) in r.iter().enumerate() {
                                @if i == 0 { th scope="row" { (c) } } @else { td.num { (c) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /dasbor`.
pub(crate) async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let d = match load(&state, &ctx, &q) {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    let lang = ctx.lang;
    let mut shown = tables(lang, &d);
    match village_tables(&state, &ctx, ctx.lang, &d).await {
        Ok(more) => shown.extend(more),
        Err(e) => return ctx.fail(&e),
    }
    let months: Vec<String> = d.trend.iter().map(|r| r.period.clone()).collect();
    let series = |f: fn(&StatsRow) -> Shown| d.trend.iter().map(f).collect::<Vec<_>>();
    let qs = query_of(&d);
    let body = html! {
        form.filters method="get" action="/dasbor" {
            label { (lang.t("Dari bulan", "From month")) " " input type="month" name="dari" value=(month_label(d.from)); }
            " "
            label { (lang.t("Sampai bulan", "To month")) " " input type="month" name="sampai" value=(month_label(d.to)); }
            " "
            @if !d.office_choices.is_empty() {
                label { (lang.t("Kantor", "Office")) " "
                    select name="kantor" {
                        option value="" selected[d.office.is_none()] { (lang.t("Seluruh wilayah", "Whole region")) }
                        @for o in &d.office_choices {
                            option value=(o.as_str()) selected[d.office.as_ref() == Some(o)] { (o.as_str()) }
                        }
                    }
                }
                " "
            }
            label { (lang.t("Wilayah asal (kode kabupaten/kota atau kecamatan)", "Region of origin (regency or district code)")) " "
                input type="text" name="wilayah" inputmode="numeric" placeholder="18.01" value=(d.region.as_ref().map(|r| r.dotted()).unwrap_or_default()); }
            " " button type="submit" { (lang.t("Tampilkan", "Show")) }
        }
        p.muted {
            (lang.t("Kantor", "Office")) ": " strong { (d.office.as_ref().map_or_else(|| lang.t("seluruh wilayah", "whole region").to_owned(), |o| o.to_string())) }
            " · " (lang.t(
                "Angka 1 sampai 4 ditampilkan sebagai <5; x = disembunyikan agar angka <5 tidak dapat dihitung dari total. Permohonan dihitung menurut tanggal permohonan, keputusan menurut tanggal keputusan.",
                "Counts of 1 to 4 read <5; x = withheld so that a <5 cannot be worked out from a total. Applications are counted by application date, decisions by decision date.",
            ))
        }
        p {
            a href=(format!("/dasbor/unduh?{qs}&format=csv")) download { (lang.t("Unduh CSV", "Download CSV")) }
            " · "
            a href=(format!("/dasbor/unduh?{qs}&format=xlsx")) download { (lang.t("Unduh XLSX", "Download XLSX")) }
            " · "
            a href=(format!("/dasbor/laporan?bulan={}{}", month_label(d.to), d.office.as_ref().map(|o| format!("&kantor={o}")).unwrap_or_default())) { (lang.t("Laporan bulanan (cetak)", "Monthly report (print)")) }
        }
        section {
            h2 { (lang.t("Permohonan per bulan", "Applications per month")) }
            figure {
                (bar_chart("apps", lang.t("Permohonan per bulan", "Applications per month"), &months, &series(|r| r.applications)))
                figcaption { (lang.t("Tabel angka yang sama di bawah.", "The same numbers in the table below.")) }
            }
            h2 { (lang.t("Penundaan per bulan", "Deferrals per month")) }
            figure {
                (bar_chart("deferred", lang.t("Penundaan per bulan", "Deferrals per month"), &months, &series(|r| r.deferred)))
            }
            @if let Some(t) = shown.first() { (table_markup(t)) }
        }
        @for t in shown.iter().skip(1) {
            section { (table_markup(t)) }
        }
    };
    page(&ctx.chrome(), lang.t("Dasbor pemantauan", "Monitoring dashboard"), body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_as_every_csv_jejak_writes() {
        let cells = ["=HYPERLINK(\"x\")", "+62812", "-1", "@SUM", "<5", "-1+2"];
        let t = ShownTable {
            title: "T".into(),
            header: vec!["a".into()],
            rows: cells.iter().map(|c| vec![(*c).to_owned()]).collect(),
        };
        let csv = to_csv(&[("Dari".into(), "2025-01".into())], &[t]);
        assert!(csv.starts_with("Dari,2025-01\n"), "{csv}");
        for cell in cells {
            let expected = csv_safe(cell);
            let expected = if expected.contains('"') {
                format!("\"{}\"", expected.replace('"', "\"\""))
            } else {
                expected.into_owned()
            };
            assert!(csv.lines().any(|line| line == expected), "{cell:?} as {expected:?}: {csv}");
        }
        assert!(csv.lines().any(|line| line == "\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.lines().any(|line| line == "+62812"), "a plain number stays a number: {csv}");
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct ReportQuery {
    bulan: Option<String>,
    kantor: Option<String>,
}

/// `GET /dasbor/laporan?bulan=YYYY-MM[&kantor=]`: the monthly report for one office or the
/// whole region, printable on A4 (print CSS hides the navigation).
pub(crate) async fn report(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<ReportQuery>,
) -> Response {
    // One month: the current one when `bulan` is missing.
    let month = q
        .bulan
        .clone()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| month_label(month_of(state.casework.clock().today())));
    let query = DashboardQuery {
        dari: Some(month.clone()),
        sampai: Some(month.clone()),
        kantor: q.kantor.clone(),
        wilayah: None,
        format: None,
    };
    let d = match load(&state, &ctx, &query) {
        Ok(d) => d,
        Err(e) => return ctx.fail(&e),
    };
    // The trend charts: the twelve months up to the report's month.
    let year = DashboardQuery { dari: Some(month_label(d.to - 11)), ..query };
    let trend = match load(&state, &ctx, &year) {
        Ok(t) => t,
        Err(e) => return ctx.fail(&e),
    };
    let lang = Lang::Id;
    let mut shown = tables(lang, &d);
    match village_tables(&state, &ctx, lang, &d).await {
        Ok(more) => shown.extend(more),
        Err(e) => return ctx.fail(&e),
    }
    let month = month_label(d.to);
    let place = d
        .office
        .as_ref()
        .map_or_else(|| "seluruh wilayah Kanwil".to_owned(), |o| format!("Kantor Imigrasi {o}"));
    let headline = d.trend.last();
    let labels = measure_labels(lang);
    let months: Vec<String> = trend.trend.iter().map(|r| r.period.clone()).collect();
    let series = |f: fn(&StatsRow) -> Shown| trend.trend.iter().map(f).collect::<Vec<_>>();
    // The month's breakdowns drawn as bars, one per category (the table follows below).
    let charted =
        [Dimension::Outcome, Dimension::RiskBand, Dimension::Regency, Dimension::Destination];
    let breakdown_charts: Vec<Markup> = d
        .breakdowns
        .iter()
        .filter(|b| charted.contains(&b.dimension) && !b.categories.is_empty())
        .map(|b| {
            let title = format!("{} · {month}", dimension_title(lang, b.dimension));
            let labels: Vec<String> =
                b.categories.iter().map(|c| category_label(lang, b.dimension, c)).collect();
            let values: Vec<Shown> =
                b.values.iter().map(|v| v.last().copied().unwrap_or(Shown::Count(0))).collect();
            html! {
                figure.report-section {
                    (bar_chart(&format!("report-{}", b.dimension.as_str()), &title, &labels, &values))
                    figcaption { (title) }
                }
            }
        })
        .collect();
    let body = html! {
        div.report {
            p.report-meta { "Laporan bulanan pemantauan program · " (month) " · " (place) }
            @if let Some(h) = headline {
                table.headline {
                    caption { "Angka utama" }
                    tbody {
                        @for (label, value) in labels.iter().zip(h.values()) {
                            tr { th scope="row" { (label) } td.num { (value.text()) } }
                        }
                    }
                }
            }
            p.muted { "Angka 1 sampai 4 ditulis <5; x = disembunyikan agar angka <5 tidak dapat dihitung dari total. Permohonan dihitung menurut tanggal permohonan, keputusan menurut tanggal keputusan; risiko tinggi menurut penilaian terakhir yang tercatat; tertangkap lintas kantor: aturan R12/R16 terpenuhi atau orang yang sama sudah pernah mengajukan lebih dahulu di kantor lain (menurut data pada tanggal permohonan)." }
            section.report-section {
                h2 { "Grafik" }
                figure {
                    (bar_chart("report-apps", &format!("Permohonan per bulan, 12 bulan sampai {month}"), &months, &series(|r| r.applications)))
                    figcaption { "Permohonan per bulan, 12 bulan sampai " (month) }
                }
                figure {
                    (bar_chart("report-deferred", &format!("Penundaan per bulan, 12 bulan sampai {month}"), &months, &series(|r| r.deferred)))
                    figcaption { "Penundaan per bulan, 12 bulan sampai " (month) }
                }
                @if let Some(t) = tables(lang, &trend).first() { (table_markup(t)) }
            }
            @for chart in &breakdown_charts { (chart) }
            @for t in shown.iter().skip(1) {
                @if !t.rows.is_empty() { section.report-section { (table_markup(t)) } }
            }
            p.no-print { a href=(format!("/dasbor?dari={month}&sampai={month}{}", d.office.as_ref().map(|o| format!("&kantor={o}")).unwrap_or_default())) { "Kembali ke dasbor" } }
        }
    };
    page(&ctx.chrome(), &format!("Laporan bulanan {month}"), body).into_response()
}
