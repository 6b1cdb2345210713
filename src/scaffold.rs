//! `likely new`: a first post or experiment file, written only where no
//! file is.
//!
//! A post is `posts/YYYY-MM-DD-slug.md`, its slug made from the title as
//! Jekyll's `slugify` makes one in its `latin` mode (the only slugs likely's
//! post names allow: lowercase ASCII letters, digits and hyphens). An
//! experiment is `experiments/<id>.yaml`, its kind's starting spec from
//! [`experiment::TEMPLATES`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::{experiment, render, spec};

/// A file to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    /// Where it goes.
    pub path: PathBuf,
    /// What it holds.
    pub text: String,
}

impl NewFile {
    /// Creates the file (and its directory), refusing to overwrite one.
    ///
    /// # Errors
    /// When the file exists, naming it, or on I/O errors.
    pub fn create(&self) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut file = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&self.path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
                "{} already exists; likely does not overwrite it (choose another name, or remove the file)",
                self.path.display()
            ),
            Err(e) => {
                return Err(e).with_context(|| format!("creating {}", self.path.display()));
            }
        };
        file.write_all(self.text.as_bytes())
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// The year.
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, from 1.
    pub day: u32,
}

impl Date {
    /// Today in UTC.
    pub fn today_utc() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_days((secs / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`).
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self { year, month, day }
    }

    /// Reads `YYYY-MM-DD`.
    ///
    /// # Errors
    /// When `text` is not a real date in that form.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let wrong = || anyhow::anyhow!("`{text}` is not a date written YYYY-MM-DD");
        let parts: Vec<&str> = text.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(wrong());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(wrong());
        }
        let number = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let (Some(year), Some(month), Some(day)) = (number(y), number(m), number(d)) else {
            return Err(wrong());
        };
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(wrong()),
        };
        if !(1..=days).contains(&day) {
            return Err(wrong());
        }
        Ok(Self {
            year: i64::from(year),
            month,
            day,
        })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The slug of a title as Jekyll's `slugify` makes it in `latin` mode:
/// accented Latin letters lose their accents, every run of other characters
/// becomes one hyphen, none at either end, all lowercase.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    let mut gap = false;
    for c in title.chars() {
        let plain = latin(c);
        let kept = plain.map_or_else(
            || c.is_ascii_alphanumeric().then(|| c.to_string()),
            |s| Some(s.to_string()),
        );
        match kept {
            Some(s) => {
                if gap && !slug.is_empty() {
                    slug.push('-');
                }
                gap = false;
                slug.extend(s.chars().map(|c| c.to_ascii_lowercase()));
            }
            None => gap = true,
        }
    }
    slug
}

/// The ASCII spelling of an accented Latin letter, as Jekyll's `latin`
/// mode (Ruby's I18n transliteration) gives it.
fn latin(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("ÀÁÂÃÄÅĀĂĄ", "A"),
        ("àáâãäåāăą", "a"),
        ("ÇĆĈĊČ", "C"),
        ("çćĉċč", "c"),
        ("ĎĐÐ", "D"),
        ("ďđð", "d"),
        ("ÈÉÊËĒĔĖĘĚ", "E"),
        ("èéêëēĕėęě", "e"),
        ("ĜĞĠĢ", "G"),
        ("ĝğġģ", "g"),
        ("ĤĦ", "H"),
        ("ĥħ", "h"),
        ("ÌÍÎÏĨĪĬĮİ", "I"),
        ("ìíîïĩīĭįı", "i"),
        ("Ĵ", "J"),
        ("ĵ", "j"),
        ("Ķ", "K"),
        ("ķ", "k"),
        ("ĹĻĽĿŁ", "L"),
        ("ĺļľŀł", "l"),
        ("ÑŃŅŇ", "N"),
        ("ñńņň", "n"),
        ("ÒÓÔÕÖØŌŎŐ", "O"),
        ("òóôõöøōŏő", "o"),
        ("ŔŖŘ", "R"),
        ("ŕŗř", "r"),
        ("ŚŜŞŠ", "S"),
        ("śŝşš", "s"),
        ("ŢŤŦ", "T"),
        ("ţťŧ", "t"),
        ("ÙÚÛÜŨŪŬŮŰŲ", "U"),
        ("ùúûüũūŭůűų", "u"),
        ("Ŵ", "W"),
        ("ŵ", "w"),
        ("ÝŶŸ", "Y"),
        ("ýÿŷ", "y"),
        ("ŹŻŽ", "Z"),
        ("źżž", "z"),
        ("Æ", "AE"),
        ("æ", "ae"),
        ("Œ", "OE"),
        ("œ", "oe"),
        ("ß", "ss"),
        ("Þ", "Th"),
        ("þ", "th"),
    ];
    TABLE
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map(|(_, plain)| *plain)
}

/// A new post titled `title`, dated `date`, in `posts_dir`.
///
/// # Errors
/// When the title is empty or has no letter or digit to make a file name of.
pub fn post(posts_dir: &Path, title: &str, date: Date) -> anyhow::Result<NewFile> {
    let title = title.trim();
    let slug = slugify(title);
    if slug.is_empty() {
        bail!(
            "the title `{title}` has no letter or digit to make a file name of; give a title with words in it"
        );
    }
    let text = format!(
        "---\nlayout: post\ntitle: {}\ndate: {date}\ndescription: \"\"\ntags: []\ncategories: []\n---\n\nWhat this note is about, in a sentence or two.\n",
        yaml_string(title)
    );
    Ok(NewFile {
        path: posts_dir.join(format!("{date}-{slug}.md")),
        text,
    })
}

/// `text` as a YAML scalar: as it is where YAML reads it back unchanged,
/// double-quoted otherwise.
fn yaml_string(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_alphanumeric() || " ,.()'?!–—-".contains(c))
        && text.starts_with(|c: char| c.is_alphabetic())
        && !text.contains(" -")
        && serde_yaml::from_str::<serde_yaml::Value>(text).ok()
            == Some(serde_yaml::Value::String(text.to_string()));
    if plain {
        text.to_string()
    } else {
        // A JSON string is a YAML double-quoted scalar.
        serde_json::Value::String(text.to_string()).to_string()
    }
}

/// A new experiment `id` of `kind`, in `experiments_dir`.
///
/// # Errors
/// An id that is not a valid experiment id or that posts use for something
/// else, or an unknown kind (listing the kinds).
pub fn experiment(experiments_dir: &Path, id: &str, kind: &str) -> anyhow::Result<NewFile> {
    if !spec::is_valid_id(id) {
        bail!(
            "`{id}` is not a valid experiment id: use a lowercase letter followed by lowercase letters, digits or underscores (e.g. kl_monte_carlo)"
        );
    }
    if render::RESERVED.contains(&id) {
        bail!(
            "`{id}` is a name posts use for something else; choose another (reserved: {})",
            render::RESERVED.join(", ")
        );
    }
    let Some((_, template)) = experiment::TEMPLATES.iter().find(|(name, _)| *name == kind) else {
        bail!(
            "unknown kind `{kind}`; the kinds are: {}",
            experiment::NAMES.join(", ")
        );
    };
    Ok(NewFile {
        path: experiments_dir.join(format!("{id}.yaml")),
        text: template.replace("<id>", id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_what_jekyll_makes() {
        assert_eq!(
            slugify("Maximum Likelihood and KL Divergence"),
            "maximum-likelihood-and-kl-divergence"
        );
        assert_eq!(
            slugify("The Forward Process, Measured"),
            "the-forward-process-measured"
        );
        assert_eq!(slugify("  KL(p ‖ q): a note!  "), "kl-p-q-a-note");
        assert_eq!(
            slugify("Café Œuvre über Straße"),
            "cafe-oeuvre-uber-strasse"
        );
        assert_eq!(slugify("2025 in review"), "2025-in-review");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn dates_come_from_days_since_the_epoch() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_419).to_string(), "2025-11-27");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        assert_eq!(Date::from_days(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn dates_are_read_and_checked() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "today",
            "2025-01-01-",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_post_has_front_matter_that_reads_back_its_title() {
        let date = Date::parse("2025-03-04").unwrap();
        for title in [
            "Plain words",
            "KL: forward, or reverse?",
            "\"Quoted\" # not a comment",
            "- a dash",
            "yes",
            "12",
        ] {
            let new = post(Path::new("posts"), title, date).unwrap();
            let post = render::parse_post(&new.path, new.text.clone()).unwrap();
            assert_eq!(post.page["title"], title, "{}", new.text);
            assert_eq!(post.page["layout"], "post");
            assert_eq!(post.page["date"], "2025-03-04");
            assert_eq!(post.page["tags"], serde_json::json!([]));
        }
        let new = post(Path::new("posts"), "Plain words", date).unwrap();
        assert_eq!(new.path, Path::new("posts/2025-03-04-plain-words.md"));
        assert!(new.text.contains("\ntitle: Plain words\n"), "{}", new.text);
        assert!(post(Path::new("posts"), "  ?! ", date).is_err());
    }

    #[test]
    fn experiment_names_and_kinds_are_checked() {
        let e = experiment(Path::new("e"), "My-Run", "density").unwrap_err();
        assert!(e.to_string().contains("not a valid experiment id"), "{e}");
        let e = experiment(Path::new("e"), "page", "density").unwrap_err();
        assert!(e.to_string().contains("reserved"), "{e}");
        let e = experiment(Path::new("e"), "run", "densty").unwrap_err();
        assert!(e.to_string().contains("unknown kind `densty`"), "{e}");
        assert!(e.to_string().contains("compare_fits"), "{e}");
        let new = experiment(Path::new("e"), "run", "density").unwrap();
        assert_eq!(new.path, Path::new("e/run.yaml"));
        assert!(new.text.contains("id=\"run.density\""), "{}", new.text);
    }

    #[test]
    fn every_kind_has_a_template_of_its_kind_whose_comments_name_its_outputs() {
        assert_eq!(experiment::TEMPLATES.len(), experiment::NAMES.len());
        for (name, template) in experiment::TEMPLATES {
            let spec = spec::parse(Path::new("x.yaml"), template)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(spec.kind.name(), *name);
            let outcome = spec.dry_outcome();
            let figures: Vec<&str> = outcome.figures.iter().map(|f| f.name.as_str()).collect();
            let tables: Vec<&str> = outcome.tables.iter().map(|t| t.name.as_str()).collect();
            let said = format!(
                "# Figures: {}. Tables: {}.",
                figures.join(", "),
                tables.join(", ")
            );
            assert!(
                template.contains(&said),
                "{name}: the template should say `{said}`"
            );
        }
    }
}
