//! `GET /metrics`: scraped after some traffic and parsed as Prometheus text (version 0.0.4):
//! every sample line is `name{labels} value`, every name is declared by a `# TYPE` line, and
//! the figures operators need are there: requests by route template and status, latency
//! histograms, screening time, the index size and the refresher lag. No personal data.

#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use common::App;
use jejak_service::authz::Role;

/// One sample: metric name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// Parses the text exposition format strictly enough to fail on anything malformed.
fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = || format!("line {}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{}", at()));
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{}",
                at()
            );
            types.insert(name.to_owned(), kind.to_owned());
            continue;
        }
        if line.starts_with("# HELP ") || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{}", at()));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            v => v.parse().unwrap_or_else(|_| panic!("value: {}", at())),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').unwrap_or_else(|| panic!("{}", at()));
                let mut labels = BTreeMap::new();
                for pair in body.split("\",").filter(|p| !p.is_empty()) {
                    let (key, value) = pair.split_once("=\"").unwrap_or_else(|| panic!("{}", at()));
                    labels.insert(key.to_owned(), value.trim_end_matches('"').to_owned());
                }
                (name, labels)
            }
        };
        assert!(
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
                && !name.starts_with(|c: char| c.is_ascii_digit()),
            "metric name: {}",
            at()
        );
        samples.push((name.to_owned(), labels, value));
    }
    (types, samples)
}

#[tokio::test]
async fn metrics_are_prometheus_text_with_requests_latencies_screening_and_the_index() {
    let app = App::start(false).await;
    let officer = app.session(Role::Petugas);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    let key = app.application_key;
    let exam = app.get(&format!("/api/v1/applications/{key}"), Some(officer)).await;
    assert_eq!(exam.status, StatusCode::OK, "{}", exam.body);
    assert_eq!(app.get("/nowhere", Some(officer)).await.status, StatusCode::NOT_FOUND);

    let reply = app.get("/metrics", None).await;
    assert_eq!(reply.status, StatusCode::OK, "no login needed");
    let (types, samples) = parse(&reply.body);
    for (name, _, _) in &samples {
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| types.contains_key(*f)))
            .unwrap_or(name);
        assert!(types.contains_key(family), "{name} has no # TYPE line");
    }
    let find = |name: &str, pairs: &[(&str, &str)]| -> Option<f64> {
        samples
            .iter()
            .find(|(n, labels, _)| {
                n == name
                    && pairs.iter().all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| *v)
    };
    let health = find(
        "jejak_http_requests_total",
        &[("route", "/healthz"), ("method", "GET"), ("status", "200")],
    );
    assert!(health.is_some_and(|n| n >= 1.0), "{}", reply.body);
    let exams = find(
        "jejak_http_requests_total",
        &[("route", "/api/v1/applications/{key}"), ("status", "200")],
    );
    assert!(exams.is_some_and(|n| n >= 1.0), "routes by template: {}", reply.body);
    assert!(find("jejak_http_requests_total", &[("status", "404")]).is_some());
    assert_eq!(
        types.get("jejak_http_request_duration_seconds").map(String::as_str),
        Some("histogram")
    );
    assert!(find("jejak_http_request_duration_seconds_bucket", &[("le", "+Inf")]).is_some());
    assert!(find("jejak_screening_seconds_count", &[]).is_some_and(|n| n >= 1.0));
    assert!(find("jejak_index_applications", &[]).is_some_and(|n| n >= 2.0));
    assert!(find("jejak_refresher_lag_seconds", &[]).is_some());
    // No personal data: no requested path, NIK or name appears.
    let routes: BTreeSet<&str> =
        samples.iter().filter_map(|(_, l, _)| l.get("route").map(String::as_str)).collect();
    let requested = format!("/api/v1/applications/{key}");
    assert!(!routes.contains(requested.as_str()), "{routes:?}");
    assert!(!reply.body.contains("/nowhere"), "an unknown path is counted as `unmatched`");
    assert!(!reply.body.contains("Suryani") && !reply.body.contains("1807"), "{}", reply.body);
}
