//! The uniform family, `uniform(low, high)`, and the closed-form KL
//! divergences from it to the uniform, normal, exponential, gamma and beta
//! families.

use rand::Rng;
use rand_distr::Distribution;

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{
    Beta, Exponential, Family, FitError, Gamma, Information, LN_SQRT_2PI, Normal, Univariate,
};
use crate::numeric::special::{ln_beta, ln_gamma};

/// The continuous uniform distribution on `[low, high]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Uniform {
    low: f64,
    high: f64,
    /// `ln(high − low)`.
    ln_width: f64,
    sampler: rand_distr::Uniform<f64>,
}

impl Uniform {
    /// A uniform distribution.
    ///
    /// # Errors
    /// When `low` or `high` is not finite, when `high <= low`, or when
    /// `high − low` overflows.
    pub fn new(low: f64, high: f64) -> Result<Self, ParamError> {
        let low = Constraint::Real.check("low", low)?;
        let high = Constraint::Real.check("high", high)?;
        if high <= low {
            return Err(ParamError::new(
                "high",
                format!("must be greater than low ({low}), got {high}"),
            ));
        }
        let width = high - low;
        if !width.is_finite() {
            return Err(ParamError::new(
                "high",
                format!("high − low must be a finite number, got {width}"),
            ));
        }
        // rand refuses only empty or non-finite ranges, checked above.
        let sampler = rand_distr::Uniform::new(low, high)
            .map_err(|e| ParamError::new("high", e.to_string()))?;
        Ok(Self {
            low,
            high,
            ln_width: width.ln(),
            sampler,
        })
    }

    /// The lower end.
    pub fn low(&self) -> f64 {
        self.low
    }

    /// The upper end.
    pub fn high(&self) -> f64 {
        self.high
    }

    fn width(&self) -> f64 {
        self.high - self.low
    }

    fn midpoint(&self) -> f64 {
        self.low + 0.5 * self.width()
    }
}

/// `E[ln x]` for `x ~ U(low, high)`, `0 <= low < high`:
/// `(h ln h − l ln l)/(h − l) − 1`, written as
/// `ln h − 1 − (l/(h − l)) ln(1 − (h − l)/h)` so that narrow intervals do
/// not cancel.
fn mean_ln(low: f64, high: f64) -> f64 {
    if low == 0.0 {
        return high.ln() - 1.0;
    }
    let width = high - low;
    high.ln() - 1.0 - low / width * (-width / high).ln_1p()
}

impl Univariate for Uniform {
    fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            x
        } else if (self.low..=self.high).contains(&x) {
            -self.ln_width
        } else {
            f64::NEG_INFINITY
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        self.midpoint()
    }

    fn variance(&self) -> f64 {
        self.width() * self.width() / 12.0
    }

    /// `ln(high − low)`.
    fn entropy(&self) -> Option<f64> {
        Some(self.ln_width)
    }

    fn support(&self) -> (f64, f64) {
        (self.low, self.high)
    }
}

impl Family for Uniform {
    const NAME: &'static str = "uniform";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("low", Constraint::Real),
        ParamDef::scalar("high", Constraint::Real),
    ];
    const HAS_FIT: bool = true;
    /// The likelihood jumps to zero at the sample extremes: no standard
    /// errors from curvature (the MLE's error shrinks like 1/n, not 1/√n).
    const INFORMATION: Information = Information::None;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [low, high] = param::scalars(Self::PARAMS, values)?;
        Self::new(low, high)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Scalar(self.low), ParamValue::Scalar(self.high)]
    }

    /// The smallest and largest observations.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_data(Self::NAME, xs)?;
        let low = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let high = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if low == high {
            return Err(FitError::degenerate(
                Self::NAME,
                format!("the data are constant ({low}), so low = high"),
            ));
        }
        Self::new(low, high).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }
}

/// `KL(U(lp, hp) ‖ U(lq, hq)) = ln((hq − lq)/(hp − lp))` when q's interval
/// holds p's, else `+inf`. As torch.distributions.kl `_kl_uniform_uniform`.
pub fn kl_uniform_uniform(p: &Uniform, q: &Uniform) -> f64 {
    if q.low > p.low || q.high < p.high {
        return f64::INFINITY;
    }
    // ln(1 + (w_q − w_p)/w_p), the extra width taken from the two
    // overhangs, each exact when the ends are close: nested intervals of
    // nearly equal width give a small divergence, which the logarithm of
    // the rounded ratio of widths would blur.
    let extra = (q.high - p.high) + (p.low - q.low);
    (extra / p.width()).ln_1p()
}

/// `KL(U(l, h) ‖ N(μ, σ²)) = ln(σ√(2π)/(h − l)) + ((h − l)²/12 + (m − μ)²)/(2σ²)`,
/// `m` the midpoint. As torch.distributions.kl `_kl_uniform_normal`.
pub fn kl_uniform_normal(p: &Uniform, q: &Normal) -> f64 {
    let s = q.std();
    let bias = p.midpoint() - q.mean();
    s.ln() + LN_SQRT_2PI - p.ln_width + (p.variance() + bias * bias) / (2.0 * s * s)
}

/// `KL(U(l, h) ‖ Exp(λ)) = λ(h + l)/2 − ln((h − l)λ)` when `l >= 0`, else
/// `+inf`. As torch.distributions.kl `_kl_uniform_exponetial` (sic).
pub fn kl_uniform_exponential(p: &Uniform, q: &Exponential) -> f64 {
    if p.low < 0.0 {
        return f64::INFINITY;
    }
    let rate = q.rate();
    rate * p.midpoint() - p.ln_width - rate.ln()
}

/// `KL(U(l, h) ‖ Γ(k, r)) = −ln(h − l) + ln Γ(k) − k ln r − (k − 1)E_p[ln x] + r(h + l)/2`
/// when `l >= 0`, else `+inf`. As torch.distributions.kl `_kl_uniform_gamma`.
pub fn kl_uniform_gamma(p: &Uniform, q: &Gamma) -> f64 {
    if p.low < 0.0 {
        return f64::INFINITY;
    }
    let (k, r) = (q.shape(), q.rate());
    let ln_x = if k == 1.0 {
        0.0
    } else {
        (k - 1.0) * mean_ln(p.low, p.high)
    };
    -p.ln_width + ln_gamma(k) - k * r.ln() - ln_x + r * p.midpoint()
}

/// `KL(U(l, h) ‖ B(α, β)) = −ln(h − l) + ln B(α, β) − (α − 1)E_p[ln x] − (β − 1)E_p[ln(1 − x)]`
/// when `0 <= l < h <= 1`, else `+inf`. As torch.distributions.kl
/// `_kl_uniform_beta`.
pub fn kl_uniform_beta(p: &Uniform, q: &Beta) -> f64 {
    if p.low < 0.0 || p.high > 1.0 {
        return f64::INFINITY;
    }
    let (a, b) = (q.alpha(), q.beta());
    let ln_x = if a == 1.0 {
        0.0
    } else {
        (a - 1.0) * mean_ln(p.low, p.high)
    };
    let ln_1mx = if b == 1.0 {
        0.0
    } else {
        (b - 1.0) * mean_ln(1.0 - p.high, 1.0 - p.low)
    };
    -p.ln_width + ln_beta(a, b) - ln_x - ln_1mx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, FamilyDef};
    use crate::numeric::quad::{self, Tolerance};
    use crate::numeric::sum;
    use crate::stats::kl::{entropy_by_definition, kl};
    use crate::testing::{agrees_with_definition, assert_close};
    use rand::SeedableRng;

    fn uniform(lo: f64, hi: f64) -> Uniform {
        Uniform::new(lo, hi).unwrap()
    }

    #[test]
    fn density_is_flat_on_the_interval_and_integrates_to_one() {
        let d = uniform(-1.0, 3.0);
        for x in [-1.0, 0.0, 2.9, 3.0] {
            assert_eq!(d.ln_pdf(x), 0.25f64.ln());
        }
        assert_eq!(d.ln_pdf(-1.000_001), f64::NEG_INFINITY);
        assert_eq!(d.ln_pdf(3.000_001), f64::NEG_INFINITY);
        let total = quad::integrate(|x| d.ln_pdf(x).exp(), -1.0, 3.0, Tolerance::default());
        assert_close(total.unwrap().value, 1.0, 1e-15);
    }

    #[test]
    fn moments_and_entropy_match_the_definitions() {
        let d = uniform(2.0, 7.0);
        let moment = |k: i32| {
            quad::integrate(
                |x| x.powi(k) * d.ln_pdf(x).exp(),
                2.0,
                7.0,
                Tolerance::default(),
            )
            .unwrap()
            .value
        };
        assert_close(d.mean(), moment(1), 1e-14);
        assert_close(d.variance(), moment(2) - moment(1).powi(2), 1e-13);
        for (lo, hi) in [(0.0, 1.0), (-3.0, 1e-3 - 3.0), (5.0, 500.0)] {
            let d = Dist::Uniform(uniform(lo, hi));
            let numeric = entropy_by_definition(&d).unwrap().value;
            assert_close(d.entropy().unwrap(), numeric, 1e-10);
        }
    }

    #[test]
    fn mean_ln_matches_quadrature_on_narrow_and_wide_intervals() {
        for (lo, hi) in [(0.0, 2.0), (0.5, 0.5 + 1e-9), (1e-12, 1.0), (3.0, 40.0)] {
            let numeric = quad::integrate(|x| x.ln() / (hi - lo), lo, hi, Tolerance::default());
            assert_close(mean_ln(lo, hi), numeric.unwrap().value, 1e-12);
        }
    }

    #[test]
    fn sample_moments_are_within_five_standard_errors() {
        let d = uniform(-2.0, 5.0);
        let n = 1_000_000;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(14);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let (m, s) = sum::mean_std(&xs, 1);
        let var = d.variance();
        // Fourth central moment: width⁴ / 80.
        let mu4 = 7f64.powi(4) / 80.0;
        assert!((m - d.mean()).abs() < 5.0 * (var / n as f64).sqrt());
        assert!((s * s - var).abs() < 5.0 * ((mu4 - var * var) / n as f64).sqrt());
        assert!(xs.iter().all(|x| (-2.0..=5.0).contains(x)));
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes the streams must fail this test.
        let d = uniform(-2.0, 5.0);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let draws: Vec<f64> = (0..3).map(|_| d.sample(&mut rng)).collect();
        assert_eq!(
            draws,
            [
                3.7001360158603678,
                0.23174728043162762,
                4.88725917724242
            ]
        );
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Uniform::new(bad, 1.0).unwrap_err().param, "low");
            assert_eq!(Uniform::new(0.0, bad).unwrap_err().param, "high");
        }
        assert_eq!(Uniform::new(1.0, 1.0).unwrap_err().param, "high");
        assert_eq!(Uniform::new(2.0, 1.0).unwrap_err().param, "high");
        assert_eq!(Uniform::new(-1e308, 1e308).unwrap_err().param, "high");
    }

    #[test]
    fn fit_takes_the_extremes_and_reports_no_standard_errors() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(15);
        let truth = uniform(1.0, 4.0);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| truth.sample(&mut rng)).collect();
        let fitted = Uniform::fit(&xs).unwrap();
        // The extremes fall short of the ends by about width/n: a gap beyond
        // t·width/n has probability e^(−t), 2e-9 for t = 20.
        let slack = 20.0 * 3.0 / n as f64;
        assert!(fitted.low >= 1.0 && fitted.low - 1.0 < slack, "{fitted:?}");
        assert!(
            fitted.high <= 4.0 && 4.0 - fitted.high < slack,
            "{fitted:?}"
        );
        // Every observation keeps its density: a narrower interval loses one.
        let at = |lo: f64, hi: f64| uniform(lo, hi).sum_ln_pdf(&xs);
        let best = at(fitted.low, fitted.high);
        assert!(best >= at(fitted.low - 1e-6, fitted.high));
        assert!(best >= at(fitted.low, fitted.high + 1e-6));
        assert_eq!(at(fitted.low + 1e-6, fitted.high), f64::NEG_INFINITY);
        assert_eq!(at(fitted.low, fitted.high - 1e-6), f64::NEG_INFINITY);
        let r = crate::stats::fit::fit(FamilyDef::find("uniform").unwrap(), &xs).unwrap();
        assert!(r.stderr.is_none());
    }

    #[test]
    fn degenerate_data_are_refused_with_a_reason() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![0.5, f64::NAN], "observation 2 is NaN"),
            (vec![0.5, 0.5], "constant (0.5)"),
            (vec![-1e308, 1e308], "finite"),
        ] {
            let e = Uniform::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn kl_between_uniforms_is_the_log_length_ratio_when_nested() {
        let (p, q) = (uniform(0.0, 1.0), uniform(-1.0, 3.0));
        assert_close(kl_uniform_uniform(&p, &q), 4f64.ln(), 1e-15);
        assert_eq!(kl_uniform_uniform(&p, &p), 0.0);
        assert_eq!(kl_uniform_uniform(&q, &p), f64::INFINITY);
        assert_eq!(kl_uniform_uniform(&uniform(0.5, 1.5), &p), f64::INFINITY);
        for ((a, b), (c, d)) in [((0.0, 1.0), (-1.0, 3.0)), ((2.0, 2.001), (2.0, 9.0))] {
            agrees_with_definition(Dist::Uniform(uniform(a, b)), Dist::Uniform(uniform(c, d)));
        }
        let (p, q) = (
            Dist::Uniform(uniform(0.5, 1.5)),
            Dist::Uniform(uniform(0.0, 1.0)),
        );
        assert_eq!(kl(&p, &q).unwrap().value, f64::INFINITY);
    }

    #[test]
    fn kl_to_normal_matches_the_definition() {
        for ((lo, hi), (m, s)) in [
            ((0.0, 1.0), (0.0, 1.0)),
            ((-5.0, 5.0), (2.0, 0.5)),
            ((100.0, 100.01), (100.0, 0.01)),
        ] {
            let q = Dist::Normal(Normal::new(m, s).unwrap());
            agrees_with_definition(Dist::Uniform(uniform(lo, hi)), q);
        }
    }

    #[test]
    fn kl_to_exponential_matches_the_definition() {
        for ((lo, hi), rate) in [((0.0, 1.0), 1.0), ((2.0, 3.0), 0.1), ((0.0, 50.0), 4.0)] {
            let q = Dist::Exponential(Exponential::new(rate).unwrap());
            agrees_with_definition(Dist::Uniform(uniform(lo, hi)), q);
        }
        let q = Exponential::new(1.0).unwrap();
        assert_eq!(
            kl_uniform_exponential(&uniform(-0.1, 1.0), &q),
            f64::INFINITY
        );
    }

    #[test]
    fn kl_to_gamma_matches_the_definition() {
        for ((lo, hi), (k, r)) in [
            ((0.0, 1.0), (2.0, 1.0)),
            ((0.0, 2.0), (0.5, 3.0)),
            ((1.0, 1.5), (20.0, 15.0)),
            ((0.0, 3.0), (1.0, 0.5)),
        ] {
            let q = Dist::Gamma(Gamma::new(k, r).unwrap());
            agrees_with_definition(Dist::Uniform(uniform(lo, hi)), q);
        }
        let q = Gamma::new(2.0, 1.0).unwrap();
        assert_eq!(kl_uniform_gamma(&uniform(-1.0, 1.0), &q), f64::INFINITY);
    }

    #[test]
    fn kl_to_beta_matches_the_definition() {
        for ((lo, hi), (a, b)) in [
            ((0.0, 1.0), (2.0, 3.0)),
            ((0.2, 0.7), (0.5, 0.5)),
            ((0.0, 0.1), (0.3, 4.0)),
            ((0.9, 1.0), (1.0, 0.6)),
        ] {
            let q = Dist::Beta(Beta::new(a, b).unwrap());
            agrees_with_definition(Dist::Uniform(uniform(lo, hi)), q);
        }
        let q = Beta::new(1.0, 1.0).unwrap();
        assert_eq!(kl_uniform_beta(&uniform(0.0, 1.0), &q), 0.0);
        assert_eq!(kl_uniform_beta(&uniform(0.5, 1.5), &q), f64::INFINITY);
    }
}
