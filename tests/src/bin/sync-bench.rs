//! Sync throughput: 200 simulated phones on loopback, each with its own
//! participant account, each sending batches of 20 new glucose readings to
//! the release server; sustained mutations per second, p50/p99 request
//! latency and the server's peak memory (VmHWM). Then the same batches
//! written straight through the sync service and store in-process (no HTTP,
//! no JSON, no auth), as the ceiling.
//!
//! `make bench`, or:
//! `EDIARY_BIN=target/release/ediary cargo run --release -p ediary-tests --bin sync-bench -- [phones] [batches per phone] [offered mutations/s]`
//!
//! Each run has two phases on one server: phones sending back to back (the
//! throughput at saturation), then a steady offered load (latency at the
//! target rate). The peak memory covers both.
//! With `EDIARY_TEST_PG_URL` set (as `tests/with-postgres.sh` does) the
//! PostgreSQL figures follow the SQLite ones.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use app::domain::account::Role;
use chrono::Utc;
use ediary_tests::{
    bench::{self, peak_memory_kib},
    diary, free_port,
};
use serde_json::{Value, json};
use server::{
    audit::AuditContext,
    config::DatabaseUrl,
    store::sync_plan::Sender,
    store::{self, Store},
    sync::{self, SyncRequest},
};
use uuid::Uuid;

const BATCH: usize = 20;

fn batches(participant: Uuid, count: usize) -> Vec<Vec<Value>> {
    (0..count)
        .map(|b| {
            (0..BATCH)
                .map(|i| diary::glucose(participant, json!(70 + (b * BATCH + i) % 200), "mg/dL"))
                .collect()
        })
        .collect()
}

struct Figures {
    mutations: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn report(&mut self, label: &str, peak: Option<u64>) {
        self.latencies.sort();
        let at = |q: f64| {
            self.latencies
                .get(((self.latencies.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default()
        };
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{label}: {} mutations in {:.2} s = {:.0} mutations/s; request p50 {:.1} ms, p99 {:.1} ms{}",
            self.mutations,
            self.wall.as_secs_f64(),
            self.mutations as f64 / self.wall.as_secs_f64(),
            ms(at(0.50)),
            ms(at(0.99)),
            peak.map_or(String::new(), |kib| format!(
                "; server peak memory {:.1} MiB",
                kib as f64 / 1024.0
            )),
        );
    }
}

/// Every phone sends its batches back to back (`pace` None: the server's
/// saturation), or one batch every `pace`, the phones' starts spread over
/// one period (a steady offered load).
async fn over_http(
    base: &str,
    accounts: &[(String, Uuid, Uuid)],
    per_phone: usize,
    pace: Option<Duration>,
) -> Figures {
    let client = reqwest::Client::new();
    let mut phones = Vec::new();
    for (username, _, participant) in accounts {
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": username, "password": bench::PASSWORD}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("login answer");
        let token = login["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        phones.push((token, batches(*participant, per_phone)));
    }
    let count = phones.len() as u32;
    let start = Arc::new(tokio::sync::Barrier::new(phones.len() + 1));
    let tasks: Vec<_> = phones
        .into_iter()
        .enumerate()
        .map(|(i, (token, batches))| {
            let (client, start) = (client.clone(), start.clone());
            let url = format!("{base}/api/v1/sync");
            tokio::spawn(async move {
                let device = Uuid::new_v4();
                // A phone that synced before: catch up first, untimed, so
                // the figures are about writing batches, not a first pull.
                let caught_up: Value = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"device_id": device, "since": null, "mutations": []}))
                    .send()
                    .await
                    .expect("sync")
                    .json()
                    .await
                    .expect("sync answer");
                let mut cursor = caught_up["cursor"].clone();
                start.wait().await;
                let mut latencies = Vec::new();
                let mut next = tokio::time::Instant::now();
                if let Some(period) = pace {
                    next += period * i as u32 / count;
                }
                for batch in batches {
                    if let Some(period) = pace {
                        tokio::time::sleep_until(next).await;
                        next += period;
                    }
                    let sent = Instant::now();
                    let answer: Value = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({"device_id": device, "since": cursor, "mutations": batch}))
                        .send()
                        .await
                        .expect("sync")
                        .json()
                        .await
                        .expect("sync answer");
                    latencies.push(sent.elapsed());
                    let applied = answer["results"]
                        .as_array()
                        .expect("results")
                        .iter()
                        .filter(|r| r["status"] == "applied")
                        .count();
                    assert_eq!(applied, BATCH, "{answer}");
                    cursor = answer["cursor"].clone();
                }
                latencies
            })
        })
        .collect();
    start.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("phone"));
    }
    Figures {
        mutations: accounts.len() * per_phone * BATCH,
        wall: started.elapsed(),
        latencies,
    }
}

async fn through_store(
    store: Arc<dyn Store>,
    accounts: &[(String, Uuid, Uuid)],
    per_phone: usize,
) -> Figures {
    let started = Instant::now();
    let tasks: Vec<_> = accounts
        .iter()
        .map(|(_, user, participant)| {
            let (store, user, participant) = (store.clone(), *user, *participant);
            tokio::spawn(async move {
                let device = Uuid::new_v4();
                let mut latencies = Vec::new();
                let mut cursor = None;
                for batch in batches(participant, per_phone) {
                    let sent = Instant::now();
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
                            since: cursor.take(),
                            mutations: batch,
                        },
                        &AuditContext::system("sync-bench"),
                        &Default::default(),
                    )
                    .await
                    .expect("sync through the store");
                    cursor = Some(answer.cursor.clone());
                    assert!(
                        answer
                            .results
                            .iter()
                            .all(|r| r.status == store::sync_plan::ResultStatus::Applied)
                    );
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("writer"));
    }
    Figures {
        mutations: accounts.len() * per_phone * BATCH,
        wall: started.elapsed(),
        latencies,
    }
}

/// A fresh database URL of each backend to run on.
async fn databases(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let mut urls = vec![(
        "SQLite",
        format!("sqlite://{}", dir.join("bench.db").display()),
    )];
    if let Ok(admin) = std::env::var(ediary_tests::PG_URL_VAR) {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("connect to PostgreSQL");
        let name = format!("bench_{}", Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&admin).expect("admin URL");
        url.set_path(&name);
        urls.push(("PostgreSQL", url.to_string()));
    }
    urls
}

fn main() {
    let bin = std::env::var_os("EDIARY_BIN").expect("set EDIARY_BIN to the ediary binary");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let phones = args.first().copied().unwrap_or(200);
    let per_phone = args.get(1).copied().unwrap_or(10);
    // The steady load to offer, in mutations per second.
    let rate = args.get(2).copied().unwrap_or(5000);
    let pace = Duration::from_secs_f64((phones * BATCH) as f64 / rate as f64);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    for (label, url) in runtime.block_on(databases(dir.path())) {
        let parsed = DatabaseUrl::parse(&url).expect("database URL");
        let accounts = runtime.block_on(async {
            let store = store::open(&parsed).await.expect("open store");
            let accounts = bench::enrol(store.as_ref(), phones, 30).await;
            store.close().await;
            accounts
        });
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
                "sync-bench-secret-sync-bench-secret-0123",
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ediary serve");
        let base = format!("http://127.0.0.1:{port}");
        let (mut http, mut steady) = runtime.block_on(async {
            let client = reqwest::Client::new();
            let start = Instant::now();
            while client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .map(|r| r.status() != 200)
                .unwrap_or(true)
            {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "server not ready"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let saturated = over_http(&base, &accounts, per_phone, None).await;
            let steady = over_http(&base, &accounts, per_phone, Some(pace)).await;
            (saturated, steady)
        });
        let peak = peak_memory_kib(server.id());
        let _ = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status();
        let _ = server.wait();
        http.report(
            &format!(
                "{label}, {phones} phones x {per_phone} batches of {BATCH} over HTTP, back to back"
            ),
            None,
        );
        steady.report(
            &format!(
                "{label}, the same at a steady {rate} mutations/s offered (one batch per phone every {} ms)",
                pace.as_millis()
            ),
            peak,
        );
        let mut ceiling = runtime.block_on(async {
            let store = store::open(&parsed).await.expect("open store");
            through_store(store, &accounts, per_phone).await
        });
        ceiling.report(
            &format!("{label}, the same batches through the store (ceiling)"),
            None,
        );
    }
}
