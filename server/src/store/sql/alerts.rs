//! Alerts: the rules applied inside the sync transaction, the
//! stream's events, the outbox and escalation.

use std::collections::{HashMap, HashSet};

use app::domain::{
    alerts::{self, AlertAction, AlertSettings, KnownAlert, Rule, StoredVersion, Surroundings},
    classification::Classification,
    entry::Kind,
};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{
    Conn, FOR_UPDATE, SKIP_LOCKED, ThisStore, Uid, append_audits, id_list, in_ids, uid, unexpected,
    uuid_of,
};
use crate::{
    audit::{AuditContext, AuditEvent},
    store::{
        AlertEventRow, AlertRecord, AlertStatus, Channel, Contact, Delivery, DeliveryOutcome,
        DeliveryStatus, DiaryActivity, EntryStatus, EntryVersion, StoreError, alert_view::body_of,
        events,
    },
};

const ALERT_COLUMNS: &str = "SELECT a.id, a.participant_id, p.study_id, a.site_id, a.rule,
    a.severity, a.entry_id, a.created_at, a.status, a.acknowledged_by, a.acknowledged_at, a.note,
    a.report_due_at, a.reported_at, a.reported_by, a.reported_note, a.resolved_at,
    a.resolution_note, a.readings, a.escalation_level
    FROM alerts a JOIN participants p ON p.id = a.participant_id";

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: Uid,
    participant_id: Uid,
    study_id: String,
    site_id: Uid,
    rule: String,
    entry_id: Option<Uid>,
    created_at: DateTime<Utc>,
    status: String,
    acknowledged_by: Option<Uid>,
    acknowledged_at: Option<DateTime<Utc>>,
    note: Option<String>,
    report_due_at: Option<DateTime<Utc>>,
    reported_at: Option<DateTime<Utc>>,
    reported_by: Option<Uid>,
    reported_note: Option<String>,
    resolved_at: Option<DateTime<Utc>>,
    resolution_note: Option<String>,
    readings: i64,
    escalation_level: i64,
}

impl TryFrom<AlertRow> for AlertRecord {
    type Error = sqlx::Error;

    fn try_from(r: AlertRow) -> Result<Self, sqlx::Error> {
        let rule = Rule::parse(&r.rule).ok_or_else(|| unexpected("rule", &r.rule))?;
        Ok(AlertRecord {
            id: uuid_of(r.id),
            participant_id: uuid_of(r.participant_id),
            study_id: r.study_id,
            site_id: uuid_of(r.site_id),
            severity: rule.severity(),
            rule,
            entry_id: r.entry_id.map(uuid_of),
            created_at: r.created_at,
            status: AlertStatus::parse(&r.status).ok_or_else(|| unexpected("status", &r.status))?,
            acknowledged_by: r.acknowledged_by.map(uuid_of),
            acknowledged_at: r.acknowledged_at,
            note: r.note,
            report_due_at: r.report_due_at,
            reported_at: r.reported_at,
            reported_by: r.reported_by.map(uuid_of),
            reported_note: r.reported_note,
            resolved_at: r.resolved_at,
            resolution_note: r.resolution_note,
            readings: r.readings,
            escalation_level: r.escalation_level,
        })
    }
}

fn channel(text: &str) -> Result<Channel, sqlx::Error> {
    Channel::parse(text).ok_or_else(|| unexpected("channel", text))
}

async fn alert_in(conn: &mut Conn, alert: Uuid) -> Result<AlertRecord, StoreError> {
    let row = sqlx::query_as::<_, AlertRow>(&format!("{ALERT_COLUMNS} WHERE a.id = $1"))
        .bind(uid(alert))
        .fetch_one(conn)
        .await?;
    Ok(AlertRecord::try_from(row)?)
}

/// Records a change of `alert` for the stream: its JSON after the change,
/// under the next event number. Returns the number.
async fn record_event(conn: &mut Conn, alert: &AlertRecord) -> Result<i64, StoreError> {
    let seq: i64 = sqlx::query_scalar("UPDATE alert_head SET seq = seq + 1 RETURNING seq")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO alert_events (seq, alert_id, site_id, created_at, body) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(seq)
    .bind(uid(alert.id))
    .bind(uid(alert.site_id))
    .bind(Utc::now())
    .bind(body_of(alert))
    .execute(conn)
    .await?;
    Ok(seq)
}

/// Queues the alert for every contact of its site at `level`; false when
/// the site has no contact there.
async fn enqueue(
    conn: &mut Conn,
    alert: &AlertRecord,
    event_seq: i64,
    level: i64,
) -> Result<bool, StoreError> {
    let contacts = contacts_in(conn, alert.site_id).await?;
    let now = Utc::now();
    let mut any = false;
    for c in contacts.iter().filter(|c| c.level == level) {
        any = true;
        sqlx::query(
            "INSERT INTO alert_outbox (id, alert_id, event_seq, channel, target, body, created_at,
               next_attempt_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uid(Uuid::now_v7()))
        .bind(uid(alert.id))
        .bind(event_seq)
        .bind(c.channel.as_str())
        .bind(&c.target)
        .bind(body_of(alert))
        .bind(now)
        .bind(now.timestamp_micros())
        .execute(&mut *conn)
        .await?;
    }
    Ok(any)
}

async fn contacts_in(conn: &mut Conn, site: Uuid) -> Result<Vec<Contact>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT level, channel, target FROM site_contacts
          WHERE site_id = $1 AND retired_at IS NULL ORDER BY level, created_at",
    )
    .bind(uid(site))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(level, text, target)| {
            Ok(Contact {
                level,
                channel: channel(&text)?,
                target,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

struct NewAlert {
    participant: Uuid,
    site: Uuid,
    rule: Rule,
    entry: Option<Uuid>,
    report_due_at: Option<DateTime<Utc>>,
}

/// Writes a new open alert, its first stream event, and its deliveries to
/// the first contact list (critical and high alerts; info ones stay in the
/// inbox). Critical alerts start their escalation clock.
async fn insert_alert(
    conn: &mut Conn,
    new: NewAlert,
    settings: &AlertSettings,
) -> Result<AlertRecord, StoreError> {
    let alert = Uuid::now_v7();
    let severity = new.rule.severity();
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO alerts (id, participant_id, site_id, rule, severity, entry_id,
           created_at, status, report_due_at, escalate_at_us, readings)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)",
    )
    .bind(uid(alert))
    .bind(uid(new.participant))
    .bind(uid(new.site))
    .bind(new.rule.as_str())
    .bind(severity.as_str())
    .bind(new.entry.map(uid))
    .bind(now)
    .bind(new.report_due_at)
    .bind(
        (severity == alerts::Severity::Critical)
            .then(|| (now + settings.escalate_after).timestamp_micros()),
    )
    // A repeat counts the reading before it too.
    .bind(if new.rule == Rule::RepeatedLevel2 {
        2i64
    } else {
        1
    })
    .execute(&mut *conn)
    .await?;
    let record = alert_in(conn, alert).await?;
    let seq = record_event(conn, &record).await?;
    if severity != alerts::Severity::Info {
        enqueue(conn, &record, seq, 0).await?;
    }
    Ok(record)
}

fn stored(v: &EntryVersion) -> StoredVersion {
    StoredVersion {
        entry_id: v.entry_id,
        kind: v.kind,
        voided: v.status == EntryStatus::Voided,
        classification: v
            .classification
            .as_deref()
            .and_then(|c| serde_json::from_str::<Classification>(c).ok()),
        event_at: DateTime::from_timestamp_micros(v.event_at_us).unwrap_or_default(),
        received_at: v.received_at,
    }
}

/// An alert the rules weigh a new reading against.
#[derive(sqlx::FromRow)]
struct KnownAlertRow {
    id: Uid,
    rule: String,
    entry_id: Option<Uid>,
    status: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<KnownAlertRow> for KnownAlert {
    type Error = sqlx::Error;

    fn try_from(r: KnownAlertRow) -> Result<Self, sqlx::Error> {
        Ok(KnownAlert {
            id: uuid_of(r.id),
            rule: Rule::parse(&r.rule).ok_or_else(|| unexpected("rule", &r.rule))?,
            entry_id: r.entry_id.map(uuid_of),
            open: r.status != "resolved",
            created_at: r.created_at,
        })
    }
}

/// Applies the alert rules to the versions a sync batch just stored, in
/// its transaction; returns the audit events of what changed.
pub(super) async fn apply_rules(
    conn: &mut Conn,
    versions: &[EntryVersion],
    settings: &AlertSettings,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut audit = Vec::new();
    // Readings later in the batch are not yet "other readings" of earlier ones.
    let mut pending: HashSet<Uuid> = versions.iter().map(|v| v.entry_id).collect();
    let mut sites: HashMap<Uuid, Uuid> = HashMap::new();
    let mut resumed = HashSet::new();
    for v in versions {
        if resumed.insert(v.participant_id) {
            audit.extend(resolve_missed(conn, v.participant_id).await?);
        }
        let s = stored(v);
        pending.remove(&v.entry_id);
        let relevant = s.kind == Kind::Hypo
            || s.is_level2_reading()
            || v.op != app::domain::mutation::Op::Create;
        if !relevant {
            continue;
        }
        let known = sqlx::query_as::<_, KnownAlertRow>(
            "SELECT id, rule, entry_id, status, created_at FROM alerts
              WHERE entry_id = $1 OR (participant_id = $2 AND rule = 'repeated_level2' AND status = 'open')",
        )
        .bind(uid(v.entry_id))
        .bind(uid(v.participant_id))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(KnownAlert::try_from)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let mut other_level2_readings = Vec::new();
        if s.is_level2_reading() {
            let window = settings
                .repeat_window
                .num_microseconds()
                .unwrap_or(i64::MAX);
            let rows: Vec<(Uid, Option<String>, String, i64)> = sqlx::query_as(
                "SELECT e.id, v.classification, v.status, v.event_at_us
                   FROM entries e
                   JOIN entry_versions v ON v.entry_id = e.id AND v.version = e.current_version
                  WHERE e.participant_id = $1 AND e.kind = 'glucose' AND e.id <> $2
                    AND e.event_at_us BETWEEN $3 AND $4",
            )
            .bind(uid(v.participant_id))
            .bind(uid(v.entry_id))
            .bind(v.event_at_us.saturating_sub(window))
            .bind(v.event_at_us.saturating_add(window))
            .fetch_all(&mut *conn)
            .await?;
            for (entry, class, status, at) in rows {
                let entry = uuid_of(entry);
                let level2 = class
                    .and_then(|c| serde_json::from_str::<Classification>(&c).ok())
                    .is_some_and(|c| c.ada_level >= 2);
                if level2 && status == "active" && !pending.contains(&entry) {
                    other_level2_readings
                        .push(DateTime::from_timestamp_micros(at).unwrap_or_default());
                }
            }
        }
        let actions = alerts::evaluate(
            &s,
            &Surroundings {
                other_level2_readings,
                alerts: known,
            },
            settings,
        );
        for action in actions {
            let site = match sites.get(&v.participant_id) {
                Some(site) => *site,
                None => {
                    let site: Uid =
                        sqlx::query_scalar("SELECT site_id FROM participants WHERE id = $1")
                            .bind(uid(v.participant_id))
                            .fetch_one(&mut *conn)
                            .await?;
                    let site = uuid_of(site);
                    sites.insert(v.participant_id, site);
                    site
                }
            };
            let (alert, event) = match action {
                AlertAction::Raise {
                    rule,
                    report_due_at,
                } => {
                    let record = insert_alert(
                        conn,
                        NewAlert {
                            participant: v.participant_id,
                            site,
                            rule,
                            entry: Some(v.entry_id),
                            report_due_at,
                        },
                        settings,
                    )
                    .await?;
                    (record, "alert.raise")
                }
                AlertAction::AddTo { alert } => {
                    sqlx::query("UPDATE alerts SET readings = readings + 1 WHERE id = $1")
                        .bind(uid(alert))
                        .execute(&mut *conn)
                        .await?;
                    let record = alert_in(conn, alert).await?;
                    record_event(conn, &record).await?;
                    (record, "alert.add_reading")
                }
                AlertAction::Resolve { alert, note } => {
                    sqlx::query(
                        "UPDATE alerts SET status = 'resolved', resolved_at = $2,
                           resolution_note = $3, escalate_at_us = NULL WHERE id = $1",
                    )
                    .bind(uid(alert))
                    .bind(Utc::now())
                    .bind(&note)
                    .execute(&mut *conn)
                    .await?;
                    let record = alert_in(conn, alert).await?;
                    record_event(conn, &record).await?;
                    (record, "alert.resolve")
                }
            };
            audit.push(events::alert_changed(event, &alert, Some(v.entry_id)));
        }
    }
    Ok(audit)
}

/// A new entry ends a participant's `missed_diary` alert.
async fn resolve_missed(conn: &mut Conn, participant: Uuid) -> Result<Vec<AuditEvent>, StoreError> {
    let open: Vec<Uid> = sqlx::query_scalar(
        "SELECT id FROM alerts WHERE participant_id = $1 AND rule = 'missed_diary'
           AND status <> 'resolved'",
    )
    .bind(uid(participant))
    .fetch_all(&mut *conn)
    .await?;
    let mut audit = Vec::new();
    for alert in open.into_iter().map(uuid_of) {
        sqlx::query(
            "UPDATE alerts SET status = 'resolved', resolved_at = $2,
               resolution_note = 'The diary resumed.' WHERE id = $1",
        )
        .bind(uid(alert))
        .bind(Utc::now())
        .execute(&mut *conn)
        .await?;
        let record = alert_in(conn, alert).await?;
        record_event(conn, &record).await?;
        audit.push(events::alert_changed("alert.resolve", &record, None));
    }
    Ok(audit)
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: Uid,
    timezone: String,
    enrolled_at: DateTime<Utc>,
    last_us: Option<i64>,
    open_missed: bool,
}

impl From<ActivityRow> for DiaryActivity {
    fn from(r: ActivityRow) -> Self {
        DiaryActivity {
            participant_id: uuid_of(r.id),
            timezone: r.timezone,
            enrolled_at: r.enrolled_at,
            last_entry_at: r.last_us.and_then(DateTime::from_timestamp_micros),
            open_missed: r.open_missed,
        }
    }
}

/// When each participant last had an entry, for the missed-diary check.
pub(super) async fn activity(store: &ThisStore) -> Result<Vec<DiaryActivity>, StoreError> {
    let rows = sqlx::query_as::<_, ActivityRow>(
        "SELECT p.id, s.timezone, p.enrolled_at,
                (SELECT MAX(e.event_at_us) FROM entries e WHERE e.participant_id = p.id) AS last_us,
                EXISTS (SELECT 1 FROM alerts a WHERE a.participant_id = p.id
                          AND a.rule = 'missed_diary' AND a.status <> 'resolved') AS open_missed
           FROM participants p JOIN sites s ON s.id = p.site_id",
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(DiaryActivity::from).collect())
}

/// Raises `missed_diary` for a participant unless one is open already.
pub(super) async fn raise_missed(
    store: &ThisStore,
    participant: Uuid,
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let row: Option<(Uid, bool)> = sqlx::query_as(&format!(
        "SELECT p.site_id, EXISTS (SELECT 1 FROM alerts a WHERE a.participant_id = p.id
                  AND a.rule = 'missed_diary' AND a.status <> 'resolved') AS open_missed
           FROM participants p WHERE p.id = $1 {FOR_UPDATE}"
    ))
    .bind(uid(participant))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((site, open_missed)) = row else {
        return Ok(false);
    };
    if open_missed {
        return Ok(false);
    }
    let record = insert_alert(
        &mut tx,
        NewAlert {
            participant,
            site: uuid_of(site),
            rule: Rule::MissedDiary,
            entry: None,
            report_due_at: None,
        },
        &AlertSettings::default(),
    )
    .await?;
    append_audits(
        &mut tx,
        context,
        &[events::alert_changed("alert.raise", &record, None)],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn alerts_page(
    store: &ThisStore,
    sites: Option<&[Uuid]>,
    status: Option<AlertStatus>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AlertRecord>, StoreError> {
    let rows = sqlx::query_as::<_, AlertRow>(&format!(
        "{ALERT_COLUMNS}
          WHERE ($1 IS NULL OR a.site_id {})
            AND ($2 IS NULL OR a.status = $2)
            AND ($3 IS NULL OR a.id < $3)
          ORDER BY a.id DESC LIMIT $4",
        in_ids(1)
    ))
    .bind(sites.map(id_list))
    .bind(status.map(AlertStatus::as_str))
    .bind(before.map(uid))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(AlertRecord::try_from)
        .collect::<Result<_, _>>()?)
}

/// Every alert of one participant, newest first.
pub(super) async fn of_participant(
    store: &ThisStore,
    participant: Uuid,
) -> Result<Vec<AlertRecord>, StoreError> {
    let rows = sqlx::query_as::<_, AlertRow>(&format!(
        "{ALERT_COLUMNS} WHERE a.participant_id = $1 ORDER BY a.id DESC"
    ))
    .bind(uid(participant))
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(AlertRecord::try_from)
        .collect::<Result<_, _>>()?)
}

pub(super) async fn alert(
    store: &ThisStore,
    alert: Uuid,
) -> Result<Option<AlertRecord>, StoreError> {
    let row = sqlx::query_as::<_, AlertRow>(&format!("{ALERT_COLUMNS} WHERE a.id = $1"))
        .bind(uid(alert))
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(AlertRecord::try_from).transpose()?)
}

#[derive(sqlx::FromRow)]
struct DeliveryStatusRow {
    channel: String,
    target: String,
    attempts: i64,
    delivered_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl TryFrom<DeliveryStatusRow> for DeliveryStatus {
    type Error = sqlx::Error;

    fn try_from(r: DeliveryStatusRow) -> Result<Self, sqlx::Error> {
        Ok(DeliveryStatus {
            channel: channel(&r.channel)?,
            target: r.target,
            attempts: r.attempts,
            delivered_at: r.delivered_at,
            failed_at: r.failed_at,
            last_error: r.last_error,
        })
    }
}

pub(super) async fn deliveries(
    store: &ThisStore,
    alert: Uuid,
) -> Result<Vec<DeliveryStatus>, StoreError> {
    let rows = sqlx::query_as::<_, DeliveryStatusRow>(
        "SELECT channel, target, attempts, delivered_at, failed_at, last_error
           FROM alert_outbox WHERE alert_id = $1 ORDER BY created_at, id",
    )
    .bind(uid(alert))
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(DeliveryStatus::try_from)
        .collect::<Result<_, _>>()?)
}

/// What an investigator's action on an alert came to.
pub(super) async fn act(
    store: &ThisStore,
    alert: Uuid,
    by: Uuid,
    note: &str,
    reported: bool,
    context: &AuditContext,
) -> Result<Option<AlertRecord>, StoreError> {
    let mut tx = store.begin_write().await?;
    let now = Utc::now();
    let changed = if reported {
        sqlx::query(
            "UPDATE alerts SET reported_at = $2, reported_by = $3, reported_note = $4
              WHERE id = $1 AND rule = 'potentially_serious_event' AND reported_at IS NULL",
        )
    } else {
        sqlx::query(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3,
               note = $4, escalate_at_us = NULL
              WHERE id = $1 AND status = 'open'",
        )
    }
    .bind(uid(alert))
    .bind(now)
    .bind(uid(by))
    .bind(note)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    let record = alert_in(&mut tx, alert).await?;
    record_event(&mut tx, &record).await?;
    let action = if reported {
        "alert.reported"
    } else {
        "alert.acknowledge"
    };
    let mut event = events::alert_changed(action, &record, record.entry_id);
    event.reason = Some(note.to_owned());
    append_audits(&mut tx, context, &[event]).await?;
    tx.commit().await?;
    Ok(Some(record))
}

pub(super) async fn events_after(
    store: &ThisStore,
    sites: Option<&[Uuid]>,
    after: i64,
    limit: i64,
) -> Result<Vec<AlertEventRow>, StoreError> {
    let rows: Vec<(i64, Uid, Uid, String)> = sqlx::query_as(&format!(
        "SELECT seq, alert_id, site_id, body FROM alert_events
          WHERE seq > $1 AND ($2 IS NULL OR site_id {})
          ORDER BY seq LIMIT $3",
        in_ids(2)
    ))
    .bind(after)
    .bind(sites.map(id_list))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, alert, site, body)| AlertEventRow {
            seq,
            alert_id: uuid_of(alert),
            site_id: uuid_of(site),
            body,
        })
        .collect())
}

pub(super) async fn set_contacts(
    store: &ThisStore,
    site: Uuid,
    contacts: &[Contact],
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let now = Utc::now();
    sqlx::query(
        "UPDATE site_contacts SET retired_at = $2 WHERE site_id = $1 AND retired_at IS NULL",
    )
    .bind(uid(site))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for c in contacts {
        sqlx::query(
            "INSERT INTO site_contacts (id, site_id, level, channel, target, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uid(Uuid::now_v7()))
        .bind(uid(site))
        .bind(c.level)
        .bind(c.channel.as_str())
        .bind(&c.target)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    append_audits(&mut tx, context, &[events::contacts_set(site, contacts)]).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn contacts(store: &ThisStore, site: Uuid) -> Result<Vec<Contact>, StoreError> {
    let mut conn = store.pool.acquire().await?;
    contacts_in(&mut conn, site).await
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uid,
    alert_id: Uid,
    channel: String,
    target: String,
    body: String,
    attempts: i64,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = sqlx::Error;

    fn try_from(r: DeliveryRow) -> Result<Self, sqlx::Error> {
        Ok(Delivery {
            id: uuid_of(r.id),
            alert_id: uuid_of(r.alert_id),
            channel: channel(&r.channel)?,
            target: r.target,
            body: r.body,
            attempts: r.attempts,
        })
    }
}

pub(super) async fn claim(
    store: &ThisStore,
    now_us: i64,
    lease_us: i64,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    // The dispatcher asks after every write that may alert: a read decides
    // whether the write lock is needed at all.
    let any: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM alert_outbox
                         WHERE delivered_at IS NULL AND failed_at IS NULL
                           AND next_attempt_at_us <= $1 AND lease_until_us <= $1)",
    )
    .bind(now_us)
    .fetch_one(&store.pool)
    .await?;
    if !any {
        return Ok(Vec::new());
    }
    let mut tx = store.begin_write().await?;
    let rows = sqlx::query_as::<_, DeliveryRow>(&format!(
        "UPDATE alert_outbox SET lease_until_us = $2, attempts = attempts + 1
          WHERE id IN (SELECT id FROM alert_outbox
                        WHERE delivered_at IS NULL AND failed_at IS NULL
                          AND next_attempt_at_us <= $1 AND lease_until_us <= $1
                        ORDER BY next_attempt_at_us LIMIT $3 {SKIP_LOCKED})
          RETURNING id, alert_id, channel, target, body, attempts"
    ))
    .bind(now_us)
    .bind(now_us.saturating_add(lease_us))
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(Delivery::try_from)
        .collect::<Result<_, _>>()?)
}

pub(super) async fn finish(
    store: &ThisStore,
    delivery: Uuid,
    outcome: &DeliveryOutcome,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let now = Utc::now();
    let query = match outcome {
        DeliveryOutcome::Delivered => {
            sqlx::query("UPDATE alert_outbox SET delivered_at = $2, lease_until_us = 0 WHERE id = $1")
                .bind(uid(delivery))
                .bind(now)
        }
        DeliveryOutcome::Retry { error, at_us } => sqlx::query(
            "UPDATE alert_outbox SET last_error = $2, next_attempt_at_us = $3, lease_until_us = 0
              WHERE id = $1",
        )
        .bind(uid(delivery))
        .bind(error)
        .bind(*at_us),
        DeliveryOutcome::Failed { error } => sqlx::query(
            "UPDATE alert_outbox SET last_error = $2, failed_at = $3, lease_until_us = 0 WHERE id = $1",
        )
        .bind(uid(delivery))
        .bind(error)
        .bind(now),
    };
    query.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves unacknowledged critical alerts past their time to the next contact
/// list; returns how many moved.
pub(super) async fn escalate(
    store: &ThisStore,
    now: DateTime<Utc>,
    every: Duration,
    context: &AuditContext,
) -> Result<usize, StoreError> {
    let any: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM alerts WHERE status = 'open'
                         AND escalate_at_us IS NOT NULL AND escalate_at_us <= $1)",
    )
    .bind(now.timestamp_micros())
    .fetch_one(&store.pool)
    .await?;
    if !any {
        return Ok(0);
    }
    let mut tx = store.begin_write().await?;
    let due: Vec<Uuid> = sqlx::query_scalar::<_, Uid>(&format!(
        "SELECT id FROM alerts WHERE status = 'open' AND escalate_at_us IS NOT NULL
           AND escalate_at_us <= $1 {SKIP_LOCKED}"
    ))
    .bind(now.timestamp_micros())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(uuid_of)
    .collect();
    let mut audit = Vec::new();
    for alert in &due {
        let current = alert_in(&mut tx, *alert).await?;
        let next = current.escalation_level + 1;
        let has_next = contacts_in(&mut tx, current.site_id)
            .await?
            .iter()
            .any(|c| c.level == next);
        if !has_next {
            // No further list: the last one stays responsible; stop the clock.
            sqlx::query("UPDATE alerts SET escalate_at_us = NULL WHERE id = $1")
                .bind(uid(*alert))
                .execute(&mut *tx)
                .await?;
            continue;
        }
        sqlx::query("UPDATE alerts SET escalation_level = $2, escalate_at_us = $3 WHERE id = $1")
            .bind(uid(*alert))
            .bind(next)
            .bind((now + every).timestamp_micros())
            .execute(&mut *tx)
            .await?;
        let record = alert_in(&mut tx, *alert).await?;
        let seq = record_event(&mut tx, &record).await?;
        enqueue(&mut tx, &record, seq, next).await?;
        audit.push(events::alert_changed(
            "alert.escalate",
            &record,
            record.entry_id,
        ));
    }
    let moved = audit.len();
    append_audits(&mut tx, context, &audit).await?;
    tx.commit().await?;
    Ok(moved)
}
