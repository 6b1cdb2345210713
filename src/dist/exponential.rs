//! The exponential family, `exponential(rate)`, and the closed-form KL
//! divergences from it to the gamma and normal families.

use rand::Rng;
use rand_distr::{Distribution, Exp1};

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Gamma, Information, LN_SQRT_2PI, Laplace, Normal, Univariate};
use crate::numeric::sum;

/// The exponential distribution with density `rate · e^(−rate·x)` on
/// `x ≥ 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exponential {
    rate: f64,
    ln_rate: f64,
}

impl Exponential {
    /// An exponential distribution.
    ///
    /// # Errors
    /// When `rate` is not a finite number > 0.
    pub fn new(rate: f64) -> Result<Self, ParamError> {
        let rate = Constraint::Positive.check("rate", rate)?;
        Ok(Self {
            rate,
            ln_rate: rate.ln(),
        })
    }

    /// The rate, `1 / mean`.
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

impl Univariate for Exponential {
    #[inline]
    fn ln_pdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            f64::NEG_INFINITY
        } else {
            self.ln_rate - self.rate * x
        }
    }

    /// rand_distr's ziggurat `Exp1`, divided by the rate (rather than
    /// multiplied by a rounded `1 / rate`).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        e / self.rate
    }

    fn mean(&self) -> f64 {
        1.0 / self.rate
    }

    fn variance(&self) -> f64 {
        1.0 / (self.rate * self.rate)
    }

    /// `1 − ln rate`.
    fn entropy(&self) -> Option<f64> {
        Some(1.0 - self.ln_rate)
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

impl Family for Exponential {
    const NAME: &'static str = "exponential";
    const PARAMS: &'static [ParamDef] = &[ParamDef::scalar("rate", Constraint::Positive)];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [rate] = param::scalars(Self::PARAMS, values)?;
        Self::new(rate)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Scalar(self.rate)]
    }

    /// `rate = 1 / mean`. Zeros are in the support (the density there is
    /// `rate`), negative values are not.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_support(Self::NAME, xs, |x| x >= 0.0, "x >= 0")?;
        let mean = sum::mean(xs);
        if mean <= 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                "every observation is 0, so the rate would be infinite",
            ));
        }
        Self::new(1.0 / mean).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// `I(rate) = 1 / rate²`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![self.rate])
    }
}

/// `KL(Exp(λp) ‖ Exp(λq)) = r − 1 − ln r` with `r = λq / λp`, written as
/// `d − ln(1 + d)`, `d = r − 1`, to keep the digits of nearby rates.
/// As torch.distributions.kl `_kl_exponential_exponential`.
pub fn kl_exponential_exponential(p: &Exponential, q: &Exponential) -> f64 {
    crate::numeric::special::ratio_minus_ln(p.rate, q.rate)
}

/// `KL(Exp(λ) ‖ Gamma(k, r)) = −k ln(r/λ) + r/λ + ln Γ(k) + kγ − (1 + γ)`:
/// `E_p[ln x] = −γ − ln λ` and `E_p[x] = 1/λ` in `E_p[ln p − ln q]`.
/// As torch.distributions.kl `_kl_exponential_gamma`.
pub fn kl_exponential_gamma(p: &Exponential, q: &Gamma) -> f64 {
    // An exponential is a gamma of shape 1: the gamma–gamma form keeps
    // the digits of nearby pairs, which this sum of large terms would not.
    super::gamma::kl_gamma_parts(1.0, p.rate, q.shape(), q.rate())
}

/// `KL(Exp(λ) ‖ Laplace(μ, b)) = ln(2λb) − 1 + E_p|x − μ| / b`, with
/// `E_p|x − μ| = 1/λ − μ` for `μ ≤ 0` and `μ − 1/λ + 2e^{−λμ}/λ` for
/// `μ > 0` (the mean deviation adds twice `E(μ − x)⁺` to the mean's).
pub fn kl_exponential_laplace(p: &Exponential, q: &Laplace) -> f64 {
    let (mu, b) = (q.loc(), q.scale());
    let mean = 1.0 / p.rate;
    let deviation = if mu <= 0.0 {
        mean - mu
    } else {
        mu - mean + 2.0 * (-p.rate * mu).exp() * mean
    };
    p.ln_rate + std::f64::consts::LN_2 + b.ln() - 1.0 + deviation / b
}

/// `KL(Exp(λ) ‖ N(μ, σ²)) = ln(λσ√(2π)) − 1 + (1/λ² + (1/λ − μ)²) / (2σ²)`:
/// `E_p[ln p] = ln λ − 1`, and `E_p[(x − μ)²]` is the variance plus the
/// squared bias. torch.distributions.kl `_kl_exponential_normal` expands the
/// square; it is kept whole here so a mean near μ does not cancel.
pub fn kl_exponential_normal(p: &Exponential, q: &Normal) -> f64 {
    let s = q.std();
    let m = 1.0 / p.rate;
    let bias = m - q.mean();
    p.ln_rate + s.ln() + LN_SQRT_2PI - 1.0 + (m * m + bias * bias) / (2.0 * s * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, FamilyDef};
    use crate::numeric::quad::{self, Tolerance};
    use crate::stats::kl::{entropy_by_definition, kl};
    use crate::testing::{agrees_with_definition, assert_close, assert_fit_recovers};
    use rand::SeedableRng;

    fn exp(rate: f64) -> Exponential {
        Exponential::new(rate).unwrap()
    }

    #[test]
    fn density_matches_the_formula_and_integrates_to_one() {
        let d = exp(2.5);
        for x in [0.0f64, 0.1, 1.0, 7.5] {
            let expected = 2.5 * (-2.5 * x).exp();
            assert_close(d.ln_pdf(x), expected.ln(), 1e-15);
        }
        assert_eq!(d.ln_pdf(-1e-300), f64::NEG_INFINITY);
        let total = quad::integrate(
            |x| d.ln_pdf(x).exp(),
            0.0,
            f64::INFINITY,
            Tolerance::default(),
        );
        assert_close(total.unwrap().value, 1.0, 1e-13);
    }

    #[test]
    fn mean_and_variance_match_quadrature() {
        let d = exp(0.3);
        let moment = |k: i32| {
            quad::integrate(
                |x| x.powi(k) * d.ln_pdf(x).exp(),
                0.0,
                f64::INFINITY,
                Tolerance::default(),
            )
            .unwrap()
            .value
        };
        assert_close(d.mean(), moment(1), 1e-12);
        assert_close(d.variance(), moment(2) - moment(1).powi(2), 1e-12);
    }

    #[test]
    fn entropy_matches_the_definition() {
        for rate in [1e-3, 0.5, 1.0, 40.0] {
            let d = Dist::Exponential(exp(rate));
            let numeric = entropy_by_definition(&d).unwrap().value;
            assert_close(d.entropy().unwrap(), numeric, 1e-10);
        }
    }

    #[test]
    fn sample_moments_are_within_five_standard_errors() {
        let d = exp(1.7);
        let n = 1_000_000;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let (m, s) = sum::mean_std(&xs, 1);
        let var = d.variance();
        // Fourth central moment of an exponential: 9 / λ⁴.
        let mu4 = 9.0 / 1.7f64.powi(4);
        assert!((m - d.mean()).abs() < 5.0 * (var / n as f64).sqrt());
        assert!((s * s - var).abs() < 5.0 * ((mu4 - var * var) / n as f64).sqrt());
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes the streams must fail this test.
        let d = exp(2.0);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let draws: Vec<f64> = (0..3).map(|_| d.sample(&mut rng)).collect();
        assert_eq!(
            draws,
            [0.5320102289952592, 0.23363583335629512, 0.7498753870722731]
        );
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn kl_to_a_laplace_matches_the_definition() {
        for (rate, loc, scale) in [
            (1.0, 0.0, 1.0),
            (0.3, -2.0, 0.7),
            (2.5, 1.2, 0.4),
            (0.05, 30.0, 8.0),
            (7.0, 0.01, 3.0),
        ] {
            let q = Laplace::new(loc, scale).unwrap();
            agrees_with_definition(Dist::Exponential(exp(rate)), Dist::Laplace(q));
        }
        // A rate far above 1/loc: mpmath quad at 30 digits.
        let q = Laplace::new(3.828_701_779_661_005_2, 5.100_527_154_204_38).unwrap();
        let kl = kl_exponential_laplace(&exp(25_673.086_420_065_338), &q);
        assert_close(kl, 12.226_330_192_420_178_670_170_886_806_4, 1e-14);
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Exponential::new(rate).unwrap_err().param, "rate");
        }
        let family = FamilyDef::find("exponential").unwrap();
        assert_eq!(family.build_scalars(&[]).unwrap_err().param, "rate");
    }

    #[test]
    fn fit_recovers_the_rate_and_is_a_maximum() {
        assert_fit_recovers(&Dist::Exponential(exp(3.0)), 200_000, 5);
    }

    #[test]
    fn fit_report_standard_error_is_the_inverse_information() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(6);
        let xs: Vec<f64> = (0..50_000).map(|_| exp(0.4).sample(&mut rng)).collect();
        let r = crate::stats::fit::fit(FamilyDef::find("exponential").unwrap(), &xs).unwrap();
        let rate = r.params["rate"].as_f64().unwrap();
        let se = r.stderr.unwrap()["rate"].as_f64().unwrap();
        assert_close(se, rate / (xs.len() as f64).sqrt(), 1e-14);
    }

    #[test]
    fn degenerate_data_are_refused_with_a_reason() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![1.0, f64::INFINITY], "observation 2 is inf"),
            (vec![1.0, 2.0, -0.5], "observation 3 is -0.5"),
            (vec![0.0, 0.0], "every observation is 0"),
        ] {
            let e = Exponential::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert_close(Exponential::fit(&[0.0, 2.0]).unwrap().rate, 1.0, 0.0);
    }

    #[test]
    fn kl_to_itself_is_zero() {
        let p = exp(0.7);
        assert_eq!(kl_exponential_exponential(&p, &p), 0.0);
        let d = Dist::Exponential(p);
        assert_eq!(kl(&d, &d).unwrap().value, 0.0);
    }

    #[test]
    fn kl_between_exponentials_matches_the_definition() {
        for (a, b) in [(1.0, 2.0), (3.0, 0.05), (1e-3, 1.5), (10.0, 10.5)] {
            agrees_with_definition(Dist::Exponential(exp(a)), Dist::Exponential(exp(b)));
        }
    }

    #[test]
    fn kl_to_gamma_matches_the_definition() {
        for (rate, (k, r)) in [
            (1.0, (2.0, 1.0)),
            (0.3, (0.4, 2.5)),
            (5.0, (30.0, 100.0)),
            (2.0, (1.0, 2.0)),
        ] {
            let q = Dist::Gamma(Gamma::new(k, r).unwrap());
            agrees_with_definition(Dist::Exponential(exp(rate)), q);
        }
        let p = exp(1.3);
        assert!(kl_exponential_gamma(&p, &Gamma::new(1.0, 1.3).unwrap()).abs() < 1e-15);
    }

    #[test]
    fn kl_to_normal_matches_the_definition() {
        for (rate, (m, s)) in [
            (1.0, (0.0, 1.0)),
            (0.2, (5.0, 5.0)),
            (7.0, (-3.0, 0.4)),
            (1e-2, (100.0, 80.0)),
        ] {
            let q = Dist::Normal(Normal::new(m, s).unwrap());
            agrees_with_definition(Dist::Exponential(exp(rate)), q);
        }
    }
}
