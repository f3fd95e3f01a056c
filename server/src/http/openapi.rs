//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the probes and the
//! JSON API, generated from the code with utoipa.
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

use axum::{Extension, Router, body::Bytes, http::header, response::IntoResponse};
use chrono::{DateTime, FixedOffset};
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use app::domain::{
    entry::{GlucoseData, HypoData, InsulinData, Kind},
    mutation::Op,
};

use super::cookies;
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

/// The served JSON of the document, made once at start-up.
#[derive(Clone)]
pub(super) struct Document(Bytes);

/// Turns the documented routes into the axum router, serving their document
/// at `GET /api/openapi.json` (itself registered in `api::router`).
pub fn serve(routes: OpenApiRouter<AppState>) -> Router<AppState> {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes)
        .split_for_parts();
    let json = doc
        .to_json()
        .expect("the OpenAPI document is plain data and always serialises");
    router.layer(Extension(Document(Bytes::from(json))))
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
pub(super) async fn document(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], json)
}

// Schemas for JSON the server handles untyped (sync mutations stay raw
// JSON so one bad mutation is rejected on its own; stored entry data is
// JSON), and for enums of the store that are kept as text on the wire.
// They describe; nothing builds them.

/// One diary change in `POST /api/v1/sync`. A mutation that breaks these
/// rules is answered `rejected` with a `validation_failed` error naming the
/// field; the rest of the batch still applies.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SyncMutation {
    /// Made on the device: the idempotency key.
    id: Uuid,
    participant_id: Uuid,
    /// The entry; equal to `id` for a create.
    entry_id: Uuid,
    op: Op,
    kind: Kind,
    /// The entry's current version, for amend and void.
    #[schema(minimum = 1)]
    base_version: Option<i64>,
    /// Why: required for amend and void.
    reason: Option<String>,
    /// Device time when the person saved it, with offset.
    recorded_at: DateTime<FixedOffset>,
    /// The entry by `kind`; none (or `{}`) for a void.
    data: Option<EntryData>,
}

/// `data` of an entry, by its `kind`: `GlucoseData` for `glucose`,
/// `InsulinData` for `insulin`, `HypoData` for `hypo`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum EntryData {
    Glucose(GlucoseData),
    Insulin(InsulinData),
    Hypo(HypoData),
}

/// Whether an entry stands or was voided.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Active,
    Voided,
}

/// For a `duplicate`: what became of the mutation the first time.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum MutationOutcome {
    Applied,
    Conflict,
    Rejected,
}

/// An empty JSON object (`{}`).
#[derive(ToSchema)]
pub struct EmptyObject {}
