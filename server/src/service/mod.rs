//! The use cases the JSON API's handlers and the web app's server functions
//! share: the roster, a participant's review page, visit labs, outcome
//! figures, and participants with their enrolment codes. Each answers in an
//! error type of its own; `http::service_errors` turns those into the API's
//! error answers and the pages' `AppError`, so neither caller guesses what a
//! conflict was about. The layers read top-down: `http` -> `service` ->
//! `store` and `app::domain`.

pub mod labs;
pub mod outcomes;
pub mod participants;
pub mod review;
pub mod roster;

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::{
    audit::AuditContext,
    policy::{self, Actor},
    store::{Participant, Store, StoreError, User, UserLinks},
};

/// Fields that cannot be used, with what is wrong with each.
pub type Fields = BTreeMap<String, String>;

/// Who asks: the account, whom it reaches, and the audit context of the
/// request (the actor every change is attributed to).
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub user: &'a User,
    pub links: &'a UserLinks,
    pub context: &'a AuditContext,
}

impl<'a> Caller<'a> {
    /// The caller as the policy module sees them.
    pub fn actor(&self) -> Actor<'a> {
        Actor {
            role: self.user.role,
            links: self.links,
        }
    }
}

/// Reading the records failed: the database, or a stored record that no
/// longer decodes (a server fault either way).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored record does not decode: {0}")]
    Corrupt(String),
}

/// The participant, when the caller may see them; `None` for one that does
/// not exist and for one they may not see alike, so ids reveal nothing.
pub async fn visible_participant(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
) -> Result<Option<Participant>, StoreError> {
    Ok(store
        .participant(id)
        .await?
        .filter(|p| policy::may_view_participant(&caller.actor(), p)))
}
