//! `mle_consistency`: how fast maximum-likelihood estimates approach the
//! truth as the sample grows.
//!
//! For each sample size `n` and each of `replicates` independent samples
//! from `data`, the data's own family is fitted by maximum likelihood (a
//! mixture of normals by EM, with as many components). The report gives
//! the RMSE of each parameter against the truth, its log-log slope against
//! `n` (−1/2 for a regular model) and, where the family knows its Fisher
//! information, the Cramér–Rao bound `sqrt(I⁻¹/n)`.
//!
//! `fixed: [df]` holds the named parameters at their true values while the
//! others are fitted. A replicate whose fit fails (a sample with no
//! finite maximum) is left out and counted, and the build warns; only a
//! sample size at which every replicate fails is an error.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size};
use crate::chart::{Axis, Corner, Figure, Marker, Panel, Plot, Series};
use crate::dist::{Dist, FitError, ParamValue, Univariate};
use crate::numeric::ols_slope;
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::fit;
use crate::vocab::sweep::{Count, Counts};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The true distribution: a family with a maximum-likelihood fit, or a
    /// mixture of normals. Its family is the model that is fitted.
    pub data: Dist,
    /// Parameters held at their true values while the others are fitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// Sample sizes (at least 2: one observation fits no spread).
    pub n: Counts<2>,
    /// Independent samples per size.
    pub replicates: Count,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Names of the fitted parameters, in the family's order.
    pub params: Vec<String>,
    /// Their true values.
    pub truth: Vec<f64>,
    /// `rmse[p][k]`: RMSE of parameter `p` at sample size `n[k]`, over the
    /// replicates whose fit succeeded.
    pub rmse: Vec<Vec<f64>>,
    /// `bias[p][k]`: mean error of parameter `p` at sample size `n[k]`.
    pub bias: Vec<Vec<f64>>,
    /// Log-log slope of RMSE against n, per parameter.
    pub slope: Vec<f64>,
    /// `crb[p][k]`: the Cramér–Rao bound, when the family provides it (and
    /// no parameter is held fixed).
    pub crb: Option<Vec<Vec<f64>>>,
    /// Replicates left out at each sample size because their fit failed.
    pub failed: Vec<usize>,
    /// Why the first failed fit at each size failed.
    pub why: Vec<Option<String>>,
}

/// What is fitted: the data's family, a parameter held fixed, or the
/// components of a mixture of normals.
enum Model {
    Family(&'static crate::dist::FamilyDef),
    Fixed(&'static crate::dist::FamilyDef, String, f64),
    NormalMixture(usize),
}

impl Spec {
    fn model(&self) -> Model {
        let family = self.data.family();
        if let Some(k) = normal_components(&self.data) {
            return Model::NormalMixture(k);
        }
        match self.fixed.first() {
            None => Model::Family(family),
            Some(name) => {
                let value = family
                    .params
                    .iter()
                    .position(|p| p.name == name)
                    .and_then(|k| match self.data.params().get(k) {
                        Some(ParamValue::Scalar(v)) => Some(*v),
                        _ => None,
                    })
                    .unwrap_or(f64::NAN);
                Model::Fixed(family, name.clone(), value)
            }
        }
    }

    /// The fitted parameters' names and true values.
    fn truth(&self) -> (Vec<String>, Vec<f64>) {
        let (names, values) = flatten(&self.data);
        names
            .into_iter()
            .zip(values)
            .filter(|(n, _)| !self.fixed.contains(n))
            .unzip()
    }

    /// The fitted values of the free parameters, from one sample.
    fn fit(&self, model: &Model, xs: &[f64]) -> Result<Vec<f64>, FitError> {
        let dist = match model {
            Model::Family(family) => family.fit(xs)?,
            Model::Fixed(family, name, value) => family.fit_fixed(xs, name, *value)?,
            Model::NormalMixture(k) => fit::fit_normal_mixture(xs, *k)?.dist,
        };
        let (names, values) = flatten(&dist);
        Ok(names
            .into_iter()
            .zip(values)
            .filter(|(n, _)| !self.fixed.contains(n))
            .map(|(_, v)| v)
            .collect())
    }
}

/// The number of components of a mixture of normals, if `d` is one.
fn normal_components(d: &Dist) -> Option<usize> {
    match d.params().as_slice() {
        [_, ParamValue::Components(parts)] if d.family().name == "mixture" => parts
            .iter()
            .all(|c| c.family().name == "normal")
            .then_some(parts.len()),
        _ => None,
    }
}

/// A distribution's parameters as names and numbers: a scalar family's own,
/// or a mixture of normals' `weight_j`, `mean_j`, `std_j`, components in
/// increasing order of their means (as EM reports them, so that fitted and
/// true components are matched).
fn flatten(d: &Dist) -> (Vec<String>, Vec<f64>) {
    if normal_components(d).is_some()
        && let [ParamValue::Vector(weights), ParamValue::Components(parts)] = d.params().as_slice()
    {
        let mut comps: Vec<(f64, f64, f64)> = weights
            .iter()
            .zip(parts)
            .map(|(w, c)| (*w, c.mean(), c.variance().sqrt()))
            .collect();
        comps.sort_by(|a, b| a.1.total_cmp(&b.1));
        let k = comps.len();
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (what, pick) in [("weight", 0), ("mean", 1), ("std", 2)] {
            for (j, c) in comps.iter().enumerate() {
                names.push(format!("{what}_{}", j + 1));
                values.push([c.0, c.1, c.2][pick]);
            }
        }
        debug_assert_eq!(names.len(), 3 * k);
        return (names, values);
    }
    let names = d.family().params.iter().map(|p| p.name.to_string()).collect();
    (names, d.scalar_params())
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        Size::replicated(&self.n.0, self.replicates.0)
    }

    fn validate(&self) -> Result<(), String> {
        let family = self.data.family();
        let mixture = normal_components(&self.data).is_some();
        if !family.has_fit && !mixture {
            let fittable: Vec<&str> = crate::dist::FAMILIES
                .iter()
                .filter(|f| f.has_fit)
                .map(|f| f.name)
                .collect();
            return Err(format!(
                "data: the {} family has no maximum-likelihood fit; use one of: {}, or a mixture of normals",
                family.name,
                fittable.join(", ")
            ));
        }
        if !mixture && !family.is_scalar() {
            return Err(format!(
                "data: the {} family's parameters are not all numbers, so their errors cannot be measured here",
                family.name
            ));
        }
        match self.fixed.as_slice() {
            [] => Ok(()),
            [name] => {
                let known = !mixture && family.params.iter().any(|p| p.name == name);
                if !known {
                    let names: Vec<&str> = family.params.iter().map(|p| p.name).collect();
                    return Err(format!(
                        "fixed: `{name}` is not a parameter of {}; its parameters are: {}",
                        family.name,
                        names.join(", ")
                    ));
                }
                // Refused at read time rather than at every replicate.
                let (names, values) = flatten(&self.data);
                let value = names.iter().position(|n| n == name).map_or(f64::NAN, |k| values[k]);
                match family.fit_fixed(&[0.0, 1.0], name, value) {
                    Err(FitError::CannotFix { .. }) => Err(format!(
                        "fixed: the {} family cannot be fitted with `{name}` held fixed",
                        family.name
                    )),
                    _ => Ok(()),
                }
            }
            _ => Err("fixed: at most one parameter can be held fixed".into()),
        }
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let data = &self.data;
        let model = self.model();
        let reps = self.replicates.0;
        let sizes = &self.n.0;
        // One task per (size, replicate); each has its own stream, and the
        // estimates come back in task order whatever the thread count.
        let estimates: Vec<Result<Vec<f64>, FitError>> = (0..sizes.len() * reps)
            .into_par_iter()
            .map(|task| {
                let (k, r) = (task / reps, task % reps);
                let mut rng = ctx.rng(&[k as u64, r as u64]);
                let mut xs = vec![0.0; sizes[k]];
                data.sample_into(&mut rng, &mut xs);
                let fit = self.fit(&model, &xs);
                ctx.tick(sizes[k] as u64);
                fit
            })
            .collect();

        let (params, truth) = self.truth();
        let mut rmse = vec![Vec::with_capacity(sizes.len()); params.len()];
        let mut bias = vec![Vec::with_capacity(sizes.len()); params.len()];
        let (mut failed, mut why) = (Vec::new(), Vec::new());
        for (k, per_size) in estimates.chunks(reps).enumerate() {
            let ok: Vec<&Vec<f64>> = per_size.iter().filter_map(|e| e.as_ref().ok()).collect();
            let first_failure = per_size.iter().find_map(|e| e.as_ref().err());
            if ok.is_empty() {
                anyhow::bail!(
                    "every one of the {reps} fits at n = {} failed; the first: {}",
                    sizes[k],
                    first_failure.map_or_else(String::new, ToString::to_string)
                );
            }
            failed.push(reps - ok.len());
            why.push(first_failure.map(ToString::to_string));
            for (p, &t) in truth.iter().enumerate() {
                let errors: Vec<f64> = ok.iter().map(|e| e[p] - t).collect();
                let mse = errors.iter().map(|e| e * e).sum::<f64>() / ok.len() as f64;
                rmse[p].push(mse.sqrt());
                bias[p].push(errors.iter().sum::<f64>() / ok.len() as f64);
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
        Ok(Findings {
            crb: self.bounds(sizes),
            params,
            truth,
            rmse,
            bias,
            slope,
            failed,
            why,
        })
    }

    fn placeholder(&self) -> Findings {
        let (params, truth) = self.truth();
        let ones = vec![vec![1.0; self.n.0.len()]; params.len()];
        Findings {
            truth,
            slope: vec![1.0; params.len()],
            rmse: ones.clone(),
            bias: ones,
            crb: self.bounds(&self.n.0),
            failed: vec![0; self.n.0.len()],
            why: vec![None; self.n.0.len()],
            params,
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let by_param = |values: &[serde_json::Value]| -> serde_json::Value {
            let map: serde_json::Map<String, serde_json::Value> =
                r.params.iter().cloned().zip(values.iter().cloned()).collect();
            map.into()
        };
        let each = |v: &[Vec<f64>]| v.iter().map(|x| json!(x)).collect::<Vec<_>>();
        let scalars = |v: &[f64]| v.iter().map(|x| json!(x)).collect::<Vec<_>>();
        let mut numbers = json!({
            "data": self.data.label(),
            "family": self.data.family().name,
            "truth": by_param(&scalars(&r.truth)),
            "n": self.n.0,
            "replicates": self.replicates.0,
            "rmse": by_param(&each(&r.rmse)),
            "bias": by_param(&each(&r.bias)),
            "slope": by_param(&scalars(&r.slope)),
            "failed": r.failed,
        });
        if !self.fixed.is_empty() {
            numbers["fixed"] = json!(self.fixed);
        }
        if let Some(crb) = &r.crb {
            numbers["crb"] = by_param(&each(crb));
        }
        let warnings = self
            .n
            .0
            .iter()
            .zip(r.failed.iter().zip(&r.why))
            .filter(|(_, (f, _))| **f > 0)
            .map(|(n, (f, why))| {
                format!(
                    "{f} of {} fits at n = {n} failed and were left out of the errors (the first: {})",
                    self.replicates.0,
                    why.as_deref().unwrap_or("")
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
    /// The Cramér–Rao bounds at each size, where the family knows them and
    /// every parameter is fitted (holding one fixed changes the bound of
    /// the others).
    fn bounds(&self, sizes: &[usize]) -> Option<Vec<Vec<f64>>> {
        if !self.fixed.is_empty() {
            return None;
        }
        self.data.cramer_rao().map(|unit| {
            unit.iter()
                .map(|s| sizes.iter().map(|&n| s / (n as f64).sqrt()).collect())
                .collect()
        })
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
        // Only when some fit failed, so ordinary tables stay as they were.
        let any_failed = r.failed.iter().any(|&f| f > 0);
        if any_failed {
            columns.push(Column::new("failed fits", Format::Int));
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
                if any_failed {
                    row.push(Cell::Num(r.failed[k] as f64));
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
                    self.data.label()
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

    #[test]
    fn a_fixed_parameter_is_held_and_only_the_others_are_measured() {
        let s = spec(
            "data: {student_t: {df: 5, loc: 1, scale: 2}}\nfixed: [df]\nn: [100, 1000]\nreplicates: 60\n",
        );
        s.validate().unwrap();
        let r = s.compute(&Ctx::new(3, &|_| {})).unwrap();
        assert_eq!(r.params, ["loc", "scale"]);
        assert_eq!(r.truth, [1.0, 2.0]);
        assert!(r.crb.is_none());
        for p in 0..2 {
            // A tenfold sample shrinks the error about √10-fold.
            let ratio = r.rmse[p][0] / r.rmse[p][1];
            assert!((2.2..4.5).contains(&ratio), "p {p}: {ratio}");
        }
    }

    #[test]
    fn a_mixture_of_normals_is_fitted_by_em_component_by_component() {
        let s = spec(
            "data: {mixture: {weights: [0.3, 0.7], components: [{normal: {mean: -2, std: 0.6}}, {normal: {mean: 1.5, std: 1}}]}}\nn: [300, 3000]\nreplicates: 30\n",
        );
        s.validate().unwrap();
        let r = s.compute(&Ctx::new(4, &|_| {})).unwrap();
        assert_eq!(
            r.params,
            ["weight_1", "weight_2", "mean_1", "mean_2", "std_1", "std_2"]
        );
        assert_eq!(r.truth, [0.3, 0.7, -2.0, 1.5, 0.6, 1.0]);
        for p in 0..6 {
            // Components are matched by their means: errors are small and
            // shrink like 1/√n, never a swap of components.
            assert!(r.rmse[p][1] < 0.1, "p {p}: {}", r.rmse[p][1]);
            let ratio = r.rmse[p][0] / r.rmse[p][1];
            assert!((2.0..5.0).contains(&ratio), "p {p}: {ratio}");
        }
        assert_eq!(r.failed, [0, 0]);
    }

    #[test]
    fn failed_replicates_are_left_out_counted_and_warned_about() {
        // At n = 10 a t(30) sample often has kurtosis below 3: no finite df.
        let s = spec("data: {student_t: {df: 30, loc: 0, scale: 1}}\nn: [10, 2000]\nreplicates: 40\n");
        let r = s.compute(&Ctx::new(5, &|_| {})).unwrap();
        assert!(r.failed[0] > 0 && r.failed[0] < 40, "{:?}", r.failed);
        let out = s.report(&r);
        assert_eq!(out.numbers["failed"][0], r.failed[0]);
        assert!(out.warnings[0].contains("at n = 10 failed"), "{:?}", out.warnings);
        assert_eq!(out.tables[0].columns.last().unwrap().header, "failed fits");
        // Every replicate failing is an error.
        let s = spec("data: {poisson: {rate: 0.000001}}\nn: [3]\nreplicates: 4\n");
        let e = s.compute(&Ctx::new(5, &|_| {})).unwrap_err().to_string();
        assert!(e.contains("every one of the 4 fits at n = 3 failed"), "{e}");
    }

    #[test]
    fn data_and_fixed_parameters_are_checked_before_running() {
        let e = |src: &str| spec(src).validate().unwrap_err();
        let base = "n: [10]\nreplicates: 2\n";
        assert!(e(&format!("data: {{normal: {{mean: 0, std: 1}}}}\nfixed: [sd]\n{base}")).contains("`sd` is not a parameter of normal"));
        assert!(e(&format!("data: {{normal: {{mean: 0, std: 1}}}}\nfixed: [std]\n{base}")).contains("cannot be fitted with `std` held fixed"));
        assert!(e(&format!("data: {{student_t: {{df: 3, loc: 0, scale: 1}}}}\nfixed: [df, loc]\n{base}")).contains("at most one"));
        assert!(e(&format!("data: {{mixture: {{weights: [0.5, 0.5], components: [{{gamma: {{shape: 1, rate: 1}}}}, {{gamma: {{shape: 2, rate: 1}}}}]}}}}\n{base}")).contains("mixture of normals"));
    }
}
