//! `density`: a distribution's density drawn, with its moments and
//! entropy. Under `vary:` with `overlay: [density]`, one figure shows how a
//! distribution changes along an axis (the marginals of a diffusion at
//! several noise levels, say).

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Compute, Ctx, Size};
use crate::chart::{Axis, Corner, Figure, Marker, Panel, Plot, Series, color};
use crate::dist::{Dist, Univariate};
use crate::outcome::{Cell, Column, Format, Outcome, Table};
use crate::stats::kl;
use crate::vocab::sweep::{Count, linspace};

/// Points drawn along the x axis unless the spec says otherwise.
const DEFAULT_POINTS: usize = 401;

/// The spec.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The distribution.
    pub dist: Dist,
    /// The x range drawn; by default the bulk of the mass (mean ± 4.5
    /// standard deviations, within the support).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
    /// How many points the curve has (continuous families).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Count<2>>,
}

/// The typed result.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    /// Where the density is evaluated.
    pub xs: Vec<f64>,
    /// The density (or mass) there.
    pub ys: Vec<f64>,
    /// The entropy and how it was computed.
    pub entropy: kl::Value,
    /// The grid point of highest density.
    pub mode: f64,
}

impl Spec {
    fn range(&self) -> (f64, f64) {
        if let Some([lo, hi]) = self.range {
            return (lo, hi);
        }
        let (lo, hi) = self.dist.support();
        let (m, s) = (self.dist.mean(), self.dist.variance().sqrt());
        let (a, b) = if m.is_finite() && s.is_finite() && s > 0.0 {
            (m - 4.5 * s, m + 4.5 * s)
        } else {
            let (c, w) = self.dist.landmark();
            (c - 10.0 * w, c + 10.0 * w)
        };
        (a.max(lo), b.min(hi))
    }

    fn grid(&self) -> Vec<f64> {
        let (lo, hi) = self.range();
        if self.dist.is_discrete() {
            let (first, last) = (lo.ceil(), hi.floor());
            let count = ((last - first) as usize).min(MAX_BARS) + 1;
            return (0..count).map(|k| first + k as f64).collect();
        }
        linspace(lo, hi, self.points.map_or(DEFAULT_POINTS, |p| p.0))
    }
}

/// The most values a discrete distribution's figure shows.
const MAX_BARS: usize = 2000;

impl Compute for Spec {
    type Result = Findings;

    fn size(&self) -> Size {
        Size::uniform(1, self.points.map_or(DEFAULT_POINTS, |p| p.0))
    }

    fn validate(&self) -> Result<(), String> {
        if let Some([lo, hi]) = self.range
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return Err(format!(
                "range: must be two finite numbers, the first below the second, got [{lo}, {hi}]"
            ));
        }
        Ok(())
    }

    fn compute(&self, ctx: &Ctx<'_>) -> anyhow::Result<Findings> {
        let xs = self.grid();
        let ys: Vec<f64> = xs.iter().map(|&x| self.dist.ln_pdf(x).exp()).collect();
        ctx.tick(xs.len() as u64);
        let entropy = kl::entropy(&self.dist).context("the entropy")?;
        let best = super::argmax(&ys).unwrap_or(0);
        Ok(Findings {
            mode: xs.get(best).copied().unwrap_or(f64::NAN),
            xs,
            ys,
            entropy,
        })
    }

    fn placeholder(&self) -> Findings {
        let xs = self.grid();
        Findings {
            ys: vec![1.0; xs.len()],
            xs,
            entropy: kl::Value {
                value: 1.0,
                method: kl::Method::ClosedForm,
                stderr: None,
            },
            mode: 1.0,
        }
    }

    fn report(&self, r: &Findings) -> Outcome {
        let d = &self.dist;
        let numbers = json!({
            "dist": d.label(),
            "mean": d.mean(),
            "std": d.variance().sqrt(),
            "entropy": r.entropy.value,
            "entropy_method": r.entropy.method,
            "mode": r.mode,
        });
        let table = Table {
            name: "summary".into(),
            columns: vec![
                Column::new("mean", Format::Sci(3)),
                Column::new("std", Format::Sci(3)),
                Column::new("entropy (nats)", Format::Sci(3)),
                Column::new("mode", Format::Sci(3)),
            ],
            rows: vec![vec![
                Cell::Num(d.mean()),
                Cell::Num(d.variance().sqrt()),
                Cell::Num(r.entropy.value),
                Cell::Num(r.mode),
            ]],
        };
        let series = if d.is_discrete() {
            Series {
                label: String::new(),
                color: color::BLUE,
                shape: crate::chart::Shape::Points {
                    xs: r.xs.clone(),
                    ys: r.ys.clone(),
                    marker: Marker::Circle,
                },
            }
        } else {
            Series::line("", color::BLUE, r.xs.clone(), r.ys.clone(), false, None)
        };
        let figure = Figure {
            name: "density".into(),
            width: 640,
            height: 400,
            panels: vec![Panel::Plot(Plot {
                title: d.label(),
                x: Axis::linear("x"),
                y: Axis::linear(if d.is_discrete() { "mass" } else { "density" }),
                series: vec![series],
                legend: Corner::UpperRight,
            })],
        };
        Outcome {
            numbers,
            tables: vec![table],
            figures: vec![figure],
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::quad;

    fn spec(src: &str) -> Spec {
        crate::yaml::from_yaml(src).unwrap()
    }

    #[test]
    fn the_curve_is_the_density_and_the_numbers_its_moments() {
        let s = spec("dist: {normal: {mean: 1, std: 2}}");
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert_eq!(r.xs.len(), DEFAULT_POINTS);
        assert_eq!((r.xs[0], *r.xs.last().unwrap()), (-8.0, 10.0));
        let peak = 1.0 / (2.0 * (2.0 * std::f64::consts::PI).sqrt());
        assert!((r.ys[200] - peak).abs() < 1e-15);
        assert!((r.mode - 1.0).abs() < 1e-12);
        // ½ ln(2πe σ²).
        let h = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * 4.0).ln();
        assert!((r.entropy.value - h).abs() < 1e-14);
        // The drawn range holds all but 7e-6 of the mass.
        let mass = quad::integrate(
            |x| s.dist.ln_pdf(x).exp(),
            -8.0,
            10.0,
            quad::Tolerance::default(),
        )
        .unwrap()
        .value;
        assert!((mass - 0.999_993_2).abs() < 1e-6, "{mass}");
    }

    #[test]
    fn a_range_within_the_support_and_bars_for_discrete_families() {
        let s = spec("dist: {exponential: {rate: 1}}");
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert_eq!(r.xs[0], 0.0);
        let s = spec("dist: {poisson: {rate: 3}}\nrange: [0, 10]");
        let r = s.compute(&Ctx::new(1, &|_| {})).unwrap();
        assert_eq!(r.xs, (0..=10).map(f64::from).collect::<Vec<_>>());
        assert!((r.ys[3] - 4.5 * (-3f64).exp()).abs() < 1e-15);
        assert!(spec("dist: {poisson: {rate: 3}}\nrange: [5, 1]").validate().is_err());
    }
}
