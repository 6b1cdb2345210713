//! `vary:`: an experiment run at every point of a product of sweeps, and
//! what it reports over the points.
//!
//! ```yaml
//! vary:
//!   ab: {linspace: [0.05, 1.0, 20]}      # axes, in order; the product is the points
//! plots:                                 # figures of numbers against an axis
//!   kl: {x: ab, y: [exact, "mean[-1]"], labels: [exact, Monte Carlo], dashed: exact, log_y: true}
//! columns: [exact, "mean[-1]"]           # the table's columns (default: every scalar)
//! column_labels: [exact, Monte Carlo]    # their headers (default: the paths)
//! overlay: [density]                     # a kind's figure, one line per point
//! ```
//!
//! Every point's numbers go into `numbers.json` under `points` (each with
//! its coordinates under `at`), and under `series` the same tree with every
//! leaf replaced by its values over the points, so a post can quote one
//! point or loop over all.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::chart::{Axis, Corner, Figure, Heatmap, Marker, Panel, Plot, Scale, Series, Shape};
use crate::expr::{self, Bindings};
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::vocab::sweep::Values;

/// The most points a `vary:` block may have: each is a whole run.
pub const MAX_POINTS: usize = 10_000;

/// Lines one figure may hold and still be told apart.
pub const MAX_LINES: usize = 7;

/// One axis of a `vary:` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariedAxis {
    /// The name expressions use.
    pub name: String,
    /// Its values.
    pub values: Vec<f64>,
}

/// The axes of a `vary:` block, in the order written.
#[derive(Debug, Clone, PartialEq)]
pub struct Axes(pub Vec<VariedAxis>);

impl Axes {
    /// Every point of the product, the first axis varying slowest.
    pub fn points(&self) -> Vec<Bindings> {
        let mut points = vec![Bindings::default()];
        for axis in &self.0 {
            points = points
                .into_iter()
                .flat_map(|b| {
                    axis.values.iter().map(move |&v| {
                        let mut next = b.clone();
                        next.0.push((axis.name.clone(), v));
                        next
                    })
                })
                .collect();
        }
        points
    }

    /// How many points the product has (saturating).
    pub fn len(&self) -> usize {
        self.0
            .iter()
            .fold(1usize, |n, a| n.saturating_mul(a.values.len()))
    }

    /// Whether the product is empty (it never is once read).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|a| a.name == name)
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|a| a.name.as_str()).collect();
        names.join(", ")
    }
}

impl Serialize for Axes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for axis in &self.0 {
            map.serialize_entry(&axis.name, &axis.values)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Axes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AxesVisitor)
    }
}

struct AxesVisitor;

impl<'de> Visitor<'de> for AxesVisitor {
    type Value = Axes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("named sweeps, e.g. {ab: {linspace: [0.05, 1, 20]}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Axes, A::Error> {
        let mut axes: Vec<VariedAxis> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            check_name(&name).map_err(de::Error::custom)?;
            if axes.iter().any(|a| a.name == name) {
                return Err(de::Error::custom(format!(
                    "the axis `{name}` is given twice"
                )));
            }
            let Values(values) = map.next_value()?;
            axes.push(VariedAxis { name, values });
        }
        if axes.is_empty() {
            return Err(de::Error::custom("a vary: block needs at least one axis"));
        }
        let axes = Axes(axes);
        if axes.len() > MAX_POINTS {
            return Err(de::Error::custom(format!(
                "the axes make {} points; at most {MAX_POINTS} are allowed (each point is a whole run)",
                axes.len()
            )));
        }
        Ok(axes)
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(format!(
            "`{name}` is not a name expressions can use: a letter, then letters, digits or underscores"
        ));
    }
    if expr::is_reserved(name) {
        return Err(format!(
            "`{name}` is a function or constant of expressions; choose another name"
        ));
    }
    Ok(())
}

/// A path to one number in an experiment's numbers: `exact`,
/// `forward.mean`, `mean[-1]` (negative indices count from the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPath {
    text: String,
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(i64),
}

impl NumberPath {
    /// Parses `forward.mean` or `mean[-1]`.
    ///
    /// # Errors
    /// What is malformed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{text}` is not a path to a number: write names joined by dots, with [i] for list items, e.g. forward.mean or mean[-1]"
            )
        };
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad());
            }
            steps.push(Step::Key(name.to_string()));
            while !rest.is_empty() {
                let (index, after) = rest.split_once(']').ok_or_else(bad)?;
                steps.push(Step::Index(index.trim().parse().map_err(|_| bad())?));
                rest = match after {
                    "" => "",
                    a => a.strip_prefix('[').ok_or_else(bad)?,
                };
            }
        }
        Ok(Self {
            text: text.to_string(),
            steps,
        })
    }

    /// The value at the path.
    pub fn find<'a>(&self, numbers: &'a Json) -> Option<&'a Json> {
        let mut at = numbers;
        for step in &self.steps {
            at = match step {
                Step::Key(k) => at.as_object()?.get(k)?,
                Step::Index(i) => {
                    let list = at.as_array()?;
                    let k = if *i < 0 {
                        list.len().checked_sub(i.unsigned_abs() as usize)?
                    } else {
                        *i as usize
                    };
                    list.get(k)?
                }
            };
        }
        Some(at)
    }

    /// The number at the path, if there is one (infinities are written as
    /// the strings `"inf"` and `"-inf"`).
    pub fn number(&self, numbers: &Json) -> Option<f64> {
        match self.find(numbers)? {
            Json::Number(n) => n.as_f64(),
            Json::String(s) if s == "inf" => Some(f64::INFINITY),
            Json::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
            Json::Null => Some(f64::NAN),
            _ => None,
        }
    }
}

impl fmt::Display for NumberPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for NumberPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for NumberPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NumberPath::parse(&text).map_err(de::Error::custom)
    }
}

/// One path, or a list of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Paths(pub Vec<NumberPath>);

impl<'de> Deserialize<'de> for Paths {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Paths;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path to a number, or a list of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Paths, E> {
                NumberPath::parse(v)
                    .map(|p| Paths(vec![p]))
                    .map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Paths, A::Error> {
                let mut all = Vec::new();
                while let Some(p) = seq.next_element::<NumberPath>()? {
                    all.push(p);
                }
                if all.is_empty() {
                    return Err(de::Error::custom("the list is empty"));
                }
                Ok(Paths(all))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A figure of numbers against an axis, under `plots:`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    /// The axis along x.
    pub x: String,
    /// The numbers drawn, one line each (times the values of the other
    /// axes, when there are several).
    pub y: Paths,
    /// A log x axis; by default log when the axis is spaced evenly on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_x: Option<bool>,
    /// A log y axis.
    #[serde(default)]
    pub log_y: bool,
    /// With two axes and one number: a heatmap over both instead of lines.
    #[serde(default)]
    pub heatmap: bool,
    /// The legend's words for the numbers of `y`, one each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Numbers of `y` drawn as dashed lines without markers: bounds,
    /// references and closed forms beside estimates.
    #[serde(default, skip_serializing_if = "Paths::is_empty")]
    pub dashed: Paths,
}

impl Paths {
    /// Whether there are no paths.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a varied experiment reports, besides every point's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Report<'a> {
    /// The figures of numbers against an axis, by name.
    pub plots: &'a BTreeMap<String, PlotSpec>,
    /// The table's columns; every scalar number when absent.
    pub columns: Option<&'a [NumberPath]>,
    /// The headers of `columns`, one each; the paths themselves when absent.
    pub column_labels: Option<&'a [String]>,
    /// The kind's figures drawn once, one line per point.
    pub overlay: &'a [String],
}

/// Checks a report against the numbers and figures of one point (all
/// points have the same shape), before anything runs.
///
/// # Errors
/// The field and what is wrong with it.
pub fn check(axes: &Axes, report: &Report<'_>, point: &Outcome) -> Result<(), (String, String)> {
    let number = |field: &str, path: &NumberPath| -> Result<(), (String, String)> {
        match path.number(&point.numbers) {
            Some(_) => Ok(()),
            None => Err((
                field.to_string(),
                format!(
                    "{field}: `{path}` is not a number of this experiment; its numbers are: {}",
                    scalar_paths(&point.numbers).join(", ")
                ),
            )),
        }
    };
    for (name, plot) in report.plots {
        let field = format!("plots.{name}");
        let Some(x) = axes.find(&plot.x) else {
            return Err((
                field.clone(),
                format!(
                    "{field}.x: `{}` is not a varied axis; the axes are: {}",
                    plot.x,
                    axes.names()
                ),
            ));
        };
        for path in &plot.y.0 {
            number(&format!("{field}.y"), path)?;
        }
        if let Some(path) = plot.dashed.0.iter().find(|p| !plot.y.0.contains(p)) {
            return Err((
                field.clone(),
                format!("{field}.dashed: `{path}` is not one of the numbers of y"),
            ));
        }
        if let Some(labels) = &plot.labels
            && labels.len() != plot.y.0.len()
        {
            return Err((
                field.clone(),
                format!(
                    "{field}.labels: give one label per number of y ({}), not {}",
                    plot.y.0.len(),
                    labels.len()
                ),
            ));
        }
        let others = axes.len() / axes.0[x].values.len();
        if plot.heatmap {
            if axes.0.len() != 2 || plot.y.0.len() != 1 {
                return Err((
                    field.clone(),
                    format!("{field}.heatmap: a heatmap needs exactly two axes and one number"),
                ));
            }
        } else if plot.y.0.len() * others > MAX_LINES {
            return Err((
                field.clone(),
                format!(
                    "{field}: {} lines ({} numbers × {others} values of the other axes) are too many to tell apart; at most {MAX_LINES} (with two axes, try heatmap: true)",
                    plot.y.0.len() * others,
                    plot.y.0.len()
                ),
            ));
        }
    }
    for path in report.columns.unwrap_or_default() {
        number("columns", path)?;
    }
    if let (Some(labels), Some(columns)) = (report.column_labels, report.columns)
        && labels.len() != columns.len()
    {
        return Err((
            "column_labels".into(),
            format!(
                "column_labels: give one label per column ({}), not {}",
                columns.len(),
                labels.len()
            ),
        ));
    }
    for name in report.overlay {
        if !point.figures.iter().any(|f| &f.name == name) {
            let names: Vec<&str> = point.figures.iter().map(|f| f.name.as_str()).collect();
            return Err((
                "overlay".into(),
                format!(
                    "overlay: this kind has no figure `{name}`; its figures are: {}",
                    names.join(", ")
                ),
            ));
        }
        if axes.len() > MAX_LINES {
            return Err((
                "overlay".into(),
                format!(
                    "overlay: {} points are too many lines to tell apart in one figure; at most {MAX_LINES}",
                    axes.len()
                ),
            ));
        }
    }
    Ok(())
}

/// The outcome of a varied experiment from the outcomes of its points.
pub fn combine(
    axes: &Axes,
    report: &Report<'_>,
    points: &[Bindings],
    outcomes: Vec<Outcome>,
) -> Outcome {
    let mut numbers = Map::new();
    numbers.insert(
        "vary".into(),
        serde_json::to_value(axes).unwrap_or(Json::Null),
    );
    let per_point: Vec<Json> = outcomes.iter().map(|o| o.numbers.clone()).collect();
    let listed: Vec<Json> = points
        .iter()
        .zip(&per_point)
        .map(|(at, n)| {
            let mut entry = Map::new();
            let coords: Map<String, Json> =
                at.0.iter()
                    .map(|(k, v)| (k.clone(), Json::from(*v)))
                    .collect();
            entry.insert("at".into(), coords.into());
            if let Json::Object(map) = n {
                entry.extend(map.clone());
            }
            entry.into()
        })
        .collect();
    numbers.insert("points".into(), listed.into());
    numbers.insert("series".into(), transpose(&per_point));
    let mut warnings = Vec::new();
    for (at, o) in points.iter().zip(&outcomes) {
        warnings.extend(
            o.warnings
                .iter()
                .map(|w| format!("at {}: {w}", at.describe())),
        );
    }
    let mut figures: Vec<Figure> = report
        .plots
        .iter()
        .map(|(name, plot)| {
            let figure = plot_figure(name, plot, axes, points, &per_point);
            warnings.extend(undrawn(name, &figure));
            figure
        })
        .collect();
    figures.extend(
        report
            .overlay
            .iter()
            .filter_map(|name| overlay(name, points, &outcomes)),
    );
    Outcome {
        numbers: numbers.into(),
        tables: vec![table(axes, report, points, &per_point)],
        figures,
        warnings,
    }
}

/// The same tree as each of `values`, every leaf replaced by the list of
/// its values over them (lists included: they are leaves).
fn transpose(values: &[Json]) -> Json {
    match values.first() {
        Some(Json::Object(first)) if values.iter().all(Json::is_object) => {
            let map: Map<String, Json> = first
                .keys()
                .map(|k| {
                    let column: Vec<Json> = values.iter().map(|v| v[k].clone()).collect();
                    (k.clone(), transpose(&column))
                })
                .collect();
            map.into()
        }
        _ => values.to_vec().into(),
    }
}

/// Every path to a scalar number in `numbers`, in order.
fn scalar_paths(numbers: &Json) -> Vec<String> {
    fn walk(prefix: &str, value: &Json, out: &mut Vec<String>) {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&path, v, out);
                }
            }
            Json::Number(_) => out.push(prefix.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", numbers, &mut out);
    out
}

/// Columns of the default table: this many scalars at most.
const DEFAULT_COLUMNS: usize = 8;

fn table(axes: &Axes, report: &Report<'_>, points: &[Bindings], numbers: &[Json]) -> Table {
    let paths: Vec<NumberPath> = match report.columns {
        Some(paths) => paths.to_vec(),
        None => numbers
            .first()
            .map(scalar_paths)
            .unwrap_or_default()
            .iter()
            .take(DEFAULT_COLUMNS)
            .filter_map(|p| NumberPath::parse(p).ok())
            .collect(),
    };
    let mut columns: Vec<Column> = axes
        .0
        .iter()
        .map(|a| Column::new(&format!("`{}`", a.name), Format::Sci(3)))
        .collect();
    columns.extend(paths.iter().enumerate().map(|(k, p)| {
        let header = report
            .column_labels
            .and_then(|l| l.get(k))
            .map_or_else(|| format!("`{p}`"), Clone::clone);
        Column::new(&header, Format::Sci(3))
    }));
    let rows = points
        .iter()
        .zip(numbers)
        .map(|(at, n)| {
            let mut row: Vec<Cell> = at.0.iter().map(|(_, v)| Cell::Num(*v)).collect();
            row.extend(
                paths
                    .iter()
                    .map(|p| Cell::Num(p.number(n).unwrap_or(f64::NAN))),
            );
            row
        })
        .collect();
    Table {
        name: "points".into(),
        columns,
        rows,
    }
}

/// The upper corner the lines leave free: the left one when they end
/// higher than they start.
fn quiet_corner(series: &[Series]) -> Corner {
    let mut rise = 0.0;
    for s in series {
        if let Shape::Line { ys, .. } = &s.shape {
            let finite: Vec<f64> = ys.iter().copied().filter(|y| y.is_finite()).collect();
            let half = finite.len() / 2;
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            rise += mean(&finite[half..]) - mean(&finite[..half]);
        }
    }
    if rise > 0.0 {
        Corner::UpperLeft
    } else {
        Corner::UpperRight
    }
}

fn scale_of(values: &[f64]) -> Scale {
    crate::experiment::scale_of(values)
}

fn plot_figure(
    name: &str,
    plot: &PlotSpec,
    axes: &Axes,
    points: &[Bindings],
    numbers: &[Json],
) -> Figure {
    // Checked when the spec was read: the axis exists.
    let x = axes.find(&plot.x).unwrap_or(0);
    let xs = &axes.0[x].values;
    let y_text: Vec<String> = plot.y.0.iter().map(ToString::to_string).collect();
    let x_scale = match plot.log_x {
        Some(true) => Scale::Log,
        Some(false) => Scale::Linear,
        None => scale_of(xs),
    };
    let x_axis = Axis {
        label: plot.x.clone(),
        scale: x_scale,
        range: None,
    };
    let y_axis = Axis {
        label: y_text.join(", "),
        scale: if plot.log_y {
            Scale::Log
        } else {
            Scale::Linear
        },
        range: None,
    };
    let title = format!("{} against {}", y_text.join(", "), plot.x);
    let panel = if plot.heatmap {
        let other = 1 - x;
        let ys = axes.0[other].values.clone();
        let path = &plot.y.0[0];
        // z[i * ys.len() + j] at (xs[i], ys[j]); points run with the first
        // axis slowest.
        let z = (0..xs.len())
            .flat_map(|i| (0..ys.len()).map(move |j| (i, j)))
            .map(|(i, j)| {
                let k = if x == 0 {
                    i * ys.len() + j
                } else {
                    j * xs.len() + i
                };
                path.number(&numbers[k]).unwrap_or(f64::NAN)
            })
            .collect();
        Panel::Heatmap(Heatmap {
            title,
            x: x_axis,
            y: Axis {
                label: axes.0[other].name.clone(),
                scale: scale_of(&ys),
                range: None,
            },
            xs: xs.clone(),
            ys,
            z,
            z_label: path.to_string(),
            z_range: None,
            overlays: Vec::new(),
            legend: Corner::UpperRight,
        })
    } else {
        let series = lines(plot, x, points, numbers);
        Panel::Plot(Plot {
            title,
            x: x_axis,
            y: y_axis,
            legend: quiet_corner(&series),
            series,
        })
    };
    Figure {
        name: name.to_string(),
        width: 640,
        height: 440,
        panels: vec![panel],
    }
}

/// A warning for each line of `figure` with values it cannot show: not a
/// number (a quantity undefined at that point), or not positive on a log
/// axis (a Monte Carlo estimate below zero, say). The line is broken there,
/// which a reader would otherwise take for a missing point.
fn undrawn(name: &str, figure: &Figure) -> Vec<String> {
    let fine = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
    let mut warnings = Vec::new();
    for panel in &figure.panels {
        let Panel::Plot(p) = panel else { continue };
        let (log_x, log_y) = (p.x.scale == Scale::Log, p.y.scale == Scale::Log);
        for series in &p.series {
            let Shape::Line { xs, ys, .. } = &series.shape else {
                continue;
            };
            let missing: Vec<String> = xs
                .iter()
                .zip(ys)
                .filter(|&(&x, &y)| !(fine(x, log_x) && fine(y, log_y)))
                .map(|(&x, &y)| format!("{} at {} = {}", expr::short(y), p.x.label, expr::short(x)))
                .collect();
            if !missing.is_empty() {
                let why = if log_y {
                    "not a positive number"
                } else {
                    "not a number"
                };
                warnings.push(format!(
                    "plot `{name}`: {} of `{}` {} {why}, so not drawn: {}",
                    missing.len(),
                    if series.label.is_empty() {
                        &p.y.label
                    } else {
                        &series.label
                    },
                    if missing.len() == 1 { "is" } else { "are" },
                    missing.join(", ")
                ));
            }
        }
    }
    warnings
}

/// One line per number and per value of the other axes, in point order.
fn lines(plot: &PlotSpec, x: usize, points: &[Bindings], numbers: &[Json]) -> Vec<Series> {
    // Points sharing the other axes' values form one line.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, at) in points.iter().enumerate() {
        let key: Vec<String> =
            at.0.iter()
                .enumerate()
                .filter(|(a, _)| *a != x)
                .map(|(_, (n, v))| format!("{n} = {}", expr::short(*v)))
                .collect();
        let key = key.join(", ");
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, members)) => members.push(k),
            None => groups.push((key, vec![k])),
        }
    }
    let mut series = Vec::new();
    for (p, path) in plot.y.0.iter().enumerate() {
        let name = plot
            .labels
            .as_ref()
            .map_or_else(|| path.to_string(), |l| l[p].clone());
        let dashed = plot.dashed.0.contains(path);
        for (group, members) in &groups {
            let xs = members.iter().map(|&k| points[k].0[x].1).collect();
            let ys = members
                .iter()
                .map(|&k| path.number(&numbers[k]).unwrap_or(f64::NAN))
                .collect();
            let label = match (
                plot.y.0.len() > 1 || plot.labels.is_some(),
                group.is_empty(),
            ) {
                (true, true) => name.clone(),
                (true, false) => format!("{name}, {group}"),
                (false, false) => group.clone(),
                (false, true) => String::new(),
            };
            series.push(Series::line(
                &label,
                series.len(),
                xs,
                ys,
                dashed,
                (!dashed).then_some(Marker::Circle),
            ));
        }
    }
    series
}

/// The kind's figure `name` with the lines of every point, coloured and
/// labelled by point.
fn overlay(name: &str, points: &[Bindings], outcomes: &[Outcome]) -> Option<Figure> {
    let mut figure = outcomes
        .first()?
        .figures
        .iter()
        .find(|f| f.name == name)?
        .clone();
    for (p, panel) in figure.panels.iter_mut().enumerate() {
        let mut series = Vec::new();
        for (k, (at, outcome)) in points.iter().zip(outcomes).enumerate() {
            let Some(own) = outcome.figures.iter().find(|f| f.name == name) else {
                continue;
            };
            let theirs = match own.panels.get(p) {
                Some(Panel::Plot(plot)) => &plot.series,
                Some(Panel::Heatmap(h)) => &h.overlays,
                None => continue,
            };
            for s in theirs {
                let mut s = s.clone();
                if !matches!(s.shape, Shape::Line { .. } | Shape::Points { .. }) {
                    continue;
                }
                s.label = if s.label.is_empty() {
                    at.describe()
                } else {
                    format!("{}: {}", at.describe(), s.label)
                };
                s.color = k;
                series.push(s);
            }
        }
        match panel {
            Panel::Plot(plot) => plot.series = series,
            Panel::Heatmap(h) => h.overlays = series,
        }
    }
    Some(figure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn axes(src: &str) -> Result<Axes, String> {
        crate::yaml::from_yaml::<Axes>(src).map_err(|e| e.to_string())
    }

    #[test]
    fn the_points_are_the_product_with_the_first_axis_slowest() {
        let a = axes("{ab: [1, 2], t: {linspace: [0, 1, 3]}}").unwrap();
        let p: Vec<String> = a.points().iter().map(Bindings::describe).collect();
        assert_eq!(
            p,
            [
                "ab = 1, t = 0",
                "ab = 1, t = 0.5",
                "ab = 1, t = 1",
                "ab = 2, t = 0",
                "ab = 2, t = 0.5",
                "ab = 2, t = 1"
            ]
        );
        assert_eq!(a.len(), 6);
    }

    #[test]
    fn bad_axes_are_refused_with_a_reason() {
        assert!(axes("{}").unwrap_err().contains("at least one axis"));
        assert!(
            axes("{sqrt: [1]}")
                .unwrap_err()
                .contains("function or constant")
        );
        assert!(axes("{2x: [1]}").unwrap_err().contains("not a name"));
        assert!(axes("{a: [2, 1]}").unwrap_err().contains("increase"));
        let e = axes("{a: {linspace: [0, 1, 200]}, b: {linspace: [0, 1, 200]}}").unwrap_err();
        assert!(e.contains("40000 points"), "{e}");
    }

    #[test]
    fn paths_find_nested_numbers_and_count_from_the_end() {
        let n = json!({"exact": 0.5, "fit": {"mean": 1.5}, "mean": [1, 2, 3], "kl": "inf"});
        let at = |p: &str| NumberPath::parse(p).unwrap().number(&n);
        assert_eq!(at("exact"), Some(0.5));
        assert_eq!(at("fit.mean"), Some(1.5));
        assert_eq!(at("mean[0]"), Some(1.0));
        assert_eq!(at("mean[-1]"), Some(3.0));
        assert_eq!(at("kl"), Some(f64::INFINITY));
        assert_eq!(at("mean[3]"), None);
        assert_eq!(at("mean"), None);
        for bad in ["", "a..b", "a[x]", "a[1", "a b"] {
            assert!(NumberPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn series_transpose_the_points_numbers() {
        let t = transpose(&[
            json!({"a": 1, "b": {"c": [1, 2]}}),
            json!({"a": 2, "b": {"c": [3, 4]}}),
        ]);
        assert_eq!(t, json!({"a": [1, 2], "b": {"c": [[1, 2], [3, 4]]}}));
    }
}
