//! `kl_vs_likelihood`: maximising likelihood is minimising forward KL.
//!
//! One sample is drawn from `data`. Over a grid of model parameters, the
//! report computes the sample's average log-likelihood and the forward
//! divergence `KL(data ‖ model) = −H(data) − E_data[ln model]`. The sample's
//! average of `ln model` estimates `E_data[ln model]`, so the likelihood
//! surface is the divergence surface turned over and shifted, up to
//! sampling error: the likelihood's argmax is next to the divergence's
//! argmin, and next to the closed-form MLE.
//!
//! The divergence is exact (a closed form; the entropy by quadrature with
//! the cross-entropy from the data's moments; or quadrature of the
//! definition) wherever the data's entropy and the divergence have exact
//! values. The sample's own estimate,
//! `mean ln p_data(x) − mean ln model(x)`, is reported beside it under its
//! own name: on a small sample it is negative near the MLE, which fits the
//! sample better than the truth does. It replaces the exact surface, named
//! as an estimate, only when no exact value exists.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size, argmax, argmin, scale_of, step_at};
use crate::chart::{Axis, Corner, Figure, Heatmap, Marker, Panel, Series, color};
use crate::dist::{Dist, FitError, Univariate};
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::sweep::{Count, Grid};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The distribution the sample is drawn from.
    pub data: Dist,
    /// Size of the one sample.
    pub sample_size: Count,
    /// The model family and the grid of its parameters.
    pub model: Grid,
}

/// A grid cell and its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cellpoint {
    /// Index along the first swept parameter.
    pub i: usize,
    /// Index along the second swept parameter.
    pub j: usize,
    /// The first parameter's value.
    pub a: f64,
    /// The second parameter's value.
    pub b: f64,
}

/// What the divergence surface holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Surface {
    /// `KL(data ‖ model)` itself, at every grid point.
    Exact,
    /// `mean ln p_data(x) − mean ln model(x)` over the sample, which can be
    /// negative: no exact divergence exists, for the reason given.
    SampleEstimate(String),
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Average log-likelihood, `[i * n1 + j]`.
    pub avg_loglik: Vec<f64>,
    /// The divergence surface, `[i * n1 + j]`: exact or the sample
    /// estimate, as `surface` says.
    pub kl: Vec<f64>,
    /// Which of the two `kl` is.
    pub surface: Surface,
    /// The likelihood's grid argmax.
    pub argmax_loglik: Cellpoint,
    /// The divergence surface's grid argmin, over its finite values: `None`
    /// when it is infinite everywhere (no model on the grid has density
    /// wherever the data have mass).
    pub argmin_kl: Option<Cellpoint>,
    /// The grid step along each swept parameter at the argmax.
    pub step: [f64; 2],
    /// The closed-form MLE's values of the two swept parameters, the
    /// others held at their grid values, if the family has such a fit.
    pub mle: Option<[f64; 2]>,
    /// The sample's average log-likelihood at the MLE.
    pub mle_avg_loglik: Option<f64>,
    /// `−mean ln p_data(x)` over the sample.
    pub entropy_sample: f64,
    /// `H(data)` by closed form or quadrature (Monte Carlo when neither
    /// gives a value).
    pub entropy: kl::Value,
    /// `KL(data ‖ MLE)`.
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

impl Spec {
    fn mle_plan(&self) -> Mle {
        let family = self.model.family;
        if !family.has_fit {
            return Mle::None;
        }
        let fixed: Vec<(&'static str, f64)> = (0..self.model.axes.len())
            .filter(|k| !self.model.swept.contains(k))
            .map(|k| (self.model.axes[k].param, self.model.axes[k].values[0]))
            .collect();
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

    /// `KL(data ‖ model)` when it has an exact value; why not otherwise.
    fn exact_kl(&self, model: &Dist, entropy: &kl::Value) -> Result<f64, String> {
        match kl::kl_knowing_entropy(&self.data, model, entropy) {
            Ok(v) if v.method != kl::Method::MonteCarlo => Ok(v.value),
            Ok(_) => Err(format!(
                "KL(data ‖ {}) has no exact value (quadrature did not converge)",
                model.label()
            )),
            Err(e) => Err(format!("KL(data ‖ {}): {e}", model.label())),
        }
    }
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        let (n0, n1) = self.model.shape();
        Size::uniform(n0 * n1, self.sample_size.0)
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let mut rng = ctx.rng(&[0]);
        let xs: Vec<f64> = (0..self.sample_size.0)
            .map(|_| self.data.sample(&mut rng))
            .collect();
        let n = xs.len() as f64;
        let grid = &self.model;
        let (n0, n1) = grid.shape();
        let (ax0, ax1) = grid.swept_axes();
        let entropy = kl::entropy(&self.data).context("the entropy of data")?;
        let exact_entropy = entropy.method != kl::Method::MonteCarlo;

        // Every model density at every draw: the path any family takes.
        let cells: Vec<(f64, Result<f64, String>)> = (0..n0 * n1)
            .into_par_iter()
            .map(|cell| {
                let model = grid.dist(cell / n1, cell % n1)?;
                let ll = model.sum_ln_pdf(&xs) / n;
                let exact = if exact_entropy {
                    self.exact_kl(&model, &entropy)
                } else {
                    Err(String::new())
                };
                ctx.tick(xs.len() as u64);
                Ok((ll, exact))
            })
            .collect::<anyhow::Result<_>>()?;
        let avg_loglik: Vec<f64> = cells.iter().map(|c| c.0).collect();
        let entropy_sample = -self.data.sum_ln_pdf(&xs) / n;
        let not_exact = if exact_entropy {
            cells.iter().find_map(|c| c.1.as_ref().err().cloned())
        } else {
            Some(format!(
                "the entropy of {} has no exact value (quadrature did not converge)",
                self.data.label()
            ))
        };
        let (kl_surface, surface): (Vec<f64>, _) = match not_exact {
            None => (
                cells.iter().filter_map(|c| c.1.clone().ok()).collect(),
                Surface::Exact,
            ),
            Some(why) => (
                avg_loglik.iter().map(|ll| -entropy_sample - ll).collect(),
                Surface::SampleEstimate(why),
            ),
        };

        let at = |k: usize| Cellpoint {
            i: k / n1,
            j: k % n1,
            a: ax0.values[k / n1],
            b: ax1.values[k % n1],
        };
        let argmax_loglik = at(argmax(&avg_loglik).context("the likelihood is NaN everywhere")?);
        let finite: Vec<f64> = kl_surface
            .iter()
            .map(|&v| if v.is_finite() { v } else { f64::NAN })
            .collect();
        let argmin_kl = match argmin(&finite) {
            Some(k) => Some(at(k)),
            None if kl_surface.iter().all(|&v| v == f64::INFINITY) => None,
            None => anyhow::bail!("the divergence is NaN everywhere"),
        };
        let step = [
            step_at(&ax0.values, argmax_loglik.i),
            step_at(&ax1.values, argmax_loglik.j),
        ];

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
            [p[grid.swept[0]], p[grid.swept[1]]]
        };
        let kl_at_mle = fit
            .as_ref()
            .map(|f| kl::kl_knowing_entropy(&self.data, f, &entropy))
            .transpose()
            .context("KL(data ‖ MLE)")?;
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
        let (ax0, ax1) = self.model.swept_axes();
        let (n0, n1) = self.model.shape();
        let corner = Cellpoint {
            i: 0,
            j: 0,
            a: ax0.values[0],
            b: ax1.values[0],
        };
        let has_mle = matches!(self.mle_plan(), Mle::Free | Mle::Fixed(..));
        let one = kl::Value {
            value: 1.0,
            method: kl::Method::ClosedForm,
            stderr: None,
        };
        Findings {
            avg_loglik: vec![1.0; n0 * n1],
            kl: vec![1.0; n0 * n1],
            surface: Surface::Exact,
            argmax_loglik: corner,
            argmin_kl: Some(corner),
            step: [1.0, 1.0],
            mle: has_mle.then_some([1.0, 1.0]),
            mle_avg_loglik: has_mle.then_some(1.0),
            entropy_sample: 1.0,
            entropy: one,
            kl_at_mle: has_mle.then_some(one),
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let (ax0, ax1) = self.model.swept_axes();
        let (p0, p1) = (ax0.param, ax1.param);
        let n1 = ax1.values.len();
        let k_ll = r.argmax_loglik.i * n1 + r.argmax_loglik.j;
        let estimate = |ll: f64| -r.entropy_sample - ll;
        let mut argmax = json!({
            "i": r.argmax_loglik.i, "j": r.argmax_loglik.j,
            p0: r.argmax_loglik.a, p1: r.argmax_loglik.b,
            "avg_loglik": r.avg_loglik[k_ll],
            "kl_estimate": estimate(r.avg_loglik[k_ll]),
        });
        let exact = r.surface == Surface::Exact;
        if exact {
            argmax["kl"] = divergence(r.kl[k_ll]);
        }
        // An estimate that can be negative is never filed as a divergence.
        let (argmin_key, value_key) = if exact {
            ("argmin_kl", "kl")
        } else {
            ("argmin_kl_estimate", "kl_estimate")
        };
        let mut numbers = json!({
            "data": self.data.label(),
            "model": self.model.family.name,
            "sample_size": self.sample_size.0,
            "grid": {
                p0: { "min": ax0.values[0], "max": ax0.values[ax0.values.len() - 1], "points": ax0.values.len() },
                p1: { "min": ax1.values[0], "max": ax1.values[n1 - 1], "points": n1 },
            },
            "argmax_loglik": argmax,
        });
        let mut warnings = Vec::new();
        match r.argmin_kl {
            Some(c) => {
                let value = r.kl[c.i * n1 + c.j];
                numbers[argmin_key] = json!({ "i": c.i, "j": c.j, p0: c.a, p1: c.b, value_key: divergence(value) });
                numbers["same_cell"] = json!((c.i, c.j) == (r.argmax_loglik.i, r.argmax_loglik.j));
            }
            None => {
                numbers["same_cell"] = json!(false);
                warnings.push(format!(
                    "KL(data ‖ model) is +∞ at every grid point: {} puts mass where no model \
                     on the grid has density, so no model minimises it and none is marked",
                    self.data.label()
                ));
            }
        }
        let rest = json!({
            "step": { p0: r.step[0], p1: r.step[1] },
            "entropy_sample": r.entropy_sample,
            "entropy": r.entropy.value,
            "entropy_method": r.entropy.method,
            "kl_exact": exact,
        });
        if let (Some(all), serde_json::Value::Object(rest)) = (numbers.as_object_mut(), rest) {
            all.extend(rest);
        }
        if let Surface::SampleEstimate(why) = &r.surface {
            warnings.push(format!(
                "{why}, so the divergence surface is the sample estimate \
                 mean ln p_data − mean ln model, which can be negative (argmin_kl_estimate)"
            ));
        }
        // Present only when the model family has a maximum-likelihood fit.
        if let (Some(m), Some(ll)) = (r.mle, r.mle_avg_loglik) {
            numbers["mle"] = json!({ p0: m[0], p1: m[1], "avg_loglik": ll, "kl_estimate": estimate(ll) });
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
        let (ax0, ax1) = self.model.swept_axes();
        let n1 = ax1.values.len();
        let exact = r.surface == Surface::Exact;
        let mut columns = vec![
            Column::new("", Format::Int),
            Column::new(&format!("`{}`", ax0.param), Format::Fixed(4)),
            Column::new(&format!("`{}`", ax1.param), Format::Fixed(4)),
            Column::new("average log-likelihood", Format::Fixed(5)),
        ];
        if exact {
            columns.push(Column::new("KL (nats)", Format::Fixed(5)));
        }
        columns.push(Column::new(
            "KL estimated on the sample (nats, can be < 0)",
            Format::Fixed(5),
        ));
        let row = |label: &str, a: f64, b: f64, ll: f64, kl: f64| {
            let mut row = vec![
                Cell::Text(label.into()),
                Cell::Num(a),
                Cell::Num(b),
                Cell::Num(ll),
            ];
            if exact {
                row.push(Cell::Num(kl));
            }
            row.push(Cell::Num(-r.entropy_sample - ll));
            row
        };
        let at = |label: &str, c: &Cellpoint| {
            let k = c.i * n1 + c.j;
            row(label, c.a, c.b, r.avg_loglik[k], r.kl[k])
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
        if let (Some(m), Some(ll)) = (r.mle, r.mle_avg_loglik) {
            let kl = r.kl_at_mle.map_or(f64::NAN, |v| v.value);
            rows.push(row("closed-form MLE", m[0], m[1], ll, kl));
        }
        Table {
            name: "optimum".into(),
            columns,
            rows,
        }
    }

    fn figure(&self, r: &Findings) -> Figure {
        let (ax0, ax1) = self.model.swept_axes();
        let axis = |values: &[f64], name: &str| Axis {
            label: name.to_string(),
            scale: scale_of(values),
            range: None,
        };
        let best_ll = r.avg_loglik[r.argmax_loglik.i * ax1.values.len() + r.argmax_loglik.j];
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
                let low = r.argmin_kl.map(|c| r.kl[c.i * ax1.values.len() + c.j]);
                (
                    r.kl.clone(),
                    "nats (clipped at min + 6)",
                    "KL estimated on the sample: mean ln p_data − ln model",
                    low.map(|low| [low, low + 6.0]),
                )
            }
        };
        let mut ll_overlays = vec![Series::point(
            &format!(
                "grid argmax ({:.3}, {:.3})",
                r.argmax_loglik.a, r.argmax_loglik.b
            ),
            color::ORANGE,
            r.argmax_loglik.a,
            r.argmax_loglik.b,
            Marker::Star,
        )];
        if let Some(m) = r.mle {
            ll_overlays.push(Series::point(
                &format!("closed-form MLE ({:.3}, {:.3})", m[0], m[1]),
                color::VERMILLION,
                m[0],
                m[1],
                Marker::Cross,
            ));
        }
        let kl_overlays = r
            .argmin_kl
            .iter()
            .map(|c| {
                Series::point(
                    &format!("grid argmin ({:.3}, {:.3})", c.a, c.b),
                    color::ORANGE,
                    c.a,
                    c.b,
                    Marker::Star,
                )
            })
            .collect();
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
        Figure {
            name: "surfaces".into(),
            width: 1100,
            height: 460,
            panels: vec![
                panel(
                    format!("average log-likelihood, {} model", self.model.family.name),
                    r.avg_loglik.clone(),
                    "nats per observation (clipped at max − 6)",
                    best_ll.is_finite().then_some([best_ll - 6.0, best_ll]),
                    ll_overlays,
                ),
                panel(kl_title.to_string(), kl_z, kl_label, kl_range, kl_overlays),
            ],
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
        (0..s.sample_size.0)
            .map(|_| s.data.sample(&mut rng))
            .collect()
    }

    /// The surface against quadrature of the definition of KL, at the
    /// corners, the middle and the argmin of the grid.
    #[track_caller]
    fn assert_surface_is_the_definition(s: &Spec, r: &Findings) {
        let (n0, n1) = s.model.shape();
        let argmin = r.argmin_kl.expect("a finite divergence somewhere");
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
            let reference = kl::kl_by_definition(&s.data, &model).unwrap();
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
        let argmin = r.argmin_kl.unwrap();
        assert_eq!(
            (r.argmax_loglik.i, r.argmax_loglik.j),
            (argmin.i, argmin.j)
        );
        let m = r.mle.unwrap();
        assert!((r.argmax_loglik.a - m[0]).abs() <= r.step[0]);
        assert!((r.argmax_loglik.b - m[1]).abs() <= r.step[1]);
        // The sample entropy estimates the quadrature value: its standard
        // error at n = 5000 is about 0.02.
        assert_eq!(r.entropy.method, kl::Method::Quadrature);
        assert!((r.entropy_sample - r.entropy.value).abs() < 0.1);
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
        assert_eq!(r.argmin_kl.map(|c| (c.i, c.j)), Some((1, 1)));
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
        let entropy = kl::entropy(&s.data).unwrap();
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
            assert_eq!(r.kl[k], -r.entropy_sample - ll);
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
        let [loc, scale] = r.mle.unwrap();
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
}
