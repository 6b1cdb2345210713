//! Finite mixtures of one-dimensional families,
//! `mixture(weights, components)`.

use rand::{Rng, RngExt};

use super::param::{self, ParamDef, ParamError, ParamKind, ParamValue};
use super::{Dist, Family, Univariate};

/// `Σ_k w_k p_k(x)`: draw a component with probability `w_k`, then draw from
/// it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    weights: Vec<f64>,
    components: Vec<Dist>,
    /// `ln w_k`, with components of weight zero left out.
    active: Vec<(f64, usize)>,
    /// Running sums of the weights, for sampling.
    cumulative: Vec<f64>,
}

impl Mixture {
    /// A mixture of `components` with the given `weights`.
    ///
    /// # Errors
    /// When the weights are not a probability vector or do not match the
    /// components in number.
    pub fn new(weights: Vec<f64>, components: Vec<Dist>) -> Result<Self, ParamError> {
        param::check_weights("weights", &weights)?;
        if components.len() != weights.len() {
            return Err(ParamError::new(
                "components",
                format!(
                    "there are {} components but {} weights",
                    components.len(),
                    weights.len()
                ),
            ));
        }
        let active = weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0.0)
            .map(|(k, w)| (w.ln(), k))
            .collect();
        let mut cumulative: Vec<f64> = weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        // Rounding may leave the last running sum a hair below 1.
        if let Some(last) = cumulative.last_mut() {
            *last = f64::INFINITY;
        }
        Ok(Self {
            weights,
            components,
            active,
            cumulative,
        })
    }

    /// The weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The components.
    pub fn components(&self) -> &[Dist] {
        &self.components
    }
}

impl Univariate for Mixture {
    fn ln_pdf(&self, x: f64) -> f64 {
        // One-pass log-sum-exp: `top` is the largest term so far and `scaled`
        // is Σ exp(term - top), rescaled whenever a larger term arrives.
        let (mut top, mut scaled) = (f64::NEG_INFINITY, 0.0);
        for &(ln_w, k) in &self.active {
            let t = ln_w + self.components[k].ln_pdf(x);
            if t == f64::NEG_INFINITY {
                continue;
            }
            if t > top {
                scaled = scaled * (top - t).exp() + 1.0;
                top = t;
            } else {
                scaled += (t - top).exp();
            }
        }
        if top == f64::NEG_INFINITY {
            top
        } else {
            top + scaled.ln()
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        let k = self.cumulative.partition_point(|&c| c <= u);
        self.components[k].sample(rng)
    }

    fn mean(&self) -> f64 {
        self.weights
            .iter()
            .zip(&self.components)
            .map(|(w, c)| w * c.mean())
            .sum()
    }

    fn variance(&self) -> f64 {
        let m = self.mean();
        self.weights
            .iter()
            .zip(&self.components)
            .map(|(w, c)| w * (c.variance() + (c.mean() - m).powi(2)))
            .sum()
    }

    fn entropy(&self) -> Option<f64> {
        None
    }

    fn support(&self) -> (f64, f64) {
        self.active
            .iter()
            .map(|&(_, k)| self.components[k].support())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                (lo.min(a), hi.max(b))
            })
    }
}

impl Family for Mixture {
    const NAME: &'static str = "mixture";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef {
            name: "weights",
            kind: ParamKind::Weights,
        },
        ParamDef {
            name: "components",
            kind: ParamKind::Components,
        },
    ];

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        match values {
            [
                ParamValue::Vector(weights),
                ParamValue::Components(components),
            ] => Self::new(weights.clone(), components.clone()),
            _ => Err(ParamError::new(
                "mixture",
                "takes weights (a list of numbers) and components (a list of distributions)",
            )),
        }
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![
            ParamValue::Vector(self.weights.clone()),
            ParamValue::Components(self.components.clone()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Normal;
    use rand::SeedableRng;

    fn bimodal() -> Mixture {
        Mixture::new(
            vec![0.3, 0.7],
            vec![
                Dist::Normal(Normal::new(-2.0, 0.6).unwrap()),
                Dist::Normal(Normal::new(1.5, 1.0).unwrap()),
            ],
        )
        .unwrap()
    }

    #[test]
    fn density_is_the_weighted_sum_of_component_densities() {
        let m = bimodal();
        for x in [-4.0, -2.0, 0.0, 1.5, 3.0, 8.0] {
            let direct = 0.3 * Normal::new(-2.0, 0.6).unwrap().ln_pdf(x).exp()
                + 0.7 * Normal::new(1.5, 1.0).unwrap().ln_pdf(x).exp();
            assert!((m.ln_pdf(x) - direct.ln()).abs() < 1e-12, "x = {x}");
        }
        // Far in the tail the direct sum underflows; log-sum-exp does not.
        let far = m.ln_pdf(60.0);
        assert!((far - (0.7f64.ln() + Normal::new(1.5, 1.0).unwrap().ln_pdf(60.0))).abs() < 1e-9);
    }

    #[test]
    fn moments_follow_the_law_of_total_variance() {
        let m = bimodal();
        assert!((m.mean() - (0.3 * -2.0 + 0.7 * 1.5)).abs() < 1e-15);
        let second = 0.3 * (0.36 + 4.0) + 0.7 * (1.0 + 2.25);
        assert!((m.variance() - (second - m.mean().powi(2))).abs() < 1e-14);
    }

    #[test]
    fn samples_pick_components_in_proportion() {
        let m = bimodal();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| m.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let se = (m.variance() / n as f64).sqrt();
        assert!((mean - m.mean()).abs() < 5.0 * se);
    }

    #[test]
    fn bad_weights_are_refused() {
        let c = vec![
            Dist::Normal(Normal::standard()),
            Dist::Normal(Normal::standard()),
        ];
        assert_eq!(
            Mixture::new(vec![0.3, 0.6], c.clone()).unwrap_err().param,
            "weights"
        );
        assert_eq!(
            Mixture::new(vec![1.2, -0.2], c.clone()).unwrap_err().param,
            "weights"
        );
        assert_eq!(Mixture::new(vec![1.0], c).unwrap_err().param, "components");
    }
}
