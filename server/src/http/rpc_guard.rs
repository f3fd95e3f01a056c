//! Proof that a server function call comes from the app. The web app's
//! server functions (`/rpc/*`) act with the session cookie, which the
//! browser attaches to any request to this server, whichever page makes
//! it; `SameSite=Strict` keeps it off cross-site requests in today's
//! browsers, but not off those of a sibling site, an old browser, or a
//! sign-in form that logs the victim into the attacker's account. So every
//! server function that changes anything (sign-in included) needs the
//! double-submit token (`X-CSRF-Token` equal to the CSRF cookie) or an
//! `Origin` that names this server; reads need neither, since another page
//! cannot read what they answer.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{cookies, error::ApiError};
use crate::state::AppState;

/// The server functions that change nothing: they need no proof. A new
/// server function is guarded unless it is named here.
const READ_ONLY: &[&str] = &[
    "my_sites",
    "inbox",
    "study_info",
    "study_outcomes",
    "roster",
    "participant_review",
    "my_sessions",
    "who_am_i",
    "diary_profile",
    "nav_info",
];

pub async fn require_the_app(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let guarded = request
        .uri()
        .path()
        .strip_prefix("/rpc/")
        .is_some_and(|name| !READ_ONLY.contains(&name));
    if guarded
        && !cookies::csrf_ok(request.headers())
        && !same_origin(request.headers(), &state.public_url)
    {
        tracing::warn!(path = %request.uri().path(), "server function call without proof of origin refused");
        return ApiError::Csrf.into_response();
    }
    next.run(request).await
}

/// Whether the request's `Origin` is this server: the host the request was
/// sent to, or the configured public URL.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
    else {
        return false;
    };
    if matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site" | "same-site")
    ) {
        return false;
    }
    let authority = |url: &url::Url| {
        url.host_str()
            .map(|host| match url.port_or_known_default() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
    };
    let Some(origin_authority) = authority(&origin) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| url::Url::parse(&format!("{}://{h}", origin.scheme())).ok());
    let public = url::Url::parse(public_url).ok();
    host.as_ref().and_then(authority).as_deref() == Some(origin_authority.as_str())
        || public
            .as_ref()
            .is_some_and(|p| p.origin() == origin.origin())
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::same_origin;

    #[test]
    fn origins() {
        // Origin, Host, Sec-Fetch-Site, then whether it is this server.
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, bool);
        let cases: [Case; 9] = [
            (
                Some("http://127.0.0.1:3000"),
                Some("127.0.0.1:3000"),
                None,
                true,
            ),
            (
                Some("https://diary.example.org"),
                Some("diary.example.org"),
                None,
                true,
            ),
            (
                Some("https://diary.example.org"),
                Some("diary.example.org:443"),
                None,
                true,
            ),
            (
                Some("https://evil.example"),
                Some("diary.example.org"),
                None,
                false,
            ),
            (
                Some("http://127.0.0.1:3001"),
                Some("127.0.0.1:3000"),
                None,
                false,
            ),
            (None, Some("127.0.0.1:3000"), None, false),
            (Some("null"), Some("127.0.0.1:3000"), None, false),
            // Behind a proxy that rewrites Host: the public URL.
            (
                Some("https://diary.example.org"),
                Some("127.0.0.1:3000"),
                None,
                true,
            ),
            (
                Some("http://127.0.0.1:3000"),
                Some("127.0.0.1:3000"),
                Some("cross-site"),
                false,
            ),
        ];
        for (origin, host, fetch_site, expected) in cases {
            let mut headers = HeaderMap::new();
            for (name, value) in [
                ("origin", origin),
                ("host", host),
                ("sec-fetch-site", fetch_site),
            ] {
                if let Some(value) = value {
                    headers.insert(name, HeaderValue::from_str(value).unwrap());
                }
            }
            assert_eq!(
                same_origin(&headers, "https://diary.example.org"),
                expected,
                "{origin:?} {host:?} {fetch_site:?}"
            );
        }
    }
}
