//! The categorical family, `categorical(probs)`: one draw among the
//! categories `0, 1, …, K − 1`, category `k` with probability `probs[k]`.

use rand::{Rng, RngExt};

use super::discrete::{self, bd0, is_whole, x_ln_x};
use super::param::{self, ParamDef, ParamError, ParamKind, ParamValue};
use super::{Family, FitError, Information, Univariate};
use crate::numeric::sum;

/// The most categories a fit creates (from the largest observation), so a
/// stray large value cannot make it allocate without bound.
pub(crate) const MAX_CATEGORIES: usize = 1_000_000;

/// The categorical distribution on `0, 1, …, K − 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    probs: Vec<f64>,
    ln_probs: Vec<f64>,
    /// Running sums of the probabilities, for sampling; `+inf` from the
    /// last category with mass on, so rounding cannot pick one after it.
    cumulative: Vec<f64>,
    /// The smallest and largest categories with mass.
    first: usize,
    last: usize,
}

impl Categorical {
    /// A categorical distribution. Probabilities that sum to 1 only within
    /// the tolerance of [`param::check_simplex`] are rescaled to sum to 1
    /// (those whose sum, accurately computed, rounds to 1 are kept as
    /// given).
    ///
    /// # Errors
    /// When `probs` is empty, holds a negative or non-finite value, or does
    /// not sum to 1.
    pub fn new(probs: Vec<f64>) -> Result<Self, ParamError> {
        param::check_simplex("probs", &probs)?;
        let total = sum::accurate(probs.iter().copied());
        let probs: Vec<f64> = if total == 1.0 {
            probs
        } else {
            probs.iter().map(|p| p / total).collect()
        };
        let mass = |p: &f64| *p > 0.0;
        let (Some(first), Some(last)) = (probs.iter().position(mass), probs.iter().rposition(mass))
        else {
            return Err(ParamError::new("probs", "must not all be 0"));
        };
        let mut cumulative: Vec<f64> = probs
            .iter()
            .scan(0.0, |acc, p| {
                *acc += p;
                Some(*acc)
            })
            .collect();
        cumulative[last..].fill(f64::INFINITY);
        Ok(Self {
            ln_probs: probs.iter().map(|p| p.ln()).collect(),
            probs,
            cumulative,
            first,
            last,
        })
    }

    /// The probabilities, category by category.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }
}

impl Univariate for Categorical {
    fn ln_pdf(&self, x: f64) -> f64 {
        if !(x >= 0.0 && is_whole(x)) {
            return f64::NEG_INFINITY;
        }
        // Values beyond usize saturate, and are out of range all the same.
        self.ln_probs
            .get(x as usize)
            .copied()
            .unwrap_or(f64::NEG_INFINITY)
    }

    /// Inverse distribution function: the first category whose running sum
    /// exceeds a uniform draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        self.cumulative.partition_point(|&c| c <= u) as f64
    }

    fn mean(&self) -> f64 {
        sum::accurate(self.probs.iter().enumerate().map(|(k, p)| k as f64 * p))
    }

    fn variance(&self) -> f64 {
        let m = self.mean();
        sum::accurate(
            self.probs
                .iter()
                .enumerate()
                .map(|(k, p)| (k as f64 - m).powi(2) * p),
        )
    }

    fn entropy(&self) -> Option<f64> {
        Some(-sum::accurate(self.probs.iter().map(|&p| x_ln_x(p))))
    }

    /// Leading and trailing categories of probability 0 are left out.
    fn support(&self) -> (f64, f64) {
        (self.first as f64, self.last as f64)
    }

    fn is_discrete(&self) -> bool {
        true
    }
}

impl Family for Categorical {
    const NAME: &'static str = "categorical";
    const PARAMS: &'static [ParamDef] = &[ParamDef {
        name: "probs",
        kind: ParamKind::Simplex,
    }];
    const HAS_FIT: bool = true;
    /// The parameter is a vector, so the observed information is not taken
    /// numerically: standard errors come from [`Family::cramer_rao`], which
    /// at the MLE equals it.
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        match values {
            [ParamValue::Vector(probs)] => Self::new(probs.clone()),
            [] => Err(ParamError::new("probs", "is missing")),
            [_] => Err(ParamError::new("probs", "must be a list of probabilities")),
            _ => Err(ParamError::new("?", "more values than parameters")),
        }
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Vector(self.probs.clone())]
    }

    /// Each category's share of the observations; the categories are
    /// `0, 1, …` up to the largest observation.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        let top = MAX_CATEGORIES - 1;
        discrete::check_whole(
            Self::NAME,
            xs,
            0.0,
            top as f64,
            &format!("a category (a whole number from 0 to {top})"),
        )?;
        let k = xs.iter().fold(0.0, |m: f64, &x| m.max(x)) as usize + 1;
        let mut counts = vec![0u64; k];
        for &x in xs {
            counts[x as usize] += 1;
        }
        let n = xs.len() as f64;
        Self::new(counts.iter().map(|&c| c as f64 / n).collect()).map_err(|e| {
            FitError::Degenerate {
                family: Self::NAME,
                reason: e.to_string(),
            }
        })
    }

    /// Each category's count is binomial: `sqrt(p_k (1 − p_k))` at `n = 1`,
    /// the diagonal of the multinomial covariance.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(self.probs.iter().map(|p| (p * (1.0 - p)).sqrt()).collect())
    }
}

/// `KL(p ‖ q) = Σ_k p_k ln(p_k/q_k)`, `+inf` where `q_k = 0 < p_k`, as in
/// torch.distributions' `_kl_categorical_categorical`. Computed as
/// `Σ_k bd0(p_k, q_k)`, which adds `Σ q_k − Σ p_k = 0` and keeps every term
/// `≥ 0`; a category beyond one vector's length has probability 0 there.
pub fn kl_categorical_categorical(p: &Categorical, q: &Categorical) -> f64 {
    let k = p.probs.len().max(q.probs.len());
    let at = |probs: &[f64], i: usize| probs.get(i).copied().unwrap_or(0.0);
    sum::accurate((0..k).map(|i| bd0(at(&p.probs, i), at(&q.probs, i))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::relatively_close;
    use crate::dist::{Dist, FamilyDef};
    use crate::stats::fit;
    use crate::stats::kl::{self, Method};
    use rand::SeedableRng;

    fn categorical(probs: &[f64]) -> Dist {
        Dist::Categorical(Categorical::new(probs.to_vec()).unwrap())
    }


    #[test]
    fn mass_is_the_probability_of_the_category() {
        let probs = [0.1, 0.0, 0.25, 0.65];
        let d = Categorical::new(probs.to_vec()).unwrap();
        for (k, p) in probs.iter().enumerate() {
            assert!((d.ln_pdf(k as f64).exp() - p).abs() <= 4.0 * f64::EPSILON * p);
        }
        for x in [-1.0, 0.5, 4.0, 1e30, f64::NAN, f64::INFINITY] {
            assert_eq!(d.ln_pdf(x), f64::NEG_INFINITY, "x = {x}");
        }
        let total = sum::accurate((0..4).map(|k| d.ln_pdf(f64::from(k)).exp()));
        assert!((total - 1.0).abs() < 1e-15);
        assert!(relatively_close(d.mean(), 0.5 + 1.95, 1e-15));
        let var = 0.1 * 2.45f64.powi(2) + 0.25 * 0.45f64.powi(2) + 0.65 * 0.55f64.powi(2);
        assert!(relatively_close(d.variance(), var, 1e-14));
    }

    #[test]
    fn probabilities_within_tolerance_of_one_are_rescaled() {
        let d = Categorical::new(vec![0.3, 0.3, 0.4 - 6e-10]).unwrap();
        assert!((sum::accurate(d.probs().iter().copied()) - 1.0).abs() < 1e-15);
        assert!(relatively_close(d.probs()[0], 0.3 / (1.0 - 6e-10), 1e-15));
        // Written decimals that sum to 1 are kept as written.
        let d = categorical(&[0.1, 0.2, 0.7]);
        assert_eq!(d.label(), "categorical(probs=[0.1, 0.2, 0.7])");
    }

    #[test]
    fn supports_leave_out_categories_without_mass() {
        let d = Categorical::new(vec![0.0, 0.5, 0.0, 0.5, 0.0, 0.0]).unwrap();
        assert_eq!(d.support(), (1.0, 3.0));
        assert_eq!(Categorical::new(vec![1.0]).unwrap().support(), (0.0, 0.0));
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for probs in [
            vec![],
            vec![0.5, 0.6],
            vec![-0.1, 1.1],
            vec![f64::NAN, 1.0],
            vec![0.0, 0.0],
        ] {
            assert_eq!(
                Categorical::new(probs.clone()).unwrap_err().param,
                "probs",
                "{probs:?}"
            );
        }
        for values in [vec![], vec![ParamValue::Scalar(1.0)]] {
            let e = Categorical::from_params(&values).unwrap_err();
            assert_eq!(e.param, "probs");
        }
    }

    #[test]
    fn draws_have_the_right_frequencies_mean_and_variance() {
        let probs = [0.0, 0.2, 0.05, 0.0, 0.45, 0.3, 0.0];
        let d = Categorical::new(probs.to_vec()).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let n = 1_000_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let nf = n as f64;
        for (k, p) in probs.iter().enumerate() {
            let freq = xs.iter().filter(|&&x| x == k as f64).count() as f64 / nf;
            if *p == 0.0 {
                assert_eq!(freq, 0.0, "category {k}");
            } else {
                assert!((freq - p).abs() < 5.0 * (p * (1.0 - p) / nf).sqrt(), "{k}");
            }
        }
        let (mean, sd) = sum::mean_std(&xs, 1);
        let (m, var) = (d.mean(), d.variance());
        let mu4: f64 = probs
            .iter()
            .enumerate()
            .map(|(k, p)| p * (k as f64 - m).powi(4))
            .sum();
        assert!((mean - m).abs() < 5.0 * (var / nf).sqrt(), "{mean}");
        let var_se = ((mu4 - var * var) / nf).sqrt();
        assert!((sd * sd - var).abs() < 5.0 * var_se, "{}", sd * sd);
    }

    #[test]
    fn draws_are_pinned_for_a_fixed_seed() {
        // A dependency bump that changes the streams must fail this test.
        let d = Categorical::new(vec![0.2, 0.5, 0.3]).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let draws = [d.sample(&mut rng), d.sample(&mut rng), d.sample(&mut rng)];
        assert_eq!(draws, [2.0, 1.0, 2.0]);
    }

    #[test]
    fn fit_recovers_probabilities_and_maximises_the_likelihood() {
        let probs = [0.1, 0.35, 0.0, 0.55];
        let d = Categorical::new(probs.to_vec()).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(10);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let fit = Categorical::fit(&xs).unwrap();
        assert_eq!(fit.probs.len(), 4);
        for (got, p) in fit.probs.iter().zip(probs) {
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((got - p).abs() <= 5.0 * se, "{got} vs {p}");
        }
        // Moving a little mass from any category to any other lowers the
        // likelihood.
        let at = |probs: &[f64]| Categorical::new(probs.to_vec()).unwrap().sum_ln_pdf(&xs);
        let best = at(&fit.probs);
        for i in 0..4 {
            for j in 0..4 {
                let mut moved = fit.probs.clone();
                let h = 1e-3 * moved[i];
                if i == j || h == 0.0 {
                    continue;
                }
                moved[i] -= h;
                moved[j] += h;
                assert!(best >= at(&moved), "{i} → {j}");
            }
        }
    }

    #[test]
    fn fit_reports_probabilities_and_standard_errors_as_lists() {
        let xs = [0.0, 2.0, 2.0, 1.0, 2.0, 0.0, 2.0, 2.0];
        let r = fit::fit(FamilyDef::find("categorical").unwrap(), &xs).unwrap();
        let probs: Vec<f64> = r.params["probs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(probs, [0.25, 0.125, 0.625]);
        let se: Vec<f64> = r.stderr.unwrap()["probs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let n = xs.len() as f64;
        let expected: Vec<f64> = probs.iter().map(|p| (p * (1.0 - p) / n).sqrt()).collect();
        assert_eq!(se, expected);
        let ll = (2.0 * 0.25f64.ln() + 0.125f64.ln() + 5.0 * 0.625f64.ln()) / n;
        assert!(relatively_close(r.avg_loglik, ll, 1e-15));
    }

    #[test]
    fn fit_refuses_values_that_are_not_categories() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![0.0, 1.5], "observation 2 is 1.5, not a category"),
            (vec![-1.0], "observation 1 is -1"),
            (vec![f64::NAN], "observation 1 is NaN"),
            (vec![1e7], "observation 1 is 10000000, not a category"),
        ] {
            let e = Categorical::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert_eq!(
            Categorical::fit(&[2.0, 2.0]).unwrap().probs,
            [0.0, 0.0, 1.0]
        );
    }

    #[test]
    fn entropy_agrees_with_summation_of_the_definition() {
        for probs in [
            vec![0.5, 0.5],
            vec![0.2, 0.0, 0.3, 0.5, 0.0],
            vec![1e-12, 1.0 - 1e-12],
            (1..=50).map(|k| f64::from(k) / 1275.0).collect(),
        ] {
            let d = categorical(&probs);
            let closed = kl::entropy(&d).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                relatively_close(closed.value, numeric.value, 1e-10),
                "{probs:?}: {} vs {}",
                closed.value,
                numeric.value
            );
        }
        assert_eq!(kl::entropy(&categorical(&[0.0, 1.0])).unwrap().value, 0.0);
    }

    #[test]
    fn kl_closed_form_agrees_with_summation_of_the_definition() {
        for (p, q) in [
            (vec![0.2, 0.3, 0.5], vec![0.5, 0.3, 0.2]),
            (vec![0.5, 0.3, 0.2], vec![0.2, 0.3, 0.5]),
            (vec![1e-9, 0.5, 0.5 - 1e-9], vec![0.9, 1e-6, 0.1 - 1e-6]),
            (vec![0.0, 1.0, 0.0], vec![0.1, 0.8, 0.1]),
            // Different lengths: a missing category has probability 0.
            (vec![0.4, 0.6], vec![0.3, 0.3, 0.4]),
            (vec![0.4, 0.6, 0.0, 0.0], vec![0.3, 0.7]),
        ] {
            let (p, q) = (categorical(&p), categorical(&q));
            let closed = kl::kl(&p, &q).unwrap();
            assert_eq!(closed.method, Method::ClosedForm);
            let numeric = kl::kl_by_definition(&p, &q).unwrap();
            assert_eq!(numeric.method, Method::Summation);
            assert!(
                relatively_close(closed.value, numeric.value, 1e-10),
                "{} ‖ {}: {} vs {}",
                p.label(),
                q.label(),
                closed.value,
                numeric.value
            );
        }
        let p = categorical(&[0.1, 0.0, 0.6, 0.3]);
        assert_eq!(kl::kl(&p, &p).unwrap().value, 0.0);
    }

    #[test]
    fn kl_is_infinite_where_q_has_no_mass_and_p_has() {
        for (p, q) in [
            (vec![0.5, 0.5], vec![1.0, 0.0]),
            (vec![0.3, 0.4, 0.3], vec![0.5, 0.0, 0.5]),
            (vec![0.3, 0.3, 0.4], vec![0.5, 0.5]),
        ] {
            let v = kl::kl(&categorical(&p), &categorical(&q)).unwrap();
            assert_eq!((v.value, v.method), (f64::INFINITY, Method::ClosedForm));
            let direct = kl_categorical_categorical(
                &Categorical::new(p.clone()).unwrap(),
                &Categorical::new(q.clone()).unwrap(),
            );
            assert_eq!(direct, f64::INFINITY, "{p:?} ‖ {q:?}");
        }
        // q = 0 where p = 0 too is no obstacle.
        let v = kl::kl(
            &categorical(&[0.0, 1.0, 0.0]),
            &categorical(&[0.0, 0.5, 0.5]),
        );
        assert!(relatively_close(v.unwrap().value, 2f64.ln(), 1e-15));
    }
}
