//! Signing in, refresh-token rotation, throttling and token attacks, on both
//! backends.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ediary_tests::{
    Db, TEST_SECRET, TestApp, TestSite, demo_password, error_code, on_both_backends, raw_execute,
    spawn_app, spawn_app_with,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use server::{audit::AuditContext, demo};

async fn demo_app(db: Db) -> TestApp {
    let app = spawn_app(db).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    app
}

fn login_of(username: &'static str) -> (&'static str, &'static str) {
    (username, demo_password(username))
}

async fn sign_in_use_and_sign_out(db: Db) {
    let app = demo_app(db).await;
    let (username, password) = login_of("demo.teen");
    let tokens = app.login("  Demo.Teen ", password).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["user"]["username"], username);
    assert_eq!(tokens["user"]["role"], "participant");
    assert_eq!(
        tokens["user"]["participant_ids"].as_array().unwrap().len(),
        1
    );
    let access = tokens["access_token"].as_str().unwrap();

    let me: Value = app
        .get_with("/api/v1/me", access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me, tokens["user"]);

    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    // The session is over: its access token and refresh token stop at once.
    assert_eq!(
        error_code(app.get_with("/api/v1/me", access).await).await,
        (401, "invalid_token".into())
    );
    let refresh = app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    assert_eq!(error_code(refresh).await, (401, "invalid_token".into()));

    let (status, code) = error_code(app.get("/api/v1/me").await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
}

async fn profiles_name_sites_and_children(db: Db) {
    let app = demo_app(db).await;
    let (_, password) = login_of("demo.guardian");
    let guardian = app.login("demo.guardian", password).await;
    let (_, password) = login_of("demo.child");
    let child = app.login("demo.child", password).await;
    assert_eq!(guardian["user"]["role"], "guardian");
    // The mother keeps the diaries of DEMO-002 (who has an account) and DEMO-003.
    let children = guardian["user"]["participant_ids"].as_array().unwrap();
    assert_eq!(children.len(), 2);
    assert!(children.contains(&child["user"]["participant_ids"][0]));
    let (_, password) = login_of("demo.investigator");
    let investigator = app.login("demo.investigator", password).await;
    assert_eq!(
        investigator["user"]["site_ids"].as_array().unwrap().len(),
        1
    );
    assert_eq!(investigator["user"]["participant_ids"], json!([]));
}

async fn wrong_passwords_and_unknown_users_look_alike(db: Db) {
    let app = demo_app(db).await;
    for (username, password) in [
        ("demo.teen", "not her password"),
        ("nobody.here", "whatever123"),
        ("x", ""),
    ] {
        let response = app
            .post_json(
                "/api/v1/auth/login",
                &json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(
            error_code(response).await,
            (401, "invalid_credentials".into()),
            "{username}"
        );
    }
    let rows = app.store.audit_page(0, 1000).await.unwrap();
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "auth.login_failed")
        .collect();
    assert_eq!(failed.len(), 3);
    for row in &rows {
        let text = format!("{row:?}");
        assert!(
            !text.contains("not her password") && !text.contains("whatever123"),
            "{text}"
        );
    }
    let missing = app
        .post_json("/api/v1/auth/login", &json!({"username": "demo.teen"}))
        .await;
    assert_eq!(error_code(missing).await.0, 422);
}

async fn refresh_rotation_retry_and_replay(db: Db) {
    let app = demo_app(db).await;
    let (_, password) = login_of("demo.guardian");
    let first = app.login("demo.guardian", password).await;
    let app = &app;
    let refresh = |token: Value| async move {
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": token}))
            .await
    };

    let second: Value = refresh(first["refresh_token"].clone())
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["user"], first["user"]);
    // The answer was lost; the phone retries with the same token: same successor.
    let retried: Value = refresh(first["refresh_token"].clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retried["refresh_token"], second["refresh_token"]);

    let third: Value = refresh(second["refresh_token"].clone())
        .await
        .json()
        .await
        .unwrap();
    // The first token again, now that its successor was used: theft. The
    // whole family ends, the newest token included.
    assert_eq!(
        error_code(refresh(first["refresh_token"].clone()).await).await,
        (401, "invalid_token".into())
    );
    assert_eq!(
        error_code(refresh(third["refresh_token"].clone()).await).await,
        (401, "invalid_token".into())
    );
    let access = third["access_token"].as_str().unwrap();
    assert_eq!(app.get_with("/api/v1/me", access).await.status(), 401);

    // Past the grace period a reused token ends the session even if its
    // successor was never used.
    let fresh = app.login("demo.guardian", password).await;
    let next: Value = refresh(fresh["refresh_token"].clone())
        .await
        .json()
        .await
        .unwrap();
    let age_rotation = match db {
        Db::Sqlite => {
            "UPDATE refresh_tokens SET rotated_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-1 minute') WHERE rotated_at IS NOT NULL"
        }
        Db::Postgres => {
            "UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 minute' WHERE rotated_at IS NOT NULL"
        }
    };
    raw_execute(&app.db, age_rotation).await.unwrap();
    assert_eq!(refresh(fresh["refresh_token"].clone()).await.status(), 401);
    assert_eq!(refresh(next["refresh_token"].clone()).await.status(), 401);

    assert_eq!(
        error_code(refresh(json!("not-a-token")).await).await,
        (401, "invalid_token".into())
    );
    let actions: Vec<String> = app
        .store
        .audit_page(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(actions.contains(&"auth.refresh_retry".to_owned()));
    assert!(actions.contains(&"session.revoke".to_owned()));
}

async fn failed_sign_ins_are_throttled_but_never_for_good(db: Db) {
    let app = demo_app(db).await;
    let (username, password) = login_of("demo.teen");
    let app = &app;
    let attempt = |password: &'static str| async move {
        app.post_json(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        )
        .await
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password!").await.status(), 401);
    }
    // Even the right password waits now.
    let throttled = attempt(password).await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(
        error_code(throttled).await,
        (429, "too_many_requests".into())
    );
    // The address is throttled too, whichever account it tries.
    let (other, other_password) = login_of("demo.guardian");
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": other, "password": other_password}),
        )
        .await;
    assert_eq!(response.status(), 429);

    // A quarter of an hour later the failures are forgotten.
    raw_execute(
        &app.db,
        "UPDATE login_failures SET failed_at_ms = failed_at_ms - 960000",
    )
    .await
    .unwrap();
    assert_eq!(attempt(password).await.status(), 200);
    let actions: Vec<String> = app
        .store
        .audit_page(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert!(actions.contains(&"auth.throttled".to_owned()));
}

async fn staff_need_a_second_factor_by_default(db: Db) {
    let app = spawn_app_with(db, &TestSite::new(), true).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let (username, password) = login_of("demo.investigator");
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        )
        .await;
    assert_eq!(error_code(response).await, (401, "mfa_required".into()));
    let (username, password) = login_of("demo.teen");
    app.login(username, password).await;
}

fn sign(header: &Header, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

async fn forged_and_broken_tokens_are_refused(db: Db) {
    let app = demo_app(db).await;
    let (_, password) = login_of("demo.teen");
    let tokens = app.login("demo.teen", password).await;
    let good = tokens["access_token"].as_str().unwrap().to_owned();
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(good.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let now = chrono::Utc::now().timestamp();
    let with = |changes: Value| {
        let mut claims = payload.clone();
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    };
    let hs256 = Header::new(Algorithm::HS256);
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut altered = good.clone();
    altered.pop();
    altered.push(if good.ends_with('A') { 'B' } else { 'A' });
    let attacks = [
        ("alg none", unsigned),
        (
            "HS512",
            sign(&Header::new(Algorithm::HS512), &payload, TEST_SECRET),
        ),
        (
            "expired",
            sign(
                &hs256,
                &with(json!({"exp": now - 3600, "nbf": now - 7200, "iat": now - 7200})),
                TEST_SECRET,
            ),
        ),
        (
            "wrong aud",
            sign(&hs256, &with(json!({"aud": "someone-else"})), TEST_SECRET),
        ),
        (
            "wrong iss",
            sign(&hs256, &with(json!({"iss": "evil"})), TEST_SECRET),
        ),
        (
            "nbf as a string",
            sign(&hs256, &with(json!({"nbf": "0"})), TEST_SECRET),
        ),
        (
            "exp missing",
            sign(&hs256, &with(json!({"exp": null})), TEST_SECRET),
        ),
        (
            "not yet valid",
            sign(&hs256, &with(json!({"nbf": now + 3600})), TEST_SECRET),
        ),
        (
            "not an access token",
            sign(&hs256, &with(json!({"typ": "refresh"})), TEST_SECRET),
        ),
        ("signature altered", altered),
        (
            "another server's secret",
            sign(&hs256, &payload, "another-server-secret-0123456789abcdef"),
        ),
    ];
    for (name, token) in attacks {
        let (status, code) = error_code(app.get_with("/api/v1/me", &token).await).await;
        assert_eq!((status, code.as_str()), (401, "invalid_token"), "{name}");
    }
    // The untouched token still works, so the refusals above are the attacks'.
    assert_eq!(app.get_with("/api/v1/me", &good).await.status(), 200);
    assert_eq!(
        app.get_with("/api/v1/me", &sign(&hs256, &payload, TEST_SECRET))
            .await
            .status(),
        200
    );
}

on_both_backends!(
    sign_in_use_and_sign_out,
    profiles_name_sites_and_children,
    wrong_passwords_and_unknown_users_look_alike,
    refresh_rotation_retry_and_replay,
    failed_sign_ins_are_throttled_but_never_for_good,
    staff_need_a_second_factor_by_default,
    forged_and_broken_tokens_are_refused,
);
