//! Wrong codes lock the second factor for a growing time, across sessions, and a correct code
//! alone resets the count.

use twostep_api::{ErrorBody, ErrorCode};

use crate::harness::{Browser, TestServer, PASSWORD};

async fn failures(server: &TestServer, name: &str) -> u32 {
    server.otp(name).await.failures
}

/// Sends a wrong code and returns the error.
async fn fail(server: &TestServer, browser: &Browser, secret: &str) -> (u16, ErrorBody) {
    let answer = browser.verify(&server.wrong_code(secret)).await;
    (answer.status, answer.error())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_with_a_growing_delay_and_success_resets() {
    let server = TestServer::start().await;
    let (browser, secret) = server.enrolled("alice").await;
    browser.logout().await;
    browser.login("alice", PASSWORD).await;

    // Failures count across sessions: three here, one after signing in again.
    for _ in 0..3 {
        assert_eq!(
            fail(&server, &browser, &secret).await.1.code,
            ErrorCode::WrongCode
        );
    }
    browser.logout().await;
    browser.login("alice", PASSWORD).await;
    assert_eq!(
        fail(&server, &browser, &secret).await.1.code,
        ErrorCode::WrongCode
    );
    assert_eq!(failures(&server, "alice").await, 4);

    // The fifth locks for 30 seconds, and says so.
    let (status, error) = fail(&server, &browser, &secret).await;
    assert_eq!(status, 429);
    assert_eq!(error.code, ErrorCode::Locked);
    assert_eq!(error.retry_at, Some(server.now() + 30));
    assert!(error.message.contains("30 seconds"), "{}", error.message);

    // While locked even the correct code is refused, and not counted.
    let refused = browser.verify(&server.code(&secret)).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("30"));
    assert_eq!(failures(&server, "alice").await, 5);

    // Each further failure doubles the delay.
    let mut expected = 30;
    for _ in 0..4 {
        server.clock.advance(expected);
        expected *= 2;
        let (status, error) = fail(&server, &browser, &secret).await;
        assert_eq!(status, 429);
        assert_eq!(error.retry_at, Some(server.now() + expected));
    }
    assert_eq!(failures(&server, "alice").await, 9);

    // Once the lock has passed, the correct code works and resets the count.
    server.clock.advance(expected);
    let accepted = browser.verify(&server.code(&secret)).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(failures(&server, "alice").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_failures_lock_until_an_admin_unlocks() {
    let server = TestServer::start().await;
    let (browser, secret) = server.enrolled("bob").await;
    browser.logout().await;
    browser.login("bob", PASSWORD).await;

    let mut delays = Vec::new();
    while failures(&server, "bob").await < 100 {
        let (_, error) = fail(&server, &browser, &secret).await;
        if error.code == ErrorCode::NotSignedIn {
            // Waiting out the locks outlasts a sign-in; sign in again and go on.
            browser.login("bob", PASSWORD).await;
        }
        if let Some(retry_at) = error.retry_at {
            delays.push(retry_at - server.now());
            server.clock.set(retry_at);
        }
    }
    assert_eq!(failures(&server, "bob").await, 100);
    assert_eq!(&delays[..4], &[30, 60, 120, 240]);
    assert!(
        delays.iter().all(|d| *d <= 3600),
        "the delay is capped at an hour"
    );

    // Days later, the correct code is still refused, with no time to wait for.
    server.clock.advance(10 * 24 * 3600);
    browser.login("bob", PASSWORD).await;
    let answer = browser.verify(&server.code(&secret)).await;
    assert_eq!(answer.status, 429);
    let error = answer.error();
    assert_eq!(error.retry_at, None);
    assert!(error.message.contains("administrator"), "{}", error.message);

    server.store.unlock_otp("bob").await.expect("unlock");
    assert_eq!(browser.verify(&server.code(&secret)).await.status, 200);
}
