//! The Laplace (double exponential) family, `laplace(loc, scale)`, and its
//! closed-form KL divergences with itself and with the normal.

use rand::Rng;
use rand_distr::{Distribution, Open01};

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Information, LN_SQRT_2PI, Normal, Univariate};
use crate::numeric::{special, sum};

/// The Laplace distribution, density `exp(−|x − loc| / scale) / (2 scale)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Laplace {
    loc: f64,
    scale: f64,
    inv_scale: f64,
    /// `ln(2 scale)`: the part of `-ln p(x)` that does not depend on x.
    ln_norm: f64,
}

impl Laplace {
    /// A Laplace distribution.
    ///
    /// # Errors
    /// When `loc` is not finite or `scale` is not a finite number > 0.
    pub fn new(loc: f64, scale: f64) -> Result<Self, ParamError> {
        let loc = Constraint::Real.check("loc", loc)?;
        let scale = Constraint::Positive.check("scale", scale)?;
        Ok(Self {
            loc,
            scale,
            inv_scale: 1.0 / scale,
            ln_norm: std::f64::consts::LN_2 + scale.ln(),
        })
    }

    /// The location (median and mean).
    pub fn loc(&self) -> f64 {
        self.loc
    }

    /// The scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

impl Univariate for Laplace {
    #[inline]
    fn ln_pdf(&self, x: f64) -> f64 {
        -(x - self.loc).abs() * self.inv_scale - self.ln_norm
    }

    /// Inverse distribution function of one uniform on (0, 1): rand_distr
    /// has no Laplace. Both halves take `ln` of a number in (0, 1], computed
    /// exactly (`1 − u` is exact for `u ≥ 1/2`), so no draw is infinite.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        let e = if u < 0.5 {
            (2.0 * u).ln()
        } else {
            -(2.0 * (1.0 - u)).ln()
        };
        self.loc + self.scale * e
    }

    fn mean(&self) -> f64 {
        self.loc
    }

    fn variance(&self) -> f64 {
        2.0 * self.scale * self.scale
    }

    fn entropy(&self) -> Option<f64> {
        Some(1.0 + self.ln_norm)
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    /// The kink at `loc`, and the scale.
    fn landmark(&self) -> (f64, f64) {
        (self.loc, self.scale)
    }

    fn sum_ln_pdf(&self, xs: &[f64]) -> f64 {
        let m = self.loc;
        let deviations = sum::lanes(xs, |x| (x - m).abs());
        -deviations * self.inv_scale - xs.len() as f64 * self.ln_norm
    }
}

impl Family for Laplace {
    const NAME: &'static str = "laplace";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("loc", Constraint::Real),
        ParamDef::scalar("scale", Constraint::Positive),
    ];
    const HAS_FIT: bool = true;
    /// `|x − loc|` has a kink at `loc`: the log-likelihood is not twice
    /// differentiable there, so standard errors come from the expected
    /// information instead of the observed one.
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [loc, scale] = param::scalars(Self::PARAMS, values)?;
        Self::new(loc, scale)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Scalar(self.loc), ParamValue::Scalar(self.scale)]
    }

    /// `loc` is the sample median (the midpoint of the two middle values
    /// when `n` is even: every point between them maximises the
    /// likelihood, and gives the same scale), and `scale` the mean absolute
    /// deviation from it.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_data(Self::NAME, xs)?;
        if xs.len() < 2 {
            return Err(FitError::degenerate(
                Self::NAME,
                "needs at least 2 observations",
            ));
        }
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let loc = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            // Halved first, so that the sum cannot overflow.
            0.5 * sorted[n / 2 - 1] + 0.5 * sorted[n / 2]
        };
        let scale = sum::lanes(xs, |x| (x - loc).abs()) / n as f64;
        if scale <= 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                format!("the data are constant (every observation is {loc}), so scale = 0"),
            ));
        }
        Self::new(loc, scale).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// `I(loc, scale) = diag(1/scale², 1/scale²)`: the score in `loc` is
    /// `sign(x − loc)/scale`, and in `scale` it is `(|x − loc| − scale)/scale²`,
    /// where `|x − loc|` is exponential with mean and standard deviation
    /// `scale`. The sample median attains the bound for `loc` asymptotically
    /// although the likelihood is not smooth there.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![self.scale, self.scale])
    }
}

/// `KL(Laplace(μ₁, b₁) ‖ Laplace(μ₂, b₂))
///  = ln(b₂/b₁) + |μ₁ − μ₂|/b₂ + (b₁/b₂) e^{−|μ₁ − μ₂|/b₁} − 1`,
/// as in torch.distributions.kl (`_kl_laplace_laplace`).
///
/// Derivation: `E_p|x − μ₂|` for `p = Laplace(μ₁, b₁)` is
/// `d + b₁ e^{−d/b₁}` with `d = |μ₁ − μ₂|`, and `E_p ln p = −1 − ln 2b₁`.
/// Written as `(r − 1 − ln r) + r (x + e^{−x} − 1)` with `r = b₁/b₂` and
/// `x = d/b₁`, both terms are non-negative and computed without
/// cancellation when `p` and `q` are close.
pub fn kl_laplace_laplace(p: &Laplace, q: &Laplace) -> f64 {
    let scales = special::ratio_minus_ln(q.scale, p.scale);
    if scales == f64::INFINITY {
        return scales;
    }
    let r = p.scale / q.scale;
    let gap = (p.loc - q.loc).abs();
    let x = gap / p.scale;
    // r·(x + e^{−x} − 1); for x > 1 as d/b₂ − r(1 − e^{−x}), which stays
    // finite when r underflows and x overflows.
    let locations = if x > 1.0 {
        gap / q.scale + r * (-x).exp_m1()
    } else {
        r * special::x_plus_expm1_neg(x)
    };
    scales + locations
}

/// `KL(Laplace(μ, b) ‖ N(m, σ)) = ln(σ/(2b)) + ½ ln 2π − 1 + (2b² + (μ − m)²)/(2σ²)`,
/// as in torch.distributions.kl (`_kl_laplace_normal`).
///
/// Derivation: `−H(p) − E_p ln q`, with `H(p) = 1 + ln 2b` and
/// `E_p (x − m)² = 2b² + (μ − m)²`.
pub fn kl_laplace_normal(p: &Laplace, q: &Normal) -> f64 {
    let sigma = q.std();
    let d = p.loc - q.mean();
    (sigma / (2.0 * p.scale)).ln() + LN_SQRT_2PI - 1.0
        + (2.0 * p.scale * p.scale + d * d) / (2.0 * sigma * sigma)
}

/// `KL(N(m, σ) ‖ Laplace(μ, b))
///  = ln(2b/σ) − ½ ln 2π − ½ + (σ √(2/π) e^{−δ²/(2σ²)} + δ erf(δ/(σ√2)))/b`,
/// with `δ = m − μ`. torch.distributions has no such pair; derived here as
/// `−H(p) − E_p ln q`: `H(p) = ½ + ½ ln 2πσ²`, `−ln q(x) = ln 2b + |x − μ|/b`,
/// and `E|x − μ|` is the mean of a folded normal.
pub fn kl_normal_laplace(p: &Normal, q: &Laplace) -> f64 {
    let sigma = p.std();
    let d = p.mean() - q.loc;
    let z = d / sigma;
    let folded = sigma * (2.0 / std::f64::consts::PI).sqrt() * (-0.5 * z * z).exp()
        + d * special::erf(z * std::f64::consts::FRAC_1_SQRT_2);
    (2.0 * q.scale / sigma).ln() - LN_SQRT_2PI - 0.5 + folded * q.inv_scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, FamilyDef};
    use crate::numeric::quad;
    use crate::stats::fit;
    use crate::stats::kl::{self, Method};
    use crate::testing::{assert_relative, draws};

    fn laplace(loc: f64, scale: f64) -> Laplace {
        Laplace::new(loc, scale).unwrap()
    }

    #[test]
    fn density_matches_the_textbook_formula() {
        let d = laplace(1.0, 2.0);
        for x in [-7.5, 0.0, 1.0, 2.3, 40.0] {
            let expected = (-(x - 1.0f64).abs() / 2.0).exp() / 4.0;
            assert_relative(d.ln_pdf(x), expected.ln(), 1e-15);
        }
        let xs: Vec<f64> = (0..1001).map(|i| (i as f64 - 500.0) / 37.0).collect();
        let pointwise: f64 = xs.iter().map(|&x| d.ln_pdf(x)).sum();
        assert_relative(d.sum_ln_pdf(&xs), pointwise, 1e-13);
    }

    #[test]
    fn density_integrates_to_one() {
        for d in [laplace(0.0, 1.0), laplace(-3.0, 0.01), laplace(5.0, 40.0)] {
            // Split at the kink so that each half is smooth.
            let f = |x: f64| d.ln_pdf(x).exp();
            let tol = quad::Tolerance::default();
            let left = quad::integrate(f, f64::NEG_INFINITY, d.loc, tol).unwrap();
            let right = quad::integrate(f, d.loc, f64::INFINITY, tol).unwrap();
            assert_relative(left.value + right.value, 1.0, 1e-12);
        }
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        assert_eq!(Laplace::new(f64::NAN, 1.0).unwrap_err().param, "loc");
        assert_eq!(Laplace::new(f64::INFINITY, 1.0).unwrap_err().param, "loc");
        assert_eq!(Laplace::new(0.0, 0.0).unwrap_err().param, "scale");
        assert_eq!(Laplace::new(0.0, -2.0).unwrap_err().param, "scale");
        assert_eq!(Laplace::new(0.0, f64::INFINITY).unwrap_err().param, "scale");
        let family = FamilyDef::find("laplace").unwrap();
        assert_eq!(family.build_scalars(&[0.0]).unwrap_err().param, "scale");
        assert_eq!(
            family.build_scalars(&[0.0, -1.0]).unwrap_err().param,
            "scale"
        );
    }

    #[test]
    fn entropy_agrees_with_quadrature() {
        for (loc, scale) in [(0.0, 1.0), (3.0, 0.001), (-2.0, 250.0)] {
            let d = Dist::Laplace(laplace(loc, scale));
            let closed = d.entropy().unwrap();
            let numeric = kl::entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_relative(closed, numeric.value, 1e-10);
        }
    }

    #[test]
    fn kl_between_laplaces_agrees_with_quadrature() {
        for (p, q) in [
            ((0.0, 1.0), (1.0, 2.0)),
            ((1.0, 2.0), (0.0, 1.0)),
            ((-3.0, 0.2), (2.0, 5.0)),
            ((0.5, 0.05), (0.5, 3.0)),
            ((10.0, 1.0), (-10.0, 0.5)),
            ((0.0, 1.0), (1e-3, 1.0)),
        ] {
            let (p, q) = (laplace(p.0, p.1), laplace(q.0, q.1));
            let closed = kl_laplace_laplace(&p, &q);
            let (p, q) = (Dist::Laplace(p), Dist::Laplace(q));
            assert_eq!(kl::kl(&p, &q).unwrap().value, closed);
            let numeric = kl::kl_by_definition(&p, &q).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_relative(closed, numeric.value, 1e-10);
        }
    }

    #[test]
    fn kl_between_laplaces_is_accurate_for_nearby_members() {
        let p = laplace(0.0, 1.0);
        // Second order in the offsets: d²/(2 b₁ b₂) and (Δb/b)²/2.
        let near_loc = kl_laplace_laplace(&p, &laplace(1e-6, 1.0));
        assert_relative(near_loc, 0.5e-12 * (1.0 - 1e-6 / 3.0), 1e-12);
        let near_scale = kl_laplace_laplace(&p, &laplace(0.0, 1.0 + 1e-6));
        let t = -1e-6 / (1.0 + 1e-6);
        assert_relative(near_scale, t * t / 2.0 - t * t * t / 3.0, 1e-9);
        assert_eq!(kl_laplace_laplace(&p, &p), 0.0);
    }

    #[test]
    fn kl_between_laplace_and_normal_agrees_with_quadrature() {
        for (l, n) in [
            ((0.0, 1.0), (0.0, 1.0)),
            ((1.0, 2.0), (-1.0, 0.5)),
            ((-3.0, 0.2), (2.0, 5.0)),
            ((4.0, 10.0), (4.5, 0.3)),
        ] {
            let (l, n) = (laplace(l.0, l.1), Normal::new(n.0, n.1).unwrap());
            let forward = kl_laplace_normal(&l, &n);
            let backward = kl_normal_laplace(&n, &l);
            let (l, n) = (Dist::Laplace(l), Dist::Normal(n));
            assert_eq!(kl::kl(&l, &n).unwrap().value, forward);
            assert_eq!(kl::kl(&n, &l).unwrap().value, backward);
            for (closed, p, q) in [(forward, &l, &n), (backward, &n, &l)] {
                let numeric = kl::kl_by_definition(p, q).unwrap();
                assert_eq!(numeric.method, Method::Quadrature);
                assert_relative(closed, numeric.value, 1e-10);
            }
        }
    }

    #[test]
    fn kl_of_a_laplace_with_itself_is_zero() {
        let d = Dist::Laplace(laplace(0.3, 2.0));
        let v = kl::kl(&d, &d).unwrap();
        assert_eq!((v.value, v.method), (0.0, Method::ClosedForm));
    }

    #[test]
    fn draws_have_the_right_mean_and_variance() {
        let d = laplace(1.5, 2.0);
        let n = 1_000_000;
        let xs = draws(&d, n, 11);
        let (mean, sd) = sum::mean_std(&xs, 1);
        let var = sd * sd;
        let sigma2 = d.variance();
        // The fourth central moment of a Laplace is 24 b⁴ = 6 σ⁴.
        let se_mean = (sigma2 / n as f64).sqrt();
        let se_var = ((6.0 - 1.0) * sigma2 * sigma2 / n as f64).sqrt();
        assert!((mean - d.mean()).abs() < 5.0 * se_mean, "{mean}");
        assert!((var - sigma2).abs() < 5.0 * se_var, "{var}");
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes streams must fail this test.
        let xs = draws(&laplace(1.0, 2.0), 3, 42);
        assert_eq!(xs, [2.9810066741732477, 0.10004368800024654, 7.870853334037428]);
    }

    #[test]
    fn fit_recovers_parameters_within_five_standard_errors() {
        let truth = laplace(1.5, 2.0);
        let n = 200_000;
        let xs = draws(&truth, n, 7);
        let fit = Laplace::fit(&xs).unwrap();
        // Both estimators have asymptotic standard deviation b/√n.
        let se = truth.scale / (n as f64).sqrt();
        assert!((fit.loc - 1.5).abs() < 5.0 * se, "{fit:?}");
        assert!((fit.scale - 2.0).abs() < 5.0 * se, "{fit:?}");
    }

    #[test]
    fn fit_maximises_the_likelihood() {
        let xs = draws(&laplace(-1.0, 0.5), 1001, 3);
        let fit = Laplace::fit(&xs).unwrap();
        let best = fit.sum_ln_pdf(&xs);
        for (dl, ds) in [(1e-3, 0.0), (-1e-3, 0.0), (0.0, 1e-3), (0.0, -1e-3)] {
            let other = laplace(fit.loc + dl, fit.scale * (1.0 + ds));
            assert!(best >= other.sum_ln_pdf(&xs), "({dl}, {ds})");
        }
        // With an even count, every point between the middle values is a
        // maximiser; the midpoint is reported.
        let even = Laplace::fit(&[0.0, 1.0, 3.0, 10.0]).unwrap();
        assert_eq!((even.loc, even.scale), (2.0, 3.0));
    }

    #[test]
    fn fit_report_uses_the_expected_information() {
        let xs = draws(&laplace(0.0, 3.0), 40_000, 5);
        let report = fit::fit(FamilyDef::find("laplace").unwrap(), &xs).unwrap();
        let se = report.stderr.unwrap();
        let scale = report.params["scale"].as_f64().unwrap();
        let expected = scale / (xs.len() as f64).sqrt();
        assert_relative(se["loc"].as_f64().unwrap(), expected, 1e-15);
        assert_relative(se["scale"].as_f64().unwrap(), expected, 1e-15);
    }

    #[test]
    fn degenerate_data_are_refused() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![1.0], "at least 2"),
            (vec![2.0, 2.0, 2.0], "constant"),
            (vec![1.0, f64::NAN], "observation 2 is NaN"),
            (vec![f64::NEG_INFINITY, 1.0], "observation 1 is -inf"),
        ] {
            let e = Laplace::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert!(matches!(
            Laplace::fit_fixed(&[1.0, 2.0], "scale", 1.0),
            Err(FitError::CannotFix { .. })
        ));
    }
}
