//! The store's queries, written once and compiled once per backend: the
//! backend module (`sqlite.rs`, `postgres.rs`) declares this module with
//! `#[path]` and supplies the dialect it reads through `super::` (the
//! connection and row types, how a UUID and a list of UUIDs are bound, the
//! few SQL fragments that differ, how a write transaction begins). sqlx's
//! `Any` driver cannot carry UUIDs or timestamps, and a generic
//! `Store<DB: Database>` needs a bound per bound type and query; compiling
//! the same source against each driver keeps the SQL plain and auditable
//! and lets the compiler check it against both.

use std::path::Path;

use app::domain::{account::Role, language::Language};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{
    BACKEND, Conn, Db, DbRow, FOR_UPDATE, Pool, SKIP_LOCKED, ThisStore, Uid, id_list, in_ids,
    lock_keys, uid, uuid_of,
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

mod alerts;
mod entries;
mod labs;

fn id(row: &DbRow, column: &str) -> Result<Uuid, sqlx::Error> {
    Ok(uuid_of(row.try_get(column)?))
}

fn id_at(row: &DbRow, index: usize) -> Result<Uuid, sqlx::Error> {
    Ok(uuid_of(row.try_get(index)?))
}

fn optional_id(row: &DbRow, column: &str) -> Result<Option<Uuid>, sqlx::Error> {
    Ok(row.try_get::<Option<Uid>, _>(column)?.map(uuid_of))
}

const STUDY_SELECT: &str = "SELECT id, name, is_demo, created_at, default_language FROM study";

fn study_from(row: &DbRow) -> Result<Study, sqlx::Error> {
    let tag: String = row.try_get("default_language")?;
    Ok(Study {
        id: id(row, "id")?,
        name: row.try_get("name")?,
        is_demo: row.try_get("is_demo")?,
        created_at: row.try_get("created_at")?,
        default_language: Language::from_tag(&tag).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "default_language".into(),
            source: format!("unknown language {tag:?}").into(),
        })?,
    })
}

async fn insert_study(conn: &mut Conn, study: &Study) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO study (id, name, is_demo, created_at, default_language)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uid(study.id))
    .bind(&study.name)
    .bind(study.is_demo)
    .bind(study.created_at)
    .bind(study.default_language.tag())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn site_from(row: &DbRow) -> Result<Site, sqlx::Error> {
    Ok(Site {
        id: id(row, "id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        timezone: row.try_get("timezone")?,
        emergency_phone: row.try_get("emergency_phone")?,
    })
}

fn user_from(row: &DbRow) -> Result<User, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: id(row, "id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: role.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        password_hash: PasswordHash(row.try_get("password_hash")?),
        disabled_at: row.try_get("disabled_at")?,
        created_at: row.try_get("created_at")?,
    })
}

async fn insert_site(
    conn: &mut Conn,
    site: &Site,
    now: DateTime<Utc>,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sites (id, code, name, timezone, emergency_phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uid(site.id))
    .bind(&site.code)
    .bind(&site.name)
    .bind(&site.timezone)
    .bind(&site.emergency_phone)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::unique(e, "a site with this code"))?;
    append_audit(conn, context, &events::site_created(site)).await
}

async fn insert_user(
    conn: &mut Conn,
    user: &NewUser,
    sites: &[Uuid],
    now: DateTime<Utc>,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uid(user.id))
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(&user.password_hash.0)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::unique(e, "an account with this username"))?;
    for site in sites {
        link_investigator(conn, user.id, *site).await?;
    }
    append_audit(conn, context, &events::user_created(user, sites)).await
}

async fn link_investigator(conn: &mut Conn, user: Uuid, site: Uuid) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO investigator_sites (user_id, site_id) VALUES ($1, $2)")
        .bind(uid(user))
        .bind(uid(site))
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_participant(
    conn: &mut Conn,
    p: &Participant,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participants
           (id, site_id, study_id, birth_year, diagnosis_date, weight_kg, user_id, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uid(p.id))
    .bind(uid(p.site_id))
    .bind(&p.study_id)
    .bind(p.birth_year)
    .bind(p.diagnosis_date)
    .bind(p.weight_kg)
    .bind(p.user_id.map(uid))
    .bind(p.enrolled_at)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::unique(e, "a participant with this study id"))?;
    append_audit(conn, context, &events::participant_created(p)).await
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

const PARTICIPANT_COLUMNS: &str =
    "SELECT id, site_id, study_id, birth_year, diagnosis_date, weight_kg, user_id, enrolled_at
        FROM participants";
/// Participants of the sites bound as `$1` or with an id in `$2`, after `$3`.
fn participant_page_filter() -> String {
    format!(
        "(site_id {} OR id {}) AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4",
        in_ids(1),
        in_ids(2)
    )
}

fn participant_from(row: &DbRow) -> Result<Participant, sqlx::Error> {
    Ok(Participant {
        id: id(row, "id")?,
        site_id: id(row, "site_id")?,
        study_id: row.try_get("study_id")?,
        birth_year: row.try_get("birth_year")?,
        diagnosis_date: row.try_get("diagnosis_date")?,
        weight_kg: row.try_get("weight_kg")?,
        user_id: optional_id(row, "user_id")?,
        enrolled_at: row.try_get("enrolled_at")?,
    })
}

async fn insert_code(
    conn: &mut Conn,
    code: &NewEnrollmentCode,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO enrollment_codes (code_hash, kind, participant_id, created_by, created_at, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&code.code_hash)
    .bind(code.kind.as_str())
    .bind(uid(code.participant_id))
    .bind(uid(code.created_by))
    .bind(Utc::now())
    .bind(code.expires_at_ms)
    .execute(&mut *conn)
    .await?;
    // The code itself never reaches the audit trail.
    let event = AuditEvent::new("enrollment_code.create", "participant", code.participant_id)
        .on_behalf_of(code.participant_id)
        .after(
            serde_json::json!({"kind": code.kind.as_str(), "expires_at_ms": code.expires_at_ms}),
        );
    append_audit(conn, context, &event).await
}

/// Ends every open session of `user` but `keep`, each with an audit row.
async fn revoke_all(
    conn: &mut Conn,
    user: Uuid,
    keep: Option<Uuid>,
    reason: &str,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let open = sqlx::query("SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(uid(user))
        .fetch_all(&mut *conn)
        .await?;
    for row in open {
        let session = id(&row, "id")?;
        if Some(session) == keep {
            continue;
        }
        sqlx::query("UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3")
            .bind(Utc::now())
            .bind(reason)
            .bind(uid(session))
            .execute(&mut *conn)
            .await?;
        let mut event = AuditEvent::new("session.revoke", "session", session);
        event.reason = Some(reason.to_owned());
        append_audit(conn, context, &event).await?;
    }
    Ok(())
}

const AUDIT_COLUMNS: &str =
    "SELECT seq, id, occurred_at, actor_id, actor_role, on_behalf_of, action,
        entity_type, entity_id, before_value, after_value, reason, client_addr, user_agent,
        device_id, prev_hash, hash FROM audit_log";

const SESSION_COLUMNS: &str =
    "SELECT id, user_id, created_at, last_used_at, user_agent, client_addr, device_id,
        revoked_at, revoked_reason FROM sessions";

fn session_from(row: &DbRow) -> Result<Session, sqlx::Error> {
    Ok(Session {
        id: id(row, "id")?,
        user_id: id(row, "user_id")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        user_agent: row.try_get("user_agent")?,
        client_addr: row.try_get("client_addr")?,
        device_id: row.try_get("device_id")?,
        revoked_at: row.try_get("revoked_at")?,
        revoked_reason: row.try_get("revoked_reason")?,
    })
}

fn audit_row_from(row: &DbRow) -> Result<AuditRow, sqlx::Error> {
    Ok(AuditRow {
        seq: row.try_get("seq")?,
        id: id(row, "id")?,
        occurred_at: row.try_get("occurred_at")?,
        actor_id: optional_id(row, "actor_id")?,
        actor_role: row.try_get("actor_role")?,
        on_behalf_of: optional_id(row, "on_behalf_of")?,
        action: row.try_get("action")?,
        entity_type: row.try_get("entity_type")?,
        entity_id: row.try_get("entity_id")?,
        before_value: row.try_get("before_value")?,
        after_value: row.try_get("after_value")?,
        reason: row.try_get("reason")?,
        client_addr: row.try_get("client_addr")?,
        user_agent: row.try_get("user_agent")?,
        device_id: row.try_get("device_id")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

#[async_trait]
impl Store for ThisStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn study(&self) -> Result<Option<Study>, StoreError> {
        let row = sqlx::query(STUDY_SELECT).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(study_from).transpose()?)
    }

    async fn create_site(&self, site: &Site, context: &AuditContext) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_site(&mut tx, site, Utc::now(), context).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn site_by_code(&self, code: &str) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT id, code, name, timezone, emergency_phone FROM sites WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(site_from).transpose()?)
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, password_hash, disabled_at, created_at
             FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(user_from).transpose()?)
    }

    async fn create_user(
        &self,
        user: &NewUser,
        sites: &[Uuid],
        context: &AuditContext,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin_write().await?;
        insert_user(&mut tx, user, sites, Utc::now(), context).await?;
        tx.commit().await?;
        self.user_by_username(&user.username)
            .await?
            .ok_or_else(|| StoreError::NotFound("the account just created".into()))
    }

    async fn seed_demo(
        &self,
        demo: &DemoStudy,
        context: &AuditContext,
    ) -> Result<SeedOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT id, name, is_demo, created_at FROM study")
            .fetch_optional(&mut *tx)
            .await?;
        match existing.as_ref().map(study_from).transpose()? {
            Some(study) if study.is_demo => return Ok(SeedOutcome::AlreadyThere),
            Some(study) => {
                return Err(StoreError::Refused(format!(
                    "the database holds the study {:?}: the demo goes only into a database of its own",
                    study.name
                )));
            }
            None => {}
        }
        let sites: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
            .fetch_one(&mut *tx)
            .await?;
        if sites > 0 {
            return Err(StoreError::Refused(
                "the database already holds sites: the demo goes only into a database of its own"
                    .into(),
            ));
        }
        let now = demo.study.created_at;
        insert_study(&mut tx, &demo.study).await?;
        append_audit(&mut tx, context, &events::study_created(&demo.study)).await?;
        let site = &demo.site;
        insert_site(&mut tx, site, now, context).await?;
        insert_user(&mut tx, &demo.investigator, &[site.id], now, context).await?;
        for entry in &demo.participants {
            if let Some(account) = &entry.account {
                insert_user(&mut tx, account, &[], now, context).await?;
            }
            insert_participant(&mut tx, &entry.participant, context).await?;
        }
        insert_user(&mut tx, &demo.guardian, &[], now, context).await?;
        for entry in demo
            .participants
            .iter()
            .filter(|p| demo.guardian_of.contains(&p.participant.study_id))
        {
            sqlx::query(
                "INSERT INTO guardian_links (guardian_id, participant_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(uid(demo.guardian.id))
            .bind(uid(entry.participant.id))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = events::guardian_linked(demo.guardian.id, entry.participant.id);
            append_audit(&mut tx, context, &event).await?;
        }
        tx.commit().await?;
        Ok(SeedOutcome::Seeded)
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, password_hash, disabled_at, created_at
             FROM users WHERE id = $1",
        )
        .bind(uid(id))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(user_from).transpose()?)
    }

    async fn user_links(&self, user: Uuid) -> Result<UserLinks, StoreError> {
        let sites = sqlx::query(
            "SELECT site_id FROM investigator_sites WHERE user_id = $1 ORDER BY site_id",
        )
        .bind(uid(user))
        .fetch_all(&self.pool)
        .await?;
        let participants = sqlx::query(
            "SELECT id FROM participants WHERE user_id = $1
             UNION SELECT participant_id FROM guardian_links WHERE guardian_id = $1
             ORDER BY 1",
        )
        .bind(uid(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(UserLinks {
            site_ids: sites
                .iter()
                .map(|r| id(r, "site_id"))
                .collect::<Result<_, _>>()?,
            participant_ids: participants
                .iter()
                .map(|r| id_at(r, 0))
                .collect::<Result<_, _>>()?,
        })
    }

    async fn rehash_password(
        &self,
        user: Uuid,
        hash: &PasswordHash,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&hash.0)
            .bind(uid(user))
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            context,
            &AuditEvent::new("user.password_rehash", "user", user),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        session: &Session,
        token_hash: &str,
        context: &AuditContext,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, last_used_at, user_agent, client_addr, device_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uid(session.id))
        .bind(uid(session.user_id))
        .bind(session.created_at)
        .bind(session.last_used_at)
        .bind(&session.user_agent)
        .bind(&session.client_addr)
        .bind(&session.device_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(uid(session.id))
        .bind(session.created_at)
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, context, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, id: Uuid) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(&format!("{SESSION_COLUMNS} WHERE id = $1"))
            .bind(uid(id))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(session_from).transpose()?)
    }

    async fn sessions_of(&self, user: Uuid) -> Result<Vec<Session>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SESSION_COLUMNS} WHERE user_id = $1 ORDER BY created_at DESC"
        ))
        .bind(uid(user))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(session_from).collect::<Result<_, _>>()?)
    }

    async fn refresh_token(&self, token_hash: &str) -> Result<Option<RefreshToken>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, session_id, issued_at, rotated_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| -> Result<RefreshToken, sqlx::Error> {
                Ok(RefreshToken {
                    token_hash: r.try_get("token_hash")?,
                    session_id: id(&r, "session_id")?,
                    issued_at: r.try_get("issued_at")?,
                    rotated_at: r.try_get("rotated_at")?,
                })
            })
            .transpose()?)
    }

    async fn rotate_refresh_token(
        &self,
        old: &str,
        new: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        // Only one of two racing rotations of the same token wins.
        let rotated = sqlx::query(
            "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL
             RETURNING session_id",
        )
        .bind(now)
        .bind(old)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = rotated else {
            return Ok(false);
        };
        let session: Uuid = id(&row, "session_id")?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)",
        )
        .bind(new)
        .bind(uid(session))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(uid(session))
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            context,
            &AuditEvent::new("auth.refresh", "session", session),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn revoke_session(
        &self,
        id: Uuid,
        reason: &str,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE sessions SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(Utc::now())
        .bind(reason)
        .bind(uid(id))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed > 0 {
            let mut event = AuditEvent::new("session.revoke", "session", id);
            event.reason = Some(reason.to_owned());
            append_audit(&mut tx, context, &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

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

    async fn begin_attempt(
        &self,
        keys: &[String],
        now_ms: i64,
        window_ms: i64,
        rule: ThrottleRule,
    ) -> Result<AttemptStart, StoreError> {
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        let mut tx = self.begin_write().await?;
        lock_keys(&mut tx, &keys).await?;
        let since = now_ms - window_ms;
        for key in &keys {
            sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1 AND failed_at_ms < $2")
                .bind(key)
                .bind(since)
                .execute(&mut *tx)
                .await?;
            let counted: Vec<(i64, bool)> = sqlx::query_as(
                "SELECT failed_at_ms, pending FROM login_failures WHERE throttle_key = $1 ORDER BY failed_at_ms",
            )
            .bind(key)
            .fetch_all(&mut *tx)
            .await?;
            let failed: Vec<i64> = counted.iter().filter(|c| !c.1).map(|c| c.0).collect();
            let pending = counted.len() - failed.len();
            if let Some(retry_after_secs) = rule(&failed, pending, now_ms) {
                let window_start = now_ms - now_ms.rem_euclid(window_ms);
                sqlx::query(
                    "DELETE FROM throttle_windows WHERE throttle_key = $1 AND window_start_ms < $2",
                )
                .bind(key)
                .bind(window_start)
                .execute(&mut *tx)
                .await?;
                let refused: i64 = sqlx::query_scalar(
                    "INSERT INTO throttle_windows (throttle_key, window_start_ms, refused)
                     VALUES ($1, $2, 1)
                     ON CONFLICT (throttle_key, window_start_ms)
                     DO UPDATE SET refused = throttle_windows.refused + 1
                     RETURNING refused",
                )
                .bind(key)
                .bind(window_start)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(AttemptStart::Refused {
                    key: key.clone(),
                    retry_after_secs,
                    refused,
                });
            }
        }
        let attempt_id = Uuid::now_v7().to_string();
        for key in &keys {
            sqlx::query(
                "INSERT INTO login_failures (throttle_key, failed_at_ms, attempt_id, pending) VALUES ($1, $2, $3, TRUE)",
            )
            .bind(key)
            .bind(now_ms)
            .bind(&attempt_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(AttemptStart::Counted { attempt_id })
    }

    async fn fail_attempt(&self, attempt_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE login_failures SET pending = FALSE WHERE attempt_id = $1")
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn forget_attempt(&self, attempt_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE attempt_id = $1")
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn site(&self, id: Uuid) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT id, code, name, timezone, emergency_phone FROM sites WHERE id = $1",
        )
        .bind(uid(id))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(site_from).transpose()?)
    }

    async fn lab_versions_of_sites(&self, sites: &[Uuid]) -> Result<Vec<LabVersion>, StoreError> {
        labs::of_sites(&self.pool, sites).await
    }

    async fn entry_times_of_sites(
        &self,
        sites: &[Uuid],
        from_us: i64,
        to_us: i64,
    ) -> Result<Vec<(Uuid, i64)>, StoreError> {
        entries::event_times(self, sites, from_us, to_us).await
    }

    async fn open_alert_counts(&self, sites: &[Uuid]) -> Result<Vec<(Uuid, i64)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT participant_id, COUNT(*) AS open FROM alerts
              WHERE status = 'open' AND site_id {} GROUP BY participant_id",
            in_ids(1)
        ))
        .bind(id_list(sites))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((id(r, "participant_id")?, r.try_get("open")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn user_language(
        &self,
        user: Uuid,
    ) -> Result<Option<app::domain::language::Language>, StoreError> {
        let tag: Option<(Option<String>,)> =
            sqlx::query_as("SELECT language FROM users WHERE id = $1")
                .bind(uid(user))
                .fetch_optional(&self.pool)
                .await?;
        Ok(tag
            .and_then(|(t,)| t)
            .and_then(|t| app::domain::language::Language::from_tag(&t)))
    }

    async fn set_user_language(
        &self,
        user: Uuid,
        language: app::domain::language::Language,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before: Option<(Option<String>,)> =
            sqlx::query_as("SELECT language FROM users WHERE id = $1")
                .bind(uid(user))
                .fetch_optional(&mut *tx)
                .await?;
        let before = before
            .and_then(|(t,)| t)
            .and_then(|t| app::domain::language::Language::from_tag(&t));
        if before == Some(language) {
            return Ok(());
        }
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language.tag())
            .bind(uid(user))
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            context,
            &events::user_language_set(user, before, language),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn idaa1c_dose_days(&self) -> Result<i64, StoreError> {
        let (days,): (i64,) = sqlx::query_as("SELECT idaa1c_dose_days FROM outcome_settings")
            .fetch_one(&self.pool)
            .await?;
        Ok(days)
    }

    async fn set_idaa1c_dose_days(
        &self,
        days: i64,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE outcome_settings SET idaa1c_dose_days = $1, updated_at = $2")
            .bind(days)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, context, &events::outcome_settings_set(days)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, code, name, timezone, emergency_phone FROM sites ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(site_from).collect::<Result<_, _>>()?)
    }

    async fn update_site(
        &self,
        before: &Site,
        after: &Site,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE sites SET name = $1, timezone = $2, emergency_phone = $3 WHERE id = $4",
        )
        .bind(&after.name)
        .bind(&after.timezone)
        .bind(&after.emergency_phone)
        .bind(uid(after.id))
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, context, &events::site_updated(before, after)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn save_study(
        &self,
        details: &StudyDetails,
        context: &AuditContext,
    ) -> Result<Study, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(STUDY_SELECT).fetch_optional(&mut *tx).await?;
        let study = match row.as_ref().map(study_from).transpose()? {
            Some(before) => {
                let after = Study {
                    name: details.name.clone(),
                    default_language: details.default_language,
                    ..before.clone()
                };
                sqlx::query("UPDATE study SET name = $1, default_language = $2")
                    .bind(&after.name)
                    .bind(after.default_language.tag())
                    .execute(&mut *tx)
                    .await?;
                append_audit(&mut tx, context, &events::study_updated(&before, &after)).await?;
                after
            }
            None => {
                let study = Study {
                    id: Uuid::now_v7(),
                    name: details.name.clone(),
                    is_demo: false,
                    created_at: Utc::now(),
                    default_language: details.default_language,
                };
                insert_study(&mut tx, &study).await?;
                append_audit(&mut tx, context, &events::study_created(&study)).await?;
                study
            }
        };
        tx.commit().await?;
        Ok(study)
    }

    async fn create_participant(
        &self,
        participant: &Participant,
        code: &NewEnrollmentCode,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_participant(&mut tx, participant, context).await?;
        insert_code(&mut tx, code, context).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_enrollment_code(
        &self,
        code: &NewEnrollmentCode,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_code(&mut tx, code, context).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn participant(&self, id: Uuid) -> Result<Option<Participant>, StoreError> {
        let row = sqlx::query(&format!("{PARTICIPANT_COLUMNS} WHERE id = $1"))
            .bind(uid(id))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(participant_from).transpose()?)
    }

    async fn participants_page(
        &self,
        sites: &[Uuid],
        ids: &[Uuid],
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Participant>, StoreError> {
        let rows = sqlx::query(&format!(
            "{PARTICIPANT_COLUMNS} WHERE {}",
            participant_page_filter()
        ))
        .bind(id_list(sites))
        .bind(id_list(ids))
        .bind(after.map(uid))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(participant_from)
            .collect::<Result<_, _>>()?)
    }

    async fn enroll(
        &self,
        code_hash: &str,
        user: &NewUser,
        now_ms: i64,
        context: &AuditContext,
    ) -> Result<Option<(CodeKind, Uuid)>, StoreError> {
        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        // Single use: only the first of two racing enrolments marks the code.
        let claimed = sqlx::query(
            "UPDATE enrollment_codes SET used_at = $1
             WHERE code_hash = $2 AND used_at IS NULL AND expires_at_ms > $3
             RETURNING kind, participant_id",
        )
        .bind(now)
        .bind(code_hash)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await;
        let claimed = claimed?;
        let Some(row) = claimed else {
            return Ok(None);
        };
        let kind: String = row.try_get("kind")?;
        let kind = CodeKind::parse(&kind)
            .ok_or_else(|| StoreError::NotFound(format!("code kind {kind}")))?;
        let participant: Uuid = id(&row, "participant_id")?;
        // The code decides what the account is.
        let user = NewUser {
            role: match kind {
                CodeKind::Participant => Role::Participant,
                CodeKind::Guardian => Role::Guardian,
            },
            ..user.clone()
        };
        insert_user(&mut tx, &user, &[], now, context).await?;
        sqlx::query("UPDATE enrollment_codes SET used_by = $1 WHERE code_hash = $2")
            .bind(uid(user.id))
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        match kind {
            CodeKind::Participant => {
                let linked = sqlx::query(
                    "UPDATE participants SET user_id = $1 WHERE id = $2 AND user_id IS NULL",
                )
                .bind(uid(user.id))
                .bind(uid(participant))
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if linked == 0 {
                    return Ok(None);
                }
                let event = AuditEvent::new("participant.link_account", "participant", participant)
                    .on_behalf_of(participant)
                    .after(serde_json::json!({"user_id": user.id}));
                append_audit(&mut tx, context, &event).await?;
            }
            CodeKind::Guardian => {
                sqlx::query("INSERT INTO guardian_links (guardian_id, participant_id, created_at) VALUES ($1, $2, $3)")
                    .bind(uid(user.id))
                    .bind(uid(participant))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                append_audit(
                    &mut tx,
                    context,
                    &events::guardian_linked(user.id, participant),
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(Some((kind, participant)))
    }

    async fn audit_for(
        &self,
        entity_id: &str,
        participant: Option<Uuid>,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(&format!("{AUDIT_COLUMNS} WHERE (entity_id = $1 OR on_behalf_of = $2) AND seq > $3 ORDER BY seq LIMIT $4"))
        .bind(entity_id)
        .bind(participant.map(uid))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_row_from).collect::<Result<_, _>>()?)
    }

    async fn change_password(
        &self,
        user: Uuid,
        hash: &PasswordHash,
        keep_session: Option<Uuid>,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&hash.0)
            .bind(uid(user))
            .execute(&mut *tx)
            .await?;
        append_audit(
            &mut tx,
            context,
            &AuditEvent::new("user.password_change", "user", user),
        )
        .await?;
        revoke_all(&mut tx, user, keep_session, "password changed", context).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn disable_user(
        &self,
        user: Uuid,
        reason: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                .bind(Utc::now())
                .bind(uid(user))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        let mut event = AuditEvent::new("user.disable", "user", user);
        event.reason = Some(reason.to_owned());
        append_audit(&mut tx, context, &event).await?;
        revoke_all(&mut tx, user, None, "account disabled", context).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn staff_mfa(&self, user: Uuid) -> Result<Option<StaffMfa>, StoreError> {
        let row = sqlx::query("SELECT secret_hex, confirmed_at IS NOT NULL AS confirmed, last_step, setup_code_hash FROM staff_mfa WHERE user_id = $1")
            .bind(uid(user))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| -> Result<StaffMfa, sqlx::Error> {
                Ok(StaffMfa {
                    secret_hex: r.try_get("secret_hex")?,
                    confirmed: r.try_get("confirmed")?,
                    last_step: r.try_get("last_step")?,
                    setup_code_hash: r.try_get("setup_code_hash")?,
                })
            })
            .transpose()?)
    }

    async fn begin_mfa_setup(
        &self,
        user: Uuid,
        secret_hex: &str,
        recovery_hashes: &[String],
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let confirmed: Option<bool> =
            sqlx::query_scalar("SELECT confirmed_at IS NOT NULL FROM staff_mfa WHERE user_id = $1")
                .bind(uid(user))
                .fetch_optional(&mut *tx)
                .await?;
        match confirmed {
            Some(true) => return Ok(false),
            Some(false) => {
                sqlx::query("UPDATE staff_mfa SET secret_hex = $1, created_at = $2, last_step = 0, setup_code_hash = NULL WHERE user_id = $3")
                    .bind(secret_hex)
                    .bind(now)
                    .bind(uid(user))
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO staff_mfa (user_id, secret_hex, created_at) VALUES ($1, $2, $3)",
                )
                .bind(uid(user))
                .bind(secret_hex)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE recovery_codes SET retired_at = $1 WHERE user_id = $2 AND used_at IS NULL AND retired_at IS NULL")
            .bind(now)
            .bind(uid(user))
            .execute(&mut *tx)
            .await?;
        for hash in recovery_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(hash)
            .bind(uid(user))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        append_audit(
            &mut tx,
            context,
            &AuditEvent::new("mfa.setup", "user", user),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn accept_totp_step(
        &self,
        user: Uuid,
        step: i64,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let confirmed: Option<bool> = sqlx::query_scalar(
            "UPDATE staff_mfa SET last_step = $1, confirmed_at = COALESCE(confirmed_at, $2)
             WHERE user_id = $3 AND last_step < $1
             RETURNING confirmed_at = $2",
        )
        .bind(step)
        .bind(Utc::now())
        .bind(uid(user))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(newly_confirmed) = confirmed else {
            return Ok(false);
        };
        if newly_confirmed {
            append_audit(
                &mut tx,
                context,
                &AuditEvent::new("mfa.confirm", "user", user),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn use_recovery_code(
        &self,
        user: Uuid,
        code_hash: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let used = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL AND retired_at IS NULL",
        )
        .bind(Utc::now())
        .bind(uid(user))
        .bind(code_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used == 0 {
            return Ok(false);
        }
        append_audit(
            &mut tx,
            context,
            &AuditEvent::new("mfa.recovery_code_used", "user", user),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn reset_mfa(
        &self,
        user: Uuid,
        reason: &str,
        setup_code_hash: &str,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query("UPDATE staff_mfa SET confirmed_at = NULL, secret_hex = '', last_step = 0, setup_code_hash = $2 WHERE user_id = $1")
            .bind(uid(user))
            .bind(setup_code_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE recovery_codes SET retired_at = $1 WHERE user_id = $2 AND used_at IS NULL AND retired_at IS NULL")
            .bind(now)
            .bind(uid(user))
            .execute(&mut *tx)
            .await?;
        let mut event = AuditEvent::new("mfa.reset", "user", user);
        event.reason = Some(reason.to_owned());
        append_audit(&mut tx, context, &event).await?;
        revoke_all(&mut tx, user, None, "second factor reset", context).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        Ok(sqlx::query_as("SELECT seq, hash FROM audit_head")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn audit_page(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{AUDIT_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_row_from).collect::<Result<_, _>>()?)
    }

    async fn sync_batch(&self, batch: &SyncBatch<'_>) -> Result<SyncOutcome, StoreError> {
        entries::sync_batch(self, batch).await
    }

    async fn entries_page(
        &self,
        participant: Uuid,
        query: &EntryQuery,
    ) -> Result<Vec<EntryVersion>, StoreError> {
        entries::entries_page(&self.pool, participant, query).await
    }

    async fn entry_history(&self, entry: Uuid) -> Result<Vec<EntryVersion>, StoreError> {
        entries::entry_history(&self.pool, entry).await
    }

    async fn participant_versions(
        &self,
        participant: Uuid,
    ) -> Result<Vec<EntryVersion>, StoreError> {
        entries::participant_versions(&self.pool, participant).await
    }

    async fn save_lab_version(
        &self,
        version: &LabVersion,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        labs::save(self, version, context).await
    }

    async fn lab_versions(&self, participant: Uuid) -> Result<Vec<LabVersion>, StoreError> {
        labs::of_participant(&self.pool, participant).await
    }

    async fn lab_history(&self, lab: Uuid) -> Result<Vec<LabVersion>, StoreError> {
        labs::history(&self.pool, lab).await
    }

    async fn alerts_page(
        &self,
        sites: Option<&[Uuid]>,
        status: Option<AlertStatus>,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        alerts::alerts_page(self, sites, status, before, limit).await
    }

    async fn alerts_of_participant(
        &self,
        participant: Uuid,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        alerts::of_participant(self, participant).await
    }

    async fn alert(&self, id: Uuid) -> Result<Option<AlertRecord>, StoreError> {
        alerts::alert(self, id).await
    }

    async fn alert_deliveries(&self, id: Uuid) -> Result<Vec<DeliveryStatus>, StoreError> {
        alerts::deliveries(self, id).await
    }

    async fn acknowledge_alert(
        &self,
        id: Uuid,
        by: Uuid,
        note: &str,
        context: &AuditContext,
    ) -> Result<Option<AlertRecord>, StoreError> {
        alerts::act(self, id, by, note, false, context).await
    }

    async fn report_alert(
        &self,
        id: Uuid,
        by: Uuid,
        note: &str,
        context: &AuditContext,
    ) -> Result<Option<AlertRecord>, StoreError> {
        alerts::act(self, id, by, note, true, context).await
    }

    async fn alert_events_after(
        &self,
        sites: Option<&[Uuid]>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AlertEventRow>, StoreError> {
        alerts::events_after(self, sites, after, limit).await
    }

    async fn alert_event_head(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT seq FROM alert_head")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn set_site_contacts(
        &self,
        site: Uuid,
        contacts: &[Contact],
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        alerts::set_contacts(self, site, contacts, context).await
    }

    async fn site_contacts(&self, site: Uuid) -> Result<Vec<Contact>, StoreError> {
        alerts::contacts(self, site).await
    }

    async fn claim_deliveries(
        &self,
        now_us: i64,
        lease_us: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        alerts::claim(self, now_us, lease_us, limit).await
    }

    async fn finish_delivery(&self, id: Uuid, outcome: &DeliveryOutcome) -> Result<(), StoreError> {
        alerts::finish(self, id, outcome).await
    }

    async fn escalate_alerts(
        &self,
        now: DateTime<Utc>,
        every: chrono::Duration,
        context: &AuditContext,
    ) -> Result<usize, StoreError> {
        alerts::escalate(self, now, every, context).await
    }

    async fn diary_activity(&self) -> Result<Vec<DiaryActivity>, StoreError> {
        alerts::activity(self).await
    }

    async fn raise_missed_diary(
        &self,
        participant: Uuid,
        context: &AuditContext,
    ) -> Result<bool, StoreError> {
        alerts::raise_missed(self, participant, context).await
    }

    async fn alert_settings(&self) -> Result<app::domain::alerts::AlertSettings, StoreError> {
        let (repeat, report, escalate, missed): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT repeat_window_hours, report_within_hours, escalate_after_minutes, missed_days
               FROM alert_settings",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(crate::store::settings_from(
            repeat, report, escalate, missed,
        ))
    }

    async fn set_alert_settings(
        &self,
        settings: &app::domain::alerts::AlertSettings,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE alert_settings SET repeat_window_hours = $1, report_within_hours = $2,
               escalate_after_minutes = $3, missed_days = $4, updated_at = $5",
        )
        .bind(settings.repeat_window.num_hours())
        .bind(settings.report_within.num_hours())
        .bind(settings.escalate_after.num_minutes())
        .bind(i64::from(settings.missed_days))
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, context, &events::alert_settings_set(settings)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn visit_schedule(&self) -> Result<Vec<app::domain::visits::Visit>, StoreError> {
        let (text,): (String,) = sqlx::query_as("SELECT visits FROM visit_schedule")
            .fetch_one(&self.pool)
            .await?;
        crate::store::schedule_from(&text)
    }

    async fn set_visit_schedule(
        &self,
        visits: &[app::domain::visits::Visit],
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(visits).map_err(|e| StoreError::Refused(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE visit_schedule SET visits = $1, updated_at = $2")
            .bind(text)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, context, &events::visit_schedule_set(visits)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn emergency_advice(&self) -> Result<(String, String), StoreError> {
        Ok(
            sqlx::query_as("SELECT text_en, text_zh FROM emergency_advice")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn set_emergency_advice(
        &self,
        english: &str,
        chinese: &str,
        context: &AuditContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE emergency_advice SET text_en = $1, text_zh = $2, updated_at = $3")
            .bind(english)
            .bind(chinese)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, context, &events::advice_set(english, chinese)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn backup(&self, to: &Path) -> Result<(), StoreError> {
        self.backup_to(to).await
    }
}
