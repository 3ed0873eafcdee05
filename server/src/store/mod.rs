//! Storage of users, authenticators, pending secrets and sessions, through sqlx.
//!
//! Queries are written once, with `$1` placeholders and plain integer and text columns, so the
//! same text runs on SQLite and PostgreSQL. Every change that must be atomic is a single
//! conditional statement (`... WHERE last_step < $n`, `ON CONFLICT`) or a transaction whose first
//! statement writes, so SQLite takes its write lock at once instead of failing to upgrade later.

mod admin;
mod otp;
mod sessions;
mod users;

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use crate::totp::{Algorithm, Params, Secret};

pub use admin::OtpStatus;
pub use otp::{Attempt, Authenticator, Completion, Pending, Rotation};
pub use sessions::SessionRecord;
pub use users::User;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
}

impl Store {
    /// Opens the database at `url`, creating an SQLite file (and its folder) when missing, and
    /// brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let url = sqlite_url_creating_file(url)?;

        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" {
                        // WAL lets readers run beside the one writer; the busy timeout makes
                        // concurrent writers queue instead of failing.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;

        SQLITE_MIGRATIONS.run(&pool).await?;
        Ok(Store { pool })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Adds `mode=rwc` to an SQLite URL, so that a missing file is created, and creates its folder.
fn sqlite_url_creating_file(url: &str) -> Result<String> {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(url.to_owned());
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    if query.split('&').any(|pair| pair.starts_with("mode=")) {
        return Ok(url.to_owned());
    }
    let separator = if query.is_empty() { "?" } else { "&" };
    Ok(format!("{url}{separator}mode=rwc"))
}

/// Reads the secret and TOTP parameters that pending secrets and authenticators share.
fn secret_and_params(row: &AnyRow) -> Result<(Secret, Params)> {
    let text: String = row.try_get("secret")?;
    let secret = Secret::from_base32(&text)
        .ok_or_else(|| StoreError::Corrupt("a stored secret is not base32".into()))?;
    let algorithm: String = row.try_get("algorithm")?;
    let algorithm = Algorithm::from_str(&algorithm).map_err(StoreError::Corrupt)?;
    let digits: i64 = row.try_get("digits")?;
    let period: i64 = row.try_get("period")?;
    let params = Params {
        algorithm,
        digits: digits as u32,
        period: period as u64,
    };
    Ok((secret, params))
}

/// Unix seconds as stored: SQLite and PostgreSQL both hold signed 64-bit integers.
fn db_time(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}
