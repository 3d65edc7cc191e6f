//! Monitoring in the browser (issue 16): the dashboard with its charts, the Desa Binaan
//! evaluation and the printed monthly report, on a generated register of three years, with
//! screenshots (and the report printed to PDF) under `target/screenshots/`.

use std::collections::HashMap;
use std::process::Command;

use fantoccini::wd::PrintConfiguration;

use crate::support::{Browser, Server};

/// Generates a register of `persons` and returns its CSV.
fn generated(server: &Server, persons: usize) -> String {
    let path = server.dir.path().join("generated.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_jejak"))
        .args(["generate", "--persons", &persons.to_string(), "--seed", "16", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "generate: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&path).unwrap()
}

/// The two villages with most applicants, each with the office that received most of them.
fn busiest_villages(csv: &str) -> Vec<(String, String)> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (village, office) = (column("village_code"), column("office_code"));
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for line in lines {
        // Generated values hold no commas inside quotes in these two columns' positions
        // only if no earlier field is quoted; skip rows where the split is ambiguous.
        if line.contains('"') {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let code = fields.get(village).copied().unwrap_or("");
        if code.len() >= 10 {
            *counts.entry((code.to_owned(), fields[office].to_owned())).or_insert(0) += 1;
        }
    }
    let mut ranked: Vec<((String, String), usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut seen = Vec::new();
    for ((code, office), _) in ranked {
        if !seen.iter().any(|(c, _): &(String, String)| *c == code) {
            seen.push((code, office));
        }
        if seen.len() == 2 {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn the_analyst_reads_the_dashboard_the_evaluation_and_prints_the_monthly_report() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    let csv = generated(&server, 1500);
    server.import(&csv);
    let villages = busiest_villages(&csv);
    assert_eq!(villages.len(), 2, "the generated register names villages");
    for ((code, office), on) in villages.iter().zip(["2024-03-01", "2025-01-15"]) {
        server.cli(&["village", "designate", code, "--office", office, "--on", on]);
    }

    browser.login(&server, "analis").await;
    browser.goto(&server.at("/dasbor?dari=2023-01&sampai=2025-12")).await;
    let text = browser.text_with("Permohonan per bulan").await;
    assert!(text.contains("Permohonan per bulan"), "{text}");
    assert!(text.contains("2025-12") && text.contains("2023-01"), "the filter's months: {text}");
    assert!(text.contains("Indikator yang menyala"), "rule fires per version: {text}");
    let source = browser.source().await;
    assert!(source.contains("<svg"), "server-rendered charts");
    assert!(source.contains("<table"), "each chart has its table");
    browser.screenshot("dashboard").await;

    // The same view for one office, chosen in the form; the URL keeps the filters.
    browser.goto(&server.at("/dasbor?dari=2025-01&sampai=2025-12&kantor=KLA")).await;
    let text = browser.text_with("KLA").await;
    assert!(text.contains("KLA"), "{text}");
    let url = browser.client.current_url().await.unwrap();
    assert!(url.as_str().contains("kantor=KLA"), "{url}");

    browser.goto(&server.at("/evaluasi")).await;
    let text = browser.text_with("Desa Binaan").await;
    let (first, _) = &villages[0];
    let dotted_or_plain = text.contains(first.as_str())
        || text.contains(&format!(
            "{}.{}.{}.{}",
            &first[..2],
            &first[2..4],
            &first[4..6],
            &first[6..]
        ));
    assert!(dotted_or_plain, "the designated village is a cohort: {text}");
    assert!(text.contains("per 1.000") || text.contains("per 1,000"), "rates: {text}");
    browser.screenshot("evaluation").await;

    browser.goto(&server.at("/dasbor/laporan?bulan=2025-06")).await;
    let text = browser.text_with("2025-06").await;
    assert!(text.contains("2025-06") || text.contains("Juni 2025"), "{text}");
    browser.screenshot("monthly-report").await;
    let pdf = browser.client.print(PrintConfiguration::default()).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"), "printed to PDF");
    browser.save_artifact("monthly-report.pdf", &pdf);
    browser.close().await;
}
