//! The study settings page talks to the JSON API from the browser, so the
//! API's checks and audit are the only ones (no second copy in server
//! functions). During server rendering nothing is fetched.

use serde::{Serialize, de::DeserializeOwned};

use crate::{
    domain::{language::Language, visits::UNSCHEDULED},
    i18n::Tr,
};

/// Why an API call gave no answer to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not asked yet: the page is being rendered on the server.
    NotLoaded,
    /// The request did not reach the server or its answer did not come back.
    Communication,
    /// An answer that is not what the API promises.
    Unexpected,
    /// The API refused: its contract's error (`{"error": {"code",
    /// "message", "fields"}}`).
    Refused {
        status: u16,
        code: String,
        message: String,
        /// Field path (`name`, `visits[2].day`) and what is wrong, in the
        /// API's English.
        fields: Vec<(String, String)>,
    },
}

/// An API answer, or why there is none.
pub type Answer<T> = Result<T, Problem>;

/// An example time zone, the demo site's.
pub const TIMEZONE_EXAMPLE: &str = "Asia/Shanghai";

impl Problem {
    /// In the page's language. English keeps the API's own words (and its
    /// field names); Chinese says each field's rule.
    pub fn message(&self, tr: Tr) -> String {
        match self {
            Problem::NotLoaded => tr.t("common-loading"),
            Problem::Communication => tr.t("errors-communication"),
            Problem::Unexpected => tr.t("settings-error-unexpected"),
            Problem::Refused {
                status,
                code,
                message,
                fields,
            } => match tr.language {
                Language::En => {
                    let mut text = if message.is_empty() {
                        tr.t_with(
                            "settings-error-status",
                            &[("status", u32::from(*status).into())],
                        )
                    } else {
                        message.clone()
                    };
                    for (field, why) in fields {
                        text.push(' ');
                        text.push_str(&tr.t_with(
                            "settings-field-problem",
                            &[("field", field.into()), ("why", why.into())],
                        ));
                    }
                    text
                }
                Language::ZhCn => refused(tr, *status, code, fields),
            },
        }
    }
}

/// A refusal in words by its stable code.
fn refused(tr: Tr, status: u16, code: &str, fields: &[(String, String)]) -> String {
    match code {
        "validation_failed" if !fields.is_empty() => fields
            .iter()
            .map(|(field, _)| field_rule(tr, field).unwrap_or_else(|| tr.t("errors-invalid-other")))
            .collect::<Vec<_>>()
            .join(" "),
        "validation_failed" | "malformed_json" | "bad_request" => tr.t("errors-invalid-other"),
        "unauthorized" | "invalid_token" => tr.t("errors-sign-in-first"),
        "forbidden" | "not_found" => tr.t("errors-not-allowed"),
        "csrf_failed" => tr.t("settings-error-csrf"),
        "conflict" => tr.t("settings-error-conflict"),
        "payload_too_large" => tr.t("settings-error-too-large"),
        "too_many_requests" => tr.t("settings-error-throttled"),
        "unavailable" | "internal_error" => tr.t("errors-unavailable"),
        _ => tr.t_with(
            "settings-error-status",
            &[("status", u32::from(status).into())],
        ),
    }
}

/// "visits[2].day" -> ("visits", 2, "day").
fn indexed(path: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = path.split_once('[')?;
    let (index, field) = rest.split_once("].")?;
    Some((list, index.parse().ok()?, field))
}

/// What the API asks of a field, in words (Chinese: the API's reasons are
/// English fragments).
fn field_rule(tr: Tr, field: &str) -> Option<String> {
    if let Some((list, index, name)) = indexed(field) {
        let n = [("n", (index + 1).into())];
        return Some(match (list, name) {
            ("visits", "code") => tr.t_with(
                "settings-invalid-visit-code",
                &[("n", (index + 1).into()), ("reserved", UNSCHEDULED.into())],
            ),
            ("visits", "name") => tr.t_with("settings-invalid-visit-name", &n),
            ("visits", "day") => tr.t_with("settings-invalid-visit-day", &n),
            ("visits", "before") => tr.t_with("settings-invalid-visit-before", &n),
            ("visits", "after") => tr.t_with("settings-invalid-visit-after", &n),
            ("contacts", "level") => tr.t_with("settings-invalid-contact-level", &n),
            ("contacts", "channel") => tr.t_with("settings-invalid-contact-channel", &n),
            ("contacts", "target") => tr.t_with("settings-invalid-contact-target", &n),
            _ => return None,
        });
    }
    Some(match field {
        "name" => tr.t("settings-invalid-name"),
        "code" => tr.t("settings-invalid-site-code"),
        "timezone" => tr.t_with(
            "settings-invalid-timezone",
            &[("example", TIMEZONE_EXAMPLE.into())],
        ),
        "emergency_phone" => tr.t("settings-invalid-emergency-phone"),
        "repeat_window_hours" => tr.t("settings-invalid-repeat-window-hours"),
        "report_within_hours" => tr.t("settings-invalid-report-within-hours"),
        "escalate_after_minutes" => tr.t("settings-invalid-escalate-after-minutes"),
        "missed_days" => tr.t("settings-invalid-missed-days"),
        "idaa1c_dose_days" => tr.t("settings-invalid-idaa1c-dose-days"),
        "en" | "zh" => tr.t("settings-invalid-advice"),
        "visits" => tr.t("settings-invalid-visits"),
        "contacts" => tr.t("settings-invalid-contacts"),
        _ => return None,
    })
}

#[cfg(any(feature = "hydrate", test))]
fn problem(status: u16, body: &str) -> Problem {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let error = &json["error"];
    let fields = error["fields"]
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(field, why)| (field.clone(), why.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Problem::Refused {
        status,
        code: error["code"].as_str().unwrap_or_default().to_owned(),
        message: error["message"].as_str().unwrap_or_default().to_owned(),
        fields,
    }
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
    .map_err(|_| Problem::Unexpected)?;
    let response = request.send().await.map_err(|_| Problem::Communication)?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if (200..300).contains(&status) {
        serde_json::from_str(&text).map_err(|_| Problem::Unexpected)
    } else {
        Err(problem(status, &text))
    }
}

#[cfg(not(feature = "hydrate"))]
async fn call<T: DeserializeOwned>(_: &str, _: &str, _: Option<String>) -> Answer<T> {
    Err(Problem::NotLoaded)
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
    let body = serde_json::to_string(body).map_err(|_| Problem::Unexpected)?;
    call(method, path, Some(body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_in_both_languages() {
        let body = r#"{"error":{"code":"validation_failed","message":"Some fields are not valid.",
            "fields":{"missed_days":"from 1 to 30","visits[1].day":"after the visit before it"}}}"#;
        let refused = problem(422, body);
        let en = refused.message(Tr::pages(Language::En));
        // The English the browser tests look for.
        assert_eq!(
            en,
            "Some fields are not valid. missed_days: from 1 to 30. visits[1].day: after the visit before it."
        );
        let zh = refused.message(Tr::pages(Language::ZhCn));
        assert!(zh.contains("30") && zh.contains("第 2 次访视"), "{zh}");
        assert_eq!(
            problem(
                409,
                r#"{"error":{"code":"conflict","message":"site already exists."}}"#
            )
            .message(Tr::pages(Language::ZhCn)),
            Tr::pages(Language::ZhCn).t("settings-error-conflict")
        );
        assert_eq!(
            problem(502, "<html>").message(Tr::pages(Language::En)),
            "The server answered 502."
        );
        assert_eq!(
            indexed("contacts[0].target"),
            Some(("contacts", 0, "target"))
        );
        assert_eq!(indexed("name"), None);
    }
}
