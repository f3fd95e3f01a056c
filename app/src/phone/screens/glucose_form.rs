//! The glucose form: a reading, "LO"/"HI", its unit and context.

use leptos::{ev::SubmitEvent, prelude::*};

use super::{
    form::{FormBase, FormFooter, after_save, editing_row},
    use_phone,
};
use crate::{
    domain::{
        entry::{EntryData, GlucoseContext, GlucoseData, GlucoseSource},
        glucose::{self, GlucoseUnit, GlucoseValue, GlucoseWarning, MeterFlag},
    },
    i18n::format,
    phone::{
        i18n,
        model::{self, read_number},
        state::{Editing, now},
    },
};

#[component]
pub(super) fn GlucoseForm(editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let base = FormBase::new(&editing);
    let old = editing_row(&editing).and_then(|r| match &r.parsed {
        Some(EntryData::Glucose(g)) => Some(g.clone()),
        _ => None,
    });
    let value = RwSignal::new(match old.as_ref().map(|g| g.value) {
        Some(GlucoseValue::Number(n)) => format::number(n, 1),
        Some(GlucoseValue::Flag(MeterFlag::Lo)) => "LO".to_owned(),
        Some(GlucoseValue::Flag(MeterFlag::Hi)) => "HI".to_owned(),
        None => String::new(),
    });
    let unit = RwSignal::new(old.as_ref().map_or_else(|| phone.unit(), |g| g.unit));
    let context = RwSignal::new(
        old.as_ref()
            .map_or_else(|| model::context_at(now()), |g| g.context),
    );
    let warning = move || {
        let n = read_number(&value.get())?;
        let unit = unit.get();
        let other = if unit == GlucoseUnit::MgDl {
            GlucoseUnit::MmolL
        } else {
            GlucoseUnit::MgDl
        };
        match glucose::assess(n, unit) {
            Ok(None) => None,
            Ok(Some(GlucoseWarning::UnitMixup)) => Some(tr.t_with(
                "phone-unit-mixup",
                &[
                    ("other", i18n::unit_name(other).into()),
                    ("unit", i18n::unit_name(unit).into()),
                ],
            )),
            Err(_) => Some(tr.t_with(
                "phone-out-of-range",
                &[("unit", i18n::unit_name(unit).into())],
            )),
        }
    };
    let editing_for_save = editing.clone();
    let save = move |reading: Option<GlucoseValue>| {
        let Some(at) = base.event_time(&phone) else {
            return;
        };
        let text = value.get_untracked().trim().to_ascii_uppercase();
        let reading = reading.or(match text.as_str() {
            "LO" => Some(GlucoseValue::Flag(MeterFlag::Lo)),
            "HI" => Some(GlucoseValue::Flag(MeterFlag::Hi)),
            _ => read_number(&text).map(GlucoseValue::Number),
        });
        let Some(reading) = reading else {
            base.problem.set(Some(tr.t("phone-enter-reading")));
            return;
        };
        let data = EntryData::Glucose(GlucoseData {
            measured_at: at,
            value: reading,
            unit: unit.get_untracked(),
            context: context.get_untracked(),
            source: old.as_ref().map_or(GlucoseSource::Meter, |g| g.source),
            note: old.as_ref().and_then(|g| g.note.clone()),
        });
        base.submit(
            &phone,
            &editing_for_save,
            data,
            after_save(&editing_for_save),
        );
    };
    let on_submit = {
        let save = save.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            save(None);
        }
    };
    let flag = {
        let save = save.clone();
        move |f: MeterFlag| {
            let save = save.clone();
            move |_| save(Some(GlucoseValue::Flag(f)))
        }
    };
    let title = if matches!(editing, Editing::New) {
        tr.t("phone-log-glucose")
    } else {
        tr.t("phone-edit-glucose")
    };
    let contexts = [
        GlucoseContext::Fasting,
        GlucoseContext::BeforeMeal,
        GlucoseContext::AfterMeal,
        GlucoseContext::Bedtime,
        GlucoseContext::Overnight,
        GlucoseContext::Other,
    ];
    view! {
        <form class="card log-form" on:submit=on_submit novalidate>
            <h1>{title}</h1>
            <label for="glucose_value">{tr.t("phone-reading")}" "<span class="hint">{tr.t("phone-reading-hint")}</span></label>
            <div class="reading-row">
                <input id="glucose_value" type="text" inputmode="decimal" autocomplete="off" bind:value=value autofocus />
                <span class="unit" aria-hidden="true">{move || i18n::unit_name(unit.get())}</span>
            </div>
            <p class="notice warn" aria-live="polite">{warning}</p>
            <div class="chips flags">
                <button type="button" class="button" on:click=flag(MeterFlag::Lo)>"LO"</button>
                <button type="button" class="button" on:click=flag(MeterFlag::Hi)>"HI"</button>
            </div>
            <fieldset class="chips">
                <legend>{tr.t("phone-unit")}</legend>
                {[GlucoseUnit::MmolL, GlucoseUnit::MgDl].into_iter().map(|u| view! {
                    <label class="chip">
                        <input type="radio" name="unit" prop:checked=move || unit.get() == u on:change=move |_| unit.set(u) />
                        {i18n::unit_name(u)}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="chips">
                <legend>{tr.t("phone-context")}</legend>
                {contexts.into_iter().map(|c| view! {
                    <label class="chip">
                        <input type="radio" name="context" prop:checked=move || context.get() == c on:change=move |_| context.set(c) />
                        {i18n::context(tr, c)}
                    </label>
                }).collect_view()}
            </fieldset>
            <FormFooter base editing />
        </form>
    }
}
