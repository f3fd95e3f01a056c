//! `GET /api/v1/audit?entity_id=`: the audit trail of a record, for
//! investigators (their sites) and admins (without health data).

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{Query, State},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError},
};
use crate::{
    audit::AuditRow,
    policy::{self, AuditDetail, AuditSubject},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// The id of the record whose trail to show.
    #[param(
        required = true,
        min_length = 1,
        max_length = 200,
        pattern = r"[^\s\u0085]"
    )]
    entity_id: Option<String>,
    /// 1 to 1000, 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{1,18}$")]
    cursor: Option<String>,
}

/// One row of the audit trail, oldest first.
#[derive(Serialize, ToSchema)]
struct AuditEntry {
    /// Position in the hash chain.
    seq: i64,
    id: Uuid,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_role: String,
    on_behalf_of: Option<Uuid>,
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    /// The record before the change, as stored.
    #[schema(value_type = Option<Object>)]
    before: Option<Value>,
    /// The record after the change, as stored.
    #[schema(value_type = Option<Object>)]
    after: Option<Value>,
    reason: Option<String>,
    client_addr: Option<String>,
    user_agent: Option<String>,
    device_id: Option<String>,
    /// SHA-256 of this row chained to the one before, hex.
    hash: String,
    /// True when `before`, `after` and `reason` are withheld: the row is
    /// about a participant's health data and the reader is an admin.
    redacted: bool,
}

impl AuditEntry {
    fn new(row: AuditRow, detail: AuditDetail) -> Self {
        let redacted = detail == AuditDetail::WithoutHealthData;
        let parse = |text: Option<String>| {
            text.filter(|_| !redacted)
                .and_then(|t| serde_json::from_str(&t).ok())
        };
        Self {
            seq: row.seq,
            id: row.id,
            occurred_at: row.occurred_at,
            actor_id: row.actor_id,
            actor_role: row.actor_role,
            on_behalf_of: row.on_behalf_of,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            before: parse(row.before_value),
            after: parse(row.after_value),
            reason: row.reason.filter(|_| !redacted),
            client_addr: row.client_addr,
            user_agent: row.user_agent,
            device_id: row.device_id,
            hash: row.hash,
            redacted,
        }
    }
}

/// A page of audit rows; `next_cursor` (null on the last page) asks for the next.
#[derive(Serialize, ToSchema)]
struct AuditPage {
    items: Vec<AuditEntry>,
    #[schema(required)]
    next_cursor: Option<String>,
}

/// The audit trail of a record (a participant's includes their diary),
/// for its site's investigators and for admins. Admins see no health data:
/// rows about a participant come to them without `before`, `after` and
/// `reason` (`redacted` is true).
#[utoipa::path(
    get,
    path = "/v1/audit",
    operation_id = "audit_trail",
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of the trail, oldest first", body = AuditPage),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
        (status = 422, description = "`validation_failed`: missing `entity_id`, bad `limit` or `cursor`", body = error::Body),
    )
)]
async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let mut fields = BTreeMap::new();
    let entity = query
        .entity_id
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    if entity.is_empty() {
        fields.insert(
            "entity_id".to_owned(),
            "the id of the record whose trail to show".to_owned(),
        );
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        fields.insert("limit".to_owned(), "from 1 to 1000".to_owned());
    }
    let after = match query.cursor.as_deref().map(str::parse::<i64>) {
        None => 0,
        Some(Ok(seq)) if seq >= 0 => seq,
        Some(_) => {
            fields.insert(
                "cursor".to_owned(),
                "a cursor from an earlier answer".to_owned(),
            );
            0
        }
    };
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }

    // What the id names decides who may read its trail.
    let (subject, participant) = match Uuid::parse_str(entity) {
        Ok(id) => match state.store.participant(id).await? {
            Some(p) => (AuditSubject::Participant { site: p.site_id }, Some(p.id)),
            None if state.store.site(id).await?.is_some() => (AuditSubject::Site(id), None),
            None => (AuditSubject::Other, None),
        },
        Err(_) => (AuditSubject::Other, None),
    };
    if !policy::may_read_audit(&user.actor(), subject) {
        // Not found rather than forbidden: the id's existence is not revealed.
        return Err(ApiError::NotFound);
    }
    let mut rows = state
        .store
        .audit_for(entity, participant, after, limit + 1)
        .await?;
    let next_cursor = (rows.len() as i64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.seq.to_string())
    });
    Ok(Json(AuditPage {
        items: rows
            .into_iter()
            .map(|row| {
                let detail = policy::audit_detail(&user.actor(), row.concerns_health());
                AuditEntry::new(row, detail)
            })
            .collect(),
        next_cursor: next_cursor.flatten(),
    }))
}
