//! The blog's bibliography, `_bibliography/papers.bib` (al-folio's place,
//! read by jekyll-scholar on the Jekyll side): author–year citations and
//! reference-list entries for the HTML site, in the spirit of the APA style
//! al-folio configures.
//!
//! Parsing is the `biblatex` crate's; this module only formats.

use std::collections::BTreeMap;
use std::path::Path;

use biblatex::{Bibliography as Parsed, ChunksExt, Entry, Person};

use crate::diag::Problem;
use crate::html::escape;

/// Where al-folio keeps the bibliography, relative to the Jekyll site.
pub const PATH: &str = "_bibliography/papers.bib";

/// A parsed bibliography, with the label each entry is cited by.
#[derive(Debug, Clone, Default)]
pub struct Bibliography {
    parsed: Parsed,
    /// `Einstein & Taylor, 1950` by key; two works with one label get
    /// `1950a`, `1950b` in file order.
    labels: BTreeMap<String, String>,
}

impl Bibliography {
    /// Reads `_bibliography/papers.bib` under `site`, if there is one.
    ///
    /// # Errors
    /// An unreadable file or BibTeX that does not parse, at its line and
    /// column.
    pub fn load(site: &Path) -> Result<Option<Self>, Problem> {
        Self::read(&site.join(PATH))
    }

    /// Reads and parses the BibTeX file at `path`; `None` if there is none.
    ///
    /// # Errors
    /// A file that cannot be read, or a syntax error, at its line.
    pub fn read(path: &Path) -> Result<Option<Self>, Problem> {
        let path = path.to_path_buf();
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text)
                .map(Some)
                .map_err(|(at, message)| located(&path, &text, at, &message)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Problem::new(&path, format!("cannot read the file: {e}"))),
        }
    }

    /// Parses BibTeX text.
    ///
    /// # Errors
    /// The byte offset of the first syntax error, and what is wrong.
    pub fn parse(text: &str) -> Result<Self, (usize, String)> {
        // al-folio's file starts with empty Jekyll front matter, `---`
        // twice, so that Jekyll processes it; BibTeX ignores text outside
        // entries, but the parser does not.
        let start = front_matter_end(text);
        let parsed = Parsed::parse(&text[start..])
            .map_err(|e| (start + e.span.start, e.kind.to_string()))?;
        let mut by_label: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in parsed.iter() {
            by_label
                .entry(label(entry))
                .or_default()
                .push(entry.key.clone());
        }
        let mut labels = BTreeMap::new();
        for (label, keys) in by_label {
            if keys.len() == 1 {
                labels.insert(keys[0].clone(), label);
            } else {
                for (k, key) in keys.into_iter().enumerate() {
                    let letter = char::from(b'a' + u8::try_from(k % 26).unwrap_or(0));
                    labels.insert(key, format!("{label}{letter}"));
                }
            }
        }
        Ok(Self { parsed, labels })
    }

    /// Whether the bibliography has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.labels.contains_key(key)
    }

    /// Every key, in file order.
    pub fn keys(&self) -> Vec<String> {
        self.parsed.iter().map(|e| e.key.clone()).collect()
    }

    /// How `key` is cited: `Lai et al., 2025`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    /// The reference-list entry for `key`, as HTML: authors, year, title
    /// (linked to its URL or DOI), where it appeared.
    pub fn reference(&self, key: &str) -> Option<String> {
        let entry = self.parsed.get(key)?;
        let year = self
            .label(key)
            .and_then(|l| l.rsplit(", ").next())
            .unwrap_or("n.d.");
        let mut html = String::new();
        let authors = entry.author().unwrap_or_default();
        if !authors.is_empty() {
            html.push_str(&escape(&full_names(&authors)));
            html.push(' ');
        }
        html.push_str(&format!("({year}). "));
        let title = entry
            .title()
            .map(|t| t.format_verbatim())
            .unwrap_or_default();
        let link = entry
            .url()
            .ok()
            .or_else(|| entry.doi().ok().map(|d| format!("https://doi.org/{d}")));
        let container = ["journal", "booktitle"]
            .into_iter()
            .find_map(|field| entry.get(field).map(|c| c.format_verbatim()));
        // A work on its own has its title in italics; a part of something
        // else has the container's.
        let title = if container.is_some() {
            escape(&title)
        } else {
            format!("<em>{}</em>", escape(&title))
        };
        match link {
            Some(url) => html.push_str(&format!("<a href=\"{}\">{title}</a>.", escape(&url))),
            None => html.push_str(&format!("{title}.")),
        }
        if let Some(container) = container {
            html.push_str(&format!(" <em>{}</em>", escape(&container)));
            if let Some(volume) = entry.get("volume").map(|c| c.format_verbatim()) {
                html.push_str(&format!(", <em>{}</em>", escape(&volume)));
                if let Some(number) = entry.get("number").map(|c| c.format_verbatim()) {
                    html.push_str(&format!("({})", escape(&number)));
                }
            }
            if let Some(pages) = entry.get("pages").map(|c| c.format_verbatim()) {
                html.push_str(&format!(", {}", escape(&pages.replace("--", "–"))));
            }
            html.push('.');
        } else if let Some(publisher) = entry.get("publisher").map(|c| c.format_verbatim()) {
            html.push_str(&format!(" {}.", escape(&publisher)));
        }
        Some(html)
    }
}

/// Where the text after Jekyll front matter starts (0 if there is none).
fn front_matter_end(text: &str) -> usize {
    let Some(rest) = text.strip_prefix("---\n") else {
        return 0;
    };
    let mut at = 4;
    for line in rest.split_inclusive('\n') {
        at += line.len();
        if line.trim_end() == "---" {
            return at;
        }
    }
    0
}

/// An entry's citation label before disambiguation: `Einstein, 1950`,
/// `Einstein & Taylor, 1950`, `Lai et al., 2025`.
fn label(entry: &Entry) -> String {
    let authors = entry
        .author()
        .or_else(|_| {
            entry
                .editors()
                .map(|e| e.into_iter().flat_map(|(p, _)| p).collect())
        })
        .unwrap_or_default();
    let who = match authors.as_slice() {
        [] => entry
            .title()
            .map(|t| t.format_verbatim())
            .unwrap_or_else(|_| entry.key.clone()),
        [one] => family(one),
        [a, b] => format!("{} & {}", family(a), family(b)),
        [first, ..] => format!("{} et al.", family(first)),
    };
    let year = entry
        .get("year")
        .map(|c| c.format_verbatim())
        .or_else(|| {
            let date = entry.get("date")?.format_verbatim();
            Some(date.chars().take(4).collect())
        })
        .unwrap_or_else(|| "n.d.".to_owned());
    format!("{who}, {year}")
}

fn family(person: &Person) -> String {
    if person.prefix.is_empty() {
        person.name.clone()
    } else {
        format!("{} {}", person.prefix, person.name)
    }
}

/// `Lai, C.-H., Song, Y., & Ermon, S.`
fn full_names(authors: &[Person]) -> String {
    let one = |p: &Person| {
        let initials: Vec<String> = p
            .given_name
            .split_whitespace()
            .map(|word| {
                word.split('-')
                    .filter_map(|part| part.chars().next())
                    .map(|c| format!("{c}."))
                    .collect::<Vec<_>>()
                    .join("-")
            })
            .collect();
        if initials.is_empty() {
            family(p)
        } else {
            format!("{}, {}", family(p), initials.join(" "))
        }
    };
    let names: Vec<String> = authors.iter().map(one).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}, & {last}", init.join(", ")),
    }
}

fn located(path: &Path, text: &str, at: usize, message: &str) -> Problem {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Problem::new(path, format!("BibTeX: {message}"))
        .at(line, Some(column))
        .showing(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIB: &str = r"---
---
@book{lai2025principles,
  title = {The Principles of Diffusion Models},
  author = {Lai, Chieh-Hsin and Song, Yang and Kim, Dongjun and Mitsufuji, Yuki and Ermon, Stefano},
  year = {2025},
  publisher = {arXiv},
  url = {https://arxiv.org/abs/2510.21890}
}
@article{einstein1950,
  title = {The meaning of relativity},
  author = {Einstein, Albert and Taylor, A. H.},
  journal = {American Journal of Physics},
  volume = {18}, number = {6}, pages = {403--404}, year = {1950}
}
@misc{solo2020a, title = {One}, author = {Solo, Han}, year = 2020}
@misc{solo2020b, title = {Two}, author = {Solo, Han}, year = 2020}
@misc{vanrossum, title = {Python}, author = {van Rossum, Guido}, year = 1991}
";

    #[test]
    fn citations_are_author_year_with_et_al_past_two_authors() {
        let bib = Bibliography::parse(BIB).unwrap();
        assert_eq!(bib.label("lai2025principles"), Some("Lai et al., 2025"));
        assert_eq!(bib.label("einstein1950"), Some("Einstein & Taylor, 1950"));
        assert_eq!(bib.label("vanrossum"), Some("van Rossum, 1991"));
        assert_eq!(bib.label("solo2020a"), Some("Solo, 2020a"));
        assert_eq!(bib.label("solo2020b"), Some("Solo, 2020b"));
        assert_eq!(bib.label("missing"), None);
    }

    #[test]
    fn references_list_authors_year_title_and_container() {
        let bib = Bibliography::parse(BIB).unwrap();
        assert_eq!(
            bib.reference("lai2025principles").unwrap(),
            "Lai, C.-H., Song, Y., Kim, D., Mitsufuji, Y., &amp; Ermon, S. (2025). \
             <a href=\"https://arxiv.org/abs/2510.21890\"><em>The Principles of Diffusion Models</em></a>. arXiv."
        );
        assert_eq!(
            bib.reference("einstein1950").unwrap(),
            "Einstein, A., &amp; Taylor, A. H. (1950). The meaning of relativity. \
             <em>American Journal of Physics</em>, <em>18</em>(6), 403–404."
        );
    }

    #[test]
    fn a_syntax_error_is_located() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("_bibliography")).unwrap();
        std::fs::write(
            dir.path().join(PATH),
            "@book{a, title={x}}\n@book{b,\n  title={x}\n",
        )
        .unwrap();
        let problem = Bibliography::load(dir.path()).unwrap_err();
        assert!(problem.path.ends_with(PATH));
        assert!(problem.line.is_some_and(|l| l >= 2), "{problem}");
        assert!(
            Bibliography::load(&dir.path().join("none"))
                .unwrap()
                .is_none()
        );
    }
}
