//! Helpers for the integration tests: a server on a random port over a fresh
//! database (a new SQLite file, or a new database in the throw-away
//! PostgreSQL cluster that `make test` starts), and the real `ediary` binary.
//!
//! Each test runs on both backends through [`on_both_backends!`].
//! `TEST_LOG=1` shows the server's logs.

use std::{
    collections::HashSet,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use secrecy::SecretString;
use server::{
    auth::Auth,
    config::{DatabaseUrl, SiteConfig},
    serve,
    store::{self, Store},
};
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

pub mod clock;
pub mod panics;
pub use clock::{SiteClock, seed_demo, site_timezone};

/// The password of a demo account (`server::demo::LOGINS`).
pub fn demo_password(username: &str) -> &'static str {
    server::demo::LOGINS
        .iter()
        .find(|l| l.username == username)
        .unwrap_or_else(|| panic!("no demo account {username}"))
        .password
}

/// The token-signing secret of servers started with [`spawn_app`].
pub const TEST_SECRET: &str = "integration-test-secret-0123456789abcdef";

/// The environment variable holding the admin URL of the test cluster.
pub const PG_URL_VAR: &str = "EDIARY_TEST_PG_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend for each named
/// `async fn NAME(db: Db)` in scope.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Db::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Db::Postgres).await
                }
            )*
        }
    };
}

/// A fresh, empty database that lives as long as this value.
pub struct TestDb {
    pub url: DatabaseUrl,
    /// The raw URL, for handing to the binary.
    pub raw_url: String,
    pub dir: TempDir,
}

pub fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init("debug,sqlx=warn");
    }
}

pub async fn fresh_db(db: Db) -> TestDb {
    init_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let raw_url = match db {
        Db::Sqlite => format!("sqlite://{}", dir.path().join("ediary.db").display()),
        Db::Postgres => create_pg_database().await,
    };
    let url = DatabaseUrl::parse(&raw_url).expect("test database URL");
    TestDb { url, raw_url, dir }
}

/// A new database in the test cluster, named uniquely for this test.
async fn create_pg_database() -> String {
    use sqlx::Connection;
    let admin = std::env::var(PG_URL_VAR).unwrap_or_else(|_| {
        panic!("{PG_URL_VAR} is not set: run the tests with `make test`, which starts a PostgreSQL cluster")
    });
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin).expect("admin URL");
    url.set_path(&name);
    url.to_string()
}

/// Drops a test database at once, cutting its connections: the database
/// "stops answering" for whoever still uses it.
pub async fn drop_pg_database(raw_url: &str) {
    use sqlx::Connection;
    let admin = std::env::var(PG_URL_VAR).expect(PG_URL_VAR);
    let name = url::Url::parse(raw_url)
        .expect("url")
        .path()
        .trim_start_matches('/')
        .to_owned();
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect");
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop test database");
}

/// Runs one SQL statement on the test database behind the server's back
/// (to tamper with it, for one).
pub async fn raw_execute(db: &TestDb, sql: &str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    if db.url.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.raw_url).await?;
        Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.raw_url).await?;
        Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
    }
}

/// One number from the test database behind the server's back (a count, a
/// counter).
pub async fn raw_scalar_i64(db: &TestDb, sql: &str) -> Result<i64, sqlx::Error> {
    use sqlx::Connection;
    if db.url.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.raw_url).await?;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.raw_url).await?;
        sqlx::query_scalar(sql).fetch_one(&mut conn).await
    }
}

pub async fn open_store(db: &TestDb) -> Arc<dyn Store> {
    store::open(&db.url).await.expect("open store")
}

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

/// A browser session at `base` (the server's address): its cookies as one
/// `Cookie` header, and its CSRF token.
pub async fn browser_session(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> (String, String) {
    let response = client
        .post(format!("{base}/api/v1/auth/session"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("POST /api/v1/auth/session");
    assert_eq!(response.status(), 200, "session for {username}");
    let jar: Vec<String> = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|line| line.split(';').next().unwrap_or_default().to_owned())
        .collect();
    let body: serde_json::Value = response.json().await.expect("session JSON");
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_owned();
    (jar.join("; "), csrf)
}

/// The `ediary` binary next to this test's own executable (`make test`
/// builds it before running the tests).
pub fn ediary_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("EDIARY_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join("ediary");
    assert!(
        bin.exists(),
        "{} does not exist: build it first (`cargo build -p server`, done by `make test`)",
        bin.display()
    );
    bin
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Polls `url` until it answers 200, for at most `limit`.
pub async fn wait_ready(client: &reqwest::Client, url: &str, limit: Duration) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(response) = client.get(url).send().await
            && response.status() == 200
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Checks the contract's error shape and returns the error code.
pub async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let code = error["code"].as_str().expect("error.code").to_owned();
    assert!(
        code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "code {code:?} is not snake_case"
    );
    (status, code)
}

/// Diary mutations as a phone builds them.
pub mod diary {
    use chrono::{Duration, FixedOffset, SecondsFormat, Utc};
    use serde_json::{Value, json};
    use uuid::Uuid;

    /// Now plus `offset`, as a phone in China writes it (+08:00).
    pub fn at(offset: Duration) -> String {
        (Utc::now() + offset)
            .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("offset"))
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// A new glucose reading taken five minutes ago.
    pub fn glucose(participant: Uuid, value: Value, unit: &str) -> Value {
        let id = Uuid::now_v7();
        json!({
            "id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": "glucose",
            "recorded_at": at(Duration::zero()),
            "data": {"measured_at": at(Duration::minutes(-5)), "value": value, "unit": unit,
                     "context": "before_meal", "source": "meter"}
        })
    }

    /// An amendment of the entry `of` was made by, at `base`.
    pub fn amend(of: &Value, base: i64, data: Value, reason: &str) -> Value {
        json!({
            "id": Uuid::now_v7(), "participant_id": of["participant_id"], "entry_id": of["entry_id"],
            "op": "amend", "kind": of["kind"], "base_version": base, "reason": reason,
            "recorded_at": at(Duration::zero()), "data": data
        })
    }
}

/// Receivers the alert tests run on loopback: an SMTP server and a webhook
/// endpoint that keep what they get.
pub mod sinks {
    use std::{
        collections::HashMap,
        sync::{Arc, Mutex},
    };

    use tokio::{
        io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
        net::TcpListener,
    };

    /// One email: the recipients and the raw message.
    #[derive(Debug, Clone)]
    pub struct Mail {
        pub to: Vec<String>,
        pub data: String,
    }

    pub struct MailSink {
        pub port: u16,
        pub mails: Arc<Mutex<Vec<Mail>>>,
    }

    impl MailSink {
        pub fn url(&self) -> String {
            format!("smtp://127.0.0.1:{}", self.port)
        }

        pub fn received(&self) -> Vec<Mail> {
            self.mails.lock().expect("mails").clone()
        }
    }

    /// Speaks just enough SMTP for lettre (no TLS, no auth).
    pub async fn mail_sink(port: u16) -> MailSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind SMTP");
        let port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut to = Vec::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                            b"250 OK\r\n"
                        } else if upper.starts_with("DATA") {
                            let _ = write.write_all(b"354 go on\r\n").await;
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            store.lock().expect("mails").push(Mail {
                                to: std::mem::take(&mut to),
                                data,
                            });
                            b"250 queued\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        MailSink { port, mails }
    }

    /// One webhook request: its headers (lower-case names) and body.
    #[derive(Debug, Clone)]
    pub struct Hook {
        pub headers: HashMap<String, String>,
        pub body: String,
    }

    pub struct HookSink {
        pub port: u16,
        pub hooks: Arc<Mutex<Vec<Hook>>>,
    }

    impl HookSink {
        pub fn url(&self) -> String {
            format!("http://127.0.0.1:{}/hook", self.port)
        }

        pub fn received(&self) -> Vec<Hook> {
            self.hooks.lock().expect("hooks").clone()
        }
    }

    /// Answers every request 200 and keeps it (HTTP/1.1, one request a connection).
    pub async fn hook_sink(port: u16) -> HookSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind webhook");
        let port = listener.local_addr().expect("addr").port();
        let hooks = Arc::new(Mutex::new(Vec::new()));
        let store = hooks.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut reader = BufReader::new(socket);
                    let mut headers = HashMap::new();
                    let mut line = String::new();
                    // The request line, then headers up to the blank line.
                    if reader.read_line(&mut line).await.is_err() {
                        return;
                    }
                    loop {
                        line.clear();
                        match reader.read_line(&mut line).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) if line.trim().is_empty() => break,
                            Ok(_) => {
                                if let Some((k, v)) = line.split_once(':') {
                                    headers
                                        .insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                                }
                            }
                        }
                    }
                    let length: usize = headers
                        .get("content-length")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    store.lock().expect("hooks").push(Hook {
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let _ = reader
                        .get_mut()
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        HookSink { port, hooks }
    }
}

/// An investigator of a second site ("QD2"), for what another site must
/// not see; their access token.
pub async fn other_site_investigator(app: &TestApp) -> String {
    let site = server::store::Site {
        id: uuid::Uuid::now_v7(),
        code: "QD2".into(),
        name: "Another site".into(),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86 532 0000 0000".into(),
    };
    app.store
        .create_site(&site, &server::audit::AuditContext::command_line())
        .await
        .expect("create site");
    staff_token(
        app,
        "other.investigator",
        app::domain::account::Role::Investigator,
        &[site.id],
    )
    .await
}

/// A staff account made as `ediary user create` makes it, linked to
/// `sites`; its access token.
pub async fn staff_token(
    app: &TestApp,
    username: &str,
    role: app::domain::account::Role,
    sites: &[uuid::Uuid],
) -> String {
    let password = "a long staff password";
    let user = server::store::NewUser {
        id: uuid::Uuid::now_v7(),
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: server::password::hash(SecretString::from(password))
            .await
            .expect("hash"),
    };
    app.store
        .create_user(&user, sites, &server::audit::AuditContext::command_line())
        .await
        .expect("create staff");
    app.login(username, password).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// The real `ediary serve` (demo study, staff MFA off) on a free port,
/// killed when dropped.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Starts it with the demo study on `db_url` with `env` added, and
    /// waits until it is ready.
    pub async fn start(db_url: &str, dir: &Path, site: &TestSite, env: &[(&str, &str)]) -> Self {
        Self::start_with(db_url, dir, site, env, &["--demo"]).await
    }

    /// Starts it as a real trial runs it: no demo.
    pub async fn start_without_demo(
        db_url: &str,
        dir: &Path,
        site: &TestSite,
        env: &[(&str, &str)],
    ) -> Self {
        Self::start_with(db_url, dir, site, env, &[]).await
    }

    async fn start_with(
        db_url: &str,
        dir: &Path,
        site: &TestSite,
        env: &[(&str, &str)],
        extra: &[&str],
    ) -> Self {
        panics::watch();
        let addr = format!("127.0.0.1:{}", free_port());
        let child = std::process::Command::new(ediary_bin())
            .args(["serve", "--addr", &addr, "--database-url", db_url])
            .args(extra)
            .env(
                "EDIARY_JWT_SECRET",
                "process-test-secret-process-test-secret",
            )
            .env("EDIARY_STAFF_MFA", "off")
            .env("LEPTOS_SITE_ROOT", site.dir.path())
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(panics::server_stderr("serve"))
            .spawn()
            .expect("start ediary serve");
        let base = format!("http://{addr}");
        assert!(
            wait_ready(
                &reqwest::Client::new(),
                &format!("{base}/readyz"),
                Duration::from_secs(30)
            )
            .await,
            "the server did not become ready"
        );
        Self { child, base }
    }
}

/// Shared by the bench binaries.
pub mod bench {
    use app::domain::account::Role;
    use chrono::Utc;
    use secrecy::SecretString;
    use server::{
        audit::AuditContext,
        enrollment, password,
        store::{CodeKind, NewEnrollmentCode, NewUser, Participant, Site, Store},
    };
    use uuid::Uuid;

    pub const PASSWORD: &str = "bench phone password";

    /// A process's memory figure from /proc (`VmHWM:` the peak, `VmRSS:`
    /// now), in KiB.
    pub fn memory_kib(pid: u32, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find(|l| l.starts_with(field))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// The peak resident memory of a process, in KiB.
    pub fn peak_memory_kib(pid: u32) -> Option<u64> {
        memory_kib(pid, "VmHWM:")
    }

    /// A site and `n` enrolled participants with their own accounts
    /// (`bench.0`, `bench.1`, ...; password [`PASSWORD`]), written through the
    /// store, enrolled `enrolled_days_ago` days ago.
    pub async fn enrol(
        store: &dyn Store,
        n: usize,
        enrolled_days_ago: i64,
    ) -> Vec<(String, Uuid, Uuid)> {
        let context = AuditContext::command_line();
        let site = Site {
            id: Uuid::now_v7(),
            code: "BENCH".into(),
            name: "Benchmark site".into(),
            timezone: "Asia/Shanghai".into(),
            emergency_phone: "+86 0".into(),
        };
        store.create_site(&site, &context).await.expect("site");
        let hash = password::hash(SecretString::from(PASSWORD))
            .await
            .expect("hash");
        let investigator = NewUser {
            id: Uuid::now_v7(),
            username: "bench.investigator".into(),
            display_name: "Bench investigator".into(),
            role: Role::Investigator,
            password_hash: hash.clone(),
        };
        store
            .create_user(&investigator, &[site.id], &context)
            .await
            .expect("investigator");
        let mut accounts = Vec::with_capacity(n);
        for i in 0..n {
            let participant = Participant {
                id: Uuid::now_v7(),
                site_id: site.id,
                study_id: format!("B-{i:04}"),
                birth_year: 2010,
                diagnosis_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                weight_kg: None,
                user_id: None,
                enrolled_at: Utc::now() - chrono::Duration::days(enrolled_days_ago),
            };
            let code = enrollment::new_code();
            let code_hash = enrollment::hash(&code);
            store
                .create_participant(
                    &participant,
                    &NewEnrollmentCode {
                        code_hash: code_hash.clone(),
                        kind: CodeKind::Participant,
                        participant_id: participant.id,
                        created_by: investigator.id,
                        expires_at_ms: i64::MAX,
                    },
                    &context,
                )
                .await
                .expect("participant");
            let user = NewUser {
                id: Uuid::now_v7(),
                username: format!("bench.{i}"),
                display_name: format!("Bench {i}"),
                role: Role::Participant,
                password_hash: hash.clone(),
            };
            store
                .enroll(&code_hash, &user, Utc::now().timestamp_millis(), &context)
                .await
                .expect("enrol")
                .expect("code accepted");
            accounts.push((user.username, user.id, participant.id));
        }
        accounts
    }
}
