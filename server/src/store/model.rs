//! What the store reads and writes.

use std::fmt;

use app::domain::{
    account::Role,
    alerts::{Rule, Severity},
    entry::Kind,
    language::Language,
    mutation::Op,
};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    pub id: Uuid,
    pub name: String,
    pub is_demo: bool,
    pub created_at: DateTime<Utc>,
    /// What pages speak when neither the person nor their browser says.
    pub default_language: Language,
}

/// The study's settings as an admin sets them.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyDetails {
    pub name: String,
    pub default_language: Language,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    /// An IANA zone name such as `Asia/Shanghai`.
    pub timezone: String,
    pub emergency_phone: String,
}

/// A PHC string (argon2id). Not `Serialize`, and `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: PasswordHash,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The language the person chose for the app; `None` until they choose.
    pub language: Option<app::domain::language::Language>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    /// Already normalised (`app::domain::account::normalize_username`).
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: PasswordHash,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub id: Uuid,
    pub site_id: Uuid,
    pub study_id: String,
    pub birth_year: i32,
    pub diagnosis_date: NaiveDate,
    pub weight_kg: Option<f64>,
    pub user_id: Option<Uuid>,
    pub enrolled_at: DateTime<Utc>,
}

/// A demo participant, with their own account unless a guardian logs for them.
#[derive(Debug, Clone)]
pub struct DemoParticipant {
    pub participant: Participant,
    pub account: Option<NewUser>,
}

/// Everything the demo study holds, made up front so both backends store the
/// same thing.
#[derive(Debug, Clone)]
pub struct DemoStudy {
    pub study: Study,
    pub site: Site,
    pub investigator: NewUser,
    pub participants: Vec<DemoParticipant>,
    pub guardian: NewUser,
    /// Study ids of the participants the guardian logs for.
    pub guardian_of: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded,
    AlreadyThere,
}

/// A signed-in device: one refresh-token family.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub client_addr: Option<String>,
    pub device_id: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

/// A refresh token as stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub session_id: Uuid,
    pub issued_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
}

/// The sites an investigator works at and the participants a participant or
/// guardian logs for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserLinks {
    pub site_ids: Vec<Uuid>,
    pub participant_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Participant,
    Guardian,
}

impl CodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::Participant => "participant",
            CodeKind::Guardian => "guardian",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "participant" => Some(CodeKind::Participant),
            "guardian" => Some(CodeKind::Guardian),
            _ => None,
        }
    }
}

/// A new enrolment code; only the SHA-256 of the code is stored.
#[derive(Debug, Clone)]
pub struct NewEnrollmentCode {
    pub code_hash: String,
    pub kind: CodeKind,
    pub participant_id: Uuid,
    pub created_by: Uuid,
    pub expires_at_ms: i64,
}

/// A staff member's TOTP secret; unconfirmed until the first code is accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct StaffMfa {
    pub secret_hex: String,
    pub confirmed: bool,
    pub last_step: i64,
    /// Set by a reset: the hash of the code a new set-up needs.
    pub setup_code_hash: Option<String>,
}

impl fmt::Debug for StaffMfa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffMfa")
            .field("confirmed", &self.confirmed)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// One stored version of a diary entry: never changed once written.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryVersion {
    pub entry_id: Uuid,
    pub version: i64,
    pub participant_id: Uuid,
    pub kind: Kind,
    pub op: Op,
    pub status: EntryStatus,
    /// The contract's `data`, as JSON text with sorted keys.
    pub data: String,
    /// The classification as JSON text; `None` for insulin.
    pub classification: Option<String>,
    /// The event time, UTC microseconds (for ordering and filters).
    pub event_at_us: i64,
    pub entered_by: Uuid,
    pub entered_by_role: Role,
    pub device_id: String,
    pub recorded_at: DateTime<FixedOffset>,
    pub received_at: DateTime<Utc>,
    pub late: bool,
    pub reason: Option<String>,
    pub mutation_id: Uuid,
    /// The write batch that stored it (`sync_head.seq`).
    pub change_seq: i64,
}

impl EntryVersion {
    /// The stored data and classification, read back. A version that does
    /// not read back is a fault of the store, said in the error.
    pub fn decoded(
        &self,
    ) -> Result<
        (
            app::domain::entry::EntryData,
            Option<app::domain::classification::Classification>,
        ),
        String,
    > {
        let data: serde_json::Value = serde_json::from_str(&self.data)
            .map_err(|e| format!("entry {}: {e}", self.entry_id))?;
        let parsed = app::domain::entry::EntryData::parse(self.kind, &data)
            .map_err(|e| format!("entry {}: {e:?}", self.entry_id))?;
        let classification = self
            .classification
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok());
        Ok((parsed, classification))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Active,
    Voided,
}

impl EntryStatus {
    pub fn parse(s: &str) -> Option<Self> {
        [EntryStatus::Active, EntryStatus::Voided]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Voided => "voided",
        }
    }
}

/// What became of a mutation when it was first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    Applied,
    Conflict,
    Rejected,
}

impl MutationStatus {
    pub fn parse(s: &str) -> Option<Self> {
        [
            MutationStatus::Applied,
            MutationStatus::Conflict,
            MutationStatus::Rejected,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MutationStatus::Applied => "applied",
            MutationStatus::Conflict => "conflict",
            MutationStatus::Rejected => "rejected",
        }
    }
}

/// The idempotency record of a mutation.
#[derive(Debug, Clone, PartialEq)]
pub struct MutationRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub device_id: String,
    pub content_hash: String,
    pub status: MutationStatus,
    pub entry_id: Option<Uuid>,
    pub version: Option<i64>,
    /// The error object (JSON) of a conflict or rejection.
    pub error: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// A position in the stream of entry changes: after entry `entry_id` of
/// write batch `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeCursor {
    pub seq: i64,
    pub entry_id: Uuid,
}

/// Which entries a list shows: newest event first, keyset after `before`.
#[derive(Debug, Clone, Default)]
pub struct EntryQuery {
    pub kind: Option<Kind>,
    /// Event time from (inclusive) and to (exclusive), UTC microseconds.
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
    /// (event_at_us, entry_id) of the last entry of the previous page.
    pub before: Option<(i64, Uuid)>,
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Open => "open",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            AlertStatus::Open,
            AlertStatus::Acknowledged,
            AlertStatus::Resolved,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// An alert as stored, with its participant's study id.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRecord {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub study_id: String,
    pub site_id: Uuid,
    pub rule: Rule,
    pub severity: Severity,
    pub entry_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub status: AlertStatus,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub report_due_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reported_by: Option<Uuid>,
    pub reported_note: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_note: Option<String>,
    pub readings: i64,
    pub escalation_level: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Channel::Email, Channel::Webhook]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Someone who hears of a site's alerts, at an escalation level (0 first).
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub level: i64,
    pub channel: Channel,
    pub target: String,
}

/// One change of an alert, as the live stream sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEventRow {
    pub seq: i64,
    pub alert_id: Uuid,
    pub site_id: Uuid,
    /// The alert's JSON after the change.
    pub body: String,
}

/// An email or webhook to send, leased to one dispatcher.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub alert_id: Uuid,
    pub channel: Channel,
    pub target: String,
    /// The alert's JSON when the delivery was queued.
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Try again at this time (UTC microseconds).
    Retry {
        error: String,
        at_us: i64,
    },
    /// Given up: shown in the UI and logged.
    Failed {
        error: String,
    },
}

/// A delivery as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    pub channel: Channel,
    pub target: String,
    pub attempts: i64,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// When a participant last had an entry, for the missed-diary check.
#[derive(Debug, Clone, PartialEq)]
pub struct DiaryActivity {
    pub participant_id: Uuid,
    /// The site's IANA time zone.
    pub timezone: String,
    pub enrolled_at: DateTime<Utc>,
    /// The event time of the latest entry, if any.
    pub last_entry_at: Option<DateTime<Utc>>,
    pub open_missed: bool,
}

/// One version of a visit lab (`lab_versions`).
#[derive(Debug, Clone, PartialEq)]
pub struct LabVersion {
    pub lab_id: Uuid,
    pub version: i64,
    pub participant_id: Uuid,
    pub status: EntryStatus,
    pub input: app::domain::labs::LabInput,
    pub taken_on: chrono::NaiveDate,
    pub entered_by: Uuid,
    pub entered_by_role: Role,
    pub received_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// How long a throttle key must wait, from the times (ms) of its failed
/// attempts in the window, how many of its attempts are being checked now,
/// and the time now; `None`: it may try.
pub type ThrottleRule = fn(&[i64], usize, i64) -> Option<u64>;

/// What [`super::Store::begin_attempt`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptStart {
    /// Counted: go on and check it.
    Counted { attempt_id: String },
    /// Refused without a check: `key` must wait; `refused` attempts of that
    /// key have been refused in this window, this one included.
    Refused {
        key: String,
        retry_after_secs: u64,
        refused: i64,
    },
}
