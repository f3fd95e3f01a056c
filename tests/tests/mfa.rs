//! Two-factor sign-in for staff: set-up from a QR code, TOTP codes that work
//! once, recovery codes; on both backends.

use ediary_tests::{
    Db, TestSite, demo_password, error_code, on_both_backends, raw_execute, spawn_app_with,
};
use serde_json::{Value, json};
use server::{audit::AuditContext, demo};
use totp_rs::{Algorithm, Secret, TOTP};

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

async fn staff_set_up_and_use_a_second_factor(db: Db) {
    let app = spawn_app_with(db, &TestSite::new(), true).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let username = "demo.investigator";
    let password = demo_password(username);
    let login = |totp: Option<String>| {
        let body = json!({"username": username, "password": password, "totp": totp});
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", &body).await }
    };
    assert_eq!(
        error_code(login(None).await).await,
        (401, "mfa_required".into())
    );

    // Set-up needs the password, and is for staff only.
    let wrong = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": username, "password": "nope nope"}),
        )
        .await;
    assert_eq!(error_code(wrong).await, (401, "invalid_credentials".into()));
    let teen = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": "demo.teen", "password": demo_password("demo.teen")}),
        )
        .await;
    assert_eq!(error_code(teen).await.0, 403);

    let setup: Value = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": username, "password": password}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let recovery: Vec<String> = serde_json::from_value(setup["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);
    let secret = Secret::Encoded(setup["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, String::new()).unwrap();

    // Before confirmation a recovery code is not enough.
    assert_eq!(login(Some(recovery[0].clone())).await.status(), 401);
    assert_eq!(login(Some("000000".into())).await.status(), 401);
    // The first right code confirms the set-up and signs in.
    let code = totp.generate(now());
    assert_eq!(login(Some(code.clone())).await.status(), 200);
    // The same code again: refused (a code works once).
    assert_eq!(
        error_code(login(Some(code)).await).await,
        (401, "mfa_required".into())
    );
    // The code of the next step works.
    assert_eq!(login(Some(totp.generate(now() + 30))).await.status(), 200);

    // Set-up cannot be redone over a confirmed one.
    let again = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": username, "password": password}),
        )
        .await;
    assert_eq!(error_code(again).await.0, 409);

    // A recovery code works once, typed any way.
    let loose = recovery[3].to_lowercase().replace('-', " ");
    assert_eq!(login(Some(loose.clone())).await.status(), 200);
    assert_eq!(login(Some(loose)).await.status(), 401);

    // A lost phone: the admin resets the second factor; old codes stop, set-up starts again.
    let user = app.store.user_by_username(username).await.unwrap().unwrap();
    let setup_code = server::auth::reset_mfa(
        app.store.as_ref(),
        &user,
        "phone lost",
        &AuditContext::command_line(),
    )
    .await
    .unwrap()
    .expect("a set-up code");
    // (The wrong codes above count towards throttling; start this part afresh.)
    raw_execute(&app.db, "DELETE FROM login_failures")
        .await
        .unwrap();
    assert_eq!(login(Some(recovery[5].clone())).await.status(), 401);
    assert_eq!(login(Some(totp.generate(now() + 60))).await.status(), 401);
    // The password alone no longer starts a set-up: the code from the reset
    // (handed over in person) is needed too, typed any way.
    for code in [None, Some("K7QX-M3TR-HAWC")] {
        let refused = app
            .post_json(
                "/api/v1/auth/mfa/setup",
                &json!({"username": username, "password": password, "setup_code": code}),
            )
            .await;
        assert_eq!(error_code(refused).await, (422, "validation_failed".into()));
    }
    let fresh: Value = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": username, "password": password,
                    "setup_code": setup_code.to_lowercase().replace('-', " ")}),
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = Secret::Encoded(fresh["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let renewed = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, String::new()).unwrap();
    assert_eq!(login(Some(renewed.generate(now()))).await.status(), 200);

    let actions: Vec<String> = app
        .store
        .audit_page(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for action in [
        "mfa.setup",
        "mfa.confirm",
        "mfa.recovery_code_used",
        "auth.mfa_required",
        "mfa.reset",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
    for row in app.store.audit_page(0, 1000).await.unwrap() {
        let text = format!("{row:?}");
        assert!(
            !text.contains(setup["secret"].as_str().unwrap()) && !text.contains(&recovery[3]),
            "{text}"
        );
    }
}

async fn wrong_codes_are_throttled(db: Db) {
    let app = spawn_app_with(db, &TestSite::new(), true).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let username = "demo.investigator";
    let password = demo_password(username);
    app.post_json(
        "/api/v1/auth/mfa/setup",
        &json!({"username": username, "password": password}),
    )
    .await;
    let body = json!({"username": username, "password": password, "totp": "123456"});
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(
            app.post_json("/api/v1/auth/login", &body)
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

on_both_backends!(
    staff_set_up_and_use_a_second_factor,
    wrong_codes_are_throttled
);
