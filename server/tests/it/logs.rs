//! The real binary, logging at trace level through a whole sign-in, never writes a secret.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use twostep_api::{routes, Stage};
use twostep_server::clock::{Clock, SystemClock};
use twostep_server::totp::{self, Params, Secret};

use crate::harness::{assert_log_clean, find_token};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

    // A browser-like client with one cookie.
    let mut cookie = String::new();
    let mut secrets = vec![password.to_owned()];
    let post = |path: &'static str, body: serde_json::Value, cookie: &str| {
        let request = http
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .header("cookie", cookie.to_owned())
            .body(body.to_string());
        async move { request.send().await.expect("answer") }
    };
    let take_cookie =
        |response: &reqwest::Response, cookie: &mut String, secrets: &mut Vec<String>| {
            if let Some(set) = response.headers().get("set-cookie") {
                let pair = set
                    .to_str()
                    .expect("ascii")
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                secrets.push(
                    pair.split_once('=')
                        .map(|(_, v)| v.to_owned())
                        .unwrap_or_default(),
                );
                *cookie = pair;
            }
        };

    let login = post(
        routes::LOGIN,
        serde_json::json!({"username": "loggy", "password": password}),
        &cookie,
    )
    .await;
    take_cookie(&login, &mut cookie, &mut secrets);
    let enrollment: twostep_api::EnrollmentResponse = http
        .get(format!("{base}{}", routes::ENROLLMENT))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    secrets.push(enrollment.secret.clone());
    secrets.push(enrollment.secret.to_lowercase());
    secrets.push(enrollment.otpauth_uri.clone());

    let right = code(&enrollment.secret, 0);
    let wrong = format!(
        "{:06}",
        (right.parse::<u32>().expect("digits") + 500_000) % 1_000_000
    );
    secrets.extend([right.clone(), wrong.clone()]);
    let refused = post(
        routes::ENROLLMENT_CONFIRM,
        serde_json::json!({"code": wrong}),
        &cookie,
    )
    .await;
    assert_eq!(refused.status(), 401);
    let confirmed = post(
        routes::ENROLLMENT_CONFIRM,
        serde_json::json!({"code": right}),
        &cookie,
    )
    .await;
    assert_eq!(confirmed.status(), 200);
    take_cookie(&confirmed, &mut cookie, &mut secrets);
    post(routes::LOGOUT, serde_json::json!({}), &cookie).await;

    let login = post(
        routes::LOGIN,
        serde_json::json!({"username": "loggy", "password": password}),
        "",
    )
    .await;
    take_cookie(&login, &mut cookie, &mut secrets);
    let wrong_again = format!(
        "{:06}",
        (right.parse::<u32>().expect("digits") + 250_000) % 1_000_000
    );
    secrets.push(wrong_again.clone());
    let refused = post(
        routes::VERIFY,
        serde_json::json!({"code": wrong_again}),
        &cookie,
    )
    .await;
    assert_eq!(refused.status(), 401);
    // The next step's code: the current one was used to confirm, and the window allows one
    // step ahead.
    let next = code(&enrollment.secret, 1);
    secrets.push(next.clone());
    let verified = post(routes::VERIFY, serde_json::json!({"code": next}), &cookie).await;
    assert_eq!(verified.status(), 200);
    take_cookie(&verified, &mut cookie, &mut secrets);
    let session: twostep_api::SessionResponse = http
        .get(format!("{base}{}", routes::SESSION))
        .header("cookie", cookie.clone())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(session.stage, Stage::Verified);
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
    assert_log_clean(&log, &secrets);
}
