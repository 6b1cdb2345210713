//! `forward_vs_reverse`: fitting a normal to a target by forward and by
//! reverse KL.
//!
//! Forward, `min KL(target ‖ q)`, is maximum likelihood on a sample of the
//! target: for a normal `q`, moment matching. Reverse, `min KL(q ‖ target)`,
//! is found on a grid of normals, each divergence estimated from the same
//! standard-normal draws shifted and scaled (common random numbers), so the
//! surface is smooth and its argmin stable. Forward covers all of the
//! target's mass; reverse locks onto one mode.
//!
//! Where a normal puts mass that the target lacks (a target on `(0, ∞)`),
//! `KL(q ‖ target)` is `+∞`, however few of the common draws land there:
//! such grid points are infinite, the reverse fit is the minimum over the
//! finite ones, and when there are none the report says that no reverse
//! fit exists instead of offering one.

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

/// The reverse fit and where it is on the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Reverse {
    /// The fit (its `kl_mc` is `KL(q ‖ target)` on the draws).
    pub fit: Fit,
    /// Grid indices of the fit.
    pub cell: (usize, usize),
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// The forward fit (its `kl_mc` is `KL(target ‖ q)` on the sample).
    pub forward: Fit,
    /// The reverse fit: `None` when `KL(q ‖ target)` is infinite at every
    /// grid point, so that no normal minimises it.
    pub reverse: Option<Reverse>,
    /// `KL(q ‖ target)` at each grid point, `[i * n1 + j]`: `+∞` where a
    /// normal puts mass the target lacks, else estimated on the draws.
    pub reverse_kl: Vec<f64>,
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
                let q = grid.dist(cell / n1, cell % n1)?;
                ctx.tick(self.draws.0 as u64);
                // The draws may all miss where the target has no mass (far
                // out in q's tail); the divergence is infinite regardless.
                if kl::diverges(&q, &self.target) {
                    return Ok(f64::INFINITY);
                }
                let q = as_normal(q)?;
                let log_target = sum::lanes(&eps, |e| self.target.ln_pdf(q.from_standard(e)));
                Ok(mean_ln_phi - q.std().ln() - log_target / eps.len() as f64)
            })
            .collect::<anyhow::Result<_>>()?;
        let reverse = match finite_argmin(&reverse_kl) {
            Some(best) => {
                let q = as_normal(grid.dist(best / n1, best % n1)?)?;
                let (kl_target_q, kl_q_target) = self.divergences(&q)?;
                Some(Reverse {
                    fit: Fit {
                        q,
                        kl_mc: reverse_kl[best],
                        kl_target_q,
                        kl_q_target,
                    },
                    cell: (best / n1, best % n1),
                })
            }
            None if reverse_kl.iter().all(|&v| v == f64::INFINITY) => None,
            None => anyhow::bail!("the reverse divergence is NaN at every grid point"),
        };

        let (f_tq, f_qt) = self.divergences(&forward_q)?;
        Ok(Findings {
            forward: Fit {
                q: forward_q,
                kl_mc: forward_mc,
                kl_target_q: f_tq,
                kl_q_target: f_qt,
            },
            reverse,
            reverse_kl,
        })
    }

    fn placeholder(&self) -> Findings {
        let fit = Fit {
            q: Normal::standard(),
            kl_mc: 1.0,
            kl_target_q: 1.0,
            kl_q_target: 1.0,
        };
        let (n0, n1) = self.model.0.shape();
        Findings {
            forward: fit.clone(),
            reverse: Some(Reverse { fit, cell: (0, 0) }),
            reverse_kl: vec![1.0; n0 * n1],
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let fit = |f: &Fit, mc_key: &str| {
            json!({
                "mean": f.q.mean(),
                "std": f.q.std(),
                mc_key: divergence(f.kl_mc),
                "kl_target_q": divergence(f.kl_target_q),
                "kl_q_target": divergence(f.kl_q_target),
            })
        };
        let infinite = r.reverse_kl.iter().filter(|v| v.is_infinite()).count();
        let mut numbers = json!({
            "target": self.target.label(),
            "sample_size": self.sample_size.0,
            "draws": self.draws.0,
            "forward": fit(&r.forward, "kl_target_q_mc"),
            "grid": { "points": r.reverse_kl.len(), "reverse_kl_infinite": infinite },
        });
        let mut warnings = Vec::new();
        match &r.reverse {
            Some(rev) => {
                numbers["reverse"] = fit(&rev.fit, "kl_q_target_mc");
                numbers["reverse"]["exists"] = json!(true);
                numbers["reverse_cell"] = json!({ "i": rev.cell.0, "j": rev.cell.1 });
            }
            None => {
                // The fields of a fit are absent rather than null, so that
                // a post quoting `reverse.mean` stops at that line instead
                // of printing a fit that does not exist.
                numbers["reverse"] = json!({ "exists": false, "kl_q_target": divergence(f64::INFINITY) });
                warnings.push(format!(
                    "KL(q ‖ target) is +∞ for every normal q on the grid ({} points): a normal \
                     puts mass where {} has none, so no normal minimises the reverse divergence; \
                     no reverse fit is reported or drawn (reverse.exists is false)",
                    r.reverse_kl.len(),
                    self.target.label()
                ));
            }
        }
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
        let row = |label: &str, f: &Fit| {
            vec![
                Cell::Text(label.into()),
                Cell::Num(f.q.mean()),
                Cell::Num(f.q.std()),
                Cell::Num(f.kl_target_q),
                Cell::Num(f.kl_q_target),
            ]
        };
        let reverse = match &r.reverse {
            Some(rev) => row("reverse: min KL(q ‖ target)", &rev.fit),
            None => vec![
                Cell::Text("reverse: none, KL(q ‖ target) = ∞ for every q".into()),
                Cell::Text("—".into()),
                Cell::Text("—".into()),
                Cell::Text("—".into()),
                Cell::Text("∞".into()),
            ],
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
            rows: vec![row("forward: min KL(target ‖ q)", &r.forward), reverse],
        }
    }

    fn figure(&self, r: &Findings) -> Figure {
        let (m, s) = (self.target.mean(), self.target.variance().sqrt());
        let xs = crate::vocab::sweep::linspace(m - 4.5 * s, m + 4.5 * s, 801);
        let density = |d: &dyn Fn(f64) -> f64| xs.iter().map(|&x| d(x).exp()).collect::<Vec<_>>();
        let target = density(&|x| self.target.ln_pdf(x));
        let fwd = density(&|x| r.forward.q.ln_pdf(x));
        let label = |what: &str, f: &Fit| format!("{what}: N({:.3}, {:.3})", f.q.mean(), f.q.std());
        let mut series = vec![
            Series::line("target", color::BLACK, xs.clone(), target, false, None),
            Series::line(
                &label("forward KL(target ‖ q)", &r.forward),
                color::BLUE,
                xs.clone(),
                fwd,
                false,
                None,
            ),
        ];
        let title = match &r.reverse {
            Some(rev) => {
                let ys = density(&|x| rev.fit.q.ln_pdf(x));
                series.push(Series::line(
                    &label("reverse KL(q ‖ target)", &rev.fit),
                    color::VERMILLION,
                    xs,
                    ys,
                    true,
                    None,
                ));
                "Forward and reverse KL fits of a normal"
            }
            None => "Forward KL fit of a normal; no reverse fit (KL(q ‖ target) = ∞)",
        };
        Figure {
            name: "fits".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: title.into(),
                x: Axis::linear("x"),
                y: Axis::linear("density"),
                series,
                legend: Corner::UpperLeft,
            })],
        }
    }
}

/// Index of the smallest finite value (the first, on ties): an infinite
/// divergence is no candidate for the minimum.
fn finite_argmin(values: &[f64]) -> Option<usize> {
    let finite: Vec<f64> = values
        .iter()
        .map(|&v| if v.is_finite() { v } else { f64::NAN })
        .collect();
    argmin(&finite)
}

/// A divergence as JSON: `+∞` as the string `"inf"`, as `likely kl --json`
/// writes it, rather than `null`.
fn divergence(x: f64) -> serde_json::Value {
    crate::json::number(&x, serde_json::value::Serializer).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(src: &str) -> Spec {
        serde_yaml::from_str(src).unwrap()
    }

    #[test]
    fn reverse_fit_is_narrower_and_sits_on_the_heavier_mode() {
        let s = spec(
            "target: {mixture: {weights: [0.3, 0.7], components: [{normal: {mean: -2, std: 0.6}}, {normal: {mean: 1.5, std: 1}}]}}\n\
             sample_size: 20000\n\
             model: {normal: {mean: {linspace: [-4, 4, 81]}, std: {logspace: [0.3, 4, 41]}}}\n\
             draws: 2000\n",
        );
        let r = s.compute(&Ctx::new(2, &|_| {})).unwrap();
        let reverse = &r.reverse.as_ref().expect("a reverse fit").fit;
        assert!(reverse.q.std() < r.forward.q.std());
        assert!((reverse.q.mean() - 1.5).abs() < (reverse.q.mean() + 2.0).abs());
        // Each fit wins at its own objective.
        assert!(r.forward.kl_target_q < reverse.kl_target_q);
        assert!(reverse.kl_q_target < r.forward.kl_q_target);
        // Moment matching: the forward fit has the target's mean and std up to
        // sampling error (std of the target ≈ 1.8, n = 20000).
        assert!((r.forward.q.mean() - 0.45).abs() < 5.0 * 1.8 / (20000f64).sqrt());
        assert!(r.reverse_kl.iter().all(|v| v.is_finite()));
        let out = s.report(&r);
        assert_eq!(out.numbers["reverse"]["exists"], true);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn a_target_on_the_positive_half_line_has_no_reverse_fit() {
        // Every normal puts mass below 0, where a gamma has none: KL(q ‖ target)
        // is infinite everywhere, even at (6, 0.2), where all the draws land
        // above 0 and an average over them would be finite.
        let s = spec(
            "target: {gamma: {shape: 2, rate: 1}}\n\
             sample_size: 2000\n\
             model: {normal: {mean: {linspace: [-1, 6, 15]}, std: {logspace: [0.2, 4, 11]}}}\n\
             draws: 500\n",
        );
        let out = s.report(&s.compute(&Ctx::new(2, &|_| {})).unwrap());
        let reverse = &out.numbers["reverse"];
        assert_eq!(reverse["exists"], false, "{reverse}");
        assert_eq!(reverse["kl_q_target"], "inf");
        assert!(reverse.get("mean").is_none() && reverse.get("std").is_none());
        assert!(out.numbers.get("reverse_cell").is_none());
        assert_eq!(out.numbers["grid"]["reverse_kl_infinite"], 15 * 11);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("no reverse fit"), "{}", out.warnings[0]);
        let Panel::Plot(plot) = &out.figures[0].panels[0] else {
            panic!("a plot")
        };
        assert!(plot.series.iter().all(|s| !s.label.contains("reverse")));
        assert_eq!(out.tables[0].formatted()[1][4], "∞");
        // The forward fit is unaffected: a gamma(2, 1) has mean 2 and std √2,
        // which the normal MLE matches up to sampling error (n = 2000).
        let forward = &out.numbers["forward"];
        let se = 2f64.sqrt() / 2000f64.sqrt();
        assert!((forward["mean"].as_f64().unwrap() - 2.0).abs() < 5.0 * se);
        assert!((forward["std"].as_f64().unwrap() - 2f64.sqrt()).abs() < 5.0 * se);
        // KL(normal ‖ gamma) is infinite too; KL(gamma ‖ normal) is not.
        assert_eq!(forward["kl_q_target"], "inf");
        assert!(forward["kl_target_q"].as_f64().unwrap().is_finite());
    }

    #[test]
    fn the_reverse_minimum_is_over_finite_points_only() {
        let inf = f64::INFINITY;
        assert_eq!(finite_argmin(&[inf, 0.7, f64::NAN, 0.5, inf]), Some(3));
        assert_eq!(finite_argmin(&[inf, inf]), None);
    }
}
