//! Turns a post's Markdown body into HTML the way the original Jekyll/al-folio
//! site (kramdown, GFM input, then MathJax in the browser) would, except that
//! math is rendered here, at build time (see [`super::math`]). What is math
//! follows kramdown and al-folio's MathJax setup: `$$...$$` is display math
//! when it is a block of its own (which may span blank lines) and inline math
//! otherwise; `$...$`, `\\(...\\)` and `\\[...\\]` (written so that the
//! Markdown leaves `\(` in the text) are math as MathJax finds them; a
//! paragraph that is one `\begin{equation}...\end{equation}` is display math;
//! `\eqref{..}` and `\ref{..}` in the text are references.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use super::kramdown::{self, Spanned, extensions};
use super::math::{self, Formula, find};
use crate::config::MathSettings;
pub use kramdown::{Heading, Script};
pub use math::MathWarning;

/// The Markdown dialect of posts; every parse in this module goes through it so
/// the passes agree on where each construct is.
pub fn options() -> Options {
    Options::ENABLE_MATH
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// HTML for one post body, with the problems found in its math, the
/// blocks it shows as source, and its headings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The body as an HTML fragment (no `<html>`/`<body>` wrapper).
    pub html: String,
    /// One entry per problem with a formula, in document order.
    pub warnings: Vec<MathWarning>,
    /// One entry per kind of block that al-folio draws with JavaScript and
    /// the HTML site shows as its source.
    pub scripts: Vec<Script>,
    /// The headings, in document order, for a table of contents.
    pub headings: Vec<Heading>,
    /// Whether the body has math, so its page needs the math stylesheet.
    pub has_math: bool,
}

/// Renders a post body (already through the template engine) to HTML.
///
/// Never panics on odd input and never drops text: a formula that cannot be
/// rendered is shown as its TeX in a code element, with a warning.
pub fn to_html(markdown: &str, settings: MathSettings) -> Rendered {
    let (markdown, raw) = extensions::take(markdown);
    let (source, blocks) = find::blocks(&markdown);
    let source = if settings.single_dollar {
        source
    } else {
        literal_single_dollars(&source)
    };
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(&source, options())
        .into_offset_iter()
        .collect();
    assign_heading_ids(&mut events);
    let mut formulas = Formulas {
        blocks,
        single_dollar: settings.single_dollar,
        found: Vec::new(),
    };
    let events = lay_out(events, &source, &mut formulas);
    let found = &formulas.found;
    let tex_of = |html: &str| {
        let k: usize = html
            .strip_prefix("<!--likely-math:")?
            .strip_suffix("-->")?
            .parse()
            .ok()?;
        found.get(k).map(|f| f.tex.clone())
    };
    let applied = kramdown::apply(events, &source, &tex_of);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, applied.events.into_iter());
    let (rendered, warnings) = math::render_all(found);
    let html = kramdown::finish(&substitute(&html, &rendered), &applied.tables);
    Rendered {
        html: extensions::restore(&html, &raw),
        warnings,
        scripts: applied.scripts,
        headings: applied.headings,
        has_math: !found.is_empty(),
    }
}

/// The formulas of a post as they are met, each leaving a marker in the
/// HTML that [`substitute`] replaces by its rendering.
struct Formulas {
    /// The display blocks [`find::blocks`] took out of the source.
    blocks: Vec<String>,
    /// Whether `$...$` is math.
    single_dollar: bool,
    found: Vec<Formula>,
}

impl Formulas {
    fn add(&mut self, tex: &str, display: bool) -> String {
        self.found.push(Formula {
            tex: tex.trim().to_owned(),
            display,
        });
        marker(self.found.len() - 1)
    }
}

fn marker(k: usize) -> String {
    format!("<!--likely-math:{k}-->")
}

/// The HTML with each formula's marker replaced by its rendering.
fn substitute(html: &str, rendered: &[String]) -> String {
    let mut out =
        String::with_capacity(html.len() + rendered.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(start) = rest.find("<!--likely-math:") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + "<!--likely-math:".len()..];
        let parsed = tail.split_once("-->").and_then(|(k, after)| {
            let k: usize = k.parse().ok()?;
            Some((rendered.get(k)?, after))
        });
        match parsed {
            Some((formula, after)) => {
                out.push_str(formula);
                rest = after;
            }
            None => {
                out.push_str("<!--likely-math:");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Passes of [`literal_single_dollars`] before giving up; real posts need one
/// or two, and the leftovers are still shown as text by [`lay_out`].
const MAX_DOLLAR_PASSES: usize = 8;

/// kramdown has no single-dollar math, but pulldown-cmark's `$x$` spans would
/// hide Markdown between the dollars (`$5 and [a link](u) $6`). Escaping the
/// two delimiters of each such span and parsing again keeps the dollars as text
/// and lets the Markdown inside them work. Only backslashes are inserted, so
/// line numbers in the result are those of the input.
fn literal_single_dollars(markdown: &str) -> String {
    let mut source = markdown.to_owned();
    for _ in 0..MAX_DOLLAR_PASSES {
        let spans: Vec<Range<usize>> = Parser::new_ext(&source, options())
            .into_offset_iter()
            .filter(|(event, _)| matches!(event, Event::InlineMath(_)))
            .map(|(_, range)| range)
            .collect();
        if spans.is_empty() {
            break;
        }
        source = escape_delimiters(&source, &spans);
    }
    source
}

fn escape_delimiters(source: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(source.len() + 2 * spans.len());
    let mut copied = 0;
    let delimiters = spans
        .iter()
        .flat_map(|span| [span.start, span.end.saturating_sub(1)]);
    for at in delimiters {
        // Offsets come from the parser; the check keeps a surprise from
        // escaping something that is not a dollar.
        if at >= copied && source.as_bytes().get(at) == Some(&b'$') {
            out.push_str(&source[copied..at]);
            out.push('\\');
            copied = at;
        }
    }
    out.push_str(&source[copied..]);
    out
}

/// Gives every heading an id in the style of kramdown's GFM parser, so links
/// to sections written for the Jekyll site keep working.
fn assign_heading_ids(events: &mut [(Event, Range<usize>)]) {
    let mut used = HashSet::new();
    for index in 0..events.len() {
        if !matches!(events[index].0, Event::Start(Tag::Heading { id: None, .. })) {
            continue;
        }
        let text = heading_text(&events[index + 1..]);
        let id = match kramdown::header_id(&text) {
            Some(id) => {
                used.insert(id.to_owned());
                id.to_owned()
            }
            None => unique_id(slug(&text), &mut used),
        };
        if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[index].0 {
            *slot = Some(CowStr::from(id));
        }
    }
}

fn heading_text(events: &[(Event, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(part) | Event::Code(part) => text.push_str(part),
            Event::InlineMath(part) | Event::DisplayMath(part) => text.push_str(part.trim()),
            _ => {}
        }
    }
    text
}

/// kramdown-parser-gfm's rule: lowercase, keep word characters and hyphens,
/// turn spaces into hyphens (no collapsing, so "a & b" gives "a--b").
fn slug(text: &str) -> String {
    let slug: String = text
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' | '\t' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect();
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug
    }
}

/// Same suffixes as kramdown (`-1`, `-2`, ...), but also skips ids that an
/// earlier heading took literally, which kramdown would duplicate.
fn unique_id(base: String, used: &mut HashSet<String>) -> String {
    if used.insert(base.clone()) {
        return base;
    }
    let mut n = 1;
    loop {
        let candidate = format!("{base}-{n}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// Replaces math by markers of formulas and drops the `<p>` around display
/// math.
fn lay_out<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &'a str,
    formulas: &mut Formulas,
) -> Vec<Spanned<'a>> {
    let mut out = Vec::with_capacity(events.len());
    // Whether each open container is a list item: a tight item holds its text
    // directly, without a paragraph, yet kramdown treats it as one.
    let mut in_item = Vec::new();
    let mut in_code = false;
    let mut text = String::new();
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut index = 0;
    while index < events.len() {
        let directly_in_item = in_item.last() == Some(&true);
        if !in_code && let Some((formula, next)) = lone_formula(&events, index, directly_in_item) {
            if let (Event::DisplayMath(latex), range) = &events[formula] {
                let html = formulas.add(latex, true) + "\n";
                out.push((Event::Html(CowStr::from(html)), range.clone()));
            }
            index = next;
            continue;
        }
        let (event, range) = &events[index];
        index += 1;
        // The indent pulldown-cmark gives an HTML block before a display
        // block's placeholder.
        if let Event::Text(part) = event
            && part.trim().is_empty()
            && matches!(events.get(index), Some((Event::Html(html), _)) if block_index(html).is_some())
        {
            continue;
        }
        if let Event::Text(part) = event
            && !in_code
        {
            // Text comes in pieces (at escapes, say); MathJax reads it whole.
            if text.is_empty() {
                text_start = range.start;
            }
            text.push_str(part);
            pieces.push((event.clone(), range.clone()));
            if !matches!(events.get(index), Some((Event::Text(_), _))) {
                // `$$...$$` left as text (pulldown-cmark wants balanced
                // braces in math) is math all the same to kramdown, unless
                // its dollars were escaped.
                let dollars = unescaped_double_dollars(&source[text_start..range.end]) >= 2;
                let span = text_start..range.end;
                let text = std::mem::take(&mut text);
                let pieces = std::mem::take(&mut pieces);
                text_math(&text, pieces, span, dollars, formulas, &mut out);
            }
            continue;
        }
        match event {
            Event::Start(tag) => {
                in_item.push(matches!(tag, Tag::Item));
                in_code |= matches!(tag, Tag::CodeBlock(_) | Tag::HtmlBlock);
            }
            Event::End(end) => {
                in_item.pop();
                in_code &= !matches!(end, TagEnd::CodeBlock | TagEnd::HtmlBlock);
            }
            _ => {}
        }
        let laid = inline_event(event.clone(), range, source, formulas);
        out.push((laid, range.clone()));
    }
    out
}

fn inline_event<'a>(
    event: Event<'a>,
    range: &Range<usize>,
    source: &'a str,
    formulas: &mut Formulas,
) -> Event<'a> {
    match event {
        Event::DisplayMath(latex) => Event::InlineHtml(formulas.add(&latex, false).into()),
        Event::InlineMath(latex) if formulas.single_dollar => {
            Event::InlineHtml(formulas.add(&latex, false).into())
        }
        // `$...$` that is not math: the author's text, unchanged (only
        // reached when `literal_single_dollars` gave up).
        Event::InlineMath(_) => Event::Text(CowStr::Borrowed(&source[range.clone()])),
        Event::Html(html) => match block_index(&html) {
            Some(k) if k < formulas.blocks.len() => {
                let tex = formulas.blocks[k].clone();
                Event::Html(CowStr::from(formulas.add(&tex, true) + "\n"))
            }
            _ => Event::Html(html),
        },
        other => other,
    }
}

/// The index of a [`find::placeholder`] that `html` is.
fn block_index(html: &str) -> Option<usize> {
    html.trim()
        .strip_prefix("<!--likely-math-block:")?
        .strip_suffix("-->")?
        .parse()
        .ok()
}

/// Text outside code, where MathJax also finds `\(...\)`, `\[...\]`,
/// `\eqref{..}` and `\ref{..}`.
/// Text without math is left in its pieces, with their source ranges,
/// which later passes read again (attribute lists after a span); text
/// with math is split around it, each part with the whole text's range.
fn text_math<'a>(
    text: &str,
    pieces: Vec<Spanned<'a>>,
    span: Range<usize>,
    dollars: bool,
    formulas: &mut Formulas,
    out: &mut Vec<Spanned<'a>>,
) {
    if next_text_math(text, dollars).is_none() {
        out.extend(pieces);
        return;
    }
    let mut rest = text;
    while let Some((start, end, tex, display)) = next_text_math(rest, dollars) {
        if start > 0 {
            let piece = Event::Text(CowStr::from(rest[..start].to_owned()));
            out.push((piece, span.clone()));
        }
        let marker = Event::InlineHtml(formulas.add(tex, display).into());
        out.push((marker, span.clone()));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push((Event::Text(CowStr::from(rest.to_owned())), span));
    }
}

/// How many times `$$` appears in `source` not after a backslash.
fn unescaped_double_dollars(source: &str) -> usize {
    source
        .match_indices("$$")
        .filter(|(k, _)| !source[..*k].ends_with('\\'))
        .count()
}

/// The first math in plain text: its range, its TeX and whether it is
/// display math; `$$...$$` (always inline here) only when `dollars`.
fn next_text_math(text: &str, dollars: bool) -> Option<(usize, usize, &str, bool)> {
    let dollar = dollars
        .then(|| {
            let at = text.find("$$")?;
            let len = text[at + 2..].find("$$")?;
            Some((at, at + 2 + len + 2, &text[at + 2..at + 2 + len], false))
        })
        .flatten();
    let backslash = backslash_math(text);
    match (dollar, backslash) {
        (Some(d), Some(b)) => Some(if d.0 < b.0 { d } else { b }),
        (d, b) => d.or(b),
    }
}

/// The first `\(...\)`, `\[...\]`, `\eqref{..}` or `\ref{..}` in text.
fn backslash_math(text: &str) -> Option<(usize, usize, &str, bool)> {
    let mut from = 0;
    while let Some(at) = text[from..].find('\\').map(|k| from + k) {
        let rest = &text[at..];
        for (open, close, display) in [("\\(", "\\)", false), ("\\[", "\\]", true)] {
            if let Some(body) = rest.strip_prefix(open)
                && let Some(len) = body.find(close)
            {
                let end = at + open.len() + len + close.len();
                return Some((at, end, &body[..len], display));
            }
        }
        for command in ["\\eqref{", "\\ref{"] {
            if rest.starts_with(command)
                && let Some(close) = rest.find('}')
            {
                return Some((at, at + close + 1, &rest[..close + 1], false));
            }
        }
        from = at + 1;
    }
    None
}

/// If the block starting at `index` is nothing but one `$$...$$`, returns that
/// formula's index and the index after the block. This is kramdown's rule: math
/// is display math only when it stands between block boundaries.
fn lone_formula(
    events: &[(Event, Range<usize>)],
    index: usize,
    directly_in_item: bool,
) -> Option<(usize, usize)> {
    let event = &events[index].0;
    if matches!(event, Event::Start(Tag::Paragraph)) {
        let body = index + 1;
        let end = body
            + events[body..]
                .iter()
                .position(|(event, _)| matches!(event, Event::End(TagEnd::Paragraph)))?;
        return Some((only_formula(&events[body..end])? + body, end + 1));
    }
    let starts_text_run = index == 0 || !is_inline(&events[index - 1].0);
    if directly_in_item && starts_text_run && is_inline(event) {
        let len = events[index..]
            .iter()
            .position(|(event, _)| !is_inline(event))
            .unwrap_or(events.len() - index);
        return Some((
            only_formula(&events[index..index + len])? + index,
            index + len,
        ));
    }
    None
}

fn only_formula(run: &[(Event, Range<usize>)]) -> Option<usize> {
    let mut formula = None;
    for (position, (event, _)) in run.iter().enumerate() {
        match event {
            Event::DisplayMath(_) if formula.is_none() => formula = Some(position),
            Event::Text(text) if text.trim().is_empty() => {}
            Event::SoftBreak => {}
            _ => return None,
        }
    }
    formula
}

fn is_inline(event: &Event) -> bool {
    match event {
        Event::Start(tag) => is_inline_tag(tag.to_end()),
        Event::End(tag) => is_inline_tag(*tag),
        Event::Html(_) | Event::Rule | Event::TaskListMarker(_) => false,
        _ => true,
    }
}

fn is_inline_tag(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(markdown: &str, single_dollar: bool) -> Rendered {
        to_html(markdown, MathSettings { single_dollar })
    }

    fn html(markdown: &str) -> String {
        with(markdown, true).html
    }

    const BLOCK: &str = "<span class=\"katex-display\">";
    const KATEX: &str = "<span class=\"katex\">";

    fn inline_count(out: &str) -> usize {
        out.matches(KATEX).count() - out.matches(BLOCK).count()
    }

    use super::math::visible_text;

    #[test]
    fn options_enable_the_post_dialect() {
        let options = options();
        for wanted in [
            Options::ENABLE_MATH,
            Options::ENABLE_TABLES,
            Options::ENABLE_FOOTNOTES,
            Options::ENABLE_SMART_PUNCTUATION,
            Options::ENABLE_STRIKETHROUGH,
            Options::ENABLE_TASKLISTS,
            Options::ENABLE_YAML_STYLE_METADATA_BLOCKS,
        ] {
            assert!(options.contains(wanted));
        }
    }

    #[test]
    fn display_math_paragraph_becomes_a_block() {
        let out = html("before\n\n$$x^2$$\n\nafter\n");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
        assert!(!out.contains("<p><span class=\"katex"), "{out}");
        assert_eq!(inline_count(&out), 0, "{out}");
    }

    #[test]
    fn a_block_spans_blank_lines_and_lines_starting_with_a_sign() {
        let out = html(
            "Text\n\n$$\n\\begin{aligned}\na &= b\n\n- c &= d\n+ e &= f\n\\end{aligned}\n$$\n\nAfter\n",
        );
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
        assert!(!out.contains("<ul>") && !out.contains("<li>"), "{out}");
        assert!(out.ends_with("<p>After</p>\n"), "{out}");
    }

    #[test]
    fn indented_display_math_with_trailing_spaces_is_still_a_block() {
        let out = html("   $$x$$   \n");
        assert!(out.starts_with(BLOCK), "{out}");
        let code = html("Text\n\n    $$x$$\n");
        assert!(code.contains("<pre><code>$$x$$"), "{code}");
    }

    #[test]
    fn double_dollars_inside_a_sentence_are_inline() {
        let out = html("A model $$p_\\phi(x)$$ that fits.\n");
        assert!(
            out.starts_with("<p>A model <span class=\"katex\">"),
            "{out}"
        );
        assert!(out.ends_with("</span> that fits.</p>\n"), "{out}");
    }

    #[test]
    fn display_math_next_to_text_is_inline_as_in_kramdown() {
        for post in [
            "$$p(x) = 1$$.\n",
            "where\n$$x$$\n",
            "$$x$$\nwhere\n",
            "$$a$$\n$$b$$\n",
        ] {
            let out = html(post);
            assert!(
                inline_count(&out) >= 1 && !out.contains(BLOCK),
                "{post}: {out}"
            );
        }
    }

    #[test]
    fn single_dollars_are_inline_math_as_al_folio_sets_mathjax_up() {
        let out = html("so $x^2$ here\n");
        assert_eq!(inline_count(&out), 1, "{out}");
        // Not math when the dollars cannot delimit it.
        assert_eq!(
            html("It costs $5 and $10.\n"),
            "<p>It costs $5 and $10.</p>\n"
        );
    }

    #[test]
    fn single_dollars_are_text_when_the_site_says_so() {
        let off = |md| with(md, false).html;
        assert_eq!(off("so $x$ here\n"), "<p>so $x$ here</p>\n");
        assert_eq!(
            off("$5 for [this](u) and *that* $6\n"),
            "<p>$5 for <a href=\"u\">this</a> and <em>that</em> $6</p>\n"
        );
        assert_eq!(off("$a<b$\n"), "<p>$a&lt;b$</p>\n");
    }

    #[test]
    fn backslash_delimiters_are_math_once_markdown_has_read_them() {
        // `\\(` in the Markdown is `\(` in the text, which MathJax reads.
        let out = html("inline \\\\(a+b\\\\) and display \\\\[c\\\\] here\n");
        assert_eq!(inline_count(&out), 1, "{out}");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
        // `\(` is an escaped parenthesis, in kramdown as here.
        assert_eq!(html("see \\(x\\)\n"), "<p>see (x)</p>\n");
    }

    #[test]
    fn escaped_dollars_are_text() {
        assert_eq!(html("\\$\\$x\\$\\$\n"), "<p>$$x$$</p>\n");
        // kramdown's span test (single dollars being text there): an
        // escaped `\$$` opens nothing.
        assert_eq!(
            with("$5.00 \\$$no math$$\n", false).html,
            "<p>$5.00 $$no math$$</p>\n"
        );
    }

    #[test]
    fn double_dollars_with_unbalanced_braces_are_still_math_and_warned_about() {
        let rendered = with("See $$\\frac{a}{b$$ here.\n", true);
        assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
        assert!(
            rendered
                .html
                .contains("<code class=\"math-error\">\\frac{a}{b</code>"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn code_keeps_its_dollars_and_backslashes() {
        assert_eq!(
            html("run `echo $$x$$ \\\\(y\\\\)` now\n"),
            "<p>run <code>echo $$x$$ \\\\(y\\\\)</code> now</p>\n"
        );
        assert_eq!(
            html("```\n$$x$$\n\n$$\ny\n$$\n\\eqref{a}\n```\n"),
            "<pre><code>$$x$$\n\n$$\ny\n$$\n\\eqref{a}\n</code></pre>\n"
        );
    }

    #[test]
    fn latex_is_not_read_as_markdown() {
        let out = html("$$a_1 * b_2 * c_3 \\\\ d$$\n");
        assert!(!out.contains("<em>"), "{out}");
    }

    #[test]
    fn no_tex_source_reaches_the_text_of_the_page() {
        let post = "Let $$\\frac{a}{b} < \\sqrt{c}$$ and $x_1$.\n\n$$\n\\begin{align}\na &= b \\label{e}\n\\end{align}\n$$\n\nBy \\eqref{e}, \\\\(y\\\\).\n";
        let rendered = with(post, true);
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
        let text = visible_text(&rendered.html);
        assert!(!text.contains('\\') && !text.contains('$'), "{text}");
    }

    #[test]
    fn equations_are_numbered_and_references_link_to_them() {
        let post = "\\begin{equation}\nx = 1 \\label{eq:x}\n\\end{equation}\n\n$$\n\\begin{align}\na &= b \\nonumber \\\\\n  &= c \\label{eq:c}\n\\end{align}\n$$\n\nSo \\eqref{eq:c} follows from \\eqref{eq:x}, and $$\\ref{eq:c}$$ is a number.\n";
        let rendered = with(post, true);
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
        let out = &rendered.html;
        assert!(out.contains("id=\"eqn-eq:x\""), "{out}");
        assert!(out.contains("id=\"eqn-eq:c\""), "{out}");
        assert!(out.contains("href=\"#eqn-eq:c\""), "{out}");
        let text = visible_text(out);
        assert!(text.contains("(1)") && text.contains("(2)"), "{text}");
        assert!(!text.contains("(3)"), "{text}");
    }

    #[test]
    fn an_unknown_reference_is_a_warning_and_shows_question_marks() {
        let rendered = with("See \\eqref{nope}.\n", true);
        assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
        assert!(rendered.warnings[0].message.contains("nope"));
        assert!(visible_text(&rendered.html).contains("(??)"));
    }

    #[test]
    fn pipe_inside_math_in_a_paragraph_is_not_a_table() {
        let out = html("text $$a | b$$ more\n\n$$p || q$$\n");
        assert!(!out.contains("<table>"), "{out}");
        assert_eq!(inline_count(&out), 1, "{out}");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
    }

    #[test]
    fn math_in_table_cells_is_inline() {
        let out = html("| a | b |\n|---|---|\n| $$x\\|y$$ | $$z$$ |\n");
        assert!(out.contains("<td><span class=\"katex\">"), "{out}");
        assert_eq!(out.matches("<td>").count(), 2, "{out}");
    }

    #[test]
    fn lone_math_in_list_items_is_a_block() {
        let out = html("- $$x$$\n- item $$y$$\n");
        assert!(out.contains(&format!("<li>{BLOCK}")), "{out}");
        assert!(out.contains("<li>item <span class=\"katex\">"), "{out}");
        let out = html("* list $$a$$\n\n  $$b$$\n");
        assert!(out.contains("<p>list <span class=\"katex\">"), "{out}");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
    }

    #[test]
    fn math_in_block_quotes_follows_the_paragraph_rule() {
        let out = html("> see $$a$$\n>\n> $$b$$\n");
        assert!(out.contains("<p>see <span class=\"katex\">"), "{out}");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
    }

    #[test]
    fn math_in_headings_is_inline_and_named_in_the_id() {
        let out = html("## Loss $$L_\\theta$$\n");
        assert!(
            out.starts_with("<h2 id=\"loss-l_theta\">Loss <span class=\"katex\">"),
            "{out}"
        );
    }

    #[test]
    fn heading_ids_follow_kramdown_gfm() {
        let out = html("# The `x_1` [link](u) -- done\n\n## Über 2 Ünits\n\n## 3 things & stuff\n");
        assert!(out.contains("<h1 id=\"the-x_1-link--done\">"), "{out}");
        assert!(out.contains("<h2 id=\"über-2-ünits\">"), "{out}");
        assert!(out.contains("<h2 id=\"3-things--stuff\">"), "{out}");
    }

    #[test]
    fn heading_ids_are_unique() {
        let out = html("# Intro\n\n# Intro\n\n# Intro-1\n\n# Intro\n\n# !!!\n");
        for id in ["intro", "intro-1", "intro-1-1", "intro-2", "section"] {
            assert_eq!(
                out.matches(&format!("id=\"{id}\"")).count(),
                1,
                "{id}: {out}"
            );
        }
    }

    #[test]
    fn a_formula_that_cannot_be_rendered_is_its_tex_in_code_with_a_warning() {
        let rendered = with(
            "Intro.\n\nSome $$a + b$$ text.\n\n$$\n\\foo{x} + 1\n$$\n",
            true,
        );
        assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
        let warning = &rendered.warnings[0];
        assert_eq!(warning.formula, "\\foo{x} + 1");
        assert!(warning.message.contains("\\foo"), "{warning:?}");
        assert!(
            rendered
                .html
                .contains("<pre class=\"math-error\"><code>\\foo{x} + 1</code></pre>"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn error_text_cannot_inject_markup() {
        let rendered = with("$$\\foo <script>$$\n", true);
        assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
        assert!(!rendered.warnings.is_empty());
    }

    #[test]
    fn raw_html_blocks_pass_through() {
        let out = html("<div class=\"caption\">\n    A caption.\n</div>\n");
        assert_eq!(out, "<div class=\"caption\">\n    A caption.\n</div>\n");
    }

    #[test]
    fn tables_footnotes_strikethrough_and_smart_punctuation_work() {
        let out = html("| a |\n|---|\n| 1 |\n\n\"Hi\" -- ~~no~~ yes[^n]\n\n[^n]: note\n");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("“Hi” – <del>no</del> yes"), "{out}");
        assert!(
            out.contains("<div class=\"footnotes\" role=\"doc-endnotes\">"),
            "{out}"
        );
    }

    #[test]
    fn a_post_without_math_needs_no_math_stylesheet() {
        assert!(!with("Just text, $5.\n", true).has_math);
        assert!(with("Some $$x$$.\n", true).has_math);
    }

    #[test]
    fn output_is_deterministic() {
        let post = "# A\n\n$$x$$\n\n# A\n\ntext $$\\foo$$ $5 $\\Big( \\boldsymbol{\\mu} \\Big)$\n";
        assert_eq!(html(post), html(post));
    }

    #[test]
    fn odd_input_does_not_panic() {
        for input in [
            "",
            "$",
            "$$",
            "$$$",
            "$$$$",
            "$$ $$",
            "$$\n\n$$",
            "$a$b$c$d$",
            "$$\\$$",
            "$$\\begin{aligned}$$",
            "$$}{$$",
            "$$\\frac{$$",
            "$$x^^$$",
            "- $$a$$\n  - $$b$$",
            "\\begin{align}\n\\end{align}",
            "\\begin{equation}\\label{}\\end{equation}",
            "$$\\label{a}\\label{a}\\eqref{a}\\ref{}$$",
            "\\\\( unclosed \\\\[ too",
            "<!--likely-math:0--> <!--likely-math-block:9-->",
        ] {
            let _ = html(input);
            let _ = with(input, false);
        }
    }
}
