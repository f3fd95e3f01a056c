//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// A database slower than this is not ready.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// What a probe answers.
#[derive(Serialize, ToSchema)]
struct Probe {
    /// `ok`, `ready` or `unavailable`.
    status: &'static str,
}

/// Liveness: 200 while the process runs.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process runs", body = Probe))
)]
async fn healthz() -> impl IntoResponse {
    Json(Probe { status: "ok" })
}

/// Readiness: 200 when the database answers, else 503.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "The database answers", body = Probe),
        (status = 503, description = "The database does not answer", body = Probe),
    )
)]
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => return (StatusCode::OK, Json(Probe { status: "ready" })),
        Ok(Err(error)) => tracing::warn!(%error, "readiness check: database does not answer"),
        Err(_) => tracing::warn!("readiness check: database timed out"),
    }
    let status = "unavailable";
    (StatusCode::SERVICE_UNAVAILABLE, Json(Probe { status }))
}
