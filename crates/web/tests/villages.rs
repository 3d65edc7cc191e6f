//! The village pages through the router: a PIMPASA's home and report form, filing the same
//! report twice (one report), the supervisor's alert queue with acknowledgement, and the
//! refusals for roles without the permission.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use axum::http::StatusCode;
use jejak_domain::ReportStatus;
use jejak_service::authz::Role;

use common::App;

const VILLAGE: &str = "18.07.05.2001";
const REPORT_ID: &str = "5f3c0d1e-8a2b-4c7d-9e10-aa55bb66cc77";
const FORM: &str = "application/x-www-form-urlencoded";

/// The app with a KLA village designated and `pimpasa.kla` assigned to it.
async fn app_with_village() -> App {
    let app = App::start(false).await;
    app.designate_kla_village(VILLAGE).await;
    app
}

fn report_form(csrf: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", csrf)
        .append_pair("report_id", REPORT_ID)
        .append_pair("village_code", VILLAGE)
        .append_pair("reported_on", "2026-11-01")
        .append_pair("topic", "recruiter")
        .append_pair("source_reliability", "B")
        .append_pair("info_credibility", "2")
        .append_pair("persons", "Siti Rohmah|1998-02-03|\r\n")
        .append_pair("phones", "0812-7788-9900")
        .append_pair("recruiters", "Pak Joko; Bu Ani")
        .append_pair("agency", "")
        .append_pair("destination_country", "MY")
        .append_pair("planned_departure_on", "")
        .append_pair("narrative", "Calo keliling menawarkan kerja di Malaysia")
        .append_pair("source", "tetangga")
        .finish()
}

#[tokio::test]
async fn pimpasa_files_a_report_twice_and_the_supervisor_acknowledges_it_once() {
    let app = app_with_village().await;
    let pimpasa = app.session(Role::Pimpasa);

    // The home page sends a PIMPASA to their villages, which lead to the form.
    let home = app.get("/", Some(pimpasa)).await;
    assert!(home.status.is_redirection(), "{}", home.status);
    assert_eq!(home.location.as_deref(), Some("/desa"));
    let villages = app.get("/desa", Some(pimpasa)).await;
    assert_eq!(villages.status, StatusCode::OK, "{}", villages.body);
    assert!(villages.body.contains(VILLAGE), "{}", villages.body);
    assert!(villages.body.contains("/desa/laporan/baru"), "{}", villages.body);
    assert!(villages.body.contains("Belum ada laporan"), "{}", villages.body);

    let form = app.get("/desa/laporan/baru", Some(pimpasa)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for needle in [
        r#"action="/desa/laporan""#,
        r#"name="_csrf""#,
        r#"name="report_id""#,
        r#"src="/static/laporan.js""#,
        r#"name="viewport""#,
        VILLAGE,
    ] {
        assert!(form.body.contains(needle), "{needle} missing: {}", form.body);
    }
    let script = app.get("/static/laporan.js", None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("randomUUID") && script.body.contains("/api/v1/village-reports"));

    // Sent twice (a retry from the phone): one report, both answered with the list page.
    let body = report_form(&pimpasa.csrf);
    for _ in 0..2 {
        let filed = app.send("POST", "/desa/laporan", Some(pimpasa), FORM, &body).await;
        assert!(filed.status.is_redirection(), "{} {}", filed.status, filed.body);
        assert_eq!(filed.location.as_deref(), Some(format!("/desa?terkirim={REPORT_ID}").as_str()));
    }
    let stored = app.store.village_reports_since(0, None, 100).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].data.recruiters, ["Pak Joko", "Bu Ani"]);
    assert_eq!(stored[0].data.persons[0].name, "Siti Rohmah");
    assert_eq!(stored[0].data.reported_by, "pimpasa.kla");
    let mine = app.get("/desa", Some(pimpasa)).await;
    assert!(mine.body.contains("Calo keliling"), "{}", mine.body);

    // A bad field is refused and named; nothing more is stored.
    let bad = body.replace(REPORT_ID, "6f3c0d1e").replace("2026-11-01", "2026-13-01");
    let refused = app.send("POST", "/desa/laporan", Some(pimpasa), FORM, &bad).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert!(refused.body.contains("reported_on"), "{}", refused.body);
    assert_eq!(app.store.village_reports_since(0, None, 100).await.unwrap().len(), 1);

    // The supervisor sees it in the office's alert queue and acknowledges it.
    let supervisor = app.session(Role::Supervisor);
    let queue = app.get("/desa/peringatan", Some(supervisor)).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("Calo keliling"), "{}", queue.body);
    let action = format!("/desa/laporan/{REPORT_ID}/status");
    assert!(queue.body.contains(&action), "{}", queue.body);
    let ack = format!("_csrf={}&status=acknowledged", supervisor.csrf);
    let done = app.send("POST", &action, Some(supervisor), FORM, &ack).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);
    let after = app.store.village_report(REPORT_ID).await.unwrap().unwrap();
    assert_eq!(after.status, ReportStatus::Acknowledged);
    assert!(after.acknowledged_at.is_some());

    // Closing needs a note; with one the report leaves the queue.
    let no_note = format!("_csrf={}&status=closed&note=", supervisor.csrf);
    let refused = app.send("POST", &action, Some(supervisor), FORM, &no_note).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert!(refused.body.contains("note"), "{}", refused.body);
    let close = format!("_csrf={}&status=closed&note=sudah+diperiksa", supervisor.csrf);
    let closed = app.send("POST", &action, Some(supervisor), FORM, &close).await;
    assert!(closed.status.is_redirection(), "{} {}", closed.status, closed.body);
    let queue = app.get("/desa/peringatan", Some(supervisor)).await;
    assert!(!queue.body.contains("Calo keliling"), "{}", queue.body);
}

#[tokio::test]
async fn petugas_is_refused_the_village_pages_and_pimpasa_the_alert_queue() {
    let app = app_with_village().await;
    let officer = app.session(Role::Petugas);
    for path in ["/desa", "/desa/laporan/baru", "/desa/peringatan"] {
        let reply = app.get(path, Some(officer)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}: {}", reply.body);
    }
    let body = report_form(&officer.csrf);
    let filed = app.send("POST", "/desa/laporan", Some(officer), FORM, &body).await;
    assert_eq!(filed.status, StatusCode::FORBIDDEN, "{}", filed.body);
    assert!(app.store.village_reports_since(0, None, 100).await.unwrap().is_empty());

    let pimpasa = app.session(Role::Pimpasa);
    let queue = app.get("/desa/peringatan", Some(pimpasa)).await;
    assert_eq!(queue.status, StatusCode::FORBIDDEN, "{}", queue.body);
    let filed =
        app.send("POST", "/desa/laporan", Some(pimpasa), FORM, &report_form(&pimpasa.csrf)).await;
    assert!(filed.status.is_redirection(), "{}", filed.body);
    let ack = format!("_csrf={}&status=acknowledged", pimpasa.csrf);
    let path = format!("/desa/laporan/{REPORT_ID}/status");
    let refused = app.send("POST", &path, Some(pimpasa), FORM, &ack).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let report = app.store.village_report(REPORT_ID).await.unwrap().unwrap();
    assert_eq!(report.status, ReportStatus::New);
}
