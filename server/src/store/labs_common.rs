//! Reading a stored lab version, the same on every backend.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{EntryStatus, LabVersion};
use app::domain::labs::{LabInput, LabKind};

fn decode_err(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {what} {value:?}").into())
}

/// A lab version from its columns (`text` reads a text column by name).
#[allow(clippy::too_many_arguments)]
pub(crate) fn lab_from(
    lab_id: Uuid,
    participant_id: Uuid,
    entered_by: Uuid,
    text: impl Fn(&str) -> Result<String, sqlx::Error>,
    version: i64,
    value: f64,
    name: Option<String>,
    reason: Option<String>,
    received_at: DateTime<Utc>,
    taken_on: NaiveDate,
) -> Result<LabVersion, sqlx::Error> {
    let (status, kind, role) = (text("status")?, text("kind")?, text("entered_by_role")?);
    Ok(LabVersion {
        lab_id,
        version,
        participant_id,
        status: EntryStatus::parse(&status).ok_or_else(|| decode_err("status", &status))?,
        input: LabInput {
            visit: text("visit")?,
            taken_at: text("taken_at")?,
            kind: LabKind::parse(&kind).ok_or_else(|| decode_err("kind", &kind))?,
            name,
            value,
            unit: text("unit")?,
        },
        taken_on,
        entered_by,
        entered_by_role: role.parse().map_err(|_| decode_err("role", &role))?,
        received_at,
        reason,
    })
}
