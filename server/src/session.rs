//! Session ids and the cookie that carries them.
//!
//! The id is 256 random bits. Only its SHA-256 reaches the database, so a leaked database holds
//! no usable session. The id itself appears in no log and no URL.

use std::fmt;

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

/// The cookie name when it may be marked `Secure`; the `__Host-` prefix makes browsers refuse
/// it unless it is Secure, host-only and for path `/`.
const SECURE_NAME: &str = "__Host-twostep_session";
/// The cookie name for plain HTTP on an address other than localhost.
const PLAIN_NAME: &str = "twostep_session";
/// The cookie that binds the login form of the pages without JavaScript to one browser, before
/// there is a session to bind it to.
const SECURE_FORM_NAME: &str = "__Host-twostep_form";
const PLAIN_FORM_NAME: &str = "twostep_form";

/// A session id as the cookie carries it. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    pub fn generate() -> Result<SessionId, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(SessionId(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The key under which the session is stored.
    pub fn hash(&self) -> String {
        data_encoding::HEXLOWER.encode(&Sha256::digest(self.0.as_bytes()))
    }

    /// A value bound to this id for one `purpose` (such as a form token): it reveals nothing of
    /// the id, and differs from [`SessionId::hash`] and from every other purpose's.
    pub fn derive(&self, purpose: &str) -> String {
        let mut digest = Sha256::new();
        digest.update(purpose.as_bytes());
        digest.update([0]);
        digest.update(self.0.as_bytes());
        data_encoding::HEXLOWER.encode(&digest.finalize()[..16])
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(<redacted>)")
    }
}

/// Reads and writes the session cookie.
#[derive(Clone, Copy, Debug)]
pub struct CookieJar {
    secure: bool,
}

impl CookieJar {
    pub fn new(secure: bool) -> Self {
        CookieJar { secure }
    }

    fn name(self) -> &'static str {
        if self.secure {
            SECURE_NAME
        } else {
            PLAIN_NAME
        }
    }

    fn form_name(self) -> &'static str {
        if self.secure {
            SECURE_FORM_NAME
        } else {
            PLAIN_FORM_NAME
        }
    }

    /// The session id the request carries, if it has a well-formed one.
    pub fn read(self, headers: &HeaderMap) -> Option<SessionId> {
        Self::read_named(headers, self.name())
    }

    /// The login form's browser token, if the request carries one.
    pub fn read_form(self, headers: &HeaderMap) -> Option<SessionId> {
        Self::read_named(headers, self.form_name())
    }

    /// Stores a login form token in the browser until it closes.
    pub fn set_form(self, headers: &mut HeaderMap, token: &SessionId) {
        let cookie = Cookie::build((self.form_name(), token.0.clone()))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Strict)
            .build();
        // The name is a constant and the value base64url, so the header is always valid.
        let value = HeaderValue::from_str(&cookie.to_string()).expect("cookie text is valid");
        headers.append(SET_COOKIE, value);
    }

    fn read_named(headers: &HeaderMap, name: &str) -> Option<SessionId> {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == name)
            .map(|cookie| cookie.value().to_owned())
            .filter(|value| value.len() == 43 && URL_SAFE_NO_PAD.decode(value).is_ok())
            .map(SessionId)
    }

    /// A `Set-Cookie` header that stores `id` in the browser for `max_age` seconds.
    pub fn set(self, headers: &mut HeaderMap, id: &SessionId, max_age: u64) {
        let cookie = self.build(id.0.clone(), max_age);
        headers.append(SET_COOKIE, cookie);
    }

    /// A `Set-Cookie` header that removes the cookie from the browser.
    pub fn clear(self, headers: &mut HeaderMap) {
        headers.append(SET_COOKIE, self.build(String::new(), 0));
    }

    fn build(self, value: String, max_age: u64) -> HeaderValue {
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        let cookie = Cookie::build((self.name(), value))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::seconds(max_age))
            .build();
        // The name is a constant and the value base64url, so the header is always valid.
        HeaderValue::from_str(&cookie.to_string()).expect("cookie text is a valid header value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_round_trips_and_carries_the_required_attributes() {
        let jar = CookieJar::new(true);
        let id = SessionId::generate().expect("OS random source");
        let mut headers = HeaderMap::new();
        jar.set(&mut headers, &id, 3600);
        let set = headers
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(set.starts_with("__Host-twostep_session="), "{set}");
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=3600",
        ] {
            assert!(set.contains(attribute), "{attribute} missing from {set}");
        }

        let pair = set.split(';').next().unwrap_or_default();
        let mut request = HeaderMap::new();
        request.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=b; {pair}")).expect("header"),
        );
        assert_eq!(jar.read(&request), Some(id));
    }

    #[test]
    fn malformed_ids_are_ignored() {
        let mut request = HeaderMap::new();
        request.insert(
            COOKIE,
            HeaderValue::from_static("__Host-twostep_session=short"),
        );
        assert_eq!(CookieJar::new(true).read(&request), None);
    }

    #[test]
    fn debug_hides_the_id() {
        let id = SessionId::generate().expect("OS random source");
        assert!(!format!("{id:?}").contains(&id.0));
    }
}
