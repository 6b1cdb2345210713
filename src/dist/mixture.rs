//! Finite mixtures of one-dimensional families,
//! `mixture(weights, components)`.

use rand::{Rng, RngExt};

use super::param::{self, ParamDef, ParamError, ParamKind, ParamValue};
use super::{Dist, Family, LN_SQRT_2PI, Univariate};
use crate::numeric::{fast, sum, wide};

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
    /// For a mixture of normals (the common case, and a hot loop in grid
    /// searches): each active component as `(ln w − ln σ − ln √(2π), μ,
    /// 1/σ)`, so its log-density term needs no dispatch.
    normal_terms: Option<Vec<(f64, f64, f64)>>,
}

impl Mixture {
    /// A mixture of `components` with the given `weights`.
    ///
    /// # Errors
    /// When the weights are not a probability vector or do not match the
    /// components in number.
    pub fn new(weights: Vec<f64>, components: Vec<Dist>) -> Result<Self, ParamError> {
        param::check_simplex("weights", &weights)?;
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
        if let Some(first) = components.first()
            && components
                .iter()
                .any(|c| c.is_discrete() != first.is_discrete())
        {
            return Err(ParamError::new(
                "components",
                "must be all continuous or all discrete: a mixture of both has no density",
            ));
        }
        let active: Vec<(f64, usize)> = weights
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
        let normal_terms = active
            .iter()
            .map(|&(ln_w, k)| match &components[k] {
                Dist::Normal(n) => {
                    Some((ln_w - n.std().ln() - LN_SQRT_2PI, n.mean(), 1.0 / n.std()))
                }
                _ => None,
            })
            .collect();
        Ok(Self {
            weights,
            components,
            active,
            cumulative,
            normal_terms,
        })
    }
}

/// Mixtures with at most this many components keep their terms on the stack.
const SMALL: usize = 8;

impl Mixture {
    /// One-pass log-sum-exp for mixtures with many components: `top` is the
    /// largest term so far and `scaled` is Σ exp(term − top), rescaled
    /// whenever a larger term arrives.
    fn ln_pdf_many(&self, x: f64) -> f64 {
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
}

/// `ln Σ_k e^{t_k}` lane by lane, for `terms[k][i]` the `k`-th term of
/// lane `i`: shifted by the largest term (the first of equal ones), which
/// contributes exactly 1, the others summed in order and added through
/// `ln_1p`. Branchless, with [`fast::exp`] and [`fast::ln_1p`], so that a
/// block of lanes vectorises; a lane's bits do not depend on its
/// neighbours, so one lane (`W = 1`) gives the bits of a block.
#[inline(always)]
fn log_sum_exp<const W: usize>(terms: &[[f64; W]]) -> [f64; W] {
    let mut top = [f64::NEG_INFINITY; W];
    for t in terms {
        for (top, &t) in top.iter_mut().zip(t) {
            *top = if t > *top { t } else { *top };
        }
    }
    let mut rest = [0.0; W];
    let mut seen = [0.0; W];
    for t in terms {
        for i in 0..W {
            let is_top = t[i] == top[i] && seen[i] == 0.0;
            seen[i] = if is_top { 1.0 } else { seen[i] };
            let e = fast::exp(t[i] - top[i]);
            rest[i] += if is_top { 0.0 } else { e };
        }
    }
    let mut out = [0.0; W];
    for i in 0..W {
        let v = top[i] + fast::ln_1p(rest[i]);
        out[i] = if top[i] == f64::NEG_INFINITY { top[i] } else { v };
    }
    out
}

/// [`log_sum_exp`] of two terms, `[a, b]`: the term that is not the
/// largest is the only one whose `exp` is needed, and `ln(1 + u)` is of a
/// `u` in `[0, 1]` ([`fast::ln_1p_unit`]).
#[inline(always)]
fn log_sum_exp2<const W: usize>(a: &[f64; W], b: &[f64; W]) -> [f64; W] {
    let mut out = [0.0; W];
    for i in 0..W {
        // As `log_sum_exp`: the first strictly largest, NaN never.
        let first = if a[i] > f64::NEG_INFINITY { a[i] } else { f64::NEG_INFINITY };
        let second = b[i] > first;
        let top = if second { b[i] } else { first };
        let other = if second { a[i] } else { b[i] };
        // other ≤ top, so e^{other − top} ∈ [0, 1].
        let v = top + fast::ln_1p_unit(fast::exp(other - top));
        out[i] = if top == f64::NEG_INFINITY { top } else { v };
    }
    out
}

impl Mixture {
    /// `ln p(x)` of `W` values at once; the same bits, value by value, as
    /// [`Univariate::ln_pdf`] (which is this with `W = 1`).
    #[inline(always)]
    fn ln_pdf_block<const W: usize>(&self, xs: &[f64; W]) -> [f64; W] {
        if self.active.len() > SMALL {
            return xs.map(|x| self.ln_pdf_many(x));
        }
        if let Some([a, b]) = self.normal_terms.as_deref() {
            // Two normals, the common case: one `exp` per value.
            // Loops rather than `array::map`, which is not always inlined.
            let (mut ta, mut tb) = ([0.0; W], [0.0; W]);
            for ((ta, tb), &x) in ta.iter_mut().zip(&mut tb).zip(xs) {
                let za = (x - a.1) * a.2;
                *ta = a.0 - 0.5 * za * za;
                let zb = (x - b.1) * b.2;
                *tb = b.0 - 0.5 * zb * zb;
            }
            return log_sum_exp2(&ta, &tb);
        }
        let mut terms = [[0.0; W]; SMALL];
        let terms = &mut terms[..self.active.len()];
        match &self.normal_terms {
            Some(normals) => {
                for (t, &(c, m, k)) in terms.iter_mut().zip(normals) {
                    for (t, &x) in t.iter_mut().zip(xs) {
                        let z = (x - m) * k;
                        *t = c - 0.5 * z * z;
                    }
                }
            }
            None => {
                for (t, &(ln_w, c)) in terms.iter_mut().zip(&self.active) {
                    for (t, &x) in t.iter_mut().zip(xs) {
                        *t = ln_w + self.components[c].ln_pdf(x);
                    }
                }
            }
        }
        log_sum_exp(terms)
    }
}

impl Mixture {
    /// [`Univariate::sum_ln_pdf`] compiled for `width`: the same bits for
    /// every width.
    fn sum_ln_pdf_as(&self, width: wide::Width, xs: &[f64]) -> f64 {
        wide::with(
            width,
            #[inline(always)]
            || sum::lanes_by_block(xs, |b| self.ln_pdf_block(b), |x| self.ln_pdf(x)),
        )
    }

    /// [`Univariate::sum_ln_pdf_affine`] compiled for `width`.
    fn sum_ln_pdf_affine_as(&self, width: wide::Width, eps: &[f64], loc: f64, scale: f64) -> f64 {
        wide::with(
            width,
            #[inline(always)]
            || {
                sum::lanes_by_block(
                    eps,
                    #[inline(always)]
                    |b| {
                        let mut xs = [0.0; sum::LANES];
                        for (x, &e) in xs.iter_mut().zip(b) {
                            *x = loc + scale * e;
                        }
                        self.ln_pdf_block(&xs)
                    },
                    |e| self.ln_pdf(loc + scale * e),
                )
            },
        )
    }
}

impl Univariate for Mixture {
    fn ln_pdf(&self, x: f64) -> f64 {
        let [y] = self.ln_pdf_block(&[x]);
        y
    }

    /// Blocks of [`sum::LANES`] draws at a time, vectorised; the same sum
    /// as adding up [`Univariate::ln_pdf`] in the order of [`sum::lanes`].
    fn sum_ln_pdf(&self, xs: &[f64]) -> f64 {
        self.sum_ln_pdf_as(wide::widest(), xs)
    }

    fn sum_ln_pdf_affine(&self, eps: &[f64], loc: f64, scale: f64) -> f64 {
        self.sum_ln_pdf_affine_as(wide::widest(), eps, loc, scale)
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

    fn tail(&self) -> super::Tail {
        self.active
            .iter()
            .map(|&(_, k)| self.components[k].tail())
            .max()
            .unwrap_or(super::Tail::Bounded)
    }

    fn moment_limit(&self) -> f64 {
        self.active
            .iter()
            .map(|&(_, k)| self.components[k].moment_limit())
            .fold(f64::INFINITY, f64::min)
    }

    /// The union of the components' supports, overlapping pieces merged.
    fn support_set(&self) -> Vec<(f64, f64)> {
        let mut pieces: Vec<(f64, f64)> = self
            .active
            .iter()
            .flat_map(|&(_, k)| self.components[k].support_set())
            .collect();
        pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (lo, hi) in pieces {
            match merged.last_mut() {
                // Discrete supports touch when one ends where the next begins.
                Some(last) if lo <= last.1 || (self.is_discrete() && lo <= last.1 + 1.0) => {
                    last.1 = last.1.max(hi);
                }
                _ => merged.push((lo, hi)),
            }
        }
        merged
    }

    fn is_discrete(&self) -> bool {
        self.components.first().is_some_and(Dist::is_discrete)
    }

    /// Every component's points: a narrow component far from the others
    /// is a peak the whole mixture's moments do not show.
    fn breakpoints(&self) -> Vec<f64> {
        self.active
            .iter()
            .flat_map(|&(_, k)| self.components[k].breakpoints())
            .collect()
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
            kind: ParamKind::Simplex,
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
    fn many_components_give_the_same_density_as_few() {
        // Twelve components, split from the two of `bimodal`, exercise the
        // one-pass path; the density is the same mixture.
        let a = Dist::Normal(Normal::new(-2.0, 0.6).unwrap());
        let b = Dist::Normal(Normal::new(1.5, 1.0).unwrap());
        let mut weights = vec![0.3 / 6.0; 6];
        weights.extend(vec![0.7 / 6.0; 6]);
        let mut components = vec![a; 6];
        components.extend(vec![b; 6]);
        let many = Mixture::new(weights, components).unwrap();
        let few = bimodal();
        for x in [-5.0, -2.0, 0.0, 1.5, 4.0, 30.0] {
            assert!((many.ln_pdf(x) - few.ln_pdf(x)).abs() < 1e-12, "x = {x}");
        }
    }

    #[test]
    fn two_terms_agree_with_the_general_log_sum_exp() {
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -800.0,
            -3.5,
            -0.0,
            0.0,
            2.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        for &a in &values {
            for &b in &values {
                let two = log_sum_exp2(&[a], &[b])[0];
                let general = log_sum_exp(&[[a], [b]])[0];
                // Both within an ulp of ln(1 + u), so at most an ulp or two
                // apart; the same special values.
                if general.is_finite() {
                    assert!(
                        (two - general).abs() <= 2.0 * f64::EPSILON * general.abs(),
                        "{a} {b}: {two} {general}"
                    );
                } else if general.is_nan() {
                    assert!(two.is_nan(), "{a} {b}: {two}");
                } else {
                    assert_eq!(two.to_bits(), general.to_bits(), "{a} {b}");
                }
                if a.is_finite() && b.is_finite() && a.max(b) < 700.0 {
                    let direct = (a.exp() + b.exp()).ln();
                    if direct.is_finite() {
                        assert!((two - direct).abs() <= 1e-15 * direct.abs().max(1.0), "{a} {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn blocks_give_the_bits_of_one_value_at_a_time() {
        // The vectorised sum against a scalar sum of ln_pdf in the same
        // order, for two normals and for a mixture of other families.
        let others = Mixture::new(
            vec![0.2, 0.5, 0.3],
            vec![
                Dist::Normal(Normal::new(-2.0, 0.6).unwrap()),
                Dist::Laplace(crate::dist::Laplace::new(1.0, 2.0).unwrap()),
                Dist::Normal(Normal::new(4.0, 0.1).unwrap()),
            ],
        )
        .unwrap();
        let xs: Vec<f64> = (0..1003).map(|i| -40.0 + 0.0817 * i as f64).collect();
        for m in [bimodal(), others] {
            let one_by_one = sum::lanes(&xs, |x| m.ln_pdf(x));
            assert_eq!(m.sum_ln_pdf(&xs).to_bits(), one_by_one.to_bits());
            let affine = sum::lanes(&xs, |e| m.ln_pdf(0.5 + 1.5 * e));
            assert_eq!(m.sum_ln_pdf_affine(&xs, 0.5, 1.5).to_bits(), affine.to_bits());
        }
    }

    #[test]
    fn every_vector_width_gives_the_same_bits() {
        // The widths this CPU has against the portable code, over values
        // that reach exp's subnormal and overflow ends and both tails;
        // with several components, with two, and with many (past SMALL).
        use crate::numeric::wide::{Width, detect};
        let many = Mixture::new(
            vec![0.1; 10],
            (0..10)
                .map(|k| Dist::Normal(Normal::new(f64::from(k) - 5.0, 0.05 + 0.1 * f64::from(k)).unwrap()))
                .collect(),
        )
        .unwrap();
        let others = Mixture::new(
            vec![0.2, 0.5, 0.3],
            vec![
                Dist::Normal(Normal::new(-2.0, 0.6).unwrap()),
                Dist::Laplace(crate::dist::Laplace::new(1.0, 2.0).unwrap()),
                Dist::Normal(Normal::new(4.0, 1e-3).unwrap()),
            ],
        )
        .unwrap();
        let mut xs: Vec<f64> = (0..4099)
            .map(|i| -60.0 + 0.029_3 * f64::from(i) + (f64::from(i) * 0.618).fract() * 1e-3)
            .collect();
        xs.extend([1e3, -1e5, 3.999_9, 4.0, f64::MAX, f64::MIN_POSITIVE]);
        let widths: Vec<Width> = [Width::Avx2, Width::Avx512]
            .into_iter()
            .filter(|w| *w == Width::Avx2 || detect() == Width::Avx512)
            .collect();
        for m in [bimodal(), others, many] {
            let portable = m.sum_ln_pdf_as(Width::Portable, &xs);
            let affine = m.sum_ln_pdf_affine_as(Width::Portable, &xs, -0.3, 2.7);
            assert!(portable.is_finite() || portable == f64::NEG_INFINITY);
            for &w in &widths {
                assert_eq!(m.sum_ln_pdf_as(w, &xs).to_bits(), portable.to_bits(), "{w:?}");
                assert_eq!(
                    m.sum_ln_pdf_affine_as(w, &xs, -0.3, 2.7).to_bits(),
                    affine.to_bits(),
                    "{w:?}"
                );
            }
            // Value by value too, so that no lane's difference cancels.
            for chunk in xs.chunks(sum::LANES) {
                let one = m.sum_ln_pdf_as(Width::Portable, chunk);
                for &w in &widths {
                    assert_eq!(m.sum_ln_pdf_as(w, chunk).to_bits(), one.to_bits());
                }
            }
        }
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
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| m.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let se = (m.variance() / n as f64).sqrt();
        assert!((mean - m.mean()).abs() < 5.0 * se);
    }

    #[test]
    fn draws_have_the_mixture_variance_and_are_pinned() {
        let m = bimodal();
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let first: Vec<f64> = (0..3).map(|_| m.sample(&mut rng)).collect();
        // A dependency bump that changes streams must fail here.
        assert_eq!(first, PINNED);
        let n = 1_000_000;
        let xs: Vec<f64> = (0..n).map(|_| m.sample(&mut rng)).collect();
        let (mean, sd) = crate::numeric::sum::mean_std(&xs, 1);
        let mu = m.mean();
        let m4 = 0.3
            * (3.0 * 0.6f64.powi(4) + 6.0 * 0.36 * (-2.0 - mu).powi(2) + (-2.0 - mu).powi(4))
            + 0.7 * (3.0 + 6.0 * (1.5 - mu).powi(2) + (1.5 - mu).powi(4));
        let var = m.variance();
        assert!((mean - mu).abs() < 5.0 * (var / n as f64).sqrt());
        assert!((sd * sd - var).abs() < 5.0 * ((m4 - var * var) / n as f64).sqrt());
    }
    const PINNED: [f64; 3] = [0.985037071852705, 1.9644548612252357, 1.774115556349742];

    #[test]
    fn discrete_and_continuous_components_do_not_mix() {
        let d = crate::dist::text::parse_uni(
            "mixture(weights=[0.5, 0.5], components=[normal(mean=0, std=1), poisson(rate=2)])",
        );
        assert!(
            d.unwrap_err()
                .message
                .contains("all continuous or all discrete")
        );
        let d = crate::dist::text::parse_uni(
            "mixture(weights=[0.5, 0.5], components=[poisson(rate=1), poisson(rate=9)])",
        )
        .unwrap();
        assert!(d.is_discrete());
        let total: f64 = (0..200).map(|k| d.ln_pdf(k as f64).exp()).sum();
        assert!((total - 1.0).abs() < 1e-12);
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
