//! The code of an authenticator set up before.

use leptos::prelude::*;
use leptos::task::spawn_local;
use twostep_api::ErrorCode;

use crate::api;
use crate::app::AppState;
use crate::components::code_input::CodeInput;
use crate::texts::texts;

#[component]
pub fn Pin() -> impl IntoView {
    let state = expect_context::<AppState>();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let verify = Callback::new(move |digits: String| {
        busy.set(true);
        spawn_local(async move {
            let answer = api::verify(digits).await;
            busy.set(false);
            match answer {
                Ok(_) => state.refresh(),
                Err(failure) => match failure.code() {
                    Some(ErrorCode::NotSignedIn | ErrorCode::WrongStage) => state.refresh(),
                    Some(ErrorCode::WrongCode | ErrorCode::Locked | ErrorCode::InvalidCode) => {
                        code.set(String::new());
                        error.set(Some(failure.message()));
                    }
                    _ => error.set(Some(failure.message())),
                },
            }
        });
    });

    let t = texts();
    view! {
        <h1>{t.get("pin_title")}</h1>
        <p>{t.get("pin_text")}</p>
        <CodeInput
            code
            on_submit=verify
            error=error
            busy=busy
            label=t.get("pin_code_label")
            digits=crate::texts::code_format().digits as usize
        />
    }
}
