//! The walk's study: its settings, visits, labs, outcome figures and exports.

use serde_json::json;

use super::conformance::{Callers, Conformance};

/// Sites and the study's settings: name, outcomes, advice, alert thresholds.
pub(super) async fn study_settings(c: &mut Conformance<'_>, who: &Callers) {
    let demo_site = who.demo_site;
    let (status, _) = c
        .call("get", "/api/v1/sites", &[], "", Some(&who.admin), None)
        .await;
    assert_eq!(status, 200);
    let site_change = Some(
        json!({"name": "Demo site", "timezone": "Asia/Shanghai", "emergency_phone": "+86 000 0000 0001"}),
    );
    let (status, _) = c
        .call(
            "put",
            "/api/v1/sites/{id}",
            &[&demo_site],
            "",
            Some(&who.admin),
            site_change,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call("get", "/api/v1/study", &[], "", Some(&who.admin), None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call(
            "get",
            "/api/v1/study/outcome-settings",
            &[],
            "",
            Some(&who.admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let days = Some(json!({"idaa1c_dose_days": 5}));
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/outcome-settings",
            &[],
            "",
            Some(&who.admin),
            days,
        )
        .await;
    assert_eq!(status, 200);
    let name = Some(json!({"name": "DEMO: renamed"}));
    let (status, _) = c
        .call("put", "/api/v1/study", &[], "", Some(&who.admin), name)
        .await;
    assert_eq!(status, 200);
    let advice =
        Some(json!({"en": "Give sugar, then call us.", "zh": "请先补充糖分，然后联系我们。"}));
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/emergency-advice",
            &[],
            "",
            Some(&who.admin),
            advice.clone(),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/emergency-advice",
            &[],
            "",
            Some(&who.guardian),
            advice,
        )
        .await;
    assert_eq!(status, 403);
    let (_, read) = c
        .call(
            "get",
            "/api/v1/study/emergency-advice",
            &[],
            "",
            Some(&who.guardian),
            None,
        )
        .await;
    assert_eq!(read["en"], "Give sugar, then call us.");
    let thresholds = json!({"repeat_window_hours": 12, "report_within_hours": 24,
                            "escalate_after_minutes": 10, "missed_days": 2});
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/alert-settings",
            &[],
            "",
            Some(&who.admin),
            Some(thresholds),
        )
        .await;
    assert_eq!(status, 200);
    let bad = json!({"repeat_window_hours": 0, "report_within_hours": 24,
                     "escalate_after_minutes": 10, "missed_days": 99});
    let (status, error) = c
        .call(
            "put",
            "/api/v1/study/alert-settings",
            &[],
            "",
            Some(&who.admin),
            Some(bad),
        )
        .await;
    assert_eq!(status, 422);
    assert!(error["error"]["fields"]["missed_days"].is_string());
    let (_, read) = c
        .call(
            "get",
            "/api/v1/study/alert-settings",
            &[],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!(read["repeat_window_hours"], 12);
}

/// The visit schedule.
pub(super) async fn visit_schedule(c: &mut Conformance<'_>, who: &Callers) {
    let (_, schedule) = c
        .call(
            "get",
            "/api/v1/study/visits",
            &[],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/visits",
            &[],
            "",
            Some(&who.admin),
            Some(schedule.clone()),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/visits",
            &[],
            "",
            Some(&who.admin),
            Some(json!({"visits": []})),
        )
        .await;
    assert_eq!(status, 422);
}

/// Visit labs, the outcome figures and the roster.
pub(super) async fn labs_and_outcomes(c: &mut Conformance<'_>, who: &Callers) {
    let child = who.child;
    // Visit labs: one recorded, one refused, corrected, a stale correction,
    // removed, listed and its history.
    let child_id = child.to_string();
    let weight = json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "weight",
                        "value": 31.5, "unit": "kg"});
    let (status, lab) = c
        .call(
            "post",
            "/api/v1/participants/{id}/labs",
            &[&child_id],
            "",
            Some(&who.investigator),
            Some(weight.clone()),
        )
        .await;
    assert_eq!(status, 201);
    let lab_id = lab["id"].as_str().unwrap().to_owned();
    let bad = json!({"visit": "baseline", "taken_at": "2026-11-14", "kind": "hba1c", "value": 52, "unit": "%"});
    let (status, error) = c
        .call(
            "post",
            "/api/v1/participants/{id}/labs",
            &[&child_id],
            "",
            Some(&who.investigator),
            Some(bad),
        )
        .await;
    assert_eq!(
        (status, error["error"]["fields"]["value"].is_string()),
        (422, true),
        "{error}"
    );
    let (status, _) = c
        .call(
            "post",
            "/api/v1/participants/{id}/labs",
            &[&child_id],
            "",
            Some(&who.guardian),
            Some(weight),
        )
        .await;
    assert_eq!(status, 403);
    let correction = json!({"base_version": 1, "reason": "scale in pounds", "visit": "baseline",
                            "taken_at": "2026-11-14", "kind": "weight", "value": 32.1, "unit": "kg"});
    let (status, _) = c
        .call(
            "put",
            "/api/v1/labs/{id}",
            &[&lab_id],
            "",
            Some(&who.investigator),
            Some(correction.clone()),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call(
            "put",
            "/api/v1/labs/{id}",
            &[&lab_id],
            "",
            Some(&who.investigator),
            Some(correction),
        )
        .await;
    assert_eq!(status, 409);
    let removal = json!({"base_version": 2, "reason": "entered for the wrong child"});
    let (status, _) = c
        .call(
            "post",
            "/api/v1/labs/{id}/void",
            &[&lab_id],
            "",
            Some(&who.investigator),
            Some(removal),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = c
        .call(
            "get",
            "/api/v1/participants/{id}/labs",
            &[&child_id],
            "",
            Some(&who.guardian),
            None,
        )
        .await;
    assert_eq!(list["items"][0]["status"], "voided");
    let (_, history) = c
        .call(
            "get",
            "/api/v1/labs/{id}/history",
            &[&lab_id],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!(history["versions"].as_array().unwrap().len(), 3);
    let (status, figures) = c
        .call(
            "get",
            "/api/v1/participants/{id}/summary",
            &[&child_id],
            "?from=2026-11-01&to=2026-11-14",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!((status, &figures["window"]["days"]), (200, &json!(14)));
    let (status, roster) = c
        .call(
            "get",
            "/api/v1/roster",
            &[],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(!roster["items"].as_array().unwrap().is_empty());
    let (status, study) = c
        .call(
            "get",
            "/api/v1/study/outcomes",
            &[],
            "",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(!study["visits"].as_array().unwrap().is_empty());
    let (status, _) = c
        .call(
            "get",
            "/api/v1/participants/{id}/summary",
            &[&child_id],
            "?from=2026-11-15&to=2026-11-14",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!(status, 422);
}

/// Exports are files, not JSON: checked by status and type.
pub(super) async fn exports(c: &mut Conformance<'_>, who: &Callers) {
    let app = c.app;
    let child = who.child;
    for (format, content_type) in [
        ("csv", "application/zip"),
        ("odm", "application/xml"),
        ("fhir", "application/fhir+json"),
    ] {
        let response = app
            .client
            .get(app.url(&format!(
                "/api/v1/export?format={format}&participant_id={child}"
            )))
            .bearer_auth(&who.investigator)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], content_type);
    }
    assert!(c.doc["paths"]["/api/v1/export"]["get"]["responses"]["200"]["content"].is_object());
    c.succeeded
        .insert(("get".to_owned(), "/api/v1/export".to_owned()));
    let (status, _) = c
        .call(
            "get",
            "/api/v1/export",
            &[],
            "?format=xls",
            Some(&who.investigator),
            None,
        )
        .await;
    assert_eq!(status, 422);
}
