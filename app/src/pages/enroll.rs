use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::use_query_map;

use crate::{
    domain::account::PASSWORD_MIN_CHARS,
    i18n::use_tr,
    pages::{go_home, language_switch::LanguageSwitch},
    session,
    study::StudyBanner,
};

/// Enrolment with the code from the study team, typed or opened from the
/// QR code's link (`/enroll?code=...`).
#[component]
pub fn Enroll() -> impl IntoView {
    let tr = use_tr();
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code").unwrap_or_default()));
    let display_name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let enroll = ServerAction::<session::Enroll>::new();

    Effect::new(move |_| {
        if let Some(Ok(user)) = enroll.value().get() {
            go_home(user.role);
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let missing = if code.get().trim().is_empty() {
            Some(tr.t("enroll-missing-code"))
        } else if display_name.get().trim().is_empty() || username.get().trim().is_empty() {
            Some(tr.t("enroll-missing-name"))
        } else if password.get().chars().count() < PASSWORD_MIN_CHARS {
            Some(tr.t_with(
                "enroll-short-password",
                &[("min", PASSWORD_MIN_CHARS.into())],
            ))
        } else {
            None
        };
        let ok = missing.is_none();
        problem.set(missing);
        if ok {
            enroll.dispatch(session::Enroll {
                code: code.get(),
                display_name: display_name.get(),
                username: username.get(),
                password: password.get(),
            });
        }
    };
    let message = move || {
        problem.get().or_else(|| match enroll.value().get() {
            Some(Err(error)) => Some(error.message(tr)),
            _ => None,
        })
    };

    view! {
        <StudyBanner />
        <LanguageSwitch />
        <section class="card">
            <h1>{tr.t("enroll-title")}</h1>
            <p class="lead">{tr.t("enroll-lead")}</p>
            <form method="post" action={<session::Enroll as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit novalidate>
                <label for="code">{tr.t("enroll-code")}</label>
                <input id="code" name="code" type="text" autocapitalize="characters" autocomplete="off" spellcheck="false" data-keep="" value=code.get_untracked() bind:value=code />
                <label for="display_name">{tr.t("enroll-name")}</label>
                <input id="display_name" name="display_name" type="text" autocomplete="name" data-keep="" bind:value=display_name />
                <label for="new_username">{tr.t("enroll-username")}</label>
                <input id="new_username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" data-keep="" bind:value=username />
                <label for="new_password">{tr.t_with("enroll-password", &[("min", PASSWORD_MIN_CHARS.into())])}</label>
                <input id="new_password" name="password" type="password" autocomplete="new-password" bind:value=password />
                <p class="notice" role="status" aria-live="polite">{message}</p>
                <button type="submit" class="button primary" disabled=move || enroll.pending().get()>
                    {move || if enroll.pending().get() { tr.t("enroll-pending") } else { tr.t("enroll-submit") }}
                </button>
            </form>
        </section>
    }
}
