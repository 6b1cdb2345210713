//! The multivariate normal, `mvnormal(mean, cov)`, with a full covariance
//! matrix.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::LN_SQRT_2PI;
use super::param::{ParamDef, ParamError, ParamKind, ParamValue};
use crate::numeric::linalg::{Cholesky, symmetric_eigenvalues};
use crate::numeric::special::x_minus_ln1p;

/// `N(mean, cov)` in `d` dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct MvNormal {
    mean: Vec<f64>,
    cov: Vec<Vec<f64>>,
    chol: Cholesky,
}

impl MvNormal {
    /// The name users write.
    pub const NAME: &'static str = "mvnormal";
    /// The parameters.
    pub const PARAMS: &'static [ParamDef] = &[
        ParamDef {
            name: "mean",
            kind: ParamKind::Vector,
        },
        ParamDef {
            name: "cov",
            kind: ParamKind::Matrix,
        },
    ];

    /// A multivariate normal.
    ///
    /// # Errors
    /// When `mean` holds a non-finite value, or `cov` is not a symmetric
    /// positive-definite matrix of the same dimension.
    pub fn new(mean: Vec<f64>, cov: Vec<Vec<f64>>) -> Result<Self, ParamError> {
        if mean.is_empty() {
            return Err(ParamError::new("mean", "must not be empty"));
        }
        if let Some(x) = mean.iter().find(|x| !x.is_finite()) {
            return Err(ParamError::new(
                "mean",
                format!("must hold finite numbers, got {x}"),
            ));
        }
        if cov.len() != mean.len() {
            return Err(ParamError::new(
                "cov",
                format!(
                    "must be {0} × {0} to match mean, got {1} rows",
                    mean.len(),
                    cov.len()
                ),
            ));
        }
        let chol = Cholesky::new(&cov).map_err(|e| ParamError::new("cov", e.to_string()))?;
        Ok(Self { mean, cov, chol })
    }

    /// Builds from values laid out as [`MvNormal::PARAMS`].
    ///
    /// # Errors
    /// A [`ParamError`] naming the first invalid parameter.
    pub fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        match values {
            [ParamValue::Vector(mean), ParamValue::Matrix(cov)] => {
                Self::new(mean.clone(), cov.clone())
            }
            _ => Err(ParamError::new(
                Self::NAME,
                "takes mean (a list of numbers) and cov (a list of rows)",
            )),
        }
    }

    /// The parameter values.
    pub fn params(&self) -> Vec<ParamValue> {
        vec![
            ParamValue::Vector(self.mean.clone()),
            ParamValue::Matrix(self.cov.clone()),
        ]
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The mean vector.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The covariance matrix.
    pub fn cov(&self) -> &[Vec<f64>] {
        &self.cov
    }

    /// The log-density at `x` (of length [`MvNormal::dim`]).
    pub fn ln_pdf(&self, x: &[f64]) -> f64 {
        let diff: Vec<f64> = x.iter().zip(&self.mean).map(|(a, m)| a - m).collect();
        let z = self.chol.forward(&diff);
        let q: f64 = z.iter().map(|v| v * v).sum();
        -0.5 * q - 0.5 * self.chol.ln_det() - self.dim() as f64 * LN_SQRT_2PI
    }

    /// One draw: `mean + L z` with `z` standard normal.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let z: Vec<f64> = (0..self.dim())
            .map(|_| StandardNormal.sample(rng))
            .collect();
        self.chol
            .mul_factor(&z)
            .iter()
            .zip(&self.mean)
            .map(|(v, m)| v + m)
            .collect()
    }

    /// `H = d/2 (1 + ln 2π) + ½ ln det Σ`.
    pub fn entropy(&self) -> f64 {
        self.dim() as f64 * (0.5 + LN_SQRT_2PI) + 0.5 * self.chol.ln_det()
    }

    /// `KL(self ‖ q) = ½ [tr(Σq⁻¹ Σp) + (μq − μp)ᵀ Σq⁻¹ (μq − μp) − d + ln det Σq − ln det Σp]`.
    ///
    /// # Errors
    /// When the dimensions differ.
    pub fn kl(&self, q: &MvNormal) -> Result<f64, ParamError> {
        if self.dim() != q.dim() {
            return Err(ParamError::new(
                "mean",
                format!("dimensions differ: {} and {}", self.dim(), q.dim()),
            ));
        }
        let diff: Vec<f64> = q.mean.iter().zip(&self.mean).map(|(a, b)| a - b).collect();
        let z = q.chol.forward(&diff);
        let mahalanobis: f64 = z.iter().map(|v| v * v).sum();
        // tr(Σq⁻¹Σp) − d − ln det(Σq⁻¹Σp) = Σ (δᵢ − ln(1 + δᵢ)) over the
        // eigenvalues δᵢ of L⁻¹(Σp − Σq)L⁻ᵀ (Σq = LLᵀ): non-negative terms
        // from the exact difference of the covariances, so nearly equal
        // ones keep their digits and equal ones give exactly 0.
        let delta: Vec<Vec<f64>> = self
            .cov
            .iter()
            .zip(&q.cov)
            .map(|(p, q)| p.iter().zip(q).map(|(a, b)| a - b).collect())
            .collect();
        let half: Vec<Vec<f64>> = delta.iter().map(|col| q.chol.forward(col)).collect();
        let dim = self.dim();
        let columns: Vec<Vec<f64>> = (0..dim)
            .map(|i| {
                q.chol
                    .forward(&half.iter().map(|c| c[i]).collect::<Vec<_>>())
            })
            .collect();
        let whitened: Vec<Vec<f64>> = (0..dim)
            .map(|i| {
                (0..dim)
                    .map(|j| 0.5 * (columns[i][j] + columns[j][i]))
                    .collect()
            })
            .collect();
        let spread: f64 = symmetric_eigenvalues(&whitened)
            .into_iter()
            .map(x_minus_ln1p)
            .sum();
        Ok(0.5 * (spread + mahalanobis))
    }

    /// `mvnormal(mean=[...], cov=[[...], ...])`.
    pub fn label(&self) -> String {
        let row = |r: &[f64]| {
            let parts: Vec<String> = r.iter().map(|x| super::number_label(*x)).collect();
            format!("[{}]", parts.join(", "))
        };
        let rows: Vec<String> = self.cov.iter().map(|r| row(r)).collect();
        format!(
            "mvnormal(mean={}, cov=[{}])",
            row(&self.mean),
            rows.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::{Normal, Univariate};
    use rand::SeedableRng;

    #[test]
    #[allow(clippy::excessive_precision)] // digits as mpmath printed them
    fn kl_keeps_its_digits_for_nearly_equal_covariances() {
        // mpmath at 50 digits from the textbook formula, on the same
        // binary inputs.
        let mv = |m: Vec<f64>, c: Vec<Vec<f64>>| MvNormal::new(m, c).unwrap();
        let cases = [
            (
                mv(vec![1.0], vec![vec![1.0]]),
                mv(vec![1.000001], vec![vec![1.0]]),
                4.999_999_999_177_333_620_6e-13,
            ),
            (
                mv(vec![0.0, 0.0], vec![vec![1.0, 0.5], vec![0.5, 2.0]]),
                mv(vec![0.0, 0.0], vec![vec![1.0, 0.5], vec![0.5, 2.000002]]),
                3.265_301_146_213_559_092_1e-13,
            ),
            (
                mv(
                    vec![0.0; 3],
                    vec![
                        vec![1.0, 0.2, 0.1],
                        vec![0.2, 1.0, 0.3],
                        vec![0.1, 0.3, 1.0],
                    ],
                ),
                mv(
                    vec![0.0; 3],
                    vec![
                        vec![1.0, 0.2, 0.1],
                        vec![0.2, 1.000001, 0.3],
                        vec![0.1, 0.3, 1.0],
                    ],
                ),
                3.222_380_127_024_705_840_4e-13,
            ),
            (
                mv(
                    vec![1.0, 2.0, 0.0],
                    vec![
                        vec![2.0, 0.3, 0.0],
                        vec![0.3, 0.7, 0.1],
                        vec![0.0, 0.1, 1.0],
                    ],
                ),
                mv(
                    vec![1.5, 2.0, -1.0],
                    vec![
                        vec![1.0, 0.0, 0.2],
                        vec![0.0, 1.0, 0.0],
                        vec![0.2, 0.0, 3.0],
                    ],
                ),
                0.777_097_849_305_518_467_09,
            ),
        ];
        for (p, q, reference) in cases {
            let kl = p.kl(&q).unwrap();
            assert!(
                ((kl - reference) / reference).abs() < 1e-12,
                "{kl} vs {reference}"
            );
            assert_eq!(p.kl(&p).unwrap(), 0.0);
        }
    }

    fn two_d() -> MvNormal {
        MvNormal::new(vec![1.0, -2.0], vec![vec![2.0, 0.6], vec![0.6, 1.0]]).unwrap()
    }

    #[test]
    fn density_of_a_diagonal_normal_is_the_product_of_its_margins() {
        let d = MvNormal::new(vec![0.5, -1.0], vec![vec![4.0, 0.0], vec![0.0, 0.25]]).unwrap();
        let (a, b) = (
            Normal::new(0.5, 2.0).unwrap(),
            Normal::new(-1.0, 0.5).unwrap(),
        );
        for x in [[0.0, 0.0], [1.3, -0.7], [-3.0, 2.0]] {
            assert!((d.ln_pdf(&x) - a.ln_pdf(x[0]) - b.ln_pdf(x[1])).abs() < 1e-13);
        }
        assert!((d.entropy() - a.entropy().unwrap() - b.entropy().unwrap()).abs() < 1e-14);
    }

    #[test]
    fn kl_reduces_to_the_univariate_formula_in_one_dimension() {
        let p = MvNormal::new(vec![0.0], vec![vec![1.0]]).unwrap();
        let q = MvNormal::new(vec![1.0], vec![vec![4.0]]).unwrap();
        let expected = 2f64.ln() + 0.25 - 0.5;
        assert!((p.kl(&q).unwrap() - expected).abs() < 1e-15);
        assert!(two_d().kl(&two_d()).unwrap().abs() < 1e-15);
    }

    #[test]
    fn samples_have_the_right_mean_and_covariance() {
        let d = two_d();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let n = 200_000;
        let xs: Vec<Vec<f64>> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m0 = xs.iter().map(|x| x[0]).sum::<f64>() / n as f64;
        let m1 = xs.iter().map(|x| x[1]).sum::<f64>() / n as f64;
        let c01 = xs.iter().map(|x| (x[0] - m0) * (x[1] - m1)).sum::<f64>() / n as f64;
        // Standard errors: √(2/n) ≈ 0.0032 for m0, √(1/n) for m1, ~0.004 for c01.
        assert!((m0 - 1.0).abs() < 0.016);
        assert!((m1 + 2.0).abs() < 0.012);
        assert!((c01 - 0.6).abs() < 0.02);
    }

    #[test]
    fn bad_parameters_name_the_parameter() {
        assert_eq!(
            MvNormal::new(vec![0.0, 0.0], vec![vec![1.0, 2.0], vec![2.0, 1.0]])
                .unwrap_err()
                .param,
            "cov"
        );
        assert_eq!(
            MvNormal::new(vec![0.0], vec![vec![1.0, 0.0], vec![0.0, 1.0]])
                .unwrap_err()
                .param,
            "cov"
        );
        assert_eq!(
            MvNormal::new(vec![f64::NAN], vec![vec![1.0]])
                .unwrap_err()
                .param,
            "mean"
        );
        assert_eq!(MvNormal::new(vec![], vec![]).unwrap_err().param, "mean");
    }
}
