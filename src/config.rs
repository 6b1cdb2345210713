//! The site configuration, read from the Jekyll config `site/_config.yml`, so
//! that the Jekyll site and likely's HTML site agree on title, URLs and
//! permalinks.
//!
//! Jekyll configs (al-folio's especially) hold many keys likely does not
//! use; those are ignored. The index is paginated as al-folio's blog page
//! is, from `pagination: {enabled, per_page}` (jekyll-paginate-v2) or
//! Jekyll's own `paginate: N`. likely's own settings live under `likely:`:
//!
//! ```yaml
//! likely:
//!   figures: include   # al-folio {% include figure.liquid %} (default) or `markdown`
//!   math:
//!     single_dollar: true   # $...$ is inline math, as al-folio's MathJax reads it (default)
//!   html: _html             # the HTML site's folder (see crate::layout)
//! ```

use std::path::Path;

use crate::diag::Problem;
use serde::{Deserialize, Serialize};

/// How figures are written into Jekyll posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureStyle {
    /// al-folio's `{% include figure.liquid path="..." %}` and a caption div.
    #[default]
    Include,
    /// A plain Markdown image and an emphasised caption.
    Markdown,
}

/// likely's own settings, under `likely:` in `_config.yml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LikelySettings {
    /// How figures are written into Jekyll posts.
    pub figures: FigureStyle,
    /// How the HTML site finds math.
    pub math: MathSettings,
    /// The HTML site's folder, relative to the Jekyll site: `_site` in a
    /// project of its own, `_html` inside a blog unless set.
    pub html: Option<String>,
    /// Names the blog's Liquid defines beyond Jekyll's own (a theme's or
    /// plugin's variables): expressions over them are Liquid, passed to
    /// Jekyll as written.
    pub liquid: Vec<String>,
}

/// How the HTML site finds math, as the Jekyll site's MathJax is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MathSettings {
    /// `$...$` is inline math (al-folio's MathJax setup), not two dollar
    /// signs.
    pub single_dollar: bool,
}

impl Default for MathSettings {
    fn default() -> Self {
        Self {
            single_dollar: true,
        }
    }
}

/// How the index is split into pages: al-folio's blog page turns
/// jekyll-paginate-v2 on with five posts a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pagination {
    /// Whether the index is split at all.
    pub enabled: bool,
    /// Posts on each page of the index; 0 is one page.
    pub per_page: usize,
}

impl Default for Pagination {
    fn default() -> Self {
        Self {
            enabled: true,
            per_page: 5,
        }
    }
}

impl Pagination {
    /// Posts on each page of the index, `None` for all on one page.
    pub fn page_size(&self) -> Option<usize> {
        (self.enabled && self.per_page > 0).then_some(self.per_page)
    }
}

/// jekyll-paginate-v2's `pagination:` block; its other keys (`collection`,
/// `permalink`, `sort_field`, ...) are ignored.
#[derive(Deserialize)]
struct RawPagination {
    enabled: Option<bool>,
    per_page: Option<usize>,
}

/// What likely reads from `_config.yml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteConfig {
    /// The site title.
    pub title: String,
    /// The site description.
    pub description: String,
    /// The author's name.
    pub author: String,
    /// The site's origin, e.g. `https://example.github.io`.
    pub url: String,
    /// The path the site is served under, e.g. `/blog`; empty for the root.
    pub baseurl: String,
    /// Jekyll's permalink pattern for posts.
    pub permalink: String,
    /// How the index is paginated.
    pub pagination: Pagination,
    /// How many posts the Atom feed holds (jekyll-feed's
    /// `feed: {posts_limit}`, 10 by default).
    pub feed_posts: usize,
    /// likely's settings.
    pub likely: LikelySettings,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            title: "Notes".into(),
            description: String::new(),
            author: String::new(),
            url: String::new(),
            baseurl: String::new(),
            permalink: "date".into(),
            pagination: Pagination::default(),
            feed_posts: 10,
            likely: LikelySettings::default(),
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    title: Option<String>,
    description: Option<String>,
    author: Option<Author>,
    first_name: Option<String>,
    last_name: Option<String>,
    url: Option<String>,
    baseurl: Option<String>,
    permalink: Option<String>,
    pagination: Option<RawPagination>,
    paginate: Option<usize>,
    feed: Option<serde_yaml::Value>,
    likely: Option<LikelySettings>,
}

/// Jekyll themes write the author as a name or as a mapping with a name.
#[derive(Deserialize)]
#[serde(untagged)]
enum Author {
    Name(String),
    Details { name: Option<String> },
}

impl SiteConfig {
    /// Parses the text of a `_config.yml`.
    ///
    /// # Errors
    /// YAML errors, and wrong types for the keys likely reads, with line and
    /// column.
    pub fn parse(src: &str) -> Result<Self, serde_yaml::Error> {
        if src.trim().is_empty() {
            return Ok(Self::default());
        }
        let raw: Raw = crate::yaml::from_yaml(src)?;
        let defaults = Self::default();
        let author = match raw.author {
            Some(Author::Name(name)) => name,
            Some(Author::Details { name }) => name.unwrap_or_default(),
            None => [raw.first_name, raw.last_name]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        Ok(Self {
            title: raw.title.unwrap_or(defaults.title),
            description: raw.description.unwrap_or_default(),
            author,
            url: raw
                .url
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_string(),
            baseurl: raw
                .baseurl
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_string(),
            permalink: raw.permalink.unwrap_or(defaults.permalink),
            pagination: pagination(raw.pagination, raw.paginate),
            // jekyll-feed's `feed:` block; only `posts_limit` matters here.
            feed_posts: raw
                .feed
                .as_ref()
                .and_then(|f| f.get("posts_limit")?.as_u64())
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(defaults.feed_posts),
            likely: raw.likely.unwrap_or_default(),
        })
    }

    /// Reads `site_dir/_config.yml`; the defaults when there is none.
    ///
    /// # Errors
    /// When the file exists but cannot be read or parsed.
    pub fn load(site_dir: &Path) -> Result<Self, Problem> {
        let path = site_dir.join("_config.yml");
        if !path.exists() {
            return Ok(Self::default());
        }
        let src = std::fs::read_to_string(&path)
            .map_err(|e| Problem::new(&path, format!("cannot read the file: {e}")))?;
        Self::parse(&src).map_err(|e| {
            let (at, message) = crate::yaml::yaml_message(&e);
            let problem = Problem::new(&path, message);
            match at {
                Some((line, column)) => problem.at(line, Some(column)).showing(&src),
                None => problem,
            }
        })
    }
}

/// The index's pagination: jekyll-paginate-v2's `per_page`, else Jekyll's
/// `paginate`, else al-folio's five; on unless `enabled: false`.
fn pagination(block: Option<RawPagination>, paginate: Option<usize>) -> Pagination {
    let defaults = Pagination::default();
    let (enabled, per_page) = block.map_or((None, None), |b| (b.enabled, b.per_page));
    Pagination {
        enabled: enabled.unwrap_or(defaults.enabled),
        per_page: per_page.or(paginate).unwrap_or(defaults.per_page),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_al_folio_config_and_ignores_other_keys() {
        let c = SiteConfig::parse(
            "title: blank\nfirst_name: Ada\nlast_name: Lovelace\nurl: https://ada.github.io/\nbaseurl: \npermalink: /blog/:year/:title/\nscholar:\n  style: apa\n",
        )
        .unwrap();
        assert_eq!(c.title, "blank");
        assert_eq!(c.author, "Ada Lovelace");
        assert_eq!(c.url, "https://ada.github.io");
        assert_eq!(c.permalink, "/blog/:year/:title/");
        assert_eq!(c.likely.figures, FigureStyle::Include);
    }

    #[test]
    fn figure_style_is_read_and_checked() {
        let c = SiteConfig::parse("likely:\n  figures: markdown\n").unwrap();
        assert_eq!(c.likely.figures, FigureStyle::Markdown);
        let e = SiteConfig::parse("likely:\n  figures: pictures\n").unwrap_err();
        assert!(e.to_string().contains("likely.figures"), "{e}");
        let e = SiteConfig::parse("likely:\n  figure: markdown\n").unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }

    #[test]
    fn pagination_is_read_as_al_folio_and_jekyll_write_it() {
        let read = |src: &str| SiteConfig::parse(src).unwrap().pagination;
        assert_eq!(read("title: t\n").page_size(), Some(5));
        assert_eq!(read("pagination:\n  enabled: true\n").page_size(), Some(5));
        assert_eq!(
            read("pagination:\n  enabled: true\n  per_page: 2\n  collection: posts\n").page_size(),
            Some(2)
        );
        assert_eq!(read("paginate: 7\n").page_size(), Some(7));
        assert_eq!(read("pagination:\n  enabled: false\n").page_size(), None);
        assert_eq!(read("paginate: 0\n").page_size(), None);
        let e = SiteConfig::parse("paginate: many\n").unwrap_err();
        assert!(e.to_string().contains("paginate"), "{e}");
        assert_eq!(
            SiteConfig::parse("feed:\n  posts_limit: 3\n")
                .unwrap()
                .feed_posts,
            3
        );
    }

    #[test]
    fn an_empty_config_gives_defaults() {
        assert_eq!(SiteConfig::parse("").unwrap(), SiteConfig::default());
    }
}
