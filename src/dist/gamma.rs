//! The gamma family, `gamma(shape, rate)`, and the closed-form KL
//! divergences from it to the gamma, exponential and normal families.

use rand::Rng;
use rand_distr::Distribution;

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Exponential, Family, FitError, Information, LN_SQRT_2PI, Normal, Univariate};
use crate::numeric::special::{
    digamma, gamma_negentropy, ln_gamma, ln_gamma_bregman, ln_ratio, ratio_minus_ln,
    stirling_remainders, trigamma, trigamma_minus_inv, x_minus_ln1p,
};
use crate::numeric::sum;

/// The gamma distribution with density
/// `rate^shape x^(shape−1) e^(−rate·x) / Γ(shape)` on `x > 0`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gamma {
    shape: f64,
    rate: f64,
    /// `shape · ln rate − ln Γ(shape)`.
    ln_norm: f64,
    /// Gamma(shape, 1), whose draws are divided by the rate.
    unit: rand_distr::Gamma<f64>,
}

impl Gamma {
    /// A gamma distribution.
    ///
    /// # Errors
    /// When `shape` or `rate` is not a finite number > 0.
    pub fn new(shape: f64, rate: f64) -> Result<Self, ParamError> {
        let shape = Constraint::Positive.check("shape", shape)?;
        let rate = Constraint::Positive.check("rate", rate)?;
        // rand_distr refuses only shapes and scales that are not > 0.
        let unit = rand_distr::Gamma::new(shape, 1.0)
            .map_err(|e| ParamError::new("shape", e.to_string()))?;
        Ok(Self {
            shape,
            rate,
            ln_norm: shape * rate.ln() - ln_gamma(shape),
            unit,
        })
    }

    /// The shape `k`.
    pub fn shape(&self) -> f64 {
        self.shape
    }

    /// The rate `r` (the inverse of the scale).
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// `a · ln x`, taken as 0 when `a = 0` (so `x = 0` gives no NaN).
pub(super) fn xlny(a: f64, x: f64) -> f64 {
    if a == 0.0 { 0.0 } else { a * x.ln() }
}

impl Univariate for Gamma {
    fn ln_pdf(&self, x: f64) -> f64 {
        if x < 0.0 || x == f64::INFINITY {
            f64::NEG_INFINITY
        } else {
            // At x = 0: +inf for shape < 1, ln rate for shape = 1, else −inf.
            self.ln_norm + xlny(self.shape - 1.0, x) - self.rate * x
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.unit.sample(rng) / self.rate
    }

    fn mean(&self) -> f64 {
        self.shape / self.rate
    }

    fn variance(&self) -> f64 {
        self.shape / (self.rate * self.rate)
    }

    /// `k − ln r + ln Γ(k) + (1 − k) ψ(k)`.
    fn entropy(&self) -> Option<f64> {
        // k − ln r + ln Γ(k) + (1 − k)ψ(k), its large terms cancelled by hand.
        Some(-gamma_negentropy(self.shape) - self.rate.ln())
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

impl Family for Gamma {
    const NAME: &'static str = "gamma";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("shape", Constraint::Positive),
        ParamDef::scalar("rate", Constraint::Positive),
    ];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [shape, rate] = param::scalars(Self::PARAMS, values)?;
        Self::new(shape, rate)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![
            ParamValue::Scalar(self.shape),
            ParamValue::Scalar(self.rate),
        ]
    }

    /// With the rate profiled out (`rate = shape / mean`), the score for the
    /// shape is `ln k − ψ(k) − s`, `s = ln(mean) − mean(ln x)`; it is solved
    /// by Newton's method from Minka's approximation (“Estimating a gamma
    /// distribution”, 2002), to a relative residual of 1e-12.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_support(Self::NAME, xs, |x| x > 0.0, "x > 0 (ln x must be finite)")?;
        let mean = sum::mean(xs);
        // s = ln(mean) − mean(ln x) = mean(d − ln(1 + d)) − mean(d) with
        // d = (x − mean)/mean: the first mean has non-negative terms, each
        // without cancellation, and the second is the rounding left in the
        // mean (0 in exact arithmetic), summed exactly enough to subtract.
        // Near-constant data then keep the digits of their tiny s, which
        // ln(mean) − mean(ln x) would lose.
        // Below half the mean, 1 + d = x/mean would lose the digits of a
        // small x (and reach 0 for x/mean < 1e-16): there d − ln(x/mean)
        // has nothing to cancel.
        let n = xs.len() as f64;
        let ln_mean = mean.ln();
        let term = |x: f64| {
            let d = (x - mean) / mean;
            if d < -0.5 {
                d - (x.ln() - ln_mean)
            } else {
                x_minus_ln1p(d)
            }
        };
        let spread = sum::lanes(xs, term) / n;
        let residual = sum::accurate(xs.iter().map(|x| x - mean)) / (n * mean);
        let s = spread - residual;
        if !(mean.is_finite() && s.is_finite()) {
            return Err(FitError::degenerate(
                Self::NAME,
                format!("the mean ({mean}) or the mean log-ratio to it ({s}) overflows"),
            ));
        }
        if s <= 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                "the data are constant, so the shape would be infinite",
            ));
        }
        let shape = solve_shape(s).map_err(|r| FitError::degenerate(Self::NAME, r))?;
        Self::new(shape, shape / mean).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// `I(k, r) = [[ψ₁(k), −1/r], [−1/r, k/r²]]`, whose inverse has the
    /// diagonal `k / (kψ₁(k) − 1)` and `r²ψ₁(k) / (kψ₁(k) − 1)`. The
    /// determinant `kψ₁(k) − 1 = k(ψ₁(k) − 1/k)` vanishes as `1/(2k)`; it is
    /// taken from `ψ₁(k) − 1/k` computed without cancellation.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        let (k, r) = (self.shape, self.rate);
        let excess = trigamma_minus_inv(k);
        Some(vec![
            1.0 / excess.sqrt(),
            r * (trigamma(k) / (k * excess)).sqrt(),
        ])
    }
}

/// `ln k − ψ(k)` and its derivative `1/k − ψ₁(k)`; from k = 10 on, both
/// by their asymptotic series (the Bernoulli series of ψ and ψ₁), which do
/// not cancel as the differences do for large k.
fn ln_minus_digamma(k: f64) -> (f64, f64) {
    if k < 10.0 {
        return (k.ln() - digamma(k), -trigamma_minus_inv(k));
    }
    (0.5 / k + stirling_remainders(k).1, -trigamma_minus_inv(k))
}

/// The root of `ln k − ψ(k) = s` for `s > 0`. The left side is convex and
/// decreasing, so Newton steps from the left of the root increase towards
/// it; a step that overshoots to k ≤ 0 is halved back.
///
/// # Errors
/// When the residual is not below `1e-12 · s` after 100 steps.
fn solve_shape(s: f64) -> Result<f64, String> {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    let mut residual = f64::INFINITY;
    for _ in 0..100 {
        let (g, slope) = ln_minus_digamma(k);
        residual = g - s;
        if residual.abs() <= 1e-12 * s {
            return Ok(k);
        }
        let next = k - residual / slope;
        k = if next > 0.0 { next } else { 0.5 * k };
    }
    Err(format!(
        "Newton's method for the shape stalled at {k} (relative residual {:.1e})",
        residual / s
    ))
}

/// `KL(Γ(kp, rp) ‖ Γ(kq, rq)) = kq ln(rp/rq) + ln Γ(kq) − ln Γ(kp)
/// + (kp − kq) ψ(kp) + (rq − rp) kp/rp`, from `E_p[ln x] = ψ(kp) − ln rp`
/// and `E_p(x) = kp/rp`. As torch.distributions.kl `_kl_gamma_gamma`.
///
/// With `ρ = rq/rp` it is computed as
/// `kp(ρ − 1 − ln ρ) + B(kp → kq) + (kp − kq) ln ρ`, where
/// `B(kp → kq) = ln Γ(kq) − ln Γ(kp) − (kq − kp)ψ(kp)` is the Bregman
/// divergence of ln Γ: the first two terms are non-negative and computed
/// without cancellation, so nearby gammas keep their digits.
pub fn kl_gamma_gamma(p: &Gamma, q: &Gamma) -> f64 {
    kl_gamma_parts(p.shape, p.rate, q.shape, q.rate)
}

/// [`kl_gamma_gamma`] on raw parameters, for the exponential pairs too.
pub(crate) fn kl_gamma_parts(kp: f64, rp: f64, kq: f64, rq: f64) -> f64 {
    let rates = kp * ratio_minus_ln(rp, rq);
    if rates == f64::INFINITY {
        return rates;
    }
    rates + ln_gamma_bregman(kp, kq - kp) + (kp - kq) * ln_ratio(rp, rq)
}

/// `KL(Γ(k, r) ‖ Exp(λ)) = −H(p) − ln λ + λ E_p[x]`, as
/// torch.distributions.kl `_kl_gamma_exponential`: from the gamma's
/// negentropy, `ln(r/λ)` and `λk/r`, whose sizes stay near the result's
/// however large `k` is. Near `k = 1` (the exponentials themselves) the
/// gamma–gamma form with `kq = 1` instead, whose terms vanish with the
/// difference and keep the digits of a small divergence.
pub fn kl_gamma_exponential(p: &Gamma, q: &Exponential) -> f64 {
    let (k, r, lambda) = (p.shape, p.rate, q.rate());
    if (0.5..2.0).contains(&k) {
        return kl_gamma_parts(k, r, 1.0, lambda);
    }
    gamma_negentropy(k) + ln_ratio(lambda, r) + k * (lambda / r)
}

/// `KL(Γ(k, r) ‖ N(μ, σ²)) = −H(p) + ln(σ√(2π)) + (Var_p + (E_p[x] − μ)²) / (2σ²)`,
/// `Var_p = k/r²`. As torch.distributions.kl `_kl_gamma_normal`, with the
/// square kept whole.
pub fn kl_gamma_normal(p: &Gamma, q: &Normal) -> f64 {
    let s = q.std();
    let bias = p.mean() - q.mean();
    let neg_entropy = gamma_negentropy(p.shape) + p.rate.ln();
    neg_entropy + s.ln() + LN_SQRT_2PI + (p.variance() + bias * bias) / (2.0 * s * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::numeric::quad::{self, Tolerance};
    use crate::stats::kl::{Method, entropy_by_definition};
    use crate::testing::{
        agrees_with_definition, assert_close, assert_errors_are_the_observed_information,
        assert_fit_recovers, assert_relative, draws,
    };
    use rand::SeedableRng;

    fn gamma(k: f64, r: f64) -> Gamma {
        Gamma::new(k, r).unwrap()
    }

    #[test]
    fn density_matches_the_formula_and_integrates_to_one() {
        for (k, r) in [(0.5, 2.0), (1.0, 0.3), (3.5, 1.5), (40.0, 8.0)] {
            let d = gamma(k, r);
            for x in [0.01f64, 0.7, 2.0, 9.0] {
                let gamma_k = libm::tgamma(k);
                let expected = r.powf(k) * x.powf(k - 1.0) * (-r * x).exp() / gamma_k;
                assert_close(d.ln_pdf(x), expected.ln(), 1e-13);
            }
            let total = quad::integrate(
                |x| d.ln_pdf(x).exp(),
                0.0,
                f64::INFINITY,
                Tolerance::default(),
            );
            assert_close(total.unwrap().value, 1.0, 1e-11);
        }
    }

    #[test]
    fn density_at_zero_follows_the_shape() {
        assert_eq!(gamma(0.5, 1.0).ln_pdf(0.0), f64::INFINITY);
        assert_close(gamma(1.0, 2.0).ln_pdf(0.0), 2f64.ln(), 1e-15);
        assert_eq!(gamma(2.0, 1.0).ln_pdf(0.0), f64::NEG_INFINITY);
        assert_eq!(gamma(2.0, 1.0).ln_pdf(-1.0), f64::NEG_INFINITY);
        assert_eq!(gamma(2.0, 1.0).ln_pdf(f64::INFINITY), f64::NEG_INFINITY);
    }

    #[test]
    fn mean_and_variance_match_quadrature() {
        let d = gamma(2.7, 0.6);
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
        assert_close(d.variance(), moment(2) - moment(1).powi(2), 1e-11);
    }

    #[test]
    fn entropy_matches_the_definition() {
        for (k, r) in [
            (0.3, 1.0),
            (0.7, 5.0),
            (1.0, 1.0),
            (4.0, 0.2),
            (150.0, 30.0),
        ] {
            let d = Dist::Gamma(gamma(k, r));
            let numeric = entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_close(d.entropy().unwrap(), numeric.value, 1e-10);
        }
    }

    #[test]
    fn sample_moments_are_within_five_standard_errors() {
        for (k, r) in [(0.4, 2.0), (1.0, 1.0), (6.0, 0.5)] {
            let d = gamma(k, r);
            let n = 1_000_000;
            let xs = draws(&d, n, 12);
            let (m, s) = sum::mean_std(&xs, 1);
            let var = d.variance();
            // Fourth central moment: 3k(k + 2) / r⁴.
            let mu4 = 3.0 * k * (k + 2.0) / r.powi(4);
            assert!((m - d.mean()).abs() < 5.0 * (var / n as f64).sqrt(), "{k}");
            assert!(
                (s * s - var).abs() < 5.0 * ((mu4 - var * var) / n as f64).sqrt(),
                "{k}"
            );
        }
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes the streams must fail this test.
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let d = gamma(2.5, 2.0);
        let draws: Vec<f64> = (0..3).map(|_| d.sample(&mut rng)).collect();
        assert_eq!(
            draws,
            [1.8207783611828061, 2.484772274642322, 1.9477051260131835]
        );
        let small = gamma(0.5, 2.0);
        let draws: Vec<f64> = (0..3).map(|_| small.sample(&mut rng)).collect();
        assert_eq!(
            draws,
[0.01315218033184692, 0.6291131101680055, 0.0936661151610819]
        );
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Gamma::new(bad, 1.0).unwrap_err().param, "shape");
            assert_eq!(Gamma::new(1.0, bad).unwrap_err().param, "rate");
        }
    }

    #[test]
    fn shape_equation_is_solved_across_scales() {
        for k in [1e-3, 0.05, 0.7, 1.0, 9.99, 10.0, 123.0, 1e6] {
            let (s, _) = ln_minus_digamma(k);
            assert_close(solve_shape(s).unwrap(), k, 1e-10);
        }
        // The series agrees with the direct difference where both are accurate.
        for k in [10.0, 12.5, 30.0] {
            let (series, slope) = ln_minus_digamma(k);
            assert_close(series, k.ln() - digamma(k), 1e-13);
            assert_close(slope, 1.0 / k - trigamma(k), 1e-10);
        }
    }

    #[test]
    fn fit_recovers_the_parameters_and_is_a_maximum() {
        for (k, r) in [(0.6, 3.0), (4.0, 0.5)] {
            assert_fit_recovers(&Dist::Gamma(gamma(k, r)), 200_000, 8);
        }
    }

    #[test]
    fn fit_report_standard_errors_are_the_observed_information() {
        // The observed information of a gamma does not depend on the data.
        // At large shapes the information is nearly singular and finite
        // differences lose digits, which is why the report uses the closed
        // form (checked against mpmath in stats::fit).
        for (k, r) in [(0.6, 3.0), (2.0, 1.5), (8.0, 0.2)] {
            assert_errors_are_the_observed_information(
                "gamma",
                &draws(&gamma(k, r), 50_000, 9),
                1e-6,
            );
        }
    }

    #[test]
    fn degenerate_data_are_refused_with_a_reason() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![1.0, f64::NAN], "observation 2 is NaN"),
            (
                vec![1.0, 0.0, 2.0],
                "observation 2 is 0, outside the support x > 0",
            ),
            (vec![1.0, -3.0], "observation 2 is -3"),
            (vec![2.5, 2.5, 2.5], "constant"),
            (vec![2.5], "constant"),
            (vec![1e308, 1e308, 1.0], "overflows"),
        ] {
            let e = Gamma::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn kl_to_itself_is_zero() {
        let p = gamma(0.4, 2.0);
        assert!(kl_gamma_gamma(&p, &p).abs() < 1e-15);
        assert!(
            kl_gamma_exponential(&gamma(1.0, 2.0), &Exponential::new(2.0).unwrap()).abs() < 1e-15
        );
    }

    #[test]
    fn kl_between_gammas_matches_the_definition() {
        for ((a, b), (c, d)) in [
            ((2.0, 1.0), (3.0, 2.0)),
            ((0.5, 1.0), (2.0, 0.5)),
            ((0.3, 4.0), (0.8, 1.0)),
            ((50.0, 10.0), (45.0, 9.0)),
            ((1.0, 1.0), (0.1, 0.01)),
            ((0.05, 2.0), (0.5, 1.0)),
            ((800.0, 4.0), (700.0, 3.6)),
        ] {
            agrees_with_definition(Dist::Gamma(gamma(a, b)), Dist::Gamma(gamma(c, d)));
        }
    }

    #[test]
    fn kl_to_exponential_matches_the_definition() {
        for ((k, r), rate) in [((2.0, 1.0), 1.0), ((0.4, 3.0), 0.5), ((20.0, 2.0), 0.05)] {
            let q = Dist::Exponential(Exponential::new(rate).unwrap());
            agrees_with_definition(Dist::Gamma(gamma(k, r)), q);
        }
    }

    #[test]
    fn kl_to_normal_matches_the_definition() {
        for ((k, r), (m, s)) in [
            ((2.0, 1.0), (2.0, 1.5)),
            ((0.5, 2.0), (0.0, 1.0)),
            ((100.0, 5.0), (20.0, 2.0)),
            ((3.0, 0.1), (-10.0, 50.0)),
        ] {
            let q = Dist::Normal(Normal::new(m, s).unwrap());
            agrees_with_definition(Dist::Gamma(gamma(k, r)), q);
        }
    }

    /// Reference values: mpmath at 60 digits, `sqrt(diag(I⁻¹))` from the
    /// trigamma function directly.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn cramer_rao_keeps_its_digits_for_large_shapes() {
        for (k, r, want) in [
            (
                0.05,
                2.0,
                [0.051_195_797_437_013_034_426, 9.175_707_900_774_668_170_7],
            ),
            (
                2.5,
                1.3,
                [3.326_727_906_619_793_416, 1.915_345_624_134_260_503_1],
            ),
            (
                1e8,
                3.0,
                [141_421_356.001_607_245_07, 4.242_640_690_654_819_074_4],
            ),
        ] {
            let got = Gamma::new(k, r).unwrap().cramer_rao().unwrap();
            for (g, w) in got.iter().zip(want) {
                assert!(
                    ((g - w) / w).abs() < 1e-13,
                    "gamma({k}, {r}): {g} against {w}"
                );
            }
        }
    }

    /// Nearly constant data: `s = ln(mean) − mean(ln x)` is 2e-13, where
    /// the naive difference keeps three digits. The shape (and the rate,
    /// the mean being 1) against mpmath at 60 digits: the root of
    /// `ln k − ψ(k) = s` for the same binary64 data.
    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn kl_to_an_exponential_keeps_its_digits_for_any_shape() {
        // mpmath at 40 digits: −H(p) − ln λ + λk/r.
        for (k, r, lambda, reference) in [
            (1e4, 1.0, 1e-4, 4.186_264_986_950_096_403_2),
            (3.7, 2.0, 0.5, 0.334_536_590_730_583_454_29),
            (0.05, 3.0, 2.0, 16.892_871_982_124_642_683),
            (1e8, 3.0, 1.0, 33_333_323.802_666_720_154),
            (1.2, 1.0, 1.1, 0.052_255_930_880_553_340_707),
        ] {
            let kl = kl_gamma_exponential(&gamma(k, r), &Exponential::new(lambda).unwrap());
            assert_relative(kl, reference, 1e-14);
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn fit_keeps_its_digits_with_observations_far_below_the_mean() {
        // mpmath at 40 digits: the root of ln k − ψ(k) = ln(mean) − mean(ln x)
        // and rate = k/mean. A gamma of small shape draws such values.
        for (xs, shape, rate) in [
            (
                [1e-20, 0.5, 1.2],
                0.057_741_407_755_825_857_607,
                0.101_896_601_922_045_631_07,
            ),
            (
                [1e-15, 0.5, 1.2],
                0.075_534_443_570_831_458_918,
                0.133_296_076_889_702_496_15,
            ),
            (
                [1e-300, 1e-200, 1.0],
                0.002_576_962_738_139_957_648_5,
                0.007_730_888_214_419_872_945_4,
            ),
        ] {
            let fit = Gamma::fit(&xs).unwrap();
            assert_relative(fit.shape, shape, 1e-13);
            assert_relative(fit.rate, rate, 1e-13);
        }
    }

    #[test]
    fn fit_of_nearly_constant_data_keeps_its_digits() {
        let xs: Vec<f64> = (0..10)
            .map(|i| 1.0 + 1e-6 * (f64::from(i) - 4.5) / 4.5)
            .collect();
        let fitted = Gamma::fit(&xs).unwrap();
        let want = 2_454_545_454_631.486;
        assert_close(fitted.shape, want, 1e-10);
        assert_close(fitted.rate, want, 1e-10);
    }
}
