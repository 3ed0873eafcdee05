//! Local accounts.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{db_time, Result, Store};

/// An account. `password_hash` is an argon2id PHC string.
#[derive(Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .finish_non_exhaustive()
    }
}

fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
    })
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash";

impl Store {
    /// Adds an account; `false` when the username is taken.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        now: u64,
    ) -> Result<bool> {
        let result = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(display_name)
        .bind(password_hash)
        .bind(db_time(now))
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let query = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row = sqlx::query(&query)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Every account, by username.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        let query = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows = sqlx::query(&query).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Replaces a password, signs the account out everywhere and drops a pending secret (whoever
    /// knew the old password may have seen it); `false` for an unknown user.
    pub async fn set_password(&self, username: &str, password_hash: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(password_hash)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        for table in ["sessions", "pending_secrets"] {
            let query = format!(
                "DELETE FROM {table} WHERE user_id = (SELECT id FROM users WHERE username = $1)"
            );
            sqlx::query(&query).bind(username).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Removes an account with its authenticator, pending secret and sessions.
    pub async fn delete_user(&self, username: &str) -> Result<bool> {
        let result = sqlx::query("DELETE FROM users WHERE username = $1")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() == 1)
    }
}
