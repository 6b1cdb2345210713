//! kramdown's extensions, `{::name ...}...{:/name}` (or `{:/}`) and
//! `{::name ... /}`, taken out of the Markdown before it is parsed:
//! `nomarkdown`'s content is raw HTML, never read as Markdown; `comment`,
//! `options` and any other extension are dropped. Code is left alone.

use crate::render::liquid::fenced_block;

/// The marker left where raw HTML goes back in, by [`restore`].
fn marker(k: usize) -> String {
    format!("<!--likely-raw:{k}-->")
}

/// The Markdown without extensions, and the raw HTML of each
/// `nomarkdown`, whose marker is in its place. A block extension's lines
/// become empty lines, so later lines keep their numbers.
pub fn take(markdown: &str) -> (String, Vec<String>) {
    if !markdown.contains("{::") {
        return (markdown.to_owned(), Vec::new());
    }
    let mut out = String::with_capacity(markdown.len());
    let mut raw = Vec::new();
    let mut at = 0;
    let mut line_start = true;
    while at < markdown.len() {
        let rest = &markdown[at..];
        if line_start && let Some(len) = fenced_block(rest) {
            out.push_str(&rest[..len]);
            at += len;
            continue;
        }
        line_start = false;
        let Some(c) = rest.chars().next() else { break };
        if c == '`' {
            let len = code_span(rest);
            out.push_str(&rest[..len]);
            at += len;
            continue;
        }
        if rest.starts_with("{::")
            && let Some(found) = extension(markdown, at)
        {
            let block = is_block(markdown, at, found.end);
            let lines = markdown[at..found.end].matches('\n').count();
            if found.name == "nomarkdown" {
                out.push_str(&marker(raw.len()));
                raw.push(found.content.to_owned());
            }
            if block {
                out.push_str(&"\n".repeat(lines));
            }
            at = found.end;
            continue;
        }
        out.push(c);
        at += c.len_utf8();
        line_start = c == '\n';
    }
    (out, raw)
}

/// The HTML with each marker of [`take`] replaced by its raw HTML.
pub fn restore(html: &str, raw: &[String]) -> String {
    let mut html = html.to_owned();
    for (k, chunk) in raw.iter().enumerate() {
        html = html.replacen(&marker(k), chunk, 1);
    }
    html
}

struct Found<'a> {
    name: &'a str,
    content: &'a str,
    end: usize,
}

/// The extension starting at `at` (with `{::`): its name, content and
/// end. An opening tag with no closing one is dropped on its own.
fn extension(text: &str, at: usize) -> Option<Found<'_>> {
    let after = &text[at + 3..];
    let name_len = after
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(after.len());
    let name = &after[..name_len];
    if name.is_empty() {
        return None;
    }
    let tag_len = after.find('}')?;
    let body_start = at + 3 + tag_len + 1;
    if after[..tag_len].trim_end().ends_with('/') {
        return Some(Found {
            name,
            content: "",
            end: body_start,
        });
    }
    let rest = &text[body_start..];
    let close = [format!("{{:/{name}}}"), "{:/}".to_owned()]
        .iter()
        .filter_map(|tag| rest.find(tag.as_str()).map(|k| (k, tag.len())))
        .min();
    Some(match close {
        Some((k, len)) => Found {
            name,
            content: &rest[..k],
            end: body_start + k + len,
        },
        None => Found {
            name,
            content: "",
            end: body_start,
        },
    })
}

/// Whether the extension from `start` to `end` stands on lines of its
/// own, making it a block.
fn is_block(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |k| k + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |k| end + k);
    text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty()
}

/// The length of the code span (or run of backticks) starting `text`.
fn code_span(text: &str) -> usize {
    let ticks = text.len() - text.trim_start_matches('`').len();
    let line_end = text.find('\n').unwrap_or(text.len());
    let mut from = ticks;
    while let Some(k) = text[from..line_end].find('`') {
        let start = from + k;
        let run = text[start..].len() - text[start..].trim_start_matches('`').len();
        if run == ticks {
            return start + run;
        }
        from = start + run;
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nomarkdown_is_kept_raw_and_the_rest_dropped() {
        let (out, raw) = take(
            "a {::nomarkdown}<b>*x*</b>{:/nomarkdown} b\n\n{::comment}\n# no\n{:/comment}\n{::options auto_ids=\"false\" /}\nc {::comment}gone{:/} d\n",
        );
        assert_eq!(out, "a <!--likely-raw:0--> b\n\n\n\n\n\nc  d\n");
        assert_eq!(raw, ["<b>*x*</b>"]);
        assert_eq!(restore(&out, &raw), "a <b>*x*</b> b\n\n\n\n\n\nc  d\n");
    }

    #[test]
    fn code_keeps_its_extensions() {
        let post = "`{::comment}` and\n\n```\n{::comment}x{:/}\n```\n";
        assert_eq!(take(post).0, post);
    }

    #[test]
    fn an_unclosed_extension_loses_its_tag_only() {
        assert_eq!(take("a {::comment} b\n").0, "a  b\n");
        assert_eq!(take("a {::} b\n").0, "a {::} b\n");
    }
}
