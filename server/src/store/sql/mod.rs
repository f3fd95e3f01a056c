//! The store's queries, written once and compiled once per backend (how and
//! why: see `store/mod.rs`). The backend module (`sqlite.rs`, `postgres.rs`)
//! declares this module with `#[path]` and supplies the dialect it reads
//! through `super::`.
//!
//! Rows decode through `#[derive(sqlx::FromRow)]` row structs (`UserRow`,
//! `EntryRow`, ...) declared beside the queries that read them: their id
//! columns are the dialect's `Uid`, so one struct decodes on both backends,
//! and its conversion into the record turns ids into `Uuid` and text into
//! enums.

use std::path::Path;

use app::domain::{account::Role, language::Language};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    BACKEND, Conn, Db, FOR_UPDATE, Pool, SKIP_LOCKED, ThisStore, Uid, id_list, in_ids, lock_keys,
    uid, uuid_of,
};
use crate::{
    audit::{AuditContext, AuditEvent, AuditRow},
    store::{
        AlertEventRow, AlertRecord, AlertStatus, AttemptStart, Backend, CodeKind, Contact,
        Delivery, DeliveryOutcome, DeliveryStatus, DemoStudy, DiaryActivity, EntryQuery,
        EntryVersion, LabVersion, NewEnrollmentCode, NewUser, Participant, PasswordHash,
        RefreshToken, SeedOutcome, Session, Site, StaffMfa, Store, StoreError, Study, StudyDetails,
        SyncBatch, SyncOutcome, ThrottleRule, User, UserLinks, events,
    },
};

mod accounts;
mod alerts;
mod entries;
mod labs;
mod study;

/// A stored text that names no known value (a kind, status, role, ...).
fn unexpected(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {what} {value:?}").into())
}

/// Appends one row to the audit chain, inside the caller's transaction.
async fn append_audit(
    conn: &mut Conn,
    context: &AuditContext,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    append_audits(conn, context, std::slice::from_ref(event)).await
}

/// Appends rows to the audit chain, inside the caller's transaction. The
/// head row is locked first, so concurrent appends queue up.
async fn append_audits(
    conn: &mut Conn,
    context: &AuditContext,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev_hash): (i64, String) =
        sqlx::query_as(&format!("SELECT seq, hash FROM audit_head {FOR_UPDATE}"))
            .fetch_one(&mut *conn)
            .await?;
    let now = Utc::now();
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        let row = AuditRow::new(seq + 1, prev_hash, context, event, now);
        seq = row.seq;
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    // One statement per 500 rows (17 columns each, under the parameter limit).
    for chunk in rows.chunks(500) {
        sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO audit_log (seq, id, occurred_at, actor_id, actor_role, on_behalf_of, action,
               entity_type, entity_id, before_value, after_value, reason, client_addr, user_agent,
               device_id, prev_hash, hash) ",
        )
        .push_values(chunk, |mut b, row| {
            b.push_bind(row.seq)
                .push_bind(uid(row.id))
                .push_bind(row.occurred_at)
                .push_bind(row.actor_id.map(uid))
                .push_bind(&row.actor_role)
                .push_bind(row.on_behalf_of.map(uid))
                .push_bind(&row.action)
                .push_bind(&row.entity_type)
                .push_bind(&row.entity_id)
                .push_bind(&row.before_value)
                .push_bind(&row.after_value)
                .push_bind(&row.reason)
                .push_bind(&row.client_addr)
                .push_bind(&row.user_agent)
                .push_bind(&row.device_id)
                .push_bind(&row.prev_hash)
                .push_bind(&row.hash);
        })
        .build()
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2")
        .bind(seq)
        .bind(&prev_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

const AUDIT_COLUMNS: &str =
    "SELECT seq, id, occurred_at, actor_id, actor_role, on_behalf_of, action,
        entity_type, entity_id, before_value, after_value, reason, client_addr, user_agent,
        device_id, prev_hash, hash FROM audit_log";

#[derive(sqlx::FromRow)]
struct AuditLogRow {
    seq: i64,
    id: Uid,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uid>,
    actor_role: String,
    on_behalf_of: Option<Uid>,
    action: String,
    entity_type: String,
    entity_id: Option<String>,
    before_value: Option<String>,
    after_value: Option<String>,
    reason: Option<String>,
    client_addr: Option<String>,
    user_agent: Option<String>,
    device_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<AuditLogRow> for AuditRow {
    fn from(r: AuditLogRow) -> Self {
        AuditRow {
            seq: r.seq,
            id: uuid_of(r.id),
            occurred_at: r.occurred_at,
            actor_id: r.actor_id.map(uuid_of),
            actor_role: r.actor_role,
            on_behalf_of: r.on_behalf_of.map(uuid_of),
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before_value: r.before_value,
            after_value: r.after_value,
            reason: r.reason,
            client_addr: r.client_addr,
            user_agent: r.user_agent,
            device_id: r.device_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[async_trait]
impl Store for ThisStore {
    fn backend(&self) -> Backend {
        BACKEND
    }
    #[tracing::instrument(skip_all)]
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
    #[tracing::instrument(skip_all)]
    async fn close(&self) {
        self.pool.close().await;
    }
    #[tracing::instrument(skip_all)]
    async fn study(&self) -> Result<Option<Study>, StoreError> {
        study::study(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn create_site(&self, site: &Site, context: &AuditContext) -> Result<(), StoreError> {
        study::create_site(self, site, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn site_by_code(&self, code: &str) -> Result<Option<Site>, StoreError> {
        study::site_by_code(self, code).await
    }
    #[tracing::instrument(skip_all)]
    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        accounts::user_by_username(self, username).await
    }
    #[tracing::instrument(skip_all)]
    async fn create_user(
        &self,
        user: &NewUser,
        sites: &[Uuid],
        context: &AuditContext,
    ) -> Result<User, StoreError> {
        accounts::create_user(self, user, sites, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn seed_demo(
        &self,
        demo: &DemoStudy,
        context: &AuditContext,
    ) -> Result<SeedOutcome, StoreError> {
        study::seed_demo(self, demo, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        accounts::user_by_id(self, id).await
    }
    #[tracing::instrument(skip_all)]
    async fn user_links(&self, user: Uuid) -> Result<UserLinks, StoreError> {
        accounts::user_links(self, user).await
    }
    #[tracing::instrument(skip_all)]
    async fn rehash_password(
        &self,
        user: Uuid,
        hash: &PasswordHash,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        accounts::rehash_password(self, user, hash, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn create_session(
        &self,
        session: &Session,
        token_hash: &str,
        context: &AuditContext,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        accounts::create_session(self, session, token_hash, context, event).await
    }
    #[tracing::instrument(skip_all)]
    async fn session(&self, id: Uuid) -> Result<Option<Session>, StoreError> {
        accounts::session(self, id).await
    }
    #[tracing::instrument(skip_all)]
    async fn sessions_of(&self, user: Uuid) -> Result<Vec<Session>, StoreError> {
        accounts::sessions_of(self, user).await
    }
    #[tracing::instrument(skip_all)]
    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshToken>, StoreError> {
        accounts::refresh_token(self, token_hash).await
    }
    #[tracing::instrument(skip_all)]
    async fn rotate_refresh_token(
        &self,
        old: &str,
        new: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        accounts::rotate_refresh_token(self, old, new, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn revoke_session(
        &self,
        id: Uuid,
        reason: &str,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        accounts::revoke_session(self, id, reason, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn record_audit(
        &self,
        context: &AuditContext,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        append_audit(&mut tx, context, event).await?;
        tx.commit().await?;
        Ok(())
    }
    #[tracing::instrument(skip_all)]
    async fn begin_attempt(
        &self,
        keys: &[String],
        now_ms: i64,
        window_ms: i64,
        rule: ThrottleRule,
    ) -> Result<AttemptStart, StoreError> {
        accounts::begin_attempt(self, keys, now_ms, window_ms, rule).await
    }
    #[tracing::instrument(skip_all)]
    async fn fail_attempt(&self, attempt_id: &str) -> Result<(), StoreError> {
        accounts::fail_attempt(self, attempt_id).await
    }
    #[tracing::instrument(skip_all)]
    async fn forget_attempt(&self, attempt_id: &str) -> Result<(), StoreError> {
        accounts::forget_attempt(self, attempt_id).await
    }
    #[tracing::instrument(skip_all)]
    async fn site(&self, id: Uuid) -> Result<Option<Site>, StoreError> {
        study::site(self, id).await
    }
    #[tracing::instrument(skip_all)]
    async fn lab_versions_of_sites(&self, sites: &[Uuid]) -> Result<Vec<LabVersion>, StoreError> {
        labs::of_sites(&self.pool, sites).await
    }
    #[tracing::instrument(skip_all)]
    async fn entry_times_of_sites(
        &self,
        sites: &[Uuid],
        from_us: i64,
        to_us: i64,
    ) -> Result<Vec<(Uuid, i64)>, StoreError> {
        entries::event_times(self, sites, from_us, to_us).await
    }
    #[tracing::instrument(skip_all)]
    async fn open_alert_counts(&self, sites: &[Uuid]) -> Result<Vec<(Uuid, i64)>, StoreError> {
        let rows: Vec<(Uid, i64)> = sqlx::query_as(&format!(
            "SELECT participant_id, COUNT(*) AS open FROM alerts
              WHERE status = 'open' AND site_id {} GROUP BY participant_id",
            in_ids(1)
        ))
        .bind(id_list(sites))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(p, n)| (uuid_of(p), n)).collect())
    }
    #[tracing::instrument(skip_all)]
    async fn set_user_language(
        &self,
        user: Uuid,
        language: app::domain::language::Language,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        accounts::set_user_language(self, user, language, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn idaa1c_dose_days(&self) -> Result<i64, StoreError> {
        study::idaa1c_dose_days(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn set_idaa1c_dose_days(
        &self,
        days: i64,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::set_idaa1c_dose_days(self, days, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        study::sites(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn update_site(
        &self,
        before: &Site,
        after: &Site,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::update_site(self, before, after, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn save_study(
        &self,
        details: &StudyDetails,
        context: &AuditContext,
    ) -> Result<Study, StoreError> {
        study::save_study(self, details, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn create_participant(
        &self,
        participant: &Participant,
        code: &NewEnrollmentCode,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::create_participant(self, participant, code, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn add_enrollment_code(
        &self,
        code: &NewEnrollmentCode,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::add_enrollment_code(self, code, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn participant(&self, id: Uuid) -> Result<Option<Participant>, StoreError> {
        study::participant(self, id).await
    }
    #[tracing::instrument(skip_all)]
    async fn participants_page(
        &self,
        sites: &[Uuid],
        ids: &[Uuid],
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Participant>, StoreError> {
        study::participants_page(self, sites, ids, after, limit).await
    }
    #[tracing::instrument(skip_all)]
    async fn enroll(
        &self,
        code_hash: &str,
        user: &NewUser,
        now_ms: i64,
        context: &AuditContext,
    ) -> Result<Option<(CodeKind, Uuid)>, StoreError> {
        study::enroll(self, code_hash, user, now_ms, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn audit_for(
        &self,
        entity_id: &str,
        participant: Option<Uuid>,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query_as::<_, AuditLogRow>(&format!("{AUDIT_COLUMNS} WHERE (entity_id = $1 OR on_behalf_of = $2) AND seq > $3 ORDER BY seq LIMIT $4"))
        .bind(entity_id)
        .bind(participant.map(uid))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(AuditRow::from).collect())
    }
    #[tracing::instrument(skip_all)]
    async fn change_password(
        &self,
        user: Uuid,
        hash: &PasswordHash,
        keep_session: Option<Uuid>,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        accounts::change_password(self, user, hash, keep_session, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn disable_user(
        &self,
        user: Uuid,
        reason: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        accounts::disable_user(self, user, reason, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn staff_mfa(&self, user: Uuid) -> Result<Option<StaffMfa>, StoreError> {
        accounts::staff_mfa(self, user).await
    }
    #[tracing::instrument(skip_all)]
    async fn begin_mfa_setup(
        &self,
        user: Uuid,
        secret_hex: &str,
        recovery_hashes: &[String],
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        accounts::begin_mfa_setup(self, user, secret_hex, recovery_hashes, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn accept_totp_step(
        &self,
        user: Uuid,
        step: i64,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        accounts::accept_totp_step(self, user, step, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn use_recovery_code(
        &self,
        user: Uuid,
        code_hash: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        accounts::use_recovery_code(self, user, code_hash, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn reset_mfa(
        &self,
        user: Uuid,
        reason: &str,
        setup_code_hash: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        accounts::reset_mfa(self, user, reason, setup_code_hash, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        Ok(sqlx::query_as("SELECT seq, hash FROM audit_head")
            .fetch_one(&self.pool)
            .await?)
    }
    #[tracing::instrument(skip_all)]
    async fn audit_page(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query_as::<_, AuditLogRow>(&format!(
            "{AUDIT_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(AuditRow::from).collect())
    }
    #[tracing::instrument(skip_all)]
    async fn sync_batch(&self, batch: &SyncBatch<'_>) -> Result<SyncOutcome, StoreError> {
        entries::sync_batch(self, batch).await
    }
    #[tracing::instrument(skip_all)]
    async fn entries_page(
        &self,
        participant: Uuid,
        query: &EntryQuery,
    ) -> Result<Vec<EntryVersion>, StoreError> {
        entries::entries_page(&self.pool, participant, query).await
    }
    #[tracing::instrument(skip_all)]
    async fn entry_history(&self, entry: Uuid) -> Result<Vec<EntryVersion>, StoreError> {
        entries::entry_history(&self.pool, entry).await
    }
    #[tracing::instrument(skip_all)]
    async fn participant_versions(
        &self,
        participant: Uuid,
    ) -> Result<Vec<EntryVersion>, StoreError> {
        entries::participant_versions(&self.pool, participant).await
    }
    #[tracing::instrument(skip_all)]
    async fn save_lab_version(
        &self,
        version: &LabVersion,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        labs::save(self, version, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn lab_versions(&self, participant: Uuid) -> Result<Vec<LabVersion>, StoreError> {
        labs::of_participant(&self.pool, participant).await
    }
    #[tracing::instrument(skip_all)]
    async fn lab_history(&self, lab: Uuid) -> Result<Vec<LabVersion>, StoreError> {
        labs::history(&self.pool, lab).await
    }
    #[tracing::instrument(skip_all)]
    async fn alerts_page(
        &self,
        sites: Option<&[Uuid]>,
        status: Option<AlertStatus>,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        alerts::alerts_page(self, sites, status, before, limit).await
    }
    #[tracing::instrument(skip_all)]
    async fn alerts_of_participant(
        &self,
        participant: Uuid,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        alerts::of_participant(self, participant).await
    }
    #[tracing::instrument(skip_all)]
    async fn alert(&self, id: Uuid) -> Result<Option<AlertRecord>, StoreError> {
        alerts::alert(self, id).await
    }
    #[tracing::instrument(skip_all)]
    async fn alert_deliveries(&self, id: Uuid) -> Result<Vec<DeliveryStatus>, StoreError> {
        alerts::deliveries(self, id).await
    }
    #[tracing::instrument(skip_all)]
    async fn acknowledge_alert(
        &self,
        id: Uuid,
        by: Uuid,
        note: &str,
        context: &AuditContext,
    ) -> Result<Option<AlertRecord>, StoreError> {
        alerts::act(self, id, by, note, false, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn report_alert(
        &self,
        id: Uuid,
        by: Uuid,
        note: &str,
        context: &AuditContext,
    ) -> Result<Option<AlertRecord>, StoreError> {
        alerts::act(self, id, by, note, true, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn alert_events_after(
        &self,
        sites: Option<&[Uuid]>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AlertEventRow>, StoreError> {
        alerts::events_after(self, sites, after, limit).await
    }
    #[tracing::instrument(skip_all)]
    async fn alert_event_head(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT seq FROM alert_head")
            .fetch_one(&self.pool)
            .await?)
    }
    #[tracing::instrument(skip_all)]
    async fn set_site_contacts(
        &self,
        site: Uuid,
        contacts: &[Contact],
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::set_site_contacts(self, site, contacts, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn site_contacts(&self, site: Uuid) -> Result<Vec<Contact>, StoreError> {
        study::site_contacts(self, site).await
    }
    #[tracing::instrument(skip_all)]
    async fn claim_deliveries(
        &self,
        now_us: i64,
        lease_us: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        alerts::claim(self, now_us, lease_us, limit).await
    }
    #[tracing::instrument(skip_all)]
    async fn finish_delivery(&self, id: Uuid, outcome: &DeliveryOutcome) -> Result<(), StoreError> {
        alerts::finish(self, id, outcome).await
    }
    #[tracing::instrument(skip_all)]
    async fn escalate_alerts(
        &self,
        now: DateTime<Utc>,
        every: chrono::Duration,
        context: &AuditContext,
    ) -> Result<usize, StoreError> {
        alerts::escalate(self, now, every, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn diary_activity(&self) -> Result<Vec<DiaryActivity>, StoreError> {
        alerts::activity(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn raise_missed_diary(
        &self,
        participant: Uuid,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        alerts::raise_missed(self, participant, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn alert_settings(&self) -> Result<app::domain::alerts::AlertSettings, StoreError> {
        study::alert_settings(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn set_alert_settings(
        &self,
        settings: &app::domain::alerts::AlertSettings,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::set_alert_settings(self, settings, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn visit_schedule(&self) -> Result<Vec<app::domain::visits::Visit>, StoreError> {
        study::visit_schedule(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn set_visit_schedule(
        &self,
        visits: &[app::domain::visits::Visit],
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::set_visit_schedule(self, visits, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn emergency_advice(&self) -> Result<(String, String), StoreError> {
        study::emergency_advice(self).await
    }
    #[tracing::instrument(skip_all)]
    async fn set_emergency_advice(
        &self,
        english: &str,
        chinese: &str,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        study::set_emergency_advice(self, english, chinese, context).await
    }
    #[tracing::instrument(skip_all)]
    async fn backup(&self, to: &Path) -> Result<(), StoreError> {
        self.backup_to(to).await
    }
}
