//! Every route at every stage: the expected status, and where the request is refused or only
//! reads, a database exactly as it was before.

use reqwest::Method;
use serde_json::json;
use twostep_api::routes;

use crate::harness::{Browser, TestServer, PASSWORD};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    NoCookie,
    UnknownCookie,
    NeedsEnrollment,
    NeedsCode,
    Verified,
}

const STAGES: [At; 5] = [
    At::NoCookie,
    At::UnknownCookie,
    At::NeedsEnrollment,
    At::NeedsCode,
    At::Verified,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Session,
    EnrollmentRead,
    Restart,
    ConfirmWrong,
    VerifyWrong,
    Logout,
    LoginWrongPassword,
    Me,
    AvatarImage,
    AvatarNavigation,
    UnknownApi,
    UnknownPageNavigation,
    Healthz,
    AppPage,
    WrongMethod,
}

const CASES: [Case; 15] = [
    Case::Session,
    Case::EnrollmentRead,
    Case::Restart,
    Case::ConfirmWrong,
    Case::VerifyWrong,
    Case::Logout,
    Case::LoginWrongPassword,
    Case::Me,
    Case::AvatarImage,
    Case::AvatarNavigation,
    Case::UnknownApi,
    Case::UnknownPageNavigation,
    Case::Healthz,
    Case::AppPage,
    Case::WrongMethod,
];

fn expected(case: Case, at: At) -> u16 {
    let signed_in = !matches!(at, At::NoCookie | At::UnknownCookie);
    match case {
        Case::Session | Case::Logout | Case::Healthz | Case::AppPage => 200,
        Case::LoginWrongPassword => 401,
        Case::WrongMethod => 405,
        Case::EnrollmentRead | Case::Restart if at == At::NeedsEnrollment => 200,
        Case::ConfirmWrong if at == At::NeedsEnrollment => 401,
        Case::VerifyWrong if at == At::NeedsCode => 401,
        Case::EnrollmentRead | Case::Restart | Case::ConfirmWrong | Case::VerifyWrong => {
            if signed_in {
                409
            } else {
                401
            }
        }
        Case::Me | Case::AvatarImage | Case::AvatarNavigation if at == At::Verified => 200,
        Case::UnknownApi | Case::UnknownPageNavigation if at == At::Verified => 404,
        Case::Me | Case::AvatarImage | Case::UnknownApi => 401,
        Case::AvatarNavigation | Case::UnknownPageNavigation => 303,
    }
}

/// The pairs that are meant to change the database.
fn changes(case: Case, at: At) -> bool {
    matches!(
        (case, at),
        (Case::Restart, At::NeedsEnrollment)
            | (Case::VerifyWrong, At::NeedsCode)
            | (
                Case::Logout,
                At::NeedsEnrollment | At::NeedsCode | At::Verified
            )
    )
}

const IMAGE: [(&str, &str); 3] = [
    ("accept", "image/avif,image/*"),
    ("sec-fetch-dest", "image"),
    ("sec-fetch-mode", "no-cors"),
];
const NAVIGATION: [(&str, &str); 3] = [
    ("accept", "text/html,application/xhtml+xml"),
    ("sec-fetch-dest", "document"),
    ("sec-fetch-mode", "navigate"),
];

async fn run(
    server: &TestServer,
    browser: &Browser,
    case: Case,
    secret: &str,
) -> crate::harness::Answer {
    match case {
        Case::Session => browser.get(routes::SESSION).await,
        Case::EnrollmentRead => browser.get(routes::ENROLLMENT).await,
        Case::Restart => browser.post(routes::ENROLLMENT_RESTART, json!({})).await,
        Case::ConfirmWrong => browser.confirm(&server.wrong_code(secret)).await,
        Case::VerifyWrong => browser.verify(&server.wrong_code(secret)).await,
        Case::Logout => browser.logout().await,
        Case::LoginWrongPassword => browser.login("carl", "not-carls-password").await,
        Case::Me => browser.get(routes::ME).await,
        Case::AvatarImage => {
            browser
                .send(Method::GET, routes::ME_AVATAR, &IMAGE, None)
                .await
        }
        Case::AvatarNavigation => {
            browser
                .send(Method::GET, routes::ME_AVATAR, &NAVIGATION, None)
                .await
        }
        Case::UnknownApi => browser.get("/api/no-such-thing").await,
        Case::UnknownPageNavigation => {
            browser
                .send(Method::GET, "/wiki/Main_Page", &NAVIGATION, None)
                .await
        }
        Case::Healthz => browser.get(routes::HEALTHZ).await,
        Case::AppPage => {
            browser
                .send(Method::GET, routes::PAGE_ENROLL, &NAVIGATION, None)
                .await
        }
        Case::WrongMethod => browser.post(routes::SESSION, json!({})).await,
    }
}

/// A fresh browser at `at`.
async fn browser_at(server: &TestServer, at: At, carl_secret: &str) -> Browser {
    let browser = server.browser();
    match at {
        At::NoCookie => {}
        At::UnknownCookie => browser.set_cookie(Some(
            "__Host-twostep_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        )),
        At::NeedsEnrollment => assert_eq!(browser.login("nora", PASSWORD).await.status, 200),
        At::NeedsCode => assert_eq!(browser.login("carl", PASSWORD).await.status, 200),
        At::Verified => {
            browser.login("carl", PASSWORD).await;
            server.clock.advance(30);
            let answer = browser.verify(&server.code(carl_secret)).await;
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
    }
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_at_every_stage() {
    let server = TestServer::start().await;
    server.add_user("nora").await;
    let (carl, carl_secret) = server.enrolled("carl").await;
    carl.logout().await;

    let mut failures = Vec::new();
    for at in STAGES {
        for case in CASES {
            let browser = browser_at(&server, at, &carl_secret).await;
            let secret = match at {
                At::NeedsEnrollment => browser.enrollment().await.secret,
                _ => carl_secret.clone(),
            };
            let before = server.snapshot().await;
            let answer = run(&server, &browser, case, &secret).await;
            let after = server.snapshot().await;

            let want = expected(case, at);
            if answer.status != want {
                failures.push(format!(
                    "{case:?} at {at:?}: {} not {want}: {}",
                    answer.status, answer.body
                ));
            }
            if !changes(case, at) && before != after {
                failures.push(format!("{case:?} at {at:?} changed the database"));
            }
            if answer.status == 303 {
                let location = answer.header("location").unwrap_or_default();
                let page = match at {
                    At::NeedsEnrollment => routes::PAGE_WELCOME,
                    At::NeedsCode => routes::PAGE_PIN,
                    _ => routes::PAGE_LOGIN,
                };
                if !location.starts_with(page) {
                    failures.push(format!("{case:?} at {at:?}: redirected to {location}"));
                }
            }
            if answer.status >= 400 && answer.header("content-type") == Some("application/json") {
                answer.error();
            }
            if answer.status >= 500 {
                failures.push(format!(
                    "{case:?} at {at:?}: server error {}",
                    answer.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
