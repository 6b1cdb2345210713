//! Texts as they go into the SVG.

use std::borrow::Cow;

/// `text` fit for an XML document: tabs and line breaks become spaces (SVG
/// would show them as spaces anyway, and wrapping should see them as break
/// points); other control characters and the non-characters U+FFFE and
/// U+FFFF become U+FFFD. plotters escapes markup (`<`, `&`, quotes) itself
/// but passes these through, and most of them are forbidden in XML 1.0:
/// a single one makes the whole document unreadable to an XML parser.
pub(super) fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| replacement(c).is_none()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| replacement(c).unwrap_or(c)).collect())
}

/// What `c` becomes in a document, if it cannot stay.
fn replacement(c: char) -> Option<char> {
    match c {
        '\t' | '\n' | '\r' => Some(' '),
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}' => Some('\u{FFFD}'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_left_alone() {
        assert!(matches!(clean("μ ± σ <b> & \"q\""), Cow::Borrowed(_)));
    }

    #[test]
    fn line_breaks_become_spaces_and_controls_become_replacement_characters() {
        assert_eq!(clean("a\tb\r\nc"), "a b  c");
        assert_eq!(
            clean("x\u{0}y\u{1B}z\u{FFFF}"),
            "x\u{FFFD}y\u{FFFD}z\u{FFFD}"
        );
    }
}
