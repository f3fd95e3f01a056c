//! Glue between the server and the Leptos app's server functions.

use std::{any::Any, sync::Arc};

use app::study::{StudyInfo, ssr::Directory};
use axum::{
    body::Body,
    http::{Response, StatusCode, header},
};
use leptos::prelude::provide_context;

use crate::{state::AppState, store::Store};

struct StoreDirectory(Arc<dyn Store>);

#[async_trait::async_trait]
impl app::study::ssr::StudyDirectory for StoreDirectory {
    async fn study_info(&self) -> Result<Option<StudyInfo>, String> {
        let study = self.0.study().await.map_err(|e| e.to_string())?;
        Ok(study.map(|s| StudyInfo {
            name: s.name,
            is_demo: s.is_demo,
        }))
    }
}

/// What the server functions find in context on every request.
pub fn context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let directory: Directory = Arc::new(StoreDirectory(state.store.clone()));
    move || provide_context(directory.clone())
}

/// A panic in a handler is a bug: log it and answer 500 without details.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "handler panicked");
    let body = r#"{"error":{"code":"internal_error","message":"Something went wrong on the server. It has been logged."}}"#;
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
