//! The web app's files, and the answer for every path no route claims.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, Method};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::{gate, AppState};
use crate::error::AppError;

/// Shown instead of the web app when `spa_dir` holds no build of it.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>twostep</title></head><body><h1>twostep</h1><p>The server is running, but the web app \
has not been built into this server's <code>spa_dir</code>. Build it with \
<code>scripts/build-web.sh</code> in the repository, or point <code>spa_dir</code> at a \
build. Meanwhile the <a href=\"/nojs\">pages without JavaScript</a> work.</p></body></html>";

/// The web app's `index.html`, for `/` and every page of the app: the app itself decides what
/// to show from the session's stage.
pub async fn index(State(state): State<AppState>) -> Response {
    let path = state.flow.config.spa_dir.join("index.html");
    let mut response = match tokio::fs::read_to_string(&path).await {
        Ok(html) => Html(html).into_response(),
        Err(_) => Html(NOT_BUILT).into_response(),
    };
    // The page names the current build's files; it must never be served stale.
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Files of the web app for anyone; every other path needs a verified session, and then gets
/// 404.
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let is_read = request.method() == Method::GET || request.method() == Method::HEAD;
    if is_read && !request.uri().path().starts_with("/api/") {
        let mut copy = Request::new(Body::empty());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        // ServeDir answers every request itself (its error type is `Infallible`).
        let Ok(response) = ServeDir::new(&state.flow.config.spa_dir)
            .append_index_html_on_directories(false)
            .oneshot(copy)
            .await;
        if response.status().is_success() || response.status().is_redirection() {
            return response.map(Body::new);
        }
    }

    let id = state.cookies.read(request.headers());
    match state.flow.current(id).await {
        Ok(Some(current)) if current.record.stage == twostep_api::Stage::Verified => {
            AppError::NotFound.into_response()
        }
        Ok(current) => gate::refuse(&request, current.as_ref()),
        Err(error) => error.into_response(),
    }
}
