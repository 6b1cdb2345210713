//! `forward_vs_reverse`: fitting a normal to a target by forward and by
//! reverse KL.
//!
//! Forward, `min KL(target ‖ q)`, is maximum likelihood on a sample of the
//! target: for a normal `q`, moment matching. Reverse, `min KL(q ‖ target)`,
//! is found on a grid of normals, each divergence estimated from the same
//! standard-normal draws shifted and scaled (common random numbers), so the
//! surface is smooth and its argmin stable. Forward covers all of the
//! target's mass; reverse locks onto one mode.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size, argmin};
use crate::chart::{Axis, Corner, Figure, Panel, Plot, Series, color};
use crate::dist::{Dist, Family, Normal, Univariate};
use crate::numeric::sum;
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::sweep::{Count, NormalGrid};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The distribution to approximate.
    pub target: Dist,
    /// Draws from the target for the forward (maximum-likelihood) fit.
    pub sample_size: Count,
    /// The grid of normals searched for the reverse fit.
    pub model: NormalGrid,
    /// Standard-normal draws per grid point for the reverse divergence.
    pub draws: Count,
}

/// One fitted normal and its divergences.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The fit.
    pub q: Normal,
    /// `KL(target ‖ q)` estimated by Monte Carlo (on the sample for the
    /// forward fit, on the common draws for the reverse fit).
    pub kl_mc: f64,
    /// `KL(target ‖ q)` by quadrature.
    pub kl_target_q: f64,
    /// `KL(q ‖ target)` by quadrature.
    pub kl_q_target: f64,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// The forward fit (its `kl_mc` is `KL(target ‖ q)` on the sample).
    pub forward: Fit,
    /// The reverse fit (its `kl_mc` is `KL(q ‖ target)` on the draws).
    pub reverse: Fit,
    /// Grid indices of the reverse fit.
    pub reverse_cell: (usize, usize),
}

fn as_normal(d: Dist) -> anyhow::Result<Normal> {
    match d {
        Dist::Normal(n) => Ok(n),
        other => anyhow::bail!("expected a normal, got {}", other.label()),
    }
}

impl Spec {
    fn divergences(&self, q: &Normal) -> anyhow::Result<(f64, f64)> {
        let q = Dist::Normal(q.clone());
        let forward = kl::kl(&self.target, &q).context("KL(target ‖ q) by quadrature")?;
        let reverse = kl::kl(&q, &self.target).context("KL(q ‖ target) by quadrature")?;
        Ok((forward.value, reverse.value))
    }
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        let (n0, n1) = self.model.0.shape();
        Size::uniform(n0 * n1, self.draws.0)
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let mut rng = ctx.rng(&[0]);
        let xs: Vec<f64> = (0..self.sample_size.0)
            .map(|_| self.target.sample(&mut rng))
            .collect();
        let forward_q = Normal::fit(&xs).context("the forward fit")?;
        let n = xs.len() as f64;
        let forward_mc = (self.target.sum_ln_pdf(&xs) - forward_q.sum_ln_pdf(&xs)) / n;

        let mut rng = ctx.rng(&[1]);
        let standard = Normal::standard();
        let eps: Vec<f64> = (0..self.draws.0)
            .map(|_| standard.sample(&mut rng))
            .collect();
        let mean_ln_phi = standard.sum_ln_pdf(&eps) / eps.len() as f64;
        let grid = &self.model.0;
        let (n0, n1) = grid.shape();
        // KL(q ‖ target) ≈ mean_k [ln q(z_k) − ln target(z_k)], z_k = μ + σ ε_k,
        // where ln q(z_k) = ln φ(ε_k) − ln σ.
        let reverse_kl: Vec<f64> = (0..n0 * n1)
            .into_par_iter()
            .map(|cell| {
                let q = as_normal(grid.dist(cell / n1, cell % n1)?)?;
                let log_target = sum::lanes(&eps, |e| self.target.ln_pdf(q.from_standard(e)));
                ctx.tick(self.draws.0 as u64);
                Ok(mean_ln_phi - q.std().ln() - log_target / eps.len() as f64)
            })
            .collect::<anyhow::Result<_>>()?;
        let best = argmin(&reverse_kl).context("the reverse divergence is NaN everywhere")?;
        let reverse_q = as_normal(grid.dist(best / n1, best % n1)?)?;

        let (f_tq, f_qt) = self.divergences(&forward_q)?;
        let (r_tq, r_qt) = self.divergences(&reverse_q)?;
        Ok(Findings {
            forward: Fit {
                q: forward_q,
                kl_mc: forward_mc,
                kl_target_q: f_tq,
                kl_q_target: f_qt,
            },
            reverse: Fit {
                q: reverse_q,
                kl_mc: reverse_kl[best],
                kl_target_q: r_tq,
                kl_q_target: r_qt,
            },
            reverse_cell: (best / n1, best % n1),
        })
    }

    fn placeholder(&self) -> Findings {
        let fit = Fit {
            q: Normal::standard(),
            kl_mc: 1.0,
            kl_target_q: 1.0,
            kl_q_target: 1.0,
        };
        Findings {
            forward: fit.clone(),
            reverse: fit,
            reverse_cell: (0, 0),
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let fit = |f: &Fit, mc_key: &str| {
            json!({
                "mean": f.q.mean(),
                "std": f.q.std(),
                mc_key: f.kl_mc,
                "kl_target_q": f.kl_target_q,
                "kl_q_target": f.kl_q_target,
            })
        };
        let numbers = json!({
            "target": self.target.label(),
            "sample_size": self.sample_size.0,
            "draws": self.draws.0,
            "forward": fit(&r.forward, "kl_target_q_mc"),
            "reverse": fit(&r.reverse, "kl_q_target_mc"),
            "reverse_cell": { "i": r.reverse_cell.0, "j": r.reverse_cell.1 },
        });
        Outcome {
            numbers,
            tables: vec![self.table(r)],
            figures: vec![self.figure(r)],
            warnings: Vec::new(),
        }
    }
}

impl Spec {
    fn table(&self, r: &Findings) -> Table {
        let row = |label: &str, f: &Fit| {
            vec![
                Cell::Text(label.into()),
                Cell::Num(f.q.mean()),
                Cell::Num(f.q.std()),
                Cell::Num(f.kl_target_q),
                Cell::Num(f.kl_q_target),
            ]
        };
        Table {
            name: "fits".into(),
            columns: vec![
                Column::new("fit", Format::Int),
                Column::new("`mean`", Format::Fixed(4)),
                Column::new("`std`", Format::Fixed(4)),
                Column::new("KL(target ‖ q)", Format::Fixed(4)),
                Column::new("KL(q ‖ target)", Format::Fixed(4)),
            ],
            rows: vec![
                row("forward: min KL(target ‖ q)", &r.forward),
                row("reverse: min KL(q ‖ target)", &r.reverse),
            ],
        }
    }

    fn figure(&self, r: &Findings) -> Figure {
        let (m, s) = (self.target.mean(), self.target.variance().sqrt());
        let xs = crate::vocab::sweep::linspace(m - 4.5 * s, m + 4.5 * s, 801);
        let density = |d: &dyn Fn(f64) -> f64| xs.iter().map(|&x| d(x).exp()).collect::<Vec<_>>();
        let target = density(&|x| self.target.ln_pdf(x));
        let fwd = density(&|x| r.forward.q.ln_pdf(x));
        let rev = density(&|x| r.reverse.q.ln_pdf(x));
        let label = |what: &str, f: &Fit| format!("{what}: N({:.3}, {:.3})", f.q.mean(), f.q.std());
        Figure {
            name: "fits".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: "Forward and reverse KL fits of a normal".into(),
                x: Axis::linear("x"),
                y: Axis::linear("density"),
                series: vec![
                    Series::line("target", color::BLACK, xs.clone(), target, false, None),
                    Series::line(
                        &label("forward KL(target ‖ q)", &r.forward),
                        color::BLUE,
                        xs.clone(),
                        fwd,
                        false,
                        None,
                    ),
                    Series::line(
                        &label("reverse KL(q ‖ target)", &r.reverse),
                        color::VERMILLION,
                        xs,
                        rev,
                        true,
                        None,
                    ),
                ],
                legend: Corner::UpperLeft,
            })],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_fit_is_narrower_and_sits_on_the_heavier_mode() {
        let s: Spec = serde_yaml::from_str(
            "target: {mixture: {weights: [0.3, 0.7], components: [{normal: {mean: -2, std: 0.6}}, {normal: {mean: 1.5, std: 1}}]}}\n\
             sample_size: 20000\n\
             model: {normal: {mean: {linspace: [-4, 4, 81]}, std: {logspace: [0.3, 4, 41]}}}\n\
             draws: 2000\n",
        )
        .unwrap();
        let r = s.compute(&Ctx::new(2, &|_| {})).unwrap();
        assert!(r.reverse.q.std() < r.forward.q.std());
        assert!((r.reverse.q.mean() - 1.5).abs() < (r.reverse.q.mean() + 2.0).abs());
        // Each fit wins at its own objective.
        assert!(r.forward.kl_target_q < r.reverse.kl_target_q);
        assert!(r.reverse.kl_q_target < r.forward.kl_q_target);
        // Moment matching: the forward fit has the target's mean and std up to
        // sampling error (std of the target ≈ 1.8, n = 20000).
        assert!((r.forward.q.mean() - 0.45).abs() < 5.0 * 1.8 / (20000f64).sqrt());
    }
}
