//! A real server on 127.0.0.1 with a real SQLite file and a clock the test sets, plus a small
//! HTTP client that keeps its session cookie the way a browser does.
//!
//! Every log line of the test process is captured at trace level. Everything secret that a test
//! sends or receives (passwords, secrets, otpauth URIs, codes, session ids) is noted, and when a
//! server is dropped the captured log is searched for all of it.

use std::io::Write;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sqlx::{Connection, Row, SqliteConnection};
use twostep_api::{routes, EnrollmentResponse, ErrorBody, SessionResponse};
use twostep_server::store::OtpStatus;
use twostep_testkit::Server;
pub use twostep_testkit::{oathtool, PASSWORD};

pub type Shared<T> = Arc<Mutex<T>>;

pub fn lock<T>(shared: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The log of the whole test process, at trace level, without colours.
fn captured_log() -> Shared<Vec<u8>> {
    static LOG: OnceLock<Shared<Vec<u8>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer: Shared<Vec<u8>> = Arc::default();
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct LogWriter(Shared<Vec<u8>>);

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where `needle` occurs in `log` as a whole token: digits must not be part of a longer number
/// (so a code does not "match" the middle of a timestamp).
pub fn find_token(log: &str, needle: &str) -> Option<usize> {
    let numeric = needle.bytes().all(|b| b.is_ascii_digit());
    let mut start = 0;
    while let Some(found) = log[start..].find(needle) {
        let at = start + found;
        let end = at + needle.len();
        let joined = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
        let before = log[..at].chars().next_back();
        let after = log[end..].chars().next();
        if !numeric || !(joined(before) || joined(after)) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

/// Fails if any of `secrets` occurs in `log`, showing the line.
pub fn assert_log_clean(log: &str, secrets: &[String]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if let Some(at) = find_token(log, secret) {
            let line_start = log[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = log[at..].find('\n').map_or(log.len(), |i| at + i);
            panic!(
                "a secret value reached the log:\n{}",
                &log[line_start..line_end]
            );
        }
    }
}

/// A [`Server`] that notes every secret the test handles and, when dropped, searches the
/// captured log for them.
pub struct TestServer {
    server: Server,
    secrets: Shared<Vec<String>>,
}

impl Deref for TestServer {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.server
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with("").await
    }

    /// A server whose configuration adds `toml` to the test defaults.
    pub async fn start_with(toml: &str) -> TestServer {
        captured_log();
        TestServer {
            server: Server::start(toml, None).await,
            secrets: Arc::default(),
        }
    }

    /// Notes a value that must never appear in the log.
    pub fn secret(&self, value: impl Into<String>) {
        lock(&self.secrets).push(value.into());
    }

    /// Adds `name` with [`PASSWORD`] and the display name "NAME Tester".
    pub async fn add_user(&self, name: &str) {
        self.secret(PASSWORD);
        self.server
            .add_user(name, &format!("{} Tester", name.to_uppercase()))
            .await;
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base, self.secrets.clone())
    }

    /// The code of `secret` at the server's current time, noted as secret.
    pub fn code(&self, secret: &str) -> String {
        self.code_at_step(secret, 0)
    }

    /// The code `offset` steps away from the server's current time, noted as secret.
    pub fn code_at_step(&self, secret: &str, offset: i64) -> String {
        let code = self.server.code_at_step(secret, offset);
        self.secret(code.clone());
        code
    }

    /// A code that no step within the window accepts, noted as secret.
    pub fn wrong_code(&self, secret: &str) -> String {
        let code = self.server.wrong_code(secret);
        self.secret(code.clone());
        code
    }

    /// The second-factor state of `name`, as `twostep otp status` shows it.
    pub async fn otp(&self, name: &str) -> OtpStatus {
        let status = self.store.otp_status(name).await.expect("status query");
        status.unwrap_or_else(|| panic!("no user {name}"))
    }

    /// A browser that has signed in as `name` and confirmed an authenticator; returns the
    /// secret. The clock moves on one step, so the next code is fresh.
    pub async fn enrolled(&self, name: &str) -> (Browser, String) {
        self.add_user(name).await;
        let browser = self.browser();
        assert_eq!(browser.login(name, PASSWORD).await.status, 200);
        let secret = browser.enrollment().await.secret;
        let confirmed = browser.confirm(&self.code(&secret)).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        self.clock.advance(30);
        (browser, secret)
    }

    /// Every row of every table, as text, for "nothing changed" checks.
    pub async fn snapshot(&self) -> Vec<String> {
        let url = format!("sqlite://{}?mode=ro", self.db_path.display());
        let mut conn = SqliteConnection::connect(&url)
            .await
            .expect("read-only connection");
        let tables: Vec<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' \
             ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables")
        .iter()
        .map(|row| row.get::<String, _>(0))
        .collect();
        let mut rows = Vec::new();
        for table in tables {
            let query = format!("SELECT * FROM {table} ORDER BY 1");
            for row in sqlx::query(&query)
                .fetch_all(&mut conn)
                .await
                .expect("rows")
            {
                let mut text = format!("{table}:");
                for index in 0..row.len() {
                    let value = row
                        .try_get::<Option<i64>, _>(index)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| {
                            row.try_get::<Option<String>, _>(index)
                                .map(|v| format!("{v:?}"))
                        })
                        .unwrap_or_else(|_| "<blob>".into());
                    text.push_str(&format!(" {value}"));
                }
                rows.push(text);
            }
        }
        rows
    }

    /// The log captured so far.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&lock(&captured_log())).into_owned()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let secrets = lock(&self.secrets).clone();
            assert_log_clean(&self.log(), &secrets);
        }
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "answer {} is not the expected JSON ({e}): {}",
                self.status, self.body
            )
        })
    }

    pub fn error(&self) -> ErrorBody {
        let error: ErrorBody = self.json();
        assert!(!error.message.trim().is_empty(), "empty error message");
        error
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An HTTP client that keeps its cookies, like a browser tab.
#[derive(Clone)]
pub struct Browser {
    base: String,
    http: reqwest::Client,
    /// Name and value of each cookie.
    cookies: Shared<Vec<(String, String)>>,
    secrets: Shared<Vec<String>>,
}

impl Browser {
    /// A client of the server at `base` that notes every secret it handles in `secrets`.
    pub fn new(base: &str, secrets: Shared<Vec<String>>) -> Browser {
        Browser {
            base: base.to_owned(),
            // Redirects are checked, not followed.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Arc::default(),
            secrets,
        }
    }

    /// The `name=value` pair of the session cookie, if any.
    pub fn cookie(&self) -> Option<String> {
        let cookies = lock(&self.cookies);
        let session = cookies
            .iter()
            .find(|(name, _)| name.ends_with("twostep_session"));
        session.map(|(name, value)| format!("{name}={value}"))
    }

    /// Replaces the session cookie with `pair` (`name=value`), or removes it.
    pub fn set_cookie(&self, pair: Option<String>) {
        let mut cookies = lock(&self.cookies);
        cookies.retain(|(name, _)| !name.ends_with("twostep_session"));
        if let Some((name, value)) = pair.as_deref().and_then(|p| p.split_once('=')) {
            cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    /// Sends a request with the session cookie and keeps the cookie the answer sets.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        let cookies: Vec<String> = lock(&self.cookies)
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for set in headers.get_all("set-cookie") {
            let text = set.to_str().expect("ascii cookie");
            let pair = text.split(';').next().unwrap_or_default().trim();
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let mut cookies = lock(&self.cookies);
            cookies.retain(|(kept, _)| kept != name);
            if !value.is_empty() && !text.contains("Max-Age=0") {
                lock(&self.secrets).push(value.to_owned());
                cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let body = response.text().await.expect("body");
        Answer {
            status,
            headers,
            body,
        }
    }

    /// A `fetch()` from the page: JSON wanted, same origin.
    pub async fn get(&self, path: &str) -> Answer {
        let headers = [
            ("accept", "application/json"),
            ("sec-fetch-mode", "cors"),
            ("sec-fetch-dest", "empty"),
            ("sec-fetch-site", "same-origin"),
        ];
        self.send(reqwest::Method::GET, path, &headers, None).await
    }

    /// A JSON POST from the page.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        let origin = self.base.clone();
        let headers = [
            ("content-type", "application/json"),
            ("origin", origin.as_str()),
            ("sec-fetch-site", "same-origin"),
        ];
        self.send(
            reqwest::Method::POST,
            path,
            &headers,
            Some(body.to_string()),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Answer {
        lock(&self.secrets).push(password.to_owned());
        self.post(
            routes::LOGIN,
            json!({ "username": username, "password": password }),
        )
        .await
    }

    pub async fn session(&self) -> SessionResponse {
        self.get(routes::SESSION).await.json()
    }

    /// The enrollment data; fails the test unless it is there.
    pub async fn enrollment(&self) -> EnrollmentResponse {
        let answer = self.get(routes::ENROLLMENT).await;
        assert_eq!(answer.status, 200, "enrollment: {}", answer.body);
        let enrollment: EnrollmentResponse = answer.json();
        let mut secrets = lock(&self.secrets);
        secrets.push(enrollment.secret.clone());
        secrets.push(enrollment.secret.to_lowercase());
        secrets.push(enrollment.otpauth_uri.clone());
        enrollment
    }

    pub async fn confirm(&self, code: &str) -> Answer {
        lock(&self.secrets).push(code.to_owned());
        self.post(routes::ENROLLMENT_CONFIRM, json!({ "code": code }))
            .await
    }

    pub async fn verify(&self, code: &str) -> Answer {
        lock(&self.secrets).push(code.to_owned());
        self.post(routes::VERIFY, json!({ "code": code })).await
    }

    pub async fn logout(&self) -> Answer {
        self.post(routes::LOGOUT, json!({})).await
    }
}
