//! The OpenAPI document at `GET /api/openapi.json` against the contract
//! (`shared/docs/api.md`) and against the routes the server really serves.
//!
//! Two directions keep the document and the router equal:
//! - every documented route is served: [`every_documented_route_is_served`]
//!   requests each one;
//! - every served route is documented: axum cannot list its routes, so this
//!   holds by construction instead. Each `server/src/http` module registers
//!   its handlers only through utoipa-axum's `OpenApiRouter::routes(routes!(..))`,
//!   which mounts a handler and adds its `#[utoipa::path]` description in one
//!   call, at the path and method the description names; the document served
//!   is the one that same router collected (`http::openapi::serve`).
//!
//! And the document describes what the server really sends:
//! [`answers_match_the_documented_schemas`] drives every documented route to
//! a success, and some to their errors, checking each request and answer
//! against its schema.
//!
//! SQLite is enough here: the document does not depend on the backend.
//!
//! Beside this file, in `openapi/`: the route tables (`contract`), reading
//! the document (`document`), the JSON-schema checker (`schema`), calls that
//! check themselves (`conformance`) and the walk's steps (`walk_*`).

mod conformance;
mod contract;
mod document;
mod schema;
mod walk_accounts;
mod walk_diary;
mod walk_study;

use std::collections::{BTreeMap, BTreeSet};

use app::domain::account::Role;
use ediary_tests::{Db, spawn_app};
use serde_json::{Value, json};
use server::{audit::AuditContext, demo};

use conformance::{Conformance, staff};
use contract::{CONTRACT, EXTENSIONS, NOT_YET_SERVED, route_set};
use document::{ERROR_REF, concrete, document, operations, refs, status_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_is_openapi_3_with_the_shared_error_schema() {
    let app = spawn_app(Db::Sqlite).await;
    let doc = document(&app).await;

    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(!operations(&doc).is_empty());

    // Operation ids name each operation once (client generators need that).
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id.to_owned()),
            "{method} {path}: operationId {id:?} again"
        );
    }

    // The contract's error shape, once, as a shared schema.
    let schemas = &doc["components"]["schemas"];
    let error = &schemas["ApiError"];
    assert_eq!(error["required"], json!(["error"]), "{error}");
    let detail_ref = error["properties"]["error"]["$ref"].as_str().unwrap();
    let detail = &schemas[detail_ref.rsplit('/').next().unwrap()];
    for field in ["code", "message", "fields"] {
        assert!(detail["properties"].get(field).is_some(), "{detail}");
    }
    assert_eq!(detail["required"], json!(["code", "message"]));

    // Every reference resolves.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for reference in all {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {reference}"));
        assert!(schemas.get(name).is_some(), "{reference} does not resolve");
    }

    // Both ways to sign in are described.
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cookie"]["in"], "cookie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_contract_route_is_documented_with_bodies_and_errors() {
    let app = spawn_app(Db::Sqlite).await;
    let doc = document(&app).await;

    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .filter(|(_, path, _)| path.starts_with("/api/v1/"))
        .map(|(method, path, _)| (method, path))
        .collect();
    let mut known = route_set(CONTRACT);
    known.extend(route_set(EXTENSIONS));
    let missing: Vec<_> = known.difference(&documented).collect();
    assert!(missing.is_empty(), "not in the document: {missing:?}");
    let unlisted: Vec<_> = documented.difference(&known).collect();
    assert!(
        unlisted.is_empty(),
        "documented but in neither CONTRACT nor EXTENSIONS of this test: {unlisted:?}"
    );
    let early: Vec<_> = route_set(NOT_YET_SERVED)
        .intersection(&documented)
        .cloned()
        .collect();
    assert!(
        early.is_empty(),
        "built now: move them from NOT_YET_SERVED to CONTRACT: {early:?}"
    );

    for (method, path, operation) in operations(&doc) {
        let route = format!("{method} {path}");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{route}: no success answer"
        );
        // Every error answer is the shared error schema.
        for (status, response) in responses {
            if status.starts_with('4') {
                let schema = &response["content"]["application/json"]["schema"];
                assert_eq!(schema["$ref"], ERROR_REF, "{route} {status}");
            }
        }
        if let Some(throttled) = responses.get("429") {
            assert!(
                throttled["headers"].get("Retry-After").is_some(),
                "{route}: 429 without Retry-After"
            );
        }
        // Signed-in routes say so, and answer 401.
        if operation.get("security").is_some() {
            assert!(responses.contains_key("401"), "{route}: no 401");
        }
        // A JSON body is described by a schema; so is a JSON answer.
        if let Some(body) = operation.get("requestBody") {
            assert!(
                body["content"]["application/json"]["schema"].is_object(),
                "{route}: request body without a schema"
            );
            if body["required"] == true {
                assert!(responses.contains_key("400"), "{route}: no 400");
                assert!(responses.contains_key("422"), "{route}: no 422");
                assert!(responses.contains_key("413"), "{route}: no 413");
            }
        }
        for (status, response) in responses {
            if let Some(content) = response.get("content") {
                // The alert stream's 200 is server-sent events, exports are
                // files: not JSON.
                let schema = [
                    "application/json",
                    "text/event-stream",
                    "application/zip",
                    "application/xml",
                ]
                .iter()
                .find_map(|t| content.get(*t));
                assert!(
                    schema.is_some_and(|c| c["schema"].is_object()),
                    "{route} {status}: answer without a schema"
                );
            }
        }
    }

    // Spot checks of what the contract spells out.
    let schemas = &doc["components"]["schemas"];
    let sync = &doc["paths"]["/api/v1/sync"]["post"];
    assert_eq!(
        sync["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/SyncRequest"
    );
    assert_eq!(
        schemas["SyncRequest"]["properties"]["mutations"]["items"]["$ref"],
        "#/components/schemas/SyncMutation"
    );
    for field in [
        "id",
        "participant_id",
        "entry_id",
        "op",
        "kind",
        "recorded_at",
    ] {
        assert!(
            schemas["SyncMutation"]["required"]
                .as_array()
                .unwrap()
                .contains(&Value::from(field)),
            "SyncMutation.{field}"
        );
    }
    let entry = &schemas["Entry"]["properties"];
    for field in [
        "id",
        "participant_id",
        "kind",
        "version",
        "status",
        "data",
        "classification",
        "entered_by",
        "entered_by_role",
        "device_id",
        "recorded_at",
        "received_at",
        "late",
    ] {
        assert!(entry.get(field).is_some(), "entry.{field}");
    }
    let data = serde_json::to_string(&schemas["EntryData"]).unwrap();
    for kind in ["GlucoseData", "InsulinData", "HypoData"] {
        assert!(data.contains(kind), "EntryData lacks {kind}: {data}");
    }
    assert_eq!(schemas["GlucoseUnit"]["enum"], json!(["mg/dL", "mmol/L"]));
    for field in [
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "user",
    ] {
        assert!(
            schemas["TokenResponse"]["properties"].get(field).is_some(),
            "TokenResponse.{field}"
        );
    }
    assert_eq!(
        schemas["Role"]["enum"],
        json!(["admin", "investigator", "participant", "guardian"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_is_served() {
    let app = spawn_app(Db::Sqlite).await;
    let doc = document(&app).await;

    // What the router answers for routes it does not have, to tell apart
    // from a handler's answer.
    let (status, unknown) = status_of(&app, "get", "/api/v1/no-such-route").await;
    assert_eq!(status, 404);
    let (status, _) = status_of(&app, "put", "/api/v1/sync").await;
    assert_eq!(status, 405, "a path with other methods answers 405");
    for (method, path) in NOT_YET_SERVED {
        let (status, body) = status_of(&app, method, &concrete(path)).await;
        assert_eq!((status, &body), (404, &unknown), "{method} {path}");
    }

    let operations = operations(&doc);
    assert!(operations.len() >= CONTRACT.len() + EXTENSIONS.len());
    for (method, path, operation) in operations {
        // No credentials and no body: signed-in routes check the caller
        // before anything else, so they answer 401; the others answer
        // whatever a missing body earns, never "no such route".
        let (status, body) = status_of(&app, &method, &concrete(&path)).await;
        let route = format!("{method} {path}");
        assert_ne!(status, 405, "{route} is not served with this method");
        assert_ne!(status, 404, "{route} is not served: {body}");
        if operation.get("security").is_some() {
            assert_eq!(status, 401, "{route}: {body}");
        } else {
            assert_ne!(status, 401, "{route} is documented as open: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_match_the_documented_schemas() {
    let app = spawn_app(Db::Sqlite).await;
    demo::seed_study(app.store.as_ref(), &AuditContext::command_line())
        .await
        .unwrap();
    let doc = document(&app).await;
    let mut c = Conformance {
        app: &app,
        doc,
        succeeded: BTreeSet::new(),
    };
    let demo_site = app
        .store
        .site_by_code(demo::SITE_CODE)
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin = staff(&app, "admin.one", Role::Admin).await;

    let who = walk_accounts::signing_in(&mut c, admin, demo_site).await;
    walk_accounts::sites(&mut c, &who).await;
    walk_accounts::participants(&mut c, &who).await;
    walk_diary::diary(&mut c, &who).await;
    walk_diary::alerts(&mut c, &who).await;
    walk_study::study_settings(&mut c, &who).await;
    walk_diary::alert_stream(&mut c, &who).await;
    walk_study::visit_schedule(&mut c, &who).await;
    walk_study::labs_and_outcomes(&mut c, &who).await;
    walk_study::exports(&mut c, &who).await;
    walk_accounts::sessions(&mut c, &who).await;

    // Every documented route has had a success answer checked.
    let documented: BTreeSet<(String, String)> = operations(&c.doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let untried: Vec<_> = documented.difference(&c.succeeded).collect();
    assert!(untried.is_empty(), "no success checked for {untried:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_links_made_resources_and_names_the_study_visits() {
    let app = spawn_app(Db::Sqlite).await;
    let doc = document(&app).await;
    let by_id: BTreeMap<String, &Value> = operations(&doc)
        .into_iter()
        .map(|(_, _, op)| {
            (
                op["operationId"].as_str().unwrap_or_default().to_owned(),
                op,
            )
        })
        .collect();

    // Links from what makes a resource to what reads it, each to a real
    // operation and one of its parameters.
    let mut links = 0;
    for (id, op) in &by_id {
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                links += 1;
                let to = link["operationId"].as_str().unwrap_or_default();
                let target = by_id
                    .get(to)
                    .unwrap_or_else(|| panic!("{id} {status} {name}: no operation {to:?}"));
                for parameter in link["parameters"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|p| p.0)
                {
                    assert!(
                        target["parameters"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|p| p["name"] == parameter.as_str()),
                        "{id} {status} {name}: {to} has no parameter {parameter}"
                    );
                }
            }
        }
    }
    for (from, status, to) in [
        ("create_participant", "201", "list_entries"),
        ("create_lab", "201", "correct_lab"),
        ("create_site", "201", "put_site_contacts"),
    ] {
        let response = &by_id[from]["responses"][status];
        assert!(
            response["links"]
                .as_object()
                .into_iter()
                .flatten()
                .any(|(_, l)| l["operationId"] == to),
            "{from} {status} links no {to}: {response}"
        );
    }
    assert!(links >= 20, "{links} links");

    // A lab names one of the study's visits, as it stands now.
    let schemas = &doc["components"]["schemas"];
    let visits = schemas["VisitCode"]["enum"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for code in ["baseline", "month_3", "unscheduled"] {
        assert!(visits.contains(&json!(code)), "{visits:?}");
    }
    // A correction is a lab as entered plus its version and reason: every
    // variant of the one is a variant of the other (issue 12: the derived
    // schema could not be satisfied).
    let input = schemas["LabInput"]["oneOf"].as_array().unwrap();
    let correction = schemas["LabCorrection"]["oneOf"].as_array().unwrap();
    assert_eq!(input.len(), correction.len());
    for (i, c) in input.iter().zip(correction) {
        let mut required = i["required"].as_array().unwrap().clone();
        required.extend([json!("base_version"), json!("reason")]);
        assert_eq!(c["required"], json!(required));
        assert_eq!(c["properties"]["unit"], i["properties"]["unit"]);
    }
    // Operations that read a body say what a body that is not JSON gets.
    for (id, op) in &by_id {
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415"] {
                assert!(op["responses"].get(status).is_some(), "{id}: no {status}");
            }
        }
    }
}
