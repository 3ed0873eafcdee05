//! The twostep web app: the sign-in pages, shown according to the session's stage on the server.

mod api;
mod app;
mod components;
mod pages;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
