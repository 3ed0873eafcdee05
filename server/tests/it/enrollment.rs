//! The first sign-in of a user without an authenticator, from password to verified.

use serde_json::json;
use twostep_api::{routes, CodeFormat, ErrorCode, SessionResponse, Stage, UserInfo};
use twostep_server::totp::{self, Algorithm, Params, Secret};

use crate::harness::{oathtool, TestServer, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_user_enrolls_and_reaches_verified() {
    let server = TestServer::start().await;
    server.add_user("alice").await;
    let browser = server.browser();

    let login = browser.login("Alice", PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let session: SessionResponse = login.json();
    assert_eq!(session.stage, Stage::NeedsEnrollment);
    let user = session.user.expect("user");
    assert_eq!(user.username, "alice");
    assert_eq!(user.display_name, "ALICE Tester");
    let cookie = login.header("set-cookie").expect("cookie");
    for attribute in ["__Host-", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }

    let enrollment = browser.get(routes::ENROLLMENT).await;
    assert_eq!(enrollment.header("cache-control"), Some("no-store"));
    let enrollment = browser.enrollment().await;
    assert_eq!(enrollment.label, "twostep:alice");
    assert_eq!(enrollment.secret.len(), 32);
    assert!(enrollment
        .otpauth_uri
        .contains(&format!("secret={}", enrollment.secret)));
    assert_eq!(enrollment.fingerprint.len(), 8);
    assert!(enrollment.qr_svg.contains("<svg"));
    assert_eq!(enrollment.expires_at, server.now() + 15 * 60);

    // An independent implementation agrees with ours about the current code.
    let ours = server.code(&enrollment.secret);
    if let Some(theirs) = oathtool(&enrollment.secret, server.now()) {
        assert_eq!(theirs, ours, "oathtool and twostep disagree");
    }

    // Pasted with a space, as apps show it.
    let spaced = format!("{} {}", &ours[..3], &ours[3..]);
    let old_cookie = browser.cookie();
    let confirmed = browser.confirm(&spaced).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.json::<SessionResponse>().stage, Stage::Verified);
    assert_ne!(
        browser.cookie(),
        old_cookie,
        "the session id is replaced on verification"
    );

    let avatar = browser.get(routes::ME_AVATAR).await;
    assert_eq!(avatar.status, 200);
    assert_eq!(avatar.header("content-type"), Some("image/svg+xml"));
    assert!(avatar.body.contains(">A</text>"));
    let me: UserInfo = browser.get(routes::ME).await.json();
    assert_eq!(me.username, "alice");

    // The old session id is dead.
    let stale = server.browser();
    stale.set_cookie(old_cookie);
    assert_eq!(stale.session().await.stage, Stage::Anonymous);

    // The pending secret became the authenticator.
    let status = server.otp("alice").await;
    assert_eq!(
        status.confirmed_fingerprint.as_deref(),
        Some(enrollment.fingerprint.as_str())
    );
    assert_eq!(status.pending_fingerprint, None);

    // Logout deletes the session on the server.
    let cookie_before_logout = browser.cookie();
    assert_eq!(browser.logout().await.status, 200);
    assert_eq!(browser.session().await.stage, Stage::Anonymous);
    stale.set_cookie(cookie_before_logout);
    assert_eq!(stale.get(routes::ME).await.status, 401);

    // The next sign-in asks for a code, and oathtool's code is accepted.
    server.clock.advance(30);
    let again = browser.login("alice", PASSWORD).await;
    assert_eq!(again.json::<SessionResponse>().stage, Stage::NeedsCode);
    let code = match oathtool(&enrollment.secret, server.now()) {
        Some(code) => {
            server.secret(code.clone());
            code
        }
        None => server.code(&enrollment.secret),
    };
    let verified = browser.verify(&code).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(browser.get(routes::ME_AVATAR).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_and_rereads_keep_the_same_secret() {
    let server = TestServer::start().await;
    server.add_user("bob").await;
    let browser = server.browser();
    browser.login("bob", PASSWORD).await;
    let first = browser.enrollment().await;

    let wrong = browser.confirm(&server.wrong_code(&first.secret)).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.error().code, ErrorCode::WrongCode);
    for _ in 0..3 {
        assert_eq!(browser.enrollment().await.secret, first.secret);
    }

    // Signing in again, from another browser, shows the same secret too.
    let other = server.browser();
    other.login("bob", PASSWORD).await;
    assert_eq!(other.enrollment().await.secret, first.secret);

    // Wrong codes during enrollment do not lock anything.
    let status = server.otp("bob").await;
    assert_eq!(status.failures, 0);
    assert_eq!(
        browser.confirm(&server.code(&first.secret)).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_secrets_are_refused_until_a_new_one_is_asked_for() {
    let server = TestServer::start().await;
    server.add_user("carol").await;
    let browser = server.browser();
    browser.login("carol", PASSWORD).await;
    let first = browser.enrollment().await;

    server.clock.advance(15 * 60);
    let read = browser.get(routes::ENROLLMENT).await;
    assert_eq!(read.status, 410);
    let error = read.error();
    assert_eq!(error.code, ErrorCode::EnrollmentExpired);
    assert!(error.message.contains("new code"), "{}", error.message);
    let late = browser.confirm(&server.code(&first.secret)).await;
    assert_eq!(late.status, 410);

    // Reading the expired secret did not replace it.
    let pending = server.otp("carol").await;
    assert_eq!(
        pending.pending_fingerprint.as_deref(),
        Some(first.fingerprint.as_str())
    );

    // "Show me a new code" is the way on.
    let restarted = browser.post(routes::ENROLLMENT_RESTART, json!({})).await;
    assert_eq!(restarted.status, 200, "{}", restarted.body);
    let second = browser.enrollment().await;
    assert_ne!(second.secret, first.secret);
    assert_eq!(
        browser.confirm(&server.code(&second.secret)).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_after_expiry_creates_a_fresh_secret() {
    let server = TestServer::start().await;
    server.add_user("dave").await;
    let browser = server.browser();
    browser.login("dave", PASSWORD).await;
    let first = browser.enrollment().await;

    server.clock.advance(15 * 60 + 1);
    browser.login("dave", PASSWORD).await;
    let second = browser.enrollment().await;
    assert_ne!(second.secret, first.secret);
    assert_eq!(second.expires_at, server.now() + 15 * 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() {
    let server = TestServer::start().await;
    server.add_user("erin").await;
    let browser = server.browser();
    let before = server.snapshot().await;

    let wrong = browser.login("erin", "not the password").await;
    let unknown = browser.login("nobody", "not the password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.error().code, ErrorCode::WrongCredentials);
    assert_eq!(
        server.snapshot().await,
        before,
        "a refused login changes nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_digit_codes_are_announced_and_accepted() {
    let server = TestServer::start_with("[totp]\ndigits = 8\nalgorithm = \"SHA256\"").await;
    server.add_user("gus").await;
    let browser = server.browser();
    let login: SessionResponse = browser.login("gus", PASSWORD).await.json();
    let eight = Some(CodeFormat {
        digits: 8,
        period: 30,
    });
    assert_eq!(
        login.code, eight,
        "the login answer says what codes look like"
    );
    assert_eq!(browser.session().await.code, eight);

    let enrollment = browser.enrollment().await;
    assert!(enrollment
        .otpauth_uri
        .contains("&algorithm=SHA256&digits=8&"));
    let secret = Secret::from_base32(&enrollment.secret).expect("base32");
    let params = Params {
        algorithm: Algorithm::Sha256,
        digits: 8,
        period: 30,
    };
    let code = totp::code_at(&secret, params, server.now());
    server.secret(code.clone());
    let short = browser.confirm(&code[..6]).await;
    assert_eq!(short.error().code, ErrorCode::InvalidCode);
    assert_eq!(browser.confirm(&code).await.status, 200);
    assert_eq!(
        browser.session().await.code,
        None,
        "a verified session is asked for no code"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_tab_cannot_make_a_secret_after_enrollment_elsewhere() {
    let server = TestServer::start().await;
    server.add_user("hal").await;
    let old_tab = server.browser();
    let new_tab = server.browser();
    old_tab.login("hal", PASSWORD).await;
    new_tab.login("hal", PASSWORD).await;
    let secret = new_tab.enrollment().await.secret;
    assert_eq!(new_tab.confirm(&server.code(&secret)).await.status, 200);

    for answer in [
        old_tab.get(routes::ENROLLMENT).await,
        old_tab.post(routes::ENROLLMENT_RESTART, json!({})).await,
    ] {
        assert_eq!(answer.status, 409, "{}", answer.body);
        assert!(answer
            .error()
            .message
            .contains("already has an authenticator"));
    }
    assert_eq!(
        server.otp("hal").await.pending_fingerprint,
        None,
        "no stray secret"
    );
}
