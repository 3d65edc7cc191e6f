//! The dashboard, its downloads, the monthly report, the evaluation page and
//! `GET /api/v1/stats` over a generated register: the same numbers as the service, no count
//! below 5 anywhere, filters in the files, office scoping.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use axum::http::StatusCode;
use jejak_service::authz::Role;

use common::App;

async fn app() -> App {
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: 300,
        seed: 5,
        start: jejak_domain::date::ymd(2025, 1, 1).unwrap(),
        end: jejak_domain::date::ymd(2026, 10, 31).unwrap(),
        ..Default::default()
    });
    App::start_with(false, &data.applications).await
}

/// Every count cell of a CSV line set (skipping the first column of each row and the days
/// table's median and mean).
fn count_cells(csv: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_days = false;
    for line in csv.lines() {
        if line.starts_with("Hari dari permohonan") {
            in_days = true;
        }
        let cells: Vec<&str> = line.split(',').collect();
        let take = if in_days { cells.len().min(2) } else { cells.len() };
        out.extend(cells.iter().take(take).skip(1).map(|c| c.to_string()));
    }
    out
}

/// The lines of a CSV download, each as its cells (quotes undone, a formula guard removed).
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(|c| c.strip_prefix('\'').unwrap_or(c).to_owned()).collect())
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.is_empty()))
        .collect()
}

/// The rows of an XLSX download's one sheet, as the texts the CSV holds.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|row| {
            let mut cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect();
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            cells
        })
        .filter(|r| !r.is_empty())
        .collect()
}

/// The tables of a dashboard download: after the five filter lines, each table is its title
/// (one cell), its header, then its rows. Returns (title, data rows).
fn tables_of(rows: &[Vec<String>]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let mut i = 5;
    while i < rows.len() {
        assert_eq!(rows[i].len(), 1, "a title: {:?}", rows[i]);
        let title = rows[i][0].clone();
        i += 2;
        let mut data = Vec::new();
        while i < rows.len() && rows[i].len() > 1 {
            data.push(rows[i].clone());
            i += 1;
        }
        out.push((title, data));
    }
    out
}

/// The count cells of a dashboard download: every table's data rows without their first
/// column (the days table: its decisions column only; median and mean are days).
fn count_cells_of(rows: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for (title, data) in tables_of(rows) {
        let days = title.starts_with("Hari dari permohonan");
        for row in data {
            let take = if days { 2 } else { row.len() };
            out.extend(row.into_iter().take(take).skip(1));
        }
    }
    out
}

/// The numbers of a page's tables, in page order (`<td class="num">`), unescaped.
fn page_cells(body: &str) -> Vec<String> {
    body.split("<td class=\"num\">")
        .skip(1)
        .map(|rest| rest.split("</td>").next().unwrap().replace("&lt;", "<"))
        .collect()
}

#[tokio::test]
async fn every_dashboard_download_holds_exactly_the_page_numbers_and_none_below_five() {
    let app = app().await;
    let analis = app.session(Role::Analis);
    for filters in [
        "dari=2025-01&sampai=2026-10",
        "dari=2025-06&sampai=2026-03&kantor=KLA",
        "dari=2025-01&sampai=2026-10&wilayah=18.07",
    ] {
        let page = app.get(&format!("/dasbor?{filters}"), Some(analis)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csv = app.get(&format!("/dasbor/unduh?{filters}&format=csv"), Some(analis)).await;
        let xlsx = app.get(&format!("/dasbor/unduh?{filters}&format=xlsx"), Some(analis)).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        let (csv, xlsx) = (csv_rows(&csv.body), xlsx_rows(&xlsx.bytes));
        // Numbers compared as numbers (a spreadsheet keeps 12.0 as 12).
        let numeric = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
            rows.iter()
                .map(|r| {
                    r.iter()
                        .map(|c| c.parse::<f64>().map_or_else(|_| c.clone(), |f| f.to_string()))
                        .collect()
                })
                .collect()
        };
        assert_eq!(numeric(&xlsx), numeric(&csv), "{filters}: the XLSX holds the CSV's cells");
        // Every table of the page, cell for cell, in order (the days table's median and
        // mean included).
        let all: Vec<String> = tables_of(&csv)
            .into_iter()
            .flat_map(|(_, data)| data)
            .flat_map(|row| row.into_iter().skip(1))
            .collect();
        let shown = page_cells(&page.body);
        assert_eq!(shown, all, "{filters}: the page's numbers are the download's");
        let counts = count_cells_of(&xlsx);
        assert!(counts.len() > 100, "{filters}: {} count cells", counts.len());
        for c in &counts {
            match c.as_str() {
                "<5" | "x" => {}
                n => {
                    let n: u64 = n.parse().unwrap_or_else(|_| panic!("{filters}: `{n}`"));
                    assert!(n == 0 || n >= 5, "{filters}: a count of {n}");
                }
            }
        }
    }
    // A village is too small to filter by; the message says so in both languages.
    let village = app.get("/dasbor?wilayah=18.07.05.2001", Some(analis)).await;
    assert_eq!(village.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", village.body);
    assert!(village.body.contains("kecamatan") && village.body.contains("district"));
    let rows = app
        .get("/api/v1/stats?from=2025-01-01&to=2026-10-31&region=1807052001", Some(analis))
        .await;
    assert_eq!(rows.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", rows.body);
}

#[tokio::test]
async fn the_evaluation_downloads_its_tables_and_shows_no_count_below_five() {
    let app = app().await;
    let analis = app.session(Role::Analis);
    app.designate_kla_village("18.07.05.2001").await;
    let page = app.get("/evaluasi?jendela=12", Some(analis)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("/evaluasi/unduh?jendela=12&amp;format=csv"), "{}", page.body);
    let csv = app.get("/evaluasi/unduh?jendela=12&format=csv", Some(analis)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("Jendela (bulan),12\nKantor,semua kantor\n"), "{}", csv.body);
    let xlsx = app.get("/evaluasi/unduh?jendela=12&format=xlsx", Some(analis)).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let rows = csv_rows(&csv.body);
    assert_eq!(xlsx_rows(&xlsx.bytes).len(), rows.len(), "the XLSX holds the same lines");
    let tables: Vec<&Vec<String>> = rows.iter().filter(|r| r.len() == 16).collect();
    // Three outcomes, each: a header and two rows (the village and the pool).
    assert_eq!(tables.len(), 3 * 3, "{rows:?}");
    for row in tables.iter().filter(|r| !r[3].contains("1.000")) {
        assert!(page.body.contains(&format!("<th scope=\"row\">{}</th>", row[0])), "{row:?}");
        for g in 0..4 {
            let (rate, count, applications) = (&row[3 + 3 * g], &row[4 + 3 * g], &row[5 + 3 * g]);
            let shown = format!("{} ({}) ", rate, count.replace('<', "&lt;"));
            let on_page = format!(
                "{rate}<span class=\"muted\"> ({})</span><br><span class=\"muted\">n={}</span>",
                count.replace('<', "&lt;"),
                applications.replace('<', "&lt;")
            );
            assert!(page.body.contains(&on_page), "{shown} not on the page");
            for c in [count, applications] {
                match c.as_str() {
                    "<5" | "x" => assert_eq!(rate, "–", "no rate for a hidden count"),
                    n => {
                        let n: u64 = n.parse().unwrap();
                        assert!(n == 0 || n >= 5, "a count of {n} on the evaluation");
                    }
                }
            }
        }
    }
    let supervisor = app.session(Role::Supervisor);
    let own = app.get("/evaluasi/unduh?format=csv", Some(supervisor)).await;
    assert!(own.body.contains("Kantor,KLA\n"), "{}", own.body);
    let officer = app.session(Role::Petugas);
    assert_eq!(app.get("/evaluasi/unduh", Some(officer)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_dashboard_and_its_downloads_never_show_a_count_below_five() {
    let app = app().await;
    let analis = app.session(Role::Analis);
    let page = app.get("/dasbor?dari=2025-01&sampai=2026-10", Some(analis)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Dasbor pemantauan"));
    assert!(page.body.contains("<svg"), "charts are server-rendered SVG");
    assert!(page.body.contains("<caption>"), "each chart has a table");
    assert!(page.body.contains("&lt;5"), "a small register has small counts");
    assert!(!page.body.contains("<script>"), "no chart JavaScript");
    let english = app.get("/dasbor?dari=2025-01&sampai=2026-10&lang=en", Some(analis)).await;
    assert!(english.body.contains("Monitoring dashboard"));

    let csv = app
        .get("/dasbor/unduh?dari=2025-01&sampai=2026-10&kantor=KLA&format=csv", Some(analis))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with("Dari,2025-01\nSampai,2026-10\nKantor,KLA\n"),
        "{}",
        &csv.body[..200]
    );
    let cells = count_cells(&csv.body);
    assert!(cells.iter().any(|c| c == "<5"));
    for c in &cells {
        if let Ok(n) = c.parse::<u64>() {
            assert!(n == 0 || n >= 5, "a count of {n} in the download");
        }
    }
    // The download holds exactly the page's monthly table.
    let page = app.get("/dasbor?dari=2025-01&sampai=2026-10&kantor=KLA", Some(analis)).await;
    let first_month = csv.body.lines().find(|l| l.starts_with("2025-01,")).unwrap();
    let cells: Vec<&str> = first_month.split(',').collect();
    for c in &cells[1..] {
        let shown = if *c == "<5" { "&lt;5".to_owned() } else { (*c).to_owned() };
        assert!(page.body.contains(&format!(">{shown}</td>")), "{c} not on the page");
    }
    let xlsx = app.get("/dasbor/unduh?dari=2025-01&sampai=2026-10&format=xlsx", Some(analis)).await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // A supervisor sees their own office, whatever the URL asks for.
    let supervisor = app.session(Role::Supervisor);
    let own = app.get("/dasbor?dari=2025-01&sampai=2026-10", Some(supervisor)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("<strong>KLA</strong>"), "{}", own.body);
    let other = app.get("/dasbor?dari=2025-01&sampai=2026-10&kantor=BDL", Some(supervisor)).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let officer = app.session(Role::Petugas);
    assert_eq!(app.get("/dasbor", Some(officer)).await.status, StatusCode::FORBIDDEN);

    let report = app.get("/dasbor/laporan?bulan=2026-03", Some(analis)).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.contains("Laporan bulanan pemantauan program"));
    assert!(report.body.contains("Angka utama"));
    assert!(report.body.matches("<svg").count() >= 4, "trend and breakdown charts");
    assert!(report.body.contains("Permohonan per bulan, 12 bulan sampai 2026-03"));
    assert!(report.body.contains("Laporan desa (PIMPASA) menurut topik"), "the village tables");
    assert!(report.body.contains("Kegiatan sosialisasi per kantor"));

    let evaluation = app.get("/evaluasi", Some(analis)).await;
    assert_eq!(evaluation.status, StatusCode::OK);
    assert!(evaluation.body.contains("Belum ada Desa Binaan"), "no village designated yet");
    // A village designated in the register is what the evaluation compares.
    app.designate_kla_village("18.07.05.2001").await;
    let evaluation = app.get("/evaluasi", Some(analis)).await;
    assert_eq!(evaluation.status, StatusCode::OK);
    assert!(!evaluation.body.contains("Belum ada Desa Binaan"), "{}", evaluation.body);
    assert!(evaluation.body.contains("18.07.05.2001"), "{}", evaluation.body);
}

#[tokio::test]
async fn the_api_gives_the_contract_columns_and_the_same_cells_as_the_download() {
    let app = app().await;
    let analis = app.session(Role::Analis);
    let reply = app
        .get(
            "/api/v1/stats?from=2025-01-01&to=2026-10-31&group_by=month,office&format=json",
            Some(analis),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(rows.len(), 22 * 3);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    for k in [
        "period",
        "office_code",
        "applications",
        "issued",
        "deferred",
        "rejected",
        "cancelled",
        "flagged_high",
        "cross_office_catches",
    ] {
        assert!(keys.iter().any(|x| *x == k), "{k} missing");
    }
    for row in &rows {
        for (k, v) in row.as_object().unwrap() {
            if let Some(n) = v.as_u64() {
                assert!(n == 0 || n >= 5, "{k} = {n}");
            } else if k != "period" && k != "office_code" {
                assert!(v == "<5" || v == "x", "{k} = {v}");
            }
        }
    }
    let csv = app
        .get("/api/v1/stats?from=2025-01-01&to=2026-10-31&format=csv&office=KLA", Some(analis))
        .await;
    assert!(csv.body.starts_with("period,office_code,applications,issued,deferred,rejected,cancelled,flagged_high,cross_office_catches\n"));
    let kla_2025_01 =
        rows.iter().find(|r| r["period"] == "2025-01" && r["office_code"] == "KLA").unwrap();
    let line = csv.body.lines().find(|l| l.starts_with("2025-01,KLA,")).unwrap();
    let text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    assert_eq!(line.split(',').nth(2).unwrap(), text(&kla_2025_01["applications"]));
    let bad = app.get("/api/v1/stats?from=2025-01-01", Some(analis)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("to: required"), "{}", bad.body);
}

/// The cells of one month row of a download's table, by title.
fn month_row(rows: &[Vec<String>], title: &str, month: &str) -> Vec<String> {
    let (_, data) = tables_of(rows).into_iter().find(|(t, _)| t == title).unwrap();
    data.into_iter().find(|r| r[0] == month).unwrap()
}

#[tokio::test]
async fn the_village_tables_equal_direct_counts_and_follow_the_region_filter() {
    use jejak_domain::{NewVillageReport, RegionCode, ReportTopic};
    let app = app().await;
    let analis = app.session(Role::Analis);
    // Recruiter reports: districts 18.07.05 and 18.07.01 of one regency, and two from
    // another regency (18.01) in March.
    let filed = [
        ("2026-01-10", "18.07.05.2001", 6),
        ("2026-01-12", "18.07.01.2001", 7),
        ("2026-02-03", "18.07.05.2002", 5),
        ("2026-02-04", "18.07.01.2002", 5),
        ("2026-03-04", "18.07.05.2001", 6),
        ("2026-03-05", "18.07.01.2002", 6),
        ("2026-03-06", "18.01.04.2001", 2),
    ];
    let mut reports = Vec::new();
    for (on, village, n) in filed {
        for _ in 0..n {
            let report = NewVillageReport {
                report_id: format!("00000000-0000-4000-8000-{:012}", reports.len()),
                village: RegionCode::parse(village).unwrap(),
                reported_on: jejak_domain::date::parse_date(on).unwrap(),
                topic: ReportTopic::Recruiter,
                source_reliability: "B".into(),
                info_credibility: 2,
                persons: vec![],
                phones: vec![],
                recruiters: vec!["Pak Joko".into()],
                agency: None,
                destination_country: None,
                planned_departure_on: None,
                narrative: "Calo datang dari rumah ke rumah".into(),
                source: None,
                reported_by: "pimpasa.kla".into(),
            };
            let office = jejak_domain::OfficeCode::parse("KLA").unwrap();
            reports.push(jejak_store::RoutedReport { report, office });
        }
    }
    let ctx = jejak_store::AuditCtx {
        actor: "pimpasa.kla".into(),
        office: None,
        purpose: None,
        at: "2026-03-05T00:00:00Z".into(),
    };
    app.store.file_village_reports(&reports, &ctx).await.unwrap();
    let title = "Laporan desa (PIMPASA) menurut topik";
    let column = 1 + ReportTopic::ALL.iter().position(|t| *t == ReportTopic::Recruiter).unwrap();
    let view = |filters: &'static str| {
        let app = &app;
        async move {
            let csv = app
                .get(
                    &format!("/dasbor/unduh?dari=2026-01&sampai=2026-03{filters}&format=csv"),
                    Some(analis),
                )
                .await;
            assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
            let rows = csv_rows(&csv.body);
            ["2026-01", "2026-02", "2026-03"].map(|m| month_row(&rows, title, m)[column].clone())
        }
    };
    // The whole region and each district: the direct counts.
    assert_eq!(view("").await, ["13", "10", "14"]);
    assert_eq!(view("&wilayah=18.07.05").await, ["6", "5", "6"]);
    assert_eq!(view("&wilayah=18.07.01").await, ["7", "5", "6"]);
    // The regency's March (12) would leave 2 against the whole region's 14: withheld. What it
    // shows are its direct counts, and no shown figure is 1 to 4 below the region's.
    let regency = view("&wilayah=18.07").await;
    assert_eq!(regency[2], "x", "{regency:?}");
    for (shown, (truth, whole)) in regency.iter().zip([(13, 13), (10, 10), (12, 14)]) {
        if let Ok(n) = shown.parse::<u64>() {
            assert_eq!(n, truth);
            assert!(!(1..5).contains(&(whole - n)));
        }
    }
    // A village is refused here too.
    let village = app.get("/dasbor/unduh?wilayah=18.07.05.2001&format=csv", Some(analis)).await;
    assert_eq!(village.status, StatusCode::UNPROCESSABLE_ENTITY);
}
