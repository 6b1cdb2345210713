//! The log-normal family, `lognormal(meanlog, sdlog)`: `ln x` is normal
//! with mean `meanlog` and standard deviation `sdlog`.

use rand::Rng;
use rand_distr::Distribution;

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Information, LN_SQRT_2PI, Univariate};
use crate::numeric::sum;

/// The log-normal distribution on `(0, ∞)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogNormal {
    meanlog: f64,
    sdlog: f64,
    inv_sdlog: f64,
    /// `ln sdlog + ln √(2π)`.
    ln_norm: f64,
    sampler: rand_distr::LogNormal<f64>,
}

impl LogNormal {
    /// A log-normal distribution.
    ///
    /// # Errors
    /// When `meanlog` is not finite or `sdlog` is not a finite number > 0.
    pub fn new(meanlog: f64, sdlog: f64) -> Result<Self, ParamError> {
        let meanlog = Constraint::Real.check("meanlog", meanlog)?;
        let sdlog = Constraint::Positive.check("sdlog", sdlog)?;
        let sampler = rand_distr::LogNormal::new(meanlog, sdlog)
            .map_err(|e| ParamError::new("sdlog", e.to_string()))?;
        Ok(Self {
            meanlog,
            sdlog,
            inv_sdlog: 1.0 / sdlog,
            ln_norm: sdlog.ln() + LN_SQRT_2PI,
            sampler,
        })
    }

    /// The mean of `ln x`.
    pub fn meanlog(&self) -> f64 {
        self.meanlog
    }

    /// The standard deviation of `ln x`.
    pub fn sdlog(&self) -> f64 {
        self.sdlog
    }
}

impl Univariate for LogNormal {
    #[inline]
    fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let y = x.ln();
        let z = (y - self.meanlog) * self.inv_sdlog;
        -0.5 * z * z - y - self.ln_norm
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        (self.meanlog + 0.5 * self.sdlog * self.sdlog).exp()
    }

    /// `(e^{σ²} − 1) e^{2μ + σ²}`, with `exp_m1` for small σ.
    fn variance(&self) -> f64 {
        let s2 = self.sdlog * self.sdlog;
        s2.exp_m1() * (2.0 * self.meanlog + s2).exp()
    }

    /// `meanlog + ½ + ln(sdlog √(2π))`: the entropy of `ln x` plus `E ln x`.
    fn entropy(&self) -> Option<f64> {
        Some(self.meanlog + 0.5 + self.ln_norm)
    }

    /// `−ln p(x)` grows like `(ln x)²`.
    fn tail(&self) -> super::Tail {
        super::Tail::Heavy
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    /// The median `e^meanlog`, and `sdlog` times it: the density changes
    /// over that length near the median.
    fn landmark(&self) -> (f64, f64) {
        let median = self.meanlog.exp();
        (median, median * self.sdlog)
    }
}

impl Family for LogNormal {
    const NAME: &'static str = "lognormal";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("meanlog", Constraint::Real),
        ParamDef::scalar("sdlog", Constraint::Positive),
    ];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [meanlog, sdlog] = param::scalars(Self::PARAMS, values)?;
        Self::new(meanlog, sdlog)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![
            ParamValue::Scalar(self.meanlog),
            ParamValue::Scalar(self.sdlog),
        ]
    }

    /// The normal fit to `ln x`: the mean of the logs and their standard
    /// deviation with divisor `n`.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_support(Self::NAME, xs, |x| x > 0.0, "x > 0")?;
        if xs.len() < 2 {
            return Err(FitError::degenerate(
                Self::NAME,
                "needs at least 2 observations",
            ));
        }
        let logs: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
        let (meanlog, sdlog) = sum::mean_std(&logs, 0);
        if sdlog <= 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                format!(
                    "the data are constant (every observation is {}), so sdlog = 0",
                    xs[0]
                ),
            ));
        }
        Self::new(meanlog, sdlog).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// As for the normal on `ln x`: `I = diag(1/σ², 2/σ²)`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![self.sdlog, self.sdlog / std::f64::consts::SQRT_2])
    }
}

/// `KL(LogNormal(μ₁, σ₁) ‖ LogNormal(μ₂, σ₂))
///  = ln(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½`:
/// KL is invariant under the bijection `x ↦ ln x`, so this is the normal
/// pair's formula (torch.distributions.kl registers LogNormal pairs through
/// their base normals, `_kl_transformed_transformed`). Written as
/// `½(u − ln(1 + u)) + (μ₁ − μ₂)²/(2σ₂²)` with `u = σ₁²/σ₂² − 1`, both terms
/// are non-negative and free of cancellation when `p` and `q` are close.
pub fn kl_lognormal_lognormal(p: &LogNormal, q: &LogNormal) -> f64 {
    let d = (p.meanlog - q.meanlog) * q.inv_sdlog;
    0.5 * crate::numeric::special::squared_ratio_minus_ln(q.sdlog, p.sdlog) + 0.5 * d * d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, FamilyDef, Normal};
    use crate::numeric::quad;
    use crate::stats::kl::{self, Method};
    use crate::testing::{assert_errors_are_the_observed_information, assert_relative, draws};

    fn lognormal(m: f64, s: f64) -> LogNormal {
        LogNormal::new(m, s).unwrap()
    }

    #[test]
    fn density_matches_the_textbook_formula() {
        let d = lognormal(0.5, 0.8);
        for x in [1e-3, 0.2, 1.0, 1.7, 30.0] {
            let z = (f64::ln(x) - 0.5) / 0.8;
            let expected = (-0.5 * z * z).exp() / (x * 0.8 * (2.0 * std::f64::consts::PI).sqrt());
            assert_relative(d.ln_pdf(x), expected.ln(), 1e-14);
        }
        for x in [0.0, -1.0, f64::NEG_INFINITY, f64::INFINITY] {
            assert_eq!(d.ln_pdf(x), f64::NEG_INFINITY, "x = {x}");
        }
    }

    #[test]
    fn density_integrates_to_one() {
        for d in [
            lognormal(0.0, 1.0),
            lognormal(2.0, 0.3),
            lognormal(-1.0, 2.5),
        ] {
            let f = |x: f64| d.ln_pdf(x).exp();
            let r = quad::integrate(f, 0.0, f64::INFINITY, quad::Tolerance::default()).unwrap();
            assert_relative(r.value, 1.0, 1e-12);
        }
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        assert_eq!(LogNormal::new(f64::NAN, 1.0).unwrap_err().param, "meanlog");
        assert_eq!(
            LogNormal::new(f64::INFINITY, 1.0).unwrap_err().param,
            "meanlog"
        );
        assert_eq!(LogNormal::new(0.0, 0.0).unwrap_err().param, "sdlog");
        assert_eq!(LogNormal::new(0.0, -1.0).unwrap_err().param, "sdlog");
        assert_eq!(LogNormal::new(0.0, f64::NAN).unwrap_err().param, "sdlog");
        let family = FamilyDef::find("lognormal").unwrap();
        assert_eq!(family.build_scalars(&[0.0]).unwrap_err().param, "sdlog");
    }

    #[test]
    fn moments_match_the_formulas() {
        let d = lognormal(0.3, 0.5);
        assert_relative(d.mean(), (0.3f64 + 0.125).exp(), 1e-15);
        assert_relative(
            d.variance(),
            (0.25f64.exp() - 1.0) * (0.6f64 + 0.25).exp(),
            1e-14,
        );
        // For tiny sdlog the variance is ≈ σ² e^{2μ}, which exp_m1 keeps.
        let narrow = lognormal(0.0, 1e-9);
        assert_relative(narrow.variance(), 1e-18, 1e-8);
    }

    #[test]
    fn entropy_agrees_with_quadrature() {
        for (m, s) in [
            (0.0, 1.0),
            (1.5, 0.2),
            (-2.0, 1.8),
            (0.5, 0.05),
            (8.0, 0.01),
        ] {
            let d = Dist::LogNormal(lognormal(m, s));
            let closed = d.entropy().unwrap();
            let numeric = kl::entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_relative(closed, numeric.value, 1e-10);
        }
    }

    #[test]
    fn kl_between_lognormals_agrees_with_quadrature() {
        for (p, q) in [
            ((0.0, 1.0), (1.0, 2.0)),
            ((1.0, 2.0), (0.0, 1.0)),
            ((-1.0, 0.3), (1.0, 1.5)),
            ((0.5, 0.1), (0.4, 0.12)),
            ((2.0, 0.5), (-1.0, 0.2)),
            ((6.0, 0.01), (6.0, 0.02)),
            ((-4.0, 3.0), (0.0, 0.5)),
        ] {
            let (p, q) = (lognormal(p.0, p.1), lognormal(q.0, q.1));
            let closed = kl_lognormal_lognormal(&p, &q);
            let (p, q) = (Dist::LogNormal(p), Dist::LogNormal(q));
            assert_eq!(kl::kl(&p, &q).unwrap().value, closed);
            let numeric = kl::kl_by_definition(&p, &q).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_relative(closed, numeric.value, 1e-10);
        }
    }

    #[test]
    fn kl_between_lognormals_equals_kl_between_their_logs() {
        let (p, q) = (lognormal(0.3, 1.2), lognormal(-0.4, 0.7));
        let normals = crate::dist::normal::kl_normal_normal(
            &Normal::new(0.3, 1.2).unwrap(),
            &Normal::new(-0.4, 0.7).unwrap(),
        );
        assert_relative(kl_lognormal_lognormal(&p, &q), normals, 1e-14);
        // Nearby members: second order, ½(Δμ/σ)² and (Δσ/σ)².
        let near = kl_lognormal_lognormal(&lognormal(0.0, 1.0), &lognormal(0.0, 1.0 + 1e-7));
        assert_relative(near, 1e-14, 1e-6);
        assert_eq!(kl_lognormal_lognormal(&p, &p), 0.0);
    }

    #[test]
    fn kl_against_a_family_on_the_whole_line_is_infinite_one_way() {
        let (l, n) = (
            Dist::LogNormal(lognormal(0.0, 1.0)),
            Dist::Normal(Normal::new(1.0, 2.0).unwrap()),
        );
        let v = kl::kl(&n, &l).unwrap();
        assert_eq!((v.value, v.method), (f64::INFINITY, Method::ClosedForm));
        // The other way is finite: E[x²] exists for a log-normal, and the
        // entropy and moments give it in closed form.
        let v = kl::kl(&l, &n).unwrap();
        assert_eq!(v.method, Method::ClosedForm);
        let numeric = kl::kl_by_definition(&l, &n).unwrap();
        assert_eq!(numeric.method, Method::Quadrature);
        assert_relative(v.value, numeric.value, 1e-10);
    }

    #[test]
    fn draws_have_the_right_mean_and_variance() {
        let d = lognormal(0.2, 0.4);
        let n = 1_000_000;
        let xs = draws(&d, n, 11);
        let (mean, sd) = sum::mean_std(&xs, 1);
        // Raw moments E xᵏ = e^{kμ + k²σ²/2} give the fourth central moment.
        let raw = |k: f64| (k * 0.2 + 0.5 * k * k * 0.16f64).exp();
        let m = raw(1.0);
        let mu4 = raw(4.0) - 4.0 * m * raw(3.0) + 6.0 * m * m * raw(2.0) - 3.0 * m.powi(4);
        let sigma2 = d.variance();
        assert!((mean - d.mean()).abs() < 5.0 * (sigma2 / n as f64).sqrt());
        let se_var = ((mu4 - sigma2 * sigma2) / n as f64).sqrt();
        assert!((sd * sd - sigma2).abs() < 5.0 * se_var, "{}", sd * sd);
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes streams must fail this test.
        let xs = draws(&lognormal(1.0, 2.0), 3, 42);
        assert_eq!(xs, [14.422580860530848, 0.9705174886437397, 45.39741414377012]);
    }

    #[test]
    fn fit_recovers_parameters_within_five_standard_errors() {
        let n = 200_000;
        let xs = draws(&lognormal(1.5, 0.7), n, 7);
        let fit = LogNormal::fit(&xs).unwrap();
        let (se_m, se_s) = (0.7 / (n as f64).sqrt(), 0.7 / (2.0 * n as f64).sqrt());
        assert!((fit.meanlog - 1.5).abs() < 5.0 * se_m, "{fit:?}");
        assert!((fit.sdlog - 0.7).abs() < 5.0 * se_s, "{fit:?}");
    }

    #[test]
    fn fit_maximises_the_likelihood() {
        let xs = draws(&lognormal(-0.5, 1.3), 1000, 3);
        let fit = LogNormal::fit(&xs).unwrap();
        let best = fit.sum_ln_pdf(&xs);
        for (dm, ds) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
            let other = lognormal(fit.meanlog + dm, fit.sdlog * (1.0 + ds));
            assert!(best > other.sum_ln_pdf(&xs), "({dm}, {ds})");
        }
    }

    #[test]
    fn fit_report_standard_errors_are_the_observed_information() {
        let xs = draws(&lognormal(1.0, 0.5), 50_000, 5);
        assert_errors_are_the_observed_information("lognormal", &xs, 1e-6);
    }

    #[test]
    fn degenerate_data_are_refused() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![1.0], "at least 2"),
            (vec![2.0, 2.0, 2.0], "constant"),
            (vec![1.0, 0.0], "observation 2 is 0"),
            (vec![-1.0, 1.0], "observation 1 is -1"),
            (vec![1.0, f64::NAN], "observation 2 is NaN"),
            (vec![1.0, f64::INFINITY], "observation 2 is inf"),
        ] {
            let e = LogNormal::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert!(matches!(
            LogNormal::fit_fixed(&[1.0, 2.0], "sdlog", 1.0),
            Err(FitError::CannotFix { .. })
        ));
    }
}
