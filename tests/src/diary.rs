//! Diary mutations as a phone builds them.

use chrono::{Duration, FixedOffset, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// Now plus `offset`, as a phone in China writes it (+08:00).
pub fn at(offset: Duration) -> String {
    (Utc::now() + offset)
        .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("offset"))
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A new glucose reading taken five minutes ago.
pub fn glucose(participant: Uuid, value: Value, unit: &str) -> Value {
    let id = Uuid::now_v7();
    json!({
        "id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": "glucose",
        "recorded_at": at(Duration::zero()),
        "data": {"measured_at": at(Duration::minutes(-5)), "value": value, "unit": unit,
                 "context": "before_meal", "source": "meter"}
    })
}

/// An amendment of the entry `of` was made by, at `base`.
pub fn amend(of: &Value, base: i64, data: Value, reason: &str) -> Value {
    json!({
        "id": Uuid::now_v7(), "participant_id": of["participant_id"], "entry_id": of["entry_id"],
        "op": "amend", "kind": of["kind"], "base_version": base, "reason": reason,
        "recorded_at": at(Duration::zero()), "data": data
    })
}
