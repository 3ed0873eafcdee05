//! Later sign-ins: the code of a confirmed authenticator, counted against the account.

use tracing::{debug, info, warn};
use twostep_api::Stage;

use super::{normalize_code, require_stage, Current, Flow, SignedIn};
use crate::error::AppError;
use crate::store::{Attempt, Completion};
use crate::totp;

impl Flow {
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
}
