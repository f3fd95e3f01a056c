//! What a page request settles before Leptos renders it.
//!
//! - Its language: the account's saved choice, else the one this browser
//!   remembers, else `Accept-Language`, else the study's default
//!   (`app::domain::language::page_language`). The answer travels in the
//!   request's extensions (`app::i18n::PageLanguage`) into `<html lang>`.
//! - On `/`, a signed-in person goes straight to their own page (families
//!   to the diary, investigators to the roster, admins to the settings),
//!   with no page of its own in between and no WASM needed.

use axum::{
    body::Body,
    extract::State,
    http::{Method, Request, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use app::{
    domain::language::{Language, page_language},
    i18n::PageLanguage,
};

use super::cookies;
use crate::{auth, state::AppState, store::User};

/// Pages only: the API, server functions and files need no language.
fn is_page(request: &Request<Body>) -> bool {
    let path = request.uri().path();
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !["/api/", "/rpc/", "/pkg/", "/healthz", "/readyz"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
        && !path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

pub async fn prepare(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    if is_page(&request) {
        let user = signed_in(&state, request.headers()).await;
        if request.uri().path() == "/"
            && let Some(user) = &user
        {
            return Redirect::to(user.role.home()).into_response();
        }
        let language = resolve(&state, request.headers(), user.as_ref()).await;
        request.extensions_mut().insert(PageLanguage(language));
    }
    next.run(request).await
}

/// The account of the request's session cookie, if it is still good.
async fn signed_in(state: &AppState, headers: &axum::http::HeaderMap) -> Option<User> {
    let token = cookies::get(headers, cookies::ACCESS).filter(|t| !t.is_empty())?;
    auth::session_user(&state.auth, state.store.as_ref(), &token)
        .await
        .ok()
        .map(|(user, _)| user)
}

async fn resolve(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    user: Option<&User>,
) -> Language {
    let store = state.store.as_ref();
    let account = user.and_then(|user| user.language);
    let remembered =
        cookies::get(headers, cookies::LANGUAGE).and_then(|tag| Language::from_tag(&tag));
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let study_default = match store.study().await {
        Ok(study) => study.map(|s| s.default_language).unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the study's language");
            Language::default()
        }
    };
    page_language(account, remembered, accept, study_default)
}
