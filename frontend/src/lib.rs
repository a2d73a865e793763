//! The hydrate entry point: wasm-bindgen calls `hydrate()` once the page's HTML is in place,
//! and the console rendered by the server becomes interactive. Nothing else lives here.
#![cfg(target_arch = "wasm32")]
// Leptos view types nest deeply; the default limit is too small for the console's pages.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: some routes are lazy-loaded wasm chunks (`cargo leptos build --split`).
    leptos::mount::hydrate_lazy(app::ui::App);
}
