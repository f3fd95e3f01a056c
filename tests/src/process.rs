//! The real `ediary` binary, run as a process.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use crate::{TestSite, panics};

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
