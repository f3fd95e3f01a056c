//! Visit labs: `POST|GET /api/v1/participants/{id}/labs` (the contract), and
//! corrections as new versions with a reason: `PUT /api/v1/labs/{id}`,
//! `POST /api/v1/labs/{id}/void`, `GET /api/v1/labs/{id}/history`
//! (extensions).

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{service::labs, state::AppState, store::LabVersion};
use app::domain::labs::{LabInput, LabKind};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(amend))
        .routes(routes!(void))
        .routes(routes!(history))
}

/// A lab result as the API shows it (`lab`).
#[derive(Debug, Serialize, ToSchema)]
pub struct LabView {
    id: Uuid,
    participant_id: Uuid,
    version: i64,
    #[schema(value_type = crate::schema::EntryStatus)]
    status: &'static str,
    visit: String,
    taken_at: String,
    /// The day `taken_at` falls on.
    taken_on: NaiveDate,
    kind: LabKind,
    name: Option<String>,
    value: f64,
    unit: String,
    entered_by: Uuid,
    #[schema(value_type = app::domain::account::Role)]
    entered_by_role: String,
    received_at: DateTime<Utc>,
    /// Why this version was made (corrections and removals).
    reason: Option<String>,
}

impl From<LabVersion> for LabView {
    fn from(v: LabVersion) -> Self {
        Self {
            id: v.lab_id,
            participant_id: v.participant_id,
            version: v.version,
            status: v.status.as_str(),
            visit: v.input.visit,
            taken_at: v.input.taken_at,
            taken_on: v.taken_on,
            kind: v.input.kind,
            name: v.input.name,
            value: v.input.value,
            unit: v.input.unit,
            entered_by: v.entered_by,
            entered_by_role: v.entered_by_role.to_string(),
            received_at: v.received_at,
            reason: v.reason,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct LabList {
    /// The current version of each lab, voided ones included.
    items: Vec<LabView>,
}

#[derive(Serialize, ToSchema)]
struct LabHistory {
    /// Oldest first.
    versions: Vec<LabView>,
}

/// A correction: the lab as it should read, the version it corrects, why.
// No deny_unknown_fields here: serde does not combine it with flatten
// (LabInput itself refuses unknown fields).
#[derive(Deserialize, ToSchema)]
struct LabCorrection {
    base_version: i64,
    reason: String,
    #[serde(flatten)]
    lab: LabInput,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LabRemoval {
    #[schema(minimum = 1, maximum = 9_007_199_254_740_991_i64)]
    base_version: i64,
    #[schema(min_length = 1, max_length = 1000, pattern = r"[^\s\u0085]")]
    reason: String,
}

/// Records a visit lab.
#[utoipa::path(
    post,
    path = "/v1/participants/{id}/labs",
    operation_id = "create_lab",
    tag = "labs",
    params(("id" = Uuid, Path, description = "The participant")),
    request_body = LabInput,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "Recorded", body = LabView),
        (status = 400, description = "`bad_request`: malformed JSON", body = error::Body),
        (status = 403, description = "`forbidden`: not an investigator of the site, or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`, with the fields at fault", body = error::Body),
    )
)]
async fn create(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<LabInput>,
) -> Result<(StatusCode, Json<LabView>), ApiError> {
    let version = labs::record(state.store.as_ref(), user.caller(), id, input).await?;
    Ok((StatusCode::CREATED, Json(version.into())))
}

/// A participant's labs: the current version of each.
#[utoipa::path(
    get,
    path = "/v1/participants/{id}/labs",
    operation_id = "list_labs",
    tag = "labs",
    params(("id" = Uuid, Path, description = "The participant")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The labs, by visit day", body = LabList),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
    )
)]
async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<LabList>, ApiError> {
    let items = labs::current_labs(state.store.as_ref(), user.caller(), id).await?;
    Ok(Json(LabList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Corrects a lab: a new version with a reason, the old one kept.
#[utoipa::path(
    put,
    path = "/v1/labs/{id}",
    operation_id = "correct_lab",
    tag = "labs",
    params(("id" = Uuid, Path, description = "The lab")),
    request_body = LabCorrection,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 400, description = "`bad_request`: malformed JSON", body = error::Body),
        (status = 200, description = "The new version", body = LabView),
        (status = 403, description = "`forbidden` or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
        (status = 409, description = "`conflict`: `base_version` is not the current version, or the lab was removed", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn amend(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<LabCorrection>,
) -> Result<Json<LabView>, ApiError> {
    let version = labs::correct(
        state.store.as_ref(),
        user.caller(),
        id,
        body.base_version,
        &body.reason,
        body.lab,
    )
    .await?;
    Ok(Json(version.into()))
}

/// Removes a lab: a voided version with a reason; every version stays.
#[utoipa::path(
    post,
    path = "/v1/labs/{id}/void",
    operation_id = "void_lab",
    tag = "labs",
    params(("id" = Uuid, Path, description = "The lab")),
    request_body = LabRemoval,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 400, description = "`bad_request`: malformed JSON", body = error::Body),
        (status = 200, description = "The voided version", body = LabView),
        (status = 403, description = "`forbidden` or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
        (status = 409, description = "`conflict`: `base_version` is not the current version, or removed already", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn void(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<LabRemoval>,
) -> Result<Json<LabView>, ApiError> {
    let version = labs::remove(
        state.store.as_ref(),
        user.caller(),
        id,
        body.base_version,
        &body.reason,
    )
    .await?;
    Ok(Json(version.into()))
}

/// Every version of a lab, oldest first.
#[utoipa::path(
    get,
    path = "/v1/labs/{id}/history",
    operation_id = "lab_history",
    tag = "labs",
    params(("id" = Uuid, Path, description = "The lab")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The lab's versions", body = LabHistory),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
    )
)]
async fn history(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<LabHistory>, ApiError> {
    let versions = labs::history(state.store.as_ref(), user.caller(), id).await?;
    Ok(Json(LabHistory {
        versions: versions.into_iter().map(Into::into).collect(),
    }))
}

/// The JSON Schemas of a lab as entered (`LabInput`) and as corrected
/// (`LabCorrection`), which the derives cannot say: one variant per kind and
/// unit with its plausible range (`LabKind::units`), `name` only for `other`,
/// and the visit one of the study's (`VisitCode`, filled in by the document
/// at each request). They replace the derived ones in the document.
pub(super) fn input_schemas() -> [(&'static str, serde_json::Value); 3] {
    use serde_json::{Value, json};
    // The largest integer every JSON reader holds exactly.
    const MAX_VERSION: i64 = 9_007_199_254_740_991;
    let kinds = [
        LabKind::Weight,
        LabKind::Hba1c,
        LabKind::CPeptideFasting,
        LabKind::CPeptideStimulated,
        LabKind::Other,
    ];
    let text = |max: usize| json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "[^\\s\\u0085]"});
    let variant = |kind: LabKind, unit: Value, value: Value, extra: &[(&str, Value)]| {
        let mut properties = json!({
            "visit": {"$ref": "#/components/schemas/VisitCode"},
            "taken_at": {
                "description": "When the sample was taken: a date (`2026-11-14`) or a time with its offset",
                "anyOf": [
                    {"type": "string", "format": "date"},
                    {"type": "string", "format": "date-time"},
                ],
            },
            "kind": {"const": kind.as_str()},
            "unit": unit,
            "value": value,
        });
        let mut required = vec!["visit", "taken_at", "kind", "unit", "value"];
        if kind == LabKind::Other {
            properties["name"] = text(100);
            required.push("name");
        }
        for (name, schema) in extra {
            properties[*name] = schema.clone();
            required.push(name);
        }
        json!({
            "type": "object",
            "title": kind.as_str(),
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    };
    let variants = |extra: &[(&str, Value)]| -> Vec<Value> {
        kinds
            .iter()
            .flat_map(|&kind| match kind.units() {
                [] => vec![variant(kind, text(20), json!({"type": "number"}), extra)],
                units => units
                    .iter()
                    .map(|(unit, lo, hi)| {
                        variant(
                            kind,
                            json!({"const": unit}),
                            json!({"type": "number", "minimum": lo, "maximum": hi}),
                            extra,
                        )
                    })
                    .collect(),
            })
            .collect()
    };
    let correction = [
        (
            "base_version",
            json!({"type": "integer", "minimum": 1, "maximum": MAX_VERSION, "description": "The version it corrects"}),
        ),
        ("reason", text(1000)),
    ];
    [
        (
            "LabInput",
            json!({
                "description": "A lab result as entered, by kind and unit",
                "oneOf": variants(&[]),
            }),
        ),
        (
            "LabCorrection",
            json!({
                "description": "A correction: the lab as it should read, the version it corrects, why",
                "oneOf": variants(&correction),
            }),
        ),
        (
            "VisitCode",
            json!({
                "type": "string",
                "description": "A visit of the study's schedule, or `unscheduled`",
            }),
        ),
    ]
}
