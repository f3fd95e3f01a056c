//! Everything under `/api`: the versioned JSON API. Whatever goes wrong here
//! is answered in the contract's error shape, including unknown routes,
//! wrong methods and oversized bodies.

use axum::{
    body::Body,
    http::{Request, Response, header},
    middleware::Next,
    response::IntoResponse,
};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{MAX_BODY_BYTES, error::ApiError};
use crate::state::AppState;

/// Where the API is mounted.
pub const PREFIX: &str = "/api";

/// The API's routes, relative to [`PREFIX`], with their OpenAPI descriptions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(super::openapi::document))
        .merge(super::auth::router())
        .merge(super::sites::router())
        .merge(super::participants::router())
        .merge(super::sessions::router())
        .merge(super::audit::router())
        .merge(super::alerts::router())
        .merge(super::study::router())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Added after the layer above: sync bodies have their own limit.
        .merge(super::entries::router())
        .merge(super::labs::router())
        .merge(super::outcomes::router())
        .merge(super::roster::router())
        .merge(super::export::router())
        .fallback(|| async { ApiError::NotFound })
}

/// Rewrites any error response under `/api` that is not JSON yet into the
/// error shape. It wraps the whole router, because some paths under `/api`
/// (`/api/` itself) never reach the nested router.
pub async fn json_errors(request: Request<Body>, next: Next) -> Response<Body> {
    let path = request.uri().path();
    if !(path == "/api" || path.starts_with("/api/")) {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        ApiError::from_status(status).into_response()
    } else {
        response
    }
}
