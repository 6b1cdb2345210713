//! Distribution functions and quantiles of the one-dimensional families,
//! for goodness-of-fit statistics and QQ plots.
//!
//! Closed forms where they are cheap (normal, log-normal, exponential,
//! Laplace, uniform, and the gamma through the regularized incomplete gamma
//! function); a mixture is the weighted sum of its components'; discrete
//! families sum their masses; every other continuous family (beta,
//! Student t) integrates its density by adaptive quadrature. Quantiles are
//! found by bisection on the distribution function.

use crate::dist::{Dist, ParamValue, Univariate};
use crate::numeric::quad::{self, Tolerance};
use crate::numeric::special;

/// Why a distribution function or quantile could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CdfError(pub String);

/// Quadrature of a density to an absolute 1e-13: distribution functions
/// are probabilities, so an absolute error is what matters.
const QUAD: Tolerance = Tolerance {
    abs: 1e-13,
    rel: 1e-11,
    max_intervals: 2000,
};

/// Beyond this many terms a sum of masses is refused rather than run.
const MAX_TERMS: f64 = 1e8;

/// `F(x) = P(X ≤ x)`.
///
/// # Errors
/// A NaN `x`, quadrature that does not converge, or a discrete support too
/// long to sum.
pub fn cdf(d: &Dist, x: f64) -> Result<f64, CdfError> {
    if x.is_nan() {
        return Err(CdfError("the distribution function at NaN".into()));
    }
    let (lo, hi) = d.support();
    if x < lo {
        return Ok(0.0);
    }
    if x >= hi {
        return Ok(1.0);
    }
    if let Dist::Mixture(_) = d {
        let (weights, components) = mixture_parts(d);
        let mut total = 0.0;
        for (w, c) in weights.iter().zip(&components) {
            total += w * cdf(c, x)?;
        }
        return Ok(total.clamp(0.0, 1.0));
    }
    if let Some(v) = closed_form(d, x) {
        return Ok(v.clamp(0.0, 1.0));
    }
    if d.is_discrete() {
        return mass_up_to(d, x.floor()).map(|v| v.clamp(0.0, 1.0));
    }
    by_quadrature(d, x)
}

/// `F` at each of `sorted` (ascending): the same values as [`cdf`], with
/// quadrature run between neighbouring points rather than from the end of
/// the support each time, so that a large sample costs one short integral
/// per point.
///
/// # Errors
/// As [`cdf`].
pub fn cdf_sorted(d: &Dist, sorted: &[f64]) -> Result<Vec<f64>, CdfError> {
    if d.is_discrete() || matches!(d, Dist::Mixture(_)) || closed_form(d, 0.5).is_some() {
        return sorted.iter().map(|&x| cdf(d, x)).collect();
    }
    let mut out = Vec::with_capacity(sorted.len());
    let mut previous: Option<(f64, f64)> = None;
    for &x in sorted {
        let value = match previous {
            Some((px, pf)) if x >= px => pf + integral(d, px, x)?,
            _ => cdf(d, x)?,
        };
        let value = value.clamp(0.0, 1.0);
        out.push(value);
        previous = Some((x, value));
    }
    Ok(out)
}

/// The smallest `x` with `F(x) ≥ p`, for `p` in `(0, 1)`: by bisection on
/// [`cdf`], to the resolution of floating point (to whole numbers for a
/// discrete family).
///
/// # Errors
/// A `p` outside `(0, 1)`, or a distribution function that fails.
pub fn quantile(d: &Dist, p: f64) -> Result<f64, CdfError> {
    if !(p > 0.0 && p < 1.0) {
        return Err(CdfError(format!("a quantile needs 0 < p < 1, got {p}")));
    }
    let (mut a, mut b) = bracket(d, p)?;
    if d.is_discrete() {
        // F(a) < p ≤ F(b) with a, b whole: halve until they are neighbours.
        while b - a > 1.0 {
            let mid = (0.5 * (a + b)).floor();
            if cdf(d, mid)? >= p {
                b = mid;
            } else {
                a = mid;
            }
        }
        return Ok(b);
    }
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        if mid <= a || mid >= b {
            break;
        }
        if cdf(d, mid)? >= p {
            b = mid;
        } else {
            a = mid;
        }
    }
    Ok(0.5 * (a + b))
}

/// `a < b` with `F(a) < p ≤ F(b)`: the ends of the support where finite,
/// otherwise steps doubling outwards from the bulk of the mass.
fn bracket(d: &Dist, p: f64) -> Result<(f64, f64), CdfError> {
    let (lo, hi) = d.support();
    let (centre, width) = d.landmark();
    let width = if width.is_finite() && width > 0.0 {
        width
    } else {
        1.0
    };
    let centre = centre.clamp(lo, hi);
    let whole = |x: f64| if d.is_discrete() { x.floor() } else { x };
    let mut a = if lo.is_finite() {
        // Below the support's start, F is 0 < p.
        if d.is_discrete() { lo - 1.0 } else { lo }
    } else {
        let mut step = width;
        let mut a = whole(centre - step);
        while cdf(d, a)? >= p {
            step *= 2.0;
            a = whole(centre - step);
            if !a.is_finite() {
                return Err(CdfError(format!("no lower bracket for the {p} quantile")));
            }
        }
        a
    };
    let mut b = if hi.is_finite() {
        hi
    } else {
        let mut step = width;
        let mut b = whole(centre + step).max(a + 1.0);
        while cdf(d, b)? < p {
            step *= 2.0;
            b = whole(centre + step);
            if !b.is_finite() {
                return Err(CdfError(format!("no upper bracket for the {p} quantile")));
            }
        }
        b
    };
    if b <= a {
        // A degenerate bracket (a one-point support): widen it.
        a -= 1.0;
        b = a + 2.0;
    }
    Ok((a, b))
}

fn mixture_parts(d: &Dist) -> (Vec<f64>, Vec<Dist>) {
    let mut weights = Vec::new();
    let mut components = Vec::new();
    for value in d.params() {
        match value {
            ParamValue::Vector(w) => weights = w,
            ParamValue::Components(c) => components = c,
            _ => {}
        }
    }
    (weights, components)
}

/// The standard normal distribution function, through `erfc` so that the
/// lower tail keeps its digits.
fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// `F(x)` in closed form, for `x` inside the support, where the family has
/// one.
fn closed_form(d: &Dist, x: f64) -> Option<f64> {
    match d {
        Dist::Normal(n) => Some(phi((x - n.mean()) / n.std())),
        Dist::LogNormal(l) => Some(phi((x.ln() - l.meanlog()) / l.sdlog())),
        Dist::Exponential(e) => Some(-(-e.rate() * x).exp_m1()),
        Dist::Laplace(l) => {
            let z = (x - l.loc()) / l.scale();
            Some(if z < 0.0 {
                0.5 * z.exp()
            } else {
                1.0 - 0.5 * (-z).exp()
            })
        }
        Dist::Uniform(u) => Some((x - u.low()) / (u.high() - u.low())),
        Dist::Gamma(g) => regularized_gamma(g.shape(), g.rate() * x).map(|(p, _)| p),
        _ => None,
    }
}

/// `Σ_{k ≤ upto} p(k)` over the support of a discrete family, from the
/// support's start, or from where the mass below is negligible (40
/// standard deviations under the mean) when that is later.
fn mass_up_to(d: &Dist, upto: f64) -> Result<f64, CdfError> {
    let (lo, _) = d.support();
    let (m, v) = (d.mean(), d.variance());
    let mut start = lo;
    if m.is_finite() && v.is_finite() {
        start = start.max((m - 40.0 * v.sqrt()).floor());
    }
    if !start.is_finite() {
        return Err(CdfError(format!(
            "the support of {} has no first value to sum from",
            d.label()
        )));
    }
    if upto - start > MAX_TERMS {
        return Err(CdfError(format!(
            "summing {} from {start} to {upto} takes too many terms",
            d.label()
        )));
    }
    let mut total = 0.0;
    let mut k = start;
    while k <= upto {
        total += d.ln_pdf(k).exp();
        k += 1.0;
    }
    Ok(total)
}

/// `∫_a^b p(x) dx`.
fn integral(d: &Dist, a: f64, b: f64) -> Result<f64, CdfError> {
    if a == b {
        return Ok(0.0);
    }
    quad::integrate(|x| density(d, x), a, b, QUAD)
        .map(|r| r.value)
        .map_err(|e| CdfError(format!("the distribution function of {}: {e}", d.label())))
}

/// The density, 0 where it is not a number (an end of the support where it
/// is infinite is a single point, of no mass).
fn density(d: &Dist, x: f64) -> f64 {
    let v = d.ln_pdf(x).exp();
    if v.is_finite() { v } else { 0.0 }
}

/// `F(x)` by quadrature from the nearer end: the lower tail below the bulk
/// of the mass, one minus the upper tail above it, so that neither tail is
/// a difference of numbers near 1.
fn by_quadrature(d: &Dist, x: f64) -> Result<f64, CdfError> {
    let (lo, hi) = d.support();
    let (centre, _) = d.landmark();
    let centre = if centre.is_finite() {
        centre.clamp(lo, hi)
    } else {
        0.0
    };
    let value = if x <= centre {
        integral(d, lo, x)?
    } else {
        1.0 - integral(d, x, hi)?
    };
    Ok(value.clamp(0.0, 1.0))
}

/// The regularized incomplete gamma functions `(P(a, x), Q(a, x))`, with
/// `P + Q = 1`: the series for `P` below `x = a + 1`, the continued
/// fraction for `Q` above (Numerical Recipes, 3rd ed., §6.2), each to
/// double precision. `None` when either needs more than a few thousand
/// terms (a shape far above 10⁶), where the caller integrates instead.
pub fn regularized_gamma(a: f64, x: f64) -> Option<(f64, f64)> {
    if a.is_nan() || a <= 0.0 || x.is_nan() {
        return None;
    }
    if x <= 0.0 {
        return Some((0.0, 1.0));
    }
    if x.is_infinite() {
        return Some((1.0, 0.0));
    }
    // x^a e^{−x} / Γ(a), the factor both expansions share.
    let ln_front = a * x.ln() - x - special::ln_gamma(a);
    const MAX_TERMS: usize = 5000;
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..MAX_TERMS {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * f64::EPSILON {
                let p = (sum.ln() + ln_front).exp();
                return Some((p, 1.0 - p));
            }
        }
        None
    } else {
        // Modified Lentz's method for the continued fraction of Q.
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_TERMS {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < f64::EPSILON {
                let q = (h.ln() + ln_front).exp();
                return Some((1.0 - q, q));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::text::parse_uni;

    fn dist(text: &str) -> Dist {
        parse_uni(text).unwrap()
    }

    /// `F(x)` straight from quadrature of the density from the lower end,
    /// bypassing the closed forms: the reference they are held to.
    fn reference(d: &Dist, x: f64) -> f64 {
        let (lo, _) = d.support();
        quad::integrate(|t| density(d, t), lo, x, Tolerance::default())
            .unwrap()
            .value
    }

    #[test]
    fn closed_forms_agree_with_quadrature_of_the_density() {
        for (text, xs) in [
            ("normal(mean=1.5, std=2)", vec![-6.0, -1.0, 1.5, 2.0, 7.0]),
            (
                "lognormal(meanlog=0.3, sdlog=0.8)",
                vec![0.05, 0.5, 1.3, 4.0, 20.0],
            ),
            ("exponential(rate=0.7)", vec![0.01, 0.5, 1.4, 6.0]),
            (
                "laplace(loc=-1, scale=0.5)",
                vec![-4.0, -1.2, -1.0, -0.3, 2.0],
            ),
            ("uniform(low=-1, high=3)", vec![-0.9, 0.0, 2.5]),
            ("gamma(shape=2.5, rate=1.3)", vec![0.1, 1.0, 1.9, 3.0, 9.0]),
            ("gamma(shape=0.4, rate=2)", vec![1e-4, 0.05, 0.3, 2.0]),
            (
                "gamma(shape=300, rate=3)",
                vec![80.0, 99.0, 100.0, 104.0, 130.0],
            ),
            (
                "mixture(weights=[0.3, 0.7], components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])",
                vec![-3.0, -2.0, 0.0, 1.5, 3.0],
            ),
        ] {
            let d = dist(text);
            assert!(
                closed_form(&d, xs[0]).is_some() || matches!(d, Dist::Mixture(_)),
                "{text}"
            );
            for x in xs {
                let (got, want) = (cdf(&d, x).unwrap(), reference(&d, x));
                assert!((got - want).abs() < 1e-10, "{text} at {x}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn families_without_a_closed_form_integrate_their_density() {
        // The t(3) against its closed form, 1/2 + (θ + sin θ cos θ)/π with
        // θ = atan(z/√3); the beta(2, 3) against its polynomial
        // 6x² − 8x³ + 3x⁴.
        let t = dist("student_t(df=3, loc=1, scale=2)");
        for x in [-40.0, -3.0, 0.0, 1.0, 2.5, 9.0, 300.0] {
            let theta = ((x - 1.0) / 2.0 / 3f64.sqrt()).atan();
            let want = 0.5 + (theta + theta.sin() * theta.cos()) / std::f64::consts::PI;
            let got = cdf(&t, x).unwrap();
            assert!((got - want).abs() < 1e-11, "t at {x}: {got} vs {want}");
        }
        let b = dist("beta(alpha=2, beta=3)");
        for x in [0.01f64, 0.2, 0.5, 0.9, 0.999] {
            let want = 6.0 * x * x - 8.0 * x.powi(3) + 3.0 * x.powi(4);
            let got = cdf(&b, x).unwrap();
            assert!((got - want).abs() < 1e-11, "beta at {x}: {got} vs {want}");
        }
        // Neighbouring integrals add up to the same values.
        let xs = [-40.0, -3.0, -3.0, 0.0, 1.0, 2.5, 9.0, 300.0];
        let sorted = cdf_sorted(&t, &xs).unwrap();
        for (x, f) in xs.iter().zip(&sorted) {
            assert!((f - cdf(&t, *x).unwrap()).abs() < 1e-11, "at {x}");
        }
    }

    #[test]
    fn discrete_families_sum_their_masses() {
        // Poisson(2.5) at 3: e^{−2.5}(1 + 2.5 + 2.5²/2 + 2.5³/6).
        let p = dist("poisson(rate=2.5)");
        let want = (-2.5f64).exp() * (1.0 + 2.5 + 3.125 + 2.5f64.powi(3) / 6.0);
        assert!((cdf(&p, 3.0).unwrap() - want).abs() < 1e-15);
        assert!((cdf(&p, 3.7).unwrap() - want).abs() < 1e-15);
        assert_eq!(cdf(&p, -0.5).unwrap(), 0.0);
        // Geometric(0.25) on 1, 2, ...: F(k) = 1 − 0.75^k.
        let g = dist("geometric(p=0.25)");
        assert!((cdf(&g, 4.0).unwrap() - (1.0 - 0.75f64.powi(4))).abs() < 1e-15);
        assert_eq!(quantile(&g, 1.0 - 0.75f64.powi(4)).unwrap(), 4.0);
        assert_eq!(quantile(&g, 1.0 - 0.75f64.powi(4) + 1e-9).unwrap(), 5.0);
        assert_eq!(quantile(&p, 1e-6).unwrap(), 0.0);
    }

    #[test]
    fn quantiles_invert_the_distribution_function() {
        for text in [
            "normal(mean=1.5, std=2)",
            "gamma(shape=0.4, rate=2)",
            "student_t(df=1.5, loc=0, scale=1)",
            "beta(alpha=0.5, beta=0.5)",
            "uniform(low=2, high=3)",
            "mixture(weights=[0.3, 0.7], components=[normal(mean=-2, std=0.6), normal(mean=1.5, std=1)])",
        ] {
            let d = dist(text);
            for p in [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999_999] {
                let x = quantile(&d, p).unwrap();
                let f = cdf(&d, x).unwrap();
                assert!((f - p).abs() < 1e-9, "{text} at {p}: F({x}) = {f}");
            }
        }
        // The standard normal's quartile, 0.674489750196081743202 (mpmath).
        let z = quantile(&dist("normal(mean=0, std=1)"), 0.75).unwrap();
        assert!((z - 0.674_489_750_196_081_7).abs() < 1e-13, "{z}");
        assert!(quantile(&dist("normal(mean=0, std=1)"), 1.0).is_err());
    }

    /// Against scipy.special.gammainc / gammaincc (scipy 1.17), to a
    /// relative 1e-12: the common factor's logarithm, `a ln x − x − ln Γ(a)`,
    /// is a difference of numbers as large as `a ln x` (1700 for `a = 300`),
    /// which leaves it some 1e-13 of relative error.
    #[test]
    fn the_incomplete_gamma_function_matches_scipy() {
        for (a, x, p, q) in REGULARIZED_GAMMA {
            let (got_p, got_q) = regularized_gamma(a, x).unwrap();
            assert!(
                (got_p - p).abs() <= 1e-12 * p.max(1e-300) || (got_p - p).abs() < 1e-300,
                "P({a}, {x}) = {got_p}, scipy {p}"
            );
            assert!(
                (got_q - q).abs() <= 1e-12 * q.max(1e-300) || (got_q - q).abs() < 1e-300,
                "Q({a}, {x}) = {got_q}, scipy {q}"
            );
        }
        assert_eq!(regularized_gamma(2.0, 0.0), Some((0.0, 1.0)));
        assert_eq!(regularized_gamma(0.0, 1.0), None);
    }

    #[allow(clippy::excessive_precision)]
    const REGULARIZED_GAMMA: [(f64, f64, f64, f64); 12] = [
        (0.5, 0.1, 0.345_279_153_981_423_17, 0.654_720_846_018_576_8),
        (0.5, 2.0, 0.954_499_736_103_641_5, 0.045_500_263_896_358_57),
        (2.5, 1.0, 0.150_854_963_915_390_38, 0.849_145_036_084_609_6),
        (2.5, 7.0, 0.984_390_583_899_733_1, 0.015_609_416_100_266_91),
        (
            10.0,
            3.0,
            0.001_102_488_130_115_481_5,
            0.998_897_511_869_884_5,
        ),
        (
            10.0,
            25.0,
            0.999_778_523_361_751_2,
            0.000_221_476_638_248_783_5,
        ),
        (
            300.0,
            290.0,
            0.286_175_510_294_303_8,
            0.713_824_489_705_696_2,
        ),
        (
            300.0,
            320.0,
            0.874_750_090_862_013_2,
            0.125_249_909_137_986_8,
        ),
        (1.0, 1e-10, 9.999_999_999_500_014e-11, 0.999_999_999_9),
        (
            0.01,
            0.5,
            0.994_373_243_806_032_6,
            0.005_626_756_193_967_183,
        ),
        (50.0, 2.0, 5.214_301_903_317_310_7e-51, 1.0),
        (
            3.0,
            40.0,
            0.999_999_999_999_996_4,
            3.572_865_928_700_233e-15,
        ),
    ];
}
