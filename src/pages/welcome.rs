//! A few short steps before the QR code: what a second factor is and which apps work.

use leptos::prelude::*;

use crate::app::{AppState, Page};

/// Heading and paragraphs of each step.
const STEPS: [(&str, &[&str]); 3] = [
    (
        "Protect your account with a second step",
        &[
            "From now on, signing in takes your password and a six-digit code that changes \
             every 30 seconds.",
            "The code comes from an authenticator: an app on your phone or computer, or a \
             small hardware token. Someone who learns your password still cannot sign in \
             without it.",
        ],
    ),
    (
        "Get an authenticator",
        &[
            "Any app that supports time-based codes (TOTP) works, for example FreeOTP, Google \
             Authenticator, Authy or Microsoft Authenticator on a phone, or WinAuth or \
             KeePassXC on a computer. A YubiKey with its authenticator app works too.",
            "Install one now if you have none. It needs no account and no network.",
        ],
    ),
    (
        "Add this account to it",
        &[
            "On the next page you will see a QR code. Scan it with the app, or type the secret \
             shown below it.",
            "Then enter the code the app shows, to prove the two agree. That's all.",
        ],
    ),
];

#[component]
pub fn Welcome(
    /// Which step to show, from 0.
    step: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let step = step.min(STEPS.len() - 1);
    let (heading, paragraphs) = STEPS[step];
    let last = step + 1 == STEPS.len();

    view! {
        <p class="steps">{format!("Step {} of {}", step + 1, STEPS.len())}</p>
        <h1>{heading}</h1>
        {paragraphs.iter().map(|text| view! { <p>{*text}</p> }).collect_view()}
        <div class="actions">
            {(step > 0)
                .then(|| {
                    view! {
                        <button type="button" on:click=move |_| state.go(Page::Welcome(step - 1))>
                            "Back"
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
                {if last { "Show the QR code" } else { "Next" }}
            </button>
            {(!last)
                .then(|| {
                    view! {
                        <button class="link" type="button" on:click=move |_| state.go(Page::Enroll)>
                            "Skip to setup"
                        </button>
                    }
                })}
        </div>
    }
}
