//! The investigator's inbox: open alerts of their sites, acknowledging with
//! a note, and marking a potentially serious event reported.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// An alert as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxAlert {
    pub id: Uuid,
    pub study_id: String,
    pub rule: String,
    pub severity: String,
    pub status: String,
    /// On the clock of the participant's site.
    pub created_at: crate::review::SiteTime,
    /// RFC 3339, UTC: the end of the 24-hour clock of a potentially serious event.
    pub report_due_at: Option<String>,
    pub reported: bool,
    pub note: Option<String>,
    pub readings: i64,
    pub escalation_level: i64,
    /// Deliveries that failed for good.
    pub failed_deliveries: Vec<FailedDelivery>,
}

/// A message about an alert that could not be delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedDelivery {
    /// `email` or `webhook`.
    pub channel: String,
    /// The address, or a webhook's host as staff may see it.
    pub target: String,
    /// Why, as the mail server or the receiver said.
    pub error: String,
}

/// Open and acknowledged alerts of the investigator's sites, newest first.
#[server(prefix = "/rpc", endpoint = "inbox")]
pub async fn inbox() -> Result<Vec<InboxAlert>, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.inbox(&parts).await)
}

#[server(prefix = "/rpc", endpoint = "acknowledge")]
pub async fn acknowledge(id: Uuid, note: String) -> Result<InboxAlert, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.act(&parts, id, note, false).await)
}

#[server(prefix = "/rpc", endpoint = "mark_reported")]
pub async fn mark_reported(id: Uuid, note: String) -> Result<InboxAlert, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.act(&parts, id, note, true).await)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use http::request::Parts;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use uuid::Uuid;

    use super::InboxAlert;
    use crate::error::AppError;

    #[async_trait::async_trait]
    pub trait InboxService: Send + Sync {
        async fn inbox(&self, request: &Parts) -> Result<Vec<InboxAlert>, AppError>;

        async fn act(
            &self,
            request: &Parts,
            id: Uuid,
            note: String,
            reported: bool,
        ) -> Result<InboxAlert, AppError>;
    }

    pub type InboxServices = Arc<dyn InboxService>;

    pub(super) fn request() -> Result<(InboxServices, Parts, ResponseOptions), AppError> {
        Ok((
            use_context::<InboxServices>().ok_or(AppError::Unavailable)?,
            use_context::<Parts>().ok_or(AppError::Unavailable)?,
            use_context::<ResponseOptions>().ok_or(AppError::Unavailable)?,
        ))
    }
}
