//! Study-wide settings: the emergency advice phones show after a severe or
//! potentially serious event (everyone reads it; admins change it), the
//! alert thresholds and the visit schedule (staff read them; admins change
//! them).

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{
    policy,
    state::AppState,
    store::{Study, StudyDetails},
};
use app::domain::{
    alerts::AlertSettings,
    language::Language,
    visits::{self, Visit},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_advice, put_advice))
        .routes(routes!(get_alert_settings, put_alert_settings))
        .routes(routes!(get_visits, put_visits))
        .routes(routes!(get_study, put_study))
        .routes(routes!(get_outcome_settings, put_outcome_settings))
}

/// How outcome figures are worked out where clinical.md leaves a choice.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OutcomeSettings {
    /// Days of insulin up to an HbA1c draw that its IDAA1C averages on the
    /// roster (1 to 28; clinical.md: commonly 3 to 7).
    #[schema(minimum = 1, maximum = 28)]
    idaa1c_dose_days: i64,
}

/// The outcome settings (staff).
#[utoipa::path(
    get,
    path = "/v1/study/outcome-settings",
    operation_id = "get_outcome_settings",
    tag = "study",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The settings", body = OutcomeSettings),
        (status = 403, description = "`forbidden`: participants and guardians", body = error::Body),
    )
)]
async fn get_outcome_settings(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<OutcomeSettings>, ApiError> {
    if !policy::may_read_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(OutcomeSettings {
        idaa1c_dose_days: state.store.idaa1c_dose_days().await?,
    }))
}

/// Changes the outcome settings (admins; audited).
#[utoipa::path(
    put,
    path = "/v1/study/outcome-settings",
    operation_id = "put_outcome_settings",
    tag = "study",
    request_body = OutcomeSettings,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The settings", body = OutcomeSettings),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn put_outcome_settings(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OutcomeSettings>,
) -> Result<Json<OutcomeSettings>, ApiError> {
    if !policy::may_change_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    if !(1..=28).contains(&body.idaa1c_dose_days) {
        return Err(ApiError::Unprocessable {
            fields: [("idaa1c_dose_days".to_owned(), "from 1 to 28".to_owned())].into(),
        });
    }
    state
        .store
        .set_idaa1c_dose_days(body.idaa1c_dose_days, &user.context)
        .await?;
    Ok(Json(body))
}

/// The study as anyone signed in reads it.
#[derive(Serialize, Deserialize, ToSchema)]
struct StudyView {
    /// Empty on a new server until an admin names the study.
    name: String,
    /// What pages speak when neither the person nor their browser says.
    default_language: Language,
}

/// The study's settings as an admin sets them.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StudyChange {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    name: String,
    /// Kept as it is when left out (`en` for a new study).
    default_language: Option<Language>,
}

impl From<Option<Study>> for StudyView {
    fn from(study: Option<Study>) -> Self {
        match study {
            Some(study) => StudyView {
                name: study.name,
                default_language: study.default_language,
            },
            None => StudyView {
                name: String::new(),
                default_language: Language::default(),
            },
        }
    }
}

/// The study's name and default language (anyone signed in).
#[utoipa::path(
    get,
    path = "/v1/study",
    operation_id = "get_study",
    tag = "study",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The study", body = StudyView),
    )
)]
async fn get_study(
    _user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<StudyView>, ApiError> {
    Ok(Json(state.store.study().await?.into()))
}

/// Names the study and sets its default language (admins). On a new server
/// the first call creates the study (`study.create` on the audit trail);
/// later ones are audited `study.update` with both versions.
#[utoipa::path(
    put,
    path = "/v1/study",
    operation_id = "put_study",
    tag = "study",
    request_body = StudyChange,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The study as it now stands", body = StudyView),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn put_study(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<StudyChange>,
) -> Result<Json<StudyView>, ApiError> {
    if !policy::may_change_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::Unprocessable {
            fields: [("name".to_owned(), "1 to 200 characters".to_owned())].into(),
        });
    }
    let default_language = match body.default_language {
        Some(language) => language,
        None => state
            .store
            .study()
            .await?
            .map(|s| s.default_language)
            .unwrap_or_default(),
    };
    let details = StudyDetails {
        name: name.into(),
        default_language,
    };
    let study = state.store.save_study(&details, &user.context).await?;
    Ok(Json(Some(study).into()))
}

/// The visit schedule (`{"visits": [...]}`).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct VisitSchedule {
    /// In order of `day`; labs name one of these codes, or "unscheduled".
    #[schema(min_items = 1, max_items = 50)]
    visits: Vec<Visit>,
}

/// The visit schedule (staff).
#[utoipa::path(
    get,
    path = "/v1/study/visits",
    operation_id = "get_visits",
    tag = "study",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The schedule", body = VisitSchedule),
        (status = 403, description = "`forbidden`: participants and guardians", body = error::Body),
    )
)]
async fn get_visits(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<VisitSchedule>, ApiError> {
    if !policy::may_read_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(VisitSchedule {
        visits: state.store.visit_schedule().await?,
    }))
}

/// Replaces the visit schedule (admins). Labs already entered keep the
/// visit they name.
#[utoipa::path(
    put,
    path = "/v1/study/visits",
    operation_id = "put_visits",
    tag = "study",
    request_body = VisitSchedule,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The schedule", body = VisitSchedule),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`, with the fields at fault", body = error::Body),
    )
)]
async fn put_visits(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<VisitSchedule>,
) -> Result<Json<VisitSchedule>, ApiError> {
    if !policy::may_change_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    visits::check(&body.visits).map_err(|fields| ApiError::Unprocessable { fields })?;
    state
        .store
        .set_visit_schedule(&body.visits, &user.context)
        .await?;
    Ok(Json(body))
}

/// The study's alert thresholds, in whole units.
#[derive(Serialize, Deserialize, ToSchema)]
struct AlertThresholds {
    /// A second level-2 reading this close makes `repeated_level2` (1 to 168).
    #[schema(minimum = 1, maximum = 168)]
    repeat_window_hours: i64,
    /// The reporting clock of a potentially serious event (1 to 72).
    #[schema(minimum = 1, maximum = 72)]
    report_within_hours: i64,
    /// An unacknowledged critical alert goes to the next contact list (1 to 1440).
    #[schema(minimum = 1, maximum = 1440)]
    escalate_after_minutes: i64,
    /// Whole days without an entry that raise `missed_diary` (1 to 30).
    #[schema(minimum = 1, maximum = 30)]
    missed_days: i64,
}

impl From<AlertSettings> for AlertThresholds {
    fn from(s: AlertSettings) -> Self {
        Self {
            repeat_window_hours: s.repeat_window.num_hours(),
            report_within_hours: s.report_within.num_hours(),
            escalate_after_minutes: s.escalate_after.num_minutes(),
            missed_days: s.missed_days.into(),
        }
    }
}

/// The alert thresholds (staff).
#[utoipa::path(
    get,
    path = "/v1/study/alert-settings",
    operation_id = "get_alert_settings",
    tag = "study",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The thresholds", body = AlertThresholds),
        (status = 403, description = "`forbidden`: participants and guardians", body = error::Body),
    )
)]
async fn get_alert_settings(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<AlertThresholds>, ApiError> {
    if !policy::may_read_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(state.store.alert_settings().await?.into()))
}

/// Changes the alert thresholds (admins); this server uses them at once,
/// other instances within a minute.
#[utoipa::path(
    put,
    path = "/v1/study/alert-settings",
    operation_id = "put_alert_settings",
    tag = "study",
    request_body = AlertThresholds,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The thresholds", body = AlertThresholds),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn put_alert_settings(
    user: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AlertThresholds>,
) -> Result<Json<AlertThresholds>, ApiError> {
    if !policy::may_change_study_settings(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    let mut fields = std::collections::BTreeMap::new();
    for (name, value, range) in [
        ("repeat_window_hours", body.repeat_window_hours, 1..=168),
        ("report_within_hours", body.report_within_hours, 1..=72),
        (
            "escalate_after_minutes",
            body.escalate_after_minutes,
            1..=1440,
        ),
        ("missed_days", body.missed_days, 1..=30),
    ] {
        if !range.contains(&value) {
            fields.insert(
                name.to_owned(),
                format!("from {} to {}", range.start(), range.end()),
            );
        }
    }
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    let settings = AlertSettings {
        repeat_window: chrono::Duration::hours(body.repeat_window_hours),
        report_within: chrono::Duration::hours(body.report_within_hours),
        escalate_after: chrono::Duration::minutes(body.escalate_after_minutes),
        missed_days: u32::try_from(body.missed_days).unwrap_or(3),
    };
    state
        .store
        .set_alert_settings(&settings, &user.context)
        .await?;
    state.alerts.set_settings(settings);
    Ok(Json(settings.into()))
}

#[derive(Serialize, Deserialize, ToSchema)]
struct Advice {
    /// English, 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"[^\s\u0085]")]
    en: String,
    /// Simplified Chinese, 1 to 2000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"[^\s\u0085]")]
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
    if !policy::may_change_study_settings(&user.actor()) {
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
