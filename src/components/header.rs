//! The header of every page: the product name, and before verification who is signing in, with
//! a way out.

use leptos::prelude::*;
use twostep_api::{routes, Stage};

use crate::app::AppState;
use crate::texts::texts;

#[component]
pub fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = texts();
    let signing_in = move || {
        let session = state.session.get()?;
        let user = session.user?;
        (session.stage != Stage::Verified).then_some(user)
    };

    view! {
        <header class="header">
            <span class="brand">
                <img class="logo" src=routes::THEME_LOGO alt=""/>
                {t.get("brand")}
            </span>
            {move || {
                signing_in()
                    .map(|user| {
                        view! {
                            <span class="who">
                                {t.get("signing_in_as")} " "
                                <strong class="display-name">{user.display_name}</strong>
                                " ("
                                <span class="username">{user.username}</span>
                                ")"
                            </span>
                            <button class="logout" type="button" on:click=move |_| state.logout()>
                                {t.get("logout")}
                            </button>
                        }
                    })
            }}
        </header>
    }
}
