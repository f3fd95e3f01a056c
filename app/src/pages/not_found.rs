use leptos::prelude::*;

/// Shown for any path the app does not know; the server answers it with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }

    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"This address is not part of the diary."</p>
            <a class="button" href="/">"Go to sign in"</a>
        </section>
    }
}
