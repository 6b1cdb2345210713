//! Posts as read from disk: `posts/YYYY-MM-DD-slug.md`, Jekyll front
//! matter (kept verbatim, and parsed) and a body.

use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems};
use crate::yaml::yaml_message;

/// A post read from disk, its front matter parsed and its body checked.
#[derive(Debug, Clone)]
pub struct Post {
    /// The file, as found under the posts directory.
    pub path: PathBuf,
    /// `YYYY-MM-DD-slug.md`.
    pub file_name: String,
    /// `YYYY-MM-DD`: the front matter's `date:` when it has one (as Jekyll
    /// reads it), else the file name's.
    pub date: String,
    /// The slug, from the file name.
    pub slug: String,
    /// The front matter exactly as written, `---` lines included.
    pub header: String,
    /// The front matter, parsed.
    pub page: serde_json::Map<String, serde_json::Value>,
    /// The file's text.
    pub source: String,
    /// Where the body starts in `source`: a byte offset, and its 1-based
    /// line in the file.
    pub body_start: (usize, usize),
}

impl Post {
    /// The post's title, or its slug when it has none.
    pub fn title(&self) -> String {
        self.page
            .get("title")
            .and_then(|t| t.as_str())
            .map_or_else(|| self.slug.replace('-', " "), str::to_string)
    }

    /// Whether Jekyll publishes the post (`published: false` keeps it
    /// out of the site).
    pub fn published(&self) -> bool {
        self.page.get("published") != Some(&serde_json::Value::Bool(false))
    }

    /// The body: everything after the front matter.
    pub fn body(&self) -> &str {
        &self.source[self.body_start.0..]
    }

    /// The line of the first occurrence of `text` in the post's body.
    pub fn line_of(&self, text: &str) -> Option<usize> {
        let body = self.body();
        body.find(text)
            .map(|at| self.body_start.1 + body[..at].matches('\n').count())
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

/// Reads every `*.md` file in `dir`, sorted by name; the problems of the
/// files that fail go to `problems`.
pub fn collect_posts(dir: &Path, problems: &mut Problems) -> Vec<Post> {
    let paths = match crate::spec::files_with(dir, &["md"]) {
        Ok(paths) => paths,
        Err(e) => {
            problems.push(Problem::new(dir, format!("cannot read the directory: {e}")));
            return Vec::new();
        }
    };
    let mut posts = Vec::new();
    for path in paths {
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| Problem::new(&path, format!("cannot read the file: {e}")))
            .and_then(|src| parse_post(&path, src));
        match parsed {
            Ok(post) => posts.push(post),
            Err(problem) => problems.push(problem),
        }
    }
    posts
}

/// Parses one post from its text.
///
/// # Errors
/// A misnamed file or bad front matter, with file and line.
pub fn parse_post(path: &Path, src: String) -> Result<Post, Problem> {
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Problem::new(path, "the file name is not valid UTF-8"))?
        .to_string();
    let (date, slug) = split_name(&file_name).ok_or_else(|| {
        Problem::new(
            path,
            "a post's file name must be YYYY-MM-DD-slug.md (a real date, then a slug of lowercase letters, digits and hyphens)",
        )
    })?;
    let (header, yaml, body) = split_front_matter(&src).ok_or_else(|| {
        Problem::new(
            path,
            "a post starts with front matter between two `---` lines",
        )
        .at(1, None)
    })?;
    let page: serde_json::Map<String, serde_json::Value> = if yaml.trim().is_empty() {
        serde_json::Map::new()
    } else {
        let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|e| {
            // The front matter starts on the file's second line.
            let (at, message) = yaml_message(&e);
            let (line, column) = at.map_or((2, None), |(line, col)| (line + 1, Some(col)));
            Problem::new(path, format!("front matter: {message}"))
                .at(line, column)
                .showing(&src)
        })?;
        match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => {
                return Err(Problem::new(
                    path,
                    "the front matter must be a mapping of names to values",
                )
                .at(2, None));
            }
        }
    };
    let body_start = (src.len() - body.len(), header.matches('\n').count() + 1);
    // Jekyll dates a post by its front matter's `date:` when it has one.
    let date = match page.get("date") {
        None | Some(serde_json::Value::Null) => date,
        Some(value) => front_matter_date(value).ok_or_else(|| {
            let line = header
                .lines()
                .position(|l| l.starts_with("date:"))
                .map_or(2, |k| k + 1);
            Problem::new(
                path,
                "front matter: `date` must be a date as Jekyll reads it: YYYY-MM-DD, optionally followed by a time (HH:MM:SS) and offset",
            )
            .at(line, None)
            .showing(&src)
        })?,
    };
    Ok(Post {
        path: path.to_path_buf(),
        file_name,
        date,
        slug,
        header: header.to_string(),
        page,
        body_start,
        source: src,
    })
}

fn split_name(file_name: &str) -> Option<(String, String)> {
    let stem = file_name.strip_suffix(".md")?;
    let (date, rest) = (stem.get(..10)?, stem.get(10..)?);
    let slug = rest.strip_prefix('-')?;
    is_date(date)?;
    let slug_ok = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    slug_ok.then(|| (date.to_string(), slug.to_string()))
}

/// `Some` when `date` is a real `YYYY-MM-DD` date.
fn is_date(date: &str) -> Option<()> {
    let b = date.as_bytes();
    if b.len() != 10 {
        return None;
    }
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
    (1..=days).contains(&day).then_some(())
}

/// The calendar date of a front-matter `date:` (`2021-05-22`,
/// `2015-10-20 11:59:00-0400`, `2020-09-28T11:12:00Z`), as written.
fn front_matter_date(value: &serde_json::Value) -> Option<String> {
    let text = value.as_str()?.trim();
    let date = text.get(..10)?;
    let rest = &text[10..];
    let time_ok = rest.is_empty() || rest.starts_with([' ', 'T', 't']);
    is_date(date).filter(|()| time_ok).map(|()| date.to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "---\nlayout: post\ntitle: Maximum Likelihood\ndate: 2025-11-27\ntags: statistics, diffusion\ncategories: statistics\n---\n\nBody $$x$$ {{ 1 + 1 }}\n";

    #[test]
    fn front_matter_is_kept_verbatim_and_parsed() {
        let p = parse_post(Path::new("posts/2025-11-27-mle-and-kl.md"), POST.into()).unwrap();
        assert_eq!(
            p.header,
            "---\nlayout: post\ntitle: Maximum Likelihood\ndate: 2025-11-27\ntags: statistics, diffusion\ncategories: statistics\n---\n"
        );
        assert_eq!(p.title(), "Maximum Likelihood");
        assert_eq!(p.words("tags"), ["statistics", "diffusion"]);
        assert_eq!(p.slug, "mle-and-kl");
        assert_eq!(p.date, "2025-11-27");
        assert_eq!(p.body(), "\nBody $$x$$ {{ 1 + 1 }}\n");
        assert_eq!(p.body_start.1, 8);
        assert_eq!(p.line_of("Body"), Some(9));
        let p = parse_post(
            Path::new("2025-11-27-x.md"),
            "---\ntitle: dots\n...\nbody\n".into(),
        )
        .unwrap();
        assert_eq!(p.title(), "dots");
    }

    proptest::proptest! {
        #[test]
        fn any_file_name_and_text_give_a_post_or_an_error(name in "[0-9a-zé.-]{0,20}", src in "(---\n|\\.\\.\\.\n|[a-zé:{}% \n-]{0,12}){0,6}") {
            let _ = parse_post(Path::new(&format!("{name}.md")), src);
        }
    }

    #[test]
    fn a_front_matter_date_dates_the_post_as_jekyll_does() {
        let with = |date: &str| {
            parse_post(
                Path::new("posts/2018-12-22-distill.md"),
                format!("---\ntitle: t\ndate: {date}\n---\nbody\n"),
            )
        };
        for (written, date) in [
            ("2021-05-22", "2021-05-22"),
            ("2015-10-20 11:59:00-0400", "2015-10-20"),
            ("'2020-09-28T11:12:00Z'", "2020-09-28"),
        ] {
            let post = with(written).unwrap();
            assert_eq!(post.date, date);
            assert_eq!(
                post.url("/blog/:year/:month/:title/").get(..14),
                Some(&format!("/blog/{}/{}/", &date[..4], &date[5..7])[..14])
            );
        }
        for bad in ["2021-02-30", "yesterday", "20210522", "2021-05-22x"] {
            let e = with(bad).unwrap_err();
            assert_eq!(e.line, Some(3), "{bad}: {e}");
            assert!(e.message.contains("`date`"), "{e}");
        }
        assert!(with("2021-05-22").unwrap().published());
        let hidden = parse_post(
            Path::new("2025-01-01-x.md"),
            "---\npublished: false\n---\n".into(),
        )
        .unwrap();
        assert!(!hidden.published());
    }

    #[test]
    fn permalinks_follow_jekyll_patterns() {
        let p = parse_post(Path::new("2025-11-27-mle-and-kl.md"), POST.into()).unwrap();
        assert_eq!(p.url("/blog/:year/:title/"), "/blog/2025/mle-and-kl/");
        assert_eq!(p.url("date"), "/statistics/2025/11/27/mle-and-kl.html");
        assert_eq!(p.url("pretty"), "/statistics/2025/11/27/mle-and-kl/");
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
            let e = parse_post(Path::new(name), POST.into())
                .unwrap_err()
                .to_string();
            assert!(e.contains("YYYY-MM-DD-slug.md"), "{name}: {e}");
        }
        let e = parse_post(Path::new("2025-11-27-x.md"), "no front matter\n".into()).unwrap_err();
        assert!(e.to_string().contains("front matter"));
        let e = parse_post(
            Path::new("p/2025-11-27-x.md"),
            "---\ntitle: [unclosed\n---\n".into(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("p/2025-11-27-x.md:"), "{e}");
    }
}
