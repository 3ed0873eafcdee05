//! Enrollment: the pending secret shown, replaced on request, and confirmed by its first code.

use tracing::{debug, info};
use twostep_api::{EnrollmentResponse, Stage};

use super::{fresh_secret, normalize_code, require_stage, Current, Flow, SignedIn};
use crate::error::AppError;
use crate::store::{Completion, Pending, SessionRecord};
use crate::totp;

const ALREADY_ENROLLED: &str =
    "This account already has an authenticator. Log out and sign in again with its code.";

impl Flow {
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
}
