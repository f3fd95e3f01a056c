//! What the phone app needs from the server besides the sync protocol: who
//! is signed in and whose diaries they keep, with each site's emergency
//! number and the study's advice. The app keeps the answer on the phone, so
//! it starts (and the emergency screen works) with no network.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{domain::account::Role, error::AppError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryProfile {
    pub user_id: Uuid,
    pub display_name: String,
    pub role: Role,
    /// A demo study holds made-up people; the app says so.
    pub is_demo: bool,
    pub owners: Vec<DiaryOwner>,
}

/// A participant whose diary the user keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiaryOwner {
    pub participant_id: Uuid,
    pub study_id: String,
    /// The participant's own account name, when they have one.
    pub name: Option<String>,
    pub emergency: Emergency,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Emergency {
    pub phone: String,
    pub advice_en: String,
    pub advice_zh: String,
}

#[server(prefix = "/rpc", endpoint = "diary_profile")]
pub async fn load_diary_profile() -> Result<DiaryProfile, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.profile(&parts).await)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use http::request::Parts;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::DiaryProfile;
    use crate::error::AppError;

    /// What the server provides in context for the diary's server function.
    #[async_trait::async_trait]
    pub trait DiaryService: Send + Sync {
        async fn profile(&self, request: &Parts) -> Result<DiaryProfile, AppError>;
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
