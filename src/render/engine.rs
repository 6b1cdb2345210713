//! The Tera engine: likely's filters and functions, the site's templates
//! and every post's body, and the errors Tera reports turned into
//! [`Problem`]s at the line and column of the user's file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;

use super::liquid::{self, Kept};
use super::{Library, Post, filters, functions};
use crate::config::SiteConfig;
use crate::diag::{Problem, Problems};

/// The template engine, with likely's filters and functions, the site's
/// templates and every post's body loaded and checked.
pub struct Templates {
    tera: tera::Tera,
    /// The posts whose bodies compiled, by template name.
    compiled: BTreeSet<String>,
    /// What each post's placeholders stand for (Liquid, raw blocks, code),
    /// by template name.
    kept: std::collections::BTreeMap<String, Vec<Kept>>,
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
        let ids: BTreeSet<String> = library.keys().cloned().collect();
        functions::register(&mut tera, partials, library, config.likely.figures);
        let mut compiled = BTreeSet::new();
        let mut kept = std::collections::BTreeMap::new();
        for post in posts {
            let name = template_name(post);
            let split = liquid::split(post.body(), &ids, &config.likely.liquid);
            kept.insert(name.clone(), split.kept);
            match tera.add_raw_template(&name, &split.template) {
                Ok(()) => {
                    compiled.insert(name);
                }
                Err(e) => problems.push(post_problem(post, &e)),
            }
        }
        Self {
            tera,
            compiled,
            kept,
        }
    }

    /// What a post's placeholders stand for.
    pub fn kept(&self, post: &Post) -> &[Kept] {
        self.kept
            .get(&template_name(post))
            .map_or(&[], Vec::as_slice)
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
        self.tera.render(&name, context).map_err(|e| {
            let mut problem = post_problem(post, &e);
            let line = problem
                .line
                .and_then(|n| post.source.lines().nth(n.checked_sub(1)?));
            if let Some(hint) = line.and_then(|l| missing_name(l, context)) {
                problem.message = format!("{}; {hint}", problem.message);
            } else if let Some(name) = undefined_variable(&problem.message) {
                problem.message = format!(
                    "{}; `{name}` is neither likely's (an experiment, a function, `page`, `target`, \
                     `root`) nor a name Jekyll defines. If it is Liquid for Jekyll (a \
                     theme's or plugin's variable), list it in _config.yml under `likely: liquid: \
                     [{name}]` and it passes to Jekyll as written",
                    problem.message
                );
            } else if problem
                .message
                .contains("Math operations can only be done on numbers")
            {
                problem.message = format!("{}; {FILTER_FIRST}", problem.message);
            }
            problem
        })
    }

    /// Renders a site template (`post.html`, `index.html`, `feed.xml`).
    ///
    /// # Errors
    /// The problem, at its line in the template.
    pub fn render_page(&self, name: &str, context: &tera::Context) -> Result<String, Problem> {
        self.tera
            .render(name, context)
            .map_err(|e| tera_problem(&e, Path::new(&format!("templates/{name}")), 0, None))
    }
}

/// The name in Tera's "Variable `name` is not defined" message.
fn undefined_variable(message: &str) -> Option<&str> {
    let rest = message.split("Variable `").nth(1)?;
    let (name, rest) = rest.split_once('`')?;
    rest.trim_start()
        .starts_with("is not defined")
        .then_some(name)
}

/// What arithmetic on a string usually means in a post: a filter, which
/// binds tighter than arithmetic, turned a number to text first.
const FILTER_FIRST: &str = "a filter applies before arithmetic, so in `a / b | fixed(digits=3)` it formats `b` alone; write `(a / b) | fixed(digits=3)`";

/// Why a name on `line` names nothing: the first dotted name there that
/// starts at a variable of `context` (an experiment, `page`) and goes on
/// to a key or index that is not there, with what is there instead. Tera's
/// own message says only that a value was undefined.
fn missing_name(line: &str, context: &tera::Context) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let is_start = |c: char| c.is_ascii_alphabetic() || c == '_';
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        if !is_start(chars[i]) || (i > 0 && (is_word(chars[i - 1]) || chars[i - 1] == '.')) {
            i += 1;
            continue;
        }
        // A name, then `.name`, `.3` or `[3]` steps.
        let mut steps: Vec<String> = Vec::new();
        let mut word = String::new();
        while i < chars.len() && is_word(chars[i]) {
            word.push(chars[i]);
            i += 1;
        }
        steps.push(word);
        loop {
            let step: String = match chars.get(i) {
                Some('.') => chars[i + 1..].iter().take_while(|&&c| is_word(c)).collect(),
                Some('[') => chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect(),
                _ => break,
            };
            let closing = usize::from(chars[i] == '[');
            if step.is_empty() || (closing == 1 && chars.get(i + 1 + step.len()) != Some(&']')) {
                break;
            }
            i += 1 + step.len() + closing;
            steps.push(step);
        }
        let Some(mut value) = context.get(&steps[0]) else {
            continue;
        };
        for (k, step) in steps.iter().enumerate().skip(1) {
            let parent = steps[..k].join(".");
            let next = match (value.as_map(), value.as_array(), step.parse::<usize>()) {
                (_, Some(items), Ok(index)) => items.get(index).ok_or_else(|| {
                    format!("`{parent}` has {} items, so no item {index}", items.len())
                }),
                (Some(map), _, _) => value.get_from_path(step).ok_or_else(|| {
                    let mut keys: Vec<String> = map.keys().map(ToString::to_string).collect();
                    keys.sort();
                    format!("`{parent}` has no `{step}`; it has: {}", keys.join(", "))
                }),
                _ => Err(format!("`{parent}` is a {}, not a mapping", value.name())),
            };
            match next {
                Ok(v) => value = v,
                Err(hint) => return Some(hint),
            }
        }
    }
    None
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
const DEFAULTS: [(&str, &str); 12] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("post.html", include_str!("../../templates/post.html")),
    // Before index.html, which extends it.
    ("list.html", include_str!("../../templates/list.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
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
    filters::register(&mut tera);
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
