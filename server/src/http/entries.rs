//! Diary entries: `POST /api/v1/sync` for phones, and the read routes
//! `GET /api/v1/participants/{id}/entries` and `GET /api/v1/entries/{id}/history`.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Path, Query, State},
    routing::{get, post},
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_http::limit::RequestBodyLimitLayer;
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{ApiError, ApiJson},
};
use crate::{
    policy,
    state::AppState,
    store::EntryQuery,
    sync::{self, EntryView, SyncError, SyncRequest, cursor, plan::Sender},
};
use app::domain::entry::Kind;

/// 500 mutations with long notes need more than the API's usual 1 MiB.
pub const SYNC_BODY_LIMIT: usize = 8 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sync", post(sync_handler))
        .route("/v1/participants/{id}/entries", get(list))
        .route("/v1/entries/{id}/history", get(history))
        .layer(RequestBodyLimitLayer::new(SYNC_BODY_LIMIT))
        .layer(DefaultBodyLimit::max(SYNC_BODY_LIMIT))
}

impl From<SyncError> for ApiError {
    fn from(err: SyncError) -> Self {
        match err {
            SyncError::TooMany => ApiError::TooManyItems(format!(
                "Send at most {} mutations a request.",
                app::domain::mutation::MAX_BATCH
            )),
            SyncError::Invalid(fields) => ApiError::Unprocessable { fields },
            SyncError::Store(e) => e.into(),
        }
    }
}

async fn sync_handler(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<sync::SyncAnswer>, ApiError> {
    let participants = policy::sync_scope(&user.actor()).ok_or(ApiError::Forbidden)?;
    let sender = Sender {
        user_id: user.user.id,
        role: user.user.role,
        device_id: request.device_id.to_string(),
        received_at: Utc::now(),
    };
    let answer = sync::sync(
        state.store.as_ref(),
        sender,
        &participants,
        request,
        &user.context,
    )
    .await?;
    Ok(Json(answer))
}

#[derive(Deserialize)]
struct ListQuery {
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn parse_query(q: &ListQuery) -> Result<EntryQuery, ApiError> {
    let mut fields = BTreeMap::new();
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Kind::parse(k).or_else(|| {
            fields.insert("kind".into(), "one of glucose, insulin or hypo".into());
            None
        }),
    };
    let mut time = |name: &str, value: &Option<String>| match value.as_deref() {
        None | Some("") => None,
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t.timestamp_micros()),
            Err(_) => {
                fields.insert(
                    name.into(),
                    "a time with its offset, such as 2026-11-24T00:00:00+08:00".into(),
                );
                None
            }
        },
    };
    let from_us = time("from", &q.from);
    let to_us = time("to", &q.to);
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        fields.insert("limit".into(), "from 1 to 1000".into());
    }
    let before = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => cursor::decode_list(c).or_else(|| {
            fields.insert("cursor".into(), "a cursor from an earlier answer".into());
            None
        }),
    };
    if fields.is_empty() {
        Ok(EntryQuery {
            kind,
            from_us,
            to_us,
            before,
            limit,
        })
    } else {
        Err(ApiError::Unprocessable { fields })
    }
}

/// The participant, if this user may see them; 404 otherwise.
async fn visible_participant(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Result<crate::store::Participant, ApiError> {
    match state.store.participant(id).await? {
        Some(p) if policy::may_view_participant(&user.actor(), &p) => Ok(p),
        _ => Err(ApiError::NotFound),
    }
}

async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut q = parse_query(&query)?;
    let participant = visible_participant(&state, &user, id).await?;
    let limit = q.limit;
    // One more than asked tells whether there is a next page.
    q.limit += 1;
    let mut items = state.store.entries_page(participant.id, &q).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items
            .last()
            .map(|v| cursor::encode_list(v.event_at_us, v.entry_id))
    } else {
        None
    };
    let items: Vec<EntryView> = items.into_iter().map(Into::into).collect();
    Ok(Json(json!({"items": items, "next_cursor": next_cursor})))
}

async fn history(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Value>, ApiError> {
    let versions = state.store.entry_history(id).await?;
    let Some(first) = versions.first() else {
        return Err(ApiError::NotFound);
    };
    visible_participant(&state, &user, first.participant_id).await?;
    let versions: Vec<EntryView> = versions.into_iter().map(Into::into).collect();
    Ok(Json(json!({"versions": versions})))
}
