//! The Student t family, `student_t(df, loc, scale)`: `loc + scale · T`
//! with `T` a standard t variable on `df` degrees of freedom.
//!
//! There is no closed-form KL divergence between two members; the KL
//! registry falls back to quadrature of the definition. The t's moments
//! exist only below `df`, which the registry uses to tell infinite
//! divergences from finite ones.

use rand::Rng;
use rand_distr::Distribution;

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Information, LN_SQRT_2PI, Univariate};
use crate::numeric::linalg::Cholesky;
use crate::numeric::special::half_shift;
use crate::numeric::sum;

/// The Student t distribution with `df` degrees of freedom, location `loc`
/// and scale `scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct StudentT {
    df: f64,
    loc: f64,
    scale: f64,
    /// `1 / (scale √df)`: `(x − loc) ·` this is `z/√df`.
    inv_width: f64,
    /// `ln Γ((df+1)/2) − ln Γ(df/2) − ½ ln(df π) − ln scale`: `ln p(loc)`.
    ln_peak: f64,
    sampler: rand_distr::StudentT<f64>,
}

impl StudentT {
    /// A Student t distribution.
    ///
    /// # Errors
    /// When `df` or `scale` is not a finite number > 0, or `loc` is not
    /// finite.
    pub fn new(df: f64, loc: f64, scale: f64) -> Result<Self, ParamError> {
        let df = Constraint::Positive.check("df", df)?;
        let loc = Constraint::Real.check("loc", loc)?;
        let scale = Constraint::Positive.check("scale", scale)?;
        let sampler =
            rand_distr::StudentT::new(df).map_err(|e| ParamError::new("df", e.to_string()))?;
        Ok(Self {
            df,
            loc,
            scale,
            inv_width: 1.0 / (scale * df.sqrt()),
            ln_peak: ln_standard_peak(df) - scale.ln(),
            sampler,
        })
    }

    /// The degrees of freedom.
    pub fn df(&self) -> f64 {
        self.df
    }

    /// The location (the median, and the mean when `df > 1`).
    pub fn loc(&self) -> f64 {
        self.loc
    }

    /// The scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

/// `ln p(0)` for the standard t: `ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ)`,
/// which is `−½ ln 2π` plus the excess of [`HalfShift`] (the `½ ln(ν/2)`
/// of both sides cancels analytically, not in floating point).
fn ln_standard_peak(df: f64) -> f64 {
    half_shift(0.5 * df).ln_gamma_excess - LN_SQRT_2PI
}

/// `ln(1 + y²)` for `y ≥ 0`, also where `y²` would overflow.
#[inline]
fn ln_1p_square(y: f64) -> f64 {
    if y < 1e150 {
        (y * y).ln_1p()
    } else {
        2.0 * y.ln()
    }
}

impl Univariate for StudentT {
    #[inline]
    fn ln_pdf(&self, x: f64) -> f64 {
        let y = ((x - self.loc) * self.inv_width).abs();
        self.ln_peak - 0.5 * (self.df + 1.0) * ln_1p_square(y)
    }

    /// rand_distr's standard t (a normal over the root of a scaled
    /// chi-squared), shifted and scaled.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let t: f64 = self.sampler.sample(rng);
        self.loc + self.scale * t
    }

    /// `loc` for `df > 1`; NaN for `df ≤ 1`, where the mean is undefined.
    fn mean(&self) -> f64 {
        if self.df > 1.0 { self.loc } else { f64::NAN }
    }

    /// `scale² df/(df − 2)` for `df > 2`; `+inf` for `1 < df ≤ 2`; NaN for
    /// `df ≤ 1`, where not even the mean exists.
    fn variance(&self) -> f64 {
        if self.df > 2.0 {
            self.scale * self.scale * self.df / (self.df - 2.0)
        } else if self.df > 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        }
    }

    /// `(ν+1)/2 · [ψ((ν+1)/2) − ψ(ν/2)] + ½ ln ν + ln B(ν/2, ½) + ln scale`,
    /// with `ln B(ν/2, ½) = ½ ln π − [ln Γ((ν+1)/2) − ln Γ(ν/2)]`: the
    /// differences come from `half_shift`, accurate for any `ν`.
    fn entropy(&self) -> Option<f64> {
        let nu = self.df;
        let shift = half_shift(0.5 * nu);
        Some(
            0.5 * (nu + 1.0) * shift.digamma + LN_SQRT_2PI - shift.ln_gamma_excess
                + self.scale.ln(),
        )
    }

    fn tail(&self) -> super::Tail {
        super::Tail::Heavy
    }

    fn moment_limit(&self) -> f64 {
        self.df
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    /// `loc` and `scale`: the moments may not exist.
    fn landmark(&self) -> (f64, f64) {
        (self.loc, self.scale)
    }
}

impl Family for StudentT {
    const NAME: &'static str = "student_t";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("df", Constraint::Positive),
        ParamDef::scalar("loc", Constraint::Real),
        ParamDef::scalar("scale", Constraint::Positive),
    ];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Observed;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [df, loc, scale] = param::scalars(Self::PARAMS, values)?;
        Self::new(df, loc, scale)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![
            ParamValue::Scalar(self.df),
            ParamValue::Scalar(self.loc),
            ParamValue::Scalar(self.scale),
        ]
    }

    /// All three parameters: see `fit_t`.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        fit_t(xs, None)
    }

    /// `loc` and `scale` with `df` held at `value`; no other parameter can
    /// be held fixed.
    fn fit_fixed(xs: &[f64], param: &str, value: f64) -> Result<Self, FitError> {
        if param != "df" {
            return Err(FitError::CannotFix {
                family: Self::NAME,
                param: param.to_string(),
            });
        }
        let df = Constraint::Positive
            .check("df", value)
            .map_err(|e| FitError::Degenerate {
                family: Self::NAME,
                reason: format!("the fixed {e}"),
            })?;
        fit_t(xs, Some(df))
    }

    /// The expected information (Lange, Little & Taylor 1989, JASA 84,
    /// p. 881) is block diagonal: `I_loc = (ν+1)/((ν+3) s²)`, and for
    /// `(scale, df)`
    /// `I_ss = 2ν/((ν+3) s²)`, `I_sν = −2/((ν+1)(ν+3) s)`,
    /// `I_νν = ¼[ψ₁(ν/2) − ψ₁((ν+1)/2)] − (ν+5)/(2ν(ν+1)(ν+3))`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        let (nu, s) = (self.df, self.scale);
        let i_loc = (nu + 1.0) / ((nu + 3.0) * s * s);
        let i_ss = 2.0 * nu / ((nu + 3.0) * s * s);
        let i_sn = -2.0 / ((nu + 1.0) * (nu + 3.0) * s);
        let i_nn = 0.25 * half_shift(0.5 * nu).trigamma
            - (nu + 5.0) / (2.0 * nu * (nu + 1.0) * (nu + 3.0));
        let det = i_ss * i_nn - i_sn * i_sn;
        if det.is_nan() || det <= 0.0 {
            return None;
        }
        // In the order of the parameters: df, loc, scale.
        Some(vec![
            (i_ss / det).sqrt(),
            (1.0 / i_loc).sqrt(),
            (i_nn / det).sqrt(),
        ])
    }
}

/// A fit's stopping rule: every component of the gradient of the average
/// log-likelihood with respect to `(loc/scale, ln scale, ln df)` — the
/// natural, unit-free coordinates — is at most this.
const GRADIENT_TOLERANCE: f64 = 1e-12;
/// Newton and EM steps allowed before a fit gives up.
const MAX_ITERATIONS: usize = 500;
/// Beyond this `df`, a fitted t cannot be told from a normal; a fit whose
/// `df` runs past it has no finite maximiser.
const MAX_DF: f64 = 1e10;
/// Below this `df` (with the scale shrinking too), the likelihood is
/// running off to its singularity at a data point rather than to a maximum.
const MIN_DF: f64 = 1e-6;

/// The average log-likelihood's gradient and Hessian at a point, in the
/// coordinates `(loc/scale, ln scale, ln df)` (the first row and column
/// scaled by `scale` at that point).
#[derive(Debug, Clone)]
struct Local {
    gradient: [f64; 3],
    hessian: [[f64; 3]; 3],
}

/// The gradient and Hessian of the average log-likelihood of `t(ν, μ, σ)`
/// at `xs`, in the coordinates of [`Local`]. With `z = (x − μ)/σ`,
/// `s = ν + z²`, `r = z²/s`, `q = ν/s`, `ℓ = c(ν) − ln σ − (ν+1)/2 ln(1 + z²/ν)`
/// has
/// `∂ℓ/∂(μ/σ) = (ν+1) z/s`, `∂ℓ/∂ln σ = (ν+1) r − 1`,
/// `∂ℓ/∂ln ν = ½(ν ψ-difference − 1) + ½ν (r − ln(1 + z²/ν)) + ½ r`,
/// and the second derivatives below; every term is written through
/// `r`, `q` and `z/s`, which stay bounded however far out `x` lies.
fn local(xs: &[f64], nu: f64, mu: f64, sigma: f64) -> Local {
    let a = nu + 1.0;
    let inv_nu = 1.0 / nu;
    let inv_width = 1.0 / (sigma * nu.sqrt());
    let mut g = [0.0; 3];
    let mut h = [[0.0; 3]; 3];
    for &x in xs {
        let z = (x - mu) / sigma;
        let y = ((x - mu) * inv_width).abs();
        let u = y * y;
        let q = 1.0 / (1.0 + u);
        // u/(1 + u), also for u = 0 and u = ∞.
        let r = 1.0 / (1.0 + 1.0 / u);
        let zs = z * inv_nu * q;
        g[0] += a * zs;
        g[1] += a * r - 1.0;
        g[2] += 0.5 * nu * (r - ln_1p_square(y)) + 0.5 * r;
        h[0][0] += a * (r - q) * q * inv_nu;
        h[0][1] -= 2.0 * a * q * zs;
        h[0][2] += zs * (nu * r - q);
        h[1][1] -= 2.0 * a * q * r;
        h[1][2] += r * (nu * r - q);
        h[2][2] += 0.5 * r * (r * (nu - 1.0) - 2.0 * q);
    }
    let n = xs.len() as f64;
    for v in g.iter_mut().chain(h.iter_mut().flatten()) {
        *v /= n;
    }
    let shift = half_shift(0.5 * nu);
    g[2] += 0.5 * (nu * shift.digamma - 1.0);
    // ν² c″(ν) + ν ∂ℓ/∂ν, with c″(ν) = −¼ [ψ₁(ν/2) − ψ₁((ν+1)/2)] + 1/(2ν²).
    h[2][2] += -0.25 * nu * nu * shift.trigamma + 0.5 + g[2];
    h[1][0] = h[0][1];
    h[2][0] = h[0][2];
    h[2][1] = h[1][2];
    Local {
        gradient: g,
        hessian: h,
    }
}

/// The average log-likelihood, `−inf` outside the parameter space.
fn average_loglik(xs: &[f64], nu: f64, mu: f64, sigma: f64) -> f64 {
    match StudentT::new(nu, mu, sigma) {
        Ok(d) => d.sum_ln_pdf(xs) / xs.len() as f64,
        Err(_) => f64::NEG_INFINITY,
    }
}

/// One EM step for `loc` and `scale` at fixed `df` (Kent & Tyler 1991):
/// weights `(ν+1)/(ν + z²)`, then the weighted mean and the weighted
/// mean square about it. Never lowers the likelihood.
fn em_step(xs: &[f64], nu: f64, mu: f64, sigma: f64) -> (f64, f64) {
    let weight = |x: f64| {
        let z = (x - mu) / sigma;
        (nu + 1.0) / (nu + z * z)
    };
    let total = sum::lanes(xs, weight);
    let new_mu = sum::lanes(xs, |x| weight(x) * x) / total;
    let new_var = sum::lanes(xs, |x| weight(x) * (x - new_mu) * (x - new_mu)) / xs.len() as f64;
    (new_mu, new_var.sqrt())
}

/// Maximum likelihood for the t, with `df` free (`fixed = None`) or held.
///
/// Starts from the median, the scaled median absolute deviation and (if
/// free) the `df` whose kurtosis matches the sample's, then takes Newton
/// steps in `(loc, ln scale, ln df)` with a backtracking line search; where
/// the Hessian is not negative definite it takes an EM step for `loc` and
/// `scale` and a safeguarded one-dimensional step for `df` instead. Stops
/// when the gradient is within [`GRADIENT_TOLERANCE`].
///
/// With `df` free the likelihood is unbounded (as `df → 0` and
/// `scale → 0` with `loc` on a data point; Fernández & Steel 1999), so the
/// fit is the local maximum reached from that start; and when the sample's
/// kurtosis is at most 3 there is no such start: the normal (`df = ∞`) is
/// then a local maximum, the one a moment estimate leads to (other local
/// maxima, at small `df` near clusters of data, may exist), so the fit is
/// refused.
fn fit_t(xs: &[f64], fixed: Option<f64>) -> Result<StudentT, FitError> {
    super::check_data(StudentT::NAME, xs)?;
    if xs.len() < 2 {
        return Err(FitError::degenerate(
            StudentT::NAME,
            "needs at least 2 observations",
        ));
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if sorted[0] == sorted[n - 1] {
        return Err(FitError::degenerate(
            StudentT::NAME,
            format!(
                "the data are constant (every observation is {}), so scale = 0",
                sorted[0]
            ),
        ));
    }
    let median = 0.5 * sorted[(n - 1) / 2] + 0.5 * sorted[n / 2];
    let mut deviations: Vec<f64> = xs.iter().map(|x| (x - median).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let mad = 0.5 * deviations[(n - 1) / 2] + 0.5 * deviations[n / 2];
    let sigma = if mad > 0.0 {
        1.482_602_218_505_602 * mad
    } else {
        sum::mean(&deviations)
    };
    let nu = match fixed {
        Some(nu) => {
            check_ties(&sorted, nu).map_err(|r| FitError::degenerate(StudentT::NAME, r))?;
            nu
        }
        None => {
            let kurtosis = sample_kurtosis(xs);
            if kurtosis.is_nan() || kurtosis <= 3.0 {
                return Err(FitError::degenerate(
                    StudentT::NAME,
                    format!(
                        "the sample kurtosis is {kurtosis:.4}, not above a normal's 3: from \
                     the moment estimate the likelihood rises towards df = ∞ (a normal); \
                     fit a normal, or hold df fixed"
                    ),
                ));
            }
            // The t's kurtosis is 3 + 6/(ν − 4).
            (4.0 + 6.0 / (kurtosis - 3.0)).min(1e3)
        }
    };
    let (nu, mu, sigma) = maximise(xs, fixed.is_none(), nu, median, sigma)
        .map_err(|r| FitError::degenerate(StudentT::NAME, r))?;
    StudentT::new(nu, mu, sigma).map_err(|e| FitError::degenerate(StudentT::NAME, e.to_string()))
}

/// The biased sample kurtosis `m₄/m₂²`.
fn sample_kurtosis(xs: &[f64]) -> f64 {
    let m = sum::mean(xs);
    // Standardised first, so that fourth powers neither overflow nor
    // underflow whatever the data's scale.
    let sd = (sum::lanes(xs, |x| (x - m) * (x - m)) / xs.len() as f64).sqrt();
    let s = if sd > 0.0 && sd.is_finite() {
        sd
    } else {
        xs.iter().fold(0.0f64, |a, x| a.max((x - m).abs()))
    };
    let m2 = sum::lanes(xs, |x| ((x - m) / s).powi(2)) / xs.len() as f64;
    let m4 = sum::lanes(xs, |x| ((x - m) / s).powi(4)) / xs.len() as f64;
    m4 / (m2 * m2)
}

/// With `df = ν` fixed, the likelihood is bounded (and has a unique
/// maximum) iff fewer than a fraction `ν/(ν+1)` of the observations
/// coincide (Kent & Tyler 1991): `k` tied values at `loc` contribute
/// `−k ln σ`, the rest `+(n − k) ν ln σ` as `σ → 0`.
fn check_ties(sorted: &[f64], nu: f64) -> Result<(), String> {
    let n = sorted.len();
    let (mut best, mut value, mut run) = (0, sorted[0], 0);
    for (i, &x) in sorted.iter().enumerate() {
        run = if i > 0 && x == sorted[i - 1] {
            run + 1
        } else {
            1
        };
        if run > best {
            (best, value) = (run, x);
        }
    }
    if best as f64 >= (n - best) as f64 * nu {
        return Err(format!(
            "{best} of the {n} observations equal {value}: with df = {nu} the likelihood \
             grows without bound as scale → 0 unless fewer than a fraction \
             df/(df + 1) of them coincide"
        ));
    }
    Ok(())
}

/// The Newton/EM iterations of [`fit_t`]; returns `(df, loc, scale)`.
fn maximise(
    xs: &[f64],
    free_df: bool,
    mut nu: f64,
    mut mu: f64,
    mut sigma: f64,
) -> Result<(f64, f64, f64), String> {
    let dim = if free_df { 3 } else { 2 };
    let mut ll = average_loglik(xs, nu, mu, sigma);
    for _ in 0..MAX_ITERATIONS {
        let at = local(xs, nu, mu, sigma);
        let g = &at.gradient[..dim];
        let norm = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if norm <= GRADIENT_TOLERANCE {
            return Ok((nu, mu, sigma));
        }
        let moved = newton_step(xs, &at, dim, norm, (nu, mu, sigma), ll);
        let next = match moved {
            Some(next) => next,
            None => fallback_step(xs, free_df, (nu, mu, sigma)),
        };
        (nu, mu, sigma) = next.0;
        ll = next.1;
        // With df held fixed a large value is the user's choice.
        if nu.is_nan() || (free_df && nu > MAX_DF) {
            return Err(format!(
                "df passed {MAX_DF:e}: the likelihood keeps rising towards a normal"
            ));
        }
        if !(nu >= MIN_DF && sigma > 0.0 && sigma.is_finite()) {
            return Err(format!(
                "df fell to {nu:e} and scale to {sigma:e}: the likelihood grows without \
                 bound with the scale shrinking onto a data point (too many tied values?)"
            ));
        }
    }
    Err(format!(
        "no convergence in {MAX_ITERATIONS} iterations (df {nu}, loc {mu}, scale {sigma})"
    ))
}

type Point = ((f64, f64, f64), f64);

/// A Newton step with backtracking, or `None` when the Hessian is not
/// negative definite or no step length raises the likelihood.
fn newton_step(
    xs: &[f64],
    at: &Local,
    dim: usize,
    norm: f64,
    (nu, mu, sigma): (f64, f64, f64),
    ll: f64,
) -> Option<Point> {
    let neg: Vec<Vec<f64>> = (0..dim)
        .map(|i| (0..dim).map(|j| -at.hessian[i][j]).collect())
        .collect();
    let chol = Cholesky::new(&neg).ok()?;
    let mut step = chol.solve(&at.gradient[..dim]);
    // At most one unit in any coordinate: one scale for loc, a factor e
    // for scale and df.
    let longest = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if longest > 1.0 {
        step.iter_mut().for_each(|v| *v /= longest);
    }
    let slope: f64 = step.iter().zip(&at.gradient).map(|(s, g)| s * g).sum();
    // Close to the maximum the change in likelihood is below its rounding,
    // and the full Newton step is taken: convergence is quadratic there.
    let close = norm < 1e-7 && longest <= 1.0;
    let mut t = 1.0;
    for _ in 0..40 {
        let cand = (
            if dim == 3 {
                nu * (t * step[2]).exp()
            } else {
                nu
            },
            mu + t * step[0] * sigma,
            sigma * (t * step[1]).exp(),
        );
        let cand_ll = average_loglik(xs, cand.0, cand.1, cand.2);
        if close || cand_ll >= ll + 1e-4 * t * slope {
            return Some((cand, cand_ll));
        }
        t *= 0.5;
    }
    None
}

/// An EM step for `loc` and `scale`, then (if `df` is free) a Newton step
/// in `ln df` alone if that curvature is negative, else a unit step uphill,
/// halved until the likelihood does not fall.
fn fallback_step(xs: &[f64], free_df: bool, (nu, mu, sigma): (f64, f64, f64)) -> Point {
    let (mu, sigma) = em_step(xs, nu, mu, sigma);
    let ll = average_loglik(xs, nu, mu, sigma);
    if !free_df {
        return ((nu, mu, sigma), ll);
    }
    let at = local(xs, nu, mu, sigma);
    let (g, h) = (at.gradient[2], at.hessian[2][2]);
    let step = if h < 0.0 { -g / h } else { g.signum() }.clamp(-1.0, 1.0);
    let mut t = 1.0;
    for _ in 0..40 {
        let cand = nu * (t * step).exp();
        let cand_ll = average_loglik(xs, cand, mu, sigma);
        if cand_ll >= ll {
            return ((cand, mu, sigma), cand_ll);
        }
        t *= 0.5;
    }
    ((nu, mu, sigma), ll)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, FamilyDef, Laplace, Normal};
    use crate::numeric::{quad, special};
    use crate::stats::fit;
    use crate::stats::kl::{self, Method};
    use crate::testing::{assert_relative, draws};
    use rand::SeedableRng;
    use std::f64::consts::PI;

    fn t(df: f64, loc: f64, scale: f64) -> StudentT {
        StudentT::new(df, loc, scale).unwrap()
    }

    #[test]
    fn density_matches_the_textbook_formula() {
        for (df, loc, scale) in [(1.0, 0.0, 1.0), (3.5, 1.0, 2.0), (30.0, -2.0, 0.1)] {
            let d = t(df, loc, scale);
            for x in [-7.5, 0.0, 1.0, 2.3, 40.0] {
                let z: f64 = (x - loc) / scale;
                let expected = special::ln_gamma((df + 1.0) / 2.0)
                    - special::ln_gamma(df / 2.0)
                    - 0.5 * (df * PI).ln()
                    - scale.ln()
                    - (df + 1.0) / 2.0 * (1.0 + z * z / df).ln();
                assert_relative(d.ln_pdf(x), expected, 1e-13);
            }
        }
        // df = 1 is the Cauchy.
        let c = t(1.0, 0.0, 1.0);
        assert_relative(c.ln_pdf(2.0), (1.0 / (5.0 * PI)).ln(), 1e-15);
        // Far out, where z² overflows, the density still decays as |x|^−(ν+1).
        assert_relative(c.ln_pdf(1e200), -PI.ln() - 400.0 * 10f64.ln(), 1e-15);
    }

    #[test]
    fn density_integrates_to_one() {
        for d in [
            t(1.0, 0.0, 1.0),
            t(0.5, 2.0, 3.0),
            t(4.0, -1.0, 0.01),
            t(1e6, 0.0, 1.0),
        ] {
            let f = |x: f64| d.ln_pdf(x).exp();
            let tol = quad::Tolerance::default();
            let left = quad::integrate(f, f64::NEG_INFINITY, d.loc, tol).unwrap();
            let right = quad::integrate(f, d.loc, f64::INFINITY, tol).unwrap();
            assert_relative(left.value + right.value, 1.0, 1e-10);
        }
    }

    #[test]
    fn density_for_huge_df_is_the_normal() {
        let (d, n) = (t(1e12, 1.0, 2.0), Normal::new(1.0, 2.0).unwrap());
        for x in [-3.0, 1.0, 4.5] {
            assert_relative(d.ln_pdf(x), n.ln_pdf(x), 1e-11);
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn peak_density_and_entropy_keep_their_digits_for_any_df() {
        // mpmath at 700 digits: loggamma((ν+1)/2) − loggamma(ν/2) − ½ ln(νπ),
        // and the entropy of the standard t.
        for (df, peak, entropy) in [
            (
                1e3,
                -0.919_188_533_163_006_125_11,
                1.419_938_783_037_881_375_4,
            ),
            (
                1e6,
                -0.918_938_783_204_672_741_74,
                1.418_939_533_204_922_741_6,
            ),
            (
                1e10,
                -0.918_938_533_229_672_741_78,
                1.418_938_533_304_672_741_8,
            ),
            (
                1e300,
                -0.918_938_533_204_672_741_78,
                1.418_938_533_204_672_741_8,
            ),
        ] {
            assert_relative(ln_standard_peak(df), peak, 1e-15);
            assert_relative(t(df, 0.0, 1.0).entropy().unwrap(), entropy, 1e-15);
        }
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        assert_eq!(StudentT::new(0.0, 0.0, 1.0).unwrap_err().param, "df");
        assert_eq!(StudentT::new(-1.0, 0.0, 1.0).unwrap_err().param, "df");
        assert_eq!(
            StudentT::new(f64::INFINITY, 0.0, 1.0).unwrap_err().param,
            "df"
        );
        assert_eq!(StudentT::new(3.0, f64::NAN, 1.0).unwrap_err().param, "loc");
        assert_eq!(StudentT::new(3.0, 0.0, 0.0).unwrap_err().param, "scale");
        assert_eq!(StudentT::new(3.0, 0.0, -1.0).unwrap_err().param, "scale");
        let family = FamilyDef::find("student_t").unwrap();
        assert_eq!(
            family.build_scalars(&[3.0, 0.0]).unwrap_err().param,
            "scale"
        );
    }

    #[test]
    fn moments_are_undefined_or_infinite_for_small_df() {
        assert!(t(1.0, 2.0, 1.0).mean().is_nan());
        assert!(t(0.5, 2.0, 1.0).variance().is_nan());
        assert_eq!(t(1.5, 2.0, 1.0).mean(), 2.0);
        assert_eq!(t(1.5, 2.0, 1.0).variance(), f64::INFINITY);
        assert_eq!(t(2.0, 2.0, 1.0).variance(), f64::INFINITY);
        assert_relative(t(5.0, 2.0, 3.0).variance(), 9.0 * 5.0 / 3.0, 1e-15);
    }

    #[test]
    fn entropy_agrees_with_quadrature_and_known_values() {
        for (df, loc, scale) in [
            (1.0, 0.0, 1.0),
            (0.7, 1.0, 2.0),
            (2.5, -3.0, 0.05),
            (12.0, 0.0, 7.0),
            (300.0, 1.0, 1.0),
        ] {
            let d = Dist::StudentT(t(df, loc, scale));
            let closed = d.entropy().unwrap();
            let numeric = kl::entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_relative(closed, numeric.value, 1e-10);
        }
        // Cauchy: ln(4π scale); df → ∞: the normal's ½ ln(2πe) + ln scale.
        assert_relative(t(1.0, 0.0, 2.0).entropy().unwrap(), (8.0 * PI).ln(), 1e-15);
        let normal = 0.5 * (2.0 * PI * std::f64::consts::E).ln();
        assert_relative(t(1e15, 0.0, 1.0).entropy().unwrap(), normal, 1e-14);
        // mpmath at 50 digits, from the textbook formula, for df = 1e6.
        assert_relative(
            t(1e6, 0.0, 1.0).entropy().unwrap(),
            1.418_939_533_204_922_7,
            1e-14,
        );
    }

    #[test]
    fn draws_have_the_right_mean_and_variance() {
        // df = 10: the fourth central moment is 3 s⁴ ν²/((ν−2)(ν−4)).
        let d = t(10.0, 1.5, 2.0);
        let n = 1_000_000;
        let xs = draws(&d, n, 11);
        let (mean, sd) = sum::mean_std(&xs, 1);
        let sigma2 = d.variance();
        let mu4 = 3.0 * 16.0 * 100.0 / (8.0 * 6.0);
        assert!(
            (mean - 1.5).abs() < 5.0 * (sigma2 / n as f64).sqrt(),
            "{mean}"
        );
        let se_var = ((mu4 - sigma2 * sigma2) / n as f64).sqrt();
        assert!((sd * sd - sigma2).abs() < 5.0 * se_var, "{}", sd * sd);
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes streams must fail this test.
        let xs = draws(&t(3.0, 1.0, 2.0), 3, 42);
        assert_eq!(xs, [3.4531272234636723, 1.7153017657482164, -1.6075253419097448]);
    }

    /// `KL(p ‖ q)` by double-exponential (tanh-sinh) quadrature, written
    /// independently of `stats::quad`: each half-line from `centre` is mapped
    /// by `x = centre ± scale · cot ψ`, `ψ ∈ (0, π/2)`, which makes the tails
    /// of a t bounded or integrably singular at `ψ = 0`, where tanh-sinh
    /// converges double-exponentially; `centre` must be where any kink is.
    fn kl_tanh_sinh(p: &Dist, q: &Dist, centre: f64, scale: f64) -> f64 {
        let h = 1.0 / 128.0;
        let mut total = 0.0;
        for direction in [-1.0, 1.0] {
            for k in -1000i32..=1000 {
                let t = f64::from(k) * h;
                let s = 0.5 * PI * t.sinh();
                // Distance of u = tanh s from the nearer end of (−1, 1).
                let gap = 2.0 / ((2.0 * s.abs()).exp() + 1.0);
                let psi = if s < 0.0 {
                    0.25 * PI * gap
                } else {
                    0.5 * PI - 0.25 * PI * gap
                };
                let weight = h * 0.25 * PI * (0.5 * PI * t.cosh()) / s.cosh().powi(2);
                let x = centre + direction * scale / psi.tan();
                let lp = p.ln_pdf(x);
                let f = lp.exp() * (lp - q.ln_pdf(x)) * scale / psi.sin().powi(2);
                if weight > 0.0 && f.is_finite() {
                    total += f * weight;
                }
            }
        }
        total
    }

    /// `E_p[ln p − ln q]` over 2·10⁶ draws, and its standard error.
    fn kl_monte_carlo(p: &Dist, q: &Dist, seed: u64) -> (f64, f64) {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let values: Vec<f64> = (0..2_000_000)
            .map(|_| {
                let x = p.sample(&mut rng);
                p.ln_pdf(x) - q.ln_pdf(x)
            })
            .collect();
        let (mean, sd) = sum::mean_std(&values, 1);
        (mean, sd / (values.len() as f64).sqrt())
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn kl_with_heavy_tails_converges_by_quadrature_and_agrees_with_independent_checks() {
        let normal = |m, s| Dist::Normal(Normal::new(m, s).unwrap());
        // The last column: mpmath at 30 digits, by tanh-sinh quadrature in
        // θ after x = loc + scale·tan θ.
        let cases = [
            (
                Dist::StudentT(t(1.0, 0.0, 1.0)),
                Dist::StudentT(t(3.0, 1.0, 2.0)),
                0.275_393_855_946_984_88,
            ),
            (
                Dist::StudentT(t(3.0, 1.0, 2.0)),
                Dist::StudentT(t(1.0, 0.0, 1.0)),
                0.241_378_713_518_108_96,
            ),
            (
                Dist::StudentT(t(0.6, 0.0, 1.0)),
                Dist::StudentT(t(0.6, 5.0, 1.0)),
                1.469_202_844_085_081_4,
            ),
            (
                Dist::StudentT(t(5.0, 0.0, 1.0)),
                Dist::StudentT(t(50.0, 0.0, 1.0)),
                0.075_527_132_151_480_298,
            ),
            (
                Dist::StudentT(t(2.5, -1.0, 0.5)),
                normal(0.0, 2.0),
                0.738_722_823_748_641_78,
            ),
            (
                normal(0.0, 2.0),
                Dist::StudentT(t(2.5, -1.0, 0.5)),
                1.002_713_605_766_143_6,
            ),
            (
                normal(3.0, 1.0),
                Dist::StudentT(t(0.8, 0.0, 1.0)),
                1.948_994_785_977_532_4,
            ),
            (
                Dist::StudentT(t(1.5, 0.0, 1.0)),
                Dist::Laplace(Laplace::new(0.0, 1.0).unwrap()),
                0.587_897_600_447_457_23,
            ),
        ];
        for (i, (p, q, mpmath)) in cases.iter().enumerate() {
            let v = kl::kl_by_definition(p, q).unwrap();
            assert_eq!(v.method, Method::Quadrature, "{}", p.label());
            assert_relative(v.value, *mpmath, 1e-10);
            // What `kl` answers (through the moments against a normal).
            assert_relative(kl::kl(p, q).unwrap().value, *mpmath, 1e-10);
            let (loc, scale) = p.landmark();
            assert_relative(kl_tanh_sinh(p, q, loc, scale), *mpmath, 1e-12);
            let (mc, se) = kl_monte_carlo(p, q, i as u64);
            // Where ln p − ln q has infinite variance under p (a t with
            // df ≤ 4 against a normal, df ≤ 2 against a Laplace), the
            // standard error means nothing and the average converges like
            // n^(1/α − 1) with α the tail index: within a few percent here.
            let tolerance = match kl::monte_carlo_breaks(p, q) {
                None => 5.0 * se,
                Some(_) => 0.05 * v.value,
            };
            assert!(
                (v.value - mc).abs() < tolerance,
                "{} ‖ {}: {} vs {mc} ± {se}",
                p.label(),
                q.label(),
                v.value
            );
        }
    }

    #[test]
    fn kl_is_infinite_when_the_tails_lack_the_moment_the_other_family_needs() {
        let normal = Dist::Normal(Normal::new(0.0, 1.0).unwrap());
        let laplace = Dist::Laplace(Laplace::new(0.0, 1.0).unwrap());
        for (df, q, infinite) in [
            (2.0, &normal, true),
            (1.0, &normal, true),
            (2.01, &normal, false),
            (1.0, &laplace, true),
            (1.01, &laplace, false),
        ] {
            let v = kl::kl(&Dist::StudentT(t(df, 0.0, 1.0)), q).unwrap();
            if infinite {
                assert_eq!((v.value, v.method), (f64::INFINITY, Method::ClosedForm));
            } else {
                assert!(v.value.is_finite(), "df = {df}: {v:?}");
            }
        }
    }

    #[test]
    fn kl_of_a_t_with_itself_is_zero() {
        let d = Dist::StudentT(t(1.0, 0.3, 2.0));
        let v = kl::kl(&d, &d).unwrap();
        assert!(v.value.abs() < 1e-14, "{v:?}");
    }

    /// The score of the average log-likelihood in `(loc/scale, ln scale,
    /// ln df)`, from the textbook derivatives with plain digamma.
    fn textbook_score(xs: &[f64], df: f64, loc: f64, scale: f64) -> [f64; 3] {
        let n = xs.len() as f64;
        let mut g = [0.0; 3];
        for &x in xs {
            let z = (x - loc) / scale;
            let w = (df + 1.0) / (df + z * z);
            g[0] += w * z / n;
            g[1] += (w * z * z - 1.0) / n;
            g[2] += df
                * (0.5 * special::digamma((df + 1.0) / 2.0)
                    - 0.5 * special::digamma(df / 2.0)
                    - 0.5 / df
                    - 0.5 * (z * z / df).ln_1p()
                    + 0.5 * (df + 1.0) * z * z / (df * (df + z * z)))
                / n;
        }
        g
    }

    #[test]
    fn fit_converges_to_a_vanishing_gradient() {
        for (truth, seed) in [
            (t(4.0, 1.0, 2.0), 1),
            (t(1.0, -3.0, 0.5), 2),
            (t(25.0, 0.0, 1.0), 3),
        ] {
            let xs = draws(&truth, 20_000, seed);
            let fit = StudentT::fit(&xs).unwrap();
            let g = textbook_score(&xs, fit.df, fit.loc, fit.scale);
            for gi in g {
                assert!(gi.abs() <= GRADIENT_TOLERANCE, "{fit:?}: {g:?}");
            }
            let fixed = StudentT::fit_fixed(&xs, "df", 3.0).unwrap();
            assert_eq!(fixed.df, 3.0);
            let g = textbook_score(&xs, 3.0, fixed.loc, fixed.scale);
            assert!(
                g[0].abs() <= GRADIENT_TOLERANCE && g[1].abs() <= GRADIENT_TOLERANCE,
                "{fixed:?}: {g:?}"
            );
        }
    }

    #[test]
    fn analytic_derivatives_match_finite_differences() {
        let xs = draws(&t(3.0, 0.0, 1.0), 2000, 9);
        let (nu, mu, sigma) = (2.2, 0.3, 1.4);
        let at = local(&xs, nu, mu, sigma);
        let ll = |p: [f64; 3]| average_loglik(&xs, p[2].exp(), mu + p[0] * sigma, p[1].exp());
        let gradient = |p: [f64; 3]| {
            let at = local(&xs, p[2].exp(), mu + p[0] * sigma, p[1].exp());
            // Undo the scaling of the first coordinate by the scale at p.
            [
                at.gradient[0] * sigma / p[1].exp(),
                at.gradient[1],
                at.gradient[2],
            ]
        };
        let base = [0.0, sigma.ln(), nu.ln()];
        let h = 1e-5;
        for i in 0..3 {
            let (mut up, mut down) = (base, base);
            up[i] += h;
            down[i] -= h;
            let numeric = (ll(up) - ll(down)) / (2.0 * h);
            assert!((at.gradient[i] - numeric).abs() < 1e-8, "gradient {i}");
            let (gu, gd) = (gradient(up), gradient(down));
            for j in 0..3 {
                let numeric = (gu[j] - gd[j]) / (2.0 * h);
                // The Hessian of the scaled coordinates: d/d(μ/σ₀) of the
                // scaled gradient, holding σ₀ fixed.
                assert!(
                    (at.hessian[j][i] - numeric).abs() < 1e-7,
                    "hessian {j},{i}: {} vs {numeric}",
                    at.hessian[j][i]
                );
            }
        }
    }

    #[test]
    fn fit_recovers_parameters_within_five_standard_errors() {
        let truth = t(5.0, 1.5, 2.0);
        let n = 200_000;
        let xs = draws(&truth, n, 7);
        let fit = StudentT::fit(&xs).unwrap();
        let bounds = truth.cramer_rao().unwrap();
        let root_n = (n as f64).sqrt();
        for (got, want, sd) in [
            (fit.df, 5.0, bounds[0]),
            (fit.loc, 1.5, bounds[1]),
            (fit.scale, 2.0, bounds[2]),
        ] {
            assert!((got - want).abs() < 5.0 * sd / root_n, "{fit:?}");
        }
    }

    #[test]
    fn fit_maximises_the_likelihood_in_every_direction() {
        let xs = draws(&t(3.0, -1.0, 0.5), 3000, 3);
        for fit in [
            StudentT::fit(&xs).unwrap(),
            StudentT::fit_fixed(&xs, "df", 1.0).unwrap(),
        ] {
            let best = fit.sum_ln_pdf(&xs);
            let free = if fit.df == 1.0 { 2 } else { 3 };
            for i in 0..free {
                for e in [1e-4, -1e-4] {
                    let mut p = [fit.loc, fit.scale, fit.df];
                    p[i] *= 1.0 + e;
                    let other = t(p[2], p[0], p[1]);
                    assert!(best > other.sum_ln_pdf(&xs), "{fit:?} {i} {e}");
                }
            }
        }
    }

    #[test]
    fn cramer_rao_matches_the_expected_information_by_quadrature() {
        for d in [t(1.0, 0.0, 1.0), t(4.0, 2.0, 3.0), t(30.0, 0.0, 0.5)] {
            let (nu, s) = (d.df, d.scale);
            let score = |x: f64| {
                let z = (x - d.loc) / s;
                let w = (nu + 1.0) / (nu + z * z);
                [
                    w * z / s,
                    (w * z * z - 1.0) / s,
                    0.5 * (special::digamma((nu + 1.0) / 2.0) - special::digamma(nu / 2.0))
                        - 0.5 / nu
                        - 0.5 * (z * z / nu).ln_1p()
                        + 0.5 * (nu + 1.0) * z * z / (nu * (nu + z * z)),
                ]
            };
            let info = |i: usize, j: usize| {
                let f = |x: f64| {
                    let sc = score(x);
                    d.ln_pdf(x).exp() * sc[i] * sc[j]
                };
                let tol = quad::Tolerance::default();
                quad::integrate(f, f64::NEG_INFINITY, d.loc, tol)
                    .unwrap()
                    .value
                    + quad::integrate(f, d.loc, f64::INFINITY, tol).unwrap().value
            };
            let (i_ss, i_sn, i_nn) = (info(1, 1), info(1, 2), info(2, 2));
            let det = i_ss * i_nn - i_sn * i_sn;
            let bounds = d.cramer_rao().unwrap();
            // Bounds come in the order of the parameters: df, loc, scale.
            assert_relative(bounds[1], (1.0 / info(0, 0)).sqrt(), 1e-9);
            assert_relative(bounds[2], (i_nn / det).sqrt(), 1e-8);
            assert_relative(bounds[0], (i_ss / det).sqrt(), 1e-8);
            assert!(info(0, 1).abs() < 1e-12 && info(0, 2).abs() < 1e-12);
        }
    }

    #[test]
    fn fit_report_standard_errors_match_the_expected_information() {
        let xs = draws(&t(4.0, 2.0, 1.0), 100_000, 5);
        let family = FamilyDef::find("student_t").unwrap();
        let report = fit::fit(family, &xs).unwrap();
        let se = report.stderr.unwrap();
        let bounds = report.dist.cramer_rao().unwrap();
        let root_n = (xs.len() as f64).sqrt();
        // Observed and expected information differ by O(1/√n) relatively.
        let names: Vec<&str> = family.params.iter().map(|p| p.name).collect();
        for (name, bound) in names.iter().zip(&bounds) {
            assert_relative(se[*name].as_f64().unwrap(), bound / root_n, 0.03);
        }
        let fixed = fit::fit_fixed(family, &xs, "df", 4.0).unwrap();
        let se = fixed.stderr.unwrap();
        assert!(!se.contains_key("df"));
        assert!(se["loc"].as_f64().unwrap() > 0.0 && se["scale"].as_f64().unwrap() > 0.0);
    }

    #[test]
    fn degenerate_data_and_unknown_fixed_parameters_are_refused() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![1.0], "at least 2"),
            (vec![2.0, 2.0, 2.0], "constant"),
            (vec![1.0, f64::NAN, 2.0], "observation 2 is NaN"),
            (vec![1.0, 2.0, 3.0, 4.0], "kurtosis"),
        ] {
            let e = StudentT::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        // Uniform data are lighter-tailed than a normal.
        let light: Vec<f64> = (0..1000).map(|i| f64::from(i) / 999.0).collect();
        let e = StudentT::fit(&light).unwrap_err().to_string();
        assert!(e.contains("kurtosis is 1.8"), "{e}");
        // Half the data tied: bounded for df = 2 (needs fewer than 2/3),
        // unbounded for df = 1 (needs fewer than 1/2).
        let tied = [0.0, 0.0, 0.0, 1.0, -2.0, 5.0];
        assert!(StudentT::fit_fixed(&tied, "df", 2.0).is_ok());
        let e = StudentT::fit_fixed(&tied, "df", 1.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("3 of the 6 observations equal 0"), "{e}");
        for param in ["loc", "scale", "nu"] {
            assert_eq!(
                StudentT::fit_fixed(&[1.0, 2.0, 3.0], param, 1.0).unwrap_err(),
                FitError::CannotFix {
                    family: "student_t",
                    param: param.into()
                }
            );
        }
        let e = StudentT::fit_fixed(&[1.0, 2.0, 3.0], "df", -1.0).unwrap_err();
        assert!(e.to_string().contains("df"), "{e}");
    }
}
