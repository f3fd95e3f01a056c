//! Calls that check themselves: each request and answer against the
//! document, and the routes answered with a success.

use std::collections::BTreeSet;

use app::domain::account::Role;
use ediary_tests::{TestApp, demo_password};
use reqwest::{Method, header::HeaderMap};
use secrecy::SecretString;
use serde_json::{Value, json};
use server::{audit::AuditContext, password, store::NewUser};
use uuid::Uuid;

use super::{document::fill, schema::check};

/// Calls routes and checks each request and answer against the document.
pub(super) struct Conformance<'a> {
    pub(super) app: &'a TestApp,
    pub(super) doc: Value,
    /// (method, documented path) answered with a success.
    pub(super) succeeded: BTreeSet<(String, String)>,
}

impl Conformance<'_> {
    /// Calls the documented `path` with its parameters filled from `args`,
    /// in order, and `query` appended; checks the answer (its status
    /// included) against the document, and the request body too when the
    /// server accepted it.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn call(
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
    pub(super) async fn call_with(
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

/// Who the walk calls as, and what it works on.
pub(super) struct Callers {
    pub(super) admin: String,
    pub(super) investigator: String,
    pub(super) guardian: String,
    /// The demo guardian's child.
    pub(super) child: Uuid,
    pub(super) demo_site: Uuid,
}

/// A staff account made the way `ediary user create` makes it; its token.
pub(super) async fn staff(app: &TestApp, username: &str, role: Role) -> String {
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

pub(super) fn demo_login(username: &str) -> Value {
    json!({"username": username, "password": demo_password(username)})
}
