//! The walk's diary: a sync of each kind of entry, and the alerts it raised.

use chrono::Duration;
use ediary_tests::diary::{at, glucose};
use serde_json::{Value, json};
use uuid::Uuid;

use super::conformance::{Callers, Conformance};

/// The diary: an entry of each kind, a bad mutation, a void, a resend.
pub(super) async fn diary(c: &mut Conformance<'_>, who: &Callers) {
    let child = who.child;
    let dose = Uuid::now_v7();
    let event = Uuid::now_v7();
    let mutations = json!([
        glucose(child, json!(5.6), "mmol/L"),
        {"id": dose, "participant_id": child, "entry_id": dose, "op": "create", "kind": "insulin",
         "recorded_at": at(Duration::zero()),
         "data": {"administered_at": at(Duration::minutes(-30)), "units": 4.5,
                  "insulin_type": "rapid", "purpose": "meal", "product": "insulin aspart"}},
        {"id": event, "participant_id": child, "entry_id": event, "op": "create", "kind": "hypo",
         "recorded_at": at(Duration::zero()),
         "data": {"occurred_at": at(Duration::hours(-2)), "glucose_value": 48, "glucose_unit": "mg/dL",
                  "symptoms": ["shaking"], "needed_assistance": true, "lost_consciousness": true,
                  "seizure": false, "treatments": ["oral_carbohydrate"], "note": "after football"}},
        glucose(child, json!(5000), "mg/dL"),
        {"id": Uuid::now_v7(), "participant_id": child, "entry_id": dose, "op": "void",
         "kind": "insulin", "base_version": 1, "reason": "logged twice",
         "recorded_at": at(Duration::zero())},
    ]);
    let batch = json!({"device_id": Uuid::new_v4(), "since": null, "mutations": mutations});
    let (_, answer) = c
        .call(
            "post",
            "/api/v1/sync",
            &[],
            "",
            Some(&who.guardian),
            Some(batch.clone()),
        )
        .await;
    let statuses: Vec<&Value> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["status"])
        .collect();
    assert_eq!(
        statuses,
        ["applied", "applied", "applied", "rejected", "applied"],
        "{answer:#}"
    );
    let (_, again) = c
        .call(
            "post",
            "/api/v1/sync",
            &[],
            "",
            Some(&who.guardian),
            Some(batch),
        )
        .await;
    assert_eq!(again["results"][0]["status"], "duplicate", "{again:#}");
    let envelope = Some(json!({"device_id": Uuid::new_v4(), "mutations": "none"}));
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sync",
            &[],
            "",
            Some(&who.guardian),
            envelope,
        )
        .await;
    assert_eq!(status, 422);
    let entries = "/api/v1/participants/{id}/entries";
    c.call(
        "get",
        entries,
        &[&child],
        "?limit=2",
        Some(&who.guardian),
        None,
    )
    .await;
    let history = "/api/v1/entries/{id}/history";
    c.call("get", history, &[&dose], "", Some(&who.guardian), None)
        .await;
    let (status, _) = c
        .call(
            "get",
            history,
            &[&Uuid::now_v7()],
            "",
            Some(&who.guardian),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let trail = format!("?entity_id={child}");
    c.call(
        "get",
        "/api/v1/audit",
        &[],
        &trail,
        Some(&who.investigator),
        None,
    )
    .await;
}

/// The alerts the diary raised, and a site's alert contacts.
pub(super) async fn alerts(c: &mut Conformance<'_>, who: &Callers) {
    let demo_site = who.demo_site;
    // Alerts: the event above was severe and potentially serious.
    let (_, page) = c
        .call(
            "get",
            "/api/v1/alerts",
            &[],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    let id_of = |rule: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["rule"] == rule)
            .unwrap_or_else(|| panic!("a {rule} alert in {page}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (severe, serious) = (
        id_of("severe_hypoglycemia"),
        id_of("potentially_serious_event"),
    );
    c.call(
        "get",
        "/api/v1/alerts/{id}",
        &[&severe],
        "",
        Some(&who.investigator),
        None,
    )
    .await;
    let note = || Some(json!({"note": "called the family"}));
    let (status, _) = c
        .call(
            "post",
            "/api/v1/alerts/{id}/acknowledge",
            &[&severe],
            "",
            Some(&who.investigator),
            note(),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/alerts/{id}/acknowledge",
            &[&severe],
            "",
            Some(&who.investigator),
            note(),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/alerts/{id}/reported",
            &[&serious],
            "",
            Some(&who.investigator),
            note(),
        )
        .await;
    assert_eq!(status, 200);
    let contacts =
        Some(json!({"contacts": [{"level": 0, "channel": "email", "target": "team@example.org"}]}));
    let (status, _) = c
        .call(
            "put",
            "/api/v1/sites/{id}/contacts",
            &[&demo_site],
            "",
            Some(&who.admin),
            contacts,
        )
        .await;
    assert_eq!(status, 200);
    let bad = Some(json!({"contacts": [{"level": 0, "channel": "fax", "target": "x"}]}));
    let (status, _) = c
        .call(
            "put",
            "/api/v1/sites/{id}/contacts",
            &[&demo_site],
            "",
            Some(&who.admin),
            bad,
        )
        .await;
    assert_eq!(status, 422);
    c.call(
        "get",
        "/api/v1/sites/{id}/contacts",
        &[&demo_site],
        "",
        Some(&who.admin),
        None,
    )
    .await;
}

/// The alert stream, checked by its headers.
pub(super) async fn alert_stream(c: &mut Conformance<'_>, who: &Callers) {
    let app = c.app;
    // The stream never ends: its answer is checked by its headers.
    let stream = app
        .client
        .get(app.url("/api/v1/alerts/stream"))
        .bearer_auth(&who.investigator)
        .header("last-event-id", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(c.doc["paths"]["/api/v1/alerts/stream"]["get"]["responses"]["200"]["content"]["text/event-stream"].is_object());
    c.succeeded
        .insert(("get".to_owned(), "/api/v1/alerts/stream".to_owned()));
}
