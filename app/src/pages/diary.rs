//! `/diary`: the page that holds the phone app (`crate::phone`). The server
//! sends an empty frame; in the browser the app is mounted into it and runs
//! from what the phone holds, with or without a network.

use leptos::prelude::*;

#[component]
pub fn Diary() -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(root) = root.get() {
            root.set_inner_html("");
            let root: web_sys::HtmlElement = root.into();
            let handle = leptos::mount::mount_to(root, crate::phone::screens::PhoneApp);
            // Leaving the page (client-side navigation) unmounts the app.
            let handle = send_wrapper::SendWrapper::new(handle);
            on_cleanup(move || drop(handle));
        }
    });
    view! {
        <div class="phone-root" node_ref=root>
            <p class="notice">"…"</p>
        </div>
    }
}
