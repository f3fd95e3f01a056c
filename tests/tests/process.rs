//! The real `ediary` binary: configuration errors, subcommands, start-up and
//! graceful shutdown on SIGTERM.

use std::{
    io::Write,
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use ediary_tests::{
    Db, TestSite, ediary_bin, free_port, fresh_db, on_both_backends, raw_execute, wait_ready,
};

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn ediary(args: &[&str]) -> Command {
    let mut command = Command::new(ediary_bin());
    command
        .args(args)
        .env_remove("EDIARY_DATABASE_URL")
        .env_remove("EDIARY_JWT_SECRET")
        .env_remove("EDIARY_DATA_DIR")
        .env("RUST_LOG", "warn");
    command
}

fn run(args: &[&str], dir: &std::path::Path) -> Output {
    let output = ediary(args).current_dir(dir).output().expect("run ediary");
    assert!(
        !stderr(&output).contains("panicked at"),
        "{}",
        stderr(&output)
    );
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Configuration errors: exit status 2 and exactly one line, no panic.
#[test]
fn configuration_errors_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-file"), b"x").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["serve", "--database-url", "nosuch://x"], "not supported"),
        (
            &["serve", "--database-url", "postgres://u:pw@[::1/db"],
            "not valid",
        ),
        (
            &["serve", "--database-url", "sqlite::memory:"],
            "journal_mode",
        ),
        (&["serve", "--data-dir", "a-file/data"], "data directory"),
        (
            &["serve", "--database-url", "postgres://127.0.0.1:1/db"],
            "EDIARY_JWT_SECRET must be set",
        ),
        (
            &["serve", "--jwt-secret", "short", "--data-dir", "d"],
            "too short",
        ),
        (&["serve", "--addr", "not-an-address"], "invalid value"),
        (
            &["migrate", "--database-url", "nosuch://x"],
            "not supported",
        ),
        (
            &["backup", "--to", "x.db", "--database-url", "mysql://h/db"],
            "not supported",
        ),
    ];
    for (args, expected) in cases {
        let output = run(args, dir.path());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{args:?}: {err}"
        );
        if !expected.starts_with("invalid value") {
            assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        }
    }
    // Nothing was created by the failed starts but the data directory check.
    assert!(!dir.path().join("x.db").exists());
}

#[test]
fn a_password_never_reaches_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        &[
            "serve",
            "--database-url",
            "postgres://ediary:hunter2secret@[bad/db",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        !stderr(&output).contains("hunter2secret"),
        "{}",
        stderr(&output)
    );
}

async fn migrate_demo_user_and_backup(db: Db) {
    let test_db = fresh_db(db).await;
    let dir = test_db.dir.path();
    let url = test_db.raw_url.as_str();

    let migrate = run(&["migrate", "--database-url", url], dir);
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let demo = run(&["demo", "--database-url", url], dir);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let printed = String::from_utf8_lossy(&demo.stdout);
    assert!(printed.contains("Seeded the demo study"), "{printed}");
    for login in &server::demo::LOGINS {
        assert!(
            printed.contains(login.username) && printed.contains(login.password),
            "{printed}"
        );
    }
    // A second run keeps the data and prints the sign-ins again.
    let again = run(&["demo", "--database-url", url], dir);
    assert!(again.status.success());
    assert!(!String::from_utf8_lossy(&again.stdout).contains("Seeded"));

    let create = |args: &[&str], password: &str| {
        let mut child = ediary(args)
            .args(["--database-url", url])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A refusal may come before the password is read: a closed pipe is fine.
        let _ = child.stdin.take().unwrap().write_all(password.as_bytes());
        child.wait_with_output().unwrap()
    };
    let admin = create(
        &[
            "user",
            "create",
            "--role",
            "admin",
            "--username",
            "Admin.One",
        ],
        "a long enough password\n",
    );
    assert!(admin.status.success(), "{}", stderr(&admin));
    assert!(String::from_utf8_lossy(&admin.stdout).contains("\"admin.one\""));
    let investigator = create(
        &[
            "user",
            "create",
            "--role",
            "investigator",
            "--username",
            "dr.zhang",
            "--site",
            "DEMO",
        ],
        "another long password\n",
    );
    assert!(investigator.status.success(), "{}", stderr(&investigator));

    let refusals: &[(&[&str], &str, &str)] = &[
        (
            &[
                "user",
                "create",
                "--role",
                "admin",
                "--username",
                "admin.one",
            ],
            "pass phrase ok\n",
            "already exists",
        ),
        (
            &[
                "user",
                "create",
                "--role",
                "investigator",
                "--username",
                "dr.li",
            ],
            "pass phrase ok\n",
            "--site",
        ),
        (
            &[
                "user",
                "create",
                "--role",
                "investigator",
                "--username",
                "dr.li",
                "--site",
                "NOPE",
            ],
            "pass phrase ok\n",
            "no site",
        ),
        (
            &[
                "user",
                "create",
                "--role",
                "admin",
                "--username",
                "admin.two",
            ],
            "short\n",
            "at least 8",
        ),
        (
            &[
                "user",
                "create",
                "--role",
                "admin",
                "--username",
                "admin.two",
            ],
            "",
            "no password",
        ),
        (
            &[
                "user",
                "create",
                "--role",
                "guardian",
                "--username",
                "x.y.z",
            ],
            "pass phrase ok\n",
            "invalid value",
        ),
    ];
    for (args, password, expected) in refusals {
        let output = create(args, password);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }

    let target = dir.join("copy.db");
    let backup = run(
        &[
            "backup",
            "--to",
            target.to_str().unwrap(),
            "--database-url",
            url,
        ],
        dir,
    );
    match db {
        Db::Sqlite => {
            assert!(backup.status.success(), "{}", stderr(&backup));
            let copy_url = format!("sqlite://{}", target.display());
            let demo_again = run(&["demo", "--database-url", &copy_url], dir);
            assert!(String::from_utf8_lossy(&demo_again.stdout).contains("demo.teen"));
            assert!(
                !String::from_utf8_lossy(&demo_again.stdout).contains("Seeded"),
                "the copy holds the demo"
            );
        }
        Db::Postgres => {
            assert_eq!(backup.status.code(), Some(2));
            assert!(stderr(&backup).contains("pg_dump"), "{}", stderr(&backup));
            assert!(!target.exists());
        }
    }
}

/// `ediary audit verify`: 0 on an intact chain; non-zero naming the row after
/// someone edits the log behind the server's back.
async fn audit_verify_command(db: Db) {
    let test_db = fresh_db(db).await;
    let dir = test_db.dir.path();
    let url = test_db.raw_url.as_str();
    assert!(run(&["demo", "--database-url", url], dir).status.success());
    let intact = run(&["audit", "verify", "--database-url", url], dir);
    assert!(intact.status.success(), "{}", stderr(&intact));
    // The demo's accounts, entries, labs and alerts: hundreds of rows.
    let out = String::from_utf8_lossy(&intact.stdout);
    let rows: u64 = out
        .split_whitespace()
        .zip(out.split_whitespace().skip(1))
        .find_map(|(n, word)| (word.starts_with("rows")).then(|| n.parse().ok()).flatten())
        .unwrap_or(0);
    assert!(rows > 100, "{out}");

    let disable = match db {
        Db::Sqlite => "DROP TRIGGER audit_log_no_update",
        Db::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    };
    raw_execute(&test_db, disable).await.unwrap();
    raw_execute(
        &test_db,
        "UPDATE audit_log SET actor_role = 'admin' WHERE seq = 5",
    )
    .await
    .unwrap();
    let broken = run(&["audit", "verify", "--database-url", url], dir);
    assert_eq!(broken.status.code(), Some(1));
    let err = stderr(&broken);
    assert!(err.contains("row 5"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(
    db_url: &str,
    dir: &std::path::Path,
    site_root: &std::path::Path,
    extra: &[&str],
) -> Running {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = ediary(&["serve", "--addr", &addr, "--database-url", db_url])
        .args(extra)
        .env("EDIARY_JWT_SECRET", SECRET)
        .env("LEPTOS_SITE_ROOT", site_root)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(ediary_tests::panics::server_stderr("serve"))
        .spawn()
        .expect("start ediary serve");
    Running {
        child,
        base: format!("http://{addr}"),
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// SIGTERM while a download is under way: the download completes, new
/// connections are refused, and the process exits cleanly.
async fn sigterm_lets_requests_in_flight_finish(db: Db) {
    let test_db = fresh_db(db).await;
    let site = TestSite::new();
    // Far larger than the socket buffers, so the server is still writing
    // when the signal comes.
    let size = 48 * 1024 * 1024;
    site.write("pkg/large.bin", &vec![7u8; size]);
    let mut server = start(
        &test_db.raw_url,
        test_db.dir.path(),
        site.dir.path(),
        &["--demo"],
    );
    let client = reqwest::Client::new();
    assert!(
        wait_ready(
            &client,
            &format!("{}/readyz", server.base),
            Duration::from_secs(30)
        )
        .await
    );

    let mut response = client
        .get(format!("{}/pkg/large.bin", server.base))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut received = response.chunk().await.unwrap().map_or(0, |c| c.len());
    signal(&server.child, "TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );
    assert!(
        tokio::net::TcpStream::connect(server.base.trim_start_matches("http://"))
            .await
            .is_err(),
        "a new connection was accepted after SIGTERM"
    );
    while let Some(chunk) = response.chunk().await.unwrap() {
        received += chunk.len();
    }
    assert_eq!(received, size);
    let status = wait_exit(&mut server.child, Duration::from_secs(10))
        .await
        .expect("exit after SIGTERM");
    assert!(status.success(), "{status:?}");
}

/// Ctrl-C (SIGINT) stops an idle server at once, and a restart on the same
/// database comes up with the data it had.
async fn ctrl_c_and_restart(db: Db) {
    let test_db = fresh_db(db).await;
    let site = TestSite::new();
    let client = reqwest::Client::new();
    for round in 0..2 {
        let mut server = start(
            &test_db.raw_url,
            test_db.dir.path(),
            site.dir.path(),
            &["--demo"],
        );
        assert!(
            wait_ready(
                &client,
                &format!("{}/readyz", server.base),
                Duration::from_secs(30)
            )
            .await,
            "round {round}"
        );
        let info: serde_json::Value = client
            .post(format!("{}/rpc/study_info", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(info["is_demo"], true);
        signal(&server.child, "INT");
        let status = wait_exit(&mut server.child, Duration::from_secs(10))
            .await
            .expect("exit after Ctrl-C");
        assert!(status.success(), "{status:?}");
    }
}

on_both_backends!(
    migrate_demo_user_and_backup,
    audit_verify_command,
    sigterm_lets_requests_in_flight_finish,
    ctrl_c_and_restart
);
