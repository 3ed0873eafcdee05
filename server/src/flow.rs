//! The sign-in state machine: password, enrollment, code, logout.
//!
//! Both front ends drive this one machine through the HTTP layer; it decides, the store keeps
//! the state. Reads never change anything; each change happens in one explicit call. Every
//! decision is logged at debug level with its reason, never with a secret, code, password or
//! session id.

use std::sync::Arc;

use secrecy::SecretString;
use tracing::{debug, info, warn};
use twostep_api::{CodeFormat, EnrollmentResponse, SessionResponse, Stage, UserInfo};

use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::password::Passwords;
use crate::session::SessionId;
use crate::store::{Attempt, Completion, Pending, Rotation, SessionRecord, Store};
use crate::totp::{self, Secret};

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

const ALREADY_ENROLLED: &str =
    "This account already has an authenticator. Log out and sign in again with its code.";

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

    /// The pending secret as the enrollment page shows it. Changes nothing.
    pub async fn enrollment(&self, current: &Current) -> Result<EnrollmentResponse, AppError> {
        require_stage(current, Stage::NeedsEnrollment)?;
        self.refuse_if_enrolled(current).await?;
        let user = &current.record;
        let Some(pending) = self.store.pending(user.user_id).await? else {
            debug!(user = %user.username, "enrollment read: no pending secret (reset by an admin)");
            return Err(AppError::EnrollmentExpired);
        };
        if pending.expires_at <= self.now() {
            debug!(user = %user.username, "enrollment read: the pending secret has expired");
            return Err(AppError::EnrollmentExpired);
        }
        self.describe(user, &pending)
    }

    /// "Show me a new code": the only way to replace a pending secret.
    pub async fn restart(&self, current: &Current) -> Result<EnrollmentResponse, AppError> {
        require_stage(current, Stage::NeedsEnrollment)?;
        self.refuse_if_enrolled(current).await?;
        let user = &current.record;
        let now = self.now();
        let ttl = self.config.enrollment.pending_ttl;
        let pending = self
            .store
            .replace_pending(
                user.user_id,
                &fresh_secret()?,
                self.config.totp.params,
                now,
                now + ttl,
            )
            .await?;
        debug!(
            user = %user.username,
            fingerprint = %pending.secret.fingerprint(),
            "pending secret replaced on request"
        );
        self.describe(user, &pending)
    }

    /// An older session of an account that was enrolled meanwhile (in another tab, say) must
    /// not show or make a secret that can never be confirmed.
    async fn refuse_if_enrolled(&self, current: &Current) -> Result<(), AppError> {
        if self
            .store
            .authenticator(current.record.user_id)
            .await?
            .is_some()
        {
            debug!(user = %current.record.username, "enrollment refused: enrolled meanwhile");
            return Err(AppError::WrongStage(ALREADY_ENROLLED));
        }
        Ok(())
    }

    fn describe(
        &self,
        user: &SessionRecord,
        pending: &Pending,
    ) -> Result<EnrollmentResponse, AppError> {
        let issuer = &self.config.totp.issuer;
        let uri = totp::otpauth_uri(issuer, &user.username, &pending.secret, pending.params)
            .map_err(|e| AppError::Internal(format!("cannot label the authenticator: {e}")))?;
        let qr_svg = totp::qr_svg(&uri)
            .map_err(|e| AppError::Internal(format!("cannot draw the QR code: {e}")))?;
        Ok(EnrollmentResponse {
            secret: pending.secret.to_base32(),
            otpauth_uri: uri,
            qr_svg,
            fingerprint: pending.secret.fingerprint(),
            label: format!("{issuer}:{}", user.username),
            issuer: issuer.clone(),
            account: user.username.clone(),
            algorithm: pending.params.algorithm.as_str().to_owned(),
            digits: pending.params.digits,
            period: pending.params.period,
            expires_at: pending.expires_at,
        })
    }

    /// Checks the first code of the pending secret; on success it becomes the authenticator and
    /// the session is verified under a new id. A wrong code leaves everything as it was.
    pub async fn confirm(&self, current: &Current, code: &str) -> Result<SignedIn, AppError> {
        require_stage(current, Stage::NeedsEnrollment)?;
        let user = &current.record;
        let now = self.now();
        let Some(pending) = self.store.pending(user.user_id).await? else {
            debug!(user = %user.username, "first code refused: no pending secret");
            return Err(AppError::EnrollmentExpired);
        };
        let code = normalize_code(code, pending.params.digits)?;
        if pending.expires_at <= now {
            debug!(user = %user.username, "first code refused: the pending secret has expired");
            return Err(AppError::EnrollmentExpired);
        }
        let window = self.config.totp.window;
        let Some(step) = totp::matching_step(&pending.secret, pending.params, &code, now, window)
        else {
            debug!(
                user = %user.username,
                window,
                "first code refused: matches no time step within the window; secret kept"
            );
            return Err(AppError::WrongCode);
        };

        let (new_id, rotation) = self.rotation(current, now)?;
        match self
            .store
            .confirm_enrollment(user.user_id, &pending, step, &rotation)
            .await?
        {
            Completion::Done => {
                info!(
                    user = %user.username,
                    fingerprint = %pending.secret.fingerprint(),
                    "authenticator confirmed; session verified"
                );
                Ok(self.verified(user, new_id))
            }
            Completion::PendingChanged => {
                debug!(user = %user.username, "first code refused: pending secret changed meanwhile");
                Err(AppError::EnrollmentExpired)
            }
            Completion::AlreadyEnrolled => {
                debug!(user = %user.username, "first code refused: already enrolled elsewhere");
                Err(AppError::WrongStage(ALREADY_ENROLLED))
            }
            Completion::StepUsed | Completion::SessionGone => {
                debug!(user = %user.username, "first code refused: the session moved on meanwhile");
                Err(AppError::NotSignedIn)
            }
        }
    }

    /// Checks a code of the confirmed authenticator. Each attempt counts against the account
    /// until a correct code resets the count; each time step is accepted once.
    pub async fn verify(&self, current: &Current, code: &str) -> Result<SignedIn, AppError> {
        require_stage(current, Stage::NeedsCode)?;
        let user = &current.record;
        let now = self.now();
        let Some(authenticator) = self.store.authenticator(user.user_id).await? else {
            debug!(user = %user.username, "code refused: the authenticator was reset meanwhile");
            return Err(AppError::WrongStage(
                "Your authenticator was removed by an administrator. Sign out and sign in again \
                 to set up a new one.",
            ));
        };
        let code = normalize_code(code, authenticator.params.digits)?;

        let lockout = &self.config.lockout;
        let failures = match self.store.begin_attempt(user.user_id, now, lockout).await? {
            Attempt::Allowed { failures } => failures,
            Attempt::Locked { until } => {
                debug!(user = %user.username, ?until, "code refused unchecked: second factor locked");
                return Err(AppError::Locked { until, now });
            }
        };

        let window = self.config.totp.window;
        let step = totp::matching_step(
            &authenticator.secret,
            authenticator.params,
            &code,
            now,
            window,
        );
        let refused = |reason: &str| {
            debug!(user = %user.username, failures, "code rejected: {reason}");
            self.failure(failures, now)
        };
        let Some(step) = step else {
            return Err(refused("matches no time step within the window"));
        };
        if step <= authenticator.last_step {
            return Err(refused("time step already used"));
        }

        let (new_id, rotation) = self.rotation(current, now)?;
        match self
            .store
            .complete_verification(user.user_id, step, &rotation)
            .await?
        {
            Completion::Done => {
                info!(user = %user.username, "code accepted; session verified");
                Ok(self.verified(user, new_id))
            }
            Completion::StepUsed => Err(refused("time step used by a concurrent request")),
            _ => {
                debug!(user = %user.username, "code refused: the session moved on meanwhile");
                Err(AppError::NotSignedIn)
            }
        }
    }

    /// The answer to a wrong code: locked if this failure reached the limit.
    fn failure(&self, failures: u32, now: u64) -> AppError {
        let lockout = &self.config.lockout;
        if failures >= lockout.hard_limit {
            warn!(
                failures,
                "second factor locked until an administrator unlocks it"
            );
            return AppError::Locked { until: None, now };
        }
        match lockout.delay_after(failures) {
            Some(delay) => AppError::Locked {
                until: Some(now + delay),
                now,
            },
            None => AppError::WrongCode,
        }
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
