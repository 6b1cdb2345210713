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

use std::collections::BTreeMap;

pub mod vary;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chart::FigureText;
use crate::diag::{Problem, Problems};
use crate::experiment::{self, Kind, Size};
use crate::expr::{self, Bindings};
use crate::outcome::Outcome;
use crate::yaml::{from_yaml, locate_key, yaml_message};
use vary::{Axes, NumberPath, PlotSpec};

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
    /// The spec's own titles and axis labels, by figure name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub figures: BTreeMap<String, FigureText>,
    /// The axes the experiment is run over: every point of their product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vary: Option<Axes>,
    /// With `vary`: figures of numbers against an axis, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plots: BTreeMap<String, PlotSpec>,
    /// With `vary`: the columns of the table of points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<NumberPath>>,
    /// With `columns`: the table's headers for them, one each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_labels: Option<Vec<String>>,
    /// With `vary`: the kind's figures to draw once, a line per point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overlay: Vec<String>,
    /// The kind at every point (one point without `vary`), with the names
    /// of `vary` bound to the point's values.
    #[serde(skip)]
    pub points: Vec<Point>,
}

/// One point of a varied experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The values of the varied names (none without `vary`).
    pub at: Bindings,
    /// The kind with every expression evaluated there.
    pub kind: Kind,
}

/// The `vary:` block alone, read first: its names are needed to read the
/// rest.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    vary: Option<Axes>,
}

impl Spec {
    /// What decides the numbers, canonically: the seed, the axes and the
    /// kind at every point; not the description, the figures' words or
    /// the report over the points (so comments and formatting do not
    /// matter either).
    pub fn canonical(&self) -> String {
        let kinds: Vec<&Kind> = self.points.iter().map(|p| &p.kind).collect();
        serde_json::to_string(&(self.seed, &self.vary, kinds))
            .expect("a spec serializes: its maps have string keys")
    }

    /// A short hash of [`Spec::canonical`], which names what a post's
    /// numbers were computed from.
    pub fn hash(&self) -> String {
        let hash = blake3::hash(self.canonical().as_bytes()).to_hex();
        hash[..12].to_owned()
    }

    /// How much work all the points are.
    pub fn size(&self) -> Size {
        self.points
            .iter()
            .map(|p| p.kind.size())
            .fold(Size::uniform(0, 0), |a, b| a + b)
    }

    /// What the experiment reports from the outcomes of its points, in
    /// point order: the one outcome, or the points combined; with the
    /// spec's own figure words.
    pub fn present(&self, outcomes: Vec<Outcome>) -> Outcome {
        let outcome = match &self.vary {
            None => outcomes
                .into_iter()
                .next()
                .unwrap_or_else(|| self.kind.dry_outcome()),
            Some(axes) => {
                let at: Vec<Bindings> = self.points.iter().map(|p| p.at.clone()).collect();
                vary::combine(axes, &self.report(), &at, outcomes)
            }
        };
        self.relabel(outcome)
    }

    /// The outcome's shape without the work (see [`Kind::dry_outcome`]).
    pub fn dry_outcome(&self) -> Outcome {
        self.present(self.points.iter().map(|p| p.kind.dry_outcome()).collect())
    }

    fn report(&self) -> vary::Report<'_> {
        vary::Report {
            plots: &self.plots,
            columns: self.columns.as_deref(),
            column_labels: self.column_labels.as_deref(),
            overlay: &self.overlay,
        }
    }

    /// The outcome with the spec's own titles and axis labels on its
    /// figures (checked against the figures when the spec was read).
    fn relabel(&self, mut outcome: Outcome) -> Outcome {
        for figure in &mut outcome.figures {
            if let Some(text) = self.figures.get(&figure.name) {
                // Checked by `check_figures` when the spec was parsed.
                let _ = figure.relabel(text);
            }
        }
        outcome
    }

    /// Whether what the spec says of its outputs fits the kind: the
    /// report over the points, and the figures it retitles.
    fn check_outputs(&self) -> Result<(), (String, String)> {
        let over_points =
            !self.plots.is_empty() || self.columns.is_some() || !self.overlay.is_empty();
        if self.column_labels.is_some() && self.columns.is_none() {
            return Err((
                "column_labels".into(),
                "column_labels: name the columns they label with columns:".into(),
            ));
        }
        match &self.vary {
            None if over_points => {
                return Err((
                    "kind".into(),
                    "plots, columns and overlay describe the points of a vary: block, and this spec has none".into(),
                ));
            }
            None => {}
            Some(axes) => {
                let point = self.points.first().map(|p| p.kind.dry_outcome());
                if let Some(point) = point {
                    vary::check(axes, &self.report(), &point)?;
                }
            }
        }
        let mut dry = self.present(self.points.iter().map(|p| p.kind.dry_outcome()).collect());
        for (name, text) in &self.figures {
            let names: Vec<String> = dry.figures.iter().map(|f| f.name.clone()).collect();
            let Some(figure) = dry.figures.iter_mut().find(|f| &f.name == name) else {
                return Err((
                    name.clone(),
                    format!(
                        "figures.{name}: this experiment has no figure `{name}`; its figures are: {}",
                        names.join(", ")
                    ),
                ));
            };
            figure
                .relabel(text)
                .map_err(|e| (name.clone(), format!("figures.{name}.{e}")))?;
        }
        Ok(())
    }
}

/// Parses one spec from its text.
///
/// # Errors
/// A [`Problem`] with line, column, field path and the line itself.
pub fn parse(path: &Path, src: &str) -> Result<Spec, Problem> {
    if src
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Problem::new(
            path,
            "the file is empty; a spec needs at least `seed` and `kind`",
        ));
    }
    let yaml_problem = |e: serde_yaml::Error, at: Option<&Bindings>| {
        let (location, mut message) = yaml_message(&e);
        if let Some(at) = at.filter(|b| !b.0.is_empty()) {
            message += &format!(" (at the point {})", at.describe());
        }
        located(Problem::new(path, message), location, src)
    };
    let head = from_yaml::<Head>(src).map_err(|e| yaml_problem(e, None))?;
    let at = head
        .vary
        .as_ref()
        .map_or_else(|| vec![Bindings::default()], Axes::points);
    let (first, uses_names) = expr::with_bindings(&at[0], || from_yaml::<Spec>(src));
    let mut spec = first.map_err(|e| yaml_problem(e, Some(&at[0])))?;
    let mut points = Vec::with_capacity(at.len());
    for (k, bindings) in at.into_iter().enumerate() {
        let kind = if k == 0 || !uses_names {
            spec.kind.clone()
        } else {
            let (read, _) = expr::with_bindings(&bindings, || from_yaml::<Spec>(src));
            read.map_err(|e| yaml_problem(e, Some(&bindings)))?.kind
        };
        points.push(Point { at: bindings, kind });
    }
    for point in &points {
        point.kind.validate().map_err(|message| {
            let mut message = format!("kind.{}.{message}", point.kind.name());
            if !point.at.0.is_empty() {
                message += &format!(" (at the point {})", point.at.describe());
            }
            let field = message.split(':').next().unwrap_or_default();
            let key = field.rsplit('.').next().unwrap_or_default().to_string();
            located(Problem::new(path, message), locate_key(src, &key), src)
        })?;
    }
    spec.points = points;
    experiment::check_size(spec.kind.name(), spec.size()).map_err(|message| {
        let problem = Problem::new(path, format!("kind.{}: {message}", spec.kind.name()));
        located(problem, locate_key(src, spec.kind.name()), src)
    })?;
    spec.check_outputs().map_err(|(name, message)| {
        located(Problem::new(path, message), locate_key(src, &name), src)
    })?;
    Ok(spec)
}

fn located(problem: Problem, location: Option<(usize, usize)>, src: &str) -> Problem {
    match location {
        Some((line, column)) => problem.at(line, Some(column)).showing(src),
        None => problem,
    }
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
/// Every problem found, in every file.
pub fn load_dir(dir: &Path) -> Result<Vec<Experiment>, Problems> {
    let mut problems = Problems::new();
    let experiments = collect_dir(dir, &mut problems);
    problems.into_result(experiments)
}

/// Reads and validates every `*.yaml` file in `dir`, sorted by id; the
/// problems of the files that fail go to `problems`.
pub fn collect_dir(dir: &Path, problems: &mut Problems) -> Vec<Experiment> {
    let paths = match files_with(dir, &["yaml", "yml"]) {
        Ok(paths) => paths,
        Err(e) => {
            problems.push(Problem::new(dir, format!("cannot read the directory: {e}")));
            return Vec::new();
        }
    };
    // Files are read in parallel, their problems reported in file order.
    // Reading one is sequential, on one thread: it sets thread-local state
    // (the bindings of expressions, the data files read).
    let loaded: Vec<Result<Experiment, Problem>> = paths.par_iter().map(|p| load_file(p)).collect();
    let mut experiments: Vec<Experiment> = Vec::new();
    for result in loaded {
        match result {
            Ok(e) => experiments.push(e),
            Err(e) => problems.push(e),
        }
    }
    for pair in experiments.windows(2) {
        if pair[0].id == pair[1].id {
            problems.push(Problem::new(
                &pair[1].path,
                format!(
                    "experiment id `{}` is also used by {}",
                    pair[1].id,
                    pair[0].path.display()
                ),
            ));
        }
    }
    experiments
}

/// The files in `dir` with one of `extensions`, sorted.
///
/// # Errors
/// When the directory cannot be listed.
pub fn files_with(dir: &Path, extensions: &[&str]) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if ext.is_some_and(|e| extensions.contains(&e)) && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

fn load_file(path: &Path) -> Result<Experiment, Problem> {
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| Problem::new(path, "the file name is not valid UTF-8"))?
        .to_string();
    if !is_valid_id(&id) {
        return Err(Problem::new(
            path,
            format!(
                "`{id}` is not a valid experiment id: use a lowercase letter followed by lowercase letters, digits or underscores (e.g. kl_monte_carlo)"
            ),
        ));
    }
    let source = std::fs::read_to_string(path)
        .map_err(|e| Problem::new(path, format!("cannot read the file: {e}")))?;
    // Data files are relative to the project: the folder holding experiments/.
    let project = path
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    let spec = crate::vocab::data::with_root(project, || parse(path, &source))?;
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
    fn a_spec_can_title_and_label_its_figures() {
        let spec = parse(
            Path::new("x.yaml"),
            &format!("{GOOD}figures:\n  convergence: {{title: Mine, y_label: nats}}\n"),
        )
        .unwrap();
        let outcome = spec.relabel(spec.kind.dry_outcome());
        let crate::chart::Panel::Plot(plot) = &outcome.figures[0].panels[0] else {
            panic!("a plot")
        };
        assert_eq!(
            (plot.title.as_str(), plot.y.label.as_str()),
            ("Mine", "nats")
        );
        assert_eq!(plot.x.label, "sample size n");

        let e = err(&format!("{GOOD}figures:\n  convergance: {{title: Mine}}\n"));
        assert!(
            e.starts_with("experiments/x.yaml:9:3: figures.convergance:"),
            "{e}"
        );
        assert!(e.contains("its figures are: convergence"), "{e}");
        let e = err(&format!(
            "{GOOD}figures:\n  convergence: {{title: [a, b]}}\n"
        ));
        assert!(
            e.contains("1 panel, so give one text or a list of 1, not 2"),
            "{e}"
        );
        let e = err(&format!("{GOOD}figures:\n  convergence: {{caption: x}}\n"));
        assert!(e.contains("unknown field `caption`"), "{e}");
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
