//! Operators' metrics (`GET /metrics`, Prometheus text format): requests by route and status
//! with latency histograms (recorded by [`track`]), and what the service records through the
//! `metrics` facade: screening and assessment time, audit batch commit time, refresh time,
//! the match index's size. Gauges read at scrape time: index size, refresher lag, open village
//! reports. No personal data: routes are recorded by their template (`/permohonan/{key}`),
//! never by the path requested.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// Latency buckets (seconds): screening answers in microseconds, pages in milliseconds, an
/// import in seconds.
const BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The process-wide recorder's handle: installed once (the `metrics` facade has one global
/// recorder), shared by every router of the process.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder already installed (a test harness): metrics go there instead.
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Middleware: counts every request by route template, method and status, and its time.
pub(crate) async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method)];
    metrics::histogram!("jejak_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    let [route, method] = labels;
    metrics::counter!("jejak_http_requests_total", &[route, method, ("status", status)])
        .increment(1);
    response
}

/// `GET /metrics`: the Prometheus text exposition (no login, no personal data).
pub(crate) async fn render(State(state): State<AppState>) -> Response {
    let Some(handle) = handle() else {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "metrics recorder not installed")
            .into_response();
    };
    let screening = state.casework.screening();
    if let Ok(held) = screening.held_applications() {
        metrics::gauge!("jejak_index_applications").set(held as f64);
    }
    if let Some(lag) = screening.refresh_lag() {
        metrics::gauge!("jejak_refresher_lag_seconds").set(lag.as_secs_f64());
    }
    if let Ok(open) = screening.open_village_reports() {
        metrics::gauge!("jejak_village_open_reports").set(open as f64);
    }
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
