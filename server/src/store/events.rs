//! The audit events the store writes with its changes, the same on every backend.

use serde_json::json;
use uuid::Uuid;

use super::{AlertRecord, Contact, EntryVersion, LabVersion, NewUser, Participant, Site, Study};
use crate::audit::AuditEvent;

pub(crate) fn study_created(study: &Study) -> AuditEvent {
    AuditEvent::new("study.create", "study", study.id).after(json!({
        "name": study.name,
        "is_demo": study.is_demo,
        "default_language": study.default_language.tag(),
    }))
}

pub(crate) fn site_created(site: &Site) -> AuditEvent {
    AuditEvent::new("site.create", "site", site.id).after(json!({
        "code": site.code,
        "name": site.name,
        "timezone": site.timezone,
        "emergency_phone": site.emergency_phone,
    }))
}

pub(crate) fn site_updated(before: &Site, after: &Site) -> AuditEvent {
    let view = |s: &Site| json!({"name": s.name, "timezone": s.timezone, "emergency_phone": s.emergency_phone});
    AuditEvent::new("site.update", "site", after.id)
        .before(view(before))
        .after(view(after))
}

pub(crate) fn study_updated(before: &Study, after: &Study) -> AuditEvent {
    let view = |s: &Study| json!({"name": s.name, "default_language": s.default_language.tag()});
    AuditEvent::new("study.update", "study", after.id)
        .before(view(before))
        .after(view(after))
}

/// The password hash stays out of the audit trail.
pub(crate) fn user_created(user: &NewUser, sites: &[Uuid]) -> AuditEvent {
    AuditEvent::new("user.create", "user", user.id).after(json!({
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "site_ids": sites,
    }))
}

pub(crate) fn participant_created(participant: &Participant) -> AuditEvent {
    AuditEvent::new("participant.create", "participant", participant.id)
        .on_behalf_of(participant.id)
        .after(json!({
            "site_id": participant.site_id,
            "study_id": participant.study_id,
            "birth_year": participant.birth_year,
            "diagnosis_date": participant.diagnosis_date,
            "weight_kg": participant.weight_kg,
            "user_id": participant.user_id,
        }))
}

pub(crate) fn guardian_linked(guardian: Uuid, participant: Uuid) -> AuditEvent {
    AuditEvent::new(
        "guardian.link",
        "guardian_link",
        format!("{guardian}:{participant}"),
    )
    .on_behalf_of(participant)
    .after(json!({"guardian_id": guardian, "participant_id": participant}))
}

/// One saved version of a diary entry: what it holds, as stored.
pub(crate) fn entry_version_saved(v: &EntryVersion) -> AuditEvent {
    let mut event = AuditEvent::new(&format!("entry.{}", v.op.as_str()), "entry", v.entry_id)
        .on_behalf_of(v.participant_id)
        .after(json!({
            "version": v.version,
            "kind": v.kind.as_str(),
            "status": v.status.as_str(),
            "data": serde_json::from_str::<serde_json::Value>(&v.data).unwrap_or_default(),
            "recorded_at": v.recorded_at,
            "late": v.late,
            "mutation_id": v.mutation_id,
        }));
    event.reason = v.reason.clone();
    event
}

/// A change of an alert (raised, acknowledged, escalated, resolved, ...).
pub(crate) fn alert_changed(action: &str, alert: &AlertRecord, entry: Option<Uuid>) -> AuditEvent {
    AuditEvent::new(action, "alert", alert.id)
        .on_behalf_of(alert.participant_id)
        .after(json!({
            "rule": alert.rule.as_str(),
            "status": alert.status.as_str(),
            "entry_id": entry,
            "readings": alert.readings,
            "escalation_level": alert.escalation_level,
            "report_due_at": alert.report_due_at,
            "reported_at": alert.reported_at,
            "resolution_note": alert.resolution_note,
        }))
}

pub(crate) fn contacts_set(site: Uuid, contacts: &[Contact]) -> AuditEvent {
    AuditEvent::new("site.contacts", "site", site).after(json!(
        contacts
            .iter()
            .map(|c| json!({"level": c.level, "channel": c.channel.as_str(), "target": c.target}))
            .collect::<Vec<_>>()
    ))
}

pub(crate) fn advice_set(english: &str, chinese: &str) -> AuditEvent {
    AuditEvent::new("study.emergency_advice", "study", "emergency_advice")
        .after(json!({"en": english, "zh": chinese}))
}

pub(crate) fn alert_settings_set(s: &app::domain::alerts::AlertSettings) -> AuditEvent {
    AuditEvent::new("study.alert_settings", "study", "alert_settings").after(json!({
        "repeat_window_hours": s.repeat_window.num_hours(),
        "report_within_hours": s.report_within.num_hours(),
        "escalate_after_minutes": s.escalate_after.num_minutes(),
        "missed_days": s.missed_days,
    }))
}

pub(crate) fn outcome_settings_set(idaa1c_dose_days: i64) -> AuditEvent {
    AuditEvent::new("study.outcome_settings", "study", "outcome_settings")
        .after(json!({"idaa1c_dose_days": idaa1c_dose_days}))
}

/// One saved version of a visit lab.
pub(crate) fn lab_version_saved(v: &LabVersion) -> AuditEvent {
    let action = match (v.version, v.status) {
        (1, _) => "lab.create",
        (_, super::EntryStatus::Voided) => "lab.void",
        _ => "lab.amend",
    };
    let mut event = AuditEvent::new(action, "lab", v.lab_id)
        .on_behalf_of(v.participant_id)
        .after(json!({
            "version": v.version,
            "status": v.status.as_str(),
            "visit": v.input.visit,
            "taken_at": v.input.taken_at,
            "kind": v.input.kind,
            "name": v.input.name,
            "value": v.input.value,
            "unit": v.input.unit,
        }));
    event.reason = v.reason.clone();
    event
}

pub(crate) fn visit_schedule_set(visits: &[app::domain::visits::Visit]) -> AuditEvent {
    AuditEvent::new("study.visit_schedule", "study", "visit_schedule")
        .after(json!({ "visits": visits }))
}

pub(crate) fn user_language_set(
    user: Uuid,
    before: Option<app::domain::language::Language>,
    after: app::domain::language::Language,
) -> AuditEvent {
    AuditEvent::new("user.language", "user", user)
        .before(json!({ "language": before.map(|l| l.tag()) }))
        .after(json!({ "language": after.tag() }))
}
