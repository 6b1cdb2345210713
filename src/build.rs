//! The one command: experiments → figures → posts → `site/`.
//!
//! Everything a build reads is validated before any experiment runs: the
//! site config, every spec, every post's front matter and template syntax,
//! and the site templates. Output goes through a staging directory, so a
//! failed build leaves `site/` as it was.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::bib::Bibliography;
use crate::config::SiteConfig;
use crate::diag::{Problem, Problems};
use crate::render::{self, Templates};
use crate::run::{self, Status};
use crate::site::{self, Files};
use crate::{figure, paths, spec};

/// What to build, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The project: holds `experiments/`, `posts/`, `templates/`, `site/`.
    pub root: PathBuf,
    /// Rerun every experiment, ignoring the cache.
    pub force: bool,
    /// Keep no cache (for throwaway builds).
    pub no_cache: bool,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Compare with `site/` instead of writing it.
    pub check: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Experiments run now.
    pub ran: usize,
    /// Experiments read from the cache.
    pub cached: usize,
    /// Figures drawn.
    pub figures: usize,
    /// Posts rendered.
    pub posts: usize,
    /// What became of `site/`.
    pub written: Written,
    /// Whether the Jekyll site is the blog likely lives in (how messages
    /// name it: [`crate::layout::site_name`], [`crate::layout::site_prefix`]).
    pub in_blog: bool,
    /// Formulas the HTML site could not fully render. (The experiments'
    /// own warnings are printed as each finishes.)
    pub warnings: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// What a build did with `site/`.
#[derive(Debug, Clone)]
pub enum Written {
    /// Wrote it: what changed.
    Committed(site::Report),
    /// Left it alone and compared it with the build (`--check`).
    Compared(site::commit::Differences),
}

pub use crate::layout::Layout;

/// Everything read and checked before any work starts.
pub struct Checked {
    /// The site config.
    pub config: SiteConfig,
    /// The experiments.
    pub experiments: Vec<spec::Experiment>,
    /// The posts.
    pub posts: Vec<render::Post>,
    /// The HTML site's stylesheet.
    pub style: String,
    /// What the Jekyll blog holds beyond likely's posts.
    pub blog: render::Blog,
    /// The HTML site's folder, relative to the Jekyll site.
    pub html: String,
}

/// Reads and checks specs, posts, templates and the site config, and
/// renders every post against the shape of each experiment's outcome, so
/// that a reference to a missing experiment, figure, table or number fails
/// before any work starts.
///
/// # Errors
/// Every problem found, in every file (a [`Problems`]), or a project
/// directory that is not one.
pub fn check(layout: &Layout) -> anyhow::Result<Checked> {
    if !layout.experiments.is_dir() && !layout.posts.is_dir() {
        bail!(
            "{} has neither experiments/ nor posts/: run likely in a project directory (or pass --root)",
            layout
                .experiments
                .parent()
                .unwrap_or(Path::new("."))
                .display()
        );
    }
    let mut problems = Problems::new();
    let config = match SiteConfig::load(&layout.site) {
        Ok(config) => {
            let text = std::fs::read_to_string(layout.config_file()).unwrap_or_default();
            layout.check(&config, &text, &mut problems);
            config
        }
        Err(p) => {
            problems.push(p);
            SiteConfig::default()
        }
    };
    let html = layout.html_dir(&config);
    let bib = Bibliography::load(&layout.site).unwrap_or_else(|p| {
        problems.push(p);
        None
    });
    let experiments = if layout.experiments.is_dir() {
        spec::collect_dir(&layout.experiments, &mut problems)
    } else {
        Vec::new()
    };
    for e in &experiments {
        if render::RESERVED.contains(&e.id.as_str()) {
            problems.push(Problem::new(
                &e.path,
                format!(
                    "`{}` is a name posts use for something else; rename the file (reserved: {})",
                    e.id,
                    render::RESERVED.join(", ")
                ),
            ));
        }
    }
    let posts = if layout.posts.is_dir() {
        render::collect_posts(&layout.posts, &mut problems)
    } else {
        Vec::new()
    };
    let style = render::template_text(&layout.templates, "style.css").unwrap_or_else(|e| {
        problems.push(Problem::new(
            layout.templates.join("style.css"),
            format!("{e:#}"),
        ));
        String::new()
    });
    let dry = Arc::new(render::library(
        &experiments,
        experiments.iter().map(|e| e.spec.dry_outcome()).collect(),
    ));
    let templates = Templates::load(
        &layout.templates,
        &posts,
        Arc::clone(&dry),
        &config,
        &mut problems,
    );
    let mut files = std::collections::BTreeMap::new();
    for name in posts.iter().filter_map(render::own_bibliography) {
        let path = layout.site.join(render::BIBLIOGRAPHIES).join(name);
        match Bibliography::read(&path) {
            Ok(Some(bib)) => {
                files.insert(name.to_owned(), bib);
            }
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
    }
    let blog = render::Blog {
        bib,
        files,
        posts: own_posts(&layout.site, &config, &posts),
    };
    if let Err(found) = render::posts(&posts, &templates, &config, &dry, &blog) {
        let broken = broken_ids(&layout.experiments, &experiments);
        for mut problem in found.iter().cloned() {
            // Posts that did not compile were reported already.
            if problem.message == render::NOT_COMPILED {
                continue;
            }
            let post = posts.iter().find(|p| p.path == problem.path);
            if let Some(id) =
                post.and_then(|p| broken.iter().find(|id| render::uses_word(p.body(), id)))
            {
                problem.message += &format!(" (the post uses `{id}`, whose spec has errors)");
            }
            problems.push(problem);
        }
    }
    Ok(problems.into_result(Checked {
        config,
        experiments,
        posts,
        style,
        blog,
        html,
    })?)
}

/// The blog's own files that HTML pages link to (images, videos, PDFs
/// under the Jekyll site), read to be carried into the HTML site, and a
/// note for each that is not there.
fn blog_files(
    site: &Path,
    posts: &[render::RenderedPost],
    figures: &Files,
) -> (Files, Vec<String>) {
    let mut carried = Files::new();
    let mut missing = Vec::new();
    for post in posts {
        for path in &post.assets {
            let inside = Path::new(path)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if figures.contains_key(path) || carried.contains_key(path) {
                continue;
            }
            match std::fs::read(site.join(path)) {
                Ok(bytes) if inside => {
                    carried.insert(path.clone(), bytes);
                }
                _ => missing.push(format!(
                    "{}: links to {}, which is not a file of the blog; the HTML site's link is broken",
                    post.post.path.display(),
                    site.join(path).display()
                )),
            }
        }
    }
    (carried, missing)
}

/// The blog's own posts in `site/_posts/` (those likely does not write),
/// by file stem, each with its address on the blog. Posts whose front
/// matter does not read are left out: Jekyll reports them.
fn own_posts(
    site: &Path,
    config: &SiteConfig,
    ours: &[render::Post],
) -> std::collections::BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(site.join(paths::jekyll_post(""))) else {
        return Default::default();
    };
    entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let stem = name
                .strip_suffix(".md")
                .or(name.strip_suffix(".markdown"))?;
            if ours.iter().any(|p| p.file_name == name) {
                return None;
            }
            let post = render::parse_post(&path, std::fs::read_to_string(&path).ok()?).ok()?;
            let address = format!(
                "{}{}{}",
                config.url,
                config.baseurl,
                post.url(&config.permalink)
            );
            Some((stem.to_owned(), address))
        })
        .collect()
}

/// The ids of the spec files in `dir` that did not load.
fn broken_ids(dir: &Path, loaded: &[spec::Experiment]) -> Vec<String> {
    let files = spec::files_with(dir, &["yaml", "yml"]).unwrap_or_default();
    files
        .iter()
        .filter_map(|f| f.file_stem()?.to_str().map(str::to_string))
        .filter(|id| !loaded.iter().any(|e| &e.id == id))
        .collect()
}

/// Holds `.likely/lock` for the duration of a build, so two builds of one
/// project never write `site/` at once.
fn lock(layout: &Layout) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(&layout.work)
        .with_context(|| format!("creating {}", layout.work.display()))?;
    let path = layout.work.join("lock");
    let file =
        std::fs::File::create(&path).with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!(
                "another likely build is running in this project ({} is locked)",
                path.display()
            )
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Runs the whole pipeline.
///
/// # Errors
/// Every problem in the project's files (a [`Problems`]), or the first
/// failure after they were checked; `site/` is then unchanged.
pub fn build(options: &Options) -> anyhow::Result<Summary> {
    let start = Instant::now();
    let layout = Layout::of(&options.root);
    let Checked {
        config,
        experiments,
        posts,
        style,
        blog,
        html,
    } = check(&layout)?;
    let _lock = lock(&layout)?;

    let runs = run::run_all(
        &experiments,
        &run::Options {
            cache_dir: (!options.no_cache).then(|| layout.work.join("cache")),
            force: options.force,
            quiet: options.quiet,
        },
    )?;
    let ran = runs
        .iter()
        .filter(|r| matches!(r.status, Status::Ran(_)))
        .count();

    // Figures drawn before (by this build of likely) are read back.
    let cache = match options.no_cache {
        false => Some(figure::Cache::new(
            layout.work.join("figures"),
            run::build_fingerprint(Some(&layout.work.join("cache")))?,
        )),
        true => None,
    };
    let drawn: Vec<(String, Vec<u8>)> = runs
        .par_iter()
        .flat_map(|run| {
            let cache = &cache;
            run.outcome.figures.par_iter().map(move |f| {
                let svg = match cache {
                    Some(cache) => cache.draw(&run.id, f),
                    None => figure::draw(f),
                }
                .with_context(|| format!("drawing figure {}.{}", run.id, f.name))?;
                Ok((paths::figure(&run.id, &f.name), svg.into_bytes()))
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let figures: Files = drawn.into_iter().collect();
    let mut assets = Files::new();
    for run in &runs {
        let json = serde_json::to_string_pretty(&run.outcome.numbers)
            .context("writing numbers as JSON")?;
        assets.insert(paths::numbers(&run.id), (json + "\n").into_bytes());
    }

    let library = Arc::new(render::library(
        &experiments,
        runs.into_iter().map(|r| r.outcome).collect(),
    ));
    let mut problems = Problems::new();
    let templates = Templates::load(
        &layout.templates,
        &posts,
        Arc::clone(&library),
        &config,
        &mut problems,
    );
    problems.into_result(())?;
    let rendered = render::posts(&posts, &templates, &config, &library, &blog)?;
    let (carried, missing) = blog_files(&layout.site, &rendered, &figures);
    let (files, warnings) = site::files(&site::Output {
        posts: &rendered,
        carried: &carried,
        figures: &figures,
        assets: &assets,
        templates: &templates,
        config: &config,
        style: &style,
        html: &html,
        experiments: &experiments,
    })?;
    let notes = rendered
        .iter()
        .flat_map(|p| p.notes.iter().cloned())
        .chain(missing)
        .chain(warnings.iter().map(ToString::to_string))
        .collect();
    let outcome = if options.check {
        Written::Compared(site::commit::compare(&layout.site, &files)?)
    } else {
        Written::Committed(site::commit(&layout.site, &files)?)
    };
    Ok(Summary {
        ran,
        cached: experiments.len() - ran,
        figures: figures.len(),
        posts: rendered.len(),
        written: outcome,
        in_blog: layout.in_blog,
        warnings: notes,
        elapsed: start.elapsed(),
    })
}
