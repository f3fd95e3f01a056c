//! Participants and their enrolment: `POST/GET /api/v1/participants`,
//! guardian invitations, and `POST /api/v1/enroll` for whoever holds a code.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::{DateTime, NaiveDate, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::{AuthUser, RequestContext, TokenResponse},
    error::{self, ApiError, ApiJson},
};
use crate::{
    auth, policy,
    service::participants::{IssuedCode, NewParticipant, create_participant, guardian_invitation},
    state::AppState,
    store::Participant,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(invite_guardian))
        .routes(routes!(enroll))
}

/// `participant` in the contract.
#[derive(Serialize, ToSchema)]
#[schema(as = Participant)]
pub struct ParticipantView {
    id: Uuid,
    site_id: Uuid,
    study_id: String,
    birth_year: i32,
    diagnosis_date: NaiveDate,
    enrolled_at: DateTime<Utc>,
}

impl From<Participant> for ParticipantView {
    fn from(p: Participant) -> Self {
        Self {
            id: p.id,
            site_id: p.site_id,
            study_id: p.study_id,
            birth_year: p.birth_year,
            diagnosis_date: p.diagnosis_date,
            enrolled_at: p.enrolled_at,
        }
    }
}

/// A new participant and their first enrolment code.
#[derive(Serialize, ToSchema)]
#[schema(as = ParticipantCreated)]
struct Created {
    participant: ParticipantView,
    #[serde(flatten)]
    code: IssuedCode,
}

/// Adds a participant to a site the investigator runs, with a first
/// enrolment code for the family.
#[utoipa::path(
    post,
    path = "/v1/participants",
    operation_id = "create_participant",
    tag = "participants",
    request_body = NewParticipant,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "The participant and a one-time enrolment code", body = Created),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an investigator of the site) or `csrf_failed`", body = error::Body),
        (status = 409, description = "`conflict`: the study id is taken", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn create(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewParticipant>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (participant, code) =
        create_participant(state.store.as_ref(), user.caller(), &state.public_url, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(Created {
            participant: participant.into(),
            code,
        }),
    ))
}

/// A one-time code for a guardian of the participant. The body, if any
/// (the contract sends `{}`), is not read.
#[utoipa::path(
    post,
    path = "/v1/participants/{id}/guardian-invitations",
    tag = "participants",
    params(("id" = Uuid, Path, description = "The participant")),
    request_body(content = Option<super::openapi::EmptyObject>, description = "`{}` or nothing"),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "A one-time enrolment code for a guardian", body = IssuedCode),
        (status = 400, description = "`bad_request`: the id is not a UUID", body = error::Body),
        (status = 403, description = "`forbidden` (not an investigator of the site) or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
    )
)]
async fn invite_guardian(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<IssuedCode>), ApiError> {
    let (_, shown) =
        guardian_invitation(state.store.as_ref(), user.caller(), &state.public_url, id).await?;
    Ok((StatusCode::CREATED, Json(shown)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// 1 to 1000, 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the page before.
    #[param(value_type = Option<Uuid>)]
    cursor: Option<String>,
}

/// A page of participants; `next_cursor` (null on the last page) asks for the next.
#[derive(Serialize, ToSchema)]
struct ParticipantPage {
    items: Vec<ParticipantView>,
    #[schema(required)]
    next_cursor: Option<String>,
}

/// The participants the caller may see: their sites' (investigators), or
/// their children (guardians).
#[utoipa::path(
    get,
    path = "/v1/participants",
    operation_id = "list_participants",
    tag = "participants",
    params(ListQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of participants", body = ParticipantPage),
        (status = 403, description = "`forbidden`: admins and participants have no list", body = error::Body),
        (status = 422, description = "`validation_failed`: bad `limit` or `cursor`", body = error::Body),
    )
)]
async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<ParticipantPage>, ApiError> {
    let (sites, ids) = policy::participant_list_scope(&user.actor()).ok_or(ApiError::Forbidden)?;
    let limit = query.limit.unwrap_or(100);
    let mut fields = BTreeMap::new();
    if !(1..=1000).contains(&limit) {
        fields.insert("limit".to_owned(), "from 1 to 1000".to_owned());
    }
    let after = match query.cursor.as_deref().map(Uuid::parse_str) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            fields.insert(
                "cursor".to_owned(),
                "a cursor from an earlier answer".to_owned(),
            );
            None
        }
        None => None,
    };
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    // One more than asked tells whether there is a next page.
    let mut items = state
        .store
        .participants_page(&sites, &ids, after, limit + 1)
        .await?;
    let next_cursor = (items.len() as i64 > limit).then(|| {
        items.truncate(limit as usize);
        items.last().map(|p| p.id.to_string())
    });
    Ok(Json(ParticipantPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: next_cursor.flatten(),
    }))
}

#[derive(Deserialize, ToSchema)]
struct EnrollRequest {
    /// The one-time code; case, spaces and dashes do not matter.
    #[schema(
        pattern = r"^[ \t\n\r]*([ACDEFGHJKMNPQRTUVWXY34679acdefghjkmnpqrtuvwxy]{4}[- ]?){2}[ACDEFGHJKMNPQRTUVWXY34679acdefghjkmnpqrtuvwxy]{4}[ \t\n\r]*$"
    )]
    code: String,
    /// 3 to 64 letters (of any script), digits, '.', '-' or '_'.
    #[schema(pattern = r"^[ \t\n\r]*[\w.-]{3,64}[ \t\n\r]*$")]
    username: String,
    /// 8 to 256 characters, not among the most common passwords.
    #[schema(min_length = 8, max_length = 256)]
    password: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")]
    display_name: String,
}

/// Uses an enrolment code: creates the participant's or guardian's account
/// and signs it in.
#[utoipa::path(
    post,
    path = "/v1/enroll",
    tag = "participants",
    request_body = EnrollRequest,
    responses(
        (status = 201, description = "Enrolled and signed in", body = TokenResponse),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 409, description = "`conflict`: the username is taken", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`, also for an unknown, used or expired code", body = error::Body),
        (status = 429, description = "`too_many_requests`: too many wrong codes from this address", body = error::Body,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn enroll(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    ApiJson(body): ApiJson<EnrollRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    let form = auth::EnrollForm {
        code: body.code,
        username: body.username,
        password: SecretString::from(body.password),
        display_name: body.display_name,
    };
    let grant = auth::enroll(&state.auth, state.store.as_ref(), form, &context).await?;
    Ok((StatusCode::CREATED, Json(grant.into())))
}
