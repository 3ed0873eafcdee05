//! The errors a request can end in, and the one place that turns them into HTTP answers.
//!
//! Every answer is `{code, message}` with a sentence a person can act on. Internal detail (a
//! database message, a file path) goes to the log, never into the response.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use twostep_api::{ErrorBody, ErrorCode};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("malformed code: {0}")]
    InvalidCode(String),
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("wrong code")]
    WrongCode,
    #[error("second factor locked")]
    Locked {
        /// Unix seconds; `None` until an administrator unlocks.
        until: Option<u64>,
        now: u64,
    },
    #[error("enrollment secret expired")]
    EnrollmentExpired,
    #[error("not signed in")]
    NotSignedIn,
    #[error("second factor missing")]
    NotVerified,
    #[error("wrong stage: {0}")]
    WrongStage(&'static str),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal failure: {0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    fn parts(&self) -> (StatusCode, ErrorCode, String) {
        use AppError::*;
        match self {
            BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                detail.clone(),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the request body as JSON, with the header Content-Type: application/json."
                    .into(),
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request is larger than any sign-in request needs to be.".into(),
            ),
            CrossOrigin => (
                StatusCode::FORBIDDEN,
                ErrorCode::CrossOrigin,
                "This request came from another website and was refused. Open the sign-in page \
                 at its own address and try again."
                    .into(),
            ),
            InvalidCode(detail) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidCode,
                detail.clone(),
            ),
            WrongCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::WrongCredentials,
                "Wrong username or password. Check both and try again.".into(),
            ),
            WrongCode => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::WrongCode,
                "That code was not accepted. Enter the code your app shows now; if it keeps \
                 failing, check that your device's clock is set automatically."
                    .into(),
            ),
            Locked {
                until: Some(until),
                now,
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Locked,
                format!(
                    "Too many wrong codes. Wait {}, then try again.",
                    describe_wait(until.saturating_sub(*now))
                ),
            ),
            Locked { until: None, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::Locked,
                "Too many wrong codes: codes are no longer accepted for this account. Ask an \
                 administrator to unlock it."
                    .into(),
            ),
            EnrollmentExpired => (
                StatusCode::GONE,
                ErrorCode::EnrollmentExpired,
                "This setup code has expired. Ask for a new code, or sign out and sign in again."
                    .into(),
            ),
            NotSignedIn => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::NotSignedIn,
                "You are not signed in, or your sign-in has expired. Sign in again.".into(),
            ),
            NotVerified => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::NotVerified,
                "Finish signing in with your authenticator code first.".into(),
            ),
            WrongStage(what) => (StatusCode::CONFLICT, ErrorCode::WrongStage, (*what).into()),
            NotFound => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "There is nothing at this address.".into(),
            ),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "This address does not accept that kind of request.".into(),
            ),
            Store(_) | Internal(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "The server could not finish this request and changed nothing. Try again in a \
                 moment."
                    .into(),
            ),
        }
    }
}

pub use twostep_api::describe_wait;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, AppError::Store(_) | AppError::Internal(_)) {
            tracing::error!(error = %self, "request failed");
        }
        let (status, code, message) = self.parts();
        let (retry_at, retry_after) = match self {
            AppError::Locked { until, now } => (until, until.map(|u| u.saturating_sub(now))),
            _ => (None, None),
        };
        let body = ErrorBody {
            code,
            message,
            retry_at,
            retry_after,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up() {
        assert_eq!(describe_wait(0), "1 second");
        assert_eq!(describe_wait(30), "30 seconds");
        assert_eq!(describe_wait(61), "2 minutes");
        assert_eq!(describe_wait(3600), "1 hour");
    }

    #[test]
    fn internal_errors_become_503_without_detail() {
        let (status, code, message) = AppError::Internal("disk /var/x full".into()).parts();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(code, ErrorCode::Unavailable);
        assert!(!message.contains("/var/x"));
    }
}
