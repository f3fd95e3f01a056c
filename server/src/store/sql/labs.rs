//! Visit labs.

use app::domain::labs::{LabInput, LabKind};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Pool, ThisStore, Uid, append_audit, id_list, in_ids, uid, unexpected, uuid_of};
use crate::{
    audit::AuditContext,
    store::{EntryStatus, LabVersion, StoreError, events},
};

const COLUMNS: &str = "lab_id, version, participant_id, status, visit, taken_at, taken_on, kind,
    name, value, unit, entered_by, entered_by_role, received_at, reason";

#[derive(sqlx::FromRow)]
struct LabRow {
    lab_id: Uid,
    version: i64,
    participant_id: Uid,
    status: String,
    visit: String,
    taken_at: String,
    taken_on: NaiveDate,
    kind: String,
    name: Option<String>,
    value: f64,
    unit: String,
    entered_by: Uid,
    entered_by_role: String,
    received_at: DateTime<Utc>,
    reason: Option<String>,
}

impl TryFrom<LabRow> for LabVersion {
    type Error = sqlx::Error;

    fn try_from(r: LabRow) -> Result<Self, sqlx::Error> {
        let (status, kind, role) = (r.status, r.kind, r.entered_by_role);
        Ok(LabVersion {
            lab_id: uuid_of(r.lab_id),
            version: r.version,
            participant_id: uuid_of(r.participant_id),
            status: EntryStatus::parse(&status).ok_or_else(|| unexpected("status", &status))?,
            input: LabInput {
                visit: r.visit,
                taken_at: r.taken_at,
                kind: LabKind::parse(&kind).ok_or_else(|| unexpected("kind", &kind))?,
                name: r.name,
                value: r.value,
                unit: r.unit,
            },
            taken_on: r.taken_on,
            entered_by: uuid_of(r.entered_by),
            entered_by_role: role.parse().map_err(|_| unexpected("role", &role))?,
            received_at: r.received_at,
            reason: r.reason,
        })
    }
}

pub(super) async fn save(
    store: &ThisStore,
    v: &LabVersion,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(&format!(
        "INSERT INTO lab_versions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
    .bind(uid(v.lab_id))
    .bind(v.version)
    .bind(uid(v.participant_id))
    .bind(v.status.as_str())
    .bind(&v.input.visit)
    .bind(&v.input.taken_at)
    .bind(v.taken_on)
    .bind(v.input.kind.as_str())
    .bind(&v.input.name)
    .bind(v.input.value)
    .bind(&v.input.unit)
    .bind(uid(v.entered_by))
    .bind(v.entered_by_role.to_string())
    .bind(v.received_at)
    .bind(&v.reason)
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::unique(e, "lab version"))?;
    append_audit(&mut tx, context, &events::lab_version_saved(v)).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn of_participant(
    pool: &Pool,
    participant: Uuid,
) -> Result<Vec<LabVersion>, StoreError> {
    Ok(sqlx::query_as::<_, LabRow>(&format!(
        "SELECT {COLUMNS} FROM lab_versions WHERE participant_id = $1 ORDER BY lab_id, version"
    ))
    .bind(uid(participant))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(LabVersion::try_from)
    .collect::<Result<_, _>>()?)
}

/// Every lab version of every participant of `sites`.
pub(super) async fn of_sites(pool: &Pool, sites: &[Uuid]) -> Result<Vec<LabVersion>, StoreError> {
    Ok(sqlx::query_as::<_, LabRow>(&format!(
        "SELECT {COLUMNS} FROM lab_versions
          WHERE participant_id IN (SELECT id FROM participants WHERE site_id {})
          ORDER BY participant_id, lab_id, version",
        in_ids(1)
    ))
    .bind(id_list(sites))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(LabVersion::try_from)
    .collect::<Result<_, _>>()?)
}

pub(super) async fn history(pool: &Pool, lab: Uuid) -> Result<Vec<LabVersion>, StoreError> {
    Ok(sqlx::query_as::<_, LabRow>(&format!(
        "SELECT {COLUMNS} FROM lab_versions WHERE lab_id = $1 ORDER BY version"
    ))
    .bind(uid(lab))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(LabVersion::try_from)
    .collect::<Result<_, _>>()?)
}
