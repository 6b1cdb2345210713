//! The blog around the posts, as al-folio lays it out: which posts are
//! listed and in what order, their tags, categories and years, the pages
//! of the index, and the absolute URLs and dates of the feed and the
//! sitemap.
//!
//! Pages of the HTML site are named by their URL under the site root
//! (`/blog/tag/math/`); a page links to another by the relative path from
//! its own root (`root_of`) to the other's file, so the site works opened
//! from disk and served under any `baseurl`. Only the feed, the sitemap
//! and `robots.txt` use absolute URLs, made from `url` and `baseurl`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::paths;
use crate::render::RenderedPost;

/// The URL of the archive of every post by year.
pub(super) const ARCHIVE_URL: &str = "/blog/archive/";

/// The published posts, newest first, and how they are grouped.
pub(super) struct Blog<'p> {
    /// The posts Jekyll publishes, newest first.
    pub(super) posts: Vec<&'p RenderedPost>,
    /// The posts of each year, newest year first.
    pub(super) years: Vec<(String, Vec<&'p RenderedPost>)>,
    /// Tags and categories, each by slug.
    terms: [BTreeMap<String, Term<'p>>; 2],
    /// Posts on each page of the index, `None` for one page.
    per_page: Option<usize>,
}

/// A tag or a category and its posts, newest first.
pub(super) struct Term<'p> {
    /// The name as the first post to use it writes it.
    pub(super) name: String,
    /// Its posts.
    pub(super) posts: Vec<&'p RenderedPost>,
}

/// Tags or categories: each has a page at al-folio's (jekyll-archives')
/// `/blog/tag/NAME/` or `/blog/category/NAME/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Taxonomy {
    /// `tags:` in the front matter.
    Tag,
    /// `categories:` in the front matter.
    Category,
}

impl Taxonomy {
    /// Both, in the order pages show them.
    pub(super) const ALL: [Self; 2] = [Self::Category, Self::Tag];

    fn key(self) -> &'static str {
        match self {
            Self::Tag => "tags",
            Self::Category => "categories",
        }
    }

    /// The URL of the page of the term whose slug is `slug`.
    pub(super) fn url(self, slug: &str) -> String {
        match self {
            Self::Tag => format!("/blog/tag/{slug}/"),
            Self::Category => format!("/blog/category/{slug}/"),
        }
    }
}

impl<'p> Blog<'p> {
    /// The published posts of `posts`, sorted and grouped.
    pub(super) fn new(posts: &'p [RenderedPost], config: &SiteConfig) -> Self {
        let mut posts: Vec<&RenderedPost> = posts.iter().filter(|p| p.post.published()).collect();
        // Newest first; on one day, as Jekyll orders by file name, reversed.
        posts.sort_by(|a, b| {
            (&b.post.date, &b.post.file_name).cmp(&(&a.post.date, &a.post.file_name))
        });
        let mut years: Vec<(String, Vec<&RenderedPost>)> = Vec::new();
        for post in &posts {
            let year = &post.post.date[..4];
            match years.last_mut() {
                Some((y, list)) if y == year => list.push(post),
                _ => years.push((year.to_owned(), vec![post])),
            }
        }
        let terms = Taxonomy::ALL.map(|taxonomy| {
            let mut terms: BTreeMap<String, Term<'p>> = BTreeMap::new();
            for post in &posts {
                for name in post.post.words(taxonomy.key()) {
                    let slug = slugify(&name);
                    if slug.is_empty() {
                        continue;
                    }
                    let term = terms.entry(slug).or_insert_with(|| Term {
                        name,
                        posts: Vec::new(),
                    });
                    if !term.posts.iter().any(|p| std::ptr::eq(*p, *post)) {
                        term.posts.push(post);
                    }
                }
            }
            terms
        });
        Self {
            posts,
            years,
            terms,
            per_page: config.pagination.page_size(),
        }
    }

    /// The tags or the categories, by slug.
    pub(super) fn terms(&self, taxonomy: Taxonomy) -> &BTreeMap<String, Term<'p>> {
        &self.terms[Taxonomy::ALL
            .iter()
            .position(|t| *t == taxonomy)
            .unwrap_or_default()]
    }

    /// The posts of each page of the index; one page, maybe empty, at
    /// least.
    pub(super) fn index_pages(&self) -> Vec<&[&'p RenderedPost]> {
        match self.per_page {
            Some(n) if !self.posts.is_empty() => self.posts.chunks(n).collect(),
            _ => vec![&self.posts[..]],
        }
    }
}

/// The URL of page `number` (from 1) of the index: `/`, then
/// jekyll-paginate-v2's `/page/2/`, `/page/3/`, ...
pub(super) fn index_url(number: usize) -> String {
    if number <= 1 {
        "/".to_owned()
    } else {
        format!("/page/{number}/")
    }
}

/// The URL of the page of the posts of `year`, al-folio's `/blog/2025/`.
pub(super) fn year_url(year: &str) -> String {
    format!("/blog/{year}/")
}

/// A name as Jekyll's `slugify` makes it in its default mode, which
/// al-folio's links and jekyll-archives' pages use: every run of
/// characters other than letters, marks and digits one hyphen, none at
/// either end, lowercase.
pub(super) fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_lowercase());
    }
    slug
}

/// Where a post with `redirect:` in its front matter sends its readers.
pub(super) fn redirect(post: &RenderedPost) -> Option<String> {
    let target = post.post.page.get("redirect")?.as_str()?.trim();
    (!target.is_empty()).then(|| target.to_owned())
}

/// A link from a page `root` below the site root: a URL as it is, a
/// path of the site relative to the page, a directory by its
/// `index.html` (so that it opens from disk too).
pub(super) fn local_or_remote(target: &str, root: &str) -> String {
    if target.contains("://") || target.starts_with("//") {
        return target.to_owned();
    }
    let at = target.find(['#', '?']).unwrap_or(target.len());
    let (path, rest) = target.split_at(at);
    let path = if path.is_empty() {
        String::new()
    } else {
        paths::page_file(&format!("/{}", path.trim_start_matches('/')))
    };
    format!("{root}{path}{rest}")
}

/// A link to the page at `url` from a page whose root is `root`.
pub(super) fn href(url: &str, root: &str) -> String {
    format!("{root}{}", paths::page_file(url))
}

/// The absolute URL of `path` (a URL under the site root, `/` first), from
/// `url` and `baseurl`, as Jekyll's `absolute_url` makes it.
pub(super) fn absolute(config: &SiteConfig, path: &str) -> String {
    format!("{}{}{path}", config.url, config.baseurl)
}

/// A name and a link, for a template.
#[derive(Serialize)]
pub(super) struct Link {
    /// What is shown.
    pub(super) name: String,
    /// Where it goes, relative to the page.
    pub(super) href: String,
}

/// The links of a post's tags or categories, from a page whose root is
/// `root`.
pub(super) fn term_links(post: &RenderedPost, taxonomy: Taxonomy, root: &str) -> Vec<Link> {
    post.post
        .words(taxonomy.key())
        .into_iter()
        .filter_map(|name| {
            let slug = slugify(&name);
            (!slug.is_empty()).then(|| Link {
                href: href(&taxonomy.url(&slug), root),
                name,
            })
        })
        .collect()
}

/// A post as lists show it.
#[derive(Serialize)]
pub(super) struct Entry {
    title: String,
    date: String,
    description: String,
    href: String,
    categories: Vec<Link>,
    tags: Vec<Link>,
}

/// The posts of a year, as lists show them.
#[derive(Serialize)]
pub(super) struct Year {
    year: String,
    href: String,
    posts: Vec<Entry>,
}

/// `posts` (newest first) grouped by year, as a page whose root is `root`
/// links to them.
pub(super) fn by_year(posts: &[&RenderedPost], root: &str) -> Vec<Year> {
    let mut years: Vec<Year> = Vec::new();
    for post in posts {
        let year = &post.post.date[..4];
        if years.last().is_none_or(|y| y.year != year) {
            years.push(Year {
                year: year.to_owned(),
                href: href(&year_url(year), root),
                posts: Vec::new(),
            });
        }
        if let Some(last) = years.last_mut() {
            last.posts.push(entry(post, root));
        }
    }
    years
}

fn entry(post: &RenderedPost, root: &str) -> Entry {
    Entry {
        title: post.post.title(),
        date: post.post.date.clone(),
        description: text(post, "description").unwrap_or_default(),
        href: redirect(post).map_or_else(
            || href(&post.url, root),
            |target| local_or_remote(&target, root),
        ),
        categories: term_links(post, Taxonomy::Category, root),
        tags: term_links(post, Taxonomy::Tag, root),
    }
}

/// A front-matter field that is text.
pub(super) fn text(post: &RenderedPost, key: &str) -> Option<String> {
    post.post
        .page
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// When a post was published, as Jekyll's `date_to_xmlschema` writes it:
/// the front matter's `date:` (time and offset kept; midnight UTC when it
/// has none), else the file name's date.
pub(super) fn published(post: &RenderedPost) -> String {
    text(post, "date")
        .and_then(|d| xmlschema(&d))
        .unwrap_or_else(|| format!("{}T00:00:00+00:00", post.post.date))
}

/// When a post was last changed: `last_modified_at:` (jekyll-feed and
/// jekyll-sitemap read it), else when it was published.
pub(super) fn updated(post: &RenderedPost) -> String {
    text(post, "last_modified_at")
        .and_then(|d| xmlschema(&d))
        .unwrap_or_else(|| published(post))
}

/// A date as Jekyll's front matter writes it (`2025-11-27`,
/// `2015-10-20 11:59:00 -0400`, `2020-09-28T11:12:00Z`) in RFC 3339.
pub(super) fn xmlschema(text: &str) -> Option<String> {
    let text = text.trim();
    let date = text.get(..10)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let shaped = date.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    if !shaped {
        return None;
    }
    let rest = text[10..].trim_start_matches([' ', 'T', 't']);
    let split = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let (time, zone) = rest.split_at(split);
    let time = time.split('.').next().unwrap_or("");
    let mut parts = time.split(':').filter(|_| !time.is_empty());
    let mut field = || -> Option<String> {
        match parts.next() {
            None => Some("00".to_owned()),
            Some(p) if p.len() == 2 && digits(p) => Some(p.to_owned()),
            Some(_) => None,
        }
    };
    let (h, m, s) = (field()?, field()?, field()?);
    let zone = zone.trim();
    let offset = match zone {
        "" | "Z" | "z" | "UTC" => "+00:00".to_owned(),
        _ => {
            let (sign, hm) = zone.split_at(1);
            let hm = hm.replace(':', "");
            if !matches!(sign, "+" | "-") || hm.len() != 4 || !digits(&hm) {
                return None;
            }
            format!("{sign}{}:{}", &hm[..2], &hm[2..])
        }
    };
    Some(format!("{date}T{h}:{m}:{s}{offset}"))
}

/// Text with its HTML tags taken out and its whitespace runs made single
/// spaces, as Liquid's `strip_html | normalize_whitespace` leaves it.
pub(super) fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_slugified_as_jekyll_does_by_default() {
        assert_eq!(slugify("Machine Learning"), "machine-learning");
        assert_eq!(slugify("  C++ & Rust!  "), "c-rust");
        assert_eq!(slugify("kl-divergence"), "kl-divergence");
        assert_eq!(slugify("Größe"), "größe");
        assert_eq!(slugify("_config.yml"), "config-yml");
        assert_eq!(slugify("+++"), "");
    }

    #[test]
    fn dates_are_written_as_xml_schema() {
        assert_eq!(
            xmlschema("2025-11-27").as_deref(),
            Some("2025-11-27T00:00:00+00:00")
        );
        assert_eq!(
            xmlschema("2015-10-20 11:59:00 -0400").as_deref(),
            Some("2015-10-20T11:59:00-04:00")
        );
        assert_eq!(
            xmlschema("2015-10-20 11:59:00-0400").as_deref(),
            Some("2015-10-20T11:59:00-04:00")
        );
        assert_eq!(
            xmlschema("2020-09-28T11:12:00Z").as_deref(),
            Some("2020-09-28T11:12:00+00:00")
        );
        assert_eq!(
            xmlschema("2020-09-28 11:12 +05:30").as_deref(),
            Some("2020-09-28T11:12:00+05:30")
        );
        assert_eq!(xmlschema("yesterday"), None);
        assert_eq!(xmlschema("2025-0é-01"), None);
        assert_eq!(xmlschema("2020-09-28 noon"), None);
    }

    #[test]
    fn local_links_are_relative_and_open_directories_by_their_index() {
        assert_eq!(
            local_or_remote("/blog/2024/x/", "../../"),
            "../../blog/2024/x/index.html"
        );
        assert_eq!(local_or_remote("/", ""), "index.html");
        assert_eq!(
            local_or_remote("/assets/pdf/a.pdf#page=2", "../"),
            "../assets/pdf/a.pdf#page=2"
        );
        assert_eq!(
            local_or_remote("https://example.org/x", "../"),
            "https://example.org/x"
        );
    }

    #[test]
    fn plain_text_loses_tags_and_extra_spaces() {
        assert_eq!(plain("A <em>bold</em>\n  claim"), "A bold claim");
    }
}
