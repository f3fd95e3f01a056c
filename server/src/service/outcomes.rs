//! Outcome figures: one participant's over a window of the site's days
//! (`app::domain::outcomes`), and the study's per visit window across the
//! caller's participants (`app::domain::study_outcomes`).

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt, stream};
use uuid::Uuid;

use super::{Caller, Fields, ReadError, labs::current, roster, visible_participant};
use crate::{
    policy,
    store::{EntryQuery, EntryStatus, LabVersion, Participant, Store, StoreError},
};
use app::domain::{
    entry::{EntryData, Kind},
    labs::LabKind,
    outcomes::{self, Figures, Labs, Window},
    study_outcomes::{self, VisitOutcome},
    time::{day_start, local_day},
};

/// The longest window asked for at once.
const MAX_DAYS: i64 = 366;
/// Entries read a page at a time.
const PAGE: i64 = 1000;
/// Participants worked on at once: the store's pool is shared with the
/// phones' syncs.
const CONCURRENCY: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum OutcomesError {
    /// Unknown, or not visible to the caller.
    #[error("no such participant")]
    NotFound,
    /// Figures are for the investigators of the participant's site.
    #[error("not an investigator of the site")]
    Forbidden,
    /// The window's dates.
    #[error("the window is not valid")]
    Invalid(Fields),
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl From<StoreError> for OutcomesError {
    fn from(e: StoreError) -> Self {
        Self::Read(e.into())
    }
}

impl From<roster::RosterError> for OutcomesError {
    fn from(e: roster::RosterError) -> Self {
        match e {
            roster::RosterError::Forbidden => Self::Forbidden,
            roster::RosterError::Read(e) => Self::Read(e),
        }
    }
}

/// The window from `from` to `to` (site days, inclusive, `YYYY-MM-DD`):
/// by default the 14 days up to today; at most a year.
pub fn window_of(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Window, Fields> {
    let mut fields = Fields::new();
    let mut day = |name: &str, text: Option<&str>| match text {
        None | Some("") => None,
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| fields.insert(name.to_owned(), "a date, such as 2026-11-14".to_owned()))
            .ok(),
    };
    let to = day("to", to);
    let from = day("from", from);
    if !fields.is_empty() {
        return Err(fields);
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
        Err(fields)
    }
}

/// A participant the caller may review: visible to them, and at a site they
/// run.
pub async fn reviewable(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
) -> Result<Participant, OutcomesError> {
    let participant = visible_participant(store, caller, id)
        .await?
        .ok_or(OutcomesError::NotFound)?;
    if policy::may_manage_site(&caller.actor(), participant.site_id) {
        Ok(participant)
    } else {
        Err(OutcomesError::Forbidden)
    }
}

/// The time zone of the participant's site (UTC for a site without one).
pub async fn timezone_of(
    store: &dyn Store,
    participant: &Participant,
) -> Result<String, StoreError> {
    Ok(store
        .site(participant.site_id)
        .await?
        .map(|s| s.timezone)
        .unwrap_or_else(|| "UTC".into()))
}

/// The participant's figures over the window: insulin, glucose,
/// hypoglycemia, HbA1c and IDAA1C, completeness (nulls where data is
/// missing).
pub async fn participant_figures(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Figures, OutcomesError> {
    let participant = reviewable(store, caller, id).await?;
    let timezone = timezone_of(store, &participant).await?;
    let today = local_day(Utc::now().fixed_offset(), &timezone);
    let window = window_of(from, to, today).map_err(OutcomesError::Invalid)?;
    let entries = entries_in(store, &participant, window, &timezone).await?;
    let labs = labs_of(store, participant.id).await?;
    Ok(outcomes::figures(window, &entries, &labs, &|at| {
        local_day(at, &timezone)
    }))
}

/// The study's figures per visit window: each participant of the caller's
/// sites over their own window of each visit (cut at today), then n, mean
/// and SD across participants, and counts added up.
pub async fn per_visit(
    store: &dyn Store,
    caller: Caller<'_>,
) -> Result<Vec<VisitOutcome>, OutcomesError> {
    let caseload = roster::caseload(store, caller).await?;
    let schedule = store.visit_schedule().await?;
    let zones: HashMap<Uuid, String> = caseload
        .sites
        .into_iter()
        .map(|(id, s)| (id, s.timezone))
        .collect();
    let now = Utc::now().fixed_offset();
    // Each participant's figures for every visit whose window has opened.
    let per_participant: Vec<Vec<(usize, Figures)>> = stream::iter(caseload.participants)
        .map(|p| {
            let timezone = zones
                .get(&p.site_id)
                .cloned()
                .unwrap_or_else(|| "UTC".into());
            let schedule = &schedule;
            async move {
                let today = local_day(now, &timezone);
                let enrolled = local_day(p.enrolled_at.fixed_offset(), &timezone);
                let labs = labs_of(store, p.id).await?;
                let mut out = Vec::new();
                for (i, visit) in schedule.iter().enumerate() {
                    let Some(window) = study_outcomes::visit_window(visit, enrolled, today) else {
                        continue;
                    };
                    let entries = entries_in(store, &p, window, &timezone).await?;
                    out.push((
                        i,
                        outcomes::figures(window, &entries, &labs, &|at| local_day(at, &timezone)),
                    ));
                }
                Ok::<_, ReadError>(out)
            }
        })
        .buffer_unordered(CONCURRENCY)
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
pub async fn entries_in(
    store: &dyn Store,
    participant: &Participant,
    window: Window,
    timezone: &str,
) -> Result<Vec<EntryData>, ReadError> {
    entries_of_kind(store, participant, window, timezone, None).await
}

/// The same, of one kind only when `kind` is given.
pub async fn entries_of_kind(
    store: &dyn Store,
    participant: &Participant,
    window: Window,
    timezone: &str,
    kind: Option<Kind>,
) -> Result<Vec<EntryData>, ReadError> {
    let mut query = EntryQuery {
        kind,
        from_us: Some(day_start(window.from, timezone).timestamp_micros()),
        to_us: Some(day_start(window.to + Duration::days(1), timezone).timestamp_micros()),
        limit: PAGE,
        ..EntryQuery::default()
    };
    let mut entries = Vec::new();
    loop {
        let page = store.entries_page(participant.id, &query).await?;
        let full = page.len() as i64 == PAGE;
        query.before = page.last().map(|v| (v.event_at_us, v.entry_id));
        for v in page {
            if v.status == EntryStatus::Voided {
                continue;
            }
            entries.push(v.decoded().map_err(ReadError::Corrupt)?.0);
        }
        if !full {
            return Ok(entries);
        }
    }
}

/// Weights and HbA1c values of the participant's current labs.
pub async fn labs_of(store: &dyn Store, participant: Uuid) -> Result<Labs, StoreError> {
    Ok(labs_from(store.lab_versions(participant).await?))
}

/// Weights and HbA1c values of the current, not removed versions of labs.
pub fn labs_from(versions: Vec<LabVersion>) -> Labs {
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

    #[test]
    fn windows() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let w = window_of(None, None, today).unwrap();
        assert_eq!(
            (w.from.to_string(), w.to.to_string(), w.days()),
            ("2026-11-12".into(), "2026-11-25".into(), 14)
        );
        let w = window_of(Some("2026-11-01"), Some("2026-11-14"), today).unwrap();
        assert_eq!(w.days(), 14);
        for (from, to, field) in [
            (Some("2026-11-15"), Some("2026-11-14"), "from"),
            (Some("14/11/2026"), None, "from"),
            (None, Some("tomorrow"), "to"),
            (Some("2024-01-01"), Some("2026-11-14"), "from"),
        ] {
            match window_of(from, to, today) {
                Err(fields) => assert!(fields.contains_key(field), "{fields:?}"),
                Ok(w) => panic!("{from:?} {to:?}: {} days", w.days()),
            }
        }
    }
}
