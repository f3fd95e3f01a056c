//! Visit labs: `POST|GET /api/v1/participants/{id}/labs` (the contract), and
//! corrections as new versions with a reason: `PUT /api/v1/labs/{id}`,
//! `POST /api/v1/labs/{id}/void`, `GET /api/v1/labs/{id}/history`
//! (extensions).

use std::collections::BTreeMap;

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
    entries::visible_participant,
    error::{self, ApiError, ApiJson},
};
use crate::{
    policy,
    state::AppState,
    store::{EntryStatus, LabVersion, Participant},
};
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

/// Labs are entered and corrected by investigators of the participant's site.
async fn site_participant(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Result<Participant, ApiError> {
    let participant = visible_participant(state, user, id).await?;
    if policy::may_manage_site(&user.actor(), participant.site_id) {
        Ok(participant)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The lab's own checks, and a visit of the study's schedule.
async fn checked(state: &AppState, input: &LabInput) -> Result<NaiveDate, ApiError> {
    let schedule = state.store.visit_schedule().await?;
    let known = app::domain::visits::is_known(&schedule, input.visit.trim());
    match input.check() {
        Ok(checked) if known => Ok(checked.taken_on),
        outcome => {
            let mut fields = outcome.err().unwrap_or_default();
            if !known {
                let codes: Vec<&str> = schedule.iter().map(|v| v.code.as_str()).collect();
                fields
                    .entry("visit".into())
                    .or_insert_with(|| format!("one of {}, or unscheduled", codes.join(", ")));
            }
            Err(ApiError::Unprocessable { fields })
        }
    }
}

fn reason_of(reason: &str) -> Result<String, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::Unprocessable {
            fields: BTreeMap::from([("reason".into(), "1 to 1000 characters".into())]),
        });
    }
    Ok(reason.to_owned())
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
    let version = record(&state, &user, id, input).await?;
    Ok((StatusCode::CREATED, Json(version.into())))
}

/// Records a new lab of a participant of the caller's site.
pub(crate) async fn record(
    state: &AppState,
    user: &AuthUser,
    participant: Uuid,
    input: LabInput,
) -> Result<LabVersion, ApiError> {
    let participant = site_participant(state, user, participant).await?;
    let taken_on = checked(state, &input).await?;
    let version = LabVersion {
        lab_id: Uuid::now_v7(),
        version: 1,
        participant_id: participant.id,
        status: EntryStatus::Active,
        input,
        taken_on,
        entered_by: user.user.id,
        entered_by_role: user.user.role,
        received_at: Utc::now(),
        reason: None,
    };
    state
        .store
        .save_lab_version(&version, &user.context)
        .await?;
    Ok(version)
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
    let participant = visible_participant(&state, &user, id).await?;
    let mut items = current(state.store.lab_versions(participant.id).await?);
    items.sort_by_key(|l| (l.taken_on, l.lab_id));
    Ok(Json(LabList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The current version of each lab.
pub(crate) fn current(versions: Vec<LabVersion>) -> Vec<LabVersion> {
    crate::store::latest_versions(&versions, |v| (v.lab_id, v.version))
        .into_iter()
        .cloned()
        .collect()
}

/// The current version of a lab the caller may correct.
async fn correctable(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    base_version: i64,
) -> Result<LabVersion, ApiError> {
    let versions = state.store.lab_history(id).await?;
    let Some(head) = versions.into_iter().last() else {
        return Err(ApiError::NotFound);
    };
    site_participant(state, user, head.participant_id).await?;
    if head.version != base_version {
        return Err(ApiError::Conflict(format!(
            "The lab is at version {}: look at it and correct that version.",
            head.version
        )));
    }
    if head.status == EntryStatus::Voided {
        return Err(ApiError::Conflict("The lab was removed.".into()));
    }
    Ok(head)
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
    let version = correct(&state, &user, id, body.base_version, &body.reason, body.lab).await?;
    Ok(Json(version.into()))
}

/// A new version of a lab at `base_version`, with a reason.
pub(crate) async fn correct(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    base_version: i64,
    reason: &str,
    input: LabInput,
) -> Result<LabVersion, ApiError> {
    let reason = reason_of(reason)?;
    let taken_on = checked(state, &input).await?;
    let head = correctable(state, user, id, base_version).await?;
    let version = LabVersion {
        version: head.version + 1,
        input,
        taken_on,
        entered_by: user.user.id,
        entered_by_role: user.user.role,
        received_at: Utc::now(),
        reason: Some(reason),
        ..head
    };
    save_next(state, user, &version).await?;
    Ok(version)
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
    let version = remove(&state, &user, id, body.base_version, &body.reason).await?;
    Ok(Json(version.into()))
}

/// A voided version of a lab at `base_version`, with a reason.
pub(crate) async fn remove(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    base_version: i64,
    reason: &str,
) -> Result<LabVersion, ApiError> {
    let reason = reason_of(reason)?;
    let head = correctable(state, user, id, base_version).await?;
    let version = LabVersion {
        version: head.version + 1,
        status: EntryStatus::Voided,
        entered_by: user.user.id,
        entered_by_role: user.user.role,
        received_at: Utc::now(),
        reason: Some(reason),
        ..head
    };
    save_next(state, user, &version).await?;
    Ok(version)
}

/// Two corrections of the same version: the second finds its number taken.
async fn save_next(
    state: &AppState,
    user: &AuthUser,
    version: &LabVersion,
) -> Result<(), ApiError> {
    match state.store.save_lab_version(version, &user.context).await {
        Err(crate::store::StoreError::Duplicate(_)) => Err(ApiError::Conflict(
            "The lab was corrected meanwhile: look at it again.".into(),
        )),
        other => Ok(other?),
    }
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
    let versions = state.store.lab_history(id).await?;
    let Some(first) = versions.first() else {
        return Err(ApiError::NotFound);
    };
    visible_participant(&state, &user, first.participant_id).await?;
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
