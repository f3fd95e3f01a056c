//! Running the HTTP server: state, listener, graceful shutdown.

use std::{future::Future, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use leptos::config::{Env, LeptosOptions};
use tokio::net::TcpListener;

use crate::{auth::Auth, config::SiteConfig, http, http::headers, state::AppState, store::Store};

/// The name cargo-leptos gives the file of content hashes beside the binary.
const HASH_FILE: &str = "hash.txt";

/// Leptos' view of the built site. File hashing is on when cargo-leptos left
/// its hash file next to this binary (`hash-files = true` in Cargo.toml).
pub fn leptos_options(site: &SiteConfig, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(site.output_name.as_str())
        .site_root(site.root.to_string_lossy().as_ref())
        .site_pkg_dir(site.pkg_dir.as_str())
        .site_addr(addr)
        .env(Env::PROD)
        .hash_file(Arc::from(HASH_FILE))
        .hash_files(hash_file_path().is_some_and(|p| p.exists()))
        .build()
}

fn hash_file_path() -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join(HASH_FILE))
}

pub fn app_state(
    store: Arc<dyn Store>,
    auth: Arc<Auth>,
    site: &SiteConfig,
    addr: SocketAddr,
) -> AppState {
    let mut hashed_files = hash_file_path()
        .map(|path| headers::read_hashes(&path))
        .unwrap_or_default();
    let phone_bundle = find_phone_bundle(&site.root.join(&site.pkg_dir));
    if let Some(hash) = phone_bundle
        .as_deref()
        .and_then(|d| d.strip_prefix(PHONE_PREFIX))
    {
        hashed_files.insert(hash.to_owned());
    }
    AppState {
        store,
        auth,
        leptos_options: leptos_options(site, addr),
        public_url: Arc::from(format!("http://{addr}")),
        hashed_files: Arc::new(hashed_files),
        phone_bundle,
        alerts: Arc::new(crate::alerts::Alerts::default()),
        trusted_proxies: Arc::default(),
        sync_rate_limit: Arc::default(),
    }
}

/// `tools/phone-bundle.sh` writes the phone bundle to `pkg/phone-<hash>/`.
const PHONE_PREFIX: &str = "phone-";

/// The newest phone bundle directory in the package directory.
pub fn find_phone_bundle(pkg: &std::path::Path) -> Option<String> {
    let entries = std::fs::read_dir(pkg).ok()?;
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("phone.js").is_file())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let modified = e.metadata().and_then(|m| m.modified()).ok()?;
            name.starts_with(PHONE_PREFIX).then_some((modified, name))
        })
        .max()
        .map(|(_, name)| name)
}

/// Serves until `shutdown` resolves, then lets requests in flight finish for
/// at most `grace`.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let signalled = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop_tx.send(true);
    };
    let server = axum::serve(
        listener,
        http::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signalled);
    let deadline = async move {
        let _ = stop_rx.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server.into_future() => result,
        () = deadline => {
            tracing::warn!(?grace, "requests still open after the grace period: stopping anyway");
            Ok(())
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
