//! Configuration: `twostep.toml`, then `TWOSTEP_*` environment variables, checked at start.
//!
//! Every key has a default, so an empty file (or none) is a working setup. Unknown keys and
//! impossible values are refused with the key named, before anything is served.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::Deserialize;

use crate::totp::{Algorithm, Params};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "twostep.toml";

/// A configuration that has passed every check.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// A tracing filter directive, overridden by `RUST_LOG`.
    pub log: String,
    /// Where the built web app lives (`trunk build` writes `dist/`).
    pub spa_dir: PathBuf,
    /// The address people open, such as `https://login.example.com`; requests whose `Origin`
    /// is this are accepted besides those matching the `Host` header.
    pub public_url: Option<String>,
    pub totp: TotpConfig,
    pub enrollment: EnrollmentConfig,
    pub lockout: LockoutConfig,
    pub session: SessionConfig,
    pub ui: UiConfig,
}

#[derive(Clone, Debug, Default)]
pub struct UiConfig {
    /// A folder whose files replace those of the built-in theme (see `docs/theming.md`).
    pub theme_dir: Option<PathBuf>,
}

#[derive(Clone, Debug)]
pub struct TotpConfig {
    /// Shown in the authenticator app above the account name.
    pub issuer: String,
    pub params: Params,
    /// Time steps accepted either side of the current one, for clock drift.
    pub window: u64,
}

#[derive(Clone, Debug)]
pub struct EnrollmentConfig {
    /// Seconds a pending secret can be confirmed after it was created.
    pub pending_ttl: u64,
}

#[derive(Clone, Debug)]
pub struct LockoutConfig {
    /// Consecutive wrong codes after which the second factor locks.
    pub threshold: u32,
    /// Lock time after `threshold` failures; doubles with each further failure.
    pub base_delay: u64,
    /// Upper bound of the growing lock time.
    pub max_delay: u64,
    /// Consecutive failures after which only an administrator can unlock.
    pub hard_limit: u32,
}

impl LockoutConfig {
    /// Seconds the second factor stays locked after `failures` consecutive failures, or `None`
    /// when it is not locked at all. From `hard_limit` on the lock has no end; callers check
    /// that separately.
    pub fn delay_after(&self, failures: u32) -> Option<u64> {
        if failures < self.threshold {
            return None;
        }
        let doublings = (failures - self.threshold).min(32);
        Some(
            self.base_delay
                .saturating_mul(1u64 << doublings)
                .min(self.max_delay),
        )
    }
}

#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Seconds a verified session lasts.
    pub lifetime: u64,
    /// Seconds a session may take from password to second factor.
    pub login_timeout: u64,
    /// `false` drops the `Secure` flag and the `__Host-` prefix: only for plain HTTP on an
    /// address other than localhost, where browsers would refuse a secure cookie.
    pub secure_cookie: bool,
}

/// A configuration that cannot be used, with the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    fn new(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

/// The file as written; `Option`s let the TOTP preset fill what the file leaves out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawConfig {
    listen: String,
    database_url: String,
    log: String,
    spa_dir: PathBuf,
    public_url: Option<String>,
    totp: RawTotp,
    enrollment: RawEnrollment,
    lockout: RawLockout,
    session: RawSession,
    ui: RawUi,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawUi {
    theme_dir: Option<PathBuf>,
}

impl Default for RawConfig {
    fn default() -> Self {
        RawConfig {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/twostep.db".into(),
            log: "info".into(),
            spa_dir: "dist".into(),
            public_url: None,
            totp: RawTotp::default(),
            enrollment: RawEnrollment::default(),
            lockout: RawLockout::default(),
            session: RawSession::default(),
            ui: RawUi::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawTotp {
    preset: Option<String>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<i64>,
    period: Option<i64>,
    window: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawEnrollment {
    pending_ttl_secs: i64,
}

impl Default for RawEnrollment {
    fn default() -> Self {
        RawEnrollment {
            pending_ttl_secs: 15 * 60,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLockout {
    threshold: i64,
    base_delay_secs: i64,
    max_delay_secs: i64,
    hard_limit: i64,
}

impl Default for RawLockout {
    fn default() -> Self {
        RawLockout {
            threshold: 5,
            base_delay_secs: 30,
            max_delay_secs: 3600,
            hard_limit: 100,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSession {
    lifetime_secs: i64,
    login_timeout_secs: i64,
    secure_cookie: bool,
}

impl Default for RawSession {
    fn default() -> Self {
        RawSession {
            lifetime_secs: 12 * 3600,
            login_timeout_secs: 3600,
            secure_cookie: true,
        }
    }
}

impl Config {
    /// Reads `path` (or `twostep.toml` when it exists and no path is given), then the
    /// environment, and checks the result.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::new();
        match path {
            Some(path) if !path.is_file() => {
                return Err(ConfigError::new(
                    "--config",
                    format!("{} does not exist or is not a file", path.display()),
                ));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_FILE));
            }
            None => {}
        }
        figment = figment.merge(Env::prefixed("TWOSTEP_").split("__").ignore(&["config"]));
        Self::from_figment(figment)
    }

    /// Parses a configuration given as TOML text, without the environment.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        Self::from_figment(Figment::new().merge(Toml::string(text)))
    }

    fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        let raw: RawConfig = figment.extract().map_err(describe_figment_error)?;
        raw.check()
    }
}

/// Turns figment's error into one that names the key, as `section.key`.
fn describe_figment_error(error: figment::Error) -> ConfigError {
    let mut key = error.path.join(".");
    let source = error.metadata.as_ref().map(|m| m.name.to_string());
    let message = match &error.kind {
        figment::error::Kind::UnknownField(field, expected) => {
            if error.path.last().is_none_or(|last| last != field) {
                key = if key.is_empty() {
                    field.clone()
                } else {
                    format!("{key}.{field}")
                };
            }
            format!(
                "unknown key; the keys allowed here are {}",
                expected.join(", ")
            )
        }
        other => other.to_string(),
    };
    let message = match source {
        Some(source) => format!("{message} (from {source})"),
        None => message,
    };
    let key = if key.is_empty() {
        "config".to_owned()
    } else {
        key
    };
    ConfigError { key, message }
}

fn positive(key: &str, value: i64) -> Result<u64, ConfigError> {
    if value < 1 {
        return Err(ConfigError::new(
            key,
            format!("must be at least 1 (got {value})"),
        ));
    }
    Ok(value as u64)
}

impl RawConfig {
    fn check(self) -> Result<Config, ConfigError> {
        let listen = self.listen.parse().map_err(|_| {
            ConfigError::new(
                "listen",
                format!(
                    "{:?} is not an address and port, such as 127.0.0.1:8080",
                    self.listen
                ),
            )
        })?;

        let scheme = self.database_url.split(':').next().unwrap_or_default();
        if ["postgres", "postgresql"].contains(&scheme) {
            return Err(ConfigError::new(
                "database_url",
                "PostgreSQL is not supported by this version yet; use sqlite://PATH",
            ));
        }
        if scheme != "sqlite" {
            return Err(ConfigError::new(
                "database_url",
                "must start with sqlite://, for example sqlite://data/twostep.db",
            ));
        }

        if let Err(error) = tracing_subscriber::EnvFilter::try_new(&self.log) {
            return Err(ConfigError::new(
                "log",
                format!("not a log filter: {error}"),
            ));
        }

        if let Some(url) = &self.public_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(ConfigError::new(
                    "public_url",
                    "must start with https:// (or http://), such as https://login.example.com",
                ));
            }
        }

        if let Some(dir) = &self.ui.theme_dir {
            if !dir.is_dir() {
                return Err(ConfigError::new(
                    "ui.theme_dir",
                    format!("{} is not a folder", dir.display()),
                ));
            }
        }

        Ok(Config {
            listen,
            database_url: self.database_url,
            log: self.log,
            spa_dir: self.spa_dir,
            public_url: self.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            totp: self.totp.check()?,
            enrollment: EnrollmentConfig {
                pending_ttl: positive(
                    "enrollment.pending_ttl_secs",
                    self.enrollment.pending_ttl_secs,
                )?,
            },
            lockout: self.lockout.check()?,
            session: SessionConfig {
                lifetime: positive("session.lifetime_secs", self.session.lifetime_secs)?,
                login_timeout: positive(
                    "session.login_timeout_secs",
                    self.session.login_timeout_secs,
                )?,
                secure_cookie: self.session.secure_cookie,
            },
            ui: UiConfig {
                theme_dir: self.ui.theme_dir,
            },
        })
    }
}

impl RawTotp {
    fn check(self) -> Result<TotpConfig, ConfigError> {
        let (base, base_window) = match self.preset.as_deref() {
            None | Some("google") => (Params::GOOGLE, 1),
            Some(other) => {
                return Err(ConfigError::new(
                    "totp.preset",
                    format!("unknown preset {other:?}; the only preset is \"google\""),
                ));
            }
        };

        let algorithm = match self.algorithm {
            Some(name) => name
                .parse::<Algorithm>()
                .map_err(|e| ConfigError::new("totp.algorithm", e))?,
            None => base.algorithm,
        };
        let digits = match self.digits {
            Some(d @ (6 | 8)) => d as u32,
            Some(d) => {
                return Err(ConfigError::new(
                    "totp.digits",
                    format!("must be 6 or 8 (got {d})"),
                ));
            }
            None => base.digits,
        };
        let period = match self.period {
            Some(p) => positive("totp.period", p)?,
            None => base.period,
        };
        let window = match self.window {
            Some(w) if w < 0 => {
                return Err(ConfigError::new(
                    "totp.window",
                    format!("must not be negative (got {w})"),
                ));
            }
            Some(w) if w > 10 => {
                return Err(ConfigError::new(
                    "totp.window",
                    format!("{w} steps either side would accept far too many codes; use 0 to 10"),
                ));
            }
            Some(w) => w as u64,
            None => base_window,
        };

        let issuer = self.issuer.unwrap_or_else(|| "twostep".to_owned());
        if issuer.trim().is_empty() || issuer.contains(':') {
            return Err(ConfigError::new(
                "totp.issuer",
                "must not be empty or contain ':'",
            ));
        }

        Ok(TotpConfig {
            issuer,
            params: Params {
                algorithm,
                digits,
                period,
            },
            window,
        })
    }
}

impl RawLockout {
    fn check(self) -> Result<LockoutConfig, ConfigError> {
        let threshold = positive("lockout.threshold", self.threshold)?;
        let base_delay = positive("lockout.base_delay_secs", self.base_delay_secs)?;
        let max_delay = positive("lockout.max_delay_secs", self.max_delay_secs)?;
        let hard_limit = positive("lockout.hard_limit", self.hard_limit)?;
        if max_delay < base_delay {
            return Err(ConfigError::new(
                "lockout.max_delay_secs",
                format!("must not be below lockout.base_delay_secs ({base_delay})"),
            ));
        }
        if hard_limit <= threshold {
            return Err(ConfigError::new(
                "lockout.hard_limit",
                format!("must be above lockout.threshold ({threshold})"),
            ));
        }
        let to_u32 =
            |key: &str, v: u64| u32::try_from(v).map_err(|_| ConfigError::new(key, "is too large"));
        Ok(LockoutConfig {
            threshold: to_u32("lockout.threshold", threshold)?,
            base_delay,
            max_delay,
            hard_limit: to_u32("lockout.hard_limit", hard_limit)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_delay_doubles_up_to_the_maximum() {
        let lockout = RawLockout::default().check().expect("defaults are valid");
        assert_eq!(lockout.delay_after(4), None);
        assert_eq!(lockout.delay_after(5), Some(30));
        assert_eq!(lockout.delay_after(6), Some(60));
        assert_eq!(lockout.delay_after(7), Some(120));
        assert_eq!(lockout.delay_after(99), Some(3600));
    }
}
