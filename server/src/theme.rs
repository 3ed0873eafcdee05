//! The look and words of the sign-in pages: a stylesheet of custom properties, a logo, the
//! message texts and the page templates, each taken from the theme folder when it has one and
//! from the built-in theme otherwise.
//!
//! A theme is read once, at start. A file that cannot be used (a template that does not parse,
//! messages that are not TOML) is reported with its file and line, and the built-in one is used
//! in its place, so a broken theme never takes the sign-in down.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::Environment;

/// The built-in theme, compiled in so the binary needs no files beside it.
mod builtin {
    pub const CSS: &str = include_str!("../theme/theme.css");
    pub const LOGO_SVG: &[u8] = include_bytes!("../theme/logo.svg");
    pub const MESSAGES: &str = include_str!("../theme/messages.toml");
    pub const TEMPLATES: [(&str, &str); 8] = [
        ("base.html", include_str!("../theme/templates/base.html")),
        (
            "code_form.html",
            include_str!("../theme/templates/code_form.html"),
        ),
        ("login.html", include_str!("../theme/templates/login.html")),
        (
            "welcome.html",
            include_str!("../theme/templates/welcome.html"),
        ),
        (
            "enroll.html",
            include_str!("../theme/templates/enroll.html"),
        ),
        ("pin.html", include_str!("../theme/templates/pin.html")),
        ("done.html", include_str!("../theme/templates/done.html")),
        ("error.html", include_str!("../theme/templates/error.html")),
    ];
}

/// Messages a theme adds for its own templates start with this; others must be built-in keys.
pub const CUSTOM_PREFIX: &str = "custom_";

/// The stylesheet of layout and components that themes restyle through custom properties.
pub const BASE_CSS: &str = include_str!("../../style/main.css");

/// Everything a page needs to look like the theme.
pub struct Theme {
    /// The custom properties: colours, fonts, radii, spacing, logo size.
    pub css: String,
    pub logo: Vec<u8>,
    /// `image/svg+xml` or `image/png`.
    pub logo_type: &'static str,
    /// Every text by key; the theme's texts over the built-in ones.
    pub messages: BTreeMap<String, String>,
    pub templates: Environment<'static>,
}

/// Something in a theme folder that was passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeWarning {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub problem: String,
}

impl std::fmt::Display for ThemeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.problem),
            None => write!(f, "{}: {}", self.file.display(), self.problem),
        }
    }
}

impl Theme {
    /// The theme in `dir` over the built-in one, with what could not be used.
    pub fn load(dir: Option<&Path>) -> (Theme, Vec<ThemeWarning>) {
        let mut warnings = Vec::new();
        let read = |name: &str| dir.map(|d| d.join(name)).filter(|p| p.is_file());

        // The theme's stylesheet comes after the built-in one, so a property it leaves out keeps
        // its built-in value.
        let mut css = builtin::CSS.to_owned();
        if let Some(theirs) = read("theme.css").and_then(|path| read_text(&path, &mut warnings)) {
            css.push_str("\n/* The theme's own stylesheet. */\n");
            css.push_str(&theirs);
        }

        let (logo, logo_type) = match (read("logo.svg"), read("logo.png")) {
            (Some(svg), _) => read_bytes(&svg, &mut warnings).map(|b| (b, "image/svg+xml")),
            (None, Some(png)) => read_bytes(&png, &mut warnings).map(|b| (b, "image/png")),
            (None, None) => None,
        }
        .unwrap_or_else(|| (builtin::LOGO_SVG.to_vec(), "image/svg+xml"));

        let mut messages =
            parse_messages(builtin::MESSAGES).expect("the built-in messages are valid (tested)");
        if let Some(path) = read("messages.toml") {
            if let Some(text) = read_text(&path, &mut warnings) {
                match parse_messages(&text) {
                    Ok(theirs) => {
                        for (key, text) in theirs {
                            if !messages.contains_key(&key) && !key.starts_with(CUSTOM_PREFIX) {
                                warnings.push(ThemeWarning {
                                    file: path.clone(),
                                    line: None,
                                    problem: format!(
                                        "unknown message {key:?}: a theme's own texts start \
                                         with \"{CUSTOM_PREFIX}\""
                                    ),
                                });
                            }
                            messages.insert(key, text);
                        }
                    }
                    Err((line, problem)) => {
                        warnings.push(ThemeWarning {
                            file: path.clone(),
                            line,
                            problem,
                        });
                    }
                }
            }
        }

        let mut templates = Environment::new();
        for (name, source) in builtin::TEMPLATES {
            let theirs = read(&format!("templates/{name}"))
                .and_then(|path| read_text(&path, &mut warnings).map(|text| (path, text)));
            if let Some((path, text)) = theirs {
                match templates.add_template_owned(name, text) {
                    Ok(()) => continue,
                    Err(error) => warnings.push(ThemeWarning {
                        file: path,
                        line: error.line(),
                        problem: format!(
                            "{} ({}); the built-in {name} is used instead",
                            error.kind(),
                            error.detail().unwrap_or("no detail")
                        ),
                    }),
                }
            }
            templates
                .add_template(name, source)
                .expect("the built-in templates parse (tested)");
        }

        (
            Theme {
                css,
                logo,
                logo_type,
                messages,
                templates,
            },
            warnings,
        )
    }
}

fn read_text(path: &Path, warnings: &mut Vec<ThemeWarning>) -> Option<String> {
    read_bytes(path, warnings).and_then(|bytes| match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(_) => {
            warnings.push(ThemeWarning {
                file: path.to_owned(),
                line: None,
                problem: "is not UTF-8 text; the built-in one is used instead".into(),
            });
            None
        }
    })
}

fn read_bytes(path: &Path, warnings: &mut Vec<ThemeWarning>) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            warnings.push(ThemeWarning {
                file: path.to_owned(),
                line: None,
                problem: format!("cannot be read ({error}); the built-in one is used instead"),
            });
            None
        }
    }
}

/// Parses flat `key = "text"` TOML, or says on which line it fails.
fn parse_messages(text: &str) -> Result<BTreeMap<String, String>, (Option<usize>, String)> {
    let table: toml::Table = text.parse().map_err(|error: toml::de::Error| {
        let line = error
            .span()
            .map(|span| text[..span.start].lines().count().max(1));
        (
            line,
            format!(
                "{}; the built-in messages are used instead",
                error.message()
            ),
        )
    })?;
    let mut messages = BTreeMap::new();
    for (key, value) in table {
        match value {
            toml::Value::String(text) => {
                messages.insert(key, text);
            }
            _ => return Err((None, format!("message {key:?} must be a text in quotes"))),
        }
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_theme_loads_without_warnings() {
        let (theme, warnings) = Theme::load(None);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            theme.messages.get("brand").map(String::as_str),
            Some("twostep")
        );
        for (name, _) in builtin::TEMPLATES {
            assert!(theme.templates.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_broken_template_is_reported_with_its_line_and_replaced() {
        let dir = tempfile::tempdir().expect("folder");
        std::fs::create_dir(dir.path().join("templates")).expect("folder");
        std::fs::write(dir.path().join("templates/pin.html"), "<h1>\n{% if %}\n").expect("write");
        std::fs::write(
            dir.path().join("messages.toml"),
            "brand = \"Acme\"\nnope = 1\n",
        )
        .expect("write");
        let (theme, warnings) = Theme::load(Some(dir.path()));
        let pin = warnings
            .iter()
            .find(|w| w.file.ends_with("pin.html"))
            .expect("reported");
        assert_eq!(pin.line, Some(2));
        assert!(theme.templates.get_template("pin.html").is_ok());
        // The messages file is refused whole when one entry is not a text.
        assert!(warnings.iter().any(|w| w.file.ends_with("messages.toml")));
        assert_eq!(theme.messages["brand"], "twostep");
    }

    #[test]
    fn theme_messages_override_and_unknown_keys_are_reported() {
        let dir = tempfile::tempdir().expect("folder");
        std::fs::write(
            dir.path().join("messages.toml"),
            "brand = \"Acme\"\nbrnad = \"x\"\n",
        )
        .expect("write");
        let (theme, warnings) = Theme::load(Some(dir.path()));
        assert_eq!(theme.messages["brand"], "Acme");
        assert_eq!(theme.messages["login_title"], "Sign in");
        assert!(warnings.iter().any(|w| w.problem.contains("brnad")));
    }
}
