//! The diary's sync: checks each mutation of a batch against the rules that
//! need no database (shape, validation, the caller's participants, the time
//! window), then hands the batch to the store, which applies it in one
//! transaction through [`crate::store::sync_plan::plan`].

pub mod cursor;

use std::collections::{BTreeMap, HashMap};

use app::domain::{
    entry::FieldErrors,
    mutation::{self, Mutation, Rejection},
    time::enrolment_day_start,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::store::sync_plan::{Candidate, Content, Incoming, MutationResult, Sender};
use crate::{
    audit::AuditContext,
    store::{ChangeCursor, EntryVersion, Participant, Site, Store, StoreError, SyncBatch},
};

/// At most this many changed entries come back in one answer; `more` says
/// whether to sync again at once.
pub const PULL_LIMIT: i64 = 1000;

/// The request body of `POST /api/v1/sync`. Mutations stay raw JSON so that
/// one bad mutation is rejected on its own, not the whole batch.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub device_id: Uuid,
    /// `cursor` of the sync before; none for the first.
    #[serde(default)]
    #[schema(pattern = r"^c[0-9]{1,18}\.[0-9a-f]{32}$")]
    pub since: Option<String>,
    #[schema(value_type = Vec<crate::schema::SyncMutation>, max_items = 500)]
    pub mutations: Vec<Value>,
}

/// The answer of `POST /api/v1/sync`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SyncAnswer {
    pub results: Vec<MutationResult>,
    pub changes: Vec<EntryView>,
    pub cursor: String,
    /// More changes wait: sync again without waiting.
    pub more: bool,
    /// The batch changed alerts: the caller wakes the streams and the dispatcher.
    #[serde(skip)]
    #[schema(ignore)]
    pub alerts_changed: bool,
}

/// `entry` in the contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = Entry)]
pub struct EntryView {
    pub id: Uuid,
    pub participant_id: Uuid,
    #[schema(value_type = app::domain::entry::Kind)]
    pub kind: String,
    pub version: i64,
    #[schema(value_type = crate::schema::EntryStatus)]
    pub status: String,
    #[schema(value_type = crate::schema::EntryData)]
    pub data: Value,
    #[schema(value_type = Option<app::domain::classification::Classification>, required)]
    pub classification: Option<Value>,
    pub entered_by: Uuid,
    #[schema(value_type = app::domain::account::Role)]
    pub entered_by_role: String,
    pub device_id: String,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: String,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    /// Why this version was made (amend and void).
    pub reason: Option<String>,
    /// The sync mutation that made this version (matches a phone's outbox).
    pub mutation_id: Uuid,
}

impl From<EntryVersion> for EntryView {
    fn from(v: EntryVersion) -> Self {
        Self {
            id: v.entry_id,
            participant_id: v.participant_id,
            kind: v.kind.as_str().to_owned(),
            version: v.version,
            status: v.status.as_str().to_owned(),
            data: serde_json::from_str(&v.data).unwrap_or(Value::Null),
            classification: v
                .classification
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            entered_by: v.entered_by,
            entered_by_role: v.entered_by_role.as_str().to_owned(),
            device_id: v.device_id,
            recorded_at: v.recorded_at.to_rfc3339(),
            received_at: v.received_at,
            late: v.late,
            reason: v.reason,
            mutation_id: v.mutation_id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("at most {} mutations a request", mutation::MAX_BATCH)]
    TooMany,
    #[error("invalid request")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A participant the caller logs for, with the earliest time an entry may have.
#[derive(Debug, Clone)]
pub struct Logbook {
    pub participant: Participant,
    pub earliest: DateTime<Utc>,
}

impl Logbook {
    pub fn new(participant: Participant, site: &Site) -> Self {
        let earliest = enrolment_day_start(participant.enrolled_at, &site.timezone);
        Self {
            participant,
            earliest,
        }
    }
}

/// SHA-256 of the mutation's canonical JSON, so a resend that orders keys
/// differently is still the same content.
pub fn content_hash(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
}

/// JSON text with object keys sorted at every level, whatever order the
/// client sent (or serde_json keeps).
pub fn canonical_json(value: &Value) -> String {
    fn canonical(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(&map[k], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canonical(value, &mut text);
    text
}

/// Everything about one mutation that needs no database.
pub fn prepare(raw: &Value, logbooks: &HashMap<Uuid, Logbook>, now: DateTime<Utc>) -> Incoming {
    let content_hash = content_hash(raw);
    let (id, decoded) = mutation::decode(raw);
    Incoming {
        id,
        content_hash,
        checked: decoded.and_then(|m| candidate(m, raw, logbooks, now)),
    }
}

fn candidate(
    m: Mutation,
    raw: &Value,
    logbooks: &HashMap<Uuid, Logbook>,
    now: DateTime<Utc>,
) -> Result<Candidate, Rejection> {
    let Some(book) = logbooks.get(&m.participant_id) else {
        return Err(Rejection {
            code: "not_found".into(),
            message: "No participant with this id is linked to your account.".into(),
            fields: BTreeMap::from([("participant_id".into(), "not one of yours".into())]),
        });
    };
    let (content, warnings) = match &m.data {
        None => (None, Vec::new()),
        Some(data) => {
            let checked = mutation::check_data(data)?;
            mutation::check_event_time(data, now, book.earliest)?;
            let warnings = checked
                .warnings
                .iter()
                .filter_map(|w| serde_json::to_value(w).ok())
                .filter_map(|w| w.as_str().map(str::to_owned))
                .collect();
            let classification = checked
                .classification
                .map(|c| serde_json::to_string(&c))
                .transpose()
                .map_err(|_| Rejection::new("invalid", "The entry could not be classified."))?;
            // As entered: the client's own JSON (unknown fields were refused),
            // keys sorted.
            let data_text = raw
                .get("data")
                .map(canonical_json)
                .unwrap_or_else(|| canonical_json(&data.to_json()));
            (
                Some(Content {
                    data: data_text,
                    classification,
                    event_at: data.event_time(),
                }),
                warnings,
            )
        }
    };
    Ok(Candidate {
        id: m.id,
        participant_id: m.participant_id,
        entry_id: m.entry_id,
        op: m.op,
        kind: m.kind,
        base_version: m.base_version,
        reason: m.reason.map(|r| r.trim().to_owned()),
        recorded_at: m.recorded_at,
        content,
        warnings,
    })
}

/// Loads the participants `ids` with their sites, for the window checks.
pub async fn logbooks(
    store: &dyn Store,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Logbook>, StoreError> {
    let participants = store
        .participants_page(&[], ids, None, ids.len() as i64 + 1)
        .await?;
    let mut sites: HashMap<Uuid, Site> = HashMap::new();
    let mut books = HashMap::new();
    for p in participants {
        if !sites.contains_key(&p.site_id) {
            match store.site(p.site_id).await? {
                Some(site) => {
                    sites.insert(site.id, site);
                }
                None => continue,
            }
        }
        if let Some(site) = sites.get(&p.site_id) {
            books.insert(p.id, Logbook::new(p, site));
        }
    }
    Ok(books)
}

/// Runs one sync request for a participant or guardian whose participants
/// are `participant_ids`.
pub async fn sync(
    store: &dyn Store,
    sender: Sender,
    participant_ids: &[Uuid],
    request: SyncRequest,
    context: &AuditContext,
    alert_settings: &app::domain::alerts::AlertSettings,
) -> Result<SyncAnswer, SyncError> {
    if request.mutations.len() > mutation::MAX_BATCH {
        return Err(SyncError::TooMany);
    }
    let since = match request.since.as_deref() {
        None => ChangeCursor::default(),
        Some(text) => cursor::decode_changes(text).ok_or_else(|| {
            SyncError::Invalid(BTreeMap::from([(
                "since".into(),
                "a cursor from an earlier sync, or null".into(),
            )]))
        })?,
    };
    let books = logbooks(store, participant_ids).await?;
    let incoming: Vec<Incoming> = request
        .mutations
        .iter()
        .map(|raw| prepare(raw, &books, sender.received_at))
        .collect();
    let mut context = context.clone();
    context.device_id = Some(sender.device_id.clone());
    let outcome = store
        .sync_batch(&SyncBatch {
            sender: &sender,
            incoming: &incoming,
            participants: participant_ids,
            since,
            pull_limit: PULL_LIMIT,
            context: &context,
            alert_settings,
        })
        .await?;
    Ok(SyncAnswer {
        results: outcome.results,
        cursor: cursor::encode_changes(outcome.next.unwrap_or(since)),
        changes: outcome.changes.into_iter().map(EntryView::from).collect(),
        more: outcome.more,
        alerts_changed: outcome.alerts_changed,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn content_hash_ignores_key_order_only() {
        let a = json!({"id": "x", "data": {"value": 5.4, "unit": "mmol/L"}});
        let b: Value =
            serde_json::from_str(r#"{"data": {"unit": "mmol/L", "value": 5.4}, "id": "x"}"#)
                .unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
        let c = json!({"id": "x", "data": {"value": 5.5, "unit": "mmol/L"}});
        assert_ne!(content_hash(&a), content_hash(&c));
    }
}
