//! Watching what a build reads: `posts/`, `experiments/`, `templates/`,
//! `data/`, the site config and the bibliography (under `site/`, or at
//! the root of a project inside a blog). Each change to a file that matters is
//! reported; reading a file (as a build does) and a build's own output are
//! not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

/// The directories of a project a build reads, each watched with all it
/// holds.
pub const DIRS: &[&str] = &["posts", "experiments", "templates", "data"];

/// The files of the Jekyll site a build reads, relative to it.
const SITE_FILES: &[&str] = &["_config.yml", "_bibliography/papers.bib"];

/// Where the Jekyll site may be: `site/`, or the project itself.
const SITES: &[&str] = &["site", ""];

/// What the watcher reports.
#[derive(Debug)]
pub enum Change {
    /// Files a build reads changed: their paths, relative to the project.
    Files(Vec<PathBuf>),
    /// Watching failed; what was said.
    Failed(String),
}

/// Watches a project until dropped.
pub struct Watch {
    root: PathBuf,
    watcher: RecommendedWatcher,
    watched: BTreeSet<PathBuf>,
}

impl Watch {
    /// Starts watching the project at `root`, calling `on_change` with
    /// each change.
    ///
    /// # Errors
    /// When the system's watcher cannot be started.
    pub fn start(
        root: &Path,
        mut on_change: impl FnMut(Change) + Send + 'static,
    ) -> anyhow::Result<Self> {
        // The watcher reports absolute paths; compare them with an absolute root.
        let root = std::path::absolute(root)
            .with_context(|| format!("finding the directory {}", root.display()))?;
        let filter_root = root.clone();
        let watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
            match result {
                // Opening and reading change nothing (and every build reads).
                Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
                Ok(event) => {
                    let paths: Vec<PathBuf> = event
                        .paths
                        .iter()
                        .filter_map(|p| relevant(&filter_root, p))
                        .collect();
                    if !paths.is_empty() {
                        on_change(Change::Files(paths));
                    }
                }
                Err(e) => on_change(Change::Failed(e.to_string())),
            }
        })
        .context("starting to watch the project's files")?;
        let mut watch = Self {
            root,
            watcher,
            watched: BTreeSet::new(),
        };
        watch.refresh()?;
        Ok(watch)
    }

    /// Watches what now exists and was not watched yet (a `data/` made
    /// after the start, say), and forgets what is gone.
    ///
    /// # Errors
    /// When a directory that exists cannot be watched.
    pub fn refresh(&mut self) -> anyhow::Result<()> {
        let wanted = SITES
            .iter()
            .flat_map(|site| {
                [
                    self.root.join(site),
                    self.root.join(site).join("_bibliography"),
                ]
            })
            .map(|dir| (dir, RecursiveMode::NonRecursive))
            .chain(
                DIRS.iter()
                    .map(|d| (self.root.join(d), RecursiveMode::Recursive)),
            );
        for (dir, mode) in wanted {
            let exists = dir.is_dir();
            if exists && !self.watched.contains(&dir) {
                self.watcher
                    .watch(&dir, mode)
                    .with_context(|| format!("watching {}", dir.display()))?;
                self.watched.insert(dir);
            } else if !exists && self.watched.remove(&dir) {
                // The system dropped the watch with the directory.
                let _ = self.watcher.unwatch(&dir);
            }
        }
        Ok(())
    }
}

/// `path` relative to `root` when a build reads it: a file or directory
/// under one of [`DIRS`] (not an editor's scratch file), one of them, or
/// the site config or bibliography.
pub fn relevant(root: &Path, path: &Path) -> Option<PathBuf> {
    let rel = path.strip_prefix(root).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = rel.file_name()?.to_str()?;
    let site_file = SITES
        .iter()
        .any(|site| SITE_FILES.iter().any(|f| rel == Path::new(site).join(f)));
    let read = site_file || (DIRS.contains(&first) && !scratch(name));
    read.then(|| rel.to_path_buf())
}

/// Whether `name` is an editor's temporary or backup file.
fn scratch(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with('#')
        || name.ends_with('~')
        || [".swp", ".swx", ".swo", ".tmp"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_build_reads_is_relevant() {
        let root = Path::new("/p");
        let rel = |p: &str| relevant(root, &root.join(p));
        assert_eq!(rel("posts/x.md"), Some(PathBuf::from("posts/x.md")));
        assert_eq!(rel("posts"), Some(PathBuf::from("posts")));
        assert_eq!(rel("data/sub/y.csv"), Some(PathBuf::from("data/sub/y.csv")));
        assert!(rel("templates/base.html").is_some());
        assert!(rel("experiments/e.yaml").is_some());
        for site_file in [
            "site/_config.yml",
            "_config.yml",
            "site/_bibliography/papers.bib",
            "_bibliography/papers.bib",
        ] {
            assert_eq!(rel(site_file), Some(PathBuf::from(site_file)));
        }
        for ignored in [
            "site/.likely-manifest",
            "site/_site/index.html",
            "site/_posts/x.md",
            ".likely/cache/x",
            "README.md",
            "posts/.x.md.swp",
            "posts/x.md~",
            "posts/4913",
            "posts/.#x.md",
        ] {
            assert_eq!(rel(ignored), None, "{ignored}");
        }
        assert_eq!(relevant(root, Path::new("/elsewhere/posts/x.md")), None);
    }
}
