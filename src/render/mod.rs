//! Posts: `posts/YYYY-MM-DD-slug.md`, Jekyll front matter plus a Tera body
//! that references experiment results.
//!
//! Every post is rendered twice through Tera: once for Jekyll (figures as
//! al-folio includes, math as written) and once for likely's HTML site
//! (figures as `<figure>`, relative links). Posts see each experiment's
//! numbers under its id, the front matter as `page`, the site config as
//! `site`, and `target` (`"jekyll"` or `"html"`). Each of the two is itself
//! a first rendering that finds the figures the post shows, then the one
//! that numbers them (see `functions`).

mod distill;
mod engine;
mod filters;
mod functions;
pub mod liquid;
mod post;
mod shown;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::bib::Bibliography;
use crate::config::SiteConfig;
use crate::diag::Problems;
use crate::outcome::Outcome;
use crate::spec::Experiment;

pub use engine::{NOT_COMPILED, Templates, template_text};
pub use post::{Post, collect_posts, parse_post};
use shown::Shown;
pub use shown::plain;

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
    /// Liquid the HTML site shows as its source, and other notes, one each.
    pub notes: Vec<String>,
    /// Files of the blog the HTML page links to (images, videos, PDFs),
    /// relative to the site root, for the HTML site to carry.
    pub assets: BTreeSet<String>,
    /// Bibliography keys the post cites, in order of first citation.
    pub cited: Vec<String>,
    /// The experiments the post names, in id order.
    pub experiments: Vec<String>,
}

/// What the Jekyll blog holds beyond likely's posts, which their Liquid
/// may refer to.
#[derive(Debug, Default)]
pub struct Blog {
    /// The blog's bibliography, if it has one.
    pub bib: Option<Bibliography>,
    /// Posts' own bibliographies (Distill posts' `bibliography:`, under
    /// `assets/bibliography/`), by the name the front matter gives.
    pub files: BTreeMap<String, Bibliography>,
    /// The blog's own posts (not likely's), by file stem, each with its
    /// address on the blog: `url` + `baseurl` + the permalink.
    pub posts: BTreeMap<String, String>,
}

/// Where al-folio keeps Distill posts' own bibliographies, under the site.
pub const BIBLIOGRAPHIES: &str = "assets/bibliography";

/// The file name of a post's own bibliography (a Distill post's
/// `bibliography:`), if it names one.
pub fn own_bibliography(post: &Post) -> Option<&str> {
    post.page
        .get("bibliography")
        .and_then(|b| b.as_str())
        .map(str::trim)
        .filter(|b| !b.is_empty())
}

/// Renders every post for both targets; `blog` is what the Jekyll blog
/// holds beyond them.
///
/// # Errors
/// Every post that fails, each at its file, line and column.
pub fn posts(
    posts: &[Post],
    templates: &Templates,
    config: &SiteConfig,
    library: &Library,
    blog: &Blog,
) -> Result<Vec<RenderedPost>, Problems> {
    let pages: BTreeMap<String, String> = posts
        .iter()
        .map(|p| {
            let stem = p.file_name.trim_end_matches(".md").to_owned();
            (stem, crate::paths::page_file(&p.url(&config.permalink)))
        })
        .collect();
    let results: Vec<_> = posts
        .par_iter()
        .map(|post| {
            let url = post.url(&config.permalink);
            let own = own_bibliography(post);
            let bib_file = own.map_or_else(
                || crate::bib::PATH.to_owned(),
                |n| format!("{BIBLIOGRAPHIES}/{n}"),
            );
            let bib = own.map_or(blog.bib.as_ref(), |n| blog.files.get(n));
            // What `cite` checks keys against, read once for the post's
            // four renderings.
            let citable = uses_word(post.body(), "cite").then(|| bib.map(Bibliography::keys));
            let render = |target, root: &str| {
                let mut context = context(post, config, library, target, root);
                if let Some(keys) = &citable {
                    context.insert(functions::BIB_FILE, &bib_file);
                    if let Some(keys) = keys {
                        context.insert(functions::BIB_KEYS, keys);
                    }
                }
                // The first rendering finds the figures the post shows, in
                // order, so that the second can number them and refer to
                // any of them.
                let first = templates.render_post(post, &context)?;
                context.insert(functions::FIGURES, &functions::numbering(&first));
                templates.render_post(post, &context)
            };
            let kept = templates.kept(post);
            let rendered = render(Target::Jekyll, "")?;
            let mut jekyll = liquid::restore(&rendered, kept, true, &|t, _| t.to_owned());
            if liquid::wrote(&rendered, "{% cite") && !lists_references(post) {
                // As al-folio's post layout does with `related_publications`.
                jekyll.truncate(jekyll.trim_end().len());
                jekyll.push_str("\n\n## References\n\n{% bibliography --cited_in_order %}\n");
            }
            let root = root_of(&url);
            let shown = Shown {
                config,
                root: &root,
                pages: &pages,
                elsewhere: &blog.posts,
                bib,
                state: RefCell::default(),
            };
            if let Some(name) = own.filter(|n| !blog.files.contains_key(*n)) {
                shown.note(
                    0,
                    format!("its bibliography, {BIBLIOGRAPHIES}/{name}, is not a file of the blog"),
                );
            }
            let mut html =
                liquid::restore(&render(Target::Html, &root)?, kept, false, &|text, line| {
                    shown.show(text, line)
                });
            if ["<d-cite", "<d-footnote", "<d-code"]
                .iter()
                .any(|d| html.contains(d))
            {
                html = distill::show(&html, &shown);
            }
            html.extend(shown.references());
            // A post that redirects to a file of the blog needs the file.
            if let Some(target) = post.page.get("redirect").and_then(|r| r.as_str()) {
                shown.local(target);
            }
            let state = shown.state.into_inner();
            let notes = shown::grouped(state.notes)
                .into_iter()
                .map(|(line, what)| {
                    format!(
                        "{}:{}: {what}",
                        post.path.display(),
                        post.body_start.1 + line
                    )
                })
                .collect();
            Ok(RenderedPost {
                post: post.clone(),
                jekyll,
                html,
                url,
                notes,
                assets: state.assets,
                cited: state.cited,
                experiments: library
                    .keys()
                    .filter(|id| uses_word(post.body(), id))
                    .cloned()
                    .collect(),
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

/// Whether a post lists its references itself: `{% bibliography %}` in
/// its body, or al-folio's `related_publications:` asking the layout to.
fn lists_references(post: &Post) -> bool {
    post.body().contains("{% bibliography")
        || post
            .page
            .get("related_publications")
            .is_some_and(|v| v.as_bool() != Some(false) && !v.is_null())
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

/// Whether `word` occurs in `text` as a whole identifier.
pub fn uses_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
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
    fn the_root_is_as_many_steps_up_as_the_url_is_deep() {
        assert_eq!(root_of("/blog/2025/mle-and-kl/"), "../../../");
        assert_eq!(root_of("/index.html"), "");
    }
}
