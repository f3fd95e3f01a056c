use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    session::{self, MfaSetupView},
    study::StudyBanner,
};

/// Staff add the diary to an authenticator app: QR code, the secret as
/// text, and one-time recovery codes. The first code at sign-in confirms it.
#[component]
pub fn MfaSetup() -> impl IntoView {
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
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };

    view! {
        <StudyBanner />
        <Show
            when=move || done().is_none()
            fallback=move || done().map(|setup| view! { <MfaDetails setup /> })
        >
            <section class="card">
                <h1>"Set up two-factor sign-in"</h1>
                <p class="lead">"Staff sign in with a password and a code from an authenticator app. Confirm your password to begin."</p>
                <form method="post" on:submit=on_submit novalidate>
                    <label for="mfa_username">"Username"</label>
                    <input id="mfa_username" name="username" type="text" autocomplete="username" autocapitalize="none" bind:value=username />
                    <label for="mfa_password">"Password"</label>
                    <input id="mfa_password" name="password" type="password" autocomplete="current-password" bind:value=password />
                    <label for="mfa_setup_code">"Set-up code (only after your admin reset it)"</label>
                    <input id="mfa_setup_code" name="setup_code" type="text" autocomplete="one-time-code" autocapitalize="characters" bind:value=setup_code />
                    <p class="notice" role="status" aria-live="polite">{message}</p>
                    <button type="submit" class="button primary" disabled=move || set_up.pending().get()>"Continue"</button>
                </form>
            </section>
        </Show>
    }
}

#[component]
fn MfaDetails(setup: MfaSetupView) -> impl IntoView {
    view! {
        <section class="card enrolment">
            <h1>"Scan with your authenticator app"</h1>
            <div class="qr" inner_html=setup.qr_svg></div>
            <p class="lead">"Or type this key: "<span class="secret">{setup.secret}</span></p>
            <h2>"Recovery codes"</h2>
            <p class="lead">"Each works once if the phone is lost. Keep them somewhere safe; they are not shown again."</p>
            <ul class="recovery">
                {setup.recovery_codes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            <a class="button primary" href="/" rel="external">"Sign in with a code"</a>
        </section>
    }
}
