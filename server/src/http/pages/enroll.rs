//! The enrollment pages: the welcome steps, the QR code and the first code.

use super::*;

#[derive(Deserialize)]
pub(super) struct StepQuery {
    step: Option<usize>,
}

pub(super) async fn welcome_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StepQuery>,
) -> Response {
    let current = match at_stage(&state, &headers, Stage::NeedsEnrollment).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    let step = query.step.unwrap_or(1).clamp(1, WELCOME_STEPS);
    let csrf = session_token(&current);
    let extra = context! { step, steps => WELCOME_STEPS };
    render(
        &state,
        "welcome.html",
        StatusCode::OK,
        Some(&current),
        &csrf,
        extra,
    )
}

/// The enroll page, with `error` under the code field.
pub(super) async fn enroll_form(
    state: &AppState,
    current: &Current,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let csrf = session_token(current);
    let (enrollment, status, error) = match state.flow.enrollment(current).await {
        Ok(data) => {
            let enrollment = context! {
                secret_groups => data.secret_groups(),
                qr_svg => data.qr_svg,
                fingerprint => data.fingerprint,
                label => data.label,
            };
            (Some(enrollment), status, error)
        }
        Err(AppError::EnrollmentExpired) => {
            let expired = text(state, "error_enrollment_expired");
            (None, StatusCode::GONE, Some(expired))
        }
        Err(other) => return error_page(state, &other),
    };
    render(
        state,
        "enroll.html",
        status,
        Some(current),
        &csrf,
        context! { enrollment, error },
    )
}

pub(super) async fn enroll_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match at_stage(&state, &headers, Stage::NeedsEnrollment).await {
        Ok(current) => enroll_form(&state, &current, StatusCode::OK, None).await,
        Err(response) => response,
    }
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let current = match posted_by(&state, &headers, &form.csrf, Stage::NeedsEnrollment).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    match state.flow.confirm(&current, &form.code).await {
        Ok(session) => signed_in(&state, session),
        Err(AppError::NotSignedIn) => see_other(routes::NOJS),
        Err(error @ AppError::WrongStage(_)) => error_page(&state, &error),
        Err(error) => {
            let message = message_for(&state, &error);
            enroll_form(&state, &current, error.status(), Some(message)).await
        }
    }
}

pub(super) async fn restart(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let current = match posted_by(&state, &headers, &form.csrf, Stage::NeedsEnrollment).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    match state.flow.restart(&current).await {
        Ok(_) => see_other(routes::NOJS_ENROLL),
        Err(error) => error_page(&state, &error),
    }
}
