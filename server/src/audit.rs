//! The audit trail: who did what, to which record, when, from where. Rows are
//! append-only (the database refuses UPDATE and DELETE) and chained: each
//! row's hash covers the previous row's hash and the row's own content, so an
//! edit, a deletion or a reordering anywhere breaks the chain from that row on.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acts, and from where: the same for every change of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub actor_id: Option<Uuid>,
    /// A role name, or `system` for the command line and the server itself.
    pub actor_role: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub device_id: Option<String>,
}

impl AuditContext {
    /// Changes made with the `ediary` command line by whoever runs it.
    pub fn command_line() -> Self {
        Self::system("ediary command line")
    }

    /// Changes the server makes on its own (the demo study, scheduled jobs).
    pub fn system(agent: &str) -> Self {
        Self {
            actor_id: None,
            actor_role: "system".into(),
            client_addr: None,
            user_agent: Some(agent.into()),
            device_id: None,
        }
    }
}

/// What happened. Never holds a password, token or code.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub on_behalf_of: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
}

impl AuditEvent {
    pub fn new(action: &str, entity_type: &str, entity_id: impl ToString) -> Self {
        Self {
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id: Some(entity_id.to_string()),
            on_behalf_of: None,
            before: None,
            after: None,
            reason: None,
        }
    }

    pub fn before(mut self, value: Value) -> Self {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: Value) -> Self {
        self.after = Some(value);
        self
    }

    pub fn on_behalf_of(mut self, participant: Uuid) -> Self {
        self.on_behalf_of = Some(participant);
        self
    }
}

/// One stored row of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: String,
    pub on_behalf_of: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// JSON text, exactly as hashed.
    pub before_value: Option<String>,
    pub after_value: Option<String>,
    pub reason: Option<String>,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    pub device_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    /// Whether the row's content may hold health data: it concerns a
    /// participant or one of their records (entries, labs, alerts).
    pub fn concerns_health(&self) -> bool {
        self.on_behalf_of.is_some()
            || matches!(
                self.entity_type.as_str(),
                "participant" | "entry" | "lab" | "alert"
            )
    }

    /// The row that follows `prev_hash` at position `seq`.
    pub fn new(
        seq: i64,
        prev_hash: String,
        context: &AuditContext,
        event: &AuditEvent,
        now: DateTime<Utc>,
    ) -> Self {
        // Microseconds: what both databases keep, so the hash survives a round trip.
        let occurred_at = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
        let mut row = Self {
            seq,
            id: Uuid::now_v7(),
            occurred_at,
            actor_id: context.actor_id,
            actor_role: context.actor_role.clone(),
            on_behalf_of: event.on_behalf_of,
            action: event.action.clone(),
            entity_type: event.entity_type.clone(),
            entity_id: event.entity_id.clone(),
            before_value: event.before.as_ref().map(Value::to_string),
            after_value: event.after.as_ref().map(Value::to_string),
            reason: event.reason.clone(),
            client_addr: context.client_addr.clone(),
            user_agent: context.user_agent.clone(),
            device_id: context.device_id.clone(),
            prev_hash,
            hash: String::new(),
        };
        row.hash = row.content_hash();
        row
    }

    /// SHA-256 over the previous hash and every other column, in a fixed
    /// order, as lower-case hex.
    pub fn content_hash(&self) -> String {
        let content = serde_json::json!([
            self.seq,
            self.id,
            self.occurred_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            self.actor_id,
            self.actor_role,
            self.on_behalf_of,
            self.action,
            self.entity_type,
            self.entity_id,
            self.before_value,
            self.after_value,
            self.reason,
            self.client_addr,
            self.user_agent,
            self.device_id,
        ]);
        let mut hasher = Sha256::new();
        hasher.update(self.prev_hash.as_bytes());
        hasher.update(b"\n");
        hasher.update(content.to_string().as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// Where the chain is broken; `seq` names the first bad row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("row {seq} ({id}): expected row number {expected}: a row is missing or out of order")]
    Sequence { seq: i64, id: Uuid, expected: i64 },
    #[error("row {seq} ({id}): it does not follow the hash of the row before")]
    Link { seq: i64, id: Uuid },
    #[error("row {seq} ({id}): its content does not match its hash (edited after it was written)")]
    Content { seq: i64, id: Uuid },
    #[error(
        "the log ends at row {last} but its head says {head}: rows were removed from the end or the head was changed"
    )]
    Head { last: i64, head: i64 },
}

/// Walks the chain row by row, so a log of any length is checked in constant memory.
#[derive(Debug)]
pub struct ChainVerifier {
    next_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            last_hash: GENESIS_HASH.into(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, row: &AuditRow) -> Result<(), ChainBreak> {
        if row.seq != self.next_seq {
            return Err(ChainBreak::Sequence {
                seq: row.seq,
                id: row.id,
                expected: self.next_seq,
            });
        }
        if row.prev_hash != self.last_hash {
            return Err(ChainBreak::Link {
                seq: row.seq,
                id: row.id,
            });
        }
        if row.content_hash() != row.hash {
            return Err(ChainBreak::Content {
                seq: row.seq,
                id: row.id,
            });
        }
        self.next_seq += 1;
        self.last_hash = row.hash.clone();
        Ok(())
    }

    /// Checks the end of the log against the stored head.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if head_seq != last || head_hash != self.last_hash {
            return Err(ChainBreak::Head {
                last,
                head: head_seq,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRow> {
        let context = AuditContext::command_line();
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent::new("site.create", "site", seq)
                    .after(serde_json::json!({"code": format!("S{seq}")}));
                let row = AuditRow::new(seq, prev.clone(), &context, &event, Utc::now());
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    fn verify(rows: &[AuditRow]) -> Result<i64, ChainBreak> {
        let mut verifier = ChainVerifier::default();
        for row in rows {
            verifier.check(row)?;
        }
        let (seq, hash) = rows
            .last()
            .map_or((0, GENESIS_HASH.to_owned()), |r| (r.seq, r.hash.clone()));
        verifier.finish(seq, &hash)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn any_change_is_found_at_its_row() {
        let rows = chain(5);

        let mut edited = rows.clone();
        edited[2].after_value = Some(r#"{"code":"FORGED"}"#.into());
        assert!(matches!(
            verify(&edited),
            Err(ChainBreak::Content { seq: 3, .. })
        ));

        let mut rehashed = rows.clone();
        rehashed[2].reason = Some("covering tracks".into());
        rehashed[2].hash = rehashed[2].content_hash();
        assert!(matches!(
            verify(&rehashed),
            Err(ChainBreak::Link { seq: 4, .. })
        ));

        let mut removed = rows.clone();
        removed.remove(1);
        assert!(matches!(
            verify(&removed),
            Err(ChainBreak::Sequence {
                seq: 3,
                expected: 2,
                ..
            })
        ));

        let mut verifier = ChainVerifier::default();
        for row in &rows[..4] {
            verifier.check(row).unwrap();
        }
        assert!(matches!(
            verifier.finish(5, &rows[4].hash),
            Err(ChainBreak::Head { last: 4, head: 5 })
        ));
    }

    #[test]
    fn time_is_kept_to_the_microsecond() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T01:02:03.123456789Z")
            .unwrap()
            .to_utc();
        let row = AuditRow::new(
            1,
            GENESIS_HASH.into(),
            &AuditContext::command_line(),
            &AuditEvent::new("a", "b", "c"),
            now,
        );
        assert_eq!(
            row.occurred_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
            "2026-11-25T01:02:03.123456000Z"
        );
    }
}
