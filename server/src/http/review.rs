//! The investigator's review pages (`app::review`): the roster, one
//! participant's page and visit labs, on the same services as the JSON API
//! (`roster`, `outcomes`, `labs`), so the pages and the API agree.

use std::collections::{BTreeMap, HashMap, VecDeque};

use app::{
    domain::{
        entry::EntryData,
        glucose::{GlucoseValue, to_mg_dl},
        labs::LabInput,
        outcomes::{self, Window},
        roster::{self, RosterRow},
        time::{day_start, local_day},
    },
    error::AppError,
    review::{
        AlertLine, AuditLine, EarlierLab, GlucosePoint, LabLine, ParticipantPage, Person, SiteTime,
        TimelineEntry, VersionLine, ssr::ReviewService,
    },
};
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{
    auth::AuthUser, entries::visible_participant, error::ApiError, labs, outcomes as summary,
    pages::from_api,
};
use crate::{
    export::word,
    policy,
    state::AppState,
    store::{EntryQuery, EntryStatus, LabVersion},
};

/// The audit lines a participant's page shows, newest first.
const AUDIT_LINES: usize = 200;

pub(super) struct WebReview(pub(super) AppState);

impl WebReview {
    async fn user(&self, request: &Parts) -> Result<AuthUser, AppError> {
        AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(from_api)
    }
}

/// Lab errors in the page's words: a conflict belongs to the lab.
fn lab_error(error: ApiError) -> AppError {
    match error {
        ApiError::Conflict(message) => AppError::Invalid(vec![("lab".into(), message)]),
        ApiError::NotFound => AppError::NotAllowed,
        other => from_api(other),
    }
}

#[async_trait::async_trait]
impl ReviewService for WebReview {
    async fn roster(&self, request: &Parts) -> Result<Vec<RosterRow>, AppError> {
        let user = self.user(request).await?;
        super::roster::rows(&self.0, &user).await.map_err(from_api)
    }

    async fn study_outcomes(
        &self,
        request: &Parts,
    ) -> Result<Vec<app::domain::study_outcomes::VisitOutcome>, AppError> {
        let user = self.user(request).await?;
        summary::per_visit(&self.0, &user).await.map_err(from_api)
    }

    async fn review(
        &self,
        request: &Parts,
        id: Uuid,
        from: String,
        to: String,
    ) -> Result<ParticipantPage, AppError> {
        let user = self.user(request).await?;
        build(&self.0, &user, id, from, to)
            .await
            .map_err(|e| match e {
                ApiError::NotFound | ApiError::Forbidden => AppError::NotAllowed,
                other => from_api(other),
            })
    }

    async fn save_lab(
        &self,
        request: &Parts,
        participant: Uuid,
        correction: Option<(Uuid, i64)>,
        reason: Option<String>,
        input: LabInput,
    ) -> Result<(), AppError> {
        let user = self.user(request).await?;
        let state = &self.0;
        let saved = match correction {
            None => labs::record(state, &user, participant, input).await,
            Some((lab, base)) => {
                let reason = reason.unwrap_or_default();
                labs::correct(state, &user, lab, base, &reason, input).await
            }
        };
        saved.map(drop).map_err(lab_error)
    }

    async fn void_lab(
        &self,
        request: &Parts,
        lab: Uuid,
        base_version: i64,
        reason: String,
    ) -> Result<(), AppError> {
        let user = self.user(request).await?;
        labs::remove(&self.0, &user, lab, base_version, &reason)
            .await
            .map(drop)
            .map_err(lab_error)
    }
}

/// Names of the people who entered records, looked up once each.
struct Names<'a> {
    state: &'a AppState,
    known: HashMap<Uuid, String>,
}

impl Names<'_> {
    async fn of(&mut self, id: Uuid, role: &str) -> Result<Person, ApiError> {
        if !self.known.contains_key(&id) {
            let name = self
                .state
                .store
                .user_by_id(id)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_else(|| id.to_string());
            self.known.insert(id, name);
        }
        Ok(Person {
            name: Some(self.known[&id].clone()),
            role: role.to_owned(),
        })
    }
}

/// A moment on the site's clock (UTC for a site whose zone is unknown).
fn at_site(at: DateTime<Utc>, tz: Option<Tz>) -> SiteTime {
    match tz {
        Some(tz) => at.with_timezone(&tz).fixed_offset(),
        None => at.fixed_offset(),
    }
}

async fn build(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    from: String,
    to: String,
) -> Result<ParticipantPage, ApiError> {
    let p = visible_participant(state, user, id).await?;
    if !policy::may_manage_site(&user.actor(), p.site_id) {
        return Err(ApiError::Forbidden);
    }
    let store = &state.store;
    let site = store.site(p.site_id).await?;
    let timezone = site
        .as_ref()
        .map_or("UTC", |s| s.timezone.as_str())
        .to_owned();
    let tz = timezone.parse::<Tz>().ok();
    let today = local_day(Utc::now().fixed_offset(), &timezone);
    let query = summary::WindowQuery {
        from: Some(from),
        to: Some(to),
    };
    let window = summary::window_of(&query, today)?;
    let on_site = |at| local_day(at, &timezone);

    let entries = summary::entries_in(state, &p, window, &timezone).await?;
    let labs_now = summary::labs_of(state, p.id).await?;
    let figures = outcomes::figures(window, &entries, &labs_now, &on_site);
    let start = day_start(window.from, &timezone);
    let glucose = entries
        .iter()
        .filter_map(|e| match e {
            EntryData::Glucose(g) => Some(GlucosePoint {
                hours: (g.measured_at.with_timezone(&Utc) - start).num_seconds() as f64 / 3600.0,
                mg_dl: match g.value {
                    GlucoseValue::Number(n) => to_mg_dl(n, g.unit),
                    GlucoseValue::Flag(app::domain::glucose::MeterFlag::Lo) => 0.0,
                    GlucoseValue::Flag(app::domain::glucose::MeterFlag::Hi) => f64::MAX,
                },
                flag: match g.value {
                    GlucoseValue::Flag(f) => Some(word(&f)),
                    GlucoseValue::Number(_) => None,
                },
            }),
            _ => None,
        })
        .collect();
    let daily_insulin = outcomes::daily_insulin(window, &entries, &on_site)
        .into_iter()
        .collect();

    let mut names = Names {
        state,
        known: HashMap::new(),
    };
    let timeline = timeline(state, &p.id, window, &timezone, tz, &mut names).await?;
    let labs = lab_lines(store.lab_versions(p.id).await?, &mut names).await?;

    let alerts = store
        .alerts_of_participant(p.id)
        .await?
        .iter()
        .map(|a| AlertLine {
            id: a.id,
            rule: a.rule.as_str().into(),
            severity: a.severity.as_str().into(),
            status: a.status.as_str().into(),
            created_at: at_site(a.created_at, tz),
            note: a.note.clone(),
        })
        .collect();

    // The trail is read oldest first; the page shows the latest lines.
    let mut audit: VecDeque<AuditLine> = VecDeque::new();
    let mut after = 0;
    loop {
        let page = store
            .audit_for(&p.id.to_string(), Some(p.id), after, 1000)
            .await?;
        after = page.last().map_or(after, |r| r.seq);
        for row in &page {
            let actor = match row.actor_id {
                Some(id) => names.of(id, &row.actor_role).await?,
                None => Person {
                    name: None,
                    role: row.actor_role.clone(),
                },
            };
            audit.push_front(AuditLine {
                at: at_site(row.occurred_at, tz),
                actor,
                action: row.action.clone(),
                entity: format!(
                    "{} {}",
                    row.entity_type,
                    row.entity_id.clone().unwrap_or_default()
                ),
            });
            audit.truncate(AUDIT_LINES);
        }
        if page.len() < 1000 {
            break;
        }
    }

    let basis = outcomes::basis(&figures);
    let enrolled_on = local_day(p.enrolled_at.fixed_offset(), &timezone);
    Ok(ParticipantPage {
        participant_id: p.id,
        study_id: p.study_id,
        site_code: site.map(|s| s.code).unwrap_or_default(),
        timezone,
        age_group: roster::age_group(p.birth_year, today),
        enrolled_on,
        diagnosis_date: p.diagnosis_date,
        figures,
        basis,
        glucose,
        daily_insulin,
        timeline,
        labs,
        visits: store.visit_schedule().await?,
        alerts,
        audit: audit.into(),
    })
}

/// The window's entries (voided ones too), newest first, with every version.
async fn timeline(
    state: &AppState,
    participant: &Uuid,
    window: Window,
    timezone: &str,
    tz: Option<Tz>,
    names: &mut Names<'_>,
) -> Result<Vec<TimelineEntry>, ApiError> {
    const PAGE: i64 = 1000;
    let mut query = EntryQuery {
        from_us: Some(day_start(window.from, timezone).timestamp_micros()),
        to_us: Some(day_start(window.to + Duration::days(1), timezone).timestamp_micros()),
        limit: PAGE,
        ..EntryQuery::default()
    };
    let mut heads = Vec::new();
    loop {
        let page = state.store.entries_page(*participant, &query).await?;
        query.before = page.last().map(|v| (v.event_at_us, v.entry_id));
        let full = page.len() as i64 == PAGE;
        heads.extend(page);
        if !full {
            break;
        }
    }
    let mut out = Vec::with_capacity(heads.len());
    for head in heads {
        // History is read only for entries that changed; the page's own
        // row is the only version of the rest.
        let versions = if head.version > 1 {
            state.store.entry_history(head.entry_id).await?
        } else {
            vec![head]
        };
        let mut lines = Vec::with_capacity(versions.len());
        let mut current = None;
        for v in &versions {
            let (data, classification) = v.decoded().map_err(ApiError::Internal)?;
            let event = data.event_time();
            lines.push(VersionLine {
                version: v.version,
                op: v.op.as_str().into(),
                data,
                entered_by: names
                    .of(v.entered_by, &v.entered_by_role.to_string())
                    .await?,
                device_id: v.device_id.clone(),
                recorded_at: v.recorded_at,
                received_at: at_site(v.received_at, tz),
                late: v.late,
                reason: v.reason.clone(),
            });
            current = Some((event, classification));
        }
        // Oldest first: the last version read is the current one.
        let (Some(head), Some((event, classification))) = (versions.last(), current) else {
            continue;
        };
        out.push(TimelineEntry {
            entry_id: head.entry_id,
            kind: head.kind.as_str().into(),
            event_at: at_site(event.with_timezone(&Utc), tz),
            voided: head.status == EntryStatus::Voided,
            // A glucose reading in range has nothing to say.
            classification: classification.filter(|c| c.ada_level > 0 || c.ada2005_class.is_some()),
            versions: lines,
        });
    }
    Ok(out)
}

/// Each lab at its current version with the earlier ones in a line each,
/// by day taken.
async fn lab_lines(
    versions: Vec<LabVersion>,
    names: &mut Names<'_>,
) -> Result<Vec<LabLine>, ApiError> {
    let mut by_lab: BTreeMap<Uuid, Vec<LabVersion>> = BTreeMap::new();
    for v in versions {
        by_lab.entry(v.lab_id).or_default().push(v);
    }
    let mut lines = Vec::new();
    for (_, mut versions) in by_lab {
        versions.sort_by_key(|v| v.version);
        let Some(head) = versions.pop() else { continue };
        let mut earlier = Vec::new();
        for v in versions.iter().rev() {
            earlier.push(EarlierLab {
                version: v.version,
                value: v.input.value,
                unit: v.input.unit.clone(),
                taken_at: v.input.taken_at.clone(),
                entered_by: names
                    .of(v.entered_by, &v.entered_by_role.to_string())
                    .await?,
                reason: v.reason.clone(),
            });
        }
        lines.push(LabLine {
            lab_id: head.lab_id,
            version: head.version,
            voided: head.status == EntryStatus::Voided,
            entered_by: names
                .of(head.entered_by, &head.entered_by_role.to_string())
                .await?,
            visit: head.input.visit,
            taken_at: head.input.taken_at,
            taken_on: head.taken_on,
            kind: head.input.kind,
            name: head.input.name,
            value: head.input.value,
            unit: head.input.unit,
            reason: head.reason,
            earlier,
        });
    }
    lines.sort_by_key(|l| (l.taken_on, l.lab_id));
    Ok(lines)
}
