//! The harness: a `jejak serve` on a temporary register with users, a ChromeDriver on a free
//! port, and a headless Chromium session driven through WebDriver (fantoccini).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub const PASSWORD: &str = "kata-sandi-uji-2025";

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills the child when dropped, so a failed test leaves no process behind.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn jejak() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jejak"));
    c.env_remove("JEJAK_DATABASE");
    c
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running `jejak serve` over a fresh register with one user per role.
pub struct Server {
    pub url: String,
    pub database: String,
    pub dir: tempfile::TempDir,
    _process: Guard,
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite://{}", dir.path().join("register.db").display());
        for (user, role, office) in [
            ("petugas.bdl", "petugas", "BDL"),
            ("petugas.kla", "petugas", "KLA"),
            ("kasi.kla", "supervisor", "KLA"),
            ("analis", "analis", "BDL"),
            ("desa.kla", "pimpasa", "KLA"),
            ("admin.bdl", "admin", "BDL"),
        ] {
            let mut child = jejak()
                .args(["user", "add", "--database", &database, "--username", user, "--name", user])
                .args(["--role", role, "--office", office, "--password-stdin"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "user add: {}", String::from_utf8_lossy(&out.stderr));
        }
        let mut child = jejak()
            .args(["serve", "--database", &database, "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let guard = Guard(child);
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        let url = loop {
            line.clear();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "jejak serve stopped before listening"
            );
            if let Some(rest) = line.split("http://").nth(1) {
                break format!(
                    "http://{}",
                    rest.split_whitespace().next().unwrap().trim_end_matches('/')
                );
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        Server { url, database, dir, _process: guard }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Runs a `jejak` command on this register (`--database` appended); panics on failure.
    pub fn cli(&self, args: &[&str]) {
        let out = jejak().args(args).args(["--database", &self.database]).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Imports a CSV through the CLI (fixtures).
    pub fn import(&self, csv: &str) {
        let path = self.dir.path().join("fixture.csv");
        std::fs::write(&path, csv).unwrap();
        let out = jejak()
            .args(["import", "--database", &self.database, path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "import: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// A headless Chromium session, or `None` (with a note) where there is no browser outside CI.
pub struct Browser {
    pub client: Client,
    _driver: Guard,
}

impl Browser {
    pub async fn start() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but Chromium/ChromeDriver are missing: run scripts/ensure-chromium"
            );
            eprintln!(
                "note: browser tests skipped: no {CHROMIUM} / {CHROMEDRIVER} (scripts/ensure-chromium installs them)"
            );
            return None;
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Guard(driver);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-extensions", "--no-first-run",
                         "--window-size=1280,1100", "--lang=id"],
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start Chromium through ChromeDriver: {e}"),
            }
        };
        Some(Browser { client, _driver: driver })
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    /// The page's visible text. A page still being replaced after a click makes the body
    /// element stale: read again.
    pub async fn text(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let attempt = async {
                let body = self.client.find(Locator::Css("body")).await?;
                body.text().await
            };
            match attempt.await {
                Ok(text) => return text,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot read the page: {e}"),
            }
        }
    }

    /// The page's text once it contains `needle` (after a click that loads another page),
    /// or whatever it says after 10 s.
    pub async fn text_with(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text().await;
            if text.contains(needle) || Instant::now() >= deadline {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the element at `css` once it reads `expected`, or what it reads after 10 s.
    pub async fn element_text_becomes(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let current = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if current == expected || Instant::now() >= deadline {
                return current;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    pub async fn login(&self, server: &Server, user: &str) {
        self.goto(&server.at("/login")).await;
        self.fill("input[name=username]", user).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.click("form button[type=submit]").await;
        let text = self.text_with(user).await;
        assert!(text.contains(user), "not logged in as {user}: {text}");
    }

    pub async fn logout(&self) {
        self.click("header form[action='/logout'] button").await;
        let text = self.text_with("Kata sandi").await;
        assert!(text.contains("Kata sandi"), "logged out onto the login page: {text}");
    }

    /// Saves a PNG of the page under `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Saves a file (a printed PDF) next to the screenshots.
    pub fn save_artifact(&self, name: &str, bytes: &[u8]) {
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots")
}
