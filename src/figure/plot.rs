//! x/y plot panels: grid, series in order, axes and legend.

use super::Problem;
use super::axes::{self, Labels, Rect};
use super::canvas::Canvas;
use super::scale::{AxisMap, extent, union};
use super::style::Sizes;
use super::{legend, series};
use crate::chart::{Axis, Plot};

/// Fraction of the data span left free on each side of a fitted axis.
const PAD: f64 = 0.05;

/// Draws plot `p` in `panel`.
pub(super) fn draw(c: &Canvas, panel: Rect, sizes: &Sizes, p: &Plot) -> Result<(), Problem> {
    p.series
        .iter()
        .try_for_each(series::check)
        .map_err(Problem::Invalid)?;
    let (x, y) = fit(p)?;
    let labels = Labels {
        title: &p.title,
        x: &p.x.label,
        y: &p.y.label,
    };
    let a = axes::layout(panel, sizes, &labels, (x, y), |_, _| 0.0)?;
    axes::draw_grid(c, &a, sizes)?;
    for s in &p.series {
        series::draw(c, &a, sizes, s, false)?;
    }
    axes::draw_axes(c, &a, sizes)?;
    legend::draw(c, &a, sizes, &p.series, p.legend)
}

/// Both axes' ranges, fitted to all series where not given.
fn fit(p: &Plot) -> Result<(AxisMap, AxisMap), Problem> {
    let (mut xe, mut ye) = (None, None);
    for s in &p.series {
        let (xs, ys) = series::data_values(s);
        xe = union(xe, extent(p.x.scale, xs));
        ye = union(ye, extent(p.y.scale, ys));
    }
    let resolve = |axis: &Axis, e, name: &str| {
        AxisMap::resolve(axis, e, PAD).map_err(|m| Problem::Invalid(format!("{name} axis: {m}")))
    };
    Ok((resolve(&p.x, xe, "x")?, resolve(&p.y, ye, "y")?))
}
