//! The administration pages in the browser (issue 20): an administrator creates a user who
//! then logs in with the temporary password shown once, and revokes an API token, which the
//! API then refuses.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fantoccini::Locator;

use crate::support::{Browser, Server};

impl Browser {
    /// The secret the page shows once.
    async fn shown_secret(&self) -> String {
        self.text_with("Hanya ditampilkan sekali").await;
        self.client.find(Locator::Css("#secret")).await.unwrap().text().await.unwrap()
    }

    async fn choose(&self, css: &str, value: &str) {
        let el = self.client.find(Locator::Css(css)).await.unwrap();
        el.select_by_value(value).await.unwrap();
    }
}

/// The status of `GET path` with a bearer token, outside the browser.
async fn api_status(server: &Server, path: &str, secret: &str) -> StatusCode {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Body>();
    let request = Request::get(server.at(path))
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    client.request(request).await.unwrap().status()
}

#[tokio::test]
async fn an_admin_creates_a_user_who_then_logs_in_with_the_temporary_password() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    browser.login(&server, "admin.bdl").await;
    browser.click("header nav a[href='/admin']").await;
    browser.text_with("Pengguna baru").await;
    browser.fill("#u-name", "rina.kla").await;
    browser.fill("#u-display", "Rina Wulandari").await;
    browser.choose("#u-role", "supervisor").await;
    browser.choose("#u-office", "KLA").await;
    browser.click("form[action='/admin/pengguna'] button[type=submit]").await;
    let password = browser.shown_secret().await;
    assert!(password.len() >= 12, "{password}");
    browser.screenshot("admin-user-created").await;
    browser.goto(&server.at("/admin")).await;
    let list = browser.text_with("Rina Wulandari").await;
    assert!(list.contains("rina.kla") && !list.contains(&password), "shown once only: {list}");
    browser.logout().await;

    browser.goto(&server.at("/login")).await;
    browser.fill("input[name=username]", "rina.kla").await;
    browser.fill("input[name=password]", &password).await;
    browser.click("form button[type=submit]").await;
    let home = browser.text_with("Rina Wulandari").await;
    assert!(home.contains("Rina Wulandari") && home.contains("KLA"), "logged in: {home}");
    assert!(home.contains("Kepala Seksi"), "as a supervisor: {home}");
    browser.close().await;
}

#[tokio::test]
async fn an_admin_revokes_a_token_which_the_api_then_refuses() {
    let Some(browser) = Browser::start().await else { return };
    let server = Server::start();
    browser.login(&server, "admin.bdl").await;
    browser.goto(&server.at("/admin/token")).await;
    browser.fill("#t-name", "siskop").await;
    browser.choose("#t-role", "admin").await;
    browser.choose("#t-office", "BDL").await;
    browser.click("input[name=scope][value=manage_users]").await;
    browser.click("form[action='/admin/token'] button[type=submit]").await;
    let secret = browser.shown_secret().await;
    assert!(secret.starts_with("jejak_"), "{secret}");
    assert_eq!(api_status(&server, "/api/v1/users", &secret).await, StatusCode::OK);

    browser.goto(&server.at("/admin/token")).await;
    browser.click("form[action='/admin/token/siskop/cabut'] button").await;
    let text = browser.text_with("token dicabut").await;
    assert!(text.contains("token dicabut: siskop"), "{text}");
    browser.screenshot("admin-token-revoked").await;
    assert_eq!(api_status(&server, "/api/v1/users", &secret).await, StatusCode::UNAUTHORIZED);
    browser.close().await;
}
