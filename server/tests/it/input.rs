//! Bad input gets a 4xx with the API's error shape and a sentence to act on, and changes
//! nothing.

use reqwest::Method;
use twostep_api::{routes, ErrorCode};

use crate::harness::{TestServer, PASSWORD};

/// Path, headers, body, expected status and error code.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, String, u16, ErrorCode);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_refused_with_a_reason() {
    let server = TestServer::start().await;
    let (browser, _) = server.enrolled("alice").await;
    browser.logout().await;
    browser.login("alice", PASSWORD).await;
    let origin = server.base.clone();
    let json = ("content-type", "application/json");
    let same_origin = ("origin", origin.as_str());

    let big = format!(
        "{{\"username\":\"alice\",\"password\":\"{}\"}}",
        "x".repeat(20_000)
    );
    let cases: Vec<Case> = vec![
        (
            routes::LOGIN,
            vec![same_origin],
            "{}".into(),
            415,
            ErrorCode::UnsupportedMediaType,
        ),
        (
            routes::LOGIN,
            vec![("content-type", "text/plain"), same_origin],
            "{}".into(),
            415,
            ErrorCode::UnsupportedMediaType,
        ),
        (
            routes::LOGIN,
            vec![json, same_origin],
            "{not json".into(),
            400,
            ErrorCode::BadRequest,
        ),
        (
            routes::LOGIN,
            vec![json, same_origin],
            "{\"username\":\"alice\"}".into(),
            400,
            ErrorCode::BadRequest,
        ),
        (
            routes::LOGIN,
            vec![json, same_origin],
            big,
            413,
            ErrorCode::PayloadTooLarge,
        ),
        (
            routes::LOGIN,
            vec![json, ("origin", "https://evil.example")],
            "{\"username\":\"alice\",\"password\":\"x\"}".into(),
            403,
            ErrorCode::CrossOrigin,
        ),
        (
            routes::LOGOUT,
            vec![json, ("origin", "https://evil.example")],
            "{}".into(),
            403,
            ErrorCode::CrossOrigin,
        ),
        (
            routes::VERIFY,
            vec![json, same_origin],
            "{\"code\":\"\"}".into(),
            400,
            ErrorCode::InvalidCode,
        ),
        (
            routes::VERIFY,
            vec![json, same_origin],
            "{\"code\":\"12a456\"}".into(),
            400,
            ErrorCode::InvalidCode,
        ),
        (
            routes::VERIFY,
            vec![json, same_origin],
            "{\"code\":\"١٢٣٤٥٦\"}".into(),
            400,
            ErrorCode::InvalidCode,
        ),
        (
            routes::VERIFY,
            vec![json, same_origin],
            "{\"code\":\"1234567\"}".into(),
            400,
            ErrorCode::InvalidCode,
        ),
        (
            routes::VERIFY,
            vec![json, same_origin],
            "{\"code\":123456}".into(),
            400,
            ErrorCode::BadRequest,
        ),
    ];

    for (path, headers, body, status, code) in cases {
        let before = server.snapshot().await;
        let answer = browser.send(Method::POST, path, &headers, Some(body)).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        let error = answer.error();
        assert_eq!(error.code, code, "{path}: {}", error.message);
        assert!(
            error.message.ends_with('.') || error.message.contains(':'),
            "{}",
            error.message
        );
        assert_eq!(
            server.snapshot().await,
            before,
            "{path} with bad input changed the database"
        );
    }

    // Malformed codes are not attempts: the account has no failures.
    let status = server.otp("alice").await;
    assert_eq!(status.failures, 0);

    // The session survived all of it.
    assert_eq!(browser.session().await.stage, twostep_api::Stage::NeedsCode);
}
