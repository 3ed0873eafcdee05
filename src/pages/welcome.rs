//! A few short steps before the QR code: what a second factor is and which apps work.

use leptos::prelude::*;

use crate::app::{AppState, Page};
use crate::texts::texts;

/// How many steps there are; step N's texts are `welcome_N_title` and `welcome_N_text_1`, `_2`.
const STEPS: usize = 3;

#[component]
pub fn Welcome(
    /// Which step to show, from 0.
    step: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = texts();
    let step = step.min(STEPS - 1);
    let last = step + 1 == STEPS;
    let key = |part: &str| t.get(&format!("welcome_{}_{part}", step + 1));
    let counter = t
        .get("welcome_step")
        .replace("{step}", &(step + 1).to_string())
        .replace("{steps}", &STEPS.to_string());

    view! {
        <p class="steps">{counter}</p>
        <h1>{key("title")}</h1>
        <p>{key("text_1")}</p>
        <p>{key("text_2")}</p>
        <div class="actions">
            {(step > 0)
                .then(|| {
                    view! {
                        <button type="button" on:click=move |_| state.go(Page::Welcome(step - 1))>
                            {t.get("welcome_back")}
                        </button>
                    }
                })}
            <button
                class="primary"
                type="button"
                on:click=move |_| {
                    state.go(if last { Page::Enroll } else { Page::Welcome(step + 1) })
                }
            >
                {t.get(if last { "welcome_last" } else { "welcome_next" })}
            </button>
            {(!last)
                .then(|| {
                    view! {
                        <button class="link" type="button" on:click=move |_| state.go(Page::Enroll)>
                            {t.get("welcome_skip")}
                        </button>
                    }
                })}
        </div>
    }
}
