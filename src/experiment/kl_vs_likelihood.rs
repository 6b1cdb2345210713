//! `kl_vs_likelihood`: maximising likelihood is minimising forward KL.
//!
//! One sample is drawn from `data`. Over a grid of model parameters, the
//! report computes the sample's average log-likelihood and the forward
//! divergence `KL(data ‖ model) = −H(data) − E_data[ln model]`. The sample's
//! average of `ln model` estimates `E_data[ln model]`, so the likelihood
//! surface is the divergence surface turned over and shifted, up to
//! sampling error: the likelihood's argmax is next to the divergence's
//! argmin, and next to the closed-form MLE. A grid sweeping one parameter
//! gives curves instead of surfaces.
//!
//! The divergence is exact (a closed form; the entropy by quadrature with
//! the cross-entropy from the data's moments; or quadrature of the
//! definition) wherever the data's entropy and the divergence have exact
//! values. The sample's own estimate,
//! `mean ln p_data(x) − mean ln model(x)`, is reported beside it under its
//! own name: on a small sample it is negative near the MLE, which fits the
//! sample better than the truth does. It replaces the exact surface, named
//! as an estimate, only when no exact value exists.
//!
//! Data from a file are observations without a known density: there is no
//! entropy, exact or estimated, and so no divergence. The report then holds
//! the likelihood and the MLE alone, and says so (`kl_exact: false` and
//! `no_kl` in the numbers, the figure's title) rather than offer a
//! divergence it cannot compute.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size, argmax, argmin, scale_of, step_at};
use crate::chart::{Axis, Corner, Figure, Heatmap, Marker, Panel, Plot, Series, color};
use crate::dist::{Dist, FitError, Univariate};
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::data::Data;
use crate::vocab::sweep::{Count, Grid};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The distribution the sample is drawn from, or a file whose
    /// observations are the sample.
    pub data: Data,
    /// Size of the one sample: required for a distribution, absent for a
    /// file (see [`Compute::validate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_size: Option<Count>,
    /// The model family and the grid of its parameters: one swept
    /// parameter (curves) or two (surfaces).
    pub model: Grid,
}

/// A grid point and the values of the swept parameters there.
#[derive(Debug, Clone, PartialEq)]
pub struct Cellpoint {
    /// Index along the first swept parameter.
    pub i: usize,
    /// Index along the second swept parameter; 0 on a curve.
    pub j: usize,
    /// The swept parameters' values, in the grid's order.
    pub values: Vec<f64>,
}

/// What the divergence surface holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Surface {
    /// `KL(data ‖ model)` itself, at every grid point.
    Exact,
    /// `mean ln p_data(x) − mean ln model(x)` over the sample, which can be
    /// negative: no exact divergence exists, for the reason given.
    SampleEstimate(String),
    /// Nothing: the data are observations from a file, without a density,
    /// so there is no divergence, exact or estimated.
    Absent,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Average log-likelihood, `[i * n1 + j]`.
    pub avg_loglik: Vec<f64>,
    /// The divergence surface, `[i * n1 + j]`: exact or the sample
    /// estimate, as `surface` says; empty when it is absent.
    pub kl: Vec<f64>,
    /// Which of the three `kl` is.
    pub surface: Surface,
    /// The likelihood's grid argmax.
    pub argmax_loglik: Cellpoint,
    /// The divergence surface's grid argmin, over its finite values: `None`
    /// when it is infinite everywhere (no model on the grid has density
    /// wherever the data have mass), or absent.
    pub argmin_kl: Option<Cellpoint>,
    /// The grid step along each swept parameter at the argmax.
    pub step: Vec<f64>,
    /// The closed-form MLE's values of the swept parameters, the others
    /// held at their grid values, if the family has such a fit.
    pub mle: Option<Vec<f64>>,
    /// The sample's average log-likelihood at the MLE.
    pub mle_avg_loglik: Option<f64>,
    /// `−mean ln p_data(x)` over the sample; `None` for data from a file.
    pub entropy_sample: Option<f64>,
    /// `H(data)` by closed form or quadrature (Monte Carlo when neither
    /// gives a value); `None` for data from a file.
    pub entropy: Option<kl::Value>,
    /// `KL(data ‖ MLE)`, for data from a distribution.
    pub kl_at_mle: Option<kl::Value>,
}

/// How the closed-form MLE is found, from the grid alone.
#[derive(Debug, Clone, PartialEq)]
enum Mle {
    /// The family has no maximum-likelihood fit.
    None,
    /// Every parameter is swept: the family's fit.
    Free,
    /// One parameter is held at its grid value.
    Fixed(&'static str, f64),
    /// The family cannot hold the grid's fixed parameters, for the reason
    /// given: fitting them too would put the MLE off the grid's plane.
    Unavailable(String),
}

/// Why data from a file have no divergence, as the numbers say it.
const NO_KL: &str = "the data are observations from a file, with no known density, so \
                     KL(data ‖ model) has no value, exact or estimated; the likelihood is reported alone";

impl Spec {
    fn mle_plan(&self) -> Mle {
        let family = self.model.family;
        if !family.has_fit {
            return Mle::None;
        }
        let fixed = self.model.fixed();
        match fixed[..] {
            [] => Mle::Free,
            // Families refuse a parameter they cannot hold before they look
            // at the data, so no data tells which they can.
            [(param, value)] => match family.fit_fixed(&[], param, value) {
                Err(e @ FitError::CannotFix { .. }) => Mle::Unavailable(e.to_string()),
                _ => Mle::Fixed(param, value),
            },
            _ => {
                let names: Vec<&str> = fixed.iter().map(|(p, _)| *p).collect();
                Mle::Unavailable(format!(
                    "a fit holds at most one parameter fixed, and this grid fixes {}",
                    names.join(", ")
                ))
            }
        }
    }

    /// The number of observations: the sample size, or the file's length.
    fn n(&self) -> usize {
        match (&self.data, self.sample_size) {
            (Data::File(f), _) => f.values.len(),
            (Data::Dist(_), Some(n)) => n.0,
            // validate refuses a distribution without a sample size.
            (Data::Dist(_), None) => 0,
        }
    }

    /// `KL(data ‖ model)` when it has an exact value; why not otherwise.
    fn exact_kl(&self, data: &Dist, model: &Dist, entropy: &kl::Value) -> Result<f64, String> {
        match kl::kl_knowing_entropy(data, model, entropy) {
            Ok(v) if v.method != kl::Method::MonteCarlo => Ok(v.value),
            Ok(_) => Err(format!(
                "KL(data ‖ {}) has no exact value (quadrature did not converge)",
                model.label()
            )),
            Err(e) => Err(format!("KL(data ‖ {}): {e}", model.label())),
        }
    }

    /// The point `cell` of the grid.
    fn at(&self, cell: usize) -> Cellpoint {
        let (_, n1) = self.model.shape();
        let (i, j) = (cell / n1, cell % n1);
        let values = self
            .model
            .swept
            .iter()
            .map(|&k| self.model.value(k, i, j))
            .collect();
        Cellpoint { i, j, values }
    }

    /// The indices and the swept parameters' values of `c`, as JSON fields
    /// (`j` only on a surface).
    fn point_json(&self, c: &Cellpoint) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = serde_json::Map::new();
        fields.insert("i".into(), json!(c.i));
        if !self.model.is_curve() {
            fields.insert("j".into(), json!(c.j));
        }
        for (name, v) in self.swept_names().iter().zip(&c.values) {
            fields.insert((*name).into(), json!(v));
        }
        fields
    }

    fn swept_names(&self) -> Vec<&'static str> {
        self.model
            .swept
            .iter()
            .map(|&k| self.model.axes[k].param)
            .collect()
    }
}

/// How many grid points share a pass over the draws.
const CELLS_AT_ONCE: usize = 16;

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        Size::uniform(self.model.points(), self.n())
    }

    /// A sample size for a distribution, none for a file.
    fn validate(&self) -> Result<(), String> {
        match (&self.data, self.sample_size) {
            (Data::File(f), Some(_)) => Err(format!(
                "sample_size: the sample is the file `{}` ({} observations); sample_size is \
                 for data drawn from a distribution, so leave it out",
                f.path,
                f.values.len()
            )),
            (Data::Dist(_), None) => Err(
                "data: a distribution needs sample_size, the number of draws in the one sample"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let xs: Vec<f64> = match &self.data {
            Data::Dist(d) => {
                let mut rng = ctx.rng(&[0]);
                let mut xs = vec![0.0; self.n()];
                d.sample_into(&mut rng, &mut xs);
                xs
            }
            Data::File(f) => f.values.to_vec(),
        };
        let n = xs.len() as f64;
        let grid = &self.model;
        let points = grid.points();
        let data = self.data.dist();
        let entropy = data
            .map(kl::entropy)
            .transpose()
            .context("the entropy of data")?;
        let exact_entropy = entropy.is_some_and(|e| e.method != kl::Method::MonteCarlo);

        // Every model density at every draw: the path any family takes,
        // a few grid points at a time so that each block of draws is read
        // once for all of them.
        let (_, n1) = grid.shape();
        let starts: Vec<usize> = (0..points).step_by(CELLS_AT_ONCE).collect();
        let cells: Vec<(f64, Result<f64, String>)> = starts
            .into_par_iter()
            .map(|start| {
                let models = (start..points.min(start + CELLS_AT_ONCE))
                    .map(|cell| grid.dist(cell / n1, cell % n1))
                    .collect::<Result<Vec<Dist>, _>>()?;
                let sums = Dist::sum_ln_pdf_each(&models, &xs);
                let cells: Vec<_> = models
                    .iter()
                    .zip(sums)
                    .map(|(model, sum)| {
                        let exact = match (data, &entropy) {
                            (Some(data), Some(entropy)) if exact_entropy => {
                                self.exact_kl(data, model, entropy)
                            }
                            _ => Err(String::new()),
                        };
                        (sum / n, exact)
                    })
                    .collect();
                ctx.tick((xs.len() * models.len()) as u64);
                Ok::<_, anyhow::Error>(cells)
            })
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let avg_loglik: Vec<f64> = cells.iter().map(|c| c.0).collect();
        let entropy_sample = data.map(|d| -d.sum_ln_pdf(&xs) / n);
        let (kl_surface, surface): (Vec<f64>, _) = match (data, entropy_sample) {
            (Some(data), Some(entropy_sample)) => {
                let not_exact = if exact_entropy {
                    cells.iter().find_map(|c| c.1.as_ref().err().cloned())
                } else {
                    Some(format!(
                        "the entropy of {} has no exact value (quadrature did not converge)",
                        data.label()
                    ))
                };
                match not_exact {
                    None => (
                        cells.iter().filter_map(|c| c.1.clone().ok()).collect(),
                        Surface::Exact,
                    ),
                    Some(why) => (
                        avg_loglik.iter().map(|ll| -entropy_sample - ll).collect(),
                        Surface::SampleEstimate(why),
                    ),
                }
            }
            _ => (Vec::new(), Surface::Absent),
        };

        let argmax_loglik =
            self.at(argmax(&avg_loglik).context("the likelihood is NaN everywhere")?);
        let finite: Vec<f64> = kl_surface
            .iter()
            .map(|&v| if v.is_finite() { v } else { f64::NAN })
            .collect();
        let argmin_kl = match argmin(&finite) {
            Some(k) => Some(self.at(k)),
            None if kl_surface.iter().all(|&v| v == f64::INFINITY) => None,
            None => anyhow::bail!("the divergence is NaN everywhere"),
        };
        let mut step = vec![step_at(&grid.first_axis().values, argmax_loglik.i)];
        if let Some(second) = grid.second_axis() {
            step.push(step_at(&second.values, argmax_loglik.j));
        }

        let family = grid.family;
        let fit = match self.mle_plan() {
            Mle::Free => Some(family.fit(&xs).context("fitting the model to the sample")?),
            Mle::Fixed(param, value) => Some(
                family
                    .fit_fixed(&xs, param, value)
                    .with_context(|| format!("fitting the model to the sample, {param} held at {value}"))?,
            ),
            Mle::None | Mle::Unavailable(_) => None,
        };
        let swept_of = |d: &Dist| {
            let p = d.scalar_params();
            grid.swept.iter().map(|&k| p[k]).collect::<Vec<f64>>()
        };
        let kl_at_mle = match (data, &entropy, &fit) {
            (Some(data), Some(entropy), Some(f)) => Some(
                kl::kl_knowing_entropy(data, f, entropy).context("KL(data ‖ MLE)")?,
            ),
            _ => None,
        };
        Ok(Findings {
            mle: fit.as_ref().map(swept_of),
            mle_avg_loglik: fit.as_ref().map(|f| f.sum_ln_pdf(&xs) / n),
            avg_loglik,
            kl: kl_surface,
            surface,
            argmax_loglik,
            argmin_kl,
            step,
            entropy_sample,
            entropy,
            kl_at_mle,
        })
    }

    fn placeholder(&self) -> Findings {
        let points = self.model.points();
        let corner = self.at(0);
        let dims = self.model.swept.len();
        let has_mle = matches!(self.mle_plan(), Mle::Free | Mle::Fixed(..));
        let one = kl::Value {
            value: 1.0,
            method: kl::Method::ClosedForm,
            stderr: None,
        };
        let from_dist = self.data.dist().is_some();
        Findings {
            avg_loglik: vec![1.0; points],
            kl: if from_dist { vec![1.0; points] } else { Vec::new() },
            surface: if from_dist {
                Surface::Exact
            } else {
                Surface::Absent
            },
            argmin_kl: from_dist.then(|| corner.clone()),
            argmax_loglik: corner,
            step: vec![1.0; dims],
            mle: has_mle.then(|| vec![1.0; dims]),
            mle_avg_loglik: has_mle.then_some(1.0),
            entropy_sample: from_dist.then_some(1.0),
            entropy: from_dist.then_some(one),
            kl_at_mle: (has_mle && from_dist).then_some(one),
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let names = self.swept_names();
        let (_, n1) = self.model.shape();
        let k_ll = r.argmax_loglik.i * n1 + r.argmax_loglik.j;
        let estimate = |ll: f64| r.entropy_sample.map(|h| -h - ll);
        let mut argmax = self.point_json(&r.argmax_loglik);
        argmax.insert("avg_loglik".into(), json!(r.avg_loglik[k_ll]));
        if let Some(e) = estimate(r.avg_loglik[k_ll]) {
            argmax.insert("kl_estimate".into(), json!(e));
        }
        let exact = r.surface == Surface::Exact;
        if exact {
            argmax.insert("kl".into(), divergence(r.kl[k_ll]));
        }
        // An estimate that can be negative is never filed as a divergence.
        let (argmin_key, value_key) = if exact {
            ("argmin_kl", "kl")
        } else {
            ("argmin_kl_estimate", "kl_estimate")
        };
        let mut grid = serde_json::Map::new();
        for (name, &k) in names.iter().zip(&self.model.swept) {
            let values = &self.model.axes[k].values;
            grid.insert(
                (*name).into(),
                json!({ "min": values[0], "max": values[values.len() - 1], "points": values.len() }),
            );
        }
        let mut numbers = json!({
            "data": self.data.label(),
            "model": self.model.family.name,
            "sample_size": self.n(),
            "grid": grid,
            "argmax_loglik": argmax,
        });
        let mut warnings = Vec::new();
        match (&r.surface, &r.argmin_kl) {
            (Surface::Absent, _) => {}
            (_, Some(c)) => {
                let value = r.kl[c.i * n1 + c.j];
                let mut argmin = self.point_json(c);
                argmin.insert(value_key.into(), divergence(value));
                numbers[argmin_key] = argmin.into();
                numbers["same_cell"] = json!((c.i, c.j) == (r.argmax_loglik.i, r.argmax_loglik.j));
            }
            (_, None) => {
                numbers["same_cell"] = json!(false);
                warnings.push(format!(
                    "KL(data ‖ model) is +∞ at every grid point: {} puts mass where no model \
                     on the grid has density, so no model minimises it and none is marked",
                    self.data.label()
                ));
            }
        }
        let mut step = serde_json::Map::new();
        for (name, s) in names.iter().zip(&r.step) {
            step.insert((*name).into(), json!(s));
        }
        let mut rest = serde_json::Map::new();
        rest.insert("step".into(), step.into());
        if let (Some(h), Some(entropy)) = (r.entropy_sample, r.entropy) {
            rest.insert("entropy_sample".into(), json!(h));
            rest.insert("entropy".into(), json!(entropy.value));
            rest.insert("entropy_method".into(), json!(entropy.method));
        }
        rest.insert("kl_exact".into(), json!(exact));
        if r.surface == Surface::Absent {
            rest.insert("no_kl".into(), json!(NO_KL));
        }
        if let Some(all) = numbers.as_object_mut() {
            all.extend(rest);
        }
        if let Surface::SampleEstimate(why) = &r.surface {
            warnings.push(format!(
                "{why}, so the divergence surface is the sample estimate \
                 mean ln p_data − mean ln model, which can be negative (argmin_kl_estimate)"
            ));
        }
        // Present only when the model family has a maximum-likelihood fit.
        if let (Some(m), Some(ll)) = (&r.mle, r.mle_avg_loglik) {
            let mut mle = serde_json::Map::new();
            for (name, v) in names.iter().zip(m) {
                mle.insert((*name).into(), json!(v));
            }
            mle.insert("avg_loglik".into(), json!(ll));
            if let Some(e) = estimate(ll) {
                mle.insert("kl_estimate".into(), json!(e));
            }
            numbers["mle"] = mle.into();
        }
        match self.mle_plan() {
            Mle::Fixed(param, value) if r.mle.is_some() => {
                numbers["mle"]["fixed"] = json!({ param: value });
            }
            Mle::Unavailable(why) => {
                warnings.push(format!("no closed-form MLE is reported: {why}"));
            }
            _ => {}
        }
        if let Some(v) = r.kl_at_mle {
            numbers["kl_at_mle"] = divergence(v.value);
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
        let (_, n1) = self.model.shape();
        let exact = r.surface == Surface::Exact;
        let mut columns = vec![Column::new("", Format::Int)];
        for name in self.swept_names() {
            columns.push(Column::new(&format!("`{name}`"), Format::Fixed(4)));
        }
        columns.push(Column::new("average log-likelihood", Format::Fixed(5)));
        if exact {
            columns.push(Column::new("KL (nats)", Format::Fixed(5)));
        }
        if r.entropy_sample.is_some() {
            columns.push(Column::new(
                "KL estimated on the sample (nats, can be < 0)",
                Format::Fixed(5),
            ));
        }
        let row = |label: &str, values: &[f64], ll: f64, kl: f64| {
            let mut row = vec![Cell::Text(label.into())];
            row.extend(values.iter().map(|&v| Cell::Num(v)));
            row.push(Cell::Num(ll));
            if exact {
                row.push(Cell::Num(kl));
            }
            if let Some(h) = r.entropy_sample {
                row.push(Cell::Num(-h - ll));
            }
            row
        };
        let at = |label: &str, c: &Cellpoint| {
            let k = c.i * n1 + c.j;
            row(
                label,
                &c.values,
                r.avg_loglik[k],
                r.kl.get(k).copied().unwrap_or(f64::NAN),
            )
        };
        let mut rows = vec![at("grid argmax of the likelihood", &r.argmax_loglik)];
        if let Some(c) = &r.argmin_kl {
            let label = if exact {
                "grid argmin of KL"
            } else {
                "grid argmin of the KL estimate"
            };
            rows.push(at(label, c));
        }
        if let (Some(m), Some(ll)) = (&r.mle, r.mle_avg_loglik) {
            let kl = r.kl_at_mle.map_or(f64::NAN, |v| v.value);
            rows.push(row("closed-form MLE", m, ll, kl));
        }
        Table {
            name: "optimum".into(),
            columns,
            rows,
        }
    }

    fn figure(&self, r: &Findings) -> Figure {
        if self.model.is_curve() {
            self.curves(r)
        } else {
            self.surfaces(r)
        }
    }

    /// The likelihood's title, which says when there is no divergence.
    fn likelihood_title(&self, r: &Findings) -> String {
        let family = self.model.family.name;
        match r.surface {
            Surface::Absent => format!(
                "average log-likelihood, {family} model (data from a file: no density, so no KL)"
            ),
            _ => format!("average log-likelihood, {family} model"),
        }
    }

    fn surfaces(&self, r: &Findings) -> Figure {
        let ax0 = self.model.first_axis();
        let Some(ax1) = self.model.second_axis() else {
            return self.curves(r);
        };
        let axis = |values: &[f64], name: &str| Axis {
            label: name.to_string(),
            scale: scale_of(values),
            range: None,
        };
        let best_ll = r.avg_loglik[r.argmax_loglik.i * ax1.values.len() + r.argmax_loglik.j];
        let pair = |v: &[f64]| format!("({:.3}, {:.3})", v[0], v[1]);
        let mut ll_overlays = vec![Series::point(
            &format!("grid argmax {}", pair(&r.argmax_loglik.values)),
            color::ORANGE,
            r.argmax_loglik.values[0],
            r.argmax_loglik.values[1],
            Marker::Star,
        )];
        if let Some(m) = &r.mle {
            ll_overlays.push(Series::point(
                &format!("closed-form MLE {}", pair(m)),
                color::VERMILLION,
                m[0],
                m[1],
                Marker::Cross,
            ));
        }
        let panel = |title: String, z: Vec<f64>, z_label: &str, z_range, overlays| {
            Panel::Heatmap(Heatmap {
                title,
                x: axis(&ax0.values, ax0.param),
                y: axis(&ax1.values, ax1.param),
                xs: ax0.values.clone(),
                ys: ax1.values.clone(),
                z,
                z_label: z_label.to_string(),
                z_range,
                overlays,
                legend: Corner::UpperRight,
            })
        };
        let likelihood = panel(
            self.likelihood_title(r),
            r.avg_loglik.clone(),
            "nats per observation (clipped at max − 6)",
            best_ll.is_finite().then_some([best_ll - 6.0, best_ll]),
            ll_overlays,
        );
        let (kl_z, kl_label, kl_title, kl_range) = match r.surface {
            Surface::Exact => {
                // A grid point at the data distribution itself has KL = 0,
                // which a log scale cannot show: it takes the lowest colour.
                let floor = r
                    .kl
                    .iter()
                    .filter(|v| **v > 0.0 && v.is_finite())
                    .fold(f64::INFINITY, |m, &v| m.min(v));
                let z = r
                    .kl
                    .iter()
                    .map(|&v| if v == 0.0 { floor } else { v }.log10())
                    .collect();
                let title = if r.kl.iter().any(|v| v.is_infinite()) {
                    "log₁₀ KL(data ‖ model), blank where ∞"
                } else {
                    "log₁₀ KL(data ‖ model)"
                };
                (z, "log₁₀ KL (nats)", title, None)
            }
            // The estimate is the likelihood surface turned over and
            // shifted, and can be negative: shown like it, on a linear
            // scale up to 6 nats above its minimum.
            Surface::SampleEstimate(_) => {
                let low = r
                    .argmin_kl
                    .as_ref()
                    .map(|c| r.kl[c.i * ax1.values.len() + c.j]);
                (
                    r.kl.clone(),
                    "nats (clipped at min + 6)",
                    "KL estimated on the sample: mean ln p_data − ln model",
                    low.map(|low| [low, low + 6.0]),
                )
            }
            Surface::Absent => {
                return Figure {
                    name: "surfaces".into(),
                    width: 600,
                    height: 460,
                    panels: vec![likelihood],
                };
            }
        };
        let kl_overlays = r
            .argmin_kl
            .iter()
            .map(|c| {
                Series::point(
                    &format!("grid argmin {}", pair(&c.values)),
                    color::ORANGE,
                    c.values[0],
                    c.values[1],
                    Marker::Star,
                )
            })
            .collect();
        Figure {
            name: "surfaces".into(),
            width: 1100,
            height: 460,
            panels: vec![
                likelihood,
                panel(kl_title.to_string(), kl_z, kl_label, kl_range, kl_overlays),
            ],
        }
    }

    /// A one-parameter grid: the likelihood against the parameter, and
    /// beside it the divergence (exact, solid; the sample's estimate,
    /// dashed), each shown over the 6 nats next to its optimum, as the
    /// surfaces are.
    fn curves(&self, r: &Findings) -> Figure {
        let axis = self.model.first_axis();
        let (param, xs) = (axis.param, &axis.values);
        let x_axis = || Axis {
            label: param.to_string(),
            scale: scale_of(xs),
            range: None,
        };
        let best_ll = r.avg_loglik[r.argmax_loglik.i];
        let top = r.mle_avg_loglik.map_or(best_ll, |m| m.max(best_ll));
        let mut ll_series = vec![
            Series::line(
                "average log-likelihood",
                color::BLUE,
                xs.clone(),
                r.avg_loglik.clone(),
                false,
                None,
            ),
            Series::point(
                &format!("grid argmax {param} = {:.3}", r.argmax_loglik.values[0]),
                color::ORANGE,
                r.argmax_loglik.values[0],
                best_ll,
                Marker::Star,
            ),
        ];
        if let (Some(m), Some(ll)) = (&r.mle, r.mle_avg_loglik) {
            ll_series.push(Series::point(
                &format!("closed-form MLE {param} = {:.3}", m[0]),
                color::VERMILLION,
                m[0],
                ll,
                Marker::Cross,
            ));
        }
        let lowest = r
            .avg_loglik
            .iter()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, |m, &v| m.min(v));
        let mut y = Axis::linear("nats per observation");
        if top.is_finite() && lowest.is_finite() && lowest < top {
            let lo = lowest.max(top - 6.0);
            let pad = 0.05 * (top - lo);
            y = y.with_range(lo - pad, top + pad);
        }
        let likelihood = Panel::Plot(Plot {
            title: self.likelihood_title(r),
            x: x_axis(),
            y,
            series: ll_series,
            // Below the curve's higher end, where it has fallen the least.
            legend: if r.avg_loglik.first() >= r.avg_loglik.last() {
                Corner::LowerLeft
            } else {
                Corner::LowerRight
            },
        });
        let mut panels = vec![likelihood];
        if r.surface != Surface::Absent {
            let estimate: Vec<f64> = match r.entropy_sample {
                Some(h) => r.avg_loglik.iter().map(|ll| -h - ll).collect(),
                None => Vec::new(),
            };
            let exact = r.surface == Surface::Exact;
            let mut series = Vec::new();
            if exact {
                series.push(Series::line(
                    "KL(data ‖ model)",
                    color::BLUE,
                    xs.clone(),
                    r.kl.clone(),
                    false,
                    None,
                ));
            }
            series.push(Series::line(
                "estimated on the sample: mean ln p_data − ln model",
                color::GREEN,
                xs.clone(),
                estimate.clone(),
                exact,
                None,
            ));
            if let Some(c) = &r.argmin_kl {
                series.push(Series::point(
                    &format!("grid argmin {param} = {:.3}", c.values[0]),
                    color::ORANGE,
                    c.values[0],
                    r.kl[c.i],
                    Marker::Star,
                ));
            }
            let finite_min = |v: &[f64]| {
                v.iter()
                    .filter(|v| v.is_finite())
                    .fold(f64::INFINITY, |m, &v| m.min(v))
            };
            let finite_max = |v: &[f64]| {
                v.iter()
                    .filter(|v| v.is_finite())
                    .fold(f64::NEG_INFINITY, |m, &v| m.max(v))
            };
            let floor = finite_min(&r.kl).min(finite_min(&estimate));
            let ceiling = finite_max(&r.kl).max(finite_max(&estimate));
            let mut y = Axis::linear("nats");
            if floor.is_finite() {
                let low = r.argmin_kl.as_ref().map_or(floor, |c| r.kl[c.i]);
                // Up to 6 nats above the minimum, no higher than the
                // curves reach, with room above them for the legend.
                let top = ceiling.min(low + 6.0).max(low + 0.1);
                y = y.with_range(floor - 0.05 * (top - floor), top + 0.45 * (top - floor));
            }
            let title = match (&r.surface, r.kl.iter().any(|v| v.is_infinite())) {
                (Surface::Exact, true) => "KL(data ‖ model), missing where ∞",
                (Surface::Exact, false) => "KL(data ‖ model)",
                _ => "KL estimated on the sample (no exact value)",
            };
            panels.push(Panel::Plot(Plot {
                title: title.into(),
                x: x_axis(),
                y,
                series,
                legend: Corner::UpperRight,
            }));
        }
        Figure {
            name: "surfaces".into(),
            width: if panels.len() == 2 { 1100 } else { 600 },
            height: 460,
            panels,
        }
    }
}

/// A divergence as JSON: `+∞` as the string `"inf"`, as `likely kl --json`
/// writes it, rather than `null`.
fn divergence(x: f64) -> serde_json::Value {
    crate::json::number(&x, serde_json::value::Serializer).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::text::parse_uni;

    fn spec(src: &str) -> Spec {
        serde_yaml::from_str(src).unwrap()
    }

    /// The sample `compute` draws.
    fn sample(s: &Spec, ctx: &Ctx<'_>) -> Vec<f64> {
        let mut rng = ctx.rng(&[0]);
        s.data.sample(s.sample_size.unwrap().0, &mut rng)
    }

    /// The surface against quadrature of the definition of KL, at the
    /// corners, the middle and the argmin of the grid.
    #[track_caller]
    fn assert_surface_is_the_definition(s: &Spec, r: &Findings) {
        let (n0, n1) = s.model.shape();
        let argmin = r.argmin_kl.as_ref().expect("a finite divergence somewhere");
        let cells = [
            (0, 0),
            (n0 - 1, 0),
            (0, n1 - 1),
            (n0 - 1, n1 - 1),
            (n0 / 2, n1 / 2),
            (argmin.i, argmin.j),
        ];
        for (i, j) in cells {
            let model = s.model.dist(i, j).unwrap();
            let reference = kl::kl_by_definition(s.data.dist().unwrap(), &model).unwrap();
            assert_eq!(reference.method, kl::Method::Quadrature);
            let got = r.kl[i * n1 + j];
            assert!(
                ((got - reference.value) / reference.value).abs() < 1e-8,
                "({i}, {j}) {}: {got} against {}",
                model.label(),
                reference.value
            );
        }
    }

    #[test]
    fn likelihood_argmax_and_kl_argmin_coincide_near_the_mle() {
        let s = spec(
            "data: {mixture: {weights: [0.3, 0.7], components: [{normal: {mean: -2, std: 0.6}}, {normal: {mean: 1.5, std: 1}}]}}\n\
             sample_size: 5000\n\
             model: {normal: {mean: {linspace: [-4, 4, 41]}, std: {logspace: [0.3, 4, 31]}}}\n",
        );
        let r = s.compute(&Ctx::new(3, &|_| {})).unwrap();
        assert_eq!(r.surface, Surface::Exact);
        let argmin = r.argmin_kl.clone().unwrap();
        assert_eq!(
            (r.argmax_loglik.i, r.argmax_loglik.j),
            (argmin.i, argmin.j)
        );
        let m = r.mle.clone().unwrap();
        assert!((r.argmax_loglik.values[0] - m[0]).abs() <= r.step[0]);
        assert!((r.argmax_loglik.values[1] - m[1]).abs() <= r.step[1]);
        // The sample entropy estimates the quadrature value: its standard
        // error at n = 5000 is about 0.02.
        let entropy = r.entropy.unwrap();
        assert_eq!(entropy.method, kl::Method::Quadrature);
        assert!((r.entropy_sample.unwrap() - entropy.value).abs() < 0.1);
        // The entropy by quadrature and the cross-entropy from the
        // mixture's moments give the definition's divergence.
        assert_surface_is_the_definition(&s, &r);
    }

    #[test]
    fn kl_is_the_exact_divergence_even_on_a_small_sample() {
        // Ten draws: the MLE fits the sample better than the truth does, so
        // the sample's mean of ln p_data − ln model is negative near it.
        let s = spec(
            "data: {normal: {mean: 0, std: 1}}\n\
             sample_size: 10\n\
             model: {normal: {mean: {linspace: [-2, 2, 41]}, std: {logspace: [0.3, 3, 31]}}}\n",
        );
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert!(r.kl.iter().all(|&v| v >= 0.0), "a negative divergence");
        assert_surface_is_the_definition(&s, &r);
        let out = s.report(&r);
        assert_eq!(out.numbers["kl_exact"], true);
        let estimate = out.numbers["argmax_loglik"]["kl_estimate"].as_f64().unwrap();
        assert!(estimate < 0.0, "this sample was chosen for a negative estimate");
        assert!(out.numbers["argmin_kl"]["kl"].as_f64().unwrap() > 0.0);
        let Panel::Heatmap(h) = &out.figures[0].panels[1] else {
            panic!("a heatmap")
        };
        assert!(h.title.starts_with("log₁₀ KL"), "{}", h.title);
        assert!(h.z.iter().all(|z| z.is_finite()));
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn a_grid_point_at_the_data_distribution_has_kl_zero_drawn_as_the_lowest_colour() {
        let s = spec(
            "data: {normal: {mean: 0, std: 1}}\n\
             sample_size: 50\n\
             model: {normal: {mean: [-1, 0, 1], std: [0.5, 1, 2]}}\n",
        );
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        // KL(N(0, 1) ‖ N(m, s)) = ln s + (1 + m²)/(2s²) − 1/2.
        for (k, (m, sd)) in [-1.0f64, 0.0, 1.0]
            .iter()
            .flat_map(|m| [0.5f64, 1.0, 2.0].map(|sd| (m, sd)))
            .enumerate()
        {
            let reference = sd.ln() + (1.0 + m * m) / (2.0 * sd * sd) - 0.5;
            assert!((r.kl[k] - reference).abs() <= 1e-14 * reference, "{m}, {sd}");
        }
        assert_eq!(r.kl[4], 0.0);
        assert_eq!(r.argmin_kl.as_ref().map(|c| (c.i, c.j)), Some((1, 1)));
        let out = s.report(&r);
        let Panel::Heatmap(h) = &out.figures[0].panels[1] else {
            panic!("a heatmap")
        };
        let lowest = h.z.iter().fold(f64::INFINITY, |m, &z| m.min(z));
        assert!(lowest.is_finite());
        assert_eq!(h.z[4], lowest);
    }

    #[test]
    fn a_divergence_infinite_everywhere_has_no_minimum_on_the_grid() {
        // Atoms against densities: KL(data ‖ model) is +∞ for every normal.
        let s = spec(
            "data: {poisson: {rate: 3}}\n\
             sample_size: 100\n\
             model: {normal: {mean: {linspace: [0, 6, 7]}, std: {logspace: [0.5, 4, 5]}}}\n",
        );
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert!(r.kl.iter().all(|&v| v == f64::INFINITY));
        assert_eq!(r.argmin_kl, None);
        let out = s.report(&r);
        assert!(out.numbers.get("argmin_kl").is_none());
        assert_eq!(out.numbers["same_cell"], false);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("+∞ at every grid point"), "{}", out.warnings[0]);
        let Panel::Heatmap(h) = &out.figures[0].panels[1] else {
            panic!("a heatmap")
        };
        assert!(h.overlays.is_empty());
        assert_eq!(out.tables[0].rows.len(), 2, "the likelihood's argmax and the MLE");
    }

    #[test]
    fn without_an_exact_entropy_the_surface_is_named_an_estimate() {
        // Quadrature does not converge for the entropy of this mixture (the
        // log-normal spreads over hundreds of decades).
        let s = spec(
            "data: {mixture: {weights: [0.5, 0.5], components: [{lognormal: {meanlog: 0, sdlog: 8}}, {normal: {mean: 0, std: 1}}]}}\n\
             sample_size: 20\n\
             model: {normal: {mean: {linspace: [-2, 2, 9]}, std: {logspace: [0.3, 3, 7]}}}\n",
        );
        let entropy = kl::entropy(s.data.dist().unwrap()).unwrap();
        assert_eq!(
            entropy.method,
            kl::Method::MonteCarlo,
            "this test needs data without an exact entropy"
        );
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert!(matches!(r.surface, Surface::SampleEstimate(_)));
        // The estimate is the likelihood turned over, shifted by the
        // sample entropy.
        for (k, ll) in r.avg_loglik.iter().enumerate() {
            assert_eq!(r.kl[k], -r.entropy_sample.unwrap() - ll);
        }
        let out = s.report(&r);
        assert_eq!(out.numbers["kl_exact"], false);
        assert!(out.numbers.get("argmin_kl").is_none());
        assert!(out.numbers["argmin_kl_estimate"]["kl_estimate"].is_number());
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("sample estimate"), "{}", out.warnings[0]);
        let table = &out.tables[0];
        assert!(table.columns.iter().all(|c| c.header != "KL (nats)"));
        assert!(table.columns.iter().any(|c| c.header.contains("estimated")));
        let Panel::Heatmap(h) = &out.figures[0].panels[1] else {
            panic!("a heatmap")
        };
        assert!(h.title.contains("estimated"), "{}", h.title);
        let low = out.numbers["argmin_kl_estimate"]["kl_estimate"].as_f64().unwrap();
        assert_eq!(h.z_range, Some([low, low + 6.0]));
    }

    #[test]
    fn a_parameter_fixed_in_the_grid_stays_fixed_in_the_mle() {
        // A uniform sample has kurtosis 1.8: a Student t fitted with df free
        // would run off to df = ∞; with df held at 5 the fit is ordinary.
        let s = spec(
            "data: {uniform: {low: -1, high: 1}}\n\
             sample_size: 400\n\
             model: {student_t: {df: 5, loc: {linspace: [-0.5, 0.5, 11]}, scale: {logspace: [0.2, 2, 11]}}}\n",
        );
        let ctx = Ctx::new(4, &|_| {});
        let r = s.compute(&ctx).unwrap();
        let [loc, scale] = r.mle.clone().unwrap()[..] else {
            panic!("two swept parameters")
        };
        let xs = sample(&s, &ctx);
        let avg = |loc: f64, scale: f64| {
            let t = parse_uni(&format!("student_t(df=5, loc={loc}, scale={scale})")).unwrap();
            t.sum_ln_pdf(&xs) / xs.len() as f64
        };
        // The reported likelihood is that of a t with df 5 ...
        let best = avg(loc, scale);
        assert!((r.mle_avg_loglik.unwrap() - best).abs() < 1e-12);
        // ... at a stationary point in loc and scale (central differences),
        // which is a maximum.
        let h = 1e-4;
        let d_loc = (avg(loc + h, scale) - avg(loc - h, scale)) / (2.0 * h);
        let d_scale = (avg(loc, scale * (1.0 + h)) - avg(loc, scale * (1.0 - h))) / (2.0 * h);
        assert!(d_loc.abs() < 1e-6 && d_scale.abs() < 1e-6, "{d_loc}, {d_scale}");
        assert!(avg(loc + 0.01, scale) < best && avg(loc, scale * 1.01) < best);
        let out = s.report(&r);
        assert_eq!(out.numbers["mle"]["fixed"]["df"], 5.0);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    }

    #[test]
    fn a_parameter_the_family_cannot_hold_fixed_gives_no_mle_and_says_why() {
        // A Student t fit can hold df, not scale.
        let s = spec(
            "data: {student_t: {df: 4, loc: 0, scale: 1}}\n\
             sample_size: 400\n\
             model: {student_t: {df: {logspace: [1, 30, 9]}, loc: {linspace: [-0.5, 0.5, 11]}, scale: 1}}\n",
        );
        let r = s.compute(&Ctx::new(4, &|_| {})).unwrap();
        assert_eq!(r.mle, None);
        let out = s.report(&r);
        assert!(out.numbers.get("mle").is_none());
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("`scale` held fixed"), "{}", out.warnings[0]);
        // Posts are checked against the dry outcome, which agrees.
        assert!(s.report(&s.placeholder()).numbers.get("mle").is_none());
    }

    #[test]
    fn a_grid_sweeping_one_parameter_gives_curves_and_the_exact_divergence() {
        let s = spec(
            "data: {normal: {mean: 0, std: 1}}\n\
             sample_size: 2000\n\
             model: {laplace: {loc: 0, scale: {logspace: [0.25, 4, 41]}}}\n",
        );
        let r = s.compute(&Ctx::new(2, &|_| {})).unwrap();
        assert_eq!(r.surface, Surface::Exact);
        assert_eq!(r.kl.len(), 41);
        // KL(N(0, 1) ‖ Laplace(0, b)) = −½ ln(2πe) + ln(2b) + √(2/π)/b
        // (scipy's quadrature agrees to 1e-15 at b = 0.5, 0.798, 1, 2),
        // least at b = √(2/π).
        let scales = &s.model.first_axis().values;
        for (k, &b) in scales.iter().enumerate() {
            let reference = -0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln()
                + (2.0 * b).ln()
                + (2.0 / std::f64::consts::PI).sqrt() / b;
            assert!(((r.kl[k] - reference) / reference).abs() < 1e-8, "b = {b}: {}", r.kl[k]);
        }
        let best = r.argmin_kl.as_ref().expect("a finite minimum");
        let ratio = (16f64).powf(1.0 / 40.0);
        let b_star = (2.0 / std::f64::consts::PI).sqrt();
        assert!((best.values[0] / b_star).ln().abs() <= ratio.ln() / 2.0 + 1e-12);
        assert_eq!(best.j, 0);
        // The likelihood is the sample's own, computed here independently.
        let xs = sample(&s, &Ctx::new(2, &|_| {}));
        for k in [0, 17, 40] {
            let b = scales[k];
            let ll = xs.iter().map(|x| -(2.0 * b).ln() - x.abs() / b).sum::<f64>() / xs.len() as f64;
            assert!((r.avg_loglik[k] - ll).abs() < 1e-12, "{k}");
        }
        let out = s.report(&r);
        assert!(out.numbers["argmin_kl"].get("j").is_none());
        assert_eq!(out.numbers["grid"]["scale"]["points"], 41);
        // A Laplace fit cannot hold loc at 0: no MLE, and a warning says so.
        assert!(out.numbers.get("mle").is_none());
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        let figure = &out.figures[0];
        assert_eq!(figure.panels.len(), 2);
        let Panel::Plot(p) = &figure.panels[1] else {
            panic!("curves, not a surface")
        };
        assert_eq!(p.x.label, "scale");
        assert!(p.series.iter().any(|s| s.label == "KL(data ‖ model)"));
    }

    #[test]
    fn data_from_a_file_give_the_likelihood_alone_and_say_there_is_no_kl() {
        use crate::vocab::data::DataFile;
        let values = vec![0.5, 1.25, 3.0, 0.125, 2.0, 0.75, 1.5];
        let s = Spec {
            data: Data::File(DataFile {
                path: "data/waits.csv".into(),
                column: Some("wait".into()),
                values: std::sync::Arc::new(values.clone()),
                hash: "0".into(),
            }),
            sample_size: None,
            model: serde_yaml::from_str("{exponential: {rate: {logspace: [0.1, 10, 21]}}}").unwrap(),
        };
        assert_eq!(s.validate(), Ok(()));
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert_eq!(r.surface, Surface::Absent);
        assert!(r.kl.is_empty() && r.entropy.is_none() && r.kl_at_mle.is_none());
        // Average log-likelihood of Exp(λ): ln λ − λ · mean(x); the MLE is
        // 1 / mean(x).
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        for (k, &rate) in s.model.first_axis().values.iter().enumerate() {
            let ll = rate.ln() - rate * mean;
            assert!((r.avg_loglik[k] - ll).abs() < 1e-12, "{rate}");
        }
        let mle = r.mle.as_ref().unwrap()[0];
        assert!((mle - 1.0 / mean).abs() < 1e-12);
        let out = s.report(&r);
        assert_eq!(out.numbers["kl_exact"], false);
        assert!(out.numbers["no_kl"].as_str().unwrap().contains("no known density"));
        for key in ["argmin_kl", "argmin_kl_estimate", "kl_at_mle", "entropy", "same_cell"] {
            assert!(out.numbers.get(key).is_none(), "{key}");
        }
        assert_eq!(out.numbers["sample_size"], 7);
        assert_eq!(out.numbers["data"], "data/waits.csv (wait)");
        let table = &out.tables[0];
        assert!(table.columns.iter().all(|c| !c.header.contains("KL")));
        assert_eq!(table.rows.len(), 2, "the likelihood's argmax and the MLE");
        let figure = &out.figures[0];
        assert_eq!(figure.panels.len(), 1);
        let Panel::Plot(p) = &figure.panels[0] else {
            panic!("a curve")
        };
        assert!(p.title.contains("no KL"), "{}", p.title);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        // A file with a sample size is refused, and so is a distribution without.
        let with_size = Spec {
            sample_size: Some(Count(10)),
            ..s.clone()
        };
        assert!(with_size.validate().unwrap_err().starts_with("sample_size: "));
    }
}
