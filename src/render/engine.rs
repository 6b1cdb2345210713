//! The Tera engine: likely's filters and functions, the site's templates
//! and every post's body, and the errors Tera reports turned into
//! [`Problem`]s at the line and column of the user's file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use super::{Library, Post, filters, functions};
use crate::config::SiteConfig;
use crate::diag::{Problem, Problems};

/// The template engine, with likely's filters and functions, the site's
/// templates and every post's body loaded and checked.
pub struct Templates {
    tera: tera::Tera,
    /// The posts whose bodies compiled, by template name.
    compiled: BTreeSet<String>,
}

impl Templates {
    /// Loads templates from `dir` (the defaults for any file it lacks), and
    /// compiles every post's body. Each template or post that does not
    /// compile (a syntax error, an unknown filter or function) is a problem
    /// in `problems`; the others are usable.
    pub fn load(
        dir: &Path,
        posts: &[Post],
        library: Arc<Library>,
        config: &SiteConfig,
        problems: &mut Problems,
    ) -> Self {
        let partials = Arc::new(load_dir_templates(dir, "partials/", problems));
        let mut tera = load_dir_templates(dir, "", problems);
        filters::register(&mut tera);
        functions::register(&mut tera, partials, library, config.likely.figures);
        let mut compiled = BTreeSet::new();
        for post in posts {
            let name = template_name(post);
            match tera.add_raw_template(&name, post.body()) {
                Ok(()) => {
                    compiled.insert(name);
                }
                Err(e) => problems.push(post_problem(post, &e)),
            }
        }
        Self { tera, compiled }
    }

    /// Renders a post's body with `context`.
    ///
    /// # Errors
    /// The problem, at its line and column in the post's file; a post that
    /// did not compile is not rendered.
    pub fn render_post(&self, post: &Post, context: &tera::Context) -> Result<String, Problem> {
        let name = template_name(post);
        if !self.compiled.contains(&name) {
            return Err(Problem::new(&post.path, NOT_COMPILED));
        }
        self.tera
            .render(&name, context)
            .map_err(|e| post_problem(post, &e))
    }

    /// Renders a site template (`post.html`, `index.html`).
    ///
    /// # Errors
    /// The problem, at its line in the template.
    pub fn render_page(&self, name: &str, context: &tera::Context) -> Result<String, Problem> {
        self.tera
            .render(name, context)
            .map_err(|e| tera_problem(&e, Path::new(&format!("templates/{name}")), 0, None))
    }
}

/// The message of a post that is not rendered because it did not compile
/// (that problem is reported on its own).
pub const NOT_COMPILED: &str = "the post did not compile";

fn template_name(post: &Post) -> String {
    post.path.display().to_string()
}

/// A Tera error in a post's body, placed in the post's file.
fn post_problem(post: &Post, e: &tera::Error) -> Problem {
    tera_problem(e, &post.path, post.body_start.1 - 1, Some(&post.source))
}

/// A Tera error as a problem in `path`, whose template starts
/// `line_offset` lines into the file; `source` is the file's text.
fn tera_problem(e: &tera::Error, path: &Path, line_offset: usize, source: Option<&str>) -> Problem {
    use tera::ErrorKind;
    match e.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let span = report.span();
            let problem = Problem::new(path, report.message().to_string())
                .at(span.start_line + line_offset, Some(span.start_col + 1));
            match source {
                Some(source) => problem.showing(source),
                None => problem,
            }
        }
        other => Problem::new(path, other.to_string()),
    }
}

/// The templates likely ships; a file of the same name in `templates/`
/// replaces one.
const DEFAULTS: [(&str, &str); 9] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("post.html", include_str!("../../templates/post.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("style.css", include_str!("../../templates/style.css")),
    (
        "partials/figure.include.md",
        include_str!("../../templates/partials/figure.include.md"),
    ),
    (
        "partials/figure.markdown.md",
        include_str!("../../templates/partials/figure.markdown.md"),
    ),
    (
        "partials/figure.html.md",
        include_str!("../../templates/partials/figure.html.md"),
    ),
    (
        "partials/table.md",
        include_str!("../../templates/partials/table.md"),
    ),
    (
        "partials/cell.md",
        include_str!("../../templates/partials/cell.md"),
    ),
];

/// The text of a site template: the user's, or likely's default.
///
/// # Errors
/// When the user's file exists but cannot be read.
pub fn template_text(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(name);
    if path.exists() {
        return std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()));
    }
    DEFAULTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| text.to_string())
        .with_context(|| format!("no template {name}"))
}

/// The site templates under `prefix`, each the user's or the default;
/// those that do not load are problems.
fn load_dir_templates(dir: &Path, prefix: &str, problems: &mut Problems) -> tera::Tera {
    let mut tera = tera::Tera::new();
    // Markdown is not HTML: escaping is the partials' own business.
    tera.autoescape_on([".html"]);
    for (name, _) in DEFAULTS
        .iter()
        .filter(|(n, _)| n.starts_with(prefix) && !n.ends_with(".css"))
    {
        let path: PathBuf = dir.join(name);
        let text = match template_text(dir, name) {
            Ok(text) => text,
            Err(e) => {
                problems.push(Problem::new(&path, format!("{e:#}")));
                continue;
            }
        };
        if let Err(e) = tera.add_raw_template(name, &text) {
            problems.push(tera_problem(&e, &path, 0, Some(&text)));
        }
    }
    tera
}
