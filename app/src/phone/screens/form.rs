//! What the three log forms share: the event time, the reason for a change,
//! checking and saving, and the words for what the checks found.

use chrono::{DateTime, FixedOffset};
use leptos::prelude::*;

use super::{offset, use_phone};
use crate::{
    domain::{
        entry::{EntryData, FieldErrors, Kind},
        glucose::GlucoseWarning,
        language::Language,
        mutation::Op,
    },
    phone::{
        i18n,
        model::{self, OutMutation, Row},
        state::{Editing, Phone, Screen, now},
    },
};

/// What a form shares: the event time, the reason for a change, saving.
#[derive(Clone, Copy)]
pub(super) struct FormBase {
    when: RwSignal<String>,
    reason: RwSignal<String>,
    pub(super) problem: RwSignal<Option<String>>,
}

impl FormBase {
    pub(super) fn new(editing: &Editing) -> Self {
        let at = match editing {
            Editing::New => now(),
            Editing::Change(row) | Editing::Fix(row, _) => row.event_at().unwrap_or_else(now),
        };
        Self {
            when: RwSignal::new(model::local_input(at, offset())),
            reason: RwSignal::new(String::new()),
            problem: RwSignal::new(None),
        }
    }

    /// Checks the data as the server will, then queues it.
    pub(super) fn submit(
        &self,
        phone: &Phone,
        editing: &Editing,
        data: EntryData,
        then: Screen,
    ) -> bool {
        let Some(participant) = phone.child.get_untracked() else {
            return false;
        };
        let checked = match data.check() {
            Ok(checked) => checked,
            Err(fields) => {
                self.problem
                    .set(Some(field_problem(phone, &fields, data.kind())));
                return false;
            }
        };
        let reason = self.reason.get_untracked().trim().to_owned();
        if matches!(editing, Editing::Change(_)) && reason.is_empty() {
            self.problem.set(Some(phone.tr().t("phone-reason-needed")));
            return false;
        }
        let id = Phone::new_id();
        let (op, entry_id, base_version, drop) = match editing {
            Editing::New => (Op::Create, id, None, None),
            Editing::Change(row) => (Op::Amend, row.entry_id, Some(row.version), None),
            Editing::Fix(row, key) if row.version == 0 => (Op::Create, id, None, Some(key.clone())),
            Editing::Fix(row, key) => (
                Op::Amend,
                row.entry_id,
                Some(row.version),
                Some(key.clone()),
            ),
        };
        let reason = match op {
            Op::Create => None,
            _ if reason.is_empty() => Some(phone.tr().t("phone-fix-it")),
            _ => Some(reason),
        };
        let mutation = OutMutation {
            id,
            participant_id: participant,
            entry_id,
            op,
            kind: data.kind(),
            base_version,
            reason,
            recorded_at: now().to_rfc3339(),
            data: Some(data.to_json()),
        };
        let message = if checked.warnings.contains(&GlucoseWarning::UnitMixup) {
            phone.tr().t("phone-saved-unit-mixup")
        } else {
            phone.tr().t("phone-saved")
        };
        phone.save(mutation, drop, message);
        phone.screen.set(then);
        true
    }

    pub(super) fn event_time(&self, phone: &Phone) -> Option<DateTime<FixedOffset>> {
        let at = model::read_local_input(&self.when.get_untracked(), offset());
        if at.is_none() {
            self.problem.set(Some(phone.tr().t("phone-err-time")));
        }
        at
    }
}

/// A field error from the shared checks, in the person's language. The
/// checks' own reasons are English: other languages get a plain sentence
/// for a field the form has no words of its own for.
pub(super) fn field_problem(phone: &Phone, fields: &FieldErrors, kind: Kind) -> String {
    let tr = phone.tr();
    let unit = phone.unit();
    let key = fields.keys().next().map(String::as_str).unwrap_or_default();
    match key {
        "data.value" | "data.glucose_value" => tr.t_with(
            "phone-out-of-range",
            &[("unit", i18n::unit_name(unit).into())],
        ),
        "data.units" => tr.t("phone-dose-range"),
        _ if kind == Kind::Glucose => tr.t("phone-enter-reading"),
        _ => match (tr.language, fields.values().next()) {
            (Language::En, Some(why)) => why.clone(),
            _ => tr.t("errors-invalid-other"),
        },
    }
}

#[component]
pub(super) fn FormFooter(base: FormBase, editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let changing = !matches!(editing, Editing::New);
    view! {
        <label for="event_time">{tr.t("phone-event-time")}</label>
        <input id="event_time" type="datetime-local" bind:value=base.when />
        {changing.then(|| view! {
            <label for="reason">{tr.t("phone-reason-edit")}</label>
            <input id="reason" type="text" bind:value=base.reason />
        })}
        <p class="notice error" role="alert">{move || base.problem.get()}</p>
        <div class="form-actions">
            <button type="submit" class="button primary big">{tr.t("common-save")}</button>
            <button type="button" class="button" on:click=move |_| phone.screen.set(if changing { Screen::History } else { Screen::Today })>
                {tr.t("common-cancel")}
            </button>
        </div>
    }
}

pub(super) fn editing_row(editing: &Editing) -> Option<&Row> {
    match editing {
        Editing::New => None,
        Editing::Change(row) | Editing::Fix(row, _) => Some(row),
    }
}

pub(super) fn after_save(editing: &Editing) -> Screen {
    match editing {
        Editing::New => Screen::Today,
        _ => Screen::History,
    }
}
