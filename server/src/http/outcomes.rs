//! `GET /api/v1/participants/{id}/summary`: a participant's outcome figures
//! over a window of the site's calendar days (`app::domain::outcomes`).

use axum::{
    Json,
    extract::{Path, Query, State},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError},
};
use crate::{service::outcomes, state::AppState};
use app::domain::{outcomes::Figures, study_outcomes::VisitOutcome};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(study_outcomes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WindowQuery {
    /// First day (site calendar), inclusive, on or before `to` and at most
    /// a year before it; default 13 days before `to`.
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Last day, inclusive; default today at the site.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
}

/// The participant's figures over the window: insulin, glucose,
/// hypoglycemia, HbA1c and IDAA1C, completeness (nulls where data is
/// missing).
#[utoipa::path(
    get,
    path = "/v1/participants/{id}/summary",
    operation_id = "participant_summary",
    tag = "outcomes",
    params(("id" = Uuid, Path, description = "The participant"), WindowQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The outcome figures", body = Object),
        (status = 403, description = "`forbidden`: not an investigator of the site", body = error::Body),
        (status = 404, description = "`not_found`: unknown, or not visible to the caller", body = error::Body),
        (status = 422, description = "`validation_failed`: a date or the window", body = error::Body),
    )
)]
async fn summary(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(query): Query<WindowQuery>,
) -> Result<Json<Figures>, ApiError> {
    Ok(Json(
        outcomes::participant_figures(
            state.store.as_ref(),
            user.caller(),
            id,
            query.from.as_deref(),
            query.to.as_deref(),
        )
        .await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct StudyOutcomes {
    /// One summary per visit of the schedule, in its order.
    visits: Vec<VisitOutcome>,
}

/// The study's outcome figures per visit window: each participant of the
/// caller's sites over their own window of each visit (cut at today), then
/// n, mean and SD across participants, and counts added up.
#[utoipa::path(
    get,
    path = "/v1/study/outcomes",
    operation_id = "study_outcomes",
    tag = "outcomes",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The figures of each visit window", body = StudyOutcomes),
        (status = 403, description = "`forbidden`: investigators only", body = error::Body),
    )
)]
async fn study_outcomes(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<StudyOutcomes>, ApiError> {
    Ok(Json(StudyOutcomes {
        visits: outcomes::per_visit(state.store.as_ref(), user.caller()).await?,
    }))
}
