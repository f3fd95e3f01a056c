//! Response headers every answer carries: security policy and caching.

use std::{collections::HashSet, path::Path, sync::Arc};

use axum::{
    body::Body,
    extract::State,
    http::{HeaderName, HeaderValue, Request, Response, header},
    middleware::Next,
};
use tower_http::set_header::SetResponseHeaderLayer;

/// A year: for files whose name carries a hash of their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The policy for answers that are not rendered pages (those set their own,
/// with the hydration script's nonce): nothing runs, nothing is framed.
const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn security_layers() -> [SetResponseHeaderLayer<HeaderValue>; 6] {
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    [
        SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ),
        fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // The address goes only to this server: a plain form's refusal comes
        // back to the page it was sent from (server_fn reads the Referer).
        fixed(header::REFERRER_POLICY, "same-origin"),
        fixed(header::X_FRAME_OPTIONS, "DENY"),
        fixed(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        fixed(
            HeaderName::from_static("permissions-policy"),
            "camera=(self), geolocation=(), microphone=(), payment=()",
        ),
    ]
}

/// The content hashes cargo-leptos wrote next to the binary (`hash.txt`,
/// lines such as `wasm: 3f2a...`).
pub fn read_hashes(hash_file: &Path) -> HashSet<String> {
    std::fs::read_to_string(hash_file)
        .map(|text| {
            text.lines()
                .filter_map(|line| line.split_once(':'))
                .map(|(_, hash)| hash.trim().to_owned())
                .filter(|hash| !hash.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Hashed package files are cached for a year; everything else is checked
/// with the server on each use, and API answers are never stored.
pub async fn cache_control(
    State(hashes): State<Arc<HashSet<String>>>,
    request: Request<Body>,
    next: Next,
) -> Response<Body> {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let policy = if path.starts_with("/api/") || path.starts_with("/rpc/") || is_probe(&path) {
        "no-store"
    } else if response.status().is_success() && is_hashed(&path, &hashes) {
        IMMUTABLE
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz")
}

/// `/pkg/ediary.<hash>.wasm` (cargo-leptos) or `/pkg/phone-<hash>/phone.js`
/// (the phone bundle).
fn is_hashed(path: &str, hashes: &HashSet<String>) -> bool {
    // cargo-leptos hashes are base64url: they may hold '-' themselves.
    path.strip_prefix("/pkg/").is_some_and(|rest| {
        rest.split(['/', '.']).any(|part| {
            hashes.contains(part)
                || part
                    .strip_prefix("phone-")
                    .is_some_and(|hash| hashes.contains(hash))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        let hashes = HashSet::from(["abc123".to_owned(), "nD4U-nnw".to_owned()]);
        assert!(is_hashed("/pkg/ediary.nD4U-nnw.wasm", &hashes));
        assert!(is_hashed("/pkg/ediary.abc123.wasm", &hashes));
        assert!(is_hashed("/pkg/ediary.abc123.js", &hashes));
        assert!(!is_hashed("/pkg/ediary.wasm", &hashes));
        assert!(is_hashed("/pkg/phone-abc123/phone_bg.wasm", &hashes));
        assert!(!is_hashed("/pkg/phone-zzz/phone_bg.wasm", &hashes));
        assert!(!is_hashed("/favicon.abc123.svg", &hashes));
    }

    #[test]
    fn reads_cargo_leptos_hash_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hash.txt");
        std::fs::write(&file, "js: aaa\nwasm: bbb\ncss: ccc\n").unwrap();
        let hashes = read_hashes(&file);
        assert_eq!(hashes.len(), 3);
        assert!(hashes.contains("bbb"));
        assert!(read_hashes(&dir.path().join("missing.txt")).is_empty());
    }
}
