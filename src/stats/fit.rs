//! Maximum-likelihood fits with their report: parameters, average
//! log-likelihood, sample size, and standard errors from the observed
//! Fisher information.
//!
//! Each family's own `fit` finds the maximiser; this module checks the
//! data, adds the standard errors and, for normal mixtures, runs EM from
//! several deterministic starts.

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use crate::dist::{
    Dist, FamilyDef, FitError, Information, Mixture, Normal, ParamValue, Univariate, check_data,
};
use crate::numeric::linalg::Cholesky;
use crate::numeric::sum;

/// A fitted distribution and what is known about the fit.
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    /// The family fitted.
    pub family: String,
    /// The estimates, by parameter name.
    pub params: Map<String, Json>,
    /// `(1/n) Σ ln p(x_i)` at the estimates.
    #[serde(serialize_with = "crate::json::number")]
    pub avg_loglik: f64,
    /// The number of observations.
    pub n: usize,
    /// Standard errors, by parameter name, where the family has them (see
    /// [`Information`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<Map<String, Json>>,
    /// The fitted distribution.
    #[serde(skip)]
    pub dist: Dist,
}

/// Fits `family` to `xs` by maximum likelihood.
///
/// # Errors
/// [`FitError`] for degenerate data or a family without a fit.
pub fn fit(family: &'static FamilyDef, xs: &[f64]) -> Result<FitReport, FitError> {
    check_data(family.name, xs)?;
    let dist = family.fit(xs)?;
    Ok(report(family, xs, dist, None))
}

/// Fits `family` to `xs` with the scalar parameter `param` held at `value`.
///
/// # Errors
/// [`FitError`] for degenerate data, or when the family cannot hold that
/// parameter fixed.
pub fn fit_fixed(
    family: &'static FamilyDef,
    xs: &[f64],
    param: &str,
    value: f64,
) -> Result<FitReport, FitError> {
    check_data(family.name, xs)?;
    let index = family.params.iter().position(|p| p.name == param);
    let dist = family.fit_fixed(xs, param, value)?;
    Ok(report(family, xs, dist, index))
}

/// The report for a fitted `dist`; `fixed` is the index of a parameter that
/// was held fixed, which has no standard error.
fn report(family: &'static FamilyDef, xs: &[f64], dist: Dist, fixed: Option<usize>) -> FitReport {
    let n = xs.len();
    let stderr = match family.information {
        Information::Observed if family.is_scalar() => observed_errors(family, xs, &dist, fixed),
        // An estimate on the boundary of the parameter space (p̂ = 0, a
        // category never seen) has a zero there: the asymptotics behind a
        // standard error do not hold, so there is none.
        Information::Expected if fixed.is_none() => dist
            .cramer_rao()
            .filter(|unit| unit.iter().all(|s| s.is_finite() && *s > 0.0))
            .map(|unit| unit.iter().map(|s| s / (n as f64).sqrt()).collect()),
        _ => None,
    };
    let mut stderr = stderr.map(|se| named(family, &se));
    if let (Some(map), Some(i)) = (stderr.as_mut(), fixed) {
        // Keep the parameters' order (a plain remove would swap).
        map.shift_remove(family.params[i].name);
    }
    FitReport {
        family: family.name.to_string(),
        params: named(
            family,
            &dist.params().iter().flat_map(flatten).collect::<Vec<_>>(),
        ),
        avg_loglik: dist.sum_ln_pdf(xs) / n as f64,
        n,
        stderr,
        dist,
    }
}

/// Standard errors from the observed information, by finite differences of
/// the log-likelihood at the estimates; `fixed` is the index of a
/// parameter held fixed, whose entry is 0 and which has no row in the
/// information.
fn observed_errors(
    family: &'static FamilyDef,
    xs: &[f64],
    dist: &Dist,
    fixed: Option<usize>,
) -> Option<Vec<f64>> {
    let n = xs.len();
    let all = dist.scalar_params();
    let free: Vec<f64> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != fixed)
        .map(|(_, t)| *t)
        .collect();
    let loglik = |t: &[f64]| {
        let mut full = t.to_vec();
        if let Some(i) = fixed {
            full.insert(i, all[i]);
        }
        family.build_scalars(&full).ok().map(|d| d.sum_ln_pdf(xs))
    };
    let guess: Option<Vec<f64>> = dist.cramer_rao().map(|unit| {
        unit.iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != fixed)
            .map(|(_, s)| s / (n as f64).sqrt())
            .collect()
    });
    covariance(&free, guess.as_deref(), loglik)
        .map(|cov| {
            (0..free.len())
                .map(|i| cov[i][i].sqrt())
                .collect::<Vec<f64>>()
        })
        .map(|mut se| {
            if let Some(i) = fixed {
                se.insert(i, 0.0);
            }
            se
        })
}

fn flatten(value: &ParamValue) -> Vec<f64> {
    match value {
        ParamValue::Scalar(x) => vec![*x],
        ParamValue::Vector(xs) => xs.clone(),
        ParamValue::Matrix(rows) => rows.concat(),
        ParamValue::Components(_) => Vec::new(),
    }
}

/// Lays flat values out by the family's parameter names: a scalar takes
/// one value, a list as many as the fitted list has.
fn named(family: &FamilyDef, flat: &[f64]) -> Map<String, Json> {
    let mut map = Map::new();
    let scalars = family
        .params
        .iter()
        .filter(|p| matches!(p.kind, crate::dist::ParamKind::Scalar(_)))
        .count();
    let lists = family.params.len() - scalars;
    let per_list = (flat.len() - scalars).checked_div(lists).unwrap_or(0);
    let mut at = 0;
    for def in family.params {
        match def.kind {
            crate::dist::ParamKind::Scalar(_) => {
                map.insert(def.name.into(), json!(flat.get(at)));
                at += 1;
            }
            _ => {
                let end = (at + per_list).min(flat.len());
                map.insert(def.name.into(), json!(flat[at..end]));
                at = end;
            }
        }
    }
    map
}

/// The asymptotic covariance of the estimates at the maximiser `theta` of
/// `loglik` (the total log-likelihood, `None` outside the parameter space):
/// the inverse observed information, the negative Hessian taken by central
/// differences; `None` when it is not positive definite (a flat or
/// non-smooth likelihood). `guess`,
/// standard errors from the expected information when the family knows
/// them, sets the finite-difference steps directly.
pub fn covariance(
    theta: &[f64],
    guess: Option<&[f64]>,
    loglik: impl Fn(&[f64]) -> Option<f64>,
) -> Option<Vec<Vec<f64>>> {
    // Steps of a tenth of each standard error: small enough for the
    // quadratic to hold, large enough for rounding not to matter, whatever
    // the parameter's magnitude (a mean near 0, a scale of 1e-150). Without
    // a guess, a first pass with steps scaled to the parameters finds them.
    if let Some(se) =
        guess.filter(|g| g.len() == theta.len() && g.iter().all(|s| s.is_finite() && *s > 0.0))
    {
        let steps: Vec<f64> = se.iter().map(|s| 0.1 * s).collect();
        let info = information(theta, &steps, &loglik)?;
        return Some(Cholesky::new(&info).ok()?.inverse());
    }
    let rough: Vec<f64> = theta
        .iter()
        .map(|t| if *t == 0.0 { 1e-4 } else { 1e-4 * t.abs() })
        .collect();
    let first = information(theta, &rough, &loglik)?;
    let steps: Vec<f64> = (0..theta.len())
        .map(|i| {
            let se = 1.0 / first[i][i].sqrt();
            if se.is_finite() && se > 0.0 {
                0.1 * se
            } else {
                rough[i]
            }
        })
        .collect();
    let info = information(theta, &steps, &loglik)?;
    let inverse = Cholesky::new(&info).ok()?.inverse();
    Some(inverse)
}

/// The observed information, `−∇² loglik` at `theta`, by central
/// differences with steps `h`.
fn information(
    theta: &[f64],
    h: &[f64],
    loglik: &impl Fn(&[f64]) -> Option<f64>,
) -> Option<Vec<Vec<f64>>> {
    let k = theta.len();
    let f0 = loglik(theta)?;
    let at = |i: usize, si: f64, j: usize, sj: f64| {
        let mut t = theta.to_vec();
        t[i] += si * h[i];
        t[j] += sj * h[j];
        loglik(&t)
    };
    let mut info = vec![vec![0.0; k]; k];
    for i in 0..k {
        let d2 = (at(i, 1.0, i, 0.0)? - 2.0 * f0 + at(i, -1.0, i, 0.0)?) / (h[i] * h[i]);
        info[i][i] = -d2;
        for j in 0..i {
            let d = (at(i, 1.0, j, 1.0)? - at(i, 1.0, j, -1.0)? - at(i, -1.0, j, 1.0)?
                + at(i, -1.0, j, -1.0)?)
                / (4.0 * h[i] * h[j]);
            info[i][j] = -d;
            info[j][i] = -d;
        }
    }
    Some(info)
}

/// One component of a normal mixture being fitted.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Component {
    weight: f64,
    mean: f64,
    std: f64,
}

/// Deterministic starts for EM.
const RESTARTS: u64 = 10;
/// EM stops when no weight, and no mean or std in units of its std, moves
/// by more than this in an iteration.
const EM_TOLERANCE: f64 = 1e-10;
/// And in any case after this many iterations.
const EM_MAX_ITERATIONS: usize = 50_000;

/// Fits a mixture of `k` normals by EM, started from quantiles of the data
/// and from `RESTARTS − 1` seeded random picks of data points; the best
/// likelihood wins. Components are reported in increasing order of mean.
///
/// # Errors
/// [`FitError::Degenerate`] when the data are too few or too concentrated
/// for `k` components.
pub fn fit_normal_mixture(xs: &[f64], k: usize) -> Result<FitReport, FitError> {
    const NAME: &str = "normal_mixture";
    check_data(NAME, xs)?;
    let degenerate = |reason: String| FitError::Degenerate {
        family: NAME,
        reason,
    };
    if k == 0 {
        return Err(degenerate(
            "the number of components must be at least 1".into(),
        ));
    }
    if xs.len() < 3 * k {
        return Err(degenerate(format!(
            "{} observations are too few for {k} components",
            xs.len()
        )));
    }
    let (_, spread) = sum::mean_std(xs, 0);
    if spread <= 0.0 {
        return Err(degenerate("the data are constant".into()));
    }
    // The starts run in parallel; the best is chosen in start order, so
    // the result is the same at any thread count.
    let fits: Vec<Option<(f64, Vec<Component>)>> = (0..RESTARTS)
        .into_par_iter()
        .map(|start| em(xs, &initial_means(xs, k, start), spread))
        .collect();
    let mut best: Option<(f64, Vec<Component>)> = None;
    for (ll, comps) in fits.into_iter().flatten() {
        if best.as_ref().is_none_or(|(b, _)| ll > *b) {
            best = Some((ll, comps));
        }
    }
    let (_, mut comps) =
        best.ok_or_else(|| degenerate("EM collapsed onto single points from every start".into()))?;
    comps.sort_by(|a, b| a.mean.total_cmp(&b.mean));
    let dist = mixture_of(&comps).map_err(|e| degenerate(e.to_string()))?;
    let n = xs.len();
    let theta: Vec<f64> = comps[..k - 1]
        .iter()
        .map(|c| c.weight)
        .chain(comps.iter().map(|c| c.mean))
        .chain(comps.iter().map(|c| c.std))
        .collect();
    let loglik = |t: &[f64]| {
        let w_last = 1.0 - t[..k - 1].iter().sum::<f64>();
        let comps: Vec<Component> = (0..k)
            .map(|j| Component {
                weight: if j < k - 1 { t[j] } else { w_last },
                mean: t[k - 1 + j],
                std: t[2 * k - 1 + j],
            })
            .collect();
        mixture_of(&comps).ok().map(|d| d.sum_ln_pdf(xs))
    };
    let stderr = covariance(&theta, None, loglik).map(|cov| {
        let se: Vec<f64> = (0..theta.len()).map(|i| cov[i][i].sqrt()).collect();
        // The last weight is one minus the others: its variance is the sum
        // of their covariances.
        let last: f64 = (0..k - 1)
            .flat_map(|i| (0..k - 1).map(move |j| (i, j)))
            .map(|(i, j)| cov[i][j])
            .sum();
        let mut weights = se[..k - 1].to_vec();
        weights.push(last.sqrt());
        let mut map = Map::new();
        map.insert("weights".into(), json!(weights));
        map.insert("means".into(), json!(se[k - 1..2 * k - 1]));
        map.insert("stds".into(), json!(se[2 * k - 1..]));
        map
    });
    let mut params = Map::new();
    params.insert(
        "weights".into(),
        json!(comps.iter().map(|c| c.weight).collect::<Vec<_>>()),
    );
    params.insert(
        "means".into(),
        json!(comps.iter().map(|c| c.mean).collect::<Vec<_>>()),
    );
    params.insert(
        "stds".into(),
        json!(comps.iter().map(|c| c.std).collect::<Vec<_>>()),
    );
    Ok(FitReport {
        family: NAME.into(),
        params,
        avg_loglik: dist.sum_ln_pdf(xs) / n as f64,
        n,
        stderr,
        dist,
    })
}

fn mixture_of(comps: &[Component]) -> Result<Dist, crate::dist::ParamError> {
    let components = comps
        .iter()
        .map(|c| Normal::new(c.mean, c.std).map(Dist::Normal))
        .collect::<Result<_, _>>()?;
    Mixture::new(comps.iter().map(|c| c.weight).collect(), components).map(Dist::Mixture)
}

/// Start 0 spreads the means over the data's quantiles; the others pick
/// data points from a seeded stream.
fn initial_means(xs: &[f64], k: usize, start: u64) -> Vec<f64> {
    if start == 0 {
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        return (0..k)
            .map(|j| sorted[((j as f64 + 0.5) / k as f64 * sorted.len() as f64) as usize])
            .collect();
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(start);
    (0..k).map(|_| xs[rng.random_range(0..xs.len())]).collect()
}

/// EM from the given means (equal weights, the data's spread as stds).
/// Returns the average log-likelihood and `(weight, mean, std)` per
/// component, or `None` if a component collapses.
fn em(xs: &[f64], means: &[f64], spread: f64) -> Option<(f64, Vec<Component>)> {
    let k = means.len();
    let floor = 1e-6 * spread;
    let mut comps: Vec<Component> = means
        .iter()
        .map(|&mean| Component {
            weight: 1.0 / k as f64,
            mean,
            std: spread,
        })
        .collect();
    let mut resp = vec![0.0; xs.len() * k];
    for _ in 0..EM_MAX_ITERATIONS {
        let before = comps.clone();
        // E step: responsibilities, and the log-likelihood of the current fit.
        let normals: Vec<Normal> = comps
            .iter()
            .map(|c| Normal::new(c.mean, c.std))
            .collect::<Result<_, _>>()
            .ok()?;
        let ln_w: Vec<f64> = comps.iter().map(|c| c.weight.ln()).collect();
        for (i, &x) in xs.iter().enumerate() {
            let row = &mut resp[i * k..(i + 1) * k];
            for j in 0..k {
                row[j] = ln_w[j] + normals[j].ln_pdf(x);
            }
            let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = row.iter().map(|t| (t - top).exp()).sum();
            let ln_total = top + total.ln();
            for r in row.iter_mut() {
                *r = (*r - ln_total).exp();
            }
        }
        // M step.
        for (j, comp) in comps.iter_mut().enumerate() {
            let nj: f64 = (0..xs.len()).map(|i| resp[i * k + j]).sum();
            if nj < 1e-9 {
                return None;
            }
            let mean = xs
                .iter()
                .enumerate()
                .map(|(i, x)| resp[i * k + j] * x)
                .sum::<f64>()
                / nj;
            let var = xs
                .iter()
                .enumerate()
                .map(|(i, x)| resp[i * k + j] * (x - mean).powi(2))
                .sum::<f64>()
                / nj;
            let std = var.sqrt();
            // A component shrinking onto one point has an unbounded likelihood.
            if std.is_nan() || std <= floor {
                return None;
            }
            *comp = Component {
                weight: nj / xs.len() as f64,
                mean,
                std,
            };
        }
        // Stop when the parameters stand still: EM's likelihood can creep
        // up by tiny steps long after it stops changing to twelve digits.
        let moved = before.iter().zip(&comps).fold(0.0f64, |m, (a, b)| {
            m.max((a.weight - b.weight).abs())
                .max((a.mean - b.mean).abs() / b.std)
                .max((a.std - b.std).abs() / b.std)
        });
        if moved <= EM_TOLERANCE {
            break;
        }
    }
    let dist = mixture_of(&comps).ok()?;
    Some((dist.sum_ln_pdf(xs) / xs.len() as f64, comps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::draws;

    #[test]
    fn normal_fit_reports_parameters_and_textbook_standard_errors() {
        let truth = Dist::Normal(Normal::new(1.5, 2.0).unwrap());
        let xs = draws(&truth, 50_000, 1);
        let r = fit(FamilyDef::find("normal").unwrap(), &xs).unwrap();
        let (m, s) = (
            r.params["mean"].as_f64().unwrap(),
            r.params["std"].as_f64().unwrap(),
        );
        let se = r.stderr.unwrap();
        let n = xs.len() as f64;
        // Observed information of a normal at its MLE: SE(mean) = s/√n,
        // SE(std) = s/√(2n), exactly.
        assert!((se["mean"].as_f64().unwrap() / (s / n.sqrt()) - 1.0).abs() < 1e-14);
        assert!((se["std"].as_f64().unwrap() / (s / (2.0 * n).sqrt()) - 1.0).abs() < 1e-14);
        // The same with a mean at 0, where steps relative to the parameter
        // would vanish.
        let centred: Vec<f64> = xs.iter().map(|x| x - m).collect();
        let r0 = fit(FamilyDef::find("normal").unwrap(), &centred).unwrap();
        let se0 = r0.stderr.unwrap()["mean"].as_f64().unwrap();
        assert!((se0 / (s / n.sqrt()) - 1.0).abs() < 1e-14, "{se0}");
        // And at the ends of the floating-point range, where differences of
        // the log-likelihood run out of digits.
        for scale in [1e-150, 1e150] {
            let scaled: Vec<f64> = xs.iter().map(|x| x * scale).collect();
            let r = fit(FamilyDef::find("normal").unwrap(), &scaled).unwrap();
            let sd = r.params["std"].as_f64().unwrap();
            let se = r.stderr.unwrap();
            assert!((se["mean"].as_f64().unwrap() / (sd / n.sqrt()) - 1.0).abs() < 1e-14);
            assert!((se["std"].as_f64().unwrap() / (sd / (2.0 * n).sqrt()) - 1.0).abs() < 1e-14);
        }
        assert!((m - 1.5).abs() < 5.0 * 2.0 / n.sqrt());
        assert!((r.avg_loglik - truth.sum_ln_pdf(&xs) / n).abs() < 1e-3);
        assert!(r.avg_loglik >= truth.sum_ln_pdf(&xs) / n);
    }

    /// Nearly constant data give a gamma of shape 2.5e12, whose
    /// log-likelihood is flat to rounding over a standard error. The
    /// standard errors against mpmath at 50 digits,
    /// `sqrt(k/(n(kψ₁(k) − 1)))` and `r sqrt(ψ₁(k)/(n(kψ₁(k) − 1)))` at the
    /// reference estimate (itself good to 1e-10).
    #[test]
    fn gamma_standard_errors_hold_for_huge_shapes() {
        let xs: Vec<f64> = (0..10)
            .map(|i| 1.0 + 1e-6 * (f64::from(i) - 4.5) / 4.5)
            .collect();
        let r = fit(FamilyDef::find("gamma").unwrap(), &xs).unwrap();
        let se = r.stderr.unwrap();
        for (name, want) in [
            ("shape", 1_097_706_098_083.751_2),
            ("rate", 1_097_706_098_083.862_9),
        ] {
            let got = se[name].as_f64().unwrap();
            assert!(
                ((got - want) / want).abs() < 1e-9,
                "{name}: {got} against {want}"
            );
        }
    }

    #[test]
    fn degenerate_data_are_refused_with_a_reason() {
        let normal = FamilyDef::find("normal").unwrap();
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![1.0, f64::NAN], "observation 2 is NaN"),
            (vec![2.0, 2.0, 2.0], "constant"),
        ] {
            let e = fit(normal, &xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        assert!(
            fit_normal_mixture(&[1.0; 30], 2)
                .unwrap_err()
                .to_string()
                .contains("constant")
        );
        assert!(
            fit_normal_mixture(&[1.0, 2.0], 2)
                .unwrap_err()
                .to_string()
                .contains("too few")
        );
    }

    #[test]
    fn em_stops_at_a_stationary_point_even_for_overlapping_components() {
        let truth = Dist::Mixture(
            Mixture::new(
                vec![0.4, 0.6],
                vec![
                    Dist::Normal(Normal::new(0.0, 1.0).unwrap()),
                    Dist::Normal(Normal::new(1.0, 1.5).unwrap()),
                ],
            )
            .unwrap(),
        );
        let xs = draws(&truth, 2000, 11);
        let r = fit_normal_mixture(&xs, 2).unwrap();
        let Dist::Mixture(m) = &r.dist else { panic!() };
        let mean = |k: usize| r.params["means"][k].as_f64().unwrap();
        let std = |k: usize| r.params["stds"][k].as_f64().unwrap();
        let weight = r.params["weights"][0].as_f64().unwrap();
        let ll = |dm: f64| {
            let c = vec![
                Dist::Normal(Normal::new(mean(0) + dm, std(0)).unwrap()),
                Dist::Normal(Normal::new(mean(1), std(1)).unwrap()),
            ];
            Mixture::new(vec![weight, 1.0 - weight], c)
                .unwrap()
                .sum_ln_pdf(&xs)
        };
        // The score for the first mean, against its scale n/σ.
        let h = 1e-4 * std(0);
        let score = (ll(h) - ll(-h)) / (2.0 * h);
        assert!(
            score.abs() < 1e-5 * xs.len() as f64 / std(0),
            "score {score}"
        );
        assert!((m.sum_ln_pdf(&xs) / xs.len() as f64 - r.avg_loglik).abs() < 1e-12);
    }

    #[test]
    fn em_recovers_a_well_separated_mixture() {
        let truth = Dist::Mixture(
            Mixture::new(
                vec![0.3, 0.7],
                vec![
                    Dist::Normal(Normal::new(-2.0, 0.6).unwrap()),
                    Dist::Normal(Normal::new(1.5, 1.0).unwrap()),
                ],
            )
            .unwrap(),
        );
        let xs = draws(&truth, 20_000, 4);
        let r = fit_normal_mixture(&xs, 2).unwrap();
        let w = r.params["weights"].as_array().unwrap();
        let m = r.params["means"].as_array().unwrap();
        let s = r.params["stds"].as_array().unwrap();
        let close = |a: &Json, b: f64, tol: f64| (a.as_f64().unwrap() - b).abs() < tol;
        assert!(
            close(&w[0], 0.3, 0.02) && close(&m[0], -2.0, 0.05) && close(&s[0], 0.6, 0.05),
            "{r:?}"
        );
        assert!(
            close(&w[1], 0.7, 0.02) && close(&m[1], 1.5, 0.05) && close(&s[1], 1.0, 0.05),
            "{r:?}"
        );
        assert!(r.avg_loglik >= truth.sum_ln_pdf(&xs) / xs.len() as f64);
        // With two components the second weight is one minus the first.
        let se = r.stderr.unwrap();
        let w_se = se["weights"].as_array().unwrap();
        assert_eq!(w_se.len(), 2);
        assert!((w_se[0].as_f64().unwrap() - w_se[1].as_f64().unwrap()).abs() < 1e-12);
    }
}
