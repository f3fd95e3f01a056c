//! A real study set up from nothing, as the README's "Starting a real
//! study" tells an admin to: the real binary on a new database, no demo.
//! Migrate, the first admin, the study's name and default language, a site,
//! an investigator, alert contacts, thresholds, the visit schedule and the
//! emergency advice, the first participant and her guardian enrolled, their
//! first entry and its alert (live, email, webhook), then the audit chain
//! verified. Staff sign in without TOTP here (`EDIARY_STAFF_MFA=off`, as
//! every process test does); `mfa.rs` walks the TOTP set-up.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
    time::Duration,
};

use chrono::{Datelike, Utc};
use ediary_tests::{
    Db, ServerProcess, TestSite, diary::at, ediary_bin, fresh_db, on_both_backends, sinks,
};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const SECRET: &str = "process-test-secret-process-test-secret";

fn ediary(args: &[&str], url: &str, dir: &std::path::Path, stdin: &str) -> Output {
    let mut child = Command::new(ediary_bin())
        .args(args)
        .args(["--database-url", url])
        .env("RUST_LOG", "warn")
        .env("EDIARY_JWT_SECRET", SECRET)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ediary");
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    let output = child.wait_with_output().expect("ediary output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "ediary {args:?}: {stderr}");
    assert!(!stderr.contains("panicked at"), "{stderr}");
    output
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, token: &str, body: Value) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if !body.is_null() {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let (status, answer) = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                "",
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(status, 200, "{username}: {answer}");
        answer["access_token"].as_str().expect("token").to_owned()
    }
}

async fn from_nothing_to_the_first_alert(db: Db) {
    let test_db = fresh_db(db).await;
    let dir = test_db.dir.path();
    let url = test_db.raw_url.as_str();

    // 1. The database and the first admin, from the command line.
    ediary(&["migrate"], url, dir, "");
    let admin = ediary(
        &[
            "user",
            "create",
            "--role",
            "admin",
            "--username",
            "admin.wang",
        ],
        url,
        dir,
        "the admin's long passphrase\n",
    );
    assert!(String::from_utf8_lossy(&admin.stdout).contains("admin.wang"));

    let mail = sinks::mail_sink(0).await;
    let hook = sinks::hook_sink(0).await;
    let site_files = TestSite::new();
    let server = ServerProcess::start_without_demo(
        url,
        dir,
        &site_files,
        &[
            ("EDIARY_SMTP_URL", &mail.url()),
            ("EDIARY_WEBHOOK_SECRET", "hook-secret"),
            // The test's receiver listens on loopback.
            ("EDIARY_WEBHOOK_ALLOW_PRIVATE", "1"),
        ],
    )
    .await;
    let api = Api {
        client: reqwest::Client::new(),
        base: server.base.clone(),
    };
    let admin = api.login("admin.wang", "the admin's long passphrase").await;

    // 2. The study: unnamed on a new server, then named, in Chinese.
    let (status, study) = api
        .call(Method::GET, "/api/v1/study", &admin, Value::Null)
        .await;
    assert_eq!(
        (status, study),
        (200, json!({"name": "", "default_language": "en"}))
    );
    let named = json!({"name": "UC-MSC in new-onset T1D, phase 1", "default_language": "zh-CN"});
    assert_eq!(
        api.call(Method::PUT, "/api/v1/study", &admin, named.clone())
            .await,
        (200, named.clone())
    );
    assert_eq!(
        api.call(Method::GET, "/api/v1/study", &admin, Value::Null)
            .await
            .1,
        named
    );

    // 3. A site, and every study setting changed once.
    let (status, site) = api
        .call(
            Method::POST,
            "/api/v1/sites",
            &admin,
            json!({"code": "QD", "name": "Qingdao site", "timezone": "Asia/Shanghai",
                   "emergency_phone": "+86 532 0000 0000"}),
        )
        .await;
    assert_eq!(status, 201, "{site}");
    let site_id = site["id"].as_str().expect("site id").to_owned();
    let settings = [
        (
            "/api/v1/study/alert-settings",
            json!({"repeat_window_hours": 24, "report_within_hours": 24,
                   "escalate_after_minutes": 30, "missed_days": 2}),
        ),
        (
            "/api/v1/study/visits",
            json!({"visits": [
                {"code": "baseline", "name": "Baseline", "day": 0, "before": 0, "after": 7},
                {"code": "month_3", "name": "Month 3", "day": 90, "before": 14, "after": 14},
            ]}),
        ),
        (
            "/api/v1/study/outcome-settings",
            json!({"idaa1c_dose_days": 3}),
        ),
        (
            "/api/v1/study/emergency-advice",
            json!({"en": "Give sugar, then call the site.", "zh": "先补充糖分，再致电研究中心。"}),
        ),
        (
            &format!("/api/v1/sites/{site_id}/contacts"),
            json!({"contacts": [
                {"level": 0, "channel": "email", "target": "qd.team@example.org"},
                {"level": 0, "channel": "webhook", "target": hook.url()},
            ]}),
        ),
    ];
    for (path, body) in &settings {
        let (status, answer) = api.call(Method::PUT, path, &admin, body.clone()).await;
        assert_eq!(status, 200, "{path}: {answer}");
        let (status, read) = api.call(Method::GET, path, &admin, Value::Null).await;
        assert_eq!((status, &read), (200, body), "{path}");
    }

    // 4. The site's investigator, from the command line.
    ediary(
        &[
            "user",
            "create",
            "--role",
            "investigator",
            "--username",
            "dr.zhang",
            "--site",
            "QD",
        ],
        url,
        dir,
        "the investigator's passphrase\n",
    );
    let investigator = api.login("dr.zhang", "the investigator's passphrase").await;

    // 5. The first participant, a child, and her guardian enrolled.
    // The site's day (Qingdao, set above), not the UTC one.
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let (status, created) = api
        .call(
            Method::POST,
            "/api/v1/participants",
            &investigator,
            json!({"site_id": site_id, "study_id": "QD-001", "birth_year": today.year() - 9,
                   "diagnosis_date": (today - chrono::Duration::days(40)).to_string(),
                   "weight_kg": 28.5}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let participant = created["participant"]["id"]
        .as_str()
        .expect("participant id")
        .to_owned();
    let (status, invitation) = api
        .call(
            Method::POST,
            &format!("/api/v1/participants/{participant}/guardian-invitations"),
            &investigator,
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    let (status, enrolled) = api
        .call(
            Method::POST,
            "/api/v1/enroll",
            "",
            json!({"code": invitation["enrollment_code"], "username": "mother.of.qd001",
                   "password": "a tired parent's passphrase", "display_name": "QD-001 的妈妈"}),
        )
        .await;
    assert_eq!(status, 201, "{enrolled}");
    let guardian = enrolled["access_token"].as_str().expect("token").to_owned();

    // 6. Her first entry: a severe low, entered by the guardian.
    let id = Uuid::now_v7();
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/sync",
            &guardian,
            json!({"device_id": Uuid::new_v4(), "since": null, "mutations": [{
                "id": id, "participant_id": participant, "entry_id": id, "op": "create",
                "kind": "hypo", "recorded_at": at(chrono::Duration::zero()),
                "data": {"occurred_at": at(chrono::Duration::minutes(-10)),
                         "symptoms": ["confused"], "needed_assistance": true,
                         "lost_consciousness": false, "seizure": false,
                         "treatments": ["glucagon"]}}]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"][0]["status"], "applied", "{answer}");

    // 7. Its alert: in the investigator's inbox, by email and by webhook.
    let (status, alerts) = api
        .call(Method::GET, "/api/v1/alerts", &investigator, Value::Null)
        .await;
    assert_eq!(status, 200);
    let rules: Vec<&str> = alerts["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["rule"].as_str())
        .collect();
    assert!(rules.contains(&"severe_hypoglycemia"), "{alerts}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while (mail.received().is_empty() || hook.received().is_empty())
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mail.received().len(), 1, "one email");
    assert_eq!(mail.received()[0].to, ["qd.team@example.org"]);
    let delivered: Value = serde_json::from_str(&hook.received()[0].body).expect("webhook JSON");
    assert_eq!(delivered["alert"]["rule"], "severe_hypoglycemia");
    assert_eq!(delivered["alert"]["study_id"], "QD-001");

    // 8. The audit chain holds every step, unbroken.
    drop(server);
    let verified = ediary(&["audit", "verify"], url, dir, "");
    let printed = String::from_utf8_lossy(&verified.stdout);
    assert!(printed.contains("rows"), "{printed}");
}

on_both_backends!(from_nothing_to_the_first_alert);
