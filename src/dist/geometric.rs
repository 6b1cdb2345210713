//! The geometric family, `geometric(p)`: the number of trials up to and
//! including the first success, `P(k) = p (1 − p)^{k−1}` for `k = 1, 2, …`.

use rand::{Rng, RngExt};
use rand_distr::Distribution;

use super::bernoulli::{coin_entropy, coin_kl};
use super::discrete::{self, is_whole};
use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Information, Univariate};
use crate::numeric::sum;

/// The geometric distribution on `1, 2, …` with success probability `p`.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometric {
    p: f64,
    ln_p: f64,
    /// `ln(1 − p)`.
    ln_fail: f64,
    /// rand_distr's sampler (which counts failures, from 0), or `None` when
    /// `1 − p` rounds to 1 and it would return `u64::MAX`.
    sampler: Option<rand_distr::Geometric>,
}

impl Geometric {
    /// A geometric distribution.
    ///
    /// # Errors
    /// When `p` is not in (0, 1].
    pub fn new(p: f64) -> Result<Self, ParamError> {
        let p = Constraint::PositiveProbability.check("p", p)?;
        let sampler = if 1.0 - p == 1.0 {
            None
        } else {
            Some(rand_distr::Geometric::new(p).map_err(|e| ParamError::new("p", e.to_string()))?)
        };
        Ok(Self {
            p,
            ln_p: p.ln(),
            ln_fail: (-p).ln_1p(),
            sampler,
        })
    }

    /// The success probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

impl Univariate for Geometric {
    fn ln_pdf(&self, x: f64) -> f64 {
        if !(x >= 1.0 && is_whole(x)) {
            return f64::NEG_INFINITY;
        }
        if x == 1.0 {
            // Also right for p = 1, where (x − 1) ln(1 − p) would be 0·(−∞).
            return self.ln_p;
        }
        self.ln_p + (x - 1.0) * self.ln_fail
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.sampler {
            Some(s) => s.sample(rng) as f64 + 1.0,
            None => {
                // Inverse distribution function: P(X > k) = (1 − p)^k.
                let u: f64 = rng.random();
                ((-u).ln_1p() / self.ln_fail).ceil().max(1.0)
            }
        }
    }

    fn mean(&self) -> f64 {
        1.0 / self.p
    }

    fn variance(&self) -> f64 {
        (1.0 - self.p) / (self.p * self.p)
    }

    /// `H = −ln p − ((1 − p)/p) ln(1 − p)`: a trial's entropy per success.
    fn entropy(&self) -> Option<f64> {
        Some(coin_entropy(self.p) / self.p)
    }

    /// `{1}` when `p = 1`.
    fn support(&self) -> (f64, f64) {
        let hi = if self.p == 1.0 { 1.0 } else { f64::INFINITY };
        (1.0, hi)
    }

    fn is_discrete(&self) -> bool {
        true
    }
}

impl Family for Geometric {
    const NAME: &'static str = "geometric";
    const PARAMS: &'static [ParamDef] = &[ParamDef::scalar("p", Constraint::PositiveProbability)];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [p] = param::scalars(Self::PARAMS, values)?;
        Self::new(p)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Scalar(self.p)]
    }

    /// One over the sample mean. All ones give `p = 1`, a maximum-likelihood
    /// estimate like any other (but with no standard error).
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        discrete::check_whole(Self::NAME, xs, 1.0, f64::INFINITY, "a whole number >= 1")?;
        Self::new(1.0 / sum::mean(xs)).map_err(|e| FitError::Degenerate {
            family: Self::NAME,
            reason: e.to_string(),
        })
    }

    /// `I(p) = 1/(p²(1 − p))`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![self.p * (1.0 - self.p).sqrt()])
    }
}

/// `KL(p ‖ q) = ln(p/q) + ((1 − p)/p) ln((1 − p)/(1 − q))`: the expectation
/// under `p` of `ln(p/q) + (k − 1) ln((1 − p)/(1 − q))`, with `E[k − 1] =
/// (1 − p)/p`; torch.distributions' `_kl_geometric_geometric` is the same
/// sum (its geometric counts failures, which shifts both sides alike). It
/// equals the KL between single trials divided by `p`, which is how it is
/// computed: without cancellation when `p ≈ q`.
pub fn kl_geometric_geometric(p: &Geometric, q: &Geometric) -> f64 {
    coin_kl(p.p, q.p) / p.p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::relatively_close;
    use crate::dist::{Dist, FamilyDef};
    use crate::stats::fit;
    use crate::stats::kl::{self, Method};
    use rand::SeedableRng;

    fn geometric(p: f64) -> Dist {
        Dist::Geometric(Geometric::new(p).unwrap())
    }


    #[test]
    fn mass_matches_the_textbook_formula() {
        for p in [0.01, 0.3, 0.75, 1.0] {
            let d = Geometric::new(p).unwrap();
            for k in [1, 2, 3, 10, 57] {
                let expected = p * (1.0 - p).powi(k - 1);
                let got = d.ln_pdf(f64::from(k)).exp();
                assert!(relatively_close(got, expected, 1e-13), "p {p}, k {k}: {got}");
            }
            for x in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY] {
                assert_eq!(d.ln_pdf(x), f64::NEG_INFINITY, "p {p}, x {x}");
            }
        }
        let sure = Geometric::new(1.0).unwrap();
        assert_eq!(sure.ln_pdf(1.0), 0.0);
        assert_eq!(sure.support(), (1.0, 1.0));
        assert_eq!(Geometric::new(0.5).unwrap().support(), (1.0, f64::INFINITY));
    }

    #[test]
    fn masses_sum_to_one() {
        for p in [0.002, 0.3, 0.9] {
            let d = Geometric::new(p).unwrap();
            let top = (60.0 / p) as u32;
            let mass = sum::accurate((1..top).map(|k| d.ln_pdf(f64::from(k)).exp()));
            assert!((mass - 1.0).abs() < 1e-14, "p {p}: {mass}");
        }
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for p in [0.0, -0.1, 1.1, f64::NAN, f64::INFINITY] {
            assert_eq!(Geometric::new(p).unwrap_err().param, "p", "{p}");
        }
    }

    #[test]
    fn draws_have_the_right_mean_and_variance() {
        // rand_distr draws trial by trial for p ≥ 2/3, by Bringmann and
        // Friedrich's method below.
        for (p, seed) in [(0.3, 1), (0.8, 2), (0.01, 3)] {
            let d = Geometric::new(p).unwrap();
            let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
            let n = 1_000_000;
            let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            assert!(xs.iter().all(|&x| is_whole(x) && x >= 1.0));
            let (mean, sd) = sum::mean_std(&xs, 1);
            let nf = n as f64;
            let var = d.variance();
            // Excess kurtosis 6 + p²/(1 − p).
            let mu4 = var * var * (9.0 + p * p / (1.0 - p));
            assert!((mean - 1.0 / p).abs() < 5.0 * (var / nf).sqrt(), "{mean}");
            let var_se = ((mu4 - var * var) / nf).sqrt();
            assert!((sd * sd - var).abs() < 5.0 * var_se, "{}", sd * sd);
        }
        let sure = Geometric::new(1.0).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
        assert!((0..1000).all(|_| sure.sample(&mut rng) == 1.0));
    }

    #[test]
    fn draws_for_a_p_below_rounding_come_from_the_inverse_distribution_function() {
        let p = 1e-17;
        let d = Geometric::new(p).unwrap();
        assert!(d.sampler.is_none());
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(6);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let mean = sum::mean(&xs);
        assert!((mean - 1.0 / p).abs() < 5.0 * d.variance().sqrt() / f64::from(n).sqrt());
    }

    #[test]
    fn draws_are_pinned_for_a_fixed_seed() {
        // A dependency bump that changes the streams must fail this test.
        let draw3 = |p: f64| {
            let d = Geometric::new(p).unwrap();
            let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
            [d.sample(&mut rng), d.sample(&mut rng), d.sample(&mut rng)]
        };
        assert_eq!(draw3(0.3), [1.0, 1.0, 3.0]);
        assert_eq!(draw3(0.7), [2.0, 4.0, 1.0]);
        assert_eq!(
            draw3(1e-17),
            [
                1.683650517646569e17,
                3.8393021743170936e16,
                4.1285738475786586e17
            ]
        );
    }

    #[test]
    fn fit_recovers_p_and_maximises_the_likelihood() {
        let p = 0.15;
        let d = Geometric::new(p).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(9);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let fit = Geometric::fit(&xs).unwrap();
        // I(p) = 1/(p²(1 − p)).
        let se = p * (1.0 - p).sqrt() / (n as f64).sqrt();
        assert!((fit.p - p).abs() < 5.0 * se, "{}", fit.p);
        let at = |p: f64| Geometric::new(p).unwrap().sum_ln_pdf(&xs);
        for h in [1e-3, -1e-3, 0.05, -0.05] {
            assert!(at(fit.p) >= at(fit.p * (1.0 + h)), "h = {h}");
        }
        assert_eq!(Geometric::fit(&[1.0, 1.0]).unwrap().p, 1.0);
    }

    #[test]
    fn fit_reports_the_textbook_standard_error() {
        let d = geometric(0.4);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        let xs: Vec<f64> = (0..50_000).map(|_| d.sample(&mut rng)).collect();
        let r = fit::fit(FamilyDef::find("geometric").unwrap(), &xs).unwrap();
        let p = r.params["p"].as_f64().unwrap();
        let se = r.stderr.unwrap()["p"].as_f64().unwrap();
        let expected = p * (1.0 - p).sqrt() / (xs.len() as f64).sqrt();
        assert!((se / expected - 1.0).abs() < 1e-14, "{se} vs {expected}");
    }

    #[test]
    fn fit_refuses_data_that_are_not_trial_counts() {
        for (xs, why) in [
            (vec![], "no observations"),
            (
                vec![1.0, 0.0],
                "observation 2 is 0, not a whole number >= 1",
            ),
            (vec![2.5], "observation 1 is 2.5"),
            (vec![-3.0], "observation 1 is -3"),
            (vec![f64::INFINITY], "observation 1 is inf"),
        ] {
            let e = Geometric::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn entropy_agrees_with_summation_of_the_definition() {
        for p in [0.001, 0.2, 0.5, 0.9, 1.0 - 1e-9, 1.0] {
            let d = geometric(p);
            let closed = kl::entropy(&d).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                relatively_close(closed.value, numeric.value, 1e-10),
                "{p}: {} vs {}",
                closed.value,
                numeric.value
            );
        }
        assert_eq!(kl::entropy(&geometric(1.0)).unwrap().value, 0.0);
        // H(1/2) = 2 ln 2: two bits.
        let h = kl::entropy(&geometric(0.5)).unwrap().value;
        assert!((h - 2.0 * 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn kl_closed_form_agrees_with_summation_of_the_definition() {
        for (a, b) in [
            (0.3, 0.6),
            (0.6, 0.3),
            (0.01, 0.5),
            (0.9, 0.05),
            (1.0, 0.4),
            (0.001, 0.002),
        ] {
            let (p, q) = (geometric(a), geometric(b));
            let closed = kl::kl(&p, &q).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::kl_by_definition(&p, &q).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                relatively_close(closed.value, numeric.value, 1e-10),
                "{a}, {b}: {} vs {}",
                closed.value,
                numeric.value
            );
        }
        // The formula as torch writes it, at a point far from p = q.
        let (a, b): (f64, f64) = (0.2, 0.7);
        let torch = -coin_entropy(a) / a - (-b).ln_1p() / a - (b / (1.0 - b)).ln();
        let v = kl::kl(&geometric(a), &geometric(b)).unwrap().value;
        assert!(relatively_close(v, torch, 1e-14), "{v} vs {torch}");
        assert_eq!(kl::kl(&geometric(0.4), &geometric(0.4)).unwrap().value, 0.0);
        let v = kl::kl(&geometric(0.4), &geometric(1.0)).unwrap();
        assert_eq!((v.value, v.method), (f64::INFINITY, Method::ClosedForm));
    }
}
