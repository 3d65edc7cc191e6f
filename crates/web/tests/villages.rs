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

/// Files the test report as the PIMPASA, naming Suryani (the register's KLA-1) by name and
/// birth date.
async fn file_report_naming_suryani(app: &App) {
    let pimpasa = app.session(Role::Pimpasa);
    let body = report_form(&pimpasa.csrf)
        .replace("Siti+Rohmah%7C1998-02-03%7C", "Suryani+binti+Ahmad%7C1995-03-05%7C");
    let filed = app.send("POST", "/desa/laporan", Some(pimpasa), FORM, &body).await;
    assert!(filed.status.is_redirection(), "{} {}", filed.status, filed.body);
}

#[tokio::test]
async fn a_reports_page_shows_linked_applications_to_officers_and_the_informant_only_to_those_allowed()
 {
    let app = app_with_village().await;
    file_report_naming_suryani(&app).await;
    let page = format!("/desa/laporan/{REPORT_ID}");

    // The supervisor: the report, the informant, the linked application and why, the form.
    let supervisor = app.session(Role::Supervisor);
    let seen = app.get(&page, Some(supervisor)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    for needle in [
        "Calo keliling menawarkan kerja di Malaysia",
        "Suryani binti Ahmad",
        "081277889900",
        "Pak Joko",
        "tetangga",
        &format!("/permohonan/{}", app.application_key),
        "nama dan tanggal lahir (1995-03-05) sesuai orang yang disebut",
        "Baru",
        r#"name="next" value="laporan""#,
    ] {
        assert!(seen.body.contains(needle), "{needle} missing: {}", seen.body);
    }
    // The alert queue links to the page.
    let queue = app.get("/desa/peringatan", Some(supervisor)).await;
    assert!(queue.body.contains(&format!(r#"href="{page}""#)), "{}", queue.body);

    // The PIMPASA who filed it sees the informant but never the register.
    let pimpasa = app.session(Role::Pimpasa);
    let own = app.get(&page, Some(pimpasa)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(own.body.contains("tetangga"), "{}", own.body);
    assert!(!own.body.contains("/permohonan/"), "no application for a PIMPASA: {}", own.body);
    assert!(!own.body.contains("linked-application"), "{}", own.body);
    assert!(!own.body.contains(r#"action="/desa/laporan/"#), "no follow-up form: {}", own.body);

    // A petugas has no village permission; an unknown report answers 404 to those who have.
    let officer = app.session(Role::Petugas);
    assert_eq!(app.get(&page, Some(officer)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/desa/laporan/tidak-ada", Some(supervisor)).await.status,
        StatusCode::NOT_FOUND
    );

    // Following up from the page comes back to it with the note in the history.
    let action = format!("{page}/status");
    let follow = "status=in_follow_up&note=dicek+ke+lapangan+bersama+Babinsa&next=laporan";
    let done = app.send("POST", &action, Some(supervisor), FORM, follow).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);
    assert_eq!(done.location.as_deref(), Some(page.as_str()));
    let after = app.get(&page, Some(supervisor)).await;
    assert!(after.body.contains("dicek ke lapangan bersama Babinsa"), "{}", after.body);
    assert!(after.body.contains("Ditindaklanjuti"), "{}", after.body);
    let history = app.store.report_history(REPORT_ID).await.unwrap();
    let steps: Vec<ReportStatus> = history.iter().map(|h| h.status).collect();
    assert_eq!(steps, [ReportStatus::New, ReportStatus::InFollowUp]);
    // Each read of the page is logged with what it showed, never the informant's words.
    let events = app.store.audit_events(0, 1000).await.unwrap();
    let reads: Vec<_> = events.iter().filter(|e| e.action == "village_report.read").collect();
    assert!(reads.iter().any(|e| e.actor == "supervisor.kla"
        && e.details.contains(&format!("[{}]", app.application_key))));
    assert!(events.iter().all(|e| !e.details.contains("tetangga")));
}

#[tokio::test]
async fn outreach_is_logged_from_a_phone_and_a_pimpasa_only_for_their_villages() {
    let app = app_with_village().await;
    let pimpasa = app.session(Role::Pimpasa);
    let form = app.get("/desa/sosialisasi/baru", Some(pimpasa)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(VILLAGE) && form.body.contains(r#"name="attendees_female""#));
    let body = format!(
        "held_on=2026-10-28&village={VILLAGE}&venue=SMA+Negeri+1&kind=sekolah&attendees_female=31\
         &attendees_male=24&topics=paspor%0D%0Abekerja+secara+prosedural&partners=BP3MI+Lampung&notes="
    );
    let saved = app.send("POST", "/desa/sosialisasi", Some(pimpasa), FORM, &body).await;
    assert!(saved.status.is_redirection(), "{} {}", saved.status, saved.body);
    let list = app.get("/desa/sosialisasi", Some(pimpasa)).await;
    for needle in ["SMA Negeri 1", "sekolah", "31", "bekerja secara prosedural", "BP3MI Lampung"] {
        assert!(list.body.contains(needle), "{needle} missing: {}", list.body);
    }
    // Another village is refused; a bad count names its field; nothing more is stored.
    let other = body.replace(VILLAGE, "18.09.01.2004");
    let refused = app.send("POST", "/desa/sosialisasi", Some(pimpasa), FORM, &other).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let bad = body.replace("attendees_male=24", "attendees_male=banyak");
    let refused = app.send("POST", "/desa/sosialisasi", Some(pimpasa), FORM, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("attendees_male"), "{}", refused.body);
    assert_eq!(app.store.outreach(None).await.unwrap().len(), 1);
    // The supervisor of the office sees it too; a petugas is refused.
    let supervisor = app.get("/desa/sosialisasi", Some(app.session(Role::Supervisor))).await;
    assert!(supervisor.body.contains("SMA Negeri 1"), "{}", supervisor.body);
    let officer = app.get("/desa/sosialisasi", Some(app.session(Role::Petugas))).await;
    assert_eq!(officer.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_timpora_operation_is_recorded_with_its_findings_and_linked_reports() {
    let app = app_with_village().await;
    file_report_naming_suryani(&app).await;
    let supervisor = app.session(Role::Supervisor);
    let form = app.get(&format!("/desa/timpora/baru?laporan={REPORT_ID}"), Some(supervisor)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(&format!(r#"value="{REPORT_ID}""#)), "{}", form.body);
    let body = format!(
        "held_on=2026-10-30&area=18.07.05&lead_office=KLA&agencies=Polres%3B+Disnaker\
         &foreigners_checked=12&violations=overstay%3D2%3B+izin+tinggal%3D1&persons_secured=1\
         &pmi_np_stopped=5&report_ids={REPORT_ID}&notes=operasi+gabungan"
    );
    let saved = app.send("POST", "/desa/timpora", Some(supervisor), FORM, &body).await;
    assert!(saved.status.is_redirection(), "{} {}", saved.status, saved.body);
    let list = app.get("/desa/timpora", Some(supervisor)).await;
    for needle in ["Polres", "Disnaker", "overstay: 2", "izin tinggal: 1", ">12<", ">5<"] {
        assert!(list.body.contains(needle), "{needle} missing: {}", list.body);
    }
    assert!(list.body.contains(&format!("/desa/laporan/{REPORT_ID}")), "{}", list.body);
    let report = app.get(&format!("/desa/laporan/{REPORT_ID}"), Some(supervisor)).await;
    assert!(report.body.contains("/desa/timpora#operasi-"), "{}", report.body);
    let ops = app.store.operations().await.unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].data.report_ids, [REPORT_ID]);
    assert_eq!(ops[0].data.recorded_by, "supervisor.kla");

    // An unknown report id stores nothing; a PIMPASA may not see or record operations.
    let unknown = body.replace(REPORT_ID, "tidak-ada");
    let refused = app.send("POST", "/desa/timpora", Some(supervisor), FORM, &unknown).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    let pimpasa = app.session(Role::Pimpasa);
    assert_eq!(app.get("/desa/timpora", Some(pimpasa)).await.status, StatusCode::FORBIDDEN);
    let refused = app.send("POST", "/desa/timpora", Some(pimpasa), FORM, &body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.operations().await.unwrap().len(), 1);
}

#[tokio::test]
async fn designations_and_assignments_are_managed_from_the_page_with_their_history() {
    let app = App::start(false).await;
    let supervisor = app.session(Role::Supervisor);
    let empty = app.get("/desa/kelola", Some(supervisor)).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    let designate = format!(
        "code={VILLAGE}&office=KLA&on=2025-09-18&decree=W8-IMI-12&partners=Desa+Migran+Emas"
    );
    let done = app.send("POST", "/desa/kelola/penetapan", Some(supervisor), FORM, &designate).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);
    let assign = format!("code={VILLAGE}&user=pimpasa.kla&from=2026-01-01");
    let done = app.send("POST", "/desa/kelola/penugasan", Some(supervisor), FORM, &assign).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);
    // Only a PIMPASA user can be assigned.
    let wrong = format!("code={VILLAGE}&user=petugas.kla&from=2026-01-01");
    let refused = app.send("POST", "/desa/kelola/penugasan", Some(supervisor), FORM, &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let end = format!("code={VILLAGE}&user=pimpasa.kla&until=2026-06-30");
    let done =
        app.send("POST", "/desa/kelola/penugasan/akhiri", Some(supervisor), FORM, &end).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);
    let again = format!("code={VILLAGE}&user=pimpasa.kla&from=2026-07-01");
    app.send("POST", "/desa/kelola/penugasan", Some(supervisor), FORM, &again).await;
    let close = format!("code={VILLAGE}&on=2026-10-31");
    let done =
        app.send("POST", "/desa/kelola/penetapan/akhiri", Some(supervisor), FORM, &close).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);

    let page = app.get("/desa/kelola", Some(supervisor)).await;
    for needle in
        ["W8-IMI-12", "Desa Migran Emas", "18 September 2025", "30 Juni 2026", "31 Oktober 2026"]
    {
        assert!(page.body.contains(needle), "{needle} missing: {}", page.body);
    }
    let code = jejak_domain::RegionCode::parse(VILLAGE).unwrap();
    let village = app.store.village(&code).await.unwrap().unwrap();
    assert_eq!(village.data.ends_on, jejak_domain::date::ymd(2026, 10, 31));
    let history = app.store.assignments(Some(&code), None).await.unwrap();
    let periods: Vec<_> = history.iter().map(|a| (a.from_on, a.until_on)).collect();
    let day = |y, m, d| jejak_domain::date::ymd(y, m, d).unwrap();
    assert_eq!(
        periods,
        [(day(2026, 1, 1), Some(day(2026, 6, 30))), (day(2026, 7, 1), Some(day(2026, 10, 31)))]
    );
    // A PIMPASA may not change the register; a bad date names its field.
    let pimpasa = app.session(Role::Pimpasa);
    assert_eq!(app.get("/desa/kelola", Some(pimpasa)).await.status, StatusCode::FORBIDDEN);
    let other = designate.replace(VILLAGE, "18.09.01.2004");
    let refused = app.send("POST", "/desa/kelola/penetapan", Some(pimpasa), FORM, &other).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = other.replace("2025-09-18", "2025-02-30");
    let refused = app.send("POST", "/desa/kelola/penetapan", Some(supervisor), FORM, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("on:"), "{}", refused.body);
    assert_eq!(app.store.villages().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unacknowledged_report_past_its_deadline_is_escalated_to_the_regional_analysts() {
    use jejak_domain::date::ymd;
    use jejak_service::villages::{VillageConfig, Villages};

    let app = app_with_village().await;
    // Filed on Tuesday 27 October 2026: two working days to acknowledge, so due Thursday
    // 29 October; the app's clock reads Monday 2 November.
    let late = jejak_store::RoutedReport {
        report: jejak_domain::NewVillageReport {
            report_id: "lama-1".into(),
            village: jejak_domain::RegionCode::parse(VILLAGE).unwrap(),
            reported_on: ymd(2026, 10, 26).unwrap(),
            topic: jejak_domain::ReportTopic::PlannedDeparture,
            source_reliability: "C".into(),
            info_credibility: 3,
            persons: vec![],
            phones: vec![],
            recruiters: vec![],
            agency: None,
            destination_country: None,
            planned_departure_on: None,
            narrative: "Rombongan berangkat umrah minggu depan".into(),
            source: None,
            reported_by: "pimpasa.kla".into(),
        },
        office: jejak_domain::OfficeCode::parse("KLA").unwrap(),
    };
    let filed_at = jejak_store::AuditCtx {
        actor: "pimpasa.kla".into(),
        office: None,
        purpose: None,
        at: "2026-10-27T09:00:00Z".into(),
    };
    app.store.file_village_reports(std::slice::from_ref(&late), &filed_at).await.unwrap();
    // Filed today (through the page): not yet due.
    file_report_naming_suryani(&app).await;

    let analyst = app.session(Role::Analis);
    let queue = app.get("/desa/peringatan", Some(analyst)).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert!(queue.body.contains("Rombongan berangkat umrah"), "{}", queue.body);
    assert!(queue.body.contains("dieskalasi"), "{}", queue.body);
    assert!(
        queue.body.contains("29 Oktober 2026") || queue.body.contains("2026-10-29"),
        "{}",
        queue.body
    );
    assert!(!queue.body.contains("Calo keliling"), "not yet due: not escalated: {}", queue.body);
    // How long it has waited: filed 27 October, read 2 November.
    assert!(queue.body.contains("Menunggu penerimaan"), "{}", queue.body);
    assert!(queue.body.contains("<strong>6 hari</strong>"), "{}", queue.body);
    assert!(queue.body.contains("masuk 27 Oktober 2026"), "{}", queue.body);
    let everything = app.get("/desa/peringatan?semua=1", Some(analyst)).await;
    assert!(everything.body.contains("Calo keliling"), "{}", everything.body);
    let supervisor = app.session(Role::Supervisor);
    let office = app.get("/desa/peringatan", Some(supervisor)).await;
    assert!(office.body.contains("Calo keliling") && office.body.contains("dieskalasi"));

    // The deadline is configurable: with five working days the report is not late yet.
    let clock = std::sync::Arc::new(jejak_service::FixedClock(
        ymd(2026, 11, 2).unwrap().midnight().assume_utc(),
    ));
    let analyst_actor = jejak_service::authz::Actor::user(
        "analis.kla",
        "analis",
        Role::Analis,
        jejak_domain::OfficeCode::parse("KLA").unwrap(),
    );
    let patient =
        Villages::new(app.store.clone(), clock.clone(), VillageConfig { ack_working_days: 5 });
    assert!(patient.alert_queue(&analyst_actor, false).await.unwrap().is_empty());
    let strict = Villages::new(app.store.clone(), clock, VillageConfig::default());
    let escalated = strict.alert_queue(&analyst_actor, false).await.unwrap();
    assert_eq!(escalated.len(), 1);
    assert_eq!(escalated[0].report.data.report_id, "lama-1");
    assert_eq!(escalated[0].due_on, ymd(2026, 10, 29).unwrap());
    assert_eq!(escalated[0].filed_on, ymd(2026, 10, 27).unwrap());
    assert_eq!(escalated[0].waiting_days, 6);

    // Once acknowledged it leaves the analysts' list.
    let ack = "status=acknowledged";
    let done = app.send("POST", "/desa/laporan/lama-1/status", Some(supervisor), FORM, ack).await;
    assert!(done.status.is_redirection(), "{} {}", done.status, done.body);
    let queue = app.get("/desa/peringatan", Some(analyst)).await;
    assert!(!queue.body.contains("Rombongan berangkat umrah"), "{}", queue.body);
}

#[tokio::test]
async fn the_dashboard_counts_village_reports_and_outreach_with_small_counts_suppressed() {
    let app = app_with_village().await;
    file_report_naming_suryani(&app).await;
    let supervisor = app.session(Role::Supervisor);
    let page = app.get("/dasbor?dari=2026-10&sampai=2026-11", Some(supervisor)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Laporan desa (PIMPASA) menurut topik"), "{}", page.body);
    assert!(page.body.contains("Kegiatan sosialisasi per kantor"), "{}", page.body);
    assert!(page.body.contains("&lt;5"), "one report reads <5: {}", page.body);
    let csv =
        app.get("/dasbor/unduh?dari=2026-10&sampai=2026-11&format=csv", Some(supervisor)).await;
    assert!(csv.body.contains("Laporan desa (PIMPASA) menurut topik"), "{}", csv.body);
    assert!(!csv.body.contains(",1,"), "no count below 5 is published: {}", csv.body);
}
