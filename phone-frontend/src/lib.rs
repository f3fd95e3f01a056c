//! The phone app's entry point: its own, smaller WASM bundle. It mounts the
//! app (`app::phone`) into the frame of the `/diary` page; the investigators'
//! pages live in the main bundle (`frontend`) and never reach the phone.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    let Some(root) = document()
        .get_element_by_id(app::pages::diary::PHONE_ROOT_ID)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    root.set_inner_html("");
    leptos::mount::mount_to(root, app::phone::screens::PhoneApp).forget();
    // The same mark the main bundle sets once it runs the page.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
