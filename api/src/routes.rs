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

/// Pages that work without JavaScript: plain HTML forms, posting to the same state machine.
pub const NOJS: &str = "/nojs";
pub const NOJS_LOGIN: &str = "/nojs/login";
pub const NOJS_WELCOME: &str = "/nojs/welcome";
pub const NOJS_ENROLL: &str = "/nojs/enroll";
pub const NOJS_ENROLL_CONFIRM: &str = "/nojs/enroll/confirm";
pub const NOJS_ENROLL_RESTART: &str = "/nojs/enroll/restart";
pub const NOJS_PIN: &str = "/nojs/pin";
pub const NOJS_VERIFY: &str = "/nojs/verify";
pub const NOJS_DONE: &str = "/nojs/done";
pub const NOJS_LOGOUT: &str = "/nojs/logout";

/// The theme, shared by the web app and the pages without JavaScript.
pub const THEME_CSS: &str = "/theme/theme.css";
pub const THEME_LOGO: &str = "/theme/logo";
pub const THEME_MESSAGES: &str = "/theme/messages.json";
/// The layout stylesheet of the pages without JavaScript (the web app bundles its own copy).
pub const BASE_CSS: &str = "/assets/twostep.css";

/// Every path the web app renders itself.
pub const PAGES: [&str; 5] = [PAGE_LOGIN, PAGE_WELCOME, PAGE_ENROLL, PAGE_PIN, PAGE_DONE];

/// The page without JavaScript that a session at `stage` belongs on.
pub fn nojs_page_for(stage: Stage) -> &'static str {
    match stage {
        Stage::Anonymous => NOJS_LOGIN,
        Stage::NeedsEnrollment => NOJS_WELCOME,
        Stage::NeedsCode => NOJS_PIN,
        Stage::Verified => NOJS_DONE,
    }
}

/// `next` when it is a path on this site, never an address elsewhere: it starts with one `/`,
/// and holds no backslash, white space or control character (browsers drop tabs and newlines
/// from addresses, so `/\t/evil.example` would lead away).
pub fn local_path(next: &str) -> Option<&str> {
    let plain = !next
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    (next.starts_with('/') && !next.starts_with("//") && plain).then_some(next)
}

/// The page a session at `stage` belongs on.
pub fn page_for(stage: Stage) -> &'static str {
    match stage {
        Stage::Anonymous => PAGE_LOGIN,
        Stage::NeedsEnrollment => PAGE_WELCOME,
        Stage::NeedsCode => PAGE_PIN,
        Stage::Verified => PAGE_DONE,
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_local() {
        assert_eq!(
            local_path("/wiki/Main_Page?x=1"),
            Some("/wiki/Main_Page?x=1")
        );
        for away in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/x",
            "https://x",
            "",
        ] {
            assert_eq!(local_path(away), None, "{away:?}");
        }
    }
}
