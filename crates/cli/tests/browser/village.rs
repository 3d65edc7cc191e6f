//! The village officer's report form on a phone-sized window: filed offline (kept on the
//! phone), sent when back online, once; then the supervisor acknowledges it.

use fantoccini::Locator;
use serde_json::json;

use crate::support::{Browser, Server};

impl Browser {
    /// Pretends the phone lost (false) or regained (true, with the `online` event) its network.
    async fn set_online(&self, online: bool) {
        self.client
            .execute(
                "Object.defineProperty(navigator, 'onLine', {configurable: true, get: () => arguments[0]});
                 if (arguments[0]) { window.dispatchEvent(new Event('online')); }",
                vec![json!(online)],
            )
            .await
            .unwrap();
    }

    async fn stored_reports(&self) -> usize {
        let n = self
            .client
            .execute(
                "return JSON.parse(localStorage.getItem('jejak.laporan.antrean') || '[]').length;",
                vec![],
            )
            .await
            .unwrap();
        usize::try_from(n.as_u64().unwrap()).unwrap()
    }
}

#[tokio::test]
async fn a_report_written_offline_on_a_phone_is_sent_once_when_back_online() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    server.cli(&["village", "designate", "18.07.05.2001", "--office", "KLA", "--on", "2025-09-18"]);
    server.cli(&[
        "village",
        "assign",
        "18.07.05.2001",
        "--user",
        "desa.kla",
        "--from",
        "2026-01-01",
    ]);
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.login(&server, "desa.kla").await;
    // The PIMPASA's home is the village page, with the way to the form.
    let text = browser.text_with("Desa binaan saya").await;
    assert!(text.contains("18.07.05.2001"), "{text}");
    browser.click("a[href='/desa/laporan/baru']").await;
    let text = browser.text_with("Kirim laporan").await;
    assert!(text.contains("Uraian"), "{text}");
    // The script gave the report its id.
    let id = browser
        .client
        .find(Locator::Css("input[name=report_id]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id.len(), 36, "{id}");
    // Single column: the narrative box is as wide as the form on a phone.
    let width = browser
        .client
        .execute(
            "return document.getElementById('narrative').getBoundingClientRect().width;",
            vec![],
        )
        .await
        .unwrap();
    assert!(width.as_f64().unwrap() > 300.0, "{width}");

    browser.set_online(false).await;
    browser
        .client
        .find(Locator::Css("#topic"))
        .await
        .unwrap()
        .select_by_value("recruiter")
        .await
        .unwrap();
    browser.fill("#phones", "0812-7788-9900").await;
    browser.fill("#narrative", "Calo keliling dari rumah ke rumah").await;
    browser.click("#laporan button[type=submit]").await;
    let text = browser.text_with("Tersimpan di ponsel").await;
    assert!(text.contains("Tersimpan di ponsel, akan dikirim saat online"), "{text}");
    assert_eq!(browser.stored_reports().await, 1);
    browser.screenshot("village-report-offline").await;

    browser.set_online(true).await;
    let text = browser.text_with("terkirim").await;
    assert!(text.contains(&id), "{text}");
    assert_eq!(browser.stored_reports().await, 0);
    // A reload (the page-load send) finds nothing left to send: one report.
    browser.goto(&server.at("/desa")).await;
    let text = browser.text_with("Calo keliling").await;
    assert_eq!(text.matches("Calo keliling dari rumah").count(), 1, "{text}");
    browser.logout().await;

    // The supervisor acknowledges it from the alert queue.
    browser.login(&server, "kasi.kla").await;
    browser.goto(&server.at("/desa/peringatan")).await;
    let text = browser.text_with("Calo keliling").await;
    assert!(text.contains("Baru"), "{text}");
    browser.click("form[action$='/status'] input[value=acknowledged] ~ button").await;
    // Wait for the status line itself: "Diterima" is also an option of the status form.
    let text = browser.text_with("Status: Diterima").await;
    assert!(!text.contains("Status: Baru"), "{text}");
    browser.close().await;
}

/// Sets a form field's value directly (date inputs ignore typed text in some locales).
async fn set(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1];",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

/// The status on a report's page, once the page after a form's answer has loaded (the
/// acknowledge button is gone or the history has grown), or whatever it reads after 10 s.
async fn status_shown(browser: &Browser) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let v = browser
            .client
            .execute(
                "var s = document.querySelector('dd.status'); \
                 var rows = document.querySelectorAll('table.history tbody tr').length; \
                 return s && rows > 1 ? s.textContent : '';",
                vec![],
            )
            .await
            .unwrap();
        let text = v.as_str().unwrap_or_default().to_owned();
        if !text.is_empty() || std::time::Instant::now() >= deadline {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_screening_page_shows_a_village_alert_and_the_supervisor_follows_the_report_up() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    server.cli(&["village", "designate", "18.07.05.2001", "--office", "KLA", "--on", "2025-09-18"]);
    server.cli(&[
        "village",
        "assign",
        "18.07.05.2001",
        "--user",
        "desa.kla",
        "--from",
        "2026-01-01",
    ]);
    let reports = server.dir.path().join("laporan.csv");
    std::fs::write(
        &reports,
        "report_id,village_code,reported_on,topic,phones,recruiters,narrative\n\
         desa-7,18.07.05.2001,2026-11-20,recruiter,0812-7788-9900,Pak Joko,Calo menawarkan kerja di Malaysia tanpa prosedur\n",
    )
    .unwrap();
    server.cli(&[
        "village",
        "report",
        "import",
        reports.to_str().unwrap(),
        "--reporter",
        "desa.kla",
    ]);

    // The interview officer registers an applicant whose sponsor has the recruiter's phone,
    // written another way: the screening shows the village alert and R20.
    browser.login(&server, "petugas.kla").await;
    browser.goto(&server.at("/permohonan/baru")).await;
    browser.fill("#f-application_id", "KLA-77").await;
    browser.fill("#f-full_name", "Budi Santoso").await;
    set(&browser, "#f-birth_date", "1990-05-17").await;
    browser.fill("#f-destination_country", "MY").await;
    browser.fill("#f-sponsor_name", "Keluarga Budi").await;
    browser.fill("#f-sponsor_phone", "+62 812 7788 9900").await;
    browser.click("form.stack button[type=submit]").await;
    let text = browser.text_with("Permohonan KLA-77").await;
    assert!(text.contains("Peringatan desa (laporan PIMPASA)"), "{text}");
    assert!(text.contains("desa-7"), "{text}");
    assert!(text.contains("nomor telepon"), "{text}");
    assert!(text.contains("R20"), "{text}");
    browser.screenshot("screening-village-alert").await;
    browser.logout().await;

    // The supervisor opens the report from the queue, acknowledges and follows it up.
    browser.login(&server, "kasi.kla").await;
    browser.goto(&server.at("/desa/peringatan")).await;
    browser.text_with("Calo menawarkan kerja").await;
    browser.click("a[href='/desa/laporan/desa-7']").await;
    let text = browser.text_with("Riwayat tindak lanjut").await;
    assert!(text.contains("Budi Santoso"), "the linked application is listed: {text}");
    browser.click("form input[name=status][value=acknowledged] ~ button").await;
    assert_eq!(status_shown(&browser).await, "Diterima");
    browser
        .client
        .find(Locator::Css("#status"))
        .await
        .unwrap()
        .select_by_value("in_follow_up")
        .await
        .unwrap();
    browser.fill("#note", "Dicek bersama Babinsa, calo masih aktif").await;
    browser.click("form.follow-up button[type=submit]").await;
    let text = browser.text_with("Dicek bersama Babinsa").await;
    assert!(text.contains("Dicek bersama Babinsa, calo masih aktif"), "{text}");
    assert_eq!(status_shown(&browser).await, "Ditindaklanjuti");
    browser.screenshot("village-report-follow-up").await;
    browser.close().await;
}
