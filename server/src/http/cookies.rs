//! The browser app's session: tokens in HttpOnly, SameSite=Strict cookies
//! (Secure except on localhost), with a double-submit CSRF token that the
//! app sends back in `X-CSRF-Token` on every state-changing request.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite, time::Duration as CookieDuration};

use crate::auth::{Grant, tokens};

pub const ACCESS: &str = "ediary_access";
pub const REFRESH: &str = "ediary_refresh";
pub const CSRF: &str = "ediary_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The refresh cookie goes only to the routes that use it.
const REFRESH_PATH: &str = "/api/v1/auth/session";

/// A fresh double-submit token: 256 random bits, hex.
pub fn new_csrf_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// A cookie of the request, by name.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Plain HTTP is only acceptable when the browser talks to this machine.
fn secure(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    !matches!(name, "localhost" | "127.0.0.1" | "[::1]")
}

fn build(
    name: &'static str,
    value: String,
    http_only: bool,
    path: &'static str,
    max_age: CookieDuration,
    secure: bool,
) -> Option<HeaderValue> {
    let cookie = Cookie::build((name, value))
        .http_only(http_only)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path(path)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The Set-Cookie headers that start or renew a browser session.
pub fn set_session(request: &HeaderMap, grant: &Grant, csrf: &str) -> Vec<HeaderValue> {
    let secure = secure(request);
    let access = CookieDuration::seconds(tokens::ACCESS_LIFETIME.num_seconds());
    let refresh = CookieDuration::seconds(tokens::REFRESH_IDLE_LIFETIME.num_seconds());
    [
        build(
            ACCESS,
            grant.access_token.clone(),
            true,
            "/",
            access,
            secure,
        ),
        build(
            REFRESH,
            grant.refresh_token.clone(),
            true,
            REFRESH_PATH,
            refresh,
            secure,
        ),
        build(CSRF, csrf.to_owned(), false, "/", refresh, secure),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The Set-Cookie headers that end a browser session.
pub fn clear_session(request: &HeaderMap) -> Vec<HeaderValue> {
    let secure = secure(request);
    let gone = CookieDuration::ZERO;
    [
        build(ACCESS, String::new(), true, "/", gone, secure),
        build(REFRESH, String::new(), true, REFRESH_PATH, gone, secure),
        build(CSRF, String::new(), false, "/", gone, secure),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// True when the request carries the CSRF cookie and the same value in the header.
pub fn csrf_ok(headers: &HeaderMap) -> bool {
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match (get(headers, CSRF), header) {
        (Some(cookie), Some(header)) if !cookie.is_empty() => {
            // Constant time: the comparison must not leak the token.
            cookie.len() == header.len()
                && cookie
                    .bytes()
                    .zip(header.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn reads_cookies_and_checks_csrf() {
        let h = headers(&[
            ("cookie", "a=1; ediary_csrf=tok; ediary_access=acc"),
            ("x-csrf-token", "tok"),
        ]);
        assert_eq!(get(&h, ACCESS).as_deref(), Some("acc"));
        assert!(csrf_ok(&h));
        assert!(!csrf_ok(&headers(&[
            ("cookie", "ediary_csrf=tok"),
            ("x-csrf-token", "tox")
        ])));
        assert!(!csrf_ok(&headers(&[("cookie", "ediary_csrf=tok")])));
        assert!(!csrf_ok(&headers(&[("x-csrf-token", "tok")])));
    }

    #[test]
    fn secure_except_on_localhost() {
        assert!(!secure(&headers(&[("host", "127.0.0.1:3000")])));
        assert!(!secure(&headers(&[("host", "localhost")])));
        assert!(secure(&headers(&[("host", "diary.example.org")])));
    }
}
