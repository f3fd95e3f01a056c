//! The use cases' errors (`service`) as the API's error answers and as the
//! pages' `AppError`: each says what went wrong in its own terms (a lab that
//! moved on, a study id that is taken), so neither caller guesses.

use app::error::AppError;

use super::error::ApiError;
use crate::{
    service::{
        ReadError, labs::LabError, outcomes::OutcomesError, participants::ParticipantError,
        roster::RosterError,
    },
    store::StoreError,
};

impl From<ReadError> for ApiError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Store(e) => e.into(),
            ReadError::Corrupt(why) => ApiError::Internal(why),
        }
    }
}

impl From<RosterError> for ApiError {
    fn from(e: RosterError) -> Self {
        match e {
            RosterError::Forbidden => ApiError::Forbidden,
            RosterError::Read(e) => e.into(),
        }
    }
}

impl From<OutcomesError> for ApiError {
    fn from(e: OutcomesError) -> Self {
        match e {
            OutcomesError::NotFound => ApiError::NotFound,
            OutcomesError::Forbidden => ApiError::Forbidden,
            OutcomesError::Invalid(fields) => ApiError::Unprocessable { fields },
            OutcomesError::Read(e) => e.into(),
        }
    }
}

impl From<LabError> for ApiError {
    fn from(e: LabError) -> Self {
        match e {
            LabError::NotFound => ApiError::NotFound,
            LabError::Forbidden => ApiError::Forbidden,
            LabError::Conflict(why) => ApiError::Conflict(why),
            LabError::Invalid(fields) => ApiError::Unprocessable { fields },
            LabError::Read(e) => e.into(),
        }
    }
}

impl From<ParticipantError> for ApiError {
    fn from(e: ParticipantError) -> Self {
        match e {
            ParticipantError::NotFound => ApiError::NotFound,
            ParticipantError::Forbidden => ApiError::Forbidden,
            ParticipantError::StudyIdTaken(why) => ApiError::Conflict(why),
            ParticipantError::Invalid(fields) => ApiError::Unprocessable { fields },
            ParticipantError::Store(e) => e.into(),
        }
    }
}

/// What the pages show for an API error: the cause of a server fault goes
/// to the log, the page gets a plain "unavailable".
impl From<ApiError> for AppError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Unauthorized { .. } => AppError::SignInFirst,
            // Not found is how the API hides what the caller may not see.
            ApiError::Forbidden | ApiError::Csrf | ApiError::NotFound => AppError::NotAllowed,
            ApiError::Unprocessable { fields } => AppError::Invalid(fields.into_iter().collect()),
            ApiError::Conflict(why) => AppError::Invalid(vec![("conflict".into(), why)]),
            ApiError::TooManyRequests { retry_after_secs } => AppError::Throttled(retry_after_secs),
            other => {
                tracing::error!(error = %other, "web request failed");
                AppError::Unavailable
            }
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<RosterError> for AppError {
    fn from(e: RosterError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<OutcomesError> for AppError {
    fn from(e: OutcomesError) -> Self {
        ApiError::from(e).into()
    }
}

/// A lab that moved on is the lab's problem, said beside the lab.
impl From<LabError> for AppError {
    fn from(e: LabError) -> Self {
        match e {
            LabError::Conflict(why) => AppError::Invalid(vec![("lab".into(), why)]),
            other => ApiError::from(other).into(),
        }
    }
}

/// A taken study id is said beside the study id.
impl From<ParticipantError> for AppError {
    fn from(e: ParticipantError) -> Self {
        match e {
            ParticipantError::StudyIdTaken(why) => {
                AppError::Invalid(vec![("study_id".into(), why)])
            }
            other => ApiError::from(other).into(),
        }
    }
}
