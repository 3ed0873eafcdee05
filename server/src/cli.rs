//! The `twostep` command line: `serve`, `config check`, and the administration of accounts and
//! their second factors, all on the database named by the configuration.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use tracing_subscriber::EnvFilter;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::flow::normalize_username;
use crate::http::{serve as serve_http, AppState};
use crate::password::Passwords;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "twostep",
    version,
    about = "A TOTP second factor for web logins"
)]
pub struct Cli {
    /// Configuration file [default: twostep.toml, if it exists]
    #[arg(long, global = true, env = "TWOSTEP_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server
    Serve,
    /// Check the configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Inspect and reset second factors
    #[command(subcommand)]
    Otp(OtpCommand),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Load the configuration, report the first problem or a summary, and exit
    Check,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account, reading its password from standard input
    Add {
        name: String,
        /// Read the password from standard input (one line)
        #[arg(long)]
        password_stdin: bool,
        /// The name shown on the pages [default: the username]
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
    },
    /// List accounts and the state of their second factor
    List,
    /// Change a password, reading it from standard input; ends the account's sessions
    Passwd {
        name: String,
        /// Read the password from standard input (one line)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete an account with its authenticator and sessions
    Delete { name: String },
}

#[derive(Debug, Subcommand)]
enum OtpCommand {
    /// Show whether an account has an authenticator, its fingerprint, failures and lock
    Status { name: String },
    /// Remove an account's authenticator, so it enrolls again at its next sign-in
    Reset {
        name: String,
        /// Remove only a pending, unconfirmed secret
        #[arg(long)]
        pending_only: bool,
    },
    /// Clear an account's failure count and lock
    Unlock { name: String },
}

/// Shortest password `user add` and `user passwd` accept.
const MIN_PASSWORD_CHARS: usize = 8;

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let config = Config::load(self.config.as_deref())
            .map_err(|error| anyhow::anyhow!("invalid configuration: {error}"))?;

        if let Command::Serve = self.command {
            return serve(config).await;
        }
        init_logging("warn");

        match self.command {
            Command::Serve => Ok(()),
            Command::Config(ConfigCommand::Check) => {
                let totp = &config.totp;
                println!("configuration is valid");
                println!("listen:    {}", config.listen);
                println!("database:  {}", backend_name(&config.database_url));
                println!(
                    "codes:     {}, {} digits, {} s, window {}",
                    totp.params.algorithm.as_str(),
                    totp.params.digits,
                    totp.params.period,
                    totp.window
                );
                println!("issuer:    {}", totp.issuer);
                let theme_dir = config.ui.theme_dir.as_deref();
                let (_, warnings) = crate::theme::Theme::load(theme_dir);
                match theme_dir {
                    Some(dir) => println!("theme:     {}", dir.display()),
                    None => println!("theme:     built in"),
                }
                for warning in &warnings {
                    println!("  warning: {warning}");
                }
                Ok(())
            }
            Command::User(command) => user_command(&config, command).await,
            Command::Otp(command) => otp_command(&config, command).await,
        }
    }
}

/// The database kind, without the URL: a PostgreSQL URL may hold a password.
fn backend_name(url: &str) -> &'static str {
    if url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

fn init_logging(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // A second call (only possible in tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(&config.database_url).await.with_context(|| {
        format!(
            "cannot open the {} database",
            backend_name(&config.database_url)
        )
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    init_logging(&config.log);
    let store = open_store(&config).await?;
    let listen: SocketAddr = config.listen;
    if !config.spa_dir.join("index.html").is_file() {
        tracing::warn!(
            spa_dir = %config.spa_dir.display(),
            "the web app is not built there; pages show a notice until it is"
        );
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = AppState::new(config, store, clock).context("cannot prepare password hashing")?;

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!("listening on http://{listen}");
    serve_http(listener, state, shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// Checks a username for `user add`: it becomes part of the authenticator's label, where a
/// colon would split it, and people type it, so it stays short and plain.
fn check_username(raw: &str) -> anyhow::Result<String> {
    let name = normalize_username(raw);
    if name.is_empty() || name.chars().count() > 64 {
        bail!("a username has 1 to 64 characters");
    }
    // ASCII only: usernames are compared without regard to ASCII case.
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+');
    if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
        bail!("a username may hold the letters a to z, digits and . _ - @ + only, not {bad:?}");
    }
    Ok(name)
}

fn check_display_name(name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        bail!("a display name has 1 to 128 printable characters");
    }
    Ok(name.to_owned())
}

/// Reads one password from standard input, without its line ending.
fn read_password(password_stdin: bool) -> anyhow::Result<SecretString> {
    if !password_stdin {
        bail!(
            "give the password on standard input with --password-stdin, \
             for example: printf '%s\\n' \"$PASSWORD\" | twostep user add NAME --password-stdin"
        );
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read standard input")?;
    let password = text.strip_suffix('\n').unwrap_or(&text);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password on standard input is shorter than {MIN_PASSWORD_CHARS} characters");
    }
    Ok(SecretString::from(password.to_owned()))
}

async fn user_command(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let passwords = Passwords::new(1).context("cannot prepare password hashing")?;
    let now = SystemClock.now();
    match command {
        UserCommand::Add {
            name,
            password_stdin,
            display_name,
        } => {
            let name = check_username(&name)?;
            let display_name = check_display_name(display_name.as_deref().unwrap_or(&name))?;
            let password = read_password(password_stdin)?;
            let hash = passwords.hash(password).await?;
            if !store.create_user(&name, &display_name, &hash, now).await? {
                bail!("user {name} exists already; change its password with `twostep user passwd`");
            }
            println!("added user {name}");
        }
        UserCommand::List => {
            let users = store.list_users().await?;
            if users.is_empty() {
                println!("no users yet; add one with `twostep user add NAME --password-stdin`");
            }
            for user in users {
                let status = store.otp_status(&user.username).await?;
                let factor = match status {
                    Some(s) if s.confirmed_fingerprint.is_some() => "confirmed",
                    Some(s) if s.pending_fingerprint.is_some() => "pending",
                    _ => "none",
                };
                println!("{}\t{}\t{factor}", user.username, user.display_name);
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let name = normalize_username(&name);
            let password = read_password(password_stdin)?;
            let hash = passwords.hash(password).await?;
            if !store.set_password(&name, &hash).await? {
                bail!("no user named {name}");
            }
            println!("password changed for {name}; their sessions were ended");
        }
        UserCommand::Delete { name } => {
            let name = normalize_username(&name);
            if !store.delete_user(&name).await? {
                bail!("no user named {name}");
            }
            println!("deleted user {name}");
        }
    }
    Ok(())
}

async fn otp_command(config: &Config, command: OtpCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let now = SystemClock.now();
    match command {
        OtpCommand::Status { name } => {
            let name = normalize_username(&name);
            let Some(status) = store.otp_status(&name).await? else {
                bail!("no user named {name}");
            };
            let state = match (&status.confirmed_fingerprint, &status.pending_fingerprint) {
                (Some(_), _) => "confirmed",
                (None, Some(_)) => "pending",
                (None, None) => "none",
            };
            println!("user:        {name}");
            println!("state:       {state}");
            if let Some(fingerprint) = &status.confirmed_fingerprint {
                println!("fingerprint: {fingerprint}");
            }
            if let (Some(fingerprint), Some(expires)) =
                (&status.pending_fingerprint, status.pending_expires_at)
            {
                let when = if expires > now {
                    format!("expires in {}", crate::error::describe_wait(expires - now))
                } else {
                    "expired".to_owned()
                };
                println!("pending:     {fingerprint} ({when})");
            }
            println!("failures:    {}", status.failures);
            let hard_limit = config.lockout.hard_limit;
            let locked = match status.locked_until {
                _ if status.failures >= hard_limit => {
                    "until unlocked (`twostep otp unlock`)".to_owned()
                }
                Some(until) if until > now => {
                    format!("for {} more", crate::error::describe_wait(until - now))
                }
                _ => "no".to_owned(),
            };
            println!("locked:      {locked}");
        }
        OtpCommand::Reset { name, pending_only } => {
            let name = normalize_username(&name);
            if !store.reset_otp(&name, pending_only).await? {
                bail!("no user named {name}");
            }
            if pending_only {
                println!("removed the pending secret of {name}");
            } else {
                println!(
                    "removed the authenticator of {name} and ended their sessions; \
                     they set up a new one at their next sign-in"
                );
            }
        }
        OtpCommand::Unlock { name } => {
            let name = normalize_username(&name);
            if !store.unlock_otp(&name).await? {
                bail!("no user named {name}");
            }
            println!("unlocked the second factor of {name}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_refuse_colons_and_spaces() {
        assert_eq!(
            check_username(" Alice@Example.org ").ok().as_deref(),
            Some("alice@example.org")
        );
        assert!(check_username("a:b").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username("").is_err());
        assert!(
            check_username("émile").is_err(),
            "case folding is ASCII only"
        );
    }
}
