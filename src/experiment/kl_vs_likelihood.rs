//! `kl_vs_likelihood`: maximising likelihood is minimising forward KL.
//!
//! One sample is drawn from `data`. Over a grid of model parameters, the
//! report computes the sample's average log-likelihood and the forward
//! divergence `KL(data ‖ model) = −H(data) − E_data[ln model]`, with both
//! expectations taken over the same sample. The two surfaces differ by a
//! constant, so the likelihood's argmax and the divergence's argmin are the
//! same cell, next to the closed-form MLE.

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

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Average log-likelihood, `[i * n1 + j]`.
    pub avg_loglik: Vec<f64>,
    /// Forward KL estimated on the sample, `[i * n1 + j]`.
    pub kl: Vec<f64>,
    /// The likelihood's grid argmax.
    pub argmax_loglik: Cellpoint,
    /// The divergence's grid argmin.
    pub argmin_kl: Cellpoint,
    /// The grid step along each swept parameter at the argmax.
    pub step: [f64; 2],
    /// The closed-form MLE's values of the two swept parameters, the
    /// others held at their grid values, if the family has such a fit.
    pub mle: Option<[f64; 2]>,
    /// The sample's average log-likelihood at the MLE.
    pub mle_avg_loglik: Option<f64>,
    /// `−mean ln p_data(x)` over the sample.
    pub entropy_sample: f64,
    /// `H(data)` by closed form or quadrature.
    pub entropy_exact: kl::Value,
    /// `KL(data ‖ MLE)` by closed form or quadrature.
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

        // Every model density at every draw: the path any family takes.
        let avg_loglik: Vec<f64> = (0..n0 * n1)
            .into_par_iter()
            .map(|cell| {
                let model = grid.dist(cell / n1, cell % n1)?;
                ctx.tick(xs.len() as u64);
                Ok(model.sum_ln_pdf(&xs) / n)
            })
            .collect::<anyhow::Result<_>>()?;
        let entropy_sample = -self.data.sum_ln_pdf(&xs) / n;
        let kl: Vec<f64> = avg_loglik.iter().map(|ll| -entropy_sample - ll).collect();

        let at = |k: usize| Cellpoint {
            i: k / n1,
            j: k % n1,
            a: ax0.values[k / n1],
            b: ax1.values[k % n1],
        };
        let argmax_loglik = at(argmax(&avg_loglik).context("the likelihood is NaN everywhere")?);
        let argmin_kl = at(argmin(&kl).context("the divergence is NaN everywhere")?);
        let step = [
            step_at(&ax0.values, argmax_loglik.i),
            step_at(&ax1.values, argmax_loglik.j),
        ];

        let family = grid.family;
        let fit = match self.mle_plan() {
            Mle::Free => Some(family.fit(&xs).context("fitting the model to the sample")?),
            Mle::Fixed(param, value) => Some(family.fit_fixed(&xs, param, value).with_context(
                || format!("fitting the model to the sample, {param} held at {value}"),
            )?),
            Mle::None | Mle::Unavailable(_) => None,
        };
        let swept_of = |d: &Dist| {
            let p = d.scalar_params();
            [p[grid.swept[0]], p[grid.swept[1]]]
        };
        let entropy_exact = kl::entropy(&self.data).context("the entropy of data")?;
        let kl_at_mle = fit
            .as_ref()
            .map(|f| kl::kl(&self.data, f))
            .transpose()
            .context("KL(data ‖ MLE)")?;
        Ok(Findings {
            mle: fit.as_ref().map(swept_of),
            mle_avg_loglik: fit.as_ref().map(|f| f.sum_ln_pdf(&xs) / n),
            avg_loglik,
            kl,
            argmax_loglik,
            argmin_kl,
            step,
            entropy_sample,
            entropy_exact,
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
            argmax_loglik: corner,
            argmin_kl: corner,
            step: [1.0, 1.0],
            mle: has_mle.then_some([1.0, 1.0]),
            mle_avg_loglik: has_mle.then_some(1.0),
            entropy_sample: 1.0,
            entropy_exact: one,
            kl_at_mle: has_mle.then_some(one),
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let (ax0, ax1) = self.model.swept_axes();
        let (p0, p1) = (ax0.param, ax1.param);
        let cell = |c: &Cellpoint, key: &str, value: f64| json!({ "i": c.i, "j": c.j, p0: c.a, p1: c.b, key: value });
        let k_ll = r.argmax_loglik.i * ax1.values.len() + r.argmax_loglik.j;
        let k_kl = r.argmin_kl.i * ax1.values.len() + r.argmin_kl.j;
        let mut numbers = json!({
            "data": self.data.label(),
            "model": self.model.family.name,
            "sample_size": self.sample_size.0,
            "grid": {
                p0: { "min": ax0.values[0], "max": ax0.values[ax0.values.len() - 1], "points": ax0.values.len() },
                p1: { "min": ax1.values[0], "max": ax1.values[ax1.values.len() - 1], "points": ax1.values.len() },
            },
            "argmax_loglik": cell(&r.argmax_loglik, "avg_loglik", r.avg_loglik[k_ll]),
            "argmin_kl": cell(&r.argmin_kl, "kl", r.kl[k_kl]),
            "same_cell": (r.argmax_loglik.i, r.argmax_loglik.j) == (r.argmin_kl.i, r.argmin_kl.j),
            "step": { p0: r.step[0], p1: r.step[1] },
            "entropy_sample": r.entropy_sample,
            "entropy": r.entropy_exact.value,
            "entropy_method": r.entropy_exact.method,
        });
        // Present only when the model family has a maximum-likelihood fit.
        if let (Some(m), Some(ll)) = (r.mle, r.mle_avg_loglik) {
            numbers["mle"] = json!({ p0: m[0], p1: m[1], "avg_loglik": ll });
        }
        let mut warnings = Vec::new();
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
            numbers["kl_at_mle"] = json!(v.value);
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
        let columns = vec![
            Column::new("", Format::Int),
            Column::new(&format!("`{}`", ax0.param), Format::Fixed(4)),
            Column::new(&format!("`{}`", ax1.param), Format::Fixed(4)),
            Column::new("average log-likelihood", Format::Fixed(5)),
            Column::new("KL (nats)", Format::Fixed(5)),
        ];
        let row = |label: &str, c: &Cellpoint| {
            let k = c.i * n1 + c.j;
            vec![
                Cell::Text(label.into()),
                Cell::Num(c.a),
                Cell::Num(c.b),
                Cell::Num(r.avg_loglik[k]),
                Cell::Num(r.kl[k]),
            ]
        };
        let mut rows = vec![
            row("grid argmax of the likelihood", &r.argmax_loglik),
            row("grid argmin of KL", &r.argmin_kl),
        ];
        if let (Some(m), Some(ll)) = (r.mle, r.mle_avg_loglik) {
            rows.push(vec![
                Cell::Text("closed-form MLE".into()),
                Cell::Num(m[0]),
                Cell::Num(m[1]),
                Cell::Num(ll),
                Cell::Num(-r.entropy_sample - ll),
            ]);
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
        let positive = r.kl.iter().all(|&v| v > 0.0);
        let (kl_z, kl_label, kl_title) = if positive {
            (
                r.kl.iter().map(|v| v.log10()).collect(),
                "log₁₀ KL (nats)",
                "log₁₀ KL(data ‖ model)",
            )
        } else {
            (r.kl.clone(), "KL (nats)", "KL(data ‖ model)")
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
        let kl_overlays = vec![Series::point(
            &format!("grid argmin ({:.3}, {:.3})", r.argmin_kl.a, r.argmin_kl.b),
            color::ORANGE,
            r.argmin_kl.a,
            r.argmin_kl.b,
            Marker::Star,
        )];
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
                    Some([best_ll - 6.0, best_ll]),
                    ll_overlays,
                ),
                panel(kl_title.to_string(), kl_z, kl_label, None, kl_overlays),
            ],
        }
    }
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

    #[test]
    fn likelihood_argmax_and_kl_argmin_coincide_near_the_mle() {
        let s: Spec = serde_yaml::from_str(
            "data: {mixture: {weights: [0.3, 0.7], components: [{normal: {mean: -2, std: 0.6}}, {normal: {mean: 1.5, std: 1}}]}}\n\
             sample_size: 5000\n\
             model: {normal: {mean: {linspace: [-4, 4, 41]}, std: {logspace: [0.3, 4, 31]}}}\n",
        )
        .unwrap();
        let r = s.compute(&Ctx::new(3, &|_| {})).unwrap();
        assert_eq!(
            (r.argmax_loglik.i, r.argmax_loglik.j),
            (r.argmin_kl.i, r.argmin_kl.j)
        );
        let m = r.mle.unwrap();
        assert!((r.argmax_loglik.a - m[0]).abs() <= r.step[0]);
        assert!((r.argmax_loglik.b - m[1]).abs() <= r.step[1]);
        // The sample entropy estimates the quadrature value: its standard
        // error at n = 5000 is about 0.02.
        assert!((r.entropy_sample - r.entropy_exact.value).abs() < 0.1);
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
