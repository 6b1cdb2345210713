//! The Poisson family, `poisson(rate)`: counts of events that arrive at a
//! constant rate, `P(k) = e^{−λ} λ^k / k!` for `k = 0, 1, 2, …`.

use std::f64::consts::TAU;

use rand::Rng;
use rand_distr::Distribution;

use super::discrete::{self, bd0, is_whole};
use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Information, Univariate};
use crate::numeric::sum;

/// The largest rate `rand_distr` samples from (its `Poisson::MAX_LAMBDA`):
/// draws beyond it would not fit in a `u64`.
pub(crate) const MAX_RATE: f64 = rand_distr::Poisson::<f64>::MAX_LAMBDA;

/// From this count on, `ln k!` comes from Stirling's series, whose first
/// omitted term is then below 1e-16; below it, from [`STIRLING_ERRORS`].
const STIRLING_FROM: f64 = 16.0;

/// `stirling_error(k)` for `k = 1, …, 15`, `ln k! − (k + ½) ln k + k − ½
/// ln 2π`, computed to 40 digits with mpmath and rounded to the nearest
/// double.
const STIRLING_ERRORS: [f64; 15] = [
    0.08106146679532726,
    0.0413406959554093,
    0.02767792568499834,
    0.020790672103765093,
    0.016644691189821193,
    0.013876128823070748,
    0.01189670994589177,
    0.010411265261972096,
    0.009255462182712733,
    0.00833056343336287,
    0.007573675487951841,
    0.00694284010720953,
    0.006408994188004207,
    0.0059513701127588475,
    0.005554733551962801,
];

/// The Poisson distribution with mean `rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Poisson {
    rate: f64,
    sampler: rand_distr::Poisson<f64>,
}

impl Poisson {
    /// A Poisson distribution.
    ///
    /// # Errors
    /// When `rate` is not a finite number > 0, or exceeds 1.844e19, the
    /// largest rate rand_distr samples from.
    pub fn new(rate: f64) -> Result<Self, ParamError> {
        let rate = Constraint::Positive.check("rate", rate)?;
        let sampler = rand_distr::Poisson::new(rate).map_err(|_| {
            ParamError::new(
                "rate",
                format!("must be at most {MAX_RATE:e} (the largest rate that can be sampled), got {rate}"),
            )
        })?;
        Ok(Self { rate, sampler })
    }

    /// The rate (the mean).
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// `ln k! − [(k + ½) ln k − k + ½ ln 2π]` for whole `k ≥ 1`: the table
/// below 16, Stirling's series `1/(12k) − 1/(360k³) + 1/(1260k⁵) −
/// 1/(1680k⁷) + 1/(1188k⁹)` from there on.
fn stirling_error(k: f64) -> f64 {
    if k < STIRLING_FROM {
        return STIRLING_ERRORS[k as usize - 1];
    }
    const S: [f64; 5] = [
        1.0 / 12.0,
        1.0 / 360.0,
        1.0 / 1260.0,
        1.0 / 1680.0,
        1.0 / 1188.0,
    ];
    let kk = k * k;
    (S[0] - (S[1] - (S[2] - (S[3] - S[4] / kk) / kk) / kk) / kk) / k
}

impl Univariate for Poisson {
    /// Loader's form `−½ ln(2πk) − stirling_error(k) − bd0(k, λ)`: the
    /// textbook `k ln λ − λ − ln k!` cancels between terms far larger than
    /// the result, losing up to `log10(k ln λ)` digits.
    fn ln_pdf(&self, x: f64) -> f64 {
        if !(x >= 0.0 && is_whole(x)) {
            return f64::NEG_INFINITY;
        }
        if x == 0.0 {
            return -self.rate;
        }
        -0.5 * (TAU * x).ln() - stirling_error(x) - bd0(x, self.rate)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        self.rate
    }

    fn variance(&self) -> f64 {
        self.rate
    }

    /// No closed form: `λ(1 − ln λ) + e^{−λ} Σ λ^k ln k!/k!` is itself a
    /// series, so the summation fallback computes it.
    fn entropy(&self) -> Option<f64> {
        None
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn is_discrete(&self) -> bool {
        true
    }
}

impl Family for Poisson {
    const NAME: &'static str = "poisson";
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

    /// The sample mean.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        discrete::check_whole(Self::NAME, xs, 0.0, f64::INFINITY, "a whole number >= 0")?;
        let mean = sum::mean(xs);
        if mean == 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                "every observation is 0, so the estimate of the rate is 0, and a rate must be > 0",
            ));
        }
        Self::new(mean).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// `I(λ) = 1/λ`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![self.rate.sqrt()])
    }
}

/// `KL(p ‖ q) = λ_p ln(λ_p/λ_q) + λ_q − λ_p`, as in torch.distributions'
/// `_kl_poisson_poisson`: the expectation under `p` of
/// `ln p(k) − ln q(k) = k ln(λ_p/λ_q) − λ_p + λ_q`. That is `bd0(λ_p, λ_q)`,
/// which keeps its digits when the rates are close.
pub fn kl_poisson_poisson(p: &Poisson, q: &Poisson) -> f64 {
    bd0(p.rate, q.rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::stats::fit;
    use crate::stats::kl::{self, Method};
    use rand::SeedableRng;

    fn poisson(rate: f64) -> Dist {
        Dist::Poisson(Poisson::new(rate).unwrap())
    }

    /// `ln P(k)` from the textbook formula, with `ln k!` summed term by term.
    fn textbook_ln_pmf(rate: f64, k: u32) -> f64 {
        let ln_factorial: f64 = (1..=k).map(|i| f64::from(i).ln()).sum();
        f64::from(k) * rate.ln() - rate - ln_factorial
    }

    #[test]
    fn mass_matches_the_textbook_formula() {
        for rate in [0.3, 2.5, 17.0, 140.0] {
            let d = Poisson::new(rate).unwrap();
            for k in [0, 1, 2, 5, 15, 16, 17, 30, 100, 170] {
                let expected = textbook_ln_pmf(rate, k);
                let got = d.ln_pdf(f64::from(k));
                assert!(
                    (got - expected).abs() < 1e-12 * expected.abs().max(1.0),
                    "rate {rate}, k {k}: {got} vs {expected}"
                );
            }
        }
        let d = Poisson::new(2.0).unwrap();
        assert_eq!(d.ln_pdf(0.0), -2.0);
        for x in [-1.0, 0.5, 2.000_001, f64::NAN, f64::INFINITY] {
            assert_eq!(d.ln_pdf(x), f64::NEG_INFINITY, "x = {x}");
        }
    }

    #[test]
    fn stirling_errors_agree_with_log_gamma_and_the_series() {
        use crate::numeric::special::ln_gamma;
        for k in 1..=30 {
            let k = f64::from(k);
            let (a, b) = (ln_gamma(k + 1.0), (k + 0.5) * k.ln());
            let direct = a - b + k - 0.5 * TAU.ln();
            // The direct form is only as good as its largest terms.
            let tolerance = 4.0 * f64::EPSILON * (a + b + k);
            assert!((stirling_error(k) - direct).abs() < tolerance, "k = {k}");
        }
    }

    #[test]
    fn mass_is_accurate_at_large_rates() {
        // At k = λ = 1e6, P(k) = e^{−1e6} 1e6^{1e6} / 1e6!, whose logarithm is
        // −½ ln(2π·1e6) − 1/(12·1e6) + 1/(360·1e18): the textbook form loses
        // about seven digits here, the deviance form none.
        let d = Poisson::new(1e6).unwrap();
        let expected = -0.5 * (TAU * 1e6).ln() - 1.0 / 12e6 + 1.0 / 360e18;
        assert!((d.ln_pdf(1e6) - expected).abs() < 1e-14 * expected.abs());
        // One standard deviation above: ln P(k+1)/P(k) = ln(λ/(k+1)), summed.
        let step: f64 = (1_000_001..=1_001_000)
            .map(|k| (1e6 / f64::from(k)).ln())
            .sum();
        let above = d.ln_pdf(1_001_000.0);
        assert!((above - (d.ln_pdf(1e6) + step)).abs() < 1e-11, "{above}");
    }

    #[test]
    fn masses_sum_to_one() {
        for rate in [1e-8, 0.7, 30.0, 1e4] {
            let d = Poisson::new(rate).unwrap();
            let top = (rate + 40.0 * rate.sqrt() + 40.0) as u32;
            let mass = sum::accurate((0..top).map(|k| d.ln_pdf(f64::from(k)).exp()));
            assert!((mass - 1.0).abs() < 1e-14, "rate {rate}: {mass}");
        }
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e20] {
            assert_eq!(Poisson::new(rate).unwrap_err().param, "rate", "{rate}");
        }
        assert!(Poisson::new(MAX_RATE).is_ok());
    }

    #[test]
    fn draws_have_the_right_mean_and_variance() {
        // Both of rand_distr's methods: Knuth's below 12, rejection above.
        for (rate, seed) in [(3.5, 1), (50.0, 2)] {
            let d = Poisson::new(rate).unwrap();
            let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
            let n = 1_000_000;
            let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            assert!(xs.iter().all(|&x| is_whole(x) && x >= 0.0));
            let (mean, sd) = sum::mean_std(&xs, 1);
            let nf = n as f64;
            // Central moments: μ2 = λ, μ4 = λ + 3λ².
            let mu4 = rate + 3.0 * rate * rate;
            assert!((mean - rate).abs() < 5.0 * (rate / nf).sqrt(), "{mean}");
            let var_se = ((mu4 - rate * rate) / nf).sqrt();
            assert!((sd * sd - rate).abs() < 5.0 * var_se, "{}", sd * sd);
        }
    }

    #[test]
    fn draws_are_pinned_for_a_fixed_seed() {
        // A dependency bump that changes the streams must fail this test.
        let draw3 = |rate: f64| {
            let d = Poisson::new(rate).unwrap();
            let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
            [d.sample(&mut rng), d.sample(&mut rng), d.sample(&mut rng)]
        };
        assert_eq!(draw3(3.5), [6.0, 6.0, 3.0]);
        assert_eq!(draw3(50.0), [55.0, 46.0, 53.0]);
    }

    #[test]
    fn fit_recovers_the_rate_and_maximises_the_likelihood() {
        let rate = 4.2;
        let d = Poisson::new(rate).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let fit = Poisson::fit(&xs).unwrap();
        let se = (rate / n as f64).sqrt();
        assert!((fit.rate - rate).abs() < 5.0 * se, "{}", fit.rate);
        let at = |r: f64| Poisson::new(r).unwrap().sum_ln_pdf(&xs);
        for h in [1e-3, -1e-3, 0.05, -0.05] {
            assert!(at(fit.rate) >= at(fit.rate * (1.0 + h)), "h = {h}");
        }
    }

    #[test]
    fn fit_reports_the_textbook_standard_error() {
        let d = poisson(9.0);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        let xs: Vec<f64> = (0..50_000).map(|_| d.sample(&mut rng)).collect();
        let r = fit::fit(crate::dist::FamilyDef::find("poisson").unwrap(), &xs).unwrap();
        let rate = r.params["rate"].as_f64().unwrap();
        let se = r.stderr.unwrap()["rate"].as_f64().unwrap();
        // I(λ) = 1/λ, so the standard error is √(λ̂/n).
        let expected = (rate / xs.len() as f64).sqrt();
        assert!((se / expected - 1.0).abs() < 1e-14, "{se} vs {expected}");
    }

    #[test]
    fn fit_refuses_data_that_are_not_counts() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![0.0, 0.0, 0.0], "every observation is 0"),
            (vec![1.0, 2.5], "observation 2 is 2.5"),
            (vec![3.0, -1.0], "observation 2 is -1"),
            (vec![f64::NAN], "observation 1 is NaN"),
            (vec![1e300], "rate: must be at most"),
        ] {
            let e = Poisson::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn kl_closed_form_agrees_with_summation_of_the_definition() {
        for (a, b) in [
            (1.0, 2.0),
            (2.0, 1.0),
            (0.05, 3.0),
            (30.0, 0.5),
            (100.0, 101.0),
            (1e-6, 1e-3),
            (1e-8, 3e-8),
            (1e4, 1.02e4),
            (1e6, 0.999e6),
        ] {
            let (p, q) = (poisson(a), poisson(b));
            let closed = kl::kl(&p, &q).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::kl_by_definition(&p, &q).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                (closed.value - numeric.value).abs() < 1e-10 * closed.value,
                "{a}, {b}: {} vs {}",
                closed.value,
                numeric.value
            );
        }
        assert_eq!(kl::kl(&poisson(3.3), &poisson(3.3)).unwrap().value, 0.0);
    }

    #[test]
    fn kl_of_close_rates_keeps_its_digits() {
        // λ_q φ(t) with t = λ_p/λ_q − 1 and φ(t) = t²/2 − t³/6 + t⁴/12 − …
        let (a, b) = (1.0 + 1e-6, 1.0);
        let t: f64 = a / b - 1.0;
        let expected = b * (t * t / 2.0 - t.powi(3) / 6.0 + t.powi(4) / 12.0);
        let got = kl_poisson_poisson(&Poisson::new(a).unwrap(), &Poisson::new(b).unwrap());
        assert!((got - expected).abs() < 1e-14 * expected, "{got}");
    }

    /// `H(λ)` summed independently: masses by the ratio `P(k+1)/P(k) =
    /// λ/(k+1)` outwards from the mode, normalised at the end, so neither
    /// `ln Γ` nor Stirling's series is involved.
    fn entropy_by_ratios(rate: f64) -> f64 {
        let mode = rate.floor();
        let reach = 40.0 * rate.sqrt() + 40.0;
        let mut ln_q = vec![0.0];
        let mut ln = 0.0;
        let mut k = mode;
        while k < mode + reach {
            ln += (rate / (k + 1.0)).ln();
            ln_q.push(ln);
            k += 1.0;
        }
        let (mut ln, mut k) = (0.0, mode);
        while k > 0.0 && k > mode - reach {
            ln += (k / rate).ln();
            ln_q.push(ln);
            k -= 1.0;
        }
        // Z = 1 + Σ_{k ≠ mode} q_k; ln_1p keeps the digits of a tiny sum.
        let ln_z = sum::accurate(ln_q[1..].iter().map(|l| l.exp())).ln_1p();
        let q_ln_q = sum::accurate(ln_q.iter().map(|l| l.exp() * l));
        ln_z - q_ln_q / ln_z.exp()
    }

    #[test]
    fn entropy_is_summed_exactly_and_agrees_with_independent_values() {
        for rate in [1e-8, 0.3, 5.0, 120.0, 1e4, 1e6] {
            let v = kl::entropy(&poisson(rate)).unwrap();
            assert_eq!(v.method, Method::Summation, "rate {rate}");
            let expected = entropy_by_ratios(rate);
            assert!(
                (v.value - expected).abs() < 1e-10 * expected,
                "rate {rate}: {} vs {expected}",
                v.value
            );
        }
        // H(λ) = λ(1 − ln λ) + λ² ln 2 / 2 + O(λ³ ln λ) for tiny λ.
        let rate: f64 = 1e-8;
        let small = rate * (1.0 - rate.ln()) + rate * rate * 2f64.ln() / 2.0;
        let v = kl::entropy(&poisson(rate)).unwrap().value;
        assert!((v - small).abs() < 1e-12 * small, "{v} vs {small}");
        // H(λ) = ½ ln(2πeλ) − 1/(12λ) − 1/(24λ²) − 19/(360λ³) + O(λ⁻⁴).
        for rate in [1e4, 1e6] {
            let asymptotic = 0.5 * (TAU * std::f64::consts::E * rate).ln()
                - 1.0 / (12.0 * rate)
                - 1.0 / (24.0 * rate * rate)
                - 19.0 / (360.0 * rate.powi(3));
            let v = kl::entropy(&poisson(rate)).unwrap().value;
            assert!(
                (v - asymptotic).abs() < 1e-12 * asymptotic,
                "rate {rate}: {v} vs {asymptotic}"
            );
        }
    }
}
