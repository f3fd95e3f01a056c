//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the probes and the
//! JSON API, generated from the code with utoipa.
//!
//! Text that must not be blank has the pattern `[^\s\u0085]` rather than
//! `\S`: JSON Schema's `\s` (ECMAScript's) lacks U+0085, which Rust's
//! `trim` removes, so "\u{85}" matched `\S` and was then refused as blank.
//!
//! Every module under `http/` returns a utoipa-axum [`OpenApiRouter`] and
//! registers its handlers only with `.routes(routes!(handler))`, which adds
//! the handler to the axum router and its `#[utoipa::path]` description to the
//! document in one step, at the path and with the method the description
//! names. So a route cannot be served without being documented, nor
//! documented at another path than it is served (an undocumented handler does
//! not compile into `routes!`). Keep it so: never add API routes with
//! `.route(...)`, which bypasses the document. `tests/tests/openapi.rs` checks
//! the other direction (each documented route is served) and the contract's
//! routes against the document.

use axum::{Extension, Json, Router, extract::State, http::header, response::IntoResponse};
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::{
        ContentBuilder, Ref, RefOr, ResponseBuilder,
        path::{Operation, PathItem},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_axum::router::OpenApiRouter;

use super::{cookies, error::ApiError};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "T1D eDiary API",
        description = "The diary's HTTP API, v1 (`/api/v1`). Every error answers \
            `{\"error\": {\"code\", \"message\", \"fields\"?}}` (the `ApiError` schema); \
            `fields` only for validation. Signed-in routes take \
            `Authorization: Bearer <access_token>`, or the web app's session cookie with \
            `X-CSRF-Token` on state-changing requests."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Probes for load balancers"),
        (name = "accounts", description = "Sign-in, tokens, the signed-in user"),
        (name = "sessions", description = "Signed-in devices, passwords, disabling accounts"),
        (name = "sites", description = "Trial sites"),
        (name = "participants", description = "Participants and their enrolment"),
        (name = "diary", description = "Diary entries and their sync"),
        (name = "audit", description = "The audit trail"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// The two ways to be signed in: `bearer` (phones and other clients) and
/// `cookie` (the web app).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("A 15-minute access token from sign-in or refresh"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                cookies::ACCESS,
                "The web app's HttpOnly session cookie; state-changing requests also need \
                 the CSRF cookie's value in `X-CSRF-Token`",
            ))),
        );
    }
}

/// The document, made once at start-up; the study's visit codes are filled
/// in at each request (they are the study's settings, and change).
#[derive(Clone)]
pub(super) struct Document(std::sync::Arc<serde_json::Value>);

/// Turns the documented routes into the axum router, serving their document
/// at `GET /api/openapi.json` (itself registered in `api::router`).
pub fn serve(routes: OpenApiRouter<AppState>) -> Router<AppState> {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes)
        .split_for_parts();
    add_common_errors(&mut doc);
    let mut json = serde_json::to_value(&doc)
        .expect("the OpenAPI document is plain data and always serialises");
    let refined = super::labs::input_schemas()
        .into_iter()
        .chain([super::alerts::contact_schema()]);
    for (name, schema) in refined {
        json["components"]["schemas"][name] = schema;
    }
    add_links(&mut json);
    router.layer(Extension(Document(std::sync::Arc::new(json))))
}

/// The answers every operation can give before its handler runs, added where
/// its description leaves them out: 401 for a signed-in route (one with
/// `security`) called without a valid token, declared here once rather than
/// on each route; 400 for a path, query or body that cannot be read at all
/// (an id that is not a UUID, JSON that is not JSON), 413 and 415 for a body
/// too large or not sent as JSON.
fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ApiError")))
                    .build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        for operation in operations(item) {
            let has_input = operation.parameters.as_ref().is_some_and(|p| !p.is_empty())
                || operation.request_body.is_some();
            let mut add = |status: &str, description: &str| {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description).into());
            };
            if operation.security.is_some() {
                add("401", "`unauthorized` or `invalid_token`");
            }
            if has_input {
                add(
                    "400",
                    "`bad_request` or `malformed_json`: an id, query or body that cannot be read",
                );
            }
            if operation.request_body.is_some() {
                add("413", "`payload_too_large`");
                add(
                    "415",
                    "`unsupported_media_type`: send the body as `application/json`",
                );
            }
        }
    }
}

/// OpenAPI links: from an operation that makes (or lists) a resource to those
/// that read and change it, so clients and tools can follow them.
struct LinkSource {
    from: &'static str,
    status: &'static str,
    /// Where the answer holds the resource's id (a runtime expression).
    id: &'static str,
    /// Each link's name, the operation it leads to and its parameter that
    /// takes the id.
    to: &'static [(&'static str, &'static str, &'static str)],
}

const LINKS: &[LinkSource] = &[
    LinkSource {
        from: "create_participant",
        status: "201",
        id: "$response.body#/participant/id",
        to: &[
            ("entries", "list_entries", "id"),
            ("labs", "list_labs", "id"),
            ("new_lab", "create_lab", "id"),
            ("summary", "participant_summary", "id"),
            ("guardian_invitation", "invite_guardian", "id"),
            ("export", "export", "participant_id"),
        ],
    },
    LinkSource {
        from: "create_lab",
        status: "201",
        id: "$response.body#/id",
        to: &[
            ("history", "lab_history", "id"),
            ("correct", "correct_lab", "id"),
            ("void", "void_lab", "id"),
        ],
    },
    LinkSource {
        from: "create_site",
        status: "201",
        id: "$response.body#/id",
        to: &[
            ("update", "update_site", "id"),
            ("contacts", "get_site_contacts", "id"),
            ("set_contacts", "put_site_contacts", "id"),
        ],
    },
    LinkSource {
        from: "sync",
        status: "200",
        id: "$response.body#/results/0/entry_id",
        to: &[("history", "entry_history", "id")],
    },
    LinkSource {
        from: "list_alerts",
        status: "200",
        id: "$response.body#/items/0/id",
        to: &[
            ("alert", "get_alert", "id"),
            ("acknowledge", "acknowledge_alert", "id"),
            ("report", "report_alert", "id"),
        ],
    },
    LinkSource {
        from: "list_participants",
        status: "200",
        id: "$response.body#/items/0/id",
        to: &[
            ("entries", "list_entries", "id"),
            ("labs", "list_labs", "id"),
            ("summary", "participant_summary", "id"),
        ],
    },
    LinkSource {
        from: "list_labs",
        status: "200",
        id: "$response.body#/items/0/id",
        to: &[("history", "lab_history", "id")],
    },
    LinkSource {
        from: "list_sites",
        status: "200",
        id: "$response.body#/items/0/id",
        to: &[("contacts", "get_site_contacts", "id")],
    },
];

// Written into the JSON: utoipa 5.5 serialises a link's `operation_id` in
// snake case, which no tool reads.
fn add_links(doc: &mut serde_json::Value) {
    for LinkSource {
        from,
        status,
        id,
        to,
    } in LINKS
    {
        let response = doc["paths"]
            .as_object_mut()
            .into_iter()
            .flat_map(|paths| paths.values_mut())
            .filter_map(|item| item.as_object_mut())
            .flat_map(|item| item.values_mut())
            .find(|op| op["operationId"] == *from)
            .and_then(|op| op.pointer_mut(&format!("/responses/{status}")));
        let Some(response) = response else {
            // tests/tests/openapi.rs checks that every link is in the document.
            tracing::error!(
                from,
                status,
                "an OpenAPI link names an answer that is not documented"
            );
            continue;
        };
        for (name, operation, parameter) in *to {
            response["links"][*name] =
                serde_json::json!({"operationId": operation, "parameters": {*parameter: id}});
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// This OpenAPI document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_document",
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this server", content_type = "application/json", body = Object),
    )
)]
pub(super) async fn document(
    State(state): State<AppState>,
    Extension(Document(doc)): Extension<Document>,
) -> Result<impl IntoResponse, ApiError> {
    let mut codes: Vec<String> = state
        .store
        .visit_schedule()
        .await?
        .into_iter()
        .map(|v| v.code)
        .collect();
    codes.push(app::domain::visits::UNSCHEDULED.to_owned());
    let mut doc = (*doc).clone();
    if let Some(schema) = doc.pointer_mut("/components/schemas/VisitCode") {
        schema["enum"] = serde_json::json!(codes);
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], Json(doc)))
}

/// An IANA time zone name, such as `Asia/Shanghai`.
pub struct TimeZone;

impl utoipa::PartialSchema for TimeZone {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .into()
    }
}

impl ToSchema for TimeZone {}

/// An empty JSON object (`{}`).
#[derive(ToSchema)]
pub struct EmptyObject {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every signed-in route documents its 401 with the error body, whether
    /// its own description declares it or [`add_common_errors`] adds it.
    #[test]
    fn signed_in_routes_document_401() {
        let (_, mut doc) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
            .merge(super::super::health::router())
            .nest(super::super::api::PREFIX, super::super::api::router())
            .split_for_parts();
        add_common_errors(&mut doc);
        let expected = serde_json::json!({
            "description": "`unauthorized` or `invalid_token`",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
        });
        let mut secured = 0;
        for (path, item) in &mut doc.paths.paths {
            for operation in operations(item) {
                let answer = serde_json::to_value(operation.responses.responses.get("401"))
                    .expect("plain data");
                if operation.security.is_some() {
                    secured += 1;
                    assert_eq!(answer, expected, "{path}");
                }
            }
        }
        assert!(secured > 40, "{secured} signed-in operations");
    }
}
