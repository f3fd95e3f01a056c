//! The server in process, on a random port over a fresh database.

use std::{collections::HashSet, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use secrecy::SecretString;
use server::{auth::Auth, config::SiteConfig, serve, store::Store};
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{Db, TestDb, fresh_db, open_store, panics};

/// The token-signing secret of servers started with [`spawn_app`].
pub const TEST_SECRET: &str = "integration-test-secret-0123456789abcdef";

/// A running server, stopped when dropped.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    pub handle: Option<JoinHandle<std::io::Result<()>>>,
    pub alerts: Arc<server::alerts::Alerts>,
    dispatcher: Option<JoinHandle<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A JSON API call with a bearer token: the status and the body (null
    /// when it is not JSON).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, username: &str, password: &str) -> serde_json::Value {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "login {username}");
        response.json().await.expect("token response")
    }

    pub async fn get_with(&self, path: &str, access_token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
        if let Some(dispatcher) = self.dispatcher.take() {
            dispatcher.abort();
        }
    }
}

/// The site root tests serve: a folder the test may fill with files, and the
/// content hashes it treats as cargo-leptos' hash file.
pub struct TestSite {
    pub dir: TempDir,
    pub hashes: HashSet<String>,
}

impl TestSite {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("site dir");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg dir");
        Self {
            dir,
            hashes: HashSet::new(),
        }
    }

    pub fn write(&self, relative: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.path().join(relative);
        std::fs::write(&path, contents).expect("write site file");
        path
    }
}

impl Default for TestSite {
    fn default() -> Self {
        Self::new()
    }
}

/// A server with staff MFA off (`EDIARY_STAFF_MFA=off`, as in development).
pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, &TestSite::new(), false).await
}

pub async fn spawn_app_with_site(db: Db, site: &TestSite) -> TestApp {
    spawn_app_with(db, site, false).await
}

pub async fn spawn_app_with(db: Db, site: &TestSite, staff_mfa: bool) -> TestApp {
    spawn(db, site, staff_mfa, None).await
}

/// A server that raises and delivers alerts with `alerts` (its dispatcher
/// runs as `ediary serve` runs it).
pub async fn spawn_app_with_alerts(db: Db, alerts: server::alerts::Alerts) -> TestApp {
    spawn(db, &TestSite::new(), false, Some(alerts)).await
}

async fn spawn(
    db: Db,
    site: &TestSite,
    staff_mfa: bool,
    alerts: Option<server::alerts::Alerts>,
) -> TestApp {
    panics::watch();
    let db = fresh_db(db).await;
    let store = open_store(&db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("local addr");
    let site_config = SiteConfig {
        root: site.dir.path().to_owned(),
        pkg_dir: "pkg".into(),
        output_name: "ediary".into(),
    };
    let auth = Auth::new(&SecretString::from(TEST_SECRET), staff_mfa);
    let mut state = serve::app_state(store.clone(), auth, &site_config, addr);
    state.hashed_files = Arc::new(site.hashes.clone());
    // The suites that model phones sync far faster than a phone does; the
    // limit itself is tested against the real binary (security.rs).
    state.sync_rate_limit = Arc::new(server::http::rate_limit::SyncRateLimit::per_minute(
        std::num::NonZeroU32::new(10_000_000).expect("non-zero"),
    ));
    let dispatcher = alerts.map(|alerts| {
        state.alerts = Arc::new(alerts);
        tokio::spawn(server::alerts::dispatcher::run(
            store.clone(),
            state.alerts.clone(),
        ))
    });
    let alerts = state.alerts.clone();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(serve::run(
        listener,
        state,
        async {
            let _ = stop_rx.await;
        },
        Duration::from_secs(5),
    ));
    TestApp {
        address: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        store,
        db,
        shutdown: Some(stop_tx),
        handle: Some(handle),
        alerts,
        dispatcher,
    }
}
