//! A theme folder restyles and re-words both front ends, with no new build of the app.

use twostep_api::routes;

use crate::harness::{start_themed, theme_dir, turn, Browser, PASSWORD};
use crate::nojs::{enroll_without_javascript, pass_pin_without_javascript};

/// The dark theme's page colour, `--color-page: #0f1419`, as browsers compute it.
const DARK_PAGE: &str = "rgb(15, 20, 25)";
/// Its accent, `--color-accent: #f0883e`.
const DARK_ACCENT: &str = "rgb(240, 136, 62)";

/// Checks the colours, font, words and logo of the dark theme on the page shown.
async fn assert_dark(browser: &Browser, base: &str) {
    assert_eq!(
        browser.computed("body", "background-color").await,
        DARK_PAGE
    );
    assert_eq!(
        browser.computed("button.primary", "background-color").await,
        DARK_ACCENT
    );
    assert!(browser
        .computed("body", "font-family")
        .await
        .contains("Georgia"));
    assert!(browser.text(".brand").await.contains("Nightwatch"));
    assert!(browser.image_loaded(".logo").await, "the logo did not load");
    let served = reqwest::get(format!("{base}{}", routes::THEME_LOGO))
        .await
        .expect("logo")
        .bytes()
        .await
        .expect("bytes");
    let theirs = std::fs::read(theme_dir("dark").join("logo.svg")).expect("theme logo");
    assert_eq!(
        served.as_ref(),
        theirs.as_slice(),
        "the logo is the theme's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dark_theme_restyles_both_front_ends() {
    let server = start_themed(Some("dark")).await;
    server.add_user("hana", "HANA Tester").await;
    server.add_user("ivan", "IVAN Tester").await;
    let _turn = turn().await;

    // The web app, as built, takes the theme's colours, logo and words.
    let app = Browser::open(&server, true).await;
    app.goto("/").await;
    app.wait_text("h1", "Welcome back").await;
    assert_dark(&app, &server.base).await;
    app.screenshot("spa-dark/01-login").await;
    app.type_into("#username", "ivan").await;
    app.type_into("#password", PASSWORD).await;
    app.click("button[type=submit]").await;
    app.find("p.steps").await;
    app.screenshot("spa-dark/02-welcome-1").await;
    app.click("button.link").await;
    app.find("#secret").await;
    app.screenshot("spa-dark/05-enroll").await;
    app.close().await;

    // The pages without JavaScript too, with the theme's own login layout.
    let plain = Browser::open(&server, false).await;
    plain.goto(routes::NOJS_LOGIN).await;
    plain.wait_text("h1", "Welcome back").await;
    assert!(plain.text("p.intro").await.contains("Nightwatch"));
    assert_dark(&plain, &server.base).await;
    let secret = enroll_without_javascript(&server, &plain, "hana", "nojs/dark").await;
    plain.click(".done form.inline button").await;
    plain.find("form.login").await;
    server.clock.advance(30);
    pass_pin_without_javascript(&server, &plain, "hana", &secret, "nojs/dark").await;
    plain.close().await;
}
