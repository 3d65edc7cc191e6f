//! What officers do every day, in the browser: cross-office deferrals, supervisor overrides,
//! the English switch, a bad upload, fuzzy search, and the login gate.

use fantoccini::Locator;
use serde_json::json;

use crate::support::{Browser, PASSWORD, Server};

const FIXTURE: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,phone,mother_name\n\
BDL-2025-0001,BDL,2025-01-10,Suryani binti Ahmad,1807054503950001,F,1995-03-05,081234567890,Siti Maryam\n";

impl Browser {
    /// Sets a field's value directly (date inputs ignore typed text in some locales).
    async fn set_value(&self, css: &str, value: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    async fn select(&self, css: &str, value: &str) {
        let el = self.client.find(Locator::Css(css)).await.unwrap();
        el.select_by_value(value).await.unwrap();
    }

    /// Registers Suryani (or a spelling of her) through the form; lands on the examination.
    async fn register(&self, server: &Server, application_id: &str, name: &str) {
        self.goto(&server.at("/permohonan/baru")).await;
        self.fill("#f-application_id", application_id).await;
        self.fill("#f-full_name", name).await;
        self.fill("#f-nik", "1807054503950001").await;
        self.select("#f-sex", "F").await;
        self.set_value("#f-birth_date", "1995-03-05").await;
        self.fill("#f-phone", "0812 3456 7890").await;
        self.fill("#f-mother_name", "Siti Maryam").await;
        self.select("#f-purpose", "work").await;
        self.fill("#f-destination_country", "MY").await;
        self.click("form.stack button[type=submit]").await;
        let heading = format!("Permohonan {application_id}");
        let text = self.text_with(&heading).await;
        assert!(text.contains(&heading), "{text}");
    }

    /// Defers the open application for six months with reason PMI_NP.
    async fn defer(&self) {
        self.click("input[name=kind][value=deferred]").await;
        self.click("input[name=reason][value=PMI_NP]").await;
        self.set_value("#deferral_until", "2027-05-22").await;
        self.click("form[action$='/keputusan'] button[type=submit]").await;
        let text = self.text_with("Keputusan tersimpan").await;
        assert!(text.contains("Keputusan tersimpan: Ditunda"), "{text}");
    }
}

#[tokio::test]
async fn a_deferral_at_one_office_is_seen_with_its_evidence_at_the_next() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    browser.login(&server, "petugas.bdl").await;
    browser.register(&server, "BDL-7", "Suryani binti Ahmad").await;
    browser.defer().await;
    browser.screenshot("decision-recorded").await;
    browser.logout().await;

    browser.login(&server, "petugas.kla").await;
    browser.register(&server, "KLA-9", "Soeryani").await;
    let text = browser.text().await;
    assert!(text.contains("BDL-7 @ BDL"), "the earlier application at BDL is listed: {text}");
    assert!(text.contains("Penangguhan berlaku sampai 22 Mei 2027"), "{text}");
    assert!(text.contains("PMI_NP"), "{text}");
    browser.click("details summary").await;
    let evidence = browser.text().await;
    assert!(evidence.contains("full_name") && evidence.contains("nik"), "{evidence}");
    browser.screenshot("examination").await;

    // The person's timeline across offices opens with the examined application as purpose.
    browser.click("a[href^='/orang/']").await;
    let text = browser.text_with("Keperluan").await;
    assert!(text.contains("Keperluan: memeriksa permohonan"), "{text}");
    assert!(text.contains("BDL-7") && text.contains("Ditunda"), "{text}");
    browser.screenshot("person").await;
    browser.close().await;
}

#[tokio::test]
async fn issuing_despite_a_bar_waits_for_the_supervisor_who_approves_it() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    browser.login(&server, "petugas.bdl").await;
    browser.register(&server, "BDL-7", "Suryani binti Ahmad").await;
    browser.defer().await;
    browser.logout().await;

    browser.login(&server, "petugas.kla").await;
    browser.register(&server, "KLA-9", "Soeryani").await;
    let url = browser.client.current_url().await.unwrap();
    browser.click("input[name=kind][value=issued]").await;
    browser.click("form[action$='/keputusan'] button[type=submit]").await;
    let text = browser.text_with("Menunggu persetujuan").await;
    assert!(text.contains("Menunggu persetujuan kepala seksi"), "{text}");
    assert!(text.contains("R12B"), "the grounds name the failed check: {text}");
    browser.logout().await;

    browser.login(&server, "kasi.kla").await;
    browser.goto(&server.at("/tinjauan")).await;
    browser.screenshot("review-queue").await;
    let text = browser.text().await;
    assert!(text.contains("KLA-9") && text.contains("petugas.kla"), "{text}");
    browser.click("button[value=approve]").await;
    let text = browser.text_with("Tidak ada permintaan yang menunggu").await;
    assert!(text.contains("Tidak ada permintaan yang menunggu"), "{text}");
    browser.goto(url.as_str()).await;
    let text = browser.text().await;
    assert!(text.contains("diterbitkan"), "{text}");
    assert!(text.contains("disetujui oleh kasi.kla"), "{text}");
    browser.close().await;
}

#[tokio::test]
async fn the_english_switch_translates_the_pages_and_is_remembered() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    browser.login(&server, "petugas.kla").await;
    assert!(browser.source().await.contains("<html lang=\"id\""));
    browser.click("a[lang=en]").await;
    browser.text_with("Pending applications").await;
    let source = browser.source().await;
    assert!(source.contains("<html lang=\"en\""), "{source}");
    assert!(browser.text().await.contains("Pending applications"));
    browser.goto(&server.at("/permohonan/baru")).await;
    let text = browser.text().await;
    assert!(text.contains("Mother's name") && text.contains("Save and screen"), "{text}");
    browser.screenshot("new-application-en").await;
    browser.close().await;
}

#[tokio::test]
async fn a_bad_upload_shows_the_row_level_errors_and_imports_nothing() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    let bad = server.dir.path().join("kla-januari.csv");
    std::fs::write(
        &bad,
        "application_id,office_code,applied_on,full_name,nik\n\
         KLA-1,KLA,2025-01-02,Sri Wahyuni,1807054503950002\n\
         KLA-2,KLA,2025-13-02,Wayan Sudirta,12345\n",
    )
    .unwrap();
    browser.login(&server, "petugas.kla").await;
    browser.goto(&server.at("/impor")).await;
    let input = browser.client.find(Locator::Css("input[type=file]")).await.unwrap();
    input.send_keys(bad.to_str().unwrap()).await.unwrap();
    browser.click("main form button[type=submit]").await;
    let text = browser.text_with("kesalahan").await;
    assert!(text.contains("kesalahan: tidak ada yang diimpor"), "{text}");
    assert!(text.contains("applied_on"), "{text}");
    // A mistyped NIK from a sheet is kept and flagged: a warning, not an error (spec).
    assert!(text.contains("1 kesalahan, 1 peringatan"), "{text}");
    assert!(!text.contains("Konfirmasi impor"), "no confirm button with errors");
    browser.screenshot("import-errors").await;
    browser.goto(&server.at("/cari?q=Sri+Wahyuni")).await;
    assert!(browser.text().await.contains("0 hasil"), "nothing was imported");
    browser.close().await;
}

#[tokio::test]
async fn search_finds_an_old_spelling_and_shows_the_nik_masked() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    server.import(FIXTURE);
    browser.login(&server, "petugas.kla").await;
    browser.goto(&server.at("/cari")).await;
    browser.fill("#q", "Soeryani binti Achmad").await;
    browser.click("form[role=search] button").await;
    let text = browser.text_with("hasil").await;
    assert!(text.contains("Suryani binti Ahmad"), "{text}");
    assert!(text.contains("1807********0001"), "{text}");
    assert!(!text.contains("1807054503950001"), "the list never shows the whole NIK");
    browser.screenshot("search").await;
    browser.close().await;
}

#[tokio::test]
async fn pages_need_a_login_and_a_wrong_password_is_refused() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    browser.goto(&server.at("/permohonan/baru")).await;
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/login", "anonymous users are sent to the login page");
    browser.fill("input[name=username]", "petugas.kla").await;
    browser.fill("input[name=password]", &format!("{PASSWORD}x")).await;
    browser.click("form button[type=submit]").await;
    let text = browser.text_with("Masuk").await;
    assert!(!text.contains("Antrean"), "{text}");
    browser.screenshot("login-refused").await;
    browser.login(&server, "petugas.kla").await;
    browser.screenshot("queue").await;
    browser.close().await;
}
