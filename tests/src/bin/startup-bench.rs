//! Start-up benchmark: how long `ediary serve` takes to answer `/readyz` on
//! an existing database, and the size of the WASM the phone downloads.
//!
//! Run with `make bench` (release binary and site), or:
//! `EDIARY_BIN=target/release/ediary LEPTOS_SITE_ROOT=target/site cargo run --release -p ediary-tests --bin startup-bench`

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use ediary_tests::free_port;

const RUNS: usize = 20;

fn main() {
    let bin =
        PathBuf::from(std::env::var_os("EDIARY_BIN").expect("set EDIARY_BIN to the ediary binary"));
    let site = std::env::var_os("LEPTOS_SITE_ROOT").map(PathBuf::from);
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    // An existing database: migrated and holding the demo study.
    let seeded = Command::new(&bin)
        .args(["demo", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::null())
        .status()
        .expect("run ediary demo");
    assert!(seeded.success(), "ediary demo failed");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let port = free_port();
        let started = Instant::now();
        let mut child = Command::new(&bin)
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(&data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ediary serve");
        let url = format!("http://127.0.0.1:{port}/readyz");
        let ready = runtime.block_on(async {
            loop {
                if let Ok(r) = client.get(&url).send().await
                    && r.status() == 200
                {
                    return Some(started.elapsed());
                }
                if started.elapsed() > Duration::from_secs(30) {
                    return None;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        });
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
        times.push(ready.expect("server did not become ready within 30 s"));
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("start-up to /readyz on an existing SQLite database, {RUNS} runs:");
    println!(
        "  min {:.1} ms, median {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS - 1])
    );

    if let Some(site) = site {
        wasm_sizes(&site.join("pkg"));
    }
}

fn wasm_sizes(pkg: &Path) {
    let Ok(entries) = std::fs::read_dir(pkg) else {
        println!("no site at {}", pkg.display());
        return;
    };
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let kib = |n: Option<u64>| {
                n.map_or("n/a".to_owned(), |n| {
                    format!("{:.1} KiB", n as f64 / 1024.0)
                })
            };
            let with = |ext: &str| PathBuf::from(format!("{}.{ext}", path.display()));
            println!(
                "{}: raw {}, gzip {}, brotli {} (the precompressed files served)",
                path.file_name().unwrap_or_default().to_string_lossy(),
                kib(size(&path)),
                kib(size(&with("gz"))),
                kib(size(&with("br"))),
            );
        }
    }
}
