//! What a sync batch does, decided without the database: given the batch,
//! the idempotency records of its mutation ids and the current versions of
//! its entries (read inside the batch's transaction), the planner says what
//! each mutation's result is and which rows to write. Both store backends
//! run this same planner, so they cannot disagree.

use std::collections::HashMap;

use app::domain::{
    account::Role,
    entry::Kind,
    mutation::{Op, Rejection},
};
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::store::{EntryStatus, EntryVersion, MutationRecord, MutationStatus};

/// A mutation after the checks that need no database: either the rows to
/// write if it applies, or why it is rejected.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// `None` when the mutation had no usable id: it is answered, not recorded.
    pub id: Option<Uuid>,
    pub content_hash: String,
    pub checked: Result<Candidate, Rejection>,
}

/// A well-formed, valid mutation of a participant the caller logs for.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub entry_id: Uuid,
    pub op: Op,
    pub kind: Kind,
    pub base_version: Option<i64>,
    pub reason: Option<String>,
    pub recorded_at: DateTime<FixedOffset>,
    /// For create and amend: data, classification and event time. A void
    /// keeps those of the version it voids.
    pub content: Option<Content>,
    /// Warnings for the person who saved it (unit mix-ups).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Content {
    pub data: String,
    pub classification: Option<String>,
    pub event_at: DateTime<FixedOffset>,
}

/// Who sends the batch, from which device, and when it arrived.
#[derive(Debug, Clone)]
pub struct Sender {
    pub user_id: Uuid,
    pub role: Role,
    pub device_id: String,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    Applied,
    Duplicate,
    Conflict,
    Rejected,
}

/// One mutation's result, as the contract spells it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MutationResult {
    pub id: Option<Uuid>,
    pub status: ResultStatus,
    pub entry_id: Option<Uuid>,
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Rejection>,
    /// For a duplicate: what happened the first time.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::schema::MutationOutcome>)]
    pub original_status: Option<MutationStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Everything a batch writes, in order, and what it answers.
#[derive(Debug, Default)]
pub struct Plan {
    pub results: Vec<MutationResult>,
    pub records: Vec<MutationRecord>,
    pub versions: Vec<EntryVersion>,
    /// Current versions of entries a mutation conflicted with: the answer's
    /// `changes` must hold them whatever the caller's cursor.
    pub conflicts: Vec<EntryVersion>,
}

pub fn plan(
    sender: &Sender,
    incoming: &[Incoming],
    mut seen: HashMap<Uuid, MutationRecord>,
    mut heads: HashMap<Uuid, EntryVersion>,
    seq: i64,
) -> Plan {
    let mut plan = Plan::default();
    for m in incoming {
        let result = match m.id.and_then(|id| seen.get(&id)) {
            Some(first) if first.content_hash == m.content_hash => duplicate(first),
            Some(first) => MutationResult {
                id: Some(first.id),
                status: ResultStatus::Rejected,
                entry_id: None,
                version: None,
                error: Some(Rejection::new(
                    "idempotency_mismatch",
                    "This mutation id was used before for different content.",
                )),
                original_status: None,
                warnings: Vec::new(),
            },
            None => {
                let result = decide(sender, m, &mut heads, seq, &mut plan);
                if let Some(id) = m.id {
                    let record = record_of(sender, id, &m.content_hash, &result);
                    seen.insert(id, record.clone());
                    plan.records.push(record);
                }
                result
            }
        };
        plan.results.push(result);
    }
    plan
}

fn duplicate(first: &MutationRecord) -> MutationResult {
    MutationResult {
        id: Some(first.id),
        status: ResultStatus::Duplicate,
        entry_id: first.entry_id,
        version: first.version,
        error: first
            .error
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok()),
        original_status: Some(first.status),
        warnings: Vec::new(),
    }
}

fn record_of(sender: &Sender, id: Uuid, hash: &str, result: &MutationResult) -> MutationRecord {
    MutationRecord {
        id,
        user_id: sender.user_id,
        device_id: sender.device_id.clone(),
        content_hash: hash.to_owned(),
        status: match result.status {
            ResultStatus::Applied | ResultStatus::Duplicate => MutationStatus::Applied,
            ResultStatus::Conflict => MutationStatus::Conflict,
            ResultStatus::Rejected => MutationStatus::Rejected,
        },
        entry_id: result.entry_id,
        version: result.version,
        error: result
            .error
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok()),
        received_at: sender.received_at,
    }
}

fn rejected(id: Option<Uuid>, entry_id: Option<Uuid>, error: Rejection) -> MutationResult {
    MutationResult {
        id,
        status: ResultStatus::Rejected,
        entry_id,
        version: None,
        error: Some(error),
        original_status: None,
        warnings: Vec::new(),
    }
}

/// A first-seen mutation: applied, conflict or rejected.
fn decide(
    sender: &Sender,
    m: &Incoming,
    heads: &mut HashMap<Uuid, EntryVersion>,
    seq: i64,
    plan: &mut Plan,
) -> MutationResult {
    let c = match &m.checked {
        Ok(c) => c,
        Err(rejection) => return rejected(m.id, None, rejection.clone()),
    };
    let head = heads.get(&c.entry_id);
    let conflict = |head: &EntryVersion, message: &str| MutationResult {
        id: Some(c.id),
        status: ResultStatus::Conflict,
        entry_id: Some(c.entry_id),
        version: Some(head.version),
        error: Some(Rejection::new("conflict", message)),
        original_status: None,
        warnings: Vec::new(),
    };
    let (version, content, status) = match (c.op, head) {
        (Op::Create, Some(head)) => {
            plan.conflicts.push(head.clone());
            return conflict(head, "An entry with this id exists already.");
        }
        (Op::Create, None) => match &c.content {
            Some(content) => (1, content.clone(), EntryStatus::Active),
            None => return internal_mismatch(c),
        },
        (Op::Amend | Op::Void, None) => {
            return rejected(
                Some(c.id),
                Some(c.entry_id),
                Rejection::invalid([("entry_id".into(), "no such entry".into())].into()),
            );
        }
        (Op::Amend | Op::Void, Some(head)) => {
            if head.participant_id != c.participant_id {
                // Not the caller's to know about another participant's entry.
                return rejected(
                    Some(c.id),
                    Some(c.entry_id),
                    Rejection::invalid([("entry_id".into(), "no such entry".into())].into()),
                );
            }
            if head.kind != c.kind {
                return rejected(
                    Some(c.id),
                    Some(c.entry_id),
                    Rejection::invalid(
                        [("kind".into(), "does not match the entry's kind".into())].into(),
                    ),
                );
            }
            if c.base_version.is_some_and(|b| b != head.version) {
                plan.conflicts.push(head.clone());
                return conflict(
                    head,
                    "The entry was changed since this edit began; nothing was overwritten.",
                );
            }
            if head.status == EntryStatus::Voided {
                return rejected(
                    Some(c.id),
                    Some(c.entry_id),
                    Rejection::new("entry_voided", "This entry was removed already."),
                );
            }
            match (c.op, &c.content) {
                (Op::Amend, Some(content)) => {
                    (head.version + 1, content.clone(), EntryStatus::Active)
                }
                (Op::Void, _) => (
                    head.version + 1,
                    Content {
                        data: head.data.clone(),
                        classification: head.classification.clone(),
                        event_at: event_time_of(head),
                    },
                    EntryStatus::Voided,
                ),
                _ => return internal_mismatch(c),
            }
        }
    };
    let stored = EntryVersion {
        entry_id: c.entry_id,
        version,
        participant_id: c.participant_id,
        kind: c.kind,
        op: c.op,
        status,
        late: app::domain::mutation::is_late(content.event_at, c.recorded_at),
        event_at_us: content.event_at.timestamp_micros(),
        data: content.data,
        classification: content.classification,
        entered_by: sender.user_id,
        entered_by_role: sender.role,
        device_id: sender.device_id.clone(),
        recorded_at: c.recorded_at,
        received_at: sender.received_at,
        reason: c.reason.clone(),
        mutation_id: c.id,
        change_seq: seq,
    };
    heads.insert(c.entry_id, stored.clone());
    plan.versions.push(stored);
    MutationResult {
        id: Some(c.id),
        status: ResultStatus::Applied,
        entry_id: Some(c.entry_id),
        version: Some(version),
        error: None,
        original_status: None,
        warnings: c.warnings.clone(),
    }
}

/// A create or amend reached the planner without content: a bug upstream,
/// answered as a rejection rather than a panic.
fn internal_mismatch(c: &Candidate) -> MutationResult {
    rejected(
        Some(c.id),
        Some(c.entry_id),
        Rejection::invalid([("data".into(), "required".into())].into()),
    )
}

/// The event time of a stored version, in UTC (the offset lives in `data`).
fn event_time_of(v: &EntryVersion) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_micros(v.event_at_us)
        .unwrap_or_default()
        .fixed_offset()
}
