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

use super::quad::{self, QuadError, Tolerance};
use super::sum;
use crate::dist::{self, AnyDist, Dist, Normal, Univariate};

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

/// A computed value and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Value {
    /// The value, in nats.
    pub value: f64,
    /// How it was computed.
    pub method: Method,
    /// The standard error, for Monte Carlo values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<f64>,
}

impl Value {
    fn exact(value: f64) -> Self {
        Self {
            value,
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

/// Quadrature tolerance for the fallbacks: the definition to 1e-10.
const QUAD: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-11,
    max_intervals: 4000,
};

/// `KL(p ‖ q) = E_p[ln p(x) − ln q(x)]`.
///
/// # Errors
/// When no method gives a value.
pub fn kl(p: &Dist, q: &Dist) -> Result<Value, KlError> {
    if !supported_by(p, q) {
        return Ok(Value::exact(f64::INFINITY));
    }
    match closed_form(p, q) {
        Some(value) => Ok(Value::exact(value)),
        None => kl_by_definition(p, q),
    }
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
        (AnyDist::MvNormal(p), AnyDist::Uni(_)) => Err(KlError::Dimension(p.dim(), 1)),
        (AnyDist::Uni(_), AnyDist::MvNormal(q)) => Err(KlError::Dimension(1, q.dim())),
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
/// the families' supports; `KL(p ‖ q)` is infinite otherwise.
fn supported_by(p: &Dist, q: &Dist) -> bool {
    if p.is_discrete() != q.is_discrete() {
        // Atoms against a density, or a density against atoms.
        return false;
    }
    let ((a, b), (c, d)) = (p.support(), q.support());
    c <= a && b <= d
}

/// `E_p[f]` from the definition: `term(x, ln p(x))` summed over a discrete
/// support or integrated over a continuous one, else `sample(x)` averaged
/// over draws from `p`.
fn by_definition(
    p: &Dist,
    term: impl Fn(f64, f64) -> f64,
    sample: impl Fn(f64) -> f64,
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
        let (lo, hi) = p.support();
        let (center, scale) = (p.mean(), p.variance().sqrt());
        match quad::integrate_around(weighted, lo, hi, center, scale, QUAD) {
            Ok(integral) => {
                return Ok(Value {
                    value: integral.value,
                    method: Method::Quadrature,
                    stderr: None,
                });
            }
            Err(QuadError::NoConvergence { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    monte_carlo(p, sample)
}

/// `Σ_k term(k)` over the whole numbers of `p`'s support, in increasing
/// order, stopping once the remaining mass cannot matter; `None` if that
/// takes more than a hundred million terms.
fn summation(p: &Dist, term: &impl Fn(f64) -> f64) -> Option<f64> {
    const MAX_TERMS: u64 = 100_000_000;
    let (lo, hi) = p.support();
    let (mean, sd) = (p.mean(), p.variance().sqrt());
    // Past this point, the remaining mass is below 1e-16 for any family
    // with a finite variance whose tail decays at least geometrically.
    let far = mean + 40.0 * sd.max(1.0);
    let (mut total, mut mass, mut k) = (0.0, 0.0, lo.max(-1e15));
    for _ in 0..MAX_TERMS {
        if k > hi {
            return Some(total);
        }
        let w = p.ln_pdf(k).exp();
        mass += w;
        total += term(k);
        if k > far && 1.0 - mass < 1e-15 && w < 1e-300_f64.max(1e-17 * mass) {
            return Some(total);
        }
        k += 1.0;
    }
    None
}

/// `E_p[f]` by a Monte Carlo average over a fixed stream, with its
/// standard error.
fn monte_carlo(p: &Dist, f: impl Fn(f64) -> f64) -> Result<Value, KlError> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(0x6c69_6b65_6c79);
    let values: Vec<f64> = (0..MC_DRAWS).map(|_| f(p.sample(&mut rng))).collect();
    let (mean, sd) = sum::mean_std(&values, 1);
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
        (Dist::Normal(p), Dist::Normal(q)) => Some(normal_normal(p, q)),
        (Dist::Exponential(p), Dist::Exponential(q)) => {
            Some(dist::kl_exponential_exponential(p, q))
        }
        (Dist::Exponential(p), Dist::Gamma(q)) => Some(dist::kl_exponential_gamma(p, q)),
        (Dist::Exponential(p), Dist::Normal(q)) => Some(dist::kl_exponential_normal(p, q)),
        (Dist::Gamma(p), Dist::Gamma(q)) => Some(dist::kl_gamma_gamma(p, q)),
        (Dist::Gamma(p), Dist::Exponential(q)) => Some(dist::kl_gamma_exponential(p, q)),
        (Dist::Gamma(p), Dist::Normal(q)) => Some(dist::kl_gamma_normal(p, q)),
        (Dist::Beta(p), Dist::Beta(q)) => Some(dist::kl_beta_beta(p, q)),
        (Dist::Beta(p), Dist::Normal(q)) => Some(dist::kl_beta_normal(p, q)),
        (Dist::Beta(p), Dist::Uniform(q)) => Some(dist::kl_beta_uniform(p, q)),
        (Dist::Beta(p), Dist::Exponential(q)) => Some(dist::kl_beta_exponential(p, q)),
        (Dist::Beta(p), Dist::Gamma(q)) => Some(dist::kl_beta_gamma(p, q)),
        (Dist::Uniform(p), Dist::Uniform(q)) => Some(dist::kl_uniform_uniform(p, q)),
        (Dist::Uniform(p), Dist::Normal(q)) => Some(dist::kl_uniform_normal(p, q)),
        (Dist::Uniform(p), Dist::Exponential(q)) => Some(dist::kl_uniform_exponential(p, q)),
        (Dist::Uniform(p), Dist::Gamma(q)) => Some(dist::kl_uniform_gamma(p, q)),
        (Dist::Uniform(p), Dist::Beta(q)) => Some(dist::kl_uniform_beta(p, q)),
        _ => None,
    }
}

/// `ln(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²) / (2σ_q²) − 1/2`.
pub fn normal_normal(p: &Normal, q: &Normal) -> f64 {
    let (sp, sq) = (p.std(), q.std());
    let dm = p.mean() - q.mean();
    (sq / sp).ln() + (sp * sp + dm * dm) / (2.0 * sq * sq) - 0.5
}

/// The definition of `KL(p ‖ q)` integrated (or summed) numerically,
/// bypassing the registry: the reference closed forms are tested against.
///
/// # Errors
/// When the numerical method fails.
pub fn kl_by_definition(p: &Dist, q: &Dist) -> Result<Value, KlError> {
    by_definition(
        p,
        |x, lp| lp.exp() * (lp - q.ln_pdf(x)),
        |x| p.ln_pdf(x) - q.ln_pdf(x),
    )
}

/// The definition of `H(p)` integrated (or summed) numerically, bypassing
/// closed forms.
///
/// # Errors
/// When the numerical method fails.
pub fn entropy_by_definition(p: &Dist) -> Result<Value, KlError> {
    by_definition(p, |_, lp| -lp.exp() * lp, |x| -p.ln_pdf(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Mixture;

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
        assert_eq!(kl_any(&mv, &uni).unwrap_err(), KlError::Dimension(2, 1));
        assert_eq!(kl_any(&mv, &mv).unwrap().value, 0.0);
    }
}
