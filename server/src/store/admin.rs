//! What the `twostep otp` commands read and change: an account's second factor as a whole.

use super::{Result, Store};

/// What an administrator sees of one account's second factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtpStatus {
    pub confirmed_fingerprint: Option<String>,
    pub pending_fingerprint: Option<String>,
    pub pending_expires_at: Option<u64>,
    pub failures: u32,
    pub locked_until: Option<u64>,
}

impl Store {
    /// The second-factor state of an account, or `None` for an unknown username.
    pub async fn otp_status(&self, username: &str) -> Result<Option<OtpStatus>> {
        let Some(user) = self.user_by_name(username).await? else {
            return Ok(None);
        };
        let (failures, locked_until) = self.failure_state(user.id).await?;
        let confirmed = self.authenticator(user.id).await?;
        let pending = self.pending(user.id).await?;
        Ok(Some(OtpStatus {
            confirmed_fingerprint: confirmed.map(|a| a.secret.fingerprint()),
            pending_fingerprint: pending.as_ref().map(|p| p.secret.fingerprint()),
            pending_expires_at: pending.map(|p| p.expires_at),
            failures,
            locked_until,
        }))
    }

    /// Removes the pending secret; unless `pending_only`, also removes the confirmed
    /// authenticator, clears the failure count and signs the account out everywhere. `false` for
    /// an unknown user.
    pub async fn reset_otp(&self, username: &str, pending_only: bool) -> Result<bool> {
        let Some(user) = self.user_by_name(username).await? else {
            return Ok(false);
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM pending_secrets WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        if !pending_only {
            sqlx::query("DELETE FROM authenticators WHERE user_id = $1")
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE users SET otp_failures = 0, otp_locked_until = NULL WHERE id = $1")
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
            // Whoever holds a session may hold the lost device too: sign out everywhere.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Clears the failure count and any lock. `false` for an unknown user.
    pub async fn unlock_otp(&self, username: &str) -> Result<bool> {
        let result = sqlx::query(
            "UPDATE users SET otp_failures = 0, otp_locked_until = NULL WHERE username = $1",
        )
        .bind(username)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }
}
