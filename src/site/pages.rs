//! One function per kind of output, each adding its files; a new page
//! type is one more function here and one call in [`super::files`].

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::blog::{self, Blog, Taxonomy, local_or_remote, redirect};
use super::{Output, Problem, Unique, Warning, markdown, math};
use crate::paths;
use crate::render::root_of;

/// The Jekyll posts: front matter verbatim, then the body rendered for
/// Jekyll.
pub(super) fn jekyll_posts(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    for post in output.posts {
        let text = format!("{}{}", post.post.header, post.jekyll);
        files.add(
            paths::jekyll_post(&post.post.file_name),
            text.into_bytes(),
            &post.post.path,
        )?;
    }
    Ok(())
}

/// Each experiment's numbers and figures, for Jekyll.
pub(super) fn experiment_assets(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    for (path, bytes) in output.assets.iter().chain(output.figures) {
        files.add(path.clone(), bytes.clone(), Path::new("experiments"))?;
    }
    Ok(())
}

/// The HTML of each post's content, by the post's URL, as its page shows
/// it (for the feed).
pub(super) type Contents = BTreeMap<String, String>;

/// One HTML page per post; returns the formulas and drawn blocks the
/// pages could not show, and each post's content.
pub(super) fn post_pages(
    output: &Output<'_>,
    files: &mut Unique,
) -> anyhow::Result<(Vec<Warning>, Contents)> {
    let config = output.config;
    /// A post's page: its path, bytes and warnings, and its content
    /// (none for a redirect).
    type Page = (String, Vec<u8>, Vec<Warning>, Option<String>);
    let pages: Vec<Page> = published(output)
        .par_iter()
        .map(|post| {
            if let Some(target) = redirect(post) {
                let href = local_or_remote(&target, &root_of(&post.url));
                return Ok((
                    paths::page_file(&post.url),
                    redirect_page(&href),
                    Vec::new(),
                    None,
                ));
            }
            let rendered = markdown::to_html(&post.html, config.likely.math);
            let mut context = tera::Context::new();
            context.insert("site", config);
            context.insert("page", &post.post.page);
            context.insert("title", &post.post.title());
            context.insert("authors", &authors(&post.post.page));
            context.insert("date", &post.post.date);
            let root = root_of(&post.url);
            context.insert("tags", &blog::term_links(post, Taxonomy::Tag, &root));
            context.insert(
                "categories",
                &blog::term_links(post, Taxonomy::Category, &root),
            );
            context.insert("content", &rendered.html);
            context.insert("toc", &toc(&post.post.page, &rendered.headings));
            context.insert("reproduce", &reproduce(output, post, &root));
            context.insert("math", &rendered.has_math);
            context.insert("root", &root_of(&post.url));
            let html = output.templates.render_page("post.html", &context)?;
            let math = rendered.warnings.into_iter().map(|w| Warning {
                post: post.post.path.clone(),
                line: post.post.line_of(&w.formula),
                problem: Problem::Math {
                    formula: w.formula,
                    message: w.message,
                },
            });
            let body = post.post.body();
            let drawn = rendered.scripts.into_iter().map(|s| Warning {
                post: post.post.path.clone(),
                line: body
                    .match_indices(s.construct.as_str())
                    .nth(s.occurrence)
                    .map(|(at, _)| post.post.body_start.1 + body[..at].matches('\n').count()),
                problem: Problem::Drawn {
                    kind: s.kind.to_owned(),
                    construct: s.construct,
                },
            });
            let warnings = math.chain(drawn).collect();
            Ok((
                paths::page_file(&post.url),
                html.into_bytes(),
                warnings,
                Some(rendered.html),
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut warnings = Vec::new();
    let mut contents = Contents::new();
    for ((path, bytes, w, content), post) in pages.into_iter().zip(published(output)) {
        files.add_html(&path, bytes, &post.post.path)?;
        warnings.extend(w);
        if let Some(content) = content {
            contents.insert(post.url.clone(), content);
        }
    }
    Ok((warnings, contents))
}

/// One of a post's authors as its byline shows them.
#[derive(Serialize)]
pub(super) struct Author {
    name: String,
    url: Option<String>,
    /// Affiliations' names, joined.
    affiliation: Option<String>,
}

/// A post's authors: Distill's `authors:` (names, each with an optional
/// `url` and `affiliations`, a name or a list of them), or `author:`.
pub(super) fn authors(page: &serde_json::Map<String, serde_json::Value>) -> Vec<Author> {
    use serde_json::Value;
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let affiliation = |v: Option<&Value>| {
        let names: Vec<String> = match v {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|a| text(Some(a)).or_else(|| text(a.get("name"))))
                .collect(),
            Some(v) => text(Some(v))
                .or_else(|| text(v.get("name")))
                .into_iter()
                .collect(),
            None => Vec::new(),
        };
        (!names.is_empty()).then(|| names.join("; "))
    };
    match page.get("authors") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|a| {
                Some(match a {
                    Value::Object(_) => Author {
                        name: text(a.get("name"))?,
                        url: text(a.get("url")),
                        affiliation: affiliation(a.get("affiliations")),
                    },
                    _ => Author {
                        name: text(Some(a))?,
                        url: None,
                        affiliation: None,
                    },
                })
            })
            .collect(),
        _ => text(page.get("author"))
            .map(|name| Author {
                name,
                url: None,
                affiliation: None,
            })
            .into_iter()
            .collect(),
    }
}

/// What the note at the end of a post says of one experiment it uses.
#[derive(Serialize)]
struct Reproduced {
    id: String,
    seed: u64,
    /// A short hash of what decides the numbers (the canonical spec).
    hash: String,
    /// The spec, in the HTML site.
    href: String,
}

/// The note that ends a post: likely's version, and each experiment the
/// post uses with its seed, spec hash and spec.
fn reproduce(
    output: &Output<'_>,
    post: &crate::render::RenderedPost,
    root: &str,
) -> serde_json::Value {
    let experiments: Vec<Reproduced> = output
        .experiments
        .iter()
        .filter(|e| post.experiments.contains(&e.id))
        .map(|e| Reproduced {
            id: e.id.clone(),
            seed: e.spec.seed,
            hash: e.spec.hash(),
            href: format!("{root}{}", paths::spec(&e.id)),
        })
        .collect();
    serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "experiments": experiments,
    })
}

/// Each experiment's spec, in the HTML site, for the reproduce notes to
/// link to.
pub(super) fn specs(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    for experiment in output.experiments {
        files.add_html(
            &paths::spec(&experiment.id),
            experiment.source.as_bytes().to_vec(),
            &experiment.path,
        )?;
    }
    Ok(())
}

/// A post's table of contents, when its front matter asks for one as
/// al-folio reads it (`toc: true`, or `toc: {sidebar: left}`).
#[derive(Serialize)]
struct Toc {
    /// `left` or `right` for a sidebar beside the post on wide screens.
    sidebar: Option<String>,
    entries: Vec<TocEntry>,
}

#[derive(Serialize)]
struct TocEntry {
    id: String,
    text: String,
    /// 0 for the post's top level of headings, 1 for the level below.
    depth: u8,
}

/// The table of contents of a post whose front matter asks for one: its
/// two top levels of headings, as al-folio's contents show them, without
/// those marked `data-toc-skip`.
fn toc(
    page: &serde_json::Map<String, serde_json::Value>,
    headings: &[markdown::Heading],
) -> Option<Toc> {
    let sidebar = match page.get("toc")? {
        serde_json::Value::Bool(true) => None,
        serde_json::Value::Object(o) => o.get("sidebar").map(|side| {
            let right = side.as_str() == Some("right");
            if right { "right" } else { "left" }.to_owned()
        }),
        serde_json::Value::Array(sections) => return Some(listed_toc(sections, headings)),
        _ => return None,
    };
    let shown: Vec<&markdown::Heading> = headings
        .iter()
        .filter(|h| !h.toc_skip && !h.id.is_empty())
        .collect();
    let top = shown.iter().map(|h| h.level).min()?;
    let entries = shown
        .into_iter()
        .filter(|h| h.level <= top + 1)
        .map(|h| TocEntry {
            id: h.id.clone(),
            text: h.toc_text.clone().unwrap_or_else(|| h.text.clone()),
            depth: h.level - top,
        })
        .collect();
    Some(Toc { sidebar, entries })
}

/// A Distill post's table of contents, listed in its front matter by
/// section name (`- name: ...`, with `subsections:`), each linked to the
/// heading of that name.
fn listed_toc(sections: &[serde_json::Value], headings: &[markdown::Heading]) -> Toc {
    let mut entries = Vec::new();
    let named = |section: &serde_json::Value| section.get("name")?.as_str().map(str::to_owned);
    for section in sections {
        let subsections = section.get("subsections").and_then(|s| s.as_array());
        let children = subsections.into_iter().flatten().map(|s| (s, 1));
        for (item, depth) in std::iter::once((section, 0)).chain(children) {
            let Some(name) = named(item) else { continue };
            let Some(heading) = headings.iter().find(|h| h.text.trim() == name.trim()) else {
                continue;
            };
            entries.push(TocEntry {
                id: heading.id.clone(),
                text: name,
                depth,
            });
        }
    }
    Toc {
        sidebar: None,
        entries,
    }
}

/// The posts Jekyll publishes: not those with `published: false`.
fn published<'p>(output: &Output<'p>) -> Vec<&'p crate::render::RenderedPost> {
    output.posts.iter().filter(|p| p.post.published()).collect()
}

/// A page that sends the reader on to `href`, with a link for when the
/// refresh does not happen.
fn redirect_page(href: &str) -> Vec<u8> {
    let href = crate::html::escape(href);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n\
         <meta http-equiv=\"refresh\" content=\"0; url={href}\">\n<link rel=\"canonical\" href=\"{href}\">\n</head>\n\
         <body>\n<p>This page has moved to <a href=\"{href}\">{href}</a>.</p>\n</body>\n</html>\n"
    )
    .into_bytes()
}

/// Renders `template` as the page at `url` of the HTML site, with
/// `site` and `root` (the way back to the site root) in its context.
fn add_page(
    output: &Output<'_>,
    files: &mut Unique,
    template: &str,
    url: &str,
    mut context: tera::Context,
) -> anyhow::Result<()> {
    context.insert("site", output.config);
    context.insert("root", &root_of(url));
    let html = output.templates.render_page(template, &context)?;
    files.add_html(
        &paths::page_file(url),
        html.into_bytes(),
        Path::new(&format!("templates/{template}")),
    )
}

/// Links between the pages of the index.
#[derive(Serialize)]
struct Pager {
    number: usize,
    count: usize,
    previous: Option<String>,
    next: Option<String>,
}

/// The index: every post, newest first and grouped by year, split into
/// pages as `pagination` says (`/`, `/page/2/`, ...).
pub(super) fn index(
    output: &Output<'_>,
    blog: &Blog<'_>,
    files: &mut Unique,
) -> anyhow::Result<()> {
    let pages = blog.index_pages();
    for (k, posts) in pages.iter().enumerate() {
        let (number, url) = (k + 1, blog::index_url(k + 1));
        let root = root_of(&url);
        let link = |n: usize| blog::href(&blog::index_url(n), &root);
        let pager = Pager {
            number,
            count: pages.len(),
            previous: (number > 1).then(|| link(number - 1)),
            next: (number < pages.len()).then(|| link(number + 1)),
        };
        let mut context = tera::Context::new();
        context.insert("years", &blog::by_year(posts, &root));
        context.insert("pager", &pager);
        context.insert("compact", &false);
        add_page(output, files, "index.html", &url, context)?;
    }
    Ok(())
}

/// A list page's context: its title, a line saying what it lists, and
/// its posts by year as a page at `url` links to them.
fn list_context(
    title: &str,
    note: &str,
    posts: &[&crate::render::RenderedPost],
    url: &str,
) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("title", title);
    context.insert("note", note);
    context.insert("years", &blog::by_year(posts, &root_of(url)));
    context.insert("compact", &false);
    context
}

/// A page per tag and per category, at al-folio's `/blog/tag/NAME/` and
/// `/blog/category/NAME/`, listing exactly their posts.
pub(super) fn taxonomies(
    output: &Output<'_>,
    blog: &Blog<'_>,
    files: &mut Unique,
) -> anyhow::Result<()> {
    for taxonomy in Taxonomy::ALL {
        for (slug, term) in blog.terms(taxonomy) {
            let url = taxonomy.url(slug);
            let (title, note) = match taxonomy {
                Taxonomy::Tag => (format!("#{}", term.name), "Posts with this tag"),
                Taxonomy::Category => (term.name.clone(), "Posts in this category"),
            };
            let context = list_context(&title, note, &term.posts, &url);
            add_page(output, files, "list.html", &url, context)?;
        }
    }
    Ok(())
}

/// The archive of every post by year (`/blog/archive/`), and a page per
/// year at al-folio's `/blog/2025/`.
pub(super) fn archives(
    output: &Output<'_>,
    blog: &Blog<'_>,
    files: &mut Unique,
) -> anyhow::Result<()> {
    let mut context = list_context(
        "Archive",
        "Every post, by year",
        &blog.posts,
        blog::ARCHIVE_URL,
    );
    context.insert("compact", &true);
    add_page(output, files, "list.html", blog::ARCHIVE_URL, context)?;
    for (year, posts) in &blog.years {
        let url = blog::year_url(year);
        let context = list_context(year, "Posts of this year", posts, &url);
        add_page(output, files, "list.html", &url, context)?;
    }
    Ok(())
}

/// A post as the Atom feed gives it.
#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    id: String,
    published: String,
    updated: String,
    content: String,
    /// The front matter's `description`, as jekyll-feed's `<summary>`.
    summary: Option<String>,
    author: String,
    categories: Vec<String>,
}

/// The Atom feed, `feed.xml`, as jekyll-feed writes it: the newest posts
/// (`feed: {posts_limit}`, 10 by default) in full, with absolute URLs;
/// `contents` is what their pages show.
pub(super) fn feed(
    output: &Output<'_>,
    blog: &Blog<'_>,
    contents: &Contents,
    files: &mut Unique,
) -> anyhow::Result<()> {
    let config = output.config;
    let newest = &blog.posts[..blog.posts.len().min(config.feed_posts)];
    let entries: Vec<FeedEntry> = newest
        .iter()
        .map(|post| {
            let content = contents.get(&post.url).cloned().unwrap_or_else(|| {
                // A post that redirects has no page of its own.
                markdown::to_html(&post.html, config.likely.math).html
            });
            // Jekyll's post id: the URL's folder and the slug.
            let folder = post.url.trim_end_matches('/');
            let folder = &folder[..folder.rfind('/').unwrap_or(0)];
            // jekyll-feed's order: `author`, the first of `authors`, the site's.
            let author = blog::text(post, "author")
                .or_else(|| authors(&post.post.page).into_iter().next().map(|a| a.name))
                .unwrap_or_else(|| config.author.clone());
            FeedEntry {
                title: blog::plain(&post.post.title()),
                url: blog::absolute(config, &post.url),
                id: blog::absolute(config, &format!("{folder}/{}", post.post.slug)),
                published: blog::published(post),
                updated: blog::updated(post),
                content: content.trim().to_owned(),
                summary: blog::text(post, "description")
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty()),
                author,
                categories: post
                    .post
                    .words("categories")
                    .into_iter()
                    .chain(post.post.words("tags"))
                    .collect(),
            }
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".to_owned());
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("self_url", &blog::absolute(config, "/feed.xml"));
    context.insert("home_url", &blog::absolute(config, "/"));
    context.insert("updated", &updated);
    context.insert("entries", &entries);
    context.insert("version", env!("CARGO_PKG_VERSION"));
    let xml = output.templates.render_page("feed.xml", &context)?;
    files.add_html(
        "feed.xml",
        xml.into_bytes(),
        Path::new("templates/feed.xml"),
    )
}

/// `sitemap.xml` (sitemaps.org 0.9) as jekyll-sitemap writes it: every
/// page a reader would land on, by absolute URL, with the date of its
/// newest post; not redirects, the 404 page, or posts with
/// `sitemap: false`.
pub(super) fn sitemap(
    output: &Output<'_>,
    blog: &Blog<'_>,
    files: &mut Unique,
) -> anyhow::Result<()> {
    let newest =
        |posts: &[&crate::render::RenderedPost]| posts.iter().map(|p| blog::updated(p)).max();
    let mut urls: Vec<(String, Option<String>)> = Vec::new();
    for post in &blog.posts {
        let hidden = post.post.page.get("sitemap") == Some(&serde_json::Value::Bool(false));
        if redirect(post).is_none() && !hidden {
            urls.push((post.url.clone(), Some(blog::updated(post))));
        }
    }
    for (k, posts) in blog.index_pages().iter().enumerate() {
        urls.push((blog::index_url(k + 1), newest(posts)));
    }
    urls.push((blog::ARCHIVE_URL.to_owned(), newest(&blog.posts)));
    for (year, posts) in &blog.years {
        urls.push((blog::year_url(year), newest(posts)));
    }
    for taxonomy in Taxonomy::ALL {
        for (slug, term) in blog.terms(taxonomy) {
            urls.push((taxonomy.url(slug), newest(&term.posts)));
        }
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (url, lastmod) in urls {
        let loc = crate::html::escape(&blog::absolute(output.config, &url));
        xml.push_str(&format!("<url>\n<loc>{loc}</loc>\n"));
        if let Some(lastmod) = lastmod {
            xml.push_str(&format!("<lastmod>{lastmod}</lastmod>\n"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    files.add_html("sitemap.xml", xml.into_bytes(), Path::new("likely"))
}

/// `robots.txt`, pointing crawlers to the sitemap as jekyll-sitemap's does.
pub(super) fn robots(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    let text = format!(
        "Sitemap: {}\n",
        blog::absolute(output.config, "/sitemap.xml")
    );
    files.add_html("robots.txt", text.into_bytes(), Path::new("likely"))
}

/// `404.html`, which a host serves for any missing path at any depth: its
/// links start at the `baseurl`, not at the page.
pub(super) fn not_found(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    let mut context = tera::Context::new();
    context.insert("site", output.config);
    context.insert("root", &format!("{}/", output.config.baseurl));
    let html = output.templates.render_page("404.html", &context)?;
    files.add_html(
        "404.html",
        html.into_bytes(),
        Path::new("templates/404.html"),
    )
}

/// The HTML site's stylesheet.
pub(super) fn stylesheet(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    files.add_html(
        paths::STYLESHEET,
        output.style.as_bytes().to_vec(),
        Path::new("templates/style.css"),
    )
}

/// KaTeX's stylesheet and fonts, which pages with math link to.
pub(super) fn math_assets(files: &mut Unique) -> anyhow::Result<()> {
    for (path, bytes) in math::ASSETS {
        files.add_html(
            &format!("{}/{path}", paths::MATH_ASSETS),
            bytes.to_vec(),
            Path::new("likely"),
        )?;
    }
    Ok(())
}

/// The figures, again, inside the HTML site, so it stands alone.
pub(super) fn figure_copies(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    for (path, bytes) in output.figures {
        files.add_html(path, bytes.clone(), Path::new("experiments"))?;
    }
    Ok(())
}

/// The blog's own files that pages link to (images, videos), so the HTML
/// site stands alone.
pub(super) fn carried(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    for (path, bytes) in output.carried {
        files.add_html(path, bytes.clone(), Path::new("site"))?;
    }
    Ok(())
}
