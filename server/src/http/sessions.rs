//! A user's signed-in devices, their password and language, and (for admins)
//! disabling accounts: `GET /api/v1/sessions`, `DELETE /api/v1/sessions/{id}`,
//! `POST /api/v1/me/password`, `PUT /api/v1/me/language`,
//! `POST /api/v1/users/{id}/disable`.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{auth, policy, state::AppState, store::User};
use app::domain::{account::UserProfile, language::Language};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(end))
        .routes(routes!(change_password))
        .routes(routes!(set_language))
        .routes(routes!(disable))
}

/// A signed-in device.
#[derive(Serialize, ToSchema)]
#[schema(as = Session)]
struct SessionView {
    id: Uuid,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    user_agent: Option<String>,
    client_addr: Option<String>,
    device_id: Option<String>,
    /// The session of this request.
    current: bool,
}

/// A page of sessions; `next_cursor` (null on the last page) asks for the next.
#[derive(Serialize, ToSchema)]
struct SessionPage {
    items: Vec<SessionView>,
    #[schema(required)]
    next_cursor: Option<String>,
}

/// The caller's open sessions (one page: `next_cursor` is always null).
#[utoipa::path(
    get,
    path = "/v1/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The open sessions", body = SessionPage),
    )
)]
async fn list(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<SessionPage>, ApiError> {
    let sessions = state.store.sessions_of(user.user.id).await?;
    let items = sessions
        .into_iter()
        .filter(|s| s.revoked_at.is_none())
        .map(|s| SessionView {
            id: s.id,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            user_agent: s.user_agent,
            client_addr: s.client_addr,
            device_id: s.device_id,
            current: s.id == user.session_id,
        })
        .collect();
    Ok(Json(SessionPage {
        items,
        next_cursor: None,
    }))
}

/// Signs one of the caller's devices out.
#[utoipa::path(
    delete,
    path = "/v1/sessions/{id}",
    operation_id = "end_session",
    tag = "sessions",
    params(("id" = Uuid, Path, description = "The session")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The session is ended"),
        (status = 400, description = "`bad_request`: the id is not a UUID", body = error::Body),
        (status = 403, description = "`csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`: not one of the caller's sessions", body = error::Body),
    )
)]
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

#[derive(Deserialize, ToSchema)]
struct PasswordChange {
    current_password: String,
    /// 8 to 256 characters, not among the most common passwords.
    new_password: String,
}

/// Changes the caller's password; their other sessions end.
#[utoipa::path(
    post,
    path = "/v1/me/password",
    tag = "sessions",
    request_body = PasswordChange,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Changed; the other sessions are ended"),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`: a weak new password or a wrong current one", body = error::Body),
        (status = 429, description = "`too_many_requests`: too many wrong passwords", body = error::Body,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn change_password(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    auth::change_password(
        state.store.as_ref(),
        &user.user,
        user.session_id,
        SecretString::from(body.current_password),
        SecretString::from(body.new_password),
        &user.context,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
struct LanguageChoice {
    language: Language,
}

/// Saves the language the caller reads the app in, for every device they
/// sign in on (pages and the phone app); audited with the one before.
#[utoipa::path(
    put,
    path = "/v1/me/language",
    tag = "sessions",
    request_body = LanguageChoice,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user with the saved language", body = UserProfile),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`: a language the app does not speak", body = error::Body),
    )
)]
async fn set_language(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LanguageChoice>,
) -> Result<Json<UserProfile>, ApiError> {
    state
        .store
        .set_user_language(user.user.id, body.language, &user.context)
        .await?;
    let saved = User {
        language: Some(body.language),
        ..user.user
    };
    Ok(Json(auth::profile_of(&saved, user.links)))
}

#[derive(Deserialize, ToSchema)]
#[schema(as = DisableRequest)]
struct Disable {
    /// Why, for the audit trail.
    #[schema(min_length = 1, max_length = 1000, pattern = r"[^\s\u0085]")]
    reason: String,
}

/// Disables an account and ends its sessions (admins).
#[utoipa::path(
    post,
    path = "/v1/users/{id}/disable",
    operation_id = "disable_user",
    tag = "sessions",
    params(("id" = Uuid, Path, description = "The user")),
    request_body = Disable,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Disabled; the account's sessions are ended"),
        (status = 400, description = "`malformed_json`, or the id is not a UUID", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`: no such user", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`: no reason given", body = error::Body),
    )
)]
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
