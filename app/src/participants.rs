//! The investigator's side of enrolment: adding a participant and handing
//! over the one-time code as text and as a QR code.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteChoice {
    pub id: Uuid,
    pub code: String,
    pub name: String,
}

/// What the investigator hands to the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEnrolment {
    pub participant_id: Uuid,
    pub study_id: String,
    /// Who the code is for: the participant, or a guardian.
    pub for_guardian: bool,
    pub code: String,
    pub link: String,
    /// The link as an SVG QR code, made on the server from the link alone.
    pub qr_svg: String,
    /// On the site's clock, with its offset.
    pub expires_at: crate::review::SiteTime,
}

/// The sites the signed-in investigator manages.
#[server(prefix = "/rpc", endpoint = "my_sites")]
pub async fn my_sites() -> Result<Vec<SiteChoice>, AppError> {
    let (workspace, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, workspace.sites(&parts).await)
}

#[server(prefix = "/rpc", endpoint = "add_participant")]
pub async fn add_participant(
    site_id: Uuid,
    study_id: String,
    birth_year: i32,
    diagnosis_date: String,
    weight_kg: Option<f64>,
) -> Result<NewEnrolment, AppError> {
    let (workspace, parts, response) = ssr::request()?;
    let result = workspace
        .add_participant(
            &parts,
            site_id,
            study_id,
            birth_year,
            diagnosis_date,
            weight_kg,
        )
        .await;
    crate::session::ssr::answer(&response, result)
}

/// A guardian invitation for a participant of the investigator's site.
#[server(prefix = "/rpc", endpoint = "invite_guardian")]
pub async fn invite_guardian(participant_id: Uuid) -> Result<NewEnrolment, AppError> {
    let (workspace, parts, response) = ssr::request()?;
    crate::session::ssr::answer(
        &response,
        workspace.invite_guardian(&parts, participant_id).await,
    )
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use http::request::Parts;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use uuid::Uuid;

    use super::{NewEnrolment, SiteChoice};
    use crate::error::AppError;

    /// What the server provides in context for the investigator's server functions.
    #[async_trait::async_trait]
    pub trait ParticipantService: Send + Sync {
        async fn sites(&self, request: &Parts) -> Result<Vec<SiteChoice>, AppError>;

        async fn add_participant(
            &self,
            request: &Parts,
            site_id: Uuid,
            study_id: String,
            birth_year: i32,
            diagnosis_date: String,
            weight_kg: Option<f64>,
        ) -> Result<NewEnrolment, AppError>;

        async fn invite_guardian(
            &self,
            request: &Parts,
            participant_id: Uuid,
        ) -> Result<NewEnrolment, AppError>;
    }

    pub type ParticipantServices = Arc<dyn ParticipantService>;

    pub(super) fn request() -> Result<(ParticipantServices, Parts, ResponseOptions), AppError> {
        Ok((
            use_context::<ParticipantServices>().ok_or(AppError::Unavailable)?,
            use_context::<Parts>().ok_or(AppError::Unavailable)?,
            use_context::<ResponseOptions>().ok_or(AppError::Unavailable)?,
        ))
    }
}
