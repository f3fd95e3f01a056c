//! Reading the document: fetching it, its operations and references, and
//! paths with their parameters filled in.

use ediary_tests::TestApp;
use reqwest::Method;
use serde_json::Value;

pub(super) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) const ERROR_REF: &str = "#/components/schemas/ApiError";

pub(super) async fn document(app: &TestApp) -> Value {
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
pub(super) fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
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

/// Every `$ref` in `value`.
pub(super) fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
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
pub(super) fn fill(path: &str, mut next: impl FnMut() -> String) -> String {
    path.split('/')
        .map(|part| match part.starts_with('{') && part.ends_with('}') {
            true => next(),
            false => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` with its parameters made up.
pub(super) fn concrete(path: &str) -> String {
    fill(path, || "0190a5d2-0000-7000-8000-000000000000".to_owned())
}

pub(super) async fn status_of(app: &TestApp, method: &str, path: &str) -> (u16, Value) {
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
