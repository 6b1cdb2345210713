//! Writing `site/`: Jekyll posts, figures and numbers, and the standalone
//! HTML site under `site/_site/`.
//!
//! Each kind of output is made by one function of `pages`, called once
//! from [`files`]; the blog's lists (index, tags, categories, years, feed,
//! sitemap) share one view of the published posts, `blog::Blog`.
//! [`commit()`] then moves the files into place through a
//! staging directory, touching only files likely wrote.

mod blog;
pub mod commit;
pub mod kramdown;
pub mod markdown;
pub mod math;
mod pages;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::config::SiteConfig;
use crate::paths;
use crate::render::{RenderedPost, Templates};
pub use commit::{Files, MANIFEST, Report, STAGING, commit};

/// Something in a post the HTML site could not show as the blog does.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The post.
    pub post: PathBuf,
    /// Line in the post's source, when the construct is found there.
    pub line: Option<usize>,
    /// What it is.
    pub problem: Problem,
}

/// What a [`Warning`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A formula the HTML site could not render as written.
    Math {
        /// The LaTeX.
        formula: String,
        /// What is wrong with it.
        message: String,
    },
    /// A block that JavaScript draws on the blog, shown in the HTML site as
    /// its source (the first of its kind in the post).
    Drawn {
        /// What it draws, e.g. "Mermaid diagram".
        kind: String,
        /// Its first line as written.
        construct: String,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: ", self.post.display())?,
            None => write!(f, "{}: ", self.post.display())?,
        }
        match &self.problem {
            Problem::Math { formula, message } => write!(
                f,
                "math the HTML site cannot render as written, `{formula}`: {message}"
            ),
            Problem::Drawn { kind, construct } => write!(
                f,
                "{kind} the HTML site shows as its source (JavaScript draws it on the blog): {construct}"
            ),
        }
    }
}

/// Everything a build puts in `site/`.
pub struct Output<'a> {
    /// The rendered posts.
    pub posts: &'a [RenderedPost],
    /// The blog's own files that pages link to, by path under the site
    /// root, carried into the HTML site.
    pub carried: &'a Files,
    /// Figures, by path under `site/`.
    pub figures: &'a Files,
    /// Other assets (numbers), by path under `site/`.
    pub assets: &'a Files,
    /// The templates, for the HTML pages.
    pub templates: &'a Templates,
    /// The site config.
    pub config: &'a SiteConfig,
    /// The HTML site's stylesheet.
    pub style: &'a str,
    /// The HTML site's folder, relative to the Jekyll site.
    pub html: &'a str,
    /// The experiments, for the note at the end of each post that says
    /// how to reproduce it.
    pub experiments: &'a [crate::spec::Experiment],
}

/// Every file of a build, by path under `site/`, and the formulas the HTML
/// site could not fully render.
///
/// # Errors
/// Two outputs with the same path, or a site template that fails.
pub fn files(output: &Output<'_>) -> anyhow::Result<(Files, Vec<Warning>)> {
    let mut files = Unique {
        html: output.html.to_owned(),
        ..Unique::default()
    };
    pages::jekyll_posts(output, &mut files)?;
    pages::experiment_assets(output, &mut files)?;
    let (warnings, contents) = pages::post_pages(output, &mut files)?;
    let blog = blog::Blog::new(output.posts, output.config);
    pages::index(output, &blog, &mut files)?;
    pages::taxonomies(output, &blog, &mut files)?;
    pages::archives(output, &blog, &mut files)?;
    pages::feed(output, &blog, &contents, &mut files)?;
    pages::sitemap(output, &blog, &mut files)?;
    pages::robots(output, &mut files)?;
    pages::not_found(output, &mut files)?;
    pages::stylesheet(output, &mut files)?;
    pages::math_assets(&mut files)?;
    pages::figure_copies(output, &mut files)?;
    pages::carried(output, &mut files)?;
    pages::specs(output, &mut files)?;
    Ok((files.files, warnings))
}

/// Writes a build's output to `site_dir`: the Jekyll posts, the assets,
/// and the HTML site. Returns what changed and the formulas the HTML site
/// could not fully render.
///
/// # Errors
/// Any error of [`files`] or [`commit()`]; `site_dir` is then unchanged.
pub fn write(site_dir: &Path, output: &Output<'_>) -> anyhow::Result<(Report, Vec<Warning>)> {
    let (files, warnings) = files(output)?;
    let report = commit(site_dir, &files)?;
    Ok((report, warnings))
}

/// Files being collected, each remembering what produced it, so that two
/// outputs landing on one path is an error rather than a silent overwrite.
#[derive(Default)]
struct Unique {
    files: Files,
    sources: BTreeMap<String, PathBuf>,
    /// The HTML site's folder.
    html: String,
}

impl Unique {
    /// Adds a file of the HTML site, by its path relative to the HTML
    /// site's root.
    fn add_html(&mut self, path: &str, bytes: Vec<u8>, source: &Path) -> anyhow::Result<()> {
        self.add(paths::html(&self.html, path), bytes, source)
    }

    fn add(&mut self, path: String, bytes: Vec<u8>, source: &Path) -> anyhow::Result<()> {
        if let Some(first) = self.sources.get(&path) {
            bail!(
                "{} and {} would both write site/{path}; change a file name or the permalink",
                first.display(),
                source.display()
            );
        }
        self.sources.insert(path.clone(), source.to_path_buf());
        self.files.insert(path, bytes);
        Ok(())
    }
}
