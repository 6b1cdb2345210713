//! The normal family, `normal(mean, std)`.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{Family, FitError, Information, LN_SQRT_2PI, Univariate};
use crate::numeric::{sum, wide};

/// The normal distribution with mean `mean` and standard deviation `std`.
#[derive(Debug, Clone, PartialEq)]
pub struct Normal {
    mean: f64,
    std: f64,
    inv_std: f64,
    /// `ln std + ln √(2π)`: the part of `-ln p(x)` that does not depend on x.
    ln_norm: f64,
}

impl Normal {
    /// A normal distribution.
    ///
    /// # Errors
    /// When `mean` is not finite or `std` is not a finite number > 0.
    pub fn new(mean: f64, std: f64) -> Result<Self, ParamError> {
        let mean = Constraint::Real.check("mean", mean)?;
        let std = Constraint::Positive.check("std", std)?;
        Ok(Self {
            mean,
            std,
            inv_std: 1.0 / std,
            ln_norm: std.ln() + LN_SQRT_2PI,
        })
    }

    /// The standard normal, N(0, 1).
    pub fn standard() -> Self {
        Self {
            mean: 0.0,
            std: 1.0,
            inv_std: 1.0,
            ln_norm: LN_SQRT_2PI,
        }
    }

    /// The standard deviation.
    pub fn std(&self) -> f64 {
        self.std
    }

    /// `mean + std * eps`: the draw that a standard-normal `eps` maps to.
    #[inline]
    pub fn from_standard(&self, eps: f64) -> f64 {
        self.mean + self.std * eps
    }
}

impl Normal {
    /// [`Univariate::sum_ln_pdf`] of each of `models` at `xs`, the same
    /// bits as one call per model, in one pass over `xs` a cache-sized
    /// block at a time.
    pub fn sum_ln_pdf_each(models: &[&Normal], xs: &[f64]) -> Vec<f64> {
        let params: Vec<(f64, f64)> = models.iter().map(|m| (m.mean, m.inv_std)).collect();
        let squares = wide::run(
            #[inline(always)]
            || {
                sum::lanes_each(
                    xs,
                    params.len(),
                    #[inline(always)]
                    |k, x| {
                        let (m, s) = params[k];
                        let z = (x - m) * s;
                        z * z
                    },
                )
            },
        );
        squares
            .iter()
            .zip(models)
            .map(|(squares, m)| -0.5 * squares - xs.len() as f64 * m.ln_norm)
            .collect()
    }
}

impl Univariate for Normal {
    #[inline]
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mean) * self.inv_std;
        -0.5 * z * z - self.ln_norm
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let eps: f64 = StandardNormal.sample(rng);
        self.from_standard(eps)
    }

    fn mean(&self) -> f64 {
        self.mean
    }

    fn variance(&self) -> f64 {
        self.std * self.std
    }

    fn entropy(&self) -> Option<f64> {
        Some(0.5 + LN_SQRT_2PI + self.std.ln())
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    fn tail(&self) -> super::Tail {
        super::Tail::Gaussian
    }

    fn landmark(&self) -> (f64, f64) {
        (self.mean, self.std)
    }

    /// Compiled for the widest vector unit (the same bits on any).
    fn sum_ln_pdf(&self, xs: &[f64]) -> f64 {
        let (m, k) = (self.mean, self.inv_std);
        let squares = wide::run(
            #[inline(always)]
            || {
                sum::lanes(
                    xs,
                    #[inline(always)]
                    |x| {
                        let z = (x - m) * k;
                        z * z
                    },
                )
            },
        );
        -0.5 * squares - xs.len() as f64 * self.ln_norm
    }
}

impl Family for Normal {
    const NAME: &'static str = "normal";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("mean", Constraint::Real),
        ParamDef::scalar("std", Constraint::Positive),
    ];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [mean, std] = param::scalars(Self::PARAMS, values)?;
        Self::new(mean, std)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![ParamValue::Scalar(self.mean), ParamValue::Scalar(self.std)]
    }

    /// Sample mean and the biased (divisor `n`) standard deviation.
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_data(Self::NAME, xs)?;
        if xs.len() < 2 {
            return Err(FitError::degenerate(
                Self::NAME,
                "needs at least 2 observations",
            ));
        }
        let (mean, std) = sum::mean_std(xs, 0);
        if std <= 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                "the data are constant, so std = 0",
            ));
        }
        Self::new(mean, std).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// `I(μ, σ) = diag(1/σ², 2/σ²)`, so the bounds are σ and σ/√2.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        Some(vec![self.std, self.std / std::f64::consts::SQRT_2])
    }
}

/// `ln(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²) / (2σ_q²) − 1/2`, computed as
/// `½(u − ln(1 + u)) + ½((μ_p − μ_q)/σ_q)²` with `u = σ_p²/σ_q² − 1` taken
/// from the exact difference `σ_p − σ_q`: two non-negative terms, so
/// nearby normals keep their digits.
pub fn kl_normal_normal(p: &Normal, q: &Normal) -> f64 {
    let d = (p.mean() - q.mean()) / q.std();
    0.5 * crate::numeric::special::squared_ratio_minus_ln(q.std(), p.std()) + 0.5 * d * d
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn log_likelihoods_of_many_models_have_the_bits_of_one_at_a_time() {
        use crate::dist::{Dist, Laplace};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut xs = vec![0.0; 10_007];
        Normal::new(0.3, 2.0).unwrap().sample_into(&mut rng, &mut xs);
        let normals: Vec<Dist> = (0..19)
            .map(|k| Dist::Normal(Normal::new(f64::from(k) * 0.4 - 4.0, 0.2 + 0.3 * f64::from(k)).unwrap()))
            .collect();
        let mut mixed = normals.clone();
        mixed.push(Dist::Laplace(Laplace::new(0.0, 1.0).unwrap()));
        for models in [&normals[..], &normals[..1], &mixed[..], &[]] {
            let together = Dist::sum_ln_pdf_each(models, &xs);
            assert_eq!(together.len(), models.len());
            for (m, sum) in models.iter().zip(&together) {
                assert_eq!(sum.to_bits(), m.sum_ln_pdf(&xs).to_bits(), "{}", m.label());
            }
        }
    }

    #[test]
    fn density_matches_the_formula() {
        let d = Normal::new(1.0, 2.0).unwrap();
        let x: f64 = 2.3;
        let expected =
            (-(x - 1.0).powi(2) / 8.0).exp() / (2.0 * (2.0 * std::f64::consts::PI).sqrt());
        assert!((d.ln_pdf(x) - expected.ln()).abs() < 1e-15);
    }

    #[test]
    fn batched_log_density_equals_pointwise_sum() {
        let d = Normal::new(-0.5, 1.7).unwrap();
        let xs: Vec<f64> = (0..1001).map(|i| (i as f64 - 500.0) / 97.0).collect();
        let pointwise: f64 = xs.iter().map(|&x| d.ln_pdf(x)).sum();
        let batched = d.sum_ln_pdf(&xs);
        assert!((batched - pointwise).abs() < 1e-10 * pointwise.abs());
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        assert_eq!(Normal::new(0.0, 0.0).unwrap_err().param, "std");
        assert_eq!(Normal::new(0.0, -1.0).unwrap_err().param, "std");
        assert_eq!(Normal::new(f64::NAN, 1.0).unwrap_err().param, "mean");
        assert_eq!(Normal::new(0.0, f64::INFINITY).unwrap_err().param, "std");
    }

    #[test]
    fn fit_recovers_parameters_and_refuses_degenerate_data() {
        let d = Normal::new(1.5, 2.0).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
        let xs: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        let fit = Normal::fit(&xs).unwrap();
        // Standard errors are 2/√n ≈ 0.0045 and 2/√(2n) ≈ 0.0032: 5 SE bounds.
        assert!((fit.mean - 1.5).abs() < 0.023);
        assert!((fit.std - 2.0).abs() < 0.016);
        assert!(Normal::fit(&[3.0, 3.0, 3.0]).is_err());
        assert!(Normal::fit(&[1.0]).is_err());
        assert!(Normal::fit(&[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn draws_have_the_right_moments_and_are_pinned() {
        let d = Normal::new(1.5, 2.0).unwrap();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let first: Vec<f64> = (0..3).map(|_| d.sample(&mut rng)).collect();
        // A dependency bump that changes streams must fail here.
        assert_eq!(first, PINNED);
        let n = 1_000_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let (mean, sd) = crate::numeric::sum::mean_std(&xs, 1);
        // SE(mean) = σ/√n; SE(var) = √((μ4 − σ⁴)/n) = σ²√(2/n).
        assert!((mean - 1.5).abs() < 5.0 * 2.0 / (n as f64).sqrt());
        assert!((sd * sd - 4.0).abs() < 5.0 * 4.0 * (2.0 / n as f64).sqrt());
    }
    const PINNED: [f64; 3] = [3.1687950936875917, 0.4700741437054099, 4.3154551462395006];

    #[test]
    fn entropy_is_half_log_of_two_pi_e_variance() {
        let d = Normal::new(0.0, 3.0).unwrap();
        let expected = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 9.0).ln();
        assert!((d.entropy().unwrap() - expected).abs() < 1e-14);
    }
}
