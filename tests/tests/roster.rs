//! The investigator's roster (`GET /api/v1/roster`) and participant page
//! (`/rpc/participant_review`, `/rpc/save_lab`) on both backends: values
//! worked out by hand, and who may see what.

use app::domain::account::Role;
use chrono::{Offset, Utc};
use ediary_tests::{
    Db, SiteClock, TestApp, demo_password, on_both_backends, other_site_investigator, spawn_app,
    staff_token,
};
use reqwest::{Method, header::COOKIE};
use serde_json::{Value, json};
use server::demo;
use uuid::Uuid;

fn create(participant: &str, kind: &str, data: Value) -> Value {
    let id = Uuid::now_v7();
    json!({"id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": kind,
           "recorded_at": Utc::now().to_rfc3339(), "data": data})
}

fn glucose(clock: &SiteClock, participant: &str, back: i64, value: f64) -> Value {
    create(
        participant,
        "glucose",
        json!({"measured_at": clock.at(back, "08:00"), "value": value, "unit": "mmol/L",
               "context": "fasting", "source": "meter"}),
    )
}

fn dose(clock: &SiteClock, participant: &str, back: i64, units: f64) -> Value {
    create(
        participant,
        "insulin",
        json!({"administered_at": clock.at(back, "12:00"), "units": units,
               "insulin_type": "rapid", "purpose": "meal"}),
    )
}

async fn bearer(app: &TestApp, username: &str) -> String {
    app.login(username, demo_password(username)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn roster_of(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app.get_with("/api/v1/roster", token).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A browser session's cookies and CSRF token.
async fn cookies(app: &TestApp, username: &str, password: &str) -> (String, String) {
    ediary_tests::browser_session(&app.client, &app.url(""), username, password).await
}

/// The participant page's server function over a window of site days
/// ("" for the default).
async fn review(
    app: &TestApp,
    session: &(String, String),
    id: &str,
    from: &str,
    to: &str,
) -> (u16, Value) {
    let form = [
        ("id", id.to_owned()),
        ("from", from.to_owned()),
        ("to", to.to_owned()),
    ];
    rpc(app, session, "participant_review", &form).await
}

/// The page's lab of the month-1 visit.
fn month_1_lab(page: &Value) -> Value {
    page["labs"]
        .as_array()
        .and_then(|labs| labs.iter().find(|l| l["visit"] == "month_1"))
        .cloned()
        .expect("the month-1 lab")
}

/// A server function, called as the web app calls it.
async fn rpc(
    app: &TestApp,
    session: &(String, String),
    name: &str,
    form: &[(&str, String)],
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/rpc/{name}")))
        .header(COOKIE, &session.0)
        .header("x-csrf-token", &session.1)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn roster_by_hand(db: Db) {
    let app = spawn_app(db).await;
    let clock = SiteClock::new();
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let investigator = bearer(&app, "demo.investigator").await;
    let teen = bearer(&app, "demo.teen").await;
    let (_, me) = {
        let r = app.get_with("/api/v1/me", &teen).await;
        (r.status(), r.json::<Value>().await.unwrap())
    };
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();

    // Entries on days 0, 1, 2 and 3 back, and 9 back: 4 of the last 7 days,
    // 5 of the last 14 (enrolled 21 days ago). HbA1c 7.0 % drawn 2 days
    // back; the 7 days up to it hold 20 U (2 back) and 30 U (3 back) at
    // 50 kg: 0.5 U/kg/day, IDAA1C = 7.0 + 4 x 0.5 = 9.0, partial remission
    // (<= 9). The dose 1 day back is after the draw and does not count.
    let batch = vec![
        // 2.8 mmol/L: a level-2 reading, an open alert.
        glucose(&clock, &p, 0, 2.8),
        glucose(&clock, &p, 0, 6.1),
        glucose(&clock, &p, 1, 5.4),
        dose(&clock, &p, 1, 99.0),
        dose(&clock, &p, 2, 20.0),
        dose(&clock, &p, 3, 30.0),
        glucose(&clock, &p, 9, 7.7),
    ];
    // An entry 5 days back, removed: its day does not count.
    let removed = glucose(&clock, &p, 5, 8.8);
    let void = json!({"id": Uuid::now_v7(), "participant_id": p, "entry_id": removed["entry_id"],
        "op": "void", "kind": "glucose", "base_version": 1, "reason": "not mine",
        "recorded_at": Utc::now().to_rfc3339()});
    let batch = [batch, vec![removed, void]].concat();
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .bearer_auth(&teen)
        .json(&json!({"device_id": Uuid::new_v4(), "since": null, "mutations": batch}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let labs = format!("/api/v1/participants/{p}/labs");
    for lab in [
        json!({"visit": "baseline", "taken_at": clock.day(10).to_string(), "kind": "weight", "value": 50, "unit": "kg"}),
        json!({"visit": "unscheduled", "taken_at": clock.day(2).to_string(), "kind": "hba1c", "value": 7.0, "unit": "%"}),
    ] {
        let r = app
            .client
            .post(app.url(&labs))
            .bearer_auth(&investigator)
            .json(&lab)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }

    let (status, roster) = roster_of(&app, &investigator).await;
    assert_eq!(status, 200, "{roster}");
    let items = roster["items"].as_array().unwrap();
    let ids: Vec<&str> = items
        .iter()
        .map(|r| r["study_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DEMO-001", "DEMO-002", "DEMO-003"]);
    let teen_row = &items[0];
    assert_eq!(teen_row["age_group"], "adolescent");
    assert_eq!(teen_row["site_code"], demo::SITE_CODE);
    assert_eq!(teen_row["days_since_enrolment"], 21);
    assert_eq!(teen_row["last_entry_on"], json!(clock.day(0)));
    assert_eq!(teen_row["days_since_last_entry"], 0);
    assert_eq!(teen_row["stands_out"], false);
    assert_eq!(
        teen_row["completeness_7d"],
        json!({"days_with_entries": 4, "days": 7, "ratio": 0.571})
    );
    assert_eq!(
        teen_row["completeness_14d"],
        json!({"days_with_entries": 5, "days": 14, "ratio": 0.357})
    );
    assert_eq!(
        teen_row["hba1c"],
        json!({"value_percent": 7.0, "taken_on": clock.day(2)})
    );
    assert_eq!(
        teen_row["idaa1c"],
        json!({"value": 9.0, "partial_remission": true, "dose_days": 2})
    );
    // With a one-day dose window only the 20 U of the draw day count:
    // 0.4 U/kg/day, IDAA1C = 7.0 + 1.6 = 8.6.
    let admin = staff_token(&app, "test.admin", Role::Admin, &[]).await;
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/study/outcome-settings",
            &admin,
            Some(json!({"idaa1c_dose_days": 1})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, narrow) = roster_of(&app, &investigator).await;
    assert_eq!(
        narrow["items"][0]["idaa1c"],
        json!({"value": 8.6, "partial_remission": true, "dose_days": 1})
    );

    // Open alerts as the alert list counts them.
    let (_, open) = app
        .call(
            Method::GET,
            "/api/v1/alerts?status=open&limit=1000",
            &investigator,
            None,
        )
        .await;
    for row in items {
        let expected = open["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["participant_id"] == row["participant_id"])
            .count();
        assert_eq!(row["open_alerts"], expected, "{row}");
    }
    assert!(teen_row["open_alerts"].as_u64().unwrap() >= 1);
    // The children have logged nothing in three weeks: they stand out.
    for row in &items[1..] {
        assert_eq!(row["age_group"], "child");
        assert_eq!(row["stands_out"], true);
        assert_eq!(row["last_entry_on"], Value::Null);
        assert_eq!(row["completeness_7d"]["ratio"], 0.0);
        assert_eq!(row["hba1c"], Value::Null);
        assert_eq!(row["idaa1c"], Value::Null);
    }

    // The participant page of the web app: the same figures, the entries
    // with who entered them, the labs.
    let session = cookies(
        &app,
        "demo.investigator",
        demo_password("demo.investigator"),
    )
    .await;
    let (from, to) = (clock.day(13).to_string(), clock.day(0).to_string());
    let (status, page) = review(&app, &session, &p, &from, &to).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["study_id"], "DEMO-001");
    // The 2.8 mmol/L reading's alert is on the page.
    let alerts = page["alerts"].as_array().unwrap();
    assert!(
        alerts.iter().any(|a| a["rule"] == "level2_glucose"),
        "{alerts:?}"
    );
    assert_eq!(page["figures"]["glucose"]["count"], 4);
    assert_eq!(page["figures"]["completeness"]["days_with_entries"], 5);
    assert!(
        page["basis"]["glucose"]
            .as_str()
            .unwrap()
            .starts_with("From 4 readings over 14 days"),
        "{}",
        page["basis"]
    );
    let timeline = page["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 8);
    let voided: Vec<&Value> = timeline.iter().filter(|e| e["voided"] == true).collect();
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0]["versions"][1]["reason"], "not mine");
    assert_eq!(
        page["timeline"][0]["versions"][0]["entered_by"],
        json!({"name": "Demo teen", "role": "participant"})
    );
    // Times come on the site's clock, with the offset then in force.
    let tz = ediary_tests::site_timezone();
    assert_eq!(page["timezone"], tz.name());
    let event_at = page["timeline"][0]["event_at"].as_str().unwrap();
    let event_at = chrono::DateTime::parse_from_rfc3339(event_at).unwrap();
    assert_eq!(
        event_at.offset().local_minus_utc(),
        event_at.with_timezone(&tz).offset().fix().local_minus_utc(),
        "{event_at}"
    );
    assert_eq!(page["labs"].as_array().unwrap().len(), 2);
    assert_eq!(page["glucose"].as_array().unwrap().len(), 4);
    // 99 U on day 1, 20 U on day 2, 30 U on day 3 back.
    assert_eq!(page["daily_insulin"].as_array().unwrap().len(), 3);
    // A bad window is a readable error, not a 500.
    let (status, error) = review(&app, &session, &p, "soon", "").await;
    assert_eq!(status, 422, "{error}");

    // A lab through the page's form: a decimal comma is fine, a word is not,
    // and a correction needs its reason.
    let weight = |value: &str| {
        vec![
            ("lab[participant_id]", p.clone()),
            ("lab[visit]", "month_1".into()),
            ("lab[taken_at]", clock.day(0).to_string()),
            ("lab[kind]", "weight".into()),
            ("lab[value]", value.into()),
            ("lab[unit]", "kg".into()),
        ]
    };
    assert_eq!(
        rpc(&app, &session, "save_lab", &weight("51,5")).await.0,
        200
    );
    let (status, error) = rpc(&app, &session, "save_lab", &weight("heavy")).await;
    assert_eq!(status, 422, "{error}");
    let (_, page) = review(&app, &session, &p, "", "").await;
    let added = month_1_lab(&page);
    assert_eq!(added["value"], 51.5);
    let mut correction = weight("52");
    correction.push(("lab[lab_id]", added["lab_id"].as_str().unwrap().into()));
    correction.push(("lab[base_version]", "1".into()));
    let (status, _) = rpc(&app, &session, "save_lab", &correction).await;
    assert_eq!(status, 422, "a correction without a reason");
    correction.push(("lab[reason]", "scale not zeroed".into()));
    assert_eq!(rpc(&app, &session, "save_lab", &correction).await.0, 200);
    // The same correction again is stale: a conflict in words, not a 500.
    let (status, error) = rpc(&app, &session, "save_lab", &correction).await;
    assert_eq!(status, 422, "{error}");
    let (_, page) = review(&app, &session, &p, "", "").await;
    let corrected = month_1_lab(&page);
    assert_eq!(
        (corrected["version"].clone(), corrected["value"].clone()),
        (json!(2), json!(52.0))
    );
    assert_eq!(corrected["reason"], "scale not zeroed");
    assert_eq!(
        (
            corrected["earlier"][0]["version"].clone(),
            corrected["earlier"][0]["value"].clone(),
            corrected["earlier"][0]["unit"].clone()
        ),
        (json!(1), json!(51.5), json!("kg"))
    );

    // Another site's investigator sees an empty roster and no page; the
    // participant has no roster at all.
    let elsewhere = other_site_investigator(&app).await;
    let (status, roster) = roster_of(&app, &elsewhere).await;
    assert_eq!((status, roster["items"].clone()), (200, json!([])));
    assert_eq!(roster_of(&app, &teen).await.0, 403);
    let other = cookies(&app, "other.investigator", "a long staff password").await;
    let (status, _) = review(&app, &other, &p, "", "").await;
    assert_eq!(status, 403);
    assert_eq!(rpc(&app, &other, "save_lab", &weight("50")).await.0, 403);
}

/// The study's figures per visit window, worked out by hand: the demo
/// participants were enrolled 21 days ago, so only the baseline window
/// (day 0 to day 14) has opened.
async fn study_outcomes_by_visit(db: Db) {
    let app = spawn_app(db).await;
    let clock = SiteClock::new();
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let investigator = bearer(&app, "demo.investigator").await;
    // The teen: 100 and 150 mg/dL (mean 125, both in range); the child:
    // 200 mg/dL (out of range). Across the two: mean 162.5, SD 53.0; in
    // range 1.0 and 0.0, mean 0.5. A reading 5 days back is past the window.
    for (who, readings) in [
        ("demo.teen", vec![(15, 100.0), (14, 150.0), (5, 300.0)]),
        ("demo.child", vec![(10, 200.0)]),
    ] {
        let token = bearer(&app, who).await;
        let me: Value = app
            .get_with("/api/v1/me", &token)
            .await
            .json()
            .await
            .unwrap();
        let p = me["participant_ids"][0].as_str().unwrap().to_owned();
        let mutations: Vec<Value> = readings
            .into_iter()
            .map(|(back, mg)| {
                create(
                    &p,
                    "glucose",
                    json!({"measured_at": clock.at(back, "08:00"), "value": mg, "unit": "mg/dL",
                           "context": "other", "source": "meter"}),
                )
            })
            .collect();
        let response = app
            .client
            .post(app.url("/api/v1/sync"))
            .bearer_auth(&token)
            .json(&json!({"device_id": Uuid::new_v4(), "since": null, "mutations": mutations}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let response = app.get_with("/api/v1/study/outcomes", &investigator).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let visits = body["visits"].as_array().unwrap();
    assert_eq!(visits[0]["visit"]["code"], "baseline");
    let baseline = &visits[0];
    assert_eq!(baseline["participants"], 3);
    assert_eq!(baseline["readings"], 3);
    assert_eq!(
        baseline["mean_glucose_mg_dl"],
        json!({"n": 2, "mean": 162.5, "sd": 53.0})
    );
    assert_eq!(
        baseline["readings_in_range"],
        json!({"n": 2, "mean": 0.5, "sd": 0.707})
    );
    assert_eq!(baseline["hba1c_percent"]["n"], 0);
    assert_eq!(baseline["severe_events"], 0);
    // Later visits have not opened for anyone.
    for later in &visits[1..] {
        assert_eq!(later["participants"], 0, "{later}");
        assert_eq!(later["mean_glucose_mg_dl"]["n"], 0);
    }
    // Participants have no study figures.
    let teen = bearer(&app, "demo.teen").await;
    assert_eq!(
        app.get_with("/api/v1/study/outcomes", &teen).await.status(),
        403
    );
}

on_both_backends!(roster_by_hand, study_outcomes_by_visit);
