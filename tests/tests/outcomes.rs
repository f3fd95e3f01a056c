//! Visit labs and outcome figures through the API, on both backends: a
//! fixture of three days worked out by hand (a day with no insulin, a weight
//! change mid-window, an amended and a voided entry, readings in both units,
//! LO and HI), labs corrected and removed with reasons, and who may see what.

use app::domain::account::Role;
use chrono::Utc;
use ediary_tests::{
    Db, SiteClock, TestApp, demo_password, on_both_backends, other_site_investigator, raw_execute,
    spawn_app, staff_token,
};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn token(app: &TestApp, username: &str) -> String {
    app.login(username, demo_password(username)).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn create(participant: &str, kind: &str, data: Value) -> Value {
    let id = Uuid::now_v7();
    json!({"id": id, "participant_id": participant, "entry_id": id, "op": "create", "kind": kind,
           "recorded_at": Utc::now().to_rfc3339(), "data": data})
}

fn glucose(participant: &str, at: String, value: Value, unit: &str) -> Value {
    create(
        participant,
        "glucose",
        json!({"measured_at": at, "value": value, "unit": unit,
                                            "context": "other", "source": "meter"}),
    )
}

fn dose(participant: &str, at: String, units: f64) -> Value {
    create(
        participant,
        "insulin",
        json!({"administered_at": at, "units": units,
                                            "insulin_type": "rapid", "purpose": "meal"}),
    )
}

async fn figures_by_hand(db: Db) {
    let app = spawn_app(db).await;
    let clock = SiteClock::new();
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let investigator = token(&app, "demo.investigator").await;
    let teen = token(&app, "demo.teen").await;
    let (_, me) = app.call(Method::GET, "/api/v1/me", &teen, None).await;
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();

    // Day 1 (three days ago): two readings, one in mmol/L; 10 + 6 U.
    // Day 2: no insulin; LO; 250 mg/dL, later corrected to 200.
    // Day 3 (yesterday): 14 U; HI; 300 mg/dL, later removed; a low of
    // 3.2 mmol/L with symptoms.
    let wrong = glucose(&p, clock.at(2, "10:00"), json!(250), "mg/dL");
    let removed = glucose(&p, clock.at(1, "12:00"), json!(300), "mg/dL");
    let batch = vec![
        glucose(&p, clock.at(3, "08:00"), json!(100), "mg/dL"),
        glucose(&p, clock.at(3, "12:00"), json!(5.0), "mmol/L"),
        dose(&p, clock.at(3, "08:30"), 10.0),
        dose(&p, clock.at(3, "19:00"), 6.0),
        glucose(&p, clock.at(2, "03:00"), json!("LO"), "mmol/L"),
        wrong.clone(),
        dose(&p, clock.at(1, "09:00"), 14.0),
        glucose(&p, clock.at(1, "22:00"), json!("HI"), "mg/dL"),
        removed.clone(),
        create(
            &p,
            "hypo",
            json!({"occurred_at": clock.at(1, "15:00"), "glucose_value": 3.2,
            "glucose_unit": "mmol/L", "symptoms": ["shaky"], "needed_assistance": false,
            "lost_consciousness": false, "seizure": false, "treatments": ["oral_carbohydrate"]}),
        ),
        // Outside the window (four days ago).
        glucose(&p, clock.at(4, "12:00"), json!(180), "mg/dL"),
    ];
    let mut corrected = wrong["data"].clone();
    corrected["value"] = json!(200);
    let changes = vec![
        json!({"id": Uuid::now_v7(), "participant_id": p, "entry_id": wrong["entry_id"], "op": "amend",
               "kind": "glucose", "base_version": 1, "reason": "misread the meter",
               "recorded_at": Utc::now().to_rfc3339(), "data": corrected}),
        json!({"id": Uuid::now_v7(), "participant_id": p, "entry_id": removed["entry_id"], "op": "void",
               "kind": "glucose", "base_version": 1, "reason": "someone else's finger",
               "recorded_at": Utc::now().to_rfc3339()}),
    ];
    for mutations in [batch, changes] {
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/v1/sync",
                &teen,
                Some(json!({"device_id": Uuid::new_v4(), "since": null, "mutations": mutations})),
            )
            .await;
        assert_eq!(status, 200);
        for result in answer["results"].as_array().unwrap() {
            assert_eq!(result["status"], "applied", "{answer:#}");
        }
    }

    // Labs: 40 kg on day 1, 42 kg on day 3 (a typo corrected with a
    // reason), HbA1c 7.0 % on day 3, and a removed HbA1c that must not count.
    let labs = format!("/api/v1/participants/{p}/labs");
    let lab = |day: i64, kind: &str, value: f64, unit: &str| json!({"visit": "month_1", "taken_at": clock.day(day).to_string(), "kind": kind, "value": value, "unit": unit});
    for body in [lab(3, "weight", 40.0, "kg"), lab(1, "hba1c", 7.0, "%")] {
        let (status, answer) = app
            .call(Method::POST, &labs, &investigator, Some(body))
            .await;
        assert_eq!(status, 201, "{answer}");
    }
    let (_, typo) = app
        .call(
            Method::POST,
            &labs,
            &investigator,
            Some(lab(1, "weight", 24.0, "kg")),
        )
        .await;
    let mut fixed = lab(1, "weight", 42.0, "kg");
    fixed["base_version"] = json!(1);
    fixed["reason"] = json!("digits swapped");
    let typo_id = typo["id"].as_str().unwrap();
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/labs/{typo_id}"),
            &investigator,
            Some(fixed),
        )
        .await;
    assert_eq!(status, 200);
    let (_, stray) = app
        .call(
            Method::POST,
            &labs,
            &investigator,
            Some(lab(2, "hba1c", 12.0, "%")),
        )
        .await;
    let stray_id = stray["id"].as_str().unwrap();
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/labs/{stray_id}/void"),
            &investigator,
            Some(json!({"base_version": 1, "reason": "another participant's sample"})),
        )
        .await;
    assert_eq!(status, 200);

    let path = format!(
        "/api/v1/participants/{p}/summary?from={}&to={}",
        clock.day(3),
        clock.day(1)
    );
    let (status, f) = app.call(Method::GET, &path, &investigator, None).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(
        f["window"],
        json!({"from": clock.day(3).to_string(), "to": clock.day(1).to_string(), "days": 3})
    );

    // Insulin on days 1 and 3: 16 and 14 U; per kg 16/40 and 14/42.
    assert_eq!(f["insulin"]["days_with_data"], 2);
    assert_eq!(f["insulin"]["mean_daily_units"], 15.0);
    let per_kg = (16.0 / 40.0 + 14.0 / 42.0) / 2.0; // 0.36667
    assert_eq!(
        f["insulin"]["mean_units_per_kg"],
        (per_kg * 1000.0_f64).round() / 1000.0
    );

    // Glucose: 100, 5.0 mmol/L, LO, 200 (corrected), HI; 300 removed.
    let numbers = [100.0, 5.0 * 18.016, 200.0];
    let mean = numbers.iter().sum::<f64>() / 3.0; // 130.03
    let sd = (numbers.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 2.0).sqrt(); // 60.80
    let g = &f["glucose"];
    assert_eq!(g["count"], 5);
    assert_eq!(g["mean_mg_dl"], (mean * 10.0).round() / 10.0);
    assert_eq!(g["sd_mg_dl"], (sd * 10.0).round() / 10.0);
    assert_eq!(g["cv"], (sd / mean * 1000.0).round() / 1000.0);
    assert_eq!(
        g["ranges"],
        json!({"below_54": 0.2, "54_69": 0.0, "70_180": 0.4, "181_250": 0.2, "above_250": 0.2})
    );

    // LO is a level-2 reading; the low of 3.2 mmol/L (57.7 mg/dL) with
    // symptoms is a level-1, documented symptomatic event.
    let h = &f["hypoglycemia"];
    assert_eq!(h["readings_by_level"], json!({"1": 0, "2": 1}));
    assert_eq!(h["events_by_level"], json!({"1": 1, "2": 0, "3": 0}));
    assert_eq!(h["events_by_ada2005_class"]["documented_symptomatic"], 1);
    assert_eq!(h["severe_events"], 0);

    // HbA1c 7.0 % (the removed 12 % does not count); IDAA1C 7.0 + 4 x 0.3667.
    assert_eq!(
        f["hba1c"],
        json!({"value_percent": 7.0, "taken_at": clock.day(1).to_string()})
    );
    let idaa1c = 7.0 + 4.0 * per_kg; // 8.467
    assert_eq!(
        f["idaa1c"],
        json!({"value": (idaa1c * 100.0_f64).round() / 100.0, "partial_remission": true})
    );
    assert_eq!(
        f["completeness"],
        json!({"days_with_entries": 3, "ratio": 1.0})
    );

    // The corrected lab kept both versions.
    let (_, history) = app
        .call(
            Method::GET,
            &format!("/api/v1/labs/{typo_id}/history"),
            &investigator,
            None,
        )
        .await;
    let values: Vec<&Value> = history["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["value"])
        .collect();
    assert_eq!(values, [&json!(24.0), &json!(42.0)]);
    assert_eq!(history["versions"][1]["reason"], "digits swapped");
}

async fn who_may_see_figures_and_labs(db: Db) {
    let app = spawn_app(db).await;
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let investigator = token(&app, "demo.investigator").await;
    let teen = token(&app, "demo.teen").await;
    let (_, me) = app.call(Method::GET, "/api/v1/me", &teen, None).await;
    let p = me["participant_ids"][0].as_str().unwrap().to_owned();
    let elsewhere = other_site_investigator(&app).await;

    let summary = format!("/api/v1/participants/{p}/summary");
    let labs = format!("/api/v1/participants/{p}/labs");
    let weight = json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "weight", "value": 50, "unit": "kg"});
    // The participant reads her labs but neither enters them nor reads the
    // trial figures; another site's investigator learns nothing.
    assert_eq!(app.call(Method::GET, &labs, &teen, None).await.0, 200);
    assert_eq!(
        app.call(Method::POST, &labs, &teen, Some(weight.clone()))
            .await
            .0,
        403
    );
    assert_eq!(app.call(Method::GET, &summary, &teen, None).await.0, 403);
    assert_eq!(
        app.call(Method::GET, &summary, &elsewhere, None).await.0,
        404
    );
    assert_eq!(app.call(Method::GET, &labs, &elsewhere, None).await.0, 404);
    assert_eq!(
        app.call(Method::POST, &labs, &elsewhere, Some(weight))
            .await
            .0,
        404
    );

    // Bad input: a clear 422, never a 5xx.
    let (status, error) = app
        .call(
            Method::GET,
            &format!("{summary}?from=2026-11-20&to=2026-11-01"),
            &investigator,
            None,
        )
        .await;
    assert_eq!(
        (status, error["error"]["fields"]["from"].is_string()),
        (422, true),
        "{error}"
    );
    for bad in [
        json!({"visit": "", "taken_at": "someday", "kind": "weight", "value": 50, "unit": "stone"}),
        json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "ldl", "value": 2, "unit": "mmol/L"}),
        json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "other", "value": 2, "unit": "IU/mL", "extra": 1}),
    ] {
        let (status, error) = app
            .call(Method::POST, &labs, &investigator, Some(bad.clone()))
            .await;
        assert_eq!(status, 422, "{bad} -> {error}");
        assert_eq!(error["error"]["code"], "validation_failed");
    }

    // With no data, figures are null, not zero.
    let (status, empty) = app.call(Method::GET, &summary, &investigator, None).await;
    assert_eq!(status, 200);
    assert_eq!(empty["window"]["days"], 14);
    assert_eq!(empty["glucose"]["mean_mg_dl"], Value::Null);
    assert_eq!(empty["insulin"]["mean_daily_units"], Value::Null);
    assert_eq!(empty["idaa1c"], Value::Null);

    // Lab versions cannot be changed behind the API's back.
    let (_, lab) = app.call(Method::POST, &labs, &investigator,
        Some(json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "weight", "value": 50, "unit": "kg"}))).await;
    assert_eq!(lab["version"], 1);
    for sql in [
        "UPDATE lab_versions SET value = 99",
        "DELETE FROM lab_versions",
    ] {
        assert!(raw_execute(&app.db, sql).await.is_err(), "{sql}");
    }
}

async fn the_visit_schedule_is_the_studys(db: Db) {
    let app = spawn_app(db).await;
    ediary_tests::seed_demo(app.store.as_ref()).await;
    let investigator = token(&app, "demo.investigator").await;
    let guardian = token(&app, "demo.guardian").await;
    let admin = staff_token(&app, "admin.one", Role::Admin, &[]).await;
    let (status, schedule) = app
        .call(Method::GET, "/api/v1/study/visits", &investigator, None)
        .await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = schedule["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "baseline", "month_1", "month_3", "month_6", "month_9", "month_12"
        ]
    );
    assert_eq!(
        app.call(Method::GET, "/api/v1/study/visits", &guardian, None)
            .await
            .0,
        403
    );

    let mut longer = schedule.clone();
    longer["visits"].as_array_mut().unwrap().push(
        json!({"code": "month_18", "name": "Month 18", "day": 545, "before": 30, "after": 30}),
    );
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/v1/study/visits",
            &investigator,
            Some(longer.clone())
        )
        .await
        .0,
        403
    );
    let mut overlapping = longer.clone();
    overlapping["visits"][6]["day"] = json!(380);
    let (status, error) = app
        .call(
            Method::PUT,
            "/api/v1/study/visits",
            &admin,
            Some(overlapping),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        error["error"]["fields"]["visits[6].before"].is_string(),
        "{error}"
    );
    assert_eq!(
        app.call(Method::PUT, "/api/v1/study/visits", &admin, Some(longer))
            .await
            .0,
        200
    );

    // Labs name a visit of the schedule, or "unscheduled".
    let (_, me) = app.call(Method::GET, "/api/v1/me", &guardian, None).await;
    let labs = format!(
        "/api/v1/participants/{}/labs",
        me["participant_ids"][0].as_str().unwrap()
    );
    let lab = |visit: &str| json!({"visit": visit, "taken_at": "2026-11-14", "kind": "weight", "value": 30, "unit": "kg"});
    for (visit, expected) in [("month_18", 201), ("unscheduled", 201), ("month_2", 422)] {
        let (status, answer) = app
            .call(Method::POST, &labs, &investigator, Some(lab(visit)))
            .await;
        assert_eq!(status, expected, "{visit}: {answer}");
        if status == 422 {
            assert!(
                answer["error"]["fields"]["visit"]
                    .as_str()
                    .unwrap()
                    .contains("month_18"),
                "{answer}"
            );
        }
    }
    let trail = app.store.audit_page(0, 10_000).await.unwrap();
    assert_eq!(
        trail
            .iter()
            .filter(|r| r.action == "study.visit_schedule")
            .count(),
        1
    );
}

on_both_backends!(
    figures_by_hand,
    who_may_see_figures_and_labs,
    the_visit_schedule_is_the_studys
);
