//! What the HTML site shows for each Liquid construct of a post, as al-folio
//! would show it, without JavaScript: figure, video and audio includes,
//! `highlight` blocks, `details`, `tabs`, `post_url` and `link`, `cite`,
//! `reference`, `quote` and `bibliography` (from the blog's
//! `_bibliography/papers.bib`), `twitter`, and Jekyll's URL variables and
//! filters. Anything else is shown as its source in code, with a note naming
//! the post, line and construct.
//!
//! Each construct becomes Markdown or HTML that goes back into the post
//! before it is converted; block constructs bring the blank lines that make
//! them HTML blocks.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::bib::Bibliography;
use crate::config::SiteConfig;
use crate::html::escape;

/// How a note about Liquid shown as its source starts.
const SHOWN_AS_SOURCE: &str = "Liquid the HTML site shows as its source (Jekyll renders it): ";

/// The notes of a post, one per construct: Liquid shown as its source on
/// lines at most one apart (an `assign`, a `capture` and the `if` around
/// them) is one note, from its first tag to its last.
pub(super) fn grouped(notes: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String, usize, usize)> = Vec::new();
    for (line, what) in notes {
        let shown = what.starts_with(SHOWN_AS_SOURCE);
        if let Some((_, first, last_line, count)) = out.last_mut()
            && shown
            && first.starts_with(SHOWN_AS_SOURCE)
            && line <= *last_line + 2
        {
            let tag = &what[SHOWN_AS_SOURCE.len()..];
            let head = first.split(" … ").next().unwrap_or_default().to_owned();
            *first = format!("{head} … {tag}");
            *last_line = line;
            *count += 1;
            continue;
        }
        out.push((line, what, line, 1));
    }
    out.into_iter()
        .map(|(line, what, _, count)| {
            if count > 1 {
                (line, format!("{what} ({count} tags)"))
            } else {
                (line, what)
            }
        })
        .collect()
}

/// What one post's Liquid is rendered against.
pub(super) struct Shown<'a> {
    /// The site config (`url`, `baseurl`).
    pub config: &'a SiteConfig,
    /// The relative path from the post's page to the site root.
    pub root: &'a str,
    /// Every post's page, relative to the site root, by its file stem
    /// (`2015-03-15-links`).
    pub pages: &'a BTreeMap<String, String>,
    /// The blog's own posts, which the HTML site does not hold, by file
    /// stem, each with its address on the blog.
    pub elsewhere: &'a BTreeMap<String, String>,
    /// The blog's bibliography, if it has one.
    pub bib: Option<&'a Bibliography>,
    /// What the post's Liquid has shown so far.
    pub state: RefCell<State>,
}

/// What a post's Liquid has shown so far.
#[derive(Debug, Default)]
pub(super) struct State {
    /// Notes for the reader of the build: the body line (from 0) and what.
    pub notes: Vec<(usize, String)>,
    /// Keys cited so far, in order of first citation.
    pub cited: Vec<String>,
    /// Files of the blog the page links to, relative to the site root.
    pub assets: BTreeSet<String>,
    /// The keys of the `quote` blocks open.
    quotes: Vec<String>,
    /// Whether the post lists its references itself.
    listed: bool,
}

impl Shown<'_> {
    /// The post's references, in order of first citation, when it cites
    /// works and does not list them itself (as al-folio's post layout does
    /// with `related_publications: true`).
    pub(super) fn references(&self) -> Option<String> {
        let state = self.state.borrow();
        let bib = self.bib?;
        (!state.cited.is_empty() && !state.listed).then(|| {
            format!(
                "\n\n<h2 id=\"references\">References</h2>{}",
                reference_list(bib, &state.cited)
            )
        })
    }
}

impl Shown<'_> {
    /// What the HTML site shows for `text`, a Liquid construct at body line
    /// `line` (from 0).
    pub(super) fn show(&self, text: &str, line: usize) -> String {
        let shown = if text.starts_with("{{") {
            self.expression(inner(text, "{{", "}}"))
        } else {
            self.tag(text)
        };
        match shown {
            Ok(html) => html,
            Err(why) => {
                let why = why.unwrap_or_else(|| format!("{SHOWN_AS_SOURCE}{}", first_line(text)));
                self.note(line, why);
                as_code(text)
            }
        }
    }

    pub(super) fn note(&self, line: usize, what: String) {
        self.state.borrow_mut().notes.push((line, what));
    }

    /// `{{ site.url }}`, `{{ site.baseurl }}`, and a quoted path through
    /// `relative_url` or `absolute_url`.
    fn expression(&self, inner: &str) -> Result<String, Option<String>> {
        match inner {
            "site.url" => return Ok(self.config.url.clone()),
            "site.baseurl" => return Ok(self.config.baseurl.clone()),
            _ => {}
        }
        let (path, filter) = inner.split_once('|').ok_or(None)?;
        let path = unquote(path.trim()).ok_or(None)?;
        match filter.trim() {
            "relative_url" => Ok(self.local(path)),
            "absolute_url" => Ok(format!(
                "{}{}/{}",
                self.config.url,
                self.config.baseurl,
                path.trim_start_matches('/')
            )),
            _ => Err(None),
        }
    }

    /// A path of the blog, linked from this page: relative to it (a
    /// folder by its `index.html`, which opens from disk too), and
    /// remembered so the HTML site carries the file.
    pub(super) fn local(&self, path: &str) -> String {
        if is_remote(path) {
            return path.to_owned();
        }
        let clean = path.trim_start_matches('/');
        let (file, rest) = clean.split_at(clean.find(['#', '?']).unwrap_or(clean.len()));
        if file
            .rsplit('/')
            .next()
            .is_some_and(|name| name.contains('.'))
        {
            self.state.borrow_mut().assets.insert(file.to_owned());
        }
        let index = if file.is_empty() || file.ends_with('/') {
            "index.html"
        } else {
            ""
        };
        format!("{}{file}{index}{rest}", self.root)
    }

    fn tag(&self, text: &str) -> Result<String, Option<String>> {
        let head_len = closing(text).ok_or(None)?;
        let args = inner(&text[..head_len], "{%", "%}");
        let name = args.split_whitespace().next().unwrap_or("");
        let args = args[name.len()..].trim();
        match name {
            "include" | "include_cached" => self.include(args),
            "highlight" => highlight(text, head_len, args),
            "details" => Ok(format!(
                "\n\n<details><summary>{}</summary>\n\n",
                escape(args)
            )),
            "enddetails" => Ok("\n\n</details>\n\n".to_owned()),
            "tabs" => Ok("\n\n<div class=\"tabs\">\n\n".to_owned()),
            "endtabs" => Ok("\n\n</div>\n\n".to_owned()),
            "tab" => {
                // `{% tab GROUP NAME %}`
                let title = args.split_once(char::is_whitespace).map_or(args, |p| p.1);
                Ok(format!(
                    "\n\n<section class=\"tab\">\n<p class=\"tab-title\">{}</p>\n\n",
                    escape(title.trim())
                ))
            }
            "endtab" => Ok("\n\n</section>\n\n".to_owned()),
            "post_url" => self.post_link(args.trim_start_matches('/')),
            "link" => match args.strip_prefix("_posts/") {
                Some(file) => self.post_link(file.trim_end_matches(".md")),
                None => Ok(self.local(args)),
            },
            "cite" => self.cite(args),
            "reference" => self.reference(args),
            "bibliography" => self.bibliography(args),
            "quote" => {
                let key = args.split_whitespace().next().unwrap_or("").to_owned();
                self.state.borrow_mut().quotes.push(key);
                Ok("\n\n<blockquote class=\"quote\">\n\n".to_owned())
            }
            "endquote" => {
                let key = self.state.borrow_mut().quotes.pop().unwrap_or_default();
                let source = if key.is_empty() {
                    String::new()
                } else {
                    format!("<footer>{}</footer>\n", self.cite(&key)?)
                };
                Ok(format!("\n\n{source}</blockquote>\n\n"))
            }
            "twitter" => {
                let url = args.split_whitespace().next().ok_or(None)?;
                if !is_remote(url) {
                    return Err(None);
                }
                Ok(format!(
                    "\n\n<blockquote class=\"tweet\"><p>On X: <a href=\"{0}\">{0}</a></p></blockquote>\n\n",
                    escape(url)
                ))
            }
            _ => Err(None),
        }
    }

    /// `{% include figure.liquid path="..." ... %}`, and video and audio.
    fn include(&self, args: &str) -> Result<String, Option<String>> {
        let file = args.split_whitespace().next().unwrap_or("");
        let params = parameters(&args[file.len()..]).ok_or(None)?;
        let get = |key: &str| params.get(key).map(String::as_str);
        let kind = file.trim_end_matches(".liquid").trim_end_matches(".html");
        if !matches!(kind, "figure" | "video" | "audio") {
            return Err(None);
        }
        let source = get("url").or_else(|| get("path")).ok_or(None)?;
        let src = escape(&self.local(source));
        let class = get("class").map_or(String::new(), |c| format!(" class=\"{}\"", escape(c)));
        let caption = get("caption")
            .filter(|c| !c.is_empty())
            .map_or(String::new(), |c| {
                format!("<figcaption class=\"caption\">{c}</figcaption>")
            });
        let mut attributes = String::new();
        for key in ["width", "height", "title"] {
            if let Some(value) = get(key) {
                attributes.push_str(&format!(" {key}=\"{}\"", escape(value)));
            }
        }
        let media = match kind {
            "figure" => {
                let alt = get("alt").or_else(|| get("caption")).unwrap_or("");
                format!(
                    "<img src=\"{src}\"{class}{attributes} alt=\"{}\">",
                    escape(&plain(alt))
                )
            }
            // The HTML site makes no requests elsewhere: an embedded
            // player is a link to it.
            "video" if is_remote(source) => format!(
                "<a class=\"embed\" href=\"{src}\">▶ Video: {}</a>",
                escape(source.split("://").nth(1).unwrap_or(source))
            ),
            _ => {
                for flag in ["controls", "autoplay", "muted", "loop"] {
                    if get(flag) == Some("true") {
                        attributes.push_str(&format!(" {flag}"));
                    }
                }
                format!("<{kind} src=\"{src}\"{class}{attributes}></{kind}>")
            }
        };
        // One line, no blank lines: includes sit inside al-folio's
        // `<div class="row">` blocks, which a blank line would end.
        Ok(format!("<figure>{media}{caption}</figure>"))
    }

    fn post_link(&self, stem: &str) -> Result<String, Option<String>> {
        match (self.pages.get(stem), self.elsewhere.get(stem)) {
            (Some(page), _) => Ok(format!("{}{page}", self.root)),
            (None, Some(address)) => Ok(address.clone()),
            (None, None) => Err(Some(format!(
                "`post_url`/`link` to `{stem}`, which is not one of the posts; shown as its source"
            ))),
        }
    }

    fn bib(&self, what: &str) -> Result<&Bibliography, Option<String>> {
        self.bib.ok_or_else(|| {
            Some(format!(
                "`{what}` needs the blog's {}, which is missing; shown as its source",
                crate::bib::PATH
            ))
        })
    }

    /// `{% cite KEY... [--option value] [-l locator] %}`: `(Lai et al.,
    /// 2025; ...)`, each linked to its entry in the reference list.
    pub(super) fn cite(&self, args: &str) -> Result<String, Option<String>> {
        let bib = self.bib("cite")?;
        let (keys, locator) = citation_parts(args);
        if keys.is_empty() {
            return Err(None);
        }
        if let Some(missing) = keys.iter().find(|k| !bib.has(k)) {
            return Err(Some(format!(
                "`cite` of `{missing}`, which {} does not have; shown as its source",
                crate::bib::PATH
            )));
        }
        let mut state = self.state.borrow_mut();
        let mut parts = Vec::new();
        for key in &keys {
            if !state.cited.contains(key) {
                state.cited.push(key.clone());
            }
            parts.push(format!(
                "<a href=\"#{}\">{}</a>",
                escape(key),
                escape(bib.label(key).unwrap_or(key))
            ));
        }
        let locator = locator.map_or(String::new(), |l| format!(", p.&nbsp;{}", escape(&l)));
        Ok(format!(
            "<span class=\"citation\">({}{locator})</span>",
            parts.join("; ")
        ))
    }

    /// `{% reference KEY %}`: the entry, in full.
    fn reference(&self, args: &str) -> Result<String, Option<String>> {
        let bib = self.bib("reference")?;
        let key = args.split_whitespace().next().ok_or(None)?;
        bib.reference(key)
            .map(|r| format!("<span class=\"reference\">{r}</span>"))
            .ok_or_else(|| {
                Some(format!(
                    "`reference` to `{key}`, which {} does not have; shown as its source",
                    crate::bib::PATH
                ))
            })
    }

    /// `{% bibliography [--cited | --cited_in_order] %}`: the works cited
    /// so far, or every work, as jekyll-scholar lists them.
    fn bibliography(&self, args: &str) -> Result<String, Option<String>> {
        let bib = self.bib("bibliography")?;
        self.state.borrow_mut().listed = true;
        let options: Vec<&str> = args.split_whitespace().collect();
        let mut keys = if options
            .iter()
            .any(|o| *o == "--cited" || *o == "--cited_in_order")
        {
            self.state.borrow().cited.clone()
        } else {
            bib.keys()
        };
        if !options.contains(&"--cited_in_order") {
            keys.sort_by_key(|k| bib.label(k).unwrap_or(k).to_lowercase());
        }
        Ok(reference_list(bib, &keys))
    }
}

/// A reference list of `keys`, each entry with its key as id so citations
/// link to it.
pub(super) fn reference_list(bib: &Bibliography, keys: &[String]) -> String {
    let mut html = String::from("\n\n<ol class=\"bibliography\">\n");
    for key in keys {
        if let Some(entry) = bib.reference(key) {
            html.push_str(&format!("<li id=\"{}\">{entry}</li>\n", escape(key)));
        }
    }
    html.push_str("</ol>\n\n");
    html
}

/// The keys of a `cite` tag and its locator (`-l 42`, `--locator 42`);
/// other options (`--file`) are Jekyll's business.
fn citation_parts(args: &str) -> (Vec<String>, Option<String>) {
    let mut keys = Vec::new();
    let mut locator = None;
    let mut words = args.split_whitespace();
    while let Some(word) = words.next() {
        if word == "-l" || word == "--locator" {
            locator = words.next().map(str::to_owned);
        } else if word.starts_with('-') {
            words.next();
        } else {
            keys.push(word.to_owned());
        }
    }
    (keys, locator)
}

/// `{% highlight LANG [linenos] %}...{% endhighlight %}` as a code block,
/// with line numbers if asked: one line of HTML (line breaks written as
/// character references), which starts an HTML block wherever the tag
/// starts a line, and which no blank line in the code can end.
fn highlight(text: &str, head_len: usize, args: &str) -> Result<String, Option<String>> {
    let end = text.rfind("{%").ok_or(None)?;
    let code = text[head_len..end].trim_matches('\n');
    let mut words = args.split_whitespace();
    let language = words.next().unwrap_or("text");
    let numbered = words.any(|w| w.starts_with("linenos"));
    Ok(code_figure(code, language, numbered))
}

/// A code block as one line of HTML (see [`highlight`]), numbered if
/// asked.
pub(super) fn code_figure(code: &str, language: &str, numbered: bool) -> String {
    let body = escape(code).replace('\n', "&#10;");
    let language = escape(language);
    let code = if numbered {
        let numbers: Vec<String> = (1..=code.lines().count().max(1))
            .map(|n| n.to_string())
            .collect();
        format!(
            "<table class=\"rouge-table\"><tbody><tr><td class=\"gutter\"><pre class=\"lineno\">{}</pre></td><td class=\"code\"><pre><code class=\"language-{language}\" data-lang=\"{language}\">{body}</code></pre></td></tr></tbody></table>",
            numbers.join("&#10;")
        )
    } else {
        format!(
            "<pre><code class=\"language-{language}\" data-lang=\"{language}\">{body}</code></pre>"
        )
    };
    format!("<figure class=\"highlight\" data-lang=\"{language}\">{code}</figure>")
}

/// `key="value" key='value' key=value` parameters of an include; `None`
/// when a value is not a literal (a Liquid variable the HTML site can't
/// know).
fn parameters(args: &str) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let key = key.trim();
        let after = after.trim_start();
        let (value, next) = match after.chars().next()? {
            q @ ('"' | '\'') => {
                let close = after[1..].find(q)? + 1;
                (after[1..close].to_owned(), &after[close + 1..])
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                let word = &after[..end];
                let literal = matches!(word, "true" | "false")
                    || word.parse::<f64>().is_ok()
                    || word.ends_with('%')
                    || word.ends_with("px");
                if !literal {
                    return None;
                }
                (word.to_owned(), &after[end..])
            }
        };
        params.insert(key.to_owned(), value);
        rest = next.trim_start();
    }
    Some(params)
}

/// The length of a tag's opening `{% ... %}`.
fn closing(text: &str) -> Option<usize> {
    text.find("%}").map(|k| k + 2)
}

/// The text between delimiters, without whitespace control.
fn inner<'t>(text: &'t str, open: &str, close: &str) -> &'t str {
    let body = text
        .strip_prefix(open)
        .and_then(|t| t.strip_suffix(close))
        .unwrap_or(text);
    body.trim_start_matches('-').trim_end_matches('-').trim()
}

fn unquote(text: &str) -> Option<&str> {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .or_else(|| text.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
}

fn is_remote(path: &str) -> bool {
    path.starts_with("http://") || path.starts_with("https://") || path.starts_with("//")
}

/// Text without Markdown's emphasis, code and math markers, and with links
/// as their text: for `alt` and `title` attributes.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '['
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            out.push_str(&rest[1..close]);
            rest = &rest[close + end + 1..];
            continue;
        }
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            rest = &rest[end + 1..];
            continue;
        }
        if !matches!(c, '*' | '_' | '`' | '$') || (c == '_' && out.ends_with(char::is_alphanumeric))
        {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Liquid shown as its source: inline code, or a code block when it spans
/// lines.
pub(super) fn as_code(text: &str) -> String {
    if text.contains('\n') {
        format!(
            "<pre class=\"liquid\"><code class=\"language-liquid\">{}</code></pre>",
            escape(text).replace('\n', "&#10;")
        )
    } else {
        format!("<code class=\"liquid\">{}</code>", escape(text))
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIB: &str = "@book{lai2025, title={The Principles of Diffusion Models}, \
        author={Lai, Chieh-Hsin and Song, Yang and Ermon, Stefano}, year={2025}}\n\
        @article{fisher1922, title={On the mathematical foundations of theoretical statistics}, \
        author={Fisher, Ronald A.}, journal={Phil. Trans. R. Soc. A}, year={1922}}";

    fn with<T>(f: impl FnOnce(&Shown<'_>) -> T) -> T {
        let config = SiteConfig {
            url: "https://me.github.io".into(),
            baseurl: "/blog".into(),
            ..SiteConfig::default()
        };
        let pages = BTreeMap::from([(
            "2025-01-02-other".to_owned(),
            "blog/2025/other/index.html".to_owned(),
        )]);
        let elsewhere = BTreeMap::from([(
            "2019-05-05-older".to_owned(),
            "https://me.github.io/blog/2019/older/".to_owned(),
        )]);
        let bib = Bibliography::parse(BIB).unwrap();
        let shown = Shown {
            config: &config,
            root: "../../../",
            pages: &pages,
            elsewhere: &elsewhere,
            bib: Some(&bib),
            state: RefCell::default(),
        };
        f(&shown)
    }

    #[test]
    fn jekyll_urls_are_rendered_and_the_files_they_name_remembered() {
        with(|s| {
            assert_eq!(s.show("{{ site.url }}", 0), "https://me.github.io");
            assert_eq!(s.show("{{- site.baseurl -}}", 0), "/blog");
            assert_eq!(
                s.show("{{ '/assets/pdf/a.pdf' | relative_url }}", 0),
                "../../../assets/pdf/a.pdf"
            );
            assert_eq!(
                s.show("{{ '/blog/' | relative_url }}", 0),
                "../../../blog/index.html"
            );
            assert_eq!(s.show("{{ '/' | relative_url }}", 0), "../../../index.html");
            assert_eq!(
                s.show("{{ \"img/b.png\" | absolute_url }}", 0),
                "https://me.github.io/blog/img/b.png"
            );
            assert!(s.state.borrow().assets.contains("assets/pdf/a.pdf"));
            assert!(s.state.borrow().notes.is_empty());
        });
    }

    #[test]
    fn figure_video_and_audio_includes_become_html() {
        with(|s| {
            let figure = s.show(
                r#"{% include figure.liquid loading="eager" path="assets/img/9.jpg" class="img-fluid rounded" zoomable=true caption="A *sunset*." %}"#,
                3,
            );
            assert_eq!(
                figure.trim(),
                "<figure><img src=\"../../../assets/img/9.jpg\" class=\"img-fluid rounded\" alt=\"A sunset.\">\
                 <figcaption class=\"caption\">A *sunset*.</figcaption></figure>"
            );
            let video = s.show(
                "{% include video.liquid path=\"assets/video/a.mp4\" controls=true autoplay=false %}",
                4,
            );
            assert!(video.contains("<video src=\"../../../assets/video/a.mp4\" controls></video>"));
            let embed = s.show(
                "{% include video.liquid path=\"https://www.youtube.com/embed/x\" width=\"300\" %}",
                5,
            );
            assert!(embed.contains(
                "<a class=\"embed\" href=\"https://www.youtube.com/embed/x\">▶ Video: www.youtube.com/embed/x</a>"
            ));
            let audio = s.show("{% include audio.liquid path='a/b.mp3' controls=true %}", 6);
            assert!(audio.contains("<audio src=\"../../../a/b.mp3\" controls></audio>"));
            let state = s.state.borrow();
            assert!(state.notes.is_empty(), "{:?}", state.notes);
            assert_eq!(
                state.assets.iter().collect::<Vec<_>>(),
                ["a/b.mp3", "assets/img/9.jpg", "assets/video/a.mp4"]
            );
        });
    }

    #[test]
    fn an_include_of_a_variable_or_another_file_is_shown_as_code_with_a_note() {
        with(|s| {
            assert_eq!(
                s.show("{% include figure.liquid path=img %}", 7),
                "<code class=\"liquid\">{% include figure.liquid path=img %}</code>"
            );
            assert!(s.show("{% include news.liquid %}", 8).contains("<code"));
            let notes = &s.state.borrow().notes;
            assert_eq!(notes.len(), 2);
            assert_eq!(notes[0].0, 7);
            assert!(notes[1].1.contains("{% include news.liquid %}"));
        });
    }

    #[test]
    fn highlight_is_a_code_block_numbered_when_asked() {
        with(|s| {
            let plain = s.show(
                "{% highlight python %}\nx = 1\n\ny = '<'\n{% endhighlight %}",
                0,
            );
            assert_eq!(
                plain.trim(),
                "<figure class=\"highlight\" data-lang=\"python\"><pre><code class=\"language-python\" \
                 data-lang=\"python\">x = 1&#10;&#10;y = '&lt;'</code></pre></figure>"
            );
            let numbered = s.show("{% highlight c++ linenos %}\na\nb\n{% endhighlight %}", 0);
            assert!(
                numbered.contains("<pre class=\"lineno\">1&#10;2</pre>"),
                "{numbered}"
            );
            assert!(!plain.trim().contains('\n') && !numbered.trim().contains('\n'));
        });
    }

    #[test]
    fn details_and_tabs_are_html_around_markdown() {
        with(|s| {
            assert_eq!(
                s.show("{% details Click <here> %}", 0).trim(),
                "<details><summary>Click &lt;here&gt;</summary>"
            );
            assert_eq!(s.show("{% enddetails %}", 0).trim(), "</details>");
            assert!(
                s.show("{% tab log js %}", 0)
                    .contains("<p class=\"tab-title\">js</p>")
            );
            assert_eq!(s.show("{% endtabs %}", 0).trim(), "</div>");
        });
    }

    #[test]
    fn post_links_resolve_to_the_other_posts_page() {
        with(|s| {
            assert_eq!(
                s.show("{% post_url 2025-01-02-other %}", 0),
                "../../../blog/2025/other/index.html"
            );
            assert_eq!(
                s.show("{% link _posts/2025-01-02-other.md %}", 0),
                "../../../blog/2025/other/index.html"
            );
            // The blog's own posts are on the blog, not in the HTML site.
            assert_eq!(
                s.show("{% post_url 2019-05-05-older %}", 0),
                "https://me.github.io/blog/2019/older/"
            );
            s.show("{% post_url 1999-01-01-gone %}", 9);
            let notes = &s.state.borrow().notes;
            assert_eq!(notes.len(), 1);
            assert!(notes[0].1.contains("1999-01-01-gone"));
        });
    }

    #[test]
    fn citations_link_to_a_reference_list_of_what_was_cited() {
        with(|s| {
            assert_eq!(
                s.show("{% cite lai2025 fisher1922 %}", 0),
                "<span class=\"citation\">(<a href=\"#lai2025\">Lai et al., 2025</a>; \
                 <a href=\"#fisher1922\">Fisher, 1922</a>)</span>"
            );
            assert!(
                s.show("{% cite fisher1922 -l 310 %}", 0)
                    .contains("1922</a>, p.&nbsp;310)")
            );
            let list = s.show("{% bibliography --cited %}", 0);
            let fisher = list.find("id=\"fisher1922\"").unwrap();
            let lai = list.find("id=\"lai2025\"").unwrap();
            assert!(fisher < lai, "sorted by author: {list}");
            assert!(s.show("{% reference fisher1922 %}", 0).contains("(1922)"));
            s.show("{% cite nobody %}", 4);
            assert_eq!(s.state.borrow().notes.len(), 1);
            assert_eq!(s.state.borrow().cited, ["lai2025", "fisher1922"]);
        });
    }

    #[test]
    fn plain_text_drops_markdown_markers() {
        assert_eq!(
            plain("RMSE of $\\hat\\mu$ against *n*, see [the post](u)."),
            "RMSE of \\hat\\mu against n, see the post."
        );
        assert_eq!(plain("snake_case stays"), "snake_case stays");
    }

    #[test]
    fn liquid_on_consecutive_lines_is_one_note() {
        let liquid = |tag: &str| format!("{SHOWN_AS_SOURCE}{tag}");
        let notes = vec![
            (3, liquid("{% assign a = 1 %}")),
            (4, liquid("{% capture b %}")),
            (4, liquid("{% endcapture %}")),
            (5, liquid("{% if b %}")),
            (6, "`cite` of `x`, which ... does not have".to_owned()),
            (7, liquid("{% endif %}")),
            (12, liquid("{% assign c = 2 %}")),
        ];
        let grouped = grouped(notes);
        assert_eq!(grouped.len(), 4, "{grouped:?}");
        assert_eq!(
            grouped[0],
            (
                3,
                format!("{SHOWN_AS_SOURCE}{{% assign a = 1 %}} … {{% if b %}} (4 tags)")
            )
        );
        assert!(grouped[1].1.starts_with("`cite`"));
        assert_eq!(grouped[2], (7, liquid("{% endif %}")));
        assert_eq!(grouped[3], (12, liquid("{% assign c = 2 %}")));
    }
}
