//! The `twostep` binary administering the database a running server uses.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use twostep_api::{ErrorCode, SessionResponse, Stage};

use crate::harness::{TestServer, PASSWORD};

/// Runs `twostep ARGS` on the database at `db`, with `stdin` as standard input.
fn twostep(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_twostep"))
        .args(args)
        .env("TWOSTEP_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("twostep starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("twostep finishes")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn failed(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_database_file_and_folder_are_created() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("new").join("folder").join("twostep.db");
    let out = ok(&twostep(
        &db,
        &["user", "add", "zoe", "--password-stdin"],
        "long enough\n",
    ));
    assert!(out.contains("added user zoe"));
    assert!(db.is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_second_factors_are_managed_from_the_command_line() {
    let server = TestServer::start().await;
    let db = server.db_path.clone();
    let stdin = format!("{PASSWORD}\n");

    // Add, refuse duplicates and missing flags, list.
    ok(&twostep(
        &db,
        &[
            "user",
            "add",
            "Alice",
            "--password-stdin",
            "--display-name",
            "Alice L.",
        ],
        &stdin,
    ));
    assert!(failed(&twostep(
        &db,
        &["user", "add", "alice", "--password-stdin"],
        &stdin
    ))
    .contains("exists"));
    assert!(failed(&twostep(&db, &["user", "add", "bob"], &stdin)).contains("--password-stdin"));
    assert!(failed(&twostep(
        &db,
        &["user", "add", "b:ob", "--password-stdin"],
        &stdin
    ))
    .contains("username"));
    assert!(failed(&twostep(
        &db,
        &["user", "add", "bob", "--password-stdin"],
        "short\n"
    ))
    .contains("8"));
    let list = ok(&twostep(&db, &["user", "list"], ""));
    assert!(list.contains("alice\tAlice L.\tnone"), "{list}");

    // The server accepts the password the CLI hashed; the secret is pending.
    let browser = server.browser();
    assert_eq!(browser.login("alice", PASSWORD).await.status, 200);
    let enrollment = browser.enrollment().await;
    let status = ok(&twostep(&db, &["otp", "status", "alice"], ""));
    assert!(status.contains("state:       pending"), "{status}");
    assert!(status.contains(&enrollment.fingerprint), "{status}");

    // Removing only the pending secret sends the user to "ask for a new code".
    ok(&twostep(
        &db,
        &["otp", "reset", "alice", "--pending-only"],
        "",
    ));
    assert!(ok(&twostep(&db, &["otp", "status", "alice"], "")).contains("state:       none"));
    let gone = browser.get(twostep_api::routes::ENROLLMENT).await;
    assert_eq!(gone.error().code, ErrorCode::EnrollmentExpired);

    // Enroll for real, then fail twice: status shows it, unlock clears it.
    browser.login("alice", PASSWORD).await;
    let secret = browser.enrollment().await.secret;
    assert_eq!(browser.confirm(&server.code(&secret)).await.status, 200);
    let status = ok(&twostep(&db, &["otp", "status", "alice"], ""));
    assert!(status.contains("state:       confirmed"), "{status}");
    browser.login("alice", PASSWORD).await;
    browser.verify(&server.wrong_code(&secret)).await;
    browser.verify(&server.wrong_code(&secret)).await;
    assert!(ok(&twostep(&db, &["otp", "status", "alice"], "")).contains("failures:    2"));
    ok(&twostep(&db, &["otp", "unlock", "alice"], ""));
    assert!(ok(&twostep(&db, &["otp", "status", "alice"], "")).contains("failures:    0"));

    // A full reset ends every session and starts enrollment over.
    ok(&twostep(&db, &["otp", "reset", "alice"], ""));
    assert_eq!(browser.session().await.stage, Stage::Anonymous);
    let again = browser.login("alice", PASSWORD).await;
    assert_eq!(
        again.json::<SessionResponse>().stage,
        Stage::NeedsEnrollment
    );

    // A new password ends sessions and replaces the old one.
    let new_password = "another long password";
    server.secret(new_password);
    ok(&twostep(
        &db,
        &["user", "passwd", "alice", "--password-stdin"],
        &format!("{new_password}\n"),
    ));
    assert_eq!(browser.session().await.stage, Stage::Anonymous);
    // Whoever knew the old password may have seen the pending secret: it is gone too.
    assert_eq!(server.otp("alice").await.pending_fingerprint, None);
    assert_eq!(browser.login("alice", PASSWORD).await.status, 401);
    assert_eq!(browser.login("alice", new_password).await.status, 200);

    // Deleting removes the account and everything of it.
    ok(&twostep(&db, &["user", "delete", "alice"], ""));
    assert_eq!(browser.session().await.stage, Stage::Anonymous);
    assert!(failed(&twostep(&db, &["otp", "status", "alice"], "")).contains("no user"));
    assert!(ok(&twostep(&db, &["user", "list"], "")).contains("no users"));
}
