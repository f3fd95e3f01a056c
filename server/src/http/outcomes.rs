//! `GET /api/v1/participants/{id}/summary`: a participant's outcome figures
//! over a window of the site's calendar days (`app::domain::outcomes`).

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{Path, Query, State},
};
use chrono::{Duration, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    entries::visible_participant,
    error::{self, ApiError},
    labs::current,
};
use crate::{
    policy,
    state::AppState,
    store::{EntryQuery, EntryStatus, Participant},
};
use app::domain::{
    entry::EntryData,
    labs::LabKind,
    outcomes::{self, Figures, Labs, Window},
    study_outcomes::{self, VisitOutcome},
    time::{day_start, local_day},
};

/// The longest window asked for at once.
const MAX_DAYS: i64 = 366;
/// Entries read a page at a time.
const PAGE: i64 = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(study_outcomes))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct WindowQuery {
    /// First day (site calendar), inclusive, on or before `to` and at most
    /// a year before it; default 13 days before `to`.
    #[param(value_type = Option<String>, format = Date)]
    pub(super) from: Option<String>,
    /// Last day, inclusive; default today at the site.
    #[param(value_type = Option<String>, format = Date)]
    pub(super) to: Option<String>,
}

pub(super) fn window_of(query: &WindowQuery, today: NaiveDate) -> Result<Window, ApiError> {
    let mut fields = BTreeMap::new();
    let mut day = |name: &str, text: &Option<String>| match text.as_deref() {
        None | Some("") => None,
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| fields.insert(name.to_owned(), "a date, such as 2026-11-14".to_owned()))
            .ok(),
    };
    let to = day("to", &query.to);
    let from = day("from", &query.from);
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(13));
    let window = Window { from, to };
    if from > to {
        fields.insert("from".into(), "on or before `to`".into());
    } else if window.days() > MAX_DAYS {
        fields.insert(
            "from".into(),
            format!("at most {MAX_DAYS} days before `to`"),
        );
    }
    if fields.is_empty() {
        Ok(window)
    } else {
        Err(ApiError::Unprocessable { fields })
    }
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
    let participant = visible_participant(&state, &user, id).await?;
    if !policy::may_manage_site(&user.actor(), participant.site_id) {
        return Err(ApiError::Forbidden);
    }
    let timezone = state
        .store
        .site(participant.site_id)
        .await?
        .map(|s| s.timezone)
        .unwrap_or_else(|| "UTC".into());
    let today = local_day(Utc::now().fixed_offset(), &timezone);
    let window = window_of(&query, today)?;
    let entries = entries_in(&state, &participant, window, &timezone).await?;
    let labs = labs_of(&state, participant.id).await?;
    Ok(Json(outcomes::figures(window, &entries, &labs, &|at| {
        local_day(at, &timezone)
    })))
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
        visits: per_visit(&state, &user).await?,
    }))
}

/// The summaries behind `GET /study/outcomes` (and the study page).
pub(super) async fn per_visit(
    state: &AppState,
    user: &AuthUser,
) -> Result<Vec<VisitOutcome>, ApiError> {
    let (_, participants, sites) = super::roster::caseload(state, user).await?;
    let schedule = state.store.visit_schedule().await?;
    let zones: std::collections::HashMap<Uuid, String> =
        sites.into_iter().map(|(id, s)| (id, s.timezone)).collect();
    let now = Utc::now().fixed_offset();
    // Each participant's figures for every visit whose window has opened.
    let per_participant: Vec<Vec<(usize, Figures)>> = stream::iter(participants)
        .map(|p| {
            let timezone = zones
                .get(&p.site_id)
                .cloned()
                .unwrap_or_else(|| "UTC".into());
            let schedule = &schedule;
            async move {
                let today = local_day(now, &timezone);
                let enrolled = local_day(p.enrolled_at.fixed_offset(), &timezone);
                let labs = labs_of(state, p.id).await?;
                let mut out = Vec::new();
                for (i, visit) in schedule.iter().enumerate() {
                    let Some(window) = study_outcomes::visit_window(visit, enrolled, today) else {
                        continue;
                    };
                    let entries = entries_in(state, &p, window, &timezone).await?;
                    out.push((
                        i,
                        outcomes::figures(window, &entries, &labs, &|at| local_day(at, &timezone)),
                    ));
                }
                Ok::<_, ApiError>(out)
            }
        })
        .buffer_unordered(4)
        .try_collect()
        .await?;
    let mut by_visit: Vec<Vec<Figures>> = vec![Vec::new(); schedule.len()];
    for (i, figures) in per_participant.into_iter().flatten() {
        by_visit[i].push(figures);
    }
    Ok(schedule
        .iter()
        .zip(by_visit)
        .map(|(visit, figures)| study_outcomes::summarise(visit, &figures))
        .collect())
}

/// The current, not voided entries whose events fall in the window.
pub(super) async fn entries_in(
    state: &AppState,
    participant: &Participant,
    window: Window,
    timezone: &str,
) -> Result<Vec<EntryData>, ApiError> {
    entries_of_kind(state, participant, window, timezone, None).await
}

/// The same, of one kind only when `kind` is given.
pub(super) async fn entries_of_kind(
    state: &AppState,
    participant: &Participant,
    window: Window,
    timezone: &str,
    kind: Option<app::domain::entry::Kind>,
) -> Result<Vec<EntryData>, ApiError> {
    let mut query = EntryQuery {
        kind,
        from_us: Some(day_start(window.from, timezone).timestamp_micros()),
        to_us: Some(day_start(window.to + Duration::days(1), timezone).timestamp_micros()),
        limit: PAGE,
        ..EntryQuery::default()
    };
    let mut entries = Vec::new();
    loop {
        let page = state.store.entries_page(participant.id, &query).await?;
        let full = page.len() as i64 == PAGE;
        query.before = page.last().map(|v| (v.event_at_us, v.entry_id));
        for v in page {
            if v.status == EntryStatus::Voided {
                continue;
            }
            entries.push(v.decoded().map_err(ApiError::Internal)?.0);
        }
        if !full {
            return Ok(entries);
        }
    }
}

/// Weights and HbA1c values of the participant's current labs.
pub(super) async fn labs_of(state: &AppState, participant: Uuid) -> Result<Labs, ApiError> {
    Ok(labs_from(state.store.lab_versions(participant).await?))
}

/// Weights and HbA1c values of the current, not removed versions of labs.
pub(super) fn labs_from(versions: Vec<crate::store::LabVersion>) -> Labs {
    let mut labs = Labs::default();
    for lab in current(versions) {
        if lab.status == EntryStatus::Voided {
            continue;
        }
        match lab.input.kind {
            LabKind::Weight => labs.weights.push((lab.taken_on, lab.input.value)),
            LabKind::Hba1c => labs
                .hba1c_percent
                .extend(lab.input.hba1c_percent().map(|p| (lab.taken_on, p))),
            _ => {}
        }
    }
    labs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: Option<&str>, to: Option<&str>) -> WindowQuery {
        WindowQuery {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    #[test]
    fn windows() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let w = window_of(&q(None, None), today).unwrap();
        assert_eq!(
            (w.from.to_string(), w.to.to_string(), w.days()),
            ("2026-11-12".into(), "2026-11-25".into(), 14)
        );
        let w = window_of(&q(Some("2026-11-01"), Some("2026-11-14")), today).unwrap();
        assert_eq!(w.days(), 14);
        for (from, to, field) in [
            (Some("2026-11-15"), Some("2026-11-14"), "from"),
            (Some("14/11/2026"), None, "from"),
            (None, Some("tomorrow"), "to"),
            (Some("2024-01-01"), Some("2026-11-14"), "from"),
        ] {
            match window_of(&q(from, to), today) {
                Err(ApiError::Unprocessable { fields }) => {
                    assert!(fields.contains_key(field), "{fields:?}")
                }
                other => panic!("{from:?} {to:?}: {:?}", other.map(|w| w.days())),
            }
        }
    }
}
