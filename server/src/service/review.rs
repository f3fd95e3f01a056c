//! One participant's page for the investigators of their site: the outcome
//! figures over a window with what each rests on, the charts' points, every
//! entry of the window with its versions, the labs with theirs, the alerts
//! and the audit trail; records as data and times on the site's clock, for
//! the page to say in its language (`app::review`).

use std::collections::{BTreeMap, HashMap, VecDeque};

use app::{
    domain::{
        entry::EntryData,
        glucose::{GlucoseValue, MeterFlag, to_mg_dl},
        outcomes::{self as figures_of, Window},
        roster,
        time::{day_start, local_day},
    },
    review::{
        AlertLine, AuditLine, EarlierLab, GlucosePoint, LabLine, ParticipantPage, Person, SiteTime,
        TimelineEntry, VersionLine,
    },
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{
    Caller, ReadError,
    outcomes::{self, OutcomesError},
};
use crate::{
    export::word,
    store::{EntryQuery, EntryStatus, LabVersion, Store, StoreError},
};

/// The audit lines a participant's page shows, newest first.
const AUDIT_LINES: usize = 200;

/// Names of the people who entered records, looked up once each.
struct Names<'a> {
    store: &'a dyn Store,
    known: HashMap<Uuid, String>,
}

impl Names<'_> {
    async fn of(&mut self, id: Uuid, role: &str) -> Result<Person, StoreError> {
        if !self.known.contains_key(&id) {
            let name = self
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

/// One participant's page over a window of site days (`from` and `to` as
/// typed, empty for the default window): for the investigators of the site.
pub async fn participant_page(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
    from: &str,
    to: &str,
) -> Result<ParticipantPage, OutcomesError> {
    let p = outcomes::reviewable(store, caller, id).await?;
    let site = store.site(p.site_id).await?;
    let timezone = site
        .as_ref()
        .map_or("UTC", |s| s.timezone.as_str())
        .to_owned();
    let tz = timezone.parse::<Tz>().ok();
    let today = local_day(Utc::now().fixed_offset(), &timezone);
    let window =
        outcomes::window_of(Some(from), Some(to), today).map_err(OutcomesError::Invalid)?;
    let on_site = |at| local_day(at, &timezone);

    let entries = outcomes::entries_in(store, &p, window, &timezone).await?;
    let labs_now = outcomes::labs_of(store, p.id).await?;
    let figures = figures_of::figures(window, &entries, &labs_now, &on_site);
    let start = day_start(window.from, &timezone);
    let glucose = entries
        .iter()
        .filter_map(|e| match e {
            EntryData::Glucose(g) => Some(GlucosePoint {
                hours: (g.measured_at.with_timezone(&Utc) - start).num_seconds() as f64 / 3600.0,
                mg_dl: match g.value {
                    GlucoseValue::Number(n) => to_mg_dl(n, g.unit),
                    GlucoseValue::Flag(MeterFlag::Lo) => 0.0,
                    GlucoseValue::Flag(MeterFlag::Hi) => f64::MAX,
                },
                flag: match g.value {
                    GlucoseValue::Flag(f) => Some(word(&f)),
                    GlucoseValue::Number(_) => None,
                },
            }),
            _ => None,
        })
        .collect();
    let daily_insulin = figures_of::daily_insulin(window, &entries, &on_site)
        .into_iter()
        .collect();

    let mut names = Names {
        store,
        known: HashMap::new(),
    };
    let timeline = timeline(store, &p.id, window, &timezone, tz, &mut names).await?;
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

    let basis = figures_of::basis(&figures);
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
    store: &dyn Store,
    participant: &Uuid,
    window: Window,
    timezone: &str,
    tz: Option<Tz>,
    names: &mut Names<'_>,
) -> Result<Vec<TimelineEntry>, ReadError> {
    const PAGE: i64 = 1000;
    let mut query = EntryQuery {
        from_us: Some(day_start(window.from, timezone).timestamp_micros()),
        to_us: Some(day_start(window.to + Duration::days(1), timezone).timestamp_micros()),
        limit: PAGE,
        ..EntryQuery::default()
    };
    let mut heads = Vec::new();
    loop {
        let page = store.entries_page(*participant, &query).await?;
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
            store.entry_history(head.entry_id).await?
        } else {
            vec![head]
        };
        let mut lines = Vec::with_capacity(versions.len());
        let mut current = None;
        for v in &versions {
            let (data, classification) = v.decoded().map_err(ReadError::Corrupt)?;
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
) -> Result<Vec<LabLine>, StoreError> {
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
