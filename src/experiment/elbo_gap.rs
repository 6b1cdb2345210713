//! `elbo_gap`: the evidence, the ELBO, and the gap between them.
//!
//! Two latent-variable models. `linear_gaussian`, `z ~ N(0, 1)`,
//! `x | z ~ N(w z + b, s)`, has a closed-form evidence, a normal posterior
//! and a closed-form ELBO for any `q` (it depends on `q` only through its
//! mean, variance and entropy). `latent` takes any one-dimensional prior and
//! a likelihood written as a template in `z`, `normal(mean = z^2, std =
//! 0.5)`: its evidence, posterior and ELBO are computed by adaptive
//! quadrature ([`crate::stats::posterior`]), which resolves a posterior
//! with several modes.
//!
//! Over a grid of variational distributions `q` (any continuous family),
//! the ELBO is computed by Monte Carlo (the same draws for every grid point:
//! reparameterised standard-normal draws for normals, one shared stream
//! otherwise) and exactly; the gap `ln p(x) − ELBO(q)` equals
//! `KL(q ‖ p(z | x))`, computed on its own, which the report checks at every
//! grid point.

use std::fmt;

use anyhow::Context as _;
use rayon::prelude::*;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;

use super::{Compute, Ctx, Size, argmax, scale_of};
use crate::chart::{Axis, Corner, Figure, Heatmap, Marker, Panel, Plot, Series, color};
use crate::dist::syntax::{Checked, Positive, Real};
use crate::dist::text::{self, Template};
use crate::dist::{Constraint, Dist, LN_SQRT_2PI, Normal, Univariate};
use crate::number::{Power, readable};
use crate::numeric::sum;
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::stats::posterior::{Posterior, PosteriorError};
use crate::vocab::sweep::{Count, Surface, linspace};

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The latent-variable model.
    pub model: LatentModel,
    /// The observations: one number, or a list of independent ones.
    pub x: Observations,
    /// The grid of variational distributions `q(z)`, over a continuous
    /// family.
    pub q: Surface,
    /// Draws per grid point for the Monte Carlo ELBO.
    pub draws: Count,
}

/// Latent-variable models.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatentModel {
    /// `z ~ N(0, 1)`, `x | z ~ N(w z + b, s)`: closed forms.
    LinearGaussian(LinearGaussian),
    /// Any one-dimensional prior and a likelihood template in `z`:
    /// quadrature.
    Latent(Latent),
}

/// Observations `x_1, ..., x_n`, independent given `z`: written as one
/// number or as a list, and reported as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// The values.
    pub values: Vec<f64>,
    /// Whether they were written as a list.
    listed: bool,
}

/// How each observation is checked where it is read.
const OBSERVATION: Checked = Checked {
    name: "x",
    constraint: Constraint::Real,
};

impl<'de> Deserialize<'de> for Observations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObservationsVisitor)
    }
}

impl Serialize for Observations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.values.as_slice() {
            [x] if !self.listed => x.serialize(serializer),
            values => values.serialize(serializer),
        }
    }
}

struct ObservationsVisitor;

impl ObservationsVisitor {
    fn one(x: f64) -> Observations {
        Observations {
            values: vec![x],
            listed: false,
        }
    }
}

impl<'de> Visitor<'de> for ObservationsVisitor {
    type Value = Observations;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a list of numbers")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Observations, E> {
        OBSERVATION.visit_f64(v).map(Self::one)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Observations, E> {
        OBSERVATION.visit_i64(v).map(Self::one)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Observations, E> {
        OBSERVATION.visit_u64(v).map(Self::one)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Observations, E> {
        OBSERVATION.visit_str(v).map(Self::one)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Observations, A::Error> {
        let mut values = Vec::new();
        while let Some(x) = seq.next_element_seed(OBSERVATION)? {
            values.push(x);
        }
        if values.is_empty() {
            return Err(de::Error::custom("the list of observations is empty"));
        }
        Ok(Observations {
            values,
            listed: true,
        })
    }
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
    /// `ln p(x)`: `ln N(x; b, √(w² + s²))` for one observation; for several,
    /// `ln p(x, z) − ln p(z | x)` at the posterior mean.
    pub fn log_evidence(&self, xs: &[f64]) -> f64 {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        if let [x] = xs {
            let sd = (w * w + s * s).sqrt();
            let z = (x - b) / sd;
            return -0.5 * z * z - sd.ln() - LN_SQRT_2PI;
        }
        let (mean, var) = self.posterior_moments(xs);
        self.log_joint(xs, mean) + 0.5 * var.ln() + LN_SQRT_2PI
    }

    /// The posterior's mean and variance: precision `1 + n w²/s²`.
    fn posterior_moments(&self, xs: &[f64]) -> (f64, f64) {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let n = xs.len() as f64;
        let var = 1.0 / (1.0 + n * w * w / (s * s));
        let total: f64 = xs.iter().map(|x| x - b).sum();
        (var * w * total / (s * s), var)
    }

    /// The posterior `p(z | x)`, normal with precision `1 + n w²/s²`.
    ///
    /// # Errors
    /// Never for a valid model; the `Result` carries [`Normal::new`]'s checks.
    pub fn posterior(&self, xs: &[f64]) -> anyhow::Result<Normal> {
        let (mean, var) = self.posterior_moments(xs);
        Ok(Normal::new(mean, var.sqrt())?)
    }

    /// `Σ ln p(x_i | z) + ln p(z)`.
    #[inline]
    pub fn log_joint(&self, xs: &[f64], z: f64) -> f64 {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let likelihood: f64 = xs
            .iter()
            .map(|x| {
                let r = (x - w * z - b) / s;
                -0.5 * r * r - s.ln() - LN_SQRT_2PI
            })
            .sum();
        likelihood - 0.5 * z * z - LN_SQRT_2PI
    }

    /// `E_q[ln p(x | z)] + E_q[ln p(z)] + H(q)`, which depends on `q` only
    /// through its mean `m`, standard deviation `t` and entropy.
    ///
    /// # Errors
    /// When `q` has no entropy.
    pub fn elbo(&self, xs: &[f64], q: &Dist) -> anyhow::Result<f64> {
        let (w, b, s) = (self.w.0, self.b.0, self.s.0);
        let (m, t) = (q.mean(), q.variance().sqrt());
        let likelihood: f64 = xs
            .iter()
            .map(|x| {
                let r = x - b - w * m;
                -LN_SQRT_2PI - s.ln() - (r * r + w * w * t * t) / (2.0 * s * s)
            })
            .sum();
        let prior = -LN_SQRT_2PI - 0.5 * (m * m + t * t);
        let entropy = match q {
            Dist::Normal(_) => 0.5 + LN_SQRT_2PI + t.ln(),
            _ => kl::entropy(q).context("the entropy of q")?.value,
        };
        Ok(likelihood + prior + entropy)
    }
}

/// `z ~ prior`, `x_i | z ~ likelihood(z)`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Latent {
    /// A continuous one-dimensional distribution, in YAML or text.
    pub prior: Dist,
    /// The distribution of each observation given `z`.
    pub likelihood: Likelihood,
}

/// A distribution whose parameters are expressions in `z`, written in the
/// text syntax: `"normal(mean = z^2, std = 0.5)"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Likelihood(pub Template);

impl<'de> Deserialize<'de> for Likelihood {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(LikelihoodVisitor)
    }
}

impl Serialize for Likelihood {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.text())
    }
}

struct LikelihoodVisitor;

impl Visitor<'_> for LikelihoodVisitor {
    type Value = Likelihood;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a distribution in the text syntax whose parameters are expressions in z, \
             e.g. \"normal(mean = z^2, std = 0.5)\"",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Likelihood, E> {
        text::parse_template(v, &["z"])
            .map(Likelihood)
            .map_err(|e| E::custom(format!("in `{v}` {e}")))
    }
}

impl Latent {
    /// `ℓ(z) = ln p(z) + Σ ln p(x_i | z)`: `−∞` outside the prior's
    /// support, NaN where the likelihood's parameters are invalid.
    #[inline]
    pub fn ln_joint(&self, xs: &[f64], z: f64) -> f64 {
        let prior = self.prior.ln_pdf(z);
        if prior == f64::NEG_INFINITY {
            return prior;
        }
        match self.likelihood.0.at(&[z]) {
            Ok(likelihood) => prior + likelihood.sum_ln_pdf(xs),
            Err(_) => f64::NAN,
        }
    }

    /// A [`PosteriorError`] in the model's terms: where the likelihood is
    /// not defined, which parameter and why.
    fn explain(&self, e: PosteriorError) -> anyhow::Error {
        match e {
            PosteriorError::Undefined(z) => match self.likelihood.0.at(&[z]) {
                Err(why) => anyhow::anyhow!(
                    "the likelihood `{}` is not defined at z = {z}: {why}",
                    self.likelihood.0.text()
                ),
                Ok(_) => anyhow::anyhow!("the model's log-density is not a number at z = {z}"),
            },
            other => anyhow::anyhow!(other),
        }
    }
}

/// What the report says of the posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorSummary {
    /// Its mean.
    pub mean: f64,
    /// Its standard deviation.
    pub std: f64,
    /// Its modes, increasing.
    pub modes: Vec<f64>,
}

/// Densities along `z` for the posterior figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Curves {
    /// Where.
    pub z: Vec<f64>,
    /// `p(z | x)`.
    pub posterior: Vec<f64>,
    /// The `q` of the largest exact ELBO.
    pub best_q: Vec<f64>,
    /// `p(z)`.
    pub prior: Vec<f64>,
}

/// Points along `z` in the posterior figure.
const CURVE_POINTS: usize = 601;

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// `ln p(x)`.
    pub log_px: f64,
    /// `p(z | x)`.
    pub posterior: PosteriorSummary,
    /// Monte Carlo ELBO, `[i * n1 + j]`.
    pub elbo_mc: Vec<f64>,
    /// Exact ELBO (closed form or quadrature), `[i * n1 + j]`.
    pub elbo_exact: Vec<f64>,
    /// `KL(q ‖ p(z | x))`, `[i * n1 + j]`.
    pub kl: Vec<f64>,
    /// `max |ln p(x) − ELBO − KL|` over the grid, exact ELBO.
    pub gap_error_exact: f64,
    /// The same with the Monte Carlo ELBO.
    pub gap_error_mc: f64,
    /// Grid index of the largest Monte Carlo ELBO.
    pub best_mc: usize,
    /// Grid index of the largest exact ELBO.
    pub best_exact: usize,
    /// The posterior figure's densities (the `latent` model only).
    pub curves: Option<Curves>,
}

/// Per grid point: the Monte Carlo ELBO, the exact ELBO and the KL.
type Cells = Vec<(f64, f64, f64)>;

impl Spec {
    /// The Monte Carlo ELBO and the exact one with the KL (from `exact`) at
    /// every grid point, in parallel; `ell` is `ln p(x, z)`.
    fn over_grid(
        &self,
        ctx: &Ctx<'_>,
        ell: &(impl Fn(f64) -> f64 + Sync),
        exact: &(impl Fn(&Dist) -> anyhow::Result<(f64, f64)> + Sync),
    ) -> anyhow::Result<Cells> {
        let mut rng = ctx.rng(&[0]);
        let standard = Normal::standard();
        let mut eps = vec![0.0; self.draws.0];
        standard.sample_into(&mut rng, &mut eps);
        let k = eps.len() as f64;
        let mean_ln_phi = standard.sum_ln_pdf(&eps) / k;
        let grid = &self.q;
        let (n0, n1) = grid.shape();
        (0..n0 * n1)
            .into_par_iter()
            .map(|cell| {
                let q = grid.dist(cell / n1, cell % n1)?;
                let mc = match q {
                    Dist::Normal(_) => {
                        let (m, t) = (q.mean(), q.variance().sqrt());
                        // ln q(z) = ln φ(ε) − ln t for z = m + t ε.
                        let joint = sum::lanes(&eps, |e| ell(m + t * e)) / k;
                        joint - (mean_ln_phi - t.ln())
                    }
                    _ => {
                        // One stream for every grid point: common random
                        // numbers, so the surface is smooth.
                        let mut rng = ctx.rng(&[1]);
                        let mut zs = vec![0.0; eps.len()];
                        q.sample_into(&mut rng, &mut zs);
                        sum::lanes(&zs, |z| ell(z) - q.ln_pdf(z)) / k
                    }
                };
                let (elbo, divergence) =
                    exact(&q).with_context(|| format!("at q = {}", q.label()))?;
                ctx.tick(self.each() as u64);
                Ok((mc, elbo, divergence))
            })
            .collect()
    }

    /// Likelihood evaluations per grid point.
    fn each(&self) -> usize {
        self.draws.0.saturating_mul(self.x.values.len())
    }

    fn linear(&self, model: &LinearGaussian, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let xs = &self.x.values;
        let log_px = model.log_evidence(xs);
        let posterior = model.posterior(xs)?;
        let post = Dist::Normal(posterior.clone());
        let cells = self.over_grid(ctx, &|z| model.log_joint(xs, z), &|q| {
            let elbo = model.elbo(xs, q)?;
            let divergence = kl::kl(q, &post).context("KL(q ‖ posterior)")?.value;
            Ok((elbo, divergence))
        })?;
        let summary = PosteriorSummary {
            mean: posterior.mean(),
            std: posterior.std(),
            modes: vec![posterior.mean()],
        };
        findings(log_px, summary, &cells)
    }

    fn latent(&self, model: &Latent, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let xs = &self.x.values;
        let ell = |z: f64| model.ln_joint(xs, z);
        let post = Posterior::new(ell, &model.prior)
            .map_err(|e| model.explain(e))
            .context("the posterior p(z | x)")?;
        let cells = self.over_grid(ctx, &ell, &|q| {
            let entropy = kl::entropy(q).context("the entropy of q")?.value;
            let elbo = post
                .elbo(q, entropy)
                .map_err(|e| model.explain(e))
                .context("the ELBO by quadrature")?;
            let divergence = post
                .kl_from(q)
                .map_err(|e| model.explain(e))
                .context("KL(q ‖ posterior) by quadrature")?;
            Ok((elbo, divergence))
        })?;
        let summary = PosteriorSummary {
            mean: post.mean,
            std: post.std,
            modes: post.modes.iter().map(|m| m.at).collect(),
        };
        let mut r = findings(post.log_evidence, summary, &cells)?;
        let (n0, n1) = self.q.shape();
        debug_assert!(r.best_exact < n0 * n1);
        let best = self.q.dist(r.best_exact / n1, r.best_exact % n1)?;
        r.curves = Some(curves(&post, &best, &model.prior));
        Ok(r)
    }
}

/// The densities of the posterior, `best` and the prior, over the range
/// where the posterior or `best` is above [`SHOWN`] of its peak, with a
/// margin.
fn curves<F: Fn(f64) -> f64>(post: &Posterior<F>, best: &Dist, prior: &Dist) -> Curves {
    let (mut lo, mut hi) = post.range();
    let (m, sd) = (best.mean(), best.variance().sqrt());
    if m.is_finite() && sd.is_finite() {
        let (qlo, qhi) = best.support();
        lo = lo.min((m - 4.0 * sd).max(qlo));
        hi = hi.max((m + 4.0 * sd).min(qhi));
    }
    let densities = |z: &[f64], f: &dyn Fn(f64) -> f64| -> Vec<f64> {
        z.iter().map(|&z| f(z).exp()).collect()
    };
    let scan = linspace(lo, hi, CURVE_POINTS);
    let mut shown: Option<(f64, f64)> = None;
    for ys in [
        densities(&scan, &|z| post.ln_pdf(z)),
        densities(&scan, &|z| best.ln_pdf(z)),
    ] {
        let peak = ys.iter().copied().fold(0.0, f64::max);
        let above: Vec<f64> = (0..ys.len())
            .filter(|&k| ys[k] > SHOWN * peak)
            .map(|k| scan[k])
            .collect();
        if let (Some(&a), Some(&b)) = (above.first(), above.last()) {
            shown = Some(shown.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
    }
    if let Some((a, b)) = shown {
        let margin = 0.08 * (b - a);
        (lo, hi) = ((a - margin).max(lo), (b + margin).min(hi));
    }
    let z = linspace(lo, hi, CURVE_POINTS);
    Curves {
        posterior: densities(&z, &|z| post.ln_pdf(z)),
        best_q: densities(&z, &|z| best.ln_pdf(z)),
        prior: densities(&z, &|z| prior.ln_pdf(z)),
        z,
    }
}

/// The posterior figure shows where a density is above this fraction of
/// its peak.
const SHOWN: f64 = 1e-3;

/// `family(name=value, ...)` with three significant digits, for legends.
fn short_label(q: &Dist) -> String {
    let params: Vec<String> = q
        .family()
        .params
        .iter()
        .zip(q.scalar_params())
        .map(|(def, v)| format!("{}={}", def.name, readable(v, 3, Power::Unicode)))
        .collect();
    format!("{}({})", q.family().name, params.join(", "))
}

/// The findings from the grid's cells.
fn findings(
    log_px: f64,
    posterior: PosteriorSummary,
    cells: &[(f64, f64, f64)],
) -> anyhow::Result<Findings> {
    let elbo_mc: Vec<f64> = cells.iter().map(|c| c.0).collect();
    let elbo_exact: Vec<f64> = cells.iter().map(|c| c.1).collect();
    let kl: Vec<f64> = cells.iter().map(|c| c.2).collect();
    // A q with infinite KL has an ELBO of −∞: the NaN of ∞ − ∞ is
    // skipped by `max`.
    let gap_error = |elbo: &[f64]| {
        elbo.iter()
            .zip(&kl)
            .map(|(e, d)| ((log_px - e) - d).abs())
            .fold(0.0, f64::max)
    };
    Ok(Findings {
        log_px,
        posterior,
        gap_error_exact: gap_error(&elbo_exact),
        gap_error_mc: gap_error(&elbo_mc),
        best_mc: argmax(&elbo_mc).context("the ELBO is NaN everywhere")?,
        best_exact: argmax(&elbo_exact).context("the ELBO is NaN everywhere")?,
        elbo_mc,
        elbo_exact,
        kl,
        curves: None,
    })
}

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        let (n0, n1) = self.q.shape();
        Size::uniform(n0 * n1, self.each())
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        match &self.model {
            LatentModel::LinearGaussian(model) => self.linear(model, ctx),
            LatentModel::Latent(model) => self.latent(model, ctx),
        }
    }

    fn placeholder(&self) -> Findings {
        let (n0, n1) = self.q.shape();
        let latent = matches!(self.model, LatentModel::Latent(_));
        Findings {
            log_px: 1.0,
            posterior: PosteriorSummary {
                mean: 1.0,
                std: 1.0,
                modes: vec![1.0],
            },
            elbo_mc: vec![1.0; n0 * n1],
            elbo_exact: vec![1.0; n0 * n1],
            kl: vec![1.0; n0 * n1],
            gap_error_exact: 1.0,
            gap_error_mc: 1.0,
            best_mc: 0,
            best_exact: 0,
            curves: latent.then(|| Curves {
                z: vec![0.0, 1.0],
                posterior: vec![1.0; 2],
                best_q: vec![1.0; 2],
                prior: vec![1.0; 2],
            }),
        }
    }

    fn validate(&self) -> Result<(), String> {
        let (n0, n1) = self.q.shape();
        for k in [0, n0 * n1 - 1] {
            if self.q.dist(k / n1, k % n1).is_ok_and(|q| q.is_discrete()) {
                return Err(format!(
                    "q: the {} family is discrete; q must be a continuous distribution",
                    self.q.grid().family.name
                ));
            }
        }
        if let LatentModel::Latent(model) = &self.model
            && model.prior.is_discrete()
        {
            return Err(format!(
                "model.latent.prior: {} is discrete; the prior must be a continuous distribution",
                model.prior.label()
            ));
        }
        Ok(())
    }

    fn report(&self, r: &Findings) -> Outcome {
        let (ax0, ax1) = self.q.swept_axes();
        let n1 = ax1.values.len();
        let at = |k: usize, elbo: f64| {
            let mut point = serde_json::Map::new();
            point.insert("elbo".into(), json!(elbo));
            point.insert(ax0.param.into(), json!(ax0.values[k / n1]));
            point.insert(ax1.param.into(), json!(ax1.values[k % n1]));
            point.insert("i".into(), json!(k / n1));
            point.insert("j".into(), json!(k % n1));
            point.insert("gap".into(), json!(r.log_px - elbo));
            serde_json::Value::Object(point)
        };
        let best_mc = at(r.best_mc, r.elbo_mc[r.best_mc]);
        let best_exact = at(r.best_exact, r.elbo_exact[r.best_exact]);
        let (numbers, figures) = match &self.model {
            LatentModel::LinearGaussian(model) => (
                json!({
                    "model": { "w": model.w.0, "b": model.b.0, "s": model.s.0 },
                    "x": self.x,
                    "log_px": r.log_px,
                    "posterior": { "mean": r.posterior.mean, "std": r.posterior.std },
                    "draws": self.draws.0,
                    "max_elbo": best_mc,
                    "max_elbo_closed_form": best_exact,
                    "gap_error_closed_form": r.gap_error_exact,
                    "gap_error_mc": r.gap_error_mc,
                }),
                vec![self.surface(r), self.slice(r)],
            ),
            LatentModel::Latent(model) => {
                let mut figures = vec![self.surface(r), self.slice(r)];
                figures.extend(r.curves.as_ref().map(|c| self.posterior_figure(r, c)));
                let k = r.best_exact;
                (
                    json!({
                        "model": {
                            "prior": model.prior.label(),
                            "likelihood": model.likelihood.0.text(),
                        },
                        "x": self.x,
                        "log_px": r.log_px,
                        "posterior": {
                            "mean": r.posterior.mean,
                            "std": r.posterior.std,
                            "modes": r.posterior.modes,
                        },
                        "draws": self.draws.0,
                        "max_elbo": best_mc,
                        "max_elbo_quadrature": best_exact,
                        "best_q": {
                            "q": self.best_label(k),
                            "elbo": r.elbo_exact[k],
                            "gap": r.log_px - r.elbo_exact[k],
                            "kl": r.kl[k],
                        },
                        "gap_error_quadrature": r.gap_error_exact,
                        "gap_error_mc": r.gap_error_mc,
                    }),
                    figures,
                )
            }
        };
        Outcome {
            numbers,
            tables: vec![self.table(r)],
            figures,
            warnings: Vec::new(),
        }
    }
}

impl Spec {
    /// Whether the exact values are in closed form (or by quadrature).
    fn closed_form(&self) -> bool {
        matches!(self.model, LatentModel::LinearGaussian(_))
    }

    /// How the exact ELBO was computed, for labels.
    fn exact_method(&self) -> &'static str {
        if self.closed_form() {
            "closed form"
        } else {
            "quadrature"
        }
    }

    /// Short names of the two swept parameters: `m` and `t` for a normal,
    /// the parameters' own names otherwise.
    fn symbols(&self) -> (&'static str, &'static str) {
        let (ax0, ax1) = self.q.swept_axes();
        if self.q.grid().family.name == "normal" && (ax0.param, ax1.param) == ("mean", "std") {
            ("m", "t")
        } else {
            (ax0.param, ax1.param)
        }
    }

    /// Axis labels for the two swept parameters.
    fn axis_labels(&self) -> (String, String) {
        let (ax0, ax1) = self.q.swept_axes();
        let (s0, s1) = self.symbols();
        let label = |symbol: &str, param: &str| {
            if symbol == param {
                format!("{param} of q")
            } else {
                format!("{symbol} ({param} of q)")
            }
        };
        (label(s0, ax0.param), label(s1, ax1.param))
    }

    /// The grid's member at index `k`, as text.
    fn best_label(&self, k: usize) -> String {
        let (_, n1) = self.q.shape();
        self.q
            .dist(k / n1, k % n1)
            .map_or_else(|e| e.to_string(), |q| q.label())
    }

    fn table(&self, r: &Findings) -> Table {
        let (ax0, ax1) = self.q.swept_axes();
        let n1 = ax1.values.len();
        let (s0, s1) = self.symbols();
        let text = |a: &str, b: String| vec![Cell::Text(a.into()), Cell::Text(b)];
        let best = |k: usize, e: f64| {
            format!(
                "{e:.6} at ({s0}, {s1}) = ({:.3}, {:.4})",
                ax0.values[k / n1],
                ax1.values[k % n1]
            )
        };
        let method = self.exact_method();
        let post = &r.posterior;
        let mut rows = vec![
            text(
                &format!("log p(x), {method}"),
                format!("{:.9}", r.log_px),
            ),
            if self.closed_form() {
                text(
                    "posterior p(z | x)",
                    format!("N({:.6}, {:.6})", post.mean, post.std),
                )
            } else {
                let modes: Vec<String> = post.modes.iter().map(|m| format!("{m:.4}")).collect();
                text(
                    "posterior p(z | x)",
                    format!(
                        "mean {:.6}, std {:.6}, modes at {}",
                        post.mean,
                        post.std,
                        modes.join(", ")
                    ),
                )
            },
            text(
                "max ELBO, Monte Carlo",
                best(r.best_mc, r.elbo_mc[r.best_mc]),
            ),
            text(
                &format!("max ELBO, {method}"),
                best(r.best_exact, r.elbo_exact[r.best_exact]),
            ),
        ];
        if !self.closed_form() {
            let k = r.best_exact;
            rows.push(text(
                "best q, and its gap KL(q ‖ p(z | x))",
                format!("{}: {:.6}", self.best_label(k), r.log_px - r.elbo_exact[k]),
            ));
        }
        rows.push(text(
            &format!("max |gap − KL|, {method}"),
            format!("{:.2e}", r.gap_error_exact),
        ));
        rows.push(text(
            "max |gap − KL|, Monte Carlo",
            format!("{:.2e}", r.gap_error_mc),
        ));
        Table {
            name: "summary".into(),
            columns: vec![
                Column::new("quantity", Format::Int),
                Column::new("value", Format::Int),
            ],
            rows,
        }
    }

    fn surface(&self, r: &Findings) -> Figure {
        let (ax0, ax1) = self.q.swept_axes();
        let post = &r.posterior;
        let n1 = ax1.values.len();
        let (x_label, y_label) = self.axis_labels();
        let (s0, s1) = self.symbols();
        let family = match self.q.grid().family.name {
            "normal" => "N".to_string(),
            name => name.to_string(),
        };
        let mut overlays = Vec::new();
        // The posterior is a point of the grid's space only when it is a
        // normal and so is q.
        if self.closed_form() && (s0, s1) == ("m", "t") {
            overlays.push(Series::point(
                &format!("posterior N({:.3}, {:.3})", post.mean, post.std),
                color::ORANGE,
                post.mean,
                post.std,
                Marker::Star,
            ));
        }
        overlays.push(Series::point(
            "max ELBO on the grid",
            color::VERMILLION,
            ax0.values[r.best_mc / n1],
            ax1.values[r.best_mc % n1],
            Marker::Cross,
        ));
        Figure {
            name: "surface".into(),
            width: 640,
            height: 460,
            panels: vec![Panel::Heatmap(Heatmap {
                title: format!("ELBO of q = {family}({s0}, {s1}), Monte Carlo"),
                x: Axis {
                    label: x_label,
                    scale: scale_of(&ax0.values),
                    range: None,
                },
                y: Axis {
                    label: y_label,
                    scale: scale_of(&ax1.values),
                    range: None,
                },
                xs: ax0.values.clone(),
                ys: ax1.values.clone(),
                z: r.elbo_mc.clone(),
                z_label: "ELBO (nats), clipped at log p(x) − 10".into(),
                z_range: Some([r.log_px - 10.0, r.log_px]),
                overlays,
                legend: Corner::UpperLeft,
            })],
        }
    }

    fn slice(&self, r: &Findings) -> Figure {
        let (ax0, ax1) = self.q.swept_axes();
        let n1 = ax1.values.len();
        let j = r.best_mc % n1;
        let (x_label, _) = self.axis_labels();
        let (s0, s1) = self.symbols();
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
                title: format!("ELBO along {s0} at {s1} = {:.4}", ax1.values[j]),
                x: Axis::linear(&x_label),
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
                        &format!("ELBO, {}", self.exact_method()),
                        color::VERMILLION,
                        ax0.values.clone(),
                        column(&r.elbo_exact),
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

    /// The posterior density with the `q` of the largest exact ELBO over it,
    /// and the prior; room above the curves for the legend.
    fn posterior_figure(&self, r: &Findings, c: &Curves) -> Figure {
        let k = r.best_exact;
        let (_, n1) = self.q.shape();
        let best = self
            .q
            .dist(k / n1, k % n1)
            .map_or_else(|e| e.to_string(), |q| short_label(&q));
        let peak = [&c.posterior, &c.best_q, &c.prior]
            .iter()
            .flat_map(|ys| ys.iter().copied())
            .fold(0.0, f64::max);
        let y = if peak > 0.0 && peak.is_finite() {
            Axis::linear("density").with_range(0.0, 1.45 * peak)
        } else {
            Axis::linear("density")
        };
        Figure {
            name: "posterior".into(),
            width: 640,
            height: 440,
            panels: vec![Panel::Plot(Plot {
                title: "Posterior p(z | x) and the q of largest ELBO".into(),
                x: Axis::linear("z"),
                y,
                series: vec![
                    Series::line(
                        "posterior p(z | x)",
                        color::BLACK,
                        c.z.clone(),
                        c.posterior.clone(),
                        false,
                        None,
                    ),
                    Series::line(
                        &format!(
                            "q = {best}, KL(q ‖ p) = {}",
                            readable(r.log_px - r.elbo_exact[k], 3, Power::Unicode)
                        ),
                        color::VERMILLION,
                        c.z.clone(),
                        c.best_q.clone(),
                        false,
                        None,
                    ),
                    Series::line(
                        "prior p(z)",
                        color::SKY,
                        c.z.clone(),
                        c.prior.clone(),
                        true,
                        None,
                    ),
                ],
                legend: Corner::UpperRight,
            })],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::MvNormal;

    fn spec() -> Spec {
        crate::yaml::from_yaml(
            "model: {linear_gaussian: {w: 2.0, b: 0.5, s: 0.8}}\nx: 1.7\n\
             q: {normal: {mean: {linspace: [-2, 2, 41]}, std: {logspace: [0.05, 2, 40]}}}\ndraws: 500\n",
        )
        .unwrap()
    }

    fn linear() -> LinearGaussian {
        match spec().model {
            LatentModel::LinearGaussian(m) => m,
            LatentModel::Latent(_) => unreachable!(),
        }
    }

    fn with(model: &str, x: &str, q: &str, draws: usize) -> Spec {
        crate::yaml::from_yaml(&format!(
            "model: {model}\nx: {x}\nq: {q}\ndraws: {draws}\n"
        ))
        .unwrap()
    }

    /// `z ~ N(0, 1)`, `x | z ~ N(z², 0.5)`: modes at `±√(11/8)` for `x = 1.5`.
    const SQUARE: &str =
        "{latent: {prior: {normal: {mean: 0, std: 1}}, likelihood: \"normal(mean = z^2, std = 0.5)\"}}";

    #[test]
    fn evidence_and_posterior_match_their_closed_forms() {
        let m = linear();
        assert!((m.log_evidence(&[1.7]) - -1.841_468_130_116_858).abs() < 1e-12);
        let post = m.posterior(&[1.7]).unwrap();
        assert!((post.mean() - 0.517_241_4).abs() < 1e-7);
        assert!((post.std() - 0.371_390_7).abs() < 1e-7);
    }

    #[test]
    fn several_observations_have_the_evidence_of_a_multivariate_normal() {
        // x = b 1 + w z 1 + s ε is N(b 1, s² I + w² 1 1ᵀ).
        let m = linear();
        let xs = [1.7, 0.3, -0.4];
        let (w, b, s) = (2.0, 0.5, 0.8);
        let cov = (0..3)
            .map(|i| {
                (0..3)
                    .map(|j| w * w + if i == j { s * s } else { 0.0 })
                    .collect()
            })
            .collect();
        let joint = MvNormal::new(vec![b; 3], cov).unwrap();
        let exact = joint.ln_pdf(&xs);
        assert!((m.log_evidence(&xs) - exact).abs() < 1e-12, "{exact}");
    }

    #[test]
    fn closed_form_gap_equals_kl_to_the_posterior_everywhere() {
        let r = spec().compute(&Ctx::new(1, &|_| {})).unwrap();
        assert!(r.gap_error_exact < 1e-9, "{}", r.gap_error_exact);
        // The ELBO never exceeds the evidence (closed form, exactly).
        assert!(r.elbo_exact.iter().all(|&e| e <= r.log_px + 1e-12));
        assert!(r.curves.is_none());
    }

    #[test]
    fn elbo_integrand_is_the_log_joint_minus_log_q() {
        let m = linear();
        // Independent check of the closed-form ELBO by quadrature over z.
        let (mq, tq) = (0.3, 0.7);
        let q = Normal::new(mq, tq).unwrap();
        let integral = crate::numeric::quad::integrate(
            |z| q.ln_pdf(z).exp() * (m.log_joint(&[1.7], z) - q.ln_pdf(z)),
            f64::NEG_INFINITY,
            f64::INFINITY,
            Default::default(),
        )
        .unwrap();
        let closed = m.elbo(&[1.7], &Dist::Normal(q)).unwrap();
        assert!((integral.value - closed).abs() < 1e-10);
    }

    #[test]
    fn quadrature_of_a_linear_gaussian_written_as_a_template_gives_its_closed_forms() {
        let grid = "{normal: {mean: {linspace: [-1, 1, 5]}, std: {logspace: [0.1, 1, 4]}}}";
        let closed = with("{linear_gaussian: {w: 2, b: 0.5, s: 0.8}}", "[1.7, 0.3]", grid, 200);
        let latent = with(
            "{latent: {prior: \"normal(mean=0, std=1)\", likelihood: \"normal(mean = 2*z + 0.5, std = 0.8)\"}}",
            "[1.7, 0.3]",
            grid,
            200,
        );
        let ctx = Ctx::new(3, &|_| {});
        let (a, b) = (closed.compute(&ctx).unwrap(), latent.compute(&ctx).unwrap());
        assert!((a.log_px - b.log_px).abs() < 1e-12, "{} {}", a.log_px, b.log_px);
        assert!((a.posterior.mean - b.posterior.mean).abs() < 1e-12);
        assert!((a.posterior.std - b.posterior.std).abs() < 1e-12);
        for k in 0..20 {
            assert!((a.elbo_exact[k] - b.elbo_exact[k]).abs() < 1e-9, "cell {k}");
            assert!((a.kl[k] - b.kl[k]).abs() < 1e-9 * (1.0 + a.kl[k]), "cell {k}");
            // The same draws through two formulas of the same joint density.
            assert!((a.elbo_mc[k] - b.elbo_mc[k]).abs() < 1e-9, "cell {k}");
        }
        assert!(b.gap_error_exact < 1e-9, "{}", b.gap_error_exact);
        assert_eq!(b.posterior.modes.len(), 1);
    }

    #[test]
    fn a_bimodal_posterior_has_the_evidence_modes_and_divergences_computed_independently() {
        // References: mpmath at 40 digits, `quad` of N(z; 0, 1) N(1.5; z², 0.5)
        // split at 0, ±0.5, ±√(11/8), ±2: ln p(x) = −1.72518036462918763962733,
        // the posterior std 1.120027633615003055519604, and
        // KL(N(1.1, 0.3) ‖ p(z | x)) = 0.838183792341475785358514. The modes
        // solve dℓ/dz = z(11 − 8z²) = 0.
        let s = with(
            SQUARE,
            "1.5",
            "{normal: {mean: [-1.1, 0, 1.1], std: [0.3, 0.6]}}",
            4000,
        );
        let r = s.compute(&Ctx::new(7, &|_| {})).unwrap();
        assert!((r.log_px - -1.725_180_364_629_187_6).abs() < 1e-11, "{}", r.log_px);
        assert!(r.posterior.mean.abs() < 1e-12, "{}", r.posterior.mean);
        assert!((r.posterior.std - 1.120_027_633_615_003).abs() < 1e-11);
        let mode = (11.0f64 / 8.0).sqrt();
        assert_eq!(r.posterior.modes.len(), 2, "{:?}", r.posterior.modes);
        assert!((r.posterior.modes[0] + mode).abs() < 1e-7);
        assert!((r.posterior.modes[1] - mode).abs() < 1e-7);
        // (m, t) = (1.1, 0.3) is cell 2·2 + 0; by symmetry so is (−1.1, 0.3).
        let kl = 0.838_183_792_341_475_8;
        assert!((r.kl[4] - kl).abs() < 1e-10, "{}", r.kl[4]);
        assert!((r.kl[0] - kl).abs() < 1e-10, "{}", r.kl[0]);
        assert!((r.log_px - r.elbo_exact[4] - kl).abs() < 1e-10);
        assert!(r.gap_error_exact < 1e-10, "{}", r.gap_error_exact);
        assert!((r.elbo_mc[4] - r.elbo_exact[4]).abs() < 0.05, "{}", r.elbo_mc[4]);
        // One mode, narrowly, beats both at once.
        assert!([0, 4].contains(&r.best_exact), "{}", r.best_exact);
        let c = r.curves.as_ref().unwrap();
        let h = c.z[1] - c.z[0];
        let mass: f64 = c.posterior.iter().sum::<f64>() * h;
        assert!((mass - 1.0).abs() < 1e-3, "{mass}");
        let out = s.report(&r);
        assert_eq!(out.figures.len(), 3);
        assert_eq!(out.numbers["posterior"]["modes"].as_array().unwrap().len(), 2);
        assert_eq!(out.numbers["x"], 1.5);
    }

    #[test]
    fn any_continuous_family_can_be_the_variational_family() {
        let s = with(
            SQUARE,
            "[1.5, 1.2]",
            "{laplace: {loc: {linspace: [-1.5, 1.5, 7]}, scale: {logspace: [0.1, 1, 5]}}}",
            4000,
        );
        let r = s.compute(&Ctx::new(7, &|_| {})).unwrap();
        assert!(r.gap_error_exact < 1e-9, "{}", r.gap_error_exact);
        assert!(r.elbo_exact.iter().all(|&e| e <= r.log_px));
        let k = r.best_exact;
        assert!((r.elbo_mc[k] - r.elbo_exact[k]).abs() < 0.05);
        let out = s.report(&r);
        assert!(out.numbers["best_q"]["q"].as_str().unwrap().starts_with("laplace("));
        assert!(out.numbers["max_elbo"].get("scale").is_some());
        // Gamma q on a positive prior: draws from one stream, all cells.
        let s = with(
            "{latent: {prior: {gamma: {shape: 2, rate: 1}}, likelihood: \"poisson(rate = z)\"}}",
            "[3, 5, 4]",
            "{gamma: {shape: {logspace: [1, 30, 6]}, rate: {logspace: [0.5, 8, 5]}}}",
            2000,
        );
        let r = s.compute(&Ctx::new(7, &|_| {})).unwrap();
        // Conjugate: the posterior is gamma(2 + 12, 1 + 3).
        assert!((r.posterior.mean - 14.0 / 4.0).abs() < 1e-10, "{}", r.posterior.mean);
        assert!(r.gap_error_exact < 1e-9, "{}", r.gap_error_exact);
    }

    #[test]
    fn a_discrete_prior_is_refused_and_templates_name_their_variable() {
        let s: Result<Spec, _> = crate::yaml::from_yaml(
            "model: {latent: {prior: {normal: {mean: 0, std: 1}}, likelihood: \"normal(mean = y^2, std = 0.5)\"}}\n\
             x: 1\nq: {normal: {mean: [0, 1], std: [1, 2]}}\ndraws: 10\n",
        );
        let e = s.unwrap_err().to_string();
        assert!(e.contains("unknown name `y`; the names here are: z"), "{e}");
        let s = with(
            "{latent: {prior: {poisson: {rate: 2}}, likelihood: \"normal(mean = z, std = 1)\"}}",
            "1",
            "{normal: {mean: [0, 1], std: [1, 2]}}",
            10,
        );
        assert!(s.validate().unwrap_err().starts_with("model.latent.prior:"));
    }
}
