//! Severe-event alerts, on both backends: the live stream of the right site
//! within a second, email over SMTP and a signed webhook, one alert for a
//! batch sent three times, level-2 repeats, resolution, acknowledgement,
//! reporting and escalation.

use std::time::Duration;

use app::domain::{account::Role, alerts::AlertSettings};
use ediary_tests::{
    Db, TestApp, demo_password,
    diary::{amend, at},
    on_both_backends,
    sinks::{self, HookSink, MailSink},
    spawn_app_with_alerts,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use server::{
    alerts::{Alerts, dispatcher},
    audit::AuditContext,
    demo,
    store::Site,
};
use uuid::Uuid;

const HOOK_SECRET: &str = "webhook-secret-for-tests";

/// Reads server-sent events off a streaming response.
pub struct EventReader {
    response: reqwest::Response,
    buffer: String,
}

impl EventReader {
    pub async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Self {
        let mut request = app
            .client
            .get(app.url("/api/v1/alerts/stream"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next `alert` event (id, data), or `None` if none comes in `limit`.
    pub async fn next(&mut self, limit: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if event == "alert" {
                    return Some((id, serde_json::from_str(&data).unwrap()));
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// Whether the server ends the stream within `limit` with no further
    /// alert event.
    pub async fn ends_without_alerts(mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => {
                    if String::from_utf8_lossy(&chunk).contains("event: alert") {
                        return false;
                    }
                }
                Ok(Ok(None)) => return true,
                // A broken connection ends it too; a timeout does not.
                Ok(Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }
}

struct World {
    app: TestApp,
    mail: MailSink,
    hook: HookSink,
    investigator: String,
    other_investigator: String,
    admin: String,
    guardian: String,
    child: Uuid,
    demo_site: Uuid,
}

async fn login(app: &TestApp, username: &str, password: &str) -> String {
    app.login(username, password).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn staff(app: &TestApp, username: &str, role: Role, sites: &[Uuid]) -> String {
    ediary_tests::staff_token(app, username, role, sites).await
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn world(db: Db, settings: AlertSettings) -> World {
    let mail = sinks::mail_sink(0).await;
    let hook = sinks::hook_sink(0).await;
    let app = spawn_app_with_alerts(
        db,
        Alerts {
            settings: settings.into(),
            follow_store: false,
            webhook_secret: Some(SecretString::from(HOOK_SECRET)),
            smtp_url: Some(SecretString::from(mail.url())),
            email_from: "Diary <alerts@example.org>".into(),
            webhook_allow_private: true,
            wake: tokio::sync::Notify::new(),
        },
    )
    .await;
    ediary_tests::seed_demo(app.store.as_ref()).await;
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
    let investigator = login(
        &app,
        "demo.investigator",
        demo_password("demo.investigator"),
    )
    .await;
    let guardian = login(&app, "demo.guardian", demo_password("demo.guardian")).await;
    let me: Value = app
        .get_with("/api/v1/me", &guardian)
        .await
        .json()
        .await
        .unwrap();
    let child = me["participant_ids"][0].as_str().unwrap().parse().unwrap();
    World {
        app,
        mail,
        hook,
        investigator,
        other_investigator,
        admin,
        guardian,
        child,
        demo_site,
    }
}

impl World {
    async fn contacts(&self, contacts: Value) {
        let (status, body) = call(
            &self.app,
            reqwest::Method::PUT,
            &format!("/api/v1/sites/{}/contacts", self.demo_site),
            &self.admin,
            Some(json!({ "contacts": contacts })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    async fn sync(&self, mutations: &[Value]) -> Value {
        let (status, body) = call(
            &self.app,
            reqwest::Method::POST,
            "/api/v1/sync",
            &self.guardian,
            Some(json!({"device_id": Uuid::nil(), "since": null, "mutations": mutations})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn alerts(&self, status: &str) -> Vec<Value> {
        let (code, body) = call(
            &self.app,
            reqwest::Method::GET,
            &format!("/api/v1/alerts?status={status}"),
            &self.investigator,
            None,
        )
        .await;
        assert_eq!(code, 200, "{body}");
        body["items"].as_array().unwrap().clone()
    }
}

fn hypo(participant: Uuid, assisted: bool, treatments: Value) -> Value {
    let id = Uuid::now_v7();
    json!({
        "id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": "hypo",
        "recorded_at": at(chrono::Duration::zero()),
        "data": {"occurred_at": at(chrono::Duration::minutes(-20)), "symptoms": ["confused"],
                 "needed_assistance": assisted, "lost_consciousness": false, "seizure": false,
                 "treatments": treatments}
    })
}

fn low_reading(participant: Uuid, value: Value, minutes_ago: i64) -> Value {
    let id = Uuid::now_v7();
    json!({
        "id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": "glucose",
        "recorded_at": at(chrono::Duration::zero()),
        "data": {"measured_at": at(chrono::Duration::minutes(-minutes_ago)), "value": value,
                 "unit": "mg/dL", "context": "other", "source": "meter"}
    })
}

async fn wait_for<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A guardian syncs a severe event: the site's investigator sees it live
/// within a second, another site's does not; the email and the signed
/// webhook arrive once.
async fn severe_event_on_every_channel(db: Db) {
    let w = world(db, AlertSettings::default()).await;
    w.contacts(json!([
        {"level": 0, "channel": "email", "target": "site.team@example.org"},
        {"level": 0, "channel": "webhook", "target": w.hook.url()},
        {"level": 1, "channel": "email", "target": "pi@example.org"},
    ]))
    .await;
    let mut mine = EventReader::open(&w.app, &w.investigator, None).await;
    let mut theirs = EventReader::open(&w.app, &w.other_investigator, None).await;

    let sent = tokio::time::Instant::now();
    w.sync(&[hypo(w.child, true, json!(["glucagon"]))]).await;
    let (id, alert) = mine
        .next(Duration::from_secs(1))
        .await
        .expect("the site's investigator hears of it within a second");
    assert!(sent.elapsed() < Duration::from_secs(1));
    assert!(id.parse::<i64>().is_ok());
    assert_eq!(alert["rule"], "severe_hypoglycemia");
    assert_eq!(alert["severity"], "critical");
    assert_eq!(alert["status"], "open");
    assert_eq!(alert["participant_id"], w.child.to_string());
    assert_eq!(alert["study_id"], "DEMO-002");
    assert!(
        theirs.next(Duration::from_millis(1500)).await.is_none(),
        "another site's investigator hears nothing"
    );

    let mail = wait_for(Duration::from_secs(5), || {
        w.mail.received().first().cloned()
    })
    .await
    .expect("an email");
    assert_eq!(mail.to, vec!["site.team@example.org"]);
    assert!(mail.data.contains("severe hypoglycemia"), "{}", mail.data);
    assert!(mail.data.contains("DEMO-002"));
    let hook = wait_for(Duration::from_secs(5), || {
        w.hook.received().first().cloned()
    })
    .await
    .expect("a webhook");
    let timestamp: i64 = hook.headers["x-ediary-timestamp"].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    assert_eq!(
        hook.headers["x-ediary-signature"],
        dispatcher::signature(HOOK_SECRET.as_bytes(), timestamp, &hook.body),
        "the signature verifies"
    );
    assert_ne!(
        hook.headers["x-ediary-signature"],
        dispatcher::signature(b"another secret", timestamp, &hook.body)
    );
    let body: Value = serde_json::from_str(&hook.body).unwrap();
    assert_eq!(body["alert"]["id"], alert["id"]);

    // Once each, and the alert says so.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!((w.mail.received().len(), w.hook.received().len()), (1, 1));
    let (status, detail) = call(
        &w.app,
        reqwest::Method::GET,
        &format!("/api/v1/alerts/{}", alert["id"].as_str().unwrap()),
        &w.investigator,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let deliveries = detail["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries.iter().all(|d| d["delivered_at"].is_string()));
    let (status, _) = call(
        &w.app,
        reqwest::Method::GET,
        &format!("/api/v1/alerts/{}", alert["id"].as_str().unwrap()),
        &w.other_investigator,
        None,
    )
    .await;
    assert_eq!(status, 404);
}

/// One alert for a batch sent three times; two level-2 readings make two
/// alerts, not three; amendments resolve; acknowledge and report.
async fn rules_duplicates_and_actions(db: Db) {
    let w = world(db, AlertSettings::default()).await;
    let severe = hypo(w.child, true, json!(["glucagon"]));
    for _ in 0..3 {
        w.sync(std::slice::from_ref(&severe)).await;
    }
    let open = w.alerts("open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["rule"], "severe_hypoglycemia");

    // Two level-2 readings (one a meter LO), then a third.
    w.sync(&[low_reading(w.child, json!(50), 120)]).await;
    w.sync(&[low_reading(w.child, json!("LO"), 60)]).await;
    let rules: Vec<String> = w
        .alerts("open")
        .await
        .iter()
        .map(|a| a["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        rules,
        ["repeated_level2", "level2_glucose", "severe_hypoglycemia"]
    );
    w.sync(&[low_reading(w.child, json!(45), 30)]).await;
    let open = w.alerts("open").await;
    assert_eq!(open.len(), 3, "a third reading adds to the repeat");
    assert_eq!(open[0]["readings"], 3);
    // A level-1 reading and a value typed into an event form raise nothing.
    w.sync(&[low_reading(w.child, json!(65), 10)]).await;
    w.sync(&[hypo_with_value(w.child, 40.0)]).await;
    assert_eq!(w.alerts("open").await.len(), 3);

    // An amendment that removes the cause resolves the alert, with a note.
    let mut data = severe["data"].clone();
    data["needed_assistance"] = json!(false);
    data["treatments"] = json!(["oral_carbohydrate"]);
    w.sync(&[amend(&severe, 1, data, "she treated it herself")])
        .await;
    let resolved = w.alerts("resolved").await;
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["rule"], "severe_hypoglycemia");
    assert!(
        resolved[0]["resolution_note"]
            .as_str()
            .unwrap()
            .contains("amendment")
    );

    // A potentially serious event: a 24-hour clock; acknowledge, report.
    let before = chrono::Utc::now();
    w.sync(&[hypo(w.child, true, json!(["emergency_services"]))])
        .await;
    let open = w.alerts("open").await;
    let serious = open
        .iter()
        .find(|a| a["rule"] == "potentially_serious_event")
        .unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        serious["report_due_at"].as_str().unwrap().parse().unwrap();
    let hours = (due - before).num_minutes() as f64 / 60.0;
    assert!((23.9..=24.1).contains(&hours), "{hours}");
    let id = serious["id"].as_str().unwrap();
    let path = |what: &str| format!("/api/v1/alerts/{id}/{what}");
    let (status, body) = call(
        &w.app,
        reqwest::Method::POST,
        &path("acknowledge"),
        &w.investigator,
        Some(json!({"note": ""})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    let (status, body) = call(
        &w.app,
        reqwest::Method::POST,
        &path("acknowledge"),
        &w.investigator,
        Some(json!({"note": "called the family"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "acknowledged");
    assert_eq!(body["note"], "called the family");
    assert!(body["acknowledged_by"].is_string());
    let (status, _) = call(
        &w.app,
        reqwest::Method::POST,
        &path("acknowledge"),
        &w.investigator,
        Some(json!({"note": "again"})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, body) = call(
        &w.app,
        reqwest::Method::POST,
        &path("reported"),
        &w.investigator,
        Some(json!({"note": "SAE form sent"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["reported_at"].is_string());
    let (status, _) = call(
        &w.app,
        reqwest::Method::POST,
        &path("reported"),
        &w.investigator,
        Some(json!({"note": "twice"})),
    )
    .await;
    assert_eq!(status, 409);
    let level2 = w
        .alerts("all")
        .await
        .into_iter()
        .find(|a| a["rule"] == "level2_glucose")
        .unwrap();
    let (status, _) = call(
        &w.app,
        reqwest::Method::POST,
        &format!("/api/v1/alerts/{}/reported", level2["id"].as_str().unwrap()),
        &w.investigator,
        Some(json!({"note": "n/a"})),
    )
    .await;
    assert_eq!(status, 409, "only potentially serious events are reported");

    // Who may look: investigators; not families, not admins (an alert is
    // health data).
    for (token, expected) in [
        (&w.guardian, 403),
        (&w.other_investigator, 200),
        (&w.admin, 403),
    ] {
        let (status, body) = call(
            &w.app,
            reqwest::Method::GET,
            "/api/v1/alerts?status=all",
            token,
            None,
        )
        .await;
        assert_eq!(status, expected);
        if token == &w.other_investigator {
            assert_eq!(body["items"], json!([]));
        }
    }
    let (status, _) = call(
        &w.app,
        reqwest::Method::GET,
        "/api/v1/alerts?status=maybe",
        &w.investigator,
        None,
    )
    .await;
    assert_eq!(status, 422);

    // The stream resumes from any event id without loss: every change since.
    let mut from_start = EventReader::open(&w.app, &w.investigator, Some("0")).await;
    let mut ids = Vec::new();
    while let Some((id, _)) = from_start.next(Duration::from_millis(700)).await {
        ids.push(id.parse::<i64>().unwrap());
    }
    assert!(ids.len() >= 8, "{ids:?}");
    assert!(ids.windows(2).all(|p| p[1] > p[0]));
    let mut resumed = EventReader::open(&w.app, &w.investigator, Some(&ids[4].to_string())).await;
    let mut rest = Vec::new();
    while let Some((id, _)) = resumed.next(Duration::from_millis(700)).await {
        rest.push(id.parse::<i64>().unwrap());
    }
    assert_eq!(rest, ids[5..].to_vec());
}

fn hypo_with_value(participant: Uuid, mg_dl: f64) -> Value {
    let mut m = hypo(participant, false, json!([]));
    m["data"]["glucose_value"] = json!(mg_dl);
    m["data"]["glucose_unit"] = json!("mg/dL");
    m["data"]["symptoms"] = json!([]);
    m
}

/// A critical alert nobody acknowledges goes to the next list, and again.
async fn escalation(db: Db) {
    let w = world(
        db,
        AlertSettings {
            escalate_after: chrono::Duration::milliseconds(700),
            ..AlertSettings::default()
        },
    )
    .await;
    w.contacts(json!([
        {"level": 0, "channel": "email", "target": "nurse@example.org"},
        {"level": 1, "channel": "email", "target": "pi@example.org"},
        {"level": 2, "channel": "webhook", "target": w.hook.url()},
    ]))
    .await;
    w.sync(&[hypo(w.child, true, json!(["glucagon"]))]).await;
    let all = wait_for(Duration::from_secs(8), || {
        let mails = w.mail.received();
        (mails.len() >= 2 && !w.hook.received().is_empty()).then_some(mails)
    })
    .await
    .expect("escalated twice");
    let to: Vec<String> = all.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to, ["nurse@example.org", "pi@example.org"]);
    let alert = &w.alerts("open").await[0];
    assert_eq!(alert["escalation_level"], 2);
    // Acknowledged alerts do not escalate.
    let (status, _) = call(
        &w.app,
        reqwest::Method::POST,
        &format!(
            "/api/v1/alerts/{}/acknowledge",
            alert["id"].as_str().unwrap()
        ),
        &w.investigator,
        Some(json!({"note": "on it"})),
    )
    .await;
    assert_eq!(status, 200);
    w.sync(&[hypo(w.child, true, json!(["glucagon"]))]).await;
    let second = &w.alerts("open").await[0];
    let (status, _) = call(
        &w.app,
        reqwest::Method::POST,
        &format!(
            "/api/v1/alerts/{}/acknowledge",
            second["id"].as_str().unwrap()
        ),
        &w.investigator,
        Some(json!({"note": "at once"})),
    )
    .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let escalated: Vec<String> = w
        .mail
        .received()
        .iter()
        .flat_map(|m| m.to.clone())
        .collect();
    assert_eq!(
        escalated,
        ["nurse@example.org", "pi@example.org", "nurse@example.org"],
        "the acknowledged second alert went to the first list only"
    );
}

/// No entry for three whole days (site time): `missed_diary`, once; a new
/// entry resolves it.
async fn missed_diary(db: Db) {
    let w = world(db, AlertSettings::default()).await;
    let clock = ediary_tests::SiteClock::new();
    // Noon at the site `days` days from today (now, for today): whole site
    // days, whatever the time of day or a daylight-saving change between.
    let check = |days: i64| {
        let store = w.app.store.clone();
        let at = if days == 0 {
            clock.now
        } else {
            clock.start_of(clock.day(-days)) + chrono::Duration::hours(12)
        };
        async move {
            server::alerts::check_missed_diaries(
                store.as_ref(),
                &AlertSettings::default(),
                at,
                &AuditContext::system("test"),
            )
            .await
            .unwrap()
        }
    };
    // The demo participants enrolled 21 days ago and logged nothing.
    assert_eq!(check(0).await, 3);
    assert_eq!(check(0).await, 0, "once, not every minute");
    let open = w.alerts("open").await;
    assert_eq!(open.len(), 3);
    assert!(
        open.iter()
            .all(|a| a["rule"] == "missed_diary" && a["severity"] == "info")
    );
    // Five minutes ago, but today at the site even just after midnight.
    let mut today = low_reading(w.child, json!(120), 5);
    today["data"]["measured_at"] = json!(clock.earlier_today(5));
    w.sync(&[today]).await;
    let resolved = w.alerts("resolved").await;
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0]["resolution_note"], "The diary resumed.");
    assert_eq!(resolved[0]["participant_id"], w.child.to_string());
    // Logged today: three more days are fine, the fourth is not.
    assert_eq!(check(3).await, 0);
    assert_eq!(check(4).await, 1);
    assert!(
        w.mail.received().is_empty(),
        "info alerts stay in the inbox"
    );
}

/// A delivery that fails for good is shown on the alert (and the inbox).
/// No dispatcher runs here: the test plays it, through the same store calls.
async fn failed_deliveries_are_shown(db: Db) {
    let app = ediary_tests::spawn_app(db).await;
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let site = app
        .store
        .site_by_code(demo::SITE_CODE)
        .await
        .unwrap()
        .unwrap()
        .id;
    app.store
        .set_site_contacts(
            site,
            &[server::store::Contact {
                level: 0,
                channel: server::store::Channel::Webhook,
                target: "http://127.0.0.1:9/hook".into(),
            }],
            &AuditContext::command_line(),
        )
        .await
        .unwrap();
    let guardian = login(&app, "demo.guardian", demo_password("demo.guardian")).await;
    let investigator = login(
        &app,
        "demo.investigator",
        demo_password("demo.investigator"),
    )
    .await;
    let me: Value = app
        .get_with("/api/v1/me", &guardian)
        .await
        .json()
        .await
        .unwrap();
    let child: Uuid = me["participant_ids"][0].as_str().unwrap().parse().unwrap();
    let (status, _) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/sync",
        &guardian,
        Some(json!({"device_id": Uuid::new_v4(), "since": null,
                    "mutations": [hypo(child, true, json!(["glucagon"]))]})),
    )
    .await;
    assert_eq!(status, 200);
    let now = chrono::Utc::now().timestamp_micros();
    let due = app
        .store
        .claim_deliveries(now, 60_000_000, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    assert!(
        app.store
            .claim_deliveries(now, 60_000_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "a leased delivery goes to one dispatcher"
    );
    app.store
        .finish_delivery(
            due[0].id,
            &server::store::DeliveryOutcome::Failed {
                error: "webhook answered 500".into(),
            },
        )
        .await
        .unwrap();
    let (_, detail) = call(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/alerts/{}", due[0].alert_id),
        &investigator,
        None,
    )
    .await;
    let delivery = &detail["deliveries"][0];
    assert!(delivery["failed_at"].is_string(), "{detail}");
    assert_eq!(delivery["last_error"], "webhook answered 500");
    assert_eq!(delivery["delivered_at"], Value::Null);
    let later = chrono::Utc::now().timestamp_micros() + 3_600_000_000;
    assert!(
        app.store
            .claim_deliveries(later, 60_000_000, 10)
            .await
            .unwrap()
            .is_empty(),
        "a failed delivery is not tried again"
    );
}

/// The study's thresholds, changed by an admin, apply at once.
async fn thresholds_are_the_studys(db: Db) {
    let w = world(db, AlertSettings::default()).await;
    let (status, _) = call(
        &w.app,
        reqwest::Method::PUT,
        "/api/v1/study/alert-settings",
        &w.admin,
        Some(json!({"repeat_window_hours": 1, "report_within_hours": 12,
                    "escalate_after_minutes": 30, "missed_days": 5})),
    )
    .await;
    assert_eq!(status, 200);
    // Two level-2 readings two hours apart: not a repeat within one hour.
    w.sync(&[low_reading(w.child, json!(50), 180)]).await;
    w.sync(&[low_reading(w.child, json!(48), 60)]).await;
    let rules: Vec<Value> = w
        .alerts("open")
        .await
        .iter()
        .map(|a| a["rule"].clone())
        .collect();
    assert_eq!(rules, [json!("level2_glucose"), json!("level2_glucose")]);
    // A potentially serious event: a 12-hour clock now.
    let before = chrono::Utc::now();
    w.sync(&[hypo(w.child, false, json!(["emergency_department"]))])
        .await;
    let serious = w
        .alerts("open")
        .await
        .into_iter()
        .find(|a| a["rule"] == "potentially_serious_event")
        .unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        serious["report_due_at"].as_str().unwrap().parse().unwrap();
    assert!(((due - before).num_minutes() - 12 * 60).abs() <= 1);
    let (status, stored) = call(
        &w.app,
        reqwest::Method::GET,
        "/api/v1/study/alert-settings",
        &w.investigator,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(stored["missed_days"], 5);
    let (status, _) = call(
        &w.app,
        reqwest::Method::GET,
        "/api/v1/study/alert-settings",
        &w.guardian,
        None,
    )
    .await;
    assert_eq!(status, 403);
}

/// A reader whose account is disabled or whose session ends hears no
/// further alert: the open stream ends at the next look.
async fn a_revoked_reader_hears_no_more_alerts(db: Db) {
    let w = world(db, AlertSettings::default()).await;
    let second = staff(&w.app, "dr.second", Role::Investigator, &[w.demo_site]).await;
    let signed_out = staff(&w.app, "dr.third", Role::Investigator, &[w.demo_site]).await;
    let mut disabled = EventReader::open(&w.app, &second, None).await;
    let mut ended = EventReader::open(&w.app, &signed_out, None).await;
    let mut kept = EventReader::open(&w.app, &w.investigator, None).await;
    w.sync(&[hypo(w.child, true, json!(["glucagon"]))]).await;
    for reader in [&mut disabled, &mut ended, &mut kept] {
        assert!(reader.next(Duration::from_secs(5)).await.is_some());
    }

    let user = w
        .app
        .store
        .user_by_username("dr.second")
        .await
        .unwrap()
        .unwrap();
    let (status, body) = call(
        &w.app,
        reqwest::Method::POST,
        &format!("/api/v1/users/{}/disable", user.id),
        &w.admin,
        Some(json!({"reason": "left the study team"})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = call(
        &w.app,
        reqwest::Method::POST,
        "/api/v1/auth/logout",
        &signed_out,
        None,
    )
    .await;
    assert_eq!(status, 204);
    w.sync(&[hypo(w.child, true, json!(["glucagon"]))]).await;
    assert!(kept.next(Duration::from_secs(5)).await.is_some());
    assert!(disabled.ends_without_alerts(Duration::from_secs(5)).await);
    assert!(ended.ends_without_alerts(Duration::from_secs(5)).await);
}

on_both_backends!(
    thresholds_are_the_studys,
    severe_event_on_every_channel,
    rules_duplicates_and_actions,
    escalation,
    missed_diary,
    failed_deliveries_are_shown,
    a_revoked_reader_hears_no_more_alerts,
);
