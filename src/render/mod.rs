//! Posts: `posts/YYYY-MM-DD-slug.md`, Jekyll front matter plus a Tera body
//! that references experiment results.
//!
//! Every post is rendered twice through Tera: once for Jekyll (figures as
//! al-folio includes, math as written) and once for likely's HTML site
//! (figures as `<figure>`, relative links). Posts see each experiment's
//! numbers under its id, the front matter as `page`, the site config as
//! `site`, and `target` (`"jekyll"` or `"html"`).

mod engine;
mod filters;
mod functions;
pub mod liquid;
mod post;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::diag::Problems;
use crate::outcome::Outcome;
use crate::spec::Experiment;

pub use engine::{NOT_COMPILED, Templates, template_text};
pub use post::{Post, collect_posts, parse_post};

/// Names posts use for things other than experiments, and Tera's
/// keywords; no experiment may take them as its id.
pub const RESERVED: &[&str] = &[
    "page",
    "site",
    "target",
    "root",
    "true",
    "false",
    "none",
    "and",
    "or",
    "not",
    "in",
    "is",
    "as",
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "set_global",
    "macro",
    "endmacro",
    "import",
    "include",
    "extends",
    "block",
    "endblock",
    "filter",
    "endfilter",
    "raw",
    "endraw",
    "break",
    "continue",
    "super",
    "loop",
];

/// Which output a rendering is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// A Jekyll post (al-folio).
    Jekyll,
    /// likely's standalone HTML site.
    Html,
}

/// An experiment as posts see it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The spec file's text.
    pub source: String,
    /// The spec's description.
    pub description: Option<String>,
    /// The outcome.
    pub outcome: Outcome,
}

/// Everything posts can reference, by experiment id.
pub type Library = BTreeMap<String, Entry>;

/// Builds the [`Library`] from experiments and their outcomes, in order.
pub fn library(experiments: &[Experiment], outcomes: Vec<Outcome>) -> Library {
    experiments
        .iter()
        .zip(outcomes)
        .map(|(e, outcome)| {
            let entry = Entry {
                source: e.source.clone(),
                description: e.spec.description.clone(),
                outcome,
            };
            (e.id.clone(), entry)
        })
        .collect()
}

/// A post rendered for both outputs.
#[derive(Debug, Clone)]
pub struct RenderedPost {
    /// The source post.
    pub post: Post,
    /// The body for Jekyll.
    pub jekyll: String,
    /// The body for the HTML site (Markdown, to be converted).
    pub html: String,
    /// The URL path of the post in the HTML site.
    pub url: String,
    /// Liquid the HTML site shows as its source, one note each.
    pub notes: Vec<String>,
}

/// Renders every post for both targets.
///
/// # Errors
/// Every post that fails, each at its file, line and column.
pub fn posts(
    posts: &[Post],
    templates: &Templates,
    config: &SiteConfig,
    library: &Library,
) -> Result<Vec<RenderedPost>, Problems> {
    let results: Vec<_> = posts
        .par_iter()
        .map(|post| {
            let url = post.url(&config.permalink);
            let render = |target, root: &str| {
                templates.render_post(post, &context(post, config, library, target, root))
            };
            let kept = templates.kept(post);
            let jekyll = liquid::restore(&render(Target::Jekyll, "")?, kept, true, &|t, _| t.to_owned());
            let root = root_of(&url);
            let notes = std::sync::Mutex::new(Vec::new());
            let shown = |text: &str, line: usize| {
                let (html, unsupported) = liquid_for_html(text, config, &root);
                if unsupported && let Ok(mut notes) = notes.lock() {
                    let line = post.body_start.1 + line;
                    notes.push(format!(
                        "{}:{line}: Liquid the HTML site shows as its source (Jekyll renders it): {}",
                        post.path.display(),
                        first_line(text)
                    ));
                }
                html
            };
            let html = liquid::restore(&render(Target::Html, &root)?, kept, false, &shown);
            Ok(RenderedPost {
                post: post.clone(),
                jekyll,
                html,
                url,
                notes: notes.into_inner().unwrap_or_default(),
            })
        })
        .collect();
    let mut problems = Problems::new();
    let mut rendered = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(post) => rendered.push(post),
            Err(problem) => problems.push(problem),
        }
    }
    problems.into_result(rendered)
}

/// What the HTML site shows for a Liquid construct, as Markdown, and
/// whether it is one the HTML site cannot render: `site.url`,
/// `site.baseurl` and the `relative_url` and `absolute_url` filters on a
/// quoted path are rendered; anything else is shown as its source, in
/// code.
fn liquid_for_html(text: &str, config: &SiteConfig, root: &str) -> (String, bool) {
    let inner = text
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .map(|t| t.trim_matches('-').trim());
    if let Some(inner) = inner {
        match inner {
            "site.url" => return (config.url.clone(), false),
            "site.baseurl" => return (config.baseurl.clone(), false),
            _ => {}
        }
        if let Some((path, filter)) = inner.split_once('|') {
            let path = path.trim().trim_matches(|c| c == '\'' || c == '"');
            let path = path.trim_start_matches('/');
            match filter.trim() {
                "relative_url" => return (format!("{root}{path}"), false),
                "absolute_url" => {
                    return (format!("{}{}/{path}", config.url, config.baseurl), false);
                }
                _ => {}
            }
        }
    }
    if text.contains('\n') {
        let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
        (format!("\n{fence}liquid\n{text}\n{fence}\n"), true)
    } else {
        let ticks = "`".repeat(longest_run(text, '`') + 1);
        (format!("{ticks} {text} {ticks}"), true)
    }
}

fn longest_run(text: &str, c: char) -> usize {
    text.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// What a post's body sees: every experiment's numbers by id, `page`,
/// `site`, `target` and `root`.
fn context(
    post: &Post,
    config: &SiteConfig,
    library: &Library,
    target: Target,
    root: &str,
) -> tera::Context {
    let mut context = tera::Context::new();
    for (id, entry) in library {
        context.insert(id.clone(), &entry.outcome.numbers);
    }
    context.insert("page", &post.page);
    context.insert("site", config);
    context.insert("target", &target);
    context.insert("root", root);
    context
}

/// The relative path from a page at `url` back to the site root: `""` for
/// `/index.html`, `"../../"` for `/blog/2025/post/`.
pub fn root_of(url: &str) -> String {
    let depth = url.trim_start_matches('/').matches('/').count();
    "../".repeat(depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_site_renders_jekyll_urls_and_shows_other_liquid_as_code() {
        let config = SiteConfig {
            url: "https://me.github.io".into(),
            baseurl: "/blog".into(),
            ..SiteConfig::default()
        };
        let shown = |text| liquid_for_html(text, &config, "../../");
        assert_eq!(
            shown("{{ site.url }}"),
            ("https://me.github.io".into(), false)
        );
        assert_eq!(shown("{{- site.baseurl -}}"), ("/blog".into(), false));
        assert_eq!(
            shown("{{ '/assets/a.json' | relative_url }}"),
            ("../../assets/a.json".into(), false)
        );
        assert_eq!(
            shown("{{ \"img/b.png\" | absolute_url }}"),
            ("https://me.github.io/blog/img/b.png".into(), false)
        );
        // A code span long enough for the backticks inside.
        assert_eq!(
            shown("{% cite a`b %}"),
            ("`` {% cite a`b %} ``".into(), true)
        );
        assert_eq!(
            shown("{% highlight r %}\nx\n{% endhighlight %}"),
            (
                "\n```liquid\n{% highlight r %}\nx\n{% endhighlight %}\n```\n".into(),
                true
            )
        );
    }

    #[test]
    fn the_root_is_as_many_steps_up_as_the_url_is_deep() {
        assert_eq!(root_of("/blog/2025/mle-and-kl/"), "../../../");
        assert_eq!(root_of("/index.html"), "");
    }
}
