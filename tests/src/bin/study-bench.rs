//! The investigators' side at trial scale: a study of N participants with a
//! year of diary (about 6 entries a day: four readings, two doses, a low a
//! week) and quarterly labs, written through the sync service in-process,
//! then the release server on it: outcome figures per participant (p50/p99
//! over 14 days and over the whole year), the roster page and API, and the
//! full-study ODM export (time, size, and how much the server's memory grows
//! while it streams).
//!
//! `EDIARY_BIN=target/release/ediary cargo run --release -p ediary-tests --bin study-bench -- [participants] [days]`
//! (defaults 1000 and 365; SQLite).

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use app::domain::{
    account::Role,
    labs::{LabInput, LabKind},
};
use chrono::{FixedOffset, NaiveTime, TimeZone, Utc};
use ediary_tests::{bench, free_port};
use serde_json::{Value, json};
use server::{
    audit::AuditContext,
    config::DatabaseUrl,
    store::sync_plan::Sender,
    store::{self, EntryStatus, LabVersion, Store},
    sync::{self, SyncRequest},
};
use uuid::Uuid;

/// Mutations a sync request carries at most.
const BATCH: usize = 500;

fn memory_kib(pid: u32, field: &str) -> u64 {
    bench::memory_kib(pid, field).unwrap_or(0)
}

/// One participant's year, as sync mutations, oldest first.
fn year(participant: Uuid, days: i64, seed: usize) -> Vec<Value> {
    let site = FixedOffset::east_opt(8 * 3600).expect("offset");
    let today = Utc::now().with_timezone(&site).date_naive();
    let mut out = Vec::new();
    let mut n = seed;
    let mut push = |kind: &str, day: chrono::NaiveDate, time: (u32, u32), data: Value| {
        let at = site
            .from_local_datetime(
                &day.and_time(NaiveTime::from_hms_opt(time.0, time.1, 0).expect("time")),
            )
            .single()
            .expect("local time");
        let field = match kind {
            "glucose" => "measured_at",
            "insulin" => "administered_at",
            _ => "occurred_at",
        };
        let mut data = data;
        data[field] = json!(at.to_rfc3339());
        let id = Uuid::now_v7();
        out.push(json!({"id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": kind,
                        "recorded_at": (at + chrono::Duration::minutes(1)).to_rfc3339(), "data": data}));
    };
    for back in (1..=days).rev() {
        let day = today - chrono::Duration::days(back);
        for (time, context) in [
            ((7, 0), "fasting"),
            ((11, 30), "before_meal"),
            ((17, 30), "before_meal"),
            ((21, 30), "bedtime"),
        ] {
            n += 1;
            let (value, unit) = match n % 200 {
                0 => (json!("LO"), "mg/dL"),
                1 => (json!("HI"), "mg/dL"),
                k if k % 10 == 0 => (
                    json!(((40 + (n * 37) % 220) as f64 / 18.016 * 10.0).round() / 10.0),
                    "mmol/L",
                ),
                _ => (json!(40 + (n * 37) % 220), "mg/dL"),
            };
            push(
                "glucose",
                day,
                time,
                json!({"value": value, "unit": unit, "context": context, "source": "meter"}),
            );
        }
        push(
            "insulin",
            day,
            (7, 15),
            json!({"units": 4 + (n % 5), "insulin_type": "rapid", "purpose": "meal"}),
        );
        push(
            "insulin",
            day,
            (21, 0),
            json!({"units": 10, "insulin_type": "long", "purpose": "basal"}),
        );
        if back % 7 == 0 {
            push(
                "hypo",
                day,
                (16, 0),
                json!({"glucose_value": 3.4, "glucose_unit": "mmol/L", "symptoms": ["shaky"],
                "needed_assistance": false, "lost_consciousness": false, "seizure": false,
                "treatments": ["oral_carbohydrate"]}),
            );
        }
    }
    out
}

async fn fill(
    store: Arc<dyn Store>,
    accounts: &[(String, Uuid, Uuid)],
    days: i64,
    investigator: Uuid,
) -> usize {
    let mut written = 0;
    for chunk in accounts.chunks(8) {
        let tasks: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, (_, user, participant))| {
                let (store, user, participant) = (store.clone(), *user, *participant);
                tokio::spawn(async move {
                    let device = Uuid::new_v4();
                    let mutations = year(participant, days, i * 7);
                    let count = mutations.len();
                    for batch in mutations.chunks(BATCH) {
                        let answer = sync::sync(
                            store.as_ref(),
                            Sender {
                                user_id: user,
                                role: Role::Participant,
                                device_id: device.to_string(),
                                received_at: Utc::now(),
                            },
                            &[participant],
                            SyncRequest {
                                device_id: device,
                                since: None,
                                mutations: batch.to_vec(),
                            },
                            &AuditContext::system("study-bench"),
                            &Default::default(),
                        )
                        .await
                        .expect("sync");
                        assert!(
                            answer
                                .results
                                .iter()
                                .all(|r| r.status == store::sync_plan::ResultStatus::Applied)
                        );
                    }
                    // A weight and an HbA1c each quarter.
                    // The site's day, not the UTC day (a day apart for 8 hours of each day).
                    let today = Utc::now()
                        .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("offset"))
                        .date_naive();
                    for quarter in 0..=(days / 90) {
                        let on = today - chrono::Duration::days(days - quarter * 90);
                        for (kind, value, unit) in [
                            (LabKind::Weight, 40.0 + quarter as f64, "kg"),
                            (LabKind::Hba1c, 7.5 - 0.2 * quarter as f64, "%"),
                        ] {
                            let lab = LabVersion {
                                lab_id: Uuid::now_v7(),
                                version: 1,
                                participant_id: participant,
                                status: EntryStatus::Active,
                                input: LabInput {
                                    visit: if quarter == 0 {
                                        "baseline".into()
                                    } else {
                                        format!("month_{}", quarter * 3)
                                    },
                                    taken_at: on.to_string(),
                                    kind,
                                    name: None,
                                    value,
                                    unit: unit.into(),
                                },
                                taken_on: on,
                                entered_by: investigator,
                                entered_by_role: Role::Investigator,
                                received_at: Utc::now(),
                                reason: None,
                            };
                            store
                                .save_lab_version(&lab, &AuditContext::system("study-bench"))
                                .await
                                .expect("lab");
                        }
                    }
                    count
                })
            })
            .collect();
        for task in tasks {
            written += task.await.expect("writer");
        }
    }
    written
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let bin = std::env::var_os("EDIARY_BIN").expect("set EDIARY_BIN to the ediary binary");
    let args: Vec<i64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let participants = args.first().copied().unwrap_or(1000) as usize;
    let days = args.get(1).copied().unwrap_or(365);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("study.db").display());

    let started = Instant::now();
    let (accounts, written) = runtime.block_on(async {
        let store = store::open(&DatabaseUrl::parse(&url).expect("URL"))
            .await
            .expect("open store");
        let accounts = bench::enrol(store.as_ref(), participants, days + 2).await;
        let investigator = store
            .user_by_username("bench.investigator")
            .await
            .expect("read")
            .expect("investigator")
            .id;
        let written = fill(store.clone(), &accounts, days, investigator).await;
        store.close().await;
        (accounts, written)
    });
    let size = std::fs::metadata(dir.path().join("study.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "study: {participants} participants x {days} days = {written} entries written in {:.0} s; database {:.0} MiB",
        started.elapsed().as_secs_f64(),
        size as f64 / 1048576.0
    );

    let port = free_port();
    let mut server = Command::new(&bin)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env(
            "EDIARY_JWT_SECRET",
            "study-bench-secret-study-bench-secret-01",
        )
        .env("EDIARY_STAFF_MFA", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ediary serve");
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let start = Instant::now();
        while client.get(format!("{base}/readyz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
            assert!(start.elapsed() < Duration::from_secs(30), "server not ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "bench.investigator", "password": bench::PASSWORD}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login JSON");
        let token = login["access_token"].as_str().expect("token").to_owned();

        // Outcome figures: a 14-day and a whole-year window, 200 participants each.
        let today = Utc::now().with_timezone(&FixedOffset::east_opt(8 * 3600).expect("offset")).date_naive();
        for (label, window) in [
            ("14 days", String::new()),
            ("whole year", format!("?from={}&to={}", today - chrono::Duration::days(days), today)),
        ] {
            let mut latencies = Vec::new();
            for (_, _, participant) in accounts.iter().step_by((participants / 200).max(1)).take(200) {
                let sent = Instant::now();
                let response = client
                    .get(format!("{base}/api/v1/participants/{participant}/summary{window}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("summary");
                assert_eq!(response.status(), 200);
                let figures: Value = response.json().await.expect("figures");
                assert!(figures["glucose"]["count"].as_u64().unwrap_or(0) > 0);
                latencies.push(sent.elapsed());
            }
            latencies.sort();
            println!(
                "outcome figures, {label}: p50 {:.1} ms, p99 {:.1} ms ({} participants)",
                percentile(&latencies, 0.5).as_secs_f64() * 1e3,
                percentile(&latencies, 0.99).as_secs_f64() * 1e3,
                latencies.len()
            );
        }

        // The roster: the page as the server renders it (a browser session's
        // cookies), and the same rows from the API.
        let (cookies, _) =
            ediary_tests::browser_session(&client, &base, "bench.investigator", bench::PASSWORD).await;
        for (label, path) in [("roster page (HTML)", "/participants"), ("roster API", "/api/v1/roster")] {
            let mut latencies = Vec::new();
            let mut rows = 0;
            for _ in 0..20 {
                let sent = Instant::now();
                let mut request = client.get(format!("{base}{path}"));
                request = if path.starts_with("/api") {
                    request.bearer_auth(&token)
                } else {
                    request.header(reqwest::header::COOKIE, &cookies)
                };
                let response = request.send().await.expect("roster");
                assert_eq!(response.status(), 200);
                let body = response.text().await.expect("roster body");
                latencies.push(sent.elapsed());
                rows = body.matches("\"participant_id\"").count().max(body.matches("<tr").count());
            }
            latencies.sort();
            println!(
                "{label}: p50 {:.1} ms, p99 {:.1} ms ({rows} rows)",
                percentile(&latencies, 0.5).as_secs_f64() * 1e3,
                percentile(&latencies, 0.99).as_secs_f64() * 1e3
            );
        }

        // The full-study ODM export, read and counted, never kept.
        let before = memory_kib(pid, "VmRSS:");
        let sent = Instant::now();
        let response = client
            .get(format!("{base}/api/v1/export?format=odm"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("export");
        assert_eq!(response.status(), 200);
        let mut response = response;
        let mut bytes = 0usize;
        let mut groups = 0usize;
        while let Some(chunk) = response.chunk().await.expect("export chunk") {
            bytes += chunk.len();
            groups += chunk.windows(14).filter(|w| w == b"<ItemGroupData").count();
        }
        let peak = memory_kib(pid, "VmHWM:");
        println!(
            "ODM export of the study: {:.1} s, {:.0} MiB, {groups} item groups; server memory {:.1} MiB before, peak {:.1} MiB (growth at most {:.1} MiB)",
            sent.elapsed().as_secs_f64(),
            bytes as f64 / 1048576.0,
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            peak.saturating_sub(before) as f64 / 1024.0
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}
