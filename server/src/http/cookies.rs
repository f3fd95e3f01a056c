//! The browser app's session: tokens in HttpOnly, SameSite=Strict cookies,
//! with a double-submit CSRF token that the app sends back in
//! `X-CSRF-Token` on every state-changing request. Over https (as the
//! browser reached us: see `forwarded`) they are `Secure` and carry the
//! `__Host-` prefix (`__Secure-` for the refresh cookie, whose path is
//! narrower), so no other site on the domain can set or shadow them.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite, time::Duration as CookieDuration};

use crate::auth::{Grant, tokens};

pub const ACCESS: &str = "ediary_access";
pub const REFRESH: &str = "ediary_refresh";
pub const CSRF: &str = "ediary_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The page language chosen in this browser (before or without signing in).
pub const LANGUAGE: &str = "ediary_lang";
/// The refresh cookie goes only to the routes that use it.
const REFRESH_PATH: &str = "/api/v1/auth/session";

/// A fresh double-submit token: 256 random bits, hex.
pub fn new_csrf_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// A cookie of the request, by name: the prefixed one (set over https)
/// first, then the plain one.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    let cookies: Vec<Cookie<'_>> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .collect();
    ["__Host-", "__Secure-", ""].iter().find_map(|prefix| {
        cookies
            .iter()
            .find(|c| c.name().strip_prefix(prefix) == Some(name))
            .map(|c| c.value().to_owned())
    })
}

/// The name a cookie is set under: `__Host-` needs Secure and path `/`,
/// `__Secure-` only Secure.
fn prefixed(name: &str, path: &str, secure: bool) -> String {
    match (secure, path) {
        (false, _) => name.to_owned(),
        (true, "/") => format!("__Host-{name}"),
        (true, _) => format!("__Secure-{name}"),
    }
}

fn build(
    name: &'static str,
    value: String,
    http_only: bool,
    path: &'static str,
    max_age: CookieDuration,
    secure: bool,
) -> Option<HeaderValue> {
    let cookie = Cookie::build((prefixed(name, path, secure), value))
        .http_only(http_only)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path(path)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// Remembers the page language in this browser for a year. `Lax`, unlike
/// the session's, so a link from another app (an enrolment QR code opened
/// by the camera) still finds the choice; it is no secret and grants nothing.
pub fn set_language(
    secure: bool,
    language: app::domain::language::Language,
) -> Option<HeaderValue> {
    let cookie = Cookie::build((prefixed(LANGUAGE, "/", secure), language.tag()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(CookieDuration::days(365))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The Set-Cookie headers that start or renew a browser session; `secure`
/// when the browser came over https.
pub fn set_session(secure: bool, grant: &Grant, csrf: &str) -> Vec<HeaderValue> {
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
pub fn clear_session(secure: bool) -> Vec<HeaderValue> {
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
    fn prefixed_over_https() {
        let grant = Grant {
            access_token: "a".into(),
            refresh_token: "r".into(),
            expires_in: 900,
            user: app::domain::account::UserProfile {
                id: uuid::Uuid::nil(),
                username: "u".into(),
                display_name: "U".into(),
                role: app::domain::account::Role::Participant,
                site_ids: vec![],
                participant_ids: vec![],
                language: None,
            },
        };
        let text = |secure| {
            set_session(secure, &grant, "c")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        let https = text(true);
        assert!(https[0].starts_with("__Host-ediary_access=a") && https[0].contains("Secure"));
        assert!(https[1].starts_with("__Secure-ediary_refresh=r"));
        assert!(https[2].starts_with("__Host-ediary_csrf=c"));
        let http = text(false);
        assert!(http[0].starts_with("ediary_access=a") && !http[0].contains("Secure"));
        // Either name reads back.
        let h = headers(&[("cookie", "__Host-ediary_access=x; ediary_csrf=t")]);
        assert_eq!(get(&h, ACCESS).as_deref(), Some("x"));
        assert_eq!(get(&h, CSRF).as_deref(), Some("t"));
    }
}
