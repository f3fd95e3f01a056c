//! The study settings page talks to the JSON API from the browser, so the
//! API's checks and audit are the only ones (no second copy in server
//! functions). During server rendering nothing is fetched.

use serde::{Serialize, de::DeserializeOwned};

/// An API answer in the words shown to the admin: the contract's error
/// message and each field's problem.
pub type Answer<T> = Result<T, String>;

#[cfg(feature = "hydrate")]
fn problem(status: u16, body: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let error = &json["error"];
    let mut text = error["message"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("The server answered {status}."));
    if let Some(fields) = error["fields"].as_object() {
        for (field, why) in fields {
            text.push_str(&format!(" {field}: {}.", why.as_str().unwrap_or_default()));
        }
    }
    text
}

#[cfg(feature = "hydrate")]
async fn call<T: DeserializeOwned>(method: &str, path: &str, body: Option<String>) -> Answer<T> {
    use gloo_net::http::RequestBuilder;
    let request = RequestBuilder::new(path)
        .method(match method {
            "PUT" => gloo_net::http::Method::PUT,
            "POST" => gloo_net::http::Method::POST,
            _ => gloo_net::http::Method::GET,
        })
        .header("content-type", "application/json")
        .header("x-csrf-token", &crate::phone::sync::csrf_token());
    let request = match body {
        Some(body) => request.body(body),
        None => request.build(),
    }
    .map_err(|e| e.to_string())?;
    let response = request.send().await.map_err(|_| {
        "The server could not be reached. Check the connection and try again.".to_owned()
    })?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|e| format!("Unexpected answer: {e}"))
    } else {
        Err(problem(status, &text))
    }
}

#[cfg(not(feature = "hydrate"))]
async fn call<T: DeserializeOwned>(_: &str, _: &str, _: Option<String>) -> Answer<T> {
    Err("Loading…".into())
}

/// Owns its path, so a resource can make one on the fly.
pub fn get<T: DeserializeOwned>(path: impl Into<String>) -> impl Future<Output = Answer<T>> {
    let path = path.into();
    async move { call("GET", &path, None).await }
}

pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
) -> Answer<T> {
    let body = serde_json::to_string(body).map_err(|e| e.to_string())?;
    call(method, path, Some(body)).await
}
