//! The web app's online diary: the participants the signed-in user logs for,
//! their entries, and saving a new entry through the same sync the phones
//! use. (The offline phone app keeps its own outbox; this is the path for a
//! browser with a connection.)

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{domain::entry::Kind, error::AppError};

/// A participant whose diary the user keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryOwner {
    pub participant_id: Uuid,
    pub study_id: String,
    /// The site's emergency number and the study's advice: shown the moment
    /// a severe or potentially serious event is saved, even with no network.
    pub emergency: Emergency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emergency {
    pub phone: String,
    pub advice_en: String,
    pub advice_zh: String,
}

/// One version of an entry as the web app lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiaryRow {
    pub entry_id: Uuid,
    pub version: i64,
    pub kind: Kind,
    pub voided: bool,
    /// The contract's `data`, as JSON text.
    pub data: String,
    pub ada_level: Option<u8>,
    pub potentially_serious: bool,
    pub entered_by_role: String,
    pub recorded_at: String,
    pub late: bool,
    pub reason: Option<String>,
}

/// What became of a saved entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub entry_id: Uuid,
    pub version: i64,
    pub warnings: Vec<String>,
}

#[server(prefix = "/rpc", endpoint = "my_diaries")]
pub async fn my_diaries() -> Result<Vec<DiaryOwner>, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.owners(&parts).await)
}

/// Current entries of a participant, newest first.
#[server(prefix = "/rpc", endpoint = "diary_entries")]
pub async fn diary_entries(participant_id: Uuid) -> Result<Vec<DiaryRow>, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.entries(&parts, participant_id).await)
}

/// Every version of one entry, oldest first.
#[server(prefix = "/rpc", endpoint = "entry_versions")]
pub async fn entry_versions(entry_id: Uuid) -> Result<Vec<DiaryRow>, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.versions(&parts, entry_id).await)
}

/// Saves a new entry that happened now: `data` is the contract's `data`
/// without its time, which the server sets in the site's time zone.
#[server(prefix = "/rpc", endpoint = "log_entry")]
pub async fn log_entry(participant_id: Uuid, kind: Kind, data: String) -> Result<Saved, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(
        &response,
        service.log(&parts, participant_id, kind, data).await,
    )
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use http::request::Parts;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use uuid::Uuid;

    use super::{DiaryOwner, DiaryRow, Saved};
    use crate::{domain::entry::Kind, error::AppError};

    /// What the server provides in context for the diary's server functions.
    #[async_trait::async_trait]
    pub trait DiaryService: Send + Sync {
        async fn owners(&self, request: &Parts) -> Result<Vec<DiaryOwner>, AppError>;

        async fn entries(
            &self,
            request: &Parts,
            participant: Uuid,
        ) -> Result<Vec<DiaryRow>, AppError>;

        async fn versions(&self, request: &Parts, entry: Uuid) -> Result<Vec<DiaryRow>, AppError>;

        async fn log(
            &self,
            request: &Parts,
            participant: Uuid,
            kind: Kind,
            data: String,
        ) -> Result<Saved, AppError>;
    }

    pub type DiaryServices = Arc<dyn DiaryService>;

    pub(super) fn request() -> Result<(DiaryServices, Parts, ResponseOptions), AppError> {
        Ok((
            use_context::<DiaryServices>().ok_or(AppError::Unavailable)?,
            use_context::<Parts>().ok_or(AppError::Unavailable)?,
            use_context::<ResponseOptions>().ok_or(AppError::Unavailable)?,
        ))
    }
}
