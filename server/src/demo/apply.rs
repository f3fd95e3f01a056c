//! Writes the demo's plans through the use cases real data goes through:
//! diary entries through the sync (as the participant's or guardian's phone,
//! so versions, audit rows, classification and alerts come out as for real
//! entries), labs as the investigator enters them, the severe low's alert
//! acknowledged as the investigator does, and the missed-diary check the
//! alert dispatcher runs.
//!
//! Every id is derived from a key of the plan and every plan from the time
//! the study was made, so a second run finds everything there and writes
//! nothing, and a run after a crash writes only what is missing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    DemoError, LOGINS, SITE_CODE,
    diary::{self, Author, Planned},
    labs,
};
use crate::{
    audit::AuditContext,
    policy::{self, Actor},
    store::{
        AlertStatus, EntryStatus, LabVersion, MutationStatus, Participant, Store, StoreError, User,
        UserLinks,
        sync_plan::{ResultStatus, Sender},
    },
    sync::{self, SyncRequest},
};
use app::domain::{alerts::Rule, mutation::MAX_BATCH, visits};

/// What the audit trail shows as the demo's "browser".
const USER_AGENT: &str = "ediary demo (made-up data)";

/// The investigator's note on the severe low.
const ACK_NOTE: &str = "Demo: called the mother the next morning; he is well. Went over the evening dose and a bedtime snack.";

/// A stable id for a key of the plan: a name-based UUID (version 8, from
/// SHA-256 as RFC 9562 suggests), the same on every run and every backend.
pub(super) fn id_of(key: &str) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"ediary demo/")
        .chain_update(key.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The demo as stored: what the plans are laid over.
struct Demo {
    /// When the study was made: the plans' "now", the same on every run.
    made_at: DateTime<Utc>,
    tz: Tz,
    enrolled_on: NaiveDate,
    participants: HashMap<String, Participant>,
}

/// A demo account with its links, as a signed-in request would carry it.
struct Account {
    user: User,
    links: UserLinks,
    context: AuditContext,
}

impl Account {
    async fn load(store: &dyn Store, username: &str) -> Result<Self, DemoError> {
        let user = store
            .user_by_username(username)
            .await?
            .ok_or_else(|| DemoError::Incomplete(format!("no demo account {username}")))?;
        let links = store.user_links(user.id).await?;
        let context = AuditContext {
            actor_id: Some(user.id),
            actor_role: user.role.to_string(),
            client_addr: None,
            user_agent: Some(USER_AGENT.into()),
            device_id: None,
        };
        Ok(Self {
            user,
            links,
            context,
        })
    }

    fn actor(&self) -> Actor<'_> {
        Actor {
            role: self.user.role,
            links: &self.links,
        }
    }
}

/// Adds whatever of the demo's data is missing; whether anything was.
pub(super) async fn fill(store: &dyn Store, context: &AuditContext) -> Result<bool, DemoError> {
    let Some(study) = store.study().await?.filter(|s| s.is_demo) else {
        return Ok(false);
    };
    let site = store
        .site_by_code(SITE_CODE)
        .await?
        .ok_or_else(|| DemoError::Incomplete("no demo site".into()))?;
    // An unknown zone counts as UTC, as everywhere else.
    let tz: Tz = site.timezone.parse().unwrap_or(chrono_tz::UTC);
    let participants: HashMap<String, Participant> = store
        .participants_page(&[site.id], &[], None, 100)
        .await?
        .into_iter()
        .map(|p| (p.study_id.clone(), p))
        .collect();
    let enrolled_on = diary::study_ids()
        .filter_map(|id| participants.get(id))
        .map(|p| p.enrolled_at.with_timezone(&tz).date_naive())
        .min()
        .ok_or_else(|| DemoError::Incomplete("no demo participants".into()))?;
    let demo = Demo {
        made_at: study.created_at,
        tz,
        enrolled_on,
        participants,
    };
    let entries = diary_entries(store, &demo).await?;
    let labs = visit_labs(store, &demo).await?;
    let acknowledged = acknowledge_severe_low(store, &demo).await?;
    // The dispatcher raises missed-diary alerts every minute while the
    // server runs; once now, so the new diary shows its alert at once.
    let missed = if entries > 0 {
        let settings = store.alert_settings().await?;
        crate::alerts::check_missed_diaries(store, &settings, Utc::now(), context).await?
    } else {
        0
    };
    Ok(entries > 0 || labs > 0 || acknowledged || missed > 0)
}

impl Demo {
    fn participant(&self, study_id: &str) -> Result<&Participant, DemoError> {
        self.participants
            .get(study_id)
            .ok_or_else(|| DemoError::Incomplete(format!("no demo participant {study_id}")))
    }
}

/// One mutation as a phone sends it.
fn mutation(p: &Planned, participant: Uuid) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id_of(&p.key)));
    m.insert("participant_id".into(), json!(participant));
    m.insert("entry_id".into(), json!(id_of(&p.entry_key)));
    m.insert("op".into(), json!(p.op.as_str()));
    m.insert("kind".into(), json!(p.kind.as_str()));
    if let Some(base) = p.base_version {
        m.insert("base_version".into(), json!(base));
    }
    if let Some(reason) = &p.reason {
        m.insert("reason".into(), json!(reason));
    }
    m.insert(
        "recorded_at".into(),
        json!(p.recorded_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    if let Some(data) = &p.data {
        m.insert("data".into(), data.to_json());
    }
    Value::Object(m)
}

/// Syncs the diary mutations not stored yet, each author's from their own
/// phone; how many were applied.
async fn diary_entries(store: &dyn Store, demo: &Demo) -> Result<usize, DemoError> {
    let plan = diary::plan(demo.made_at, demo.tz, demo.enrolled_on);
    let mut stored: HashSet<Uuid> = HashSet::new();
    for study_id in diary::study_ids() {
        let p = demo.participant(study_id)?;
        stored.extend(
            store
                .participant_versions(p.id)
                .await?
                .iter()
                .map(|v| v.mutation_id),
        );
    }
    let settings = store.alert_settings().await?;
    let mut applied = 0;
    for author in Author::ALL {
        let mut pending: Vec<&Planned> = plan
            .iter()
            .filter(|p| p.author == author && !stored.contains(&id_of(&p.key)))
            .collect();
        if pending.is_empty() {
            continue;
        }
        // In the order the phone saved them: a change after its entry.
        pending.sort_by(|a, b| (a.recorded_at, &a.key).cmp(&(b.recorded_at, &b.key)));
        let account = Account::load(store, author.username()).await?;
        let scope = policy::sync_scope(&account.actor())
            .ok_or_else(|| DemoError::Incomplete(format!("{} may not sync", author.username())))?;
        let device_id = id_of(&format!("device/{}", author.username()));
        for batch in pending.chunks(MAX_BATCH) {
            let mutations = batch
                .iter()
                .map(|p| Ok(mutation(p, demo.participant(p.study_id)?.id)))
                .collect::<Result<Vec<_>, DemoError>>()?;
            // As `POST /api/v1/sync` builds it.
            let sender = Sender {
                user_id: account.user.id,
                role: account.user.role,
                device_id: device_id.to_string(),
                received_at: Utc::now(),
            };
            let request = SyncRequest {
                device_id,
                since: None,
                mutations,
            };
            let answer =
                sync::sync(store, sender, &scope, request, &account.context, &settings).await?;
            for (p, result) in batch.iter().zip(&answer.results) {
                match (result.status, result.original_status) {
                    (ResultStatus::Applied, _) => applied += 1,
                    // Another run got there first.
                    (ResultStatus::Duplicate, Some(MutationStatus::Applied)) => {}
                    _ => {
                        let why = result
                            .error
                            .as_ref()
                            .map(|e| format!("{} {:?}", e.message, e.fields))
                            .unwrap_or_default();
                        return Err(DemoError::Incomplete(format!(
                            "entry {} was {:?}: {why}",
                            p.key, result.status
                        )));
                    }
                }
            }
        }
    }
    Ok(applied)
}

/// Stores the visit labs not stored yet, entered by the investigator with
/// the checks `POST /api/v1/participants/{id}/labs` makes (the site's
/// investigator, the lab's own checks, a visit of the schedule); how many.
async fn visit_labs(store: &dyn Store, demo: &Demo) -> Result<usize, DemoError> {
    let plan = labs::plan(demo.made_at, demo.tz, demo.enrolled_on);
    let mut stored: HashSet<Uuid> = HashSet::new();
    for study_id in diary::study_ids() {
        let p = demo.participant(study_id)?;
        stored.extend(store.lab_versions(p.id).await?.iter().map(|v| v.lab_id));
    }
    let pending: Vec<&labs::PlannedLab> = plan
        .iter()
        .filter(|l| !stored.contains(&id_of(&l.key)))
        .collect();
    if pending.is_empty() {
        return Ok(0);
    }
    let investigator = Account::load(store, LOGINS[0].username).await?;
    let schedule = store.visit_schedule().await?;
    let mut saved = 0;
    for lab in pending {
        let participant = demo.participant(lab.study_id)?;
        if !policy::may_manage_site(&investigator.actor(), participant.site_id) {
            return Err(DemoError::Incomplete(
                "the demo investigator is not at the demo site".into(),
            ));
        }
        let checked = lab
            .input
            .check()
            .ok()
            .filter(|_| visits::is_known(&schedule, lab.input.visit.trim()))
            .ok_or_else(|| DemoError::Incomplete(format!("lab {} is not valid", lab.key)))?;
        let version = LabVersion {
            lab_id: id_of(&lab.key),
            version: 1,
            participant_id: participant.id,
            status: EntryStatus::Active,
            input: lab.input.clone(),
            taken_on: checked.taken_on,
            entered_by: investigator.user.id,
            entered_by_role: investigator.user.role,
            received_at: Utc::now(),
            reason: None,
        };
        match store
            .save_lab_version(&version, &investigator.context)
            .await
        {
            Ok(()) => saved += 1,
            // Another run got there first.
            Err(StoreError::Duplicate(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(saved)
}

/// The investigator acknowledges the alert of DEMO-002's severe low, as
/// `POST /api/v1/alerts/{id}/acknowledge` does; whether it was still open.
async fn acknowledge_severe_low(store: &dyn Store, demo: &Demo) -> Result<bool, DemoError> {
    let child = demo.participant("DEMO-002")?;
    let entry = id_of(diary::SEVERE_KEY);
    let open: Vec<_> = store
        .alerts_of_participant(child.id)
        .await?
        .into_iter()
        .filter(|a| {
            a.rule == Rule::SevereHypoglycemia
                && a.entry_id == Some(entry)
                && a.status == AlertStatus::Open
        })
        .collect();
    if open.is_empty() {
        return Ok(false);
    }
    let investigator = Account::load(store, LOGINS[0].username).await?;
    let mut done = false;
    for alert in open {
        if !policy::may_see_alert(&investigator.actor(), alert.site_id) {
            return Err(DemoError::Incomplete(
                "the demo investigator does not see the demo site's alerts".into(),
            ));
        }
        done |= store
            .acknowledge_alert(
                alert.id,
                investigator.user.id,
                ACK_NOTE,
                &investigator.context,
            )
            .await?
            .is_some();
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(
            id_of("DEMO-001/d00/breakfast/glucose"),
            id_of("DEMO-001/d00/breakfast/glucose")
        );
        assert_ne!(
            id_of("DEMO-001/d00/breakfast/glucose"),
            id_of("DEMO-001/d00/lunch/glucose")
        );
        assert_eq!(id_of("x").get_version_num(), 8);
    }

    #[test]
    fn planned_mutations_decode_as_the_server_reads_them() {
        let tz = chrono_tz::Asia::Shanghai;
        let now: DateTime<Utc> = "2026-11-25T04:00:00Z".parse().unwrap();
        let enrolled =
            now.with_timezone(&tz).date_naive() - chrono::Duration::days(diary::ENROLLED_DAYS_AGO);
        let participant = Uuid::now_v7();
        for p in diary::plan(now, tz, enrolled) {
            let raw = mutation(&p, participant);
            let (id, decoded) = app::domain::mutation::decode(&raw);
            let decoded = decoded.unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(id, Some(id_of(&p.key)));
            assert_eq!((decoded.op, decoded.kind), (p.op, p.kind));
            assert_eq!(decoded.entry_id, id_of(&p.entry_key));
        }
    }
}
