//! Sending the outbox and pulling changes through `POST /api/v1/sync`, with
//! the browser's session cookies (and the CSRF header they need).

use gloo_net::http::{Request, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::{
    local::{Local, LocalError},
    model::{Pending, Refusal, ServerEntry, to_send},
};
use crate::domain::mutation::MAX_BATCH;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No network, or the server did not answer: try again later.
    #[error("offline")]
    Offline,
    /// The session has ended; the outbox waits for the next sign-in.
    #[error("signed out")]
    SignedOut,
    #[error("{0}")]
    Server(String),
    #[error(transparent)]
    Local(#[from] LocalError),
}

#[derive(Deserialize)]
struct Answer {
    results: Vec<ResultItem>,
    changes: Vec<ServerEntry>,
    cursor: String,
    #[serde(default)]
    more: bool,
}

#[derive(Deserialize)]
struct ResultItem {
    status: String,
    #[serde(default)]
    error: Option<Refusal>,
    #[serde(default)]
    original_status: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Refusal,
}

/// What one round of syncing did.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Synced {
    pub sent: usize,
    pub refused: usize,
    pub pulled: usize,
}

/// The double-submit CSRF token the server set as a readable cookie
/// (`__Host-ediary_csrf` over https, `ediary_csrf` over plain http).
pub(crate) fn csrf_token() -> String {
    let cookies = leptos::prelude::document()
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()
        .and_then(|d| d.cookie().ok())
        .unwrap_or_default();
    cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| matches!(*name, "__Host-ediary_csrf" | "ediary_csrf"))
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

async fn post(path: &str, body: Option<String>) -> Result<Response, SyncError> {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .header("x-csrf-token", &csrf_token());
    let request = match body {
        Some(body) => request.body(body),
        None => request.build(),
    }
    .map_err(|e| SyncError::Server(e.to_string()))?;
    request.send().await.map_err(|_| SyncError::Offline)
}

/// Saves the person's language on their account (`PUT /api/v1/me/language`),
/// so their other devices and the pages follow it. Offline, the phone keeps
/// its own choice and the account is told at the next change.
pub async fn save_language(language: crate::domain::language::Language) -> bool {
    let body = json!({ "language": language }).to_string();
    let put = || {
        Request::put("/api/v1/me/language")
            .header("content-type", "application/json")
            .header("x-csrf-token", &csrf_token())
            .body(body.clone())
    };
    let Ok(request) = put() else { return false };
    match request.send().await {
        Ok(r) if r.ok() => true,
        Ok(r) if r.status() == 401 && refresh().await => match put() {
            Ok(request) => matches!(request.send().await, Ok(r) if r.ok()),
            Err(_) => false,
        },
        _ => false,
    }
}

/// Renews the access cookie from the refresh cookie.
pub async fn refresh() -> bool {
    matches!(post("/api/v1/auth/session/refresh", None).await, Ok(r) if r.ok())
}

async fn send(body: String) -> Result<Answer, SyncError> {
    let mut response = post("/api/v1/sync", Some(body.clone())).await?;
    if response.status() == 401 {
        if !refresh().await {
            return Err(SyncError::SignedOut);
        }
        response = post("/api/v1/sync", Some(body)).await?;
    }
    match response.status() {
        200 => response
            .json::<Answer>()
            .await
            .map_err(|_| SyncError::Offline),
        401 => Err(SyncError::SignedOut),
        // A proxy or a restarting server: the outbox is kept, try later.
        502..=504 => Err(SyncError::Offline),
        _ => Err(SyncError::Server(
            response
                .json::<ErrorBody>()
                .await
                .map(|b| b.error.message)
                .unwrap_or_else(|_| format!("HTTP {}", response.status())),
        )),
    }
}

/// Sends this user's outbox in batches and pulls every change since the
/// last cursor; each answer is applied to IndexedDB in one transaction.
pub async fn sync(local: &Local, device: Uuid, me: Uuid) -> Result<Synced, SyncError> {
    let cursor_key = format!("cursor:{me}");
    let mut done = Synced::default();
    // Bounded: 50 rounds move 25,000 mutations; the next sync goes on.
    for _ in 0..50 {
        let outbox = local.outbox().await?;
        let batch: Vec<Pending> = to_send(&outbox, me)
            .into_iter()
            .take(MAX_BATCH)
            .cloned()
            .collect();
        let since: Option<String> = local.get(&cursor_key).await?;
        let mutations: Vec<_> = batch.iter().map(|p| &p.mutation).collect();
        let body = json!({"device_id": device, "since": since, "mutations": mutations}).to_string();
        let answer = send(body).await?;
        let mut sent = Vec::new();
        let mut refused = Vec::new();
        for (pending, result) in batch.iter().zip(&answer.results) {
            let outcome = match (result.status.as_str(), result.original_status.as_deref()) {
                ("duplicate", Some(original)) => original,
                (status, _) => status,
            };
            match outcome {
                "applied" => sent.push(pending.key.clone()),
                "conflict" => refused.push(Pending {
                    refused: Some(Refusal {
                        code: "conflict".into(),
                        message: "changed on another phone".into(),
                        fields: Default::default(),
                    }),
                    ..pending.clone()
                }),
                _ => refused.push(Pending {
                    refused: Some(result.error.clone().unwrap_or(Refusal {
                        code: "rejected".into(),
                        message: "refused by the server".into(),
                        fields: Default::default(),
                    })),
                    ..pending.clone()
                }),
            }
        }
        local
            .apply_answer(
                &sent,
                &refused,
                &answer.changes,
                &cursor_key,
                &answer.cursor,
            )
            .await?;
        done.sent += sent.len();
        done.refused += refused.len();
        done.pulled += answer.changes.len();
        if !answer.more && batch.len() < MAX_BATCH {
            break;
        }
    }
    Ok(done)
}

/// Every version of an entry from the server (`GET /api/v1/entries/{id}/history`).
pub async fn history(entry: Uuid) -> Result<Vec<ServerEntry>, SyncError> {
    #[derive(Deserialize)]
    struct History {
        versions: Vec<ServerEntry>,
    }
    let response = Request::get(&format!("/api/v1/entries/{entry}/history"))
        .send()
        .await
        .map_err(|_| SyncError::Offline)?;
    match response.status() {
        200 => response
            .json::<History>()
            .await
            .map(|h| h.versions)
            .map_err(|_| SyncError::Offline),
        401 => Err(SyncError::SignedOut),
        status => Err(SyncError::Server(format!("HTTP {status}"))),
    }
}
