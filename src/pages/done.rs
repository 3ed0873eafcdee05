//! Signed in: who, and the way on.

use leptos::prelude::*;
use twostep_api::routes;

use crate::app::AppState;

#[component]
pub fn Done() -> impl IntoView {
    let state = expect_context::<AppState>();
    let next = state.next.get_value().unwrap_or_else(|| "/".to_owned());
    let user = state.user();
    let display_name = user
        .as_ref()
        .map(|u| u.display_name.clone())
        .unwrap_or_default();

    view! {
        <div class="done">
            // This page exists only for a verified session: the first moment the avatar may be
            // asked for.
            <img class="avatar" src=routes::ME_AVATAR alt="" width="96" height="96"/>
            <h1>"You're signed in"</h1>
            <p>"Welcome, " <strong class="display-name">{display_name}</strong> "."</p>
            <div class="actions">
                <a class="button primary" href=next>"Continue"</a>
                <button type="button" on:click=move |_| state.logout()>"Log out"</button>
            </div>
        </div>
    }
}
