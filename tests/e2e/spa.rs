//! A person signing in with the web app: enrollment, the code page, logout, and what the page
//! asks the server for along the way.

use std::time::Duration;

use twostep_api::routes;

use crate::harness::{
    decode_qr, enroll_over_api, oathtool, session_alive, start_server, stored_pending, turn,
    Browser, Sent, Server, PASSWORD,
};

/// Paths the page may ask for before the second factor is verified.
fn is_public(sent: &Sent) -> bool {
    let api = [
        routes::SESSION,
        routes::LOGIN,
        routes::ENROLLMENT,
        routes::ENROLLMENT_CONFIRM,
        routes::ENROLLMENT_RESTART,
        routes::VERIFY,
        routes::LOGOUT,
    ];
    let page = sent.path == "/" || routes::PAGES.contains(&sent.path.as_str());
    let theme = sent.path.starts_with("/theme/") || sent.path.starts_with("/assets/");
    let asset = [".js", ".wasm", ".css", ".svg"]
        .iter()
        .any(|ext| sent.path.ends_with(ext))
        && !sent.path.starts_with("/api/");
    page || theme || asset || api.contains(&sent.path.as_str())
}

/// Fails if anything protected was requested before the request that verified the session.
fn assert_nothing_protected_before(requests: &[Sent], verifying: &str) {
    let verified_at = requests
        .iter()
        .position(|r| r.method == "POST" && r.path == verifying)
        .unwrap_or_else(|| panic!("no POST {verifying} in {requests:#?}"));
    let early: Vec<&Sent> = requests[..verified_at]
        .iter()
        .filter(|r| !is_public(r))
        .collect();
    assert!(
        early.is_empty(),
        "requested before verification: {early:#?}"
    );
    assert!(
        requests[verified_at..]
            .iter()
            .any(|r| r.path == routes::ME_AVATAR),
        "the avatar was never requested after verification: {requests:#?}"
    );
}

async fn sign_in(browser: &Browser, username: &str) {
    browser.wait_text("h1", "Sign in").await;
    browser.type_into("#username", username).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
}

/// The secret on the enroll page, without the spaces between groups.
async fn shown_secret(browser: &Browser) -> String {
    browser.find("#secret").await;
    browser.text("#secret").await.split_whitespace().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_enrolls_in_the_browser() {
    let server = start_server().await;
    server.add_user("alice", "Alice Liddell").await;
    let _turn = turn().await;
    let mut browser = Browser::open(&server, true).await;

    browser.goto("/").await;
    browser.wait_text("h1", "Sign in").await;
    browser.screenshot("spa/01-login").await;
    sign_in(&browser, "alice").await;

    // The welcome steps, each naming who is signing in.
    browser.wait_text("h1", "Protect your account").await;
    assert_eq!(browser.path().await, routes::PAGE_WELCOME);
    assert_eq!(browser.text(".header .username").await, "alice");
    assert_eq!(browser.text(".header .display-name").await, "Alice Liddell");
    browser.screenshot("spa/02-welcome-1").await;
    browser.click("button.primary").await;
    browser.wait_text("h1", "Get an authenticator").await;
    browser.screenshot("spa/03-welcome-2").await;
    browser.click("button.primary").await;
    browser.wait_text("h1", "Add this account").await;
    browser.screenshot("spa/04-welcome-3").await;
    browser.click("button.primary").await;

    // The enroll page: the text secret is the stored one, and so is the QR code.
    let secret = shown_secret(&browser).await;
    assert_eq!(browser.path().await, routes::PAGE_ENROLL);
    assert_eq!(browser.text(".header .username").await, "alice");
    assert_eq!(secret, stored_pending(&server, "alice").await);
    assert_eq!(browser.text(".label").await, "twostep:alice");
    browser.screenshot("spa/05-enroll").await;
    let qr = browser.element_screenshot(".qr", "spa/05-enroll-qr").await;
    let uri = decode_qr(&qr);
    assert!(uri.starts_with("otpauth://totp/twostep:alice?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}&")), "{uri}");

    // Reloading shows the same secret.
    browser.goto(routes::PAGE_ENROLL).await;
    assert_eq!(shown_secret(&browser).await, secret);

    // A wrong code is refused and the QR code stays.
    browser
        .type_into("#code", &server.wrong_code(&secret))
        .await;
    browser.wait_text("#code-error", "not accepted").await;
    assert_eq!(shown_secret(&browser).await, secret);
    assert_eq!(secret, stored_pending(&server, "alice").await);
    browser.screenshot("spa/06-enroll-wrong-code").await;

    // The code an app computes from the text secret finishes enrollment.
    let code = server.code_at_step(&secret, 0);
    if let Some(theirs) = oathtool(&secret, server.now()) {
        assert_eq!(theirs, code, "oathtool disagrees");
    }
    browser
        .type_into("#code", &format!("{} {}", &code[..3], &code[3..]))
        .await;
    browser.wait_text("h1", "signed in").await;
    assert_eq!(browser.path().await, routes::PAGE_DONE);
    assert_eq!(browser.text(".display-name").await, "Alice Liddell");
    assert!(
        browser.image_loaded(".avatar").await,
        "the avatar did not load"
    );
    browser.screenshot("spa/07-done").await;

    let requests = browser.requests().await.to_vec();
    assert_nothing_protected_before(&requests, routes::ENROLLMENT_CONFIRM);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolled_user_passes_the_code_page() {
    let server = start_server().await;
    server.add_user("bob", "Bob Builder").await;
    let secret = enroll_over_api(&server, "bob").await;
    let _turn = turn().await;
    let mut browser = Browser::open(&server, true).await;

    // A deep link to a page the session is not at shows the right one.
    browser.goto(routes::PAGE_DONE).await;
    sign_in(&browser, "bob").await;
    browser.wait_text("h1", "Enter your code").await;
    assert_eq!(browser.path().await, routes::PAGE_PIN);
    assert_eq!(browser.text(".header .username").await, "bob");
    browser.screenshot("spa/08-pin").await;

    browser
        .type_into("#code", &server.wrong_code(&secret))
        .await;
    browser.wait_text("#code-error", "not accepted").await;
    assert_eq!(browser.path().await, routes::PAGE_PIN);
    browser.screenshot("spa/09-pin-wrong-code").await;

    // Four more wrong codes lock the second factor, and the page says until when.
    for _ in 0..4 {
        browser
            .type_into("#code", &server.wrong_code(&secret))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    browser
        .wait_text("#code-error", "accepted again in 30 seconds")
        .await;
    browser.screenshot("spa/10-pin-locked").await;

    server.clock.advance(30);
    browser
        .type_into("#code", &server.code_at_step(&secret, 0))
        .await;
    browser.wait_text("h1", "signed in").await;
    assert!(browser.image_loaded(".avatar").await);

    let requests = browser.requests().await.to_vec();
    assert_nothing_protected_before(&requests, routes::VERIFY);
    browser.close().await;
}

/// Clicks logout and checks the browser is back at login and the session is gone.
async fn log_out(server: &Server, browser: &Browser) {
    let (name, value) = browser.session_cookie().await.expect("a session cookie");
    assert!(session_alive(server, &name, &value).await);
    browser.click(".header .logout").await;
    browser.wait_text("h1", "Sign in").await;
    assert_eq!(browser.path().await, routes::PAGE_LOGIN);
    assert!(
        !session_alive(server, &name, &value).await,
        "the session outlived logout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_works_from_every_page_before_verification() {
    let server = start_server().await;
    server.add_user("carol", "Carol").await;
    server.add_user("dave", "Dave").await;
    enroll_over_api(&server, "dave").await;
    let _turn = turn().await;
    let browser = Browser::open(&server, true).await;
    browser.goto("/").await;

    sign_in(&browser, "carol").await;
    browser.wait_text("h1", "Protect your account").await;
    log_out(&server, &browser).await;

    sign_in(&browser, "carol").await;
    browser.wait_text("h1", "Protect your account").await;
    browser.click("button.link").await;
    browser.find("#secret").await;
    log_out(&server, &browser).await;

    sign_in(&browser, "dave").await;
    browser.wait_text("h1", "Enter your code").await;
    log_out(&server, &browser).await;
    browser.close().await;
}
