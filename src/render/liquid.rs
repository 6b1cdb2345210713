//! Which templating in a post is likely's, and which is Jekyll's Liquid.
//!
//! The rule: an expression `{{ ... }}` is likely's when it names one of
//! likely's things — an experiment, one of its functions (`figure`,
//! `ref`, `table`, `cell`, `cite`), `page`, `target` or `root`, or a variable that
//! likely's own `{% for %}` or `{% set %}` made — and likely's control flow
//! is `{% if %}`, `{% elif %}`, `{% for %}` and `{% set %}` over such
//! names, with their `else` and `end` tags. Everything else is Liquid and
//! reaches Jekyll exactly as written: `{{ site.url }}`, `{% include %}`,
//! `{% cite %}`, `{% highlight %}` blocks, Liquid's own `if` and `for`.
//! Jekyll's `{% raw %}...{% endraw %}` passes through untouched, and code
//! spans and fenced code blocks are never templated.
//!
//! Before Tera sees a post, each Liquid construct, raw block and piece of
//! code is replaced by a placeholder (keeping its line breaks, so Tera's
//! line numbers stay the post's); after rendering, [`restore`] puts back
//! the original for Jekyll, and something readable for the HTML site.

use std::collections::BTreeSet;

/// What a placeholder stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// A Liquid construct, as written, and its line in the body (from 0).
    Liquid(String, usize),
    /// Jekyll's `{% raw %}...{% endraw %}`, as written, and its content.
    Raw(String, String),
    /// A code span or fenced code block, as written.
    Code(String),
}

/// A post body ready for Tera: the template, and what its placeholders
/// stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The body with placeholders.
    pub template: String,
    /// What placeholder `k` stands for.
    pub kept: Vec<Kept>,
}

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
const WRITTEN: char = '\u{E004}';
const WRITTEN_END: char = '\u{E005}';

/// Names that are likely's in every post.
pub const OWN: [&str; 8] = [
    "figure", "ref", "table", "cell", "cite", "page", "target", "root",
];

/// Splits a body into likely's template and the rest, given the ids of the
/// experiments and the names the blog's Liquid defines beyond Jekyll's
/// own (`likely: liquid:` in `_config.yml`).
pub fn split(body: &str, experiments: &BTreeSet<String>, liquid: &[String]) -> Split {
    let mut ours: BTreeSet<String> = OWN.iter().map(|s| (*s).to_owned()).collect();
    ours.extend(experiments.iter().cloned());
    let mut scanner = Scanner {
        body,
        ours,
        out: String::with_capacity(body.len()),
        kept: Vec::new(),
        liquid: liquid.iter().cloned().collect(),
        blocks: Vec::new(),
        line: 0,
        counted: 0,
    };
    scanner.run();
    Split {
        template: scanner.out,
        kept: scanner.kept,
    }
}

/// The rendered body with each placeholder replaced: for Jekyll by the
/// original text; for the HTML site by what a reader should see (the
/// content of a raw block, code as code, Liquid by `html_liquid`, given
/// the construct and its line in the body, from 0). Liquid that likely's
/// own functions wrote (see [`written`]) is treated as the post's own.
pub fn restore(
    rendered: &str,
    kept: &[Kept],
    for_jekyll: bool,
    html_liquid: &dyn Fn(&str, usize) -> String,
) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut rest = rendered;
    while let Some(start) = rest.find([OPEN, WRITTEN]) {
        out.push_str(&rest[..start]);
        let marker = rest[start..].chars().next().unwrap_or(OPEN);
        let tail = &rest[start + marker.len_utf8()..];
        if marker == WRITTEN {
            let end = tail.find(WRITTEN_END).unwrap_or(tail.len());
            let text = &tail[..end];
            if for_jekyll {
                out.push_str(text);
            } else {
                // Placeholders keep the body's line breaks, so the lines
                // rendered so far are (up to likely's loops) the body's.
                let line = rendered[..rendered.len() - rest.len() + start]
                    .matches('\n')
                    .count();
                out.push_str(&html_liquid(text, line));
            }
            rest = tail.get(end + WRITTEN_END.len_utf8()..).unwrap_or("");
            continue;
        }
        let digits = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let after_newlines = tail[digits..].trim_start_matches('\n');
        let index: Option<usize> = tail[..digits].parse().ok();
        match (
            index.and_then(|k| kept.get(k)),
            after_newlines.strip_prefix(CLOSE),
        ) {
            (Some(item), Some(after)) => {
                out.push_str(&match (item, for_jekyll) {
                    (Kept::Liquid(text, _) | Kept::Raw(text, _) | Kept::Code(text), true) => {
                        text.clone()
                    }
                    (Kept::Code(text), false) => text.clone(),
                    (Kept::Raw(_, content), false) => content.clone(),
                    (Kept::Liquid(text, line), false) => html_liquid(text, *line),
                });
                rest = after;
            }
            _ => {
                out.push(OPEN);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Liquid written by one of likely's functions (`cite` writes
/// jekyll-scholar's `{% cite %}`), marked so that [`restore`] gives it to
/// Jekyll as it is and shows it in the HTML site as if the post had it.
pub fn written(liquid: &str) -> String {
    format!("{WRITTEN}{liquid}{WRITTEN_END}")
}

/// Whether a rendered body holds Liquid that likely's functions wrote
/// starting with `start` (`{% cite`).
pub(super) fn wrote(rendered: &str, start: &str) -> bool {
    rendered
        .split(WRITTEN)
        .skip(1)
        .any(|piece| piece.starts_with(start))
}

/// Whose a block tag's `end` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Likely,
    Liquid,
}

struct Scanner<'a> {
    body: &'a str,
    /// Names that make an expression likely's.
    ours: BTreeSet<String>,
    out: String,
    kept: Vec<Kept>,
    /// Names the post's Liquid binds (`assign`, `capture`, `for`).
    liquid: BTreeSet<String>,
    /// Open `if`/`for` blocks and whose they are.
    blocks: Vec<Owner>,
    /// The line `out` has reached, from 0, counted up to byte `counted`;
    /// placeholders keep line breaks, so it is the body's line too.
    line: usize,
    counted: usize,
}

impl Scanner<'_> {
    /// The line, from 0, where the next output starts.
    fn line(&mut self) -> usize {
        self.line += self.out[self.counted..].matches('\n').count();
        self.counted = self.out.len();
        self.line
    }

    fn liquid(&mut self, text: &str) {
        let line = self.line();
        self.keep(Kept::Liquid(text.to_owned(), line), text);
    }

    fn keep(&mut self, item: Kept, text: &str) {
        self.out.push(OPEN);
        self.out.push_str(&self.kept.len().to_string());
        for _ in 0..text.matches('\n').count() {
            self.out.push('\n');
        }
        self.out.push(CLOSE);
        self.kept.push(item);
    }

    fn run(&mut self) {
        let body = self.body;
        let mut at = 0;
        let mut line_start = true;
        while at < body.len() {
            let rest = &body[at..];
            if line_start && let Some(len) = fenced_block(rest) {
                let text = &rest[..len];
                self.keep(Kept::Code(text.to_owned()), text);
                at += len;
                continue;
            }
            let c = rest.chars().next().unwrap_or('\n');
            line_start = c == '\n';
            if c == '`' {
                let len = code_span(rest);
                if len > 0 {
                    let text = &rest[..len];
                    self.keep(Kept::Code(text.to_owned()), text);
                    at += len;
                } else {
                    let run = rest.chars().take_while(|&c| c == '`').count();
                    self.out.push_str(&rest[..run]);
                    at += run;
                }
                continue;
            }
            if c == '\\' {
                // An escaped character is text; `\{{` stays so.
                let len = rest.chars().nth(1).map_or(1, |n| 1 + n.len_utf8());
                self.out.push_str(&rest[..len]);
                at += len;
                continue;
            }
            if rest.starts_with("{{") {
                if let Some(len) = closing(rest, "}}") {
                    self.expression(&rest[..len]);
                    at += len;
                    continue;
                }
            } else if rest.starts_with("{%") {
                if let Some(len) = closing(rest, "%}") {
                    at += self.tag(at, len);
                    continue;
                }
            } else if rest.starts_with("{#")
                && let Some(len) = closing(rest, "#}")
            {
                // A Tera comment: Liquid has none.
                self.out.push_str(&rest[..len]);
                at += len;
                continue;
            }
            self.out.push(c);
            at += c.len_utf8();
        }
    }

    /// `{{ ... }}`.
    fn expression(&mut self, text: &str) {
        match self.owner(inner(text, "{{", "}}")) {
            Owner::Likely => self.out.push_str(text),
            Owner::Liquid => self.liquid(text),
        }
    }

    /// `{% ... %}` of `len` bytes at `at`; returns how much was consumed
    /// (a whole block for `raw`, `comment` and `highlight`).
    fn tag(&mut self, at: usize, len: usize) -> usize {
        let rest = &self.body[at..];
        let text = &rest[..len];
        let inner = inner(text, "{%", "%}");
        let name = inner.split_whitespace().next().unwrap_or("");
        let args = inner[name.len()..].trim();
        // Blocks whose content is not templated at all.
        if let Some(end) = match name {
            "raw" => Some("endraw"),
            "comment" => Some("endcomment"),
            "highlight" => Some("endhighlight"),
            _ => None,
        } && let Some((content, total)) = block_end(rest, len, end)
        {
            let whole = &rest[..total];
            if name == "raw" {
                self.keep(Kept::Raw(whole.to_owned(), content.to_owned()), whole);
            } else {
                self.liquid(whole);
            }
            return total;
        }
        let owner = match name {
            "if" | "for" => {
                let owner = if name == "for" {
                    let (vars, source) = for_parts(args);
                    let owner = self.owner(source);
                    match owner {
                        Owner::Likely => self.ours.extend(vars),
                        Owner::Liquid => self.liquid.extend(vars),
                    }
                    owner
                } else {
                    self.owner(args)
                };
                self.blocks.push(owner);
                owner
            }
            "elif" | "else" => self.blocks.last().copied().unwrap_or(Owner::Liquid),
            "endif" | "endfor" => self.blocks.pop().unwrap_or(Owner::Liquid),
            // Tera's; Liquid writes `assign`.
            "set" | "set_global" => {
                let (var, _) = args.split_once('=').unwrap_or((args, ""));
                self.ours.insert(var.trim().to_owned());
                Owner::Likely
            }
            "break" | "continue" if self.blocks.contains(&Owner::Likely) => Owner::Likely,
            _ => {
                // Liquid's own tags; remember the names they bind.
                let bound = match name {
                    "assign" => args.split('=').next(),
                    "capture" | "increment" | "decrement" => args.split_whitespace().next(),
                    "tablerow" => args.split(" in ").next(),
                    _ => None,
                };
                if let Some(var) = bound {
                    self.liquid.insert(var.trim().to_owned());
                }
                Owner::Liquid
            }
        };
        match owner {
            Owner::Likely => self.out.push_str(text),
            Owner::Liquid => self.liquid(text),
        }
        len
    }

    /// Whose an expression is: likely's when it names one of likely's
    /// things in Tera's syntax; Liquid's when it names only what Jekyll
    /// defines or the post's Liquid assigned (or nothing: a literal), or
    /// uses a Liquid filter. A name neither knows is left to Tera, which
    /// says it is undefined and lists the experiments.
    fn owner(&self, expression: &str) -> Owner {
        if liquid_filters(expression) || liquid_syntax(expression) {
            return Owner::Liquid;
        }
        let roots = roots(expression);
        if roots.iter().any(|r| self.ours.contains(*r)) {
            Owner::Likely
        } else if roots
            .iter()
            .all(|r| LIQUID_ROOTS.contains(r) || self.liquid.contains(*r))
        {
            Owner::Liquid
        } else {
            Owner::Likely
        }
    }
}

/// Names Jekyll and Liquid give templates.
const LIQUID_ROOTS: [&str; 10] = [
    "site",
    "post",
    "paginator",
    "content",
    "layout",
    "include",
    "forloop",
    "jekyll",
    "theme",
    "tablerowloop",
];

/// The text between a tag's delimiters, without whitespace control.
fn inner<'t>(text: &'t str, open: &str, close: &str) -> &'t str {
    let body = &text[open.len()..text.len() - close.len()];
    body.trim_start_matches('-').trim_end_matches('-').trim()
}

/// The length of `{{ ... }}` or `{% ... %}` at the start of `text`, through
/// `close`, skipping quoted strings.
fn closing(text: &str, close: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut k = 2;
    while k < text.len() {
        let c = text[k..].chars().next()?;
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if text[k..].starts_with(close) => return Some(k + close.len()),
            None if c == '\n' && text[k..].starts_with("\n\n") => return None,
            None => {}
        }
        k += c.len_utf8();
    }
    None
}

/// A block from its opening tag (`len` bytes) to its `{% end %}` tag: the
/// content between, and the whole length.
fn block_end<'t>(text: &'t str, len: usize, end: &str) -> Option<(&'t str, usize)> {
    let mut at = len;
    while let Some(k) = text[at..].find("{%") {
        let start = at + k;
        let close = closing(&text[start..], "%}")?;
        if inner(&text[start..start + close], "{%", "%}") == end {
            return Some((&text[len..start], start + close));
        }
        at = start + 2;
    }
    None
}

/// A `for` tag's loop variables and what it loops over.
fn for_parts(args: &str) -> (Vec<String>, &str) {
    match args.split_once(" in ") {
        Some((vars, source)) => (
            vars.split(',').map(|v| v.trim().to_owned()).collect(),
            source,
        ),
        None => (Vec::new(), args),
    }
}

/// Whether an expression uses a filter Tera does not have or Liquid's
/// `filter: argument` syntax.
fn liquid_filters(expression: &str) -> bool {
    const JEKYLL: [&str; 12] = [
        "relative_url",
        "absolute_url",
        "date_to_string",
        "date_to_long_string",
        "date_to_xmlschema",
        "jsonify",
        "markdownify",
        "slugify",
        "where",
        "where_exp",
        "number_of_words",
        "smartify",
    ];
    let mut parts = expression.split('|').skip(1);
    parts.any(|filter| {
        let filter = filter.trim_start();
        let name: String = filter
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        JEKYLL.contains(&name.as_str()) || filter[name.len()..].trim_start().starts_with(':')
    })
}

/// Whether an expression is written in Liquid's syntax where Tera's
/// differs: `name: value` arguments (`limit: 3`), ranges `(1..n)`, and
/// `reversed`.
fn liquid_syntax(expression: &str) -> bool {
    let mut unquoted = String::with_capacity(expression.len());
    let mut quote = None;
    for c in expression.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => unquoted.push(c),
        }
    }
    let words: Vec<&str> = unquoted.split_whitespace().collect();
    unquoted.contains("..")
        || words.last() == Some(&"reversed")
        || unquoted.match_indices(':').any(|(k, _)| {
            unquoted[..k]
                .trim_end()
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The names an expression starts from: identifiers not after `.`, not a
/// filter's or keyword argument's name, not in quotes.
fn roots(expression: &str) -> Vec<&str> {
    let mut roots = Vec::new();
    let bytes = expression.as_bytes();
    let mut k = 0;
    let mut after_pipe = false;
    while k < bytes.len() {
        let c = bytes[k];
        if c == b'"' || c == b'\'' {
            k += 1
                + expression[k + 1..]
                    .find(c as char)
                    .unwrap_or(expression.len() - k - 1)
                + 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = k;
            while k < bytes.len() && (bytes[k].is_ascii_alphanumeric() || bytes[k] == b'_') {
                k += 1;
            }
            let word = &expression[start..k];
            let before = expression[..start].trim_end();
            let next = expression[k..].trim_start();
            let attribute = before.ends_with('.');
            let keyword = [
                "and", "or", "not", "in", "is", "true", "false", "none", "nil",
            ]
            .contains(&word);
            let argument =
                next.starts_with('=') && !next.starts_with("==") || next.starts_with(':');
            if !attribute && !keyword && !after_pipe && !argument {
                roots.push(word);
            }
            after_pipe = false;
            continue;
        }
        after_pipe = c == b'|' || (after_pipe && c == b' ');
        k += 1;
    }
    roots
}

/// The length of the code span at the start of `text` (a run of backticks
/// closed by a run of the same length, not across a blank line), or 0.
pub(super) fn code_span(text: &str) -> usize {
    let run = text.chars().take_while(|&c| c == '`').count();
    let mut at = run;
    while let Some(k) = text[at..].find('`') {
        let start = at + k;
        if text[at..start].contains("\n\n") {
            return 0;
        }
        let len = text[start..].chars().take_while(|&c| c == '`').count();
        if len == run {
            return start + len;
        }
        at = start + len;
    }
    0
}

/// The length of the fenced code block starting `text` (at a line start),
/// through its closing fence or the end: ``` or `~~~` (three or more), up
/// to three spaces in, a backtick fence's info string without backticks.
pub fn fenced_block(text: &str) -> Option<usize> {
    let first_end = text.find('\n').map_or(text.len(), |k| k + 1);
    let first = &text[..first_end];
    let lead = first.len() - first.trim_start_matches(' ').len();
    if lead > 3 {
        return None;
    }
    let marker = first[lead..]
        .chars()
        .next()
        .filter(|c| *c == '`' || *c == '~')?;
    let len = first[lead..].chars().take_while(|&c| c == marker).count();
    if len < 3 || (marker == '`' && first[lead + len..].contains('`')) {
        return None;
    }
    let mut at = first_end;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |k| at + k + 1);
        let line = text[at..end].trim_end();
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() <= 3
            && trimmed.len() >= len
            && trimmed.chars().all(|c| c == marker)
        {
            return Some(end);
        }
        at = end;
    }
    Some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> BTreeSet<String> {
        ["mle", "kl_monte_carlo"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    fn jekyll(body: &str) -> (String, Split) {
        let parts = split(body, &ids(), &[]);
        let back = restore(&parts.template, &parts.kept, true, &|t, _| t.to_owned());
        (back, parts)
    }

    #[test]
    fn liquid_is_kept_and_comes_back_byte_for_byte() {
        let body = "---x\n{% include figure.liquid path=\"assets/img/a.jpg\" class=\"img-fluid\" %}\n{{ 'x.json' | relative_url }} and {{ site.baseurl }}\n{% cite lai2025 %}\n{% assign n = 3 %}{% for i in (1..n) %}{{ i }}{% endfor %}\n{% highlight python linenos %}\nx = {{ not_templated }}\n{% endhighlight %}\n";
        let (back, parts) = jekyll(body);
        assert_eq!(back, body);
        assert!(
            !parts.template.contains("{%") && !parts.template.contains("{{"),
            "{}",
            parts.template
        );
        assert_eq!(parts.template.lines().count(), body.lines().count());
    }

    #[test]
    fn likely_expressions_and_their_control_flow_stay_for_tera() {
        let body = "{{ mle.slope.mean | fixed(digits=3) }} {{ figure(id=\"mle.rmse\") }} {{ page.title }}\n{% for v in kl_monte_carlo.mean %}{{ v }}{% if v > 0 %}+{% else %}-{% endif %}{% endfor %}\n{% set s = mle.slope %}{{ s.mean }}\n{% if target == \"html\" %}h{% endif %}\n";
        let parts = split(body, &ids(), &[]);
        assert_eq!(parts.template, body);
        assert!(parts.kept.is_empty());
    }

    #[test]
    fn liquid_control_flow_is_liquid_with_its_ends() {
        let body = "{% if site.enable_x %}{{ mle.slope.mean }}{% else %}no{% endif %}\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n";
        let parts = split(body, &ids(), &[]);
        assert!(
            parts.template.contains("{{ mle.slope.mean }}"),
            "{}",
            parts.template
        );
        assert!(!parts.template.contains("{%"), "{}", parts.template);
        assert_eq!(jekyll(body).0, body);
    }

    #[test]
    fn raw_blocks_pass_through_and_show_their_content_in_html() {
        let body = "A {% raw %}{{ mle.slope }} and {% if x %}{% endraw %} B\n";
        let parts = split(body, &ids(), &[]);
        assert_eq!(parts.kept.len(), 1);
        assert_eq!(
            restore(&parts.template, &parts.kept, true, &|t, _| t.to_owned()),
            body
        );
        assert_eq!(
            restore(&parts.template, &parts.kept, false, &|t, _| t.to_owned()),
            "A {{ mle.slope }} and {% if x %} B\n"
        );
    }

    #[test]
    fn code_is_never_templated() {
        let body = "Run `echo {{ mle.slope }}` and\n\n```r\nx <- \"{{ y }}\"; ${#x}\n{% if %}\n```\n\n~~~\n{{ mle.slope }}\n~~~\n";
        let (back, parts) = jekyll(body);
        assert_eq!(back, body);
        assert!(!parts.template.contains("{{"), "{}", parts.template);
        // A lone backtick is text, and what follows is templated.
        let parts = split("a ` b {{ mle.x }}", &ids(), &[]);
        assert_eq!(parts.template, "a ` b {{ mle.x }}");
    }

    #[test]
    fn liquid_knows_its_line_even_when_a_raw_example_repeats_it() {
        let body = "{% raw %}\n{% endtab %}\n{% endraw %}\n\ntext\n{% endtab %}\n";
        let parts = split(body, &ids(), &[]);
        assert_eq!(parts.kept.len(), 2);
        assert_eq!(parts.kept[1], Kept::Liquid("{% endtab %}".into(), 5));
    }

    #[test]
    fn a_name_neither_knows_is_left_to_tera_to_report() {
        let parts = split("{{ kl_monte_carl.mean }} {{ site.title }}", &ids(), &[]);
        assert_eq!(
            parts.template.matches("{{").count(),
            1,
            "{}",
            parts.template
        );
        assert!(parts.template.starts_with("{{ kl_monte_carl.mean }}"));
        // Names the post's Liquid binds are Liquid's.
        let parts = split(
            "{% assign n = 3 %}{{ n }}{% capture c %}x{% endcapture %}{{ c }}",
            &ids(),
            &[],
        );
        assert!(!parts.template.contains("{{"), "{}", parts.template);
    }

    #[test]
    fn names_the_blog_declares_are_liquids() {
        let body = "{{ author.name }} {{ mle.x }} {% if author %}a{% endif %}";
        let parts = split(body, &ids(), &["author".to_owned()]);
        assert_eq!(parts.kept.len(), 3, "{:?}", parts.kept);
        assert!(parts.template.contains("{{ mle.x }}"));
        // Not declared, it is left to Tera, which reports it.
        assert!(
            split(body, &ids(), &[])
                .template
                .starts_with("{{ author.name }}")
        );
    }

    #[test]
    fn liquid_filters_make_an_expression_liquid() {
        let body =
            "{{ page.date | date: \"%B %d, %Y\" }} {{ page.title }} {{ mle.x | relative_url }}";
        let parts = split(body, &ids(), &[]);
        assert_eq!(parts.kept.len(), 2, "{:?}", parts.kept);
        assert!(parts.template.contains("{{ page.title }}"));
    }

    #[test]
    fn roots_skip_attributes_filters_strings_and_arguments() {
        assert_eq!(roots("mle.slope | fixed(digits=3)"), ["mle"]);
        assert_eq!(roots("'x.json' | relative_url"), Vec::<&str>::new());
        assert_eq!(roots("figure(id=\"a.b\", caption='c')"), ["figure"]);
        assert_eq!(roots("a and not b.c or d == e"), ["a", "b", "d", "e"]);
        assert_eq!(roots("page.date | date: \"%Y\""), ["page"]);
    }
}
