//! `elbo_gap`: the evidence, the ELBO, and the gap between them.
//!
//! A latent-variable model `z ~ N(0, 1)`, `x | z ~ N(w z + b, s)` has a
//! closed-form evidence `p(x) = N(x; b, √(w² + s²))` and a normal posterior.
//! Over a grid of variational normals `q = N(m, t)`, the ELBO is computed by
//! Monte Carlo (reparameterised draws, the same for every grid point) and in
//! closed form; the gap `ln p(x) − ELBO(q)` equals `KL(q ‖ p(z | x))`,
//! which the report checks at every grid point.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size, argmax, scale_of};
use crate::chart::{Axis, Corner, Figure, Heatmap, Marker, Panel, Plot, Series, color};
use crate::dist::syntax::{Positive, Real};
use crate::dist::{Dist, LN_SQRT_2PI, Normal, Univariate};
use crate::numeric::sum;
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::sweep::{Count, NormalGrid};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The latent-variable model.
    pub model: LatentModel,
    /// The observation.
    pub x: Real,
    /// The grid of variational normals `q(z) = N(mean, std)`.
    pub q: NormalGrid,
    /// Standard-normal draws per grid point for the Monte Carlo ELBO.
    pub draws: Count,
}

/// Latent-variable models with a closed-form evidence.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatentModel {
    /// `z ~ N(0, 1)`, `x | z ~ N(w z + b, s)`.
    LinearGaussian(LinearGaussian),
}

/// `z ~ N(0, 1)`, `x | z ~ N(w z + b, s)`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LinearGaussian {
    /// Loading.
    pub w: Real,
    /// Offset.
    pub b: Real,
    /// Noise standard deviation.
    pub s: Positive,
}

impl LinearGaussian {
    /// `ln p(x) = ln N(x; b, √(w² + s²))`.
    pub fn log_evidence(&self, x: f64) -> f64 {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let sd = (w * w + s * s).sqrt();
        let z = (x - b) / sd;
        -0.5 * z * z - sd.ln() - LN_SQRT_2PI
    }

    /// The posterior `p(z | x)`, normal with precision `1 + w²/s²`.
    ///
    /// # Errors
    /// Never for a valid model; the `Result` carries [`Normal::new`]'s checks.
    pub fn posterior(&self, x: f64) -> anyhow::Result<Normal> {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let var = 1.0 / (1.0 + w * w / (s * s));
        Ok(Normal::new(var * w * (x - b) / (s * s), var.sqrt())?)
    }

    /// `ln p(x | z) + ln p(z)`.
    #[inline]
    pub fn log_joint(&self, x: f64, z: f64) -> f64 {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let r = (x - w * z - b) / s;
        -0.5 * r * r - s.ln() - LN_SQRT_2PI - 0.5 * z * z - LN_SQRT_2PI
    }

    /// `E_q[ln p(x | z)] + E_q[ln p(z)] + H(q)` for `q = N(m, t)`.
    pub fn elbo(&self, x: f64, m: f64, t: f64) -> f64 {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let r = x - b - w * m;
        let likelihood = -LN_SQRT_2PI - s.ln() - (r * r + w * w * t * t) / (2.0 * s * s);
        let prior = -LN_SQRT_2PI - 0.5 * (m * m + t * t);
        let entropy = 0.5 + LN_SQRT_2PI + t.ln();
        likelihood + prior + entropy
    }
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// `ln p(x)`.
    pub log_px: f64,
    /// `p(z | x)`.
    pub posterior: Normal,
    /// Monte Carlo ELBO, `[i * n1 + j]`.
    pub elbo_mc: Vec<f64>,
    /// Closed-form ELBO, `[i * n1 + j]`.
    pub elbo_cf: Vec<f64>,
    /// `KL(q ‖ p(z | x))`, `[i * n1 + j]`.
    pub kl: Vec<f64>,
    /// `max |ln p(x) − ELBO − KL|` over the grid, closed-form ELBO.
    pub gap_error_cf: f64,
    /// The same with the Monte Carlo ELBO.
    pub gap_error_mc: f64,
    /// Grid index of the largest Monte Carlo ELBO.
    pub best_mc: usize,
    /// Grid index of the largest closed-form ELBO.
    pub best_cf: usize,
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        let (n0, n1) = self.q.0.shape();
        Size::uniform(n0 * n1, self.draws.0)
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let LatentModel::LinearGaussian(model) = &self.model;
        let x = self.x.0;
        let log_px = model.log_evidence(x);
        let posterior = model.posterior(x)?;
        let post = Dist::Normal(posterior.clone());

        let mut rng = ctx.rng(&[0]);
        let standard = Normal::standard();
        let eps: Vec<f64> = (0..self.draws.0)
            .map(|_| standard.sample(&mut rng))
            .collect();
        let k = eps.len() as f64;
        let mean_ln_phi = standard.sum_ln_pdf(&eps) / k;

        let grid = &self.q.0;
        let (n0, n1) = grid.shape();
        let cells: Vec<(f64, f64, f64)> = (0..n0 * n1)
            .into_par_iter()
            .map(|cell| {
                let q = grid.dist(cell / n1, cell % n1)?;
                let (m, t) = (q.mean(), q.variance().sqrt());
                // ln q(z) = ln φ(ε) − ln t for z = m + t ε.
                let joint = sum::lanes(&eps, |e| model.log_joint(x, m + t * e)) / k;
                let mc = joint - (mean_ln_phi - t.ln());
                let divergence = kl::kl(&q, &post).context("KL(q ‖ posterior)")?.value;
                ctx.tick(self.draws.0 as u64);
                Ok((mc, model.elbo(x, m, t), divergence))
            })
            .collect::<anyhow::Result<_>>()?;
        let elbo_mc: Vec<f64> = cells.iter().map(|c| c.0).collect();
        let elbo_cf: Vec<f64> = cells.iter().map(|c| c.1).collect();
        let kl: Vec<f64> = cells.iter().map(|c| c.2).collect();
        let gap_error = |elbo: &[f64]| {
            elbo.iter()
                .zip(&kl)
                .map(|(e, d)| ((log_px - e) - d).abs())
                .fold(0.0, f64::max)
        };
        Ok(Findings {
            log_px,
            posterior,
            gap_error_cf: gap_error(&elbo_cf),
            gap_error_mc: gap_error(&elbo_mc),
            best_mc: argmax(&elbo_mc).context("the ELBO is NaN everywhere")?,
            best_cf: argmax(&elbo_cf).context("the ELBO is NaN everywhere")?,
            elbo_mc,
            elbo_cf,
            kl,
        })
    }

    fn placeholder(&self) -> Findings {
        let (n0, n1) = self.q.0.shape();
        Findings {
            log_px: 1.0,
            posterior: Normal::standard(),
            elbo_mc: vec![1.0; n0 * n1],
            elbo_cf: vec![1.0; n0 * n1],
            kl: vec![1.0; n0 * n1],
            gap_error_cf: 1.0,
            gap_error_mc: 1.0,
            best_mc: 0,
            best_cf: 0,
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let LatentModel::LinearGaussian(model) = &self.model;
        let (ax0, ax1) = self.q.0.swept_axes();
        let n1 = ax1.values.len();
        let at = |k: usize, elbo: f64| {
            json!({
                "elbo": elbo,
                "mean": ax0.values[k / n1],
                "std": ax1.values[k % n1],
                "i": k / n1,
                "j": k % n1,
                "gap": r.log_px - elbo,
            })
        };
        let numbers = json!({
            "model": { "w": model.w.0, "b": model.b.0, "s": model.s.0 },
            "x": self.x.0,
            "log_px": r.log_px,
            "posterior": { "mean": r.posterior.mean(), "std": r.posterior.std() },
            "draws": self.draws.0,
            "max_elbo": at(r.best_mc, r.elbo_mc[r.best_mc]),
            "max_elbo_closed_form": at(r.best_cf, r.elbo_cf[r.best_cf]),
            "gap_error_closed_form": r.gap_error_cf,
            "gap_error_mc": r.gap_error_mc,
        });
        Outcome {
            numbers,
            tables: vec![self.table(r)],
            figures: vec![self.surface(r), self.slice(r)],
            warnings: Vec::new(),
        }
    }
}

impl Spec {
    fn table(&self, r: &Findings) -> Table {
        let (ax0, ax1) = self.q.0.swept_axes();
        let n1 = ax1.values.len();
        let text = |a: &str, b: String| vec![Cell::Text(a.into()), Cell::Text(b)];
        let best = |k: usize, e: f64| {
            format!(
                "{e:.6} at (m, t) = ({:.3}, {:.4})",
                ax0.values[k / n1],
                ax1.values[k % n1]
            )
        };
        Table {
            name: "summary".into(),
            columns: vec![
                Column::new("quantity", Format::Int),
                Column::new("value", Format::Int),
            ],
            rows: vec![
                text("log p(x), closed form", format!("{:.9}", r.log_px)),
                text(
                    "posterior p(z | x)",
                    format!("N({:.6}, {:.6})", r.posterior.mean(), r.posterior.std()),
                ),
                text(
                    "max ELBO, Monte Carlo",
                    best(r.best_mc, r.elbo_mc[r.best_mc]),
                ),
                text(
                    "max ELBO, closed form",
                    best(r.best_cf, r.elbo_cf[r.best_cf]),
                ),
                text(
                    "max |gap − KL|, closed form",
                    format!("{:.2e}", r.gap_error_cf),
                ),
                text(
                    "max |gap − KL|, Monte Carlo",
                    format!("{:.2e}", r.gap_error_mc),
                ),
            ],
        }
    }

    fn surface(&self, r: &Findings) -> Figure {
        let (ax0, ax1) = self.q.0.swept_axes();
        let post = &r.posterior;
        let n1 = ax1.values.len();
        Figure {
            name: "surface".into(),
            width: 640,
            height: 460,
            panels: vec![Panel::Heatmap(Heatmap {
                title: "ELBO of q = N(m, t), Monte Carlo".into(),
                x: Axis {
                    label: "m (mean of q)".into(),
                    scale: scale_of(&ax0.values),
                    range: None,
                },
                y: Axis {
                    label: "t (std of q)".into(),
                    scale: scale_of(&ax1.values),
                    range: None,
                },
                xs: ax0.values.clone(),
                ys: ax1.values.clone(),
                z: r.elbo_mc.clone(),
                z_label: "ELBO (nats), clipped at log p(x) − 10".into(),
                z_range: Some([r.log_px - 10.0, r.log_px]),
                overlays: vec![
                    Series::point(
                        &format!("posterior N({:.3}, {:.3})", post.mean(), post.std()),
                        color::ORANGE,
                        post.mean(),
                        post.std(),
                        Marker::Star,
                    ),
                    Series::point(
                        "max ELBO on the grid",
                        color::VERMILLION,
                        ax0.values[r.best_mc / n1],
                        ax1.values[r.best_mc % n1],
                        Marker::Cross,
                    ),
                ],
                legend: Corner::UpperLeft,
            })],
        }
    }

    fn slice(&self, r: &Findings) -> Figure {
        let (ax0, ax1) = self.q.0.swept_axes();
        let n1 = ax1.values.len();
        let j = r.best_mc % n1;
        let column = |v: &[f64]| {
            (0..ax0.values.len())
                .map(|i| v[i * n1 + j])
                .collect::<Vec<_>>()
        };
        Figure {
            name: "slice".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: format!("ELBO along m at t = {:.4}", ax1.values[j]),
                x: Axis::linear("m (mean of q)"),
                y: Axis::linear("nats").with_range(r.log_px - 6.0, r.log_px + 0.5),
                series: vec![
                    Series::line(
                        "ELBO, Monte Carlo",
                        color::BLUE,
                        ax0.values.clone(),
                        column(&r.elbo_mc),
                        false,
                        None,
                    ),
                    Series::line(
                        "ELBO, closed form",
                        color::VERMILLION,
                        ax0.values.clone(),
                        column(&r.elbo_cf),
                        true,
                        None,
                    ),
                    Series::hline(
                        &format!("log p(x) = {:.4}", r.log_px),
                        color::BLACK,
                        r.log_px,
                        true,
                    ),
                ],
                legend: Corner::LowerRight,
            })],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        crate::yaml::from_yaml(
            "model: {linear_gaussian: {w: 2.0, b: 0.5, s: 0.8}}\nx: 1.7\n\
             q: {normal: {mean: {linspace: [-2, 2, 41]}, std: {logspace: [0.05, 2, 40]}}}\ndraws: 500\n",
        )
        .unwrap()
    }

    #[test]
    fn evidence_and_posterior_match_their_closed_forms() {
        let LatentModel::LinearGaussian(m) = spec().model;
        assert!((m.log_evidence(1.7) - -1.841_468_130_116_858).abs() < 1e-12);
        let post = m.posterior(1.7).unwrap();
        assert!((post.mean() - 0.517_241_4).abs() < 1e-7);
        assert!((post.std() - 0.371_390_7).abs() < 1e-7);
    }

    #[test]
    fn closed_form_gap_equals_kl_to_the_posterior_everywhere() {
        let r = spec().compute(&Ctx::new(1, &|_| {})).unwrap();
        assert!(r.gap_error_cf < 1e-9, "{}", r.gap_error_cf);
        // The ELBO never exceeds the evidence (closed form, exactly).
        assert!(r.elbo_cf.iter().all(|&e| e <= r.log_px + 1e-12));
    }

    #[test]
    fn elbo_integrand_is_the_log_joint_minus_log_q() {
        let LatentModel::LinearGaussian(m) = spec().model;
        // Independent check of the closed-form ELBO by quadrature over z.
        let (mq, tq) = (0.3, 0.7);
        let q = Normal::new(mq, tq).unwrap();
        let integral = crate::numeric::quad::integrate(
            |z| q.ln_pdf(z).exp() * (m.log_joint(1.7, z) - q.ln_pdf(z)),
            f64::NEG_INFINITY,
            f64::INFINITY,
            Default::default(),
        )
        .unwrap();
        assert!((integral.value - m.elbo(1.7, mq, tq)).abs() < 1e-10);
    }
}
