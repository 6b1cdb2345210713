//! Turns a post's Markdown body into HTML the way the original Jekyll/al-folio
//! site (kramdown, GFM input) would, except that math is rendered here, on the
//! server, to MathML instead of being left for MathJax in the browser. kramdown's
//! math rules decide what is math and how it is laid out: `$$...$$` is the only
//! delimiter, it is display math when it is a block of its own and inline math
//! otherwise, and a single `$` is ordinary text.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{ParserError, RenderConfig, Storage, push_mathml};

/// The Markdown dialect of posts; every parse in this module goes through it so
/// the passes agree on where each construct is.
pub fn options() -> Options {
    Options::ENABLE_MATH
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// HTML for one post body, with the problems found in its math.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The body as an HTML fragment (no `<html>`/`<body>` wrapper).
    pub html: String,
    /// One entry per LaTeX error, in document order.
    pub warnings: Vec<MathWarning>,
}

/// LaTeX that pulldown-latex could not fully understand. The formula is still
/// in the HTML, with the faulty part shown as a visible `<merror>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathWarning {
    /// The LaTeX source of the formula, without its `$$` delimiters.
    pub formula: String,
    /// What went wrong, and near which part of the formula.
    pub message: String,
}

/// Renders a post body (already through the template engine) to HTML.
///
/// Never panics on odd input and never drops text: unsupported LaTeX becomes a
/// warning plus a visible error inside the formula.
pub fn to_html(markdown: &str) -> Rendered {
    let source = literal_single_dollars(markdown);
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(&source, options())
        .into_offset_iter()
        .collect();
    assign_heading_ids(&mut events);
    let mut math = MathRenderer::default();
    let events = lay_out(events, &source, &mut math);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered {
        html,
        warnings: math.warnings,
    }
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
        let id = unique_id(slug(&heading_text(&events[index + 1..])), &mut used);
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

/// Replaces math events by MathML and drops the `<p>` around display math.
fn lay_out<'a>(
    events: Vec<(Event<'a>, Range<usize>)>,
    source: &'a str,
    math: &mut MathRenderer,
) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    // Whether each open container is a list item: a tight item holds its text
    // directly, without a paragraph, yet kramdown treats it as one.
    let mut in_item = Vec::new();
    let mut index = 0;
    while index < events.len() {
        let directly_in_item = in_item.last() == Some(&true);
        if let Some((formula, next)) = lone_formula(&events, index, directly_in_item) {
            let (event, _) = &events[formula];
            if let Event::DisplayMath(latex) = event {
                let block = math.render(latex, DisplayMode::Block);
                out.push(Event::Html(CowStr::from(block + "\n")));
            }
            index = next;
            continue;
        }
        let (event, range) = &events[index];
        match event {
            Event::Start(tag) => in_item.push(matches!(tag, Tag::Item)),
            Event::End(_) => {
                in_item.pop();
            }
            _ => {}
        }
        out.push(inline_event(event.clone(), range, source, math));
        index += 1;
    }
    out
}

fn inline_event<'a>(
    event: Event<'a>,
    range: &Range<usize>,
    source: &'a str,
    math: &mut MathRenderer,
) -> Event<'a> {
    match event {
        Event::DisplayMath(latex) => {
            Event::InlineHtml(math.render(&latex, DisplayMode::Inline).into())
        }
        // Only reached when `literal_single_dollars` gave up; the text is still
        // the author's, unchanged.
        Event::InlineMath(_) => Event::Text(CowStr::Borrowed(&source[range.clone()])),
        other => other,
    }
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

/// Renders formulas and remembers their problems.
#[derive(Default)]
struct MathRenderer {
    warnings: Vec<MathWarning>,
}

impl MathRenderer {
    fn render(&mut self, latex: &str, display_mode: DisplayMode) -> String {
        let formula = latex.trim();
        let (mathml, problems) = mathml(formula, display_mode);
        self.warnings
            .extend(problems.into_iter().map(|message| MathWarning {
                formula: formula.to_owned(),
                message,
            }));
        mathml
    }
}

/// MathML for one formula, and a message per LaTeX error in it.
fn mathml(formula: &str, display_mode: DisplayMode) -> (String, Vec<String>) {
    // pulldown-latex writes the annotation and error texts unescaped.
    let annotation = escape_text(formula);
    let config = RenderConfig {
        display_mode,
        annotation: Some(&annotation),
        xml: false,
        ..RenderConfig::default()
    };
    let storage = Storage::new();
    let mut messages = Vec::new();
    let events = pulldown_latex::Parser::new(formula, &storage).map(|event| {
        event.map_err(|error| {
            let message = describe(&error);
            let shown = VisibleError(escape_text(&message));
            messages.push(message);
            shown
        })
    });
    let mut out = String::new();
    if let Err(error) = push_mathml(&mut out, events, config) {
        // Only the writer can fail and a String never does; if it ever did,
        // the source is the most faithful thing left to show.
        messages.push(format!("could not write MathML: {error}"));
        return (escape_text(&format!("$${formula}$$")), messages);
    }
    (escape_stray_markup(&out), messages)
}

/// Shortens pulldown-latex's boxed, multi-line error report to one line.
fn describe(error: &ParserError) -> String {
    let report = error.to_string();
    let mut lines = report.lines();
    let first = lines.next().unwrap_or_default();
    let kind = first.strip_prefix("parsing error: ").unwrap_or(first);
    let context: Vec<&str> = lines
        .filter_map(|line| line.strip_prefix('│'))
        .map(|line| line.trim_start_matches('…').trim())
        .filter(|line| !line.is_empty() && !line.chars().all(|c| c == '^'))
        .collect();
    if context.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} near `{}`", context.join(" "))
    }
}

/// What pulldown-latex prints inside `<merror>`, already HTML-escaped.
#[derive(Debug)]
struct VisibleError(String);

impl fmt::Display for VisibleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VisibleError {}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Every element pulldown-latex 0.8 writes.
const MATHML_ELEMENTS: [&str; 22] = [
    "annotation",
    "math",
    "merror",
    "mfrac",
    "mi",
    "mn",
    "mo",
    "mover",
    "mroot",
    "mrow",
    "mspace",
    "msqrt",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "semantics",
];

/// Entities pulldown-latex and [`escape_text`] write.
const ENTITIES: [&str; 4] = ["&amp;", "&lt;", "&gt;", "&nbsp;"];

/// pulldown-latex writes symbols such as `<` (from `a<b`), `>` and `\&`, and
/// `\operatorname` names, raw into `<mo>`/`<mi>`. Anything that is not one of
/// its own tags or entities is such text, and is escaped here so the page
/// stays well-formed.
fn escape_stray_markup(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len());
    let mut rest = mathml;
    while let Some(at) = rest.find(['<', '>', '&']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let kept = if tail.starts_with('<') {
            tag_len(tail)
        } else {
            ENTITIES
                .iter()
                .find(|entity| tail.starts_with(*entity))
                .map(|entity| entity.len())
        };
        let len = kept.unwrap_or(1);
        match kept {
            Some(_) => out.push_str(&tail[..len]),
            None => out.push_str(&escape_text(&tail[..1])),
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// Length of the MathML tag `tail` starts with, if it starts with one.
fn tag_len(tail: &str) -> Option<usize> {
    let name = tail.strip_prefix("</").or_else(|| tail.strip_prefix('<'))?;
    let name_len = name
        .find(|c: char| !c.is_ascii_lowercase())
        .unwrap_or(name.len());
    let known = MATHML_ELEMENTS.contains(&&name[..name_len]);
    if !known || !name[name_len..].starts_with([' ', '>', '/']) {
        return None;
    }
    let end = tail.find('>')?;
    (!tail[1..end].contains('<')).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        to_html(markdown).html
    }

    const BLOCK: &str = "<math display=\"block\">";
    const INLINE: &str = "<math display=\"inline\">";

    #[test]
    fn options_enable_the_post_dialect() {
        let options = options();
        for wanted in [
            Options::ENABLE_MATH,
            Options::ENABLE_TABLES,
            Options::ENABLE_FOOTNOTES,
            Options::ENABLE_SMART_PUNCTUATION,
            Options::ENABLE_STRIKETHROUGH,
            Options::ENABLE_YAML_STYLE_METADATA_BLOCKS,
        ] {
            assert!(options.contains(wanted));
        }
    }

    #[test]
    fn display_math_paragraph_becomes_a_block() {
        let out = html("before\n\n$$x^2$$\n\nafter\n");
        assert!(out.contains(BLOCK), "{out}");
        assert!(!out.contains("<p><math"), "{out}");
        assert!(!out.contains(INLINE), "{out}");
    }

    #[test]
    fn multi_line_display_math_becomes_one_block() {
        let out = html("$$\na + b\n= c\n$$\n");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
        assert!(!out.contains("<p>"), "{out}");
        assert!(out.contains("<mo>=</mo>"), "{out}");
    }

    #[test]
    fn indented_display_math_with_trailing_spaces_is_still_a_block() {
        let out = html("  $$x$$   \n");
        assert!(out.starts_with(BLOCK), "{out}");
    }

    #[test]
    fn double_dollars_inside_a_sentence_are_inline() {
        let out = html("A model $$p_\\phi(x)$$ that fits.\n");
        assert!(
            out.starts_with("<p>A model <math display=\"inline\">"),
            "{out}"
        );
        assert!(out.ends_with("</math> that fits.</p>\n"), "{out}");
    }

    #[test]
    fn trailing_punctuation_makes_display_math_inline() {
        let out = html("$$p(x) = \\int p(x, z) dz$$.\n");
        assert!(out.starts_with("<p><math display=\"inline\">"), "{out}");
        assert!(out.ends_with("</math>.</p>\n"), "{out}");
        assert!(!out.contains(BLOCK), "{out}");
    }

    #[test]
    fn text_on_the_line_before_makes_display_math_inline() {
        let out = html("where\n$$x$$\n");
        assert!(out.contains(INLINE) && !out.contains(BLOCK), "{out}");
    }

    #[test]
    fn two_formulas_in_one_paragraph_are_inline_as_in_kramdown() {
        let out = html("$$a$$\n$$b$$\n");
        assert_eq!(out.matches(INLINE).count(), 2, "{out}");
        assert!(out.starts_with("<p>"), "{out}");
    }

    #[test]
    fn single_dollar_math_stays_literal_text() {
        assert_eq!(html("so $x$ here\n"), "<p>so $x$ here</p>\n");
    }

    #[test]
    fn prices_keep_their_dollar_signs() {
        assert_eq!(
            html("It costs $5 and $10.\n"),
            "<p>It costs $5 and $10.</p>\n"
        );
    }

    #[test]
    fn markdown_between_single_dollars_still_works() {
        assert_eq!(
            html("$5 for [this](u) and *that* $6\n"),
            "<p>$5 for <a href=\"u\">this</a> and <em>that</em> $6</p>\n"
        );
    }

    #[test]
    fn single_dollar_text_is_html_escaped() {
        assert_eq!(html("$a<b$\n"), "<p>$a&lt;b$</p>\n");
        assert_eq!(html("$a&b$\n"), "<p>$a&amp;b$</p>\n");
    }

    #[test]
    fn escaped_dollars_are_text() {
        assert_eq!(html("\\$\\$x\\$\\$\n"), "<p>$$x$$</p>\n");
    }

    #[test]
    fn code_spans_keep_double_dollars() {
        let out = html("run `echo $$x$$` now\n");
        assert_eq!(out, "<p>run <code>echo $$x$$</code> now</p>\n");
    }

    #[test]
    fn fenced_code_keeps_double_dollars() {
        let out = html("```\n$$x$$\n```\n");
        assert_eq!(out, "<pre><code>$$x$$\n</code></pre>\n");
    }

    #[test]
    fn latex_is_not_read_as_markdown() {
        let out = html("$$a_1 * b_2 * c_3 \\\\ d$$\n");
        assert!(!out.contains("<em>"), "{out}");
        assert!(out.contains("a_1 * b_2 * c_3 \\\\ d</annotation>"), "{out}");
    }

    #[test]
    fn annotation_holds_the_escaped_latex_source() {
        let out = html("$$a < b$$\n");
        assert!(
            out.contains("<annotation encoding=\"application/x-tex\">a &lt; b</annotation>"),
            "{out}"
        );
        assert!(!out.contains("xmlns"), "{out}");
    }

    #[test]
    fn symbols_that_are_markup_characters_are_escaped() {
        let out = html("$$a<b, c>d, \\{x \\& y\\}, \\operatorname{p<q}$$\n");
        assert!(out.contains("<mo>&lt;</mo>"), "{out}");
        assert!(out.contains("<mo>&gt;</mo>"), "{out}");
        assert!(out.contains("<mi>&amp;</mi>"), "{out}");
        assert!(out.contains("<mi>p&lt;q</mi>"), "{out}");
    }

    #[test]
    fn pipe_inside_math_in_a_paragraph_is_not_a_table() {
        let out = html("text $$a | b$$ more\n\n$$p || q$$\n");
        assert!(!out.contains("<table>"), "{out}");
        assert!(out.contains(INLINE) && out.contains(BLOCK), "{out}");
    }

    #[test]
    fn math_in_table_cells_is_inline() {
        let out = html("| a | b |\n|---|---|\n| $$x\\|y$$ | $$z$$ |\n");
        assert!(out.contains("<td><math display=\"inline\">"), "{out}");
        assert!(out.contains("x|y</annotation>"), "{out}");
        assert_eq!(out.matches("<td>").count(), 2, "{out}");
    }

    #[test]
    fn lone_math_in_a_tight_list_item_is_a_block() {
        let out = html("- $$x$$\n- item $$y$$\n");
        assert!(out.contains("<li><math display=\"block\">"), "{out}");
        assert!(out.contains("<li>item <math display=\"inline\">"), "{out}");
    }

    #[test]
    fn lone_math_in_a_loose_list_item_is_a_block() {
        let out = html("* list $$a$$\n\n  $$b$$\n");
        assert!(out.contains("<p>list <math display=\"inline\">"), "{out}");
        assert_eq!(out.matches(BLOCK).count(), 1, "{out}");
        assert!(!out.contains("<p><math"), "{out}");
    }

    #[test]
    fn math_in_block_quotes_follows_the_paragraph_rule() {
        let out = html("> see $$a$$\n>\n> $$b$$\n");
        assert!(out.contains("<p>see <math display=\"inline\">"), "{out}");
        assert!(out.contains(BLOCK), "{out}");
    }

    #[test]
    fn math_in_headings_is_inline_and_named_in_the_id() {
        let out = html("## Loss $$L_\\theta$$\n");
        assert!(
            out.starts_with("<h2 id=\"loss-l_theta\">Loss <math display=\"inline\">"),
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
    fn unsupported_command_gives_a_warning_with_its_formula() {
        let rendered = to_html("Intro.\n\nSome $$a + b$$ text.\n\n$$\n\\foo{x} + 1\n$$\n");
        assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
        let warning = &rendered.warnings[0];
        assert_eq!(warning.formula, "\\foo{x} + 1");
        assert!(
            warning.message.contains("unknown primitive command"),
            "{warning:?}"
        );
        assert!(warning.message.contains("\\foo"), "{warning:?}");
        assert!(rendered.html.contains("<merror"), "{}", rendered.html);
        assert!(rendered.html.contains("<mn>1</mn>"), "{}", rendered.html);
    }

    #[test]
    fn error_text_cannot_inject_markup() {
        let rendered = to_html("$$\\foo <script>$$\n");
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
        assert!(out.contains("footnote-definition"), "{out}");
    }

    #[test]
    fn output_is_deterministic() {
        let post = "# A\n\n$$x$$\n\n# A\n\ntext $$\\foo$$ $5\n";
        assert_eq!(to_html(post), to_html(post));
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
        ] {
            let _ = to_html(input);
        }
    }
}
