use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    error::AppError,
    i18n::use_tr,
    pages::{go_home, language_switch::LanguageSwitch},
    session::{self, who_am_i},
    study::StudyBanner,
};

/// The first screen: the sign-in form. A signed-in person is sent on to
/// their own page (by the server before this renders, or here once the
/// sign-in succeeds).
#[component]
pub fn SignIn() -> impl IntoView {
    let tr = use_tr();
    let current = Resource::new(|| (), |_| who_am_i());
    view! {
        <StudyBanner />
        <LanguageSwitch />
        <Suspense fallback=move || view! { <p class="notice">{tr.t("common-loading")}</p> }>
            {move || Suspend::new(async move {
                match current.await {
                    Ok(Some(user)) => {
                        Effect::new(move |_| go_home(user.role));
                        view! {
                            <p class="notice" role="status">
                                <a href=user.role.home() rel="external">{tr.t("sign-in-signed-in")}</a>
                            </p>
                        }
                            .into_any()
                    }
                    Ok(None) => view! { <SignInForm /> }.into_any(),
                    Err(error) => {
                        view! { <p class="notice error" role="alert">{error.message(tr)}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let tr = use_tr();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let problem = RwSignal::new(None::<&'static str>);
    let sign_in = ServerAction::<session::SignIn>::new();
    // A staff account answers with a request for the second factor.
    let needs_code = move || matches!(sign_in.value().get(), Some(Err(AppError::MfaRequired)));

    Effect::new(move |_| {
        if let Some(Ok(user)) = sign_in.value().get() {
            go_home(user.role);
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
            .map(|id| tr.t(id))
            .or_else(|| match sign_in.value().get() {
                // The server's word for an empty field (a form sent with no script).
                Some(Err(AppError::Invalid(fields))) => {
                    let named = |field: &str| fields.iter().any(|(name, _)| name == field);
                    Some(
                        missing_message(named("username"), named("password")).map_or_else(
                            || AppError::Invalid(fields.clone()).message(tr),
                            |id| tr.t(id),
                        ),
                    )
                }
                Some(Err(error)) => Some(error.message(tr)),
                _ => None,
            })
    };

    view! {
        <section class="card sign-in">
            <h1>{tr.t("sign-in-title")}</h1>
            <p class="lead">{tr.t("sign-in-lead")}</p>
            // `post` keeps a password out of the address bar if the form is sent before the app has loaded.
            <form method="post" action={<session::SignIn as leptos::server_fn::ServerFn>::PATH} on:submit=on_submit novalidate>
                <label for="username">{tr.t("sign-in-username")}</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    data-keep=""
                    bind:value=username
                />
                <label for="password">{tr.t("sign-in-password")}</label>
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
                        // The sign-in page's own script (public/light.js) switches with these.
                        data-show=tr.t("sign-in-show")
                        data-hide=tr.t("sign-in-hide")
                        on:click=move |_| show_password.update(|shown| *shown = !*shown)
                    >
                        {move || if show_password.get() { tr.t("sign-in-hide") } else { tr.t("sign-in-show") }}
                    </button>
                </div>
                <Show when=needs_code>
                    <p class="notice">
                        {tr.t("sign-in-first-time")}" "<a href="/mfa/setup">{tr.t("sign-in-set-up-mfa")}</a>
                    </p>
                    <label for="totp">{tr.t("sign-in-code")}</label>
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
                    {move || if sign_in.pending().get() { tr.t("sign-in-pending") } else { tr.t("sign-in-submit") }}
                </button>
            </form>
            <p><a href="/enroll">{tr.t("sign-in-enroll-link")}</a></p>
        </section>
    }
}

/// What is missing before a sign-in can be tried: the message's id.
fn sign_in_problem(username: &str, password: &str) -> Option<&'static str> {
    missing_message(username.trim().is_empty(), password.is_empty())
}

/// The message's id for what is missing, the page's or the server's finding.
fn missing_message(username_missing: bool, password_missing: bool) -> Option<&'static str> {
    match (username_missing, password_missing) {
        (true, true) => Some("sign-in-missing-both"),
        (true, false) => Some("sign-in-missing-username"),
        (false, true) => Some("sign-in-missing-password"),
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::language::Language, i18n::Tr};

    #[test]
    fn names_what_is_missing() {
        let cases = [
            ("", "", Some("sign-in-missing-both")),
            ("  ", "secret", Some("sign-in-missing-username")),
            ("mei", "", Some("sign-in-missing-password")),
            ("mei", " ", None),
        ];
        for (username, password, expected) in cases {
            assert_eq!(
                sign_in_problem(username, password),
                expected,
                "{username:?}/{password:?}"
            );
        }
        // Each id names a message (the i18n tests check ids written as literals).
        for language in Language::ALL {
            let tr = Tr::pages(language);
            for id in [
                "sign-in-missing-both",
                "sign-in-missing-username",
                "sign-in-missing-password",
            ] {
                assert!(tr.has(id), "{id}");
            }
        }
        let en = Tr::pages(Language::En);
        assert_eq!(
            en.t("sign-in-missing-both"),
            "Enter your username and password."
        );
        assert_eq!(
            Tr::pages(Language::ZhCn).t("sign-in-missing-username"),
            "请输入用户名。"
        );
    }
}
