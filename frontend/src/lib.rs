//! The WASM entry point: hydrates the page the server rendered.
#![recursion_limit = "256"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(gatehouse_app::App);
}
