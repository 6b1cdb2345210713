//! kramdown's extras, so that an al-folio post looks in the HTML site as
//! it does on the blog: attribute lists applied to their element and
//! never printed ([`attrs`]), extensions ([`extensions`]), GFM task
//! lists, footnotes as kramdown writes them, and the blocks al-folio
//! draws with JavaScript (mermaid, chart.js, TikZ, ...) shown as their
//! source under a label, each kind reported once.
//!
//! [`apply`] works on the parser's events with their source ranges, after
//! the math pass: kramdown decides what an attribute list applies to by
//! where it stands in the source (the line after a block, the line
//! before one, a lazy line of a quote), which the events alone do not
//! tell.

pub mod attrs;
pub mod extensions;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd};

use crate::html::escape as escape_text;
use crate::render::liquid::fenced_block;
use attrs::{Attrs, Line, List, escape_attribute};

/// An event and the source it came from.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// A heading of a post, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its id, as in the page.
    pub id: String,
    /// Its text, without markup (math as its TeX).
    pub text: String,
    /// The text a table of contents should show instead, from a
    /// `data-toc-text` attribute.
    pub toc_text: Option<String>,
    /// Whether a table of contents leaves it out (a `data-toc-skip`
    /// attribute).
    pub toc_skip: bool,
}

/// A block al-folio draws with JavaScript, which the HTML site shows as its
/// source: the first of its kind in a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// What it is, e.g. "Mermaid diagram".
    pub kind: &'static str,
    /// Its first line as written (a fence or a `<script>` tag).
    pub construct: String,
    /// Its line in the Markdown given to [`apply`].
    pub line: usize,
    /// How many times `construct` appears before it there (in an example
    /// of code, say), so that it can be found in the post's source.
    pub occurrence: usize,
}

/// What [`apply`] gives.
pub struct Applied<'a> {
    /// Events for pulldown-cmark's HTML writer.
    pub events: Vec<Event<'a>>,
    /// The headings, in order.
    pub headings: Vec<Heading>,
    /// One entry per kind of JavaScript-drawn block.
    pub scripts: Vec<Script>,
    /// The attributes of tables, which [`finish`] writes into the HTML.
    pub tables: Vec<String>,
}

/// The fenced-code languages al-folio draws with JavaScript, and what
/// each draws.
const DRAWN: [(&str, &str); 8] = [
    ("mermaid", "Mermaid diagram"),
    ("chartjs", "Chart.js chart"),
    ("echarts", "ECharts chart"),
    ("vega_lite", "Vega-Lite chart"),
    ("plotly", "Plotly chart"),
    ("geojson", "GeoJSON map"),
    ("pseudocode", "Pseudocode"),
    ("typograms", "Typogram"),
];

const TIKZ: &str = "TikZ picture";

/// Applies kramdown's extras to a post's events. `math_text` gives the TeX
/// of a math marker, for headings' text.
pub fn apply<'a>(
    events: Vec<Spanned<'a>>,
    source: &'a str,
    math_text: &dyn Fn(&str) -> Option<String>,
) -> Applied<'a> {
    let mut pass = Pass {
        source,
        alds: definitions(source),
        out: Vec::with_capacity(events.len()),
        attrs: BTreeMap::new(),
        stack: Vec::new(),
        prev: vec![None],
        pending: vec![None],
        scripts: Vec::new(),
    };
    pass.blocks(&events);
    let (events, headings, tables) = finalize(pass.out, &pass.attrs, math_text);
    Applied {
        events: footnotes(events),
        headings,
        scripts: pass.scripts,
        tables,
    }
}

/// The HTML with tables' attributes written in.
pub fn finish(html: &str, tables: &[String]) -> String {
    let mut html = html.to_owned();
    for (k, attrs) in tables.iter().enumerate() {
        html = html.replacen(
            &format!("<table>{}", table_marker(k)),
            &format!("<table{attrs}>"),
            1,
        );
    }
    html
}

fn table_marker(k: usize) -> String {
    format!("<!--likely-table:{k}-->")
}

/// kramdown's header id syntax, `## Title {#id}`: the id, if the heading's
/// text ends with one.
pub fn header_id(text: &str) -> Option<&str> {
    let text = text.trim_end();
    let open = text.rfind("{#")?;
    let id = text[open + 2..].strip_suffix('}')?;
    let valid = id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-'));
    let spaced = open > 0 && text[..open].ends_with([' ', '\t']);
    (valid && spaced).then_some(id)
}

/// Every `{:name: ...}` line of the source outside fenced code.
fn definitions(source: &str) -> HashMap<String, List> {
    let mut alds = HashMap::new();
    if !source.contains("{:") {
        return alds;
    }
    let mut at = 0;
    while at < source.len() {
        if let Some(len) = fenced_block(&source[at..]) {
            at += len;
            continue;
        }
        let end = source[at..].find('\n').map_or(source.len(), |k| at + k + 1);
        let line = source[at..end].trim_start_matches([' ', '>']);
        if let Some(Line::Ald(name, list)) = attrs::line(line) {
            alds.insert(name, list);
        }
        at = end;
    }
    alds
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Quote,
    List,
    Item,
    Table,
    Code,
    Other,
}

struct Open {
    out: usize,
    kind: Kind,
    start: usize,
}

/// The block last closed at a depth: where its start event is (`None`
/// when it takes no attributes) and where it ends in the source.
#[derive(Clone, Copy)]
struct Prev {
    out: Option<usize>,
    end: usize,
}

struct Pass<'a> {
    source: &'a str,
    alds: HashMap<String, List>,
    out: Vec<Spanned<'a>>,
    /// Attributes by the index in `out` of the element's first event.
    attrs: BTreeMap<usize, Attrs>,
    stack: Vec<Open>,
    prev: Vec<Option<Prev>>,
    pending: Vec<Option<Attrs>>,
    scripts: Vec<Script>,
}

impl<'a> Pass<'a> {
    fn blocks(&mut self, events: &[Spanned<'a>]) {
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            let end_of = |end: fn(&Event) -> bool| {
                events[i..]
                    .iter()
                    .position(|(e, _)| end(e))
                    .map_or(events.len() - 1, |k| i + k)
            };
            match event {
                Event::Start(Tag::Paragraph) => {
                    let end = end_of(|e| matches!(e, Event::End(TagEnd::Paragraph)));
                    self.text_block(&events[i + 1..end], Some(range.clone()));
                    i = end + 1;
                }
                Event::Start(Tag::Heading { .. }) => {
                    let end = end_of(|e| matches!(e, Event::End(TagEnd::Heading(_))));
                    self.open(event.clone(), range, Kind::Other);
                    self.run(&events[i + 1..end], None, true);
                    if end < events.len() {
                        self.close(&events[end]);
                    }
                    i = end + 1;
                }
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                    if drawn(info).is_some() =>
                {
                    let end = end_of(|e| matches!(e, Event::End(TagEnd::CodeBlock)));
                    self.drawn_code(info, &events[i..=end]);
                    i = end + 1;
                }
                Event::Start(Tag::HtmlBlock) => {
                    let end = end_of(|e| matches!(e, Event::End(TagEnd::HtmlBlock)));
                    self.html_block(&events[i..=end]);
                    i = end + 1;
                }
                Event::Start(Tag::TableRow) => {
                    let end = end_of(|e| matches!(e, Event::End(TagEnd::TableRow)));
                    if !self.table_list(&events[i..=end]) {
                        self.open(event.clone(), range, Kind::Other);
                        self.blocks(&events[i + 1..end]);
                        if end < events.len() {
                            self.close(&events[end]);
                        }
                    }
                    i = end + 1;
                }
                Event::Start(tag) => {
                    let kind = match tag {
                        Tag::BlockQuote(_) => Kind::Quote,
                        Tag::List(_) => Kind::List,
                        Tag::Item => Kind::Item,
                        Tag::Table(_) => Kind::Table,
                        Tag::CodeBlock(_) => Kind::Code,
                        _ => Kind::Other,
                    };
                    self.open(event.clone(), range, kind);
                    i += 1;
                }
                Event::End(_) => {
                    self.close(&events[i]);
                    i += 1;
                }
                Event::Rule => {
                    self.leaf(events[i].clone(), true);
                    i += 1;
                }
                Event::Html(_) => {
                    self.leaf(events[i].clone(), false);
                    i += 1;
                }
                _ if self.stack.last().is_some_and(|o| o.kind == Kind::Code) => {
                    self.out.push(events[i].clone());
                    i += 1;
                }
                _ => {
                    // Inline content directly in a tight list item or a
                    // table cell.
                    let len = events[i..]
                        .iter()
                        .position(|(e, _)| !is_inline(e))
                        .unwrap_or(events.len() - i);
                    self.text_block(&events[i..i + len], None);
                    i += len;
                }
            }
        }
    }

    fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Pushes a block's start, with the attributes waiting for it.
    fn open(&mut self, event: Event<'a>, range: &Range<usize>, kind: Kind) {
        let depth = self.depth();
        let index = self.out.len();
        if let Some(Some(waiting)) = self.pending.get_mut(depth).map(Option::take) {
            self.attrs.entry(index).or_default().update(&waiting);
        }
        self.out.push((event, range.clone()));
        self.stack.push(Open {
            out: index,
            kind,
            start: range.start,
        });
        self.prev.truncate(depth + 1);
        self.prev.push(None);
        self.pending.truncate(depth + 1);
        self.pending.push(None);
    }

    fn close(&mut self, (event, range): &Spanned<'a>) {
        let open = self.stack.pop();
        let depth = self.depth();
        self.prev.truncate(depth + 1);
        self.pending.truncate(depth + 1);
        self.prev[depth] = open.map(|o| Prev {
            out: Some(o.out),
            end: range.end,
        });
        self.out.push((event.clone(), range.clone()));
    }

    /// A block of one event; `takes` says whether attributes apply to it.
    fn leaf(&mut self, (event, range): Spanned<'a>, takes: bool) {
        let depth = self.depth();
        let index = self.out.len();
        let waiting = self.pending.get_mut(depth).and_then(Option::take);
        if let Some(waiting) = waiting.filter(|_| takes) {
            self.attrs.entry(index).or_default().update(&waiting);
        }
        self.prev[depth] = Some(Prev {
            out: takes.then_some(index),
            end: range.end,
        });
        self.out.push((event, range));
    }

    /// A paragraph's content (`para` is its range), or the inline content
    /// of a tight list item or cell: lines that are only an attribute
    /// list are applied and removed, splitting the paragraph where kramdown
    /// would.
    fn text_block(&mut self, inner: &[Spanned<'a>], para: Option<Range<usize>>) {
        let lines: Vec<&[Spanned<'a>]> = inner
            .split(|(e, _)| matches!(e, Event::SoftBreak))
            .collect();
        let depth = self.depth();
        let item_head = self.item_head();
        let mut segments: Vec<(Vec<&[Spanned<'a>]>, Attrs)> = Vec::new();
        let mut current: Vec<&[Spanned<'a>]> = Vec::new();
        let mut lead = Attrs::default();
        for (k, line) in lines.iter().enumerate() {
            let Some((list, start)) = self.block_list(line) else {
                current.push(line);
                continue;
            };
            let Some(list) = list else { continue };
            let attrs = list.resolve(&self.alds);
            let trailing = lines[k + 1..].iter().all(|l| self.block_list(l).is_some());
            if trailing
                && (!current.is_empty() || !segments.is_empty())
                && let Some(target) = self.lazy_target(start)
            {
                self.attrs.entry(target).or_default().update(&attrs);
            } else if !current.is_empty() {
                lead.update(&attrs);
                segments.push((std::mem::take(&mut current), std::mem::take(&mut lead)));
            } else if let Some(last) = segments.last_mut() {
                last.1.update(&attrs);
            } else if k == 0
                && let Some(prev) = self.prev[depth]
                && !self.blank_between(prev.end, start)
            {
                if let Some(out) = prev.out {
                    self.attrs.entry(out).or_default().update(&attrs);
                }
            } else {
                lead.update(&attrs);
            }
        }
        if !current.is_empty() {
            segments.push((current, std::mem::take(&mut lead)));
        }
        if !lead.is_empty() {
            self.pending[depth] = Some(lead);
        }
        let Some(para) = para else {
            for (n, (lines, _)) in segments.iter().enumerate() {
                self.lines(lines, n == 0, item_head);
            }
            if let Some(last) = inner.last() {
                self.prev[depth] = Some(Prev {
                    out: None,
                    end: last.1.end,
                });
            }
            return;
        };
        for (n, (lines, attrs)) in segments.into_iter().enumerate() {
            let index = self.out.len();
            self.open(Event::Start(Tag::Paragraph), &para, Kind::Other);
            if !attrs.is_empty() {
                self.attrs.entry(index).or_default().update(&attrs);
            }
            self.lines(&lines, n == 0, item_head);
            self.close(&(Event::End(TagEnd::Paragraph), para.clone()));
        }
    }

    fn lines(&mut self, lines: &[&[Spanned<'a>]], first: bool, item_head: Option<usize>) {
        for (k, line) in lines.iter().enumerate() {
            if k > 0 {
                let at = line.first().map_or(0, |(_, r)| r.start);
                self.out.push((Event::SoftBreak, at..at));
            }
            self.run(line, item_head.filter(|_| first && k == 0), false);
        }
    }

    /// The out index of the list item this block is the first content of.
    fn item_head(&self) -> Option<usize> {
        let open = self.stack.last()?;
        (open.kind == Kind::Item && open.out + 1 == self.out.len()).then_some(open.out)
    }

    /// If the line is only an attribute list: the list (`None` for a
    /// definition) and where it starts in the source.
    fn block_list(&self, line: &[Spanned<'a>]) -> Option<(Option<List>, usize)> {
        let first = line.first()?;
        let last = line.last()?;
        if !line.iter().all(|(e, _)| matches!(e, Event::Text(_))) {
            return None;
        }
        let raw = self.source.get(first.1.start..last.1.end)?;
        match attrs::line(raw)? {
            Line::Ial(list) => Some((Some(list), first.1.start)),
            Line::Ald(..) => Some((None, first.1.start)),
        }
    }

    /// Whether a blank line lies between `end` (a block's end) and
    /// `start`.
    fn blank_between(&self, end: usize, start: usize) -> bool {
        let Some(gap) = self.source.get(end.min(start)..start) else {
            return true;
        };
        let mut lines: Vec<&str> = gap.split_inclusive('\n').collect();
        if end > 0 && self.source.as_bytes().get(end - 1) != Some(&b'\n') && !lines.is_empty() {
            lines.remove(0);
        }
        lines.iter().filter(|l| l.ends_with('\n')).any(|l| {
            l.trim_matches(|c: char| c.is_whitespace() || c == '>')
                .is_empty()
        })
    }

    /// The open block a list on a lazy last line of a paragraph applies
    /// to: the outermost container the line does not continue (a quote
    /// without its `>`, a list item not indented to its content, whose
    /// list it is then); `None` when the line is the paragraph's own.
    fn lazy_target(&self, start: usize) -> Option<usize> {
        let line_start = self.source[..start].rfind('\n').map_or(0, |k| k + 1);
        let mut prefix = &self.source[line_start..start];
        let column = start - line_start;
        for (n, open) in self.stack.iter().enumerate() {
            match open.kind {
                Kind::Quote => match prefix.trim_start_matches(' ').strip_prefix('>') {
                    Some(rest) => prefix = rest,
                    None => return Some(open.out),
                },
                Kind::Item if column < self.content_column(open.start) => {
                    return Some(match n.checked_sub(1).map(|p| &self.stack[p]) {
                        Some(list) if list.kind == Kind::List => list.out,
                        _ => open.out,
                    });
                }
                _ => {}
            }
        }
        None
    }

    /// The column where a list item's content starts.
    fn content_column(&self, start: usize) -> usize {
        let line_start = self.source[..start].rfind('\n').map_or(0, |k| k + 1);
        let line = &self.source[line_start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let lead = line.len() - line.trim_start().len();
        let rest = &line[lead..];
        let marker = if rest.starts_with(['-', '*', '+']) {
            1
        } else {
            rest.find(['.', ')']).map_or(1, |k| k + 1)
        };
        let after = rest.get(marker..).unwrap_or("");
        let spaces = after.len() - after.trim_start_matches(' ').len();
        let gap = if spaces == 0 || spaces > 4 || after.trim().is_empty() {
            1
        } else {
            spaces
        };
        lead + marker + gap
    }

    /// Inline events: span lists after an element are applied to it, a
    /// list at the start of a list item to the item, and any other list
    /// is removed; task markers become kramdown's checkboxes.
    fn run(&mut self, events: &[Spanned<'a>], mut item_head: Option<usize>, heading: bool) {
        // Out indices of open inline elements, and the element that just
        // ended with where it ended.
        let mut open: Vec<usize> = Vec::new();
        let mut last: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < events.len() {
            let (event, range) = &events[i];
            if matches!(event, Event::Text(_)) {
                let len = events[i..]
                    .iter()
                    .position(|(e, _)| !matches!(e, Event::Text(_)))
                    .unwrap_or(events.len() - i);
                let to_end = i + len == events.len();
                self.text_run(
                    &events[i..i + len],
                    last,
                    item_head.take(),
                    heading && to_end,
                );
                last = None;
                i += len;
                continue;
            }
            item_head = None;
            let index = self.out.len();
            last = None;
            match event {
                Event::Start(_) => open.push(index),
                Event::End(
                    TagEnd::Link
                    | TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Image,
                ) => last = open.pop().map(|o| (o, range.end)),
                Event::End(_) => {
                    open.pop();
                }
                Event::Code(_) => last = Some((index, range.end)),
                Event::TaskListMarker(checked) => {
                    self.task(*checked, range);
                    i += 1;
                    continue;
                }
                _ => {}
            }
            self.out.push((event.clone(), range.clone()));
            i += 1;
        }
    }

    /// Consecutive text events, read from their source: attribute lists
    /// are applied or removed, and, in a heading, a trailing `{#id}`.
    fn text_run(
        &mut self,
        texts: &[Spanned<'a>],
        last: Option<(usize, usize)>,
        item_head: Option<usize>,
        heading_end: bool,
    ) {
        let (Some(first), Some(end)) = (texts.first(), texts.last()) else {
            return;
        };
        let base = first.1.start;
        let Some(raw) = self.source.get(base..end.1.end) else {
            self.out.extend(texts.iter().cloned());
            return;
        };
        let mut cuts: Vec<Range<usize>> = Vec::new();
        let mut from = 0;
        while let Some(k) = raw[from..].find("{:").map(|k| from + k) {
            let Some(stop) = attrs::span_end(raw, k).filter(|_| !raw[..k].ends_with('\\')) else {
                from = k + 2;
                continue;
            };
            let inner = &raw[k + 2..stop - 1];
            let attrs = attrs::parse(inner).resolve(&self.alds);
            if k == 0
                && let Some((target, at)) = last
                && at == base
            {
                self.attrs.entry(target).or_default().update(&attrs);
            } else if k == 0
                && let Some(item) = item_head
                && raw[stop..].starts_with([' ', '\t'])
            {
                self.attrs.entry(item).or_default().update(&attrs);
            }
            // Any other list is one kramdown would leave as text: removed.
            let mut cut = k..stop;
            if k == 0 && item_head.is_some() && last.is_none_or(|(_, at)| at != base) {
                cut.end += 1;
            }
            cuts.push(cut);
            from = stop;
        }
        if heading_end && header_id(raw).is_some() {
            let trimmed = raw.trim_end();
            if let Some(open) = trimmed.rfind("{#") {
                let start = raw[..open].trim_end().len();
                cuts.push(start..raw.len());
            }
        }
        if cuts.is_empty() {
            self.out.extend(texts.iter().cloned());
            return;
        }
        let cuts: Vec<Range<usize>> = cuts
            .into_iter()
            .map(|c| base + c.start..base + c.end)
            .collect();
        for (event, range) in texts {
            let kept = without(range.clone(), &cuts);
            if kept.len() == 1 && kept[0] == *range {
                self.out.push((event.clone(), range.clone()));
                continue;
            }
            for part in kept {
                if let Some(text) = self.source.get(part.clone()) {
                    self.out
                        .push((Event::Text(CowStr::Borrowed(text)), part.clone()));
                }
            }
        }
    }

    fn task(&mut self, checked: bool, range: &Range<usize>) {
        let html = if checked {
            "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"disabled\" checked=\"checked\" />"
        } else {
            "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"disabled\" />"
        };
        self.out
            .push((Event::InlineHtml(CowStr::Borrowed(html)), range.clone()));
        if let Some(n) = self.stack.iter().rposition(|o| o.kind == Kind::Item) {
            let item = self.stack[n].out;
            self.attrs
                .entry(item)
                .or_default()
                .add_class("task-list-item");
            if let Some(list) = n.checked_sub(1).map(|p| &self.stack[p])
                && list.kind == Kind::List
            {
                let list = list.out;
                self.attrs.entry(list).or_default().add_class("task-list");
            }
        }
    }

    /// A last table row that is only an attribute list (a line with no
    /// `|` after the table): applied to the table, and the row dropped.
    fn table_list(&mut self, row: &[Spanned<'a>]) -> bool {
        let Some((_, range)) = row.first() else {
            return false;
        };
        let Some(line) = self.source.get(range.clone()) else {
            return false;
        };
        if line.contains('|') {
            return false;
        }
        let Some(Line::Ial(list)) = attrs::line(line) else {
            return false;
        };
        let Some(table) = self.stack.iter().rev().find(|o| o.kind == Kind::Table) else {
            return false;
        };
        let table = table.out;
        let attrs = list.resolve(&self.alds);
        self.attrs.entry(table).or_default().update(&attrs);
        true
    }

    /// A fenced block al-folio draws with JavaScript: its source in a code
    /// block, under a caption that says so.
    fn drawn_code(&mut self, info: &str, block: &[Spanned<'a>]) {
        let Some((lang, kind)) = drawn(info) else {
            return;
        };
        let range = block[0].1.clone();
        let open = format!(
            "<figure class=\"js-block\">\n<figcaption>{kind} — drawn by JavaScript on the blog; its source:</figcaption>\n<pre><code class=\"language-{}\">",
            escape_attribute(lang)
        );
        self.report(kind, range.start);
        self.leaf((Event::Html(open.into()), range.clone()), false);
        self.out.extend(block[1..].iter().cloned());
        if !matches!(block.last(), Some((Event::End(TagEnd::CodeBlock), _))) {
            self.out
                .push((Event::Html("</code></pre>\n".into()), range.clone()));
        }
        self.out
            .push((Event::Html("</figure>\n".into()), range.end..range.end));
    }

    /// A raw HTML block; a `<script type="text/tikz">` in it is shown as
    /// its TikZ source.
    fn html_block(&mut self, block: &[Spanned<'a>]) {
        let range = block[0].1.clone();
        let html: String = block
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Html(h) => Some(h.as_ref()),
                _ => None,
            })
            .collect();
        match tikz(&html) {
            Some((before, tex, after)) => {
                self.report(TIKZ, range.start);
                let shown = format!(
                    "{before}<figure class=\"js-block\">\n<figcaption>{TIKZ} — drawn by JavaScript on the blog; its source:</figcaption>\n<pre><code class=\"language-latex\">{}\n</code></pre>\n</figure>\n{after}",
                    escape_text(tex.trim_matches('\n'))
                );
                self.leaf((Event::Html(shown.into()), range), false);
            }
            None => {
                let depth = self.depth();
                self.pending[depth] = None;
                self.prev[depth] = Some(Prev {
                    out: None,
                    end: block.last().map_or(range.end, |(_, r)| r.end),
                });
                self.out.extend(block.iter().cloned());
            }
        }
    }

    fn report(&mut self, kind: &'static str, at: usize) {
        if self.scripts.iter().any(|s| s.kind == kind) {
            return;
        }
        let rest = &self.source[at..];
        let construct = rest.lines().next().unwrap_or("").trim().to_owned();
        let before = &self.source[..at];
        self.scripts.push(Script {
            kind,
            occurrence: before.matches(construct.as_str()).count(),
            construct,
            line: before.matches('\n').count() + 1,
        });
    }
}

/// The language and kind of a fenced block al-folio draws.
fn drawn(info: &str) -> Option<(&str, &'static str)> {
    let lang = info.split_whitespace().next()?;
    DRAWN
        .iter()
        .find(|(name, _)| *name == lang)
        .map(|(name, kind)| (*name, *kind))
}

/// An HTML block's TikZ script: what comes before it, its TeX, and what
/// comes after it.
fn tikz(html: &str) -> Option<(&str, &str, &str)> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<script")?;
    let tag_end = open + lower[open..].find('>')?;
    let tag = &lower[open..tag_end];
    if !tag.contains("text/tikz") {
        return None;
    }
    let close = tag_end + lower[tag_end..].find("</script>")?;
    Some((
        &html[..open],
        &html[tag_end + 1..close],
        &html[close + "</script>".len()..],
    ))
}

/// `range` without the parts in `cuts`.
fn without(range: Range<usize>, cuts: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut kept = vec![range];
    for cut in cuts {
        kept = kept
            .into_iter()
            .flat_map(|r| {
                if cut.end <= r.start || cut.start >= r.end {
                    return vec![r];
                }
                let mut parts = Vec::new();
                if cut.start > r.start {
                    parts.push(r.start..cut.start);
                }
                if cut.end < r.end {
                    parts.push(cut.end..r.end);
                }
                parts
            })
            .collect();
    }
    kept
}

fn is_inline(event: &Event) -> bool {
    match event {
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(tag) => matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::Html(_) | Event::Rule => false,
        _ => true,
    }
}

/// The events with attributes written into the elements they belong to,
/// the headings, and the tables' attributes.
fn finalize<'a>(
    out: Vec<Spanned<'a>>,
    attrs: &BTreeMap<usize, Attrs>,
    math_text: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Event<'a>>, Vec<Heading>, Vec<String>) {
    let mut events = Vec::with_capacity(out.len());
    let mut headings = Vec::new();
    let mut tables = Vec::new();
    let mut heading: Option<Heading> = None;
    let mut skip_image = 0usize;
    for (index, (event, _)) in out.iter().enumerate() {
        if skip_image > 0 {
            match event {
                Event::Start(Tag::Image { .. }) => skip_image += 1,
                Event::End(TagEnd::Image) => skip_image -= 1,
                _ => {}
            }
            continue;
        }
        if let Some(h) = heading.as_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => h.text.push_str(t),
                Event::InlineHtml(html) => {
                    if let Some(tex) = math_text(html) {
                        h.text.push_str(&tex);
                    }
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some(mut h) = heading.take() {
                        h.text = h.text.trim().to_owned();
                        headings.push(h);
                    }
                }
                _ => {}
            }
        }
        let extra = attrs.get(&index).filter(|a| !a.is_empty());
        if let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs: own,
        }) = event
        {
            let (event, h) = heading_start(*level, id, classes, own, extra);
            heading = Some(h);
            events.push(event);
            continue;
        }
        let Some(extra) = extra else {
            events.push(event.clone());
            continue;
        };
        let html = extra.html();
        if let Event::Start(Tag::Table(_)) = event {
            events.push(event.clone());
            events.push(Event::Html(CowStr::from(table_marker(tables.len()))));
            tables.push(html);
            continue;
        }
        let tag = |s: String| Event::Html(CowStr::from(s));
        let span = |s: String| Event::InlineHtml(CowStr::from(s));
        events.push(match event {
            Event::Start(Tag::Paragraph) => tag(format!("<p{html}>")),
            Event::Start(Tag::BlockQuote(_)) => tag(format!("<blockquote{html}>\n")),
            Event::Start(Tag::List(None)) => tag(format!("<ul{html}>\n")),
            Event::Start(Tag::List(Some(1))) => tag(format!("<ol{html}>\n")),
            Event::Start(Tag::List(Some(n))) => tag(format!("<ol start=\"{n}\"{html}>\n")),
            Event::Start(Tag::Item) => tag(format!("<li{html}>")),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                let class = if lang.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"language-{}\"", escape_attribute(lang))
                };
                tag(format!("\n<pre{html}><code{class}>"))
            }
            Event::Start(Tag::Emphasis) => span(format!("<em{html}>")),
            Event::Start(Tag::Strong) => span(format!("<strong{html}>")),
            Event::Start(Tag::Strikethrough) => span(format!("<del{html}>")),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                let mut all = Attrs::default();
                let scheme = if *link_type == LinkType::Email {
                    "mailto:"
                } else {
                    ""
                };
                all.set("href", format!("{scheme}{dest_url}"));
                if !title.is_empty() {
                    all.set("title", title.to_string());
                }
                all.update(extra);
                span(format!("<a{}>", all.html()))
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                skip_image = 1;
                let mut all = Attrs::default();
                all.set("src", dest_url.to_string());
                all.set("alt", alt_text(&out[index + 1..]));
                if !title.is_empty() {
                    all.set("title", title.to_string());
                }
                all.update(extra);
                span(format!("<img{} />", all.html()))
            }
            Event::Code(code) => span(format!("<code{html}>{}</code>", escape_text(code))),
            Event::Rule => tag(format!("<hr{html} />\n")),
            other => other.clone(),
        });
    }
    (events, headings, tables)
}

/// A heading's start event with its attributes, and its entry for a table
/// of contents (its text is filled in as the events pass).
fn heading_start<'a>(
    level: pulldown_cmark::HeadingLevel,
    id: &Option<CowStr<'a>>,
    classes: &[CowStr<'a>],
    own: &[(CowStr<'a>, Option<CowStr<'a>>)],
    extra: Option<&Attrs>,
) -> (Event<'a>, Heading) {
    let mut id = id.clone();
    let mut classes = classes.to_vec();
    let mut others = own.to_vec();
    let mut toc_text = None;
    let mut toc_skip = false;
    if let Some(extra) = extra {
        for (key, value) in extra.safe() {
            match key {
                "id" => id = Some(CowStr::from(value.to_owned())),
                "class" => {
                    classes.extend(value.split_whitespace().map(|c| CowStr::from(c.to_owned())))
                }
                _ => {
                    if key == "data-toc-text" {
                        toc_text = Some(value.to_owned());
                    }
                    toc_skip |= key == "data-toc-skip";
                    others.push((
                        CowStr::from(key.to_owned()),
                        Some(CowStr::from(value.to_owned())),
                    ));
                }
            }
        }
    }
    let entry = Heading {
        level: level as u8,
        id: id.as_deref().unwrap_or("").to_owned(),
        text: String::new(),
        toc_text,
        toc_skip,
    };
    (
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs: others,
        }),
        entry,
    )
}

/// An image's alt text: the text of its description.
fn alt_text(events: &[Spanned]) -> String {
    let mut alt = String::new();
    let mut depth = 0usize;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Image { .. }) => depth += 1,
            Event::End(TagEnd::Image) if depth == 0 => break,
            Event::End(TagEnd::Image) => depth -= 1,
            Event::Text(t) | Event::Code(t) => alt.push_str(t),
            _ => {}
        }
    }
    alt
}

/// Footnotes as kramdown writes them: numbered references, and the notes
/// in a list at the end with links back to each reference.
fn footnotes<'a>(events: Vec<Event<'a>>) -> Vec<Event<'a>> {
    if !events
        .iter()
        .any(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
    {
        return events;
    }
    let mut body = Vec::with_capacity(events.len());
    let mut notes: Vec<(String, Vec<Event>)> = Vec::new();
    let mut events = events.into_iter();
    while let Some(event) = events.next() {
        let Event::Start(Tag::FootnoteDefinition(name)) = event else {
            body.push(event);
            continue;
        };
        let mut note = Vec::new();
        let mut depth = 0usize;
        for event in events.by_ref() {
            match &event {
                Event::Start(Tag::FootnoteDefinition(_)) => depth += 1,
                Event::End(TagEnd::FootnoteDefinition) if depth == 0 => break,
                Event::End(TagEnd::FootnoteDefinition) => depth -= 1,
                _ => {}
            }
            note.push(event);
        }
        if !notes.iter().any(|(n, _)| *n == *name) {
            notes.push((name.to_string(), note));
        }
    }
    // Numbers in the order of first reference, and how often each is
    // referred to.
    let defined: Vec<String> = notes.iter().map(|(n, _)| n.clone()).collect();
    let mut order: Vec<(String, usize)> = Vec::new();
    let refer = |event: Event<'a>, order: &mut Vec<(String, usize)>| -> Event<'a> {
        match event {
            Event::FootnoteReference(name) if defined.iter().any(|n| *n == *name) => {
                let number = match order.iter().position(|(n, _)| *n == *name) {
                    Some(k) => k,
                    None => {
                        order.push((name.to_string(), 0));
                        order.len() - 1
                    }
                };
                let count = order[number].1;
                order[number].1 += 1;
                let id = escape_attribute(&name);
                let suffix = if count == 0 {
                    String::new()
                } else {
                    format!(":{count}")
                };
                Event::InlineHtml(CowStr::from(format!(
                    "<sup id=\"fnref:{id}{suffix}\" role=\"doc-noteref\"><a href=\"#fn:{id}\" class=\"footnote\" rel=\"footnote\">{}</a></sup>",
                    number + 1
                )))
            }
            Event::FootnoteReference(name) => Event::Text(CowStr::from(format!("[^{name}]"))),
            other => other,
        }
    };
    let mut out: Vec<Event> = body.into_iter().map(|e| refer(e, &mut order)).collect();
    let notes: Vec<(String, Vec<Event>)> = notes
        .into_iter()
        .map(|(name, note)| {
            (
                name,
                note.into_iter().map(|e| refer(e, &mut order)).collect(),
            )
        })
        .collect();
    if order.is_empty() {
        return out;
    }
    out.push(Event::Html(
        "<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n".into(),
    ));
    for (name, count) in &order {
        let Some((_, note)) = notes.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let id = escape_attribute(name);
        out.push(Event::Html(CowStr::from(format!(
            "<li id=\"fn:{id}\" role=\"doc-endnote\">\n"
        ))));
        let back: String = (0..*count)
            .map(|k| {
                let (suffix, mark) = if k == 0 {
                    (String::new(), String::new())
                } else {
                    (format!(":{k}"), format!("<sup>{}</sup>", k + 1))
                };
                format!(
                    " <a href=\"#fnref:{id}{suffix}\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;{mark}</a>"
                )
            })
            .collect();
        let mut note = note.clone();
        if matches!(note.last(), Some(Event::End(TagEnd::Paragraph))) {
            let end = note.len() - 1;
            note.insert(end, Event::InlineHtml(CowStr::from(back)));
        } else {
            note.push(Event::Html(CowStr::from(format!(
                "<p>{}</p>\n",
                back.trim_start()
            ))));
        }
        out.extend(note);
        out.push(Event::Html("</li>\n".into()));
    }
    out.push(Event::Html("</ol>\n</div>\n".into()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_ids_follow_kramdown() {
        assert_eq!(header_id("Title {#my-id}"), Some("my-id"));
        assert_eq!(header_id("Title {#a:b_c} "), Some("a:b_c"));
        assert_eq!(header_id("Title{#x}"), None);
        assert_eq!(header_id("Title {#1x}"), None);
        assert_eq!(header_id("Title {#a .b}"), None);
    }

    #[test]
    fn cuts_leave_the_rest() {
        assert_eq!(without(0..10, &[2..4, 8..12]), vec![0..2, 4..8]);
        let whole = [0..3, 1..2];
        assert_eq!(without(0..3, &whole), Vec::<Range<usize>>::new());
    }

    #[test]
    fn tikz_scripts_are_found_in_html_blocks() {
        let (before, tex, after) =
            tikz("<script type=\"text/tikz\">\n\\draw (0,0);\n</script>\n").unwrap();
        assert_eq!((before, tex, after), ("", "\n\\draw (0,0);\n", "\n"));
        assert!(tikz("<script src=\"x.js\"></script>").is_none());
    }
}
