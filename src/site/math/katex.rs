//! One formula to KaTeX's HTML (what readers see, drawn with the fonts and
//! stylesheet shipped in `assets/katex/`) and MathML (what screen readers
//! read), with katex-rs, a Rust implementation of KaTeX.
//!
//! The output is made byte-stable: katex-rs writes a tag's attributes in
//! an order that changes from run to run, so they are sorted; and the TeX
//! annotation KaTeX puts in its MathML is dropped, so that no formula's
//! source is left in the page's text.

use std::sync::{Arc, LazyLock, Mutex};

use katex::types::{StrictReturn, StrictSetting, TrustContext, TrustSetting};
use katex::{KatexContext, Settings, render_to_string};

/// KaTeX's symbol and font tables, built once and shared by every thread.
static CONTEXT: LazyLock<KatexContext> = LazyLock::new(KatexContext::default);

/// The largest size a formula may ask for (`\rule`, `\kern`), in em.
const MAX_SIZE: f64 = 200.0;

/// A rendered formula and what the renderer noticed about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Input KaTeX accepted but LaTeX would not (its `strict` reports).
    pub notes: Vec<String>,
}

/// Renders `tex`, in display style or inline.
///
/// # Errors
/// KaTeX's message when it cannot parse or lay out the formula.
pub fn render(tex: &str, display: bool) -> Result<Rendered, String> {
    let notes = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&notes);
    let strict = StrictSetting::Function(Arc::new(move |code: &str, message: &str, _| {
        // Without a message KaTeX only asks whether to check at all. A
        // line break in display math is one, as in MathJax.
        if message.is_empty() {
            return Some(StrictReturn::Bool(true));
        }
        // The anchors of equation labels are an HTML extension on purpose.
        if !["newLineInDisplayMode", "htmlExtension"].contains(&code)
            && let Ok(mut heard) = heard.lock()
        {
            heard.push(format!("{message} [{code}]"));
        }
        Some(StrictReturn::Bool(false))
    }));
    // Only what the equation numbers need: anchors, and links within the
    // page.
    let trust = TrustSetting::Function(Arc::new(|context: &mut TrustContext| {
        Some(match context.command.as_str() {
            "\\htmlId" => true,
            "\\href" => context.url.as_deref().is_some_and(|u| u.starts_with('#')),
            _ => false,
        })
    }));
    let settings = Settings::builder()
        .display_mode(display)
        .throw_on_error(true)
        .strict(strict)
        .trust(trust)
        .max_size(MAX_SIZE)
        .build();
    let html = render_to_string(&CONTEXT, &prepare(tex), &settings).map_err(|e| {
        let message = e.to_string();
        message
            .strip_prefix("KaTeX parse error: ")
            .unwrap_or(&message)
            .to_owned()
    })?;
    let notes = notes.lock().map(|n| n.clone()).unwrap_or_default();
    Ok(Rendered {
        html: sorted_attributes(&without_annotation(&html)),
        notes,
    })
}

/// What MathJax reads differently from KaTeX: `\mathbb{1}`, the
/// indicator, has no double-struck glyph in KaTeX's fonts and becomes a
/// bold one.
fn prepare(tex: &str) -> String {
    tex.replace("\\mathbb{1}", "\\mathbf{1}")
        .replace("\\mathbb 1", "\\mathbf{1}")
}

/// Drops `<annotation encoding="application/x-tex">...</annotation>`.
fn without_annotation(html: &str) -> String {
    const OPEN: &str = "<annotation encoding=\"application/x-tex\">";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        match rest[start..].find("</annotation>") {
            Some(end) => rest = &rest[start + end + "</annotation>".len()..],
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every tag's attributes in name order. KaTeX always quotes attribute
/// values with `"` and escapes `"` inside them, so a tag ends at the first
/// `>` outside quotes.
fn sorted_attributes(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let Some(len) = tag_len(rest) else {
            break;
        };
        out.push_str(&sort_tag(&rest[..len]));
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// The length of the tag at the start of `text`, through its `>`.
fn tag_len(text: &str) -> Option<usize> {
    let mut quoted = false;
    for (k, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(k + 1),
            _ => {}
        }
    }
    None
}

/// `<name b="1" a="2">` as `<name a="2" b="1">`; closing tags and tags
/// with fewer than two attributes as they are.
fn sort_tag(tag: &str) -> String {
    if tag.starts_with("</") || tag.starts_with("<!") {
        return tag.to_owned();
    }
    let inner = tag[1..tag.len() - 1].trim_end();
    let (inner, closing) = match inner.strip_suffix('/') {
        Some(inner) => (inner.trim_end(), "/"),
        None => (inner, ""),
    };
    let Some(name_end) = inner.find(char::is_whitespace) else {
        return tag.to_owned();
    };
    let name = &inner[..name_end];
    let mut attributes = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let end = match rest.find('=') {
            Some(eq) if rest[eq + 1..].starts_with('"') => match rest[eq + 2..].find('"') {
                Some(close) => eq + 2 + close + 1,
                None => return tag.to_owned(),
            },
            _ => rest.find(char::is_whitespace).unwrap_or(rest.len()),
        };
        attributes.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    if attributes.len() < 2 {
        return tag.to_owned();
    }
    attributes.sort_by_key(|a| a.split('=').next().unwrap_or(a));
    format!("<{name} {}{closing}>", attributes.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_sorted_by_name_and_values_kept() {
        assert_eq!(
            sort_tag(r#"<span style="a:b; c:d" class="x y" aria-hidden="true">"#),
            r#"<span aria-hidden="true" class="x y" style="a:b; c:d">"#
        );
        assert_eq!(sort_tag("<br/>"), "<br/>");
        assert_eq!(
            sort_tag(r#"<path d="M0 0" fill="none"/>"#),
            r#"<path d="M0 0" fill="none"/>"#
        );
        assert_eq!(
            sort_tag(r##"<a title="x>y" href="#a">"##),
            r##"<a href="#a" title="x>y">"##
        );
        assert_eq!(
            sorted_attributes(r#"1 <b c="2" a="1">x</b>"#),
            r#"1 <b a="1" c="2">x</b>"#
        );
    }

    #[test]
    fn the_same_formula_renders_to_the_same_bytes_every_time() {
        let tex = r"\left\{ x \in \mathbb{R}^d \;\middle|\; \lVert x \rVert \le \sqrt[3]{\tfrac{1}{2}} \right\} \xrightarrow[a]{b} \underbrace{\boldsymbol{\mu}}_{\text{mean}}";
        let first = render(tex, true).unwrap().html;
        for _ in 0..20 {
            assert_eq!(render(tex, true).unwrap().html, first);
        }
    }

    #[test]
    fn no_tex_source_is_left_in_the_output() {
        let html = render(r"\frac{a}{b}", false).unwrap().html;
        assert!(!html.contains("\\frac"), "{html}");
        assert!(html.contains("<math"), "MathML kept: {html}");
    }

    #[test]
    fn greek_is_greek_and_bold_mu_is_not_the_micro_sign() {
        let html = render(r"\mu + \boldsymbol{\mu} + \bm{\Sigma}", false)
            .unwrap()
            .html;
        assert!(!html.contains('\u{b5}'), "{html}");
        assert!(
            html.contains('\u{3bc}') || html.contains('\u{1d741}'),
            "{html}"
        );
    }

    #[test]
    fn only_anchors_and_links_within_the_page_are_trusted() {
        assert!(render(r"\href{\#eqn-a}{(1)} \htmlId{eqn-a}{}", false).is_ok());
        let outside = render(r"\href{https://example.com}{x}", false)
            .unwrap()
            .html;
        assert!(!outside.contains("example.com\""), "{outside}");
        let style = render(r"\htmlStyle{color:red}{x}", false).unwrap().html;
        assert!(!style.contains("color:red"), "{style}");
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = render(r"\frac{a}{b", true).unwrap_err();
        assert!(e.contains("expected '}'"), "{e}");
        let e = render(r"\undefinedthing x", false).unwrap_err();
        assert!(e.contains("\\undefinedthing"), "{e}");
    }
}
