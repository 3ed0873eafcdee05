//! The twostep web app: the sign-in pages, shown according to the session's stage on the server.

mod api;
mod app;
mod components;
mod pages;
mod texts;

fn main() {
    // The texts come first, since the theme words every page. Leptos's own task runner starts
    // with the app, so this first task runs on wasm-bindgen's.
    wasm_bindgen_futures::spawn_local(async {
        texts::install(api::messages().await.ok());
        texts::name_the_document();
        leptos::mount::mount_to_body(app::App);
    });
}
