use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    i18n::use_tr,
    pages::language_switch::LanguageSwitch,
    session::{self, MfaSetupView},
    study::StudyBanner,
};

/// Staff add the diary to an authenticator app: QR code, the secret as
/// text, and one-time recovery codes. The first code at sign-in confirms it.
#[component]
pub fn MfaSetup() -> impl IntoView {
    let tr = use_tr();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let setup_code = RwSignal::new(String::new());
    let set_up = ServerAction::<session::SetUpMfa>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        set_up.dispatch(session::SetUpMfa {
            username: username.get(),
            password: password.get(),
            setup_code: Some(setup_code.get()).filter(|c| !c.trim().is_empty()),
        });
    };
    let done = move || set_up.value().get().and_then(Result::ok);
    let message = move || match set_up.value().get() {
        Some(Err(error)) => Some(error.message(tr)),
        _ => None,
    };

    view! {
        <StudyBanner />
        <LanguageSwitch />
        <Show
            when=move || done().is_none()
            fallback=move || done().map(|setup| view! { <MfaDetails setup /> })
        >
            <section class="card">
                <h1>{tr.t("mfa-title")}</h1>
                <p class="lead">{tr.t("mfa-lead")}</p>
                <form method="post" on:submit=on_submit novalidate>
                    <label for="mfa_username">{tr.t("mfa-username")}</label>
                    <input id="mfa_username" name="username" type="text" autocomplete="username" autocapitalize="none" bind:value=username />
                    <label for="mfa_password">{tr.t("mfa-password")}</label>
                    <input id="mfa_password" name="password" type="password" autocomplete="current-password" bind:value=password />
                    <label for="mfa_setup_code">{tr.t("mfa-setup-code")}</label>
                    <input id="mfa_setup_code" name="setup_code" type="text" autocomplete="one-time-code" autocapitalize="characters" bind:value=setup_code />
                    <p class="notice" role="status" aria-live="polite">{message}</p>
                    <button type="submit" class="button primary" disabled=move || set_up.pending().get()>{tr.t("mfa-continue")}</button>
                </form>
            </section>
        </Show>
    }
}

#[component]
fn MfaDetails(setup: MfaSetupView) -> impl IntoView {
    let tr = use_tr();
    view! {
        <section class="card enrolment">
            <h1>{tr.t("mfa-scan")}</h1>
            <div class="qr" inner_html=setup.qr_svg></div>
            <p class="lead">{tr.t("mfa-key")}" "<span class="secret" translate="no">{setup.secret}</span></p>
            <h2>{tr.t("mfa-recovery-title")}</h2>
            <p class="lead">{tr.t("mfa-recovery-lead")}</p>
            <ul class="recovery">
                {setup.recovery_codes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            <a class="button primary" href="/" rel="external">{tr.t("mfa-sign-in")}</a>
        </section>
    }
}
