//! `forward_vs_reverse`: fitting a model family to a target by forward and
//! by reverse KL.
//!
//! Forward, `min KL(target ‖ q)`, is maximum likelihood on a sample of the
//! target (for a normal `q`, moment matching), with the parameters the grid
//! fixes held fixed. Reverse, `min KL(q ‖ target)`, is found on the grid,
//! each divergence estimated from common random numbers so that the
//! surface is smooth and its argmin stable:
//!
//! - for a location–scale grid (normal, laplace, student_t with `df`
//!   fixed), the same draws of the family's standard variable `Z`, shifted
//!   and scaled to every point, with `ln q(loc + scale z) = ln q₀(z) − ln
//!   scale`;
//! - for any other continuous family, the draws at every point come from
//!   one and the same stream, `q`'s own sampler run on it. Where the
//!   sampler turns the stream's numbers into a draw by a function of the
//!   parameters (an exponential's rate, a log-normal's parameters, a
//!   gamma's rate at a fixed shape) these are common random numbers
//!   exactly; where it rejects (a gamma's shape, a beta), they are coupled
//!   less closely, but still one fixed stream, whatever the thread.
//!
//! Forward covers all of the target's mass; reverse locks onto one mode.
//!
//! Both divergences are also mapped over the whole grid: `KL(target ‖ q)`
//! exactly at every point (a closed form, the target's moments against a
//! normal `q`, or quadrature; Monte Carlo only where quadrature fails, and
//! then the numbers say so), `KL(q ‖ target)` on the common draws. Each
//! map's minimum on the grid is reported, and the figure `surfaces` draws
//! both on a log colour scale (curves, for a grid sweeping one
//! parameter), with the minima and the maximum-likelihood fit marked.
//!
//! Where `q` puts mass that the target lacks (a target on `(0, ∞)`), or
//! has tails too heavy for it, `KL(q ‖ target)` is `+∞`, however few of
//! the common draws land there: such grid points are infinite, the reverse
//! fit is the minimum over the finite ones, and when there are none the
//! report says that no reverse fit exists instead of offering one.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size, argmin, scale_of};
use crate::chart::{Axis, Corner, Figure, Heatmap, Marker, Panel, Plot, Series, color};
use crate::dist::{Dist, FitError, Univariate, number_label};
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::sweep::{ContinuousGrid, Count, Grid};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The distribution to approximate.
    pub target: Dist,
    /// Draws from the target for the forward (maximum-likelihood) fit.
    pub sample_size: Count,
    /// The grid searched for the reverse fit: a continuous family, one or
    /// two parameters swept, the others fixed (and held fixed by the
    /// forward fit too).
    pub model: ContinuousGrid,
    /// Draws per grid point for the reverse divergence.
    pub draws: Count,
    /// Density axis on a log scale, so that tails can be compared.
    #[serde(default, skip_serializing_if = "is_false")]
    pub log_density: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One fitted member of the model family and its divergences.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The fit.
    pub q: Dist,
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
    /// Grid indices of the fit (`j` is 0 on a curve).
    pub cell: (usize, usize),
}

/// The grid point where `KL(target ‖ q)` is smallest.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardOnGrid {
    /// The member of the family there.
    pub q: Dist,
    /// Grid indices (`j` is 0 on a curve).
    pub cell: (usize, usize),
    /// `KL(target ‖ q)`, as on the grid.
    pub kl_target_q: f64,
    /// `KL(q ‖ target)` by quadrature.
    pub kl_q_target: f64,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// The forward fit (its `kl_mc` is `KL(target ‖ q)` on the sample).
    pub forward: Fit,
    /// The forward divergence's minimum on the grid: `None` when it is
    /// infinite at every grid point.
    pub forward_grid: Option<ForwardOnGrid>,
    /// `KL(target ‖ q)` at each grid point, `[i * n1 + j]`.
    pub forward_kl: Vec<f64>,
    /// How the least exact of `forward_kl` was computed.
    pub forward_kl_method: kl::Method,
    /// The reverse fit: `None` when `KL(q ‖ target)` is infinite at every
    /// grid point, so that no member on the grid minimises it.
    pub reverse: Option<Reverse>,
    /// `KL(q ‖ target)` at each grid point, `[i * n1 + j]`: `+∞` where `q`
    /// puts mass the target lacks, else estimated on the draws.
    pub reverse_kl: Vec<f64>,
    /// The sample's 0.1% and 99.9% quantiles: where the figure looks when
    /// the target has no variance to measure its spread by.
    pub sample_span: [f64; 2],
}

/// How the forward fit holds the grid's fixed parameters.
fn forward_plan(grid: &Grid) -> Result<Option<(&'static str, f64)>, String> {
    let family = grid.family;
    if !family.has_fit {
        return Err(format!(
            "the {} family has no maximum-likelihood fit, so there is no forward fit",
            family.name
        ));
    }
    match grid.fixed()[..] {
        [] => Ok(None),
        // Families refuse a parameter they cannot hold before they look at
        // the data, so an empty sample tells.
        [(param, value)] => match family.fit_fixed(&[], param, value) {
            Err(e @ FitError::CannotFix { .. }) => Err(format!(
                "{e}, which the forward fit (maximum likelihood, the grid's fixed parameters held) needs; sweep `{param}` too"
            )),
            _ => Ok(Some((param, value))),
        },
        ref fixed => {
            let names: Vec<&str> = fixed.iter().map(|(p, _)| *p).collect();
            Err(format!(
                "the forward fit holds at most one parameter fixed, and this grid fixes {}; sweep more of them",
                names.join(", ")
            ))
        }
    }
}

/// How far a method is from exact, for reporting the least exact of many.
fn inexactness(m: kl::Method) -> u8 {
    match m {
        kl::Method::ClosedForm => 0,
        kl::Method::Summation => 1,
        kl::Method::Quadrature => 2,
        kl::Method::MonteCarlo => 3,
    }
}

impl Spec {
    /// `KL(target ‖ q)` at every grid point, and the least exact method
    /// among them. The target's entropy is computed once: against a normal
    /// `q` each point then needs only the target's moments.
    fn forward_kl(&self) -> anyhow::Result<(Vec<f64>, kl::Method)> {
        let grid = self.grid();
        let (_, n1) = grid.shape();
        let entropy = kl::entropy(&self.target).context("the entropy of the target")?;
        let values: Vec<kl::Value> = (0..grid.points())
            .into_par_iter()
            .map(|cell| {
                let q = grid.dist(cell / n1, cell % n1)?;
                kl::kl_knowing_entropy(&self.target, &q, &entropy)
                    .with_context(|| format!("KL(target ‖ {})", q.label()))
            })
            .collect::<anyhow::Result<_>>()?;
        let method = values
            .iter()
            .map(|v| v.method)
            .max_by_key(|&m| inexactness(m))
            .unwrap_or(kl::Method::ClosedForm);
        Ok((values.iter().map(|v| v.value).collect(), method))
    }

    /// The grid point of least forward divergence.
    fn forward_on_grid(&self, forward_kl: &[f64]) -> anyhow::Result<Option<ForwardOnGrid>> {
        let grid = self.grid();
        let (_, n1) = grid.shape();
        match finite_argmin(forward_kl) {
            Some(best) => {
                let cell = (best / n1, best % n1);
                let q = grid.dist(cell.0, cell.1)?;
                let kl_q_target = kl::kl(&q, &self.target)
                    .context("KL(q ‖ target) by quadrature")?
                    .value;
                Ok(Some(ForwardOnGrid {
                    q,
                    cell,
                    kl_target_q: forward_kl[best],
                    kl_q_target,
                }))
            }
            None if forward_kl.iter().all(|&v| v == f64::INFINITY) => Ok(None),
            None => anyhow::bail!("the forward divergence is NaN at every grid point"),
        }
    }

    fn divergences(&self, q: &Dist) -> anyhow::Result<(f64, f64)> {
        let forward = kl::kl(&self.target, q).context("KL(target ‖ q) by quadrature")?;
        let reverse = kl::kl(q, &self.target).context("KL(q ‖ target) by quadrature")?;
        Ok((forward.value, reverse.value))
    }

    fn grid(&self) -> &Grid {
        &self.model.0
    }

    /// `KL(q ‖ target)` at every grid point, from common random numbers.
    fn reverse_kl(&self, ctx: &Ctx<'_>) -> anyhow::Result<Vec<f64>> {
        let grid = self.grid();
        let (_, n1) = grid.shape();
        let draws = self.draws.0;
        // The draws may all miss where the target has no mass (far out in
        // q's tail); the divergence is infinite regardless.
        let diverges = |q: &Dist| kl::diverges(q, &self.target);
        match grid.location_scale() {
            Some(shift) => {
                let mut rng = ctx.rng(&[1]);
                let standard = &shift.standard;
                let mut eps = vec![0.0; draws];
                standard.sample_into(&mut rng, &mut eps);
                let mean_ln_q0 = standard.sum_ln_pdf(&eps) / eps.len() as f64;
                // KL(q ‖ target) ≈ mean_k [ln q(z_k) − ln target(z_k)],
                // z_k = loc + scale ε_k, where ln q(z_k) = ln q₀(ε_k) − ln scale.
                (0..grid.points())
                    .into_par_iter()
                    .map(|cell| {
                        let (i, j) = (cell / n1, cell % n1);
                        let q = grid.dist(i, j)?;
                        ctx.tick(draws as u64);
                        if diverges(&q) {
                            return Ok(f64::INFINITY);
                        }
                        let (loc, scale) = shift.at(grid, i, j);
                        let log_target = self.target.sum_ln_pdf_affine(&eps, loc, scale);
                        Ok(mean_ln_q0 - scale.ln() - log_target / eps.len() as f64)
                    })
                    .collect()
            }
            None => (0..grid.points())
                .into_par_iter()
                .map(|cell| {
                    let q = grid.dist(cell / n1, cell % n1)?;
                    ctx.tick(draws as u64);
                    if diverges(&q) {
                        return Ok(f64::INFINITY);
                    }
                    // The same stream at every point: see the module's doc.
                    let mut rng = ctx.rng(&[1]);
                    let mut zs = vec![0.0; draws];
                    q.sample_into(&mut rng, &mut zs);
                    Ok((q.sum_ln_pdf(&zs) - self.target.sum_ln_pdf(&zs)) / zs.len() as f64)
                })
                .collect(),
        }
    }
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        Size::uniform(self.grid().points(), self.draws.0)
    }

    /// The target is a density, and the forward fit must exist for the
    /// grid: a family with a fit that can hold the grid's fixed parameters.
    fn validate(&self) -> Result<(), String> {
        if self.target.is_discrete() {
            return Err(format!(
                "target: {} is discrete (masses on whole numbers); the target is a continuous \
                 distribution, with a density, as the model is",
                self.target.label()
            ));
        }
        forward_plan(self.grid())
            .map(|_| ())
            .map_err(|e| format!("model: {e}"))
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let mut rng = ctx.rng(&[0]);
        let mut xs = vec![0.0; self.sample_size.0];
        self.target.sample_into(&mut rng, &mut xs);
        let grid = self.grid();
        let family = grid.family;
        let forward_q = match forward_plan(grid).map_err(anyhow::Error::msg)? {
            None => family.fit(&xs),
            Some((param, value)) => family.fit_fixed(&xs, param, value),
        }
        .context("the forward fit")?;
        let n = xs.len() as f64;
        let forward_mc = (self.target.sum_ln_pdf(&xs) - forward_q.sum_ln_pdf(&xs)) / n;

        let reverse_kl = self.reverse_kl(ctx)?;
        let (_, n1) = grid.shape();
        let reverse = match finite_argmin(&reverse_kl) {
            Some(best) => {
                let q = grid.dist(best / n1, best % n1)?;
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

        let (forward_kl, forward_kl_method) = self.forward_kl()?;
        let forward_grid = self.forward_on_grid(&forward_kl)?;
        let (f_tq, f_qt) = self.divergences(&forward_q)?;
        Ok(Findings {
            forward: Fit {
                q: forward_q,
                kl_mc: forward_mc,
                kl_target_q: f_tq,
                kl_q_target: f_qt,
            },
            forward_grid,
            forward_kl,
            forward_kl_method,
            reverse,
            reverse_kl,
            sample_span: span(xs),
        })
    }

    fn placeholder(&self) -> Findings {
        let grid = self.grid();
        let fit = Fit {
            // Every point of a grid that was read is a member.
            q: grid.dist(0, 0).unwrap_or_else(|_| self.target.clone()),
            kl_mc: 1.0,
            kl_target_q: 1.0,
            kl_q_target: 1.0,
        };
        Findings {
            forward_grid: Some(ForwardOnGrid {
                q: fit.q.clone(),
                cell: (0, 0),
                kl_target_q: 1.0,
                kl_q_target: 1.0,
            }),
            forward_kl: vec![1.0; grid.points()],
            forward_kl_method: kl::Method::ClosedForm,
            forward: fit.clone(),
            reverse: Some(Reverse { fit, cell: (0, 0) }),
            reverse_kl: vec![1.0; grid.points()],
            sample_span: [-1.0, 1.0],
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let fit = |f: &Fit, mc_key: &str| {
            let mut fields = serde_json::Map::new();
            for (def, value) in f.q.family().params.iter().zip(f.q.scalar_params()) {
                fields.insert(def.name.into(), json!(value));
            }
            fields.insert(mc_key.into(), divergence(f.kl_mc));
            fields.insert("kl_target_q".into(), divergence(f.kl_target_q));
            fields.insert("kl_q_target".into(), divergence(f.kl_q_target));
            serde_json::Value::Object(fields)
        };
        let infinite = |v: &[f64]| v.iter().filter(|v| v.is_infinite()).count();
        let mut numbers = json!({
            "target": self.target.label(),
            "sample_size": self.sample_size.0,
            "draws": self.draws.0,
            "forward": fit(&r.forward, "kl_target_q_mc"),
            "grid": {
                "points": r.reverse_kl.len(),
                "reverse_kl_infinite": infinite(&r.reverse_kl),
                "forward_kl_infinite": infinite(&r.forward_kl),
                "forward_kl_method": r.forward_kl_method,
            },
        });
        let mut warnings = Vec::new();
        let family = self.grid().family.name;
        let cell = |(i, j): (usize, usize)| {
            if self.grid().is_curve() {
                json!({ "i": i })
            } else {
                json!({ "i": i, "j": j })
            }
        };
        match &r.forward_grid {
            Some(g) => {
                let mut fields = serde_json::Map::new();
                for (def, value) in g.q.family().params.iter().zip(g.q.scalar_params()) {
                    fields.insert(def.name.into(), json!(value));
                }
                fields.insert("kl_target_q".into(), divergence(g.kl_target_q));
                fields.insert("kl_q_target".into(), divergence(g.kl_q_target));
                fields.insert("exists".into(), json!(true));
                numbers["forward_grid"] = fields.into();
                numbers["forward_cell"] = cell(g.cell);
            }
            None => {
                numbers["forward_grid"] =
                    json!({ "exists": false, "kl_target_q": divergence(f64::INFINITY) });
                warnings.push(format!(
                    "KL(target ‖ q) is +∞ for every {family} q on the grid ({} points): {} puts \
                     mass where a {family} has none, or has tails too heavy for it \
                     (forward_grid.exists is false)",
                    r.forward_kl.len(),
                    self.target.label()
                ));
            }
        }
        if r.forward_kl_method == kl::Method::MonteCarlo {
            warnings.push(
                "quadrature did not converge for KL(target ‖ q) at some grid points, which hold \
                 Monte Carlo estimates (grid.forward_kl_method)"
                    .into(),
            );
        }
        match &r.reverse {
            Some(rev) => {
                numbers["reverse"] = fit(&rev.fit, "kl_q_target_mc");
                numbers["reverse"]["exists"] = json!(true);
                numbers["reverse_cell"] = cell(rev.cell);
            }
            None => {
                // The fields of a fit are absent rather than null, so that
                // a post quoting `reverse.mean` stops at that line instead
                // of printing a fit that does not exist.
                numbers["reverse"] = json!({ "exists": false, "kl_q_target": divergence(f64::INFINITY) });
                warnings.push(format!(
                    "KL(q ‖ target) is +∞ for every {family} q on the grid ({} points): a {family} \
                     puts mass where {} has none, or has tails too heavy for it, so no {family} \
                     minimises the reverse divergence; no reverse fit is reported or drawn \
                     (reverse.exists is false)",
                    r.reverse_kl.len(),
                    self.target.label()
                ));
            }
        }
        Outcome {
            numbers,
            tables: vec![self.table(r)],
            figures: vec![self.figure(r), self.maps(r)],
            warnings,
        }
    }
}

impl Spec {
    fn table(&self, r: &Findings) -> Table {
        let swept = &self.grid().swept;
        let row = |label: &str, f: &Fit| {
            let params = f.q.scalar_params();
            let mut row = vec![Cell::Text(label.into())];
            row.extend(swept.iter().map(|&k| Cell::Num(params[k])));
            row.push(Cell::Num(f.kl_target_q));
            row.push(Cell::Num(f.kl_q_target));
            row
        };
        let reverse = match &r.reverse {
            Some(rev) => row("reverse: min KL(q ‖ target)", &rev.fit),
            None => {
                let mut row = vec![Cell::Text(
                    "reverse: none, KL(q ‖ target) = ∞ for every q".into(),
                )];
                row.extend(swept.iter().map(|_| Cell::Text("—".into())));
                row.push(Cell::Text("—".into()));
                row.push(Cell::Text("∞".into()));
                row
            }
        };
        let mut columns = vec![Column::new("fit", Format::Int)];
        for &k in swept {
            let name = self.grid().axes[k].param;
            columns.push(Column::new(&format!("`{name}`"), Format::Fixed(4)));
        }
        columns.push(Column::new("KL(target ‖ q)", Format::Fixed(4)));
        columns.push(Column::new("KL(q ‖ target)", Format::Fixed(4)));
        Table {
            name: "fits".into(),
            columns,
            rows: vec![row("forward: min KL(target ‖ q)", &r.forward), reverse],
        }
    }

    /// How a fit is named in the legend: `N(mean, std)` for a normal, as
    /// the published figure has it; `family(name=value, ...)` otherwise,
    /// fixed parameters as written and fitted ones to three decimals.
    fn fit_label(&self, q: &Dist) -> String {
        let params = q.scalar_params();
        if q.family().name == "normal" {
            return format!("N({:.3}, {:.3})", params[0], params[1]);
        }
        let swept = &self.grid().swept;
        let parts: Vec<String> = q
            .family()
            .params
            .iter()
            .zip(&params)
            .enumerate()
            .map(|(k, (def, v))| {
                if swept.contains(&k) {
                    format!("{}={v:.3}", def.name)
                } else {
                    format!("{}={}", def.name, number_label(*v))
                }
            })
            .collect();
        format!("{}({})", q.family().name, parts.join(", "))
    }

    fn figure(&self, r: &Findings) -> Figure {
        let (m, s) = (self.target.mean(), self.target.variance().sqrt());
        // Four and a half standard deviations each side; a target without a
        // variance (a t with df ≤ 2) is shown over its sample's central
        // 99.8%, where its tails can be seen.
        let (lo, hi) = if m.is_finite() && s.is_finite() && s > 0.0 {
            (m - 4.5 * s, m + 4.5 * s)
        } else {
            let [a, b] = r.sample_span;
            let pad = 0.05 * (b - a);
            (a - pad, b + pad)
        };
        let xs = crate::vocab::sweep::linspace(lo, hi, 801);
        let density = |d: &dyn Fn(f64) -> f64| xs.iter().map(|&x| d(x).exp()).collect::<Vec<_>>();
        let target = density(&|x| self.target.ln_pdf(x));
        let fwd = density(&|x| r.forward.q.ln_pdf(x));
        let label = |what: &str, f: &Fit| format!("{what}: {}", self.fit_label(&f.q));
        let mut peak = target.iter().chain(&fwd).fold(0.0f64, |m, &v| m.max(v));
        let target_floor = target
            .iter()
            .filter(|v| **v > 0.0 && v.is_finite())
            .fold(f64::INFINITY, |m, &v| m.min(v));
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
        let family = self.grid().family.name;
        let title = match &r.reverse {
            Some(rev) => {
                let ys = density(&|x| rev.fit.q.ln_pdf(x));
                peak = ys.iter().fold(peak, |m, &v| m.max(v));
                series.push(Series::line(
                    &label("reverse KL(q ‖ target)", &rev.fit),
                    color::VERMILLION,
                    xs,
                    ys,
                    true,
                    None,
                ));
                format!("Forward and reverse KL fits of a {family}")
            }
            None => format!("Forward KL fit of a {family}; no reverse fit (KL(q ‖ target) = ∞)"),
        };
        let y = if self.log_density && peak.is_finite() && peak > 0.0 {
            // From a tenth of the target's least density on the range (its
            // tails are the point), but no more than twelve decades below
            // the peak, where a fit's tails would only flatten the rest.
            let floor = (target_floor / 10.0).max(peak * 1e-12).min(peak / 10.0);
            Axis::log("density (log scale)").with_range(floor, peak * 2.0)
        } else {
            Axis::linear("density")
        };
        Figure {
            name: "fits".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title,
                x: Axis::linear("x"),
                y,
                series,
                legend: if self.log_density {
                    Corner::LowerLeft
                } else {
                    Corner::UpperLeft
                },
            })],
        }
    }
}

impl Spec {
    /// The figure `surfaces`: both divergences over the grid, each on a log
    /// scale with its minimum marked, and the maximum-likelihood fit on the
    /// forward one; curves when the grid sweeps one parameter.
    fn maps(&self, r: &Findings) -> Figure {
        let grid = self.grid();
        let ax0 = grid.first_axis();
        let Some(ax1) = grid.second_axis() else {
            return self.curves(r);
        };
        let axis = |a: &crate::vocab::sweep::Axis| Axis {
            label: a.param.to_string(),
            scale: scale_of(&a.values),
            range: None,
        };
        let (k0, k1) = (grid.swept[0], grid.swept[1]);
        let at = |q: &Dist| {
            let p = q.scalar_params();
            (p[k0], p[k1])
        };
        let mark = |what: &str, q: &Dist, colour, marker| {
            let (x, y) = at(q);
            Series::point(&format!("{what} ({x:.3}, {y:.3})"), colour, x, y, marker)
        };
        let mut forward = Vec::new();
        if let Some(g) = &r.forward_grid {
            forward.push(mark("grid argmin", &g.q, color::ORANGE, Marker::Star));
        }
        forward.push(mark("MLE", &r.forward.q, color::VERMILLION, Marker::Cross));
        let reverse = r
            .reverse
            .iter()
            .map(|rev| mark("grid argmin", &rev.fit.q, color::ORANGE, Marker::Star))
            .collect();
        let panel = |title: String, values: &[f64], overlays| {
            Panel::Heatmap(Heatmap {
                title: blank_where_infinite(title, values),
                x: axis(ax0),
                y: axis(ax1),
                xs: ax0.values.clone(),
                ys: ax1.values.clone(),
                z: log10_positive(values),
                z_label: "log₁₀ KL (nats)".into(),
                z_range: None,
                overlays,
                legend: Corner::UpperRight,
            })
        };
        Figure {
            name: "surfaces".into(),
            width: 1100,
            height: 460,
            panels: vec![
                panel(
                    "log₁₀ KL(target ‖ q)".into(),
                    &r.forward_kl,
                    forward,
                ),
                panel(
                    format!("log₁₀ KL(q ‖ target), {} common draws", self.draws.0),
                    &r.reverse_kl,
                    reverse,
                ),
            ],
        }
    }

    /// A grid sweeping one parameter: both divergences against it, on a log
    /// scale over the four decades above the lower minimum.
    fn curves(&self, r: &Findings) -> Figure {
        let grid = self.grid();
        let axis = grid.first_axis();
        let (param, xs, k) = (axis.param, &axis.values, grid.swept[0]);
        let positive = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .map(|&x| if x > 0.0 && x.is_finite() { x } else { f64::NAN })
                .collect()
        };
        let (fwd, rev) = (positive(&r.forward_kl), positive(&r.reverse_kl));
        let mut series = vec![
            Series::line("KL(target ‖ q)", color::BLUE, xs.clone(), fwd.clone(), false, None),
            Series::line(
                &format!("KL(q ‖ target), {} common draws", self.draws.0),
                color::VERMILLION,
                xs.clone(),
                rev.clone(),
                true,
                None,
            ),
        ];
        if let Some(g) = &r.forward_grid {
            let x = g.q.scalar_params()[k];
            series.push(Series::point(
                &format!("forward grid argmin {param} = {x:.3}"),
                color::ORANGE,
                x,
                g.kl_target_q,
                Marker::Star,
            ));
        }
        let x = r.forward.q.scalar_params()[k];
        series.push(Series::point(
            &format!("MLE {param} = {x:.3}"),
            color::GREEN,
            x,
            r.forward.kl_target_q,
            Marker::Cross,
        ));
        if let Some(rev) = &r.reverse {
            let x = rev.fit.q.scalar_params()[k];
            series.push(Series::point(
                &format!("reverse grid argmin {param} = {x:.3}"),
                color::VERMILLION,
                x,
                rev.fit.kl_mc,
                Marker::Star,
            ));
        }
        let finite = fwd.iter().chain(&rev).filter(|v| v.is_finite());
        let (low, high) = finite.fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let mut y = Axis::log("KL (nats, log scale)");
        if low.is_finite() && high > 0.0 {
            // Four decades above the lower minimum at most, and a decade
            // and a half above the curves for the legend.
            y = y.with_range(low / 2.0, high.min(low * 1e4) * 30.0);
        }
        Figure {
            name: "surfaces".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: if fwd.iter().chain(&rev).any(|v| v.is_nan()) {
                    format!("KL both ways along {param}, gaps where ∞ (or an estimate ≤ 0)")
                } else {
                    format!("KL both ways along {param}")
                },
                x: Axis {
                    label: param.to_string(),
                    scale: scale_of(xs),
                    range: None,
                },
                y,
                series,
                legend: Corner::UpperRight,
            })],
        }
    }
}

/// `log₁₀` of each value; a value ≤ 0 (a divergence of 0 where `q` is the
/// target, or an estimate a little below it) takes the least positive
/// value's, which a log scale can show, and `+∞` stays blank.
fn log10_positive(values: &[f64]) -> Vec<f64> {
    let floor = values
        .iter()
        .filter(|v| **v > 0.0 && v.is_finite())
        .fold(f64::INFINITY, |m, &v| m.min(v));
    values
        .iter()
        .map(|&v| if v > 0.0 { v } else { floor }.log10())
        .collect()
}

/// A map's title, saying where it is blank.
fn blank_where_infinite(title: String, values: &[f64]) -> String {
    if values.iter().any(|v| v.is_infinite()) {
        format!("{title}, blank where ∞")
    } else {
        title
    }
}

/// The 0.1% and 99.9% quantiles of `xs` (nearest rank), finite values only.
fn span(mut xs: Vec<f64>) -> [f64; 2] {
    xs.retain(|x| x.is_finite());
    if xs.is_empty() {
        return [-1.0, 1.0];
    }
    xs.sort_by(f64::total_cmp);
    let last = xs.len() - 1;
    let at = |p: f64| xs[((p * last as f64).round() as usize).min(last)];
    let (a, b) = (at(0.001), at(0.999));
    if a < b { [a, b] } else { [a - 1.0, b + 1.0] }
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
        assert!(reverse.q.variance().sqrt() < r.forward.q.variance().sqrt());
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

    /// A Laplace grid against a Student t target with three degrees of
    /// freedom: heavy tails, a finite mean.
    const LAPLACE_FOR_T3: &str = "target: {student_t: {df: 3, loc: 0, scale: 1}}\n\
         sample_size: 20000\n\
         model: {laplace: {loc: {linspace: [-1, 1, 41]}, scale: {logspace: [0.5, 2, 41]}}}\n\
         draws: 20000\n";

    #[test]
    fn a_laplace_grid_against_a_heavy_tailed_target_has_both_divergences_everywhere() {
        let s = spec(LAPLACE_FOR_T3);
        let r = s.compute(&Ctx::new(11, &|_| {})).unwrap();
        let (_, n1) = s.grid().shape();
        assert_eq!(r.forward_kl_method, kl::Method::Quadrature);
        // References: scipy 1.x, `quad` of p ln(p/q) over [-50, 50] cut at
        // 0, ±1, ±3, ±10, and the tails beyond ±50 in u = ln|x|, to a
        // relative 1e-13 (the Laplace log-density written out, since
        // scipy's laplace.logpdf is −∞ beyond |x| ≈ 745). The reverse
        // divergence is a mean over 20000 draws: the standard deviation of
        // ln q − ln t₃ under q (scipy, 2·10⁶ draws) gives its standard
        // error, and it is held to five.
        for ((i, j), forward, reverse, sd) in [
            ((20, 20), 0.02232739954023839, 0.01146869955726641, 0.1337),
            ((30, 0), 0.6107503848459439, 0.3754891502992086, 0.7084),
            ((0, 40), 0.3308123513450582, 0.40886215441039747, 0.9742),
        ] {
            let q = s.grid().dist(i, j).unwrap();
            let got = r.forward_kl[i * n1 + j];
            assert!(((got - forward) / forward).abs() < 1e-8, "{}: {got} vs {forward}", q.label());
            let got = r.reverse_kl[i * n1 + j];
            let se = sd / 20000f64.sqrt();
            assert!((got - reverse).abs() < 5.0 * se, "{}: {got} vs {reverse}", q.label());
        }
        // The forward minimiser over Laplaces is the target's median and
        // its mean absolute deviation from it, 2√3/π for t₃; the reverse
        // one, by scipy's Nelder–Mead on the quadrature above, is
        // loc = 0, scale = 1.0648577 (KL 0.0095575). Each within a step.
        let g = r.forward_grid.as_ref().expect("a forward minimum");
        let [loc, scale] = g.q.scalar_params()[..] else {
            panic!("two parameters")
        };
        let step = (4f64).powf(1.0 / 40.0);
        assert!(loc.abs() < 0.05 / 2.0 + 1e-12, "{loc}");
        let mad = 2.0 * 3f64.sqrt() / std::f64::consts::PI;
        assert!((scale / mad).ln().abs() <= step.ln() / 2.0 + 1e-12, "{scale} vs {mad}");
        assert!((g.kl_target_q - 0.017393047741254303).abs() < 1e-3);
        let rev = &r.reverse.as_ref().expect("a reverse fit").fit;
        let [loc, scale] = rev.q.scalar_params()[..] else {
            panic!("two parameters")
        };
        assert!(loc.abs() <= 0.05 + 1e-12, "{loc}");
        assert!((scale / 1.0648577).ln().abs() <= step.ln() + 1e-12, "{scale}");
        assert!((rev.kl_q_target - 0.0095575332).abs() < 1e-3);
        // The MLE (median, mean absolute deviation) sits near the forward
        // grid minimum: sampling error at n = 20000 is about 0.01.
        let [m, b] = r.forward.q.scalar_params()[..] else {
            panic!("two parameters")
        };
        assert!(m.abs() < 0.05 && (b - mad).abs() < 0.05, "{m}, {b}");
        // Each fit wins at its own objective.
        assert!(g.kl_target_q < rev.kl_target_q);
        assert!(rev.kl_q_target < g.kl_q_target);

        let out = s.report(&r);
        assert_eq!(out.numbers["forward_grid"]["exists"], true);
        assert_eq!(out.numbers["grid"]["forward_kl_method"], "quadrature");
        assert_eq!(out.numbers["forward_cell"]["i"], g.cell.0);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let maps = &out.figures[1];
        assert_eq!(maps.name, "surfaces");
        let Panel::Heatmap(h) = &maps.panels[0] else {
            panic!("a heatmap")
        };
        assert_eq!(h.z[20 * n1 + 20], r.forward_kl[20 * n1 + 20].log10());
        assert!(h.z.iter().all(|z| z.is_finite()));
    }

    #[test]
    fn a_student_t_grid_with_df_fixed_fits_a_laplace_target() {
        let s = spec(
            "target: {laplace: {loc: 0, scale: 1}}\n\
             sample_size: 5000\n\
             model: {student_t: {df: 4, loc: {linspace: [-0.5, 0.5, 11]}, scale: [0.8, 1, 1.25]}}\n\
             draws: 20000\n",
        );
        let r = s.compute(&Ctx::new(5, &|_| {})).unwrap();
        // scipy references as above; the standard deviations of ln q − ln
        // laplace under q are 0.1834 and 0.3734.
        for ((i, j), forward, reverse, sd) in [
            ((5, 1), 0.010408587638442976, 0.011387163681279004, 0.1834),
            ((8, 0), 0.0847217215751415, 0.07611502505800187, 0.3734),
        ] {
            let got = r.forward_kl[i * 3 + j];
            assert!(((got - forward) / forward).abs() < 1e-8, "({i}, {j}): {got} vs {forward}");
            let got = r.reverse_kl[i * 3 + j];
            assert!((got - reverse).abs() < 5.0 * sd / 20000f64.sqrt(), "({i}, {j}): {got}");
        }
        // The forward fit holds df at 4.
        assert_eq!(r.forward.q.scalar_params()[0], 4.0);
        let out = s.report(&r);
        assert_eq!(out.numbers["forward"]["df"], 4.0);
    }

    #[test]
    fn a_grid_sweeping_one_parameter_draws_curves_and_matches_closed_forms() {
        let s = spec(
            "target: {gamma: {shape: 2, rate: 1}}\n\
             sample_size: 20000\n\
             model: {exponential: {rate: {logspace: [0.05, 5, 41]}}}\n\
             draws: 20000\n",
        );
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        // With H(gamma(2, 1)) = 1 + γ and E[X] = 2,
        //   KL(gamma ‖ Exp(λ)) = −1 − γ − ln λ + 2λ,
        // and with E_q[ln X] = −γ − ln λ under Exp(λ),
        //   KL(Exp(λ) ‖ gamma) = 2 ln λ + 1/λ + γ − 1;
        // both are least at λ = 1/2 (the grid's 21st point). The reverse
        // divergence is a mean over 20000 draws of ln q − ln p, whose
        // standard deviation under q (numpy, 4·10⁶ draws) is 0.8019 at
        // λ = 1/2 and 4.402 at λ = 0.1581; held to five standard errors.
        let gamma = 0.577_215_664_901_532_9_f64;
        for (k, sd) in [(20, 0.8019), (10, 4.402)] {
            let lambda = s.grid().first_axis().values[k];
            let forward = -1.0 - gamma - lambda.ln() + 2.0 * lambda;
            let reverse = 2.0 * lambda.ln() + 1.0 / lambda + gamma - 1.0;
            assert!((r.forward_kl[k] - forward).abs() < 1e-10 * forward, "{lambda}");
            let se = sd / 20000f64.sqrt();
            assert!((r.reverse_kl[k] - reverse).abs() < 5.0 * se, "{lambda}: {}", r.reverse_kl[k]);
        }
        assert_eq!(r.forward_grid.as_ref().map(|g| g.cell), Some((20, 0)));
        let rev = r.reverse.as_ref().expect("a reverse fit");
        assert!(rev.cell.0.abs_diff(20) <= 1, "{:?}", rev.cell);
        // The MLE, 1 / the sample mean: 0.5 up to sampling error (0.0025).
        assert!((r.forward.q.scalar_params()[0] - 0.5).abs() < 0.0125);
        let out = s.report(&r);
        assert_eq!(out.numbers["forward_cell"], json!({ "i": 20 }));
        let Panel::Plot(p) = &out.figures[1].panels[0] else {
            panic!("a plot")
        };
        assert_eq!(p.x.label, "rate");
        assert!(p.series.iter().any(|s| s.label.starts_with("reverse grid argmin rate")));
    }

    #[test]
    fn a_forward_divergence_infinite_everywhere_has_no_minimum_on_the_grid() {
        // A t with 1.5 degrees of freedom has no variance: against any
        // normal, E[−ln q] is infinite. The reverse way is finite.
        let s = spec(
            "target: {student_t: {df: 1.5, loc: 0, scale: 1}}\n\
             sample_size: 1000\n\
             model: {normal: {mean: [-1, 0, 1], std: [0.5, 1, 2]}}\n\
             draws: 1000\n",
        );
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert!(r.forward_kl.iter().all(|&v| v == f64::INFINITY));
        assert_eq!(r.forward_grid, None);
        assert!(r.reverse_kl.iter().all(|v| v.is_finite()));
        let out = s.report(&r);
        assert_eq!(out.numbers["forward_grid"]["exists"], false);
        assert!(out.numbers.get("forward_cell").is_none());
        assert_eq!(out.numbers["grid"]["forward_kl_infinite"], 9);
        assert!(out.warnings.iter().any(|w| w.contains("forward_grid.exists is false")));
        let Panel::Heatmap(h) = &out.figures[1].panels[0] else {
            panic!("a heatmap")
        };
        assert!(h.title.ends_with("blank where ∞"), "{}", h.title);
    }

    #[test]
    fn a_discrete_target_is_refused() {
        let s = spec(
            "target: {poisson: {rate: 3}}\n\
             sample_size: 100\n\
             model: {normal: {mean: [0, 1], std: [1, 2]}}\n\
             draws: 100\n",
        );
        let e = s.validate().unwrap_err();
        assert!(e.starts_with("target: ") && e.contains("is discrete"), "{e}");
    }

    #[test]
    fn the_reverse_minimum_is_over_finite_points_only() {
        let inf = f64::INFINITY;
        assert_eq!(finite_argmin(&[inf, 0.7, f64::NAN, 0.5, inf]), Some(3));
        assert_eq!(finite_argmin(&[inf, inf]), None);
    }
}
