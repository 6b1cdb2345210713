//! al-folio's Distill posts (`layout: distill`) write citations, footnotes
//! and code as Distill's own elements, which only Distill's JavaScript
//! draws: `<d-cite key="a,b"></d-cite>`, `<d-footnote>...</d-footnote>`
//! and `<d-code [block] language="x">...</d-code>`. For the HTML site they
//! become what they mean: author–year citations linked to the reference
//! list, numbered footnotes gathered at the end of the post, and code.
//! Code spans and fenced code are left as they are.

use super::liquid::{code_span, fenced_block};
use super::shown::{Shown, code_figure};
use crate::html::escape;

/// `text` (a post's Markdown for the HTML site) with Distill's elements
/// replaced, and its footnotes appended.
pub(super) fn show(text: &str, shown: &Shown<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut notes: Vec<String> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let line_start = at == 0 || text.as_bytes()[at - 1] == b'\n';
        let skip = if line_start {
            fenced_block(rest).unwrap_or(0)
        } else {
            0
        };
        let skip = if skip == 0 && rest.starts_with('`') {
            code_span(rest).max(rest.chars().take_while(|&c| c == '`').count())
        } else {
            skip
        };
        if skip > 0 {
            out.push_str(&rest[..skip]);
            at += skip;
            continue;
        }
        if let Some((len, html)) =
            element(rest, shown, &mut notes, text[..at].matches('\n').count())
        {
            out.push_str(&html);
            at += len;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        at += c.len_utf8();
    }
    if !notes.is_empty() {
        out.push_str("\n\n<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n");
        for (n, note) in notes.iter().enumerate() {
            let n = n + 1;
            out.push_str(&format!(
                "<li id=\"d-fn-{n}\">{} <a href=\"#d-fnref-{n}\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a></li>\n",
                note.trim().replace("\n\n", "\n")
            ));
        }
        out.push_str("</ol>\n</section>\n");
    }
    out
}

/// The Distill element at the start of `text`, if it is one: its length
/// and what the HTML site shows for it.
fn element(
    text: &str,
    shown: &Shown<'_>,
    notes: &mut Vec<String>,
    line: usize,
) -> Option<(usize, String)> {
    let name = ["d-cite", "d-footnote", "d-code"]
        .into_iter()
        .find(|name| {
            text.strip_prefix('<')
                .and_then(|t| t.strip_prefix(name))
                .is_some_and(|t| t.starts_with([' ', '>', '\n', '/']))
        })?;
    let open_end = text.find('>')? + 1;
    let attributes = text[1 + name.len()..open_end - 1].trim_end_matches('/');
    let close = format!("</{name}>");
    let (content, len) = if text[..open_end].ends_with("/>") {
        ("", open_end)
    } else {
        let end = open_end + text[open_end..].find(&close)?;
        (&text[open_end..end], end + close.len())
    };
    let html = match name {
        "d-cite" => {
            let keys = attribute(attributes, "key")
                .unwrap_or_default()
                .replace(',', " ");
            shown.cite(&keys).unwrap_or_else(|why| {
                let what = why.unwrap_or_else(|| "a `<d-cite>` without keys".to_owned());
                shown.note(line, what);
                format!("<span class=\"citation\">[{}]</span>", escape(&keys))
            })
        }
        "d-footnote" => {
            notes.push(content.to_owned());
            let n = notes.len();
            format!(
                "<sup class=\"footnote-ref\" id=\"d-fnref-{n}\"><a href=\"#d-fn-{n}\" role=\"doc-noteref\">{n}</a></sup>"
            )
        }
        _ => {
            let language = attribute(attributes, "language").unwrap_or_else(|| "text".to_owned());
            let block = attributes.split_whitespace().any(|a| a == "block");
            if block {
                code_figure(content.trim_matches('\n'), &language, false)
            } else {
                format!(
                    "<code class=\"language-{}\">{}</code>",
                    escape(&language),
                    escape(content)
                )
            }
        }
    };
    Some((len, html))
}

/// The value of `name="..."` (or single-quoted, or bare) among an
/// element's attributes.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let mut rest = attributes;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default().to_owned(),
            _ => value
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_quoted_or_bare() {
        assert_eq!(attribute(" key=\"a,b\"", "key").as_deref(), Some("a,b"));
        assert_eq!(
            attribute(" block language='js'", "language").as_deref(),
            Some("js")
        );
        assert_eq!(
            attribute(" language=r block", "language").as_deref(),
            Some("r")
        );
        assert_eq!(attribute(" mykey=\"x\"", "key"), None);
    }
}
