//! Sign-in burst benchmark: N concurrent `POST /api/v1/auth/login` against the
//! release server; p50/p99 latency and the server's peak memory (VmHWM).
//! Each request is a different person (`bench.0` ...) from an address of its
//! own (127.0.x.y): the throttle counts attempts per account and address as
//! they start, so one account or one address gets at most ten at once, and
//! what is measured here is the password-hashing queue, not the throttle.
//!
//! `make bench`, or:
//! `EDIARY_BIN=target/release/ediary cargo run --release -p ediary-tests --bin signin-bench -- 100 1000`

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use ediary_tests::{bench::peak_memory_kib, free_port};
use serde_json::json;

fn main() {
    let bin = std::env::var_os("EDIARY_BIN").expect("set EDIARY_BIN to the ediary binary");
    let bursts: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let bursts = if bursts.is_empty() { vec![100] } else { bursts };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    for burst in bursts {
        // A fresh server each time, so its peak memory is this burst's.
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        runtime.block_on(async {
            let url = server::config::DatabaseUrl::parse(&format!(
                "sqlite://{}",
                dir.path().join("ediary.db").display()
            ))
            .expect("database URL");
            let store = server::store::open(&url).await.expect("open the store");
            ediary_tests::bench::enrol(store.as_ref(), burst, 1).await;
            store.close().await;
        });
        let mut server = Command::new(&bin)
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(dir.path())
            .env("EDIARY_STAFF_MFA", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ediary serve");
        let base = format!("http://127.0.0.1:{port}");
        let (mut latencies, wall, failures) = runtime.block_on(async {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("client");
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
            let started = Instant::now();
            let tasks: Vec<_> = (0..burst)
                .map(|i| {
                    let from = std::net::Ipv4Addr::new(127, 0, (i / 250) as u8, (i % 250 + 1) as u8);
                    let client = reqwest::Client::builder()
                        .local_address(std::net::IpAddr::V4(from))
                        .build()
                        .expect("client");
                    let url = format!("{base}/api/v1/auth/login");
                    tokio::spawn(async move {
                        let sent = Instant::now();
                        let ok = client
                            .post(url)
                            .json(&json!({"username": format!("bench.{i}"), "password": ediary_tests::bench::PASSWORD}))
                            .send()
                            .await
                            .is_ok_and(|r| r.status() == 200);
                        (sent.elapsed(), ok)
                    })
                })
                .collect();
            let mut latencies = Vec::with_capacity(burst);
            let mut failures = 0;
            for task in tasks {
                let (latency, ok) = task.await.expect("task");
                latencies.push(latency);
                failures += usize::from(!ok);
            }
            (latencies, started.elapsed(), failures)
        });
        let peak = peak_memory_kib(server.id());
        let _ = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status();
        let _ = server.wait();
        latencies.sort();
        let at =
            |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1)];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{burst} concurrent sign-ins: p50 {:.0} ms, p99 {:.0} ms, all done in {:.0} ms, {failures} failed; server peak memory {}",
            ms(at(0.50)),
            ms(at(0.99)),
            ms(wall),
            peak.map_or("n/a".into(), |kib| format!(
                "{:.1} MiB",
                kib as f64 / 1024.0
            )),
        );
    }
}
