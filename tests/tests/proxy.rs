//! The real binary behind a real nginx (Debian's, started here with a
//! self-signed certificate on loopback), as the README's example sets it
//! up: sign-in throttling is per browser, not per proxy; the audit trail
//! and the session list name the browser's address; forwarded headers from
//! anyone but the proxy are ignored; cookies over https are Secure and
//! `__Host-` prefixed. Clients use distinct loopback addresses (127.0.0.10,
//! 127.0.0.11), nginx connects from 127.0.0.3, the only trusted proxy.

use std::{
    net::IpAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use ediary_tests::{
    Db, ServerProcess, TestSite, demo_password, free_port, fresh_db, on_both_backends,
};
use serde_json::{Value, json};

/// nginx, killed when dropped.
struct Nginx {
    child: Child,
    base: String,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|p| p.is_file())
        .expect("nginx is not installed (make deps-test installs it)")
}

/// The README's example, with test paths and a loopback certificate.
fn nginx_config(dir: &Path, port: u16, upstream: &str) -> String {
    let d = dir.display();
    format!(
        "daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {d}/cert.pem;
        ssl_certificate_key {d}/key.pem;
        location / {{
            proxy_pass {upstream};
            proxy_bind 127.0.0.3;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
        }}
    }}
}}
"
    )
}

async fn start_nginx(dir: &Path, upstream: &str) -> Nginx {
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(made.success(), "openssl could not make a certificate");
    let port = free_port();
    let config = dir.join("nginx.conf");
    std::fs::write(&config, nginx_config(dir, port, upstream)).unwrap();
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    let base = format!("https://127.0.0.1:{port}");
    let probe = client("127.0.0.10");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while probe.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Nginx { child, base }
}

/// A browser on its own loopback address, trusting the test certificate.
fn client(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn behind_nginx(db: Db) {
    let test_db = fresh_db(db).await;
    let site = TestSite::new();
    let server = ServerProcess::start(
        &test_db.raw_url,
        test_db.dir.path(),
        &site,
        &[("EDIARY_TRUSTED_PROXIES", "127.0.0.3")],
    )
    .await;
    let nginx_dir = tempfile::tempdir().unwrap();
    let nginx = start_nginx(nginx_dir.path(), &server.base).await;
    let (a, b) = (client("127.0.0.10"), client("127.0.0.11"));

    // One browser's bad sign-ins throttle that browser, not everyone.
    for _ in 0..5 {
        let wrong = sign_in(&a, &nginx.base, "demo.teen", "not the password").await;
        assert_eq!(wrong.status(), 401);
    }
    assert_eq!(
        sign_in(&a, &nginx.base, "demo.child", demo_password("demo.child"))
            .await
            .status(),
        429,
        "the address of the browser waits"
    );
    // A spoofed X-Forwarded-For does not help it: nginx appends the real one.
    let spoofed = a
        .post(format!("{}/api/v1/auth/login", nginx.base))
        .header("x-forwarded-for", "127.0.0.99")
        .json(&json!({"username": "demo.child", "password": demo_password("demo.child")}))
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 429);
    let other = sign_in(
        &b,
        &nginx.base,
        "demo.guardian",
        demo_password("demo.guardian"),
    )
    .await;
    assert_eq!(other.status(), 200, "another browser is not locked out");
    let token = other.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let sessions: Value = b
        .get(format!("{}/api/v1/sessions", nginx.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        sessions["items"][0]["client_addr"], "127.0.0.11",
        "{sessions}"
    );

    // Straight to the server (not through the proxy), forwarded headers are
    // not believed: the address is the peer's, the scheme plain http.
    let direct = client("127.0.0.12")
        .post(format!("{}/api/v1/auth/session", server.base))
        .header("x-forwarded-for", "198.51.100.1")
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "demo.guardian", "password": demo_password("demo.guardian")}))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 200);
    let cookies: Vec<String> = direct
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies
            .iter()
            .all(|c| c.starts_with("ediary_") && !c.contains("Secure")),
        "{cookies:?}"
    );

    // Through nginx over https: Secure, prefixed cookies that work.
    let browser = client("127.0.0.11");
    let session = browser
        .post(format!("{}/api/v1/auth/session", nginx.base))
        .json(&json!({"username": "demo.guardian", "password": demo_password("demo.guardian")}))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 200);
    let set: Vec<String> = session
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let named = |prefix: &str| {
        set.iter()
            .find(|c| c.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {set:?}"))
            .clone()
    };
    let access = named("__Host-ediary_access=");
    let csrf_cookie = named("__Host-ediary_csrf=");
    let refresh = named("__Secure-ediary_refresh=");
    for cookie in [&access, &csrf_cookie, &refresh] {
        assert!(
            cookie.contains("Secure") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain="), "{cookie}");
    }
    assert!(
        access.contains("Path=/;") || access.ends_with("Path=/"),
        "{access}"
    );
    let jar: Vec<&str> = [&access, &csrf_cookie]
        .iter()
        .map(|c| c.split(';').next().unwrap())
        .collect();
    let body: Value = session.json().await.unwrap();
    let me = browser
        .get(format!("{}/api/v1/me", nginx.base))
        .header("cookie", jar.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let out = browser
        .post(format!("{}/api/v1/auth/logout", nginx.base))
        .header("cookie", jar.join("; "))
        .header("x-csrf-token", body["csrf_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let cleared: Vec<String> = out
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("__Host-ediary_access=;")),
        "{cleared:?}"
    );
}

on_both_backends!(behind_nginx);
