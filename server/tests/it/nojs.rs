//! The pages without JavaScript: reading them changes nothing, and a form changes something only
//! with its own token, from this site.

use reqwest::Method;
use twostep_api::{routes, Stage};

use crate::harness::{Answer, Browser, TestServer, PASSWORD};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// The form token in a page.
fn token(page: &Answer) -> String {
    let start = page
        .body
        .find("name=\"csrf\" value=\"")
        .expect("a form token")
        + 19;
    page.body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Posts `fields` (already URL-encoded) as a form from this site.
async fn post_form(browser: &Browser, server: &TestServer, path: &str, fields: &str) -> Answer {
    let origin = server.base.clone();
    let headers = [FORM, ("origin", origin.as_str())];
    browser
        .send(Method::POST, path, &headers, Some(fields.to_owned()))
        .await
}

async fn get_page(browser: &Browser, path: &str) -> Answer {
    browser
        .send(Method::GET, path, &[("accept", "text/html")], None)
        .await
}

/// Signs in through the login form.
async fn form_login(server: &TestServer, browser: &Browser, name: &str) -> Answer {
    let page = get_page(browser, routes::NOJS_LOGIN).await;
    let fields = format!(
        "username={name}&password={}&csrf={}",
        PASSWORD.replace(' ', "+"),
        token(&page)
    );
    server.secret(PASSWORD);
    post_form(browser, server, routes::NOJS_LOGIN, &fields).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_form_needs_this_browsers_token() {
    let server = TestServer::start().await;
    server.add_user("alice").await;
    let browser = server.browser();
    let other = server.browser();
    let other_page = get_page(&other, routes::NOJS_LOGIN).await;
    let login = get_page(&browser, routes::NOJS_LOGIN).await;
    assert_eq!(login.status, 200);
    let before = server.snapshot().await;

    let credentials = format!("username=alice&password={}", PASSWORD.replace(' ', "+"));
    for fields in [
        credentials.clone(),
        format!("{credentials}&csrf={}", token(&other_page)),
    ] {
        let refused = post_form(&browser, &server, routes::NOJS_LOGIN, &fields).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert!(refused.body.contains("This form has expired"));
        assert_eq!(browser.cookie(), None, "no session was started");
    }
    assert_eq!(server.snapshot().await, before);

    let signed_in = form_login(&server, &browser, "alice").await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(signed_in.header("location"), Some(routes::NOJS_WELCOME));
    assert_eq!(browser.session().await.stage, Stage::NeedsEnrollment);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_with_another_sessions_token_change_nothing() {
    let server = TestServer::start().await;
    let (_, secret) = server.enrolled("bob").await;
    server.add_user("carl").await;
    let bob = server.browser();
    let carl = server.browser();
    assert_eq!(form_login(&server, &bob, "bob").await.status, 303);
    assert_eq!(form_login(&server, &carl, "carl").await.status, 303);
    let carls_token = token(&get_page(&carl, routes::NOJS_ENROLL).await);
    let bobs_token = token(&get_page(&bob, routes::NOJS_PIN).await);

    let right_code = server.code(&secret);
    let attempts = [
        (&bob, routes::NOJS_VERIFY, format!("code={right_code}")),
        (
            &bob,
            routes::NOJS_VERIFY,
            format!("code={right_code}&csrf={carls_token}"),
        ),
        (
            &carl,
            routes::NOJS_ENROLL_RESTART,
            format!("csrf={bobs_token}"),
        ),
        (
            &carl,
            routes::NOJS_ENROLL_CONFIRM,
            format!("code=123456&csrf={bobs_token}"),
        ),
    ];
    for (browser, path, fields) in attempts {
        let before = server.snapshot().await;
        let refused = post_form(browser, &server, path, &fields).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
        assert_eq!(
            server.snapshot().await,
            before,
            "{path} changed the database"
        );
    }

    // Logout without the token keeps the session; from another site nothing is even read.
    let before = server.snapshot().await;
    let kept = post_form(&bob, &server, routes::NOJS_LOGOUT, "csrf=wrong").await;
    assert_eq!(kept.status, 303);
    let foreign = [FORM, ("origin", "https://evil.example")];
    let fields = format!("csrf={bobs_token}").to_owned();
    let cross = bob
        .send(Method::POST, routes::NOJS_LOGOUT, &foreign, Some(fields))
        .await;
    assert_eq!(cross.status, 403);
    assert_eq!(server.snapshot().await, before);
    assert_eq!(bob.session().await.stage, Stage::NeedsCode);

    // An oversized form is refused before anything reads it.
    let huge = format!("code={}&csrf={bobs_token}", "1".repeat(20_000));
    let refused = post_form(&bob, &server, routes::NOJS_VERIFY, &huge).await;
    assert_eq!(refused.status, 413);
    assert_eq!(server.snapshot().await, before);

    // With its own token the same code works.
    let fields = format!("code={right_code}&csrf={bobs_token}");
    let verified = post_form(&bob, &server, routes::NOJS_VERIFY, &fields).await;
    assert_eq!(verified.status, 303, "{}", verified.body);
    assert_eq!(verified.header("location"), Some(routes::NOJS_DONE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_the_pages_changes_nothing() {
    let server = TestServer::start().await;
    server.add_user("dora").await;
    let browser = server.browser();
    assert_eq!(form_login(&server, &browser, "dora").await.status, 303);
    let before = server.snapshot().await;
    let pages = [
        routes::NOJS,
        routes::NOJS_LOGIN,
        routes::NOJS_WELCOME,
        "/nojs/welcome?step=3",
        routes::NOJS_ENROLL,
        routes::NOJS_PIN,
        routes::NOJS_DONE,
        routes::THEME_CSS,
        routes::THEME_LOGO,
        routes::THEME_MESSAGES,
        routes::BASE_CSS,
    ];
    for path in pages {
        let answer = get_page(&browser, path).await;
        assert!(
            [200, 303].contains(&answer.status),
            "{path}: {}",
            answer.status
        );
    }
    assert_eq!(server.snapshot().await, before);

    // A page for another stage sends the browser to its own.
    let pin = get_page(&browser, routes::NOJS_PIN).await;
    assert_eq!(pin.header("location"), Some(routes::NOJS_WELCOME));
}
