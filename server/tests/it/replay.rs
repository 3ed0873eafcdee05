//! A code is accepted once, however many requests carry it at the same moment.

use futures::future::join_all;
use twostep_api::{ErrorCode, SessionResponse, Stage};

use crate::harness::{TestServer, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_code_sent_fifty_times_from_one_session_succeeds_once() {
    let server = TestServer::start().await;
    let (browser, secret) = server.enrolled("alice").await;
    browser.logout().await;
    assert_eq!(browser.login("alice", PASSWORD).await.status, 200);

    let code = server.code(&secret);
    let answers = join_all((0..50).map(|_| browser.verify(&code))).await;
    let accepted = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(
        accepted,
        1,
        "statuses: {:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    for refused in answers.iter().filter(|a| a.status != 200) {
        assert!([401, 429].contains(&refused.status), "{}", refused.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_code_sent_from_fifty_sessions_in_parallel_succeeds_once() {
    let server = TestServer::start().await;
    let (_, secret) = server.enrolled("bob").await;
    let browsers: Vec<_> = (0..50).map(|_| server.browser()).collect();
    for browser in &browsers {
        let answer = browser.login("bob", PASSWORD).await;
        assert_eq!(answer.json::<SessionResponse>().stage, Stage::NeedsCode);
    }

    let code = server.code(&secret);
    let answers = join_all(browsers.iter().map(|b| b.verify(&code))).await;
    let accepted = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(
        accepted,
        1,
        "statuses: {:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );

    // A replay looks exactly like a wrong code (or, once enough have failed, a lock).
    for refused in answers.iter().filter(|a| a.status != 200) {
        let code = refused.error().code;
        assert!(
            matches!(code, ErrorCode::WrongCode | ErrorCode::Locked),
            "{code:?}"
        );
    }

    // Later, in the same time step, the code is still refused.
    server.store.unlock_otp("bob").await.expect("unlock");
    let late = server.browser();
    late.login("bob", PASSWORD).await;
    let answer = late.verify(&code).await;
    assert_eq!(answer.error().code, ErrorCode::WrongCode);
}
