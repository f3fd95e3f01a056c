//! Participants: added to a site by its investigators with a first
//! enrolment code for the family, and guardian invitations.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Caller, Fields, visible_participant};
use crate::{
    enrollment, policy,
    store::{CodeKind, NewEnrollmentCode, Participant, Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum ParticipantError {
    /// Unknown, or not visible to the caller.
    #[error("no such participant")]
    NotFound,
    /// Participants are added and invited by the investigators of the site.
    #[error("not an investigator of the site")]
    Forbidden,
    /// Another participant has the study id.
    #[error("{0}")]
    StudyIdTaken(String),
    #[error("the participant is not valid")]
    Invalid(Fields),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Deserialize, ToSchema)]
pub struct NewParticipant {
    pub site_id: Uuid,
    /// 1 to 32 letters, digits, '-' or '_', such as `QD-001`.
    #[schema(pattern = r"^[ \t\n\r]*[A-Za-z0-9_-]{1,32}[ \t\n\r]*$")]
    pub study_id: String,
    /// From 1900 to this year.
    #[schema(minimum = 1900, maximum = 2100)]
    pub birth_year: i32,
    /// Between the birth year and today.
    pub diagnosis_date: NaiveDate,
    #[schema(minimum = 1.0, maximum = 300.0)]
    pub weight_kg: Option<f64>,
}

fn validate(body: &NewParticipant, today: NaiveDate) -> Fields {
    let mut fields = Fields::new();
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
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedCode {
    /// The one-time code, grouped for reading out (`K7QX-M3TR-HAWC`).
    pub enrollment_code: String,
    /// `/enroll?code=...` on the server's public address.
    pub enrollment_link: String,
    /// The link as a QR code (SVG).
    pub enrollment_qr_svg: Option<String>,
    pub enrollment_expires_at: DateTime<Utc>,
}

/// A fresh code for `participant`: what is stored, and what is shown.
fn issue_code(
    public_url: &str,
    kind: CodeKind,
    participant: Uuid,
    created_by: Uuid,
) -> (NewEnrollmentCode, IssuedCode) {
    let code = enrollment::new_code();
    let expires_at = Utc::now() + Duration::days(enrollment::LIFETIME_DAYS);
    let link = enrollment::link(public_url, &code);
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

/// Creates a participant with a first enrolment code (for the API and the
/// web app alike): the participant and what the investigator is shown.
pub async fn create_participant(
    store: &dyn Store,
    caller: Caller<'_>,
    public_url: &str,
    body: NewParticipant,
) -> Result<(Participant, IssuedCode), ParticipantError> {
    if !policy::may_manage_site(&caller.actor(), body.site_id) {
        return Err(ParticipantError::Forbidden);
    }
    // "Today" is the site's day: in Qingdao it starts eight hours before UTC's.
    let today = match store.site(body.site_id).await? {
        Some(site) => app::domain::time::local_day(Utc::now().fixed_offset(), &site.timezone),
        None => Utc::now().date_naive(),
    };
    let fields = validate(&body, today);
    if !fields.is_empty() {
        return Err(ParticipantError::Invalid(fields));
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
    let (code, shown) = issue_code(
        public_url,
        CodeKind::Participant,
        participant.id,
        caller.user.id,
    );
    match store
        .create_participant(&participant, &code, caller.context)
        .await
    {
        Err(StoreError::Duplicate(what)) => {
            return Err(ParticipantError::StudyIdTaken(format!(
                "{what} already exists."
            )));
        }
        other => other?,
    }
    Ok((participant, shown))
}

/// A guardian invitation for participant `id` (for the API and the web app).
pub async fn guardian_invitation(
    store: &dyn Store,
    caller: Caller<'_>,
    public_url: &str,
    id: Uuid,
) -> Result<(Participant, IssuedCode), ParticipantError> {
    let participant = visible_participant(store, caller, id)
        .await?
        .ok_or(ParticipantError::NotFound)?;
    if !policy::may_manage_site(&caller.actor(), participant.site_id) {
        return Err(ParticipantError::Forbidden);
    }
    let (code, shown) = issue_code(
        public_url,
        CodeKind::Guardian,
        participant.id,
        caller.user.id,
    );
    store.add_enrollment_code(&code, caller.context).await?;
    Ok((participant, shown))
}
