//! The texts of the pages, loaded from the server's theme at start, so a theme re-words the web
//! app without a new build.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use twostep_api::CodeFormat;

/// Every text by key (see the server's `theme/messages.toml`), set once before the app mounts.
static TEXTS: OnceLock<BTreeMap<String, String>> = OnceLock::new();

thread_local! {
    /// The codes the session is asked for, as the server last said.
    static FORMAT: Cell<CodeFormat> = const { Cell::new(CodeFormat::USUAL) };
}

/// Remembers what the session's codes look like, for the texts that mention it.
pub fn set_code_format(format: CodeFormat) {
    FORMAT.with(|cell| cell.set(format));
}

/// What the session's codes look like.
pub fn code_format() -> CodeFormat {
    FORMAT.with(Cell::get)
}

/// Read access to the texts.
#[derive(Clone, Copy)]
pub struct Texts(&'static BTreeMap<String, String>);

impl Texts {
    /// The text for `key`, with `{digits}` and `{period}` filled in; the key itself when the
    /// theme has none, so a gap shows rather than breaking the page.
    pub fn get(self, key: &str) -> String {
        match self.0.get(key) {
            Some(text) => code_format().fill(text),
            None => key.to_owned(),
        }
    }
}

/// The texts needed when the theme itself could not be loaded: the server is unreachable.
const UNREACHABLE: [(&str, &str); 4] = [
    ("unreachable_title", "Cannot reach the sign-in server"),
    ("unreachable_text", "Check your connection, then try again."),
    ("try_again", "Try again"),
    ("loading", "Loading…"),
];

/// Installs the texts, or without them the few that say the server cannot be reached; later
/// calls change nothing.
pub fn install(texts: Option<BTreeMap<String, String>>) {
    let texts = texts.unwrap_or_else(|| {
        UNREACHABLE
            .iter()
            .map(|(key, text)| ((*key).to_owned(), (*text).to_owned()))
            .collect()
    });
    let _ = TEXTS.set(texts);
}

/// Titles the browser tab as the theme words it.
pub fn name_the_document() {
    let t = texts();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{} · {}", t.get("page_title"), t.get("brand")));
    }
}

/// The texts of the running app.
pub fn texts() -> Texts {
    Texts(TEXTS.get_or_init(BTreeMap::new))
}
