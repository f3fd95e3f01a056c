//! `/diary`: the page of the phone app (`crate::phone`). The server sends a
//! frame and the phone's own bundle (`phone-frontend`, see `shell`) mounts
//! the app into it: everything the app shows comes from the phone's storage,
//! and phones download the phone app only, not the investigators' pages.

use leptos::prelude::*;

/// The element the phone bundle mounts the app into.
pub const PHONE_ROOT_ID: &str = "phone-app";

#[component]
pub fn Diary() -> impl IntoView {
    // Reached by navigating inside the main bundle: load the page for real,
    // so the phone bundle starts.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let _ = window().location().reload();
    });
    view! {
        <div id=PHONE_ROOT_ID class="phone-root">
            <noscript>"T1D eDiary needs JavaScript. / T1D 电子日记需要启用 JavaScript。"</noscript>
        </div>
    }
}
