//! The browser entry point: hydrates the server-rendered page.

// The investigators' pages nest deep enough to pass rustc's default limit.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
