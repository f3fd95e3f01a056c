//! The roster: the investigator's participants with what needs a look, one
//! row each (`app::domain::roster`), and the caseload it and the study's
//! figures are made from.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt, stream};
use uuid::Uuid;

use super::{
    Caller, ReadError,
    outcomes::{entries_of_kind, labs_from},
};
use crate::{
    policy,
    store::{LabVersion, Participant, Site, Store, StoreError},
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

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// The roster is the investigators'.
    #[error("investigators only")]
    Forbidden,
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl From<StoreError> for RosterError {
    fn from(e: StoreError) -> Self {
        Self::Read(e.into())
    }
}

/// The caller's sites and every participant of them.
pub struct Caseload {
    pub site_ids: Vec<Uuid>,
    pub participants: Vec<Participant>,
    /// Each site by id.
    pub sites: HashMap<Uuid, Site>,
}

/// The roster of the caller's sites, by study id.
pub async fn rows(store: &dyn Store, caller: Caller<'_>) -> Result<Vec<RosterRow>, RosterError> {
    let Caseload {
        site_ids,
        participants,
        sites,
    } = caseload(store, caller).await?;
    let last_entry: HashMap<Uuid, chrono::DateTime<Utc>> = store
        .diary_activity()
        .await?
        .into_iter()
        .filter_map(|a| Some((a.participant_id, a.last_entry_at?)))
        .collect();
    let open_alerts: HashMap<Uuid, usize> = store
        .open_alert_counts(&site_ids)
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
            let zone = sites.get(&p.site_id).map_or("UTC", |s| s.timezone.as_str());
            (p.id, zone.to_owned())
        })
        .collect();
    let mut entry_days: HashMap<Uuid, BTreeSet<NaiveDate>> = HashMap::new();
    let from_us = (now - Duration::days(16)).timestamp_micros();
    let to_us = (now + Duration::days(2)).timestamp_micros();
    for (participant, at_us) in store
        .entry_times_of_sites(&site_ids, from_us, to_us)
        .await?
    {
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
    let mut lab_versions: HashMap<Uuid, Vec<LabVersion>> = HashMap::new();
    for version in store.lab_versions_of_sites(&site_ids).await? {
        lab_versions
            .entry(version.participant_id)
            .or_default()
            .push(version);
    }
    let dose_days = store.idaa1c_dose_days().await?;
    let mut rows: Vec<RosterRow> = stream::iter(participants)
        .map(|p| {
            let timezone = zones.get(&p.id).cloned().unwrap_or_else(|| "UTC".into());
            let site_code = sites
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
            async move { row(store, p, site_code, &timezone, today, seen, dose_days).await }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    rows.sort_by(|a, b| a.study_id.cmp(&b.study_id));
    Ok(rows)
}

/// The caller's sites, every participant of them and each site by id:
/// what the roster and the study's figures are made from.
pub async fn caseload(store: &dyn Store, caller: Caller<'_>) -> Result<Caseload, RosterError> {
    let site_ids = policy::roster_sites(&caller.actor()).ok_or(RosterError::Forbidden)?;
    let mut participants = Vec::new();
    let mut after = None;
    loop {
        let page = store.participants_page(&site_ids, &[], after, 1000).await?;
        after = page.last().map(|p| p.id);
        let done = page.len() < 1000;
        participants.extend(page);
        if done {
            break;
        }
    }
    let mut sites = HashMap::new();
    for id in &site_ids {
        if let Some(site) = store.site(*id).await? {
            sites.insert(*id, site);
        }
    }
    Ok(Caseload {
        site_ids,
        participants,
        sites,
    })
}

/// What the roster read of a participant in bulk.
struct Seen {
    last_entry_on: Option<NaiveDate>,
    entry_days: BTreeSet<NaiveDate>,
    labs: Labs,
    open_alerts: usize,
}

async fn row(
    store: &dyn Store,
    p: Participant,
    site_code: String,
    timezone: &str,
    today: NaiveDate,
    seen: Seen,
    dose_days: i64,
) -> Result<RosterRow, ReadError> {
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
            let entries = entries_of_kind(store, &p, window, timezone, Some(Kind::Insulin)).await?;
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
