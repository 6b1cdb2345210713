//! Posts: `posts/YYYY-MM-DD-slug.md`, Jekyll front matter plus a Tera body
//! that references experiment results.
//!
//! Every post is rendered twice through Tera: once for Jekyll (figures as
//! al-folio includes, math as written) and once for likely's HTML site
//! (figures as `<figure>`, relative links). Posts see each experiment's
//! numbers under its id, the front matter as `page`, the site config as
//! `site`, and `target` (`"jekyll"` or `"html"`).

mod filters;
mod functions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::outcome::Outcome;
use crate::spec::Experiment;

pub use functions::figure_path;

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

/// A post read from disk, its front matter parsed and its body checked.
#[derive(Debug, Clone)]
pub struct Post {
    /// The file, as found under the posts directory.
    pub path: PathBuf,
    /// `YYYY-MM-DD-slug.md`.
    pub file_name: String,
    /// `YYYY-MM-DD`, from the file name.
    pub date: String,
    /// The slug, from the file name.
    pub slug: String,
    /// The front matter exactly as written, `---` lines included.
    pub header: String,
    /// The front matter, parsed.
    pub page: serde_json::Map<String, serde_json::Value>,
    /// The body with the front matter's lines left blank, so that template
    /// errors report the file's own line numbers.
    template: String,
}

impl Post {
    /// The post's title, or its slug when it has none.
    pub fn title(&self) -> String {
        self.page
            .get("title")
            .and_then(|t| t.as_str())
            .map_or_else(|| self.slug.replace('-', " "), str::to_string)
    }

    /// The line of the first occurrence of `text` in the post's file.
    pub fn line_of(&self, text: &str) -> Option<usize> {
        // The template keeps the file's line structure (the header became
        // a comment of as many lines).
        self.template
            .find(text)
            .map(|at| self.template[..at].matches('\n').count() + 1)
    }

    /// A front-matter field as a list of words (tags, categories), whether
    /// written as a list or as a space- or comma-separated string.
    pub fn words(&self, key: &str) -> Vec<String> {
        match self.page.get(key) {
            Some(serde_json::Value::String(s)) => s
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The post's URL path under the site root, from Jekyll's permalink
    /// pattern (`date`, `pretty`, `ordinal`, `none` or a pattern like
    /// `/blog/:year/:title/`).
    pub fn url(&self, pattern: &str) -> String {
        let pattern = match pattern {
            "date" => "/:categories/:year/:month/:day/:title:output_ext",
            "pretty" => "/:categories/:year/:month/:day/:title/",
            "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
            "none" => "/:categories/:title:output_ext",
            other => other,
        };
        let (year, month, day) = (&self.date[0..4], &self.date[5..7], &self.date[8..10]);
        let categories = self.words("categories").join("/").to_lowercase();
        let url = pattern
            .replace(":categories", &categories)
            .replace(":year", year)
            .replace(":month", month)
            .replace(":day", day)
            .replace(":i_month", month.trim_start_matches('0'))
            .replace(":i_day", day.trim_start_matches('0'))
            .replace(":short_year", &year[2..])
            .replace(":title", &self.slug)
            .replace(":slug", &self.slug)
            .replace(":output_ext", ".html");
        let mut clean = String::from("/");
        for part in url.split('/').filter(|p| !p.is_empty()) {
            clean.push_str(part);
            clean.push('/');
        }
        if !url.ends_with('/') {
            clean.pop();
        }
        clean
    }
}

/// Reads every `*.md` file in `dir`, sorted by name.
///
/// # Errors
/// A file that cannot be read, is misnamed, or has bad front matter.
pub fn load_posts(dir: &Path) -> anyhow::Result<Vec<Post>> {
    let mut paths = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the posts directory {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading the posts directory {}", dir.display()))?
            .path();
        if path.extension().and_then(|e| e.to_str()) == Some("md") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let src = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            parse_post(path, &src)
        })
        .collect()
}

/// Parses one post from its text.
///
/// # Errors
/// A misnamed file or bad front matter, with file and line.
pub fn parse_post(path: &Path, src: &str) -> anyhow::Result<Post> {
    let shown = path.display();
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{shown}: the file name is not valid UTF-8"))?
        .to_string();
    let (date, slug) = split_name(&file_name)
        .with_context(|| format!("{shown}: a post's file name must be YYYY-MM-DD-slug.md (a real date, then a slug of lowercase letters, digits and hyphens)"))?;
    let (header, yaml, body) = split_front_matter(src).with_context(|| {
        format!("{shown}:1: a post starts with front matter between two `---` lines")
    })?;
    let page: serde_json::Map<String, serde_json::Value> = if yaml.trim().is_empty() {
        serde_json::Map::new()
    } else {
        let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| {
            // The front matter starts on the file's second line.
            let (at, message) = crate::yaml::yaml_message(&e);
            let line = at.map_or(2, |(line, _)| line + 1);
            anyhow::anyhow!("{shown}:{line}: front matter: {message}")
        })?;
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => anyhow::bail!("{shown}:2: the front matter must be a mapping of names to values"),
        }
    };
    // The header's lines become a Tera comment, so that template errors
    // report the file's own line numbers and nothing of the header (not
    // even whitespace that `{%-` could trim) reaches the output.
    let header_lines = header.matches('\n').count();
    Ok(Post {
        path: path.to_path_buf(),
        file_name,
        date,
        slug,
        header: header.to_string(),
        page,
        template: format!("{{#{}#}}{body}", "\n".repeat(header_lines)),
    })
}

fn split_name(file_name: &str) -> Option<(String, String)> {
    let stem = file_name.strip_suffix(".md")?;
    let (date, rest) = (stem.get(..10)?, stem.get(10..)?);
    let slug = rest.strip_prefix('-')?;
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    let (year, month, day): (u32, u32, u32) = (
        date[..4].parse().ok()?,
        date[5..7].parse().ok()?,
        date[8..10].parse().ok()?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    let slug_ok = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ((1..=days).contains(&day) && slug_ok).then(|| (date.to_string(), slug.to_string()))
}

/// Splits `---\n...\n---\n` from the body: the header verbatim (both
/// delimiter lines included), the YAML between them, and the body.
fn split_front_matter(src: &str) -> Option<(&str, &str, &str)> {
    let first_end = src.find('\n')?;
    if src[..first_end].trim_end() != "---" {
        return None;
    }
    let start = first_end + 1;
    let mut offset = start;
    for line in src[start..].split_inclusive('\n') {
        let end = offset + line.len();
        if matches!(line.trim_end(), "---" | "...") {
            return Some((&src[..end], &src[start..offset], &src[end..]));
        }
        offset = end;
    }
    None
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
}

/// The template engine, with likely's filters and functions, the site's
/// templates and every post's body loaded and checked.
pub struct Templates {
    tera: tera::Tera,
}

impl Templates {
    /// Loads templates from `dir` (the defaults for any file it lacks), and
    /// checks every post's body.
    ///
    /// # Errors
    /// A template or post with a syntax error, an unknown filter or function.
    pub fn load(
        dir: &Path,
        posts: &[Post],
        library: Arc<Library>,
        config: &SiteConfig,
    ) -> anyhow::Result<Self> {
        let partials = Arc::new(load_dir_templates(dir, "partials/")?);
        let mut tera = load_dir_templates(dir, "")?;
        filters::register(&mut tera);
        functions::register(&mut tera, partials, library, config.likely.figures);
        for post in posts {
            tera.add_raw_template(&post.path.display().to_string(), &post.template)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(Self { tera })
    }

    /// Renders a site template (`post.html`, `index.html`).
    ///
    /// # Errors
    /// Tera's error, with the template's name and line.
    pub fn render_page(&self, name: &str, context: &tera::Context) -> anyhow::Result<String> {
        self.tera
            .render(name, context)
            .map_err(|e| anyhow::anyhow!("{e}"))
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

fn load_dir_templates(dir: &Path, prefix: &str) -> anyhow::Result<tera::Tera> {
    let mut tera = tera::Tera::new();
    // Markdown is not HTML: escaping is the partials' own business.
    tera.autoescape_on([".html"]);
    for (name, _) in DEFAULTS
        .iter()
        .filter(|(n, _)| n.starts_with(prefix) && !n.ends_with(".css"))
    {
        let text = template_text(dir, name)?;
        let shown = dir.join(name).display().to_string();
        tera.add_raw_template(name, &text)
            .map_err(|e| anyhow::anyhow!("{e}\n  (the template is {shown})"))?;
    }
    Ok(tera)
}

/// Renders every post for both targets.
///
/// # Errors
/// The first post that fails, with Tera's report (file, line, column).
pub fn posts(
    posts: &[Post],
    templates: &Templates,
    config: &SiteConfig,
    library: &Library,
) -> anyhow::Result<Vec<RenderedPost>> {
    posts
        .par_iter()
        .map(|post| {
            let url = post.url(&config.permalink);
            let jekyll = render_one(post, templates, config, library, Target::Jekyll, "")?;
            let html = render_one(
                post,
                templates,
                config,
                library,
                Target::Html,
                &root_of(&url),
            )?;
            Ok(RenderedPost {
                post: post.clone(),
                jekyll,
                html,
                url,
            })
        })
        .collect()
}

/// The relative path from a page at `url` back to the site root: `""` for
/// `/index.html`, `"../../"` for `/blog/2025/post/`.
pub fn root_of(url: &str) -> String {
    let depth = url.trim_start_matches('/').matches('/').count();
    "../".repeat(depth)
}

fn render_one(
    post: &Post,
    templates: &Templates,
    config: &SiteConfig,
    library: &Library,
    target: Target,
    root: &str,
) -> anyhow::Result<String> {
    let mut context = tera::Context::new();
    for (id, entry) in library {
        context.insert(id.clone(), &entry.outcome.numbers);
    }
    context.insert("page", &post.page);
    context.insert("site", config);
    context.insert("target", &target);
    context.insert("root", root);
    templates
        .tera
        .render(&post.path.display().to_string(), &context)
        .map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "---\nlayout: post\ntitle: Maximum Likelihood\ndate: 2025-11-27\ntags: statistics, diffusion\ncategories: statistics\n---\n\nBody $$x$$ {{ 1 + 1 }}\n";

    #[test]
    fn front_matter_is_kept_verbatim_and_parsed() {
        let p = parse_post(Path::new("posts/2025-11-27-mle-and-kl.md"), POST).unwrap();
        assert_eq!(
            p.header,
            "---\nlayout: post\ntitle: Maximum Likelihood\ndate: 2025-11-27\ntags: statistics, diffusion\ncategories: statistics\n---\n"
        );
        assert_eq!(p.title(), "Maximum Likelihood");
        assert_eq!(p.words("tags"), ["statistics", "diffusion"]);
        assert_eq!(p.slug, "mle-and-kl");
        assert_eq!(p.date, "2025-11-27");
        assert_eq!(p.template.lines().count(), POST.lines().count());
        let p = parse_post(
            Path::new("2025-11-27-x.md"),
            "---\ntitle: dots\n...\nbody\n",
        )
        .unwrap();
        assert_eq!(p.title(), "dots");
    }

    proptest::proptest! {
        #[test]
        fn any_file_name_and_text_give_a_post_or_an_error(name in "[0-9a-zé.-]{0,20}", src in "(---\n|\\.\\.\\.\n|[a-zé:{}% \n-]{0,12}){0,6}") {
            let _ = parse_post(Path::new(&format!("{name}.md")), &src);
        }
    }

    #[test]
    fn permalinks_follow_jekyll_patterns() {
        let p = parse_post(Path::new("2025-11-27-mle-and-kl.md"), POST).unwrap();
        assert_eq!(p.url("/blog/:year/:title/"), "/blog/2025/mle-and-kl/");
        assert_eq!(p.url("date"), "/statistics/2025/11/27/mle-and-kl.html");
        assert_eq!(p.url("pretty"), "/statistics/2025/11/27/mle-and-kl/");
        assert_eq!(root_of("/blog/2025/mle-and-kl/"), "../../../");
        assert_eq!(root_of("/index.html"), "");
    }

    #[test]
    fn misnamed_posts_and_missing_front_matter_are_refused() {
        for name in [
            "2025-02-30-x.md",
            "2025-1é-01-x.md",
            "2023-02-29-x.md",
            "2025-13-01-x.md",
            "2025-11-27.md",
            "27-11-2025-x.md",
            "2025-11-27-Big_Name.md",
        ] {
            let e = parse_post(Path::new(name), POST).unwrap_err().to_string();
            assert!(e.contains("YYYY-MM-DD-slug.md"), "{name}: {e}");
        }
        let e = parse_post(Path::new("2025-11-27-x.md"), "no front matter\n").unwrap_err();
        assert!(e.to_string().contains("front matter"));
        let e = parse_post(
            Path::new("p/2025-11-27-x.md"),
            "---\ntitle: [unclosed\n---\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("p/2025-11-27-x.md:"), "{e}");
    }
}
