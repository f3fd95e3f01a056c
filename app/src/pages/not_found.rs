use leptos::prelude::*;

use crate::pages::language_switch::LanguageSwitch;

/// Shown for any path the app does not know; the server answers it with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    let tr = crate::i18n::use_tr();
    view! {
        <LanguageSwitch />
        <section class="card">
            <h1>{tr.t("not-found-title")}</h1>
            <p>{tr.t("not-found-lead")}</p>
            <a class="button" href="/">{tr.t("not-found-home")}</a>
        </section>
    }
}
