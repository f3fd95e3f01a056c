//! Participants and their enrolment: `POST/GET /api/v1/participants`,
//! guardian invitations, and `POST /api/v1/enroll` for whoever holds a code.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    routing::post,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    auth::{AuthUser, RequestContext, TokenResponse},
    error::{ApiError, ApiJson},
};
use crate::{
    auth, enrollment, policy,
    state::AppState,
    store::{CodeKind, NewEnrollmentCode, Participant},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/participants", post(create).get(list))
        .route(
            "/v1/participants/{id}/guardian-invitations",
            post(invite_guardian),
        )
        .route("/v1/enroll", post(enroll))
}

/// `participant` in the contract.
#[derive(Serialize)]
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

#[derive(Deserialize)]
pub(crate) struct NewParticipant {
    pub site_id: Uuid,
    pub study_id: String,
    pub birth_year: i32,
    pub diagnosis_date: NaiveDate,
    pub weight_kg: Option<f64>,
}

fn validate(body: &NewParticipant, today: NaiveDate) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let study_id = body.study_id.trim();
    if study_id.is_empty()
        || study_id.len() > 32
        || !study_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        fields.insert(
            "study_id".into(),
            "1 to 32 letters, digits, '-' or '_', such as QD-001".into(),
        );
    }
    if !(1900..=today.year()).contains(&body.birth_year) {
        fields.insert(
            "birth_year".into(),
            format!("a year from 1900 to {}", today.year()),
        );
    }
    if body.diagnosis_date > today || body.diagnosis_date.year() < body.birth_year {
        fields.insert(
            "diagnosis_date".into(),
            "a date between birth and today".into(),
        );
    }
    if body.weight_kg.is_some_and(|w| !(1.0..=300.0).contains(&w)) {
        fields.insert("weight_kg".into(), "a weight from 1 to 300 kg".into());
    }
    fields
}

/// What the investigator is shown of a new code, to hand to the family.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IssuedCode {
    pub enrollment_code: String,
    pub enrollment_link: String,
    pub enrollment_qr_svg: Option<String>,
    pub enrollment_expires_at: DateTime<Utc>,
}

/// A fresh code for `participant`: what is stored, and what is shown.
fn issue_code(
    state: &AppState,
    kind: CodeKind,
    participant: Uuid,
    created_by: Uuid,
) -> (NewEnrollmentCode, IssuedCode) {
    let code = enrollment::new_code();
    let expires_at = Utc::now() + Duration::days(enrollment::LIFETIME_DAYS);
    let link = enrollment::link(&state.public_url, &code);
    let stored = NewEnrollmentCode {
        code_hash: enrollment::hash(&code),
        kind,
        participant_id: participant,
        created_by,
        expires_at_ms: expires_at.timestamp_millis(),
    };
    let shown = IssuedCode {
        enrollment_qr_svg: enrollment::qr_svg(&link),
        enrollment_code: code,
        enrollment_link: link,
        enrollment_expires_at: expires_at,
    };
    (stored, shown)
}

#[derive(Serialize)]
struct Created {
    participant: ParticipantView,
    #[serde(flatten)]
    code: IssuedCode,
}

async fn create(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewParticipant>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (participant, code) = create_participant(&state, &user, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!(Created {
            participant: participant.into(),
            code,
        })),
    ))
}

/// Creates a participant with a first enrolment code (for the API and the
/// web app alike): the participant and what the investigator is shown.
pub(crate) async fn create_participant(
    state: &AppState,
    user: &AuthUser,
    body: NewParticipant,
) -> Result<(Participant, IssuedCode), ApiError> {
    if !policy::may_manage_site(&user.actor(), body.site_id) {
        return Err(ApiError::Forbidden);
    }
    let fields = validate(&body, Utc::now().date_naive());
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    let participant = Participant {
        id: Uuid::now_v7(),
        site_id: body.site_id,
        study_id: body.study_id.trim().to_owned(),
        birth_year: body.birth_year,
        diagnosis_date: body.diagnosis_date,
        weight_kg: body.weight_kg,
        user_id: None,
        enrolled_at: Utc::now(),
    };
    let (code, shown) = issue_code(state, CodeKind::Participant, participant.id, user.user.id);
    state
        .store
        .create_participant(&participant, &code, &user.context)
        .await?;
    Ok((participant, shown))
}

async fn invite_guardian(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (_, shown) = guardian_invitation(&state, &user, id).await?;
    Ok((StatusCode::CREATED, Json(json!(shown))))
}

/// A guardian invitation for participant `id` (for the API and the web app).
pub(crate) async fn guardian_invitation(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
) -> Result<(Participant, IssuedCode), ApiError> {
    let participant = match state.store.participant(id).await? {
        Some(p) if policy::may_view_participant(&user.actor(), &p) => p,
        _ => return Err(ApiError::NotFound),
    };
    if !policy::may_manage_site(&user.actor(), participant.site_id) {
        return Err(ApiError::Forbidden);
    }
    let (code, shown) = issue_code(state, CodeKind::Guardian, participant.id, user.user.id);
    state
        .store
        .add_enrollment_code(&code, &user.context)
        .await?;
    Ok((participant, shown))
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
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
    let items: Vec<ParticipantView> = items.into_iter().map(Into::into).collect();
    Ok(Json(
        json!({"items": items, "next_cursor": next_cursor.flatten()}),
    ))
}

#[derive(Deserialize)]
struct EnrollRequest {
    code: String,
    username: String,
    password: String,
    display_name: String,
}

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
