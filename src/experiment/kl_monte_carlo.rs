//! `kl_monte_carlo`: the Monte Carlo estimator of `KL(p ‖ q)` against its
//! exact value.
//!
//! For each sample size `n`, `replicates` independent estimates
//! `(1/n) Σ [ln p(x) − ln q(x)]`, `x ~ p`, are drawn; the report gives their
//! mean and standard deviation against the closed form (or quadrature when
//! the pair of families has none).
//!
//! `p` and `q` may also be multivariate normals of the same dimension, whose
//! divergence has a closed form.
//!
//! When `ln p − ln q` has infinite variance under `p` (a heavy-tailed `p`
//! against a light-tailed `q`), the estimates still converge but their
//! spread does not shrink like `1/√n`: the report flags it and warns.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size};
use crate::chart::{Axis, Corner, Figure, Marker, Panel, Plot, Series, Shape, color};
use crate::dist::{AnyDist, Dist, MvNormal, Univariate};
use crate::numeric::sum;
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::sweep::{Count, Counts};

/// Draws are made and scored in blocks of this many, so densities are
/// evaluated on slices (vectorised) with a fixed summation order.
const BLOCK: usize = 1024;

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The distribution sampled from: the first argument of KL.
    pub p: AnyDist,
    /// The second argument of KL, of the same dimension.
    pub q: AnyDist,
    /// Sample sizes.
    pub n: Counts,
    /// Independent estimates per sample size (at least 2, for their spread).
    pub replicates: Count<2>,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// `KL(p ‖ q)` and how it was computed.
    pub exact: kl::Value,
    /// Mean of the estimates, per sample size.
    pub mean: Vec<f64>,
    /// Standard deviation of the estimates (divisor `replicates − 1`).
    pub std: Vec<f64>,
    /// Why `ln p − ln q` has infinite variance under `p`, when it has.
    pub infinite_variance: Option<String>,
}

impl Spec {
    fn estimate(&self, ctx: &Ctx<'_>, k: usize, r: usize) -> f64 {
        let n = self.n.0[k];
        let mut rng = ctx.rng(&[k as u64, r as u64]);
        match (&self.p, &self.q) {
            (AnyDist::Uni(p), AnyDist::Uni(q)) => estimate(p, q, n, &mut rng),
            (AnyDist::MvNormal(p), AnyDist::MvNormal(q)) => estimate_mv(p, q, n, &mut rng),
            // Refused by `validate`.
            _ => f64::NAN,
        }
    }

    /// Why `ln p − ln q` has infinite variance under `p`, when it has (never
    /// for two normals).
    fn infinite_variance(&self) -> Option<String> {
        match (&self.p, &self.q) {
            (AnyDist::Uni(p), AnyDist::Uni(q)) => kl::monte_carlo_breaks(p, q),
            _ => None,
        }
    }
}

/// One estimate from `n` draws of a one-dimensional `p`.
fn estimate(p: &Dist, q: &Dist, n: usize, rng: &mut impl rand::Rng) -> f64 {
    let mut buf = vec![0.0; BLOCK.min(n)];
    let mut total = 0.0;
    let mut left = n;
    while left > 0 {
        let block = &mut buf[..BLOCK.min(left)];
        p.sample_into(rng, block);
        total += p.sum_ln_pdf(block) - q.sum_ln_pdf(block);
        left -= block.len();
    }
    total / n as f64
}

/// One estimate from `n` draws of a multivariate normal `p`, summed in
/// blocks as in one dimension.
fn estimate_mv(p: &MvNormal, q: &MvNormal, n: usize, rng: &mut impl rand::Rng) -> f64 {
    let mut total = 0.0;
    let mut left = n;
    while left > 0 {
        let size = BLOCK.min(left);
        let mut block = 0.0;
        for _ in 0..size {
            let x = p.sample(rng);
            block += p.ln_pdf(&x) - q.ln_pdf(&x);
        }
        total += block;
        left -= size;
    }
    total / n as f64
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        Size::replicated(&self.n.0, self.replicates.0)
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let exact = kl::kl_any(&self.p, &self.q).context("the exact KL(p ‖ q)")?;
        let reps = self.replicates.0;
        let estimates: Vec<f64> = (0..self.n.0.len() * reps)
            .into_par_iter()
            .map(|task| {
                let (k, r) = (task / reps, task % reps);
                let e = self.estimate(ctx, k, r);
                ctx.tick(self.n.0[k] as u64);
                e
            })
            .collect();
        let (mean, std) = estimates
            .chunks(reps)
            .map(|per_size| sum::mean_std(per_size, 1))
            .unzip();
        Ok(Findings {
            exact,
            mean,
            std,
            infinite_variance: self.infinite_variance(),
        })
    }

    fn placeholder(&self) -> Findings {
        Findings {
            exact: kl::Value {
                value: 1.0,
                method: kl::Method::ClosedForm,
                stderr: None,
            },
            mean: vec![1.0; self.n.0.len()],
            std: vec![1.0; self.n.0.len()],
            infinite_variance: self.infinite_variance(),
        }
    }

    fn validate(&self) -> Result<(), String> {
        let dim = |d: &AnyDist| match d {
            AnyDist::Uni(_) => 1,
            AnyDist::MvNormal(m) => m.dim(),
        };
        let (dp, dq) = (dim(&self.p), dim(&self.q));
        if dp != dq {
            return Err(format!(
                "q: has dimension {dq} but p has dimension {dp}; KL(p ‖ q) needs the same"
            ));
        }
        if matches!(self.q, AnyDist::Uni(_)) != matches!(self.p, AnyDist::Uni(_)) {
            return Err(
                "q: p and q must both be one-dimensional or both multivariate normals".into(),
            );
        }
        Ok(())
    }

    fn report(&self, r: &Findings) -> Outcome {
        let numbers = json!({
            "p": self.p.label(),
            "q": self.q.label(),
            "exact": r.exact.value,
            "exact_method": r.exact.method,
            "n": self.n.0,
            "replicates": self.replicates.0,
            "mean": r.mean,
            "std": r.std,
            "bias": r.mean.iter().map(|m| m - r.exact.value).collect::<Vec<_>>(),
            "finite_variance": r.infinite_variance.is_none(),
        });
        let warnings = r
            .infinite_variance
            .iter()
            .map(|why| {
                format!(
                    "ln p − ln q has infinite variance under p: {why}; the spread of the \
                     estimates does not shrink like 1/√n, so the ±1 std band is not an error bar"
                )
            })
            .collect();
        Outcome {
            numbers,
            tables: vec![self.table(r)],
            figures: vec![self.figure(r)],
            warnings,
        }
    }
}

impl Spec {
    fn table(&self, r: &Findings) -> Table {
        let rows = self
            .n
            .0
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                vec![
                    Cell::Num(n as f64),
                    Cell::Num(r.mean[k]),
                    Cell::Num(r.std[k]),
                    Cell::Num(r.mean[k] - r.exact.value),
                ]
            })
            .collect();
        Table {
            name: "estimates".into(),
            columns: vec![
                Column::new("n", Format::Int),
                Column::new("mean of estimates", Format::Fixed(5)),
                Column::new("std of estimates", Format::Sci(2)),
                Column::new("mean − exact", Format::Sci(2)),
            ],
            rows,
        }
    }

    fn figure(&self, r: &Findings) -> Figure {
        let ns: Vec<f64> = self.n.0.iter().map(|&n| n as f64).collect();
        let lo = r.mean.iter().zip(&r.std).map(|(m, s)| m - s).collect();
        let hi = r.mean.iter().zip(&r.std).map(|(m, s)| m + s).collect();
        let exact_label = format!("{} {:.4}", r.exact.method, r.exact.value);
        let band_label = match r.infinite_variance {
            None => format!("±1 std over {} replicates", self.replicates.0),
            Some(_) => format!(
                "±1 std over {} replicates (infinite variance: no error bar)",
                self.replicates.0
            ),
        };
        Figure {
            name: "convergence".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: format!("Monte Carlo KL({} ‖ {})", self.p.label(), self.q.label()),
                x: Axis::log("sample size n"),
                y: Axis::linear("KL estimate (nats)"),
                series: vec![
                    Series {
                        label: band_label,
                        color: color::BLUE,
                        shape: Shape::Band {
                            xs: ns.clone(),
                            lo,
                            hi,
                        },
                    },
                    Series::line(
                        "mean estimate",
                        color::BLUE,
                        ns,
                        r.mean.clone(),
                        false,
                        Some(Marker::Circle),
                    ),
                    Series::hline(&exact_label, color::BLACK, r.exact.value, true),
                ],
                legend: Corner::UpperRight,
            })],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_are_unbiased_with_spread_shrinking_like_root_n() {
        let s: Spec = serde_yaml::from_str(
            "p: {normal: {mean: 0, std: 1}}\nq: {normal: {mean: 1, std: 2}}\nn: [100, 10000]\nreplicates: 200\n",
        )
        .unwrap();
        let r = s.compute(&Ctx::new(11, &|_| {})).unwrap();
        assert_eq!(r.exact.method, kl::Method::ClosedForm);
        for k in 0..2 {
            let se = r.std[k] / (200f64).sqrt();
            assert!((r.mean[k] - r.exact.value).abs() < 5.0 * se, "k {k}");
        }
        let ratio = r.std[0] / r.std[1];
        assert!(
            (7.0..14.0).contains(&ratio),
            "std ratio {ratio}, expected ~10"
        );
        let out = s.report(&r);
        assert_eq!(out.numbers["finite_variance"], true);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn two_dimensional_normals_are_estimated_against_their_closed_form() {
        // KL(N(μp, Σp) ‖ N(μq, Σq)) = ½[tr(Σq⁻¹Σp) + Δᵀ Σq⁻¹ Δ − 2 + ln det Σq − ln det Σp]
        // with Σp = [[1, 0.5], [0.5, 2]], μp = 0, Σq = [[2, 0], [0, 1]],
        // μq = (1, −1): tr = ½ + 2, Δᵀ Σq⁻¹ Δ = ½ + 1, det Σp = 1.75,
        // det Σq = 2, so KL = ½[2.5 + 1.5 − 2 + ln(2 / 1.75)].
        let s: Spec = serde_yaml::from_str(
            "p: {mvnormal: {mean: [0, 0], cov: [[1, 0.5], [0.5, 2]]}}\n\
             q: \"mvnormal(mean=[1, -1], cov=[[2, 0], [0, 1]])\"\nn: [100, 10000]\nreplicates: 100\n",
        )
        .unwrap();
        assert_eq!(s.validate(), Ok(()));
        let r = s.compute(&Ctx::new(5, &|_| {})).unwrap();
        let exact = 0.5 * (2.0 + (2.0f64 / 1.75).ln());
        assert_eq!(r.exact.method, kl::Method::ClosedForm);
        assert!((r.exact.value - exact).abs() < 1e-14, "{}", r.exact.value);
        for k in 0..2 {
            let se = r.std[k] / 100f64.sqrt();
            assert!((r.mean[k] - exact).abs() < 5.0 * se, "k {k}: {}", r.mean[k]);
        }
        assert!(r.infinite_variance.is_none());
        let out = s.report(&r);
        assert_eq!(out.numbers["p"], "mvnormal(mean=[0, 0], cov=[[1, 0.5], [0.5, 2]])");
    }

    #[test]
    fn distributions_of_different_dimensions_are_refused() {
        let s: Spec = serde_yaml::from_str(
            "p: {mvnormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}}\n\
             q: {normal: {mean: 0, std: 1}}\nn: [10]\nreplicates: 2\n",
        )
        .unwrap();
        assert!(s.validate().unwrap_err().contains("dimension 1"));
        let s: Spec = serde_yaml::from_str(
            "p: {mvnormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}}\n\
             q: {mvnormal: {mean: [0, 0, 0], cov: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}\nn: [10]\nreplicates: 2\n",
        )
        .unwrap();
        assert!(s.validate().unwrap_err().contains("dimension 3"));
    }

    #[test]
    fn a_log_ratio_of_infinite_variance_is_flagged_and_warned_about() {
        // A t(3) has no fourth moment, which −ln q of a normal (∝ x²) needs
        // for ln p − ln q to have a variance.
        let s: Spec = serde_yaml::from_str(
            "p: {student_t: {df: 3, loc: 0, scale: 1}}\nq: {normal: {mean: 0, std: 1}}\nn: [100, 1000]\nreplicates: 20\n",
        )
        .unwrap();
        let out = s.report(&s.compute(&Ctx::new(11, &|_| {})).unwrap());
        assert_eq!(out.numbers["finite_variance"], false);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(
            out.warnings[0].contains("infinite variance") && out.warnings[0].contains("fourth"),
            "{}",
            out.warnings[0]
        );
        // Posts are checked against the dry outcome: the flag is there too.
        assert_eq!(s.report(&s.placeholder()).numbers["finite_variance"], false);
    }
}
