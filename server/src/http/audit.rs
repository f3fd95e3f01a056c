//! `GET /api/v1/audit?entity_id=`: the audit trail of a record, for
//! investigators (their sites) and admins.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{auth::AuthUser, error::ApiError};
use crate::{
    audit::AuditRow,
    policy::{self, AuditSubject},
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/audit", get(list))
}

#[derive(Deserialize)]
struct AuditQuery {
    entity_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn view(row: AuditRow) -> Value {
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    json!({
        "seq": row.seq,
        "id": row.id,
        "occurred_at": row.occurred_at,
        "actor_id": row.actor_id,
        "actor_role": row.actor_role,
        "on_behalf_of": row.on_behalf_of,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "before": parse(row.before_value),
        "after": parse(row.after_value),
        "reason": row.reason,
        "client_addr": row.client_addr,
        "user_agent": row.user_agent,
        "device_id": row.device_id,
        "hash": row.hash,
    })
}

async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
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
    let items: Vec<Value> = rows.into_iter().map(view).collect();
    Ok(Json(
        json!({"items": items, "next_cursor": next_cursor.flatten()}),
    ))
}
