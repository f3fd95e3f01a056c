use leptos::{ev::SubmitEvent, prelude::*};

use crate::study::StudyBanner;

/// The first screen: sign in with a username and password.
#[component]
pub fn SignIn() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let message = RwSignal::new(None::<&'static str>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        message.set(Some(
            sign_in_problem(&username.get(), &password.get())
                .unwrap_or("Sign-in is not switched on in this version of the diary yet."),
        ));
    };

    view! {
        <StudyBanner />
        <section class="card sign-in">
            <h1>"Sign in"</h1>
            <p class="lead">"Your diary for the study: glucose, insulin and low blood sugar events."</p>
            // `post` keeps a password out of the address bar if the form is sent before the app has loaded.
            <form method="post" on:submit=on_submit novalidate>
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    bind:value=username
                />
                <label for="password">"Password"</label>
                <div class="password-row">
                    <input
                        id="password"
                        name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password"
                        required
                        bind:value=password
                    />
                    <button
                        type="button"
                        class="toggle"
                        aria-controls="password"
                        aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|shown| *shown = !*shown)
                    >
                        {move || if show_password.get() { "Hide" } else { "Show" }}
                    </button>
                </div>
                <p class="notice" role="status" aria-live="polite">
                    {move || message.get()}
                </p>
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
        </section>
    }
}

/// What is missing before a sign-in can be tried, in the words shown to the user.
fn sign_in_problem(username: &str, password: &str) -> Option<&'static str> {
    match (username.trim().is_empty(), password.is_empty()) {
        (true, true) => Some("Enter your username and password."),
        (true, false) => Some("Enter your username."),
        (false, true) => Some("Enter your password."),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::sign_in_problem;

    #[test]
    fn names_what_is_missing() {
        let cases = [
            ("", "", Some("Enter your username and password.")),
            ("  ", "secret", Some("Enter your username.")),
            ("mei", "", Some("Enter your password.")),
            ("mei", " ", None),
        ];
        for (username, password, expected) in cases {
            assert_eq!(
                sign_in_problem(username, password),
                expected,
                "{username:?}/{password:?}"
            );
        }
    }
}
