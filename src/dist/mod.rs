//! Distribution families: one file per family, and the registry that ties
//! them to the names users write.
//!
//! A family is a struct that implements [`Family`] (its name, its parameter
//! table, construction and, where one exists, maximum likelihood) and
//! [`Univariate`] (density, sampling, moments). [`Dist`] is the closed set of
//! families, dispatched by `match`, so hot loops pay no virtual call.
//!
//! Adding a family: write `dist/<name>.rs` and add one line to the
//! `families!` list below.

mod discrete;
pub mod mvnormal;
pub mod param;
pub mod syntax;
pub mod text;

use rand::Rng;

pub use crate::numeric::special::LN_SQRT_2PI;
pub use mvnormal::MvNormal;
pub use param::{Constraint, ParamDef, ParamError, ParamKind, ParamValue};

use crate::numeric::sum;

/// How fast a density falls off in its unbounded tails, which decides
/// whether `E_p[−ln q]` (and so `KL(p ‖ q)`) can be finite: against
/// Gaussian tails `p` needs a finite second moment, against exponential
/// tails a finite first moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tail {
    /// No unbounded tail.
    Bounded,
    /// `−ln p(x)` grows like `x²`.
    Gaussian,
    /// `−ln p(x)` grows like `|x|`.
    Exponential,
    /// `−ln p(x)` grows like `ln |x|` (or `(ln x)²`): any `p` with a
    /// finite log-moment has a finite `E_p[−ln q]`.
    Heavy,
}

/// A one-dimensional distribution: its density and how to draw from it.
pub trait Univariate {
    /// The log-density at `x` (log-mass for discrete families); `-inf`
    /// outside the support.
    fn ln_pdf(&self, x: f64) -> f64;
    /// One draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64;
    /// Fills `out` with draws: the values of as many calls of
    /// [`Univariate::sample`], in order. On [`Dist`] the family is resolved
    /// once for the whole slice rather than at every draw.
    fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        for x in out {
            *x = self.sample(rng);
        }
    }
    /// The mean.
    fn mean(&self) -> f64;
    /// The variance.
    fn variance(&self) -> f64;
    /// The differential entropy in nats, where a closed form exists.
    fn entropy(&self) -> Option<f64>;
    /// The smallest interval holding all the mass (may be infinite); for
    /// discrete families, the smallest and largest values with mass.
    fn support(&self) -> (f64, f64);
    /// Whether the family is discrete: `ln_pdf` is then a log-mass on whole
    /// numbers.
    fn is_discrete(&self) -> bool {
        false
    }
    /// How fast the density falls off in its tails: by default bounded for
    /// a bounded support and exponential otherwise.
    fn tail(&self) -> Tail {
        let (lo, hi) = self.support();
        if lo.is_finite() && hi.is_finite() {
            Tail::Bounded
        } else {
            Tail::Exponential
        }
    }
    /// The order of the first infinite absolute moment: `E|X|^r` is
    /// finite for every `r` below it.
    fn moment_limit(&self) -> f64 {
        f64::INFINITY
    }
    /// The support as disjoint intervals, for mixtures whose components
    /// leave gaps.
    fn support_set(&self) -> Vec<(f64, f64)> {
        vec![self.support()]
    }
    /// Points around which the mass concentrates, where numerical
    /// integrals are split: adaptive quadrature that never samples a narrow
    /// peak cannot know it is there.
    fn breakpoints(&self) -> Vec<f64> {
        let (m, v) = (self.mean(), self.variance());
        if !m.is_finite() {
            return Vec::new();
        }
        if !(v.is_finite() && v > 0.0) {
            return vec![m];
        }
        let s = v.sqrt();
        [-8.0, -3.0, -1.0, 0.0, 1.0, 3.0, 8.0]
            .iter()
            .map(|k| m + k * s)
            .collect()
    }
    /// A point in the bulk of the mass, where any kink of the density is,
    /// and the length over which the density changes there. Quadrature of
    /// integrals over the density splits the line at the point and measures
    /// the tails in that length, so that narrow or far-off members are not
    /// missed. The mean and standard deviation unless overridden (0 and 1
    /// where those are not finite).
    fn landmark(&self) -> (f64, f64) {
        let (mean, sd) = (self.mean(), self.variance().sqrt());
        if mean.is_finite() && sd.is_finite() && sd > 0.0 {
            (mean, sd)
        } else if mean.is_finite() && mean != 0.0 {
            // The variance overflowed (or underflowed) where the mean did
            // not: the mean's size is the scale.
            (mean, mean.abs())
        } else {
            (0.0, 1.0)
        }
    }
    /// `Σ ln p(x_i)`, summed in a fixed order. Families override this with a
    /// form that vectorises; the result must not depend on thread count.
    fn sum_ln_pdf(&self, xs: &[f64]) -> f64 {
        sum::lanes(xs, |x| self.ln_pdf(x))
    }
    /// `Σ ln p(loc + scale · e)` over `eps`, in the order of
    /// [`Univariate::sum_ln_pdf`]: the density at draws of a location–scale
    /// family made from common standard draws, with no buffer for them.
    fn sum_ln_pdf_affine(&self, eps: &[f64], loc: f64, scale: f64) -> f64 {
        sum::lanes(eps, |e| self.ln_pdf(loc + scale * e))
    }
}

/// What the registry needs to know about a family.
pub trait Family: Univariate + Sized {
    /// The name users write: `normal`, `mixture`, ...
    const NAME: &'static str;
    /// The parameters, in the order of [`Family::params`].
    const PARAMS: &'static [ParamDef];
    /// Whether [`Family::fit`] is implemented.
    const HAS_FIT: bool = false;
    /// Where the standard errors of a fit come from.
    const INFORMATION: Information = Information::None;
    /// Builds the family from values laid out as [`Family::PARAMS`].
    ///
    /// # Errors
    /// A [`ParamError`] naming the first invalid parameter.
    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError>;
    /// The parameter values, laid out as [`Family::PARAMS`].
    fn params(&self) -> Vec<ParamValue>;
    /// The maximum-likelihood fit to `xs`, where the family has one.
    ///
    /// # Errors
    /// [`FitError`] when the data cannot be fitted or the family has no fit.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        let _ = xs;
        Err(FitError::Unsupported(Self::NAME))
    }
    /// The maximum-likelihood fit to `xs` with the parameter `param` held
    /// at `value` (for example a Student t's `df`).
    ///
    /// # Errors
    /// [`FitError`] when the data cannot be fitted or the family cannot fix
    /// that parameter.
    fn fit_fixed(xs: &[f64], param: &str, value: f64) -> Result<Self, FitError> {
        let _ = (xs, value);
        Err(FitError::CannotFix {
            family: Self::NAME,
            param: param.to_string(),
        })
    }
    /// The asymptotic standard deviation of each parameter's MLE from one
    /// observation, `sqrt(diag(I(θ)⁻¹))`: the Cramér–Rao bound at `n = 1`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        None
    }
}

/// Why a fit failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// The family has no maximum-likelihood fit.
    #[error("the {0} family has no maximum-likelihood fit")]
    Unsupported(&'static str),
    /// The family cannot hold that parameter fixed while fitting the others.
    #[error("the {family} family cannot fit with `{param}` held fixed")]
    CannotFix {
        /// The family.
        family: &'static str,
        /// The parameter.
        param: String,
    },
    /// The data cannot be fitted.
    #[error("cannot fit {family}: {reason}")]
    Degenerate {
        /// The family being fitted.
        family: &'static str,
        /// What is wrong with the data.
        reason: String,
    },
}

impl FitError {
    /// A [`FitError::Degenerate`]: `family` cannot be fitted to these data,
    /// for `reason`.
    pub fn degenerate(family: &'static str, reason: impl Into<String>) -> Self {
        Self::Degenerate {
            family,
            reason: reason.into(),
        }
    }
}

/// Refuses data a fit cannot use: empty, or holding NaN or infinities.
///
/// # Errors
/// [`FitError::Degenerate`] saying what is wrong and where.
pub fn check_data(family: &'static str, xs: &[f64]) -> Result<(), FitError> {
    if xs.is_empty() {
        return Err(FitError::degenerate(family, "there are no observations"));
    }
    if let Some((i, x)) = xs.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(FitError::degenerate(
            family,
            format!("observation {} is {x}, not a finite number", i + 1),
        ));
    }
    Ok(())
}

/// [`check_data`], and every observation `inside` the support, which
/// `support` describes (`"x > 0"`).
///
/// # Errors
/// [`FitError::Degenerate`] naming the first observation outside.
pub fn check_support(
    family: &'static str,
    xs: &[f64],
    inside: impl Fn(f64) -> bool,
    support: &str,
) -> Result<(), FitError> {
    check_data(family, xs)?;
    match xs.iter().enumerate().find(|&(_, &x)| !inside(x)) {
        Some((i, x)) => Err(FitError::degenerate(
            family,
            format!(
                "observation {} is {x}, outside the support {support}",
                i + 1
            ),
        )),
        None => Ok(()),
    }
}

/// Where a fit's standard errors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Information {
    /// No standard errors.
    None,
    /// `sqrt(diag(I(θ̂)⁻¹) / n)` from the expected information of one
    /// observation ([`Family::cramer_rao`]) at the estimates. For a full
    /// exponential family this *is* the observed information: at the MLE,
    /// the observed information equals `n I(θ̂)` in any parametrisation,
    /// since the data enter the log-likelihood only through the sufficient
    /// statistics, which the MLE equation fixes. The closed form is exact
    /// where finite differences of the log-likelihood lose digits (large
    /// shapes, scales near the ends of the floating-point range). For a
    /// family that is not smooth at its MLE (Laplace's median), it is the
    /// asymptotic standard deviation of the estimator.
    Expected,
    /// The observed information, `−∇² ln L` at the estimates by central
    /// differences, for a family outside the exponential families whose
    /// observed and expected information differ (Student's t).
    Observed,
}

/// One row of the registry: a family as data.
#[derive(Debug, Clone, Copy)]
pub struct FamilyDef {
    /// The name users write.
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [ParamDef],
    /// Whether the family has a maximum-likelihood fit.
    pub has_fit: bool,
    /// Where the standard errors of a fit come from.
    pub information: Information,
    build: fn(&[ParamValue]) -> Result<Dist, ParamError>,
    fit: fn(&[f64]) -> Result<Dist, FitError>,
    fit_fixed: fn(&[f64], &str, f64) -> Result<Dist, FitError>,
}

/// Families are equal when their names are: a name is registered once.
impl PartialEq for FamilyDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl FamilyDef {
    /// Looks a family up by name.
    pub fn find(name: &str) -> Option<&'static FamilyDef> {
        FAMILIES.iter().find(|f| f.name == name)
    }

    /// Builds a member of the family.
    ///
    /// # Errors
    /// A [`ParamError`] naming the first invalid parameter.
    pub fn build(&self, values: &[ParamValue]) -> Result<Dist, ParamError> {
        (self.build)(values)
    }

    /// Builds a member from scalar parameters only.
    ///
    /// # Errors
    /// A [`ParamError`] naming the first invalid parameter.
    pub fn build_scalars(&self, values: &[f64]) -> Result<Dist, ParamError> {
        let values: Vec<ParamValue> = values.iter().map(|&x| ParamValue::Scalar(x)).collect();
        self.build(&values)
    }

    /// The maximum-likelihood fit to `xs`.
    ///
    /// # Errors
    /// [`FitError`] when the data cannot be fitted or the family has no fit.
    pub fn fit(&self, xs: &[f64]) -> Result<Dist, FitError> {
        (self.fit)(xs)
    }

    /// The names of all registered families, for error messages.
    pub fn names() -> String {
        let names: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
        names.join(", ")
    }

    /// The maximum-likelihood fit to `xs` with `param` held at `value`.
    ///
    /// # Errors
    /// [`FitError`] when the data cannot be fitted or the parameter cannot
    /// be held fixed.
    pub fn fit_fixed(&self, xs: &[f64], param: &str, value: f64) -> Result<Dist, FitError> {
        (self.fit_fixed)(xs, param, value)
    }

    /// Whether every parameter is a scalar (so the family can span a grid).
    pub fn is_scalar(&self) -> bool {
        self.params
            .iter()
            .all(|p| matches!(p.kind, ParamKind::Scalar(_)))
    }
}

macro_rules! families {
    ($($module:ident::$variant:ident),* $(,)?) => {
        $(pub mod $module;)*
        $(pub use $module::$variant;)*

        /// A member of one of the registered families.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Dist {
            $(
                #[doc = concat!("A [`", stringify!($variant), "`].")]
                $variant($variant),
            )*
        }

        /// Every registered family.
        pub static FAMILIES: &[FamilyDef] = &[
            $(FamilyDef {
                name: <$variant as Family>::NAME,
                params: <$variant as Family>::PARAMS,
                has_fit: <$variant as Family>::HAS_FIT,
                information: <$variant as Family>::INFORMATION,
                build: |v| <$variant as Family>::from_params(v).map(Dist::$variant),
                fit: |xs| <$variant as Family>::fit(xs).map(Dist::$variant),
                fit_fixed: |xs, p, v| <$variant as Family>::fit_fixed(xs, p, v).map(Dist::$variant),
            },)*
        ];

        macro_rules! dispatch {
            ($self_:expr, $d:ident => $body:expr) => {
                match $self_ { $(Dist::$variant($d) => $body,)* }
            };
        }
    };
}

families! {
    normal::Normal,
    exponential::Exponential,
    gamma::Gamma,
    beta::Beta,
    laplace::Laplace,
    lognormal::LogNormal,
    student_t::StudentT,
    uniform::Uniform,
    poisson::Poisson,
    bernoulli::Bernoulli,
    categorical::Categorical,
    geometric::Geometric,
    mixture::Mixture,
}

impl Dist {
    /// The family's registry row.
    pub fn family(&self) -> &'static FamilyDef {
        let name = dispatch!(self, d => family_name(d));
        // Every variant is listed in FAMILIES by the same macro.
        FamilyDef::find(name).expect("every Dist variant is registered")
    }

    /// The parameter values, laid out as the family's parameter table.
    pub fn params(&self) -> Vec<ParamValue> {
        dispatch!(self, d => Family::params(d))
    }

    /// The values of the scalar parameters, in table order; list-valued
    /// parameters are left out.
    pub fn scalar_params(&self) -> Vec<f64> {
        self.params()
            .iter()
            .filter_map(|v| match v {
                ParamValue::Scalar(x) => Some(*x),
                _ => None,
            })
            .collect()
    }

    /// The Cramér–Rao standard deviations at `n = 1`, if known.
    pub fn cramer_rao(&self) -> Option<Vec<f64>> {
        dispatch!(self, d => d.cramer_rao())
    }

    /// The family's name and parameters as written in specs, e.g.
    /// `normal(mean=1.5, std=2)`.
    pub fn label(&self) -> String {
        let family = self.family();
        let params = self.params();
        let parts: Vec<String> = family
            .params
            .iter()
            .zip(&params)
            .map(|(def, value)| format!("{}={}", def.name, value_label(value)))
            .collect();
        format!("{}({})", family.name, parts.join(", "))
    }
}

/// Any distribution likely knows: a one-dimensional family, or a
/// multivariate normal.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyDist {
    /// A member of a one-dimensional family.
    Uni(Dist),
    /// A multivariate normal.
    MvNormal(MvNormal),
}

impl AnyDist {
    /// The family's name and parameters, as written.
    pub fn label(&self) -> String {
        match self {
            AnyDist::Uni(d) => d.label(),
            AnyDist::MvNormal(d) => d.label(),
        }
    }

    /// The family's name.
    pub fn family_name(&self) -> &'static str {
        match self {
            AnyDist::Uni(d) => d.family().name,
            AnyDist::MvNormal(_) => MvNormal::NAME,
        }
    }
}

fn family_name<F: Family>(_: &F) -> &'static str {
    F::NAME
}

/// A number as a label shows it: as written for everyday magnitudes,
/// in scientific notation for very large or very small ones.
pub fn number_label(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-4..1e6).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn value_label(value: &ParamValue) -> String {
    match value {
        ParamValue::Scalar(x) => number_label(*x),
        ParamValue::Vector(xs) => {
            let parts: Vec<String> = xs.iter().map(|x| number_label(*x)).collect();
            format!("[{}]", parts.join(", "))
        }
        ParamValue::Matrix(rows) => {
            let parts: Vec<String> = rows
                .iter()
                .map(|r| value_label(&ParamValue::Vector(r.clone())))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        ParamValue::Components(ds) => {
            let parts: Vec<String> = ds.iter().map(Dist::label).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

impl Dist {
    /// [`Univariate::sum_ln_pdf`] of each of `models` at `xs`, with the
    /// bits of one call per model; normals all at once, in one pass over
    /// `xs` (see [`Normal::sum_ln_pdf_each`]).
    pub fn sum_ln_pdf_each(models: &[Dist], xs: &[f64]) -> Vec<f64> {
        let normals: Option<Vec<&Normal>> = models
            .iter()
            .map(|m| match m {
                Dist::Normal(n) => Some(n),
                _ => None,
            })
            .collect();
        match normals {
            Some(normals) if normals.len() > 1 => Normal::sum_ln_pdf_each(&normals, xs),
            _ => models.iter().map(|m| m.sum_ln_pdf(xs)).collect(),
        }
    }
}

impl Univariate for Dist {
    fn ln_pdf(&self, x: f64) -> f64 {
        dispatch!(self, d => d.ln_pdf(x))
    }
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        dispatch!(self, d => d.sample(rng))
    }
    fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        dispatch!(self, d => d.sample_into(rng, out))
    }
    fn mean(&self) -> f64 {
        dispatch!(self, d => d.mean())
    }
    fn variance(&self) -> f64 {
        dispatch!(self, d => d.variance())
    }
    fn entropy(&self) -> Option<f64> {
        dispatch!(self, d => d.entropy())
    }
    fn support(&self) -> (f64, f64) {
        dispatch!(self, d => d.support())
    }
    fn is_discrete(&self) -> bool {
        dispatch!(self, d => d.is_discrete())
    }
    fn breakpoints(&self) -> Vec<f64> {
        dispatch!(self, d => d.breakpoints())
    }
    fn tail(&self) -> Tail {
        dispatch!(self, d => d.tail())
    }
    fn moment_limit(&self) -> f64 {
        dispatch!(self, d => d.moment_limit())
    }
    fn support_set(&self) -> Vec<(f64, f64)> {
        dispatch!(self, d => d.support_set())
    }
    fn landmark(&self) -> (f64, f64) {
        dispatch!(self, d => d.landmark())
    }
    fn sum_ln_pdf(&self, xs: &[f64]) -> f64 {
        dispatch!(self, d => d.sum_ln_pdf(xs))
    }
    fn sum_ln_pdf_affine(&self, eps: &[f64], loc: f64, scale: f64) -> f64 {
        dispatch!(self, d => d.sum_ln_pdf_affine(eps, loc, scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_found_by_its_name() {
        for family in FAMILIES {
            assert_eq!(
                FamilyDef::find(family.name).map(|f| f.name),
                Some(family.name)
            );
        }
        assert!(FamilyDef::find("no_such_family").is_none());
    }

    #[test]
    fn label_shows_family_and_parameters() {
        let d = FamilyDef::find("normal")
            .unwrap()
            .build_scalars(&[1.5, 2.0])
            .unwrap();
        assert_eq!(d.label(), "normal(mean=1.5, std=2)");
        let d = FamilyDef::find("normal")
            .unwrap()
            .build_scalars(&[-3e300, 1e-300])
            .unwrap();
        assert_eq!(d.label(), "normal(mean=-3e300, std=1e-300)");
    }
}
