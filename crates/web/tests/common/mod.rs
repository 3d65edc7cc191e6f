//! A web application over a fresh SQLite register with one logged-in user per role, and a
//! request helper that carries the session cookie and CSRF token.
#![allow(dead_code, reason = "each test file uses part of the harness")]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jejak_domain::{NewApplication, Nik, OfficeCode, Sex};
use jejak_matching::Model;
use jejak_service::auth::{Auth, AuthConfig, NewUserInput};
use jejak_service::authz::{Actor, Role};
use jejak_service::casework::Casework;
use jejak_service::screening::Screening;
use jejak_service::{FixedClock, SystemClock};
use jejak_store::{AuditCtx, Store};
use jejak_web::{AppState, router};
use tower::ServiceExt;

pub const PASSWORD: &str = "kata-sandi-uji-2025";

/// A logged-in user's credentials.
#[derive(Clone)]
pub struct Session {
    pub role: Role,
    pub token: String,
    pub csrf: String,
}

pub struct App {
    pub router: Router,
    pub store: Arc<dyn Store>,
    /// The use cases behind the router (to configure them as `jejak serve` does).
    pub casework: Arc<Casework>,
    /// Users, sessions and API tokens.
    pub auth: Arc<Auth>,
    pub sessions: Vec<Session>,
    /// A pending application at KLA, and a review request on it by `petugas.kla`.
    pub application_key: i64,
    pub review_id: i64,
    /// An unrelated person's application at BDL, another office than the users'.
    pub other_office_key: i64,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
    /// The body as sent (a download's bytes).
    pub bytes: Vec<u8>,
}

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "test".into(),
        office: None,
        purpose: None,
        at: "2026-11-01T00:00:00Z".into(),
    }
}

pub fn suryani(id: &str, office: &str) -> NewApplication {
    let mut app = NewApplication::new(
        id,
        OfficeCode::parse(office).unwrap(),
        jejak_domain::date::ymd(2026, 11, 1).unwrap(),
        "Suryani binti Ahmad",
    );
    app.nik = Some(Nik::parse("1807054503950001").unwrap());
    app.sex = Some(Sex::Female);
    app.birth_date = jejak_domain::date::ymd(1995, 3, 5);
    app
}

impl App {
    pub async fn start(demo: bool) -> App {
        App::start_with(demo, &[]).await
    }

    /// [`App::start`] over a register that also holds `more` applications.
    pub async fn start_with(demo: bool, more: &[jejak_domain::NewApplication]) -> App {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("web.db").display());
        let store = jejak_store::open(&url).await.unwrap();
        let first = store.insert_application(&suryani("KLA-1", "KLA"), &ctx()).await.unwrap();
        let mut joko = NewApplication::new(
            "BDL-1",
            OfficeCode::parse("BDL").unwrap(),
            jejak_domain::date::ymd(2026, 10, 1).unwrap(),
            "Joko Prasetyo",
        );
        joko.sex = Some(Sex::Male);
        joko.birth_date = jejak_domain::date::ymd(1988, 7, 17);
        let other = store.insert_application(&joko, &ctx()).await.unwrap();
        if !more.is_empty() {
            store.import(more, jejak_store::ConflictPolicy::Abort, &ctx()).await.unwrap();
        }
        let screening = Arc::new(
            Screening::start(store.clone(), Arc::new(Model::interchange().unwrap())).await.unwrap(),
        );
        // As `jejak serve` does: the index follows the register, so `/readyz` stays 200 however
        // long a test walks (the setup below already moves the change sequence).
        screening.spawn_refresher(jejak_service::screening::REFRESH_INTERVAL);
        let rules = Arc::new(jejak_rules::catalogue::default_rule_set().unwrap());
        let clock = Arc::new(FixedClock(
            jejak_domain::date::ymd(2026, 11, 2).unwrap().midnight().assume_utc(),
        ));
        let casework = Arc::new(Casework::new(store.clone(), screening, rules, clock));
        let auth = Arc::new(
            Auth::new(store.clone(), Arc::new(SystemClock), AuthConfig::default()).unwrap(),
        );
        let setup = Actor::user("setup", "Setup", Role::Admin, OfficeCode::parse("BDL").unwrap());
        let mut sessions = Vec::new();
        for role in Role::ALL {
            let username = format!("{}.kla", role.as_str());
            auth.add_user(
                &setup,
                NewUserInput {
                    username: username.clone(),
                    display_name: username.clone(),
                    role,
                    office: OfficeCode::parse("KLA").unwrap(),
                    password: PASSWORD.into(),
                },
            )
            .await
            .unwrap();
            let login = auth.login(&username, PASSWORD, None).await.unwrap();
            sessions.push(Session { role, token: login.token, csrf: login.csrf });
        }
        let request = jejak_domain::NewReviewRequest {
            proposed: jejak_domain::NewDecision {
                application: first.key,
                kind: jejak_domain::DecisionKind::Issued,
                decided_on: jejak_domain::date::ymd(2026, 11, 2).unwrap(),
                deferral_until: None,
                reason_codes: vec![],
                reason_text: None,
                officer: Some("petugas.kla".into()),
            },
            expected_version: first.version,
            grounds: "band risiko tinggi".into(),
            requested_by: "petugas.kla".into(),
        };
        let review = store.request_review(&request, &ctx()).await.unwrap();
        let mut state = AppState::new(store.clone(), casework.clone(), auth.clone());
        state.demo = demo;
        // The permission and route walks send hundreds of requests per user within a second;
        // rate limits have their own tests (auth.rs).
        state.limiter = Arc::new(jejak_web::RateLimiter::new(100_000, 100_000.0));
        App {
            router: router(state),
            store,
            casework,
            auth,
            sessions,
            application_key: first.key.0,
            review_id: review.id,
            other_office_key: other.key.0,
            _dir: dir,
        }
    }

    /// Designates `code` as a Kalianda Desa Binaan (2025-09-18) and assigns `pimpasa.kla` to
    /// it from 2026-01-01.
    pub async fn designate_kla_village(&self, code: &str) {
        let code = jejak_domain::RegionCode::parse(code).unwrap();
        let village = jejak_domain::NewVillage {
            code: code.clone(),
            office: OfficeCode::parse("KLA").unwrap(),
            designated_on: jejak_domain::date::ymd(2025, 9, 18).unwrap(),
            decree: Some("SK-12/2025".into()),
            ends_on: None,
            partners: vec![],
        };
        self.store.designate_village(&village, &ctx()).await.unwrap();
        let from = jejak_domain::date::ymd(2026, 1, 1).unwrap();
        self.store.assign_pimpasa(&code, "pimpasa.kla", from, &ctx()).await.unwrap();
    }

    pub fn session(&self, role: Role) -> &Session {
        self.sessions.iter().find(|s| s.role == role).unwrap()
    }

    /// Sends a request, as `session` when given; bodies of POSTs carry the CSRF token.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        session: Option<&Session>,
        content_type: &str,
        body: &str,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(s) = session {
            builder = builder
                .header(header::COOKIE, format!("jejak_session={}", s.token))
                .header("x-csrf-token", &s.csrf);
        }
        self.dispatch(builder, content_type, body).await
    }

    /// Sends a request with an API token (`Authorization: Bearer`), as a partner system does.
    pub async fn send_bearer(
        &self,
        method: &str,
        path: &str,
        secret: &str,
        content_type: &str,
        body: &str,
    ) -> Reply {
        let builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {secret}"));
        self.dispatch(builder, content_type, body).await
    }

    async fn dispatch(
        &self,
        mut builder: axum::http::request::Builder,
        content_type: &str,
        body: &str,
    ) -> Reply {
        if !content_type.is_empty() {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let response = self
            .router
            .clone()
            .oneshot(builder.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let location = header_text(header::LOCATION);
        let content_type = header_text(header::CONTENT_TYPE);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply { status, location, content_type, body, bytes: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str, session: Option<&Session>) -> Reply {
        self.send("GET", path, session, "", "").await
    }
}
