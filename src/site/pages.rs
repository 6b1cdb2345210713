//! One function per kind of output, each adding its files; a new page
//! type is one more function here and one call in [`super::files`].

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

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

/// One HTML page per post.
pub(super) fn post_pages(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<Vec<Warning>> {
    let config = output.config;
    let pages: Vec<(String, Vec<u8>, Vec<Warning>)> = published(output)
        .par_iter()
        .map(|post| {
            if let Some(target) = redirect(post) {
                let href = local_or_remote(&target, &root_of(&post.url));
                return Ok((
                    paths::page_file(&post.url),
                    redirect_page(&href),
                    Vec::new(),
                ));
            }
            let rendered = markdown::to_html(&post.html, config.likely.math);
            let mut context = tera::Context::new();
            context.insert("site", config);
            context.insert("page", &post.post.page);
            context.insert("title", &post.post.title());
            context.insert("date", &post.post.date);
            context.insert("tags", &post.post.words("tags"));
            context.insert("content", &rendered.html);
            context.insert("toc", &toc(&post.post.page, &rendered.headings));
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
            Ok((paths::page_file(&post.url), html.into_bytes(), warnings))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut warnings = Vec::new();
    for ((path, bytes, w), post) in pages.into_iter().zip(published(output)) {
        files.add_html(&path, bytes, &post.post.path)?;
        warnings.extend(w);
    }
    Ok(warnings)
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

/// Where a post with `redirect:` in its front matter sends its readers.
fn redirect(post: &crate::render::RenderedPost) -> Option<String> {
    let target = post.post.page.get("redirect")?.as_str()?.trim();
    (!target.is_empty()).then(|| target.to_owned())
}

/// A link from a page `root` below the site root: a URL as it is, a
/// path of the site relative to the page.
fn local_or_remote(target: &str, root: &str) -> String {
    if target.contains("://") || target.starts_with("//") {
        target.to_owned()
    } else {
        format!("{root}{}", target.trim_start_matches('/'))
    }
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

#[derive(Serialize)]
struct IndexEntry {
    title: String,
    date: String,
    description: String,
    href: String,
}

/// The index: every post, newest first.
pub(super) fn index(output: &Output<'_>, files: &mut Unique) -> anyhow::Result<()> {
    let mut entries: Vec<IndexEntry> = published(output)
        .into_iter()
        .map(|p| IndexEntry {
            title: p.post.title(),
            date: p.post.date.clone(),
            description: p
                .post
                .page
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default()
                .to_string(),
            href: redirect(p).map_or_else(
                || paths::page_file(&p.url),
                |target| local_or_remote(&target, ""),
            ),
        })
        .collect();
    entries.sort_by(|a, b| b.date.cmp(&a.date).then(a.href.cmp(&b.href)));
    let mut context = tera::Context::new();
    context.insert("site", output.config);
    context.insert("posts", &entries);
    context.insert("root", "");
    let index = output.templates.render_page("index.html", &context)?;
    files.add_html(
        "index.html",
        index.into_bytes(),
        Path::new("templates/index.html"),
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
