//! The sign-in state machine: password, enrollment, code, logout.
//!
//! Both front ends drive this one machine through the HTTP layer; it decides, the store keeps
//! the state. Reads never change anything; each change happens in one explicit call. Every
//! decision is logged at debug level with its reason, never with a secret, code, password or
//! session id.

use std::sync::Arc;

use secrecy::SecretString;
use tracing::{debug, info};
use twostep_api::{CodeFormat, SessionResponse, Stage, UserInfo};

use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::password::Passwords;
use crate::session::SessionId;
use crate::store::{Rotation, SessionRecord, Store};
use crate::totp::{self, Secret};

mod enroll;
mod verify;

/// A request's session, loaded from the store.
#[derive(Clone, Debug)]
pub struct Current {
    pub id: SessionId,
    pub record: SessionRecord,
}

fn format_of(params: totp::Params) -> CodeFormat {
    CodeFormat {
        digits: params.digits,
        period: params.period,
    }
}

fn user_info(record: &SessionRecord) -> UserInfo {
    UserInfo {
        username: record.username.clone(),
        display_name: record.display_name.clone(),
    }
}

/// Everything the state machine needs; shared by all requests.
pub struct Flow {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub passwords: Passwords,
}

/// Usernames are compared without regard to ASCII case or surrounding spaces.
pub fn normalize_username(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Strips the spaces people paste with a code ("123 456") and checks what is left.
pub fn normalize_code(raw: &str, digits: u32) -> Result<String, AppError> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        return Err(AppError::InvalidCode(format!(
            "Enter the {digits}-digit code your authenticator app shows."
        )));
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::InvalidCode(format!(
            "A code is {digits} digits, 0 to 9, and nothing else. Check what you entered."
        )));
    }
    if code.len() != digits as usize {
        return Err(AppError::InvalidCode(format!(
            "A code is {digits} digits long; you entered {}.",
            code.len()
        )));
    }
    Ok(code)
}

fn fresh_id() -> Result<SessionId, AppError> {
    SessionId::generate().map_err(|e| AppError::Internal(format!("random source failed: {e}")))
}

fn fresh_secret() -> Result<Secret, AppError> {
    Secret::generate().map_err(|e| AppError::Internal(format!("random source failed: {e}")))
}

impl Flow {
    fn now(&self) -> u64 {
        self.clock.now()
    }

    /// What the pages show of a session: its stage, its user, and the codes it is asked for.
    /// Reading it changes nothing.
    pub async fn session_view(&self, current: &Current) -> Result<SessionResponse, AppError> {
        let user_id = current.record.user_id;
        let code = match current.record.stage {
            Stage::NeedsCode => self.store.authenticator(user_id).await?.map(|a| a.params),
            Stage::NeedsEnrollment => Some(
                self.store
                    .pending(user_id)
                    .await?
                    .map_or(self.config.totp.params, |p| p.params),
            ),
            Stage::Anonymous | Stage::Verified => None,
        };
        Ok(SessionResponse {
            stage: current.record.stage,
            user: Some(user_info(&current.record)),
            code: code.map(format_of),
        })
    }

    /// The live session for `id`, if any.
    pub async fn current(&self, id: Option<SessionId>) -> Result<Option<Current>, AppError> {
        let Some(id) = id else {
            return Ok(None);
        };
        let record = self.store.session(&id.hash(), self.now()).await?;
        Ok(record.map(|record| Current { id, record }))
    }

    /// Checks the password and starts a session at the stage the account is at. A user without
    /// an authenticator gets a pending secret here, unless an unexpired one exists already.
    pub async fn login(
        &self,
        previous: Option<SessionId>,
        username: &str,
        password: SecretString,
    ) -> Result<SignedIn, AppError> {
        let username = normalize_username(username);
        if username.is_empty() {
            return Err(AppError::BadRequest("Enter your username.".into()));
        }
        let user = self.store.user_by_name(&username).await?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let matches = self.passwords.verify(password, stored).await;
        let user = match (user, matches) {
            (Some(user), true) => user,
            (Some(user), false) => {
                debug!(user = %user.username, "login refused: wrong password");
                return Err(AppError::WrongCredentials);
            }
            (None, _) => {
                // The name is not logged: people type their password into the username field.
                debug!("login refused: no account has that username");
                return Err(AppError::WrongCredentials);
            }
        };

        let now = self.now();
        let (stage, code) = if let Some(found) = self.store.authenticator(user.id).await? {
            debug!(user = %user.username, "password accepted; authenticator confirmed, code next");
            (Stage::NeedsCode, format_of(found.params))
        } else {
            let ttl = self.config.enrollment.pending_ttl;
            let params = self.config.totp.params;
            let (pending, created) = self
                .store
                .ensure_pending(user.id, &fresh_secret()?, params, now, now + ttl)
                .await?;
            if created {
                debug!(
                    user = %user.username,
                    fingerprint = %pending.secret.fingerprint(),
                    "password accepted; no authenticator, created a pending secret"
                );
            } else {
                debug!(
                    user = %user.username,
                    fingerprint = %pending.secret.fingerprint(),
                    "password accepted; kept the unexpired pending secret"
                );
            }
            (Stage::NeedsEnrollment, format_of(pending.params))
        };

        let id = fresh_id()?;
        let lifetime = self.config.session.login_timeout;
        self.store
            .create_session(&id.hash(), user.id, stage, now, now + lifetime)
            .await?;
        // The old session goes only once the new one exists: a failure in between leaves the
        // person signed in as before.
        if let Some(previous) = previous {
            self.store.delete_session(&previous.hash()).await?;
        }
        info!(user = %user.username, stage = stage.as_str(), "signed in with password");
        let session = SessionResponse {
            stage,
            user: Some(UserInfo {
                username: user.username,
                display_name: user.display_name,
            }),
            code: Some(code),
        };
        Ok(SignedIn {
            id,
            lifetime,
            session,
        })
    }

    /// A new id for `current`, to take effect when it is verified.
    fn rotation(&self, current: &Current, now: u64) -> Result<(SessionId, Rotation), AppError> {
        let new_id = fresh_id()?;
        let rotation = Rotation {
            old_hash: current.id.hash(),
            new_hash: new_id.hash(),
            now,
            expires_at: now + self.config.session.lifetime,
        };
        Ok((new_id, rotation))
    }

    fn verified(&self, user: &SessionRecord, id: SessionId) -> SignedIn {
        SignedIn {
            id,
            lifetime: self.config.session.lifetime,
            session: SessionResponse {
                stage: Stage::Verified,
                user: Some(user_info(user)),
                code: None,
            },
        }
    }

    /// Ends the session on the server. Without one there is nothing to do.
    pub async fn logout(&self, id: Option<SessionId>) -> Result<(), AppError> {
        if let Some(id) = id {
            if self.store.delete_session(&id.hash()).await? {
                debug!("session deleted on logout");
            }
        }
        Ok(())
    }
}

/// A session that has just started or moved on, under a new id the browser must store.
#[derive(Debug)]
pub struct SignedIn {
    pub id: SessionId,
    /// Seconds the cookie should live.
    pub lifetime: u64,
    pub session: SessionResponse,
}

fn require_stage(current: &Current, wanted: Stage) -> Result<(), AppError> {
    if current.record.stage == wanted {
        return Ok(());
    }
    debug!(
        user = %current.record.username,
        stage = current.record.stage.as_str(),
        wanted = wanted.as_str(),
        "request refused: session is at another stage"
    );
    Err(AppError::WrongStage(match current.record.stage {
        Stage::NeedsEnrollment => "Set up your authenticator first.",
        Stage::NeedsCode => "This account already has an authenticator; enter its code.",
        Stage::Verified => "You are already signed in.",
        Stage::Anonymous => "Sign in first.",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_only_and_spaces_are_ignored() {
        assert_eq!(normalize_code("123 456", 6).ok(), Some("123456".to_owned()));
        assert_eq!(
            normalize_code(" 012345 ", 6).ok(),
            Some("012345".to_owned())
        );
        assert!(matches!(
            normalize_code("", 6),
            Err(AppError::InvalidCode(_))
        ));
        assert!(matches!(
            normalize_code("12345", 6),
            Err(AppError::InvalidCode(_))
        ));
        assert!(matches!(
            normalize_code("12345a", 6),
            Err(AppError::InvalidCode(_))
        ));
        // Arabic-Indic digits are digits, but not the ASCII digits a code is made of.
        assert!(matches!(
            normalize_code("١٢٣٤٥٦", 6),
            Err(AppError::InvalidCode(_))
        ));
    }

    #[test]
    fn usernames_ignore_case_and_spaces() {
        assert_eq!(normalize_username("  Alice "), "alice");
    }
}
