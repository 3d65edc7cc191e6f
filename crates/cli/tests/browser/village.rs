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
    let text = browser.text_with("Diterima").await;
    assert!(text.contains("Status: Diterima"), "{text}");
    browser.close().await;
}
