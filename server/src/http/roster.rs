//! `GET /api/v1/roster` (an extension): the investigator's participants with
//! what needs a look, one row each (`app::domain::roster`). The web app's
//! roster page is built from the same rows.

use std::collections::{BTreeSet, HashMap};

use axum::{Json, extract::State};
use chrono::{Duration, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError},
    outcomes::{entries_of_kind, labs_from},
};
use crate::{
    policy,
    state::AppState,
    store::{Participant, Site},
};
use app::domain::{
    entry::Kind,
    outcomes::{self, Labs, Window},
    roster::{self, LatestHba1c, RosterIdaa1c, RosterRow},
    time::local_day,
};

/// Participants worked on at once: the store's pool is shared with the
/// phones' syncs.
const CONCURRENCY: usize = 4;

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
        items: rows(&state, &user).await?,
    }))
}

/// The roster of the caller's sites, by study id.
pub(crate) async fn rows(state: &AppState, user: &AuthUser) -> Result<Vec<RosterRow>, ApiError> {
    let (sites, participants, site_of) = caseload(state, user).await?;
    let store = &state.store;
    let last_entry: HashMap<Uuid, chrono::DateTime<Utc>> = store
        .diary_activity()
        .await?
        .into_iter()
        .filter_map(|a| Some((a.participant_id, a.last_entry_at?)))
        .collect();
    let open_alerts: HashMap<Uuid, usize> = store
        .open_alert_counts(&sites)
        .await?
        .into_iter()
        .map(|(participant, n)| (participant, usize::try_from(n).unwrap_or(0)))
        .collect();
    // Entry days and labs of everyone in two reads. The span holds the last
    // 14 days of every time zone; each participant's own days are cut again
    // by `completeness`.
    let now = Utc::now().fixed_offset();
    let zones: HashMap<Uuid, String> = participants
        .iter()
        .map(|p| {
            let zone = site_of
                .get(&p.site_id)
                .map_or("UTC", |s| s.timezone.as_str());
            (p.id, zone.to_owned())
        })
        .collect();
    let mut entry_days: HashMap<Uuid, BTreeSet<NaiveDate>> = HashMap::new();
    let from_us = (now - Duration::days(16)).timestamp_micros();
    let to_us = (now + Duration::days(2)).timestamp_micros();
    for (participant, at_us) in store.entry_times_of_sites(&sites, from_us, to_us).await? {
        let (Some(at), Some(zone)) = (
            chrono::DateTime::from_timestamp_micros(at_us),
            zones.get(&participant),
        ) else {
            continue;
        };
        entry_days
            .entry(participant)
            .or_default()
            .insert(local_day(at.fixed_offset(), zone));
    }
    let mut lab_versions: HashMap<Uuid, Vec<crate::store::LabVersion>> = HashMap::new();
    for version in store.lab_versions_of_sites(&sites).await? {
        lab_versions
            .entry(version.participant_id)
            .or_default()
            .push(version);
    }
    let dose_days = store.idaa1c_dose_days().await?;
    let mut rows: Vec<RosterRow> = stream::iter(participants)
        .map(|p| {
            let timezone = zones.get(&p.id).cloned().unwrap_or_else(|| "UTC".into());
            let site_code = site_of
                .get(&p.site_id)
                .map(|s| s.code.clone())
                .unwrap_or_default();
            let today = local_day(now, &timezone);
            let last_entry_on = last_entry
                .get(&p.id)
                .map(|at| local_day(at.fixed_offset(), &timezone));
            let seen = Seen {
                last_entry_on,
                entry_days: entry_days.remove(&p.id).unwrap_or_default(),
                labs: labs_from(lab_versions.remove(&p.id).unwrap_or_default()),
                open_alerts: open_alerts.get(&p.id).copied().unwrap_or(0),
            };
            async move { row(state, p, site_code, &timezone, today, seen, dose_days).await }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    rows.sort_by(|a, b| a.study_id.cmp(&b.study_id));
    Ok(rows)
}

/// The caller's sites, every participant of them and each site by id:
/// what the roster and the study's figures are made from.
pub(crate) async fn caseload(
    state: &AppState,
    user: &AuthUser,
) -> Result<(Vec<Uuid>, Vec<Participant>, HashMap<Uuid, Site>), ApiError> {
    let sites = policy::roster_sites(&user.actor()).ok_or(ApiError::Forbidden)?;
    let store = &state.store;
    let mut participants = Vec::new();
    let mut after = None;
    loop {
        let page = store.participants_page(&sites, &[], after, 1000).await?;
        after = page.last().map(|p| p.id);
        let done = page.len() < 1000;
        participants.extend(page);
        if done {
            break;
        }
    }
    let mut site_of = HashMap::new();
    for id in &sites {
        if let Some(site) = store.site(*id).await? {
            site_of.insert(*id, site);
        }
    }
    Ok((sites, participants, site_of))
}

/// What the roster read of a participant in bulk.
struct Seen {
    last_entry_on: Option<NaiveDate>,
    entry_days: BTreeSet<NaiveDate>,
    labs: Labs,
    open_alerts: usize,
}

async fn row(
    state: &AppState,
    p: Participant,
    site_code: String,
    timezone: &str,
    today: NaiveDate,
    seen: Seen,
    dose_days: i64,
) -> Result<RosterRow, ApiError> {
    let Seen {
        last_entry_on,
        entry_days,
        labs,
        open_alerts,
    } = seen;
    let enrolled_on = local_day(p.enrolled_at.fixed_offset(), timezone);
    let hba1c = labs
        .hba1c_percent
        .iter()
        .max_by_key(|(on, _)| *on)
        .map(|(on, percent)| LatestHba1c {
            value_percent: (percent * 100.0).round() / 100.0,
            taken_on: *on,
        });
    // IDAA1C of the latest HbA1c: the insulin of the days up to its draw.
    let idaa1c = match &hba1c {
        Some(h) => {
            let window = Window {
                from: h.taken_on - Duration::days(dose_days - 1),
                to: h.taken_on,
            };
            let entries = entries_of_kind(state, &p, window, timezone, Some(Kind::Insulin)).await?;
            let figures = outcomes::figures(window, &entries, &labs, &|at| local_day(at, timezone));
            figures.idaa1c.map(|i| RosterIdaa1c {
                value: i.value,
                partial_remission: i.partial_remission,
                dose_days: figures.insulin.days_with_data,
            })
        }
        None => None,
    };
    Ok(RosterRow {
        participant_id: p.id,
        study_id: p.study_id,
        site_code,
        age_group: roster::age_group(p.birth_year, today),
        enrolled_on,
        days_since_enrolment: (today - enrolled_on).num_days().max(0),
        last_entry_on,
        days_since_last_entry: roster::days_silent(last_entry_on, today),
        completeness_7d: roster::completeness(&entry_days, enrolled_on, today, 7),
        completeness_14d: roster::completeness(&entry_days, enrolled_on, today, 14),
        open_alerts,
        hba1c,
        idaa1c,
        stands_out: roster::stands_out(last_entry_on, enrolled_on, today),
    })
}
