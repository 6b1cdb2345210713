//! Writing `site/`: Jekyll posts, figures and numbers, and the standalone
//! HTML site under `site/_site/`.
//!
//! Everything is first written to a staging directory; only when all of it
//! is ready are files moved into place. likely keeps a manifest
//! (`site/.likely-manifest`) of the files it wrote and their hashes: it
//! rewrites and removes only those, refuses to overwrite a file it did not
//! write, and refuses to overwrite (or remove) one edited since.

pub mod markdown;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::render::{RenderedPost, Templates, root_of};

/// The manifest's file name, inside `site/`.
pub const MANIFEST: &str = ".likely-manifest";

/// The files of a build, by path relative to `site/`.
pub type Files = BTreeMap<String, Vec<u8>>;

/// A formula the HTML site could not fully render.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The post.
    pub post: PathBuf,
    /// Line in the post's source, when the formula is found there.
    pub line: Option<usize>,
    /// The LaTeX.
    pub formula: String,
    /// What pulldown-latex said.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: ", self.post.display())?,
            None => write!(f, "{}: ", self.post.display())?,
        }
        write!(
            f,
            "LaTeX the HTML site cannot render, `{}`: {}",
            self.formula, self.message
        )
    }
}

/// What a commit changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Files written (new or changed).
    pub written: usize,
    /// Files already up to date.
    pub unchanged: usize,
    /// Files removed because the build no longer produces them.
    pub removed: usize,
    /// Files left in place although the build no longer produces them,
    /// because they were edited by hand.
    pub kept: Vec<String>,
}

/// The Jekyll post for `post`: its front matter verbatim, then its body.
pub fn jekyll_post(post: &RenderedPost) -> (String, Vec<u8>) {
    let path = format!("_posts/{}", post.post.file_name);
    (
        path,
        format!("{}{}", post.post.header, post.jekyll).into_bytes(),
    )
}

#[derive(Serialize)]
struct IndexEntry {
    title: String,
    date: String,
    description: String,
    href: String,
}

/// The HTML site: one page per post, an index, the stylesheet and copies
/// of the figures, all under `_site/`.
///
/// # Errors
/// A template that fails to render.
pub fn html_pages(
    posts: &[RenderedPost],
    figures: &Files,
    templates: &Templates,
    config: &SiteConfig,
    style: &str,
) -> anyhow::Result<(Files, Vec<Warning>)> {
    let pages: Vec<(String, Vec<u8>, Vec<Warning>)> = posts
        .par_iter()
        .map(|post| {
            let rendered = markdown::to_html(&post.html);
            let mut context = tera::Context::new();
            context.insert("site", config);
            context.insert("page", &post.post.page);
            context.insert("title", &post.post.title());
            context.insert("date", &post.post.date);
            context.insert("tags", &post.post.words("tags"));
            context.insert("content", &rendered.html);
            context.insert("root", &root_of(&post.url));
            let html = templates.render_page("post.html", &context)?;
            let source = std::fs::read_to_string(&post.post.path).unwrap_or_default();
            let warnings = rendered
                .warnings
                .into_iter()
                .map(|w| Warning {
                    post: post.post.path.clone(),
                    line: source
                        .find(&w.formula)
                        .map(|at| source[..at].matches('\n').count() + 1),
                    formula: w.formula,
                    message: w.message,
                })
                .collect();
            Ok((page_file(&post.url), html.into_bytes(), warnings))
        })
        .collect::<anyhow::Result<_>>()?;

    let mut files = Files::new();
    let mut warnings = Vec::new();
    for (path, bytes, w) in pages {
        files.insert(format!("_site/{path}"), bytes);
        warnings.extend(w);
    }
    let mut entries: Vec<IndexEntry> = posts
        .iter()
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
            href: page_file(&p.url),
        })
        .collect();
    entries.sort_by(|a, b| b.date.cmp(&a.date).then(a.href.cmp(&b.href)));
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("posts", &entries);
    context.insert("root", "");
    files.insert(
        "_site/index.html".into(),
        templates.render_page("index.html", &context)?.into_bytes(),
    );
    files.insert(
        "_site/assets/likely/style.css".into(),
        style.as_bytes().to_vec(),
    );
    for (path, bytes) in figures {
        files.insert(format!("_site/{path}"), bytes.clone());
    }
    Ok((files, warnings))
}

/// The file serving `url`: `blog/x/` is `blog/x/index.html`.
fn page_file(url: &str) -> String {
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// Writes `files` into `site_dir` through `staging` (a directory on the same
/// file system, removed afterwards), removing files the previous build
/// wrote and this one does not.
///
/// # Errors
/// When a file would overwrite one likely did not write or one edited since
/// it was written, or on I/O errors. Nothing in `site_dir` changes unless
/// every file was staged.
pub fn write(site_dir: &Path, staging: &Path, files: &Files) -> anyhow::Result<Report> {
    for path in files.keys() {
        check_relative(path)?;
    }
    let old = read_manifest(site_dir)?;
    let plan = plan(site_dir, &old, files)?;

    if staging.exists() {
        std::fs::remove_dir_all(staging)
            .with_context(|| format!("clearing {}", staging.display()))?;
    }
    for path in &plan.write {
        let target = staging.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&target, &files[path])
            .with_context(|| format!("staging {}", target.display()))?;
    }
    let manifest: String = files
        .iter()
        .map(|(path, bytes)| format!("{}  {path}\n", blake3::hash(bytes).to_hex()))
        .collect();
    std::fs::create_dir_all(staging).with_context(|| format!("creating {}", staging.display()))?;
    std::fs::write(staging.join(MANIFEST), &manifest).context("staging the manifest")?;

    // Commit: from here on only renames and removals.
    for path in &plan.write {
        let target = site_dir.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::rename(staging.join(path), &target)
            .with_context(|| format!("moving {} into place", target.display()))?;
    }
    for path in &plan.remove {
        let target = site_dir.join(path);
        std::fs::remove_file(&target).with_context(|| format!("removing {}", target.display()))?;
        remove_empty_parents(site_dir, &target);
    }
    std::fs::rename(staging.join(MANIFEST), site_dir.join(MANIFEST))
        .context("writing the manifest")?;
    std::fs::remove_dir_all(staging).with_context(|| format!("removing {}", staging.display()))?;
    Ok(Report {
        written: plan.write.len(),
        unchanged: files.len() - plan.write.len(),
        removed: plan.remove.len(),
        kept: plan.kept,
    })
}

struct Plan {
    write: Vec<String>,
    remove: Vec<String>,
    kept: Vec<String>,
}

fn plan(site_dir: &Path, old: &BTreeMap<String, String>, files: &Files) -> anyhow::Result<Plan> {
    let mut write = Vec::new();
    for (path, bytes) in files {
        let target = site_dir.join(path);
        let Ok(current) = std::fs::read(&target) else {
            write.push(path.clone());
            continue;
        };
        if current == *bytes {
            continue;
        }
        let current_hash = blake3::hash(&current).to_hex().to_string();
        match old.get(path) {
            None => bail!(
                "{} exists and was not written by likely; move it away (or delete it) so likely can write its own",
                target.display()
            ),
            Some(hash) if *hash != current_hash => bail!(
                "{} was edited since likely wrote it; edits belong in posts/ or experiments/. Delete the file to let likely write it again",
                target.display()
            ),
            Some(_) => write.push(path.clone()),
        }
    }
    let mut remove = Vec::new();
    let mut kept = Vec::new();
    for (path, hash) in old {
        if files.contains_key(path) || check_relative(path).is_err() {
            continue;
        }
        match std::fs::read(site_dir.join(path)) {
            Ok(current) if blake3::hash(&current).to_hex().as_str() == hash => {
                remove.push(path.clone())
            }
            Ok(_) => kept.push(path.clone()),
            Err(_) => {}
        }
    }
    Ok(Plan {
        write,
        remove,
        kept,
    })
}

fn read_manifest(site_dir: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let path = site_dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            line.split_once("  ")
                .map(|(hash, file)| (file.to_string(), hash.to_string()))
                .with_context(|| format!("{}: malformed line `{line}`", path.display()))
        })
        .collect()
}

/// Refuses paths that would leave `site/`.
fn check_relative(path: &str) -> anyhow::Result<()> {
    let p = Path::new(path);
    if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("refusing to write outside site/: {path}");
    }
    Ok(())
}

/// Removes directories emptied by a removal, up to (not including) `top`.
fn remove_empty_parents(top: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == top || !d.starts_with(top) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Files {
        entries
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn writes_then_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let staging = dir.path().join("staging");
        std::fs::create_dir_all(site.join("_posts")).unwrap();
        std::fs::write(site.join("_posts/2020-01-01-mine.md"), "hand-written").unwrap();

        let first = files(&[
            ("_posts/2025-01-01-a.md", "a"),
            ("assets/likely/x/f.svg", "<svg/>"),
        ]);
        let r = write(&site, &staging, &first).unwrap();
        assert_eq!((r.written, r.removed), (2, 0));
        assert!(!staging.exists());

        let second = files(&[("_posts/2025-01-01-a.md", "a")]);
        let r = write(&site, &staging, &second).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
        assert!(
            !site.join("assets").exists(),
            "emptied directories are removed"
        );
        assert_eq!(
            std::fs::read_to_string(site.join("_posts/2020-01-01-mine.md")).unwrap(),
            "hand-written"
        );
    }

    #[test]
    fn refuses_to_overwrite_foreign_or_edited_files_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let staging = dir.path().join("staging");
        std::fs::create_dir_all(site.join("_posts")).unwrap();
        std::fs::write(site.join("_posts/2025-01-01-a.md"), "someone else's").unwrap();
        let e = write(
            &site,
            &staging,
            &files(&[("_posts/2025-01-01-a.md", "a"), ("b.txt", "b")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("not written by likely"), "{e}");
        assert!(!site.join("b.txt").exists());

        std::fs::remove_file(site.join("_posts/2025-01-01-a.md")).unwrap();
        write(&site, &staging, &files(&[("_posts/2025-01-01-a.md", "a")])).unwrap();
        std::fs::write(site.join("_posts/2025-01-01-a.md"), "edited").unwrap();
        let e = write(&site, &staging, &files(&[("_posts/2025-01-01-a.md", "a2")])).unwrap_err();
        assert!(e.to_string().contains("edited since"), "{e}");
        assert_eq!(
            std::fs::read_to_string(site.join("_posts/2025-01-01-a.md")).unwrap(),
            "edited"
        );

        // An edited file the build no longer produces is kept, not removed.
        let r = write(&site, &staging, &files(&[("c.txt", "c")])).unwrap();
        assert_eq!(r.kept, ["_posts/2025-01-01-a.md"]);
        assert!(site.join("_posts/2025-01-01-a.md").exists());
    }

    #[test]
    fn refuses_paths_outside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let e = write(dir.path(), &dir.path().join("s"), &files(&[("../x", "x")])).unwrap_err();
        assert!(e.to_string().contains("outside"));
    }

    #[test]
    fn page_files_serve_directory_urls() {
        assert_eq!(page_file("/blog/2025/x/"), "blog/2025/x/index.html");
        assert_eq!(
            page_file("/statistics/2025/11/27/x.html"),
            "statistics/2025/11/27/x.html"
        );
    }
}
