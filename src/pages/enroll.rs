//! The QR code, the same secret as text, and the first code.
//!
//! Everything shown comes from `GET /api/enrollment`, which only reads: the QR code is always the
//! secret the server stores. Only "Show me a new code" replaces it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use twostep_api::{EnrollmentResponse, ErrorCode};

use crate::api::{self, ApiError, ApiResult};
use crate::app::AppState;
use crate::components::code_input::CodeInput;
use crate::texts::texts;

#[component]
pub fn Enroll() -> impl IntoView {
    let state = expect_context::<AppState>();
    let t = texts();
    let (copy_text, copied_text) = (t.get("enroll_copy"), t.get("enroll_copied"));
    let data = RwSignal::new(None::<ApiResult<EnrollmentResponse>>);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let copied = RwSignal::new(false);

    spawn_local(async move { data.set(Some(api::enrollment().await)) });

    // Errors that mean the session moved on: follow the server.
    let follow_or_show = move |failure: ApiError| match failure.code() {
        Some(ErrorCode::NotSignedIn | ErrorCode::WrongStage) => state.refresh(),
        // The secret on screen is no use any more: say so in its place.
        Some(ErrorCode::EnrollmentExpired) => data.set(Some(Err(failure))),
        _ => error.set(Some(failure.message())),
    };

    let new_code = move |_| {
        busy.set(true);
        spawn_local(async move {
            let answer = api::restart_enrollment().await;
            busy.set(false);
            match answer {
                Ok(enrollment) => {
                    data.set(Some(Ok(enrollment)));
                    code.set(String::new());
                    error.set(None);
                    copied.set(false);
                }
                Err(failure) => follow_or_show(failure),
            }
        });
    };

    let confirm = Callback::new(move |digits: String| {
        busy.set(true);
        spawn_local(async move {
            let answer = api::confirm(digits).await;
            busy.set(false);
            match answer {
                Ok(_) => state.refresh(),
                Err(failure) => {
                    if failure.code() == Some(ErrorCode::WrongCode) {
                        code.set(String::new());
                    }
                    follow_or_show(failure);
                }
            }
        });
    });

    let copy = move |secret: String| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&secret);
        spawn_local(async move {
            copied.set(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
        });
    };

    let details = move || match data.get() {
        None => view! { <p class="loading">{t.get("loading")}</p> }.into_any(),
        Some(Err(failure)) => {
            if failure.code() == Some(ErrorCode::NotSignedIn) {
                state.refresh();
            }
            view! { <p class="error" role="alert">{failure.message()}</p> }.into_any()
        }
        Some(Ok(enrollment)) => {
            let secret = enrollment.secret.clone();
            view! {
                <div class="qr" role="img" aria-label=t.get("enroll_qr_label")
                    inner_html=enrollment.qr_svg.clone()></div>
                <p>{t.get("enroll_cant_scan")}</p>
                <p class="secret" id="secret">{enrollment.secret_groups()}</p>
                <button class="copy" type="button" on:click=move |_| copy(secret.clone())>
                    {
                        let (copy_text, copied_text) = (copy_text.clone(), copied_text.clone());
                        move || if copied.get() { copied_text.clone() } else { copy_text.clone() }
                    }
                </button>
                <dl class="facts">
                    <dt>{t.get("enroll_listed_as")}</dt>
                    <dd class="label">{enrollment.label.clone()}</dd>
                    <dt>{t.get("enroll_fingerprint")}</dt>
                    <dd class="fingerprint">{enrollment.fingerprint.clone()}</dd>
                </dl>
            }
            .into_any()
        }
    };

    view! {
        <h1>{t.get("enroll_title")}</h1>
        {details}
        // Once the secret has expired, no code can confirm it: only a new one helps.
        {move || {
            matches!(data.get(), Some(Ok(_)))
                .then(|| {
                    view! {
                        <CodeInput
                            code
                            on_submit=confirm
                            error=error
                            busy=busy
                            label=t.get("enroll_code_label")
                            digits=crate::texts::code_format().digits as usize
                        />
                    }
                })
        }}
        <button class="link new-code" type="button" on:click=new_code disabled=move || busy.get()>
            {t.get("enroll_new_code")}
        </button>
    }
}
