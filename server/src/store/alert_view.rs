//! An alert as JSON: the contract's `alert`, which the store writes into the
//! live stream's events and the outbox's deliveries, and the API answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AlertRecord, DeliveryStatus};

/// `alert` in the contract, plus `readings`, `escalation_level`,
/// `resolved_at`, `resolution_note`, `reported_note` (extensions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub study_id: String,
    pub site_id: Uuid,
    pub severity: String,
    pub rule: String,
    pub entry_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub status: String,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub report_due_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reported_note: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_note: Option<String>,
    /// Level-2 readings counted by a `repeated_level2` alert.
    pub readings: i64,
    /// 0 until the alert went to a further contact list.
    pub escalation_level: i64,
    /// Email and webhook deliveries (only on `GET /alerts/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub deliveries: Option<Vec<DeliveryStatus>>,
}

impl From<&AlertRecord> for AlertView {
    fn from(a: &AlertRecord) -> Self {
        Self {
            id: a.id,
            participant_id: a.participant_id,
            study_id: a.study_id.clone(),
            site_id: a.site_id,
            severity: a.severity.as_str().to_owned(),
            rule: a.rule.as_str().to_owned(),
            entry_id: a.entry_id,
            created_at: a.created_at,
            status: a.status.as_str().to_owned(),
            acknowledged_by: a.acknowledged_by,
            acknowledged_at: a.acknowledged_at,
            note: a.note.clone(),
            report_due_at: a.report_due_at,
            reported_at: a.reported_at,
            reported_note: a.reported_note.clone(),
            resolved_at: a.resolved_at,
            resolution_note: a.resolution_note.clone(),
            readings: a.readings,
            escalation_level: a.escalation_level,
            deliveries: None,
        }
    }
}

/// The alert's JSON as events and deliveries carry it.
pub fn body_of(a: &AlertRecord) -> String {
    serde_json::to_string(&AlertView::from(a)).unwrap_or_else(|_| "{}".into())
}
