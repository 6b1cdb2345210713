//! `compare_fits`: several families fitted to the same data by maximum
//! likelihood, and compared.
//!
//! ```yaml
//! kind:
//!   compare_fits:
//!     data: {csv: data/faithful.csv, column: waiting}   # or a distribution
//!     sample_size: 500                                 # only for a distribution
//!     families: [gamma, lognormal, {student_t: {df: 5}}, {normal_mixture: {components: 2}}]
//! ```
//!
//! Each family is fitted by maximum likelihood (a mapping holds a parameter
//! fixed, `{student_t: {df: 5}}`, or gives a normal mixture its number of
//! components). The report ranks the fits by AIC, `2k − 2 ln L`, and gives
//! BIC, `k ln n − 2 ln L`, counting only the parameters that were fitted (a
//! fixed `df` is not one; a mixture of `K` normals has `3K − 1`), the
//! Akaike weights `exp(−ΔAIC/2)` normalised over the fits, and how far
//! each fit is from the data: the Kolmogorov–Smirnov distance between the
//! sample and the fitted distribution function, and, when the data are a
//! distribution, the exact `KL(data ‖ fit)`.
//!
//! A family either has a density (continuous) or a probability mass
//! (discrete): likelihoods of the two kinds are not on the same scale, so a
//! list compares families of one kind only. For discrete families the
//! Kolmogorov–Smirnov distance is replaced by Pearson's chi-square on
//! pooled cells ([`gof::chi_square`]), since the distance's reference
//! distribution assumes a continuous one. In either case the parameters
//! were fitted to the same data, so the usual p-value of the distance would
//! be far too large (Lilliefors' problem) and none is given; the
//! chi-square's p-value is the usual approximation.
//!
//! A family that cannot be fitted to the data (an exponential to data with
//! negative values, a mixture to too few observations) is reported with
//! the reason and left out of the ranking; only if no family can be fitted
//! is the experiment an error.

use std::fmt;

use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use super::{Compute, Ctx, Size};
use crate::chart::{Axis, Corner, Figure, Marker, Panel, Plot, Series, Shape, color};
use crate::dist::param::Constraint;
use crate::dist::syntax::{Checked, Key};
use crate::dist::{
    Dist, FAMILIES, FamilyDef, FitError, ParamKind, ParamValue, Univariate, number_label,
};
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::{cdf, fit, gof, kl};
use crate::vocab::data::{Data, DataFile};
use crate::vocab::sweep::Count;

/// The name of the normal mixture, which is fitted by EM rather than by a
/// registered family's fit.
const NORMAL_MIXTURE: &str = "normal_mixture";

/// The most components a normal mixture may have here.
pub const MAX_COMPONENTS: usize = 10;

/// The most fits drawn in one figure: more would not be told apart.
pub const MAX_DRAWN: usize = 6;

/// Points on each fitted density's curve.
const CURVE_POINTS: usize = 401;

/// The most points of each QQ plot.
const QQ_POINTS: usize = 200;

/// The size of each QQ panel, in pixels.
const QQ_PANEL: (u32, u32) = (420, 340);

/// Histogram bins, at least and at most.
const MIN_BINS: usize = 5;
const MAX_BINS: usize = 60;

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The data: a distribution to draw from, or observations in a file.
    pub data: Data,
    /// How many draws, when the data are a distribution (and only then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<Count<2>>,
    /// The families fitted and compared.
    pub families: Families,
}

/// One family to fit.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidate {
    /// A registered family, with at most one parameter held fixed.
    Family {
        /// The family.
        family: &'static FamilyDef,
        /// The parameter held fixed, if any.
        fixed: Option<Fixed>,
    },
    /// A mixture of normals, fitted by EM.
    NormalMixture {
        /// The number of components.
        components: usize,
    },
}

/// A parameter held fixed while the others are fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    /// Its name.
    pub param: &'static str,
    /// Its value.
    pub value: f64,
}

/// The families of a spec, in the order written: none twice, all
/// continuous or all discrete.
#[derive(Debug, Clone, PartialEq)]
pub struct Families(pub Vec<Candidate>);

impl Candidate {
    /// The key of the family's numbers: its name, with the fixed parameter
    /// and its value (`student_t_df5`, `student_t_df2_5`) or the number of
    /// components (`normal_mixture_2`). Only letters, digits and
    /// underscores, so that a post can write `{{ id.student_t_df5.aic }}`.
    pub fn label(&self) -> String {
        match self {
            Candidate::Family { family, fixed } => match fixed {
                None => family.name.to_string(),
                Some(f) => {
                    let value: String = number_label(f.value)
                        .chars()
                        .map(|c| match c {
                            '.' => '_',
                            '-' => 'm',
                            '+' => 'p',
                            c => c,
                        })
                        .collect();
                    format!("{}_{}{value}", family.name, f.param)
                }
            },
            Candidate::NormalMixture { components } => format!("{NORMAL_MIXTURE}_{components}"),
        }
    }

    /// How tables and figures name the family: `gamma`,
    /// `student_t (df = 5)`, `normal_mixture (K = 2)`.
    pub fn name(&self) -> String {
        match self {
            Candidate::Family { family, fixed } => match fixed {
                None => family.name.to_string(),
                Some(f) => format!("{} ({} = {})", family.name, f.param, number_label(f.value)),
            },
            Candidate::NormalMixture { components } => {
                format!("{NORMAL_MIXTURE} (K = {components})")
            }
        }
    }

    /// Whether the family is discrete: a probability mass on whole numbers.
    pub fn is_discrete(&self) -> bool {
        match self {
            Candidate::Family { family, .. } => example(family).is_some_and(|d| d.is_discrete()),
            Candidate::NormalMixture { .. } => false,
        }
    }

    /// The maximum-likelihood fit to `xs`.
    fn fit(&self, xs: &[f64]) -> Result<fit::FitReport, FitError> {
        match self {
            Candidate::Family {
                family,
                fixed: None,
            } => fit::fit(family, xs),
            Candidate::Family {
                family,
                fixed: Some(f),
            } => fit::fit_fixed(family, xs, f.param, f.value),
            Candidate::NormalMixture { components } => fit::fit_normal_mixture(xs, *components),
        }
    }

    /// The number of parameters fitted: every scalar but a fixed one, one
    /// less than a list of probabilities has, `3K − 1` for a mixture of
    /// `K` normals (a mean and a std each, and weights summing to 1).
    pub fn free_params(&self, fitted: &Dist) -> usize {
        match self {
            Candidate::NormalMixture { components } => 3 * components - 1,
            Candidate::Family { family, fixed } => {
                let all: usize = family
                    .params
                    .iter()
                    .zip(fitted.params())
                    .map(|(def, value)| match (def.kind, value) {
                        (ParamKind::Scalar(_), _) => 1,
                        (ParamKind::Simplex, ParamValue::Vector(v)) => v.len().saturating_sub(1),
                        (_, ParamValue::Vector(v)) => v.len(),
                        (_, ParamValue::Matrix(m)) => m.len() * (m.len() + 1) / 2,
                        _ => 0,
                    })
                    .sum();
                all - usize::from(fixed.is_some())
            }
        }
    }

    /// The work of one fit per observation, roughly: a few passes for a
    /// closed-form fit and the distribution function, a few dozen for
    /// Newton's method or quadrature; EM runs ten starts of some hundred
    /// iterations over every component.
    fn work_per_observation(&self) -> u64 {
        match self {
            Candidate::Family { .. } => 50,
            Candidate::NormalMixture { components } => 1000 * *components as u64,
        }
    }
}

/// A member of `family` built from plain values of its parameters (0, 1,
/// 2, … for real ones, 1 for positive ones, ½ for probabilities): all
/// members of a family are discrete or all continuous, so it tells which
/// the family is.
fn example(family: &FamilyDef) -> Option<Dist> {
    let mut next_real = 0.0;
    let mut values = Vec::with_capacity(family.params.len());
    for def in family.params {
        values.push(match def.kind {
            ParamKind::Scalar(Constraint::Real) => {
                next_real += 1.0;
                ParamValue::Scalar(next_real - 1.0)
            }
            ParamKind::Scalar(Constraint::Positive) => ParamValue::Scalar(1.0),
            ParamKind::Scalar(_) => ParamValue::Scalar(0.5),
            ParamKind::Simplex | ParamKind::Vector => ParamValue::Vector(vec![0.5, 0.5]),
            ParamKind::Matrix | ParamKind::Components => return None,
        });
    }
    family.build(&values).ok()
}

/// The names a list of families may use.
fn fittable_names() -> String {
    let mut names: Vec<&str> = FAMILIES
        .iter()
        .filter(|f| f.has_fit)
        .map(|f| f.name)
        .collect();
    names.push(NORMAL_MIXTURE);
    names.join(", ")
}

/// What a family name in the list refers to.
#[derive(Clone, Copy)]
enum Named {
    Family(&'static FamilyDef),
    Mixture,
}

fn lookup(name: &str) -> Result<Named, String> {
    if name == NORMAL_MIXTURE {
        return Ok(Named::Mixture);
    }
    match FamilyDef::find(name) {
        Some(family) if family.has_fit => Ok(Named::Family(family)),
        Some(_) => Err(format!(
            "the {name} family has no maximum-likelihood fit; the families with one are: {}",
            fittable_names()
        )),
        None => Err(format!(
            "unknown family `{name}`; the families with a maximum-likelihood fit are: {}",
            fittable_names()
        )),
    }
}

impl<'de> Deserialize<'de> for Families {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(FamiliesVisitor)
    }
}

struct FamiliesVisitor;

impl<'de> Visitor<'de> for FamiliesVisitor {
    type Value = Families;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a list of families, e.g. [gamma, lognormal, {student_t: {df: 5}}, {normal_mixture: {components: 2}}]",
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Families, A::Error> {
        let mut all: Vec<Candidate> = Vec::new();
        while let Some(candidate) = seq.next_element_seed(CandidateSeed(&all))? {
            all.push(candidate);
        }
        if all.is_empty() {
            return Err(de::Error::custom(format!(
                "the list is empty; name at least one of: {}",
                fittable_names()
            )));
        }
        Ok(Families(all))
    }
}

/// Reads one entry of the list, checking it against the entries before it
/// where it is read, so that an error points at the entry.
struct CandidateSeed<'a>(&'a [Candidate]);

impl CandidateSeed<'_> {
    fn admit<E: de::Error>(&self, candidate: Candidate) -> Result<Candidate, E> {
        let label = candidate.label();
        if self.0.iter().any(|c| c.label() == label) {
            return Err(E::custom(format!(
                "{} is listed twice (as `{label}`)",
                candidate.name()
            )));
        }
        if let Some(first) = self.0.first()
            && first.is_discrete() != candidate.is_discrete()
        {
            let kind = |c: &Candidate| if c.is_discrete() { "discrete" } else { "continuous" };
            return Err(E::custom(format!(
                "{} is {} and {} is {}: a density and a probability mass are not on the same \
                 scale, so their likelihoods (and AICs) cannot be compared; list continuous \
                 families only, or discrete ones only",
                first.name(),
                kind(first),
                candidate.name(),
                kind(&candidate)
            )));
        }
        Ok(candidate)
    }
}

impl<'de> DeserializeSeed<'de> for CandidateSeed<'_> {
    type Value = Candidate;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Candidate, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CandidateSeed<'_> {
    type Value = Candidate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a family name, a family with a parameter held fixed ({student_t: {df: 5}}), or a normal mixture ({normal_mixture: {components: 2}})",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Candidate, E> {
        let candidate = match lookup(v).map_err(E::custom)? {
            Named::Family(family) => Candidate::Family {
                family,
                fixed: None,
            },
            Named::Mixture => {
                return Err(E::custom(
                    "a normal mixture needs its number of components: {normal_mixture: {components: 2}}",
                ));
            }
        };
        self.admit(candidate)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Candidate, A::Error> {
        let Some(named) = map.next_key_seed(Key(lookup))? else {
            return Err(de::Error::custom(
                "expected a family name, found an empty mapping",
            ));
        };
        let candidate = match named {
            Named::Family(family) => Candidate::Family {
                family,
                fixed: map.next_value_seed(FixedSeed(family))?,
            },
            Named::Mixture => Candidate::NormalMixture {
                components: map.next_value_seed(ComponentsSeed)?,
            },
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "an entry names one family; found `{}` and `{extra}` (write them as two entries)",
                candidate.name()
            )));
        }
        self.admit(candidate)
    }
}

/// Reads `{param: value}` under a family: the one parameter held fixed.
struct FixedSeed(&'static FamilyDef);

impl<'de> DeserializeSeed<'de> for FixedSeed {
    type Value = Option<Fixed>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Fixed>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FixedSeed {
    type Value = Option<Fixed>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the parameter of {} held fixed, e.g. {{student_t: {{df: 5}}}}",
            self.0.name
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Fixed>, A::Error> {
        let family = self.0;
        let mut fixed: Option<Fixed> = None;
        let already = |fixed: Option<Fixed>| fixed.map(|f| f.param);
        while let Some((param, constraint)) =
            map.next_key_seed(Key(|name: &str| fixable(family, name, already(fixed))))?
        {
            let value = map.next_value_seed(Checked {
                name: param,
                constraint,
            })?;
            fixed = Some(Fixed { param, value });
        }
        Ok(fixed)
    }
}

/// Checks that `family` can be fitted with `name` held fixed, `before`
/// being a parameter already held.
fn fixable(
    family: &'static FamilyDef,
    name: &str,
    before: Option<&str>,
) -> Result<(&'static str, Constraint), String> {
    let Some(def) = family.params.iter().find(|p| p.name == name) else {
        let names: Vec<&str> = family.params.iter().map(|p| p.name).collect();
        return Err(format!(
            "unknown parameter `{name}` of {}, expected one of: {}",
            family.name,
            names.join(", ")
        ));
    };
    if let Some(before) = before {
        return Err(format!(
            "{} is fitted with at most one parameter held fixed, and `{before}` already is",
            family.name
        ));
    }
    match def.kind {
        ParamKind::Scalar(constraint) if can_hold(family, name) => Ok((def.name, constraint)),
        _ => {
            let holdable: Vec<&str> = family
                .params
                .iter()
                .map(|p| p.name)
                .filter(|p| can_hold(family, p))
                .collect();
            let hint = match holdable[..] {
                [] => format!("{} is fitted with every parameter free", family.name),
                _ => format!("it can hold {} fixed", holdable.join(" or ")),
            };
            Err(format!(
                "the {} family cannot fit with `{name}` held fixed; {hint}",
                family.name
            ))
        }
    }
}

/// Whether `family` can be fitted with the scalar `param` held fixed: a
/// family refuses a parameter it cannot hold before it looks at the data
/// or the value, so empty data tell.
fn can_hold(family: &FamilyDef, param: &str) -> bool {
    family.params.iter().any(|p| p.name == param && matches!(p.kind, ParamKind::Scalar(_)))
        && !matches!(
            family.fit_fixed(&[], param, 1.0),
            Err(FitError::CannotFix { .. })
        )
}

/// Reads `{components: K}` under `normal_mixture`.
struct ComponentsSeed;

impl<'de> DeserializeSeed<'de> for ComponentsSeed {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ComponentsSeed {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the number of components, {components: 2}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut components = None;
        while map
            .next_key_seed(Key(|name: &str| match name {
                "components" if components.is_none() => Ok(()),
                "components" => Err("`components` is given twice".to_string()),
                other => Err(format!(
                    "unknown field `{other}` of {NORMAL_MIXTURE}, expected `components`"
                )),
            }))?
            .is_some()
        {
            let Count(k) = map.next_value::<Count<1>>()?;
            if k > MAX_COMPONENTS {
                return Err(de::Error::custom(format!(
                    "at most {MAX_COMPONENTS} components, got {k}"
                )));
            }
            components = Some(k);
        }
        components.ok_or_else(|| {
            de::Error::custom(format!(
                "{NORMAL_MIXTURE} needs `components`, the number of normals: {{{NORMAL_MIXTURE}: {{components: 2}}}}"
            ))
        })
    }
}

impl Serialize for Families {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.0)
    }
}

impl Serialize for Candidate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct One<'a>(&'a str, f64);
        impl Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(self.0, &self.1)?;
                map.end()
            }
        }
        match self {
            Candidate::Family {
                family,
                fixed: None,
            } => serializer.serialize_str(family.name),
            Candidate::Family {
                family,
                fixed: Some(f),
            } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(family.name, &One(f.param, f.value))?;
                map.end()
            }
            Candidate::NormalMixture { components } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(NORMAL_MIXTURE, &One("components", *components as f64))?;
                map.end()
            }
        }
    }
}

/// A goodness-of-fit statistic.
#[derive(Debug, Clone, PartialEq)]
pub enum Gof {
    /// The Kolmogorov–Smirnov distance, for a continuous family.
    Ks(f64),
    /// Pearson's chi-square, for a discrete family.
    ChiSquare(gof::ChiSquare),
    /// None could be computed, for the reason given.
    Unavailable(String),
}

/// One family fitted, and how well.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The fitted distribution, as written: `gamma(shape=…, rate=…)`.
    pub dist: String,
    /// The estimates, by parameter name.
    pub params: Map<String, Json>,
    /// Their standard errors, where the family has them.
    pub stderr: Option<Map<String, Json>>,
    /// The number of parameters fitted.
    pub free: usize,
    /// `ln L = Σ ln p(x_i)` at the estimates.
    pub loglik: f64,
    /// `2k − 2 ln L`.
    pub aic: f64,
    /// `k ln n − 2 ln L`.
    pub bic: f64,
    /// `AIC − min AIC` over the fits.
    pub delta_aic: f64,
    /// `exp(−ΔAIC/2)`, normalised over the fits.
    pub weight: f64,
    /// How far the sample is from the fit.
    pub gof: Gof,
    /// `KL(data ‖ fit)`, when the data are a distribution.
    pub kl: Option<Result<kl::Value, String>>,
    /// The fitted density (or mass) at [`Findings::grid`].
    pub density: Vec<f64>,
    /// The QQ plot: fitted quantiles and sample quantiles, at the same
    /// probabilities; empty, with a note, when the quantiles fail.
    pub qq: (Vec<f64>, Vec<f64>),
    /// What a reader should know about this fit.
    pub notes: Vec<String>,
}

/// A histogram: bars from `lo[i]` to `hi[i]`, their heights a density (or,
/// for whole numbers, a probability per whole number).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Left edges.
    pub lo: Vec<f64>,
    /// Right edges.
    pub hi: Vec<f64>,
    /// Heights.
    pub heights: Vec<f64>,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// The number of observations.
    pub n: usize,
    /// Whether the families are discrete.
    pub discrete: bool,
    /// Each family's fit, in the order of the spec, or why it has none.
    pub fits: Vec<Result<Fitted, String>>,
    /// The data's histogram.
    pub histogram: Histogram,
    /// Where the fitted densities are drawn.
    pub grid: Vec<f64>,
}

impl Findings {
    /// The indices of the fitted families, lowest AIC first (the spec's
    /// order on ties).
    pub fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.fits.len())
            .filter(|&i| self.fits[i].is_ok())
            .collect();
        let aic = |i: usize| self.fits[i].as_ref().map_or(f64::INFINITY, |f| f.aic);
        order.sort_by(|&a, &b| aic(a).total_cmp(&aic(b)).then(a.cmp(&b)));
        order
    }
}

/// Fills in AIC, BIC, ΔAIC and the Akaike weights from the
/// log-likelihoods and parameter counts, for `n` observations.
pub fn rank(fits: &mut [Result<Fitted, String>], n: usize) {
    let ln_n = (n as f64).ln();
    for f in fits.iter_mut().flatten() {
        let k = f.free as f64;
        f.aic = 2.0 * k - 2.0 * f.loglik;
        f.bic = k * ln_n - 2.0 * f.loglik;
    }
    let best = fits
        .iter()
        .flatten()
        .map(|f| f.aic)
        .fold(f64::INFINITY, f64::min);
    let mut total = 0.0;
    for f in fits.iter_mut().flatten() {
        f.delta_aic = f.aic - best;
        f.weight = (-0.5 * f.delta_aic).exp();
        total += f.weight;
    }
    for f in fits.iter_mut().flatten() {
        f.weight /= total;
    }
}

impl Spec {
    /// The number of observations: the sample size, or the file's count.
    fn n(&self) -> usize {
        match &self.data {
            Data::Dist(_) => self.sample_size.map_or(0, |c| c.0),
            Data::File(_) => self.data.file_len().unwrap_or(0),
        }
    }

    fn discrete(&self) -> bool {
        self.families.0.first().is_some_and(Candidate::is_discrete)
    }

    /// Fits one family and measures the fit; `Err` with the reason when it
    /// cannot be fitted.
    fn assess(
        &self,
        candidate: &Candidate,
        sorted: &[f64],
        grid: &[f64],
        entropy: Option<&kl::Value>,
    ) -> Result<Fitted, String> {
        let report = candidate.fit(sorted).map_err(|e| e.to_string())?;
        let dist = &report.dist;
        let loglik = dist.sum_ln_pdf(sorted);
        if !loglik.is_finite() {
            return Err(format!(
                "the log-likelihood at the fit {} is {loglik}",
                dist.label()
            ));
        }
        let free = candidate.free_params(dist);
        let mut notes = Vec::new();
        let gof = if self.discrete() {
            gof::chi_square(sorted, dist, free).map(Gof::ChiSquare)
        } else {
            cdf::cdf_sorted(dist, sorted).map(|f| Gof::Ks(gof::ks_statistic(sorted, &f)))
        }
        .unwrap_or_else(|e| {
            notes.push(format!("no goodness-of-fit statistic: {e}"));
            Gof::Unavailable(e.to_string())
        });
        let kl = self.data.dist().map(|d| {
            match entropy {
                Some(h) => kl::kl_knowing_entropy(d, dist, h),
                None => kl::kl(d, dist),
            }
            .map_err(|e| {
                notes.push(format!("no KL(data ‖ fit): {e}"));
                e.to_string()
            })
        });
        let density = grid.iter().map(|&x| dist.ln_pdf(x).exp()).collect();
        let qq = qq_points(dist, sorted).unwrap_or_else(|e| {
            notes.push(format!("no QQ plot: {e}"));
            (Vec::new(), Vec::new())
        });
        Ok(Fitted {
            dist: dist.label(),
            params: report.params,
            stderr: report.stderr,
            free,
            loglik,
            aic: f64::NAN,
            bic: f64::NAN,
            delta_aic: f64::NAN,
            weight: f64::NAN,
            gof,
            kl,
            density,
            qq,
            notes,
        })
    }
}

/// Fitted and sample quantiles at up to [`QQ_POINTS`] order statistics of
/// `sorted`, the smallest and largest among them (the tails are where fits
/// differ), each at its plotting position `(i + ½)/n`.
fn qq_points(dist: &Dist, sorted: &[f64]) -> Result<(Vec<f64>, Vec<f64>), cdf::CdfError> {
    let n = sorted.len();
    let m = n.min(QQ_POINTS);
    let mut fitted = Vec::with_capacity(m);
    let mut sample = Vec::with_capacity(m);
    for i in 0..m {
        let j = if m > 1 {
            (i as f64 * (n - 1) as f64 / (m - 1) as f64).round() as usize
        } else {
            0
        };
        fitted.push(cdf::quantile(dist, (j as f64 + 0.5) / n as f64)?);
        sample.push(sorted[j]);
    }
    Ok((fitted, sample))
}

/// The histogram of `sorted` and the points where densities are drawn:
/// for continuous data, bins by [`gof::histogram_bins`] as densities and a fine
/// grid; for whole numbers, one bar per number (or per run of numbers,
/// when they span more than [`MAX_BINS`]) as probabilities, and the whole
/// numbers.
fn histogram(sorted: &[f64], discrete: bool) -> (Histogram, Vec<f64>) {
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return (Histogram::default(), Vec::new());
    };
    let n = sorted.len() as f64;
    let count_in = |lo: f64, hi: f64| {
        // Observations in [lo, hi): sorted, so two binary searches.
        (sorted.partition_point(|&x| x < hi) - sorted.partition_point(|&x| x < lo)) as f64
    };
    if discrete {
        let span = max - min + 1.0;
        let width = (span / MAX_BINS as f64).ceil().max(1.0);
        let bins = (span / width).ceil() as usize;
        let mut h = Histogram::default();
        for j in 0..bins {
            let first = min + j as f64 * width;
            let (lo, hi) = if width == 1.0 {
                (first - 0.4, first + 0.4)
            } else {
                (first - 0.5, first + width - 0.5)
            };
            h.lo.push(lo);
            h.hi.push(hi);
            h.heights.push(count_in(first, first + width) / (n * width));
        }
        let grid = if span <= CURVE_POINTS as f64 {
            (0..span as usize).map(|k| min + k as f64).collect()
        } else {
            let mut g: Vec<f64> = crate::vocab::sweep::linspace(min, max, CURVE_POINTS)
                .into_iter()
                .map(f64::round)
                .collect();
            g.dedup();
            g
        };
        return (h, grid);
    }
    if max == min {
        let h = Histogram {
            lo: vec![min - 0.5],
            hi: vec![min + 0.5],
            heights: vec![1.0],
        };
        return (h, crate::vocab::sweep::linspace(min - 1.0, min + 1.0, CURVE_POINTS));
    }
    let bins = gof::histogram_bins(sorted, MIN_BINS, MAX_BINS);
    let width = (max - min) / bins as f64;
    let mut h = Histogram::default();
    for j in 0..bins {
        let lo = min + j as f64 * width;
        let hi = if j + 1 == bins {
            max
        } else {
            min + (j + 1) as f64 * width
        };
        // The last bin holds the largest observation.
        let count = if j + 1 == bins {
            (sorted.len() - sorted.partition_point(|&x| x < lo)) as f64
        } else {
            count_in(lo, hi)
        };
        h.lo.push(lo);
        h.hi.push(hi);
        h.heights.push(count / (n * (hi - lo)));
    }
    let pad = 0.05 * (max - min);
    (
        h,
        crate::vocab::sweep::linspace(min - pad, max + pad, CURVE_POINTS),
    )
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        let n = self.n() as u64;
        let fits = self.families.0.len() as u64;
        let per_observation: u64 = self
            .families
            .0
            .iter()
            .map(Candidate::work_per_observation)
            .sum();
        // Each QQ quantile bisects a distribution function some sixty
        // times, each a short quadrature for some families.
        let figures = fits.saturating_mul((CURVE_POINTS + QQ_POINTS * 60 * 40) as u64);
        Size {
            evaluations: n
                .saturating_add(n.saturating_mul(per_observation))
                .saturating_add(figures),
            tasks: fits,
        }
    }

    fn validate(&self) -> Result<(), String> {
        match (&self.data, self.sample_size) {
            (Data::Dist(d), None) => Err(format!(
                "data: {} is a distribution: say how many draws to fit with sample_size (e.g. sample_size: 500)",
                d.label()
            )),
            (Data::File(f), Some(_)) => Err(format!(
                "sample_size: the data are the {} observations of {}; sample_size is only for data drawn from a distribution",
                f.values.len(),
                self.data.label()
            )),
            _ => Ok(()),
        }
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let mut rng = ctx.rng(&[0]);
        let mut sorted = self.data.sample(self.n(), &mut rng);
        ctx.tick(sorted.len() as u64);
        // Every statistic here is symmetric in the observations; sorted,
        // they give the distribution function's jumps and the quantiles.
        sorted.sort_by(f64::total_cmp);
        let discrete = self.discrete();
        let (hist, grid) = histogram(&sorted, discrete);
        // The data's entropy once, for every KL(data ‖ fit).
        let entropy = self
            .data
            .dist()
            .and_then(|d| kl::entropy(d).ok())
            .filter(|h| h.method != kl::Method::MonteCarlo);
        let mut fits: Vec<Result<Fitted, String>> = self
            .families
            .0
            .par_iter()
            .map(|c| {
                let fitted = self.assess(c, &sorted, &grid, entropy.as_ref());
                ctx.tick((sorted.len() as u64).saturating_mul(c.work_per_observation()));
                fitted
            })
            .collect();
        if fits.iter().all(Result::is_err) {
            let reasons: Vec<String> = self
                .families
                .0
                .iter()
                .zip(&fits)
                .filter_map(|(c, f)| f.as_ref().err().map(|e| format!("{}: {e}", c.name())))
                .collect();
            anyhow::bail!(
                "no family could be fitted to {}: {}",
                self.data.label(),
                reasons.join("; ")
            );
        }
        rank(&mut fits, sorted.len());
        Ok(Findings {
            n: sorted.len(),
            discrete,
            fits,
            histogram: hist,
            grid,
        })
    }

    fn placeholder(&self) -> Findings {
        let discrete = self.discrete();
        let ones = |names: &[&str], k: Option<usize>| -> Map<String, Json> {
            names
                .iter()
                .map(|&p| (p.to_string(), k.map_or(json!(1.0), |k| json!(vec![1.0; k]))))
                .collect()
        };
        let fits = self
            .families
            .0
            .iter()
            .map(|c| {
                let (params, stderr) = match c {
                    Candidate::Family { family, fixed } => {
                        let names: Vec<&str> = family.params.iter().map(|p| p.name).collect();
                        let list = (!family.is_scalar()).then_some(1);
                        let params = ones(&names, list);
                        let mut stderr = params.clone();
                        if let Some(f) = fixed {
                            stderr.shift_remove(f.param);
                        }
                        let has = family.information != crate::dist::Information::None;
                        (params, has.then_some(stderr))
                    }
                    Candidate::NormalMixture { components } => {
                        let params = ones(&["weights", "means", "stds"], Some(*components));
                        (params.clone(), Some(params))
                    }
                };
                Ok(Fitted {
                    dist: c.name(),
                    params,
                    stderr,
                    free: 1,
                    loglik: 1.0,
                    aic: 1.0,
                    bic: 1.0,
                    delta_aic: 1.0,
                    weight: 1.0,
                    gof: if discrete {
                        Gof::ChiSquare(gof::ChiSquare {
                            value: 1.0,
                            cells: 1,
                            df: Some(1),
                            p_value: Some(1.0),
                        })
                    } else {
                        Gof::Ks(1.0)
                    },
                    kl: self.data.dist().map(|_| {
                        Ok(kl::Value {
                            value: 1.0,
                            method: kl::Method::ClosedForm,
                            stderr: None,
                        })
                    }),
                    density: Vec::new(),
                    qq: (Vec::new(), Vec::new()),
                    notes: Vec::new(),
                })
            })
            .collect();
        Findings {
            n: self.n(),
            discrete,
            fits,
            histogram: Histogram::default(),
            grid: Vec::new(),
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let order = r.order();
        let labels: Vec<String> = self.families.0.iter().map(Candidate::label).collect();
        let mut numbers = Map::new();
        numbers.insert("data".into(), json!(self.data.label()));
        numbers.insert("n".into(), json!(r.n));
        numbers.insert(
            "statistic".into(),
            json!(if r.discrete { "chi_square" } else { "ks" }),
        );
        numbers.insert(
            "best".into(),
            order.first().map_or(Json::Null, |&i| json!(labels[i])),
        );
        numbers.insert(
            "order".into(),
            json!(order.iter().map(|&i| &labels[i]).collect::<Vec<_>>()),
        );
        numbers.insert(
            "unfitted".into(),
            json!(
                (0..r.fits.len())
                    .filter(|&i| r.fits[i].is_err())
                    .map(|i| &labels[i])
                    .collect::<Vec<_>>()
            ),
        );
        let mut warnings = Vec::new();
        for ((c, label), f) in self.families.0.iter().zip(&labels).zip(&r.fits) {
            numbers.insert(label.clone(), self.fit_numbers(c, f));
            match f {
                Ok(fitted) => warnings.extend(
                    fitted
                        .notes
                        .iter()
                        .map(|note| format!("{}: {note}", c.name())),
                ),
                Err(why) => warnings.push(format!("{} could not be fitted: {why}", c.name())),
            }
        }
        Outcome {
            numbers: numbers.into(),
            tables: vec![self.table(r, &order), self.params_table(r, &order)],
            figures: vec![self.fits_figure(r, &order), self.qq_figure(r, &order)],
            warnings,
        }
    }
}

/// A number as JSON, `+∞` as `"inf"` (as `likely kl --json` writes it).
fn number(x: f64) -> Json {
    crate::json::number(&x, serde_json::value::Serializer).unwrap_or(Json::Null)
}

impl Spec {
    fn fit_numbers(&self, c: &Candidate, f: &Result<Fitted, String>) -> Json {
        let f = match f {
            Ok(f) => f,
            Err(why) => {
                // The fit's fields are absent rather than null, so that a
                // post quoting one stops at that line.
                return json!({ "fitted": false, "name": c.name(), "reason": why });
            }
        };
        let mut m = Map::new();
        m.insert("fitted".into(), json!(true));
        m.insert("name".into(), json!(c.name()));
        m.insert("fit".into(), json!(f.dist));
        m.insert("params".into(), f.params.clone().into());
        if let Some(se) = &f.stderr {
            m.insert("stderr".into(), se.clone().into());
        }
        if let Candidate::Family { fixed: Some(x), .. } = c {
            m.insert("fixed".into(), json!({ x.param: x.value }));
        }
        m.insert("free_params".into(), json!(f.free));
        m.insert("loglik".into(), number(f.loglik));
        m.insert("aic".into(), number(f.aic));
        m.insert("bic".into(), number(f.bic));
        m.insert("delta_aic".into(), number(f.delta_aic));
        m.insert("weight".into(), number(f.weight));
        match &f.gof {
            Gof::Ks(d) => {
                m.insert("ks_d".into(), number(*d));
            }
            Gof::ChiSquare(c) => {
                let mut chi = Map::new();
                chi.insert("value".into(), number(c.value));
                chi.insert("cells".into(), json!(c.cells));
                if let Some(df) = c.df {
                    chi.insert("df".into(), json!(df));
                }
                if let Some(p) = c.p_value {
                    chi.insert("p_value".into(), number(p));
                }
                m.insert("chi_square".into(), chi.into());
            }
            Gof::Unavailable(_) => {}
        }
        if let Some(Ok(v)) = &f.kl {
            m.insert("kl".into(), number(v.value));
            m.insert("kl_method".into(), json!(v.method));
        }
        m.into()
    }

    fn table(&self, r: &Findings, order: &[usize]) -> Table {
        let has_kl = self.data.dist().is_some();
        let unfitted = r.fits.iter().any(Result::is_err);
        let mut columns = vec![
            Column::new("family", Format::Int),
            Column::new("free parameters", Format::Int),
            Column::new("log-likelihood", Format::Fixed(2)),
            Column::new("AIC", Format::Fixed(2)),
            Column::new("ΔAIC", Format::Fixed(2)),
            Column::new("Akaike weight", Format::Sci(2)),
            Column::new("BIC", Format::Fixed(2)),
        ];
        if r.discrete {
            columns.push(Column::new("χ²", Format::Fixed(2)));
            columns.push(Column::new("df", Format::Int));
            columns.push(Column::new("p-value", Format::Sci(2)));
        } else {
            columns.push(Column::new("KS D", Format::Fixed(4)));
        }
        if has_kl {
            columns.push(Column::new("KL(data ‖ fit)", Format::Sci(3)));
        }
        if unfitted {
            columns.push(Column::new("note", Format::Int));
        }
        let dash = || Cell::Text("—".into());
        let mut rows = Vec::new();
        for &i in order {
            let Ok(f) = &r.fits[i] else { continue };
            let mut row = vec![
                Cell::Text(self.families.0[i].name()),
                Cell::Num(f.free as f64),
                Cell::Num(f.loglik),
                Cell::Num(f.aic),
                Cell::Num(f.delta_aic),
                Cell::Num(f.weight),
                Cell::Num(f.bic),
            ];
            match (&f.gof, r.discrete) {
                (Gof::Ks(d), _) => row.push(Cell::Num(*d)),
                (Gof::ChiSquare(c), _) => {
                    row.push(Cell::Num(c.value));
                    row.push(c.df.map_or_else(dash, |d| Cell::Num(d as f64)));
                    row.push(c.p_value.map_or_else(dash, Cell::Num));
                }
                (Gof::Unavailable(_), true) => row.extend([dash(), dash(), dash()]),
                (Gof::Unavailable(_), false) => row.push(dash()),
            }
            if has_kl {
                row.push(match &f.kl {
                    Some(Ok(v)) if v.value == f64::INFINITY => Cell::Text("∞".into()),
                    Some(Ok(v)) => Cell::Num(v.value),
                    _ => dash(),
                });
            }
            if unfitted {
                row.push(Cell::Text(String::new()));
            }
            rows.push(row);
        }
        for (c, f) in self.families.0.iter().zip(&r.fits) {
            let Err(why) = f else { continue };
            let mut row = vec![Cell::Text(c.name())];
            row.extend((2..columns.len()).map(|_| dash()));
            row.push(Cell::Text(format!("not fitted: {why}")));
            rows.push(row);
        }
        Table {
            name: "fits".into(),
            columns,
            rows,
        }
    }

    fn params_table(&self, r: &Findings, order: &[usize]) -> Table {
        let mut rows = Vec::new();
        for &i in order {
            let (c, Ok(f)) = (&self.families.0[i], &r.fits[i]) else {
                continue;
            };
            let fixed = match c {
                Candidate::Family { fixed: Some(x), .. } => Some(x.param),
                _ => None,
            };
            for (name, value) in &f.params {
                let se = f.stderr.as_ref().and_then(|s| s.get(name));
                let entries: Vec<(String, f64, Option<f64>)> = match value {
                    Json::Array(values) => values
                        .iter()
                        .enumerate()
                        .map(|(k, v)| {
                            let se = se.and_then(|s| s.get(k)).and_then(Json::as_f64);
                            (format!("{name}[{k}]"), v.as_f64().unwrap_or(f64::NAN), se)
                        })
                        .collect(),
                    v => vec![(
                        name.clone(),
                        v.as_f64().unwrap_or(f64::NAN),
                        se.and_then(Json::as_f64),
                    )],
                };
                for (param, estimate, se) in entries {
                    let se = if fixed == Some(name.as_str()) {
                        Cell::Text("fixed".into())
                    } else {
                        se.map_or_else(|| Cell::Text("—".into()), Cell::Num)
                    };
                    rows.push(vec![
                        Cell::Text(c.name()),
                        Cell::Text(format!("`{param}`")),
                        Cell::Num(estimate),
                        se,
                    ]);
                }
            }
        }
        Table {
            name: "params".into(),
            columns: vec![
                Column::new("family", Format::Int),
                Column::new("parameter", Format::Int),
                Column::new("estimate", Format::Sci(4)),
                Column::new("standard error", Format::Sci(2)),
            ],
            rows,
        }
    }

/// The fits drawn: at most [`MAX_DRAWN`], the lowest AIC first, with
    /// their colours; and a note for the title when some are left out.
    fn drawn<'a>(&self, r: &'a Findings, order: &[usize]) -> (Vec<(usize, &'a Fitted, usize)>, String) {
        let colours = [
            color::BLUE,
            color::VERMILLION,
            color::GREEN,
            color::ORANGE,
            color::PURPLE,
            color::SKY,
        ];
        let drawn = order
            .iter()
            .take(MAX_DRAWN)
            .enumerate()
            .filter_map(|(rank, &i)| r.fits[i].as_ref().ok().map(|f| (i, f, colours[rank])))
            .collect();
        let note = if order.len() > MAX_DRAWN {
            format!(" (the {MAX_DRAWN} best of {} by AIC)", order.len())
        } else {
            String::new()
        };
        (drawn, note)
    }

    fn fits_figure(&self, r: &Findings, order: &[usize]) -> Figure {
        let (drawn, note) = self.drawn(r, order);
        let h = &r.histogram;
        let mut series = vec![Series::bars(
            &format!("data (n = {})", r.n),
            color::BLACK,
            h.lo.clone(),
            h.hi.clone(),
            h.heights.clone(),
        )];
        for (rank, &(i, f, colour)) in drawn.iter().enumerate() {
            let label = format!("{}, ΔAIC {:.1}", self.families.0[i].name(), f.delta_aic);
            series.push(Series::line(
                &label,
                colour,
                r.grid.clone(),
                f.density.clone(),
                rank % 2 == 1,
                r.discrete.then_some(Marker::Circle),
            ));
        }
        // A density spiking far above the histogram (a narrow mixture
        // component) is cut at twice the tallest bar, so that the bars
        // stay readable; below that, the axis holds every curve.
        let tallest = h.heights.iter().copied().fold(0.0, f64::max);
        let peak = drawn
            .iter()
            .flat_map(|(_, f, _)| f.density.iter().copied())
            .filter(|y| y.is_finite())
            .fold(tallest, f64::max);
        let top = peak.min(2.0 * tallest);
        let (legend, top) = legend_place(&series, 1.05 * top);
        let mut y = Axis::linear(if r.discrete {
            "probability"
        } else {
            "density"
        });
        if top > 0.0 {
            y = y.with_range(0.0, top);
        }
        let x = match &self.data {
            Data::File(DataFile {
                column: Some(c), ..
            }) => c.as_str(),
            _ => "x",
        };
        Figure {
            name: "fits".into(),
            width: FITS_FIGURE.0,
            height: FITS_FIGURE.1,
            panels: vec![Panel::Plot(Plot {
                title: format!("Fits to {}{note}", self.data.label()),
                x: Axis::linear(x),
                y,
                series,
                legend,
            })],
        }
    }

    fn qq_figure(&self, r: &Findings, order: &[usize]) -> Figure {
        let (drawn, _) = self.drawn(r, order);
        let panels: Vec<Panel> = drawn
            .iter()
            .map(|&(i, f, colour)| {
                let (fitted, sample) = &f.qq;
                let ends = fitted
                    .iter()
                    .chain(sample)
                    .copied()
                    .filter(|v| v.is_finite())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                        (a.min(v), b.max(v))
                    });
                let mut series = Vec::new();
                if ends.0 < ends.1 {
                    series.push(Series::line(
                        "y = x",
                        color::BLACK,
                        vec![ends.0, ends.1],
                        vec![ends.0, ends.1],
                        true,
                        None,
                    ));
                }
                series.push(Series {
                    label: String::new(),
                    color: colour,
                    shape: Shape::Points {
                        xs: fitted.clone(),
                        ys: sample.clone(),
                        marker: Marker::Circle,
                    },
                });
                Panel::Plot(Plot {
                    title: self.families.0[i].name(),
                    x: Axis::linear("fitted quantile"),
                    y: Axis::linear("sample quantile"),
                    series,
                    legend: Corner::LowerRight,
                })
            })
            .collect();
        // Two panels a row, so that each keeps the text size of a figure
        // on its own; the figure's height makes the renderer wrap them.
        let k = panels.len().max(1) as u32;
        let (width, height) = match k {
            1 => (560, 440),
            k => (2 * QQ_PANEL.0, k.div_ceil(2) * QQ_PANEL.1),
        };
        Figure {
            name: "qq".into(),
            width,
            height,
            panels,
        }
    }
}

/// The size of the figure of fits, in pixels.
const FITS_FIGURE: (u32, u32) = (720, 460);

/// The legend of the figure of fits, as shares of its plotting area: a
/// row's height, the box's height besides its rows, a character's width
/// and the box's width besides its text (measured on the rendered figure,
/// with a little to spare).
const LEGEND_ROW: f64 = 0.055;
const LEGEND_PAD: f64 = 0.05;
const LEGEND_CHAR: f64 = 0.011;
const LEGEND_SIDE: f64 = 0.1;

/// Where the legend of `series` goes and how high the y axis must then
/// reach, at least `top`: in the upper corner over the lower side of the
/// drawing, with the axis raised until the legend's box clears every bar
/// and curve (cut at `top`) beneath it.
fn legend_place(series: &[Series], top: f64) -> (Corner, f64) {
    let mut marks: Vec<(f64, f64, f64)> = Vec::new();
    for s in series {
        match &s.shape {
            Shape::Bars { lo, hi, heights } => {
                marks.extend((0..lo.len()).map(|i| (lo[i], hi[i], heights[i])));
            }
            Shape::Line { xs, ys, .. } => marks.extend(xs.iter().zip(ys).map(|(&x, &y)| (x, x, y))),
            _ => {}
        }
    }
    marks.retain(|m| m.0.is_finite() && m.1.is_finite() && m.2.is_finite());
    let (x0, x1) = marks
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), m| (a.min(m.0), b.max(m.1)));
    if !(x1 > x0 && top > 0.0) {
        return (Corner::UpperRight, top);
    }
    let chars = series.iter().map(|s| s.label.chars().count()).max().unwrap_or(0);
    let width = (LEGEND_SIDE + LEGEND_CHAR * chars as f64).min(1.0) * (x1 - x0);
    let height = (LEGEND_PAD + LEGEND_ROW * series.len() as f64).min(0.9);
    // The top an axis needs for the box over [a, b] to clear the marks.
    let needed = |a: f64, b: f64| {
        let highest = marks
            .iter()
            .filter(|m| m.0 <= b && m.1 >= a)
            .map(|m| m.2.min(top))
            .fold(0.0, f64::max);
        (highest / (1.0 - height)).max(top)
    };
    let (left, right) = (needed(x0, x0 + width), needed(x1 - width, x1));
    if left < right {
        (Corner::UpperLeft, left)
    } else {
        (Corner::UpperRight, right)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::dist::Gamma;
    use crate::numeric::special::erf;
    use crate::testing::{assert_close, assert_relative};

    /// A spec over the observations `xs`, as if read from a file.
    fn on(xs: &[f64], families: &str) -> Spec {
        Spec {
            data: Data::File(DataFile {
                path: "x.csv".into(),
                column: None,
                values: Arc::new(xs.to_vec()),
                hash: String::new(),
            }),
            sample_size: None,
            families: crate::yaml::from_yaml(families).unwrap(),
        }
    }

    fn spec(src: &str) -> Result<Spec, String> {
        crate::yaml::from_yaml::<Spec>(src).map_err(|e| e.to_string())
    }

    fn run(s: &Spec) -> Findings {
        s.compute(&Ctx::new(1, &|_| {})).unwrap()
    }

    fn fitted(r: &Findings, k: usize) -> &Fitted {
        r.fits[k].as_ref().unwrap()
    }

    fn param(f: &Fitted, name: &str) -> f64 {
        f.params[name].as_f64().unwrap()
    }

    #[test]
    fn aic_bic_and_weights_follow_the_textbook_formulas() {
        let xs = [0.2, 0.5, 0.9, 1.4, 2.3, 4.1];
        let n = xs.len() as f64;
        let r = run(&on(&xs, "[normal, exponential]"));
        // The MLEs in closed form: the mean and the biased std; 1/mean.
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        let ll_normal = -0.5 * n * ((2.0 * std::f64::consts::PI * var).ln() + 1.0);
        let ll_exponential = -n * mean.ln() - n;
        let (normal, exponential) = (fitted(&r, 0), fitted(&r, 1));
        assert_close(param(normal, "mean"), mean, 1e-15);
        assert_close(param(normal, "std"), var.sqrt(), 1e-15);
        assert_close(param(exponential, "rate"), 1.0 / mean, 1e-15);
        assert!((normal.loglik - ll_normal).abs() < 1e-12, "{}", normal.loglik);
        assert!((exponential.loglik - ll_exponential).abs() < 1e-12);
        let aic = [4.0 - 2.0 * ll_normal, 2.0 - 2.0 * ll_exponential];
        let bic = [2.0 * n.ln() - 2.0 * ll_normal, n.ln() - 2.0 * ll_exponential];
        let best = aic[0].min(aic[1]);
        let raw = [(-(aic[0] - best) / 2.0).exp(), (-(aic[1] - best) / 2.0).exp()];
        for (k, f) in [normal, exponential].into_iter().enumerate() {
            assert!((f.aic - aic[k]).abs() < 1e-12, "AIC {k}");
            assert!((f.bic - bic[k]).abs() < 1e-12, "BIC {k}");
            assert!((f.delta_aic - (aic[k] - best)).abs() < 1e-12, "ΔAIC {k}");
            assert!((f.weight - raw[k] / (raw[0] + raw[1])).abs() < 1e-12, "weight {k}");
        }
        // Here the exponential wins: AIC 19.39 against 24.35 (by hand).
        assert!(aic[1] < aic[0]);
        let out = on(&xs, "[normal, exponential]").report(&r);
        assert_eq!(out.numbers["best"], "exponential");
        assert_eq!(out.numbers["order"], json!(["exponential", "normal"]));
        assert_eq!(out.numbers["n"], 6);
        assert_eq!(out.numbers["normal"]["free_params"], 2);
        assert_eq!(out.tables[0].formatted()[0][0], "exponential");
    }

    /// References from scipy 1.17 on the same 20 values, each the
    /// likelihood's maximiser to double precision: the log-normal and
    /// Laplace in closed form (`scipy.stats.lognorm.fit(xs, floc=0)`,
    /// `laplace.fit(xs)`, which agree); the gamma's shape by
    /// `scipy.optimize.brentq` on its profile score `ln k − ψ(k) − s`
    /// (`scipy.special.digamma`); the t's location and scale by its EM
    /// iterated to a fixed point at `df = 5`, and with `df` free by `brentq`
    /// on the profile score for `df`; the normal mixture by EM to a fixed
    /// point, the best of five starts of `scipy.optimize.minimize`.
    /// `scipy.stats.*.fit` itself stops within about 1e-5 of these.
    /// Tolerances: 1e-12 for closed forms, 1e-9 for Newton's method (the
    /// gamma and t stop at a score of 1e-12), 1e-6 for EM (which stops
    /// when no parameter moves by 1e-10 in a step); log-likelihoods,
    /// flat at the maximum, to 1e-12.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn fitted_parameters_match_scipy() {
        let xs = [
            0.42, 1.87, 0.95, 3.61, 1.24, 0.18, 2.73, 1.56, 0.67, 5.12, 1.09, 2.05, 0.81, 1.33,
            4.27, 0.56, 1.71, 2.48, 0.99, 7.9,
        ];
        let s = on(
            &xs,
            "[gamma, lognormal, laplace, {student_t: {df: 5}}, student_t, {normal_mixture: {components: 2}}]",
        );
        let r = run(&s);
        let check = |k: usize, want: &[(&str, f64)], loglik: f64, rel: f64| {
            let f = fitted(&r, k);
            for &(name, value) in want {
                assert_relative(param(f, name), value, rel);
            }
            assert_relative(f.loglik, loglik, 1e-12);
        };
        check(
            0,
            &[("shape", 1.535_504_947_100_755), ("rate", 0.739_289_815_647_932_1)],
            -33.632_537_414_511_745,
            1e-9,
        );
        check(
            1,
            &[("meanlog", 0.371_233_234_108_227), ("sdlog", 0.881_361_575_631_402_6)],
            -33.277_688_901_767_06,
            1e-12,
        );
        check(
            2,
            &[("loc", 1.445), ("scale", 1.253)],
            -38.373_757_129_477_53,
            1e-12,
        );
        check(
            3,
            &[("df", 5.0), ("loc", 1.660_014_377_167_911_4), ("scale", 1.262_186_744_424_512_3)],
            -38.715_380_099_648_65,
            1e-9,
        );
        check(
            4,
            &[
                ("df", 1.694_711_779_107_511_5),
                ("loc", 1.377_474_739_344_322_7),
                ("scale", 0.838_177_147_869_082_7),
            ],
            -37.717_774_825_503_6,
            1e-9,
        );
        let mixture = fitted(&r, 5);
        let list = |name: &str| -> Vec<f64> {
            mixture.params[name]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        let (w, m, sd) = (list("weights"), list("means"), list("stds"));
        for (got, want) in [
            (w[0], 0.699_191_242_783_122_6),
            (m[0], 1.181_449_295_727_855_5),
            (m[1], 4.158_592_356_847_145),
            (sd[0], 0.628_296_830_384_148_3),
            (sd[1], 2.057_656_182_475_935),
        ] {
            assert_relative(got, want, 1e-6);
        }
        assert_relative(mixture.loglik, -33.906_698_640_337_4, 1e-10);
        // The lognormal is best by AIC, then the gamma (same k).
        let out = s.report(&r);
        assert_eq!(out.numbers["best"], "lognormal");
        assert_eq!(out.numbers["order"][1], "gamma");
    }

    /// D against the fitted normal, computed here from its definition
    /// with the normal CDF written through erf.
    #[test]
    fn the_ks_distance_is_to_the_fitted_distribution_function() {
        let xs = [2.1, -0.4, 0.9, 1.6, 0.2, 3.4, 1.1, -1.2];
        let r = run(&on(&xs, "[normal]"));
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let std = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt();
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut d = 0.0f64;
        for (i, x) in sorted.iter().enumerate() {
            let f = 0.5 * (1.0 + erf((x - mean) / (std * 2f64.sqrt())));
            d = d.max((i as f64 + 1.0) / n - f).max(f - i as f64 / n);
        }
        let Gof::Ks(got) = fitted(&r, 0).gof else {
            panic!("a KS distance")
        };
        assert!((got - d).abs() < 1e-12, "{got} vs {d}");
    }

    #[test]
    fn a_fixed_parameter_is_held_and_not_counted_and_a_mixture_counts_3k_minus_1() {
        // Two clusters, for the mixtures.
        let xs: Vec<f64> = (0..60)
            .map(|i| {
                let u = f64::from(i % 30) / 29.0 - 0.5;
                if i < 30 { u } else { 4.0 + 2.0 * u }
            })
            .collect();
        let s = on(
            &xs,
            "[{student_t: {df: 5}}, {normal_mixture: {components: 2}}, {normal_mixture: {components: 3}}, normal]",
        );
        let r = run(&s);
        let t = fitted(&r, 0);
        assert_eq!(param(t, "df"), 5.0);
        assert_eq!(t.free, 2);
        assert!(!t.stderr.as_ref().unwrap().contains_key("df"));
        assert!((t.aic - (4.0 - 2.0 * t.loglik)).abs() < 1e-12);
        assert_eq!(fitted(&r, 1).free, 5);
        assert_eq!(fitted(&r, 2).free, 8);
        assert_eq!(fitted(&r, 3).free, 2);
        let bic = fitted(&r, 2).bic;
        assert!((bic - (8.0 * 60f64.ln() - 2.0 * fitted(&r, 2).loglik)).abs() < 1e-10);
        let out = s.report(&r);
        let t = &out.numbers["student_t_df5"];
        assert_eq!(t["fixed"], json!({"df": 5.0}));
        assert_eq!(t["free_params"], 2);
        assert_eq!(out.numbers["normal_mixture_3"]["free_params"], 8);
        // The parameter table says so.
        let rows = out.tables[1].formatted();
        assert!(
            rows.iter()
                .any(|r| r[0] == "student_t (df = 5)" && r[1] == "`df`" && r[3] == "fixed"),
            "{rows:?}"
        );
    }

    #[test]
    fn a_family_that_cannot_be_fitted_is_reported_and_the_others_go_on() {
        let xs = [-1.5, 0.3, 0.8, 2.2];
        let s = on(
            &xs,
            "[exponential, normal, {normal_mixture: {components: 2}}]",
        );
        let r = run(&s);
        assert!(r.fits[0].as_ref().unwrap_err().contains("outside the support"));
        assert!(r.fits[2].as_ref().unwrap_err().contains("too few"));
        assert_eq!(fitted(&r, 1).weight, 1.0);
        let out = s.report(&r);
        let n = &out.numbers;
        assert_eq!(n["best"], "normal");
        assert_eq!(n["order"], json!(["normal"]));
        assert_eq!(n["unfitted"], json!(["exponential", "normal_mixture_2"]));
        assert_eq!(n["exponential"]["fitted"], false);
        assert!(n["exponential"]["reason"].as_str().unwrap().contains("observation 1 is -1.5"));
        assert!(n["exponential"].get("aic").is_none());
        let rows = out.tables[0].formatted();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][0], "normal");
        assert_eq!(rows[1][0], "exponential");
        assert!(rows[1].last().unwrap().starts_with("not fitted: "), "{rows:?}");
        assert_eq!(rows[1][3], "—");
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert!(out.warnings[0].starts_with("exponential could not be fitted"));
        let Panel::Plot(fits) = &out.figures[0].panels[0] else {
            panic!("a plot")
        };
        assert_eq!(fits.series.len(), 2, "the data and the one fit");
        assert_eq!(out.figures[1].panels.len(), 1);
    }

    #[test]
    fn when_no_family_can_be_fitted_the_experiment_fails_with_every_reason() {
        let s = on(&[-1.0, 2.0, 3.0], "[exponential, gamma]");
        let e = s.compute(&Ctx::new(1, &|_| {})).unwrap_err().to_string();
        assert!(e.starts_with("no family could be fitted to x.csv: "), "{e}");
        assert!(e.contains("exponential: ") && e.contains("gamma: "), "{e}");
    }

    #[test]
    fn discrete_families_are_compared_by_chi_square() {
        let s = spec(
            "data: {poisson: {rate: 3}}\nsample_size: 400\nfamilies: [poisson, categorical, geometric]\n",
        )
        .unwrap();
        s.validate().unwrap();
        let r = s.compute(&Ctx::new(4, &|_| {})).unwrap();
        assert!(r.discrete);
        let poisson = fitted(&r, 0);
        let Gof::ChiSquare(chi) = &poisson.gof else {
            panic!("a chi-square")
        };
        assert_eq!(chi.df, Some(chi.cells - 2));
        // A sample of the fitted family: the statistic is of the order of
        // its degrees of freedom.
        assert!(chi.p_value.unwrap() > 0.001, "{chi:?}");
        // The categorical has a probability per value seen but the last.
        let categorical = fitted(&r, 1);
        let top = categorical.params["probs"].as_array().unwrap().len();
        assert_eq!(categorical.free, top - 1);
        // Geometric counts start at 1, and the sample holds zeros.
        assert!(r.fits[2].as_ref().unwrap_err().contains("observation"));
        let out = s.report(&r);
        assert_eq!(out.numbers["statistic"], "chi_square");
        assert_eq!(out.numbers["best"], "poisson");
        assert!(out.numbers["poisson"]["chi_square"]["p_value"].is_number());
        // KL(Poisson(3) ‖ fit) is the registry's closed form.
        let rate = param(poisson, "rate");
        let want = 3.0 * (3.0 / rate).ln() + rate - 3.0;
        let Some(Ok(kl)) = &poisson.kl else {
            panic!("a divergence")
        };
        assert!((kl.value - want).abs() < 1e-12 * want.max(1e-3), "{} vs {want}", kl.value);
        // Bars for the data, the masses as lines with markers.
        let Panel::Plot(p) = &out.figures[0].panels[0] else {
            panic!("a plot")
        };
        assert!(matches!(p.series[0].shape, Shape::Bars { .. }));
        assert!(matches!(
            p.series[1].shape,
            Shape::Line {
                marker: Some(_),
                ..
            }
        ));
        assert_eq!(p.y.label, "probability");
    }

    #[test]
    fn the_divergence_from_the_data_is_the_closed_form_at_the_fit() {
        let s = spec("data: {gamma: {shape: 2, rate: 1}}\nsample_size: 300\nfamilies: [gamma, normal]\n")
            .unwrap();
        let r = s.compute(&Ctx::new(2, &|_| {})).unwrap();
        let g = fitted(&r, 0);
        let q = Gamma::new(param(g, "shape"), param(g, "rate")).unwrap();
        let want = crate::dist::gamma::kl_gamma_gamma(&Gamma::new(2.0, 1.0).unwrap(), &q);
        let Some(Ok(got)) = &g.kl else {
            panic!("a divergence")
        };
        assert_relative(got.value, want, 1e-12);
        let out = s.report(&r);
        assert_eq!(out.numbers["gamma"]["kl_method"], "closed_form");
        assert!(out.tables[0].columns.iter().any(|c| c.header == "KL(data ‖ fit)"));
        // Data from a file have no divergence.
        let file = on(&[1.0, 2.0, 4.0], "[gamma]");
        let out = file.report(&run(&file));
        assert!(out.numbers["gamma"].get("kl").is_none());
        assert!(!out.tables[0].columns.iter().any(|c| c.header == "KL(data ‖ fit)"));
    }

    #[test]
    fn families_are_checked_where_they_are_read() {
        let head = "data: {gamma: {shape: 2, rate: 1}}\nsample_size: 50\nfamilies: ";
        for (families, expected) in [
            ("[gamma, gama]", "unknown family `gama`"),
            ("[mixture]", "the mixture family has no maximum-likelihood fit"),
            ("[{normal: {sd: 1}}]", "unknown parameter `sd` of normal"),
            ("[{normal: {mean: 0}}]", "normal is fitted with every parameter free"),
            ("[{student_t: {loc: 0}}]", "it can hold df fixed"),
            ("[{student_t: {df: 0}}]", "df: must be a finite number > 0, got 0"),
            ("[{student_t: {df: 3, df: 4}}]", "at most one parameter held fixed"),
            ("[gamma, lognormal, gamma]", "gamma is listed twice"),
            ("[{student_t: {df: 5}}, {student_t: {df: 5.0}}]", "listed twice (as `student_t_df5`)"),
            ("[normal, poisson]", "normal is continuous and poisson is discrete"),
            ("[normal_mixture]", "needs its number of components"),
            ("[{normal_mixture: {}}]", "needs `components`"),
            ("[{normal_mixture: {components: 0}}]", "from 1"),
            ("[{normal_mixture: {components: 11}}]", "at most 10 components, got 11"),
            ("[{normal_mixture: {k: 2}}]", "unknown field `k` of normal_mixture"),
            ("[{gamma: {}, normal: {}}]", "an entry names one family"),
            ("[]", "the list is empty"),
            ("gamma", "expected a list of families"),
        ] {
            let e = spec(&format!("{head}{families}\n")).unwrap_err();
            assert!(e.contains(expected), "{families}: {e}");
            assert!(e.contains("line 3 column"), "{families}: {e}");
        }
        let e = spec(&format!("{head}[gamma]\nsample: 3\n")).unwrap_err();
        assert!(e.contains("unknown field `sample`"), "{e}");
    }

    #[test]
    fn a_sample_size_goes_with_a_distribution_and_only_with_one() {
        let e = spec("data: {gamma: {shape: 2, rate: 1}}\nfamilies: [gamma]\n")
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.starts_with("data: gamma(shape=2, rate=1) is a distribution"), "{e}");
        let mut s = on(&[1.0, 2.0], "[gamma]");
        s.sample_size = Some(Count(10));
        let e = s.validate().unwrap_err();
        assert!(e.starts_with("sample_size: the data are the 2 observations of x.csv"), "{e}");
        s.sample_size = None;
        assert!(s.validate().is_ok());
    }

    #[test]
    fn labels_are_names_a_post_can_write() {
        let s = on(
            &[1.0],
            "[gamma, {student_t: {df: 5}}, {student_t: {df: 2.5}}, {normal_mixture: {components: 2}}]",
        );
        let labels: Vec<String> = s.families.0.iter().map(Candidate::label).collect();
        assert_eq!(
            labels,
            ["gamma", "student_t_df5", "student_t_df2_5", "normal_mixture_2"]
        );
        let tiny = on(&[1.0], "[{student_t: {df: 1e-7}}]").families.0[0].label();
        assert!(
            tiny.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{tiny}"
        );
    }

    #[test]
    fn every_family_with_a_fit_knows_whether_it_is_discrete() {
        for family in FAMILIES.iter().filter(|f| f.has_fit) {
            assert!(example(family).is_some(), "{}", family.name);
        }
        let discrete = |name: &str| {
            Candidate::Family {
                family: FamilyDef::find(name).unwrap(),
                fixed: None,
            }
            .is_discrete()
        };
        assert!(discrete("poisson") && discrete("categorical") && discrete("bernoulli"));
        assert!(!discrete("gamma") && !discrete("uniform") && !discrete("student_t"));
    }

    /// Every path to a leaf of `v`, lists counted as leaves.
    fn paths(v: &Json, prefix: &str, out: &mut Vec<String>) {
        match v {
            Json::Object(map) => {
                for (k, v) in map {
                    paths(v, &format!("{prefix}.{k}"), out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }

    #[test]
    fn posts_are_checked_against_numbers_of_the_same_shape() {
        let s = spec(
            "data: {gamma: {shape: 2, rate: 1}}\nsample_size: 200\nfamilies: [gamma, {student_t: {df: 5}}, {normal_mixture: {components: 2}}]\n",
        )
        .unwrap();
        let (mut real, mut dry) = (Vec::new(), Vec::new());
        paths(&s.report(&run(&s)).numbers, "", &mut real);
        paths(&s.report(&s.placeholder()).numbers, "", &mut dry);
        assert_eq!(real, dry);
        assert_eq!(s.report(&s.placeholder()).figures.len(), 2);
    }

    #[test]
    fn figures_show_at_most_six_fits_the_best_first() {
        let s = spec(
            "data: {gamma: {shape: 2, rate: 1}}\nsample_size: 400\nfamilies: [normal, laplace, gamma, lognormal, exponential, student_t, {student_t: {df: 5}}, {normal_mixture: {components: 2}}]\n",
        )
        .unwrap();
        let r = s.compute(&Ctx::new(3, &|_| {})).unwrap();
        assert!(r.fits.iter().all(Result::is_ok));
        let out = s.report(&r);
        let Panel::Plot(fits) = &out.figures[0].panels[0] else {
            panic!("a plot")
        };
        assert!(fits.title.ends_with("(the 6 best of 8 by AIC)"), "{}", fits.title);
        assert_eq!(fits.series.len(), 7);
        let best = out.numbers["best"].as_str().unwrap();
        let best_name = &s.families.0[s.families.0.iter().position(|c| c.label() == best).unwrap()];
        assert!(fits.series[1].label.starts_with(&best_name.name()), "{}", fits.series[1].label);
        assert!(fits.series[1].label.ends_with("ΔAIC 0.0"));
        let qq = &out.figures[1];
        assert_eq!(qq.panels.len(), 6);
        assert_eq!((qq.width, qq.height), (840, 1020));
        // Each QQ plot spans the sample, from its smallest to its largest
        // observation.
        let Panel::Plot(first) = &qq.panels[0] else {
            panic!("a plot")
        };
        let Shape::Points { ys, .. } = &first.series[1].shape else {
            panic!("points")
        };
        assert_eq!(ys.len(), QQ_POINTS);
        assert!(ys.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn the_legend_sits_over_the_lower_side_and_the_axis_rises_to_clear_it() {
        let bars = |heights: Vec<f64>| {
            let lo: Vec<f64> = (0..heights.len()).map(|i| i as f64).collect();
            let hi = lo.iter().map(|l| l + 1.0).collect();
            Series::bars("data", 0, lo, hi, heights)
        };
        let fit = |label: &str| Series::line(label, 1, vec![0.0, 10.0], vec![0.1, 0.1], false, None);
        // Tall on the right: the legend goes left, over bars 0.2 high; a
        // box of three rows (0.05 + 3 × 0.055 of the height) clears them
        // below a top of 1.
        let right = vec![bars(vec![0.2, 0.2, 0.2, 0.5, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0]), fit("a"), fit("b")];
        assert_eq!(legend_place(&right, 1.0), (Corner::UpperLeft, 1.0));
        // Tall on both sides: the axis rises until the box clears them.
        let both = vec![bars(vec![0.9, 0.9, 0.9, 0.5, 0.1, 0.1, 0.5, 1.0, 1.0, 1.0]), fit("a"), fit("b")];
        let (corner, top) = legend_place(&both, 1.0);
        assert_eq!(corner, Corner::UpperLeft);
        assert!((top - 0.9 / (1.0 - (LEGEND_PAD + 3.0 * LEGEND_ROW))).abs() < 1e-12, "{top}");
        // Nothing drawn: the default corner.
        assert_eq!(legend_place(&[], 1.0), (Corner::UpperRight, 1.0));
    }

    #[test]
    fn histograms_hold_all_the_data() {
        let xs: Vec<f64> = (0..500).map(|i| (f64::from(i) * 0.618_034).fract() * 3.0).collect();
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let (h, grid) = histogram(&sorted, false);
        let mass: f64 = (0..h.lo.len()).map(|j| h.heights[j] * (h.hi[j] - h.lo[j])).sum();
        assert!((mass - 1.0).abs() < 1e-12, "{mass}");
        assert_eq!(h.lo.len(), gof::histogram_bins(&sorted, MIN_BINS, MAX_BINS));
        assert_eq!(grid.len(), CURVE_POINTS);
        // Whole numbers: one bar a number, or runs of them beyond 60.
        for top in [7.0, 500.0] {
            let counts: Vec<f64> = (0..1000).map(|i| (f64::from(i) * 0.377).fract() * top).map(f64::floor).collect();
            let mut sorted = counts.clone();
            sorted.sort_by(f64::total_cmp);
            let (h, _) = histogram(&sorted, true);
            let width = ((sorted[999] - sorted[0] + 1.0) / MAX_BINS as f64).ceil().max(1.0);
            let mass: f64 = h.heights.iter().map(|p| p * width).sum();
            assert!((mass - 1.0).abs() < 1e-12, "{top}: {mass}");
            assert!(h.lo.len() <= MAX_BINS);
        }
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let s = spec(
            "data: {lognormal: {meanlog: 0, sdlog: 0.5}}\nsample_size: 300\nfamilies: [gamma, lognormal, {normal_mixture: {components: 2}}, student_t]\n",
        )
        .unwrap();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let a = one.install(|| s.compute(&Ctx::new(9, &|_| {})).unwrap());
        let b = s.compute(&Ctx::new(9, &|_| {})).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_work_grows_with_the_sample_and_the_families() {
        let size = |n: usize, families: &str| {
            spec(&format!(
                "data: {{normal: {{mean: 0, std: 1}}}}\nsample_size: {n}\nfamilies: {families}\n"
            ))
            .unwrap()
            .size()
        };
        // The figures cost the same at any sample size; each observation
        // costs some fifty evaluations a family, and far more under EM.
        let per_observation = |families: &str| {
            let (small, large) = (size(1000, families), size(101_000, families));
            (large.evaluations - small.evaluations) / 100_000
        };
        let normal = per_observation("[normal]");
        assert!(normal >= 50, "{normal}");
        assert!(size(100_000, "[normal]").evaluations > 5 * size(1000, "[normal]").evaluations);
        assert_eq!(size(1000, "[normal, gamma]").tasks, 2);
        assert!(per_observation("[normal, gamma]") > normal);
        assert!(per_observation("[{normal_mixture: {components: 3}}]") > 10 * normal);
    }
}
