//! Study-wide settings: the emergency advice phones show after a severe or
//! potentially serious event (everyone reads it; admins change it).

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{policy, state::AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_advice, put_advice))
}

#[derive(Serialize, Deserialize, ToSchema)]
struct Advice {
    /// English, 1 to 2000 characters.
    en: String,
    /// Simplified Chinese, 1 to 2000 characters.
    zh: String,
}

/// The emergency advice, in both languages.
#[utoipa::path(
    get,
    path = "/v1/study/emergency-advice",
    operation_id = "get_emergency_advice",
    tag = "study",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The advice", body = Advice),
        (status = 401, description = "`unauthorized` or `invalid_token`", body = error::Body),
    )
)]
async fn get_advice(
    _user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<Advice>, ApiError> {
    let (en, zh) = state.store.emergency_advice().await?;
    Ok(Json(Advice { en, zh }))
}

/// Changes the emergency advice (admins).
#[utoipa::path(
    put,
    path = "/v1/study/emergency-advice",
    operation_id = "put_emergency_advice",
    tag = "study",
    request_body = Advice,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The advice", body = Advice),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 401, description = "`unauthorized` or `invalid_token`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn put_advice(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Advice>,
) -> Result<Json<Advice>, ApiError> {
    if !policy::may_create_site(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    let mut fields = std::collections::BTreeMap::new();
    for (name, text) in [("en", &body.en), ("zh", &body.zh)] {
        if text.trim().is_empty() || text.chars().count() > 2000 {
            fields.insert(name.to_owned(), "1 to 2000 characters".to_owned());
        }
    }
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    state
        .store
        .set_emergency_advice(body.en.trim(), body.zh.trim(), &user.context)
        .await?;
    let (en, zh) = state.store.emergency_advice().await?;
    Ok(Json(Advice { en, zh }))
}
