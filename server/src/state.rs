//! What every handler and server function can reach.

use std::{collections::HashSet, sync::Arc};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{
    alerts::Alerts,
    auth::Auth,
    http::forwarded::{Forwarding, TrustedProxies},
    store::Store,
};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub auth: Arc<Auth>,
    pub leptos_options: LeptosOptions,
    /// Where people reach the app (enrolment links and QR codes point here).
    pub public_url: Arc<str>,
    /// File names under the package directory that carry a content hash and
    /// so may be cached for a year.
    pub hashed_files: Arc<HashSet<String>>,
    /// The phone app's bundle directory under the package directory
    /// (`phone-<hash>`), found at start; `None` when it was not built.
    pub phone_bundle: Option<String>,
    pub alerts: Arc<Alerts>,
    /// Peers whose `X-Forwarded-*` headers are believed (`--trusted-proxies`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Sync requests per account (`--sync-requests-per-minute`).
    pub sync_rate_limit: Arc<crate::http::rate_limit::SyncRateLimit>,
}

impl FromRef<AppState> for Forwarding {
    fn from_ref(state: &AppState) -> Self {
        Forwarding {
            trusted_proxies: state.trusted_proxies.clone(),
            public_url: state.public_url.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
