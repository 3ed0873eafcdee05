//! Avatars drawn from the account name, so no outside service is ever asked for one.

use sha2::{Digest, Sha256};

/// A round SVG avatar with the first letter of `display_name` on a colour derived from
/// `username`, so each account keeps its colour when its display name changes.
pub fn svg(username: &str, display_name: &str) -> String {
    let digest = Sha256::digest(username.as_bytes());
    let hue = u16::from_be_bytes([digest[0], digest[1]]) % 360;
    let initial = display_name
        .chars()
        .chain(username.chars())
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_else(|| "?".to_owned());
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\" \
         viewBox=\"0 0 96 96\" role=\"img\" aria-label=\"{label}\">\
         <circle cx=\"48\" cy=\"48\" r=\"48\" fill=\"hsl({hue} 45% 42%)\"/>\
         <text x=\"48\" y=\"48\" dy=\".35em\" text-anchor=\"middle\" \
         font-family=\"system-ui, sans-serif\" font-size=\"44\" fill=\"#fff\">{initial}</text>\
         </svg>",
        label = escape(display_name),
        initial = escape(&initial),
    )
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped() {
        let drawn = svg("mallory", "<script>&\"");
        assert!(!drawn.contains("<script>"));
        assert!(drawn.contains("&lt;script&gt;&amp;&quot;"));
    }

    #[test]
    fn initial_is_the_first_letter_upper_cased() {
        assert!(svg("alice", "alice liddell").contains(">A</text>"));
        assert!(svg("bob", "").contains(">B</text>"));
    }
}
