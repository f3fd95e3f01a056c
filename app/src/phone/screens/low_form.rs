//! The low (hypoglycaemia) form, classified as the person fills it in.

use chrono::{DateTime, FixedOffset};
use leptos::{either::EitherOf3, ev::SubmitEvent, prelude::*};

use super::{
    form::{FormBase, FormFooter, after_save, editing_row},
    use_phone,
};
use crate::{
    domain::{
        classification::Classification,
        entry::{EntryData, HypoData, Treatment},
    },
    i18n::format,
    phone::{
        i18n,
        model::read_number,
        state::{Editing, Screen, now},
    },
};

/// Whether a low needs the emergency screen.
fn needs_help(c: &Classification) -> bool {
    c.ada_level >= 3 || c.potentially_serious
}

#[component]
pub(super) fn LowForm(editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let base = FormBase::new(&editing);
    let old = editing_row(&editing).and_then(|r| match &r.parsed {
        Some(EntryData::Hypo(h)) => Some(h.clone()),
        _ => None,
    });
    let symptoms = RwSignal::new(old.as_ref().map(|h| h.symptoms.clone()).unwrap_or_default());
    let treatments = RwSignal::new(
        old.as_ref()
            .map(|h| h.treatments.clone())
            .unwrap_or_default(),
    );
    let helped = RwSignal::new(old.as_ref().map(|h| h.needed_assistance));
    let unconscious = RwSignal::new(old.as_ref().is_some_and(|h| h.lost_consciousness));
    let seizure = RwSignal::new(old.as_ref().is_some_and(|h| h.seizure));
    let value = RwSignal::new(
        old.as_ref()
            .and_then(|h| h.glucose_value)
            .map(|v| format::number(v, 1))
            .unwrap_or_default(),
    );
    let unit = old
        .as_ref()
        .and_then(|h| h.glucose_unit)
        .unwrap_or_else(|| phone.unit());
    // The form as data, at a fixed time: classification does not depend on it.
    let draft = move |at: DateTime<FixedOffset>| -> Result<HypoData, String> {
        let text = value.get();
        let glucose_value = match text.trim() {
            "" => None,
            text => Some(read_number(text).ok_or_else(|| tr.t("phone-enter-number-or-empty"))?),
        };
        Ok(HypoData {
            occurred_at: at,
            glucose_unit: glucose_value.map(|_| unit),
            glucose_value,
            symptoms: symptoms.get(),
            needed_assistance: helped.get().unwrap_or(false),
            lost_consciousness: unconscious.get(),
            seizure: seizure.get(),
            treatments: treatments.get(),
            note: None,
        })
    };
    let live = move || {
        let data = draft(now()).ok()?;
        EntryData::Hypo(data).check().ok()?.classification
    };
    let editing_for_save = editing.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(at) = base.event_time(&phone) else {
            return;
        };
        let data = match draft(at) {
            Ok(data) => data,
            Err(problem) => {
                base.problem.set(Some(problem));
                return;
            }
        };
        let urgent = EntryData::Hypo(data.clone())
            .check()
            .ok()
            .and_then(|c| c.classification)
            .is_some_and(|c| needs_help(&c));
        let then = if urgent {
            Screen::Emergency
        } else {
            after_save(&editing_for_save)
        };
        base.submit(&phone, &editing_for_save, EntryData::Hypo(data), then);
    };
    let title = if matches!(editing, Editing::New) {
        tr.t("phone-log-low")
    } else {
        tr.t("phone-edit-low")
    };
    let treatment_list = [
        Treatment::OralCarbohydrate,
        Treatment::Glucagon,
        Treatment::IvGlucose,
        Treatment::EmergencyServices,
        Treatment::EmergencyDepartment,
        Treatment::HospitalAdmission,
        Treatment::Other,
    ];
    view! {
        <form class="card log-form" on:submit=on_submit novalidate>
            <h1>{title}</h1>
            <fieldset class="checks">
                <legend>{tr.t("phone-symptoms")}</legend>
                {i18n::SYMPTOMS.into_iter().map(|key| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || symptoms.with(|s| s.iter().any(|x| x == key))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                symptoms.update(|s| { s.retain(|x| x != key); if on { s.push(key.to_owned()) } });
                            } />
                        {i18n::symptom(tr, key)}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="chips">
                <legend>{tr.t("phone-needed-help")}</legend>
                <label class="chip">
                    <input type="radio" name="helped" prop:checked=move || helped.get() == Some(true) on:change=move |_| helped.set(Some(true)) />
                    {tr.t("common-yes")}
                </label>
                <label class="chip">
                    <input type="radio" name="helped" prop:checked=move || helped.get() == Some(false) on:change=move |_| helped.set(Some(false)) />
                    {tr.t("common-no")}
                </label>
            </fieldset>
            <fieldset class="checks">
                <legend>{tr.t("phone-what-happened")}</legend>
                <label class="check">
                    <input type="checkbox" prop:checked=move || unconscious.get() on:change=move |ev| unconscious.set(event_target_checked(&ev)) />
                    {tr.t("phone-lost-consciousness")}
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || seizure.get() on:change=move |ev| seizure.set(event_target_checked(&ev)) />
                    {tr.t("phone-seizure")}
                </label>
            </fieldset>
            <fieldset class="checks">
                <legend>{tr.t("phone-treatments")}</legend>
                {treatment_list.into_iter().map(|treatment| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || treatments.with(|l| l.contains(&treatment))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                treatments.update(|l| { l.retain(|x| *x != treatment); if on { l.push(treatment) } });
                            } />
                        {i18n::treatment(tr, treatment)}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="hypo_value">{tr.t_with("phone-glucose-if-measured", &[("unit", i18n::unit_name(unit).into())])}</label>
            <input id="hypo_value" type="text" inputmode="decimal" autocomplete="off" bind:value=value />
            <div class="classification" role="status" aria-live="polite">
                {move || match live() {
                    Some(c) if c.ada_level > 0 || c.ada2005_class.is_some() => {
                        let urgent = needs_help(&c);
                        EitherOf3::A(view! {
                            <p class:urgent=urgent>{tr.t_with("phone-classified-as", &[("level", i18n::level_text(tr, &c).into())])}</p>
                            {c.potentially_serious.then(|| view! { <p class="urgent">{tr.t("phone-serious-note")}</p> })}
                        })
                    }
                    Some(c) if c.potentially_serious => EitherOf3::B(view! { <p class="urgent">{tr.t("phone-serious-note")}</p> }),
                    _ => EitherOf3::C(view! { <p>{tr.t("phone-not-a-low")}</p> }),
                }}
            </div>
            <FormFooter base editing />
        </form>
    }
}
