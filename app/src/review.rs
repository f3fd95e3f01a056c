//! The investigator's review: the roster of their sites, one participant's
//! page (figures over a window, charts, every entry with its versions, labs,
//! alerts, the audit trail), and visit labs entered and corrected with a
//! reason. The server answers through the same services as the JSON API.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    domain::{
        classification::Classification,
        entry::EntryData,
        labs::LabKind,
        outcomes::{Basis, Figures},
        roster::{AgeGroup, RosterRow},
        study_outcomes::VisitOutcome,
        visits::Visit,
    },
    error::AppError,
};

/// One participant's page over a window of the site's days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantPage {
    pub participant_id: Uuid,
    pub study_id: String,
    pub site_code: String,
    /// The site's IANA time zone: every [`SiteTime`] is on its clock.
    pub timezone: String,
    pub age_group: AgeGroup,
    pub enrolled_on: chrono::NaiveDate,
    pub diagnosis_date: chrono::NaiveDate,
    pub figures: Figures,
    pub basis: Basis,
    /// Glucose readings in the window, oldest first.
    pub glucose: Vec<GlucosePoint>,
    /// (day, units) for each day with insulin in the window.
    pub daily_insulin: Vec<(chrono::NaiveDate, f64)>,
    /// The window's entries, newest first, each with every version.
    pub timeline: Vec<TimelineEntry>,
    /// Every lab (current version first in each), by day taken.
    pub labs: Vec<LabLine>,
    pub visits: Vec<Visit>,
    pub alerts: Vec<AlertLine>,
    /// The participant's audit trail, newest first (the latest 200).
    pub audit: Vec<AuditLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlucosePoint {
    /// Hours since the window's first midnight, at the site.
    pub hours: f64,
    /// mg/dL; LO and HI are drawn at the chart's edge.
    pub mg_dl: f64,
    pub flag: Option<String>,
}

/// A moment on the site's clock: its wall time with the offset then in
/// force (the server converts, so pages need no time-zone data).
pub type SiteTime = chrono::DateTime<chrono::FixedOffset>;

/// Who did something: a person's name and role, or a role alone (`system`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: Option<String>,
    /// `participant`, `guardian`, `investigator`, `admin`, `system` or
    /// `anonymous`.
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub entry_id: Uuid,
    pub kind: String,
    pub event_at: SiteTime,
    pub voided: bool,
    /// The current version's classification (a low's ADA level and 2005
    /// class); `None` for insulin.
    pub classification: Option<Classification>,
    /// Oldest first.
    pub versions: Vec<VersionLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionLine {
    pub version: i64,
    pub op: String,
    pub data: EntryData,
    pub entered_by: Person,
    pub device_id: String,
    /// The device's clock when the entry was made, with the device's offset.
    pub recorded_at: chrono::DateTime<chrono::FixedOffset>,
    pub received_at: SiteTime,
    pub late: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabLine {
    pub lab_id: Uuid,
    pub version: i64,
    pub voided: bool,
    pub visit: String,
    pub taken_at: String,
    pub taken_on: chrono::NaiveDate,
    pub kind: LabKind,
    pub name: Option<String>,
    pub value: f64,
    pub unit: String,
    pub entered_by: Person,
    pub reason: Option<String>,
    /// Earlier versions, newest first.
    pub earlier: Vec<EarlierLab>,
}

/// An earlier version of a lab, as it was entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarlierLab {
    pub version: i64,
    pub value: f64,
    pub unit: String,
    /// A day, or a time with its offset, as entered.
    pub taken_at: String,
    pub entered_by: Person,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertLine {
    pub id: Uuid,
    pub rule: String,
    pub severity: String,
    pub status: String,
    pub created_at: SiteTime,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: SiteTime,
    pub actor: Person,
    pub action: String,
    pub entity: String,
}

/// The study's outcome figures per visit window (`GET /study/outcomes`).
#[server(prefix = "/rpc", endpoint = "study_outcomes")]
pub async fn study_outcomes() -> Result<Vec<VisitOutcome>, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.study_outcomes(&parts).await)
}

#[server(prefix = "/rpc", endpoint = "roster")]
pub async fn roster() -> Result<Vec<RosterRow>, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.roster(&parts).await)
}

/// `from`/`to` are site days ("2026-11-14"); empty means the last 14 days.
#[server(prefix = "/rpc", endpoint = "participant_review")]
pub async fn participant_review(
    id: Uuid,
    from: String,
    to: String,
) -> Result<ParticipantPage, AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(&response, service.review(&parts, id, from, to).await)
}

/// A lab as the form sends it: new, or a correction of `lab_id` at
/// `base_version` (then `reason` is required).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabSubmission {
    pub participant_id: Uuid,
    pub lab_id: Option<Uuid>,
    pub base_version: Option<i64>,
    pub reason: Option<String>,
    pub visit: String,
    pub taken_at: String,
    pub kind: LabKind,
    pub name: Option<String>,
    /// As typed; a decimal comma is accepted.
    pub value: String,
    pub unit: String,
}

#[server(prefix = "/rpc", endpoint = "save_lab")]
pub async fn save_lab(lab: LabSubmission) -> Result<(), AppError> {
    let (service, parts, response) = ssr::request()?;
    let result = match lab.value.trim().replace(',', ".").parse::<f64>() {
        Ok(value) => {
            let input = crate::domain::labs::LabInput {
                visit: lab.visit,
                taken_at: lab.taken_at,
                kind: lab.kind,
                name: lab.name.filter(|n| !n.trim().is_empty()),
                value,
                unit: lab.unit,
            };
            let correction = lab.lab_id.zip(lab.base_version);
            service
                .save_lab(&parts, lab.participant_id, correction, lab.reason, input)
                .await
        }
        Err(_) => Err(AppError::Invalid(vec![(
            "value".into(),
            "Enter the result as a number.".into(),
        )])),
    };
    crate::session::ssr::answer(&response, result)
}

#[server(prefix = "/rpc", endpoint = "void_lab")]
pub async fn void_lab(lab_id: Uuid, base_version: i64, reason: String) -> Result<(), AppError> {
    let (service, parts, response) = ssr::request()?;
    crate::session::ssr::answer(
        &response,
        service.void_lab(&parts, lab_id, base_version, reason).await,
    )
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use http::request::Parts;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use uuid::Uuid;

    use super::ParticipantPage;
    use crate::{
        domain::{labs::LabInput, roster::RosterRow},
        error::AppError,
    };

    #[async_trait::async_trait]
    pub trait ReviewService: Send + Sync {
        async fn roster(&self, request: &Parts) -> Result<Vec<RosterRow>, AppError>;

        async fn study_outcomes(
            &self,
            request: &Parts,
        ) -> Result<Vec<crate::domain::study_outcomes::VisitOutcome>, AppError>;

        async fn review(
            &self,
            request: &Parts,
            id: Uuid,
            from: String,
            to: String,
        ) -> Result<ParticipantPage, AppError>;

        /// `correction`: (lab, base version) for a new version of a lab.
        async fn save_lab(
            &self,
            request: &Parts,
            participant: Uuid,
            correction: Option<(Uuid, i64)>,
            reason: Option<String>,
            input: LabInput,
        ) -> Result<(), AppError>;

        async fn void_lab(
            &self,
            request: &Parts,
            lab: Uuid,
            base_version: i64,
            reason: String,
        ) -> Result<(), AppError>;
    }

    pub type ReviewServices = Arc<dyn ReviewService>;

    pub(super) fn request() -> Result<(ReviewServices, Parts, ResponseOptions), AppError> {
        Ok((
            use_context::<ReviewServices>().ok_or(AppError::Unavailable)?,
            use_context::<Parts>().ok_or(AppError::Unavailable)?,
            use_context::<ResponseOptions>().ok_or(AppError::Unavailable)?,
        ))
    }
}
