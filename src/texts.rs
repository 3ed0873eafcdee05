//! The texts of the pages, loaded from the server's theme at start, so a theme re-words the web
//! app without a new build.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Every text by key (see the server's `theme/messages.toml`), set once before the app mounts.
static TEXTS: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// Read access to the texts.
#[derive(Clone, Copy)]
pub struct Texts(&'static BTreeMap<String, String>);

impl Texts {
    /// The text for `key`; the key itself when the theme has none, so a gap shows rather than
    /// breaking the page.
    pub fn get(self, key: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| key.to_owned())
    }
}

/// Installs the texts; later calls change nothing.
pub fn install(texts: BTreeMap<String, String>) {
    let _ = TEXTS.set(texts);
}

/// The texts of the running app.
pub fn texts() -> Texts {
    Texts(TEXTS.get_or_init(BTreeMap::new))
}
