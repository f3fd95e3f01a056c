//! The investigator's review pages (`app::review`): the roster, one
//! participant's page and visit labs, through the same use cases as the JSON
//! API (`service::{roster, outcomes, review, labs}`), so the pages and the
//! API agree.

use app::{
    domain::{labs::LabInput, roster::RosterRow, study_outcomes::VisitOutcome},
    error::AppError,
    review::{ParticipantPage, ssr::ReviewService},
};
use axum::http::request::Parts;
use uuid::Uuid;

use super::auth::AuthUser;
use crate::{
    service::{labs, outcomes, review, roster},
    state::AppState,
};

pub(super) struct WebReview(pub(super) AppState);

impl WebReview {
    async fn user(&self, request: &Parts) -> Result<AuthUser, AppError> {
        Ok(AuthUser::from_cookie(&self.0, request).await?)
    }
}

#[async_trait::async_trait]
impl ReviewService for WebReview {
    async fn roster(&self, request: &Parts) -> Result<Vec<RosterRow>, AppError> {
        let user = self.user(request).await?;
        Ok(roster::rows(self.0.store.as_ref(), user.caller()).await?)
    }

    async fn study_outcomes(&self, request: &Parts) -> Result<Vec<VisitOutcome>, AppError> {
        let user = self.user(request).await?;
        Ok(outcomes::per_visit(self.0.store.as_ref(), user.caller()).await?)
    }

    async fn review(
        &self,
        request: &Parts,
        id: Uuid,
        from: String,
        to: String,
    ) -> Result<ParticipantPage, AppError> {
        let user = self.user(request).await?;
        Ok(review::participant_page(self.0.store.as_ref(), user.caller(), id, &from, &to).await?)
    }

    async fn save_lab(
        &self,
        request: &Parts,
        participant: Uuid,
        correction: Option<(Uuid, i64)>,
        reason: Option<String>,
        input: LabInput,
    ) -> Result<(), AppError> {
        let user = self.user(request).await?;
        let store = self.0.store.as_ref();
        match correction {
            None => labs::record(store, user.caller(), participant, input).await?,
            Some((lab, base)) => {
                let reason = reason.unwrap_or_default();
                labs::correct(store, user.caller(), lab, base, &reason, input).await?
            }
        };
        Ok(())
    }

    async fn void_lab(
        &self,
        request: &Parts,
        lab: Uuid,
        base_version: i64,
        reason: String,
    ) -> Result<(), AppError> {
        let user = self.user(request).await?;
        labs::remove(
            self.0.store.as_ref(),
            user.caller(),
            lab,
            base_version,
            &reason,
        )
        .await?;
        Ok(())
    }
}
