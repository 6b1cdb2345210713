//! Text for HTML: the one escape every page writer uses.

/// Escapes `&`, `<`, `>` and `"`, so text is safe in element content and
/// in double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(
            super::escape(r#"a < b & "c" > d'é"#),
            "a &lt; b &amp; &quot;c&quot; &gt; d'é"
        );
    }
}
