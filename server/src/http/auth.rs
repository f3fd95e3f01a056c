//! `/api/v1/auth/*` and `/api/v1/me`, and the [`AuthUser`] extractor that
//! every signed-in route uses.

use std::net::SocketAddr;

use app::domain::account::UserProfile;
use axum::{
    Json, Router,
    extract::{ConnectInfo, FromRequestParts, State},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    cookies,
    error::{ApiError, ApiJson},
};
use crate::{
    audit::AuditContext,
    auth::{self, AuthError, Grant},
    policy::Actor,
    state::AppState,
    store::{User, UserLinks},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/mfa/setup", post(mfa_setup))
        .route("/v1/auth/session", post(browser_sign_in))
        .route("/v1/auth/session/refresh", post(browser_refresh))
        .route("/v1/me", get(me))
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        let unauthorized = |code, message: &str| ApiError::Unauthorized {
            code,
            message: message.into(),
        };
        match err {
            AuthError::InvalidCredentials => {
                unauthorized("invalid_credentials", "Wrong username or password.")
            }
            AuthError::MfaRequired => unauthorized(
                "mfa_required",
                "Staff accounts need a code from an authenticator app to sign in.",
            ),
            AuthError::NotStaff => ApiError::Forbidden,
            AuthError::Invalid(fields) => ApiError::Unprocessable { fields },
            AuthError::MfaAlreadySetUp => ApiError::Conflict(
                "Two-factor sign-in is set up already. Ask an admin to reset it if the device is lost.".into(),
            ),
            AuthError::InvalidToken => {
                unauthorized("invalid_token", "Your session has ended. Sign in again.")
            }
            AuthError::Throttled { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            AuthError::Store(e) => e.into(),
            AuthError::Internal(e) => ApiError::Internal(e),
        }
    }
}

/// Who is asking and from where, for the audit trail. Header values are
/// bounded so a client cannot fill the log.
pub(crate) fn request_context(headers: &HeaderMap, peer: Option<SocketAddr>) -> AuditContext {
    let text = |name: &str, max: usize| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(max).collect::<String>())
    };
    AuditContext {
        actor_id: None,
        actor_role: "anonymous".into(),
        client_addr: peer.map(|p| p.ip().to_string()),
        user_agent: text(header::USER_AGENT.as_str(), 256),
        device_id: text("x-device-id", 64),
    }
}

pub(crate) fn peer(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}

/// The audit context of an anonymous request.
pub struct RequestContext(pub AuditContext);

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(request_context(&parts.headers, peer(parts))))
    }
}

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
    totp: Option<String>,
}

#[derive(Serialize)]
pub struct TokenResponse {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: i64,
    user: UserProfile,
}

impl From<Grant> for TokenResponse {
    fn from(grant: Grant) -> Self {
        Self {
            access_token: grant.access_token,
            refresh_token: grant.refresh_token,
            token_type: "Bearer",
            expires_in: grant.expires_in,
            user: grant.user,
        }
    }
}

async fn login(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let password = SecretString::from(body.password);
    let grant = auth::login(
        &state.auth,
        state.store.as_ref(),
        &body.username,
        password,
        body.totp.as_deref(),
        &context,
    )
    .await?;
    Ok(Json(grant.into()))
}

#[derive(Deserialize)]
struct MfaSetupRequest {
    username: String,
    password: String,
}

/// Staff set up their authenticator app: the secret (as text, link and QR
/// code) and one-time recovery codes, shown this once.
async fn mfa_setup(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    ApiJson(body): ApiJson<MfaSetupRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let setup = auth::setup_mfa(
        state.store.as_ref(),
        &body.username,
        SecretString::from(body.password),
        &context,
    )
    .await?;
    Ok(Json(serde_json::json!({
        "secret": setup.secret_base32,
        "otpauth_url": setup.otpauth_url,
        "qr_svg": setup.qr_svg,
        "recovery_codes": setup.recovery_codes,
    })))
}

#[derive(Deserialize)]
struct RefreshRequest {
    refresh_token: String,
}

async fn refresh(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let grant = auth::refresh(
        &state.auth,
        state.store.as_ref(),
        &body.refresh_token,
        &context,
    )
    .await?;
    Ok(Json(grant.into()))
}

/// What the browser app gets instead of tokens, which stay in HttpOnly cookies.
fn browser_session(request: &HeaderMap, grant: Grant) -> Response {
    let csrf = cookies::new_csrf_token();
    let set = cookies::set_session(request, &grant, &csrf);
    let mut response = Json(serde_json::json!({
        "user": grant.user,
        "csrf_token": csrf,
        "expires_in": grant.expires_in,
    }))
    .into_response();
    for value in set {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Sign-in for the browser app: like `/auth/login`, but the tokens go into
/// HttpOnly, SameSite=Strict cookies.
async fn browser_sign_in(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let grant = auth::login(
        &state.auth,
        state.store.as_ref(),
        &body.username,
        SecretString::from(body.password),
        body.totp.as_deref(),
        &context,
    )
    .await?;
    Ok(browser_session(&headers, grant))
}

/// Renews the browser's cookies from its refresh cookie.
async fn browser_refresh(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !cookies::csrf_ok(&headers) {
        return Err(ApiError::Csrf);
    }
    let token = cookies::get(&headers, cookies::REFRESH).ok_or(ApiError::Unauthorized {
        code: "invalid_token",
        message: "Your session has ended. Sign in again.".into(),
    })?;
    let grant = auth::refresh(&state.auth, state.store.as_ref(), &token, &context).await?;
    Ok(browser_session(&headers, grant))
}

/// Ends the session the access token belongs to, and so its refresh token
/// (the optional `refresh_token` in the body names the same session).
async fn logout(
    user: AuthUser,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    state
        .store
        .revoke_session(user.session_id, "signed out", &user.context)
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    // A browser's cookies go too; other clients ignore these headers.
    for value in cookies::clear_session(&headers) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn me(user: AuthUser) -> Json<UserProfile> {
    Json(auth::profile_of(&user.user, user.links))
}

/// A request from a signed-in user whose session is still open.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: User,
    pub links: UserLinks,
    pub session_id: Uuid,
    /// The audit context of this request, with the user as actor.
    pub context: AuditContext,
}

impl AuthUser {
    /// The user as the policy module sees them.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            role: self.user.role,
            links: &self.links,
        }
    }
}

impl AuthUser {
    /// The signed-in user of a web app request (its session cookie); server
    /// functions use this where handlers use the extractor.
    pub(crate) async fn from_cookie(state: &AppState, parts: &Parts) -> Result<Self, ApiError> {
        let token =
            cookies::get(&parts.headers, cookies::ACCESS).ok_or(ApiError::Unauthorized {
                code: "unauthorized",
                message: "Sign in first.".into(),
            })?;
        Self::resolve(state, parts, &token).await
    }

    async fn resolve(state: &AppState, parts: &Parts, token: &str) -> Result<Self, ApiError> {
        let invalid = || ApiError::Unauthorized {
            code: "invalid_token",
            message: "Your session has ended. Sign in again.".into(),
        };
        let (user, session_id) = auth::session_user(&state.auth, state.store.as_ref(), token)
            .await
            .map_err(|e| match e {
                AuthError::Store(e) => ApiError::from(e),
                _ => invalid(),
            })?;
        let links = state.store.user_links(user.id).await?;
        let mut context = request_context(&parts.headers, peer(parts));
        context.actor_id = Some(user.id);
        context.actor_role = user.role.to_string();
        Ok(Self {
            user,
            links,
            session_id,
            context,
        })
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let token = match bearer {
            Some(token) => token,
            None => {
                let token = cookies::get(&parts.headers, cookies::ACCESS)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| ApiError::Unauthorized {
                        code: "unauthorized",
                        message: "Sign in first.".into(),
                    })?;
                // A cookie comes with every request the browser makes, so a
                // change must also prove it comes from the app.
                let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
                if !safe && !cookies::csrf_ok(&parts.headers) {
                    return Err(ApiError::Csrf);
                }
                token
            }
        };
        Self::resolve(state, parts, &token).await
    }
}
