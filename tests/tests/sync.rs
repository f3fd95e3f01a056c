//! `POST /api/v1/sync` and the entry read routes, on both backends: versions,
//! idempotency, conflicts, the pull, the time window, who may see what, and
//! bad input of every kind.

use chrono::Duration;
use ediary_tests::{
    Db, TestApp, demo_password,
    diary::{amend, at, glucose},
    on_both_backends, raw_execute, spawn_app,
};
use serde_json::{Value, json};
use uuid::Uuid;

struct Phone<'a> {
    app: &'a TestApp,
    token: String,
    device: Uuid,
    cursor: Value,
}

impl<'a> Phone<'a> {
    async fn sign_in(app: &'a TestApp, username: &str) -> Self {
        let token = app.login(username, demo_password(username)).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        Self {
            app,
            token,
            device: Uuid::new_v4(),
            cursor: Value::Null,
        }
    }

    async fn participant(&self) -> Uuid {
        let me: Value = self
            .app
            .get_with("/api/v1/me", &self.token)
            .await
            .json()
            .await
            .unwrap();
        me["participant_ids"][0].as_str().unwrap().parse().unwrap()
    }

    async fn raw(&self, body: &Value) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url("/api/v1/sync"))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Sends mutations from where this phone left off; keeps the new cursor.
    async fn sync(&mut self, mutations: &[Value]) -> Value {
        let response = self
            .raw(&json!({"device_id": self.device, "since": self.cursor, "mutations": mutations}))
            .await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        self.cursor = answer["cursor"].clone();
        answer
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.app.get_with(path, &self.token).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn void(of: &Value, base: Option<i64>, reason: &str) -> Value {
    let id = Uuid::now_v7();
    json!({
        "id": id, "participant_id": of["participant_id"], "entry_id": of["entry_id"], "op": "void",
        "kind": of["kind"], "base_version": base, "reason": reason,
        "recorded_at": at(Duration::zero())
    })
}

async fn seeded(db: Db) -> TestApp {
    let app = spawn_app(db).await;
    ediary_tests::seed_demo(app.store.as_ref()).await;
    app
}

/// Create, resend, amend, conflict, void, history and list: one entry's life.
async fn versions_and_idempotency(db: Db) {
    let app = seeded(db).await;
    let mut phone = Phone::sign_in(&app, "demo.teen").await;
    let me = phone.participant().await;

    let reading = glucose(me, json!(3.2), "mmol/L");
    let insulin_id = Uuid::now_v7();
    let insulin = json!({
        "id": insulin_id, "participant_id": me, "entry_id": insulin_id, "op": "create", "kind": "insulin",
        "recorded_at": at(Duration::zero()),
        "data": {"administered_at": at(Duration::minutes(-3)), "units": 4.5, "insulin_type": "rapid", "purpose": "meal"}
    });
    let hypo_id = Uuid::now_v7();
    let hypo = json!({
        "id": hypo_id, "participant_id": me, "entry_id": hypo_id, "op": "create", "kind": "hypo",
        "recorded_at": at(Duration::zero()),
        "data": {"occurred_at": at(Duration::minutes(-30)), "glucose_value": 2.8, "glucose_unit": "mmol/L",
                 "symptoms": ["shaky"], "needed_assistance": false, "lost_consciousness": false,
                 "seizure": false, "treatments": ["oral_carbohydrate"]}
    });
    let mixup = glucose(me, json!(110), "mmol/L");
    let answer = phone
        .sync(&[
            reading.clone(),
            insulin.clone(),
            hypo.clone(),
            mixup.clone(),
        ])
        .await;
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for (r, m) in results.iter().zip([&reading, &insulin, &hypo, &mixup]) {
        assert_eq!(r["status"], "applied", "{r}");
        assert_eq!(r["id"], m["id"]);
        assert_eq!(r["entry_id"], m["entry_id"]);
        assert_eq!(r["version"], 1);
    }
    assert_eq!(results[3]["warnings"], json!(["unit_mixup"]));
    let changes = answer["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 4);
    let stored = changes.iter().find(|c| c["id"] == reading["id"]).unwrap();
    assert_eq!(stored["data"], reading["data"], "stored as entered");
    assert_eq!(stored["recorded_at"], reading["recorded_at"], "offset kept");
    assert_eq!(stored["status"], "active");
    assert_eq!(stored["entered_by_role"], "participant");
    assert_eq!(stored["device_id"], phone.device.to_string());
    assert_eq!(stored["late"], false);
    assert_eq!(
        stored["classification"],
        json!({"ada_level": 1, "ada2005_class": null, "potentially_serious": false})
    );
    assert!(stored["received_at"].as_str().unwrap().ends_with('Z'));
    let insulin_stored = changes.iter().find(|c| c["id"] == insulin["id"]).unwrap();
    assert_eq!(insulin_stored["classification"], Value::Null);
    let hypo_stored = changes.iter().find(|c| c["id"] == hypo["id"]).unwrap();
    assert_eq!(
        hypo_stored["classification"],
        json!({"ada_level": 2, "ada2005_class": "documented_symptomatic", "potentially_serious": false})
    );

    // Nothing new since the cursor.
    let again = phone.sync(&[]).await;
    assert_eq!(again["changes"], json!([]));

    // The same batch again: duplicates reporting the first outcome, nothing doubled.
    let resent = phone.sync(&[reading.clone(), insulin.clone()]).await;
    for r in resent["results"].as_array().unwrap() {
        assert_eq!(r["status"], "duplicate");
        assert_eq!(r["original_status"], "applied");
        assert_eq!(r["version"], 1);
    }
    assert_eq!(resent["changes"], json!([]));

    // The same id with other content.
    let mut tampered = reading.clone();
    tampered["data"]["value"] = json!(9.9);
    let mismatch = phone.sync(&[tampered]).await;
    assert_eq!(mismatch["results"][0]["status"], "rejected");
    assert_eq!(
        mismatch["results"][0]["error"]["code"],
        "idempotency_mismatch"
    );

    // Amend, then a stale amend from another device: conflict, nothing overwritten.
    let mut corrected = reading["data"].clone();
    corrected["value"] = json!(3.4);
    let first_amend = amend(&reading, 1, corrected.clone(), "misread the meter");
    let answer = phone.sync(std::slice::from_ref(&first_amend)).await;
    assert_eq!(answer["results"][0]["status"], "applied");
    assert_eq!(answer["results"][0]["version"], 2);
    let mut other = Phone::sign_in(&app, "demo.teen").await;
    let mut stale_data = reading["data"].clone();
    stale_data["value"] = json!(5.0);
    let stale = other
        .sync(&[amend(&reading, 1, stale_data, "other phone")])
        .await;
    assert_eq!(stale["results"][0]["status"], "conflict");
    assert_eq!(stale["results"][0]["version"], 2);
    let current = stale["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == reading["id"])
        .unwrap()
        .clone();
    assert_eq!(
        (current["version"].clone(), current["data"]["value"].clone()),
        (json!(2), json!(3.4))
    );

    // Void with a reason; then nothing more can change it.
    let removal = void(&reading, Some(2), "entered for the wrong day");
    let answer = phone.sync(std::slice::from_ref(&removal)).await;
    assert_eq!(answer["results"][0]["status"], "applied");
    assert_eq!(answer["results"][0]["version"], 3);
    let late_edit = phone.sync(&[amend(&reading, 3, corrected, "again")]).await;
    assert_eq!(late_edit["results"][0]["error"]["code"], "entry_voided");

    // History: every version, oldest first, with reasons and attribution.
    let (status, history) = phone
        .get(&format!(
            "/api/v1/entries/{}/history",
            reading["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    let versions = history["versions"].as_array().unwrap();
    let summary: Vec<(i64, &str, Option<&str>)> = versions
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["status"].as_str().unwrap(),
                v["reason"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "active", None),
            (2, "active", Some("misread the meter")),
            (3, "voided", Some("entered for the wrong day")),
        ]
    );
    assert_eq!(versions[0]["data"]["value"], 3.2);
    assert_eq!(
        versions[2]["data"]["value"], 3.4,
        "a void keeps the data it removes"
    );
    assert_eq!(versions[1]["mutation_id"], first_amend["id"]);

    // The list shows current versions, voided included, newest event first.
    let (status, list) = phone
        .get(&format!("/api/v1/participants/{me}/entries"))
        .await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(list["next_cursor"], Value::Null);
    let voided = items.iter().find(|i| i["id"] == reading["id"]).unwrap();
    assert_eq!(
        (voided["version"].clone(), voided["status"].clone()),
        (json!(3), json!("voided"))
    );
    let times: Vec<i64> = items
        .iter()
        .map(|i| {
            let field = match i["kind"].as_str().unwrap() {
                "glucose" => "measured_at",
                "insulin" => "administered_at",
                _ => "occurred_at",
            };
            chrono::DateTime::parse_from_rfc3339(i["data"][field].as_str().unwrap())
                .unwrap()
                .timestamp()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // The database itself refuses to change a stored version.
    for sql in [
        "UPDATE entry_versions SET data = '{}'",
        "DELETE FROM entry_versions",
        "UPDATE sync_mutations SET status = 'applied'",
        "DELETE FROM sync_mutations",
        "DELETE FROM entries",
    ] {
        assert!(raw_execute(&app.db, sql).await.is_err(), "{sql}");
    }
}

/// A guardian's phone and the child's own phone see each other's entries;
/// time window, lateness and batch limits.
async fn devices_window_and_limits(db: Db) {
    let app = seeded(db).await;
    let mut child_phone = Phone::sign_in(&app, "demo.child").await;
    let child = child_phone.participant().await;
    let mut guardian_phone = Phone::sign_in(&app, "demo.guardian").await;
    let teen = Phone::sign_in(&app, "demo.teen").await.participant().await;

    child_phone.sync(&[]).await;
    let by_guardian = glucose(child, json!(65), "mg/dL");
    let answer = guardian_phone
        .sync(&[by_guardian.clone(), glucose(teen, json!(100), "mg/dL")])
        .await;
    assert_eq!(answer["results"][0]["status"], "applied");
    assert_eq!(answer["results"][1]["status"], "rejected");
    assert_eq!(answer["results"][1]["error"]["code"], "not_found");
    assert!(answer["results"][1]["error"]["fields"]["participant_id"].is_string());

    let pulled = child_phone.sync(&[]).await;
    let changes = pulled["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["id"], by_guardian["id"]);
    assert_eq!(changes[0]["entered_by_role"], "guardian");

    // An entry saved on the phone two days after the event is late.
    let mut late = glucose(child, json!(120), "mg/dL");
    late["data"]["measured_at"] = json!(at(Duration::days(-2)));
    // In the future, and before the enrolment day (21 days ago, site time).
    let mut future = glucose(child, json!(120), "mg/dL");
    future["data"]["measured_at"] = json!(at(Duration::minutes(11)));
    let mut soon = glucose(child, json!(120), "mg/dL");
    soon["data"]["measured_at"] = json!(at(Duration::minutes(9)));
    let mut before = glucose(child, json!(120), "mg/dL");
    before["data"]["measured_at"] = json!(at(Duration::days(-23)));
    let answer = child_phone
        .sync(&[late.clone(), future, soon, before])
        .await;
    let statuses: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["applied", "rejected", "applied", "rejected"]);
    for i in [1, 3] {
        assert!(
            answer["results"][i]["error"]["fields"]["data.measured_at"].is_string(),
            "{}",
            answer["results"][i]
        );
    }
    let late_entry = answer["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == late["id"])
        .unwrap();
    assert_eq!(late_entry["late"], true);

    // 501 mutations: 413; 500 is fine.
    let batch: Vec<Value> = (0..501)
        .map(|_| glucose(child, json!(100), "mg/dL"))
        .collect();
    let response = child_phone
        .raw(&json!({"device_id": child_phone.device, "since": null, "mutations": batch}))
        .await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
    let answer = child_phone.sync(&batch[..500]).await;
    assert_eq!(answer["results"].as_array().unwrap().len(), 500);

    // Staff do not sync; a bad cursor is a validation error.
    let investigator = Phone::sign_in(&app, "demo.investigator").await;
    let response = investigator
        .raw(&json!({"device_id": Uuid::new_v4(), "since": null, "mutations": []}))
        .await;
    assert_eq!(response.status(), 403);
    let response = child_phone
        .raw(&json!({"device_id": Uuid::new_v4(), "since": "nonsense", "mutations": []}))
        .await;
    assert_eq!(response.status(), 422);

    // A page of changes ends with `more`; the rest comes next time.
    let mut fresh = Phone::sign_in(&app, "demo.child").await;
    let first = fresh.sync(&[]).await;
    assert_eq!(first["more"], false);
    assert_eq!(first["changes"].as_array().unwrap().len(), 503);
}

/// Reads: filters, keyset pages and who may see what.
async fn reads_and_policy(db: Db) {
    let app = seeded(db).await;
    let mut teen_phone = Phone::sign_in(&app, "demo.teen").await;
    let teen = teen_phone.participant().await;
    let mut made = Vec::new();
    for minutes in 1..=5 {
        let mut m = glucose(teen, json!(100 + minutes), "mg/dL");
        m["data"]["measured_at"] = json!(at(Duration::minutes(-10 * minutes)));
        made.push(m);
    }
    let insulin_id = Uuid::now_v7();
    made.push(json!({
        "id": insulin_id, "participant_id": teen, "entry_id": insulin_id, "op": "create", "kind": "insulin",
        "recorded_at": at(Duration::zero()),
        "data": {"administered_at": at(Duration::minutes(-1)), "units": 10, "insulin_type": "long", "purpose": "basal"}
    }));
    teen_phone.sync(&made).await;

    // Pages of two, newest first, then the end.
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/participants/{teen}/entries?kind=glucose&limit=2");
    loop {
        let (status, page) = teen_phone.get(&path).await;
        assert_eq!(status, 200, "{page}");
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].clone());
        }
        match page["next_cursor"].as_str() {
            Some(c) => {
                path =
                    format!("/api/v1/participants/{teen}/entries?kind=glucose&limit=2&cursor={c}")
            }
            None => break,
        }
    }
    let expected: Vec<Value> = made[..5].iter().map(|m| m["id"].clone()).collect();
    assert_eq!(seen, expected);

    // A time window: from (inclusive) and to (exclusive).
    let from = made[3]["data"]["measured_at"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    let to = made[1]["data"]["measured_at"]
        .as_str()
        .unwrap()
        .replace('+', "%2B");
    let (_, page) = teen_phone
        .get(&format!(
            "/api/v1/participants/{teen}/entries?from={from}&to={to}"
        ))
        .await;
    let ids: Vec<Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    assert_eq!(ids, vec![made[2]["id"].clone(), made[3]["id"].clone()]);

    for bad in [
        "kind=ketone",
        "limit=0",
        "limit=1001",
        "from=yesterday",
        "cursor=zzz",
    ] {
        let (status, body) = teen_phone
            .get(&format!("/api/v1/participants/{teen}/entries?{bad}"))
            .await;
        assert_eq!(status, 422, "{bad}");
        assert_eq!(body["error"]["code"], "validation_failed");
    }

    let entry = made[0]["id"].as_str().unwrap();
    for (user, sees) in [
        ("demo.teen", true),
        ("demo.investigator", true),
        ("demo.child", false),
        ("demo.guardian", false),
    ] {
        let phone = Phone::sign_in(&app, user).await;
        let (list_status, _) = phone
            .get(&format!("/api/v1/participants/{teen}/entries"))
            .await;
        let (history_status, _) = phone.get(&format!("/api/v1/entries/{entry}/history")).await;
        let expected = if sees { 200 } else { 404 };
        assert_eq!(
            (list_status, history_status),
            (expected, expected),
            "{user}"
        );
    }
    let (status, _) = teen_phone
        .get(&format!("/api/v1/entries/{}/history", Uuid::now_v7()))
        .await;
    assert_eq!(status, 404);
    let anonymous = app
        .get(&format!("/api/v1/participants/{teen}/entries"))
        .await;
    assert_eq!(anonymous.status(), 401);
}

/// Every field of every kind, wrong: that mutation is rejected with the
/// field's path; the others in the batch still apply. Malformed requests
/// get 400/422. Never a 5xx.
async fn bad_input(db: Db) {
    let app = seeded(db).await;
    let mut phone = Phone::sign_in(&app, "demo.teen").await;
    let me = phone.participant().await;
    let good_glucose = glucose(me, json!(100), "mg/dL");
    let insulin_id = Uuid::now_v7();
    let good_insulin = json!({
        "id": insulin_id, "participant_id": me, "entry_id": insulin_id, "op": "create", "kind": "insulin",
        "recorded_at": at(Duration::zero()),
        "data": {"administered_at": at(Duration::minutes(-1)), "units": 2, "insulin_type": "rapid", "purpose": "correction"}
    });
    let hypo_id = Uuid::now_v7();
    let good_hypo = json!({
        "id": hypo_id, "participant_id": me, "entry_id": hypo_id, "op": "create", "kind": "hypo",
        "recorded_at": at(Duration::zero()),
        "data": {"occurred_at": at(Duration::minutes(-2)), "symptoms": [], "needed_assistance": false,
                 "lost_consciousness": false, "seizure": false, "treatments": []}
    });
    // (base, path of the value to change, new value or None to remove, expected field)
    let cases: Vec<(&Value, &str, Option<Value>, &str)> = vec![
        (
            &good_glucose,
            "measured_at",
            Some(json!(17)),
            "data.measured_at",
        ),
        (
            &good_glucose,
            "measured_at",
            Some(json!("2026-13-01T00:00:00Z")),
            "data.measured_at",
        ),
        (&good_glucose, "measured_at", None, "data.measured_at"),
        (&good_glucose, "value", Some(json!(true)), "data.value"),
        (&good_glucose, "value", Some(json!(5000)), "data.value"),
        (&good_glucose, "value", Some(json!(-1)), "data.value"),
        (&good_glucose, "value", Some(json!("MID")), "data.value"),
        (&good_glucose, "value", None, "data.value"),
        (&good_glucose, "unit", Some(json!("mmol")), "data.unit"),
        (&good_glucose, "unit", None, "data.unit"),
        (
            &good_glucose,
            "context",
            Some(json!("brunch")),
            "data.context",
        ),
        (&good_glucose, "context", Some(json!(3)), "data.context"),
        (&good_glucose, "source", Some(json!("lab")), "data.source"),
        (&good_glucose, "source", None, "data.source"),
        (&good_glucose, "note", Some(json!(12)), "data.note"),
        (
            &good_glucose,
            "note",
            Some(json!("x".repeat(2001))),
            "data.note",
        ),
        (
            &good_insulin,
            "administered_at",
            Some(json!("tomorrow")),
            "data.administered_at",
        ),
        (&good_insulin, "units", Some(json!("4")), "data.units"),
        (&good_insulin, "units", Some(json!(0)), "data.units"),
        (&good_insulin, "units", Some(json!(100.05)), "data.units"),
        (&good_insulin, "units", Some(json!(1.03)), "data.units"),
        (&good_insulin, "units", None, "data.units"),
        (
            &good_insulin,
            "insulin_type",
            Some(json!("ultra")),
            "data.insulin_type",
        ),
        (
            &good_insulin,
            "purpose",
            Some(json!("snack")),
            "data.purpose",
        ),
        (&good_insulin, "purpose", None, "data.purpose"),
        (&good_insulin, "product", Some(json!(["x"])), "data.product"),
        (
            &good_hypo,
            "occurred_at",
            Some(json!(null)),
            "data.occurred_at",
        ),
        (
            &good_hypo,
            "glucose_value",
            Some(json!("low")),
            "data.glucose_value",
        ),
        (
            &good_hypo,
            "glucose_value",
            Some(json!(3.0)),
            "data.glucose_unit",
        ),
        (
            &good_hypo,
            "glucose_unit",
            Some(json!("mg")),
            "data.glucose_unit",
        ),
        (
            &good_hypo,
            "symptoms",
            Some(json!("shaky")),
            "data.symptoms",
        ),
        (&good_hypo, "symptoms", Some(json!([""])), "data.symptoms"),
        (&good_hypo, "symptoms", None, "data.symptoms"),
        (
            &good_hypo,
            "needed_assistance",
            Some(json!("no")),
            "data.needed_assistance",
        ),
        (
            &good_hypo,
            "lost_consciousness",
            None,
            "data.lost_consciousness",
        ),
        (&good_hypo, "seizure", Some(json!(0)), "data.seizure"),
        (
            &good_hypo,
            "treatments",
            Some(json!(["prayer"])),
            "data.treatments[0]",
        ),
        (&good_hypo, "treatments", Some(json!({})), "data.treatments"),
    ];
    let mut batch = Vec::new();
    for (base, key, value, _) in &cases {
        let mut m = (*base).clone();
        let id = Uuid::now_v7();
        m["id"] = json!(id);
        m["entry_id"] = json!(id);
        match value {
            Some(v) => m["data"][*key] = v.clone(),
            None => {
                m["data"].as_object_mut().unwrap().remove(*key);
            }
        }
        batch.push(m);
    }
    // Mutation-level problems.
    let top: Vec<(&str, Option<Value>, &str)> = vec![
        ("id", Some(json!("not-a-uuid")), "id"),
        ("participant_id", None, "participant_id"),
        ("op", Some(json!("delete")), "op"),
        ("kind", Some(json!("ketones")), "kind"),
        (
            "recorded_at",
            Some(json!("2026-11-24T07:30:00")),
            "recorded_at",
        ),
        ("recorded_at", None, "recorded_at"),
        ("base_version", Some(json!(2)), "base_version"),
        ("data", Some(json!("text")), "data"),
        ("data", None, "data"),
        ("extra", Some(json!(1)), "extra"),
    ];
    for (key, value, _) in &top {
        let mut m = good_glucose.clone();
        let id = Uuid::now_v7();
        m["id"] = json!(id);
        m["entry_id"] = json!(id);
        match value {
            Some(v) => m[*key] = v.clone(),
            None => {
                m.as_object_mut().unwrap().remove(*key);
            }
        }
        batch.push(m);
    }
    batch.push(json!("not an object"));
    batch.push(good_glucose.clone());
    let answer = phone.sync(&batch).await;
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), batch.len());
    let expected_fields = cases.iter().map(|c| c.3).chain(top.iter().map(|t| t.2));
    for (i, field) in expected_fields.enumerate() {
        assert_eq!(results[i]["status"], "rejected", "{field}: {}", results[i]);
        assert!(
            results[i]["error"]["fields"][field].is_string(),
            "{field}: {}",
            results[i]
        );
    }
    let n = results.len();
    assert_eq!(results[n - 2]["error"]["code"], "malformed_mutation");
    assert_eq!(results[n - 2]["id"], Value::Null);
    assert_eq!(
        results[n - 1]["status"],
        "applied",
        "the good one still applies"
    );
    // A rejected mutation sent again is a duplicate of its rejection.
    let again = phone.sync(&batch[..1]).await;
    assert_eq!(again["results"][0]["status"], "duplicate");
    assert_eq!(again["results"][0]["original_status"], "rejected");

    // Malformed requests.
    for (body, status) in [
        (json!([]), 422),
        (json!({"since": null, "mutations": []}), 422),
        (json!({"device_id": "x", "mutations": []}), 422),
        (json!({"device_id": Uuid::new_v4(), "mutations": {}}), 422),
        (
            json!({"device_id": Uuid::new_v4(), "mutations": [], "since": 5}),
            422,
        ),
    ] {
        let response = phone.raw(&body).await;
        assert_eq!(response.status(), status, "{body}");
    }
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .bearer_auth(&phone.token)
        .header("content-type", "application/json")
        .body("{\"device_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

on_both_backends!(
    versions_and_idempotency,
    devices_window_and_limits,
    reads_and_policy,
    bad_input
);
