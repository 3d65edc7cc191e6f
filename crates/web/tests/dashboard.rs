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
