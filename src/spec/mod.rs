//! Experiment specs: `experiments/NAME.yaml`, read, typed and validated.
//!
//! A spec is one YAML file:
//!
//! ```yaml
//! description: KL(N(0,1) || N(1,2)) by Monte Carlo   # optional
//! seed: 1
//! kind:
//!   kl_monte_carlo:
//!     p: {normal: {mean: 0, std: 1}}
//!     q: {normal: {mean: 1, std: 2}}
//!     n: {logspace: [10, 1000000, 6]}
//!     replicates: 200
//! ```
//!
//! Every error names the file, line, column and field path. All files are
//! read and checked before any experiment runs.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::experiment::Kind;
use crate::yaml::{from_yaml, locate_key, yaml_message};

/// A validated experiment, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// The id: the file stem, a lowercase identifier.
    pub id: String,
    /// The file it came from, as given to [`load_dir`].
    pub path: PathBuf,
    /// The file's text, shown by `cell()` in posts.
    pub source: String,
    /// The typed spec.
    pub spec: Spec,
}

/// The contents of a spec file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// A sentence on what the experiment shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The seed every random stream of the experiment derives from.
    pub seed: u64,
    /// What to compute.
    pub kind: Kind,
}

/// A spec that could not be read, with its place in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong, starting with the field path when there is one.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some((line, col)) => {
                write!(f, "{}:{line}:{col}: {}", self.path.display(), self.message)
            }
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// Every error found in a directory of specs.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// Parses one spec from its text.
///
/// # Errors
/// A [`SpecError`] with line, column and field path.
pub fn parse(path: &Path, src: &str) -> Result<Spec, SpecError> {
    if src.trim().is_empty()
        || src
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(SpecError {
            path: path.to_path_buf(),
            location: None,
            message: "the file is empty; a spec needs at least `seed` and `kind`".into(),
        });
    }
    let spec = from_yaml::<Spec>(src).map_err(|e| {
        let (location, message) = yaml_message(&e);
        SpecError {
            path: path.to_path_buf(),
            location,
            message,
        }
    })?;
    spec.kind.check_size().map_err(|message| SpecError {
        path: path.to_path_buf(),
        location: locate_key(src, spec.kind.name()),
        message: format!("kind.{}: {message}", spec.kind.name()),
    })?;
    Ok(spec)
}

/// Whether `id` is a safe experiment id: a lowercase letter, then lowercase
/// letters, digits or underscores. Ids are Tera variable names in posts and
/// directory names under `site/`, so nothing else is allowed.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Reads and validates every `*.yaml` file in `dir`, sorted by id.
///
/// # Errors
/// [`SpecErrors`] listing every file that failed, or an I/O error.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Experiment>> {
    let mut paths = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the experiments directory {}: {e}",
            dir.display()
        )
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| {
                anyhow::anyhow!("reading the experiments directory {}: {e}", dir.display())
            })?
            .path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            paths.push(path);
        }
    }
    paths.sort();
    let mut experiments = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match load_file(&path) {
            Ok(e) => experiments.push(e),
            Err(e) => errors.push(e),
        }
    }
    for pair in experiments.windows(2) {
        if pair[0].id == pair[1].id {
            errors.push(SpecError {
                path: pair[1].path.clone(),
                location: None,
                message: format!(
                    "experiment id `{}` is also used by {}",
                    pair[1].id,
                    pair[0].path.display()
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(experiments)
    } else {
        Err(SpecErrors(errors).into())
    }
}

fn load_file(path: &Path) -> Result<Experiment, SpecError> {
    let error = |message: String| SpecError {
        path: path.to_path_buf(),
        location: None,
        message,
    };
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| error("the file name is not valid UTF-8".into()))?
        .to_string();
    if !is_valid_id(&id) {
        return Err(error(format!(
            "`{id}` is not a valid experiment id: use a lowercase letter followed by lowercase letters, digits or underscores (e.g. kl_monte_carlo)"
        )));
    }
    let source =
        std::fs::read_to_string(path).map_err(|e| error(format!("cannot read the file: {e}")))?;
    let spec = parse(path, &source)?;
    Ok(Experiment {
        id,
        path: path.to_path_buf(),
        source,
        spec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "seed: 1\nkind:\n  kl_monte_carlo:\n    p: {normal: {mean: 0, std: 1}}\n    q: {normal: {mean: 1, std: 2}}\n    n: [10, 100]\n    replicates: 5\n";

    fn err(src: &str) -> String {
        parse(Path::new("experiments/x.yaml"), src)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_good_spec_parses() {
        let spec = parse(Path::new("x.yaml"), GOOD).unwrap();
        assert_eq!(spec.seed, 1);
        assert_eq!(spec.kind.name(), "kl_monte_carlo");
    }

    #[test]
    fn errors_start_with_file_line_and_column() {
        let e = err(&GOOD.replace("std: 2", "std: -2"));
        assert!(e.starts_with("experiments/x.yaml:5:"), "{e}");
        assert!(e.contains("kind.kl_monte_carlo.q.normal.std"), "{e}");
    }

    #[test]
    fn unknown_fields_wrong_types_and_syntax_errors_are_located() {
        let e = err(&GOOD.replace("replicates: 5", "replicates: 5\n    repeats: 3"));
        assert!(e.starts_with("experiments/x.yaml:8:"), "{e}");
        assert!(e.contains("unknown field `repeats`"), "{e}");

        let e = err(&GOOD.replace("seed: 1", "seed: one"));
        assert!(e.starts_with("experiments/x.yaml:1:"), "{e}");
        assert!(e.contains("seed"), "{e}");

        let e = err(&GOOD.replace("n: [10, 100]", "n: [10, 100"));
        assert!(e.starts_with("experiments/x.yaml:"), "{e}");

        let e = err(&GOOD.replace("kl_monte_carlo", "kl_monte_carl"));
        assert!(e.contains("unknown variant `kl_monte_carl`"), "{e}");
    }

    #[test]
    fn locations_appear_once_in_front() {
        let e = err("seed: 1\nkind: {kl_monte_carlo: {p: 'unclosed\n");
        assert!(e.starts_with("experiments/x.yaml:"), "{e}");
        assert!(!e.contains(" at line "), "{e}");
    }

    #[test]
    fn experiments_too_large_to_finish_are_refused_with_their_line() {
        let e = err(&GOOD.replace("replicates: 5", "replicates: 100000000"));
        assert!(
            e.starts_with("experiments/x.yaml:3:3: kind.kl_monte_carlo:"),
            "{e}"
        );
        assert!(e.contains("limit"), "{e}");
        let e = err(&GOOD
            .replace("n: [10, 100]", "n: [100000000]")
            .replace("replicates: 5", "replicates: 10000"));
        assert!(e.contains("draws and density evaluations"), "{e}");
    }

    #[test]
    fn empty_files_are_refused() {
        assert!(err("").contains("empty"));
        assert!(err("# just a comment\n").contains("empty"));
    }

    #[test]
    fn ids_are_lowercase_identifiers() {
        assert!(is_valid_id("kl_monte_carlo"));
        assert!(is_valid_id("s2"));
        for bad in ["", "2s", "KL", "kl-mc", "kl.mc", "../x", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
