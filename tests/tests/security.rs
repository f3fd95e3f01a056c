//! The attacks of the security review (issue 13), each performed against a
//! running server on both backends: every test here failed before its fix.

use ediary_tests::{
    Db, TestApp, TestSite, demo_password, error_code, on_both_backends, raw_execute,
    raw_scalar_i64, spawn_app, spawn_app_with,
};
use futures_util::future::join_all;
use serde_json::{Value, json};
use server::{audit::AuditContext, demo};

async fn demo_app(db: Db) -> TestApp {
    let app = spawn_app(db).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    app
}

/// A demo account's access token.
async fn token(app: &TestApp, username: &str) -> String {
    app.login(username, demo_password(username)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The teen's participant id, after syncing `mutations` (each made with
/// [`create`]) as the teen.
async fn sync_as(app: &TestApp, token: &str, mutations: Value) -> Value {
    let (status, answer) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/sync",
            token,
            Some(json!({"device_id": uuid::Uuid::new_v4(), "since": null, "mutations": mutations})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "applied"),
        "{answer:#}"
    );
    answer
}

/// How much the database holds that an anonymous request could have
/// written: audit rows (with their text), throttle rows.
async fn footprint(app: &TestApp) -> (usize, usize) {
    let rows = app.store.audit_page(0, 100_000).await.unwrap();
    let bytes = rows.iter().map(|r| format!("{r:?}").len()).sum();
    (rows.len(), bytes)
}

async fn statuses(responses: Vec<reqwest::Response>) -> Vec<u16> {
    let mut out = Vec::new();
    for response in responses {
        out.push(response.status().as_u16());
    }
    out.sort_unstable();
    out
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|&&s| s == status).count()
}

async fn an_over_long_username_writes_nothing(db: Db) {
    let app = demo_app(db).await;
    let before = footprint(&app).await;
    let long = "a".repeat(200_000);
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/session",
        "/api/v1/auth/mfa/setup",
    ] {
        let response = app
            .post_json(path, &json!({"username": long, "password": "whatever123"}))
            .await;
        assert_eq!(
            error_code(response).await,
            (422, "validation_failed".into()),
            "{path}"
        );
    }
    let enroll = app
        .post_json(
            "/api/v1/enroll",
            &json!({"code": "K7QX-M3TR-HAWC", "username": long,
                    "password": "family password 1", "display_name": "X"}),
        )
        .await;
    assert_eq!(error_code(enroll).await.0, 422);
    assert_eq!(footprint(&app).await, before);
}

/// Once a key waits, further attempts add no audit row: the throttle counts
/// them per key and window, and each anonymous row stays small.
async fn a_throttled_flood_writes_one_row_per_key(db: Db) {
    let app = demo_app(db).await;
    let body = json!({"username": "demo.teen", "password": "wrong password!"});
    for _ in 0..5 {
        let response = app.post_json("/api/v1/auth/login", &body).await;
        assert_eq!(response.status(), 401);
    }
    let (rows_before, _) = footprint(&app).await;
    for _ in 0..40 {
        let response = app.post_json("/api/v1/auth/login", &body).await;
        assert_eq!(response.status(), 429);
    }
    let rows = app.store.audit_page(0, 100_000).await.unwrap();
    let throttled = rows.iter().filter(|r| r.action == "auth.throttled").count();
    assert_eq!(throttled, 1, "one row for the first refusal of the window");
    assert_eq!(rows.len(), rows_before + 1);
    for row in rows.iter().filter(|r| r.actor_role == "anonymous") {
        let size = format!("{row:?}").len();
        assert!(size < 700, "{size} bytes: {row:?}");
    }
    // Both keys (account and address) wait; the first one refuses each.
    let refused = raw_scalar_i64(&app.db, "SELECT MAX(refused) FROM throttle_windows")
        .await
        .unwrap();
    assert_eq!(refused, 40, "every refusal is counted");
}

/// 64 wrong passwords at once for one account: at most the throttle's
/// allowance is checked, the rest wait.
async fn parallel_wrong_passwords_verify_at_most_the_allowance(db: Db) {
    let app = demo_app(db).await;
    let body = json!({"username": "demo.teen", "password": "wrong password!"});
    let burst = (0..64).map(|_| app.post_json("/api/v1/auth/login", &body));
    let statuses = statuses(join_all(burst).await).await;
    let checked = count(&statuses, 401);
    assert!(
        (1..=server::auth::throttle::LIMIT).contains(&checked),
        "{checked} checked: {statuses:?}"
    );
    assert_eq!(checked + count(&statuses, 429), 64, "{statuses:?}");
    let failed = app
        .store
        .audit_page(0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.action == "auth.login_failed")
        .count();
    assert_eq!(failed, checked);
}

/// The same for second-factor codes: the right password, 64 wrong codes.
async fn parallel_wrong_codes_verify_at_most_the_allowance(db: Db) {
    let app = spawn_app_with(db, &TestSite::new(), true).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let username = "demo.investigator";
    let password = demo_password(username);
    let setup = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": username, "password": password}),
        )
        .await;
    assert_eq!(setup.status(), 200);
    let body = json!({"username": username, "password": password, "totp": "000000"});
    let burst = (0..64).map(|_| app.post_json("/api/v1/auth/login", &body));
    let mut checked = 0;
    let mut waited = 0;
    for response in join_all(burst).await {
        match error_code(response).await {
            (401, code) if code == "mfa_required" => checked += 1,
            (429, _) => waited += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(
        checked <= server::auth::throttle::LIMIT,
        "{checked} codes checked"
    );
    assert_eq!(checked + waited, 64);
}

/// Enrolment codes guessed in parallel from one address.
async fn parallel_enrolment_guesses_verify_at_most_the_allowance(db: Db) {
    let app = demo_app(db).await;
    let app = &app;
    let burst = (0..64).map(|i| async move {
        let body = json!({"code": "K7QX-M3TR-HAWC", "username": format!("guess.{i}"),
                          "password": "family password 1", "display_name": "Guess"});
        app.post_json("/api/v1/enroll", &body).await
    });
    let statuses = statuses(join_all(burst).await).await;
    let checked = count(&statuses, 422);
    assert!(
        (1..=server::auth::throttle::LIMIT).contains(&checked),
        "{statuses:?}"
    );
    assert_eq!(checked + count(&statuses, 429), 64, "{statuses:?}");
}

/// A stolen session cannot guess the current password at full speed: the
/// change is throttled with the account's sign-ins and audited.
async fn changing_the_password_is_throttled_and_audited(db: Db) {
    let app = demo_app(db).await;
    let teen = app.login("demo.teen", demo_password("demo.teen")).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let burst = (0..32).map(|_| {
        app.client
            .post(app.url("/api/v1/me/password"))
            .bearer_auth(&teen)
            .json(&json!({"current_password": "a wrong guess", "new_password": "a brand new password"}))
            .send()
    });
    let statuses: Vec<u16> = {
        let mut s: Vec<u16> = join_all(burst)
            .await
            .into_iter()
            .map(|r| r.unwrap().status().as_u16())
            .collect();
        s.sort_unstable();
        s
    };
    let checked = count(&statuses, 422);
    assert!(
        (1..=server::auth::throttle::LIMIT).contains(&checked),
        "{statuses:?}"
    );
    assert_eq!(checked + count(&statuses, 429), 32, "{statuses:?}");
    let rows = app.store.audit_page(0, 100_000).await.unwrap();
    let failed = rows
        .iter()
        .filter(|r| r.action == "auth.password_change_failed")
        .count();
    assert_eq!(failed, checked);
    // After the window the right password changes it.
    raw_execute(
        &app.db,
        "UPDATE login_failures SET failed_at_ms = failed_at_ms - 960000",
    )
    .await
    .unwrap();
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/me/password",
            &teen,
            Some(json!({"current_password": demo_password("demo.teen"), "new_password": "a brand new password"})),
        )
        .await;
    assert_eq!(status, 204);
}

/// Free text that a spreadsheet would run as a formula is written inert in
/// every CSV the server makes (OWASP's rule), and reads back as text.
async fn exported_formulas_are_inert(db: Db) {
    use std::io::{Cursor, Read};

    let app = demo_app(db).await;
    let teen = app.login("demo.teen", demo_password("demo.teen")).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let investigator = app
        .login("demo.investigator", demo_password("demo.investigator"))
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, me) = app
        .call(reqwest::Method::GET, "/api/v1/me", &teen, None)
        .await;
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();
    let at = (chrono::Utc::now() - chrono::Duration::minutes(30)).to_rfc3339();
    let formula = "=HYPERLINK(\"http://evil.example/\",\"open\")";
    let reading = uuid::Uuid::now_v7();
    let dose = uuid::Uuid::now_v7();
    let mutations = json!([
        {"id": reading, "participant_id": p, "entry_id": reading, "op": "create", "kind": "glucose",
         "recorded_at": chrono::Utc::now().to_rfc3339(),
         "data": {"measured_at": at, "value": 6.1, "unit": "mmol/L", "context": "fasting",
                  "source": "meter", "note": formula}},
        {"id": dose, "participant_id": p, "entry_id": dose, "op": "create", "kind": "insulin",
         "recorded_at": chrono::Utc::now().to_rfc3339(),
         "data": {"administered_at": at, "units": 2, "insulin_type": "rapid", "purpose": "meal",
                  "product": "@SUM(1+1)"}},
    ]);
    let (status, answer) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/sync",
            &teen,
            Some(json!({"device_id": uuid::Uuid::new_v4(), "since": null, "mutations": mutations})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let mut amended = mutations[0]["data"].clone();
    amended["value"] = json!(6.2);
    let amend = json!([{"id": uuid::Uuid::now_v7(), "participant_id": p, "entry_id": reading,
        "op": "amend", "kind": "glucose", "base_version": 1, "reason": "+cmd|' /C calc'!A0",
        "recorded_at": chrono::Utc::now().to_rfc3339(), "data": amended}]);
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/sync",
            &teen,
            Some(json!({"device_id": uuid::Uuid::new_v4(), "since": null, "mutations": amend})),
        )
        .await;
    assert_eq!(status, 200);

    let mut cells = Vec::new();
    for format in ["csv", "sdtm"] {
        let response = app
            .client
            .get(app.url(&format!(
                "/api/v1/export?format={format}&participant_id={p}"
            )))
            .bearer_auth(&investigator)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            for record in reader.records() {
                cells.extend(record.unwrap().iter().map(str::to_owned));
            }
        }
    }
    for cell in &cells {
        assert!(
            !(cell.starts_with(['=', '+', '@', '\t', '\r'])
                || (cell.starts_with('-') && cell.parse::<f64>().is_err())),
            "a live formula: {cell:?}"
        );
    }
    for text in [formula, "@SUM(1+1)", "+cmd|' /C calc'!A0"] {
        let quoted = format!("'{text}");
        assert!(
            cells.iter().any(|c| c.eq_ignore_ascii_case(&quoted)),
            "{quoted} is missing"
        );
    }
}

/// Admins see who changed what and when, but no health data, whichever id
/// they ask the trail of (the participant, an entry, a lab).
async fn admins_read_the_audit_trail_without_health_data(db: Db) {
    let app = demo_app(db).await;
    let teen = token(&app, "demo.teen").await;
    let investigator = token(&app, "demo.investigator").await;
    let admin =
        ediary_tests::staff_token(&app, "test.admin", app::domain::account::Role::Admin, &[]).await;
    let (_, me) = app
        .call(reqwest::Method::GET, "/api/v1/me", &teen, None)
        .await;
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();
    let entry = uuid::Uuid::now_v7();
    let at = (chrono::Utc::now() - chrono::Duration::minutes(30)).to_rfc3339();
    let data = json!({"measured_at": at, "value": 13.7, "unit": "mmol/L", "context": "fasting",
                      "source": "meter", "note": "ate cake at the party"});
    sync_as(
        &app,
        &teen,
        json!([{"id": entry, "participant_id": p, "entry_id": entry, "op": "create",
        "kind": "glucose", "recorded_at": chrono::Utc::now().to_rfc3339(), "data": data}]),
    )
    .await;
    let mut fixed = data.clone();
    fixed["value"] = json!(12.7);
    sync_as(&app, &teen, json!([{"id": uuid::Uuid::now_v7(), "participant_id": p, "entry_id": entry,
        "op": "amend", "kind": "glucose", "base_version": 1, "reason": "typed the wrong number after cake",
        "recorded_at": chrono::Utc::now().to_rfc3339(), "data": fixed}])).await;
    let (status, lab) = app
        .call(reqwest::Method::POST, &format!("/api/v1/participants/{p}/labs"), &investigator,
              Some(json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "hba1c", "value": 8.25, "unit": "%"})))
        .await;
    assert_eq!(status, 201, "{lab}");
    let lab_id = lab["id"].as_str().unwrap().to_owned();

    for id in [p.clone(), entry.to_string(), lab_id] {
        let path = format!("/api/v1/audit?entity_id={id}");
        let (status, trail) = app.call(reqwest::Method::GET, &path, &admin, None).await;
        assert_eq!(status, 200, "{trail}");
        let items = trail["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{id}");
        for row in items {
            assert_eq!(row["redacted"], true, "{row}");
            assert!(
                row["before"].is_null() && row["after"].is_null() && row["reason"].is_null(),
                "{row}"
            );
            assert!(
                row["action"].is_string()
                    && row["occurred_at"].is_string()
                    && row["hash"].is_string()
            );
        }
        let text = trail.to_string();
        for secret in ["cake", "13.7", "12.7", "8.25", "DEMO-001"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    // The site's investigator sees it all (a participant's trail holds their diary).
    let (status, full) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/audit?entity_id={p}"),
            &investigator,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        full["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["redacted"] == false)
    );
    assert!(full.to_string().contains("ate cake at the party"));
    // An admin still reads an account's trail whole: no health data there.
    let user = app
        .store
        .user_by_username("demo.teen")
        .await
        .unwrap()
        .unwrap();
    let (_, account) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/audit?entity_id={}", user.id),
            &admin,
            None,
        )
        .await;
    assert_eq!(account["items"][0]["action"], "user.create");
    assert_eq!(account["items"][0]["redacted"], false);
}

/// The browser session of a demo account: its cookies (as one `Cookie`
/// header) and its CSRF token.
async fn browser_session(app: &TestApp, username: &str) -> (String, String) {
    ediary_tests::browser_session(&app.client, &app.url(""), username, demo_password(username))
        .await
}

/// A page elsewhere makes the browser call a server function with the
/// investigator's cookies: refused, nothing changes. The app's own calls
/// (same origin, or with the token) go through; so does a sign-in from the
/// app's page, but not one from another site (login CSRF).
async fn server_functions_refuse_calls_from_elsewhere(db: Db) {
    let app = demo_app(db).await;
    let alert = raise_severe_alert(&app).await;
    let investigator = token(&app, "demo.investigator").await;
    let (cookies, _) = browser_session(&app, "demo.investigator").await;
    let form = [
        ("id", alert.clone()),
        ("note", "called the family".to_owned()),
    ];
    let attempt = |origin: Option<String>, token: Option<String>| {
        let mut request = app
            .client
            .post(app.url("/rpc/acknowledge"))
            .header(reqwest::header::COOKIE, &cookies)
            .form(&form);
        if let Some(origin) = origin {
            request = request.header(reqwest::header::ORIGIN, origin);
        }
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    for (origin, token) in [
        (None, None),
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (None, Some("0".repeat(64))),
    ] {
        let response = attempt(origin.map(str::to_owned), token).await.unwrap();
        assert_eq!(
            error_code(response).await,
            (403, "csrf_failed".into()),
            "{origin:?}"
        );
    }
    let (_, still) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/alerts/{alert}"),
            &investigator,
            None,
        )
        .await;
    assert_eq!(still["status"], "open", "{still}");

    // The app's own call: its origin, as a browser sends it.
    let origin = app.address.clone();
    assert_eq!(
        attempt(Some(origin.clone()), None).await.unwrap().status(),
        200
    );
    let (_, done) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/alerts/{alert}"),
            &investigator,
            None,
        )
        .await;
    assert_eq!(done["status"], "acknowledged", "{done}");

    // Login CSRF: a sign-in posted from another site is refused.
    let sign_in = |origin: &str| {
        app.client
            .post(app.url("/rpc/sign_in"))
            .header(reqwest::header::ORIGIN, origin)
            .form(&[
                ("username", "demo.teen"),
                ("password", demo_password("demo.teen")),
            ])
            .send()
    };
    let refused = sign_in("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().get(reqwest::header::SET_COOKIE).is_none());
    assert_eq!(sign_in(&origin).await.unwrap().status(), 200);
}

/// A server whose dispatcher delivers alerts, webhooks to private targets
/// allowed or not, with the demo study.
async fn alerting_app(db: Db, allow_private: bool) -> TestApp {
    let app = ediary_tests::spawn_app_with_alerts(
        db,
        server::alerts::Alerts {
            webhook_secret: Some(secrecy::SecretString::from("hook-secret")),
            webhook_allow_private: allow_private,
            ..Default::default()
        },
    )
    .await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    app
}

/// A receiver that answers every request with a redirect to `to`.
async fn redirector(to: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let to = to.clone();
            tokio::spawn(async move {
                let mut buffer = [0u8; 8192];
                let _ = socket.read(&mut buffer).await;
                let answer = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}/hook")
}

/// A severe event of the demo child, raised through sync; its alert's id.
async fn raise_severe_alert(app: &TestApp) -> String {
    let guardian = token(app, "demo.guardian").await;
    let (_, me) = app
        .call(reqwest::Method::GET, "/api/v1/me", &guardian, None)
        .await;
    let child = me["participant_ids"][0].as_str().unwrap().to_owned();
    let hypo = uuid::Uuid::now_v7();
    let at = (chrono::Utc::now() - chrono::Duration::minutes(20)).to_rfc3339();
    sync_as(
        app,
        &guardian,
        json!([{"id": hypo, "participant_id": child, "entry_id": hypo, "op": "create",
        "kind": "hypo", "recorded_at": chrono::Utc::now().to_rfc3339(),
        "data": {"occurred_at": at, "symptoms": ["confused"], "needed_assistance": true,
                 "lost_consciousness": false, "seizure": false, "treatments": ["glucagon"]}}]),
    )
    .await;
    let investigator = token(app, "demo.investigator").await;
    let (_, open) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/alerts?status=open",
            &investigator,
            None,
        )
        .await;
    open["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == "severe_hypoglycemia")
        .unwrap_or_else(|| panic!("{open}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The demo site's id.
async fn demo_site(app: &TestApp) -> uuid::Uuid {
    app.store
        .site_by_code(demo::SITE_CODE)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The alert's deliveries once none is pending any more (or after 10 s).
async fn settled_deliveries(app: &TestApp, alert: &str) -> Vec<Value> {
    let investigator = token(app, "demo.investigator").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, detail) = app
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/alerts/{alert}"),
                &investigator,
                None,
            )
            .await;
        let deliveries = detail["deliveries"].as_array().cloned().unwrap_or_default();
        let settled = !deliveries.is_empty()
            && deliveries.iter().all(|d| {
                d["delivered_at"].is_string()
                    || d["failed_at"].is_string()
                    || d["last_error"].is_string()
            });
        if settled || tokio::time::Instant::now() > deadline {
            return deliveries;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Webhooks cannot be pointed at the server's own network: refused when
/// saved (loopback, link-local, private, plain http), refused again at
/// delivery (a target stored before, or a name that now points inside),
/// never redirected; investigators see a masked host and a generic error.
async fn webhooks_cannot_reach_inner_addresses(db: Db) {
    let app = alerting_app(db, false).await;
    let admin =
        ediary_tests::staff_token(&app, "test.admin", app::domain::account::Role::Admin, &[]).await;
    let site = demo_site(&app).await;
    let sink = ediary_tests::sinks::hook_sink(0).await;
    for target in [
        sink.url(),
        format!("https://127.0.0.1:{}/hook", sink.port),
        "https://localhost/hook".to_owned(),
        "https://[::1]/hook".to_owned(),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://10.0.0.8/".to_owned(),
        "https://[::ffff:192.168.1.1]/".to_owned(),
        "https://0.0.0.0/".to_owned(),
        "http://93.184.216.34/hook".to_owned(),
    ] {
        let (status, body) = app
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/sites/{site}/contacts"),
                &admin,
                Some(json!({"contacts": [{"level": 0, "channel": "webhook", "target": target}]})),
            )
            .await;
        assert_eq!(status, 422, "{target}: {body}");
    }

    // A private target that got into the database another way (saved
    // before this check existed) is refused at delivery time.
    app.store
        .set_site_contacts(
            site,
            &[server::store::Contact {
                level: 0,
                channel: server::store::Channel::Webhook,
                target: format!("http://127.0.0.1:{}/hook?token=s3cret", sink.port),
            }],
            &AuditContext::command_line(),
        )
        .await
        .unwrap();
    let alert = raise_severe_alert(&app).await;
    let deliveries = settled_deliveries(&app, &alert).await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let delivery = &deliveries[0];
    assert!(delivery["delivered_at"].is_null(), "{delivery}");
    assert_eq!(delivery["target"], "12•••.0.0.1", "{delivery}");
    assert!(!delivery.to_string().contains("s3cret"));
    assert!(
        sink.received().is_empty(),
        "the private receiver was reached"
    );
}

/// With private targets allowed (on-premises), a receiver's redirect is
/// still not followed, and the error staff see says nothing of the network.
async fn webhook_redirects_are_not_followed(db: Db) {
    let app = alerting_app(db, true).await;
    let admin =
        ediary_tests::staff_token(&app, "test.admin", app::domain::account::Role::Admin, &[]).await;
    let site = demo_site(&app).await;
    let inner = ediary_tests::sinks::hook_sink(0).await;
    let hop = redirector(inner.url()).await;
    let (status, body) = app
        .call(reqwest::Method::PUT, &format!("/api/v1/sites/{site}/contacts"), &admin,
              Some(json!({"contacts": [{"level": 0, "channel": "webhook", "target": hop},
                                       {"level": 0, "channel": "webhook", "target": "http://127.0.0.1:9/closed"}]})))
        .await;
    assert_eq!(status, 200, "{body}");
    let alert = raise_severe_alert(&app).await;
    let deliveries = settled_deliveries(&app, &alert).await;
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    for delivery in &deliveries {
        assert!(delivery["delivered_at"].is_null(), "{delivery}");
        let error = delivery["last_error"].as_str().unwrap_or_default();
        assert!(
            error == "webhook answered 307 Temporary Redirect"
                || error == "the webhook could not be reached",
            "{error}"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(inner.received().is_empty(), "the redirect was followed");
}

/// Every free-text field has a limit: a 200 kB insulin product or reason
/// (even on a create, where the reason is optional) is rejected and stored
/// nowhere.
async fn free_text_is_bounded(db: Db) {
    let app = demo_app(db).await;
    let teen = token(&app, "demo.teen").await;
    let (_, me) = app
        .call(reqwest::Method::GET, "/api/v1/me", &teen, None)
        .await;
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();
    let before = footprint(&app).await;
    let at = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let huge = "x".repeat(200_000);
    let dose = uuid::Uuid::now_v7();
    let reading = uuid::Uuid::now_v7();
    let mutations = json!([
        {"id": dose, "participant_id": p, "entry_id": dose, "op": "create", "kind": "insulin",
         "recorded_at": chrono::Utc::now().to_rfc3339(),
         "data": {"administered_at": at, "units": 2, "insulin_type": "rapid", "purpose": "meal", "product": huge}},
        {"id": reading, "participant_id": p, "entry_id": reading, "op": "create", "kind": "glucose",
         "reason": huge, "recorded_at": chrono::Utc::now().to_rfc3339(),
         "data": {"measured_at": at, "value": 6.1, "unit": "mmol/L", "context": "fasting", "source": "meter"}},
    ]);
    let (status, answer) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/sync",
            &teen,
            Some(json!({"device_id": uuid::Uuid::new_v4(), "since": null, "mutations": mutations})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results.iter().all(|r| r["status"] == "rejected"),
        "{answer:#}"
    );
    assert_eq!(footprint(&app).await, before);
}

/// Recovery codes are stored salted with the account: the plain SHA-256 of
/// a code (what one precomputed table would hold for everyone) is nowhere
/// in the database, and the codes still work.
async fn recovery_codes_are_stored_salted(db: Db) {
    let app = spawn_app_with(db, &TestSite::new(), true).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let username = "demo.investigator";
    let password = demo_password(username);
    let setup: Value = app
        .post_json(
            "/api/v1/auth/mfa/setup",
            &json!({"username": username, "password": password}),
        )
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<String> = serde_json::from_value(setup["recovery_codes"].clone()).unwrap();
    for code in &codes {
        let plain = server::enrollment::hash(code);
        let found = raw_scalar_i64(
            &app.db,
            &format!("SELECT COUNT(*) FROM recovery_codes WHERE code_hash = '{plain}'"),
        )
        .await
        .unwrap();
        assert_eq!(found, 0, "{code} is stored unsalted");
    }
    // Confirm the set-up with a TOTP code, then a recovery code signs in.
    let secret = totp_rs::Secret::Encoded(setup["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        String::new(),
    )
    .unwrap();
    let login = |code: String| {
        let body = json!({"username": username, "password": password, "totp": code});
        let app = &app;
        async move { app.post_json("/api/v1/auth/login", &body).await.status() }
    };
    assert_eq!(login(totp.generate_current().unwrap()).await, 200);
    assert_eq!(login(codes[0].clone()).await, 200);
    assert_eq!(
        login(codes[0].clone()).await,
        401,
        "a recovery code works once"
    );
}

/// One account syncing in a loop (a stolen token, a broken client) is held
/// to its rate with 429 and Retry-After; other accounts go on. The real
/// binary at 60 syncs a minute (15 at once).
async fn a_sync_loop_is_rate_limited_per_account(db: Db) {
    let test_db = ediary_tests::fresh_db(db).await;
    let site = TestSite::new();
    let server = ediary_tests::ServerProcess::start(
        &test_db.raw_url,
        test_db.dir.path(),
        &site,
        &[("EDIARY_SYNC_REQUESTS_PER_MINUTE", "60")],
    )
    .await;
    let client = reqwest::Client::new();
    let token = |username: &'static str| {
        let client = client.clone();
        let base = server.base.clone();
        async move {
            let login: Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": username, "password": demo_password(username)}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            login["access_token"].as_str().unwrap().to_owned()
        }
    };
    let (teen, guardian) = (token("demo.teen").await, token("demo.guardian").await);
    let sync = |token: String| {
        let client = client.clone();
        let url = format!("{}/api/v1/sync", server.base);
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"device_id": uuid::Uuid::new_v4(), "since": null, "mutations": []}))
                .send()
                .await
                .unwrap()
        }
    };
    let mut limited = None;
    for _ in 0..30 {
        let response = sync(teen.clone()).await;
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let limited = limited.expect("30 syncs in a row were never limited");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(error_code(limited).await, (429, "too_many_requests".into()));
    assert_eq!(
        sync(guardian).await.status(),
        200,
        "another account is not held up"
    );
}

/// The counting that stops parallel guessing does not stop people: several
/// right sign-ins at once from one address (a clinic behind one NAT) all
/// go through.
async fn parallel_right_sign_ins_from_one_address_go_through(db: Db) {
    let app = demo_app(db).await;
    let people = [
        "demo.teen",
        "demo.child",
        "demo.guardian",
        "demo.investigator",
    ];
    let app = &app;
    let burst = people.iter().flat_map(|&username| {
        (0..2).map(move |_| async move {
            let body = json!({"username": username, "password": demo_password(username)});
            app.post_json("/api/v1/auth/login", &body).await
        })
    });
    let statuses = statuses(join_all(burst).await).await;
    assert_eq!(statuses, vec![200; 8]);
}

on_both_backends!(
    an_over_long_username_writes_nothing,
    a_throttled_flood_writes_one_row_per_key,
    parallel_wrong_passwords_verify_at_most_the_allowance,
    parallel_right_sign_ins_from_one_address_go_through,
    parallel_wrong_codes_verify_at_most_the_allowance,
    parallel_enrolment_guesses_verify_at_most_the_allowance,
    changing_the_password_is_throttled_and_audited,
    exported_formulas_are_inert,
    admins_read_the_audit_trail_without_health_data,
    server_functions_refuse_calls_from_elsewhere,
    webhooks_cannot_reach_inner_addresses,
    webhook_redirects_are_not_followed,
    free_text_is_bounded,
    recovery_codes_are_stored_salted,
    a_sync_loop_is_rate_limited_per_account,
);
