//! Heatmap panels: the grid of cells as one embedded PNG, the colour bar,
//! and overlays on top.
//!
//! Cells are bounded by the midpoints between neighbouring centres in scale
//! space. When the centres are evenly spaced there, each cell is exactly
//! one PNG pixel, stretched over the plot. When they are not (a hand-made
//! list), the PNG is sampled at screen resolution, each pixel taking the
//! cell it falls in, so the picture is right either way.

use plotters::style::RGBAColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Problem;
use super::axes::{self, Axes, Labels, Rect};
use super::canvas::{Anchor, Canvas};
use super::embed::{self, PLACEHOLDER, Raster};
use super::scale::{AxisMap, Ticks, to_scale};
use super::style::{self, MISSING, Sizes, viridis};
use super::text::{Fitted, LINE, fit};
use super::{legend, series};
use crate::chart::{Axis, Heatmap, Scale};

/// Largest side of a resampled raster, in pixels.
const MAX_RASTER: f64 = 4096.0;

/// The cells along one axis.
#[derive(Debug, Clone, PartialEq)]
struct Cells {
    /// Original indices, in increasing order of position.
    order: Vec<usize>,
    /// `order.len() + 1` cell boundaries in scale space, increasing.
    edges: Vec<f64>,
    /// Whether all cells are equally wide in scale space.
    even: bool,
}

/// Draws heatmap `h` in `panel`; returns the `<image>` element that
/// replaces its placeholder, if any part of the grid is visible.
pub(super) fn draw(
    c: &Canvas,
    panel: Rect,
    sizes: &Sizes,
    h: &Heatmap,
) -> Result<Option<String>, Problem> {
    check(h).map_err(Problem::Invalid)?;
    let cols = cells(&h.xs, h.x.scale, "xs").map_err(Problem::Invalid)?;
    let rows = cells(&h.ys, h.y.scale, "ys").map_err(Problem::Invalid)?;
    let x = resolve(&h.x, &cols, "x")?;
    let y = resolve(&h.y, &rows, "y")?;
    let z = z_map(h).map_err(Problem::Invalid)?;
    let labels = Labels {
        title: &h.title,
        x: &h.x.label,
        y: &h.y.label,
    };
    let bar = ColourBar::new(z, sizes, &h.z_label);
    let a = axes::layout(panel, sizes, &labels, (x, y), |plot_h, lines| {
        bar.width(plot_h, lines)
    })?;
    let image = place_image(c, &a, h, (&cols, &rows), &z)?;
    for s in &h.overlays {
        series::draw(c, &a, sizes, s, true)?;
    }
    axes::draw_axes(c, &a, sizes)?;
    bar.draw(c, &a)?;
    legend::draw(c, &a, sizes, &h.overlays, h.legend)?;
    Ok(image)
}

fn check(h: &Heatmap) -> Result<(), String> {
    let want =
        h.xs.len()
            .checked_mul(h.ys.len())
            .ok_or("the grid is too large")?;
    if h.z.len() != want {
        return Err(format!(
            "z has {} values but the grid is {} × {} = {want}",
            h.z.len(),
            h.xs.len(),
            h.ys.len()
        ));
    }
    h.overlays.iter().try_for_each(series::check)
}

fn resolve(axis: &Axis, cells: &Cells, name: &str) -> Result<AxisMap, Problem> {
    let extent = match (cells.edges.first(), cells.edges.last()) {
        (Some(&lo), Some(&hi)) => Some([lo, hi]),
        _ => None,
    };
    AxisMap::resolve(axis, extent, 0.0).map_err(|m| Problem::Invalid(format!("{name} axis: {m}")))
}

/// Cells centred on `values`, which may come in any order but must be
/// distinct and showable on `scale`.
fn cells(values: &[f64], scale: Scale, name: &str) -> Result<Cells, String> {
    let scaled = values
        .iter()
        .enumerate()
        .map(|(i, &v)| to_scale(scale, v).ok_or_else(|| unshowable(name, i, v, scale)))
        .collect::<Result<Vec<f64>, String>>()?;
    if scaled.is_empty() {
        return Err(format!("the grid has no {name}"));
    }
    let mut order: Vec<usize> = (0..scaled.len()).collect();
    order.sort_by(|&a, &b| scaled[a].total_cmp(&scaled[b]));
    let centres: Vec<f64> = order.iter().map(|&i| scaled[i]).collect();
    if centres.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("{name} has repeated values"));
    }
    let (edges, even) = edges(&centres);
    Ok(Cells { order, edges, even })
}

fn unshowable(name: &str, i: usize, v: f64, scale: Scale) -> String {
    match scale {
        Scale::Log if v.is_finite() => {
            format!("{name}[{i}] = {v} is not positive, so it has no place on a log axis")
        }
        _ => format!("{name}[{i}] = {v} is not a finite number"),
    }
}

/// Cell boundaries around increasing `centres`: midpoints inside, half a
/// neighbouring cell beyond the ends (half a unit for a single cell).
fn edges(centres: &[f64]) -> (Vec<f64>, bool) {
    let (first, last) = match centres {
        [] => return (Vec::new(), true),
        [c] => return (vec![c - 0.5, c + 0.5], true),
        [first, .., last] => (*first, *last),
    };
    let n = centres.len();
    let step = (last - first) / (n - 1) as f64;
    let even = centres
        .iter()
        .enumerate()
        .all(|(i, &c)| (c - (first + step * i as f64)).abs() <= 0.01 * step);
    if even {
        let edges = (0..=n).map(|i| first + step * (i as f64 - 0.5)).collect();
        return (edges, true);
    }
    // n ≥ 2 here, so both neighbours of the ends exist.
    let (second, penultimate) = (centres[1], centres[n - 2]);
    let mut edges = Vec::with_capacity(n + 1);
    edges.push(first - (second - first) / 2.0);
    edges.extend(centres.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    edges.push(last + (last - penultimate) / 2.0);
    (edges, false)
}

/// The colour scale: `z_range`, else the range of the finite values.
fn z_map(h: &Heatmap) -> Result<AxisMap, String> {
    let axis = Axis {
        label: String::new(),
        scale: Scale::Linear,
        range: h.z_range,
    };
    let extent = super::scale::extent(Scale::Linear, h.z.iter().copied());
    AxisMap::resolve(&axis, extent, 0.0).map_err(|m| format!("z: {m}"))
}

/// For each raster pixel along one axis, the original index of its cell,
/// and the raster's extent in scale space (empty when no cell is visible).
/// Even cells map one to one unless there are far more than pixels;
/// otherwise the visible part is sampled at `length_px` resolution.
fn sampling(cells: &Cells, map: &AxisMap, length_px: f64) -> (Vec<usize>, [f64; 2]) {
    let (Some(&first), Some(&last)) = (cells.edges.first(), cells.edges.last()) else {
        return (Vec::new(), [0.0, 0.0]);
    };
    let (lo, hi) = (first.max(map.lo), last.min(map.hi));
    if lo >= hi || cells.order.is_empty() {
        return (Vec::new(), [lo, hi]);
    }
    if cells.even && cells.order.len() as f64 <= 2.0 * length_px {
        return (cells.order.clone(), [first, last]);
    }
    let n = (length_px * (hi - lo) / (map.hi - map.lo))
        .ceil()
        .clamp(1.0, MAX_RASTER) as usize;
    let last_cell = cells.order.len() - 1;
    let picks = (0..n)
        .map(|k| {
            let s = lo + (k as f64 + 0.5) / n as f64 * (hi - lo);
            let cell = cells.edges.partition_point(|&e| e <= s).saturating_sub(1);
            cells.order[cell.min(last_cell)]
        })
        .collect();
    (picks, [lo, hi])
}

/// Rasterises the visible cells, draws the placeholder where the image
/// goes and returns the image element.
fn place_image(
    c: &Canvas,
    a: &Axes,
    h: &Heatmap,
    (cols, rows): (&Cells, &Cells),
    z: &AxisMap,
) -> Result<Option<String>, Problem> {
    let (xi, [x0, x1]) = sampling(cols, &a.x, a.plot.w());
    let (mut yi, [y0, y1]) = sampling(rows, &a.y, a.plot.h());
    if xi.is_empty() || yi.is_empty() {
        return Ok(None);
    }
    yi.reverse(); // image rows run top to bottom
    let raster = rasterise(h, &xi, &yi, z);
    let png = embed::png(&raster).map_err(Problem::Render)?;
    let (left, top) = a.px((x0, y1));
    let (right, bottom) = a.px((x1, y0));
    let image = Rect {
        x0: left,
        y0: top,
        x1: right,
        y1: bottom,
    };
    c.fill_rect((a.plot.x0, a.plot.y0), (a.plot.x1, a.plot.y1), PLACEHOLDER)?;
    Ok(Some(embed::image_element(&png, a.plot, image)))
}

fn rasterise(h: &Heatmap, xi: &[usize], yi: &[usize], z: &AxisMap) -> Raster {
    let ny = h.ys.len();
    let mut rgb = Vec::with_capacity(xi.len() * yi.len() * 3);
    for &j in yi {
        for &i in xi {
            let v = h.z.get(i * ny + j).copied().unwrap_or(f64::NAN);
            rgb.extend_from_slice(&colour(v, z));
        }
    }
    Raster {
        width: xi.len() as u32,
        height: yi.len() as u32,
        rgb,
    }
}

fn colour(v: f64, z: &AxisMap) -> [u8; 3] {
    if v.is_finite() {
        viridis(z.frac(v))
    } else {
        MISSING
    }
}

/// The colour bar right of the plot: gradient, ticks and label.
struct ColourBar<'a> {
    z: AxisMap,
    sizes: Sizes,
    label: &'a str,
}

impl<'a> ColourBar<'a> {
    fn new(z: AxisMap, sizes: &Sizes, label: &'a str) -> Self {
        Self {
            z,
            sizes: *sizes,
            label,
        }
    }

    fn ticks(&self, plot_h: f64) -> Ticks {
        self.z.ticks(plot_h, self.sizes.px(45.0))
    }

    /// Left and right edge of the bar, left edge of its tick labels.
    fn columns(&self, plot_x1: f64) -> (f64, f64, f64) {
        let x0 = plot_x1 + self.sizes.px(14.0);
        let x1 = x0 + self.sizes.px(14.0);
        (x0, x1, x1 + self.sizes.px(8.0))
    }

    /// The bar's label, along the bar, in at most `lines` lines.
    fn title(&self, plot_h: f64, lines: usize) -> Fitted {
        fit(self.label, self.sizes.label, plot_h, lines)
    }

    /// Room taken right of the plot: gap, bar, ticks, labels and a title
    /// of at most `lines` lines.
    fn width(&self, plot_h: f64, lines: usize) -> f64 {
        let s = &self.sizes;
        let (_, _, labels) = self.columns(0.0);
        let title = self.title(plot_h, lines);
        let title = if title.lines.is_empty() {
            0.0
        } else {
            s.px(8.0) + title.size * 1.25 + title.extra()
        };
        labels + self.ticks(plot_h).widest_label(s.tick) + title
    }

    fn draw(&self, c: &Canvas, a: &Axes) -> Result<(), Problem> {
        let s = &self.sizes;
        let (x0, x1, labels) = self.columns(a.plot.x1);
        let (top, bottom) = (a.plot.y0, a.plot.y1);
        draw_gradient(c, (x0, x1), (top, bottom))?;
        c.stroke_rect((x0, top), (x1, bottom), style::INK, s.px(0.9))?;
        let ticks = self.ticks(bottom - top);
        let tick_anchor = Anchor {
            pos: Pos::new(HPos::Left, VPos::Center),
            vertical: false,
        };
        for (v, label) in &ticks.major {
            let y = bottom - self.z.frac(*v) * (bottom - top);
            c.path(&[(x1, y), (x1 + s.px(4.0), y)], style::INK, s.px(0.9))?;
            c.text(label, (labels, y), s.tick, style::INK, tick_anchor)?;
        }
        let title = self.title(bottom - top, a.side_lines);
        let x = labels + ticks.widest_label(s.tick) + s.px(8.0) + title.size * 1.25;
        let title_anchor = Anchor {
            pos: Pos::new(HPos::Center, VPos::Bottom),
            vertical: true,
        };
        for (i, line) in title.lines.iter().enumerate() {
            let at = (x + i as f64 * LINE * title.size, (top + bottom) / 2.0);
            c.text(line, at, title.size, style::TEXT, title_anchor)?;
        }
        Ok(())
    }
}

/// Viridis from bottom to top, as stacked bands.
fn draw_gradient(
    c: &Canvas,
    (x0, x1): (f64, f64),
    (top, bottom): (f64, f64),
) -> Result<(), Problem> {
    let bands = ((bottom - top) / 2.0).round().clamp(16.0, 128.0) as usize;
    let step = (bottom - top) / bands as f64;
    for k in 0..bands {
        let [r, g, b] = viridis((k as f64 + 0.5) / bands as f64);
        let y = bottom - step * k as f64;
        // Overlap by half a pixel so no hairline seams show between bands.
        let y_top = if k + 1 == bands { top } else { y - step - 0.5 };
        c.fill_rect((x0, y_top), (x1, y), RGBAColor(r, g, b, 1.0))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_cells_get_midpoint_edges() {
        let c = cells(&[0.0, 1.0, 2.0], Scale::Linear, "xs").unwrap_or_else(|e| panic!("{e}"));
        assert!(c.even);
        assert_eq!(c.edges, vec![-0.5, 0.5, 1.5, 2.5]);
    }

    #[test]
    fn log_spaced_cells_are_even_on_a_log_axis() {
        let c = cells(&[1.0, 10.0, 100.0], Scale::Log, "ys").unwrap_or_else(|e| panic!("{e}"));
        assert!(c.even);
        assert!((c.edges[0] + 0.5).abs() < 1e-12);
    }

    #[test]
    fn descending_values_are_put_in_order() {
        let c = cells(&[2.0, 1.0, 0.0], Scale::Linear, "xs").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.order, vec![2, 1, 0]);
    }

    #[test]
    fn bad_grid_values_are_named() {
        let e = cells(&[1.0, -1.0], Scale::Log, "ys")
            .err()
            .unwrap_or_default();
        assert!(e.contains("ys[1] = -1"), "{e}");
        assert!(cells(&[1.0, f64::NAN], Scale::Linear, "xs").is_err());
        assert!(cells(&[1.0, 1.0], Scale::Linear, "xs").is_err());
        assert!(cells(&[], Scale::Linear, "xs").is_err());
    }

    #[test]
    fn uneven_cells_are_sampled_by_nearest_edges() {
        let c = cells(&[0.0, 1.0, 10.0], Scale::Linear, "xs").unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.even);
        assert_eq!(c.edges, vec![-0.5, 0.5, 5.5, 14.5]);
        let map = AxisMap {
            scale: Scale::Linear,
            lo: -0.5,
            hi: 14.5,
        };
        let (picks, extent) = sampling(&c, &map, 150.0);
        assert_eq!(extent, [-0.5, 14.5]);
        assert_eq!(picks.len(), 150);
        assert_eq!(picks.iter().filter(|&&i| i == 0).count(), 10);
        assert_eq!(picks.iter().filter(|&&i| i == 1).count(), 50);
        assert_eq!(picks.iter().filter(|&&i| i == 2).count(), 90);
    }

    #[test]
    fn missing_values_are_grey_and_the_rest_viridis() {
        let z = AxisMap {
            scale: Scale::Linear,
            lo: 0.0,
            hi: 1.0,
        };
        assert_eq!(colour(f64::NAN, &z), MISSING);
        assert_eq!(colour(f64::INFINITY, &z), MISSING);
        assert_eq!(colour(1.0, &z), viridis(1.0));
        assert_eq!(colour(5.0, &z), viridis(1.0));
    }
}
