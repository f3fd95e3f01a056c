//! The HTTP basics on a server in this process, on both backends: probes,
//! the API error shape, security headers, pages, static files.

use ediary_tests::{
    Db, TestSite, drop_pg_database, error_code, on_both_backends, spawn_app, spawn_app_with_site,
};
use reqwest::header;
use server::demo;

async fn probes(db: Db) {
    let app = spawn_app(db).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap()["status"],
        "ok"
    );
    assert_eq!(app.get("/readyz").await.status(), 200);

    // The database stops answering: not ready, but still alive.
    match db {
        Db::Sqlite => app.store.close().await,
        Db::Postgres => drop_pg_database(&app.db.raw_url).await,
    }
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "unavailable"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn api_errors_have_the_contract_shape(db: Db) {
    let app = spawn_app(db).await;
    for path in ["/api/v1/no-such-route", "/api/", "/api/v2/entries"] {
        let (status, code) = error_code(app.get(path).await).await;
        assert_eq!((status, code.as_str()), (404, "not_found"), "{path}");
    }
    // Bodies over 1 MiB are refused before any handler reads them (sync
    // batches have 8 MiB; tests/sync.rs checks their 500-mutation limit).
    let big = vec![b' '; 1024 * 1024 + 1];
    // The server answers before reading such a body and closes the
    // connection: a client of its own, so no pooled connection is reused.
    let once = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let response = once
        .post(app.url("/api/v1/participants"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(response).await,
        (413, "payload_too_large".into())
    );
    // Malformed JSON to an unknown route is still answered in the shape.
    let response = app
        .client
        .post(app.url("/api/v1/nothing"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response).await.0, 404);
}

async fn home_page_is_rendered_with_a_strict_policy(db: Db) {
    let app = spawn_app(db).await;
    demo::seed_study(
        app.store.as_ref(),
        &server::audit::AuditContext::command_line(),
    )
    .await
    .unwrap();
    // The demo site's language when the browser states none, else the browser's.
    let chinese = app.get("/").await.text().await.unwrap();
    assert!(chinese.contains(r#"<html lang="zh-CN""#), "{chinese}");
    assert!(chinese.contains("登录"), "{chinese}");
    let response = app
        .client
        .get(app.url("/"))
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en""#), "{html}");
    assert!(html.contains("Sign in"));
    // The demo study is marked as such on the page.
    assert!(html.contains(demo::STUDY_NAME), "{html}");
    assert!(html.contains("made-up data, not for real participants"));

    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("http"),
        "{csp}"
    );
    // Inline scripts are allowed by their nonce, fresh on every response.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP");
    let inline = html.matches("<script nonce=").count();
    assert!(inline > 0, "{html}");
    assert_eq!(
        html.matches(&format!("<script nonce=\"{nonce}\">")).count(),
        inline,
        "{html}"
    );
    // The sign-in page runs no WASM: a small script of its own.
    assert!(html.contains("<script src=\"/light.js\" defer>"), "{html}");
    assert!(!html.contains("type=\"module\""), "{html}");
    // The staff pages hydrate with the staff bundle, its loader under the nonce.
    let staff = app.get("/inbox").await;
    let staff_csp = staff.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let staff_nonce = staff_csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP")
        .to_owned();
    let staff_html = staff.text().await.unwrap();
    assert!(
        staff_html.contains(&format!("<script type=\"module\" nonce=\"{staff_nonce}\">")),
        "{staff_html}"
    );
    let again = app.get("/").await;
    assert!(
        !again.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains(nonce)
    );

    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
}

async fn unknown_pages_are_404(db: Db) {
    let app = spawn_app(db).await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert!(
        response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("'nonce-")
    );
    assert!(response.text().await.unwrap().contains("Page not found"));
}

async fn server_function_reads_the_study(db: Db) {
    let app = spawn_app(db).await;
    let call = || app.client.post(app.url("/rpc/study_info")).send();
    assert_eq!(
        call()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap(),
        serde_json::Value::Null
    );
    demo::seed_study(
        app.store.as_ref(),
        &server::audit::AuditContext::command_line(),
    )
    .await
    .unwrap();
    let info: serde_json::Value = call().await.unwrap().json().await.unwrap();
    assert_eq!(info["is_demo"], true);
    assert_eq!(info["name"], demo::STUDY_NAME);
}

async fn static_files_compressed_and_cached(db: Db) {
    let mut site = TestSite::new();
    site.hashes.insert("0a1b2c3d".into());
    let wasm = b"\0asm"
        .iter()
        .copied()
        .chain((0..200_000u32).map(|i| (i % 7) as u8))
        .collect::<Vec<_>>();
    site.write("pkg/ediary.0a1b2c3d.wasm", &wasm);
    site.write(
        "pkg/unhashed.js",
        "export const x = 1;\n".repeat(100).as_bytes(),
    );
    let app = spawn_app_with_site(db, &site).await;

    let get = |path: &'static str, encoding: &'static str| {
        app.client
            .get(app.url(path))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
    };
    for encoding in ["br", "gzip"] {
        let response = get("/pkg/ediary.0a1b2c3d.wasm", encoding).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[header::CONTENT_ENCODING], encoding);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let compressed = response.bytes().await.unwrap();
        assert!(
            compressed.len() < wasm.len() / 10,
            "{encoding}: {} bytes",
            compressed.len()
        );
    }
    let plain = get("/pkg/ediary.0a1b2c3d.wasm", "identity").await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), wasm.as_slice());

    // A file without a content hash in its name must be revalidated.
    let unhashed = get("/pkg/unhashed.js", "br").await.unwrap();
    assert_eq!(unhashed.headers()[header::CACHE_CONTROL], "no-cache");

    // A precompressed file (cargo-leptos --precompress) is served as it is.
    site.write("pkg/ediary.0a1b2c3d.wasm.br", b"precompressed-bytes");
    let response = get("/pkg/ediary.0a1b2c3d.wasm", "br").await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        b"precompressed-bytes"
    );

    // A missing package file is a plain 404, and never cached for long.
    let missing = get("/pkg/ediary.0a1b2c3d.js", "br").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_ne!(
        missing.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
}

on_both_backends!(
    probes,
    api_errors_have_the_contract_shape,
    home_page_is_rendered_with_a_strict_policy,
    unknown_pages_are_404,
    server_function_reads_the_study,
    static_files_compressed_and_cached,
);
