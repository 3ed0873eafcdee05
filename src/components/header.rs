//! The header of every page: the product name, and before verification who is signing in, with
//! a way out.

use leptos::prelude::*;
use twostep_api::Stage;

use crate::app::AppState;

#[component]
pub fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let signing_in = move || {
        let session = state.session.get()?;
        let user = session.user?;
        (session.stage != Stage::Verified).then_some(user)
    };

    view! {
        <header class="header">
            <span class="brand">
                <span class="logo" aria-hidden="true"></span>
                "twostep"
            </span>
            {move || {
                signing_in()
                    .map(|user| {
                        view! {
                            <span class="who">
                                "Signing in as "
                                <strong class="display-name">{user.display_name}</strong>
                                " ("
                                <span class="username">{user.username}</span>
                                ")"
                            </span>
                            <button class="logout" type="button" on:click=move |_| state.logout()>
                                "Log out"
                            </button>
                        }
                    })
            }}
        </header>
    }
}
