//! The database store: one trait, [`Store`], over SQLite or PostgreSQL, the
//! backend picked by the URL scheme. Each backend runs its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) when it opens.
//!
//! The queries are written once, in `sql/`, and compiled once per backend:
//! `sqlite.rs` and `postgres.rs` each declare `sql/` as their own module and
//! supply the dialect it reads (the connection type, how a UUID and a list of
//! UUIDs are bound, the few SQL fragments that differ, how a write
//! transaction begins). Why: sqlx's `Any` driver cannot carry UUIDs or
//! timestamps, and a generic `Store<DB: Database>` needs a trait bound per
//! bound type and query; compiling the same source against each driver keeps
//! the SQL plain and auditable and lets the compiler check it against both.

pub mod alert_view;
pub mod audit_chain;
mod events;
mod model;
pub mod postgres;
pub mod sqlite;
pub mod sync_plan;

use std::{path::Path, sync::Arc};

use async_trait::async_trait;

use crate::{
    audit::{AuditContext, AuditEvent, AuditRow},
    config::DatabaseUrl,
};
pub use model::*;
use sync_plan::{Incoming, MutationResult, Sender};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// SQLite opened without the durability settings we rely on.
    #[error("SQLite setting {setting} is {actual}, but the diary needs {expected}")]
    UnsafeSetting {
        setting: &'static str,
        actual: String,
        expected: &'static str,
    },
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unsupported(String),
}

impl StoreError {
    /// Maps a unique-constraint violation to `Duplicate(what)`.
    pub(crate) fn unique(err: sqlx::Error, what: &'static str) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what),
            _ => StoreError::Database(err),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Answers when the database does.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Closes every connection; later calls fail.
    async fn close(&self);

    async fn study(&self) -> Result<Option<Study>, StoreError>;

    async fn create_site(&self, site: &Site, context: &AuditContext) -> Result<(), StoreError>;

    async fn site_by_code(&self, code: &str) -> Result<Option<Site>, StoreError>;

    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// Creates a staff or diary account; investigators are linked to `sites`.
    async fn create_user(
        &self,
        user: &NewUser,
        sites: &[uuid::Uuid],
        context: &AuditContext,
    ) -> Result<User, StoreError>;

    /// Writes the whole demo study in one transaction, or nothing. Refuses a
    /// database that already holds a real (non-demo) study or sites.
    async fn seed_demo(
        &self,
        demo: &DemoStudy,
        context: &AuditContext,
    ) -> Result<SeedOutcome, StoreError>;

    /// The last row number and hash of the audit chain (0 and the genesis hash when empty).
    async fn audit_head(&self) -> Result<(i64, String), StoreError>;

    /// Up to `limit` audit rows after row `after_seq`, in order.
    async fn audit_page(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError>;

    async fn user_by_id(&self, id: uuid::Uuid) -> Result<Option<User>, StoreError>;

    async fn user_links(&self, user: uuid::Uuid) -> Result<UserLinks, StoreError>;

    /// Replaces a password hash with a stronger one of the same password.
    async fn rehash_password(
        &self,
        user: uuid::Uuid,
        hash: &PasswordHash,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Starts a session with its first refresh token, recording `event`.
    async fn create_session(
        &self,
        session: &Session,
        token_hash: &str,
        context: &AuditContext,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    async fn session(&self, id: uuid::Uuid) -> Result<Option<Session>, StoreError>;

    async fn sessions_of(&self, user: uuid::Uuid) -> Result<Vec<Session>, StoreError>;

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshToken>, StoreError>;

    /// Marks `old` rotated and stores its successor `new`; false (and no
    /// change) when `old` was rotated already.
    async fn rotate_refresh_token(
        &self,
        old: &str,
        new: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    /// Ends a session at once; its tokens stop working.
    async fn revoke_session(
        &self,
        id: uuid::Uuid,
        reason: &str,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Records an event that changes no data (a failed sign-in, a throttled one).
    async fn record_audit(
        &self,
        context: &AuditContext,
        event: &AuditEvent,
    ) -> Result<(), StoreError>;

    /// Counts an attempt on every key before it is checked, in one step
    /// with the decision whether the keys may try now (`rule` over each
    /// key's counted attempts of the last `window_ms`), so that parallel
    /// attempts cannot all pass the check before any of them is counted.
    /// A counted attempt stays a failure unless [`Store::forget_attempt`]
    /// takes it back; a refused one only bumps its key's window counter.
    async fn begin_attempt(
        &self,
        keys: &[String],
        now_ms: i64,
        window_ms: i64,
        rule: ThrottleRule,
    ) -> Result<AttemptStart, StoreError>;

    /// Takes back a counted attempt that succeeded.
    async fn forget_attempt(&self, attempt_id: &str) -> Result<(), StoreError>;

    /// Records that a counted attempt failed (it was pending until now).
    async fn fail_attempt(&self, attempt_id: &str) -> Result<(), StoreError>;

    async fn site(&self, id: uuid::Uuid) -> Result<Option<Site>, StoreError>;

    /// Every lab version of every participant of `sites` (for the roster).
    async fn lab_versions_of_sites(
        &self,
        sites: &[uuid::Uuid],
    ) -> Result<Vec<LabVersion>, StoreError>;

    /// (participant, event time in UTC microseconds) of the current, not
    /// voided entries of the participants of `sites` with events in
    /// [from, to): the roster's completeness in one read.
    async fn entry_times_of_sites(
        &self,
        sites: &[uuid::Uuid],
        from_us: i64,
        to_us: i64,
    ) -> Result<Vec<(uuid::Uuid, i64)>, StoreError>;

    /// How many open alerts each participant of `sites` has (those with
    /// none are left out).
    async fn open_alert_counts(
        &self,
        sites: &[uuid::Uuid],
    ) -> Result<Vec<(uuid::Uuid, i64)>, StoreError>;

    /// Saves the person's page language, audited with the one before.
    async fn set_user_language(
        &self,
        user: uuid::Uuid,
        language: app::domain::language::Language,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Days of insulin before an HbA1c draw that its IDAA1C averages.
    async fn idaa1c_dose_days(&self) -> Result<i64, StoreError>;

    async fn set_idaa1c_dose_days(
        &self,
        days: i64,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Every site, by code.
    async fn sites(&self) -> Result<Vec<Site>, StoreError>;

    /// Changes a site's name, time zone and emergency number (the code
    /// stays); the audit row keeps both.
    async fn update_site(
        &self,
        before: &Site,
        after: &Site,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Sets the study's name and default language, creating the study on a
    /// new database (audited `study.create`; a change `study.update` with
    /// both versions). Returns the study as it now stands.
    async fn save_study(
        &self,
        details: &StudyDetails,
        context: &AuditContext,
    ) -> Result<Study, StoreError>;

    /// Creates a participant with their first enrolment code.
    async fn create_participant(
        &self,
        participant: &Participant,
        code: &NewEnrollmentCode,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    async fn add_enrollment_code(
        &self,
        code: &NewEnrollmentCode,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    async fn participant(&self, id: uuid::Uuid) -> Result<Option<Participant>, StoreError>;

    /// Participants at `sites` or among `ids`, by id, after `after`.
    async fn participants_page(
        &self,
        sites: &[uuid::Uuid],
        ids: &[uuid::Uuid],
        after: Option<uuid::Uuid>,
        limit: i64,
    ) -> Result<Vec<Participant>, StoreError>;

    /// Uses an enrolment code: creates the account (participant or guardian,
    /// as the code says, whatever `user.role`) and links it, in one
    /// transaction. `None` when the code is unknown, used or expired.
    async fn enroll(
        &self,
        code_hash: &str,
        user: &NewUser,
        now_ms: i64,
        context: &AuditContext,
    ) -> Result<Option<(CodeKind, uuid::Uuid)>, StoreError>;

    /// Audit rows about `entity_id`, or done on behalf of `participant`, in order.
    async fn audit_for(
        &self,
        entity_id: &str,
        participant: Option<uuid::Uuid>,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError>;

    /// Sets a new password and ends every other session of the account.
    async fn change_password(
        &self,
        user: uuid::Uuid,
        hash: &PasswordHash,
        keep_session: Option<uuid::Uuid>,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Disables an account and ends its sessions at once; false if it was disabled already.
    async fn disable_user(
        &self,
        user: uuid::Uuid,
        reason: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    async fn staff_mfa(&self, user: uuid::Uuid) -> Result<Option<StaffMfa>, StoreError>;

    /// Stores a new (unconfirmed) TOTP secret and recovery codes, retiring
    /// unused older codes; false when a confirmed set-up exists already.
    async fn begin_mfa_setup(
        &self,
        user: uuid::Uuid,
        secret_hex: &str,
        recovery_hashes: &[String],
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    /// Accepts a code of 30-second `step` (confirming a new set-up); false
    /// when a code of this or a later step was accepted already.
    async fn accept_totp_step(
        &self,
        user: uuid::Uuid,
        step: i64,
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    /// Uses a recovery code once; false if unknown, used or retired.
    async fn use_recovery_code(
        &self,
        user: uuid::Uuid,
        code_hash: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    /// Clears a staff member's second factor (a lost phone): the next
    /// sign-in starts a new set-up; recovery codes retire, sessions end.
    /// Clears a staff member's second factor and ends their sessions; the
    /// next set-up needs the code whose hash is `setup_code_hash`.
    async fn reset_mfa(
        &self,
        user: uuid::Uuid,
        reason: &str,
        setup_code_hash: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    /// Applies a sync batch in one transaction and answers only after it
    /// committed: each mutation's result (decided by [`sync_plan`]),
    /// and up to `pull_limit` current entries of `participants` changed
    /// after `since`, plus any entry a mutation conflicted with.
    async fn sync_batch(&self, batch: &SyncBatch<'_>) -> Result<SyncOutcome, StoreError>;

    /// Current versions of a participant's entries, newest event first.
    async fn entries_page(
        &self,
        participant: uuid::Uuid,
        query: &EntryQuery,
    ) -> Result<Vec<EntryVersion>, StoreError>;

    /// Every version of an entry, oldest first (empty if there is no such entry).
    async fn entry_history(&self, entry: uuid::Uuid) -> Result<Vec<EntryVersion>, StoreError>;

    /// Every version of every entry of a participant (for exports).
    async fn participant_versions(
        &self,
        participant: uuid::Uuid,
    ) -> Result<Vec<EntryVersion>, StoreError>;

    /// Stores a lab version; another writer's version of the same number
    /// first is `Duplicate("lab version")` (a conflict), nothing overwritten.
    async fn save_lab_version(
        &self,
        version: &LabVersion,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// Every version of a participant's labs, by lab then version.
    async fn lab_versions(&self, participant: uuid::Uuid) -> Result<Vec<LabVersion>, StoreError>;

    /// Every version of one lab, oldest first.
    async fn lab_history(&self, lab: uuid::Uuid) -> Result<Vec<LabVersion>, StoreError>;

    /// Alerts at `sites` (all sites for `None`), newest first, after `before`.
    async fn alerts_page(
        &self,
        sites: Option<&[uuid::Uuid]>,
        status: Option<AlertStatus>,
        before: Option<uuid::Uuid>,
        limit: i64,
    ) -> Result<Vec<AlertRecord>, StoreError>;

    /// Every alert of one participant, newest first (their review page).
    async fn alerts_of_participant(
        &self,
        participant: uuid::Uuid,
    ) -> Result<Vec<AlertRecord>, StoreError>;

    async fn alert(&self, id: uuid::Uuid) -> Result<Option<AlertRecord>, StoreError>;

    async fn alert_deliveries(&self, id: uuid::Uuid) -> Result<Vec<DeliveryStatus>, StoreError>;

    /// Acknowledges an open alert (stopping its escalation); `None` when it
    /// is not open.
    async fn acknowledge_alert(
        &self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        note: &str,
        context: &AuditContext,
    ) -> Result<Option<AlertRecord>, StoreError>;

    /// Marks a potentially serious event reported to the sponsor; `None`
    /// when the alert is of another rule or reported already.
    async fn report_alert(
        &self,
        id: uuid::Uuid,
        by: uuid::Uuid,
        note: &str,
        context: &AuditContext,
    ) -> Result<Option<AlertRecord>, StoreError>;

    /// Alert changes after event `after`, at `sites` (all for `None`), in order.
    async fn alert_events_after(
        &self,
        sites: Option<&[uuid::Uuid]>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AlertEventRow>, StoreError>;

    /// The number of the last alert event.
    async fn alert_event_head(&self) -> Result<i64, StoreError>;

    /// Replaces a site's contact lists (the old ones are kept, retired).
    async fn set_site_contacts(
        &self,
        site: uuid::Uuid,
        contacts: &[Contact],
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    async fn site_contacts(&self, site: uuid::Uuid) -> Result<Vec<Contact>, StoreError>;

    /// Leases up to `limit` due deliveries to this dispatcher until
    /// `now_us + lease_us`, counting the attempt.
    async fn claim_deliveries(
        &self,
        now_us: i64,
        lease_us: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError>;

    async fn finish_delivery(
        &self,
        id: uuid::Uuid,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StoreError>;

    /// Sends unacknowledged critical alerts past their time to the next
    /// contact list; how many moved.
    async fn escalate_alerts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        every: chrono::Duration,
        context: &AuditContext,
    ) -> Result<usize, StoreError>;

    /// Every participant's latest entry, for the missed-diary check.
    async fn diary_activity(&self) -> Result<Vec<DiaryActivity>, StoreError>;

    /// Raises `missed_diary` unless one is open; whether it did.
    async fn raise_missed_diary(
        &self,
        participant: uuid::Uuid,
        context: &AuditContext,
    ) -> Result<bool, StoreError>;

    /// The study's alert thresholds.
    async fn alert_settings(&self) -> Result<app::domain::alerts::AlertSettings, StoreError>;

    async fn set_alert_settings(
        &self,
        settings: &app::domain::alerts::AlertSettings,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// The study's emergency advice: (English, Simplified Chinese).
    /// The study's visit schedule.
    async fn visit_schedule(&self) -> Result<Vec<app::domain::visits::Visit>, StoreError>;

    /// Replaces the visit schedule (checked by the caller), audited.
    async fn set_visit_schedule(
        &self,
        visits: &[app::domain::visits::Visit],
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    async fn emergency_advice(&self) -> Result<(String, String), StoreError>;

    async fn set_emergency_advice(
        &self,
        english: &str,
        chinese: &str,
        context: &AuditContext,
    ) -> Result<(), StoreError>;

    /// A consistent copy of the live database at `to` (SQLite only).
    async fn backup(&self, to: &Path) -> Result<(), StoreError>;
}

/// Alert thresholds from their stored whole hours, minutes and days.
pub(crate) fn settings_from(
    repeat_window_hours: i64,
    report_within_hours: i64,
    escalate_after_minutes: i64,
    missed_days: i64,
) -> app::domain::alerts::AlertSettings {
    app::domain::alerts::AlertSettings {
        repeat_window: chrono::Duration::hours(repeat_window_hours),
        report_within: chrono::Duration::hours(report_within_hours),
        escalate_after: chrono::Duration::minutes(escalate_after_minutes),
        missed_days: u32::try_from(missed_days).unwrap_or(3),
    }
}

/// One sync request as the store applies it.
#[derive(Debug)]
pub struct SyncBatch<'a> {
    pub sender: &'a Sender,
    pub incoming: &'a [Incoming],
    /// The participants the caller logs for: whose changes come back.
    pub participants: &'a [uuid::Uuid],
    pub since: ChangeCursor,
    pub pull_limit: i64,
    pub context: &'a AuditContext,
    pub alert_settings: &'a app::domain::alerts::AlertSettings,
}

#[derive(Debug)]
pub struct SyncOutcome {
    pub results: Vec<MutationResult>,
    /// Changed entries in cursor order; conflicted entries not in the
    /// cursor's range follow at the end.
    pub changes: Vec<EntryVersion>,
    /// The position after the last change in range, if any.
    pub next: Option<ChangeCursor>,
    /// More changes wait beyond `pull_limit`.
    pub more: bool,
    /// The batch raised, added to or resolved an alert.
    pub alerts_changed: bool,
}

/// The pull half of a sync, shared by both backends: trims the rows read
/// (one more than the limit) and appends conflicted entries not among them.
pub(crate) fn finish_pull(
    mut rows: Vec<EntryVersion>,
    limit: i64,
    conflicts: Vec<EntryVersion>,
) -> (Vec<EntryVersion>, Option<ChangeCursor>, bool) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = rows.last().map(|v| ChangeCursor {
        seq: v.change_seq,
        entry_id: v.entry_id,
    });
    for c in conflicts {
        if !rows.iter().any(|r| r.entry_id == c.entry_id) {
            rows.push(c);
        }
    }
    (rows, next, more)
}

/// Opens the database behind `url`, applies pending migrations and checks the
/// settings the diary relies on.
pub async fn open(url: &DatabaseUrl) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match url {
        DatabaseUrl::Sqlite { url, .. } => Arc::new(sqlite::SqliteStore::open(url).await?),
        DatabaseUrl::Postgres(url) => Arc::new(postgres::PgStore::open(url).await?),
    })
}

/// A stored visit schedule, read back.
pub(crate) fn schedule_from(text: &str) -> Result<Vec<app::domain::visits::Visit>, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Refused(format!("stored visit schedule: {e}")))
}

/// The highest version of each record (versions keyed by `(id, version)`),
/// in first-seen order.
pub fn latest_versions<T>(items: &[T], key: impl Fn(&T) -> (uuid::Uuid, i64)) -> Vec<&T> {
    let mut at: std::collections::HashMap<uuid::Uuid, usize> = std::collections::HashMap::new();
    let mut out: Vec<&T> = Vec::new();
    for item in items {
        let (id, version) = key(item);
        match at.get(&id) {
            Some(&i) if key(out[i]).1 < version => out[i] = item,
            Some(_) => {}
            None => {
                at.insert(id, out.len());
                out.push(item);
            }
        }
    }
    out
}
