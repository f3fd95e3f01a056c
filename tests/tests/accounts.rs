//! Sites, participants, enrolment by code, and who may call what: on both
//! backends.

use app::domain::account::Role;
use ediary_tests::{
    Db, TestApp, demo_password, error_code, on_both_backends, raw_execute, spawn_app,
};
use reqwest::Method;
use serde_json::{Value, json};
use server::{audit::AuditContext, demo, store::Site};
use uuid::Uuid;

async fn token(app: &TestApp, username: &str, password: &str) -> String {
    app.login(username, password).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn call_json(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    call(app, method, path, token, body)
        .await
        .json()
        .await
        .expect("a JSON answer")
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// The demo study plus an admin, a second site with its own investigator and
/// participant, and a guardian of the other demo child.
struct World {
    app: TestApp,
    tokens: Vec<(&'static str, Option<String>)>,
    demo_site: Uuid,
    child: Uuid,
}

async fn staff(app: &TestApp, username: &str, role: Role, sites: &[Uuid]) -> String {
    ediary_tests::staff_token(app, username, role, sites).await
}

async fn enroll(app: &TestApp, code: &Value, username: &str) -> Value {
    let response = app
        .post_json(
            "/api/v1/enroll",
            &json!({"code": code, "username": username, "password": "family password 1", "display_name": username}),
        )
        .await;
    assert_eq!(response.status(), 201, "enrol {username}");
    response.json().await.unwrap()
}

async fn world(db: Db) -> World {
    let app = spawn_app(db).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let demo_site = app
        .store
        .site_by_code(demo::SITE_CODE)
        .await
        .unwrap()
        .unwrap()
        .id;
    let other_site = Site {
        id: Uuid::now_v7(),
        code: "QD2".into(),
        name: "Second site".into(),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86 532 0000 0000".into(),
    };
    app.store
        .create_site(&other_site, &AuditContext::command_line())
        .await
        .unwrap();
    let admin = staff(&app, "admin.one", Role::Admin, &[]).await;
    let other_investigator = staff(&app, "dr.other", Role::Investigator, &[other_site.id]).await;
    let investigator = token(
        &app,
        "demo.investigator",
        demo_password("demo.investigator"),
    )
    .await;

    let created: Value = call_json(
        &app,
        Method::POST,
        "/api/v1/participants",
        Some(&other_investigator),
        Some(json!({"site_id": other_site.id, "study_id": "QD2-001", "birth_year": 2012, "diagnosis_date": "2026-10-20"})),
    ).await;
    let other_participant = enroll(&app, &created["enrollment_code"], "qd2.teen").await;

    let me: Value = call_json(
        &app,
        Method::GET,
        "/api/v1/me",
        Some(&token(&app, "demo.child", demo_password("demo.child")).await),
        None,
    )
    .await;
    let child: Uuid = serde_json::from_value(me["participant_ids"][0].clone()).unwrap();
    let teen_me: Value = call_json(
        &app,
        Method::GET,
        "/api/v1/me",
        Some(&token(&app, "demo.teen", demo_password("demo.teen")).await),
        None,
    )
    .await;
    let invitation: Value = call_json(
        &app,
        Method::POST,
        &format!(
            "/api/v1/participants/{}/guardian-invitations",
            teen_me["participant_ids"][0].as_str().unwrap()
        ),
        Some(&investigator),
        Some(json!({})),
    )
    .await;
    let other_guardian = enroll(&app, &invitation["enrollment_code"], "teen.parent").await;

    let tokens = vec![
        ("anonymous", None),
        ("admin", Some(admin)),
        ("investigator", Some(investigator)),
        ("investigator of another site", Some(other_investigator)),
        (
            "participant",
            Some(token(&app, "demo.child", demo_password("demo.child")).await),
        ),
        (
            "participant of another site",
            Some(
                other_participant["access_token"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
        ),
        (
            "guardian",
            Some(token(&app, "demo.guardian", demo_password("demo.guardian")).await),
        ),
        (
            "guardian of another child",
            Some(other_guardian["access_token"].as_str().unwrap().to_owned()),
        ),
    ];
    World {
        app,
        tokens,
        demo_site,
        child,
    }
}

/// Every `/api/v1` route against every role; the expected answers are the table.
async fn authorization_matrix(db: Db) {
    let w = world(db).await;
    let site = json!({"code": "NEW", "name": "New site", "timezone": "Asia/Shanghai", "emergency_phone": "+86 1"});
    let participant = json!({"site_id": w.demo_site, "study_id": "DEMO-9", "birth_year": 2015, "diagnosis_date": "2026-11-01"});
    let invite = format!("/api/v1/participants/{}/guardian-invitations", w.child);
    let trail = format!("/api/v1/audit?entity_id={}", w.child);
    let disable = format!("/api/v1/users/{}/disable", Uuid::now_v7());
    //  route, method, body, then the status for: anonymous, admin, investigator,
    //  investigator of another site, participant, participant of another site,
    //  guardian, guardian of another child.
    let table: Vec<(&str, Method, Option<Value>, [u16; 8])> = vec![
        (
            "/api/v1/me",
            Method::GET,
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "/api/v1/participants",
            Method::GET,
            None,
            [401, 403, 200, 200, 403, 403, 200, 200],
        ),
        (
            "/api/v1/sites",
            Method::POST,
            Some(site),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        (
            "/api/v1/participants",
            Method::POST,
            Some(participant),
            [401, 403, 201, 403, 403, 403, 403, 403],
        ),
        (
            &invite,
            Method::POST,
            Some(json!({})),
            [401, 404, 201, 404, 403, 404, 403, 404],
        ),
        (
            &trail,
            Method::GET,
            None,
            [401, 200, 200, 404, 404, 404, 404, 404],
        ),
        (
            "/api/v1/sessions",
            Method::GET,
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            &disable,
            Method::POST,
            Some(json!({"reason": "left the study team"})),
            [401, 404, 403, 403, 403, 403, 403, 403],
        ),
    ];
    for (path, method, body, expected) in &table {
        for ((who, token), want) in w.tokens.iter().zip(expected) {
            // Each create gets a fresh code or id, so 201 can repeat.
            let body = body.clone().map(|mut b| {
                if b.get("code").is_some() {
                    b["code"] = json!(format!(
                        "S{}",
                        &Uuid::new_v4().simple().to_string()[..6].to_uppercase()
                    ));
                }
                if b.get("study_id").is_some() {
                    b["study_id"] = json!(format!(
                        "DEMO-{}",
                        &Uuid::new_v4().simple().to_string()[..6]
                    ));
                }
                b
            });
            let response = call(&w.app, method.clone(), path, token.as_deref(), body).await;
            let status = response.status().as_u16();
            assert_eq!(status, *want, "{method} {path} as {who}");
            if status >= 400 {
                error_code(response).await;
            }
        }
    }
}

async fn enrolment_codes_are_single_use_and_expire(db: Db) {
    let w = world(db).await;
    let investigator = w.tokens[2].1.as_deref().unwrap();
    let created: Value = call_json(
        &w.app,
        Method::POST,
        "/api/v1/participants",
        Some(investigator),
        Some(json!({"site_id": w.demo_site, "study_id": "DEMO-010", "birth_year": 2016, "diagnosis_date": "2026-11-02", "weight_kg": 31.5})),
    ).await;
    let code = created["enrollment_code"].as_str().unwrap();
    assert!(
        created["enrollment_link"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/enroll?code={code}"))
    );
    assert!(
        created["enrollment_qr_svg"]
            .as_str()
            .unwrap()
            .contains("<svg")
    );
    assert_eq!(created["participant"]["study_id"], "DEMO-010");

    // Typed loosely by a parent at night: still the code.
    let loose = code.to_lowercase().replace('-', " ");
    let enrolled = enroll(&w.app, &json!(loose), "new.family").await;
    assert_eq!(enrolled["user"]["role"], "participant");
    assert_eq!(
        enrolled["user"]["participant_ids"],
        json!([created["participant"]["id"]])
    );

    let again = w
        .app
        .post_json("/api/v1/enroll", &json!({"code": code, "username": "someone.else", "password": "family password 1", "display_name": "X"}))
        .await;
    let (status, code_name) = error_code(again).await;
    assert_eq!((status, code_name.as_str()), (422, "validation_failed"));
    assert!(
        w.app
            .store
            .user_by_username("someone.else")
            .await
            .unwrap()
            .is_none(),
        "no account from a used code"
    );

    // A guardian invitation that has expired.
    let invitation: Value = call_json(
        &w.app,
        Method::POST,
        &format!(
            "/api/v1/participants/{}/guardian-invitations",
            created["participant"]["id"].as_str().unwrap()
        ),
        Some(investigator),
        None,
    )
    .await;
    raw_execute(&w.app.db, "UPDATE enrollment_codes SET expires_at_ms = expires_at_ms - 8 * 24 * 3600 * 1000 WHERE used_at IS NULL")
        .await
        .unwrap();
    let expired = w
        .app
        .post_json("/api/v1/enroll", &json!({"code": invitation["enrollment_code"], "username": "late.parent", "password": "family password 1", "display_name": "Late"}))
        .await;
    assert_eq!(expired.status(), 422);

    // Bad input: every problem named by field.
    let bad = w
        .app
        .post_json(
            "/api/v1/enroll",
            &json!({"code": "nope", "username": "a b", "password": "short", "display_name": ""}),
        )
        .await;
    let body: Value = bad.json().await.unwrap();
    for field in ["code", "username", "password", "display_name"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    // One of the most common passwords is refused, whatever its case.
    let common = w
        .app
        .post_json(
            "/api/v1/enroll",
            &json!({"code": "ACDE-FGHJ-KMNP", "username": "common.pw", "password": "Password123", "display_name": "C"}),
        )
        .await;
    let body: Value = common.json().await.unwrap();
    assert!(
        body["error"]["fields"]["password"]
            .as_str()
            .unwrap()
            .contains("most common"),
        "{body}"
    );
    // The audit trail holds no code.
    for row in w.app.store.audit_page(0, 10_000).await.unwrap() {
        assert!(!format!("{row:?}").contains(code), "{row:?}");
    }
}

async fn guessing_codes_is_throttled(db: Db) {
    let app = spawn_app(db).await;
    let body = json!({"code": "ACDE-FGHJ-KMNP", "username": "guesser", "password": "guessing away", "display_name": "G"});
    let guess = || app.post_json("/api/v1/enroll", &body);
    for _ in 0..5 {
        assert_eq!(guess().await.status(), 422);
    }
    let throttled = guess().await;
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().contains_key("retry-after"));
}

async fn participant_lists_are_scoped_and_paged(db: Db) {
    let w = world(db).await;
    let investigator = w.tokens[2].1.as_deref().unwrap();
    let all: Value = call_json(
        &w.app,
        Method::GET,
        "/api/v1/participants",
        Some(investigator),
        None,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert_eq!(all["next_cursor"], Value::Null);
    let first: Value = call_json(
        &w.app,
        Method::GET,
        "/api/v1/participants?limit=1",
        Some(investigator),
        None,
    )
    .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = call_json(
        &w.app,
        Method::GET,
        &format!("/api/v1/participants?limit=1&cursor={cursor}"),
        Some(investigator),
        None,
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_ne!(second["items"][0]["id"], first["items"][0]["id"]);
    let cursor = second["next_cursor"].as_str().unwrap();
    let third: Value = call_json(
        &w.app,
        Method::GET,
        &format!("/api/v1/participants?limit=1&cursor={cursor}"),
        Some(investigator),
        None,
    )
    .await;
    assert_eq!(third["items"].as_array().unwrap().len(), 1);
    assert_ne!(third["items"][0]["id"], second["items"][0]["id"]);
    assert_eq!(third["next_cursor"], Value::Null);

    let guardian = w.tokens[6].1.as_deref().unwrap();
    let children: Value = call_json(
        &w.app,
        Method::GET,
        "/api/v1/participants",
        Some(guardian),
        None,
    )
    .await;
    // The demo mother has two children.
    let ids: Vec<&Value> = children["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&&json!(w.child)));

    for bad in [
        "/api/v1/participants?limit=0",
        "/api/v1/participants?limit=1001",
        "/api/v1/participants?cursor=zzz",
    ] {
        let response = call(&w.app, Method::GET, bad, Some(investigator), None).await;
        assert_eq!(error_code(response).await.0, 422, "{bad}");
    }
}

async fn sites_are_validated(db: Db) {
    let w = world(db).await;
    let admin = w.tokens[1].1.as_deref().unwrap();
    let bad = call(
        &w.app,
        Method::POST,
        "/api/v1/sites",
        Some(admin),
        Some(json!({"code": "qd 3", "name": "", "timezone": "Mars/Olympus", "emergency_phone": "call me"})),
    )
    .await;
    let body: Value = bad.json().await.unwrap();
    for field in ["code", "name", "timezone", "emergency_phone"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    let duplicate = call(
        &w.app,
        Method::POST,
        "/api/v1/sites",
        Some(admin),
        Some(json!({"code": "QD2", "name": "Again", "timezone": "Asia/Shanghai", "emergency_phone": "+86 1"})),
    )
    .await;
    assert_eq!(error_code(duplicate).await, (409, "conflict".into()));
}

async fn sessions_passwords_and_disabled_accounts(db: Db) {
    let w = world(db).await;
    let app = &w.app;
    let password = demo_password("demo.teen");
    let phone = token(app, "demo.teen", password).await;
    let tablet = token(app, "demo.teen", password).await;
    // The world signed her in once already: three devices now.
    let listed: Value = call_json(app, Method::GET, "/api/v1/sessions", Some(&tablet), None).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let tablet_session = items.iter().find(|s| s["current"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // End the tablet's session from the phone.
    let ended = call(
        app,
        Method::DELETE,
        &format!("/api/v1/sessions/{tablet_session}"),
        Some(&phone),
        None,
    )
    .await;
    assert_eq!(ended.status(), 204);
    assert_eq!(
        call(app, Method::GET, "/api/v1/me", Some(&tablet), None)
            .await
            .status(),
        401
    );
    // Another user's session is not found, not ended.
    let guardian = w.tokens[6].1.as_deref().unwrap();
    let listed: Value = call_json(app, Method::GET, "/api/v1/sessions", Some(guardian), None).await;
    let theirs = listed["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        call(
            app,
            Method::DELETE,
            &format!("/api/v1/sessions/{theirs}"),
            Some(&phone),
            None
        )
        .await
        .status(),
        404
    );

    // A password change ends every other session at once.
    let laptop = token(app, "demo.teen", password).await;
    let wrong = call(
        app,
        Method::POST,
        "/api/v1/me/password",
        Some(&phone),
        Some(json!({"current_password": "guess", "new_password": "a new long password"})),
    )
    .await;
    assert_eq!(error_code(wrong).await.0, 422);
    let changed = call(
        app,
        Method::POST,
        "/api/v1/me/password",
        Some(&phone),
        Some(json!({"current_password": password, "new_password": "a new long password"})),
    )
    .await;
    assert_eq!(changed.status(), 204);
    assert_eq!(
        call(app, Method::GET, "/api/v1/me", Some(&laptop), None)
            .await
            .status(),
        401
    );
    assert_eq!(
        call(app, Method::GET, "/api/v1/me", Some(&phone), None)
            .await
            .status(),
        200
    );
    let old = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": "demo.teen", "password": password}),
        )
        .await;
    assert_eq!(old.status(), 401);
    token(app, "demo.teen", "a new long password").await;

    // An admin disables the account: every session ends, sign-in is refused.
    let admin = w.tokens[1].1.as_deref().unwrap();
    let teen = app
        .store
        .user_by_username("demo.teen")
        .await
        .unwrap()
        .unwrap();
    let no_reason = call(
        app,
        Method::POST,
        &format!("/api/v1/users/{}/disable", teen.id),
        Some(admin),
        Some(json!({"reason": " "})),
    )
    .await;
    assert_eq!(error_code(no_reason).await.0, 422);
    let disabled = call(
        app,
        Method::POST,
        &format!("/api/v1/users/{}/disable", teen.id),
        Some(admin),
        Some(json!({"reason": "withdrew consent"})),
    )
    .await;
    assert_eq!(disabled.status(), 204);
    assert_eq!(
        call(app, Method::GET, "/api/v1/me", Some(&phone), None)
            .await
            .status(),
        401
    );
    let refused = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"username": "demo.teen", "password": "a new long password"}),
        )
        .await;
    assert_eq!(
        error_code(refused).await,
        (401, "invalid_credentials".into())
    );
}

async fn audit_trail_of_a_record(db: Db) {
    let w = world(db).await;
    let investigator = w.tokens[2].1.as_deref().unwrap();
    let trail: Value = call_json(
        &w.app,
        Method::GET,
        &format!("/api/v1/audit?entity_id={}", w.child),
        Some(investigator),
        None,
    )
    .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"participant.create") && actions.contains(&"guardian.link"),
        "{actions:?}"
    );
    assert_eq!(trail["items"][0]["after"]["study_id"], "DEMO-002");
    let page: Value = call_json(
        &w.app,
        Method::GET,
        &format!("/api/v1/audit?entity_id={}&limit=1", w.child),
        Some(investigator),
        None,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next: Value = call_json(
        &w.app,
        Method::GET,
        &format!(
            "/api/v1/audit?entity_id={}&limit=1&cursor={}",
            w.child,
            page["next_cursor"].as_str().unwrap()
        ),
        Some(investigator),
        None,
    )
    .await;
    assert!(next["items"][0]["seq"].as_i64() > page["items"][0]["seq"].as_i64());

    let admin = w.tokens[1].1.as_deref().unwrap();
    let teen = w
        .app
        .store
        .user_by_username("demo.teen")
        .await
        .unwrap()
        .unwrap();
    let account: Value = call_json(
        &w.app,
        Method::GET,
        &format!("/api/v1/audit?entity_id={}", teen.id),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(account["items"][0]["action"], "user.create");
    let missing = call(&w.app, Method::GET, "/api/v1/audit", Some(admin), None).await;
    assert_eq!(error_code(missing).await.0, 422);
}

on_both_backends!(
    sessions_passwords_and_disabled_accounts,
    audit_trail_of_a_record,
    authorization_matrix,
    enrolment_codes_are_single_use_and_expire,
    guessing_codes_is_throttled,
    participant_lists_are_scoped_and_paged,
    sites_are_validated,
);
