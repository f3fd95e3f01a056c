//! Diary entries: `POST /api/v1/sync` for phones, and the read routes
//! `GET /api/v1/participants/{id}/entries` and `GET /api/v1/entries/{id}/history`.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{DefaultBodyLimit, Path, Query, State},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{
    policy,
    state::AppState,
    store::EntryQuery,
    store::sync_plan::Sender,
    sync::{self, EntryView, SyncError, SyncRequest, cursor},
};
use app::domain::entry::Kind;

/// 500 mutations with long notes need more than the API's usual 1 MiB.
pub const SYNC_BODY_LIMIT: usize = 8 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sync_handler))
        .routes(routes!(list))
        .routes(routes!(history))
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

/// Sends the device's diary changes and receives everyone else's: one
/// result per mutation, in order, after the batch is durably committed.
#[utoipa::path(
    post,
    path = "/v1/sync",
    operation_id = "sync",
    tag = "diary",
    request_body = SyncRequest,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The batch's results (a bad mutation is `rejected` on its own) and the entries changed since `since`", body = sync::SyncAnswer),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (staff do not sync) or `csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`: more than 500 mutations, or a body over 8 MiB", body = error::Body),
        (status = 422, description = "`validation_failed`: the envelope (`device_id`, `since`, `mutations`) is wrong", body = error::Body),
        (status = 429, description = "`too_many_requests`: this account syncs faster than the server allows", body = error::Body,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn sync_handler(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<sync::SyncAnswer>, ApiError> {
    let participants = policy::sync_scope(&user.actor()).ok_or(ApiError::Forbidden)?;
    state
        .sync_rate_limit
        .check(user.user.id)
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
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
        &state.alerts.settings(),
    )
    .await?;
    if answer.alerts_changed {
        // Streams and the dispatcher of this process look at once.
        state.alerts.wake.notify_waiters();
    }
    Ok(Json(answer))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only this kind.
    #[param(value_type = Option<Kind>)]
    kind: Option<String>,
    /// Events at or after this time (RFC 3339 with offset).
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<String>,
    /// Events before this time (RFC 3339 with offset).
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<String>,
    /// 1 to 1000, 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the page before.
    #[param(pattern = r"^e-?[0-9]{1,18}\.[0-9a-f]{32}$")]
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
pub(super) async fn visible_participant(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Result<crate::store::Participant, ApiError> {
    crate::service::visible_participant(state.store.as_ref(), user.caller(), id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A page of entries; `next_cursor` (null on the last page) asks for the next.
#[derive(Serialize, ToSchema)]
struct EntryPage {
    items: Vec<EntryView>,
    #[schema(required)]
    next_cursor: Option<String>,
}

/// A participant's diary, newest event first, voided entries included.
#[utoipa::path(
    get,
    path = "/v1/participants/{id}/entries",
    operation_id = "list_entries",
    tag = "diary",
    params(("id" = Uuid, Path, description = "The participant"), ListQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of entries at their current version", body = EntryPage),
        (status = 400, description = "`bad_request`: the id is not a UUID", body = error::Body),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
        (status = 422, description = "`validation_failed`: bad `kind`, `from`, `to`, `limit` or `cursor`", body = error::Body),
    )
)]
async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(query): Query<ListQuery>,
) -> Result<Json<EntryPage>, ApiError> {
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
    Ok(Json(EntryPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Every version of an entry.
#[derive(Serialize, ToSchema)]
struct EntryHistory {
    /// Oldest first.
    versions: Vec<EntryView>,
}

/// Every version of an entry, oldest first.
#[utoipa::path(
    get,
    path = "/v1/entries/{id}/history",
    operation_id = "entry_history",
    tag = "diary",
    params(("id" = Uuid, Path, description = "The entry")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The entry's versions", body = EntryHistory),
        (status = 400, description = "`bad_request`: the id is not a UUID", body = error::Body),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
    )
)]
async fn history(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<EntryHistory>, ApiError> {
    let versions = state.store.entry_history(id).await?;
    let Some(first) = versions.first() else {
        return Err(ApiError::NotFound);
    };
    visible_participant(&state, &user, first.participant_id).await?;
    Ok(Json(EntryHistory {
        versions: versions.into_iter().map(Into::into).collect(),
    }))
}
