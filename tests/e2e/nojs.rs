//! The same sign-in with JavaScript switched off: plain HTML forms, the same server state, and a
//! person who switches between the two mid-flow.

use twostep_api::routes;

use crate::harness::{
    decode_qr, enroll_over_api, session_alive, start_server, stored_pending, turn, Browser, Server,
    PASSWORD,
};

async fn sign_in(browser: &Browser, username: &str) {
    browser.wait_text("h1", "").await;
    browser.type_into("#username", username).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form.login button[type=submit]").await;
}

/// The secret on the enroll page, without the spaces between groups.
async fn shown_secret(browser: &Browser) -> String {
    browser.text("#secret").await.split_whitespace().collect()
}

async fn submit_code(browser: &Browser, code: &str) {
    browser.type_into("#code", code).await;
    browser.click("form.code-form button[type=submit]").await;
}

/// A new user's whole enrollment without JavaScript, with a screenshot of each page in
/// `target/screenshots/SHOTS/`. Returns the confirmed secret.
pub async fn enroll_without_javascript(
    server: &Server,
    browser: &Browser,
    name: &str,
    shots: &str,
) -> String {
    // The web app's address sends a browser without JavaScript to the plain pages by itself.
    browser.goto("/").await;
    browser.find("form.login").await;
    assert_eq!(browser.path().await, routes::NOJS_LOGIN);
    browser.screenshot(&format!("{shots}/01-login")).await;
    sign_in(browser, name).await;

    browser.find("p.steps").await;
    assert_eq!(browser.path().await, routes::NOJS_WELCOME);
    assert_eq!(browser.text(".header .username").await, name);
    browser.screenshot(&format!("{shots}/02-welcome-1")).await;
    browser.click("a.button.primary").await;
    browser.wait_text("p.steps", "2").await;
    browser.screenshot(&format!("{shots}/03-welcome-2")).await;
    browser.click("a.button.primary").await;
    browser.wait_text("p.steps", "3").await;
    browser.screenshot(&format!("{shots}/04-welcome-3")).await;
    browser.click("a.button.primary").await;

    // The enroll page: text, QR code and server agree.
    browser.find("#secret").await;
    assert_eq!(browser.path().await, routes::NOJS_ENROLL);
    assert_eq!(browser.text(".header .username").await, name);
    let first = shown_secret(browser).await;
    assert_eq!(first, stored_pending(server, name).await);
    browser.screenshot(&format!("{shots}/05-enroll")).await;
    let qr = browser
        .element_screenshot(".qr", &format!("{shots}/05-enroll-qr"))
        .await;
    assert!(decode_qr(&qr).contains(&format!("secret={first}&")));

    // A wrong code keeps the secret; "show me a new code" replaces it.
    submit_code(browser, &server.wrong_code(&first)).await;
    browser.wait_text("#code-error", "not accepted").await;
    assert_eq!(shown_secret(browser).await, first);
    browser
        .screenshot(&format!("{shots}/06-enroll-wrong-code"))
        .await;
    browser.click("button.new-code").await;
    browser.find("#secret").await;
    let secret = shown_secret(browser).await;
    assert_ne!(secret, first, "a new code was asked for");
    assert_eq!(secret, stored_pending(server, name).await);

    submit_code(browser, &server.code_at_step(&secret, 0)).await;
    browser.find(".done").await;
    assert_eq!(browser.path().await, routes::NOJS_DONE);
    assert!(browser
        .text("main")
        .await
        .contains(&format!("{} Tester", name.to_uppercase())));
    assert!(
        browser.image_loaded(".avatar").await,
        "the avatar did not load"
    );
    browser.screenshot(&format!("{shots}/07-done")).await;
    secret
}

/// An enrolled user's code page without JavaScript, wrong code first.
pub async fn pass_pin_without_javascript(
    server: &Server,
    browser: &Browser,
    name: &str,
    secret: &str,
    shots: &str,
) {
    browser.goto(routes::NOJS).await;
    sign_in(browser, name).await;
    browser.find("form.code-form").await;
    assert_eq!(browser.path().await, routes::NOJS_PIN);
    assert_eq!(browser.text(".header .username").await, name);
    browser.screenshot(&format!("{shots}/08-pin")).await;

    submit_code(browser, &server.wrong_code(secret)).await;
    browser.wait_text("#code-error", "not accepted").await;
    assert_eq!(browser.path().await, routes::NOJS_VERIFY);
    browser
        .screenshot(&format!("{shots}/09-pin-wrong-code"))
        .await;

    submit_code(browser, &server.code_at_step(secret, 0)).await;
    browser.find(".done").await;
    assert_eq!(browser.path().await, routes::NOJS_DONE);
}

fn tester(name: &str) -> String {
    format!("{} Tester", name.to_uppercase())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_and_the_code_page_work_without_javascript() {
    let server = start_server().await;
    server.add_user("alice", &tester("alice")).await;
    let _turn = turn().await;
    let browser = Browser::open(&server, false).await;

    let secret = enroll_without_javascript(&server, &browser, "alice", "nojs/default").await;
    browser.click(".done form.inline button").await;
    browser.find("form.login").await;

    server.clock.advance(30);
    pass_pin_without_javascript(&server, &browser, "alice", &secret, "nojs/default").await;
    browser.close().await;
}

/// Logs out with the header's button and checks the session is gone on the server.
async fn log_out(server: &Server, browser: &Browser) {
    let (name, value) = browser.session_cookie().await.expect("a session cookie");
    assert!(session_alive(server, &name, &value).await);
    browser.click(".header form.inline button").await;
    browser.find("form.login").await;
    assert_eq!(browser.path().await, routes::NOJS_LOGIN);
    assert!(
        !session_alive(server, &name, &value).await,
        "the session outlived logout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_works_from_every_page_without_javascript() {
    let server = start_server().await;
    server.add_user("carol", "Carol").await;
    server.add_user("dave", "Dave").await;
    enroll_over_api(&server, "dave").await;
    let _turn = turn().await;
    let browser = Browser::open(&server, false).await;

    browser.goto(routes::NOJS).await;
    sign_in(&browser, "carol").await;
    browser.find("p.steps").await;
    log_out(&server, &browser).await;

    sign_in(&browser, "carol").await;
    browser.find("p.steps").await;
    browser.goto(routes::NOJS_ENROLL).await;
    browser.find("#secret").await;
    log_out(&server, &browser).await;

    sign_in(&browser, "dave").await;
    browser.find("form.code-form").await;
    log_out(&server, &browser).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_can_switch_between_the_two_mid_flow() {
    let server = start_server().await;
    server.add_user("erin", "Erin").await;
    server.add_user("frank", "Frank").await;
    let _turn = turn().await;

    // Start in the web app, finish without JavaScript.
    let app = Browser::open(&server, true).await;
    app.goto("/").await;
    app.wait_text("h1", "Sign in").await;
    app.type_into("#username", "erin").await;
    app.type_into("#password", PASSWORD).await;
    app.click("button[type=submit]").await;
    app.click("button.link").await;
    app.find("#secret").await;
    let shown: String = app.text("#secret").await.split_whitespace().collect();
    let (cookie, value) = app.session_cookie().await.expect("session");
    app.close().await;

    let plain = Browser::open(&server, false).await;
    plain.add_cookie(&cookie, &value).await;
    plain.goto(routes::NOJS_ENROLL).await;
    assert_eq!(shown_secret(&plain).await, shown, "the same secret in both");
    submit_code(&plain, &server.code_at_step(&shown, 0)).await;
    plain.find(".done").await;

    // Start without JavaScript, finish in the web app.
    plain.click(".done form.inline button").await;
    plain.find("form.login").await;
    sign_in(&plain, "frank").await;
    plain.goto(routes::NOJS_ENROLL).await;
    let shown = shown_secret(&plain).await;
    let (cookie, value) = plain.session_cookie().await.expect("session");
    plain.close().await;

    let app = Browser::open(&server, true).await;
    app.add_cookie(&cookie, &value).await;
    app.goto(routes::PAGE_ENROLL).await;
    app.find("#secret").await;
    let in_app: String = app.text("#secret").await.split_whitespace().collect();
    assert_eq!(in_app, shown, "the same secret in both");
    app.type_into("#code", &server.code_at_step(&shown, 0))
        .await;
    app.wait_text("h1", "signed in").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_fit_a_320_pixel_screen() {
    let server = start_server().await;
    server.add_user("gina", "Gina").await;
    let _turn = turn().await;
    for javascript in [true, false] {
        let browser = Browser::open(&server, javascript).await;
        browser.set_width(320).await;
        browser.goto(routes::NOJS).await;
        browser.find("#username").await;
        assert!(
            !browser.scrolls_sideways().await,
            "login (javascript: {javascript})"
        );
        browser.type_into("#username", "gina").await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("button[type=submit]").await;
        browser.find("p.steps").await;
        let enroll = if javascript {
            routes::PAGE_ENROLL
        } else {
            routes::NOJS_ENROLL
        };
        browser.goto(enroll).await;
        browser.find("#secret").await;
        assert!(
            !browser.scrolls_sideways().await,
            "enroll (javascript: {javascript})"
        );
        let name = if javascript {
            "spa/320px-enroll"
        } else {
            "nojs/320px-enroll"
        };
        browser.screenshot(name).await;
        browser.close().await;
    }
}
