//! The HTTP layer: probes, the JSON API under `/api`, the Leptos pages and
//! server functions, static files, and the layers around all of them.

pub mod alerts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod cookies;
pub mod entries;
pub mod error;
mod export;
pub mod forwarded;
pub mod headers;
pub mod health;
mod labs;
pub mod openapi;
mod outcomes;
mod page_request;
mod pages;
pub mod participants;
pub mod rate_limit;
mod roster;
mod rpc_guard;
mod service_errors;
pub mod sessions;
pub mod sites;
pub mod study;

use std::time::Duration;

use axum::{
    Router,
    body::Body,
    extract::DefaultBodyLimit,
    http::{Request, Response},
    middleware,
};
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        CompressionLayer,
        predicate::{DefaultPredicate, NotForContentType, Predicate},
    },
    trace::TraceLayer,
};
use tracing::Span;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The largest request body accepted anywhere.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the compression layer compresses: tower-http's default (not
/// images, event streams or tiny bodies), and not zips (the CSV and SDTM
/// exports), which are compressed already. ODM and FHIR exports are.
fn compressible() -> impl Predicate {
    DefaultPredicate::new().and(NotForContentType::const_new("application/zip"))
}

pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let context = pages::context(&state);
    let mut router = Router::new()
        .merge(openapi::serve(
            OpenApiRouter::new()
                .merge(health::router())
                .nest(api::PREFIX, api::router()),
        ))
        .leptos_routes_with_context(&state, generate_route_list(app::App), context.clone(), {
            move || app::shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context,
            app::shell,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rpc_guard::require_the_app,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_request::prepare,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            forwarded::client_info,
        ))
        .layer(middleware::from_fn_with_state(
            state.hashed_files.clone(),
            headers::cache_control,
        ))
        .layer(middleware::from_fn(api::json_errors))
        .layer(CompressionLayer::new().compress_when(compressible()));
    for layer in headers::security_layers() {
        router = router.layer(layer);
    }
    router
        .layer(
            TraceLayer::new_for_http()
                // The path only: query strings and headers may carry secrets.
                .make_span_with(|request: &Request<Body>| {
                    tracing::info_span!("http", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(|response: &Response<Body>, latency: Duration, _: &Span| {
                    tracing::info!(status = response.status().as_u16(), ms = latency.as_millis() as u64, "answered");
                }),
        )
        .layer(CatchPanicLayer::custom(pages::panic_response))
        .with_state(state)
}
