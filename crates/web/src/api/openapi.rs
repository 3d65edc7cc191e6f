//! `GET /api/openapi.json`: the OpenAPI 3.1 document. Its operations come from `ROUTES` (so
//! the document cannot list a route the router lacks, nor miss one it serves) and their
//! bodies from the API's own types: the request and answer schemas are derived from them
//! with utoipa (`types.rs`, `schemas.rs`), so a partner can generate a client from it.

use axum::Json;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::{OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ComponentsBuilder, ObjectBuilder, Schema, Type,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    Content, HttpMethod, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, Paths, Ref, RefOr,
    Required,
};
use utoipa::{IntoParams, ToSchema};

use super::exchange::AfterQuery;
use super::schemas::{self, ApplicationInput, ErrorShape};
use super::types::{
    ApplicationView, ExaminationView, ImportView, QueueView, ReviewView, ScreenView, SearchView,
};
use super::{
    DecisionBody, ImportQuery, ReadPurpose, ReferralBody, ReferralListQuery, ReferralStatusBody,
    ResolveBody, SearchQuery, VerdictBody, VillageReportBody,
};
use crate::routes::{Access, ROUTES, RouteSpec};

/// The named schemas gathered while the operations are written (`components/schemas`).
type Components = Vec<(String, RefOr<Schema>)>;

/// Adds `T`'s schema (and those it refers to) to the components; a reference to it.
type AddSchema = fn(&mut Components) -> RefOr<Schema>;

fn component<T: ToSchema>(components: &mut Components) -> RefOr<Schema> {
    T::schemas(components);
    components.push((T::name().into_owned(), T::schema()));
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// A request's or an answer's body.
#[derive(Clone, Copy)]
enum Body {
    /// JSON of a type.
    Json(AddSchema),
    /// A JSON array of a type.
    JsonList(AddSchema),
    /// CSV text.
    Csv,
    /// A CSV or XLSX file, as the body.
    File,
}

fn json<T: ToSchema>() -> Body {
    Body::Json(component::<T>)
}

fn list<T: ToSchema>() -> Body {
    Body::JsonList(component::<T>)
}

impl Body {
    fn content(self, components: &mut Components) -> Vec<(&'static str, Content)> {
        match self {
            Body::Json(add_schema) => {
                vec![("application/json", Content::new(Some(add_schema(components))))]
            }
            Body::JsonList(add_schema) => {
                let array = ArrayBuilder::new().items(add_schema(components));
                vec![("application/json", Content::new(Some(array)))]
            }
            Body::Csv => {
                let text = ObjectBuilder::new().schema_type(Type::String);
                vec![("text/csv", Content::new(Some(text)))]
            }
            Body::File => {
                let bytes = || {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .content_media_type("application/octet-stream")
                };
                vec![
                    (
                        "text/csv",
                        Content::new(Some(ObjectBuilder::new().schema_type(Type::String))),
                    ),
                    (
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        Content::new(Some(bytes())),
                    ),
                ]
            }
        }
    }
}

/// A successful answer.
struct Answer {
    status: u16,
    description: &'static str,
    bodies: Vec<Body>,
}

fn answer(status: u16, description: &'static str, body: Body) -> Answer {
    Answer { status, description, bodies: vec![body] }
}

/// What one API operation takes and answers.
pub(crate) struct Shape {
    query: Vec<Parameter>,
    /// Path parameters that are text; the others are integers.
    text_params: &'static [&'static str],
    request: Option<Body>,
    answers: Vec<Answer>,
    /// The error statuses the operation answers besides 401 and 403, which follow from the
    /// route's access (every error has the `Error` shape).
    errors: &'static [u16],
}

fn query<P: IntoParams>() -> Vec<Parameter> {
    P::into_params(|| Some(ParameterIn::Query))
}

impl Shape {
    fn new(answers: Vec<Answer>) -> Shape {
        Shape { query: Vec::new(), text_params: &[], request: None, answers, errors: &[] }
    }

    fn query(mut self, params: Vec<Parameter>) -> Shape {
        self.query = params;
        self
    }

    fn text_params(mut self, names: &'static [&'static str]) -> Shape {
        self.text_params = names;
        self
    }

    fn request(mut self, body: Body) -> Shape {
        self.request = Some(body);
        self
    }

    fn errors(mut self, statuses: &'static [u16]) -> Shape {
        self.errors = statuses;
        self
    }
}

/// The shape of the API operation `method path`; `None` for a route this table lacks (the
/// test `every_api_route_has_typed_bodies` keeps it complete).
pub(crate) fn shape(method: &str, path: &str) -> Option<Shape> {
    let ok = |body| answer(200, "OK", body);
    let shape = match (method, path) {
        ("GET", "/api/openapi.json") => Shape::new(vec![Answer {
            status: 200,
            description: "This document (OpenAPI 3.1)",
            bodies: vec![Body::Json(|_| {
                let text = || ObjectBuilder::new().schema_type(Type::String);
                let object = || ObjectBuilder::new().schema_type(Type::Object);
                let document = object()
                    .property("openapi", text())
                    .required("openapi")
                    .property("info", object())
                    .required("info")
                    .property("paths", object())
                    .property("components", object())
                    .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(true)));
                RefOr::T(Schema::Object(document.build()))
            })],
        }]),
        ("GET", "/api/v1/me") => Shape::new(vec![ok(json::<schemas::MeShape>())]),
        ("GET", "/api/v1/users") => Shape::new(vec![ok(list::<schemas::UserShape>())]),
        ("GET", "/api/v1/tokens") => Shape::new(vec![ok(list::<schemas::TokenShape>())]),
        ("GET", "/api/v1/offices") => Shape::new(vec![ok(list::<schemas::OfficeShape>())]),
        ("GET", "/api/v1/queue") => Shape::new(vec![ok(json::<QueueView<'static>>())]),
        ("GET", "/api/v1/stats") => Shape::new(vec![Answer {
            status: 200,
            description: "One row per month (and office), as JSON or CSV (`format`)",
            bodies: vec![list::<schemas::StatsRowShape>(), Body::Csv],
        }])
        .query(query::<schemas::StatsQuery>())
        .errors(&[400, 422]),
        ("POST", "/api/v1/applications") => {
            Shape::new(vec![answer(201, "Registered", json::<ApplicationView>())])
                .request(json::<ApplicationInput>())
                .errors(&[400, 409, 422])
        }
        ("GET", "/api/v1/applications/{key}") => {
            Shape::new(vec![ok(json::<ExaminationView<'static>>())])
                .query(query::<ReadPurpose>())
                .errors(&[400, 404, 422])
        }
        ("POST", "/api/v1/applications/{key}/decisions") => Shape::new(vec![
            answer(201, "Recorded", json::<schemas::DecisionRecordedShape>()),
            answer(202, "A supervisor must approve it", json::<schemas::ReviewRequestedShape>()),
        ])
        .request(json::<DecisionBody>())
        .errors(&[400, 404, 409, 422]),
        ("POST", "/api/v1/applications/{key}/matches/{other}") => {
            Shape::new(vec![answer(201, "Recorded", json::<schemas::MatchVerdictShape>())])
                .request(json::<VerdictBody>())
                .errors(&[400, 404, 409, 422])
        }
        ("GET", "/api/v1/persons/{id}") => Shape::new(vec![ok(json::<schemas::PersonShape>())])
            .query(query::<ReadPurpose>())
            .text_params(&["id"])
            .errors(&[404, 422]),
        ("POST", "/api/v1/screen") => Shape::new(vec![ok(json::<ScreenView<'static>>())])
            .query(query::<ReadPurpose>())
            .request(json::<ApplicationInput>())
            .errors(&[400, 422]),
        ("POST", "/api/v1/village-reports") => Shape::new(vec![
            answer(201, "Filed", json::<schemas::VillageReportFiledShape>()),
            answer(
                200,
                "Already filed with this report_id (unchanged)",
                json::<schemas::VillageReportFiledShape>(),
            ),
        ])
        .request(json::<VillageReportBody>())
        .errors(&[400, 422]),
        ("GET", "/api/v1/exchange/{partner}/batches") => {
            Shape::new(vec![ok(json::<schemas::WireBatchesShape>())])
                .query(query::<AfterQuery>())
                .text_params(&["partner"])
                .errors(&[400, 404, 422])
        }
        ("POST", "/api/v1/exchange/{partner}/acknowledgements") => {
            Shape::new(vec![ok(json::<schemas::WireAcknowledgedShape>())])
                .request(json::<schemas::WireAcknowledgementShape>())
                .text_params(&["partner"])
                .errors(&[400, 404, 409, 422])
        }
        ("GET", "/api/v1/reviews") => Shape::new(vec![ok(list::<ReviewView>())]),
        ("POST", "/api/v1/reviews/{id}") => Shape::new(vec![ok(json::<ReviewView>())])
            .request(json::<ResolveBody>())
            .errors(&[400, 404, 409, 422]),
        ("GET", "/api/v1/search") => Shape::new(vec![ok(json::<SearchView<'static>>())])
            .query(query::<SearchQuery>())
            .errors(&[400]),
        ("GET", "/api/v1/referrals") => {
            Shape::new(vec![ok(list::<schemas::ReferralSummaryShape>())])
                .query(query::<ReferralListQuery>())
        }
        ("POST", "/api/v1/referrals") => {
            Shape::new(vec![answer(201, "Referred", json::<schemas::ReferralShape>())])
                .request(json::<ReferralBody>())
                .errors(&[400, 404, 422])
        }
        ("GET", "/api/v1/referrals/{id}") => {
            Shape::new(vec![ok(json::<schemas::ReferralShape>())]).errors(&[400, 404])
        }
        ("POST", "/api/v1/referrals/{id}/status") => {
            Shape::new(vec![ok(json::<schemas::ReferralSummaryShape>())])
                .request(json::<ReferralStatusBody>())
                .errors(&[400, 404, 409, 422])
        }
        ("POST", "/api/v1/imports") => Shape::new(vec![
            answer(200, "Imported (or checked, with dry_run)", json::<ImportView<'static>>()),
            answer(422, "Rows with errors: nothing was written", json::<ImportView<'static>>()),
        ])
        .query(query::<ImportQuery>())
        .request(Body::File)
        .errors(&[400, 413]),
        _ => return None,
    };
    Some(shape)
}

/// A reference to the shared error answer of `status` (`components/responses`).
fn error_response(status: u16) -> RefOr<utoipa::openapi::Response> {
    RefOr::Ref(Ref::new(format!("#/components/responses/{status}")))
}

/// The statuses of errors every operation of this access can answer.
fn access_errors(access: Access) -> &'static [u16] {
    match access {
        Access::Public => &[],
        Access::LoggedIn => &[401],
        Access::Action(_) => &[401, 403],
    }
}

fn operation(route: &RouteSpec, components: &mut Components) -> utoipa::openapi::path::Operation {
    let shape = shape(route.method, route.path);
    let mut op = OperationBuilder::new()
        .summary(Some(route.summary))
        .operation_id(Some(operation_id(route)));
    for name in path_params(route.path) {
        let text = shape.as_ref().is_some_and(|s| s.text_params.contains(&name));
        let schema =
            ObjectBuilder::new().schema_type(if text { Type::String } else { Type::Integer });
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema)),
        );
    }
    let mut statuses: Vec<(u16, RefOr<utoipa::openapi::Response>)> = Vec::new();
    if let Some(shape) = shape {
        for param in shape.query {
            op = op.parameter(param);
        }
        if let Some(body) = shape.request {
            let mut request = RequestBodyBuilder::new().required(Some(Required::True));
            for (media, content) in body.content(components) {
                request = request.content(media, content);
            }
            op = op.request_body(Some(request.build()));
        }
        for a in &shape.answers {
            let mut response = ResponseBuilder::new().description(a.description);
            for body in &a.bodies {
                for (media, content) in body.content(components) {
                    response = response.content(media, content);
                }
            }
            statuses.push((a.status, RefOr::T(response.build())));
        }
        for &status in shape.errors.iter().chain(access_errors(route.access)) {
            statuses.push((status, error_response(status)));
        }
    } else {
        // Not described yet: an answer without a schema (a test keeps this from happening).
        statuses.push((200, RefOr::T(ResponseBuilder::new().description("OK").build())));
        for &status in access_errors(route.access) {
            statuses.push((status, error_response(status)));
        }
    }
    statuses.sort_by_key(|(status, _)| *status);
    for (status, response) in statuses {
        op = op.response(status.to_string(), response);
    }
    op = op.response("default", RefOr::Ref(Ref::new("#/components/responses/default")));
    match route.access {
        Access::Public => {}
        Access::LoggedIn => op = op.securities(Some(security())),
        Access::Action(action) => {
            op = op.securities(Some(security())).extensions(Some(
                ExtensionsBuilder::new().add("x-jejak-action", action.as_str()).build(),
            ));
        }
    }
    op.build()
}

/// A bearer token or a session cookie.
fn security() -> Vec<SecurityRequirement> {
    vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("session", Vec::<String>::new()),
    ]
}

/// The names of a path's `{parameters}`.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

/// A stable, unique operation id from the method and path: `get_api_v1_applications_key`.
fn operation_id(route: &RouteSpec) -> String {
    let path: String = route
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!("{}_{path}", route.method.to_lowercase())
}

fn http_method(method: &str) -> Option<HttpMethod> {
    match method {
        "GET" => Some(HttpMethod::Get),
        "POST" => Some(HttpMethod::Post),
        "PUT" => Some(HttpMethod::Put),
        "PATCH" => Some(HttpMethod::Patch),
        "DELETE" => Some(HttpMethod::Delete),
        _ => None,
    }
}

/// The document.
pub(crate) fn spec() -> OpenApi {
    let mut components = Components::new();
    let mut paths = Paths::new();
    for route in ROUTES.iter().filter(|r| r.api) {
        let Some(method) = http_method(route.method) else { continue };
        let op = operation(route, &mut components);
        paths
            .paths
            .entry(route.path.to_owned())
            .or_default()
            .merge_operations(PathItem::new(method, op));
    }
    let error = component::<ErrorShape>(&mut components);
    let mut built = ComponentsBuilder::new()
        .security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("API token for partner systems"))
                    .build(),
            ),
        )
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("jejak_session"))),
        );
    for status in ERROR_STATUSES {
        built = built.response(
            status.to_string(),
            ResponseBuilder::new()
                .description(describe(status))
                .content("application/json", Content::new(Some(error.clone())))
                .build(),
        );
    }
    built = built.response(
        "default",
        ResponseBuilder::new()
            .description("Any other error (e.g. 429, 500, 503); `error` says why")
            .content("application/json", Content::new(Some(error)))
            .build(),
    );
    for (name, schema) in components {
        built = built.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Jejak API")
                .version("1")
                .description(Some(
                    "Shared register of passport applications: screening, casework, search, \
                     import. Field names of applications are those of the interchange format.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(built.build()))
        .build()
}

/// The error statuses operations name (others fall under `default`).
const ERROR_STATUSES: [u16; 7] = [400, 401, 403, 404, 409, 413, 422];

fn describe(status: u16) -> &'static str {
    match status {
        400 => "The request could not be read (malformed JSON, a bad parameter)",
        401 => "No valid session or token",
        403 => "The caller may not do this (role, scope or office)",
        404 => "No such resource",
        409 => "A conflict: changed meanwhile (expected_version) or already recorded",
        413 => "The body is too large",
        422 => "The content is invalid; `error.fields` names the fields at fault, when known",
        _ => "The request was refused; `error` says why",
    }
}

/// `GET /api/openapi.json`.
pub(crate) async fn document() -> Json<OpenApi> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_has_a_shape() {
        for route in ROUTES.iter().filter(|r| r.api) {
            assert!(
                shape(route.method, route.path).is_some(),
                "{} {}: describe its bodies in `shape` (api/openapi.rs)",
                route.method,
                route.path
            );
            assert!(http_method(route.method).is_some(), "{}", route.method);
        }
    }

    #[test]
    fn operation_ids_read_as_the_route() {
        let route = RouteSpec {
            method: "POST",
            path: "/api/v1/applications/{key}/matches/{other}",
            access: Access::Public,
            api: true,
            summary: "",
        };
        assert_eq!(operation_id(&route), "post_api_v1_applications_key_matches_other");
        assert_eq!(path_params(route.path), ["key", "other"]);
    }
}
