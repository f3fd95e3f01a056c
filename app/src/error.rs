//! The error type every server function returns: what the user may read,
//! never a server's internals.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

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

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Communication(value.to_string())
    }
}
