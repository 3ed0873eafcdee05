//! Browser tests of the web app: the built app in `dist/`, served by a real twostep server and
//! driven in a real headless Chromium through chromedriver.

mod harness;
mod nojs;
mod spa;
mod theme;
