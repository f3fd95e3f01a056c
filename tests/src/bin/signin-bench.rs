//! Sign-in burst benchmark: N concurrent `POST /api/v1/auth/login` against the
//! release server; p50/p99 latency and the server's peak memory (VmHWM).
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
        let mut server = Command::new(&bin)
            .args([
                "serve",
                "--demo",
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
                .map(|_| {
                    let client = client.clone();
                    let url = format!("{base}/api/v1/auth/login");
                    tokio::spawn(async move {
                        let sent = Instant::now();
                        let ok = client
                            .post(url)
                            .json(&json!({"username": "demo.teen", "password": "paper-kite-7305"}))
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
