//! The Bernoulli family, `bernoulli(p)`: one trial that succeeds (1) with
//! probability `p` and fails (0) otherwise.

use rand::Rng;
use rand_distr::Distribution;

use super::discrete::{self, bd0, bd0_diff, x_ln_x};
use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::poisson::Poisson;
use super::{Family, FitError, Information, Univariate};
use crate::numeric::sum;

/// The Bernoulli distribution with success probability `p`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bernoulli {
    p: f64,
    sampler: rand_distr::Bernoulli,
}

impl Bernoulli {
    /// A Bernoulli distribution.
    ///
    /// # Errors
    /// When `p` is not in [0, 1].
    pub fn new(p: f64) -> Result<Self, ParamError> {
        let p = Constraint::Probability.check("p", p)?;
        let sampler =
            rand_distr::Bernoulli::new(p).map_err(|e| ParamError::new("p", e.to_string()))?;
        Ok(Self { p, sampler })
    }

    /// The success probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

/// The entropy of one trial with success probability `p`,
/// `−p ln p − (1 − p) ln(1 − p)`, with `0 ln 0 = 0`.
pub(crate) fn coin_entropy(p: f64) -> f64 {
    let failure = if p == 1.0 {
        0.0
    } else {
        (1.0 - p) * (-p).ln_1p()
    };
    -x_ln_x(p) - failure
}

/// `KL` between single trials with success probabilities `p` and `q`:
/// `p ln(p/q) + (1−p) ln((1−p)/(1−q)) = bd0(p, q) + bd0(1−p, 1−q)`, since the
/// `q − p` and `p − q` that `bd0` adds cancel. Both terms are `≥ 0`, so
/// nothing cancels when `p ≈ q`. The failure probabilities `1 − p` and
/// `1 − q` are rounded, but their difference is passed exactly as `q − p`.
pub(crate) fn coin_kl(p: f64, q: f64) -> f64 {
    bd0(p, q) + bd0_diff(1.0 - p, 1.0 - q, q - p)
}

impl Univariate for Bernoulli {
    fn ln_pdf(&self, x: f64) -> f64 {
        if x == 1.0 {
            self.p.ln()
        } else if x == 0.0 {
            (-self.p).ln_1p()
        } else {
            f64::NEG_INFINITY
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.sampler.sample(rng) { 1.0 } else { 0.0 }
    }

    fn mean(&self) -> f64 {
        self.p
    }

    fn variance(&self) -> f64 {
        self.p * (1.0 - self.p)
    }

    fn entropy(&self) -> Option<f64> {
        Some(coin_entropy(self.p))
    }

    /// `{1}` when `p = 1`, `{0}` when `p = 0`.
    fn support(&self) -> (f64, f64) {
        let lo = if self.p == 1.0 { 1.0 } else { 0.0 };
        let hi = if self.p == 0.0 { 0.0 } else { 1.0 };
        (lo, hi)
    }

    fn is_discrete(&self) -> bool {
        true
    }
}

impl Family for Bernoulli {
    const NAME: &'static str = "bernoulli";
    const PARAMS: &'static [ParamDef] = &[ParamDef::scalar("p", Constraint::Probability)];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [p] = param::scalars(Self::PARAMS, values)?;
        Self::new(p)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Scalar(self.p)]
    }

    /// The proportion of ones. All zeros or all ones give `p = 0` or `1`,
    /// which are maximum-likelihood estimates like any other (but have no
    /// standard error).
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        discrete::check_whole(Self::NAME, xs, 0.0, 1.0, "0 or 1")?;
        Self::new(sum::mean(xs)).map_err(|e| FitError::Degenerate {
            family: Self::NAME,
            reason: e.to_string(),
        })
    }

    /// `I(p) = 1/(p(1 − p))`.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![(self.p * (1.0 - self.p)).sqrt()])
    }
}

/// `KL(p ‖ q) = p ln(p/q) + (1−p) ln((1−p)/(1−q))`, as in torch.distributions'
/// `_kl_bernoulli_bernoulli`, computed as `bd0(p, q) + bd0(1−p, 1−q)`.
pub fn kl_bernoulli_bernoulli(p: &Bernoulli, q: &Bernoulli) -> f64 {
    coin_kl(p.p, q.p)
}

/// `KL(Bernoulli(p) ‖ Poisson(λ)) = (1−p) ln((1−p)/e^{−λ}) + p ln(p/(λe^{−λ}))
/// = −H(p) − p ln λ + λ`, torch.distributions' `_kl_bernoulli_poisson`.
/// Written as `bd0(p, λ) + bd0(1−p, 1)`: both `≥ 0`, so no cancellation
/// when `p` and `λ` are both small.
pub fn kl_bernoulli_poisson(p: &Bernoulli, q: &Poisson) -> f64 {
    bd0(p.p, q.rate()) + bd0(1.0 - p.p, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Dist, FamilyDef};
    use crate::stats::fit;
    use crate::stats::kl::{self, Method};
    use rand::SeedableRng;

    fn bernoulli(p: f64) -> Dist {
        Dist::Bernoulli(Bernoulli::new(p).unwrap())
    }

    #[test]
    fn mass_is_p_at_one_and_one_minus_p_at_zero() {
        for p in [0.0, 1e-12, 0.3, 0.5, 0.999, 1.0] {
            let d = Bernoulli::new(p).unwrap();
            assert!((d.ln_pdf(1.0).exp() - p).abs() <= 1e-14 * p);
            assert!((d.ln_pdf(0.0).exp() - (1.0 - p)).abs() <= 4.0 * f64::EPSILON);
            for x in [-1.0, 0.5, 2.0, f64::NAN] {
                assert_eq!(d.ln_pdf(x), f64::NEG_INFINITY, "p {p}, x {x}");
            }
        }
        // ln(1 − p) keeps its digits for tiny p.
        let d = Bernoulli::new(1e-12).unwrap();
        assert!((d.ln_pdf(0.0) - (-1e-12 - 0.5e-24)).abs() < 1e-30);
    }

    #[test]
    fn supports_leave_out_values_without_mass() {
        assert_eq!(Bernoulli::new(0.0).unwrap().support(), (0.0, 0.0));
        assert_eq!(Bernoulli::new(1.0).unwrap().support(), (1.0, 1.0));
        assert_eq!(Bernoulli::new(0.4).unwrap().support(), (0.0, 1.0));
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for p in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
            assert_eq!(Bernoulli::new(p).unwrap_err().param, "p", "{p}");
        }
    }

    #[test]
    fn draws_have_the_right_mean_and_variance() {
        let p = 0.3;
        let d = Bernoulli::new(p).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let n = 1_000_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        assert!(xs.iter().all(|&x| x == 0.0 || x == 1.0));
        let (mean, sd) = sum::mean_std(&xs, 1);
        let nf = n as f64;
        let var = p * (1.0 - p);
        // μ4 = p(1 − p)(1 − 3p + 3p²).
        let mu4 = var * (1.0 - 3.0 * p + 3.0 * p * p);
        assert!((mean - p).abs() < 5.0 * (var / nf).sqrt(), "{mean}");
        assert!(
            (sd * sd - var).abs() < 5.0 * ((mu4 - var * var) / nf).sqrt(),
            "{}",
            sd * sd
        );
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        for p in [0.0, 1.0] {
            let d = Bernoulli::new(p).unwrap();
            assert!((0..1000).all(|_| d.sample(&mut rng) == p));
        }
    }

    #[test]
    fn draws_are_pinned_for_a_fixed_seed() {
        // A dependency bump that changes the streams must fail this test.
        let d = Bernoulli::new(0.3).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let draws = [d.sample(&mut rng), d.sample(&mut rng), d.sample(&mut rng)];
        assert_eq!(draws, [0.0, 0.0, 0.0]);
    }

    #[test]
    fn fit_recovers_p_and_maximises_the_likelihood() {
        let p = 0.27;
        let d = Bernoulli::new(p).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(8);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let fit = Bernoulli::fit(&xs).unwrap();
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((fit.p - p).abs() < 5.0 * se, "{}", fit.p);
        let at = |p: f64| Bernoulli::new(p).unwrap().sum_ln_pdf(&xs);
        for h in [1e-3, -1e-3, 0.05, -0.05] {
            assert!(at(fit.p) >= at(fit.p * (1.0 + h)), "h = {h}");
        }
        assert_eq!(Bernoulli::fit(&[0.0, 0.0]).unwrap().p, 0.0);
        assert_eq!(Bernoulli::fit(&[1.0, 1.0]).unwrap().p, 1.0);
    }

    #[test]
    fn fit_reports_the_textbook_standard_error() {
        let d = bernoulli(0.6);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        let xs: Vec<f64> = (0..50_000).map(|_| d.sample(&mut rng)).collect();
        let r = fit::fit(FamilyDef::find("bernoulli").unwrap(), &xs).unwrap();
        let p = r.params["p"].as_f64().unwrap();
        let se = r.stderr.unwrap()["p"].as_f64().unwrap();
        let expected = (p * (1.0 - p) / xs.len() as f64).sqrt();
        assert!((se / expected - 1.0).abs() < 1e-14, "{se} vs {expected}");
        // At p̂ = 0 the likelihood is not smooth on both sides: no error bar.
        let r = fit::fit(FamilyDef::find("bernoulli").unwrap(), &[0.0; 10]).unwrap();
        assert!(r.stderr.is_none());
    }

    #[test]
    fn fit_refuses_values_other_than_zero_and_one() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![0.0, 2.0], "observation 2 is 2, not 0 or 1"),
            (vec![0.5], "observation 1 is 0.5"),
            (vec![-1.0], "observation 1 is -1"),
            (vec![f64::NAN], "observation 1 is NaN"),
        ] {
            let e = Bernoulli::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn entropy_agrees_with_summation_of_the_definition() {
        for p in [1e-9, 0.01, 0.3, 0.5, 0.9, 1.0 - 1e-9] {
            let d = bernoulli(p);
            let closed = kl::entropy(&d).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                (closed.value - numeric.value).abs() < 1e-10 * closed.value,
                "{p}: {} vs {}",
                closed.value,
                numeric.value
            );
        }
        assert_eq!(coin_entropy(0.0), 0.0);
        assert_eq!(coin_entropy(1.0), 0.0);
        assert!((coin_entropy(0.5) - 2f64.ln()).abs() < 1e-16);
    }

    #[test]
    fn kl_closed_forms_agree_with_summation_of_the_definition() {
        let pairs = [
            (bernoulli(0.3), bernoulli(0.6)),
            (bernoulli(0.6), bernoulli(0.3)),
            (bernoulli(1e-6), bernoulli(0.5)),
            (bernoulli(0.999), bernoulli(0.01)),
            (bernoulli(1.0), bernoulli(0.2)),
            (bernoulli(0.0), bernoulli(0.7)),
            (bernoulli(0.3), Dist::Poisson(Poisson::new(0.7).unwrap())),
            (bernoulli(0.9), Dist::Poisson(Poisson::new(12.0).unwrap())),
            (bernoulli(1e-6), Dist::Poisson(Poisson::new(1e-5).unwrap())),
            (bernoulli(1.0), Dist::Poisson(Poisson::new(1.0).unwrap())),
            (bernoulli(0.0), Dist::Poisson(Poisson::new(2.5).unwrap())),
        ];
        for (p, q) in &pairs {
            let closed = kl::kl(p, q).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::kl_by_definition(p, q).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                (closed.value - numeric.value).abs() < 1e-10 * closed.value,
                "{} ‖ {}: {} vs {}",
                p.label(),
                q.label(),
                closed.value,
                numeric.value
            );
        }
        // torch.distributions.kl_divergence(Bernoulli(0.3), Poisson(0.7)).
        let torch = kl::kl(&pairs[6].0, &pairs[6].1).unwrap().value;
        assert!((torch - 0.196_138_181_126_726_2).abs() < 1e-15);
        for p in [0.0, 0.4, 1.0] {
            assert_eq!(kl::kl(&bernoulli(p), &bernoulli(p)).unwrap().value, 0.0);
        }
    }

    #[test]
    fn kl_is_infinite_where_q_has_no_mass() {
        for (p, q) in [(0.5, 1.0), (0.5, 0.0), (1.0, 0.0), (0.0, 1.0)] {
            let v = kl::kl(&bernoulli(p), &bernoulli(q)).unwrap();
            assert_eq!(v.value, f64::INFINITY, "{p} ‖ {q}");
            assert_eq!(v.method, Method::ClosedForm);
        }
        let poisson = Dist::Poisson(Poisson::new(1.0).unwrap());
        assert_eq!(
            kl::kl(&poisson, &bernoulli(0.5)).unwrap().value,
            f64::INFINITY
        );
    }
}
