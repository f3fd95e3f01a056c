//! `/api/v1/auth/*` and `/api/v1/me`, and the [`AuthUser`] extractor that
//! every signed-in route uses.

use std::net::IpAddr;

use app::domain::account::UserProfile;
use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    cookies,
    error::{self, ApiError, ApiJson},
    forwarded::ClientInfo,
};
use crate::{
    audit::AuditContext,
    auth::{self, AuthError, Grant},
    policy::Actor,
    state::AppState,
    store::{User, UserLinks},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(mfa_setup))
        .routes(routes!(browser_sign_in))
        .routes(routes!(browser_refresh))
        .routes(routes!(me))
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
pub(crate) fn request_context(headers: &HeaderMap, client: Option<IpAddr>) -> AuditContext {
    let text = |name: &str, max: usize| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(max).collect::<String>())
    };
    AuditContext {
        actor_id: None,
        actor_role: "anonymous".into(),
        client_addr: client.map(|ip| ip.to_string()),
        user_agent: text(header::USER_AGENT.as_str(), 256),
        device_id: text("x-device-id", 64),
    }
}

/// The client's address: the TCP peer, or what a trusted proxy forwards.
pub(crate) fn peer(parts: &Parts) -> Option<IpAddr> {
    ClientInfo::from_parts(parts).ip
}

/// The audit context of an anonymous request.
pub struct RequestContext(pub AuditContext);

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(request_context(&parts.headers, peer(parts))))
    }
}

#[derive(Deserialize, ToSchema)]
struct LoginRequest {
    #[schema(max_length = 64)]
    username: String,
    password: String,
    /// The authenticator app's code (or a recovery code): staff only.
    totp: Option<String>,
}

/// What a sign-in, a refresh or an enrolment answers.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    access_token: String,
    refresh_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds the access token lives.
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

/// Signs in with a username and password (and, for staff, a TOTP code).
#[utoipa::path(
    post,
    path = "/v1/auth/login",
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 401, description = "`invalid_credentials`, or `mfa_required` when a TOTP code is needed", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
        (status = 429, description = "`too_many_requests`: too many failed sign-ins", body = error::Body,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
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

#[derive(Deserialize, ToSchema)]
struct MfaSetupRequest {
    #[schema(max_length = 64)]
    username: String,
    password: String,
    /// After `ediary user reset-mfa`: the one-time code it printed.
    #[schema(max_length = 64)]
    setup_code: Option<String>,
}

/// A new authenticator set-up, shown this once.
#[derive(Serialize, ToSchema)]
#[schema(as = MfaSetup)]
struct MfaSetupView {
    /// The TOTP secret, base32, for typing in.
    secret: String,
    /// The `otpauth://` link the QR code holds.
    otpauth_url: String,
    /// The link as a QR code (SVG).
    qr_svg: Option<String>,
    /// One-time codes for when the phone is lost.
    recovery_codes: Vec<String>,
}

/// Staff set up their authenticator app: the secret (as text, link and QR
/// code) and one-time recovery codes, shown this once.
#[utoipa::path(
    post,
    path = "/v1/auth/mfa/setup",
    tag = "accounts",
    request_body = MfaSetupRequest,
    responses(
        (status = 200, description = "The secret and recovery codes; the first accepted code confirms the set-up", body = MfaSetupView),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 401, description = "`invalid_credentials`", body = error::Body),
        (status = 403, description = "`forbidden`: not a staff account", body = error::Body),
        (status = 409, description = "`conflict`: set up already", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
        (status = 429, description = "`too_many_requests`", body = error::Body,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn mfa_setup(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    ApiJson(body): ApiJson<MfaSetupRequest>,
) -> Result<Json<MfaSetupView>, ApiError> {
    let setup = auth::setup_mfa(
        state.store.as_ref(),
        &body.username,
        SecretString::from(body.password),
        body.setup_code.as_deref(),
        &context,
    )
    .await?;
    Ok(Json(MfaSetupView {
        secret: setup.secret_base32,
        otpauth_url: setup.otpauth_url,
        qr_svg: setup.qr_svg,
        recovery_codes: setup.recovery_codes,
    }))
}

#[derive(Deserialize, ToSchema)]
struct RefreshRequest {
    refresh_token: String,
}

/// Trades a refresh token for a new pair; the old one is spent.
#[utoipa::path(
    post,
    path = "/v1/auth/refresh",
    tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 401, description = "`invalid_token`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
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
#[derive(Serialize, ToSchema)]
struct BrowserSession {
    user: UserProfile,
    /// Send back in `X-CSRF-Token` with every state-changing request.
    csrf_token: String,
    /// Seconds the access cookie's token lives.
    expires_in: i64,
}

fn browser_session(client: ClientInfo, grant: Grant) -> Response {
    let csrf = cookies::new_csrf_token();
    let set = cookies::set_session(client.https, &grant, &csrf);
    let mut response = Json(BrowserSession {
        user: grant.user,
        csrf_token: csrf,
        expires_in: grant.expires_in,
    })
    .into_response();
    for value in set {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Sign-in for the browser app: like `/auth/login`, but the tokens go into
/// HttpOnly, SameSite=Strict cookies.
#[utoipa::path(
    post,
    path = "/v1/auth/session",
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the tokens and the CSRF token are set as cookies", body = BrowserSession,
            headers(("Set-Cookie" = String, description = "The session cookies"))),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 401, description = "`invalid_credentials`, or `mfa_required` when a TOTP code is needed", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
        (status = 429, description = "`too_many_requests`", body = error::Body,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
async fn browser_sign_in(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    client: ClientInfo,
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
    Ok(browser_session(client, grant))
}

/// Renews the browser's cookies from its refresh cookie (no body; the
/// CSRF cookie's value must come back in `X-CSRF-Token`).
#[utoipa::path(
    post,
    path = "/v1/auth/session/refresh",
    tag = "accounts",
    params(("X-CSRF-Token" = String, Header, description = "The CSRF token of the session")),
    responses(
        (status = 200, description = "New cookies", body = BrowserSession,
            headers(("Set-Cookie" = String, description = "The session cookies"))),
        (status = 401, description = "`invalid_token`", body = error::Body),
        (status = 403, description = "`csrf_failed`", body = error::Body),
    )
)]
async fn browser_refresh(
    State(state): State<AppState>,
    RequestContext(context): RequestContext,
    client: ClientInfo,
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
    Ok(browser_session(client, grant))
}

/// Ends the session the access token belongs to, and so its refresh token
/// (the optional `refresh_token` in the body names the same session).
#[utoipa::path(
    post,
    path = "/v1/auth/logout",
    tag = "accounts",
    request_body(content = Option<LogoutRequest>, description = "Optional; the session is the access token's"),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Signed out; a browser's cookies are cleared"),
        (status = 403, description = "`csrf_failed` (cookie sessions)", body = error::Body),
    )
)]
async fn logout(
    user: AuthUser,
    State(state): State<AppState>,
    client: ClientInfo,
) -> Result<Response, ApiError> {
    state
        .store
        .revoke_session(user.session_id, "signed out", &user.context)
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    // A browser's cookies go too; other clients ignore these headers.
    for value in cookies::clear_session(client.https) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Optional body of `POST /v1/auth/logout`: the server ends the access
/// token's session and does not read it.
#[derive(ToSchema)]
#[allow(dead_code)]
pub(super) struct LogoutRequest {
    refresh_token: Option<String>,
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = UserProfile),
    )
)]
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

    /// The user as the use cases (`service`) take them.
    pub fn caller(&self) -> crate::service::Caller<'_> {
        crate::service::Caller {
            user: &self.user,
            links: &self.links,
            context: &self.context,
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
