//! Paths of the JSON API and of the pages, so that server and web app cannot drift apart.

use crate::Stage;

pub const LOGIN: &str = "/api/login";
pub const SESSION: &str = "/api/session";
pub const ENROLLMENT: &str = "/api/enrollment";
pub const ENROLLMENT_CONFIRM: &str = "/api/enrollment/confirm";
pub const ENROLLMENT_RESTART: &str = "/api/enrollment/restart";
pub const VERIFY: &str = "/api/verify";
pub const LOGOUT: &str = "/api/logout";
pub const ME: &str = "/api/me";
pub const ME_AVATAR: &str = "/api/me/avatar";
pub const HEALTHZ: &str = "/healthz";

/// Pages of the web app.
pub const PAGE_LOGIN: &str = "/login";
pub const PAGE_WELCOME: &str = "/welcome";
pub const PAGE_ENROLL: &str = "/enroll";
pub const PAGE_PIN: &str = "/pin";
pub const PAGE_DONE: &str = "/done";

/// Every path the web app renders itself.
pub const PAGES: [&str; 5] = [PAGE_LOGIN, PAGE_WELCOME, PAGE_ENROLL, PAGE_PIN, PAGE_DONE];

/// The page a session at `stage` belongs on.
pub fn page_for(stage: Stage) -> &'static str {
    match stage {
        Stage::Anonymous => PAGE_LOGIN,
        Stage::NeedsEnrollment => PAGE_WELCOME,
        Stage::NeedsCode => PAGE_PIN,
        Stage::Verified => PAGE_DONE,
    }
}
