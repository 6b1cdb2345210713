//! Panel layout and the axes around the data: title, frame, grid, ticks
//! and axis labels.
//!
//! Layout is done by hand rather than with plotters' `ChartBuilder` so that
//! label areas are sized from the actual tick labels (estimated widths) and
//! the plotting area is known exactly, which the heatmap image needs.

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Problem;
use super::canvas::{Anchor, Canvas, Px};
use super::clip::{Bounds, Pt};
use super::scale::{AxisMap, Ticks};
use super::style::{self, Sizes, text_width};
use super::text::{Fitted, LINE, fit};

/// A rectangle in pixels, y pointing down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Rect {
    /// Width.
    pub(super) fn w(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height.
    pub(super) fn h(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// The texts around a panel, as given.
#[derive(Debug, Clone, Copy)]
pub(super) struct Labels<'a> {
    /// Above the panel.
    pub title: &'a str,
    /// Under the x axis.
    pub x: &'a str,
    /// Left of the y axis.
    pub y: &'a str,
}

/// The texts around a panel, fitted into their room.
#[derive(Debug, Clone)]
pub(super) struct Texts {
    /// Above the panel, as wide as the panel.
    pub title: Fitted,
    /// Under the x axis, as wide as the panel.
    pub x: Fitted,
    /// Left of the y axis, as long as the plot is high.
    pub y: Fitted,
}

/// A laid-out panel: where the data goes, its scales, ticks and texts.
#[derive(Debug, Clone)]
pub(super) struct Axes {
    /// The whole panel.
    pub panel: Rect,
    /// The plotting area.
    pub plot: Rect,
    /// Horizontal scale.
    pub x: AxisMap,
    /// Vertical scale.
    pub y: AxisMap,
    /// Ticks along x.
    pub xt: Ticks,
    /// Ticks along y.
    pub yt: Ticks,
    /// Title and axis labels.
    pub texts: Texts,
    /// How many lines the text right of the plot (a colour bar's label)
    /// may take.
    pub side_lines: usize,
}

/// The smallest plotting area accepted, in pixels along either side.
const MIN_PLOT: f64 = 24.0;

/// Lines allowed for the title and the x label, most first: fewer are
/// tried when wrapping would leave the plot too little height.
const VERTICAL_LINES: [(usize, usize); 3] = [(3, 2), (2, 1), (1, 1)];

/// Lines allowed for the y label and the text right of the plot, most
/// first, likewise for the plot's width.
const HORIZONTAL_LINES: [(usize, usize); 2] = [(2, 2), (1, 1)];

/// The vertical layout: title and x label, and the plot's top and bottom.
struct Rows {
    title: Fitted,
    x_label: Fitted,
    top: f64,
    bottom: f64,
}

/// The horizontal layout: y label, the lines for the text right of the
/// plot, the plot's left and right, and the x ticks that fit between.
struct Columns {
    y_label: Fitted,
    side_lines: usize,
    left: f64,
    right: f64,
    xt: Ticks,
}

/// Fixed distances of the layout, in pixels at the panel's scale.
struct Metrics {
    pad: f64,
    gap: f64,
    tick_len: f64,
}

impl Metrics {
    fn new(sizes: &Sizes) -> Self {
        Self {
            pad: sizes.px(8.0),
            gap: sizes.px(4.0),
            tick_len: sizes.px(5.0),
        }
    }
}

impl Axes {
    /// Pixel position of scale-space point `(sx, sy)`.
    pub(super) fn px(&self, (sx, sy): Pt) -> Px {
        (
            self.plot.x0 + self.x.frac(sx) * self.plot.w(),
            self.plot.y1 - self.y.frac(sy) * self.plot.h(),
        )
    }

    /// The plotting area in scale space.
    pub(super) fn bounds(&self) -> Bounds {
        Bounds {
            x0: self.x.lo,
            x1: self.x.hi,
            y0: self.y.lo,
            y1: self.y.hi,
        }
    }
}

/// Lays out `panel`, leaving `right_of(plot_height, lines)` pixels at the
/// right for a colour bar whose label may take `lines` lines.
pub(super) fn layout(
    panel: Rect,
    sizes: &Sizes,
    labels: &Labels,
    (x, y): (AxisMap, AxisMap),
    right_of: impl Fn(f64, usize) -> f64,
) -> Result<Axes, Problem> {
    let m = Metrics::new(sizes);
    let wide = panel.w() - 2.0 * m.pad;
    let rows = |(title_lines, x_lines)| {
        let title = fit(labels.title, sizes.title, wide, title_lines);
        let x_label = fit(labels.x, sizes.label, wide, x_lines);
        let (top, bottom) = vertical(panel, sizes, (&title, &x_label), &m);
        Rows {
            title,
            x_label,
            top,
            bottom,
        }
    };
    let mut r = rows(VERTICAL_LINES[0]);
    for lines in &VERTICAL_LINES[1..] {
        if r.bottom - r.top >= MIN_PLOT {
            break;
        }
        r = rows(*lines);
    }
    let (top, bottom) = (r.top, r.bottom);
    check_size(panel, bottom - top, "height")?;
    let yt = y.ticks(bottom - top, sizes.px(45.0));
    let columns = |(y_lines, side_lines)| {
        let y_label = fit(labels.y, sizes.label, bottom - top, y_lines);
        let y_room = if y_label.lines.is_empty() {
            0.0
        } else {
            y_label.size * 1.25 + m.gap + y_label.extra()
        };
        let left = panel.x0 + m.pad + y_room + yt.widest_label(sizes.tick) + m.gap + m.tick_len;
        let right_edge = panel.x1 - right_of(bottom - top, side_lines) - m.pad;
        let (right, xt) = fit_x_ticks(&x, left, right_edge, sizes);
        Columns {
            y_label,
            side_lines,
            left,
            right,
            xt,
        }
    };
    let mut c = columns(HORIZONTAL_LINES[0]);
    for lines in &HORIZONTAL_LINES[1..] {
        if c.right - c.left >= MIN_PLOT {
            break;
        }
        c = columns(*lines);
    }
    let (left, right) = (c.left, c.right);
    check_size(panel, right - left, "width")?;
    let plot = Rect {
        x0: left,
        y0: top,
        x1: right,
        y1: bottom,
    };
    Ok(Axes {
        panel,
        plot,
        x,
        y,
        xt: c.xt,
        yt,
        texts: Texts {
            title: r.title,
            x: r.x_label,
            y: c.y_label,
        },
        side_lines: c.side_lines,
    })
}

/// Top and bottom of the plotting area: room for the title above, tick
/// labels and the x label below.
fn vertical(panel: Rect, sizes: &Sizes, (title, x): (&Fitted, &Fitted), m: &Metrics) -> (f64, f64) {
    let title = if title.lines.is_empty() {
        0.0
    } else {
        // The gap under a shrunk title stays as wide as under a full-size
        // one, for the top tick label reaches into it.
        title.size * 1.35 + (sizes.title - title.size) * 0.35 + title.extra()
    };
    let x_label = if x.lines.is_empty() {
        0.0
    } else {
        m.gap + x.size * 1.25 + x.extra()
    };
    let below = m.tick_len + m.gap + sizes.tick * 1.2 + x_label + m.pad;
    (panel.y0 + m.pad + title, panel.y1 - below)
}

fn check_size(panel: Rect, length: f64, what: &str) -> Result<(), Problem> {
    if length >= MIN_PLOT {
        return Ok(());
    }
    Err(Problem::Invalid(format!(
        "a panel of {:.0}×{:.0} px is too small: its plotting area would have a {what} of {length:.0} px",
        panel.w(),
        panel.h()
    )))
}

/// x ticks whose labels do not collide, and the plot's right edge pulled
/// in so the last label is not cut off.
fn fit_x_ticks(x: &AxisMap, left: f64, right_edge: f64, sizes: &Sizes) -> (f64, Ticks) {
    let mut spacing = sizes.px(65.0);
    let mut ticks = x.ticks(right_edge - left, spacing);
    for _ in 0..4 {
        let needed = ticks.widest_label(sizes.tick) + sizes.px(14.0);
        let room = (right_edge - left) / (ticks.major.len().max(2) - 1) as f64;
        if needed <= room || needed <= spacing {
            break;
        }
        spacing = needed;
        ticks = x.ticks(right_edge - left, spacing);
    }
    let overhang = ticks
        .major
        .last()
        .map(|(s, l)| {
            let at = left + x.frac(*s) * (right_edge - left);
            at + text_width(l, sizes.tick) / 2.0 - (right_edge + sizes.px(6.0))
        })
        .unwrap_or(0.0);
    (right_edge - overhang.max(0.0), ticks)
}

/// Light grid lines at the major ticks, under the data.
pub(super) fn draw_grid(c: &Canvas, a: &Axes, sizes: &Sizes) -> Result<(), Problem> {
    let w = sizes.px(0.8);
    for (s, _) in &a.xt.major {
        let (px, _) = a.px((*s, a.y.lo));
        if px - a.plot.x0 > 1.0 && a.plot.x1 - px > 1.0 {
            c.path(&[(px, a.plot.y0), (px, a.plot.y1)], style::GRID, w)?;
        }
    }
    for (s, _) in &a.yt.major {
        let (_, py) = a.px((a.x.lo, *s));
        if py - a.plot.y0 > 1.0 && a.plot.y1 - py > 1.0 {
            c.path(&[(a.plot.x0, py), (a.plot.x1, py)], style::GRID, w)?;
        }
    }
    Ok(())
}

/// The frame, ticks, tick labels, axis labels and title, over the data.
pub(super) fn draw_axes(c: &Canvas, a: &Axes, sizes: &Sizes) -> Result<(), Problem> {
    let m = Metrics::new(sizes);
    let p = a.plot;
    c.stroke_rect((p.x0, p.y0), (p.x1, p.y1), style::INK, sizes.px(0.9))?;
    draw_x_ticks(c, a, sizes, &m)?;
    draw_y_ticks(c, a, sizes, &m)?;
    let centre = (p.x0 + p.x1) / 2.0;
    // Wrapped x labels grow upwards from the bottom of the panel.
    let x = &a.texts.x;
    let below = x.lines.len().saturating_sub(1);
    for (i, line) in x.lines.iter().enumerate() {
        let y = a.panel.y1 - m.pad - (below - i) as f64 * LINE * x.size;
        let at = (centred(line, x.size, centre, a.panel, m.pad), y);
        c.text(
            line,
            at,
            x.size,
            style::TEXT,
            level(HPos::Center, VPos::Bottom),
        )?;
    }
    let y_anchor = Anchor {
        pos: Pos::new(HPos::Center, VPos::Top),
        vertical: true,
    };
    let y = &a.texts.y;
    for (i, line) in y.lines.iter().enumerate() {
        let at = (
            a.panel.x0 + m.pad + i as f64 * LINE * y.size,
            (p.y0 + p.y1) / 2.0,
        );
        c.text(line, at, y.size, style::TEXT, y_anchor)?;
    }
    let title = &a.texts.title;
    for (i, line) in title.lines.iter().enumerate() {
        let at = (
            centred(line, title.size, centre, a.panel, m.pad),
            a.panel.y0 + m.pad + i as f64 * LINE * title.size,
        );
        c.text(
            line,
            at,
            title.size,
            style::TEXT,
            level(HPos::Center, VPos::Top),
        )?;
    }
    Ok(())
}

/// An anchor for text that reads left to right.
fn level(h: HPos, v: VPos) -> Anchor {
    Anchor {
        pos: Pos::new(h, v),
        vertical: false,
    }
}

/// Where to centre `line`: at `centre`, but kept `pad` inside the panel.
fn centred(line: &str, size: f64, centre: f64, panel: Rect, pad: f64) -> f64 {
    let half = text_width(line, size) / 2.0;
    let lo = panel.x0 + pad + half;
    let hi = panel.x1 - pad - half;
    if lo <= hi {
        centre.clamp(lo, hi)
    } else {
        (panel.x0 + panel.x1) / 2.0
    }
}

fn draw_x_ticks(c: &Canvas, a: &Axes, sizes: &Sizes, m: &Metrics) -> Result<(), Problem> {
    let p = a.plot;
    let w = sizes.px(0.9);
    for s in a.x.visible(&a.xt.minor) {
        let (x, _) = a.px((s, a.y.lo));
        c.path(&[(x, p.y1), (x, p.y1 + m.tick_len * 0.6)], style::INK, w)?;
    }
    let anchor = Anchor {
        pos: Pos::new(HPos::Center, VPos::Top),
        vertical: false,
    };
    for (s, label) in &a.xt.major {
        let (x, _) = a.px((*s, a.y.lo));
        c.path(&[(x, p.y1), (x, p.y1 + m.tick_len)], style::INK, w)?;
        c.text(
            label,
            (x, p.y1 + m.tick_len + m.gap),
            sizes.tick,
            style::INK,
            anchor,
        )?;
    }
    Ok(())
}

fn draw_y_ticks(c: &Canvas, a: &Axes, sizes: &Sizes, m: &Metrics) -> Result<(), Problem> {
    let p = a.plot;
    let w = sizes.px(0.9);
    for s in a.y.visible(&a.yt.minor) {
        let (_, y) = a.px((a.x.lo, s));
        c.path(&[(p.x0, y), (p.x0 - m.tick_len * 0.6, y)], style::INK, w)?;
    }
    let anchor = Anchor {
        pos: Pos::new(HPos::Right, VPos::Center),
        vertical: false,
    };
    for (s, label) in &a.yt.major {
        let (_, y) = a.px((a.x.lo, *s));
        c.path(&[(p.x0, y), (p.x0 - m.tick_len, y)], style::INK, w)?;
        c.text(
            label,
            (p.x0 - m.tick_len - m.gap, y),
            sizes.tick,
            style::INK,
            anchor,
        )?;
    }
    Ok(())
}

impl AxisMap {
    /// The positions among `ticks` that are inside the range.
    fn visible<'t>(&'t self, ticks: &'t [f64]) -> impl Iterator<Item = f64> + 't {
        ticks.iter().copied().filter(|&s| self.contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Scale;

    fn unit_axes(panel: Rect, labels: &Labels) -> Result<Axes, Problem> {
        let m = AxisMap {
            scale: Scale::Linear,
            lo: 0.0,
            hi: 1.0,
        };
        let sizes = Sizes::for_panel(panel.w(), panel.h());
        layout(panel, &sizes, labels, (m, m), |_, _| 0.0)
    }

    const LABELS: Labels = Labels {
        title: "A title",
        x: "x",
        y: "y",
    };

    #[test]
    fn the_plotting_area_sits_inside_the_panel() {
        let panel = Rect {
            x0: 100.0,
            y0: 0.0,
            x1: 740.0,
            y1: 440.0,
        };
        let a = unit_axes(panel, &LABELS).map_err(|e| format!("{e:?}"));
        let a = a.unwrap_or_else(|e| panic!("{e}"));
        assert!(a.plot.x0 > panel.x0 + 30.0 && a.plot.x1 < panel.x1);
        assert!(a.plot.y0 > panel.y0 + 20.0 && a.plot.y1 < panel.y1 - 30.0);
    }

    #[test]
    fn scale_space_maps_onto_the_plot_corners() {
        let panel = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 640.0,
            y1: 440.0,
        };
        let a = unit_axes(panel, &LABELS).unwrap_or_else(|e| panic!("{e:?}"));
        let close = |(x, y): Px, (u, v): Px| (x - u).abs() < 1e-9 && (y - v).abs() < 1e-9;
        assert!(close(a.px((0.0, 0.0)), (a.plot.x0, a.plot.y1)));
        assert!(close(a.px((1.0, 1.0)), (a.plot.x1, a.plot.y0)));
    }

    #[test]
    fn tiny_panels_are_refused() {
        let panel = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 60.0,
            y1: 40.0,
        };
        assert!(matches!(
            unit_axes(panel, &LABELS),
            Err(Problem::Invalid(_))
        ));
    }
}
