//! Signed in: who, and the way on.

use leptos::prelude::*;
use twostep_api::routes;

use crate::app::AppState;
use crate::texts::texts;

#[component]
pub fn Done() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = texts();
    let next = state.next.get_value().unwrap_or_else(|| "/".to_owned());
    let display_name = state.user().map(|u| u.display_name).unwrap_or_default();
    // "Welcome, {name}." with the name set apart.
    let welcome = t.get("done_welcome");
    let (before, after) = welcome.split_once("{name}").unwrap_or((&welcome, ""));
    let (before, after) = (before.to_owned(), after.to_owned());

    view! {
        <div class="done">
            // This page exists only for a verified session: the first moment the avatar may be
            // asked for.
            <img class="avatar" src=routes::ME_AVATAR alt="" width="96" height="96"/>
            <h1>{t.get("done_title")}</h1>
            <p>{before}<strong class="display-name">{display_name}</strong>{after}</p>
            <div class="actions">
                <a class="button primary" href=next>{t.get("continue")}</a>
                <button type="button" on:click=move |_| state.logout()>{t.get("logout")}</button>
            </div>
        </div>
    }
}
