//! What a client does and checks: a browser's session, the error shape.

/// A browser session at `base` (the server's address): its cookies as one
/// `Cookie` header, and its CSRF token.
pub async fn browser_session(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> (String, String) {
    let response = client
        .post(format!("{base}/api/v1/auth/session"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("POST /api/v1/auth/session");
    assert_eq!(response.status(), 200, "session for {username}");
    let jar: Vec<String> = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|line| line.split(';').next().unwrap_or_default().to_owned())
        .collect();
    let body: serde_json::Value = response.json().await.expect("session JSON");
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_owned();
    (jar.join("; "), csrf)
}

/// Checks the contract's error shape and returns the error code.
pub async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?}"
    );
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let code = error["code"].as_str().expect("error.code").to_owned();
    assert!(
        code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "code {code:?} is not snake_case"
    );
    (status, code)
}
