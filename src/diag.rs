//! Problems in a user's files, collected so that one run reports all of
//! them: every spec, every post, every template, each with its file, line,
//! column and, where the source is at hand, the line itself.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as the user knows it (`posts/x.md`, `experiments/y.yaml`).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What is wrong: for specs, starting with the field path.
    pub message: String,
    /// The text of the line, shown under the message with a caret.
    pub excerpt: Option<String>,
}

impl Problem {
    /// A problem with the file as a whole.
    pub fn new(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
            excerpt: None,
        }
    }

    /// The same problem at a 1-based line and column.
    #[must_use]
    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// The same problem showing its line of `source` (the whole file).
    #[must_use]
    pub fn showing(mut self, source: &str) -> Self {
        self.excerpt = self
            .line
            .and_then(|l| source.lines().nth(l.checked_sub(1)?))
            .map(|text| text.trim_end().to_string())
            .filter(|text| !text.is_empty());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let (Some(line), Some(text)) = (self.line, &self.excerpt) {
            let number = line.to_string();
            let pad = " ".repeat(number.len());
            write!(f, "\n{pad} |\n{number} | {text}")?;
            if let Some(column) = self.column {
                // Tabs stay tabs so the caret lines up under them.
                let lead: String = text
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {lead}^")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

/// Every problem found, in the order found; an error when not empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// Records several problems.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.0.extend(problems);
    }

    /// Whether none was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many were found.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    /// `value` when nothing was found.
    ///
    /// # Errors
    /// The problems, when there are any.
    pub fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Self(vec![problem])
    }
}

/// One problem a line, each starting `error: `, then how many there are.
impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, problem) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {problem}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} problems; nothing was built", self.0.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_file_line_and_column_then_shows_its_line() {
        let p = Problem::new("posts/a.md", "unknown experiment `x`")
            .at(2, Some(4))
            .showing("---\nab {{ x }}\n");
        assert_eq!(
            p.to_string(),
            "posts/a.md:2:4: unknown experiment `x`\n  |\n2 | ab {{ x }}\n  |    ^"
        );
    }

    #[test]
    fn a_problem_without_a_place_names_the_file() {
        let p = Problem::new("experiments/x.yaml", "the file is empty").showing("");
        assert_eq!(p.to_string(), "experiments/x.yaml: the file is empty");
        let p = Problem::new("x.yaml", "bad")
            .at(9, None)
            .showing("one line");
        assert_eq!(p.to_string(), "x.yaml:9: bad");
    }

    #[test]
    fn every_problem_is_listed_and_counted() {
        let mut all = Problems::new();
        assert!(all.clone().into_result(()).is_ok());
        all.push(Problem::new("a", "one"));
        all.push(Problem::new("b", "two").at(3, Some(1)));
        assert_eq!(
            all.to_string(),
            "error: a: one\nerror: b:3:1: two\n2 problems; nothing was built"
        );
        assert_eq!(all.into_result(()).unwrap_err().len(), 2);
    }
}
