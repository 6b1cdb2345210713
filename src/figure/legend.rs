//! The legend: one row per labelled series, in a corner of the plotting
//! area, on a white, slightly see-through box.

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Problem;
use super::axes::Axes;
use super::canvas::{Anchor, Canvas, Px};
use super::series::{self, BAND_ALPHA, Pen};
use super::style::{self, Sizes, palette, text_width};
use crate::chart::{Corner, Series, Shape};

/// Spacing of legend rows, in pixels.
struct Metrics {
    font: f64,
    row: f64,
    pad: f64,
    glyph: f64,
    gap: f64,
}

impl Metrics {
    fn new(sizes: &Sizes) -> Self {
        Self {
            font: sizes.legend,
            row: sizes.legend * 1.5,
            pad: sizes.px(7.0),
            glyph: sizes.px(26.0),
            gap: sizes.px(6.0),
        }
    }
}

/// Draws the legend of `all` (only series with a label get a row) at
/// `corner` of the plotting area.
pub(super) fn draw(
    c: &Canvas,
    a: &Axes,
    sizes: &Sizes,
    all: &[Series],
    corner: Corner,
) -> Result<(), Problem> {
    let entries: Vec<&Series> = all.iter().filter(|s| !s.label.is_empty()).collect();
    if entries.is_empty() {
        return Ok(());
    }
    let m = Metrics::new(sizes);
    let widest = entries
        .iter()
        .map(|s| text_width(&s.label, m.font))
        .fold(0.0, f64::max);
    let w = m.pad + m.glyph + m.gap + widest + m.pad;
    let h = entries.len() as f64 * m.row + m.pad;
    let (x0, y0) = place(a, corner, (w, h), sizes.px(8.0));
    c.fill_rect((x0, y0), (x0 + w, y0 + h), style::LEGEND_FILL)?;
    c.stroke_rect(
        (x0, y0),
        (x0 + w, y0 + h),
        style::LEGEND_EDGE,
        sizes.px(0.8),
    )?;
    let anchor = Anchor {
        pos: Pos::new(HPos::Left, VPos::Center),
        vertical: false,
    };
    for (i, s) in entries.iter().enumerate() {
        let y = y0 + m.pad / 2.0 + m.row * (i as f64 + 0.5);
        draw_glyph(c, sizes, s, (x0 + m.pad, y), m.glyph)?;
        c.text(
            &s.label,
            (x0 + m.pad + m.glyph + m.gap, y),
            m.font,
            style::TEXT,
            anchor,
        )?;
    }
    Ok(())
}

/// Top-left corner of a `w` × `h` box at `corner`, `inset` from the edges
/// (pinned to the left/top edge when the box is larger than the plot).
fn place(a: &Axes, corner: Corner, (w, h): Px, inset: f64) -> Px {
    let p = a.plot;
    let left = p.x0 + inset;
    let top = p.y0 + inset;
    let x = match corner {
        Corner::UpperLeft | Corner::LowerLeft => left,
        Corner::UpperRight | Corner::LowerRight => (p.x1 - inset - w).max(left),
    };
    let y = match corner {
        Corner::UpperLeft | Corner::UpperRight => top,
        Corner::LowerLeft | Corner::LowerRight => (p.y1 - inset - h).max(top),
    };
    (x, y)
}

/// A small sample of how `s` is drawn, `width` wide, starting at `(x, y)`
/// on its vertical middle.
fn draw_glyph(
    c: &Canvas,
    sizes: &Sizes,
    s: &Series,
    (x, y): Px,
    width: f64,
) -> Result<(), Problem> {
    let color = palette(s.color, 1.0);
    let pen = Pen::new(sizes);
    let segment = [(x, y), (x + width, y)];
    let mid = (x + width / 2.0, y);
    match &s.shape {
        Shape::Line { dashed, marker, .. } => {
            pen.stroke(c, &segment, color, pen.line, *dashed)?;
            match marker {
                Some(m) => series::draw_marker(c, mid, *m, color, sizes, false),
                None => Ok(()),
            }
        }
        Shape::Band { .. } => {
            let half = sizes.legend * 0.4;
            c.fill_rect(
                (x, y - half),
                (x + width, y + half),
                palette(s.color, BAND_ALPHA),
            )
        }
        Shape::HLine { dashed, .. } | Shape::VLine { dashed, .. } => {
            pen.stroke(c, &segment, color, pen.reference, *dashed)
        }
        Shape::Points { marker, .. } => series::draw_marker(c, mid, *marker, color, sizes, false),
    }
}
