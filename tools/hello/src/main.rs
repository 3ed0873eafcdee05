//! The smallest Leptos app: the size floor the sign-in app is compared with.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| view! { <p>"Hello"</p> });
}
