//! `POST /api/v1/sites`: the admin sets up the trial's sites.

use std::collections::BTreeMap;

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{policy, state::AppState, store::Site};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
}

#[derive(Deserialize, ToSchema)]
struct NewSite {
    /// 1 to 16 capital letters, digits or '-'.
    code: String,
    name: String,
    /// An IANA time zone such as `Asia/Shanghai`.
    timezone: String,
    emergency_phone: String,
}

/// `site` in the contract.
#[derive(Serialize, ToSchema)]
#[schema(as = Site)]
pub struct SiteView {
    id: Uuid,
    code: String,
    name: String,
    timezone: String,
    emergency_phone: String,
}

impl From<Site> for SiteView {
    fn from(site: Site) -> Self {
        Self {
            id: site.id,
            code: site.code,
            name: site.name,
            timezone: site.timezone,
            emergency_phone: site.emergency_phone,
        }
    }
}

/// Checks a new site; the problems by field.
fn validate(body: &NewSite) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let code = body.code.trim();
    if code.is_empty()
        || code.len() > 16
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        fields.insert(
            "code".into(),
            "1 to 16 capital letters, digits or '-'".into(),
        );
    }
    if body.name.trim().is_empty() || body.name.chars().count() > 200 {
        fields.insert("name".into(), "a name of 1 to 200 characters".into());
    }
    if body.timezone.parse::<chrono_tz::Tz>().is_err() {
        fields.insert(
            "timezone".into(),
            "an IANA time zone such as Asia/Shanghai".into(),
        );
    }
    let phone = body.emergency_phone.trim();
    if phone.is_empty()
        || phone.len() > 32
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
    {
        fields.insert(
            "emergency_phone".into(),
            "a phone number such as +86 532 8291 1234".into(),
        );
    }
    fields
}

/// Sets up a site (admins).
#[utoipa::path(
    post,
    path = "/v1/sites",
    operation_id = "create_site",
    tag = "sites",
    request_body = NewSite,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The new site", body = SiteView),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 401, description = "`unauthorized` or `invalid_token`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 409, description = "`conflict`: the code is taken", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn create(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewSite>,
) -> Result<(StatusCode, Json<SiteView>), ApiError> {
    if !policy::may_create_site(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    let fields = validate(&body);
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    let site = Site {
        id: Uuid::now_v7(),
        code: body.code.trim().to_owned(),
        name: body.name.trim().to_owned(),
        timezone: body.timezone,
        emergency_phone: body.emergency_phone.trim().to_owned(),
    };
    state.store.create_site(&site, &user.context).await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}
