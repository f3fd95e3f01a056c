use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    domain::account::Role,
    error::AppError,
    session::{self, SignedIn, who_am_i},
    study::StudyBanner,
};

/// The first screen: who is signed in, or the sign-in form.
#[component]
pub fn SignIn() -> impl IntoView {
    // Rendered on the server from the session cookie, refetched after a
    // sign-in or sign-out.
    let current = Resource::new(|| (), |_| who_am_i());
    let refresh = Callback::new(move |()| current.refetch());

    view! {
        <StudyBanner />
        <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match current.await {
                    Ok(Some(user)) => view! { <Welcome user on_signed_out=refresh /> }.into_any(),
                    Ok(None) => view! { <SignInForm on_signed_in=refresh /> }.into_any(),
                    Err(error) => {
                        view! {
                            <p class="notice error" role="alert">
                                {error.to_string()}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Welcome(user: SignedIn, on_signed_out: Callback<()>) -> impl IntoView {
    let sign_out = ServerAction::<session::SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            // Pages kept for offline starts may show this user's data.
            #[cfg(feature = "hydrate")]
            if let Ok(caches) = window().caches() {
                let _ = caches.delete(crate::OFFLINE_CACHE);
            }
            on_signed_out.run(());
        }
    });
    view! {
        <section class="card">
            <h1>{format!("Signed in as {}", user.display_name)}</h1>
            <p class="lead">{format!("Role: {}", user.role)}</p>
            {(user.role == Role::Investigator)
                .then(|| view! {
                    <p><a class="button primary" href="/participants">"Participants"</a></p>
                    <p><a class="button" href="/inbox">"Alerts"</a></p>
                    <p><a class="button" href="/participants/new">"Add a participant"</a></p>
                })}
            {(user.role == Role::Admin)
                .then(|| view! { <p><a class="button primary" href="/study/settings">"Study settings"</a></p> })}
            {matches!(user.role, Role::Participant | Role::Guardian)
                .then(|| view! { <p><a class="button primary" href="/diary" rel="external">"Diary"</a></p> })}
            <p><a class="button" href="/sessions">"Signed-in devices"</a></p>
            <button class="button" on:click=move |_| { sign_out.dispatch(session::SignOut {}); }>
                "Sign out"
            </button>
            <p class="notice error" role="alert">
                {move || sign_out.value().get().and_then(Result::err).map(|e| e.to_string())}
            </p>
        </section>
    }
}

#[component]
fn SignInForm(on_signed_in: Callback<()>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let problem = RwSignal::new(None::<&'static str>);
    let sign_in = ServerAction::<session::SignIn>::new();
    // A staff account answers with a request for the second factor.
    let needs_code = move || matches!(sign_in.value().get(), Some(Err(AppError::MfaRequired)));

    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            on_signed_in.run(());
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let missing = sign_in_problem(&username.get(), &password.get());
        problem.set(missing);
        if missing.is_none() {
            let totp = Some(code.get()).filter(|c| !c.trim().is_empty());
            sign_in.dispatch(session::SignIn {
                username: username.get(),
                password: password.get(),
                totp,
            });
        }
    };
    let message = move || {
        problem
            .get()
            .map(str::to_owned)
            .or_else(|| match sign_in.value().get() {
                Some(Err(error)) => Some(error.to_string()),
                _ => None,
            })
    };

    view! {
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
                <Show when=needs_code>
                    <p class="notice">
                        "First time? "<a href="/mfa/setup">"Set up two-factor sign-in"</a>
                    </p>
                    <label for="totp">"Code from your authenticator app"</label>
                    <input
                        id="totp"
                        name="totp"
                        type="text"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        bind:value=code
                    />
                </Show>
                <p class="notice" role="status" aria-live="polite">
                    {message}
                </p>
                <button type="submit" class="button primary" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
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
