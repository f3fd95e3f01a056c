//! Diary entries and sync.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{
    Conn, Db, Pool, ThisStore, Uid, append_audits, id_list, in_ids, uid, unexpected, uuid_of,
};
use crate::store::{
    ChangeCursor, EntryQuery, EntryStatus, EntryVersion, MutationRecord, MutationStatus,
    StoreError, SyncBatch, SyncOutcome, events, finish_pull, sync_plan as plan,
};

/// Rows a multi-row insert carries: 18 columns x 500 stays under both
/// backends' limit on bound parameters.
const CHUNK: usize = 500;

const ENTRY_COLUMNS: &str = "v.entry_id, v.version, v.participant_id, v.kind, v.op, v.status,
    v.data, v.classification, v.event_at_us, v.entered_by, v.entered_by_role, v.device_id,
    v.recorded_at, v.received_at, v.late, v.reason, v.mutation_id, v.change_seq";

/// Current versions: the head row joined to the version it points at.
const CURRENT: &str = "FROM entries e
    JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.current_version";

#[derive(sqlx::FromRow)]
struct EntryRow {
    entry_id: Uid,
    version: i64,
    participant_id: Uid,
    kind: String,
    op: String,
    status: String,
    data: String,
    classification: Option<String>,
    event_at_us: i64,
    entered_by: Uid,
    entered_by_role: String,
    device_id: String,
    recorded_at: String,
    received_at: DateTime<Utc>,
    late: bool,
    reason: Option<String>,
    mutation_id: Uid,
    change_seq: i64,
}

impl TryFrom<EntryRow> for EntryVersion {
    type Error = sqlx::Error;

    fn try_from(r: EntryRow) -> Result<Self, sqlx::Error> {
        let (kind, op, status, role, recorded) =
            (r.kind, r.op, r.status, r.entered_by_role, r.recorded_at);
        Ok(EntryVersion {
            entry_id: uuid_of(r.entry_id),
            version: r.version,
            participant_id: uuid_of(r.participant_id),
            kind: app::domain::entry::Kind::parse(&kind)
                .ok_or_else(|| unexpected("kind", &kind))?,
            op: app::domain::mutation::Op::parse(&op).ok_or_else(|| unexpected("op", &op))?,
            status: EntryStatus::parse(&status).ok_or_else(|| unexpected("status", &status))?,
            data: r.data,
            classification: r.classification,
            event_at_us: r.event_at_us,
            entered_by: uuid_of(r.entered_by),
            entered_by_role: role.parse().map_err(|_| unexpected("role", &role))?,
            device_id: r.device_id,
            recorded_at: DateTime::parse_from_rfc3339(&recorded)
                .map_err(|_| unexpected("recorded_at", &recorded))?,
            received_at: r.received_at,
            late: r.late,
            reason: r.reason,
            mutation_id: uuid_of(r.mutation_id),
            change_seq: r.change_seq,
        })
    }
}

/// A row of `sync_mutations`.
#[derive(sqlx::FromRow)]
struct MutationRow {
    id: Uid,
    user_id: Uid,
    device_id: String,
    content_hash: String,
    status: String,
    entry_id: Option<Uid>,
    version: Option<i64>,
    error: Option<String>,
    received_at: DateTime<Utc>,
}

impl TryFrom<MutationRow> for MutationRecord {
    type Error = sqlx::Error;

    fn try_from(r: MutationRow) -> Result<Self, sqlx::Error> {
        let status = r.status;
        Ok(MutationRecord {
            id: uuid_of(r.id),
            user_id: uuid_of(r.user_id),
            device_id: r.device_id,
            content_hash: r.content_hash,
            status: MutationStatus::parse(&status).ok_or_else(|| unexpected("status", &status))?,
            entry_id: r.entry_id.map(uuid_of),
            version: r.version,
            error: r.error,
            received_at: r.received_at,
        })
    }
}

pub(super) async fn sync_batch(
    store: &ThisStore,
    batch: &SyncBatch<'_>,
) -> Result<SyncOutcome, StoreError> {
    if batch.incoming.is_empty() {
        // A pull alone writes nothing and needs no write lock.
        let mut conn = store.pool.acquire().await?;
        let rows = pull(&mut conn, batch).await?;
        let (changes, next, more) = finish_pull(rows, batch.pull_limit, Vec::new());
        return Ok(SyncOutcome {
            results: Vec::new(),
            changes,
            next,
            more,
            alerts_changed: false,
        });
    }
    let mut tx = store.begin_write().await?;
    let seq: i64 = sqlx::query_scalar("UPDATE sync_head SET seq = seq + 1 RETURNING seq")
        .fetch_one(&mut *tx)
        .await?;
    let ids: Vec<Uuid> = batch.incoming.iter().filter_map(|m| m.id).collect();
    let seen = sqlx::query_as::<_, MutationRow>(&format!(
        "SELECT id, user_id, device_id, content_hash, status, entry_id, version, error, received_at
           FROM sync_mutations WHERE id {}",
        in_ids(1)
    ))
    .bind(id_list(&ids))
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| MutationRecord::try_from(r).map(|m| (m.id, m)))
    .collect::<Result<HashMap<_, _>, _>>()?;
    let entry_ids: Vec<Uuid> = batch
        .incoming
        .iter()
        .filter_map(|m| m.checked.as_ref().ok().map(|c| c.entry_id))
        .collect();
    let heads = sqlx::query_as::<_, EntryRow>(&format!(
        "SELECT {ENTRY_COLUMNS} {CURRENT} WHERE e.id {}",
        in_ids(1)
    ))
    .bind(id_list(&entry_ids))
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| EntryVersion::try_from(r).map(|v| (v.entry_id, v)))
    .collect::<Result<HashMap<_, _>, _>>()?;

    let plan = plan::plan(batch.sender, batch.incoming, seen, heads, seq);

    insert_records(&mut tx, &plan.records).await?;
    insert_versions(&mut tx, &plan.versions).await?;
    let mut audit: Vec<_> = plan
        .versions
        .iter()
        .map(events::entry_version_saved)
        .collect();
    // Alerts are raised in the transaction that stores their cause.
    let alert_changes =
        super::alerts::apply_rules(&mut tx, &plan.versions, batch.alert_settings).await?;
    let alerts_changed = !alert_changes.is_empty();
    audit.extend(alert_changes);
    append_audits(&mut tx, batch.context, &audit).await?;
    let rows = pull(&mut tx, batch).await?;
    tx.commit().await?;
    let (changes, next, more) = finish_pull(rows, batch.pull_limit, plan.conflicts);
    Ok(SyncOutcome {
        results: plan.results,
        changes,
        next,
        more,
        alerts_changed,
    })
}

/// One statement per table for the whole batch: per-statement overhead,
/// not the rows, is what a batch of small inserts costs.
async fn insert_records(conn: &mut Conn, records: &[MutationRecord]) -> Result<(), StoreError> {
    for chunk in records.chunks(CHUNK) {
        QueryBuilder::<Db>::new(
            "INSERT INTO sync_mutations
               (id, user_id, device_id, content_hash, status, entry_id, version, error, received_at) ",
        )
        .push_values(chunk, |mut row, r| {
            row.push_bind(uid(r.id))
                .push_bind(uid(r.user_id))
                .push_bind(&r.device_id)
                .push_bind(&r.content_hash)
                .push_bind(r.status.as_str())
                .push_bind(r.entry_id.map(uid))
                .push_bind(r.version)
                .push_bind(&r.error)
                .push_bind(r.received_at);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn insert_versions(conn: &mut Conn, versions: &[EntryVersion]) -> Result<(), StoreError> {
    // The head row of each entry moves to its last version of the batch
    // (one row per entry: a statement may not update a row twice).
    let mut heads: Vec<&EntryVersion> = Vec::new();
    for v in versions {
        match heads.iter_mut().find(|h| h.entry_id == v.entry_id) {
            Some(head) => *head = v,
            None => heads.push(v),
        }
    }
    for chunk in heads.chunks(CHUNK) {
        QueryBuilder::<Db>::new(
            "INSERT INTO entries (id, participant_id, kind, current_version, event_at_us, change_seq) ",
        )
        .push_values(chunk, |mut row, v| {
            row.push_bind(uid(v.entry_id))
                .push_bind(uid(v.participant_id))
                .push_bind(v.kind.as_str())
                .push_bind(v.version)
                .push_bind(v.event_at_us)
                .push_bind(v.change_seq);
        })
        .push(
            " ON CONFLICT (id) DO UPDATE SET current_version = excluded.current_version,
               event_at_us = excluded.event_at_us, change_seq = excluded.change_seq",
        )
        .build()
        .execute(&mut *conn)
        .await?;
    }
    for chunk in versions.chunks(CHUNK) {
        QueryBuilder::<Db>::new(
            "INSERT INTO entry_versions (entry_id, version, participant_id, kind, op, status, data,
               classification, event_at_us, entered_by, entered_by_role, device_id, recorded_at,
               received_at, late, reason, mutation_id, change_seq) ",
        )
        .push_values(chunk, |mut row, v| {
            row.push_bind(uid(v.entry_id))
                .push_bind(v.version)
                .push_bind(uid(v.participant_id))
                .push_bind(v.kind.as_str())
                .push_bind(v.op.as_str())
                .push_bind(v.status.as_str())
                .push_bind(&v.data)
                .push_bind(&v.classification)
                .push_bind(v.event_at_us)
                .push_bind(uid(v.entered_by))
                .push_bind(v.entered_by_role.as_str())
                .push_bind(&v.device_id)
                .push_bind(v.recorded_at.to_rfc3339())
                .push_bind(v.received_at)
                .push_bind(v.late)
                .push_bind(&v.reason)
                .push_bind(uid(v.mutation_id))
                .push_bind(v.change_seq);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Current entries of the batch's participants after its cursor, one more
/// than the limit.
async fn pull(conn: &mut Conn, batch: &SyncBatch<'_>) -> Result<Vec<EntryVersion>, StoreError> {
    let ChangeCursor { seq, entry_id } = batch.since;
    Ok(sqlx::query_as::<_, EntryRow>(&format!(
        "SELECT {ENTRY_COLUMNS} {CURRENT}
          WHERE e.participant_id {}
            AND (e.change_seq > $2 OR (e.change_seq = $2 AND e.id > $3))
          ORDER BY e.change_seq, e.id LIMIT $4",
        in_ids(1)
    ))
    .bind(id_list(batch.participants))
    .bind(seq)
    .bind(uid(entry_id))
    .bind(batch.pull_limit + 1)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(EntryVersion::try_from)
    .collect::<Result<_, _>>()?)
}

pub(super) async fn entries_page(
    pool: &Pool,
    participant: Uuid,
    q: &EntryQuery,
) -> Result<Vec<EntryVersion>, StoreError> {
    let (before_at, before_id) = q.before.unwrap_or((i64::MAX, Uuid::max()));
    Ok(sqlx::query_as::<_, EntryRow>(&format!(
        "SELECT {ENTRY_COLUMNS} {CURRENT}
          WHERE e.participant_id = $1
            AND ($2 IS NULL OR e.kind = $2)
            AND e.event_at_us >= $3 AND e.event_at_us < $4 AND e.event_at_us <= $5
            AND (e.event_at_us < $5 OR (e.event_at_us = $5 AND e.id < $6))
          ORDER BY e.event_at_us DESC, e.id DESC LIMIT $7"
    ))
    .bind(uid(participant))
    .bind(q.kind.map(|k| k.as_str()))
    // Plain bounds (no "IS NULL OR"), so the time index is searched, not
    // scanned: a week in March no longer reads the participant's whole year.
    .bind(q.from_us.unwrap_or(i64::MIN))
    .bind(q.to_us.unwrap_or(i64::MAX))
    .bind(before_at)
    .bind(uid(before_id))
    .bind(q.limit)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(EntryVersion::try_from)
    .collect::<Result<_, _>>()?)
}

/// Every version of every entry of a participant, by event time, entry
/// and version (exports: one participant in memory at a time).
pub(super) async fn participant_versions(
    pool: &Pool,
    participant: Uuid,
) -> Result<Vec<EntryVersion>, StoreError> {
    Ok(sqlx::query_as::<_, EntryRow>(&format!(
        // Through `entries` (indexed by participant): entry_versions is
        // keyed by entry.
        "SELECT {ENTRY_COLUMNS} FROM entries e JOIN entry_versions v ON v.entry_id = e.id
          WHERE e.participant_id = $1
          ORDER BY v.event_at_us, v.entry_id, v.version"
    ))
    .bind(uid(participant))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(EntryVersion::try_from)
    .collect::<Result<_, _>>()?)
}

pub(super) async fn entry_history(
    pool: &Pool,
    entry: Uuid,
) -> Result<Vec<EntryVersion>, StoreError> {
    Ok(sqlx::query_as::<_, EntryRow>(&format!(
        "SELECT {ENTRY_COLUMNS} FROM entry_versions v WHERE v.entry_id = $1 ORDER BY v.version"
    ))
    .bind(uid(entry))
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(EntryVersion::try_from)
    .collect::<Result<_, _>>()?)
}

/// (participant, event time) of the current, not voided entries of the
/// participants of `sites` whose events fall in [from, to).
pub(super) async fn event_times(
    store: &super::ThisStore,
    sites: &[Uuid],
    from_us: i64,
    to_us: i64,
) -> Result<Vec<(Uuid, i64)>, StoreError> {
    let rows: Vec<(Uid, i64)> = sqlx::query_as(&format!(
        "SELECT e.participant_id, e.event_at_us FROM entries e
           JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.current_version
          WHERE e.participant_id IN (SELECT id FROM participants WHERE site_id {})
            AND e.event_at_us >= $2 AND e.event_at_us < $3 AND v.status = 'active'",
        in_ids(1)
    ))
    .bind(id_list(sites))
    .bind(from_us)
    .bind(to_us)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(|(p, at)| (uuid_of(p), at)).collect())
}
