//! Referrals in the browser (issue 15): an officer refers a waiting applicant to Polri's PPA
//! unit from the examination page, prints the letter and follows its status; the supervisor
//! sees it among the office's referrals. And the examination page showing the applicant's
//! CPMI registration from a SISKOP2MI snapshot.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::support::{Browser, Server};

const FIXTURE: &str = "application_id,office_code,applied_on,full_name,nik,sex,birth_date,phone,purpose,destination_country,sponsor_name\n\
KLA-2026-0007,KLA,2026-11-02,Rohmah binti Sukardi,1807055203950003,P,1995-03-12,081355550001,work,MY,PT Maju Jaya\n";

const CPMI: &str = "cpmi_id,nik,full_name,birth_date,sex,destination_country,p3mi_name,employer,job_title,placement_scheme,status,recommendation_no,recommendation_date,updated_on\n\
CPMI-LPG-0042,1807055203950003,Rochmah binti Sukardi,1995-03-12,P,MY,PT Sinar Jaya Abadi,Tan Sdn Bhd,Operator produksi,P-to-P,registered,562/42/2026,2026-10-01,2026-10-15\n";

impl Browser {
    /// Opens the first application of the officer's queue.
    async fn open_first_in_queue(&self, server: &Server, application_id: &str) {
        self.goto(&server.at("/")).await;
        self.click("td a[href^='/permohonan/']").await;
        let heading = format!("Permohonan {application_id}");
        let text = self.text_with(&heading).await;
        assert!(text.contains(&heading), "{text}");
    }
}

#[tokio::test]
async fn an_officer_refers_a_case_prints_the_letter_and_follows_its_status() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    server.import(FIXTURE);
    browser.login(&server, "petugas.kla").await;
    browser.open_first_in_queue(&server, "KLA-2026-0007").await;
    browser.click("a#rujuk").await;
    let text = browser.text_with("Kirim rujukan").await;
    assert!(text.contains("Data yang dibagikan per instansi"), "{text}");
    let agency = browser.client.find(Locator::Css("#agency")).await.unwrap();
    agency.select_by_value("polri_ppa").await.unwrap();
    browser.fill("#purpose", "Dugaan perekrutan oleh calo untuk kerja tanpa prosedur").await;
    browser.fill("#note", "Sponsor tidak terdaftar sebagai P3MI").await;
    browser.click("#referral-form button[type=submit]").await;
    let text = browser.text_with("Riwayat").await;
    assert!(text.contains("Rujukan RJK/KLA/"), "{text}");
    assert!(
        text.contains("Dikirim") && text.contains("Unit Pelayanan Perempuan dan Anak"),
        "{text}"
    );
    // Polri's PPA unit receives the contacts; the mother's name is never shared.
    assert!(text.contains("081355550001") || text.contains("+6281355550001"), "{text}");

    browser.click("a#surat").await;
    let letter = browser.text_with("Surat Pengantar Rujukan Kasus").await;
    for part in [
        "Kepada Yth.",
        "Unit Pelayanan Perempuan dan Anak",
        "Rohmah binti Sukardi",
        "Dasar hukum",
        "Mohon tanggapan paling lambat",
    ] {
        assert!(letter.contains(part), "the letter lacks {part}: {letter}");
    }
    browser.screenshot("referral-letter").await;
    browser.click("p.no-print a").await;

    let status = browser.client.find(Locator::Css("#status")).await.unwrap();
    status.select_by_value("received").await.unwrap();
    browser.fill("#note", "Diterima Unit PPA Polres Lampung Selatan").await;
    browser.click("#referral-status-form button[type=submit]").await;
    let text = browser.text_with("Diterima Unit PPA").await;
    let current =
        browser.client.find(Locator::Css("#referral-status")).await.unwrap().text().await.unwrap();
    assert_eq!(current, "Diterima", "{text}");
    let status = browser.client.find(Locator::Css("#status")).await.unwrap();
    status.select_by_value("in_follow_up").await.unwrap();
    browser.click("#referral-status-form button[type=submit]").await;
    // "Ditindaklanjuti" is also an option of the form: wait for the current status itself.
    let current = browser.element_text_becomes("#referral-status", "Ditindaklanjuti").await;
    assert_eq!(current, "Ditindaklanjuti");
    browser.logout().await;

    // The supervisor sees the referral among the office's, not overdue.
    browser.login(&server, "kasi.kla").await;
    browser.goto(&server.at("/rujukan")).await;
    let text = browser.text_with("Semua rujukan").await;
    assert!(text.contains("Tidak ada rujukan yang terlambat"), "{text}");
    assert!(text.contains("Polri (PPA)") && text.contains("Ditindaklanjuti"), "{text}");
    browser.close().await;
}

#[tokio::test]
async fn the_examination_page_shows_the_applicants_cpmi_registration() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    server.import(FIXTURE);
    let path = server.dir.path().join("siskop2mi.csv");
    std::fs::write(&path, CPMI).unwrap();
    server.cli(&["cpmi", "import", path.to_str().unwrap(), "--as-of", "2026-10-15"]);
    browser.login(&server, "petugas.kla").await;
    // The server reloads partner data when a snapshot arrives (its refresher, every 200 ms).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        browser.open_first_in_queue(&server, "KLA-2026-0007").await;
        if browser.text().await.contains("CPMI-LPG-0042") || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let section =
        browser.client.find(Locator::Css("section#cpmi")).await.unwrap().text().await.unwrap();
    for part in [
        "Pendaftaran CPMI (SISKOP2MI)",
        "CPMI-LPG-0042",
        "terdaftar",
        "PT Sinar Jaya Abadi",
        "562/42/2026",
        "NIK",
    ] {
        assert!(section.contains(part), "the CPMI block lacks {part}: {section}");
    }
    browser.screenshot("examination-cpmi").await;
    browser.close().await;
}
