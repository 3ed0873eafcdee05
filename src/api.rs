//! Every call the app makes to the server, typed with the `twostep-api` crate.
//!
//! Requests go through the browser's `fetch`, and JSON is converted with serde-wasm-bindgen,
//! which costs far fewer bytes of WebAssembly than a JSON library compiled in.

use serde::de::DeserializeOwned;
use serde::Serialize;
use twostep_api::{
    describe_wait, routes, CodeRequest, EnrollmentResponse, ErrorBody, ErrorCode, LoginRequest,
    SessionResponse,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

use crate::texts::texts;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server was not reached, or answered with something that is not the API.
    Network,
    /// The server refused, and said why.
    Refused(ErrorBody),
}

impl ApiError {
    /// A sentence to show the person, in the theme's words.
    pub fn message(&self) -> String {
        let t = texts();
        let Self::Refused(body) = self else {
            return t.get("error_network");
        };
        match body.code {
            ErrorCode::WrongCredentials => t.get("error_wrong_credentials"),
            ErrorCode::WrongCode => t.get("error_wrong_code"),
            ErrorCode::InvalidCode => t.get("error_invalid_code"),
            ErrorCode::Locked => match body.retry_after {
                Some(seconds) => t
                    .get("error_locked")
                    .replace("{wait}", &describe_wait(seconds)),
                None => t.get("error_locked_until_admin"),
            },
            ErrorCode::EnrollmentExpired => t.get("error_enrollment_expired"),
            ErrorCode::NotSignedIn | ErrorCode::NotVerified => t.get("error_not_signed_in"),
            ErrorCode::Unavailable => t.get("error_unavailable"),
            // Anything else is the server's own sentence.
            _ => body.message.clone(),
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Refused(body) => Some(body.code),
            ApiError::Network => None,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<JsValue>,
) -> ApiResult<T> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    headers
        .append("Accept", "application/json")
        .map_err(|_| ApiError::Network)?;
    if let Some(body) = body {
        headers
            .append("Content-Type", "application/json")
            .map_err(|_| ApiError::Network)?;
        let text = js_sys::JSON::stringify(&body).map_err(|_| ApiError::Network)?;
        init.set_body(&text);
    }
    init.set_headers(&headers);

    let request = Request::new_with_str_and_init(path, &init).map_err(|_| ApiError::Network)?;
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let json = response.json().map_err(|_| ApiError::Network)?;
    let json = JsFuture::from(json).await.map_err(|_| ApiError::Network)?;

    if response.ok() {
        serde_wasm_bindgen::from_value(json).map_err(|_| ApiError::Network)
    } else {
        let body: ErrorBody =
            serde_wasm_bindgen::from_value(json).map_err(|_| ApiError::Network)?;
        Err(ApiError::Refused(body))
    }
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    // Plain objects, so that JSON.stringify sees fields rather than a Map.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = body.serialize(&serializer).map_err(|_| ApiError::Network)?;
    call("POST", path, Some(value)).await
}

/// An empty JSON object, for POSTs that carry nothing.
#[derive(Serialize)]
struct Empty {}

/// The theme's texts.
pub async fn messages() -> ApiResult<std::collections::BTreeMap<String, String>> {
    call("GET", routes::THEME_MESSAGES, None).await
}

pub async fn session() -> ApiResult<SessionResponse> {
    call("GET", routes::SESSION, None).await
}

pub async fn login(username: String, password: String) -> ApiResult<SessionResponse> {
    post(routes::LOGIN, &LoginRequest { username, password }).await
}

pub async fn logout() -> ApiResult<SessionResponse> {
    post(routes::LOGOUT, &Empty {}).await
}

pub async fn enrollment() -> ApiResult<EnrollmentResponse> {
    call("GET", routes::ENROLLMENT, None).await
}

pub async fn restart_enrollment() -> ApiResult<EnrollmentResponse> {
    post(routes::ENROLLMENT_RESTART, &Empty {}).await
}

pub async fn confirm(code: String) -> ApiResult<SessionResponse> {
    post(routes::ENROLLMENT_CONFIRM, &CodeRequest { code }).await
}

pub async fn verify(code: String) -> ApiResult<SessionResponse> {
    post(routes::VERIFY, &CodeRequest { code }).await
}
