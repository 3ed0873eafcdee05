//! The theme's files, which both the web app and the pages without JavaScript load, and the
//! layout stylesheet of the pages without JavaScript.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use twostep_api::routes;

use super::AppState;
use crate::theme::BASE_CSS;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::THEME_CSS, get(theme_css))
        .route(routes::THEME_LOGO, get(theme_logo))
        .route(routes::THEME_MESSAGES, get(theme_messages))
        .route(routes::BASE_CSS, get(base_css))
}

fn asset(content_type: &'static str, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Themes change without a new build; browsers revalidate instead of trusting a copy.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn theme_css(State(state): State<AppState>) -> Response {
    asset("text/css; charset=utf-8", state.theme.css.clone())
}

async fn theme_logo(State(state): State<AppState>) -> Response {
    asset(state.theme.logo_type, state.theme.logo.clone())
}

async fn theme_messages(State(state): State<AppState>) -> Response {
    asset(
        "application/json",
        Json(&state.theme.messages).into_response().into_body(),
    )
}

async fn base_css() -> Response {
    asset("text/css; charset=utf-8", BASE_CSS)
}
