//! Sweeps, counts and parameter grids as written in specs.
//!
//! A sweep is a list (`[10, 30, 100]`), or evenly spaced points written
//! `{linspace: [a, b, n]}`, or points evenly spaced on a log scale between
//! `a` and `b` written `{logspace: [a, b, n]}` (both ends included; `a` and
//! `b` are values, not exponents). A grid is a family whose parameters are
//! sweeps: `{normal: {mean: {linspace: [-4, 4, 161]}, std: 1.0}}`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::dist::syntax::{Accept, Checked, Key, ParamName, collect_params};
use crate::dist::{Dist, FamilyDef, ParamError, ParamKind, ParamValue, Univariate};

/// The largest count a spec may ask for: beyond it, memory runs out before
/// the work ends. Experiments also bound their total work (see
/// `experiment::check_size`).
pub const MAX_COUNT: u64 = 100_000_000;

/// The most points one sweep may have.
pub const MAX_POINTS: usize = 1_000_000;

/// A whole number of at least `MIN` (a sample size, a number of
/// replicates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Count<const MIN: u64 = 1>(pub usize);

impl<'de, const MIN: u64> Deserialize<'de> for Count<MIN> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Any: a number, or a string holding an expression.
        deserializer
            .deserialize_any(CountVisitor { min: MIN })
            .map(Count)
    }
}

#[derive(Clone, Copy)]
struct CountVisitor {
    min: u64,
}

impl<'de> DeserializeSeed<'de> for CountVisitor {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for CountVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a whole number from {} to {MAX_COUNT}", self.min)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        if v < self.min || v > MAX_COUNT {
            return Err(E::custom(format!(
                "must be a whole number from {} to {MAX_COUNT}, got {v}",
                self.min
            )));
        }
        usize::try_from(v).map_err(|_| E::custom(format!("{v} is too large for this machine")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<usize, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!(
                "must be a whole number from {} to {MAX_COUNT}, got {v}",
                self.min
            ))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<usize, E> {
        if v.fract() == 0.0 && v >= 0.0 && v <= MAX_COUNT as f64 {
            self.visit_u64(v as u64)
        } else {
            Err(E::custom(format!("must be a whole number, got {v}")))
        }
    }

    /// An expression, `"10^4"`, over the names of a `vary:` block.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        let value = crate::expr::value_of(v).map_err(E::custom)?;
        self.visit_f64(value)
    }
}

/// What values a sweep holds.
#[derive(Debug, Clone, Copy)]
enum Domain {
    /// Numbers satisfying a parameter's constraint.
    Value(Checked),
    /// Whole numbers of at least the given minimum; spaced sweeps are
    /// rounded.
    Count(u64),
}

/// An increasing sweep of counts of at least `MIN`: `[10, 100, 1000]` or
/// `{logspace: [10, 100000, 9]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Counts<const MIN: u64 = 1>(pub Vec<usize>);

impl<'de, const MIN: u64> Deserialize<'de> for Counts<MIN> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let values = SweepSeed(Domain::Count(MIN)).deserialize(deserializer)?;
        // Counts were checked as whole numbers in range where they were read.
        Ok(Counts(values.into_iter().map(|v| v as usize).collect()))
    }
}

/// An increasing sweep of finite numbers: `[0.1, 0.5, 1]`,
/// `{linspace: [0.05, 1, 20]}` or `{logspace: [0.1, 10, 9]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Values(pub Vec<f64>);

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let real = Checked {
            name: "value",
            constraint: crate::dist::Constraint::Real,
        };
        SweepSeed(Domain::Value(real))
            .deserialize(deserializer)
            .map(Values)
    }
}

/// Reads a sweep in `domain`.
struct SweepSeed(Domain);

impl<'de> DeserializeSeed<'de> for SweepSeed {
    type Value = Vec<f64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<f64>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl SweepSeed {
    fn one<E: de::Error>(&self, v: f64) -> Result<f64, E> {
        match self.0 {
            Domain::Value(checked) => checked.visit_f64(v),
            Domain::Count(min) => CountVisitor { min }.visit_f64(v).map(|n| n as f64),
        }
    }
}

impl<'de> Visitor<'de> for SweepSeed {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a list of numbers, {linspace: [a, b, n]} or {logspace: [a, b, n]}")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<f64>, E> {
        Ok(vec![self.one(v)?])
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<f64>, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<f64>, E> {
        self.visit_f64(v as f64)
    }

    /// One value written as an expression over the names of a `vary:` block.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<f64>, E> {
        let value = crate::expr::value_of(v).map_err(E::custom)?;
        self.visit_f64(value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let mut values: Vec<f64> = Vec::new();
        while let Some(v) = seq.next_element_seed(Element(self.0))? {
            if values.last().is_some_and(|&last| v <= last) {
                return Err(de::Error::custom(format!(
                    "the values must increase, but {v} follows {}",
                    values[values.len() - 1]
                )));
            }
            if values.len() == MAX_POINTS {
                return Err(de::Error::custom(format!(
                    "a sweep has at most {MAX_POINTS} points"
                )));
            }
            values.push(v);
        }
        if values.is_empty() {
            return Err(de::Error::custom("the list is empty"));
        }
        Ok(values)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<f64>, A::Error> {
        let spacing_name = Key(|name: &str| match name {
            "linspace" => Ok(Spacing::Linear),
            "logspace" => Ok(Spacing::Log),
            other => Err(format!(
                "unknown sweep `{other}`, expected linspace or logspace"
            )),
        });
        let Some(spacing) = map.next_key_seed(spacing_name)? else {
            return Err(de::Error::custom(
                "expected linspace or logspace, found an empty mapping",
            ));
        };
        let values = map.next_value_seed(Spaced {
            spacing,
            domain: self.0,
        })?;
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a sweep has exactly one of linspace or logspace; found also `{extra}`"
            )));
        }
        Ok(values)
    }
}

/// One list element, checked where it is read.
struct Element(Domain);

impl<'de> DeserializeSeed<'de> for Element {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        match self.0 {
            Domain::Value(checked) => checked.deserialize(deserializer),
            Domain::Count(min) => CountVisitor { min }
                .deserialize(deserializer)
                .map(|n| n as f64),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Spacing {
    Linear,
    Log,
}

/// `[a, b, n]` of a linspace or logspace.
struct Spaced {
    spacing: Spacing,
    domain: Domain,
}

impl<'de> DeserializeSeed<'de> for Spaced {
    type Value = Vec<f64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<f64>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Spaced {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[start, stop, number of points]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let missing = || de::Error::custom("expected [start, stop, number of points]");
        let a = seq
            .next_element_seed(Element(self.domain))?
            .ok_or_else(missing)?;
        let b = seq
            .next_element_seed(Element(self.domain))?
            .ok_or_else(missing)?;
        let n = seq
            .next_element_seed(CountVisitor { min: 2 })?
            .ok_or_else(missing)?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(missing());
        }
        if self.spacing == Spacing::Log && (a <= 0.0 || b <= 0.0) {
            return Err(de::Error::custom(format!(
                "logspace needs start and stop > 0, got {a} and {b}"
            )));
        }
        if a >= b {
            return Err(de::Error::custom(format!(
                "start must be below stop, got {a} and {b}"
            )));
        }
        if n > MAX_POINTS {
            return Err(de::Error::custom(format!(
                "a sweep has at most {MAX_POINTS} points, got {n}"
            )));
        }
        let values = match self.spacing {
            Spacing::Linear => linspace(a, b, n),
            Spacing::Log => logspace(a, b, n),
        };
        if values.iter().any(|v| !v.is_finite()) || values.windows(2).any(|w| w[1] <= w[0]) {
            return Err(de::Error::custom(format!(
                "{n} points from {a} to {b} do not fit in floating point (the range overflows or the points coincide)"
            )));
        }
        match self.domain {
            Domain::Value(_) => Ok(values),
            Domain::Count(_) => {
                let rounded: Vec<f64> = values.iter().map(|v| v.round()).collect();
                if rounded.windows(2).any(|w| w[0] == w[1]) {
                    return Err(de::Error::custom(format!(
                        "{n} points between {a} and {b} round to repeated whole numbers; ask for fewer points"
                    )));
                }
                Ok(rounded)
            }
        }
    }
}

/// `n` evenly spaced points from `a` to `b`, both included (numpy's
/// `linspace`: `a + i * step`, with the last point exactly `b`).
///
/// # Panics
/// When `n < 2`; sweeps are checked for that where they are read.
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    assert!(n >= 2, "linspace needs at least 2 points");
    let step = (b - a) / (n - 1) as f64;
    let mut values: Vec<f64> = (0..n).map(|i| a + i as f64 * step).collect();
    values[n - 1] = b;
    values
}

/// `n` points from `a` to `b` (both > 0, both included), evenly spaced in
/// `ln x`.
///
/// # Panics
/// When `n < 2`.
pub fn logspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    let (la, lb) = (a.ln(), b.ln());
    let mut values: Vec<f64> = linspace(la, lb, n).into_iter().map(f64::exp).collect();
    values[0] = a;
    values[n - 1] = b;
    values
}

/// The most points a grid may have. Every point is checked where the grid
/// is read, so the bound comes before the kinds' own limits on work.
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// One parameter's values in a [`Grid`].
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The parameter's name.
    pub param: &'static str,
    /// Its values: one when the parameter is held fixed.
    pub values: Vec<f64>,
}

/// A family with every parameter swept or fixed, one or two of them swept:
/// a curve or a surface of family members.
///
/// Points are indexed `(i, j)` along the swept axes, or by `cell = i * n1 +
/// j`; a curve has `n1 = 1` and `j = 0`, so code written for surfaces runs
/// unchanged over curves.
///
/// Every point is a member of the family. Values are checked one by one
/// where they are written, and each point as a whole (a constraint joining
/// parameters, such as a uniform's `low < high`) where the grid is read: a
/// point that is no member is an error naming the point, not a hole in the
/// grid that a kind would have to report as something it is not.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The family.
    pub family: &'static FamilyDef,
    /// One axis per parameter, in the family's order.
    pub axes: Vec<Axis>,
    /// The indices in `axes` of the swept parameters: one or two, in the
    /// family's order.
    pub swept: Vec<usize>,
}

impl Grid {
    /// The first swept axis (the only one of a curve).
    pub fn first_axis(&self) -> &Axis {
        &self.axes[self.swept[0]]
    }

    /// The second swept axis; `None` for a curve.
    pub fn second_axis(&self) -> Option<&Axis> {
        self.swept.get(1).map(|&k| &self.axes[k])
    }

    /// Whether one parameter is swept.
    pub fn is_curve(&self) -> bool {
        self.swept.len() == 1
    }

    /// Number of points along each swept axis; `(n, 1)` for a curve.
    pub fn shape(&self) -> (usize, usize) {
        (
            self.first_axis().values.len(),
            self.second_axis().map_or(1, |a| a.values.len()),
        )
    }

    /// Number of points.
    pub fn points(&self) -> usize {
        let (n0, n1) = self.shape();
        n0 * n1
    }

    /// The value of parameter `k` (an index into `axes`) at point `(i, j)`.
    pub fn value(&self, k: usize, i: usize, j: usize) -> f64 {
        let values = &self.axes[k].values;
        if self.swept.first() == Some(&k) {
            values[i]
        } else if self.swept.get(1) == Some(&k) {
            values[j]
        } else {
            values[0]
        }
    }

    /// Every parameter's value at point `(i, j)`, in the family's order.
    pub fn params(&self, i: usize, j: usize) -> Vec<f64> {
        (0..self.axes.len()).map(|k| self.value(k, i, j)).collect()
    }

    /// The distribution at point `(i, j)` of the swept axes.
    ///
    /// # Errors
    /// When the parameters at that point are invalid for the family; never
    /// for a grid that was read, whose every point was checked.
    pub fn dist(&self, i: usize, j: usize) -> Result<Dist, ParamError> {
        self.family.build_scalars(&self.params(i, j))
    }

    /// Checks that the family accepts every point; the error names the
    /// first point it refuses, in grid order. A surface has tens of
    /// thousands of points, so one list of parameters serves them all.
    /// (Sequential: spec files are read in parallel, each on one thread,
    /// with thread-local state that a nested parallel call could let
    /// another file's reading disturb.)
    fn check_points(&self) -> Result<(), String> {
        let (n0, n1) = self.shape();
        let mut values: Vec<ParamValue> = self
            .params(0, 0)
            .into_iter()
            .map(ParamValue::Scalar)
            .collect();
        let refused = (0..n0).find_map(|i| {
            (0..n1)
                .find_map(|j| {
                    for &k in &self.swept {
                        values[k] = ParamValue::Scalar(self.value(k, i, j));
                    }
                    self.family.build(&values).err().map(|e| (j, e))
                })
                .map(|(j, e)| (i, j, e))
        });
        let Some((i, j, e)) = refused else {
            return Ok(());
        };
        let at: Vec<String> = self
            .swept
            .iter()
            .map(|&k| format!("{} = {}", self.axes[k].param, self.value(k, i, j)))
            .collect();
        Err(format!("at the grid point {}: {e}", at.join(", ")))
    }

    /// The parameters held fixed, with their values, in the family's order.
    pub fn fixed(&self) -> Vec<(&'static str, f64)> {
        (0..self.axes.len())
            .filter(|k| !self.swept.contains(k))
            .map(|k| (self.axes[k].param, self.axes[k].values[0]))
            .collect()
    }

    /// How every point is one standard variable shifted and scaled, when it
    /// is: a location–scale family (see [`LocationScale`]) whose swept
    /// parameters are among its location and scale.
    pub fn location_scale(&self) -> Option<LocationScale> {
        let &(_, loc, scale) = LOCATION_SCALE
            .iter()
            .find(|(family, _, _)| *family == self.family.name)?;
        let index = |name: &str| self.axes.iter().position(|a| a.param == name);
        let (loc, scale) = (index(loc)?, index(scale)?);
        if self.swept.iter().any(|&k| k != loc && k != scale) {
            return None;
        }
        let mut params = self.params(0, 0);
        params[loc] = 0.0;
        params[scale] = 1.0;
        let standard = self.family.build_scalars(&params).ok()?;
        Some(LocationScale {
            loc,
            scale,
            standard,
        })
    }
}

/// The location–scale families, with their location and scale parameters:
/// each member is `loc + scale · Z` for a standard variable `Z` whose law
/// depends only on the family's other parameters (a Student t's `df`).
/// A test holds each entry to the claim, density by density.
const LOCATION_SCALE: &[(&str, &str, &str)] = &[
    ("normal", "mean", "std"),
    ("laplace", "loc", "scale"),
    ("student_t", "loc", "scale"),
];

/// A grid whose points are one standard variable `Z` shifted and scaled:
/// the point `(i, j)` is the law of `loc + scale · Z`, so that
/// `ln q(loc + scale z) = ln q₀(z) − ln scale` with `q₀` the law of `Z`.
/// Kinds use it to draw once from `q₀` and move the same draws to every
/// point (common random numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct LocationScale {
    /// The index in the grid's axes of the location parameter.
    pub loc: usize,
    /// The index in the grid's axes of the scale parameter.
    pub scale: usize,
    /// The law of `Z`: the member with location 0 and scale 1, any other
    /// parameter at its grid value. Its own draws are the standard draws.
    pub standard: Dist,
}

impl LocationScale {
    /// The location and scale of `grid` at point `(i, j)`.
    pub fn at(&self, grid: &Grid, i: usize, j: usize) -> (f64, f64) {
        (grid.value(self.loc, i, j), grid.value(self.scale, i, j))
    }
}

/// What a place in a spec asks of a grid; everything is checked where the
/// grid is read.
#[derive(Debug, Clone, Copy, Default)]
struct Need {
    /// Only this family.
    only: Option<&'static str>,
    /// Exactly two swept parameters, for kinds that draw surfaces only.
    surface: bool,
    /// A continuous family: densities, not masses.
    continuous: bool,
}

fn read_grid<'de, D: Deserializer<'de>>(deserializer: D, need: Need) -> Result<Grid, D::Error> {
    deserializer.deserialize_map(GridVisitor { need })
}

/// Reads a grid over any family with scalar parameters, sweeping one
/// parameter or two.
impl<'de> Deserialize<'de> for Grid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_grid(deserializer, Need::default())
    }
}

impl Serialize for Grid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Axes<'a>(&'a [Axis]);
        impl Serialize for Axes<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for axis in self.0 {
                    map.serialize_entry(axis.param, &axis.values)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.family.name, &Axes(&self.axes))?;
        map.end()
    }
}

/// A grid sweeping exactly two parameters, for kinds that draw surfaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Surface(Grid);

impl Surface {
    /// The grid.
    pub fn grid(&self) -> &Grid {
        &self.0
    }

    /// The two swept axes.
    pub fn swept_axes(&self) -> (&Axis, &Axis) {
        (&self.0.axes[self.0.swept[0]], &self.0.axes[self.0.swept[1]])
    }

    /// Number of points along each swept axis.
    pub fn shape(&self) -> (usize, usize) {
        self.0.shape()
    }

    /// The distribution at point `(i, j)`: see [`Grid::dist`].
    ///
    /// # Errors
    /// When the parameters at that point are invalid for the family.
    pub fn dist(&self, i: usize, j: usize) -> Result<Dist, ParamError> {
        self.0.dist(i, j)
    }
}

impl<'de> Deserialize<'de> for Surface {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let need = Need {
            surface: true,
            ..Need::default()
        };
        read_grid(deserializer, need).map(Surface)
    }
}

impl Serialize for Surface {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A surface over the normal family: for experiments that draw from the
/// grid's members by shifting and scaling standard-normal draws.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalGrid(pub Surface);

impl<'de> Deserialize<'de> for NormalGrid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let need = Need {
            only: Some("normal"),
            surface: true,
            ..Need::default()
        };
        read_grid(deserializer, need).map(|g| NormalGrid(Surface(g)))
    }
}

impl Serialize for NormalGrid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A grid over a continuous family (densities, not masses), sweeping one
/// parameter or two.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousGrid(pub Grid);

impl<'de> Deserialize<'de> for ContinuousGrid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let need = Need {
            continuous: true,
            ..Need::default()
        };
        read_grid(deserializer, need).map(ContinuousGrid)
    }
}

impl Serialize for ContinuousGrid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

struct GridVisitor {
    need: Need,
}

impl<'de> Visitor<'de> for GridVisitor {
    type Value = Grid;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a grid written as {family: {parameter: sweep, ...}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Grid, A::Error> {
        let need = self.need;
        let accept = Accept {
            scalar_only: true,
            only: need.only,
            ..Accept::default()
        };
        let family = map
            .next_key_seed(Key(|name: &str| accept.family(name)))?
            .ok_or_else(|| de::Error::custom("expected a family name, found an empty mapping"))?;
        let grid = map.next_value_seed(GridParams { family, need })?;
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "a grid names exactly one family; found `{}` and `{extra}`",
                family.name
            )));
        }
        Ok(grid)
    }
}

struct GridParams {
    family: &'static FamilyDef,
    need: Need,
}

impl<'de> DeserializeSeed<'de> for GridParams {
    type Value = Grid;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Grid, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for GridParams {
    type Value = Grid;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a sweep or a value for each parameter of {}",
            self.family.name
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Grid, A::Error> {
        let Self { family, need } = self;
        let mut slots: Vec<Option<Vec<f64>>> = vec![None; family.params.len()];
        while let Some(index) = map.next_key_seed(ParamName(family))? {
            let def = family.params[index];
            if slots[index].is_some() {
                return Err(de::Error::custom(format!(
                    "parameter `{}` is given twice",
                    def.name
                )));
            }
            let ParamKind::Scalar(constraint) = def.kind else {
                return Err(de::Error::custom(format!("`{}` cannot be swept", def.name)));
            };
            let checked = Checked {
                name: def.name,
                constraint,
            };
            slots[index] = Some(map.next_value_seed(SweepSeed(Domain::Value(checked)))?);
        }
        let values = collect_params(family, slots).map_err(de::Error::custom)?;
        let axes: Vec<Axis> = family
            .params
            .iter()
            .zip(values)
            .map(|(def, values)| Axis {
                param: def.name,
                values,
            })
            .collect();
        let swept: Vec<usize> = (0..axes.len())
            .filter(|&k| axes[k].values.len() > 1)
            .collect();
        let allowed = if need.surface { 2..=2 } else { 1..=2 };
        if !allowed.contains(&swept.len()) {
            let names: Vec<&str> = swept.iter().map(|&k| axes[k].param).collect();
            let how_many = if need.surface {
                "exactly two parameters"
            } else {
                "one parameter (a curve) or two (a surface)"
            };
            return Err(de::Error::custom(format!(
                "a grid here sweeps {how_many}, giving the others one value; this one sweeps {}{}",
                swept.len(),
                if names.is_empty() {
                    String::new()
                } else {
                    format!(": [{}]", names.join(", "))
                }
            )));
        }
        let points = swept
            .iter()
            .fold(1usize, |n, &k| n.saturating_mul(axes[k].values.len()));
        if points > MAX_GRID_POINTS {
            return Err(de::Error::custom(format!(
                "a grid has at most {MAX_GRID_POINTS} points, and this one has {points}"
            )));
        }
        let grid = Grid {
            family,
            axes,
            swept,
        };
        // Parameters are checked one by one where they are read; a family
        // may still refuse a combination.
        grid.check_points().map_err(de::Error::custom)?;
        // A family is discrete or continuous as a whole: one member tells.
        if need.continuous && grid.dist(0, 0).is_ok_and(|d| d.is_discrete()) {
            return Err(de::Error::custom(format!(
                "the {} family is discrete (masses on whole numbers); this grid needs a continuous family, with densities",
                family.name
            )));
        }
        Ok(grid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        n: Option<Counts>,
        grid: Option<Grid>,
        normal: Option<NormalGrid>,
        surface: Option<Surface>,
        continuous: Option<ContinuousGrid>,
    }

    fn parse(src: &str) -> Result<Probe, String> {
        serde_yaml::from_str::<Probe>(src).map_err(|e| e.to_string())
    }

    #[test]
    fn linspace_hits_both_ends_exactly() {
        let v = linspace(-4.0, 4.0, 161);
        assert_eq!((v[0], v[80], v[160]), (-4.0, 0.0, 4.0));
        assert!((v[1] - v[0] - 0.05).abs() < 1e-15);
    }

    #[test]
    fn logspace_is_geometric_between_its_ends() {
        let v = logspace(0.3, 4.0, 121);
        assert_eq!((v[0], v[120]), (0.3, 4.0));
        let ratio = (4.0f64 / 0.3).powf(1.0 / 120.0);
        for w in v.windows(2) {
            assert!((w[1] / w[0] - ratio).abs() < 1e-12);
        }
    }

    #[test]
    fn counts_are_read_as_lists_or_rounded_log_sweeps() {
        let p = parse("n: [10, 30, 100]").unwrap();
        assert_eq!(p.n.unwrap().0, vec![10, 30, 100]);
        let p = parse("n: {logspace: [10, 100000, 5]}").unwrap();
        assert_eq!(p.n.unwrap().0, vec![10, 100, 1000, 10000, 100000]);
        assert!(parse("n: [10, 2.5]").unwrap_err().contains("whole number"));
        assert!(parse("n: [0]").unwrap_err().contains("from 1"));
        assert!(
            parse("n: {logspace: [1, 3, 10]}")
                .unwrap_err()
                .contains("repeated")
        );
        assert!(parse("n: []").unwrap_err().contains("empty"));
        assert!(parse("n: [100, 10]").unwrap_err().contains("must increase"));
        assert!(
            parse("n: {logspace: [10, 1000000000, 3]}")
                .unwrap_err()
                .contains("from 1 to")
        );
    }

    #[test]
    fn a_grid_sweeps_two_parameters_of_a_family() {
        let p =
            parse("grid: {normal: {mean: {linspace: [-1, 1, 3]}, std: {logspace: [0.5, 2, 3]}}}")
                .unwrap();
        let g = p.grid.unwrap();
        assert_eq!(g.shape(), (3, 3));
        let d = g.dist(2, 0).unwrap();
        assert_eq!(d.label(), "normal(mean=1, std=0.5)");
    }

    #[test]
    fn grid_errors_name_the_parameter_and_place() {
        let e = parse("grid:\n  normal:\n    mean: [0, 1]\n    std: [1, -2]\n").unwrap_err();
        assert!(e.contains("grid.normal.std"), "{e}");
        assert!(e.contains("line 4"), "{e}");
        let e = parse("surface: {normal: {mean: [0, 1], std: 1}}").unwrap_err();
        assert!(e.contains("exactly two"), "{e}");
        let p = parse("surface: {normal: {mean: [0, 1], std: [1, 2, 3]}}").unwrap();
        assert_eq!(p.surface.unwrap().shape(), (2, 3));
        let e = parse("grid: {normal: {mean: [0, 1], std: {logspace: [0, 1, 3]}}}").unwrap_err();
        assert!(e.contains("logspace"), "{e}");
        let e = parse("grid: {mixture: {weights: [1]}}").unwrap_err();
        assert!(e.contains("cannot be used here"), "{e}");
    }

    #[test]
    fn a_grid_sweeping_one_parameter_is_a_curve() {
        let g = parse("grid: {laplace: {loc: 0.5, scale: {logspace: [0.5, 2, 3]}}}")
            .unwrap()
            .grid
            .unwrap();
        assert!(g.is_curve());
        assert_eq!(g.shape(), (3, 1));
        assert_eq!(g.points(), 3);
        assert_eq!(g.first_axis().param, "scale");
        assert_eq!(g.second_axis(), None);
        assert_eq!(g.fixed(), vec![("loc", 0.5)]);
        assert_eq!(g.dist(2, 0).unwrap().label(), "laplace(loc=0.5, scale=2)");
    }

    #[test]
    fn a_grid_sweeps_one_or_two_parameters_and_says_how_many_it_got() {
        let e = parse("grid: {normal: {mean: 0, std: 1}}").unwrap_err();
        assert!(e.contains("sweeps 0"), "{e}");
        assert!(
            e.contains("one parameter (a curve) or two (a surface)"),
            "{e}"
        );
        let e = parse("grid: {student_t: {df: [3, 5], loc: [0, 1], scale: [1, 2]}}").unwrap_err();
        assert!(e.contains("sweeps 3: [df, loc, scale]"), "{e}");
    }

    #[test]
    fn every_point_of_a_grid_is_checked_and_a_bad_one_is_named() {
        // low < high fails only at (low = 1, high = 1) and (low = 1, high = 0.5).
        let e = parse("grid:\n  uniform:\n    low: [0, 1]\n    high: [0.5, 1, 2]\n").unwrap_err();
        assert!(e.contains("at the grid point low = 1, high = 0.5"), "{e}");
        let e = parse(
            "grid: {normal: {mean: {linspace: [0, 1, 5000]}, std: {linspace: [1, 2, 5000]}}}",
        )
        .unwrap_err();
        assert!(e.contains("at most 10000000 points"), "{e}");
    }

    #[test]
    fn a_continuous_grid_refuses_a_discrete_family() {
        let e = parse("continuous: {poisson: {rate: [1, 2]}}").unwrap_err();
        assert!(e.contains("the poisson family is discrete"), "{e}");
        let g = parse("continuous: {gamma: {shape: 2, rate: [1, 2]}}").unwrap();
        assert_eq!(g.continuous.unwrap().0.shape(), (2, 1));
    }

    #[test]
    fn location_scale_members_are_the_standard_variable_shifted_and_scaled() {
        for src in [
            "grid: {normal: {mean: [-1, 2], std: [0.5, 3]}}",
            "grid: {laplace: {loc: [-1, 2], scale: [0.5, 3]}}",
            "grid: {student_t: {df: 3, loc: [-1, 2], scale: [0.5, 3]}}",
        ] {
            let g = parse(src).unwrap().grid.unwrap();
            let shift = g.location_scale().expect("a location–scale grid");
            for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let q = g.dist(i, j).unwrap();
                let (loc, scale) = shift.at(&g, i, j);
                for z in [-7.0, -1.5, 0.0, 0.3, 4.0] {
                    let by_shift = shift.standard.ln_pdf(z) - scale.ln();
                    let direct = q.ln_pdf(loc + scale * z);
                    assert!((by_shift - direct).abs() < 1e-12, "{src} ({i}, {j}) at {z}");
                }
            }
        }
        // A Student t sweeping df is no location–scale grid.
        let g = parse("grid: {student_t: {df: [3, 5], loc: 0, scale: [1, 2]}}")
            .unwrap()
            .grid
            .unwrap();
        assert_eq!(g.location_scale(), None);
    }

    #[test]
    fn degenerate_sweeps_are_refused_where_they_are_written() {
        let e = parse("grid: {normal: {mean: {linspace: [1, 1, 21]}, std: [1, 2]}}").unwrap_err();
        assert!(e.contains("start must be below stop"), "{e}");
        let e = parse("grid: {normal: {mean: {linspace: [-4, 4, 100000000]}, std: [1, 2]}}")
            .unwrap_err();
        assert!(e.contains("at most"), "{e}");
        let e = parse("grid: {normal: {mean: {linspace: [-1e308, 1e308, 5]}, std: [1, 2]}}")
            .unwrap_err();
        assert!(e.contains("do not fit"), "{e}");
        let e = parse("grid: {normal: {mean: [0, 0], std: [1, 2]}}").unwrap_err();
        assert!(e.contains("must increase"), "{e}");
    }

    #[test]
    fn normal_grid_refuses_other_families() {
        let p = parse("normal: {normal: {mean: [0, 1], std: [1, 2]}}").unwrap();
        assert_eq!(p.normal.unwrap().0.shape(), (2, 2));
        let e = parse("normal: {mixture: {weights: [1]}}").unwrap_err();
        assert!(e.contains("only the normal family"), "{e}");
    }
}
