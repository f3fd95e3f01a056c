use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::{session, study::StudyBanner};

/// Enrolment with the code from the study team, typed or opened from the
/// QR code's link (`/enroll?code=...`).
#[component]
pub fn Enroll() -> impl IntoView {
    let query = use_query_map();
    let code = RwSignal::new(query.with_untracked(|q| q.get("code").unwrap_or_default()));
    let display_name = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let enroll = ServerAction::<session::Enroll>::new();

    Effect::new(move |_| {
        if let Some(Ok(_)) = enroll.value().get() {
            use_navigate()("/", Default::default());
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let missing = if code.get().trim().is_empty() {
            Some("Enter the code from the study team.")
        } else if display_name.get().trim().is_empty() || username.get().trim().is_empty() {
            Some("Enter your name and choose a username.")
        } else if password.get().chars().count() < 8 {
            Some("Choose a password of at least 8 characters.")
        } else {
            None
        };
        problem.set(missing);
        if missing.is_none() {
            enroll.dispatch(session::Enroll {
                code: code.get(),
                display_name: display_name.get(),
                username: username.get(),
                password: password.get(),
            });
        }
    };
    let message = move || {
        problem
            .get()
            .map(str::to_owned)
            .or_else(|| match enroll.value().get() {
                Some(Err(error)) => Some(error.to_string()),
                _ => None,
            })
    };

    view! {
        <StudyBanner />
        <section class="card">
            <h1>"Join the study"</h1>
            <p class="lead">"Use the code the study team gave you. It works once and for 7 days."</p>
            <form method="post" on:submit=on_submit novalidate>
                <label for="code">"Code"</label>
                <input id="code" name="code" type="text" autocapitalize="characters" autocomplete="off" spellcheck="false" bind:value=code />
                <label for="display_name">"Your name"</label>
                <input id="display_name" name="display_name" type="text" autocomplete="name" bind:value=display_name />
                <label for="new_username">"Username"</label>
                <input id="new_username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" bind:value=username />
                <label for="new_password">"Password (at least 8 characters)"</label>
                <input id="new_password" name="password" type="password" autocomplete="new-password" bind:value=password />
                <p class="notice" role="status" aria-live="polite">{message}</p>
                <button type="submit" class="button primary" disabled=move || enroll.pending().get()>
                    {move || if enroll.pending().get() { "Joining…" } else { "Join" }}
                </button>
            </form>
        </section>
    }
}
