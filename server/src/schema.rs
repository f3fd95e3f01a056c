//! OpenAPI schemas for JSON the server handles untyped (sync mutations stay
//! raw JSON so one bad mutation is rejected on its own; stored entry data is
//! JSON), and for enums of the store that are kept as text on the wire. They
//! describe; nothing builds them. A leaf: the sync, the store and the HTTP
//! layer all point here.

use app::domain::{
    entry::{GlucoseData, HypoData, InsulinData, Kind},
    mutation::Op,
};
use chrono::{DateTime, FixedOffset};
use utoipa::ToSchema;
use uuid::Uuid;

/// One diary change in `POST /api/v1/sync`. A mutation that breaks these
/// rules is answered `rejected` with a `validation_failed` error naming the
/// field; the rest of the batch still applies.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SyncMutation {
    /// Made on the device: the idempotency key.
    id: Uuid,
    participant_id: Uuid,
    /// The entry; equal to `id` for a create.
    entry_id: Uuid,
    op: Op,
    kind: Kind,
    /// The entry's current version, for amend and void.
    #[schema(minimum = 1)]
    base_version: Option<i64>,
    /// Why: required for amend and void.
    reason: Option<String>,
    /// Device time when the person saved it, with offset.
    recorded_at: DateTime<FixedOffset>,
    /// The entry by `kind`; none (or `{}`) for a void.
    data: Option<EntryData>,
}

/// `data` of an entry, by its `kind`: `GlucoseData` for `glucose`,
/// `InsulinData` for `insulin`, `HypoData` for `hypo`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum EntryData {
    Glucose(GlucoseData),
    Insulin(InsulinData),
    Hypo(HypoData),
}

/// Whether an entry stands or was voided.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Active,
    Voided,
}

/// For a `duplicate`: what became of the mutation the first time.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum MutationOutcome {
    Applied,
    Conflict,
    Rejected,
}
