//! Drawing series (lines, bands, reference lines, points) and their markers.
//!
//! Data are taken to scale space, split where values are missing (NaN,
//! infinite, or not positive on a log axis), clipped to the shown range and
//! only then turned into pixels.

use std::f64::consts::PI;

use plotters::style::RGBAColor;

use super::Problem;
use super::axes::Axes;
use super::canvas::{Canvas, Px};
use super::clip::{Pt, clip_polygon, clip_polyline};
use super::scale::to_scale;
use super::style::{self, Sizes, palette};
use crate::chart::{Marker, Series, Shape};

/// Opacity of band fills.
pub(super) const BAND_ALPHA: f64 = 0.22;
/// Opacity of bar fills: light, so that lines over them stay clear.
pub(super) const BAR_ALPHA: f64 = 0.18;
/// Opacity of bar outlines.
pub(super) const BAR_EDGE_ALPHA: f64 = 0.45;

/// Line widths and dash pattern at a panel's scale.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pen {
    /// Data lines.
    pub line: f64,
    /// Reference lines.
    pub reference: f64,
    /// Dash length.
    pub dash: f64,
    /// Gap between dashes.
    pub gap: f64,
}

impl Pen {
    /// The pen for `sizes`.
    pub(super) fn new(sizes: &Sizes) -> Self {
        Self {
            line: sizes.px(2.0),
            reference: sizes.px(1.5),
            dash: sizes.px(6.0),
            gap: sizes.px(4.0),
        }
    }

    /// Draws a solid or dashed polyline.
    pub(super) fn stroke(
        &self,
        c: &Canvas,
        points: &[Px],
        color: RGBAColor,
        width: f64,
        dashed: bool,
    ) -> Result<(), Problem> {
        if dashed {
            c.dashed(points, color, width, self.dash, self.gap)
        } else {
            c.path(points, color, width)
        }
    }
}

/// Checks that a series' coordinate lists have matching lengths.
pub(super) fn check(series: &Series) -> Result<(), String> {
    let lengths: &[(&str, usize)] = match &series.shape {
        Shape::Line { xs, ys, .. } | Shape::Points { xs, ys, .. } => {
            &[("xs", xs.len()), ("ys", ys.len())]
        }
        Shape::Band { xs, lo, hi } => &[("xs", xs.len()), ("lo", lo.len()), ("hi", hi.len())],
        Shape::HLine { .. } | Shape::VLine { .. } => &[],
        Shape::Bars { lo, hi, heights } => &[
            ("lo", lo.len()),
            ("hi", hi.len()),
            ("heights", heights.len()),
        ],
    };
    match lengths {
        [(_, n), rest @ ..] => match rest.iter().find(|(_, m)| m != n) {
            Some((name, m)) => Err(format!(
                "series {:?} has {n} {} but {m} {name}",
                series.label, lengths[0].0
            )),
            None => Ok(()),
        },
        [] => Ok(()),
    }
}

/// The x and y values a series contributes to a fitted axis range.
pub(super) fn data_values(series: &Series) -> (Vec<f64>, Vec<f64>) {
    match &series.shape {
        Shape::Line { xs, ys, .. } | Shape::Points { xs, ys, .. } => (xs.clone(), ys.clone()),
        Shape::Band { xs, lo, hi } => {
            let mut xx = xs.clone();
            xx.extend_from_slice(xs);
            (xx, lo.iter().chain(hi).copied().collect())
        }
        Shape::HLine { y, .. } => (Vec::new(), vec![*y]),
        Shape::VLine { x, .. } => (vec![*x], Vec::new()),
        // The bars' base, 0, is part of the range, as a histogram's is.
        Shape::Bars { lo, hi, heights } => (
            lo.iter().chain(hi).copied().collect(),
            heights.iter().copied().chain([0.0]).collect(),
        ),
    }
}

/// Draws `series` on `a`. `on_image` makes markers larger and haloes
/// lines so they stand out on a heatmap.
pub(super) fn draw(
    c: &Canvas,
    a: &Axes,
    sizes: &Sizes,
    series: &Series,
    on_image: bool,
) -> Result<(), Problem> {
    let p = Painter {
        c,
        a,
        sizes,
        pen: Pen::new(sizes),
        on_image,
    };
    let color = palette(series.color, 1.0);
    match &series.shape {
        Shape::Line {
            xs,
            ys,
            dashed,
            marker,
        } => p.line((xs, ys), color, *dashed, *marker),
        Shape::Band { xs, lo, hi } => p.band(xs, (lo, hi), palette(series.color, BAND_ALPHA)),
        Shape::HLine { y, dashed } => match to_scale(a.y.scale, *y).filter(|s| a.y.contains(*s)) {
            Some(s) => p.reference([(a.x.lo, s), (a.x.hi, s)], color, *dashed),
            None => Ok(()),
        },
        Shape::VLine { x, dashed } => match to_scale(a.x.scale, *x).filter(|s| a.x.contains(*s)) {
            Some(s) => p.reference([(s, a.y.lo), (s, a.y.hi)], color, *dashed),
            None => Ok(()),
        },
        Shape::Points { xs, ys, marker } => p.markers((xs, ys), *marker, color),
        Shape::Bars { lo, hi, heights } => p.bars((lo, hi), heights, series.color),
    }
}

/// Everything needed to draw series on one panel.
struct Painter<'a, 'b> {
    c: &'a Canvas<'b>,
    a: &'a Axes,
    sizes: &'a Sizes,
    pen: Pen,
    on_image: bool,
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy)]
struct Stroke {
    color: RGBAColor,
    width: f64,
    dashed: bool,
}

/// Halo under lines drawn on heatmaps.
const HALO: RGBAColor = RGBAColor(0xFF, 0xFF, 0xFF, 0.65);

impl Painter<'_, '_> {
    fn line(
        &self,
        xy: (&[f64], &[f64]),
        color: RGBAColor,
        dashed: bool,
        marker: Option<Marker>,
    ) -> Result<(), Problem> {
        let line = Stroke {
            color,
            width: self.pen.line,
            dashed,
        };
        if self.on_image {
            // A pale halo keeps dark palette colours visible on dark cells.
            let width = line.width + self.sizes.px(2.5);
            self.polyline(
                xy,
                Stroke {
                    color: HALO,
                    width,
                    ..line
                },
                false,
            )?;
        }
        self.polyline(xy, line, marker.is_none())?;
        match marker {
            Some(m) => self.markers(xy, m, color),
            None => Ok(()),
        }
    }

    /// The visible pieces of a polyline, broken at missing values.
    fn polyline(
        &self,
        (xs, ys): (&[f64], &[f64]),
        s: Stroke,
        dot_lonely: bool,
    ) -> Result<(), Problem> {
        let a = self.a;
        for run in runs(&scaled(a, xs, ys)) {
            if let [p] = run[..] {
                // A lone point would otherwise be invisible without a marker.
                if dot_lonely && a.bounds_contain(p) {
                    self.c.disc(a.px(p), s.width, s.color)?;
                }
                continue;
            }
            for piece in clip_polyline(&run, &a.bounds()) {
                let px: Vec<Px> = piece.into_iter().map(|p| a.px(p)).collect();
                self.pen.stroke(self.c, &px, s.color, s.width, s.dashed)?;
            }
        }
        Ok(())
    }

    /// A reference line between two scale-space points on the frame.
    fn reference(&self, [p, q]: [Pt; 2], color: RGBAColor, dashed: bool) -> Result<(), Problem> {
        let ends = [self.a.px(p), self.a.px(q)];
        self.pen
            .stroke(self.c, &ends, color, self.pen.reference, dashed)
    }

    fn band(
        &self,
        xs: &[f64],
        (lo, hi): (&[f64], &[f64]),
        color: RGBAColor,
    ) -> Result<(), Problem> {
        let a = self.a;
        let edges: Vec<Option<(Pt, Pt)>> = xs
            .iter()
            .zip(lo.iter().zip(hi))
            .map(|(&x, (&l, &h))| {
                let sx = to_scale(a.x.scale, x)?;
                Some(((sx, to_scale(a.y.scale, l)?), (sx, to_scale(a.y.scale, h)?)))
            })
            .collect();
        for run in runs(&edges).into_iter().filter(|r| r.len() >= 2) {
            let outline: Vec<Pt> = run
                .iter()
                .map(|e| e.1)
                .chain(run.iter().rev().map(|e| e.0))
                .collect();
            let clipped = clip_polygon(&outline, &a.bounds());
            if clipped.len() >= 3 {
                let px: Vec<Px> = clipped.into_iter().map(|p| a.px(p)).collect();
                self.c.polygon(&px, color)?;
            }
        }
        Ok(())
    }

    /// Each bar a filled rectangle from the base to its height, clipped to
    /// the frame, with a darker outline so neighbours stay apart.
    fn bars(
        &self,
        (lo, hi): (&[f64], &[f64]),
        heights: &[f64],
        color: usize,
    ) -> Result<(), Problem> {
        let a = self.a;
        // The base is 0, or the bottom of a log axis, which has no 0.
        let base = to_scale(a.y.scale, 0.0).unwrap_or(a.y.lo);
        for ((&l, &h), &top) in lo.iter().zip(hi).zip(heights) {
            let (Some(l), Some(h), Some(top)) = (
                to_scale(a.x.scale, l),
                to_scale(a.x.scale, h),
                to_scale(a.y.scale, top),
            ) else {
                continue;
            };
            // An empty bin draws nothing, not a line along the base.
            if top == base {
                continue;
            }
            let outline = [(l, base), (h, base), (h, top), (l, top)];
            let clipped = clip_polygon(&outline, &a.bounds());
            if clipped.len() < 3 {
                continue;
            }
            let mut px: Vec<Px> = clipped.into_iter().map(|p| a.px(p)).collect();
            self.c.polygon(&px, palette(color, BAR_ALPHA))?;
            px.extend(px.first().copied());
            self.c
                .path(&px, palette(color, BAR_EDGE_ALPHA), self.sizes.px(0.8))?;
        }
        Ok(())
    }

    fn markers(
        &self,
        (xs, ys): (&[f64], &[f64]),
        marker: Marker,
        color: RGBAColor,
    ) -> Result<(), Problem> {
        for p in scaled(self.a, xs, ys).into_iter().flatten() {
            if self.a.bounds_contain(p) {
                draw_marker(
                    self.c,
                    self.a.px(p),
                    marker,
                    color,
                    self.sizes,
                    self.on_image,
                )?;
            }
        }
        Ok(())
    }
}

/// Scale-space points, `None` where a value cannot be shown.
fn scaled(a: &Axes, xs: &[f64], ys: &[f64]) -> Vec<Option<Pt>> {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| Some((to_scale(a.x.scale, x)?, to_scale(a.y.scale, y)?)))
        .collect()
}

/// Maximal runs of consecutive present values.
fn runs<T: Copy>(values: &[Option<T>]) -> Vec<Vec<T>> {
    values
        .split(|v| v.is_none())
        .map(|run| run.iter().flatten().copied().collect::<Vec<T>>())
        .filter(|run| !run.is_empty())
        .collect()
}

impl Axes {
    fn bounds_contain(&self, (x, y): Pt) -> bool {
        self.x.contains(x) && self.y.contains(y)
    }
}

/// One marker centred at `at`, filled with `color` and ringed in white so
/// it stays visible over lines, bands and heatmaps.
pub(super) fn draw_marker(
    c: &Canvas,
    at: Px,
    marker: Marker,
    color: RGBAColor,
    sizes: &Sizes,
    on_image: bool,
) -> Result<(), Problem> {
    let r = sizes.px(if on_image { 5.0 } else { 4.0 });
    let halo = sizes.px(if on_image { 1.5 } else { 1.0 });
    match marker {
        Marker::Circle => {
            c.disc(at, r, color)?;
            c.ring(at, r, style::WHITE, halo)
        }
        Marker::Square => shape(c, &regular(at, r * 1.25, 4, PI / 4.0), color, halo),
        Marker::Triangle => shape(c, &regular(at, r * 1.35, 3, PI / 2.0), color, halo),
        Marker::Star => shape(
            c,
            &star(at, r * if on_image { 2.1 } else { 1.8 }),
            color,
            halo,
        ),
        Marker::Cross => cross(c, at, r, color, halo),
    }
}

fn shape(c: &Canvas, outline: &[Px], color: RGBAColor, halo: f64) -> Result<(), Problem> {
    c.polygon(outline, color)?;
    let mut closed = outline.to_vec();
    closed.extend(outline.first().copied());
    c.path(&closed, style::WHITE, halo)
}

fn cross(c: &Canvas, (x, y): Px, r: f64, color: RGBAColor, halo: f64) -> Result<(), Problem> {
    let d = r * 0.95;
    let arms = [
        [(x - d, y - d), (x + d, y + d)],
        [(x - d, y + d), (x + d, y - d)],
    ];
    for arm in &arms {
        c.path(arm, style::WHITE, r * 0.5 + 2.0 * halo)?;
    }
    for arm in &arms {
        c.path(arm, color, r * 0.5)?;
    }
    Ok(())
}

/// A regular `n`-gon of circumradius `r`, first vertex at angle `start`
/// (radians, counter-clockwise from +x as seen on screen).
fn regular((x, y): Px, r: f64, n: usize, start: f64) -> Vec<Px> {
    (0..n)
        .map(|i| {
            let t = start + 2.0 * PI * i as f64 / n as f64;
            (x + r * t.cos(), y - r * t.sin())
        })
        .collect()
}

/// A five-pointed star, point up.
fn star((x, y): Px, r: f64) -> Vec<Px> {
    let inner = r * 0.45;
    (0..10)
        .map(|i| {
            let t = PI / 2.0 + PI * i as f64 / 5.0;
            let rr = if i % 2 == 0 { r } else { inner };
            (x + rr * t.cos(), y - rr * t.sin())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_lengths_are_reported_by_name() {
        let s = Series::line("a", 0, vec![1.0, 2.0], vec![1.0], false, None);
        let err = check(&s).err().unwrap_or_default();
        assert!(err.contains("2 xs but 1 ys"), "{err}");
        let band = Series {
            label: "b".into(),
            color: 0,
            shape: Shape::Band {
                xs: vec![1.0],
                lo: vec![1.0],
                hi: vec![],
            },
        };
        assert!(check(&band).is_err());
    }

    #[test]
    fn runs_break_at_missing_values() {
        let v = [Some(1), Some(2), None, None, Some(3), None];
        assert_eq!(runs(&v), vec![vec![1, 2], vec![3]]);
    }

    #[test]
    fn stars_have_ten_corners_point_up() {
        let s = star((0.0, 0.0), 10.0);
        assert_eq!(s.len(), 10);
        assert!((s[0].1 + 10.0).abs() < 1e-9);
    }
}
