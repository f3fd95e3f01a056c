//! `POST /api/v1/sites`: the admin sets up the trial's sites; `GET` lists
//! them and `PUT /api/v1/sites/{id}` changes one (extensions).

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
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
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(update))
}

#[derive(Deserialize, ToSchema)]
struct NewSite {
    /// 1 to 16 capital letters, digits or '-'.
    #[schema(pattern = r"^[ \t\n\r]*[A-Z0-9-]{1,16}[ \t\n\r]*$")]
    code: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    name: String,
    /// An IANA time zone such as `Asia/Shanghai`.
    #[schema(value_type = super::openapi::TimeZone)]
    timezone: String,
    /// Digits, spaces, '+', '-', '(' and ')', up to 32.
    #[schema(
        pattern = r"^[ \t\n\r]*[0-9 +()-]*[0-9][0-9 +()-]*[ \t\n\r]*$",
        max_length = 32
    )]
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

/// What of a site may change: everything but its code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SiteChange {
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    name: String,
    /// An IANA time zone such as `Asia/Shanghai`.
    #[schema(value_type = super::openapi::TimeZone)]
    timezone: String,
    /// Digits, spaces, '+', '-', '(' and ')', up to 32.
    #[schema(
        pattern = r"^[ \t\n\r]*[0-9 +()-]*[0-9][0-9 +()-]*[ \t\n\r]*$",
        max_length = 32
    )]
    emergency_phone: String,
}

#[derive(Serialize, ToSchema)]
struct SiteList {
    items: Vec<SiteView>,
}

/// Checks a new site; the problems by field.
fn validate(body: &NewSite) -> BTreeMap<String, String> {
    let mut fields = validate_details(&body.name, &body.timezone, &body.emergency_phone);
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
    fields
}

/// Checks what a site is called, where it is and whom to call.
fn validate_details(name: &str, timezone: &str, emergency_phone: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    if name.trim().is_empty() || name.chars().count() > 200 {
        fields.insert("name".into(), "a name of 1 to 200 characters".into());
    }
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        fields.insert(
            "timezone".into(),
            "an IANA time zone such as Asia/Shanghai".into(),
        );
    }
    let phone = emergency_phone.trim();
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

/// The sites: all of them for admins, their own for investigators.
#[utoipa::path(
    get,
    path = "/v1/sites",
    operation_id = "list_sites",
    tag = "sites",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The sites, by code", body = SiteList),
        (status = 403, description = "`forbidden`: participants and guardians", body = error::Body),
    )
)]
async fn list(user: AuthUser, State(state): State<AppState>) -> Result<Json<SiteList>, ApiError> {
    let scope = policy::site_scope(&user.actor()).ok_or(ApiError::Forbidden)?;
    let items = state
        .store
        .sites()
        .await?
        .into_iter()
        .filter(|s| scope.allows(s.id))
        .map(Into::into)
        .collect();
    Ok(Json(SiteList { items }))
}

/// Changes a site's name, time zone or emergency number (admins; audited
/// with both versions).
#[utoipa::path(
    put,
    path = "/v1/sites/{id}",
    operation_id = "update_site",
    tag = "sites",
    params(("id" = Uuid, Path, description = "The site")),
    request_body = SiteChange,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The site as it now is", body = SiteView),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn update(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<SiteChange>,
) -> Result<Json<SiteView>, ApiError> {
    if !policy::may_change_site(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    let before = state.store.site(id).await?.ok_or(ApiError::NotFound)?;
    let fields = validate_details(&body.name, &body.timezone, &body.emergency_phone);
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    let after = Site {
        name: body.name.trim().to_owned(),
        timezone: body.timezone,
        emergency_phone: body.emergency_phone.trim().to_owned(),
        ..before.clone()
    };
    state
        .store
        .update_site(&before, &after, &user.context)
        .await?;
    Ok(Json(after.into()))
}
