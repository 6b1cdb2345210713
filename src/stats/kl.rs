//! KL divergences and entropies: a registry of closed forms looked up by
//! the pair of families, and numerical fallbacks for every other pair.
//!
//! In order: a support mismatch (`p` puts mass where `q` has none) is `+inf`;
//! a registered closed form is used when there is one; otherwise the
//! definition is evaluated exactly by summation (discrete), by adaptive
//! quadrature (continuous, to a relative 1e-10), or, if quadrature does not
//! converge, by Monte Carlo with a standard error. The result says which.

use rand::SeedableRng;
use serde::Serialize;

use crate::dist::{self, AnyDist, Dist, Tail, Univariate};
use crate::numeric::quad::{self, QuadError, Tolerance};
use crate::numeric::{special, sum};

/// How a value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// An exact formula (including `+inf` for a support mismatch).
    ClosedForm,
    /// Adaptive quadrature of the defining integral.
    Quadrature,
    /// Exact summation over the support.
    Summation,
    /// A Monte Carlo average, with its standard error.
    MonteCarlo,
}

/// How a reader is told the method: `closed form`, `quadrature`, ...
impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Method::ClosedForm => "closed form",
            Method::Quadrature => "quadrature",
            Method::Summation => "exact summation",
            Method::MonteCarlo => "Monte Carlo",
        })
    }
}

/// A computed value and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Value {
    /// The value, in nats.
    #[serde(serialize_with = "crate::json::number")]
    pub value: f64,
    /// How it was computed.
    pub method: Method,
    /// The standard error, for Monte Carlo values.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::json::maybe_number"
    )]
    pub stderr: Option<f64>,
}

impl Value {
    fn exact(value: f64) -> Self {
        Self {
            // A degenerate distribution's entropy, −(1·ln 1), is −0: shown
            // as 0 (x + 0 is +0 for either zero, and x otherwise).
            value: value + 0.0,
            method: Method::ClosedForm,
            stderr: None,
        }
    }
}

/// Why a divergence or entropy could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KlError {
    /// The two distributions live in different spaces.
    #[error("the distributions have different dimensions ({0} and {1})")]
    Dimension(usize, usize),
    /// A multivariate normal against a one-dimensional family.
    #[error(
        "a {0}-dimensional mvnormal cannot be compared with a one-dimensional family (write a one-dimensional normal as normal(mean=…, std=…))"
    )]
    Mixed(usize),
    /// No method converged.
    #[error("{0}")]
    Numerical(String),
}

impl From<QuadError> for KlError {
    fn from(e: QuadError) -> Self {
        KlError::Numerical(e.to_string())
    }
}

/// Draws for the Monte Carlo fallback.
const MC_DRAWS: usize = 1_000_000;

/// Quadrature tolerance for the fallbacks: the definition to 1e-10
/// relative, with an absolute floor far below the divergence of two
/// nearly equal distributions (1e-13 and less).
const QUAD: Tolerance = Tolerance {
    abs: 1e-18,
    rel: 1e-11,
    max_intervals: 4000,
};

/// `KL(p ‖ q) = E_p[ln p(x) − ln q(x)]`.
///
/// # Errors
/// When no method gives a value.
pub fn kl(p: &Dist, q: &Dist) -> Result<Value, KlError> {
    let entropy = p.entropy().map(|h| Known {
        value: h,
        method: Method::ClosedForm,
        floor: CLOSED_FORM_FLOOR,
    });
    kl_with(p, q, entropy)
}

/// [`kl`] for a `p` whose entropy was computed beforehand, for comparing
/// one `p` without a closed-form entropy (a mixture, whose entropy takes a
/// quadrature) with many `q`: against a normal or exponential `q` the
/// divergence then needs only `p`'s moments, as in [`kl`] for a `p` with a
/// closed-form entropy, instead of one quadrature per `q`. The value's
/// method is the entropy's when the entropy was used. A Monte Carlo
/// entropy is not used: its error would be the divergence's.
///
/// # Errors
/// When no method gives a value.
pub fn kl_knowing_entropy(p: &Dist, q: &Dist, entropy: &Value) -> Result<Value, KlError> {
    let floor = match entropy.method {
        Method::ClosedForm => CLOSED_FORM_FLOOR,
        // Quadrature and summation hold the entropy to about 1e-11 of its
        // size: the difference keeps eight digits where it is at least
        // 1e-3 of the terms.
        Method::Quadrature | Method::Summation => 1e-3,
        Method::MonteCarlo => return kl(p, q),
    };
    let known = Known {
        value: entropy.value,
        method: entropy.method,
        floor,
    };
    kl_with(p, q, Some(known))
}

/// Whether `KL(p ‖ q)` is `+inf` without computing anything: `p` puts mass
/// where `q` has none, or its tails are too heavy for `q`'s.
pub fn diverges(p: &Dist, q: &Dist) -> bool {
    !supported_by(p, q) || tails_diverge(p, q)
}

/// An entropy of `p` known beforehand, and how far the cross-entropy and
/// the entropy may cancel before the difference has too few digits left.
#[derive(Clone, Copy)]
struct Known {
    value: f64,
    method: Method,
    /// The smallest `KL / Σ|term|` trusted from the difference.
    floor: f64,
}

/// A closed-form entropy leaves ten digits of a difference at least 1e-6
/// of the terms' size.
const CLOSED_FORM_FLOOR: f64 = 1e-6;

fn kl_with(p: &Dist, q: &Dist, entropy: Option<Known>) -> Result<Value, KlError> {
    if diverges(p, q) {
        return Ok(Value::exact(f64::INFINITY));
    }
    if let Some(value) = closed_form(p, q) {
        return Ok(Value::exact(value));
    }
    match entropy.and_then(|h| through_moments(p, q, h).map(|v| (v, h.method))) {
        Some((value, method)) => Ok(Value {
            method,
            ..Value::exact(value)
        }),
        None => kl_by_definition(p, q),
    }
}

/// `KL(p ‖ q) = E_p[−ln q] − H(p)` for a normal or exponential `q`, whose
/// `−ln q` is a polynomial in `x`: the cross-entropy needs only `p`'s mean
/// and variance, so any `p` with a known entropy and moments has a
/// closed form against them (a log-normal or Student t against a normal,
/// say), exact however heavy `p`'s tail, where quadrature and Monte Carlo
/// struggle. `None` when `p` lacks moments, or when the terms cancel so
/// far (`p` close to `q`) that too few digits would be left (see
/// [`Known::floor`]): quadrature of the definition, whose integrand is
/// never negative, keeps those.
fn through_moments(p: &Dist, q: &Dist, entropy: Known) -> Option<f64> {
    let (constant, moment) = match q {
        Dist::Normal(q) => {
            let s = q.std();
            let bias = p.mean() - q.mean();
            (
                s.ln() + dist::LN_SQRT_2PI,
                (p.variance() + bias * bias) / (2.0 * s * s),
            )
        }
        // Supports were checked: p lives on x ≥ 0.
        Dist::Exponential(q) => (-q.rate().ln(), q.rate() * p.mean()),
        _ => return None,
    };
    let value = constant + moment - entropy.value;
    let size = constant.abs() + moment.abs() + entropy.value.abs();
    (value.is_finite() && value >= entropy.floor * size).then_some(value)
}

/// `KL(p ‖ q)` for distributions of any dimension.
///
/// # Errors
/// When the dimensions differ or no method gives a value.
pub fn kl_any(p: &AnyDist, q: &AnyDist) -> Result<Value, KlError> {
    match (p, q) {
        (AnyDist::Uni(p), AnyDist::Uni(q)) => kl(p, q),
        (AnyDist::MvNormal(p), AnyDist::MvNormal(q)) => p
            .kl(q)
            .map(Value::exact)
            .map_err(|_| KlError::Dimension(p.dim(), q.dim())),
        (AnyDist::MvNormal(p), AnyDist::Uni(_)) | (AnyDist::Uni(_), AnyDist::MvNormal(p)) => {
            Err(KlError::Mixed(p.dim()))
        }
    }
}

/// The entropy `H(p) = −E_p[ln p(x)]` (differential for continuous
/// families).
///
/// # Errors
/// When no method gives a value.
pub fn entropy(p: &Dist) -> Result<Value, KlError> {
    match p.entropy() {
        Some(value) => Ok(Value::exact(value)),
        None => entropy_by_definition(p),
    }
}

/// The entropy of a distribution of any dimension.
///
/// # Errors
/// When no method gives a value.
pub fn entropy_any(p: &AnyDist) -> Result<Value, KlError> {
    match p {
        AnyDist::Uni(p) => entropy(p),
        AnyDist::MvNormal(p) => Ok(Value::exact(p.entropy())),
    }
}

/// Whether every point with mass under `p` has mass under `q`, judged on
/// the families' supports and, where `p` has at most [`ATOMS_CHECKED`]
/// atoms, atom by atom (a categorical `q` may have categories of
/// probability 0 inside its support); `KL(p ‖ q)` is infinite otherwise.
fn supported_by(p: &Dist, q: &Dist) -> bool {
    if p.is_discrete() != q.is_discrete() {
        // Atoms against a density, or a density against atoms.
        return false;
    }
    let covered = q.support_set();
    let inside = |(a, b): (f64, f64)| covered.iter().any(|&(c, d)| c <= a && b <= d);
    if !p.support_set().into_iter().all(inside) {
        return false;
    }
    let (a, b) = p.support();
    if p.is_discrete() && b - a <= ATOMS_CHECKED {
        let mut k = a;
        while k <= b {
            if p.ln_pdf(k) > f64::NEG_INFINITY && q.ln_pdf(k) == f64::NEG_INFINITY {
                return false;
            }
            k += 1.0;
        }
    }
    true
}

/// Whether `E_p[−ln q]` is infinite because `p`'s tails are too heavy for
/// `q`'s: `−ln q` grows like `x²` (Gaussian) or `|x|` (exponential), and
/// `p` lacks that moment.
fn tails_diverge(p: &Dist, q: &Dist) -> bool {
    match q.tail() {
        Tail::Gaussian => p.moment_limit() <= 2.0,
        Tail::Exponential => p.moment_limit() <= 1.0,
        Tail::Bounded | Tail::Heavy => false,
    }
}

/// Discrete supports up to this wide are checked atom by atom.
const ATOMS_CHECKED: f64 = 1e6;

/// `E_p[f]` from the definition: `term(x, ln p(x))` summed over a discrete
/// support or integrated over a continuous one (split at `p`'s landmark
/// and at `cuts`: see [`integrate_split`]), else `sample(x)` averaged over
/// draws from `p`, unless `sample` says why such an average would mean
/// nothing.
fn by_definition<F: Fn(f64) -> f64>(
    p: &Dist,
    cuts: &[f64],
    term: impl Fn(f64, f64) -> f64,
    sample: Result<F, String>,
) -> Result<Value, KlError> {
    let weighted = |x: f64| {
        let lp = p.ln_pdf(x);
        if lp == f64::NEG_INFINITY {
            0.0
        } else {
            term(x, lp)
        }
    };
    if p.is_discrete() {
        if let Some(value) = summation(p, &weighted) {
            return Ok(Value {
                value,
                method: Method::Summation,
                stderr: None,
            });
        }
    } else {
        match piecewise(p, cuts, &[], &weighted) {
            Ok(Some(value)) => {
                return Ok(Value {
                    value,
                    method: Method::Quadrature,
                    stderr: None,
                });
            }
            Ok(None) | Err(QuadError::NoConvergence { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    match sample {
        Ok(f) => monte_carlo(p, f),
        Err(why) => Err(KlError::Numerical(format!(
            "no method converged: quadrature did not, and {why}"
        ))),
    }
}

/// Why a Monte Carlo estimate of `KL(p ‖ q)` would carry no meaningful
/// standard error: `ln p − ln q` has infinite variance under `p` when
/// `−ln q` grows like `x²` (Gaussian tails) and `p` lacks a fourth moment,
/// or like `|x|` and `p` lacks a second. The average may then be far off
/// (a t with df just above 1 against a Laplace: 6.6 ± 0.8 for 6.4e6).
pub fn monte_carlo_breaks(p: &Dist, q: &Dist) -> Option<String> {
    let (needed, growth, moment) = match q.tail() {
        Tail::Gaussian => (4.0, "x²", "fourth"),
        Tail::Exponential => (2.0, "|x|", "second"),
        Tail::Bounded | Tail::Heavy => return None,
    };
    (p.moment_limit() <= needed).then(|| {
        format!(
            "a Monte Carlo average would have no error bar (−ln q grows like {growth} \
             and p has no {moment} moment)"
        )
    })
}

/// `∫ f` over `p`'s support, split at `p`'s landmark, at its breakpoints
/// (every component's peak, for a mixture) and at `cuts` (another
/// density's landmark, say), so that no peak or kink is missed; the
/// infinite tails are integrated in units of `p`'s landmark length. `None`
/// when the same pieces do not integrate `p` itself, and each of
/// `also_seen` (densities `f` integrates too), to 1 (to 1e-8): that is
/// when quadrature cannot be trusted to have seen all of their mass.
fn piecewise(
    p: &Dist,
    cuts: &[f64],
    also_seen: &[&Dist],
    f: &impl Fn(f64) -> f64,
) -> Result<Option<f64>, QuadError> {
    let value = integrate_split(f, p, cuts)?;
    for d in std::iter::once(p).chain(also_seen.iter().copied()) {
        let density = |x: f64| {
            let ld = d.ln_pdf(x);
            if ld == f64::NEG_INFINITY {
                0.0
            } else {
                ld.exp()
            }
        };
        let mass = integrate_split(&density, p, cuts)?;
        if (mass - 1.0).abs() >= 1e-8 {
            return Ok(None);
        }
    }
    Ok(Some(value))
}

fn integrate_split(f: &impl Fn(f64) -> f64, p: &Dist, cuts: &[f64]) -> Result<f64, QuadError> {
    let (lo, hi) = p.support();
    let (centre, width) = p.landmark();
    let width = if width.is_finite() && width > 0.0 {
        width
    } else {
        1.0
    };
    // On a bounded support, extra cuts near an end only make the end
    // pieces (where singularities are) narrower and harder.
    let peaks = if lo.is_finite() && hi.is_finite() {
        Vec::new()
    } else {
        p.breakpoints()
    };
    let mut edges: Vec<f64> = std::iter::once(centre)
        .chain(peaks)
        .chain(cuts.iter().copied())
        .filter(|x| x.is_finite() && lo < *x && *x < hi)
        .collect();
    if edges.is_empty() && !lo.is_finite() && !hi.is_finite() {
        edges.push(0.0);
    }
    edges.sort_by(f64::total_cmp);
    edges.dedup();
    edges.insert(0, lo);
    edges.push(hi);
    let mut total = 0.0;
    for piece in edges.windows(2) {
        let (a, b) = (piece[0], piece[1]);
        let part = if a.is_finite() && b.is_finite() {
            quad::integrate(f, a, b, QUAD)
        } else {
            // x = edge ± width·u, u ∈ (0, ∞).
            let (edge, direction) = if a.is_finite() { (a, 1.0) } else { (b, -1.0) };
            let scaled = |u: f64| width * f(edge + direction * width * u);
            quad::integrate(scaled, 0.0, f64::INFINITY, QUAD)
        };
        total += part?.value;
    }
    Ok(total)
}

/// `Σ_k term(k)` over the whole numbers of `p`'s support, in increasing
/// order and with compensated summation, until the remaining mass cannot
/// matter; `None` if that takes more than a hundred million terms.
///
/// Summation starts 40 standard deviations below the mean when that is
/// inside the support (a Poisson of rate 1e8 has no mass worth adding
/// near 0), and from the support's start if the masses then summed fall
/// short of one.
fn summation(p: &Dist, term: &impl Fn(f64) -> f64) -> Option<f64> {
    let (lo, _) = p.support();
    let (mean, sd) = (p.mean(), p.variance().sqrt());
    // Beyond 40 standard deviations the mass is below 1e-16 for any family
    // with a finite variance whose tails decay at least geometrically; if a
    // tail is heavier, the mass check fails.
    let reach = 40.0 * sd.max(1.0);
    let near = (mean - reach).floor();
    if near > lo {
        match sum_from(p, term, near, mean + reach, true) {
            Summed::Total(total) => return Some(total),
            Summed::TooLong => return None,
            Summed::Short => {}
        }
    }
    match sum_from(p, term, lo.max(-1e15), mean + reach, false) {
        Summed::Total(total) => Some(total),
        Summed::Short | Summed::TooLong => None,
    }
}

/// How a run of [`sum_from`] ended.
enum Summed {
    /// The sum over all the mass.
    Total(f64),
    /// Mass was left out below the start.
    Short,
    /// The run reached its limit on the number of terms.
    TooLong,
}

/// `Σ term(k)` for `k = start, start + 1, …` up to the end of `p`'s
/// support, or past `far` once the masses sum to one and the last one is
/// negligible. With `skipped` (mass below `start` was left out), stops as
/// soon as the masses are found to fall short of one.
fn sum_from(p: &Dist, term: &impl Fn(f64) -> f64, start: f64, far: f64, skipped: bool) -> Summed {
    const MAX_TERMS: u64 = 100_000_000;
    // Each mass carries a rounding error of a few ulps, so their sum is
    // trusted to this much.
    const MASS_TOLERANCE: f64 = 1e-13;
    let (_, hi) = p.support();
    let (mut total, mut mass) = (sum::Compensated::default(), sum::Compensated::default());
    let mut k = start;
    for _ in 0..MAX_TERMS {
        let m = mass.value();
        let complete = 1.0 - m < MASS_TOLERANCE;
        if k > hi {
            return if complete || !skipped {
                Summed::Total(total.value())
            } else {
                Summed::Short
            };
        }
        let w = p.ln_pdf(k).exp();
        mass.add(w);
        total.add(term(k));
        if k > far && w < 1e-300_f64.max(1e-17 * m) {
            if complete {
                return Summed::Total(total.value());
            }
            if skipped {
                return Summed::Short;
            }
        }
        k += 1.0;
    }
    Summed::TooLong
}

/// `E_p[f]` by a Monte Carlo average over a fixed stream, with its
/// standard error.
fn monte_carlo(p: &Dist, f: impl Fn(f64) -> f64) -> Result<Value, KlError> {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(0x6c69_6b65_6c79);
    let values: Vec<f64> = (0..MC_DRAWS).map(|_| f(p.sample(&mut rng))).collect();
    let (mean, sd) = sum::mean_std(&values, 1);
    // Supports and tails are checked before: an infinite or undefined
    // average here means draws landed where the density cannot be
    // evaluated, not an answer.
    if !mean.is_finite() {
        return Err(KlError::Numerical(format!(
            "no method converged for {} (the Monte Carlo average is {mean})",
            p.label()
        )));
    }
    Ok(Value {
        value: mean,
        method: Method::MonteCarlo,
        stderr: Some(sd / (MC_DRAWS as f64).sqrt()),
    })
}

/// The registry of closed forms, by pair of families. Support mismatches
/// never reach it.
fn closed_form(p: &Dist, q: &Dist) -> Option<f64> {
    match (p, q) {
        (Dist::Normal(p), Dist::Normal(q)) => Some(dist::normal::kl_normal_normal(p, q)),
        (Dist::Laplace(p), Dist::Laplace(q)) => Some(dist::laplace::kl_laplace_laplace(p, q)),
        (Dist::Laplace(p), Dist::Normal(q)) => Some(dist::laplace::kl_laplace_normal(p, q)),
        (Dist::Normal(p), Dist::Laplace(q)) => Some(dist::laplace::kl_normal_laplace(p, q)),
        (Dist::LogNormal(p), Dist::LogNormal(q)) => {
            Some(dist::lognormal::kl_lognormal_lognormal(p, q))
        }
        (Dist::Poisson(p), Dist::Poisson(q)) => Some(dist::poisson::kl_poisson_poisson(p, q)),
        (Dist::Bernoulli(p), Dist::Bernoulli(q)) => {
            Some(dist::bernoulli::kl_bernoulli_bernoulli(p, q))
        }
        (Dist::Bernoulli(p), Dist::Poisson(q)) => Some(dist::bernoulli::kl_bernoulli_poisson(p, q)),
        (Dist::Categorical(p), Dist::Categorical(q)) => {
            Some(dist::categorical::kl_categorical_categorical(p, q))
        }
        (Dist::Geometric(p), Dist::Geometric(q)) => {
            Some(dist::geometric::kl_geometric_geometric(p, q))
        }
        (Dist::Exponential(p), Dist::Exponential(q)) => {
            Some(dist::exponential::kl_exponential_exponential(p, q))
        }
        (Dist::Exponential(p), Dist::Gamma(q)) => {
            Some(dist::exponential::kl_exponential_gamma(p, q))
        }
        (Dist::Exponential(p), Dist::Normal(q)) => {
            Some(dist::exponential::kl_exponential_normal(p, q))
        }
        (Dist::Exponential(p), Dist::Laplace(q)) => {
            Some(dist::exponential::kl_exponential_laplace(p, q))
        }
        (Dist::Gamma(p), Dist::Gamma(q)) => Some(dist::gamma::kl_gamma_gamma(p, q)),
        (Dist::Gamma(p), Dist::Exponential(q)) => Some(dist::gamma::kl_gamma_exponential(p, q)),
        (Dist::Gamma(p), Dist::Normal(q)) => Some(dist::gamma::kl_gamma_normal(p, q)),
        (Dist::Beta(p), Dist::Beta(q)) => Some(dist::beta::kl_beta_beta(p, q)),
        (Dist::Beta(p), Dist::Normal(q)) => Some(dist::beta::kl_beta_normal(p, q)),
        (Dist::Beta(p), Dist::Uniform(q)) => Some(dist::beta::kl_beta_uniform(p, q)),
        (Dist::Beta(p), Dist::Exponential(q)) => Some(dist::beta::kl_beta_exponential(p, q)),
        (Dist::Beta(p), Dist::Gamma(q)) => Some(dist::beta::kl_beta_gamma(p, q)),
        (Dist::Uniform(p), Dist::Uniform(q)) => Some(dist::uniform::kl_uniform_uniform(p, q)),
        (Dist::Uniform(p), Dist::Normal(q)) => Some(dist::uniform::kl_uniform_normal(p, q)),
        (Dist::Uniform(p), Dist::Exponential(q)) => {
            Some(dist::uniform::kl_uniform_exponential(p, q))
        }
        (Dist::Uniform(p), Dist::Gamma(q)) => Some(dist::uniform::kl_uniform_gamma(p, q)),
        (Dist::Uniform(p), Dist::Beta(q)) => Some(dist::uniform::kl_uniform_beta(p, q)),
        _ => None,
    }
}

/// The definition of `KL(p ‖ q)` integrated (or summed) numerically,
/// bypassing the registry: the reference closed forms are tested against.
///
/// Where `p` and `q` are densities on the same interval, the integrand is
/// `p ln(p/q) − p + q` rather than `p ln(p/q)`: it has the same integral
/// (both densities integrate to 1 there) but is never negative, so a
/// small divergence is not the difference of large positive and negative
/// parts, and the relative tolerance of the quadrature holds for it.
///
/// # Errors
/// When the numerical method fails.
pub fn kl_by_definition(p: &Dist, q: &Dist) -> Result<Value, KlError> {
    // A cut at q's centre; where q is much narrower than p, also cuts at
    // q's own scale around it, so that pieces of its size resolve it
    // rather than let it fall between the nodes laid out for p.
    let (centre, width) = q.landmark();
    let steps: &[f64] = if width < 0.1 * p.landmark().1 {
        &[0.0, -1.0, 1.0, -4.0, 4.0, -16.0, 16.0]
    } else {
        &[0.0]
    };
    let cuts: Vec<f64> = steps
        .iter()
        .map(|k| centre + k * width)
        .filter(|x| x.is_finite())
        .collect();
    let sample = |x| p.ln_pdf(x) - q.ln_pdf(x);
    let sampled = monte_carlo_breaks(p, q).map_or(Ok(sample), Err);
    let plain = |x: f64, lp: f64| lp.exp() * (lp - q.ln_pdf(x));
    if p.is_discrete() || q.is_discrete() || p.support() != q.support() {
        return by_definition(p, &cuts, plain, sampled);
    }
    let non_negative = |x: f64, lp: f64| {
        let lq = q.ln_pdf(x);
        let d = lp - lq;
        // p (d + e^{−d} − 1), without the cancellation near d = 0;
        // further out, without the overflow of e^{−d}.
        if d.abs() < 0.5 {
            lp.exp() * special::x_plus_expm1_neg(d)
        } else {
            lp.exp() * (d - 1.0) + lq.exp()
        }
    };
    let term = |x: f64| {
        let lp = p.ln_pdf(x);
        if lp == f64::NEG_INFINITY {
            0.0
        } else {
            non_negative(x, lp)
        }
    };
    // The added q integrates to 1 only if the pieces laid out for p see
    // all of it (a narrow q far out in p's tail can fall between the
    // nodes); and where q has a singularity p lacks, the added q is the
    // harder integrand. Then the plain one, before any Monte Carlo.
    match piecewise(p, &cuts, &[q], &term) {
        Ok(Some(value)) => Ok(Value {
            value,
            method: Method::Quadrature,
            stderr: None,
        }),
        _ => by_definition(p, &cuts, plain, sampled),
    }
}

/// `E_p[f(x)]` by summation, quadrature or, failing those, Monte Carlo:
/// the same machinery as the fallbacks, for checks such as Gibbs'
/// inequality `−E_p[ln q] ≥ −E_p[ln p]`.
///
/// # Errors
/// When no method gives a value.
pub fn expectation(p: &Dist, f: impl Fn(f64) -> f64) -> Result<Value, KlError> {
    by_definition(p, &[], |x, lp| lp.exp() * f(x), Ok(&f))
}

/// The definition of `H(p)` integrated (or summed) numerically, bypassing
/// closed forms.
///
/// # Errors
/// When the numerical method fails.
pub fn entropy_by_definition(p: &Dist) -> Result<Value, KlError> {
    by_definition(p, &[], |_, lp| -lp.exp() * lp, Ok(|x| -p.ln_pdf(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Mixture;
    use crate::dist::Normal;
    use crate::dist::text::parse_uni;

    /// A divergence, written as distributions, against its reference:
    /// `value` computes it (`kl` or `kl_by_definition`), with `method`.
    #[track_caller]
    fn assert_kl_matches(
        value: fn(&Dist, &Dist) -> Result<Value, KlError>,
        (p, q): (&str, &str),
        method: Method,
        reference: f64,
        rel: f64,
    ) {
        let v = value(&parse_uni(p).unwrap(), &parse_uni(q).unwrap()).unwrap();
        assert_eq!(v.method, method, "{p} ‖ {q}");
        assert!(
            ((v.value - reference) / reference).abs() < rel,
            "{p} ‖ {q}: {} vs {reference}",
            v.value
        );
    }

    fn normal(m: f64, s: f64) -> Dist {
        Dist::Normal(Normal::new(m, s).unwrap())
    }

    #[test]
    fn normal_pair_matches_the_textbook_value() {
        let v = kl(&normal(0.0, 1.0), &normal(1.0, 2.0)).unwrap();
        assert_eq!(v.method, Method::ClosedForm);
        let expected = 2.0f64.ln() + 0.25 - 0.5;
        assert!((v.value - expected).abs() < 1e-12);
    }

    /// Reference values are mpmath's at 60 digits, from the binary64 values
    /// of the parameters as written.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn nearby_members_keep_their_digits() {
        use crate::dist::text::parse_uni;
        for (p, q, want) in [
            (
                "normal(mean=0,std=1)",
                "normal(mean=1e-7,std=1.0000001)",
                1.4999997345011047918e-14,
            ),
            (
                "gamma(shape=2.5,rate=1.3)",
                "gamma(shape=2.5000001,rate=1.3000001)",
                2.1559306782308131045e-15,
            ),
            (
                "beta(alpha=2,beta=3)",
                "beta(alpha=2.0000001,beta=3.0000001)",
                7.7288152322523676573e-16,
            ),
            (
                "lognormal(meanlog=0,sdlog=1)",
                "lognormal(meanlog=0,sdlog=1.0000001)",
                9.999998345010898954e-15,
            ),
            (
                "laplace(loc=0,scale=1)",
                "laplace(loc=1e-7,scale=1.0000001)",
                9.9999986725054823578e-15,
            ),
            (
                "uniform(low=0,high=1)",
                "uniform(low=-1e-7,high=1.0000001)",
                1.9999998005838936815e-7,
            ),
            (
                "geometric(p=0.3)",
                "geometric(p=0.3000001)",
                7.9365069291541773191e-14,
            ),
            (
                "bernoulli(p=0.3)",
                "bernoulli(p=0.3000001)",
                2.3809520787462531076e-14,
            ),
            (
                "poisson(rate=3)",
                "poisson(rate=3.0000001)",
                1.6666666241743678338e-15,
            ),
            (
                "exponential(rate=2)",
                "exponential(rate=2.0000002)",
                4.9999996725053628528e-15,
            ),
            (
                "gamma(shape=1e6,rate=1)",
                "gamma(shape=1.000001e6,rate=1)",
                5.0000008333333333332e-7,
            ),
            (
                "beta(alpha=1e5,beta=1e5)",
                "beta(alpha=1.00001e5,beta=1e5)",
                2.5000062499999999219e-6,
            ),
            (
                "exponential(rate=1.5)",
                "gamma(shape=1.0000001,rate=1.5000001)",
                3.7802256169821647464e-15,
            ),
            (
                "gamma(shape=1.0000001,rate=2)",
                "exponential(rate=2.0000001)",
                1.4474669491452502719e-14,
            ),
        ] {
            let v = kl(&parse_uni(p).unwrap(), &parse_uni(q).unwrap()).unwrap();
            assert_eq!(v.method, Method::ClosedForm, "{p} ‖ {q}");
            let err = ((v.value - want) / want).abs();
            assert!(
                err < 1e-14,
                "{p} ‖ {q}: {:e} against {want:e} ({err:.1e})",
                v.value
            );
        }
    }

    /// Scales 600 decades apart: ratios overflow or underflow, the
    /// divergences are finite one way (`ln ρ = −600 ln 10` dominates) and
    /// `+inf` the other, never NaN.
    #[test]
    fn scales_far_apart_give_finite_or_infinite_divergences() {
        use crate::dist::text::parse_uni;
        let l = 600.0 * std::f64::consts::LN_10;
        let lg = |x: f64| special::ln_gamma(x);
        for (p, q, want) in [
            (
                "exponential(rate=1e300)",
                "exponential(rate=1e-300)",
                l - 1.0,
            ),
            (
                "normal(mean=0,std=1e-300)",
                "normal(mean=0,std=1e300)",
                l - 0.5,
            ),
            (
                "lognormal(meanlog=0,sdlog=1e-300)",
                "lognormal(meanlog=0,sdlog=1e300)",
                l - 0.5,
            ),
            (
                "laplace(loc=0,scale=1e-300)",
                "laplace(loc=1e300,scale=1e300)",
                l,
            ),
            (
                "gamma(shape=2,rate=1e300)",
                "gamma(shape=3,rate=1e-300)",
                2.0 * (l - 1.0) + (lg(3.0) - lg(2.0) - special::digamma(2.0)) + l,
            ),
        ] {
            let v = kl(&parse_uni(p).unwrap(), &parse_uni(q).unwrap())
                .unwrap()
                .value;
            assert!(
                ((v - want) / want).abs() < 1e-14,
                "{p} ‖ {q}: {v} against {want}"
            );
            let back = kl(&parse_uni(q).unwrap(), &parse_uni(p).unwrap())
                .unwrap()
                .value;
            assert_eq!(back, f64::INFINITY, "{q} ‖ {p}");
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn concentrated_members_keep_the_digits_of_their_entropy() {
        use crate::dist::text::parse_uni;
        for (p, want) in [
            ("gamma(shape=1e10,rate=1)", 12.931863998141567829),
            ("gamma(shape=3e4,rate=7)", 4.6274936032678015352),
            ("beta(alpha=1e8,beta=1e8)", -8.8311226121114279709),
            ("beta(alpha=1e8,beta=2)", -16.84346510405083247),
        ] {
            let v = entropy(&parse_uni(p).unwrap()).unwrap();
            let err = ((v.value - want) / want).abs();
            assert!(err < 1e-14, "{p}: {} against {want} ({err:.1e})", v.value);
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn quadrature_of_nearly_equal_heavy_tailed_pairs_keeps_most_digits() {
        // mpmath quad at 40 digits, split out to 1e16. Divergences near
        // 1e-13 are below an absolute tolerance of 1e-13 (they were off by
        // up to a third); what is left is the rounding of ln p − ln q.
        for (q, reference) in [
            (
                "student_t(df=0.5000005, loc=0, scale=1)",
                3.270_301_537_066_42e-13,
            ),
            (
                "student_t(df=0.5, loc=0, scale=1.000001)",
                1.428_570_086_346_18e-13,
            ),
        ] {
            let p = "student_t(df=0.5, loc=0, scale=1)";
            assert_kl_matches(kl, (p, q), Method::Quadrature, reference, 2e-5);
        }
    }

    #[test]
    fn monte_carlo_is_not_offered_without_an_error_bar() {
        // E_p[x²] is infinite for df ≤ 2, so ln p − ln q (−ln q ~ |x|) has
        // infinite variance; the KL itself (about 6.4e6) is finite, and
        // quadrature cannot reach its tail.
        let p = parse_uni("student_t(df=1.0000001, loc=0, scale=1)").unwrap();
        let q = parse_uni("laplace(loc=0, scale=1)").unwrap();
        let e = kl(&p, &q).unwrap_err().to_string();
        assert!(
            e.contains("no error bar") && e.contains("second moment"),
            "{e}"
        );
        // Against a normal, a fourth moment is needed: a t with df 3 lacks it.
        let t3 = parse_uni("student_t(df=3, loc=0, scale=1)").unwrap();
        let n = parse_uni("normal(mean=0, std=1)").unwrap();
        assert!(monte_carlo_breaks(&t3, &n).is_some_and(|e| e.contains("fourth")));
        let light = parse_uni("student_t(df=5, loc=0, scale=1)").unwrap();
        assert!(monte_carlo_breaks(&light, &q).is_none());
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn entropy_and_moments_give_kl_against_a_normal_or_an_exponential() {
        // mpmath at 50 digits: −H(p) + E_p[−ln q] from the log-normal's
        // entropy μ + ½ ln(2πeσ²) and moments. The first has E x² ≈ 1e69:
        // quadrature and Monte Carlo cannot see that tail.
        for (p, q, reference) in [
            (
                "lognormal(meanlog=-5.720767382830111, sdlog=8.922189119276267)",
                "normal(mean=-783.7601555351142, std=1.188956598723711)",
                5.297_432_800_808_996_696_527_635e63,
            ),
            (
                "lognormal(meanlog=0.3, sdlog=0.8)",
                "exponential(rate=0.7)",
                0.162_129_591_340_708_823_812_251_9,
            ),
        ] {
            assert_kl_matches(kl, (p, q), Method::ClosedForm, reference, 1e-13);
        }
        // A log-normal this narrow is nearly a normal: the terms, near 8,
        // would cancel to a divergence of 7.5e-9, so quadrature answers.
        // With supports this different its integrand is the plain
        // p ln(p/q), which cancels too: about seven digits either way.
        assert_kl_matches(
            kl,
            (
                "lognormal(meanlog=0, sdlog=1e-4)",
                "normal(mean=1.000000005, std=1.00000001e-4)",
            ),
            Method::Quadrature,
            7.500_000_008_333_333_070_312_505e-9,
            1e-6,
        );
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn quadrature_sees_a_q_much_narrower_than_p() {
        // References: mpmath quad of p ln(p/q) at 30 digits, split at q's
        // centre. A q narrow and far out in p's tail (or inside p's bulk)
        // once fell between the nodes of the +q term.
        for (p, q, reference) in [
            (
                "student_t(df=51.94127363266098, loc=-0.5341364584243401, scale=4.241785267914441)",
                "normal(mean=-0.05417335937746688, std=0.0011237617598216561)",
                7_500_409.130_341_193_193_475_2,
            ),
            (
                "gamma(shape=161.9159594548732, rate=0.0024489050545831587)",
                "lognormal(meanlog=-3.5018447845487093, sdlog=0.9188763131247438)",
                128.155_762_642_768_868_447_849_4,
            ),
            (
                "exponential(rate=0.0002974525135180204)",
                "lognormal(meanlog=-7.553102130766534, sdlog=0.0035891206038756334)",
                8_909_411.928_321_360_619_861_786,
            ),
        ] {
            assert_kl_matches(
                kl_by_definition,
                (p, q),
                Method::Quadrature,
                reference,
                1e-10,
            );
        }
    }

    #[test]
    fn closed_form_agrees_with_quadrature_of_the_definition() {
        for (p, q) in [
            ((0.0, 1.0), (1.0, 2.0)),
            ((-3.0, 0.2), (2.0, 5.0)),
            ((1.0, 3.0), (1.0, 0.5)),
        ] {
            let (p, q) = (normal(p.0, p.1), normal(q.0, q.1));
            let closed = kl(&p, &q).unwrap().value;
            let numeric = kl_by_definition(&p, &q).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert!(
                (closed - numeric.value).abs() < 1e-10 * closed.abs().max(1.0),
                "{closed} vs {numeric:?}"
            );
        }
    }

    #[test]
    fn quadrature_finds_a_narrow_component_far_from_the_bulk() {
        // p = ½ N(0, 1) + ½ N(20, 0.1), q = N(0, 1). The two components do
        // not overlap (to 1e-80), so KL = ½ ln ½ + ½ ln ½ + ½ KL(N(20, 0.1) ‖ q)
        // exactly up to that overlap.
        let p = Dist::Mixture(
            Mixture::new(vec![0.5, 0.5], vec![normal(0.0, 1.0), normal(20.0, 0.1)]).unwrap(),
        );
        let q = normal(0.0, 1.0);
        let expected = 0.5f64.ln()
            + 0.5
                * dist::normal::kl_normal_normal(
                    &Normal::new(20.0, 0.1).unwrap(),
                    &Normal::new(0.0, 1.0).unwrap(),
                );
        let v = kl(&p, &q).unwrap();
        assert_eq!(v.method, Method::Quadrature);
        assert!(
            (v.value - expected).abs() < 1e-9 * expected,
            "{} vs {expected}",
            v.value
        );
        // Entropy: two disjoint halves, H = ln 2 + ½ H(N(0,1)) + ½ H(N(20, 0.1)).
        let h = 2f64.ln()
            + 0.5 * Normal::new(0.0, 1.0).unwrap().entropy().unwrap()
            + 0.5 * Normal::new(20.0, 0.1).unwrap().entropy().unwrap();
        assert!((entropy(&p).unwrap().value - h).abs() < 1e-9);
    }

    #[test]
    fn kl_of_a_distribution_with_itself_is_zero() {
        let m = Dist::Mixture(
            Mixture::new(vec![0.3, 0.7], vec![normal(-2.0, 0.6), normal(1.5, 1.0)]).unwrap(),
        );
        let v = kl(&m, &m).unwrap();
        assert_eq!(v.method, Method::Quadrature);
        assert!(v.value.abs() < 1e-12);
        assert_eq!(kl(&normal(0.3, 2.0), &normal(0.3, 2.0)).unwrap().value, 0.0);
    }

    #[test]
    fn entropy_by_quadrature_agrees_with_the_closed_form() {
        // A mixture whose components coincide is the component itself.
        let n = normal(0.5, 1.3);
        let m = Dist::Mixture(Mixture::new(vec![0.4, 0.6], vec![n.clone(), n.clone()]).unwrap());
        let closed = entropy(&n).unwrap();
        let numeric = entropy(&m).unwrap();
        assert_eq!(numeric.method, Method::Quadrature);
        assert!((closed.value - numeric.value).abs() < 1e-10);
    }

    #[test]
    fn dimensions_must_match() {
        let mv = AnyDist::MvNormal(
            crate::dist::MvNormal::new(vec![0.0, 0.0], vec![vec![1.0, 0.0], vec![0.0, 1.0]])
                .unwrap(),
        );
        let uni = AnyDist::Uni(normal(0.0, 1.0));
        assert_eq!(kl_any(&mv, &uni).unwrap_err(), KlError::Mixed(2));
        assert_eq!(kl_any(&mv, &mv).unwrap().value, 0.0);
    }

    #[test]
    fn discrete_supports_are_compared_atom_by_atom() {
        use crate::dist::{Bernoulli, Categorical};
        let coin = |p| Dist::Bernoulli(Bernoulli::new(p).unwrap());
        let cat = |probs: &[f64]| Dist::Categorical(Categorical::new(probs.to_vec()).unwrap());
        // A gap inside q's support where p has mass.
        let v = kl(&coin(0.5), &cat(&[0.5, 0.0, 0.5])).unwrap();
        assert_eq!((v.value, v.method), (f64::INFINITY, Method::ClosedForm));
        // p = 1 puts no mass on 0, so q = 0 there does not matter.
        assert!(supported_by(&coin(1.0), &cat(&[0.0, 1.0])));
        assert!(!supported_by(&coin(0.5), &coin(1.0)));
        // Trailing categories of probability 0 are outside the support.
        assert!(supported_by(&cat(&[0.3, 0.7, 0.0, 0.0]), &coin(0.2)));
        assert!(!supported_by(&cat(&[0.3, 0.6, 0.1]), &coin(0.2)));
        let v = kl(&cat(&[0.3, 0.7, 0.0]), &coin(0.2)).unwrap();
        let expected = 0.3 * (0.3f64 / 0.8).ln() + 0.7 * (0.7f64 / 0.2).ln();
        assert!((v.value - expected).abs() < 1e-15);
        assert_eq!(v.method, Method::Summation);
    }

    #[test]
    fn summation_finds_mass_far_below_the_mean() {
        use crate::dist::Categorical;
        // Mean ≈ 2000, standard deviation ≈ 2: category 0 lies 1000
        // standard deviations below the mean, yet carries mass 1e-6.
        let mut probs = vec![0.0; 2001];
        probs[0] = 1e-6;
        probs[2000] = 1.0 - 1e-6;
        let d = Dist::Categorical(Categorical::new(probs).unwrap());
        let h = entropy_by_definition(&d).unwrap();
        assert_eq!(h.method, Method::Summation);
        // The closed form, −Σ p ln p over the stored probabilities.
        let expected = d.entropy().unwrap();
        assert!(
            (h.value - expected).abs() < 1e-14 * expected,
            "{h:?} vs {expected}"
        );
    }

    #[test]
    fn a_known_entropy_gives_the_divergence_from_moments_where_it_keeps_its_digits() {
        let mixture = |a: &str, b: &str| {
            parse_uni(&format!(
                "mixture(weights=[0.3, 0.7], components=[{a}, {b}])"
            ))
            .unwrap()
        };
        let p = mixture("normal(mean=-2, std=0.6)", "normal(mean=1.5, std=1)");
        let h = entropy(&p).unwrap();
        assert_eq!(h.method, Method::Quadrature);
        for q in ["normal(mean=0.45, std=1.83)", "normal(mean=-4, std=0.3)"] {
            let q = parse_uni(q).unwrap();
            let v = kl_knowing_entropy(&p, &q, &h).unwrap();
            assert_eq!(v.method, Method::Quadrature, "the entropy's method");
            let reference = kl_by_definition(&p, &q).unwrap().value;
            assert!(
                ((v.value - reference) / reference).abs() < 1e-9,
                "{v:?} vs {reference}"
            );
        }
        // Two equal components: p is q, the entropy and cross-entropy cancel
        // completely, and quadrature of the definition takes over.
        let p = mixture("normal(mean=0, std=1)", "normal(mean=0, std=1)");
        let h = entropy(&p).unwrap();
        let q = parse_uni("normal(mean=0, std=1)").unwrap();
        let v = kl_knowing_entropy(&p, &q, &h).unwrap();
        assert!((0.0..1e-15).contains(&v.value), "{v:?}");
    }

    #[test]
    fn divergence_is_known_to_be_infinite_from_supports_and_tails() {
        let normal = parse_uni("normal(mean=0, std=1)").unwrap();
        let gamma = parse_uni("gamma(shape=2, rate=1)").unwrap();
        let t2 = parse_uni("student_t(df=2, loc=0, scale=1)").unwrap();
        assert!(diverges(&normal, &gamma));
        assert!(!diverges(&gamma, &normal));
        assert!(diverges(&t2, &normal));
        assert!(!diverges(&normal, &t2));
    }
}
