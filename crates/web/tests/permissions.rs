//! Every route for every role (and anonymous) against the permission table: a route needing
//! an action answers 403 to a role without it, anonymous callers are sent to the login page
//! (pages) or get 401 (API), and a role with the permission is never refused.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use axum::http::StatusCode;
use jejak_service::authz::{Role, Scope, permission};
use jejak_web::{Access, ROUTES, RouteSpec};

use common::App;

/// A request body each route accepts when the caller may use it.
fn sample(route: &RouteSpec, app: &App) -> (String, &'static str, String) {
    sample_for(route, app, app.application_key, app.application_key)
}

/// [`sample`] with `{key}` and `{other}` filled with the given application keys.
fn sample_for(
    route: &RouteSpec,
    app: &App,
    key: i64,
    other: i64,
) -> (String, &'static str, String) {
    let path = route
        .path
        .replace("{key}", &key.to_string())
        .replace("{other}", &other.to_string())
        .replace("{id}", &app.review_id.to_string())
        .replace("{name}", "jejak.css")
        .replace("{version}", "2099.1")
        .replace("{partner}", "siskop2mi");
    let (kind, body) = match (route.method, route.path) {
        ("GET", "/api/v1/search") => return (format!("{path}?q=Suryani"), "", String::new()),
        ("GET", "/cari") => return (format!("{path}?q=Suryani"), "", String::new()),
        ("GET", _) => ("", String::new()),
        (_, "/api/v1/applications" | "/api/v1/screen") => (
            "application/json",
            r#"{"application_id":"KLA-9","applied_on":"2026-11-02","full_name":"Soeryani"}"#.into(),
        ),
        (_, "/api/v1/applications/{key}/decisions") => (
            "application/json",
            r#"{"kind":"deferred","reason_codes":["PMI_NP"],"deferral_until":"2027-05-02","expected_version":99}"#.into(),
        ),
        (_, "/api/v1/exchange/{partner}/acknowledgements") => {
            ("application/json", r#"{"sequence":1}"#.into())
        }
        (_, "/api/v1/reviews/{id}") => ("application/json", r#"{"approve":false}"#.into()),
        (_, "/api/v1/referrals") => (
            "application/json",
            format!(r#"{{"application_key":{},"agency":"nowhere","purpose":"uji rujukan"}}"#, app.application_key),
        ),
        (_, "/api/v1/referrals/{id}/status") => {
            ("application/json", r#"{"status":"received"}"#.into())
        }
        (_, "/api/v1/applications/{key}/matches/{other}") => {
            ("application/json", r#"{"verdict":"confirm","reason":"sama"}"#.into())
        }
        (_, "/permohonan/{key}/kecocokan/{other}") => {
            ("application/x-www-form-urlencoded", "verdict=confirm&reason=sama".into())
        }
        (_, "/aturan/draf") => ("multipart/form-data; boundary=X", "--X--\r\n".into()),
        (_, "/orang/{id}/pisah") => ("application/x-www-form-urlencoded", "reason=salah".into()),
        (_, "/api/v1/imports") => ("text/csv", "application_id,office_code,applied_on,full_name\n".into()),
        (_, "/impor") => ("multipart/form-data; boundary=X", "--X--\r\n".into()),
        (_, "/tinjauan/{id}") => ("application/x-www-form-urlencoded", "verdict=refuse".into()),
        (_, "/desa/laporan/{id}/status") => {
            ("application/x-www-form-urlencoded", "status=acknowledged".into())
        }
        // Administration: a body each page refuses without changing anything (an empty
        // name, no reason, a preview), so walking the routes as admin leaves the users intact.
        (_, "/admin/pengguna" | "/admin/token" | "/admin/kantor" | "/admin/subjek") => {
            ("application/x-www-form-urlencoded", "name=&username=&code=&nik=".into())
        }
        (_, "/admin/pengguna/{name}/aktif") => ("application/x-www-form-urlencoded", "active=1".into()),
        (_, "/admin/pengguna/{name}/peran") => {
            ("application/x-www-form-urlencoded", "role=petugas&office=KLA".into())
        }
        (_, "/admin/retensi/tahan" | "/admin/retensi/{id}/lepas") => {
            ("application/x-www-form-urlencoded", "reason=".into())
        }
        (_, "/admin/retensi/jalankan") => {
            ("application/x-www-form-urlencoded", "as_of=2026-11-02&mode=preview".into())
        }
        (_, "/permohonan/{key}/keputusan") => {
            ("application/x-www-form-urlencoded", "kind=deferred&version=99".into())
        }
        _ => ("application/x-www-form-urlencoded", "application_id=".into()),
    };
    (path, kind, body)
}

#[tokio::test]
async fn every_route_honours_the_permission_table_for_every_role() {
    let app = App::start(false).await;
    let mut failures = Vec::new();
    // Logging out ends the session the other routes are walked with: last.
    let mut routes: Vec<&RouteSpec> = ROUTES.iter().collect();
    routes.sort_by_key(|r| r.path == "/logout");
    for route in routes {
        let (path, kind, body) = sample(route, &app);
        let anonymous = app.send(route.method, &path, None, kind, &body).await;
        let expected_anonymous_ok = route.access == Access::Public;
        let refused = match route.api {
            true => anonymous.status == StatusCode::UNAUTHORIZED,
            false => {
                anonymous.status.is_redirection()
                    && anonymous.location.as_deref().is_some_and(|l| l.starts_with("/login"))
            }
        };
        if expected_anonymous_ok == refused {
            failures
                .push(format!("anonymous {} {}: {}", route.method, route.path, anonymous.status));
        }
        for role in Role::ALL {
            let session = app.session(role);
            let reply = app.send(route.method, &path, Some(session), kind, &body).await;
            let allowed = match route.access {
                Access::Public | Access::LoggedIn => true,
                Access::Action(action) => permission(role, action).is_some(),
            };
            // `POST /login` carries its own double-submit token, which the walk cannot have.
            let forbidden = reply.status == StatusCode::FORBIDDEN
                && !(route.method == "POST" && route.path == "/login");
            let unauthenticated = reply.status == StatusCode::UNAUTHORIZED;
            if allowed == forbidden || unauthenticated || reply.status.is_server_error() {
                failures.push(format!(
                    "{role} {} {}: {} (allowed: {allowed}) {}",
                    route.method,
                    route.path,
                    reply.status,
                    reply.body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// The walk again for every route naming an application, with another office's application
/// (BDL's Joko, the users being KLA's) in `{key}` and, in turn, in `{other}`. A role without
/// the permission is refused; a role whose permission reaches its own office only is refused
/// (403) whenever the application acted on is the other office's; a role reaching all offices
/// is not refused, but without a stated purpose no answer shows Joko's record. Nothing is
/// written about the other office's application, and nothing is read of it.
#[tokio::test]
async fn routes_naming_another_offices_application_honour_the_office_scope() {
    let app = App::start(false).await;
    let (own, foreign) = (app.application_key, app.other_office_key);
    let before = app.store.get_application(jejak_domain::ApplicationKey(foreign)).await.unwrap();
    let audit_before = app.store.audit_events(0, 100_000).await.unwrap().len();
    let mut failures = Vec::new();
    let mut tried = 0;
    for route in ROUTES.iter().filter(|r| r.path.contains("{key}")) {
        let Access::Action(action) = route.access else {
            panic!("{} {} names an application but needs no permission", route.method, route.path)
        };
        let fillings: &[(i64, i64)] = match route.path.contains("{other}") {
            true => &[(foreign, own), (own, foreign)],
            false => &[(foreign, own)],
        };
        for &(key, other) in fillings {
            let (path, kind, body) = sample_for(route, &app, key, other);
            for role in Role::ALL {
                tried += 1;
                let reply =
                    app.send(route.method, &path, Some(app.session(role)), kind, &body).await;
                let scope = permission(role, action);
                // The application acted on is `{key}`'s; `{other}` is only compared with it
                // (a pair the screening did not show is refused, see the next test).
                let refused_as_expected = match scope {
                    None => reply.status == StatusCode::FORBIDDEN,
                    Some(Scope::OwnOffice) if key == foreign => {
                        reply.status == StatusCode::FORBIDDEN
                    }
                    Some(Scope::OwnOffice) => reply.status.is_client_error(),
                    Some(Scope::AllOffices) => {
                        reply.status != StatusCode::FORBIDDEN
                            && !reply.status.is_server_error()
                            && !(reply.status.is_success() && reply.body.contains("Joko"))
                    }
                };
                if !refused_as_expected {
                    failures.push(format!(
                        "{role} ({scope:?}) {} {path}: {} {}",
                        route.method,
                        reply.status,
                        reply.body.chars().take(300).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(tried > 0);
    let after = app.store.get_application(jejak_domain::ApplicationKey(foreign)).await.unwrap();
    assert_eq!(after.version, before.version, "the other office's application is unchanged");
    let touched: Vec<String> = app.store.audit_events(0, 100_000).await.unwrap()[audit_before..]
        .iter()
        .filter(|e| e.entity_id.as_deref() == Some(foreign.to_string().as_str()))
        .map(|e| format!("{} by {} ({:?})", e.action, e.actor, e.purpose))
        .collect();
    assert!(touched.is_empty(), "the other office's application was acted on: {touched:?}");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// A verdict pairs the application examined with a candidate the screening showed; naming any
/// other key (here an unrelated person at another office) merges no one, whatever the role.
#[tokio::test]
async fn no_role_can_judge_a_pair_with_another_offices_unrelated_application() {
    let app = App::start(false).await;
    let (key, other) = (app.application_key, app.other_office_key);
    let attempts = [
        (
            format!("/api/v1/applications/{key}/matches/{other}"),
            "application/json",
            r#"{"verdict":"confirm","reason":"sama orangnya"}"#,
        ),
        (
            format!("/api/v1/applications/{other}/matches/{key}"),
            "application/json",
            r#"{"verdict":"confirm","reason":"sama orangnya"}"#,
        ),
        (
            format!("/permohonan/{key}/kecocokan/{other}"),
            "application/x-www-form-urlencoded",
            "verdict=confirm&reason=sama+orangnya",
        ),
    ];
    for role in Role::ALL {
        for (path, kind, body) in &attempts {
            let reply = app.send("POST", path, Some(app.session(role)), kind, body).await;
            assert!(
                reply.status.is_client_error(),
                "{role} POST {path}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
    let verdicts = app.store.match_decisions_changed_since(0, 100).await.unwrap();
    assert!(verdicts.is_empty(), "no verdict was stored: {verdicts:?}");
}
