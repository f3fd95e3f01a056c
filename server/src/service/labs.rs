//! Visit labs: recorded by the investigators of the participant's site,
//! corrected as new versions with a reason, removed as a voided version;
//! every version kept.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::{Caller, Fields, ReadError, visible_participant};
use crate::{
    policy,
    store::{EntryStatus, LabVersion, Participant, Store, StoreError},
};
use app::domain::labs::LabInput;

/// A reason's most characters.
const REASON_MAX_CHARS: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The participant or the lab is unknown, or not visible to the caller.
    #[error("no such lab or participant")]
    NotFound,
    /// Labs are the investigators' of the participant's site.
    #[error("not an investigator of the site")]
    Forbidden,
    /// The lab moved on: another version, or removed.
    #[error("{0}")]
    Conflict(String),
    #[error("the lab is not valid")]
    Invalid(Fields),
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl From<StoreError> for LabError {
    fn from(e: StoreError) -> Self {
        Self::Read(e.into())
    }
}

/// Labs are entered and corrected by investigators of the participant's site.
async fn site_participant(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
) -> Result<Participant, LabError> {
    let participant = visible_participant(store, caller, id)
        .await?
        .ok_or(LabError::NotFound)?;
    if policy::may_manage_site(&caller.actor(), participant.site_id) {
        Ok(participant)
    } else {
        Err(LabError::Forbidden)
    }
}

/// The lab's own checks, and a visit of the study's schedule.
async fn checked(store: &dyn Store, input: &LabInput) -> Result<NaiveDate, LabError> {
    let schedule = store.visit_schedule().await?;
    let known = app::domain::visits::is_known(&schedule, input.visit.trim());
    match input.check() {
        Ok(checked) if known => Ok(checked.taken_on),
        outcome => {
            let mut fields = outcome.err().unwrap_or_default();
            if !known {
                let codes: Vec<&str> = schedule.iter().map(|v| v.code.as_str()).collect();
                fields
                    .entry("visit".into())
                    .or_insert_with(|| format!("one of {}, or unscheduled", codes.join(", ")));
            }
            Err(LabError::Invalid(fields))
        }
    }
}

fn reason_of(reason: &str) -> Result<String, LabError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
        return Err(LabError::Invalid(Fields::from([(
            "reason".into(),
            format!("1 to {REASON_MAX_CHARS} characters"),
        )])));
    }
    Ok(reason.to_owned())
}

/// Records a new lab of a participant of the caller's site.
pub async fn record(
    store: &dyn Store,
    caller: Caller<'_>,
    participant: Uuid,
    input: LabInput,
) -> Result<LabVersion, LabError> {
    let participant = site_participant(store, caller, participant).await?;
    let taken_on = checked(store, &input).await?;
    let version = LabVersion {
        lab_id: Uuid::now_v7(),
        version: 1,
        participant_id: participant.id,
        status: EntryStatus::Active,
        input,
        taken_on,
        entered_by: caller.user.id,
        entered_by_role: caller.user.role,
        received_at: Utc::now(),
        reason: None,
    };
    store.save_lab_version(&version, caller.context).await?;
    Ok(version)
}

/// A participant's labs, the current version of each, by day taken.
pub async fn current_labs(
    store: &dyn Store,
    caller: Caller<'_>,
    participant: Uuid,
) -> Result<Vec<LabVersion>, LabError> {
    let participant = visible_participant(store, caller, participant)
        .await?
        .ok_or(LabError::NotFound)?;
    let mut items = current(store.lab_versions(participant.id).await?);
    items.sort_by_key(|l| (l.taken_on, l.lab_id));
    Ok(items)
}

/// Every version of a lab the caller may see, oldest first.
pub async fn history(
    store: &dyn Store,
    caller: Caller<'_>,
    lab: Uuid,
) -> Result<Vec<LabVersion>, LabError> {
    let versions = store.lab_history(lab).await?;
    let Some(first) = versions.first() else {
        return Err(LabError::NotFound);
    };
    visible_participant(store, caller, first.participant_id)
        .await?
        .ok_or(LabError::NotFound)?;
    Ok(versions)
}

/// The current version of each lab.
pub fn current(versions: Vec<LabVersion>) -> Vec<LabVersion> {
    crate::store::latest_versions(&versions, |v| (v.lab_id, v.version))
        .into_iter()
        .cloned()
        .collect()
}

/// The current version of a lab the caller may correct.
async fn correctable(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
    base_version: i64,
) -> Result<LabVersion, LabError> {
    let versions = store.lab_history(id).await?;
    let Some(head) = versions.into_iter().last() else {
        return Err(LabError::NotFound);
    };
    site_participant(store, caller, head.participant_id).await?;
    if head.version != base_version {
        return Err(LabError::Conflict(format!(
            "The lab is at version {}: look at it and correct that version.",
            head.version
        )));
    }
    if head.status == EntryStatus::Voided {
        return Err(LabError::Conflict("The lab was removed.".into()));
    }
    Ok(head)
}

/// A new version of a lab at `base_version`, with a reason.
pub async fn correct(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
    base_version: i64,
    reason: &str,
    input: LabInput,
) -> Result<LabVersion, LabError> {
    let reason = reason_of(reason)?;
    let taken_on = checked(store, &input).await?;
    let head = correctable(store, caller, id, base_version).await?;
    let version = LabVersion {
        version: head.version + 1,
        input,
        taken_on,
        entered_by: caller.user.id,
        entered_by_role: caller.user.role,
        received_at: Utc::now(),
        reason: Some(reason),
        ..head
    };
    save_next(store, caller, &version).await?;
    Ok(version)
}

/// A voided version of a lab at `base_version`, with a reason.
pub async fn remove(
    store: &dyn Store,
    caller: Caller<'_>,
    id: Uuid,
    base_version: i64,
    reason: &str,
) -> Result<LabVersion, LabError> {
    let reason = reason_of(reason)?;
    let head = correctable(store, caller, id, base_version).await?;
    let version = LabVersion {
        version: head.version + 1,
        status: EntryStatus::Voided,
        entered_by: caller.user.id,
        entered_by_role: caller.user.role,
        received_at: Utc::now(),
        reason: Some(reason),
        ..head
    };
    save_next(store, caller, &version).await?;
    Ok(version)
}

/// Two corrections of the same version: the second finds its number taken.
async fn save_next(
    store: &dyn Store,
    caller: Caller<'_>,
    version: &LabVersion,
) -> Result<(), LabError> {
    match store.save_lab_version(version, caller.context).await {
        Err(StoreError::Duplicate(_)) => Err(LabError::Conflict(
            "The lab was corrected meanwhile: look at it again.".into(),
        )),
        other => Ok(other?),
    }
}
