//! The real binary, logging at trace level through a whole sign-in, never writes a secret.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use twostep_api::{routes, Stage};
use twostep_server::clock::{Clock, SystemClock};
use twostep_server::totp::{self, Params, Secret};

use crate::harness::{assert_log_clean, find_token, lock, Browser, Shared};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A code that differs from `code` by `by` (modulo a million).
fn shifted(code: &str, by: u32) -> String {
    format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + by) % 1_000_000
    )
}

fn code(secret: &str, offset: u64) -> String {
    let secret = Secret::from_base32(secret).expect("base32");
    let step = totp::step_at(SystemClock.now(), 30) + offset;
    totp::hotp(&secret, step, Params::GOOGLE.algorithm, 6)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_of_a_whole_sign_in_hold_no_secret() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = format!("sqlite://{}", dir.path().join("twostep.db").display());
    let password = "a password for the log test";
    let bin = env!("CARGO_BIN_EXE_twostep");

    let mut add = Command::new(bin)
        .args(["user", "add", "loggy", "--password-stdin"])
        .env("TWOSTEP_DATABASE_URL", &db)
        .stdin(Stdio::piped())
        .spawn()
        .expect("starts");
    use std::io::Write;
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write");
    assert!(add.wait().expect("finishes").success());

    let port = TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let log_path = dir.path().join("server.log");
    let log_file = std::fs::File::create(&log_path).expect("log file");
    let server = Running(
        Command::new(bin)
            .arg("serve")
            .current_dir(dir.path())
            .env("TWOSTEP_DATABASE_URL", &db)
            .env("TWOSTEP_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "trace")
            .stderr(log_file)
            .spawn()
            .expect("server starts"),
    );
    let base = format!("http://127.0.0.1:{port}");

    let http = reqwest::Client::new();
    let started = Instant::now();
    while http
        .get(format!("{base}{}", routes::HEALTHZ))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every secret the client handles is noted in `secrets`.
    let secrets: Shared<Vec<String>> = Arc::default();
    let browser = Browser::new(&base, secrets.clone());
    assert_eq!(browser.login("loggy", password).await.status, 200);
    let enrollment = browser.enrollment().await;
    let right = code(&enrollment.secret, 0);
    let wrong = shifted(&right, 500_000);
    assert_eq!(browser.confirm(&wrong).await.status, 401);
    assert_eq!(browser.confirm(&right).await.status, 200);
    browser.logout().await;

    assert_eq!(browser.login("loggy", password).await.status, 200);
    assert_eq!(browser.verify(&shifted(&right, 250_000)).await.status, 401);
    // The current step was used to confirm; the window accepts the next one.
    assert_eq!(
        browser.verify(&code(&enrollment.secret, 1)).await.status,
        200
    );
    assert_eq!(browser.session().await.stage, Stage::Verified);
    drop(server);

    let log = std::fs::read_to_string(&log_path).expect("log");
    // The log explains the decisions...
    for decision in [
        "created a pending secret",
        "first code refused",
        "code rejected",
        "code accepted",
    ] {
        assert!(log.contains(decision), "no {decision:?} in the log");
    }
    assert!(
        find_token(&log, "status=401").is_some(),
        "request spans record the status"
    );
    // ...without any secret in it.
    assert_log_clean(&log, &lock(&secrets));
}
