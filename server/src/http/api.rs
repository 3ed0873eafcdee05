//! Handlers of the JSON API. Each one reads the session, asks the state machine, and writes the
//! answer; none decides anything itself.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use secrecy::SecretString;
use twostep_api::{
    CodeRequest, EnrollmentResponse, LoginRequest, SessionResponse, Stage, UserInfo,
};

use super::AppState;
use crate::error::AppError;
use crate::flow::{Current, SignedIn};

/// `Json`, with its rejections turned into the API's error shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge)
            }
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::BadRequest(
                "The request body is not valid JSON. Send an object such as {\"code\": \"123456\"}."
                    .into(),
            )),
            // serde's own words would echo the value sent, which may be a password.
            Err(JsonRejection::JsonDataError(_)) => Err(AppError::BadRequest(
                "The request body does not have the fields this call needs; each one is a string."
                    .into(),
            )),
            Err(_) => Err(AppError::BadRequest("The request body could not be read.".into())),
        }
    }
}

/// The current session; calls that need one answer 401 without it.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Current, AppError> {
    state
        .flow
        .current(state.cookies.read(headers))
        .await?
        .ok_or(AppError::NotSignedIn)
}

/// The session's stage, with a cookie carrying its new id.
fn with_session(state: &AppState, signed_in: SignedIn) -> Response {
    let mut response = Json(signed_in.session).into_response();
    state
        .cookies
        .set(response.headers_mut(), &signed_in.id, signed_in.lifetime);
    response
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let previous = state.cookies.read(&headers);
    let password = SecretString::from(request.password);
    let signed_in = state
        .flow
        .login(previous, &request.username, password)
        .await?;
    Ok(with_session(&state, signed_in))
}

pub async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionResponse>, AppError> {
    let current = state.flow.current(state.cookies.read(&headers)).await?;
    Ok(Json(match current {
        Some(current) => state.flow.session_view(&current).await?,
        None => SessionResponse {
            stage: Stage::Anonymous,
            user: None,
            code: None,
        },
    }))
}

pub async fn enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<EnrollmentResponse>, AppError> {
    let current = signed_in(&state, &headers).await?;
    Ok(Json(state.flow.enrollment(&current).await?))
}

pub async fn restart(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<EnrollmentResponse>, AppError> {
    let current = signed_in(&state, &headers).await?;
    Ok(Json(state.flow.restart(&current).await?))
}

pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CodeRequest>,
) -> Result<Response, AppError> {
    let current = signed_in(&state, &headers).await?;
    let signed_in = state.flow.confirm(&current, &request.code).await?;
    Ok(with_session(&state, signed_in))
}

pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CodeRequest>,
) -> Result<Response, AppError> {
    let current = signed_in(&state, &headers).await?;
    let signed_in = state.flow.verify(&current, &request.code).await?;
    Ok(with_session(&state, signed_in))
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    state.flow.logout(state.cookies.read(&headers)).await?;
    let mut response = Json(SessionResponse {
        stage: Stage::Anonymous,
        user: None,
        code: None,
    })
    .into_response();
    state.cookies.clear(response.headers_mut());
    Ok(response)
}

pub async fn me(Extension(current): Extension<Current>) -> Json<UserInfo> {
    Json(UserInfo {
        username: current.record.username,
        display_name: current.record.display_name,
    })
}

pub async fn avatar(Extension(current): Extension<Current>) -> Response {
    let svg = crate::avatar::svg(&current.record.username, &current.record.display_name);
    let mut response = svg.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    response
}

pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.flow.store.ping().await?;
    Ok("ok\n")
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
