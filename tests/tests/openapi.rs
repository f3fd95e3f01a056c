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

use std::collections::{BTreeMap, BTreeSet};

use app::domain::account::Role;
use chrono::Duration;
use ediary_tests::{
    Db, TestApp, demo_password,
    diary::{at, glucose},
    spawn_app,
};
use reqwest::{Method, header::HeaderMap};
use secrecy::SecretString;
use serde_json::{Value, json};
use server::{audit::AuditContext, demo, password, store::NewUser};
use uuid::Uuid;

/// Every route of the contract the server has so far, as (method, path).
const CONTRACT: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/sites"),
    ("post", "/api/v1/participants"),
    ("get", "/api/v1/participants"),
    ("post", "/api/v1/participants/{id}/guardian-invitations"),
    ("post", "/api/v1/enroll"),
    ("post", "/api/v1/sync"),
    ("get", "/api/v1/participants/{id}/entries"),
    ("get", "/api/v1/entries/{id}/history"),
    ("get", "/api/v1/alerts"),
    ("get", "/api/v1/alerts/{id}"),
    ("post", "/api/v1/alerts/{id}/acknowledge"),
    ("post", "/api/v1/alerts/{id}/reported"),
    ("get", "/api/v1/alerts/stream"),
    ("post", "/api/v1/participants/{id}/labs"),
    ("get", "/api/v1/participants/{id}/labs"),
    ("get", "/api/v1/participants/{id}/summary"),
    ("get", "/api/v1/export"),
];

/// Routes of the contract not built yet. Each must be neither documented nor
/// served; whoever builds one moves it to [`CONTRACT`].
const NOT_YET_SERVED: &[(&str, &str)] = &[];

/// Routes the server has beyond the contract (extensions it allows).
const EXTENSIONS: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/mfa/setup"),
    ("post", "/api/v1/auth/session"),
    ("post", "/api/v1/auth/session/refresh"),
    ("post", "/api/v1/me/password"),
    ("get", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/{id}"),
    ("post", "/api/v1/users/{id}/disable"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/sites/{id}/contacts"),
    ("put", "/api/v1/sites/{id}/contacts"),
    ("get", "/api/v1/study/emergency-advice"),
    ("put", "/api/v1/study/emergency-advice"),
    ("get", "/api/v1/study/alert-settings"),
    ("put", "/api/v1/study/alert-settings"),
    ("put", "/api/v1/labs/{id}"),
    ("post", "/api/v1/labs/{id}/void"),
    ("get", "/api/v1/labs/{id}/history"),
    ("get", "/api/v1/study/visits"),
    ("put", "/api/v1/study/visits"),
    ("get", "/api/v1/roster"),
    ("get", "/api/v1/study/outcomes"),
    ("get", "/api/v1/sites"),
    ("put", "/api/v1/sites/{id}"),
    ("get", "/api/v1/study"),
    ("put", "/api/v1/study"),
    ("get", "/api/v1/study/outcome-settings"),
    ("put", "/api/v1/study/outcome-settings"),
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

const ERROR_REF: &str = "#/components/schemas/ApiError";

async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    response.json().await.expect("the document is JSON")
}

/// Every (method, path) the document describes, with its operation.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((method.to_owned(), path.clone(), operation));
            }
        }
    }
    out
}

fn route_set(routes: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    routes
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect()
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// `path` with each `{parameter}` replaced by what `next` gives.
fn fill(path: &str, mut next: impl FnMut() -> String) -> String {
    path.split('/')
        .map(|part| match part.starts_with('{') && part.ends_with('}') {
            true => next(),
            false => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` with its parameters made up.
fn concrete(path: &str) -> String {
    fill(path, || "0190a5d2-0000-7000-8000-000000000000".to_owned())
}

async fn status_of(app: &TestApp, method: &str, path: &str) -> (u16, Value) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let response = app
        .client
        .request(method, app.url(path))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

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

/// The schema named by `schema`'s `$ref`, or `schema` itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The property names an object schema documents, through `allOf`.
fn property_names(doc: &Value, schema: &Value, out: &mut BTreeSet<String>) {
    let schema = resolve(doc, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        out.extend(properties.keys().cloned());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        property_names(doc, part, out);
    }
}

/// Checks `value` against `schema`, for the part of JSON Schema utoipa
/// writes. Stricter than JSON Schema in one way: an object may not hold a
/// property its schema does not name (an undocumented field is drift too),
/// unless the schema names none (a free-form object).
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // Each part names only its own properties: what another part names
        // is documented.
        let mut named = BTreeSet::new();
        property_names(doc, schema, &mut named);
        let documented_elsewhere = |p: &String| {
            named
                .iter()
                .any(|k| *p == format!("{at}.{k}{UNDOCUMENTED}"))
        };
        for part in parts {
            let mut part_problems = Vec::new();
            check(doc, part, value, at, &mut part_problems);
            out.extend(
                part_problems
                    .into_iter()
                    .filter(|p| !documented_elsewhere(p)),
            );
        }
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = choices
            .iter()
            .filter(|choice| {
                let mut problems = Vec::new();
                check(doc, choice, value, at, &mut problems);
                problems.is_empty()
            })
            .count();
        if matching != 1 {
            out.push(format!("{at}: {value} matches {matching} of {choices:?}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        out.push(format!("{at}: {value} is not {expected}"));
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
        if !fits {
            out.push(format!("{at}: {value} is not of type {types:?}"));
            return;
        }
    }
    match value {
        Value::Object(map) => {
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                if !map.contains_key(name) {
                    out.push(format!("{at}: required {name} is missing"));
                }
            }
            let mut named = BTreeSet::new();
            property_names(doc, schema, &mut named);
            for (key, v) in map {
                let path = format!("{at}.{key}");
                match schema["properties"].get(key) {
                    Some(property) => check(doc, property, v, &path, out),
                    None => match schema.get("additionalProperties") {
                        Some(extra) if extra.is_object() => check(doc, extra, v, &path, out),
                        _ if !named.is_empty() && !named.contains(key) => {
                            out.push(format!("{path}{UNDOCUMENTED}"))
                        }
                        _ => {}
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    check(doc, item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

const UNDOCUMENTED: &str = ": undocumented field";

/// Calls routes and checks each request and answer against the document.
struct Conformance<'a> {
    app: &'a TestApp,
    doc: Value,
    /// (method, documented path) answered with a success.
    succeeded: BTreeSet<(String, String)>,
}

impl Conformance<'_> {
    /// Calls the documented `path` with its parameters filled from `args`,
    /// in order, and `query` appended; checks the answer (its status
    /// included) against the document, and the request body too when the
    /// server accepted it.
    #[allow(clippy::too_many_arguments)]
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        args: &[&dyn std::fmt::Display],
        query: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let (status, value, _) = self
            .call_with(&[], method, path, args, query, token, body)
            .await;
        (status, value)
    }

    /// [`Self::call`] with more headers; the answer's headers too.
    #[allow(clippy::too_many_arguments)]
    async fn call_with(
        &mut self,
        headers: &[(&str, &str)],
        method: &str,
        path: &str,
        args: &[&dyn std::fmt::Display],
        query: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, HeaderMap) {
        let route = format!("{method} {path}");
        let operation = self.doc["paths"][path][method].clone();
        assert!(operation.is_object(), "{route} is not documented");
        let mut args = args.iter();
        let concrete = fill(path, || {
            args.next().expect("an argument per parameter").to_string()
        });
        let mut request = self.app.client.request(
            Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
            self.app.url(&format!("{concrete}{query}")),
        );
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let answer_headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let documented = &operation["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{route} answered {status}, which is not documented: {text}"
        );
        let value = if text.is_empty() {
            assert!(
                documented.get("content").is_none(),
                "{route} {status}: no body"
            );
            Value::Null
        } else {
            let value: Value = serde_json::from_str(&text).expect("a JSON answer");
            let schema = &documented["content"]["application/json"]["schema"];
            let mut problems = Vec::new();
            check(&self.doc, schema, &value, "answer", &mut problems);
            assert!(
                problems.is_empty(),
                "{route} {status}: {problems:#?}\n{value:#}"
            );
            value
        };
        // What the server accepted, the request schema must accept too.
        if (200..300).contains(&status) {
            if let Some(body) = &body {
                let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
                let mut problems = Vec::new();
                check(&self.doc, schema, body, "request", &mut problems);
                assert!(problems.is_empty(), "{route} request: {problems:#?}");
            }
            self.succeeded.insert((method.to_owned(), path.to_owned()));
        }
        (status, value, answer_headers)
    }
}

/// A staff account made the way `ediary user create` makes it; its token.
async fn staff(app: &TestApp, username: &str, role: Role) -> String {
    let password = "a long staff password";
    let user = NewUser {
        id: Uuid::now_v7(),
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: password::hash(SecretString::from(password)).await.unwrap(),
    };
    app.store
        .create_user(&user, &[], &AuditContext::command_line())
        .await
        .unwrap();
    app.login(username, password).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn demo_login(username: &str) -> Value {
    json!({"username": username, "password": demo_password(username)})
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
    let token = |answer: &Value| answer["access_token"].as_str().unwrap().to_owned();

    // Probes and this document.
    c.call("get", "/healthz", &[], "", None, None).await;
    c.call("get", "/readyz", &[], "", None, None).await;
    c.call("get", "/api/openapi.json", &[], "", None, None)
        .await;

    // Accounts.
    let login = Some(demo_login("demo.investigator"));
    let (_, answer) = c
        .call("post", "/api/v1/auth/login", &[], "", None, login)
        .await;
    let investigator = token(&answer);
    let login = Some(demo_login("demo.guardian"));
    let (_, answer) = c
        .call("post", "/api/v1/auth/login", &[], "", None, login)
        .await;
    let refresh = Some(json!({"refresh_token": answer["refresh_token"]}));
    let (_, answer) = c
        .call("post", "/api/v1/auth/refresh", &[], "", None, refresh)
        .await;
    let guardian = token(&answer);
    let (_, me) = c
        .call("get", "/api/v1/me", &[], "", Some(&guardian), None)
        .await;
    let child: Uuid = me["participant_ids"][0].as_str().unwrap().parse().unwrap();
    let login = Some(demo_login("demo.teen"));
    let (_, session, set) = c
        .call_with(&[], "post", "/api/v1/auth/session", &[], "", None, login)
        .await;
    let jar = set
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let csrf = session["csrf_token"].as_str().unwrap();
    let browser = [("cookie", jar.as_str()), ("x-csrf-token", csrf)];
    let renew = "/api/v1/auth/session/refresh";
    let (status, _, _) = c
        .call_with(&browser, "post", renew, &[], "", None, None)
        .await;
    assert_eq!(status, 200);
    let login = Some(demo_login("demo.investigator"));
    let (status, _) = c
        .call("post", "/api/v1/auth/mfa/setup", &[], "", None, login)
        .await;
    assert_eq!(status, 200);
    let wrong = Some(json!({"username": "demo.teen", "password": "not it at all"}));
    let (status, _) = c
        .call("post", "/api/v1/auth/login", &[], "", None, wrong)
        .await;
    assert_eq!(status, 401);

    // Sites.
    let site = json!({"code": "QD2", "name": "Second site", "timezone": "Asia/Shanghai",
                      "emergency_phone": "+86 532 0000 0000"});
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&admin),
            Some(site.clone()),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&admin),
            Some(site.clone()),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/sites",
            &[],
            "",
            Some(&guardian),
            Some(site),
        )
        .await;
    assert_eq!(status, 403);
    let bad =
        json!({"code": "no", "name": "", "timezone": "Mars/Base", "emergency_phone": "call me"});
    let (status, error) = c
        .call("post", "/api/v1/sites", &[], "", Some(&admin), Some(bad))
        .await;
    assert_eq!(status, 422);
    assert!(error["error"]["fields"]["timezone"].is_string(), "{error}");

    // Participants and enrolment.
    let new = json!({"site_id": demo_site, "study_id": "DEMO-901", "birth_year": 2014,
                     "diagnosis_date": "2026-10-20", "weight_kg": 31.5});
    let (status, created) = c
        .call(
            "post",
            "/api/v1/participants",
            &[],
            "",
            Some(&investigator),
            Some(new),
        )
        .await;
    assert_eq!(status, 201);
    let participant = created["participant"]["id"].as_str().unwrap().to_owned();
    let (_, invitation) = c
        .call(
            "post",
            "/api/v1/participants/{id}/guardian-invitations",
            &[&participant],
            "",
            Some(&investigator),
            Some(json!({})),
        )
        .await;
    let enrol = |code: &Value| {
        Some(
            json!({"code": code, "username": "new.teen", "password": "family password 1",
                    "display_name": "New"}),
        )
    };
    let (status, _) = c
        .call(
            "post",
            "/api/v1/enroll",
            &[],
            "",
            None,
            enrol(&created["enrollment_code"]),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = c
        .call(
            "post",
            "/api/v1/enroll",
            &[],
            "",
            None,
            enrol(&invitation["enrollment_code"]),
        )
        .await;
    assert_eq!(status, 409);
    for query in ["?limit=1", "?limit=0"] {
        c.call(
            "get",
            "/api/v1/participants",
            &[],
            query,
            Some(&investigator),
            None,
        )
        .await;
    }

    // The diary: an entry of each kind, a bad mutation, a void, a resend.
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
            Some(&guardian),
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
            Some(&guardian),
            Some(batch),
        )
        .await;
    assert_eq!(again["results"][0]["status"], "duplicate", "{again:#}");
    let envelope = Some(json!({"device_id": Uuid::new_v4(), "mutations": "none"}));
    let (status, _) = c
        .call("post", "/api/v1/sync", &[], "", Some(&guardian), envelope)
        .await;
    assert_eq!(status, 422);
    let entries = "/api/v1/participants/{id}/entries";
    c.call("get", entries, &[&child], "?limit=2", Some(&guardian), None)
        .await;
    let history = "/api/v1/entries/{id}/history";
    c.call("get", history, &[&dose], "", Some(&guardian), None)
        .await;
    let (status, _) = c
        .call(
            "get",
            history,
            &[&Uuid::now_v7()],
            "",
            Some(&guardian),
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
        Some(&investigator),
        None,
    )
    .await;

    // Alerts: the event above was severe and potentially serious.
    let (_, page) = c
        .call("get", "/api/v1/alerts", &[], "", Some(&investigator), None)
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
        Some(&investigator),
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
            Some(&investigator),
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
            Some(&investigator),
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
            Some(&investigator),
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
            Some(&admin),
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
            Some(&admin),
            bad,
        )
        .await;
    assert_eq!(status, 422);
    c.call(
        "get",
        "/api/v1/sites/{id}/contacts",
        &[&demo_site],
        "",
        Some(&admin),
        None,
    )
    .await;
    let (status, _) = c
        .call("get", "/api/v1/sites", &[], "", Some(&admin), None)
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
            Some(&admin),
            site_change,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call("get", "/api/v1/study", &[], "", Some(&admin), None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = c
        .call(
            "get",
            "/api/v1/study/outcome-settings",
            &[],
            "",
            Some(&admin),
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
            Some(&admin),
            days,
        )
        .await;
    assert_eq!(status, 200);
    let name = Some(json!({"name": "DEMO: renamed"}));
    let (status, _) = c
        .call("put", "/api/v1/study", &[], "", Some(&admin), name)
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
            Some(&admin),
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
            Some(&guardian),
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
            Some(&guardian),
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
            Some(&admin),
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
            Some(&admin),
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
            Some(&investigator),
            None,
        )
        .await;
    assert_eq!(read["repeat_window_hours"], 12);
    // The stream never ends: its answer is checked by its headers.
    let stream = app
        .client
        .get(app.url("/api/v1/alerts/stream"))
        .bearer_auth(&investigator)
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

    // The visit schedule.
    let (_, schedule) = c
        .call(
            "get",
            "/api/v1/study/visits",
            &[],
            "",
            Some(&investigator),
            None,
        )
        .await;
    let (status, _) = c
        .call(
            "put",
            "/api/v1/study/visits",
            &[],
            "",
            Some(&admin),
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
            Some(&admin),
            Some(json!({"visits": []})),
        )
        .await;
    assert_eq!(status, 422);

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
            Some(&investigator),
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
            Some(&investigator),
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
            Some(&guardian),
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
            Some(&investigator),
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
            Some(&investigator),
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
            Some(&investigator),
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
            Some(&guardian),
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
            Some(&investigator),
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
            Some(&investigator),
            None,
        )
        .await;
    assert_eq!((status, &figures["window"]["days"]), (200, &json!(14)));
    let (status, roster) = c
        .call("get", "/api/v1/roster", &[], "", Some(&investigator), None)
        .await;
    assert_eq!(status, 200);
    assert!(!roster["items"].as_array().unwrap().is_empty());
    let (status, study) = c
        .call(
            "get",
            "/api/v1/study/outcomes",
            &[],
            "",
            Some(&investigator),
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
            Some(&investigator),
            None,
        )
        .await;
    assert_eq!(status, 422);

    // Exports are files, not JSON: checked by status and type.
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
            .bearer_auth(&investigator)
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
            Some(&investigator),
            None,
        )
        .await;
    assert_eq!(status, 422);

    // Sessions and accounts: the investigator on a second device too.
    let login = Some(demo_login("demo.investigator"));
    c.call("post", "/api/v1/auth/login", &[], "", None, login)
        .await;
    let (_, sessions) = c
        .call(
            "get",
            "/api/v1/sessions",
            &[],
            "",
            Some(&investigator),
            None,
        )
        .await;
    let other = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .expect("the investigator's other session")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.call(
        "delete",
        "/api/v1/sessions/{id}",
        &[&other],
        "",
        Some(&investigator),
        None,
    )
    .await;
    let change = json!({"current_password": demo_password("demo.investigator"),
                        "new_password": "a brand new passphrase"});
    let (status, _) = c
        .call(
            "post",
            "/api/v1/me/password",
            &[],
            "",
            Some(&investigator),
            Some(change),
        )
        .await;
    assert_eq!(status, 204);
    let teen = app
        .store
        .user_by_username("new.teen")
        .await
        .unwrap()
        .unwrap()
        .id;
    let why = Some(json!({"reason": "left the study"}));
    c.call(
        "post",
        "/api/v1/users/{id}/disable",
        &[&teen],
        "",
        Some(&admin),
        why,
    )
    .await;
    c.call(
        "post",
        "/api/v1/auth/logout",
        &[],
        "",
        Some(&guardian),
        Some(json!({})),
    )
    .await;
    let (status, _) = c
        .call("get", "/api/v1/me", &[], "", Some(&guardian), None)
        .await;
    assert_eq!(status, 401);

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
