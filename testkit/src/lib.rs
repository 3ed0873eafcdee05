//! A real twostep server for tests: in-process on 127.0.0.1, over a real SQLite file in a
//! temporary folder, with a clock that moves only when the test says so, plus the helpers every
//! test needs to compute codes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use tempfile::TempDir;
use tokio::task::JoinHandle;
use twostep_server::clock::{Clock, ManualClock};
use twostep_server::config::Config;
use twostep_server::http::{serve, AppState};
use twostep_server::password::Passwords;
use twostep_server::store::Store;
use twostep_server::totp::{self, Params, Secret};

/// The time every server starts at: 10 seconds into a 30-second step.
pub const START: u64 = 2_000_000_010;

/// The password of every user a test adds.
pub const PASSWORD: &str = "correct horse battery";

pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub clock: Arc<ManualClock>,
    /// The server's own database, for setting up and checking state.
    pub store: Store,
    pub db_path: PathBuf,
    task: JoinHandle<()>,
    _dir: TempDir,
}

impl Server {
    /// Starts a server whose configuration is the test defaults plus `toml`, serving the web app
    /// from `spa_dir` when given.
    pub async fn start(toml: &str, spa_dir: Option<&Path>) -> Server {
        let dir = tempfile::tempdir().expect("temporary folder");
        let db_path = dir.path().join("data").join("twostep.db");
        let spa_dir = spa_dir.map_or_else(|| dir.path().join("dist"), Path::to_path_buf);
        let text = format!(
            "database_url = \"sqlite://{}\"\nspa_dir = \"{}\"\n{toml}",
            db_path.display(),
            spa_dir.display()
        );
        let config = Config::from_toml(&text).expect("test configuration is valid");
        let store = Store::open(&config.database_url)
            .await
            .expect("database opens");
        let clock = Arc::new(ManualClock::new(START));
        let state = AppState::new(config, store.clone(), clock.clone()).expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            serve(listener, state, std::future::pending())
                .await
                .expect("server runs");
        });
        Server {
            base,
            clock,
            store,
            db_path,
            task,
            _dir: dir,
        }
    }

    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Adds an account with [`PASSWORD`].
    pub async fn add_user(&self, name: &str, display_name: &str) {
        let hash = Passwords::new(1)
            .expect("hasher")
            .hash(PASSWORD.to_owned().into())
            .await
            .expect("hash");
        let added = self
            .store
            .create_user(name, display_name, &hash, START)
            .await;
        assert!(added.expect("insert"), "user {name} exists already");
    }

    /// The code of `secret` (base32) `offset` time steps away from the server's time.
    pub fn code_at_step(&self, secret: &str, offset: i64) -> String {
        let secret = Secret::from_base32(secret).expect("base32 secret");
        let step = totp::step_at(self.now(), 30).saturating_add_signed(offset);
        totp::hotp(&secret, step, Params::GOOGLE.algorithm, 6)
    }

    /// A six-digit code that no time step near the server's time accepts.
    pub fn wrong_code(&self, secret: &str) -> String {
        let near: Vec<String> = (-2..=2).map(|o| self.code_at_step(secret, o)).collect();
        (0..1_000_000u32)
            .map(|n| format!("{:06}", (n + 500_000) % 1_000_000))
            .find(|code| !near.contains(code))
            .expect("some code is wrong")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// oathtool's code for `secret` at `unix_time`: an implementation independent of ours. `None`
/// where oathtool is missing, except in CI, where its absence fails the test.
pub fn oathtool(secret: &str, unix_time: u64) -> Option<String> {
    let output = Command::new("oathtool")
        .args([
            "--totp",
            "--base32",
            "--now",
            &format!("@{unix_time}"),
            secret,
        ])
        .output();
    match output {
        Ok(output) if output.status.success() => {
            Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        }
        _ if std::env::var_os("CI").is_some() => panic!("oathtool must be installed in CI"),
        _ => None,
    }
}
