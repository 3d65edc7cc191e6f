//! Referrals and protected persons through the router (issue 15 items 5 and 6): a referral's
//! lifecycle from sent to closed with its history, letter and audit; the overdue list of
//! supervisors; each agency's JSON holding only its fields, and exactly the configured ones
//! when `[referrals.fields]` sets them; a protected person masked in
//! search, queue and screening, refused to an officer, and opened by a supervisor with a
//! stated purpose (logged).
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use axum::http::StatusCode;
use jejak_domain::{Agency, NewReferral, OfficeCode, ReferralSubject};
use jejak_service::authz::Role;
use jejak_service::referrals::{PROTECTED_LABEL, ReferralFields};
use jejak_store::{AuditCtx, ReferralUpdate};
use serde_json::Value;

use common::App;

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn refer(app: &App, agency: &str) -> Value {
    let body = format!(
        r#"{{"application_key":{},"agency":"{agency}","purpose":"Dugaan calon PMI non-prosedural","note":"wawancara 2 November"}}"#,
        app.application_key
    );
    let reply =
        app.send("POST", "/api/v1/referrals", Some(app.session(Role::Petugas)), JSON, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    json(&reply.body)
}

async fn audit_actions(app: &App) -> Vec<(String, Option<String>, String)> {
    app.store
        .audit_events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.purpose, e.details))
        .collect()
}

#[tokio::test]
async fn a_referral_goes_from_sent_to_closed_with_its_history_letter_and_audit() {
    let app = App::start(false).await;
    let created = refer(&app, "bp3mi").await;
    assert_eq!(created["status"], "sent");
    assert_eq!(created["agency"], "bp3mi");
    assert_eq!(created["due_on"], "2026-11-16", "default due date: 14 days from today");
    let id = created["id"].as_i64().unwrap();
    let letter_no = created["letter_no"].as_str().unwrap().to_owned();
    assert!(letter_no.starts_with("RJK/KLA/"), "{letter_no}");

    let officer = app.session(Role::Petugas);
    for (status, note) in
        [("received", ""), ("accepted", "BP3MI menindaklanjuti"), ("in_follow_up", "")]
    {
        let body = format!(r#"{{"status":"{status}","note":"{note}"}}"#);
        let path = format!("/api/v1/referrals/{id}/status");
        let reply = app.send("POST", &path, Some(officer), JSON, &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{status}: {}", reply.body);
        assert_eq!(json(&reply.body)["status"], status);
    }
    // Closing needs a note; then the referral is final.
    let path = format!("/api/v1/referrals/{id}/status");
    let reply = app.send("POST", &path, Some(officer), JSON, r#"{"status":"closed"}"#).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("note"), "{}", reply.body);
    let body = r#"{"status":"closed","note":"CPMI didaftarkan ulang lewat P3MI resmi"}"#;
    let reply = app.send("POST", &path, Some(officer), JSON, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app.send("POST", &path, Some(officer), JSON, r#"{"status":"received"}"#).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);

    let reply = app.get(&format!("/api/v1/referrals/{id}"), Some(officer)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let view = json(&reply.body);
    let history: Vec<&str> =
        view["history"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(history, ["sent", "received", "accepted", "in_follow_up", "closed"]);
    assert_eq!(view["history"][0]["note"], "wawancara 2 November");

    // The pages: the list, the referral, the printable letter in Indonesian.
    let list = app.get("/rujukan", Some(officer)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&letter_no), "{}", list.body);
    let letter = app.get(&format!("/rujukan/{id}/surat"), Some(officer)).await;
    assert_eq!(letter.status, StatusCode::OK, "{}", letter.body);
    for text in
        ["Surat Pengantar Rujukan Kasus", "BP3MI", "Suryani binti Ahmad", "Dasar hukum", &letter_no]
    {
        assert!(letter.body.contains(text), "letter lacks {text}");
    }
    let exam = app.get(&format!("/permohonan/{}", app.application_key), Some(officer)).await;
    assert!(exam.body.contains(&letter_no) && exam.body.contains("/rujuk\""), "{}", exam.body);

    // Roles without the permission are refused; every step is audited.
    for role in [Role::Admin, Role::Pimpasa] {
        let reply = app.get(&format!("/api/v1/referrals/{id}"), Some(app.session(role))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
    }
    let audit = audit_actions(&app).await;
    let create = audit.iter().find(|(a, _, _)| a == "referral.create").unwrap();
    assert_eq!(create.1.as_deref(), Some("Dugaan calon PMI non-prosedural"));
    assert!(create.2.contains("legal_basis=UU 27/2022"), "{}", create.2);
    assert_eq!(audit.iter().filter(|(a, _, _)| a == "referral.status").count(), 4);
    assert!(audit.iter().any(|(a, p, _)| a == "personal_data.read"
        && p.as_deref() == Some(&*format!("melihat rujukan {letter_no}"))));
}

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "petugas.kla".into(),
        office: None,
        purpose: None,
        at: "2026-10-20T08:00:00Z".into(),
    }
}

async fn stored_referral(app: &App, due: (i32, u8, u8)) -> i64 {
    let referral = NewReferral {
        office: OfficeCode::parse("KLA").unwrap(),
        subject: ReferralSubject::Application(jejak_domain::ApplicationKey(app.application_key)),
        agency: Agency::Disnaker,
        purpose: "Verifikasi rekomendasi paspor".into(),
        legal_basis: "UU 18/2017".into(),
        fields: vec!["full_name".into()],
        due_on: jejak_domain::date::ymd(due.0, due.1, due.2),
        note: None,
        created_by: "petugas.kla".into(),
        created_at: "2026-10-20T08:00:00Z".into(),
    };
    app.store.create_referral(&referral, &ctx()).await.unwrap().id
}

#[tokio::test]
async fn supervisors_see_open_referrals_past_their_due_date() {
    let app = App::start(false).await;
    // Today is 2026-11-02 (the harness's clock).
    let late = stored_referral(&app, (2026, 10, 30)).await;
    let late_but_closed = stored_referral(&app, (2026, 10, 25)).await;
    let due_later = stored_referral(&app, (2026, 11, 20)).await;
    let due_today = stored_referral(&app, (2026, 11, 2)).await;
    let close = ReferralUpdate {
        referral_id: late_but_closed,
        status: jejak_domain::ReferralStatus::Closed,
        note: Some("selesai".into()),
        due_on: None,
        by: "petugas.kla".into(),
        at: "2026-10-26T08:00:00Z".into(),
    };
    app.store.update_referral(&close, &ctx()).await.unwrap();

    let supervisor = app.session(Role::Supervisor);
    let reply = app.get("/api/v1/referrals?overdue=true", Some(supervisor)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let ids: Vec<i64> =
        json(&reply.body).as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        [late],
        "only the open referral past its due date ({due_later}, {due_today} are not)"
    );

    let page = app.get("/rujukan", Some(supervisor)).await;
    assert_eq!(page.status, StatusCode::OK);
    let overdue_section =
        page.body.split("id=\"overdue\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(overdue_section.contains(&format!("data-referral=\"{late}\"")), "{overdue_section}");
    assert!(!overdue_section.contains(&format!("data-referral=\"{due_later}\"")));

    // An officer follows referrals up but has no overdue list of the office.
    let reply = app.get("/api/v1/referrals?overdue=true", Some(app.session(Role::Petugas))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app.get("/api/v1/referrals", Some(app.session(Role::Petugas))).await;
    assert_eq!(json(&reply.body).as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn each_agency_receives_only_its_minimal_fields() {
    let app = App::start(false).await;
    for agency in Agency::ALL {
        let view = refer(&app, agency.as_str()).await;
        let shared = view["shared"].as_object().unwrap();
        let mut keys: Vec<&str> = shared.keys().map(String::as_str).collect();
        let defaults = ReferralFields::default();
        let mut expected: Vec<&str> = defaults.of(agency).iter().map(String::as_str).collect();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{agency}");
        assert_eq!(shared["full_name"], "Suryani binti Ahmad");
        for never in ["mother_name", "father_name", "previous_passport_no"] {
            assert!(!shared.contains_key(never), "{agency} gets {never}");
        }
    }
    // The local government learns whom to reach, not the person's birth date or travel.
    let pemda = refer(&app, "pemda").await;
    for absent in ["birth_date", "phone", "destination_country", "sponsor_name", "outcome"] {
        assert!(pemda["shared"].get(absent).is_none(), "pemda gets {absent}");
    }
    assert_eq!(pemda["shared"]["nik"], "1807054503950001");
    // A field outside the agency's set is refused, naming it.
    let body = format!(
        r#"{{"application_key":{},"agency":"pemda","purpose":"Pendampingan keluarga","fields":["full_name","phone"]}}"#,
        app.application_key
    );
    let reply =
        app.send("POST", "/api/v1/referrals", Some(app.session(Role::Petugas)), JSON, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("fields: phone"), "{}", reply.body);
    // A subset is kept as chosen.
    let body = body.replace(r#""phone""#, r#""address""#);
    let reply =
        app.send("POST", "/api/v1/referrals", Some(app.session(Role::Petugas)), JSON, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let keys: Vec<String> =
        json(&reply.body)["shared"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
}

#[tokio::test]
async fn a_configured_agency_shares_exactly_its_configured_fields_in_form_letter_and_json() {
    let app = App::start(false).await;
    // As `jejak serve` does with `[referrals.fields] pemda = ["village_code", "full_name"]`.
    let configured = vec!["village_code".to_owned(), "full_name".to_owned()];
    let fields = ReferralFields::configured([("pemda", configured.as_slice())]).unwrap();
    app.casework.configure_referrals(fields).unwrap();
    let officer = app.session(Role::Petugas);

    let form = app.get(&format!("/permohonan/{}/rujuk", app.application_key), Some(officer)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let pemda_row =
        form.body.split("data-agency=\"pemda\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(pemda_row.contains("Desa/kelurahan (kode), Nama lengkap"), "{pemda_row}");
    assert!(!pemda_row.contains("NIK") && !pemda_row.contains("Alamat"), "{pemda_row}");

    let view = refer(&app, "pemda").await;
    let id = view["id"].as_i64().unwrap();
    assert_eq!(view["fields"], serde_json::json!(["village_code", "full_name"]), "{view}");
    let shared = view["shared"].as_object().unwrap();
    let mut keys: Vec<&str> = shared.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["full_name", "village_code"], "{view}");
    let partner = app.get(&format!("/api/v1/referrals/{id}"), Some(officer)).await;
    assert_eq!(partner.status, StatusCode::OK, "{}", partner.body);
    assert_eq!(json(&partner.body)["shared"], view["shared"]);

    // The letter lists the configured fields, in the configured order, and nothing more.
    let letter = app.get(&format!("/rujukan/{id}/surat"), Some(officer)).await;
    assert_eq!(letter.status, StatusCode::OK, "{}", letter.body);
    let rows: Vec<&str> = letter
        .body
        .split("data-field=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(rows, ["village_code", "full_name"], "letter rows");

    // A field of the default set the configuration dropped is no longer shared.
    let body = format!(
        r#"{{"application_key":{},"agency":"pemda","purpose":"Pendampingan keluarga","fields":["full_name","nik"]}}"#,
        app.application_key
    );
    let reply = app.send("POST", "/api/v1/referrals", Some(officer), JSON, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("fields: nik"), "{}", reply.body);
    // The other agencies keep their default sets.
    let bp3mi = refer(&app, "bp3mi").await;
    let defaults = ReferralFields::default();
    assert_eq!(bp3mi["fields"], serde_json::json!(defaults.of(jejak_domain::Agency::Bp3mi)));
}

#[tokio::test]
async fn a_protected_person_is_masked_refused_to_officers_and_opened_by_a_supervisor_with_a_purpose()
 {
    let app = App::start(false).await;
    let key = app.application_key;
    let (officer, supervisor) = (app.session(Role::Petugas), app.session(Role::Supervisor));

    // Only a supervisor marks, with a reason.
    let reply = app
        .send(
            "POST",
            &format!("/permohonan/{key}/lindungi"),
            Some(officer),
            FORM,
            "reason=korban+TPPO",
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app
        .send("POST", &format!("/permohonan/{key}/lindungi"), Some(supervisor), FORM, "reason=")
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let reason = "reason=Korban+TPPO+menurut+LP+Polda+Lampung";
    let reply = app
        .send("POST", &format!("/permohonan/{key}/lindungi"), Some(supervisor), FORM, reason)
        .await;
    assert!(reply.status.is_redirection(), "{} {}", reply.status, reply.body);

    // Search (API and page) and the queue show only that a protected record exists.
    for session in [officer, supervisor] {
        let reply = app.get("/api/v1/search?q=1807054503950001", Some(session)).await;
        let hit = &json(&reply.body)["hits"][0];
        assert_eq!(hit["protected"], true, "{}", reply.body);
        assert_eq!(hit["full_name"], PROTECTED_LABEL);
        assert!(hit["nik"].is_null() && hit["phone"].is_null() && hit["birth_date"].is_null());
        let page = app.get("/cari?q=Suryani", Some(session)).await;
        assert!(!page.body.contains("Suryani binti"), "the search page shows the name");
        assert!(!page.body.contains("1807"), "the search page shows the NIK");
    }
    let queue = app.get("/api/v1/queue", Some(officer)).await;
    let item = &json(&queue.body)["pending"][0];
    assert_eq!(
        (item["protected"].clone(), item["full_name"].clone()),
        (Value::Bool(true), Value::from(PROTECTED_LABEL))
    );
    let home = app.get("/", Some(officer)).await;
    assert!(!home.body.contains("Suryani"), "the queue page shows the name");

    // Screening a look-alike shows the candidate, with the stored side of the evidence masked.
    let probe = r#"{"application_id":"KLA-9","applied_on":"2026-11-02","full_name":"Suryani binti Ahmad","nik":"1807054503950001","sex":"P","birth_date":"1995-03-05"}"#;
    let reply = app
        .send(
            "POST",
            "/api/v1/screen?purpose=memeriksa%20permohonan&purpose_text=menyaring%20pemohon%20baru",
            Some(officer),
            JSON,
            probe,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let matches = json(&reply.body)["matches"].as_array().unwrap().clone();
    let candidate = matches
        .iter()
        .find(|m| m["application_key"] == key)
        .expect("the protected candidate is shown");
    assert!(candidate["evidence"].as_array().unwrap().iter().all(|e| e["that"] == PROTECTED_LABEL));
    assert!(
        !reply.body.contains("Suryani binti Ahmad\",\"weight")
            && !reply.body.contains("\"that\":\"suryani")
    );

    // The full record: refused to an officer everywhere, a supervisor states a purpose.
    for path in [
        format!("/api/v1/applications/{key}"),
        format!("/permohonan/{key}"),
        format!(
            "/api/v1/persons/P{key}?purpose=memeriksa+permohonan&purpose_text=ingin+melihat+riwayat"
        ),
    ] {
        let reply = app.get(&path, Some(officer)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}: {}", reply.body);
        assert!(!reply.body.contains("Suryani"), "{path}");
    }
    let decision = r#"{"kind":"deferred","reason_codes":["PMI_NP"],"deferral_until":"2027-05-02","expected_version":1}"#;
    let path = format!("/api/v1/applications/{key}/decisions");
    let reply = app.send("POST", &path, Some(officer), JSON, decision).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let reply = app.get(&format!("/api/v1/applications/{key}"), Some(supervisor)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("purpose"), "{}", reply.body);
    let page = app.get(&format!("/permohonan/{key}"), Some(supervisor)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"tujuan\"") && !page.body.contains("Suryani"),
        "{}",
        page.body
    );
    let purpose = "penyelidikan TPPO/TPPM: Koordinasi dengan Unit PPA";
    let reply = app
        .get(
            &format!(
                "/api/v1/applications/{key}?purpose=penyelidikan%20TPPO%2FTPPM&purpose_text=Koordinasi%20dengan%20Unit%20PPA"
            ),
            Some(supervisor),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Suryani binti Ahmad"));
    let page = app
        .get(
            &format!(
                "/permohonan/{key}?keperluan=penyelidikan+TPPO%2FTPPM&tujuan=Koordinasi+dengan+Unit+PPA"
            ),
            Some(supervisor),
        )
        .await;
    assert!(page.body.contains("Suryani binti Ahmad") && page.body.contains("id=\"protected\""));
    let audit = audit_actions(&app).await;
    let reads: Vec<_> = audit.iter().filter(|(a, _, _)| a == "protected_person.read").collect();
    assert_eq!(reads.len(), 2, "{audit:?}");
    assert!(reads.iter().all(|(_, p, _)| p.as_deref() == Some(purpose)));
    assert!(audit.iter().any(|(a, p, _)| a == "person.protect"
        && p.as_deref() == Some("Korban TPPO menurut LP Polda Lampung")));

    // A supervisor's decision on the protected record is recorded; the page says so and
    // leads back (re-opening the record asks for the purpose again).
    let form = "kind=deferred&reason=PMI_NP&deferral_until=2027-05-02&version=1";
    let path = format!("/permohonan/{key}/keputusan");
    let reply = app.send("POST", &path, Some(supervisor), FORM, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("Keputusan tersimpan"), "{}", reply.body);
    assert!(reply.body.contains(&format!("href=\"/permohonan/{key}\"")), "{}", reply.body);
    assert!(!reply.body.contains("Suryani"), "{}", reply.body);

    // The admin's subject report (a data-subject request) stays complete.
    let nik = jejak_domain::Nik::parse("1807054503950001").unwrap();
    let report =
        jejak_service::subject::report(app.store.as_ref(), None, &nik, &ctx()).await.unwrap();
    let report = serde_json::to_string(&report).unwrap();
    assert!(report.contains("Suryani binti Ahmad"), "{report}");
    assert!(report.contains("person.protect"), "{report}");

    // Lifting (with a reason, audited) gives the officer the record back.
    let reply = app
        .send(
            "POST",
            &format!("/permohonan/{key}/lindungi"),
            Some(supervisor),
            FORM,
            "lift=1&reason=Putusan+pengadilan+berbeda",
        )
        .await;
    assert!(reply.status.is_redirection(), "{} {}", reply.status, reply.body);
    let reply = app.get(&format!("/api/v1/applications/{key}"), Some(officer)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(audit_actions(&app).await.iter().any(|(a, _, _)| a == "person.unprotect"));
}

#[tokio::test]
async fn a_match_with_a_protected_record_is_judged_only_by_a_supervisor() {
    let app = App::start_with(false, &[common::suryani("KLA-2", "KLA")]).await;
    let key = app.application_key;
    let (officer, supervisor) = (app.session(Role::Petugas), app.session(Role::Supervisor));
    let kla = OfficeCode::parse("KLA").unwrap();
    let second = app.store.find_application(&kla, "KLA-2").await.unwrap().unwrap().key.0;
    let reason = "reason=Korban+TPPO+menurut+LP+Polda+Lampung";
    let reply = app
        .send("POST", &format!("/permohonan/{key}/lindungi"), Some(supervisor), FORM, reason)
        .await;
    assert!(reply.status.is_redirection(), "{} {}", reply.status, reply.body);

    let path = format!("/api/v1/applications/{second}/matches/{key}");
    let verdict = r#"{"verdict":"reject","reason":"bukan orang yang sama"}"#;
    let reply = app.send("POST", &path, Some(officer), "application/json", verdict).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains(PROTECTED_LABEL), "{}", reply.body);
    let reply = app.send("POST", &path, Some(supervisor), "application/json", verdict).await;
    assert!(reply.status.is_success(), "{} {}", reply.status, reply.body);
}
