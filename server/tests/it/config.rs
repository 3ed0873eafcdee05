//! Configuration errors name the key at fault, from the file and from the environment.

use std::process::Command;

use twostep_server::config::Config;
use twostep_server::totp::{Algorithm, Params};

fn key_of(toml: &str) -> String {
    match Config::from_toml(toml) {
        Ok(_) => panic!("accepted: {toml}"),
        Err(error) => error.key,
    }
}

#[test]
fn impossible_values_name_their_key() {
    assert_eq!(key_of("[totp]\nperiod = 0"), "totp.period");
    assert_eq!(key_of("[totp]\nwindow = -1"), "totp.window");
    assert_eq!(key_of("[totp]\ndigits = 7"), "totp.digits");
    assert_eq!(key_of("[totp]\nalgorithm = \"MD5\""), "totp.algorithm");
    assert_eq!(key_of("[totp]\npreset = \"microsoft\""), "totp.preset");
    assert_eq!(key_of("[totp]\nissuer = \"a:b\""), "totp.issuer");
    assert_eq!(key_of("listen = \"localhost\""), "listen");
    assert_eq!(key_of("database_url = \"mysql://x\""), "database_url");
    assert_eq!(key_of("[lockout]\nhard_limit = 3"), "lockout.hard_limit");
    assert_eq!(
        key_of("[session]\nlifetime_secs = 0"),
        "session.lifetime_secs"
    );
    assert_eq!(key_of("[totp]\nperiod = \"thirty\""), "totp.period");
}

#[test]
fn unknown_keys_are_refused_by_name() {
    assert_eq!(key_of("[totp]\npediod = 30"), "totp.pediod");
    assert_eq!(key_of("colour = \"red\""), "colour");
    let error = Config::from_toml("[totp]\npediod = 30").expect_err("refused");
    assert!(
        error.to_string().contains("period"),
        "lists the allowed keys: {error}"
    );
}

#[test]
fn the_google_preset_and_the_defaults() {
    let config = Config::from_toml("[totp]\npreset = \"google\"").expect("valid");
    assert_eq!(config.totp.params, Params::GOOGLE);
    assert_eq!(config.totp.window, 1);
    let tuned =
        Config::from_toml("[totp]\npreset = \"google\"\ndigits = 8\nalgorithm = \"SHA256\"")
            .expect("valid");
    assert_eq!(tuned.totp.params.digits, 8);
    assert_eq!(tuned.totp.params.algorithm, Algorithm::Sha256);
    assert_eq!(tuned.totp.params.period, 30);
    let empty = Config::from_toml("").expect("an empty file is a valid setup");
    assert_eq!(empty.enrollment.pending_ttl, 900);
    assert_eq!(empty.lockout.threshold, 5);
}

fn twostep(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_twostep"));
    command.current_dir(dir).env_remove("RUST_LOG");
    for (key, _) in std::env::vars() {
        if key.starts_with("TWOSTEP_") {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn config_check_reports_the_key_from_file_and_environment() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let ok = twostep(dir.path())
        .args(["config", "check"])
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("configuration is valid"));

    let env = twostep(dir.path())
        .args(["config", "check"])
        .env("TWOSTEP_TOTP__PERIOD", "0")
        .output()
        .expect("runs");
    assert!(!env.status.success());
    let stderr = String::from_utf8_lossy(&env.stderr);
    assert!(stderr.contains("totp.period"), "{stderr}");

    let listen = twostep(dir.path())
        .args(["config", "check"])
        .env("TWOSTEP_LISTEN", "nowhere")
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&listen.stderr).contains("listen"));

    let file = dir.path().join("twostep.toml");
    std::fs::write(&file, "[totp]\ndigits = 7\n").expect("write");
    let bad = twostep(dir.path())
        .args(["config", "check"])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("totp.digits"));

    let missing = twostep(dir.path())
        .args(["--config", "nope.toml", "config", "check"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.toml"));
}
