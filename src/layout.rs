//! Where a project's files are: its sources, the Jekyll site it writes
//! into, and the folder of its HTML site.
//!
//! A project has one of two shapes:
//!
//! - **A project of its own** (the default): `experiments/`, `posts/`,
//!   `templates/` and `data/` beside `site/`, the Jekyll site likely writes
//!   into; its HTML site is `site/_site/`.
//! - **Inside a Jekyll blog** (an al-folio repository): the root holds the
//!   blog's `_config.yml` and no `site/`. The blog itself is the Jekyll
//!   site: likely writes its posts into the blog's `_posts/`, its figures
//!   and numbers into `assets/likely/`, and its HTML site into a folder of
//!   its own, `_html/` unless `likely: html:` says otherwise, never
//!   Jekyll's `_site/`. The manifest keeps the blog's own files out of
//!   likely's reach, as everywhere.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::SiteConfig;
use crate::diag::{Problem, Problems};
use crate::paths;

/// The HTML site's folder inside a blog, unless `likely: html:` names
/// another.
pub const HTML_IN_BLOG: &str = "_html";

/// The project's folders, by what they hold.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `experiments/`.
    pub experiments: PathBuf,
    /// `posts/`.
    pub posts: PathBuf,
    /// `templates/`.
    pub templates: PathBuf,
    /// `data/`.
    pub data: PathBuf,
    /// The Jekyll site: `site/`, or the project itself inside a blog.
    pub site: PathBuf,
    /// `.likely/`: cache and staging.
    pub work: PathBuf,
    /// Whether the project lives inside a Jekyll blog.
    pub in_blog: bool,
}

impl Layout {
    /// The layout of the project at `root`.
    pub fn of(root: &Path) -> Self {
        // Paths appear in messages: `experiments/x.yaml`, not `./experiments/x.yaml`.
        let here = root == Path::new(".") || root.as_os_str().is_empty();
        let at = |dir: &str| {
            if here {
                PathBuf::from(dir)
            } else {
                root.join(dir)
            }
        };
        let in_blog = !root.join("site").exists() && root.join("_config.yml").is_file();
        Self {
            experiments: at("experiments"),
            posts: at("posts"),
            templates: at("templates"),
            data: at("data"),
            // Inside a blog opened at `.`, the site is the empty path, so
            // that its files show as `_posts/x.md`.
            site: if in_blog {
                if here {
                    PathBuf::new()
                } else {
                    root.to_path_buf()
                }
            } else {
                at("site")
            },
            work: at(".likely"),
            in_blog,
        }
    }

    /// The site config's file.
    pub fn config_file(&self) -> PathBuf {
        self.site.join("_config.yml")
    }

    /// The HTML site's folder, relative to the Jekyll site: the setting
    /// `likely: html:`, else `_site` (a project of its own) or `_html`
    /// (inside a blog).
    pub fn html_dir(&self, config: &SiteConfig) -> String {
        config.likely.html.clone().unwrap_or_else(|| {
            if self.in_blog {
                HTML_IN_BLOG.to_owned()
            } else {
                paths::HTML.to_owned()
            }
        })
    }

    /// Checks that the HTML site's folder is one of its own and, inside a
    /// blog, that Jekyll will not publish likely's sources or overwrite its
    /// HTML site. `source` is the text of the site config.
    pub fn check(&self, config: &SiteConfig, source: &str, problems: &mut Problems) {
        let file = self.config_file();
        let jekyll: JekyllDirs = crate::yaml::from_yaml(source).unwrap_or_default();
        let html = self.html_dir(config);
        let html_line = line_of(source, &["likely", "html"]);
        let at = |problem: Problem, line: Option<usize>| match line {
            Some(line) => problem.at(line, None).showing(source),
            None => problem,
        };
        let mut clashes = vec![
            paths::jekyll_post(""),
            paths::ASSETS.to_owned(),
            crate::site::MANIFEST.to_owned(),
        ];
        if self.in_blog {
            clashes.push(jekyll.destination());
        }
        let inside = Path::new(&html)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if html.trim().is_empty() || !inside {
            problems.push(at(
                Problem::new(
                    &file,
                    format!(
                        "likely.html: `{html}` is not a folder inside the site; name one such as `{HTML_IN_BLOG}`"
                    ),
                ),
                html_line,
            ));
        } else if let Some(clash) = clashes
            .iter()
            .find(|c| overlaps(&html, c.trim_end_matches('/')))
        {
            let whose = if *clash == jekyll.destination() && self.in_blog {
                "Jekyll's own output"
            } else {
                "where likely writes the blog's posts and assets"
            };
            problems.push(at(
                Problem::new(
                    &file,
                    format!(
                        "likely.html: `{html}` would mix likely's HTML site with {whose} (`{clash}`); name a folder of its own such as `{HTML_IN_BLOG}`"
                    ),
                ),
                html_line,
            ));
        }
        if !self.in_blog {
            return;
        }
        let top = html.split('/').next().unwrap_or_default().to_owned();
        // likely's source folders, which sit at the blog's root.
        let sources = [&self.experiments, &self.posts, &self.templates, &self.data];
        let published: Vec<String> = sources
            .into_iter()
            .filter(|d| d.exists())
            .filter_map(|d| Some(d.file_name()?.to_str()?.to_owned()))
            .chain(std::iter::once(top))
            .filter(|d| !d.starts_with(['_', '.']) && !jekyll.excludes(d))
            .collect();
        if !published.is_empty() {
            let list = published.join(", ");
            problems.push(at(
                Problem::new(
                    &file,
                    format!(
                        "exclude: Jekyll would publish likely's {list} as part of the blog (and fail on their templates); add {} to `exclude:`",
                        if published.len() == 1 { "it" } else { "them" }
                    ),
                ),
                line_of(source, &["exclude"]),
            ));
        }
    }
}

/// Whether two paths inside the site are one, or one holds the other.
fn overlaps(a: &str, b: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|r| r.starts_with('/'))
    };
    within(a, b) || within(b, a)
}

/// What of Jekyll's own settings decides where likely's files may go.
#[derive(Deserialize, Default)]
#[serde(default)]
struct JekyllDirs {
    exclude: Option<Vec<String>>,
    destination: Option<String>,
}

impl JekyllDirs {
    /// Jekyll's output folder.
    fn destination(&self) -> String {
        let dir = self.destination.as_deref().unwrap_or("_site");
        dir.trim_start_matches("./").trim_matches('/').to_owned()
    }

    /// Whether `exclude:` keeps the top-level folder `dir` out of the
    /// blog (names as written, or patterns with `*` and `?`).
    fn excludes(&self, dir: &str) -> bool {
        self.exclude.iter().flatten().any(|entry| {
            let entry = entry.trim().trim_start_matches("./").trim_matches('/');
            wildcard(entry.as_bytes(), dir.as_bytes())
        })
    }
}

/// Whether `name` matches `pattern`, where `*` is any run of characters
/// and `?` one.
fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| wildcard(rest, &name[skip..])),
        Some((&p, rest)) => name
            .split_first()
            .is_some_and(|(&n, tail)| (p == b'?' || p == n) && wildcard(rest, tail)),
    }
}

/// The 1-based line of a key of a YAML mapping, by its path from the top
/// (`["likely", "html"]`), found by indentation as block YAML writes it.
fn line_of(source: &str, path: &[&str]) -> Option<usize> {
    let mut depth = 0;
    let mut indent = 0;
    for (n, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        let this = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if depth > 0 && this <= indent {
            return None;
        }
        if trimmed
            .strip_prefix(path[depth])
            .is_some_and(|r| r.trim_start().starts_with(':'))
            && (depth == 0) == (this == 0)
        {
            if depth + 1 == path.len() {
                return Some(n + 1);
            }
            depth += 1;
            indent = this;
        }
    }
    None
}

/// How messages name the Jekyll site: `site/`, or `the blog` when likely
/// lives inside one.
pub fn site_name(in_blog: bool) -> &'static str {
    if in_blog { "the blog" } else { "site/" }
}

/// How paths in the Jekyll site start in messages: `site/`, or nothing
/// inside a blog (the paths are the blog's own).
pub fn site_prefix(in_blog: bool) -> &'static str {
    if in_blog { "" } else { "site/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_their_path() {
        let src =
            "title: x\nhtml: no\nlikely:\n  figures: include\n  html: _html\nexclude:\n  - posts\n";
        assert_eq!(line_of(src, &["likely", "html"]), Some(5));
        assert_eq!(line_of(src, &["exclude"]), Some(6));
        assert_eq!(line_of(src, &["likely", "math"]), None);
        assert_eq!(
            line_of("likely:\n  figures: x\nhtml: y\n", &["likely", "html"]),
            None
        );
    }

    #[test]
    fn jekyll_excludes_by_name_or_pattern() {
        let dirs = JekyllDirs {
            exclude: Some(vec![
                "posts/".into(),
                "/data".into(),
                "exp*".into(),
                "t?mplates".into(),
            ]),
            destination: None,
        };
        for dir in ["posts", "data", "experiments", "templates"] {
            assert!(dirs.excludes(dir), "{dir}");
        }
        assert!(!dirs.excludes("public"));
        assert_eq!(dirs.destination(), "_site");
    }

    #[test]
    fn folders_overlap_when_one_holds_the_other() {
        assert!(overlaps("_site", "_site"));
        assert!(overlaps("assets", "assets/likely"));
        assert!(overlaps("_posts/html", "_posts"));
        assert!(!overlaps("_site2", "_site"));
        assert!(!overlaps("_html", "_site"));
    }
}
