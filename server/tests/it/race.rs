//! The failure that locked users of older products out for weeks: background requests during
//! enrollment replacing the secret that the QR code on screen shows.

use futures::future::join_all;
use twostep_api::{routes, SessionResponse, Stage};

use crate::harness::{TestServer, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_requests_and_concurrent_logins_never_replace_the_secret() {
    let server = TestServer::start().await;
    server.add_user("alice").await;
    let browser = server.browser();
    assert_eq!(browser.login("alice", PASSWORD).await.status, 200);
    let shown = browser.enrollment().await;

    // 200 background requests of every kind a page makes, from the enrolling session...
    let image = [
        ("accept", "image/*"),
        ("sec-fetch-dest", "image"),
        ("sec-fetch-mode", "no-cors"),
    ];
    let prefetch = [("sec-purpose", "prefetch"), ("sec-fetch-dest", "document")];
    let navigation = [
        ("sec-fetch-mode", "navigate"),
        ("sec-fetch-dest", "document"),
    ];
    let background = (0..200).map(|i| {
        let browser = &browser;
        async move {
            let answer = match i % 5 {
                0 => {
                    browser
                        .send(reqwest::Method::GET, routes::ME_AVATAR, &image, None)
                        .await
                }
                1 => browser.get(routes::ME_AVATAR).await,
                2 => browser.get(routes::ME).await,
                3 => {
                    browser
                        .send(
                            reqwest::Method::GET,
                            "/api/me/avatar?retry=1",
                            &prefetch,
                            None,
                        )
                        .await
                }
                _ => {
                    browser
                        .send(reqwest::Method::GET, "/wiki/Main_Page", &navigation, None)
                        .await
                }
            };
            assert!(
                [401, 303].contains(&answer.status),
                "a protected request before verification got {}",
                answer.status
            );
        }
    });

    // ...20 logins of the same user at once, and the page reading its data meanwhile.
    let others: Vec<_> = (0..20).map(|_| server.browser()).collect();
    let logins = others.iter().map(|other| async move {
        let answer = other.login("alice", PASSWORD).await;
        assert_eq!(
            answer.json::<SessionResponse>().stage,
            Stage::NeedsEnrollment
        );
    });
    let reads = (0..20).map(|_| async { browser.enrollment().await.secret });

    let (_, _, read_secrets) =
        tokio::join!(join_all(background), join_all(logins), join_all(reads));
    assert!(
        read_secrets.iter().all(|s| *s == shown.secret),
        "a read saw another secret"
    );

    // What the user sees is still what is stored, in every session.
    assert_eq!(browser.enrollment().await.secret, shown.secret);
    for other in &others {
        assert_eq!(other.enrollment().await.secret, shown.secret);
    }
    let stored = server.otp("alice").await;
    assert_eq!(
        stored.pending_fingerprint.as_deref(),
        Some(shown.fingerprint.as_str())
    );

    // And the code the user's app computes from the QR code works.
    let confirmed = browser.confirm(&server.code(&shown.secret)).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(browser.get(routes::ME_AVATAR).await.status, 200);
}
