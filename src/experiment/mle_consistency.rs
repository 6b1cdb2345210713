//! `mle_consistency`: how fast maximum-likelihood estimates approach the
//! truth as the sample grows.
//!
//! For each sample size `n` and each of `replicates` independent samples
//! from `data`, the data's own family is fitted by maximum likelihood. The
//! report gives the RMSE of each parameter against the truth, its log-log
//! slope against `n` (−1/2 for a regular model) and, where the family knows
//! its Fisher information, the Cramér–Rao bound `sqrt(I⁻¹/n)`.

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size};
use crate::chart::{Axis, Corner, Figure, Marker, Panel, Plot, Series};
use crate::dist::Univariate;
use crate::dist::syntax::Fittable;
use crate::numeric::ols_slope;
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::vocab::sweep::{Count, Counts};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The true distribution; its family is the model that is fitted.
    pub data: Fittable,
    /// Sample sizes (at least 2: one observation fits no spread).
    pub n: Counts<2>,
    /// Independent samples per size.
    pub replicates: Count,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Parameter names, in the family's order.
    pub params: Vec<&'static str>,
    /// True parameter values.
    pub truth: Vec<f64>,
    /// `rmse[p][k]`: RMSE of parameter `p` at sample size `n[k]`.
    pub rmse: Vec<Vec<f64>>,
    /// `bias[p][k]`: mean error of parameter `p` at sample size `n[k]`.
    pub bias: Vec<Vec<f64>>,
    /// Log-log slope of RMSE against n, per parameter.
    pub slope: Vec<f64>,
    /// `crb[p][k]`: the Cramér–Rao bound, when the family provides it.
    pub crb: Option<Vec<Vec<f64>>>,
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        Size::replicated(&self.n.0, self.replicates.0)
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let data = &self.data.0;
        let family = data.family();
        let reps = self.replicates.0;
        let sizes = &self.n.0;
        // One task per (size, replicate); each has its own stream, and the
        // estimates come back in task order whatever the thread count.
        let estimates: Vec<Vec<f64>> = (0..sizes.len() * reps)
            .into_par_iter()
            .map(|task| {
                let (k, r) = (task / reps, task % reps);
                let mut rng = ctx.rng(&[k as u64, r as u64]);
                let xs: Vec<f64> = (0..sizes[k]).map(|_| data.sample(&mut rng)).collect();
                let fit = family
                    .fit(&xs)
                    .with_context(|| format!("fitting replicate {r} at n = {}", sizes[k]))?;
                ctx.tick(sizes[k] as u64);
                Ok(fit.scalar_params())
            })
            .collect::<anyhow::Result<_>>()?;

        let truth = data.scalar_params();
        let params: Vec<&'static str> = family.params.iter().map(|p| p.name).collect();
        let mut rmse = vec![Vec::with_capacity(sizes.len()); params.len()];
        let mut bias = vec![Vec::with_capacity(sizes.len()); params.len()];
        for per_size in estimates.chunks(reps) {
            for (p, &t) in truth.iter().enumerate() {
                let errors: Vec<f64> = per_size.iter().map(|e| e[p] - t).collect();
                let mse = errors.iter().map(|e| e * e).sum::<f64>() / reps as f64;
                rmse[p].push(mse.sqrt());
                bias[p].push(errors.iter().sum::<f64>() / reps as f64);
            }
        }
        let log_n: Vec<f64> = sizes.iter().map(|&n| (n as f64).ln()).collect();
        let slope = rmse
            .iter()
            .map(|r| {
                let log_r: Vec<f64> = r.iter().map(|x| x.ln()).collect();
                ols_slope(&log_n, &log_r)
            })
            .collect();
        let crb = data.cramer_rao().map(|unit| {
            unit.iter()
                .map(|s| sizes.iter().map(|&n| s / (n as f64).sqrt()).collect())
                .collect()
        });
        Ok(Findings {
            params,
            truth,
            rmse,
            bias,
            slope,
            crb,
        })
    }

    fn placeholder(&self) -> Findings {
        let data = &self.data.0;
        let params: Vec<&'static str> = data.family().params.iter().map(|p| p.name).collect();
        let ones = vec![vec![1.0; self.n.0.len()]; params.len()];
        Findings {
            truth: data.scalar_params(),
            slope: vec![1.0; params.len()],
            rmse: ones.clone(),
            bias: ones.clone(),
            crb: data.cramer_rao().map(|_| ones),
            params,
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let by_param = |values: &[serde_json::Value]| -> serde_json::Value {
            let map: serde_json::Map<String, serde_json::Value> = r
                .params
                .iter()
                .map(|p| p.to_string())
                .zip(values.iter().cloned())
                .collect();
            map.into()
        };
        let each = |v: &[Vec<f64>]| v.iter().map(|x| json!(x)).collect::<Vec<_>>();
        let scalars = |v: &[f64]| v.iter().map(|x| json!(x)).collect::<Vec<_>>();
        let mut numbers = json!({
            "data": self.data.0.label(),
            "family": self.data.0.family().name,
            // Not `true`: Tera reads `r.true` as the boolean.
            "truth": by_param(&scalars(&r.truth)),
            "n": self.n.0,
            "replicates": self.replicates.0,
            "rmse": by_param(&each(&r.rmse)),
            "bias": by_param(&each(&r.bias)),
            "slope": by_param(&scalars(&r.slope)),
        });
        if let Some(crb) = &r.crb {
            numbers["crb"] = by_param(&each(crb));
        }
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
        let mut columns = vec![Column::new("n", Format::Int)];
        for p in &r.params {
            columns.push(Column::new(&format!("RMSE `{p}`"), Format::Sci(3)));
            if r.crb.is_some() {
                columns.push(Column::new(&format!("Cramér–Rao `{p}`"), Format::Sci(3)));
            }
        }
        let rows = self
            .n
            .0
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                let mut row = vec![Cell::Num(n as f64)];
                for p in 0..r.params.len() {
                    row.push(Cell::Num(r.rmse[p][k]));
                    if let Some(crb) = &r.crb {
                        row.push(Cell::Num(crb[p][k]));
                    }
                }
                row
            })
            .collect();
        Table {
            name: "rmse".into(),
            columns,
            rows,
        }
    }

    fn figure(&self, r: &Findings) -> Figure {
        let ns: Vec<f64> = self.n.0.iter().map(|&n| n as f64).collect();
        let markers = [Marker::Circle, Marker::Square, Marker::Triangle];
        let mut series = Vec::new();
        for (p, name) in r.params.iter().enumerate() {
            let marker = markers[p % markers.len()];
            series.push(Series::line(
                &format!("RMSE of {name} (slope {:.3})", r.slope[p]),
                p,
                ns.clone(),
                r.rmse[p].clone(),
                false,
                Some(marker),
            ));
            if let Some(crb) = &r.crb {
                series.push(Series::line(
                    &format!("Cramér–Rao bound for {name}"),
                    p,
                    ns.clone(),
                    crb[p].clone(),
                    true,
                    None,
                ));
            }
        }
        Figure {
            name: "rmse".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: format!(
                    "MLE consistency, {} replicates of {}",
                    self.replicates.0,
                    self.data.0.label()
                ),
                x: Axis::log("sample size n"),
                y: Axis::log("RMSE"),
                series,
                legend: Corner::LowerLeft,
            })],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(src: &str) -> Spec {
        serde_yaml::from_str(src).unwrap()
    }

    #[test]
    fn rmse_falls_like_one_over_root_n_and_tracks_the_cramer_rao_bound() {
        let s =
            spec("data: {normal: {mean: 1.5, std: 2.0}}\nn: [20, 200, 2000]\nreplicates: 300\n");
        let r = s.compute(&Ctx::new(5, &|_| {})).unwrap();
        assert_eq!(r.params, ["mean", "std"]);
        for p in 0..2 {
            assert!((-0.6..=-0.4).contains(&r.slope[p]), "slope {}", r.slope[p]);
            let crb = &r.crb.as_ref().unwrap()[p];
            for (k, (rmse, bound)) in r.rmse[p].iter().zip(crb).enumerate() {
                // The MLE of a normal is efficient: RMSE / bound → 1. With 300
                // replicates the RMSE is within ~10 % of its expectation.
                let ratio = rmse / bound;
                assert!((0.8..1.25).contains(&ratio), "p {p} k {k}: {ratio}");
            }
        }
    }

    #[test]
    fn true_parameters_are_reported_under_a_key_posts_can_write() {
        let s = spec("data: {normal: {mean: 1.5, std: 2.0}}\nn: [10, 20]\nreplicates: 5\n");
        let out = s.report(&s.compute(&Ctx::new(5, &|_| {})).unwrap());
        assert_eq!(out.numbers["truth"], json!({"mean": 1.5, "std": 2.0}));
        assert!(out.numbers.get("true").is_none());
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let s = spec("data: {normal: {mean: 0, std: 1}}\nn: [10, 100]\nreplicates: 50\n");
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let a = one.install(|| s.compute(&Ctx::new(9, &|_| {})).unwrap());
        let b = s.compute(&Ctx::new(9, &|_| {})).unwrap();
        assert_eq!(a, b);
    }
}
