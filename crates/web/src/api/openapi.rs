//! `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from `ROUTES` so it cannot
//! drift from the router.

use axum::Json;
use serde_json::{Map, Value, json};

use crate::routes::{Access, ROUTES};

/// The document.
pub(crate) fn spec() -> Value {
    let mut paths = Map::new();
    for route in ROUTES.iter().filter(|r| r.api) {
        let mut params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer"}}))
            .collect();
        // Reads of personal data state their purpose (a configured choice and free text).
        if matches!(
            (route.method, route.path),
            ("POST", "/api/v1/screen")
                | ("GET", "/api/v1/applications/{key}")
                | ("GET", "/api/v1/persons/{id}")
        ) {
            for (name, what) in [
                ("purpose", "one of the configured purposes ([purposes] choices)"),
                ("purpose_text", "the purpose in words (at least 8 letters or digits)"),
            ] {
                params.push(json!({"name": name, "in": "query", "description": what, "schema": {"type": "string"}}));
            }
        }
        let mut op = json!({
            "summary": route.summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "4XX": {"description": "The request was refused; `error` says why",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        match route.access {
            Access::Public => {}
            Access::LoggedIn => op["security"] = json!([{"bearer": []}, {"session": []}]),
            Access::Action(action) => {
                op["security"] = json!([{"bearer": []}, {"session": []}]);
                op["x-jejak-action"] = json!(action.as_str());
            }
        }
        if route.method == "POST" {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {}}});
        }
        let entry = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        entry[route.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Jejak API",
            "version": "1",
            "description": "Shared register of passport applications: screening, casework, search, import. Field names of applications are those of the interchange format.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "API token for partner systems"},
                "session": {"type": "apiKey", "in": "cookie", "name": "jejak_session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string", "enum": [
                                "bad_request", "unauthenticated", "forbidden", "not_found",
                                "method_not_allowed", "conflict", "payload_too_large",
                                "unsupported_media_type", "invalid", "too_many_requests",
                                "unavailable", "internal",
                            ]},
                            "message": {"type": "string"},
                            "fields": {"type": "array", "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string"},
                                    "value": {"type": ["string", "null"]},
                                    "message": {"type": "string"},
                                },
                            }},
                        },
                    }},
                },
            },
        },
    })
}

/// `GET /api/openapi.json`.
pub(crate) async fn document() -> Json<Value> {
    Json(spec())
}
