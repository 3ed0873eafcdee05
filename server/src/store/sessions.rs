//! Server-side sessions, keyed by the SHA-256 of the id in the cookie.

use sqlx::Row;
use twostep_api::Stage;

use super::{db_time, Result, Store, StoreError};

/// A live session joined with its account.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub stage: Stage,
}

impl Store {
    /// Stores a new session and removes the expired ones of every user.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        stage: Stage,
        now: u64,
        expires_at: u64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(db_time(now))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, stage, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(stage.as_str())
        .bind(db_time(now))
        .bind(db_time(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The unexpired session with this id hash. Reading it changes nothing.
    pub async fn session(&self, id_hash: &str, now: u64) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT s.user_id, s.stage, u.username, u.display_name \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(db_time(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stage: String = row.try_get("stage")?;
        Ok(Some(SessionRecord {
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            stage: Stage::parse(&stage)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown session stage {stage:?}")))?,
        }))
    }

    /// Deletes one session; `false` when there was none.
    pub async fn delete_session(&self, id_hash: &str) -> Result<bool> {
        let result = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() == 1)
    }
}
