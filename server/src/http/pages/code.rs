//! The pages of an enrolled user: the code, and then done.

use super::*;

/// The code page, with `error` under the code field.
pub(super) fn pin_form(
    state: &AppState,
    current: &Current,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let csrf = session_token(current);
    render(
        state,
        "pin.html",
        status,
        Some(current),
        &csrf,
        context! { error },
    )
}

pub(super) async fn pin_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match at_stage(&state, &headers, Stage::NeedsCode).await {
        Ok(current) => pin_form(&state, &current, StatusCode::OK, None),
        Err(response) => response,
    }
}

pub(super) async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let current = match posted_by(&state, &headers, &form.csrf, Stage::NeedsCode).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    match state.flow.verify(&current, &form.code).await {
        Ok(session) => signed_in(&state, session),
        Err(AppError::NotSignedIn) => see_other(routes::NOJS),
        Err(error @ AppError::WrongStage(_)) => error_page(&state, &error),
        Err(error) => {
            let message = message_for(&state, &error);
            pin_form(&state, &current, error.status(), Some(message))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn done_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    let current = match at_stage(&state, &headers, Stage::Verified).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    // Only a path on this site, never an address elsewhere.
    let next = query
        .next
        .as_deref()
        .and_then(routes::local_path)
        .unwrap_or("/")
        .to_owned();
    let csrf = session_token(&current);
    render(
        &state,
        "done.html",
        StatusCode::OK,
        Some(&current),
        &csrf,
        context! { next },
    )
}
