//! Password hashing with argon2id, on blocking threads behind a bound.
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory by design. It runs on tokio's
//! blocking pool, so the async workers that check codes and serve pages never wait behind it,
//! and a semaphore caps how many hashes run at once, so a burst of logins cannot exhaust memory.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

/// OWASP's recommended argon2id setting: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    // These constants are within argon2's limits, so `Params::new` cannot fail.
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("the password hashing task stopped unexpectedly")]
    Task,
}

/// Hashes and checks passwords without blocking the async runtime.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A hash of a random password, checked when the username is unknown, so that an unknown
    /// user costs the same time as a wrong password.
    decoy: Arc<str>,
}

impl Passwords {
    /// `concurrency` hashes may run at once.
    pub fn new(concurrency: usize) -> Result<Passwords, PasswordError> {
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let decoy = hash_now(&SecretString::from(data_encoding::HEXLOWER.encode(&random)))?;
        Ok(Passwords {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            decoy: decoy.into(),
        })
    }

    /// An argon2id PHC string for `password`, with a fresh salt.
    pub async fn hash(&self, password: SecretString) -> Result<String, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Task)?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(|_| PasswordError::Task)?
    }

    /// Checks `password` against `stored`; with no stored hash (unknown user) it checks a decoy
    /// and answers `false`, taking the same time.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.decoy.to_string());
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    argon2()
                        .verify_password(password.expose_secret().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && matches
    }
}

fn hash_now(password: &SecretString) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}
