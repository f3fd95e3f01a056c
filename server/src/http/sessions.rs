//! A user's signed-in devices, their password, and (for admins) disabling
//! accounts: `GET /api/v1/sessions`, `DELETE /api/v1/sessions/{id}`,
//! `POST /api/v1/me/password`, `POST /api/v1/users/{id}/disable`.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{delete, get, post},
};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{ApiError, ApiJson},
};
use crate::{
    password::{self, Verdict},
    policy,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sessions", get(list))
        .route("/v1/sessions/{id}", delete(end))
        .route("/v1/me/password", post(change_password))
        .route("/v1/users/{id}/disable", post(disable))
}

async fn list(user: AuthUser, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let sessions = state.store.sessions_of(user.user.id).await?;
    let items: Vec<Value> = sessions
        .into_iter()
        .filter(|s| s.revoked_at.is_none())
        .map(|s| {
            json!({
                "id": s.id,
                "created_at": s.created_at,
                "last_used_at": s.last_used_at,
                "user_agent": s.user_agent,
                "client_addr": s.client_addr,
                "device_id": s.device_id,
                "current": s.id == user.session_id,
            })
        })
        .collect();
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

async fn end(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    match state.store.session(id).await? {
        Some(session) if session.user_id == user.user.id => {
            state
                .store
                .revoke_session(id, "ended by the user", &user.context)
                .await?;
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(ApiError::NotFound),
    }
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

async fn change_password(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    if let Err(why) = password::check_new(&body.new_password) {
        return Err(ApiError::Unprocessable {
            fields: BTreeMap::from([("new_password".to_owned(), why)]),
        });
    }
    let verdict = password::verify(
        SecretString::from(body.current_password),
        Some(user.user.password_hash.clone()),
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    if verdict == Verdict::Wrong {
        return Err(ApiError::Unprocessable {
            fields: BTreeMap::from([(
                "current_password".to_owned(),
                "this is not your current password".to_owned(),
            )]),
        });
    }
    let hash = password::hash(SecretString::from(body.new_password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .store
        .change_password(user.user.id, &hash, Some(user.session_id), &user.context)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Disable {
    reason: String,
}

async fn disable(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Disable>,
) -> Result<StatusCode, ApiError> {
    if !policy::may_manage_accounts(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    if body.reason.trim().is_empty() {
        return Err(ApiError::Unprocessable {
            fields: BTreeMap::from([(
                "reason".to_owned(),
                "say why the account is disabled".to_owned(),
            )]),
        });
    }
    if state.store.user_by_id(id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    state
        .store
        .disable_user(id, body.reason.trim(), &user.context)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
