//! Accounts, sessions, second factors and the sign-in throttle.

use super::*;

const USER_COLUMNS: &str =
    "SELECT id, username, display_name, role, password_hash, disabled_at, created_at, language
         FROM users";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uid,
    username: String,
    display_name: String,
    role: String,
    password_hash: String,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    language: Option<String>,
}

impl TryFrom<UserRow> for User {
    type Error = sqlx::Error;

    fn try_from(r: UserRow) -> Result<Self, sqlx::Error> {
        Ok(User {
            id: uuid_of(r.id),
            username: r.username,
            display_name: r.display_name,
            role: r
                .role
                .parse()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            password_hash: PasswordHash(r.password_hash),
            disabled_at: r.disabled_at,
            created_at: r.created_at,
            // An unknown tag reads as no choice.
            language: r.language.and_then(|tag| Language::from_tag(&tag)),
        })
    }
}

pub(super) async fn insert_user(
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

pub(super) async fn link_investigator(
    conn: &mut Conn,
    user: Uuid,
    site: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO investigator_sites (user_id, site_id) VALUES ($1, $2)")
        .bind(uid(user))
        .bind(uid(site))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every open session of `user` but `keep`, each with an audit row.
pub(super) async fn revoke_all(
    conn: &mut Conn,
    user: Uuid,
    keep: Option<Uuid>,
    reason: &str,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let open: Vec<Uid> =
        sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(uid(user))
            .fetch_all(&mut *conn)
            .await?;
    for session in open.into_iter().map(uuid_of) {
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

const SESSION_COLUMNS: &str =
    "SELECT id, user_id, created_at, last_used_at, user_agent, client_addr, device_id,
        revoked_at, revoked_reason FROM sessions";

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uid,
    user_id: Uid,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
    user_agent: Option<String>,
    client_addr: Option<String>,
    device_id: Option<String>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_reason: Option<String>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: uuid_of(r.id),
            user_id: uuid_of(r.user_id),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            user_agent: r.user_agent,
            client_addr: r.client_addr,
            device_id: r.device_id,
            revoked_at: r.revoked_at,
            revoked_reason: r.revoked_reason,
        }
    }
}

pub(super) async fn user_by_username(
    store: &ThisStore,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query_as::<_, UserRow>(&format!("{USER_COLUMNS} WHERE username = $1"))
        .bind(username)
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(User::try_from).transpose()?)
}

pub(super) async fn create_user(
    store: &ThisStore,
    user: &NewUser,
    sites: &[Uuid],
    context: &AuditContext,
) -> Result<User, StoreError> {
    let mut tx = store.begin_write().await?;
    insert_user(&mut tx, user, sites, Utc::now(), context).await?;
    tx.commit().await?;
    store
        .user_by_username(&user.username)
        .await?
        .ok_or_else(|| StoreError::NotFound("the account just created".into()))
}

pub(super) async fn user_by_id(store: &ThisStore, id: Uuid) -> Result<Option<User>, StoreError> {
    let row = sqlx::query_as::<_, UserRow>(&format!("{USER_COLUMNS} WHERE id = $1"))
        .bind(uid(id))
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(User::try_from).transpose()?)
}

pub(super) async fn user_links(store: &ThisStore, user: Uuid) -> Result<UserLinks, StoreError> {
    let sites: Vec<Uid> = sqlx::query_scalar(
        "SELECT site_id FROM investigator_sites WHERE user_id = $1 ORDER BY site_id",
    )
    .bind(uid(user))
    .fetch_all(&store.pool)
    .await?;
    let participants: Vec<Uid> = sqlx::query_scalar(
        "SELECT id FROM participants WHERE user_id = $1
         UNION SELECT participant_id FROM guardian_links WHERE guardian_id = $1
         ORDER BY 1",
    )
    .bind(uid(user))
    .fetch_all(&store.pool)
    .await?;
    Ok(UserLinks {
        site_ids: sites.into_iter().map(uuid_of).collect(),
        participant_ids: participants.into_iter().map(uuid_of).collect(),
    })
}

pub(super) async fn rehash_password(
    store: &ThisStore,
    user: Uuid,
    hash: &PasswordHash,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn create_session(
    store: &ThisStore,
    session: &Session,
    token_hash: &str,
    context: &AuditContext,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn session(store: &ThisStore, id: Uuid) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query_as::<_, SessionRow>(&format!("{SESSION_COLUMNS} WHERE id = $1"))
        .bind(uid(id))
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(Session::from))
}

pub(super) async fn sessions_of(store: &ThisStore, user: Uuid) -> Result<Vec<Session>, StoreError> {
    let rows = sqlx::query_as::<_, SessionRow>(&format!(
        "{SESSION_COLUMNS} WHERE user_id = $1 ORDER BY created_at DESC"
    ))
    .bind(uid(user))
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(Session::from).collect())
}

#[derive(sqlx::FromRow)]
struct RefreshTokenRow {
    token_hash: String,
    session_id: Uid,
    issued_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
}

impl From<RefreshTokenRow> for RefreshToken {
    fn from(r: RefreshTokenRow) -> Self {
        RefreshToken {
            token_hash: r.token_hash,
            session_id: uuid_of(r.session_id),
            issued_at: r.issued_at,
            rotated_at: r.rotated_at,
        }
    }
}

pub(super) async fn refresh_token(
    store: &ThisStore,
    token_hash: &str,
) -> Result<Option<RefreshToken>, StoreError> {
    let row = sqlx::query_as::<_, RefreshTokenRow>(
        "SELECT token_hash, session_id, issued_at, rotated_at FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(RefreshToken::from))
}

pub(super) async fn rotate_refresh_token(
    store: &ThisStore,
    old: &str,
    new: &str,
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let mut tx = store.begin_write().await?;
    // Only one of two racing rotations of the same token wins.
    let rotated: Option<Uid> = sqlx::query_scalar(
        "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL
         RETURNING session_id",
    )
    .bind(now)
    .bind(old)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(session) = rotated.map(uuid_of) else {
        return Ok(false);
    };
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

pub(super) async fn revoke_session(
    store: &ThisStore,
    id: Uuid,
    reason: &str,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn begin_attempt(
    store: &ThisStore,
    keys: &[String],
    now_ms: i64,
    window_ms: i64,
    rule: ThrottleRule,
) -> Result<AttemptStart, StoreError> {
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let mut tx = store.begin_write().await?;
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

pub(super) async fn fail_attempt(store: &ThisStore, attempt_id: &str) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE login_failures SET pending = FALSE WHERE attempt_id = $1")
        .bind(attempt_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn forget_attempt(store: &ThisStore, attempt_id: &str) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("DELETE FROM login_failures WHERE attempt_id = $1")
        .bind(attempt_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn set_user_language(
    store: &ThisStore,
    user: Uuid,
    language: app::domain::language::Language,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn change_password(
    store: &ThisStore,
    user: Uuid,
    hash: &PasswordHash,
    keep_session: Option<Uuid>,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn disable_user(
    store: &ThisStore,
    user: Uuid,
    reason: &str,
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn staff_mfa(
    store: &ThisStore,
    user: Uuid,
) -> Result<Option<StaffMfa>, StoreError> {
    let row: Option<(String, bool, i64, Option<String>)> = sqlx::query_as("SELECT secret_hex, confirmed_at IS NOT NULL AS confirmed, last_step, setup_code_hash FROM staff_mfa WHERE user_id = $1")
        .bind(uid(user))
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(
        |(secret_hex, confirmed, last_step, setup_code_hash)| StaffMfa {
            secret_hex,
            confirmed,
            last_step,
            setup_code_hash,
        },
    ))
}

pub(super) async fn begin_mfa_setup(
    store: &ThisStore,
    user: Uuid,
    secret_hex: &str,
    recovery_hashes: &[String],
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let mut tx = store.begin_write().await?;
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

pub(super) async fn accept_totp_step(
    store: &ThisStore,
    user: Uuid,
    step: i64,
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn use_recovery_code(
    store: &ThisStore,
    user: Uuid,
    code_hash: &str,
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
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

pub(super) async fn reset_mfa(
    store: &ThisStore,
    user: Uuid,
    reason: &str,
    setup_code_hash: &str,
    context: &AuditContext,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let mut tx = store.begin_write().await?;
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
