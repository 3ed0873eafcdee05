//! What stands in front of the handlers: the verified-session gate and the checks every API
//! POST must pass.
//!
//! The gate only reads. A request it refuses leaves sessions, secrets and counters exactly as
//! they were, whatever it is: an image, a prefetch, a retry or a page load.

use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, HOST, LOCATION, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use tracing::debug;
use twostep_api::{routes, Stage};

use super::AppState;
use crate::error::AppError;
use crate::flow::Current;

/// Lets verified sessions through, with their [`Current`] in the request extensions.
pub async fn require_verified(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let id = state.cookies.read(request.headers());
    let current = match state.flow.current(id).await {
        Ok(current) => current,
        Err(error) => return error.into_response(),
    };
    match current {
        Some(current) if current.record.stage == Stage::Verified => {
            request.extensions_mut().insert(current);
            next.run(request).await
        }
        other => refuse(&request, other.as_ref()),
    }
}

/// The answer to a request that needs a verified session and has none: a redirect to the page
/// of its stage for a top-level page load, 401 for everything else.
pub fn refuse(request: &Request, current: Option<&Current>) -> Response {
    let stage = current.map_or(Stage::Anonymous, |c| c.record.stage);
    let navigation = is_navigation(request.method(), request.headers());
    debug!(
        stage = stage.as_str(),
        navigation, "protected request refused: session not verified; nothing changed"
    );
    if navigation {
        let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let mut location = routes::page_for(stage).to_owned();
        if target.starts_with('/') && !target.starts_with("//") {
            location.push_str("?next=");
            location.extend(utf8_percent_encode(target, NON_ALPHANUMERIC));
        }
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(LOCATION, value);
        }
        return response;
    }
    match stage {
        Stage::Anonymous => AppError::NotSignedIn.into_response(),
        _ => AppError::NotVerified.into_response(),
    }
}

/// Whether a request is a person opening a page, as opposed to an image, a script's fetch or a
/// prefetch. Browsers say so in `Sec-Fetch-*`; older ones are judged by `Accept`.
pub fn is_navigation(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(mode) = header("sec-fetch-mode") {
        return mode == "navigate" && header("sec-fetch-dest").is_none_or(|d| d == "document");
    }
    if let Some(dest) = header("sec-fetch-dest") {
        return dest == "document";
    }
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Refuses API POSTs from other sites and POSTs that are not JSON. Browsers cannot send a
/// cross-site JSON POST without asking first, so together with the `Origin` check this closes
/// the door on cross-site request forgery.
pub async fn guard_api_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let public_url = state.flow.config.public_url.as_deref();
    if !same_origin(request.headers(), public_url) {
        debug!("POST refused: it came from another origin");
        return AppError::CrossOrigin.into_response();
    }
    if !is_json(request.headers()) {
        debug!("POST refused: body is not declared as JSON");
        return AppError::UnsupportedMediaType.into_response();
    }
    next.run(request).await
}

pub(super) fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if matches!(header("sec-fetch-site"), Some("cross-site" | "same-site")) {
        return false;
    }
    let Some(origin) = header(ORIGIN.as_str()) else {
        // Clients other than browsers send no Origin; browsers always do on a POST.
        return true;
    };
    if public_url == Some(origin) {
        return true;
    }
    let Some(host) = header(HOST.as_str()) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn images_and_fetches_are_not_navigations() {
        let image = headers(&[("sec-fetch-mode", "no-cors"), ("sec-fetch-dest", "image")]);
        assert!(!is_navigation(&Method::GET, &image));
        let fetch = headers(&[("sec-fetch-mode", "cors"), ("accept", "text/html")]);
        assert!(!is_navigation(&Method::GET, &fetch));
        let iframe = headers(&[("sec-fetch-mode", "navigate"), ("sec-fetch-dest", "iframe")]);
        assert!(!is_navigation(&Method::GET, &iframe));
    }

    #[test]
    fn page_loads_are_navigations() {
        let modern = headers(&[
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-dest", "document"),
        ]);
        assert!(is_navigation(&Method::GET, &modern));
        let old = headers(&[("accept", "text/html,application/xhtml+xml")]);
        assert!(is_navigation(&Method::GET, &old));
        assert!(!is_navigation(&Method::POST, &old));
        assert!(!is_navigation(&Method::GET, &headers(&[("accept", "*/*")])));
    }

    #[test]
    fn origins_must_match_the_host() {
        let host = [("host", "login.example.com")];
        assert!(same_origin(&headers(&host), None));
        let same = headers(&[host[0], ("origin", "https://login.example.com")]);
        assert!(same_origin(&same, None));
        let other = headers(&[host[0], ("origin", "https://evil.example")]);
        assert!(!same_origin(&other, None));
        assert!(same_origin(&other, Some("https://evil.example")));
        let sibling = headers(&[host[0], ("sec-fetch-site", "same-site")]);
        assert!(!same_origin(&sibling, None));
    }

    #[test]
    fn json_content_type_may_carry_parameters() {
        assert!(is_json(&headers(&[(
            "content-type",
            "application/json; charset=utf-8"
        )])));
        assert!(!is_json(&headers(&[("content-type", "text/plain")])));
        assert!(!is_json(&HeaderMap::new()));
    }
}
