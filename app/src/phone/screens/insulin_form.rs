//! The insulin form: a dose, its purpose and the kind of insulin.

use leptos::{ev::SubmitEvent, prelude::*};

use super::{
    form::{FormBase, FormFooter, after_save, editing_row},
    use_phone,
};
use crate::{
    domain::entry::{EntryData, InsulinData, InsulinPurpose, InsulinType},
    i18n::format,
    phone::{
        i18n,
        model::{self, read_number},
        state::{Editing, now},
    },
};

#[component]
pub(super) fn InsulinForm(editing: Editing) -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let base = FormBase::new(&editing);
    let rows = phone.rows();
    let old = editing_row(&editing).and_then(|r| match &r.parsed {
        Some(EntryData::Insulin(i)) => Some(i.clone()),
        _ => None,
    });
    let first_purpose = old
        .as_ref()
        .map_or_else(|| model::likely_purpose(&rows, now()), |i| i.purpose);
    let remembered = move |p: InsulinPurpose| {
        model::last_insulin_type(&rows, p).unwrap_or(match p {
            InsulinPurpose::Basal => InsulinType::Long,
            _ => InsulinType::Rapid,
        })
    };
    let units = RwSignal::new(
        old.as_ref()
            .map(|i| format::number(i.units, 2))
            .unwrap_or_default(),
    );
    let purpose = RwSignal::new(first_purpose);
    let kind = RwSignal::new(
        old.as_ref()
            .map_or_else(|| remembered(first_purpose), |i| i.insulin_type),
    );
    let editing_for_save = editing.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(at) = base.event_time(&phone) else {
            return;
        };
        let Some(dose) = read_number(&units.get_untracked()) else {
            base.problem.set(Some(tr.t("phone-dose-range")));
            return;
        };
        let data = EntryData::Insulin(InsulinData {
            administered_at: at,
            units: dose,
            insulin_type: kind.get_untracked(),
            purpose: purpose.get_untracked(),
            product: old.as_ref().and_then(|i| i.product.clone()),
            note: old.as_ref().and_then(|i| i.note.clone()),
        });
        base.submit(
            &phone,
            &editing_for_save,
            data,
            after_save(&editing_for_save),
        );
    };
    let title = if matches!(editing, Editing::New) {
        tr.t("phone-log-insulin")
    } else {
        tr.t("phone-edit-insulin")
    };
    let types = [
        InsulinType::Rapid,
        InsulinType::Short,
        InsulinType::Intermediate,
        InsulinType::Long,
        InsulinType::Premixed,
    ];
    let is_new = matches!(editing, Editing::New);
    view! {
        <form class="card log-form" on:submit=on_submit novalidate>
            <h1>{title}</h1>
            <label for="insulin_units">{tr.t("phone-dose")}" "<span class="hint">{tr.t("phone-dose-hint")}</span></label>
            <input id="insulin_units" type="text" inputmode="decimal" autocomplete="off" bind:value=units autofocus />
            <fieldset class="chips">
                <legend>{tr.t("phone-purpose")}</legend>
                {[InsulinPurpose::Meal, InsulinPurpose::Correction, InsulinPurpose::Basal].into_iter().map(|p| {
                    let remembered = remembered.clone();
                    view! {
                        <label class="chip">
                            <input type="radio" name="purpose" prop:checked=move || purpose.get() == p
                                on:change=move |_| {
                                    purpose.set(p);
                                    if is_new { kind.set(remembered(p)); }
                                } />
                            {i18n::purpose(tr, p)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label for="insulin_type">{tr.t("phone-insulin-kind")}</label>
            <select id="insulin_type" on:change=move |ev| {
                let chosen = event_target_value(&ev);
                if let Some(k) = types.into_iter().find(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)) == Some(chosen.clone())) {
                    kind.set(k);
                }
            }>
                {types.into_iter().map(|k| {
                    let value = serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    view! { <option value=value selected=move || kind.get() == k>{i18n::insulin_type(tr, k)}</option> }
                }).collect_view()}
            </select>
            <FormFooter base editing />
        </form>
    }
}
