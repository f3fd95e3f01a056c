//! Visit labs.

use sqlx::Row;
use uuid::Uuid;

use super::{DbRow, Pool, ThisStore, append_audit, id, id_list, in_ids, uid};
use crate::{
    audit::AuditContext,
    store::{LabVersion, StoreError, events, labs_common},
};

const COLUMNS: &str = "lab_id, version, participant_id, status, visit, taken_at, taken_on, kind,
    name, value, unit, entered_by, entered_by_role, received_at, reason";

fn lab_from(row: &DbRow) -> Result<LabVersion, sqlx::Error> {
    labs_common::lab_from(
        id(row, "lab_id")?,
        id(row, "participant_id")?,
        id(row, "entered_by")?,
        |c| row.try_get::<String, _>(c),
        row.try_get("version")?,
        row.try_get("value")?,
        row.try_get("name")?,
        row.try_get("reason")?,
        row.try_get("received_at")?,
        row.try_get("taken_on")?,
    )
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
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM lab_versions WHERE participant_id = $1 ORDER BY lab_id, version"
    ))
    .bind(uid(participant))
    .fetch_all(pool)
    .await?
    .iter()
    .map(lab_from)
    .collect::<Result<_, _>>()?)
}

/// Every lab version of every participant of `sites`.
pub(super) async fn of_sites(pool: &Pool, sites: &[Uuid]) -> Result<Vec<LabVersion>, StoreError> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM lab_versions
          WHERE participant_id IN (SELECT id FROM participants WHERE site_id {})
          ORDER BY participant_id, lab_id, version",
        in_ids(1)
    ))
    .bind(id_list(sites))
    .fetch_all(pool)
    .await?
    .iter()
    .map(lab_from)
    .collect::<Result<_, _>>()?)
}

pub(super) async fn history(pool: &Pool, lab: Uuid) -> Result<Vec<LabVersion>, StoreError> {
    Ok(sqlx::query(&format!(
        "SELECT {COLUMNS} FROM lab_versions WHERE lab_id = $1 ORDER BY version"
    ))
    .bind(uid(lab))
    .fetch_all(pool)
    .await?
    .iter()
    .map(lab_from)
    .collect::<Result<_, _>>()?)
}
