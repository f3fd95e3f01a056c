//! `/diary`: the page of the phone app (`crate::phone`). The server sends a
//! frame, with the signed-in person's diary profile so a first visit needs no
//! further round trip, and the phone's own bundle (`phone-frontend`, see
//! `shell`) mounts the app into it: phones download the phone app only, not
//! the investigators' pages.

use leptos::prelude::*;

use crate::diary::load_diary_profile;

/// The element the phone bundle mounts the app into.
pub const PHONE_ROOT_ID: &str = "phone-app";
/// The element holding the profile as JSON.
pub const PROFILE_ID: &str = "diary-profile";

#[component]
pub fn Diary() -> impl IntoView {
    let tr = crate::i18n::use_tr();
    let profile = Resource::new_blocking(|| (), |_| load_diary_profile());
    view! {
        // The phone bundle replaces this; should the main bundle ever show
        // this page instead, a full load of it starts the phone app.
        <div id=PHONE_ROOT_ID class="phone-root">
            <p class="notice">
                <a href="/diary" rel="external">{tr.t("diary-open")}</a>
            </p>
            <noscript>{tr.t("diary-needs-script")}</noscript>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // Signed out, the app says so itself.
                let json = profile.await.ok().and_then(|p| serde_json::to_string(&p).ok())?;
                // JSON in a script element: "<" must not close it.
                let json = json.replace('<', "\\u003c");
                Some(view! { <script type="application/json" id=PROFILE_ID inner_html=json></script> })
            })}
        </Suspense>
    }
}
