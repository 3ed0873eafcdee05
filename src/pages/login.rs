//! Username and password.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::app::AppState;
use crate::texts::texts;

#[component]
pub fn Login() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = texts();
    let (submit_text, busy_text) = (t.get("login_submit"), t.get("login_busy"));
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // A refused sign-in puts the focus on the password, the field to type again.
    let password_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if error.get().is_some() {
            if let Some(input) = password_field.get() {
                let _ = input.focus();
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::login(username.get_untracked(), password.get_untracked()).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    password.set(String::new());
                    error.set(None);
                    state.refresh();
                }
                Err(failure) => error.set(Some(failure.message())),
            }
        });
    };

    view! {
        <h1>{t.get("login_title")}</h1>
        <form class="login" on:submit=submit>
            <label for="username">{t.get("login_username")}</label>
            <input
                id="username"
                aria-describedby="login-error"
                name="username"
                autocomplete="username"
                autocapitalize="none"
                spellcheck="false"
                required
                autofocus
                prop:value=move || username.get()
                on:input=move |ev| username.set(event_target_value(&ev))
            />
            <label for="password">{t.get("login_password")}</label>
            <input
                node_ref=password_field
                id="password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                aria-describedby="login-error"
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || password.get()
                on:input=move |ev| password.set(event_target_value(&ev))
            />
            <p id="login-error" class="error" role="alert">
                {move || error.get()}
            </p>
            <button class="primary" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { busy_text.clone() } else { submit_text.clone() }}
            </button>
        </form>
    }
}
