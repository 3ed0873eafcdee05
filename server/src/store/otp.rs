//! Pending secrets, confirmed authenticators, used time steps and the failure counter.

use sqlx::any::Any;
use sqlx::{Row, Transaction};
use twostep_api::Stage;

use super::{db_time, secret_and_params, Result, Store};
use crate::config::LockoutConfig;
use crate::totp::{Params, Secret};

/// A secret shown during enrollment and not yet confirmed.
#[derive(Clone, Debug)]
pub struct Pending {
    pub secret: Secret,
    pub params: Params,
    pub expires_at: u64,
}

/// A confirmed authenticator.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub secret: Secret,
    pub params: Params,
    pub last_step: u64,
}

/// The outcome of asking to try a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt is counted; `failures` includes it until a correct code resets the count.
    Allowed { failures: u32 },
    /// Locked until `until` (Unix seconds), or until an administrator unlocks it.
    Locked { until: Option<u64> },
}

/// The outcome of a transaction that moves a session on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    Done,
    /// The pending secret changed or expired since it was read.
    PendingChanged,
    /// The account already has an authenticator.
    AlreadyEnrolled,
    /// The code's time step, or a later one, was used already.
    StepUsed,
    /// The session ended or moved on meanwhile.
    SessionGone,
}

const SECRET_COLUMNS: &str = "secret, algorithm, digits, period";

/// Whether a pending secret is written only over an expired one.
struct OnlyIfExpired(bool);

/// A session moving to [`Stage::Verified`] under a new id.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub old_hash: String,
    pub new_hash: String,
    pub now: u64,
    pub expires_at: u64,
}

impl Store {
    /// Creates a pending secret for `user_id` unless an unexpired one exists, then returns the
    /// one stored, so concurrent logins all end with the same secret. `true` with it when this
    /// call created it.
    pub async fn ensure_pending(
        &self,
        user_id: i64,
        candidate: &Secret,
        params: Params,
        now: u64,
        expires_at: u64,
    ) -> Result<(Pending, bool)> {
        let written = self
            .write_pending(
                user_id,
                candidate,
                params,
                now,
                expires_at,
                OnlyIfExpired(true),
            )
            .await?;

        // The row exists now: this call or a concurrent one wrote it, and only an explicit
        // restart or a confirmation removes it.
        let pending = self.pending(user_id).await?.ok_or_else(|| {
            super::StoreError::Corrupt("the pending secret vanished right after its insert".into())
        })?;
        Ok((pending, written))
    }

    /// Replaces the pending secret of `user_id`, whatever it was.
    pub async fn replace_pending(
        &self,
        user_id: i64,
        secret: &Secret,
        params: Params,
        now: u64,
        expires_at: u64,
    ) -> Result<Pending> {
        self.write_pending(
            user_id,
            secret,
            params,
            now,
            expires_at,
            OnlyIfExpired(false),
        )
        .await?;
        Ok(Pending {
            secret: secret.clone(),
            params,
            expires_at,
        })
    }

    /// Inserts or replaces the pending secret in one statement; `true` when a row was written.
    async fn write_pending(
        &self,
        user_id: i64,
        secret: &Secret,
        params: Params,
        now: u64,
        expires_at: u64,
        only_if_expired: OnlyIfExpired,
    ) -> Result<bool> {
        let condition = if only_if_expired.0 {
            " WHERE pending_secrets.expires_at <= excluded.created_at"
        } else {
            ""
        };
        let query = format!(
            "INSERT INTO pending_secrets \
                 (user_id, secret, algorithm, digits, period, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id) DO UPDATE SET \
                 secret = excluded.secret, algorithm = excluded.algorithm, \
                 digits = excluded.digits, period = excluded.period, \
                 created_at = excluded.created_at, expires_at = excluded.expires_at{condition}"
        );
        let result = sqlx::query(&query)
            .bind(user_id)
            .bind(secret.to_base32())
            .bind(params.algorithm.as_str())
            .bind(i64::from(params.digits))
            .bind(db_time(params.period))
            .bind(db_time(now))
            .bind(db_time(expires_at))
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// The pending secret of `user_id`, expired or not. Reading it changes nothing.
    pub async fn pending(&self, user_id: i64) -> Result<Option<Pending>> {
        let query =
            format!("SELECT {SECRET_COLUMNS}, expires_at FROM pending_secrets WHERE user_id = $1");
        let row = sqlx::query(&query)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (secret, params) = secret_and_params(&row)?;
        let expires_at: i64 = row.try_get("expires_at")?;
        Ok(Some(Pending {
            secret,
            params,
            expires_at: expires_at as u64,
        }))
    }

    /// The confirmed authenticator of `user_id`.
    pub async fn authenticator(&self, user_id: i64) -> Result<Option<Authenticator>> {
        let query =
            format!("SELECT {SECRET_COLUMNS}, last_step FROM authenticators WHERE user_id = $1");
        let row = sqlx::query(&query)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (secret, params) = secret_and_params(&row)?;
        let last_step: i64 = row.try_get("last_step")?;
        Ok(Some(Authenticator {
            secret,
            params,
            last_step: last_step.max(0) as u64,
        }))
    }

    /// Makes `pending` the confirmed authenticator of `user_id` with `step` already used, and
    /// moves the session to [`Stage::Verified`] under the new id of `rotation`, all at once.
    pub async fn confirm_enrollment(
        &self,
        user_id: i64,
        pending: &Pending,
        step: u64,
        rotation: &Rotation,
    ) -> Result<Completion> {
        let now = rotation.now;
        let mut tx = self.pool.begin().await?;

        let taken = sqlx::query(
            "DELETE FROM pending_secrets WHERE user_id = $1 AND secret = $2 AND expires_at > $3",
        )
        .bind(user_id)
        .bind(pending.secret.to_base32())
        .bind(db_time(now))
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Ok(Completion::PendingChanged);
        }

        let inserted = sqlx::query(
            "INSERT INTO authenticators \
                 (user_id, secret, algorithm, digits, period, last_step, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(pending.secret.to_base32())
        .bind(pending.params.algorithm.as_str())
        .bind(i64::from(pending.params.digits))
        .bind(db_time(pending.params.period))
        .bind(db_time(step))
        .bind(db_time(now))
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Ok(Completion::AlreadyEnrolled);
        }

        finish_verification(tx, user_id, rotation, Stage::NeedsEnrollment).await
    }

    /// Counts one code attempt for `user_id` before the code is checked, unless the second
    /// factor is locked. Counting first means parallel guesses cannot slip past the limit; a
    /// correct code then resets the count in [`Store::complete_verification`].
    pub async fn begin_attempt(
        &self,
        user_id: i64,
        now: u64,
        lockout: &LockoutConfig,
    ) -> Result<Attempt> {
        let mut tx = self.pool.begin().await?;

        let row = sqlx::query(
            "UPDATE users SET otp_failures = otp_failures + 1 \
             WHERE id = $1 AND otp_failures < $2 \
               AND (otp_locked_until IS NULL OR otp_locked_until <= $3) \
             RETURNING otp_failures",
        )
        .bind(user_id)
        .bind(i64::from(lockout.hard_limit))
        .bind(db_time(now))
        .fetch_optional(&mut *tx)
        .await?;

        let Some(row) = row else {
            tx.rollback().await?;
            let state = self.failure_state(user_id).await?;
            let until = if state.0 >= lockout.hard_limit {
                None
            } else {
                state.1
            };
            return Ok(Attempt::Locked { until });
        };

        let failures: i64 = row.try_get("otp_failures")?;
        let failures = u32::try_from(failures).unwrap_or(u32::MAX);
        if let Some(delay) = lockout.delay_after(failures) {
            sqlx::query("UPDATE users SET otp_locked_until = $1 WHERE id = $2")
                .bind(db_time(now.saturating_add(delay)))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Attempt::Allowed { failures })
    }

    /// Consumes time step `step` of the authenticator of `user_id`, resets the failure count and
    /// moves the session to [`Stage::Verified`] under the new id of `rotation`, all at once. The step is
    /// consumed only if it is newer than every step used before, so a code works once.
    pub async fn complete_verification(
        &self,
        user_id: i64,
        step: u64,
        rotation: &Rotation,
    ) -> Result<Completion> {
        let mut tx = self.pool.begin().await?;

        let consumed = sqlx::query(
            "UPDATE authenticators SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
        )
        .bind(db_time(step))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if consumed.rows_affected() != 1 {
            return Ok(Completion::StepUsed);
        }

        finish_verification(tx, user_id, rotation, Stage::NeedsCode).await
    }

    /// Consecutive failures and lock time of `user_id`.
    pub(super) async fn failure_state(&self, user_id: i64) -> Result<(u32, Option<u64>)> {
        let row = sqlx::query("SELECT otp_failures, otp_locked_until FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok((0, None));
        };
        let failures: i64 = row.try_get("otp_failures")?;
        let until: Option<i64> = row.try_get("otp_locked_until")?;
        Ok((
            u32::try_from(failures).unwrap_or(u32::MAX),
            until.map(|u| u.max(0) as u64),
        ))
    }
}

/// The end of every successful verification: the failure count is reset and the session moves
/// from `from` to [`Stage::Verified`] under its new id; all of it or, if the session is gone,
/// none of it.
async fn finish_verification(
    mut tx: Transaction<'_, Any>,
    user_id: i64,
    rotation: &Rotation,
    from: Stage,
) -> Result<Completion> {
    sqlx::query("UPDATE users SET otp_failures = 0, otp_locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if !advance_session(&mut tx, rotation, from).await? {
        return Ok(Completion::SessionGone);
    }
    tx.commit().await?;
    Ok(Completion::Done)
}

/// Moves a session at stage `from` to [`Stage::Verified`] under a new id hash.
async fn advance_session(
    tx: &mut Transaction<'_, Any>,
    rotation: &Rotation,
    from: Stage,
) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE sessions SET id_hash = $1, stage = $2, created_at = $3, expires_at = $4 \
         WHERE id_hash = $5 AND stage = $6 AND expires_at > $3",
    )
    .bind(&rotation.new_hash)
    .bind(Stage::Verified.as_str())
    .bind(db_time(rotation.now))
    .bind(db_time(rotation.expires_at))
    .bind(&rotation.old_hash)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}
