//! Settings: unit, language, the daily reminder and signing out.

use leptos::prelude::*;

use super::use_phone;
use crate::{
    domain::{glucose::GlucoseUnit, language::Language},
    phone::{i18n, state::Settings},
};

#[component]
pub(super) fn SettingsScreen() -> impl IntoView {
    let phone = use_phone();
    let tr = phone.tr();
    let confirm = RwSignal::new(false);
    let update = move |f: &dyn Fn(&mut Settings)| {
        let mut s = phone.settings.get_untracked();
        f(&mut s);
        phone.set_settings(s);
    };
    let reminder = move || {
        phone
            .settings
            .with(|s| s.reminder.clone())
            .unwrap_or_default()
    };
    let sign_out = move |_| {
        let (pending, refused) = phone.counts();
        if pending + refused > 0 && !confirm.get_untracked() {
            confirm.set(true);
        } else {
            phone.sign_out();
        }
    };
    view! {
        <h1>{tr.t("phone-settings-title")}</h1>
        <section class="card">
            <fieldset class="chips">
                <legend>{tr.t("phone-glucose-unit")}</legend>
                {[GlucoseUnit::MmolL, GlucoseUnit::MgDl].into_iter().map(|u| view! {
                    <label class="chip">
                        <input type="radio" name="settings_unit" prop:checked=move || phone.unit() == u
                            on:change=move |_| update(&|s| s.unit = Some(u)) />
                        {i18n::unit_name(u)}
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="chips">
                <legend>{tr.t("common-language")}</legend>
                // Each language's name in itself, so anyone can find theirs.
                {Language::ALL.into_iter().map(|language| view! {
                    <label class="chip" lang=language.tag()>
                        <input type="radio" name="settings_lang" prop:checked=move || phone.language() == language
                            on:change=move |_| {
                                update(&|s| s.lang = Some(language));
                                leptos::task::spawn_local(async move {
                                    crate::phone::sync::save_language(language).await;
                                });
                            } />
                        {language.endonym()}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="reminder">{tr.t("phone-reminder")}</label>
            <input id="reminder" type="time" prop:value=reminder
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    update(&|s| s.reminder = (!value.is_empty()).then(|| value.clone()));
                } />
            <p class="hint">{tr.t("phone-reminder-hint")}</p>
        </section>
        <section class="card">
            <Show when=move || confirm.get()>
                <p class="notice warn" role="alert">{move || {
                    let (pending, refused) = phone.counts();
                    tr.t_with("phone-sign-out-pending", &[("n", (pending + refused).into())])
                }}</p>
            </Show>
            <button type="button" class="button" on:click=sign_out>
                {move || if confirm.get() { tr.t("phone-sign-out-anyway") } else { tr.t("phone-sign-out") }}
            </button>
        </section>
    }
}
