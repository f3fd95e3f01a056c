//! The one error type of the HTTP API and its JSON shape:
//! `{"error": {"code", "message", "fields"?}}`.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::{FromRequest, Request, rejection::JsonRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::value::RawValue;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("authentication required")]
    Unauthorized { code: &'static str, message: String },
    #[error("not allowed")]
    Forbidden,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than the limit")]
    PayloadTooLarge,
    /// 413 for a body within the byte limit that holds too many items.
    #[error("{0}")]
    TooManyItems(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Unprocessable { fields: BTreeMap<String, String> },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Every error answer of the API (`ApiError` in the OpenAPI document).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ApiError)]
pub(super) struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ApiErrorDetail)]
struct Detail<'a> {
    /// A stable snake_case code, such as `validation_failed`.
    code: &'a str,
    /// A sentence for people.
    message: &'a str,
    /// Validation problems only: what is wrong, by field path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = BTreeMap<String, String>, required = false)]
    fields: Option<&'a BTreeMap<String, String>>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge | Self::TooManyItems(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error a bare status stands for, when a layer below answered with
    /// one (axum's own 405, tower-http's 413, ...).
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthorized {
                code: "unauthorized",
                message: "Sign in first.".into(),
            },
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::TOO_MANY_REQUESTS => Self::TooManyRequests {
                retry_after_secs: 1,
            },
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_client_error() => Self::BadRequest {
                code: "bad_request",
                message: "The request could not be understood.".into(),
            },
            s => Self::Internal(format!("status {s} from a lower layer")),
        }
    }

    fn code(&self) -> &str {
        match self {
            Self::BadRequest { code, .. } | Self::Unauthorized { code, .. } => code,
            Self::Forbidden => "forbidden",
            Self::Csrf => "csrf_failed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict(_) => "conflict",
            Self::PayloadTooLarge | Self::TooManyItems(_) => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unprocessable { .. } => "validation_failed",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::BadRequest { message, .. } | Self::Unauthorized { message, .. } => {
                message.clone()
            }
            Self::Forbidden => "You are not allowed to do this.".into(),
            Self::Csrf => {
                "The request did not come from the diary app. Reload the page and try again.".into()
            }
            Self::NotFound => "There is nothing at this address, or you may not see it.".into(),
            Self::MethodNotAllowed => "This address does not accept that method.".into(),
            Self::Conflict(message) => message.clone(),
            Self::PayloadTooLarge => "The request body is larger than the limit.".into(),
            Self::TooManyItems(message) => message.clone(),
            Self::UnsupportedMediaType => "Send the body as application/json.".into(),
            Self::Unprocessable { .. } => "Some fields are not valid.".into(),
            Self::TooManyRequests { .. } => {
                "Too many attempts. Wait a moment and try again.".into()
            }
            Self::Unavailable => "The service is unavailable right now. Try again shortly.".into(),
            // The cause goes to the log, never to the client.
            Self::Internal(_) => "Something went wrong on the server. It has been logged.".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let fields = match &self {
            Self::Unprocessable { fields } => Some(fields),
            _ => None,
        };
        let message = self.message();
        let body = Body {
            error: Detail {
                code: self.code(),
                message: &message,
                fields,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Self::TooManyRequests { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate(what) => Self::Conflict(format!("{what} already exists.")),
            StoreError::NotFound(_) => Self::NotFound,
            other => Self::Internal(other.to_string()),
        }
    }
}

/// `Json<T>` whose rejections are [`ApiError`]s, so a malformed body gets the
/// contract's error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // axum's checks (content type, size, JSON syntax), nothing built yet.
        let Json(raw) = Json::<Box<RawValue>>::from_request(req, state).await?;
        let unreadable =
            |e: serde_path_to_error::Error<serde_json::Error>| ApiError::Unprocessable {
                fields: BTreeMap::from([(
                    "body".to_owned(),
                    format!("Failed to deserialize the JSON body into the target type: {e}"),
                )]),
            };
        let as_sent =
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(raw.get()));
        match as_sent {
            Ok(body) => Ok(Self(body)),
            // Only a body that does not read as sent is read again with its
            // integral numbers as integers: one that reads is never changed
            // (sync keeps and hashes each mutation as the client wrote it).
            Err(first) => {
                let mut value: serde_json::Value = serde_json::from_str(raw.get())
                    .map_err(|e| ApiError::Internal(format!("checked JSON did not parse: {e}")))?;
                if integral_floats_as_integers(&mut value) {
                    serde_path_to_error::deserialize(value)
                        .map(Self)
                        .map_err(unreadable)
                } else {
                    Err(unreadable(first))
                }
            }
        }
    }
}

/// JSON has one number type: `3.0` is the integer 3 (JSON Schema says so
/// too, and clients in languages with only doubles send it), but serde
/// refuses it for an integer field. Integral numbers within i64 become
/// integers; other numbers stay as sent. Whether anything changed.
fn integral_floats_as_integers(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => {
                *n = serde_json::Number::from(f as i64);
                true
            }
            _ => false,
        },
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            integral_floats_as_integers(item) | changed
        }),
        serde_json::Value::Object(map) => map.values_mut().fold(false, |changed, item| {
            integral_floats_as_integers(item) | changed
        }),
        _ => false,
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            JsonRejection::JsonDataError(e) => Self::Unprocessable {
                fields: BTreeMap::from([("body".to_owned(), e.body_text())]),
            },
            JsonRejection::JsonSyntaxError(e) => Self::BadRequest {
                code: "malformed_json",
                message: format!("The body is not valid JSON: {}", e.body_text()),
            },
            rejection if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::PayloadTooLarge
            }
            rejection => Self::BadRequest {
                code: "bad_request",
                message: rejection.body_text(),
            },
        }
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use axum::{Router, body::Body, http::Request, routing::post};
    use serde::Deserialize;
    use tower::ServiceExt;

    use super::*;

    #[derive(Deserialize)]
    struct Login {
        #[allow(dead_code)]
        username: String,
    }

    async fn answer(
        content_type: Option<&str>,
        body: impl Into<Body>,
    ) -> (StatusCode, serde_json::Value) {
        let app = Router::new()
            .route(
                "/login",
                post(|ApiJson(_): ApiJson<Login>| async { StatusCode::NO_CONTENT }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(1024));
        let mut request = Request::post("/login");
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let response = app
            .oneshot(request.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    #[tokio::test]
    async fn malformed_bodies_get_the_error_shape() {
        let json = Some("application/json");
        let cases: [(Option<&str>, Body, StatusCode, &str); 5] = [
            (
                json,
                Body::from("{\"username\": "),
                StatusCode::BAD_REQUEST,
                "malformed_json",
            ),
            (
                json,
                Body::from("[1, 2]"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            ),
            (
                json,
                Body::from("{\"name\": \"x\"}"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            ),
            (
                None,
                Body::from("{\"username\": \"x\"}"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                json,
                Body::from(format!("{{\"username\": \"{}\"}}", "x".repeat(2048))),
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
        ];
        for (content_type, body, status, code) in cases {
            let (got_status, got) = answer(content_type, body).await;
            assert_eq!(got_status, status, "{got}");
            assert_eq!(got["error"]["code"], code, "{got}");
            assert!(
                got["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
        let (status, _) = answer(json, Body::from("{\"username\": \"mei\"}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    #[tokio::test]
    async fn a_body_that_reads_as_sent_is_not_changed() {
        #[derive(Deserialize)]
        struct Batch {
            year: i32,
            raw: serde_json::Value,
        }
        let app = Router::new().route(
            "/",
            post(|ApiJson(b): ApiJson<Batch>| async move { Json(json_of(b.year, b.raw)) }),
        );
        fn json_of(year: i32, raw: serde_json::Value) -> serde_json::Value {
            serde_json::json!({"year": year, "raw": raw.to_string()})
        }
        for (body, year, raw) in [
            // Reads as sent: the raw part keeps its `5.0`.
            (r#"{"year": 2012, "raw": {"v": 5.0}}"#, 2012, r#"{"v":5.0}"#),
            // Reads only with 2012.0 as an integer.
            (r#"{"year": 2012.0, "raw": {"v": 5.0}}"#, 2012, r#"{"v":5}"#),
        ] {
            let response = app
                .clone()
                .oneshot(
                    Request::post("/")
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{body}");
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let got: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(got, serde_json::json!({"year": year, "raw": raw}), "{body}");
        }
    }

    #[test]
    fn integral_numbers_read_as_integers() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Numbers {
            year: i32,
            days: Vec<i64>,
            weight: f64,
        }
        let mut value = serde_json::json!({"year": 2012.0, "days": [3.0, -7.0], "weight": 41.0});
        assert!(integral_floats_as_integers(&mut value));
        let read: Numbers = serde_json::from_value(value).unwrap();
        assert_eq!(
            read,
            Numbers {
                year: 2012,
                days: vec![3, -7],
                weight: 41.0
            }
        );
        for kept in [serde_json::json!(2.5), serde_json::json!(1e300)] {
            let mut value = kept.clone();
            assert!(!integral_floats_as_integers(&mut value));
            assert_eq!(value, kept);
        }
    }

    #[test]
    fn internal_errors_never_reach_the_client() {
        let response = ApiError::Internal("password=hunter2 at db.internal".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let message = ApiError::Internal("secret detail".into()).message();
        assert!(!message.contains("secret detail"));
    }

    #[test]
    fn throttled_answers_say_when_to_retry() {
        let response = ApiError::TooManyRequests {
            retry_after_secs: 42,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}
