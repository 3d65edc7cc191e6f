//! The OpenAPI document (issue 19): it parses as OpenAPI 3.1, every reference resolves, every
//! API route of `ROUTES` has an operation with typed bodies, and real answers of every route
//! match the schemas the document gives for their status.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use jejak_service::authz::Role;
use jejak_web::ROUTES;
use serde_json::{Value, json};

use common::{App, Reply, Session};

async fn document(app: &App) -> Value {
    let reply = app.get("/api/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    serde_json::from_str(&reply.body).unwrap()
}

/// The value at a local reference (`#/components/schemas/Name`).
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Every `$ref` under `value`, with where it is.
fn references(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "$ref" {
                    out.push((at.to_owned(), v.as_str().unwrap_or_default().to_owned()));
                } else {
                    references(v, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                references(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A schema that says something: a reference, a type, or a combination.
fn is_described(schema: &Value) -> bool {
    ["$ref", "type", "oneOf", "anyOf", "allOf", "enum", "properties"]
        .iter()
        .any(|k| schema.get(k).is_some())
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1_and_every_reference_resolves() {
    let app = App::start(false).await;
    let reply = app.get("/api/openapi.json", None).await;
    let spec = oas3::from_json(&reply.body).unwrap();
    let version = spec.validate_version().unwrap();
    assert_eq!((version.major, version.minor), (3, 1), "{version}");
    for (path, item) in spec.paths.iter().flatten() {
        for (method, op) in item.methods() {
            for (status, response) in &op.responses.clone().unwrap_or_default() {
                response.resolve(&spec).unwrap_or_else(|e| {
                    panic!("{method} {path} {status}: the response does not resolve: {e}")
                });
            }
            if let Some(body) = &op.request_body {
                body.resolve(&spec).unwrap();
            }
        }
    }

    let doc: Value = serde_json::from_str(&reply.body).unwrap();
    let mut refs = Vec::new();
    references(&doc, "", &mut refs);
    assert!(refs.len() > 50, "the document refers to its schemas: {}", refs.len());
    for (at, reference) in &refs {
        assert!(resolve(&doc, reference).is_some(), "{at}: {reference} does not resolve");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.len() >= 30, "{} named schemas", schemas.len());
    for (name, schema) in schemas {
        assert!(is_described(schema), "schema {name} is empty: {schema}");
        if let Some(properties) = schema.get("properties") {
            assert!(!properties.as_object().unwrap().is_empty(), "{name} has no properties");
        }
    }
    for name in ["ApplicationView", "ApplicationFields", "ExaminationView", "Error", "Referral"] {
        assert!(schemas.contains_key(name), "{name} is a named schema");
    }
}

#[tokio::test]
async fn every_api_route_has_an_operation_with_typed_bodies() {
    let app = App::start(false).await;
    let doc = document(&app).await;
    let mut ids = BTreeSet::new();
    let api_routes: Vec<_> = ROUTES.iter().filter(|r| r.api).collect();
    assert!(api_routes.len() > 20);
    for route in api_routes {
        let name = format!("{} {}", route.method, route.path);
        let op = &doc["paths"][route.path][route.method.to_lowercase()];
        assert!(op.is_object(), "{name}: no operation");
        assert!(ids.insert(op["operationId"].as_str().unwrap().to_owned()), "{name}: id twice");
        for param in route.path.split('/').filter_map(|s| s.strip_prefix('{')) {
            let param = param.trim_end_matches('}');
            let declared = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == param && p["in"] == "path" && p["required"] == true);
            assert!(declared, "{name}: path parameter {param} not declared");
        }
        let responses = op["responses"].as_object().unwrap();
        let successes: Vec<_> = responses.iter().filter(|(s, _)| s.starts_with('2')).collect();
        assert!(!successes.is_empty(), "{name}: no success answer");
        for (status, response) in successes {
            let content = response["content"].as_object();
            let content = content.unwrap_or_else(|| panic!("{name} {status}: no content"));
            for (media, body) in content {
                assert!(is_described(&body["schema"]), "{name} {status} {media}: no schema");
            }
        }
        assert!(responses.contains_key("default"), "{name}: no default (error) answer");
        if route.method == "POST" {
            let content = op["requestBody"]["content"].as_object();
            let content = content.unwrap_or_else(|| panic!("{name}: no request body"));
            assert!(content.values().all(|c| is_described(&c["schema"])), "{name}: untyped body");
        }
        if !matches!(route.access, jejak_web::Access::Public) {
            assert!(responses.contains_key("401"), "{name}: 401 not documented");
            assert!(op["security"].is_array(), "{name}: no security");
        }
        if matches!(route.access, jejak_web::Access::Action(_)) {
            assert!(responses.contains_key("403"), "{name}: 403 not documented");
        }
    }
}

/// Checks `value` against `schema` (the JSON Schema keywords the document uses), strictly:
/// an object may hold only the properties its schema names unless it allows others, and a
/// keyword this checker does not know is itself an error, so nothing passes unchecked.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(map) = schema.as_object() else {
        errors.push(format!("{at}: schema is not an object: {schema}"));
        return;
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        match resolve(doc, reference) {
            Some(target) => check(doc, target, value, at, errors),
            None => errors.push(format!("{at}: {reference} does not resolve")),
        }
        return;
    }
    for (keyword, rule) in map {
        match keyword.as_str() {
            "type" => {
                let types: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                let fits = |t: &str| match t {
                    "null" => value.is_null(),
                    "boolean" => value.is_boolean(),
                    "integer" => value.is_i64() || value.is_u64(),
                    "number" => value.is_number(),
                    "string" => value.is_string(),
                    "array" => value.is_array(),
                    "object" => value.is_object(),
                    _ => false,
                };
                if !types.iter().any(|t| fits(t)) {
                    errors.push(format!("{at}: {value} is not of type {rule}"));
                }
            }
            "enum" => {
                if !rule.as_array().is_some_and(|values| values.contains(value)) {
                    errors.push(format!("{at}: {value} is not one of {rule}"));
                }
            }
            "oneOf" | "anyOf" => {
                let matching = rule
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| {
                        let mut inner = Vec::new();
                        check(doc, s, value, at, &mut inner);
                        inner.is_empty()
                    })
                    .count();
                let fits = if keyword == "oneOf" { matching == 1 } else { matching >= 1 };
                if !fits {
                    errors.push(format!("{at}: {value} matches {matching} of {keyword} {rule}"));
                }
            }
            "allOf" => {
                for s in rule.as_array().unwrap() {
                    check(doc, s, value, at, errors);
                }
            }
            "properties" => {
                let Some(object) = value.as_object() else { continue };
                let properties = rule.as_object().unwrap();
                for (name, v) in object {
                    match properties.get(name) {
                        Some(s) => check(doc, s, v, &format!("{at}.{name}"), errors),
                        None if map.contains_key("additionalProperties") => {}
                        None => errors.push(format!("{at}: property {name} is not in the schema")),
                    }
                }
            }
            "required" => {
                let Some(object) = value.as_object() else { continue };
                for name in rule.as_array().unwrap().iter().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        errors.push(format!("{at}: required property {name} is missing"));
                    }
                }
            }
            "additionalProperties" => {
                let Some(object) = value.as_object() else { continue };
                let named = map.get("properties").and_then(Value::as_object);
                for (name, v) in object {
                    if named.is_some_and(|n| n.contains_key(name)) {
                        continue;
                    }
                    match rule {
                        Value::Bool(true) => {}
                        Value::Bool(false) => {
                            errors.push(format!("{at}: property {name} is not allowed"));
                        }
                        s => check(doc, s, v, &format!("{at}.{name}"), errors),
                    }
                }
            }
            "items" => {
                let Some(items) = value.as_array() else { continue };
                for (i, v) in items.iter().enumerate() {
                    check(doc, rule, v, &format!("{at}[{i}]"), errors);
                }
            }
            "minItems" | "maxItems" => {
                let Some(items) = value.as_array() else { continue };
                let bound = rule.as_u64().unwrap() as usize;
                let fits =
                    if keyword == "minItems" { items.len() >= bound } else { items.len() <= bound };
                if !fits {
                    errors.push(format!("{at}: {} items, {keyword} {bound}", items.len()));
                }
            }
            "minimum" => {
                if value.as_f64().is_some_and(|n| n < rule.as_f64().unwrap()) {
                    errors.push(format!("{at}: {value} is below {rule}"));
                }
            }
            "maxLength" => {
                let limit = rule.as_u64().unwrap() as usize;
                if value.as_str().is_some_and(|s| s.chars().count() > limit) {
                    errors.push(format!("{at}: longer than {limit}"));
                }
            }
            // Annotations: they say what a value means, not what it may be.
            "description" | "title" | "format" | "default" | "examples" | "example"
            | "contentMediaType" | "deprecated" => {}
            other => errors.push(format!("{at}: the checker does not know `{other}`")),
        }
    }
}

/// The answers seen, by operation, and the statuses each came with.
#[derive(Default)]
struct Seen {
    operations: BTreeSet<String>,
    statuses: BTreeSet<String>,
}

/// Checks `reply`, an answer of the operation `method template`, against the document's
/// schema for its status and media type.
fn conforms(doc: &Value, seen: &mut Seen, method: &str, template: &str, reply: &Reply) {
    let name = format!("{method} {template} {}", reply.status.as_u16());
    let responses = &doc["paths"][template][method.to_lowercase()]["responses"];
    assert!(responses.is_object(), "{name}: not in the document");
    let status = reply.status.as_u16().to_string();
    let mut response = responses.get(&status).unwrap_or(&responses["default"]);
    if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
        response = resolve(doc, reference).unwrap();
    }
    let media = reply.content_type.as_deref().unwrap_or("").split(';').next().unwrap().trim();
    let schema = &response["content"][media]["schema"];
    assert!(schema.is_object(), "{name}: no schema for {media}: {response}\n{}", reply.body);
    if media == "application/json" {
        let value: Value = serde_json::from_str(&reply.body).unwrap();
        let mut errors = Vec::new();
        check(doc, schema, &value, "answer", &mut errors);
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{}", reply.body);
    }
    if reply.status.is_success() {
        seen.operations.insert(format!("{method} {template}"));
    }
    seen.statuses.insert(name);
}

struct Caller<'a> {
    app: &'a App,
    doc: Value,
    seen: Seen,
}

impl Caller<'_> {
    async fn get(&mut self, template: &str, path: &str, who: Option<&Session>) -> Value {
        let reply = self.app.get(path, who).await;
        self.note("GET", template, &reply)
    }

    async fn post(
        &mut self,
        template: &str,
        path: &str,
        who: Option<&Session>,
        body: &str,
    ) -> Value {
        let kind = if template.ends_with("/imports") { "text/csv" } else { "application/json" };
        let reply = self.app.send("POST", path, who, kind, body).await;
        self.note("POST", template, &reply)
    }

    fn note(&mut self, method: &str, template: &str, reply: &Reply) -> Value {
        conforms(&self.doc, &mut self.seen, method, template, reply);
        serde_json::from_str(&reply.body).unwrap_or(Value::Null)
    }
}

/// Walks every API route with real requests, successful and refused, and checks each answer
/// against the document.
#[tokio::test]
async fn every_api_answer_matches_its_schema() {
    let app = App::start(false).await;
    app.designate_kla_village("18.07.05.2001").await;
    let doc = document(&app).await;
    let mut c = Caller { app: &app, doc, seen: Seen::default() };
    let officer = app.session(Role::Petugas);
    let supervisor = app.session(Role::Supervisor);
    let analyst = app.session(Role::Analis);
    let admin = app.session(Role::Admin);
    let pimpasa = app.session(Role::Pimpasa);
    let key = app.application_key;

    c.get("/api/v1/me", "/api/v1/me", Some(officer)).await;
    c.get("/api/v1/me", "/api/v1/me", None).await;
    c.get("/api/v1/users", "/api/v1/users", Some(admin)).await;
    c.get("/api/v1/users", "/api/v1/users", Some(officer)).await;
    let made = app
        .send(
            "POST",
            "/admin/token",
            Some(admin),
            "application/x-www-form-urlencoded",
            &format!(
                "_csrf={}&name=siskop&role=admin&office=KLA&scope=exchange_partner_data",
                admin.csrf
            ),
        )
        .await;
    assert!(made.status.is_success() || made.status.is_redirection(), "{}", made.body);
    let tokens = c.get("/api/v1/tokens", "/api/v1/tokens", Some(admin)).await;
    assert!(!tokens.as_array().unwrap().is_empty(), "a token to check: {tokens}");
    c.get("/api/v1/offices", "/api/v1/offices", None).await;
    c.get("/api/v1/stats", "/api/v1/stats?from=2026-01-01&to=2026-12-31", Some(analyst)).await;
    let csv = "/api/v1/stats?from=2026-01-01&to=2026-12-31&format=csv";
    c.get("/api/v1/stats", csv, Some(analyst)).await;
    c.get("/api/v1/stats", "/api/v1/stats?from=2026-13-01", Some(analyst)).await;

    // Registration, screening and the examination, with a candidate for the earlier KLA-1.
    let new = r#"{"application_id":"KLA-7","applied_on":"2026-11-02","full_name":"Suryani",
        "nik":"1807054503950001","sex":"P","birth_date":"1995-03-05","phone":"0812-7788-9900"}"#;
    let created = c.post("/api/v1/applications", "/api/v1/applications", Some(officer), new).await;
    let new_key = created["key"].as_i64().unwrap();
    c.post("/api/v1/applications", "/api/v1/applications", Some(officer), r#"{"nik":"1"}"#).await;
    c.post("/api/v1/applications", "/api/v1/applications", Some(officer), "{not json").await;
    c.post("/api/v1/applications", "/api/v1/applications", Some(analyst), new).await;
    let screen = "/api/v1/screen?purpose=memeriksa+permohonan&purpose_text=menyaring+pemohon+baru";
    c.post("/api/v1/screen", screen, Some(officer), new).await;
    c.post("/api/v1/screen", "/api/v1/screen", Some(officer), new).await;
    let exam_path = "/api/v1/applications/{key}";
    let exam = c.get(exam_path, &format!("/api/v1/applications/{new_key}"), Some(officer)).await;
    assert!(!exam["assessment"]["matches"].as_array().unwrap().is_empty(), "{exam}");
    c.get(exam_path, &format!("/api/v1/applications/{}", app.other_office_key), Some(officer))
        .await;
    c.get(exam_path, "/api/v1/applications/999999", Some(officer)).await;
    c.get(exam_path, "/api/v1/applications/abc", Some(officer)).await;
    c.get("/api/v1/queue", "/api/v1/queue", Some(officer)).await;

    // Decisions: a deferral recorded, a stale version refused, an issue that may need review.
    let decide = "/api/v1/applications/{key}/decisions";
    let version = exam["application"]["version"].as_i64().unwrap();
    let deferral = json!({"kind": "deferred", "reason_codes": ["PMI_NP"],
        "deferral_until": "2027-05-02", "expected_version": version});
    let path = format!("/api/v1/applications/{new_key}/decisions");
    c.post(decide, &path, Some(officer), &deferral.to_string()).await;
    c.post(decide, &path, Some(officer), &deferral.to_string()).await;
    c.post(decide, &path, Some(officer), r#"{"kind":"maybe","expected_version":1}"#).await;
    let issue = json!({"kind": "issued", "expected_version": 1});
    c.post(
        decide,
        &format!("/api/v1/applications/{key}/decisions"),
        Some(officer),
        &issue.to_string(),
    )
    .await;

    // The candidate pair, the person, search.
    let verdict = "/api/v1/applications/{key}/matches/{other}";
    let body = r#"{"verdict":"confirm","reason":"NIK dan tanggal lahir sama"}"#;
    let path = format!("/api/v1/applications/{new_key}/matches/{key}");
    c.post(verdict, &path, Some(officer), body).await;
    c.post(verdict, &path, Some(officer), r#"{"verdict":"perhaps","reason":"x"}"#).await;
    let found = c.get("/api/v1/search", "/api/v1/search?q=1807054503950001", Some(officer)).await;
    c.get("/api/v1/search", "/api/v1/search?q=Suryani", Some(officer)).await;
    c.get("/api/v1/search", "/api/v1/search", Some(officer)).await;
    let person = found["hits"][0]["person_id"].as_str().unwrap().to_owned();
    let purpose = "purpose=memeriksa+permohonan&purpose_text=pemeriksaan+permohonan+KLA-7";
    let person_path = format!("/api/v1/persons/{person}?{purpose}");
    c.get("/api/v1/persons/{id}", &person_path, Some(supervisor)).await;
    c.get("/api/v1/persons/{id}", &format!("/api/v1/persons/{person}"), Some(officer)).await;
    c.get("/api/v1/persons/{id}", "/api/v1/persons/P999999", Some(supervisor)).await;

    // Reviews.
    c.get("/api/v1/reviews", "/api/v1/reviews", Some(supervisor)).await;
    let review = format!("/api/v1/reviews/{}", app.review_id);
    c.post("/api/v1/reviews/{id}", &review, Some(supervisor), r#"{"approve":false,"note":"no"}"#)
        .await;
    c.post("/api/v1/reviews/{id}", &review, Some(supervisor), r#"{"approve":true}"#).await;
    c.post("/api/v1/reviews/{id}", &review, Some(officer), r#"{"approve":true}"#).await;

    // Village reports: new, again, refused.
    let report = r#"{"report_id":"6c1f0f7b-1f2d-4c1e-9a51-3f1f0f7b2c10","village_code":"18.07.05.2001",
        "reported_on":"2026-11-01","topic":"recruiter","persons":[{"name":"Suryani","birth_date":"1995-03-05"}],
        "phones":["0812-7788-9900"],"narrative":"Calo menawarkan kerja"}"#;
    let reports = "/api/v1/village-reports";
    c.post(reports, reports, Some(pimpasa), report).await;
    c.post(reports, reports, Some(pimpasa), report).await;
    c.post(reports, reports, Some(pimpasa), &report.replace("2001\"", "9999\"")).await;
    c.post(reports, reports, Some(pimpasa), "[]").await;
    c.post("/api/v1/screen", screen, Some(officer), new).await;

    // Referrals.
    let referral = json!({"application_key": new_key, "agency": "bp3mi",
        "purpose": "verifikasi penempatan", "legal_basis": "PKS/1/2026", "due_on": "2026-11-20"});
    let referrals = "/api/v1/referrals";
    let made = c.post(referrals, referrals, Some(officer), &referral.to_string()).await;
    let bad = json!({"application_key": new_key, "agency": "nasa", "purpose": "x"});
    c.post(referrals, referrals, Some(officer), &bad.to_string()).await;
    let id = made["id"].as_i64().unwrap();
    c.get(referrals, referrals, Some(officer)).await;
    c.get(referrals, "/api/v1/referrals?overdue=true", Some(supervisor)).await;
    c.get("/api/v1/referrals/{id}", &format!("/api/v1/referrals/{id}"), Some(officer)).await;
    c.get("/api/v1/referrals/{id}", "/api/v1/referrals/999", Some(officer)).await;
    let step = r#"{"status":"received","note":"diterima BP3MI"}"#;
    let status = "/api/v1/referrals/{id}/status";
    c.post(status, &format!("/api/v1/referrals/{id}/status"), Some(officer), step).await;
    c.post(status, &format!("/api/v1/referrals/{id}/status"), Some(officer), r#"{"status":"x"}"#)
        .await;

    // Exchange with a partner.
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("our.key");
    let signing = jejak_service::exchange::generate_signing_key();
    std::fs::write(&key_path, signing.to_file_text()).unwrap();
    let setup = jejak_store::AuditCtx {
        actor: "setup".into(),
        office: None,
        purpose: None,
        at: "2026-11-02T08:00:00Z".into(),
    };
    let partner = jejak_store::NewExchangePartner {
        name: "siskop2mi".into(),
        display_name: "SISKOP2MI".into(),
        public_key: jejak_service::exchange::generate_signing_key().public().to_base64(),
        signing_key_ref: key_path.display().to_string(),
        base_url: None,
        purpose: "deteksi dini".into(),
        legal_basis: "PKS/9/2026".into(),
    };
    jejak_service::exchange::save_partner(app.store.as_ref(), &partner, &setup).await.unwrap();
    let batches = "/api/v1/exchange/{partner}/batches";
    let pulled = c.get(batches, "/api/v1/exchange/siskop2mi/batches?after=0", Some(admin)).await;
    assert!(!pulled["batches"].as_array().unwrap().is_empty(), "the deferral goes out: {pulled}");
    c.get(batches, "/api/v1/exchange/nobody/batches", Some(admin)).await;
    c.get(batches, "/api/v1/exchange/siskop2mi/batches", Some(officer)).await;
    let acks = "/api/v1/exchange/{partner}/acknowledgements";
    let ack_path = "/api/v1/exchange/siskop2mi/acknowledgements";
    c.post(acks, ack_path, Some(admin), r#"{"sequence":1}"#).await;
    c.post(acks, ack_path, Some(admin), r#"{"sequence":"one"}"#).await;

    // Imports: clean, and with a bad row.
    let imports = "/api/v1/imports";
    let sheet = "application_id,office_code,applied_on,full_name\nKLA-9,KLA,2026-10-01,Rina\n";
    c.post(imports, "/api/v1/imports?file=a.csv", Some(officer), sheet).await;
    let bad_sheet = "application_id,office_code,applied_on,full_name\nKLA-10,KLA,someday,Rina\n";
    c.post(imports, "/api/v1/imports?file=b.csv", Some(officer), bad_sheet).await;

    let Seen { operations, statuses } = c.seen;
    let missing: Vec<String> = ROUTES
        .iter()
        .filter(|r| r.api && r.path != "/api/openapi.json")
        .map(|r| format!("{} {}", r.method, r.path))
        .filter(|op| !operations.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "no successful answer checked for {missing:#?} (seen {statuses:#?})"
    );
    for expected in ["401", "403", "404", "400", "422", "409"] {
        assert!(
            statuses.iter().any(|s| s.ends_with(expected)),
            "no {expected} answer checked: {statuses:#?}"
        );
    }
}

/// The fields of a real `POST /api/v1/applications` answer are exactly the properties of its
/// schema, and the application's fields are among the interchange fields the schema lists.
#[tokio::test]
async fn the_registration_answer_has_exactly_its_schemas_fields() {
    let app = App::start(false).await;
    let doc = document(&app).await;
    let officer = app.session(Role::Petugas);
    let body = r#"{"application_id":"KLA-8","applied_on":"2026-11-02","full_name":"Rina Wati",
        "nik":"1807054503950001","phone":"0812-1111-2222","sponsor_name":"Pak Joko"}"#;
    let reply =
        app.send("POST", "/api/v1/applications", Some(officer), "application/json", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let answer: Value = serde_json::from_str(&reply.body).unwrap();

    let op = &doc["paths"]["/api/v1/applications"]["post"];
    let reference =
        op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
    assert_eq!(reference, "#/components/schemas/ApplicationView");
    let schema = resolve(&doc, reference).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(keys(&answer), keys(&schema["properties"]), "{answer}");
    let required: BTreeSet<String> =
        schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().into()).collect();
    assert_eq!(required, keys(&answer), "every field of the answer is always there");
    assert_eq!(schema["properties"]["key"]["type"], "integer");

    let fields = resolve(&doc, schema["properties"]["application"]["$ref"].as_str().unwrap());
    let fields = fields.unwrap();
    let listed = keys(&fields["properties"]);
    let sent = keys(&answer["application"]);
    assert!(sent.is_subset(&listed), "{:?} not in the schema", sent.difference(&listed));
    for name in ["application_id", "full_name", "nik", "nik_valid", "phone_valid", "sponsor_name"] {
        assert!(sent.contains(name), "{name} answered: {answer}");
    }
    let mut errors = Vec::new();
    check(&doc, schema, &answer, "answer", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");

    // The checker catches an answer that strays from the schema.
    let mut strayed = answer.clone();
    strayed["application"]["favourite_colour"] = json!("green");
    strayed["key"] = json!("eight");
    let mut errors = Vec::new();
    check(&doc, schema, &strayed, "answer", &mut errors);
    assert_eq!(errors.len(), 2, "{errors:#?}");
}
