//! The code field: digits only, submitted by itself at the last digit or with Enter.

use leptos::prelude::*;

use crate::texts::texts;

/// Keeps the digits of what was typed or pasted: "123 456" becomes "123456".
pub fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[component]
pub fn CodeInput(
    /// The digits entered so far; the page clears it after a wrong code and keeps it after a
    /// network failure.
    code: RwSignal<String>,
    /// Called with the digits when they are complete or Enter is pressed.
    on_submit: Callback<String>,
    /// The error to show under the field, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// True while a submission is under way.
    #[prop(into)]
    busy: Signal<bool>,
    /// How many digits a code has.
    #[prop(default = 6)]
    digits: usize,
    /// The visible label of the field.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let t = texts();
    let (continue_text, checking_text) = (t.get("continue"), t.get("checking"));

    // The field has the focus when the page appears, and gets it back with each error, where
    // the person fixes it. (`autofocus` does nothing on a page that is already loaded.)
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let _ = error.get();
        if let Some(input) = field.get() {
            let _ = input.focus();
        }
    });

    let submit = move || {
        let value = code.get_untracked();
        if !busy.get_untracked() && !value.is_empty() {
            on_submit.run(value);
        }
    };

    view! {
        <form
            class="code-form"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <label for="code">{label}</label>
            <input
                node_ref=field
                id="code"
                name="code"
                class="code"
                type="text"
                autocomplete="one-time-code"
                inputmode="numeric"
                autofocus
                spellcheck="false"
                placeholder="123456"
                aria-describedby="code-error"
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || code.get()
                on:input=move |ev| {
                    let value = digits_of(&event_target_value(&ev));
                    let complete = value.len() == digits;
                    code.set(value);
                    if complete {
                        submit();
                    }
                }
            />
            <p id="code-error" class="error" role="alert">
                {move || error.get()}
            </p>
            <button class="primary" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { checking_text.clone() } else { continue_text.clone() }}
            </button>
        </form>
    }
}
