//! The sign-in pages for browsers without JavaScript.
//!
//! The pages are the web app's pages as plain HTML forms, rendered from the theme's templates,
//! driving the same state machine: a person may switch between the two mid-flow. A GET renders
//! and changes nothing; every action is a POST carrying a form token bound to the session (or,
//! for the login form, to a browser cookie), answered with a redirect to the next page
//! (post/redirect/get) or with the same page and an error.

use axum::extract::{Query, Request, State};
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use minijinja::{context, Value};
use serde::Deserialize;
use tracing::debug;
use twostep_api::{routes, Stage};

use self::code::{done_page, pin_form, pin_page, verify};
use self::enroll::{confirm, enroll_form, enroll_page, restart, welcome_page};
use super::{gate, AppState};
use crate::error::{describe_wait, AppError};
use crate::flow::{Current, SignedIn};
use crate::session::SessionId;

mod code;
mod enroll;

/// What the form token of a session is derived for.
const FORM_PURPOSE: &str = "twostep form token";

/// How many welcome steps there are (`welcome_N_*` in the messages).
const WELCOME_STEPS: usize = 3;

pub fn routes(state: AppState) -> Router<AppState> {
    let pages: Router<AppState> = Router::new()
        .route(routes::NOJS, get(start))
        .route(routes::NOJS_LOGIN, get(login_page).post(login))
        .route(routes::NOJS_WELCOME, get(welcome_page))
        .route(routes::NOJS_ENROLL, get(enroll_page))
        .route(routes::NOJS_ENROLL_CONFIRM, axum::routing::post(confirm))
        .route(routes::NOJS_ENROLL_RESTART, axum::routing::post(restart))
        .route(routes::NOJS_PIN, get(pin_page))
        .route(routes::NOJS_VERIFY, axum::routing::post(verify))
        .route(routes::NOJS_DONE, get(done_page))
        .route(routes::NOJS_LOGOUT, axum::routing::post(logout))
        .route_layer(from_fn_with_state(state, refuse_cross_origin_posts))
        .layer(axum::extract::DefaultBodyLimit::max(super::BODY_LIMIT))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ),
        );

    pages
}

/// Form POSTs from other sites are refused before anything else happens.
async fn refuse_cross_origin_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let public_url = state.flow.config.public_url.as_deref();
    if request.method() == axum::http::Method::POST
        && !gate::same_origin(request.headers(), public_url)
    {
        debug!("form refused: it came from another origin");
        return (
            StatusCode::FORBIDDEN,
            "This form came from another website and was refused.",
        )
            .into_response();
    }
    next.run(request).await
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The page of the session's stage.
fn to_stage_page(current: Option<&Current>) -> Response {
    let stage = current.map_or(Stage::Anonymous, |c| c.record.stage);
    see_other(routes::nojs_page_for(stage))
}

async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Current>, Response> {
    state
        .flow
        .current(state.cookies.read(headers))
        .await
        .map_err(|error| error_page(state, &error))
}

/// The session when it is at `stage`; otherwise the redirect to where it belongs.
async fn at_stage(
    state: &AppState,
    headers: &HeaderMap,
    stage: Stage,
) -> Result<Current, Response> {
    match current(state, headers).await? {
        Some(current) if current.record.stage == stage => Ok(current),
        other => Err(to_stage_page(other.as_ref())),
    }
}

/// The theme's text for `key`, as the pages show it.
fn text(state: &AppState, key: &str) -> String {
    state
        .page_texts
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// The text a person reads for `error`, from the theme's messages.
fn message_for(state: &AppState, error: &AppError) -> String {
    let t = |key: &str| text(state, key);
    match error {
        // A form's only bad request is a login without a username.
        AppError::WrongCredentials | AppError::BadRequest(_) => t("error_wrong_credentials"),
        AppError::WrongCode => t("error_wrong_code"),
        AppError::InvalidCode(_) => t("error_invalid_code"),
        AppError::Locked {
            until: Some(until),
            now,
        } => t("error_locked").replace("{wait}", &describe_wait(until.saturating_sub(*now))),
        AppError::Locked { until: None, .. } => t("error_locked_until_admin"),
        AppError::EnrollmentExpired => t("error_enrollment_expired"),
        AppError::NotSignedIn | AppError::NotVerified => t("error_not_signed_in"),
        AppError::WrongStage(text) => (*text).to_owned(),
        _ => t("error_unavailable"),
    }
}

/// A page saying the server could not finish, for failures that are not the person's: the log
/// has the detail, the page a way back.
fn error_page(state: &AppState, error: &AppError) -> Response {
    if matches!(error, AppError::Store(_) | AppError::Internal(_)) {
        tracing::error!(%error, "a page could not be served");
    }
    let message = message_for(state, error);
    render(
        state,
        "error.html",
        error.status(),
        None,
        "",
        context! { message },
    )
}

/// Renders `template` with what every page gets, plus `extra`.
fn render(
    state: &AppState,
    template: &str,
    status: StatusCode,
    current: Option<&Current>,
    csrf: &str,
    extra: Value,
) -> Response {
    let user = current.map(|c| {
        context! { username => c.record.username.clone(), display_name => c.record.display_name.clone() }
    });
    let verified = current.is_some_and(|c| c.record.stage == Stage::Verified);
    let t = &*state.page_texts;
    let page = state
        .theme
        .templates
        .get_template(template)
        .and_then(|template| {
            template.render(context! {
                t,
                user,
                verified,
                csrf,
                ..extra
            })
        });
    match page {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(template, %error, "a page template failed to render");
            let text = text(state, "error_unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, text).into_response()
        }
    }
}

/// Compares form tokens in constant time.
fn same_token(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

fn session_token(current: &Current) -> String {
    current.id.derive(FORM_PURPOSE)
}

/// `/nojs`: wherever the session stands.
async fn start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match current(&state, &headers).await {
        Ok(current) => to_stage_page(current.as_ref()),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// Renders the login page, giving the browser a form token when it has none.
fn login_form(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    error: Option<String>,
) -> Response {
    let (token, fresh) = match state.cookies.read_form(headers) {
        Some(token) => (token, false),
        None => match SessionId::generate() {
            Ok(token) => (token, true),
            Err(error) => return error_page(state, &AppError::Internal(error.to_string())),
        },
    };
    let csrf = token.derive(FORM_PURPOSE);
    let mut response = render(
        state,
        "login.html",
        status,
        None,
        &csrf,
        context! { username, error },
    );
    if fresh {
        state.cookies.set_form(response.headers_mut(), &token);
    }
    response
}

async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match current(&state, &headers).await {
        Ok(Some(current)) => to_stage_page(Some(&current)),
        Ok(None) => login_form(&state, &headers, StatusCode::OK, "", None),
        Err(response) => response,
    }
}

/// Stores the new session id and sends the browser to its page.
fn signed_in(state: &AppState, signed_in: SignedIn) -> Response {
    let mut response = see_other(routes::nojs_page_for(signed_in.session.stage));
    state
        .cookies
        .set(response.headers_mut(), &signed_in.id, signed_in.lifetime);
    response
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = state
        .cookies
        .read_form(&headers)
        .map(|t| t.derive(FORM_PURPOSE));
    if !expected.is_some_and(|expected| same_token(&expected, &form.csrf)) {
        debug!("login form refused: its form token does not belong to this browser");
        let message = text(&state, "error_form_expired");
        return login_form(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            &form.username,
            Some(message),
        );
    }
    let previous = state.cookies.read(&headers);
    match state
        .flow
        .login(previous, &form.username, form.password.into())
        .await
    {
        Ok(session) => signed_in(&state, session),
        Err(error) => {
            let message = message_for(&state, &error);
            login_form(
                &state,
                &headers,
                error.status(),
                &form.username,
                Some(message),
            )
        }
    }
}

/// The session of a POST whose form token matches it; otherwise the answer to give instead.
async fn posted_by(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
    stage: Stage,
) -> Result<Current, Response> {
    let current = at_stage(state, headers, stage).await?;
    if !same_token(&session_token(&current), csrf) {
        debug!(user = %current.record.username, "form refused: its token is not this session's");
        let message = Some(text(state, "error_form_expired"));
        let status = StatusCode::FORBIDDEN;
        return Err(match stage {
            Stage::NeedsEnrollment => enroll_form(state, &current, status, message).await,
            _ => pin_form(state, &current, status, message),
        });
    }
    Ok(current)
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let current = match current(&state, &headers).await {
        Ok(current) => current,
        Err(response) => return response,
    };
    if let Some(current) = &current {
        if !same_token(&session_token(current), &form.csrf) {
            debug!(user = %current.record.username, "logout refused: the form token is not this session's");
            return to_stage_page(Some(current));
        }
        if let Err(error) = state.flow.logout(Some(current.id.clone())).await {
            return error_page(&state, &error);
        }
    }
    let mut response = see_other(routes::NOJS_LOGIN);
    state.cookies.clear(response.headers_mut());
    response
}
