//! Signing in and staying signed in: passwords, tokens, sessions, throttling.
//! Handlers in `http::auth` are thin; the decisions are here.

pub mod mfa;
pub mod throttle;
pub mod tokens;

use std::sync::Arc;

use app::domain::account::{USERNAME_MAX_CHARS, UserProfile, normalize_username};
use chrono::Utc;
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{AuditContext, AuditEvent},
    password::{self, Verdict},
    store::{AttemptStart, Session, Store, StoreError, User, UserLinks},
};
use tokens::{
    REFRESH_IDLE_LIFETIME, REFRESH_RETRY_GRACE, TokenKeys, new_refresh_token, refresh_hash,
};

/// Everything the auth service needs, shared by all requests.
pub struct Auth {
    pub keys: TokenKeys,
    /// Staff must pass a second factor (`EDIARY_STAFF_MFA`, on unless `off`).
    pub staff_mfa: bool,
}

impl Auth {
    pub fn new(secret: &SecretString, staff_mfa: bool) -> Arc<Self> {
        Arc::new(Self {
            keys: TokenKeys::new(secret),
            staff_mfa,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("a second factor is needed")]
    MfaRequired,
    #[error("the token is not valid")]
    InvalidToken,
    #[error("only staff accounts use a second factor")]
    NotStaff,
    #[error("two-factor sign-in is set up already")]
    MfaAlreadySetUp,
    /// Input that cannot be used, by field.
    #[error("some fields are not valid")]
    Invalid(std::collections::BTreeMap<String, String>),
    #[error("too many failed attempts")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<password::PasswordError> for AuthError {
    fn from(e: password::PasswordError) -> Self {
        AuthError::Internal(e.to_string())
    }
}

impl From<tokens::TokenError> for AuthError {
    fn from(e: tokens::TokenError) -> Self {
        match e {
            tokens::TokenError::Invalid(_) => AuthError::InvalidToken,
            tokens::TokenError::Signing(e) => AuthError::Internal(e),
        }
    }
}

/// What a successful sign-in or refresh hands out.
#[derive(Debug, Clone)]
pub struct Grant {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub user: UserProfile,
}

pub async fn profile(store: &dyn Store, user: &User) -> Result<UserProfile, StoreError> {
    Ok(profile_of(user, store.user_links(user.id).await?))
}

/// The contract's `user` from an account and its links.
pub fn profile_of(user: &User, links: UserLinks) -> UserProfile {
    UserProfile {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        site_ids: links.site_ids,
        participant_ids: links.participant_ids,
        language: user.language,
    }
}

fn throttle_keys(username: &str, context: &AuditContext) -> Vec<String> {
    let mut keys = vec![format!("account:{username}")];
    if let Some(addr) = &context.client_addr {
        keys.push(format!("address:{addr}"));
    }
    keys
}

/// Checks a username and password and starts a session for the device.
pub async fn login(
    auth: &Auth,
    store: &dyn Store,
    username: &str,
    password: SecretString,
    totp: Option<&str>,
    context: &AuditContext,
) -> Result<Grant, AuthError> {
    let (user, password) = check_password(store, username, password, context).await?;
    let context = AuditContext {
        actor_id: Some(user.id),
        actor_role: user.role.to_string(),
        ..context.clone()
    };
    if auth.staff_mfa && user.role.is_staff() {
        second_factor(store, &user, totp, &context).await?;
    }
    if password.1 {
        // The password is at hand only now: upgrade the stored hash.
        let stronger = password::hash(password.0).await?;
        store.rehash_password(user.id, &stronger, &context).await?;
    }
    start_session(auth, store, &user, &context).await
}

/// Counts an attempt on `keys` before anything is checked (see
/// [`Store::begin_attempt`]): the attempt's id, to forget it if it succeeds.
/// A refused attempt writes one audit row per key and window (`refused` is
/// 1), and only bumps a counter after that, so a flood adds nothing.
async fn count_attempt(
    store: &dyn Store,
    keys: &[String],
    refused_event: AuditEvent,
    context: &AuditContext,
) -> Result<String, AuthError> {
    let now = Utc::now().timestamp_millis();
    match store
        .begin_attempt(keys, now, throttle::WINDOW_MS, throttle::retry_after)
        .await?
    {
        AttemptStart::Counted { attempt_id } => Ok(attempt_id),
        AttemptStart::Refused {
            key,
            retry_after_secs,
            refused,
        } => {
            if refused == 1 {
                let mut event = refused_event;
                event.reason = Some(format!(
                    "{key} waits {retry_after_secs} s; further refusals in this window are counted, not logged"
                ));
                store.record_audit(context, &event).await?;
            } else if u64::try_from(refused).is_ok_and(u64::is_power_of_two) {
                tracing::warn!(%key, refused, "attempts refused by the throttle");
            }
            Err(AuthError::Throttled { retry_after_secs })
        }
    }
}

/// A username as the sign-in forms take it. An over-long one cannot belong
/// to an account and is refused before anything (the audit trail included)
/// sees it; a short one that breaks the other rules is looked up (and fails)
/// like any unknown name, so what reaches an audit row is at most
/// [`USERNAME_MAX_CHARS`] characters.
fn username_of(raw: &str) -> Result<String, AuthError> {
    // Counted before lower-casing, which may lengthen a name ('İ' becomes two
    // characters): the published `maxLength` counts what the client sent.
    let trimmed = raw.trim();
    if trimmed.chars().count() > USERNAME_MAX_CHARS {
        return Err(AuthError::Invalid(std::collections::BTreeMap::from([(
            "username".to_owned(),
            format!("a username has at most {USERNAME_MAX_CHARS} characters"),
        )])));
    }
    let name = trimmed.to_lowercase();
    Ok(normalize_username(&name).unwrap_or(name))
}

/// Throttling, then the password: the user, the password and whether its
/// hash should be redone.
async fn check_password(
    store: &dyn Store,
    username: &str,
    password: SecretString,
    context: &AuditContext,
) -> Result<(User, (SecretString, bool)), AuthError> {
    let username = username_of(username)?;
    let keys = throttle_keys(&username, context);
    let attempt = count_attempt(
        store,
        &keys,
        AuditEvent::new("auth.throttled", "username", &username),
        context,
    )
    .await?;

    let user = store.user_by_username(&username).await?;
    let verdict = password::verify(
        password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let (user, needs_rehash) = match (user, verdict) {
        (Some(user), Verdict::Right { needs_rehash }) if user.disabled_at.is_none() => {
            store.forget_attempt(&attempt).await?;
            (user, needs_rehash)
        }
        (user, _) => {
            // The counted attempt stays: it is the failure.
            store.fail_attempt(&attempt).await?;
            let event = match &user {
                Some(user) => AuditEvent::new("auth.login_failed", "user", user.id),
                None => AuditEvent::new("auth.login_failed", "username", &username),
            };
            store.record_audit(context, &event).await?;
            return Err(AuthError::InvalidCredentials);
        }
    };
    Ok((user, (password, needs_rehash)))
}

/// Changes a signed-in user's password after checking the current one,
/// which is throttled and audited like a sign-in (a stolen session must not
/// become a way to guess it); their other sessions end.
pub async fn change_password(
    store: &dyn Store,
    user: &User,
    session_id: Uuid,
    current: SecretString,
    new: SecretString,
    context: &AuditContext,
) -> Result<(), AuthError> {
    use secrecy::ExposeSecret;

    if let Err(why) = password::check_new(new.expose_secret()) {
        return Err(AuthError::Invalid(std::collections::BTreeMap::from([(
            "new_password".to_owned(),
            why,
        )])));
    }
    let keys = throttle_keys(&user.username, context);
    let attempt = count_attempt(
        store,
        &keys,
        AuditEvent::new("auth.throttled", "user", user.id),
        context,
    )
    .await?;
    let verdict = password::verify(current, Some(user.password_hash.clone())).await?;
    if verdict == Verdict::Wrong {
        store.fail_attempt(&attempt).await?;
        store
            .record_audit(
                context,
                &AuditEvent::new("auth.password_change_failed", "user", user.id),
            )
            .await?;
        return Err(AuthError::Invalid(std::collections::BTreeMap::from([(
            "current_password".to_owned(),
            "this is not your current password".to_owned(),
        )])));
    }
    store.forget_attempt(&attempt).await?;
    let hash = password::hash(new).await?;
    store
        .change_password(user.id, &hash, Some(session_id), context)
        .await?;
    Ok(())
}

/// A staff sign-in needs a current TOTP code (which also confirms a new
/// set-up) or an unused recovery code.
async fn second_factor(
    store: &dyn Store,
    user: &User,
    code: Option<&str>,
    context: &AuditContext,
) -> Result<(), AuthError> {
    // A reset leaves an empty secret: like no set-up at all.
    let setup = store
        .staff_mfa(user.id)
        .await?
        .filter(|s| !s.secret_hex.is_empty());
    // A code is counted before it is checked, like a password.
    let attempt = match code {
        Some(_) => Some(
            count_attempt(
                store,
                &throttle_keys(&user.username, context),
                AuditEvent::new("auth.throttled", "user", user.id),
                context,
            )
            .await?,
        ),
        None => None,
    };
    let accepted = match (&setup, code) {
        (Some(setup), Some(code)) => {
            let secret =
                hex::decode(&setup.secret_hex).map_err(|e| AuthError::Internal(e.to_string()))?;
            let totp = mfa::totp(&secret, &user.username)
                .ok_or_else(|| AuthError::Internal("bad TOTP secret".into()))?;
            let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
            match mfa::matching_step(&totp, code, now) {
                Some(step) => store.accept_totp_step(user.id, step, context).await?,
                None => match crate::enrollment::normalize(code) {
                    Some(recovery) if setup.confirmed => {
                        let salted = crate::enrollment::recovery_hash(user.id, &recovery);
                        // Codes made before they were salted are plain SHA-256.
                        store.use_recovery_code(user.id, &salted, context).await?
                            || store
                                .use_recovery_code(
                                    user.id,
                                    &crate::enrollment::hash(&recovery),
                                    context,
                                )
                                .await?
                    }
                    _ => false,
                },
            }
        }
        _ => false,
    };
    match attempt {
        Some(attempt) if accepted => store.forget_attempt(&attempt).await?,
        Some(attempt) => store.fail_attempt(&attempt).await?,
        None => {}
    }
    if accepted {
        return Ok(());
    }
    store
        .record_audit(
            context,
            &AuditEvent::new("auth.mfa_required", "user", user.id),
        )
        .await?;
    Err(AuthError::MfaRequired)
}

/// What a staff member needs to add the diary to an authenticator app.
#[derive(Debug, Clone)]
pub struct MfaSetup {
    pub secret_base32: String,
    pub otpauth_url: String,
    pub qr_svg: Option<String>,
    pub recovery_codes: Vec<String>,
}

/// Starts (or restarts, while unconfirmed) a staff member's TOTP set-up,
/// after checking their password, and after a reset the set-up code that
/// `ediary user reset-mfa` printed. The first accepted code confirms it.
pub async fn setup_mfa(
    store: &dyn Store,
    username: &str,
    password: SecretString,
    setup_code: Option<&str>,
    context: &AuditContext,
) -> Result<MfaSetup, AuthError> {
    let (user, _) = check_password(store, username, password, context).await?;
    if !user.role.is_staff() {
        return Err(AuthError::NotStaff);
    }
    let context = AuditContext {
        actor_id: Some(user.id),
        actor_role: user.role.to_string(),
        ..context.clone()
    };
    if let Some(expected) = store
        .staff_mfa(user.id)
        .await?
        .and_then(|m| m.setup_code_hash)
    {
        // Counted like a password: the code is short enough to guess at.
        let attempt = count_attempt(
            store,
            &throttle_keys(&user.username, &context),
            AuditEvent::new("auth.throttled", "user", user.id),
            &context,
        )
        .await?;
        let given = setup_code
            .and_then(crate::enrollment::normalize)
            .map(|code| crate::enrollment::recovery_hash(user.id, &code));
        if given.as_deref() != Some(expected.as_str()) {
            store.fail_attempt(&attempt).await?;
            store
                .record_audit(
                    &context,
                    &AuditEvent::new("mfa.setup_code_refused", "user", user.id),
                )
                .await?;
            return Err(AuthError::Invalid(std::collections::BTreeMap::from([(
                "setup_code".to_owned(),
                "after a reset, the set-up code your admin gave you".to_owned(),
            )])));
        }
        store.forget_attempt(&attempt).await?;
    }
    let secret = mfa::new_secret();
    let totp = mfa::totp(&secret, &user.username)
        .ok_or_else(|| AuthError::Internal("TOTP set-up failed".into()))?;
    let recovery_codes: Vec<String> = (0..mfa::RECOVERY_CODES)
        .map(|_| crate::enrollment::new_code())
        .collect();
    let hashes: Vec<String> = recovery_codes
        .iter()
        .map(|c| crate::enrollment::recovery_hash(user.id, c))
        .collect();
    if !store
        .begin_mfa_setup(user.id, &hex::encode(&secret), &hashes, &context)
        .await?
    {
        return Err(AuthError::MfaAlreadySetUp);
    }
    let otpauth_url = totp.get_url();
    Ok(MfaSetup {
        secret_base32: totp.get_secret_base32(),
        qr_svg: crate::enrollment::qr_svg(&otpauth_url),
        otpauth_url,
        recovery_codes,
    })
}

/// Clears a staff member's second factor (a lost phone) and ends their
/// sessions; the set-up code a new set-up needs, to be handed to them in
/// person (`None`: they had none set up).
pub async fn reset_mfa(
    store: &dyn Store,
    user: &User,
    reason: &str,
    context: &AuditContext,
) -> Result<Option<String>, AuthError> {
    let code = crate::enrollment::new_code();
    let hash = crate::enrollment::recovery_hash(user.id, &code);
    Ok(store
        .reset_mfa(user.id, reason, &hash, context)
        .await?
        .then_some(code))
}

/// The user and session behind an access token, if both are still valid:
/// checked on every request, so ending a session or disabling an account
/// takes effect at once, not when the token expires.
pub async fn session_user(
    auth: &Auth,
    store: &dyn Store,
    access_token: &str,
) -> Result<(User, Uuid), AuthError> {
    let claims = auth.keys.verify_access(access_token.trim())?;
    let session = store
        .session(claims.sid)
        .await?
        .filter(|s| s.revoked_at.is_none() && s.user_id == claims.sub)
        .ok_or(AuthError::InvalidToken)?;
    let user = store
        .user_by_id(claims.sub)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(AuthError::InvalidToken)?;
    Ok((user, session.id))
}

/// Signs in an account that enrolment just created.
pub async fn sign_in_enrolled(
    auth: &Auth,
    store: &dyn Store,
    user: &User,
    context: &AuditContext,
) -> Result<Grant, AuthError> {
    let context = AuditContext {
        actor_id: Some(user.id),
        actor_role: user.role.to_string(),
        ..context.clone()
    };
    start_session(auth, store, user, &context).await
}

async fn start_session(
    auth: &Auth,
    store: &dyn Store,
    user: &User,
    context: &AuditContext,
) -> Result<Grant, AuthError> {
    let now = Utc::now();
    let session = Session {
        id: Uuid::now_v7(),
        user_id: user.id,
        created_at: now,
        last_used_at: now,
        user_agent: context.user_agent.clone(),
        client_addr: context.client_addr.clone(),
        device_id: context.device_id.clone(),
        revoked_at: None,
        revoked_reason: None,
    };
    let refresh_token = new_refresh_token();
    let event = AuditEvent::new("auth.login", "session", session.id)
        .after(json!({"user_id": user.id, "device_id": context.device_id}));
    store
        .create_session(&session, &refresh_hash(&refresh_token), context, &event)
        .await?;
    grant(auth, store, user, session.id, refresh_token).await
}

async fn grant(
    auth: &Auth,
    store: &dyn Store,
    user: &User,
    session: Uuid,
    refresh_token: String,
) -> Result<Grant, AuthError> {
    Ok(Grant {
        access_token: auth
            .keys
            .issue_access(user.id, session, user.role, Utc::now())?,
        refresh_token,
        expires_in: tokens::ACCESS_LIFETIME.num_seconds(),
        user: profile(store, user).await?,
    })
}

/// Trades a refresh token for a new pair. A token used twice is a sign of
/// theft and ends the whole session, unless it is the same device retrying
/// within the grace period.
pub async fn refresh(
    auth: &Auth,
    store: &dyn Store,
    refresh_token: &str,
    context: &AuditContext,
) -> Result<Grant, AuthError> {
    let now = Utc::now();
    let stored = store
        .refresh_token(&refresh_hash(refresh_token))
        .await?
        .ok_or(AuthError::InvalidToken)?;
    let session = store
        .session(stored.session_id)
        .await?
        .filter(|s| s.revoked_at.is_none())
        .ok_or(AuthError::InvalidToken)?;
    let user = store
        .user_by_id(session.user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(AuthError::InvalidToken)?;
    let context = AuditContext {
        actor_id: Some(user.id),
        actor_role: user.role.to_string(),
        ..context.clone()
    };
    let successor = auth.keys.successor(refresh_token);
    if stored.rotated_at.is_none() {
        if now - stored.issued_at > REFRESH_IDLE_LIFETIME {
            store
                .revoke_session(session.id, "refresh token expired", &context)
                .await?;
            return Err(AuthError::InvalidToken);
        }
        if store
            .rotate_refresh_token(&stored.token_hash, &refresh_hash(&successor), &context)
            .await?
        {
            return grant(auth, store, &user, session.id, successor).await;
        }
    }
    // Already rotated: a lost answer retried, or a stolen token replayed.
    let rotated_at = match stored.rotated_at {
        Some(at) => at,
        None => store
            .refresh_token(&stored.token_hash)
            .await?
            .and_then(|t| t.rotated_at)
            .unwrap_or(now),
    };
    let successor_unused = store
        .refresh_token(&refresh_hash(&successor))
        .await?
        .is_some_and(|t| t.rotated_at.is_none());
    if now - rotated_at <= REFRESH_RETRY_GRACE && successor_unused {
        store
            .record_audit(
                &context,
                &AuditEvent::new("auth.refresh_retry", "session", session.id),
            )
            .await?;
        return grant(auth, store, &user, session.id, successor).await;
    }
    store
        .revoke_session(session.id, "refresh token used twice", &context)
        .await?;
    Err(AuthError::InvalidToken)
}

/// What a family types (or scans) to enrol.
pub struct EnrollForm {
    pub code: String,
    pub username: String,
    pub password: SecretString,
    pub display_name: String,
}

/// Uses an enrolment code: creates the participant's or guardian's account,
/// links it, and signs it in. Wrong codes are throttled per address.
pub async fn enroll(
    auth: &Auth,
    store: &dyn Store,
    form: EnrollForm,
    context: &AuditContext,
) -> Result<Grant, AuthError> {
    use std::collections::BTreeMap;

    use app::domain::account::Role;
    use secrecy::ExposeSecret;

    use crate::{enrollment, store::NewUser};

    let mut fields = BTreeMap::new();
    let username = normalize_username(&form.username)
        .map_err(|e| fields.insert("username".to_owned(), e.to_string()))
        .ok();
    if let Err(why) = password::check_new(form.password.expose_secret()) {
        fields.insert("password".to_owned(), why);
    }
    let display_name = form.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        fields.insert(
            "display_name".to_owned(),
            "a name of 1 to 100 characters".to_owned(),
        );
    }
    let code = enrollment::normalize(&form.code);
    if code.is_none() {
        fields.insert(
            "code".to_owned(),
            "a code of 12 letters and digits, such as K7QX-M3TR-HAWC".to_owned(),
        );
    }
    let (Some(username), Some(code), true) = (username, code, fields.is_empty()) else {
        return Err(AuthError::Invalid(fields));
    };

    // Counted before the code is tried, per address: guessing codes from
    // one place is slow, however many requests run at once.
    let throttle_key = format!(
        "enroll:{}",
        context.client_addr.as_deref().unwrap_or("unknown")
    );
    let attempt = count_attempt(
        store,
        std::slice::from_ref(&throttle_key),
        AuditEvent::new("enrollment.throttled", "enrollment_code", "unknown"),
        context,
    )
    .await?;
    let now_ms = Utc::now().timestamp_millis();
    let user = NewUser {
        id: Uuid::now_v7(),
        username,
        display_name: display_name.to_owned(),
        // The code decides: participant or guardian.
        role: Role::Participant,
        password_hash: password::hash(form.password).await?,
    };
    if store
        .enroll(&enrollment::hash(&code), &user, now_ms, context)
        .await?
        .is_none()
    {
        store.fail_attempt(&attempt).await?;
        let mut event = AuditEvent::new("enrollment.failed", "enrollment_code", "unknown");
        event.reason = Some("unknown, used or expired code".into());
        store.record_audit(context, &event).await?;
        return Err(AuthError::Invalid(BTreeMap::from([(
            "code".to_owned(),
            "This code is not valid: it may be mistyped, used already or expired. Ask the study team for a new one."
                .to_owned(),
        )])));
    }
    store.forget_attempt(&attempt).await?;
    let user = store
        .user_by_id(user.id)
        .await?
        .ok_or_else(|| AuthError::Internal("the enrolled account vanished".into()))?;
    sign_in_enrolled(auth, store, &user, context).await
}
