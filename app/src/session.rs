//! Signing in and out of the web app. The tokens live in HttpOnly cookies
//! that the server sets; the page only learns who is signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{domain::account::Role, error::AppError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub display_name: String,
    pub role: Role,
}

#[server(prefix = "/rpc", endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    totp: Option<String>,
) -> Result<SignedIn, AppError> {
    let (service, parts, response) = ssr::request()?;
    // What is missing is said before any account is looked up (the sign-in
    // page has no script of its own to say it).
    let missing: Vec<(String, String)> = [
        (
            "username",
            username.trim().is_empty(),
            "Enter the username.",
        ),
        ("password", password.is_empty(), "Enter the password."),
    ]
    .into_iter()
    .filter(|(_, empty, _)| *empty)
    .map(|(field, _, message)| (field.to_owned(), message.to_owned()))
    .collect();
    if !missing.is_empty() {
        return ssr::answer(&response, Err(AppError::Invalid(missing)));
    }
    let totp = totp.filter(|t| !t.trim().is_empty());
    let (user, cookies) = ssr::answer(
        &response,
        service.sign_in(&parts, username, password, totp).await,
    )?;
    for cookie in cookies {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    ssr::land(&parts, user.role);
    Ok(user)
}

/// Enrolment with a code from the study team: creates the account and signs in.
#[server(prefix = "/rpc", endpoint = "enroll")]
pub async fn enroll(
    code: String,
    display_name: String,
    username: String,
    password: String,
) -> Result<SignedIn, AppError> {
    let (service, parts, response) = ssr::request()?;
    let (user, cookies) = ssr::answer(
        &response,
        service
            .enroll(&parts, code, display_name, username, password)
            .await,
    )?;
    for cookie in cookies {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    ssr::land(&parts, user.role);
    Ok(user)
}

/// A staff member's authenticator set-up, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaSetupView {
    pub secret: String,
    pub qr_svg: String,
    pub recovery_codes: Vec<String>,
}

#[server(prefix = "/rpc", endpoint = "set_up_mfa")]
pub async fn set_up_mfa(
    username: String,
    password: String,
    setup_code: Option<String>,
) -> Result<MfaSetupView, AppError> {
    let (service, parts, response) = ssr::request()?;
    ssr::answer(
        &response,
        service
            .set_up_mfa(&parts, username, password, setup_code)
            .await,
    )
}

/// A signed-in device of the current user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSession {
    pub id: uuid::Uuid,
    pub signed_in_at: String,
    pub last_used_at: String,
    pub user_agent: Option<String>,
    pub current: bool,
}

#[server(prefix = "/rpc", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<DeviceSession>, AppError> {
    let (service, parts, response) = ssr::request()?;
    ssr::answer(&response, service.sessions(&parts).await)
}

#[server(prefix = "/rpc", endpoint = "end_session")]
pub async fn end_session(id: uuid::Uuid) -> Result<(), AppError> {
    let (service, parts, response) = ssr::request()?;
    ssr::answer(&response, service.end_session(&parts, id).await)
}

#[server(prefix = "/rpc", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (service, parts, response) = ssr::request()?;
    for cookie in ssr::answer(&response, service.sign_out(&parts).await)? {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    Ok(())
}

/// Switches the pages' language: remembered in this browser, and on the
/// account when signed in. `language` is a tag ("en", "zh-CN").
#[server(prefix = "/rpc", endpoint = "set_language")]
pub async fn set_language(language: String) -> Result<(), AppError> {
    let (service, parts, response) = ssr::request()?;
    let chosen = crate::domain::language::Language::from_tag(&language).ok_or_else(|| {
        AppError::Invalid(vec![(
            "language".into(),
            "The language must be one of en, zh-CN.".into(),
        )])
    });
    // Through `answer`, so a refused tag is a 422 like any invalid field.
    let language = ssr::answer(&response, chosen)?;
    for cookie in ssr::answer(&response, service.set_language(&parts, language).await)? {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    Ok(())
}

/// What the staff pages' navigation bar shows about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavInfo {
    pub display_name: String,
    pub role: Role,
    /// Open alerts at the investigator's sites; `None` for other roles.
    pub open_alerts: Option<i64>,
}

#[server(prefix = "/rpc", endpoint = "nav_info")]
pub async fn load_nav_info() -> Result<Option<NavInfo>, AppError> {
    let (service, parts, response) = ssr::request()?;
    ssr::answer(&response, service.nav_info(&parts).await)
}

#[server(prefix = "/rpc", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<SignedIn>, AppError> {
    let (service, parts, response) = ssr::request()?;
    ssr::answer(&response, service.who_am_i(&parts).await)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use http::{HeaderValue, request::Parts};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::SignedIn;
    use crate::error::AppError;

    /// What the server provides in context for the session server functions.
    #[async_trait::async_trait]
    pub trait SessionService: Send + Sync {
        /// Checks the credentials; the user and the Set-Cookie headers.
        async fn sign_in(
            &self,
            request: &Parts,
            username: String,
            password: String,
            totp: Option<String>,
        ) -> Result<(SignedIn, Vec<HeaderValue>), AppError>;

        /// Uses an enrolment code; the new user and the Set-Cookie headers.
        async fn enroll(
            &self,
            request: &Parts,
            code: String,
            display_name: String,
            username: String,
            password: String,
        ) -> Result<(SignedIn, Vec<HeaderValue>), AppError>;

        /// After a reset, `setup_code` is the code `ediary user reset-mfa` printed.
        async fn set_up_mfa(
            &self,
            request: &Parts,
            username: String,
            password: String,
            setup_code: Option<String>,
        ) -> Result<super::MfaSetupView, AppError>;

        async fn sessions(&self, request: &Parts) -> Result<Vec<super::DeviceSession>, AppError>;

        async fn end_session(&self, request: &Parts, id: uuid::Uuid) -> Result<(), AppError>;

        /// Ends the session of the request's cookies; the clearing headers.
        async fn sign_out(&self, request: &Parts) -> Result<Vec<HeaderValue>, AppError>;

        async fn who_am_i(&self, request: &Parts) -> Result<Option<SignedIn>, AppError>;

        /// The navigation bar's facts; `None` when signed out.
        async fn nav_info(&self, request: &Parts) -> Result<Option<super::NavInfo>, AppError>;

        /// Saves the page language (on the account when signed in); the
        /// cookie that remembers it in this browser.
        async fn set_language(
            &self,
            request: &Parts,
            language: crate::domain::language::Language,
        ) -> Result<Vec<HeaderValue>, AppError>;
    }

    pub type SessionServices = Arc<dyn SessionService>;

    /// Whether the call is a plain HTML form's (no script on the page):
    /// server_fn then answers with a redirect back to the page, the error in
    /// its address, and the error's status must not replace the redirect's.
    pub fn plain_form(request: &Parts) -> bool {
        request
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    }

    /// After a plain form's sign-in or enrolment: on to the person's own
    /// page rather than back to the form.
    pub fn land(request: &Parts, role: crate::domain::account::Role) {
        if plain_form(request) {
            leptos_axum::redirect(role.home());
        }
    }

    /// A failed call answers with the status that fits, not a 500.
    pub fn answer<T>(
        response: &ResponseOptions,
        result: Result<T, AppError>,
    ) -> Result<T, AppError> {
        let plain_form = use_context::<Parts>().is_some_and(|parts| plain_form(&parts));
        if let Err(error) = &result
            && !plain_form
        {
            response.set_status(match error {
                AppError::InvalidCredentials | AppError::MfaRequired | AppError::SignInFirst => {
                    http::StatusCode::UNAUTHORIZED
                }
                AppError::NotAllowed => http::StatusCode::FORBIDDEN,
                AppError::Throttled(_) => http::StatusCode::TOO_MANY_REQUESTS,
                AppError::Invalid(_) => http::StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Unavailable | AppError::Communication(_) => {
                    http::StatusCode::SERVICE_UNAVAILABLE
                }
            });
        }
        result
    }

    pub(super) fn request() -> Result<(SessionServices, Parts, ResponseOptions), AppError> {
        Ok((
            use_context::<SessionServices>().ok_or(AppError::Unavailable)?,
            use_context::<Parts>().ok_or(AppError::Unavailable)?,
            use_context::<ResponseOptions>().ok_or(AppError::Unavailable)?,
        ))
    }
}
