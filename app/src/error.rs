//! The error type every server function returns: what the user may read,
//! never a server's internals.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::{domain::language::Language, i18n::Tr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The server could not do it now (database down, for example); the
    /// cause is in the server's log.
    #[error("The service is unavailable right now. Please try again in a moment.")]
    Unavailable,
    #[error("Wrong username or password.")]
    InvalidCredentials,
    #[error("Sign in first.")]
    SignInFirst,
    #[error("You are not allowed to do this.")]
    NotAllowed,
    #[error("Enter the 6-digit code from your authenticator app.")]
    MfaRequired,
    #[error("Too many attempts. Try again in {0} seconds.")]
    Throttled(u64),
    /// Fields that cannot be used, with what is wrong with each.
    #[error("{}", .0.iter().map(|(_, why)| why.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<(String, String)>),
    /// The request did not reach the server or its answer did not come back.
    #[error("The server could not be reached. Check the connection and try again.")]
    Communication(String),
}

impl AppError {
    /// The error in the person's language. The `Display` text above is the
    /// English one, kept for logs and the API's clients.
    pub fn message(&self, tr: Tr) -> String {
        match self {
            AppError::Unavailable => tr.t("errors-unavailable"),
            AppError::InvalidCredentials => tr.t("errors-invalid-credentials"),
            AppError::SignInFirst => tr.t("errors-sign-in-first"),
            AppError::NotAllowed => tr.t("errors-not-allowed"),
            AppError::MfaRequired => tr.t("errors-mfa-required"),
            AppError::Throttled(seconds) => {
                tr.t_with("errors-throttled", &[("seconds", (*seconds).into())])
            }
            AppError::Communication(_) => tr.t("errors-communication"),
            AppError::Invalid(fields) => fields
                .iter()
                .map(|(field, why)| invalid_field(tr, field, why))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// What is wrong with one field. The server's reasons are English
/// sentences; in another language the field's own rule is shown, from the
/// message `invalid-<field>` (the field name is the stable code).
fn invalid_field(tr: Tr, field: &str, why: &str) -> String {
    if tr.language == Language::En {
        return why.to_owned();
    }
    let id = format!("invalid-{}", field.replace(['_', '.', '/'], "-"));
    if tr.has(&id) {
        use crate::domain::account::{PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS};
        tr.t_with(
            &id,
            &[
                ("username_min", USERNAME_MIN_CHARS.into()),
                ("username_max", USERNAME_MAX_CHARS.into()),
                ("password_min", PASSWORD_MIN_CHARS.into()),
            ],
        )
    } else {
        tr.t("errors-invalid-other")
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Communication(value.to_string())
    }
}
