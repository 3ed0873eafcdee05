//! A real twostep server serving the built app from `dist/`, and a real headless Chromium driven
//! through chromedriver, with Chrome's performance log switched on so tests can read every
//! request the page made.
//!
//! Browser tests run one at a time: two Chromiums on a two-core machine only slow each other.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, MutexGuard};
pub use twostep_testkit::{oathtool, Server, PASSWORD};

/// Keeps browser tests from running at the same time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Waits until no other browser test runs; hold the guard for the whole test.
pub async fn turn() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where screenshots go, for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    target.join("screenshots")
}

/// A server that serves the built app from `dist/`.
pub async fn start_server() -> Server {
    start_themed(None).await
}

/// A server with the repository's theme folder `themes/NAME`, or the built-in theme.
pub async fn start_themed(theme: Option<&str>) -> Server {
    let dist = repo().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "the app is not built: run scripts/build-web.sh (scripts/test.sh does)"
    );
    let toml = match theme {
        Some(name) => format!("[ui]\ntheme_dir = \"{}\"\n", theme_dir(name).display()),
        None => String::new(),
    };
    Server::start(&toml, Some(&dist)).await
}

/// The repository's theme folder NAME.
pub fn theme_dir(name: &str) -> PathBuf {
    repo().join("themes").join(name)
}

/// The pending secret the server stores for `name`.
pub async fn stored_pending(server: &Server, name: &str) -> String {
    let user = server
        .store
        .user_by_name(name)
        .await
        .expect("query")
        .expect("user");
    server
        .store
        .pending(user.id)
        .await
        .expect("query")
        .expect("pending")
        .secret
        .to_base32()
}

/// Whether the server knows a session for this cookie.
pub async fn session_alive(server: &Server, cookie_name: &str, cookie_value: &str) -> bool {
    let answer: twostep_api::SessionResponse = reqwest::Client::new()
        .get(format!("{}{}", server.base, twostep_api::routes::SESSION))
        .header("cookie", format!("{cookie_name}={cookie_value}"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    answer.stage != twostep_api::Stage::Anonymous
}

/// Enrolls `name` over the JSON API, as if done earlier, and returns the secret.
pub async fn enroll_over_api(server: &Server, name: &str) -> String {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{}{}", server.base, twostep_api::routes::LOGIN))
        .json(&json!({ "username": name, "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let enrollment: twostep_api::EnrollmentResponse = http
        .get(format!(
            "{}{}",
            server.base,
            twostep_api::routes::ENROLLMENT
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("enrollment")
        .json()
        .await
        .expect("json");
    let confirmed = http
        .post(format!(
            "{}{}",
            server.base,
            twostep_api::routes::ENROLLMENT_CONFIRM
        ))
        .header("cookie", &cookie)
        .json(&json!({ "code": server.code_at_step(&enrollment.secret, 0) }))
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), 200);
    server.clock.advance(30);
    enrollment.secret
}

/// chromedriver's log endpoint, which fantoccini has no method for.
#[derive(Debug)]
struct ReadLog;

impl WebDriverCompatibleCommand for ReadLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "performance" }).to_string()),
        )
    }
}

/// A request the page made, in order.
#[derive(Clone, Debug)]
pub struct Sent {
    pub method: String,
    pub path: String,
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    requests: Vec<Sent>,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium; `javascript` false disables scripts.
    /// Take a [`turn`] first.
    pub async fn open(server: &Server, javascript: bool) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver is installed (scripts/setup.sh test installs it)");

        let profile = tempfile::tempdir().expect("profile folder");
        let mut prefs = json!({});
        if !javascript {
            prefs = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=900,1100",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": prefs,
            }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({ "performance": "ALL" }));

        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) if started.elapsed() > Duration::from_secs(20) => {
                    panic!("cannot start Chromium through chromedriver: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            base: server.base.clone(),
            requests: Vec::new(),
            driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigation");
    }

    /// Waits for an element, up to 10 seconds.
    pub async fn find(&self, css: &str) -> Element {
        let wait = self.client.wait().at_most(Duration::from_secs(10));
        match wait.for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let source = self.client.source().await.unwrap_or_default();
                panic!("no {css} on {url:?} ({error}); the page is:\n{source}")
            }
        }
    }

    /// Waits until `css` holds `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> String {
        let started = Instant::now();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(shown) = element.text().await {
                    if shown.contains(text) {
                        return shown;
                    }
                }
            }
            if started.elapsed() > Duration::from_secs(10) {
                let body = self.text("body").await;
                panic!("{css} never showed {text:?}; the page shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        element.clear().await.expect("clear");
        element.send_keys(text).await.expect("typing");
    }

    /// The path of the address bar.
    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned()
    }

    /// Saves a screenshot of the whole page as `target/screenshots/NAME.png`; NAME may hold
    /// folders.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        save_png(name, &png)
    }

    /// Saves a screenshot of one element.
    pub async fn element_screenshot(&self, css: &str, name: &str) -> PathBuf {
        let element = self.find(css).await;
        let png = element.screenshot().await.expect("element screenshot");
        save_png(name, &png)
    }

    /// Gives the browser a cookie for the server, as another browser holds it.
    pub async fn add_cookie(&self, name: &str, value: &str) {
        // A browser takes cookies only for the site it is on.
        self.goto(twostep_api::routes::THEME_LOGO).await;
        let cookie = fantoccini::cookies::Cookie::build((name.to_owned(), value.to_owned()))
            .domain("127.0.0.1")
            .path("/")
            .secure(name.starts_with("__Host-"))
            .http_only(true)
            .build();
        self.client.add_cookie(cookie).await.expect("add cookie");
    }

    /// The computed value of CSS `property` on the first element matching `css`.
    pub async fn computed(&self, css: &str, property: &str) -> String {
        let script = "return getComputedStyle(document.querySelector(arguments[0]))\
                      .getPropertyValue(arguments[1]).trim();";
        let args = vec![json!(css), json!(property)];
        let value = self.client.execute(script, args).await.expect("script");
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Whether an image has loaded (a broken one has no natural width).
    pub async fn image_loaded(&self, css: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            let script = "const i = document.querySelector(arguments[0]); \
                          return i && i.complete ? i.naturalWidth : 0;";
            let width = self
                .client
                .execute(script, vec![json!(css)])
                .await
                .expect("script");
            if width.as_u64().unwrap_or(0) > 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Makes the window `width` CSS pixels wide.
    pub async fn set_width(&self, width: u32) {
        self.client
            .set_window_size(width, 900)
            .await
            .expect("resize");
    }

    /// Whether the page is wider than the window, so that it scrolls sideways.
    pub async fn scrolls_sideways(&self) -> bool {
        let script = "return document.documentElement.scrollWidth > window.innerWidth;";
        let wider = self.client.execute(script, vec![]).await.expect("script");
        wider.as_bool().unwrap_or(true)
    }

    /// The session cookie as the browser holds it (WebDriver sees HttpOnly cookies).
    pub async fn session_cookie(&self) -> Option<(String, String)> {
        let cookies = self.client.get_all_cookies().await.expect("cookies");
        cookies
            .into_iter()
            .find(|c| c.name().ends_with("twostep_session"))
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
    }

    /// Every request the page has sent so far, from Chrome's performance log.
    pub async fn requests(&mut self) -> &[Sent] {
        let entries = self
            .client
            .issue_cmd(ReadLog)
            .await
            .expect("performance log");
        for entry in entries.as_array().into_iter().flatten() {
            let Some(message) = entry.get("message").and_then(Value::as_str) else {
                continue;
            };
            let Ok(message) = serde_json::from_str::<Value>(message) else {
                continue;
            };
            let message = &message["message"];
            if message["method"] != "Network.requestWillBeSent" {
                continue;
            }
            let request = &message["params"]["request"];
            let url = request["url"].as_str().unwrap_or_default();
            if let Ok(parsed) = url::Url::parse(url) {
                if parsed.scheme().starts_with("http") {
                    self.requests.push(Sent {
                        method: request["method"].as_str().unwrap_or_default().to_owned(),
                        path: parsed.path().to_owned(),
                    });
                }
            }
        }
        &self.requests
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

fn save_png(name: &str, png: &[u8]) -> PathBuf {
    let path = screenshot_dir().join(format!("{name}.png"));
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).expect("screenshot folder");
    }
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// Debian installs Chromium as /usr/bin/chromium.
fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// Decodes the QR code in a PNG with zbarimg.
pub fn decode_qr(png: &Path) -> String {
    let output = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(png)
        .output()
        .expect("zbarimg is installed (scripts/setup.sh test installs it)");
    assert!(
        output.status.success(),
        "zbarimg found no QR code in {}",
        png.display()
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
