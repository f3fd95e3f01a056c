//! The contract's routes (`shared/docs/api.md`) and the server's own, as
//! (method, path) tables.

use std::collections::BTreeSet;

/// Every route of the contract the server has so far, as (method, path).
pub(super) const CONTRACT: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/sites"),
    ("post", "/api/v1/participants"),
    ("get", "/api/v1/participants"),
    ("post", "/api/v1/participants/{id}/guardian-invitations"),
    ("post", "/api/v1/enroll"),
    ("post", "/api/v1/sync"),
    ("get", "/api/v1/participants/{id}/entries"),
    ("get", "/api/v1/entries/{id}/history"),
    ("get", "/api/v1/alerts"),
    ("get", "/api/v1/alerts/{id}"),
    ("post", "/api/v1/alerts/{id}/acknowledge"),
    ("post", "/api/v1/alerts/{id}/reported"),
    ("get", "/api/v1/alerts/stream"),
    ("post", "/api/v1/participants/{id}/labs"),
    ("get", "/api/v1/participants/{id}/labs"),
    ("get", "/api/v1/participants/{id}/summary"),
    ("get", "/api/v1/export"),
];

/// Routes of the contract not built yet. Each must be neither documented nor
/// served; whoever builds one moves it to [`CONTRACT`].
pub(super) const NOT_YET_SERVED: &[(&str, &str)] = &[];

/// Routes the server has beyond the contract (extensions it allows).
pub(super) const EXTENSIONS: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/mfa/setup"),
    ("post", "/api/v1/auth/session"),
    ("post", "/api/v1/auth/session/refresh"),
    ("post", "/api/v1/me/password"),
    ("put", "/api/v1/me/language"),
    ("get", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/{id}"),
    ("post", "/api/v1/users/{id}/disable"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/sites/{id}/contacts"),
    ("put", "/api/v1/sites/{id}/contacts"),
    ("get", "/api/v1/study/emergency-advice"),
    ("put", "/api/v1/study/emergency-advice"),
    ("get", "/api/v1/study/alert-settings"),
    ("put", "/api/v1/study/alert-settings"),
    ("put", "/api/v1/labs/{id}"),
    ("post", "/api/v1/labs/{id}/void"),
    ("get", "/api/v1/labs/{id}/history"),
    ("get", "/api/v1/study/visits"),
    ("put", "/api/v1/study/visits"),
    ("get", "/api/v1/roster"),
    ("get", "/api/v1/study/outcomes"),
    ("get", "/api/v1/sites"),
    ("put", "/api/v1/sites/{id}"),
    ("get", "/api/v1/study"),
    ("put", "/api/v1/study"),
    ("get", "/api/v1/study/outcome-settings"),
    ("put", "/api/v1/study/outcome-settings"),
];

pub(super) fn route_set(routes: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    routes
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect()
}
