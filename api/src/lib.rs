//! Wire types of the twostep JSON API, shared by the server and the web app.
//!
//! The crate depends on serde only, so it compiles to WebAssembly unchanged. Types are grouped
//! by flow; requests are named `*Request`, answers `*Response`. Types that carry a password or a
//! code redact it in their `Debug` output so that it never reaches a log by accident.

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod routes;

/// "30 seconds", "2 minutes", "1 hour": how long to wait, rounded up so that waiting that long
/// is always enough.
pub fn describe_wait(seconds: u64) -> String {
    let seconds = seconds.max(1);
    let (amount, unit) = match seconds {
        0..60 => (seconds, "second"),
        60..3600 => (seconds.div_ceil(60), "minute"),
        _ => (seconds.div_ceil(3600), "hour"),
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural}")
}

/// Where a session stands in the sign-in flow. The server holds it; both front ends show the
/// page that belongs to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No session: the login page.
    Anonymous,
    /// Password accepted, no authenticator yet: the welcome and enrollment pages.
    NeedsEnrollment,
    /// Password accepted, an authenticator exists: the code page.
    NeedsCode,
    /// Both factors accepted.
    Verified,
}

impl Stage {
    /// The name used in the database and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Anonymous => "anonymous",
            Stage::NeedsEnrollment => "needs_enrollment",
            Stage::NeedsCode => "needs_code",
            Stage::Verified => "verified",
        }
    }

    /// Parses the name written by [`Stage::as_str`].
    pub fn parse(name: &str) -> Option<Stage> {
        [
            Stage::Anonymous,
            Stage::NeedsEnrollment,
            Stage::NeedsCode,
            Stage::Verified,
        ]
        .into_iter()
        .find(|stage| stage.as_str() == name)
    }
}

/// The account a session belongs to, as shown in the page header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub username: String,
    pub display_name: String,
}

/// Body of `POST /api/login`.
#[derive(Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Answer of `GET /api/session`, `POST /api/login` and every other call that moves a session
/// from one stage to the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    pub stage: Stage,
    /// Absent for [`Stage::Anonymous`].
    pub user: Option<UserInfo>,
    /// The codes this session is asked for; only while one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeFormat>,
}

impl CodeFormat {
    /// What nearly every authenticator uses.
    pub const USUAL: CodeFormat = CodeFormat {
        digits: 6,
        period: 30,
    };

    /// `text` with `{digits}` and `{period}` filled in.
    pub fn fill(self, text: &str) -> String {
        text.replace("{digits}", &self.digits.to_string())
            .replace("{period}", &self.period.to_string())
    }
}

/// What a code looks like, so that pages can say it and know when it is complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFormat {
    /// 6 or 8.
    pub digits: u32,
    /// Seconds each code lasts.
    pub period: u64,
}

/// Answer of `GET /api/enrollment`: everything needed to add the pending secret to an
/// authenticator app. Reading it never changes anything on the server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentResponse {
    /// Base32 without padding, as authenticator apps expect it typed in.
    pub secret: String,
    /// The `otpauth://totp/...` URI the QR code encodes.
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, as an `<svg>` element (also a valid SVG file).
    pub qr_svg: String,
    /// A short digest of the secret that user and administrator can compare.
    pub fingerprint: String,
    /// `issuer:account`, as the authenticator app will list the entry.
    pub label: String,
    pub issuer: String,
    pub account: String,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: String,
    pub digits: u32,
    pub period: u64,
    /// Unix time (seconds) after which this secret can no longer be confirmed.
    pub expires_at: u64,
}

impl EnrollmentResponse {
    /// The secret in groups of four, "ABCD EFGH IJKL …": easier to read and type than one run.
    pub fn secret_groups(&self) -> String {
        let chars: Vec<char> = self.secret.chars().collect();
        let groups: Vec<String> = chars
            .chunks(4)
            .map(|group| group.iter().collect())
            .collect();
        groups.join(" ")
    }
}

impl fmt::Debug for EnrollmentResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrollmentResponse")
            .field("fingerprint", &self.fingerprint)
            .field("label", &self.label)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Body of `POST /api/enrollment/confirm` and `POST /api/verify`.
#[derive(Clone, Serialize, Deserialize)]
pub struct CodeRequest {
    /// The digits shown by the authenticator; spaces are ignored.
    pub code: String,
}

impl fmt::Debug for CodeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeRequest")
            .field("code", &"<redacted>")
            .finish()
    }
}

/// Every error the API returns has this shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable and machine-readable; see [`ErrorCode`].
    pub code: ErrorCode,
    /// A sentence a person can act on.
    pub message: String,
    /// Unix time (seconds) at which a locked second factor accepts codes again; only with
    /// [`ErrorCode::Locked`], and absent when only an administrator can unlock it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<u64>,
    /// Seconds from now until `retry_at`, for clients whose clock differs from the server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// The machine-readable part of an [`ErrorBody`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON, or lacks a field.
    BadRequest,
    /// A POST without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// The request came from another site.
    CrossOrigin,
    /// The code is empty, too short or too long, or holds something other than digits.
    InvalidCode,
    /// Username or password is wrong.
    WrongCredentials,
    /// The code is not the current one, or was already used.
    WrongCode,
    /// Too many wrong codes: the second factor is locked for a while.
    Locked,
    /// The enrollment secret is too old; ask for a new one or sign in again.
    EnrollmentExpired,
    /// No session, or it expired.
    NotSignedIn,
    /// Signed in, but the second factor is still missing.
    NotVerified,
    /// The session is at another stage than this call needs.
    WrongStage,
    /// No such page or resource.
    NotFound,
    /// The method is not allowed here.
    MethodNotAllowed,
    /// The server could not complete the request; nothing was changed.
    Unavailable,
}
