//! Alerts with the real binary: a SIGKILL between the commit of a severe
//! event and its delivery delays the email and webhook but loses neither,
//! and sends each once; with PostgreSQL, two servers on one database both
//! stream to their own clients and deliver each email and webhook once.

use std::{
    process::{Command, Stdio},
    time::Duration,
};

use ediary_tests::{
    Db, ServerProcess, TestSite, demo_password, diary::at, ediary_bin, free_port, fresh_db, sinks,
};
use serde_json::{Value, json};
use uuid::Uuid;

const HOOK_SECRET: &str = "hook-secret";

async fn start(db_url: &str, dir: &std::path::Path, site: &TestSite, smtp: &str) -> ServerProcess {
    ServerProcess::start(
        db_url,
        dir,
        site,
        &[
            ("EDIARY_SMTP_URL", smtp),
            ("EDIARY_WEBHOOK_SECRET", HOOK_SECRET),
            // The test's receiver listens on loopback.
            ("EDIARY_WEBHOOK_ALLOW_PRIVATE", "1"),
        ],
    )
    .await
}

async fn token(client: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().unwrap().to_owned()
}

async fn admin(db_url: &str, dir: &std::path::Path) {
    let mut create = Command::new(ediary_bin())
        .args([
            "user",
            "create",
            "--role",
            "admin",
            "--username",
            "admin.one",
            "--database-url",
            db_url,
        ])
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long admin password\n")
        .unwrap();
    assert!(create.wait().unwrap().success());
}

/// Contacts for the demo site and a severe event synced by the guardian.
async fn severe_event(client: &reqwest::Client, base: &str, hook_url: &str) {
    let admin = token(client, base, "admin.one", "a long admin password").await;
    let investigator = token(
        client,
        base,
        "demo.investigator",
        demo_password("demo.investigator"),
    )
    .await;
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&investigator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let site = me["site_ids"][0].as_str().unwrap().to_owned();
    let response = client
        .put(format!("{base}/api/v1/sites/{site}/contacts"))
        .bearer_auth(&admin)
        .json(&json!({"contacts": [
            {"level": 0, "channel": "email", "target": "site.team@example.org"},
            {"level": 0, "channel": "webhook", "target": hook_url},
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let guardian = token(
        client,
        base,
        "demo.guardian",
        demo_password("demo.guardian"),
    )
    .await;
    let me: Value = client
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&guardian)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let child = me["participant_ids"][0].as_str().unwrap();
    let id = Uuid::now_v7();
    let response = client
        .post(format!("{base}/api/v1/sync"))
        .bearer_auth(&guardian)
        .json(
            &json!({"device_id": Uuid::new_v4(), "since": null, "mutations": [{
            "id": id, "participant_id": child, "entry_id": id, "op": "create", "kind": "hypo",
            "recorded_at": at(chrono::Duration::zero()),
            "data": {"occurred_at": at(chrono::Duration::minutes(-10)), "symptoms": ["confused"],
                     "needed_assistance": true, "lost_consciousness": false, "seizure": false,
                     "treatments": ["glucagon"]}}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn settle<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if let Some(v) = probe() {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

async fn sigkill_before_delivery(db: Db) {
    let test_db = fresh_db(db).await;
    let site = TestSite::new();
    admin(&test_db.raw_url, test_db.dir.path()).await;
    // The receivers are down while the alert is raised: the first attempts
    // fail, then the server dies without warning.
    let (smtp_port, hook_port) = (free_port(), free_port());
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let hook_url = format!("http://127.0.0.1:{hook_port}/hook");
    let server = start(&test_db.raw_url, test_db.dir.path(), &site, &smtp_url).await;
    let client = reqwest::Client::new();
    severe_event(&client, &server.base, &hook_url).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    drop(server);

    let mail = sinks::mail_sink(smtp_port).await;
    let hook = sinks::hook_sink(hook_port).await;
    let _server = start(&test_db.raw_url, test_db.dir.path(), &site, &smtp_url).await;
    let arrived = settle(Duration::from_secs(15), || {
        (!mail.received().is_empty() && !hook.received().is_empty()).then_some(())
    })
    .await;
    assert!(
        arrived.is_some(),
        "the email and webhook arrive after the restart"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(mail.received().len(), 1, "one email");
    assert_eq!(hook.received().len(), 1, "one webhook");
    let body: Value = serde_json::from_str(&hook.received()[0].body).unwrap();
    assert_eq!(body["alert"]["rule"], "severe_hypoglycemia");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigkill_before_delivery() {
    sigkill_before_delivery(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigkill_before_delivery() {
    sigkill_before_delivery(Db::Postgres).await;
}

/// Two servers on one PostgreSQL database: a stream client of each hears
/// the alert raised through the other; the email and webhook go out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_postgres() {
    let test_db = fresh_db(Db::Postgres).await;
    let site = TestSite::new();
    admin(&test_db.raw_url, test_db.dir.path()).await;
    let mail = sinks::mail_sink(0).await;
    let hook = sinks::hook_sink(0).await;
    let a = start(&test_db.raw_url, test_db.dir.path(), &site, &mail.url()).await;
    let b = start(&test_db.raw_url, test_db.dir.path(), &site, &mail.url()).await;
    let client = reqwest::Client::new();
    let mut readers = Vec::new();
    for server in [&a, &b] {
        let investigator = token(
            &client,
            &server.base,
            "demo.investigator",
            demo_password("demo.investigator"),
        )
        .await;
        let response = client
            .get(format!("{}/api/v1/alerts/stream", server.base))
            .bearer_auth(&investigator)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        readers.push(response);
    }
    severe_event(&client, &a.base, &hook.url()).await;
    for (name, reader) in ["a", "b"].iter().zip(readers.iter_mut()) {
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        while !text.contains("severe_hypoglycemia") {
            match tokio::time::timeout_at(deadline, reader.chunk()).await {
                Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => panic!("server {name}'s stream client did not hear of it within a second"),
            }
        }
    }
    let arrived = settle(Duration::from_secs(10), || {
        (!mail.received().is_empty() && !hook.received().is_empty()).then_some(())
    })
    .await;
    assert!(arrived.is_some());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        (mail.received().len(), hook.received().len()),
        (1, 1),
        "each delivery once, not once per server"
    );
}
