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
