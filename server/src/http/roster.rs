//! `GET /api/v1/roster` (an extension): the investigator's participants with
//! what needs a look, one row each (`app::domain::roster`). The web app's
//! roster page is built from the same rows.

use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::AuthUser,
    error::{self, ApiError},
};
use crate::{service::roster, state::AppState};
use app::domain::roster::RosterRow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(roster_route))
}

#[derive(Serialize, ToSchema)]
struct Roster {
    items: Vec<RosterRow>,
}

/// The caller's participants, each with age group, days since enrolment,
/// last entry, diary completeness over 7 and 14 days, open alerts and the
/// latest HbA1c with its IDAA1C; `stands_out` after 3 days without entries.
#[utoipa::path(
    get,
    path = "/v1/roster",
    operation_id = "roster",
    tag = "outcomes",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "One row per participant of the caller's sites, by study id", body = Roster),
        (status = 403, description = "`forbidden`: investigators only", body = error::Body),
    )
)]
async fn roster_route(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<Roster>, ApiError> {
    Ok(Json(Roster {
        items: roster::rows(state.store.as_ref(), user.caller()).await?,
    }))
}
