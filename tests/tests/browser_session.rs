//! The browser app's session: HttpOnly, SameSite=Strict cookies and a
//! double-submit CSRF token; on both backends.

use std::collections::HashMap;

use ediary_tests::{Db, demo_password, error_code, on_both_backends, spawn_app};
use reqwest::header::{COOKIE, HOST, SET_COOKIE};
use serde_json::{Value, json};
use server::{audit::AuditContext, demo};

/// name -> (value, attributes) of the Set-Cookie headers of a response.
fn set_cookies(response: &reqwest::Response) -> HashMap<String, (String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|line| {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=')?;
            Some((name.to_owned(), (value.to_owned(), attributes.to_owned())))
        })
        .collect()
}

fn cookie_header(cookies: &HashMap<String, (String, String)>) -> String {
    cookies
        .iter()
        .map(|(n, (v, _))| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn browser_sessions_live_in_cookies(db: Db) {
    let app = spawn_app(db).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let password = demo_password("demo.teen");
    let response = app
        .post_json(
            "/api/v1/auth/session",
            &json!({"username": "demo.teen", "password": password}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let cookies = set_cookies(&response);
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("access_token").is_none() && body.get("refresh_token").is_none(),
        "{body}"
    );
    assert_eq!(body["user"]["username"], "demo.teen");
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();

    let (_, access) = &cookies["ediary_access"];
    assert!(
        access.contains("HttpOnly")
            && access.contains("SameSite=Strict")
            && access.contains("Path=/"),
        "{access}"
    );
    assert!(
        !access.contains("Secure"),
        "plain HTTP on localhost: {access}"
    );
    let (_, refresh) = &cookies["ediary_refresh"];
    assert!(
        refresh.contains("HttpOnly") && refresh.contains("Path=/api/v1/auth/session"),
        "{refresh}"
    );
    let (value, attributes) = &cookies["ediary_csrf"];
    assert_eq!(value, &csrf);
    assert!(
        !attributes.contains("HttpOnly"),
        "the app reads the CSRF token: {attributes}"
    );

    let jar = cookie_header(&cookies);
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .header(COOKIE, &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    // Changes need the CSRF header: a cross-site form cannot send it.
    let forged = app
        .client
        .post(app.url("/api/v1/auth/session/refresh"))
        .header(COOKIE, &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(forged).await, (403, "csrf_failed".into()));
    let refreshed = app
        .client
        .post(app.url("/api/v1/auth/session/refresh"))
        .header(COOKIE, &jar)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 200);
    let renewed = set_cookies(&refreshed);
    let renewed_csrf = refreshed.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let jar = cookie_header(&renewed);

    let no_header = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header(COOKIE, &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(no_header).await, (403, "csrf_failed".into()));
    let wrong_header = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header(COOKIE, &jar)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(
        wrong_header.status(),
        403,
        "the old CSRF token was replaced"
    );
    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header(COOKIE, &jar)
        .header("x-csrf-token", &renewed_csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let cleared = set_cookies(&logout);
    assert!(
        cleared["ediary_access"].0.is_empty() && cleared["ediary_access"].1.contains("Max-Age=0")
    );
    let after = app
        .client
        .get(app.url("/api/v1/me"))
        .header(COOKIE, &jar)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

/// Whether cookies are Secure follows how the browser really came (plain
/// http here, no trusted proxy), not what the request claims: a `Host`
/// header or an `X-Forwarded-Proto` from an untrusted peer changes nothing
/// (`proxy.rs` shows them Secure and `__Host-` behind nginx over https).
async fn cookies_follow_the_real_scheme_not_the_host(db: Db) {
    let app = spawn_app(db).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let password = demo_password("demo.teen");
    let response = app
        .client
        .post(app.url("/api/v1/auth/session"))
        .header(HOST, "diary.example.org")
        .header("x-forwarded-proto", "https")
        .json(&json!({"username": "demo.teen", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 3);
    for (name, (_, attributes)) in cookies {
        assert!(name.starts_with("ediary_"), "{name}");
        assert!(!attributes.contains("Secure"), "{name}: {attributes}");
    }
}

on_both_backends!(
    browser_sessions_live_in_cookies,
    cookies_follow_the_real_scheme_not_the_host
);
