//! The legend: one row per labelled series, in a corner of the plotting
//! area, on a white, slightly see-through box.

use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Problem;
use super::axes::{Axes, Rect};
use super::canvas::{Anchor, Canvas, Px};
use super::series::{self, BAND_ALPHA, BAR_ALPHA, BAR_EDGE_ALPHA, Pen};
use super::style::{self, Sizes, palette, text_width};
use super::text::{self, LINE};
use crate::chart::{Corner, Series, Shape};

/// Spacing of legend rows, in pixels.
#[derive(Debug, Clone, Copy)]
struct Metrics {
    font: f64,
    row: f64,
    pad: f64,
    glyph: f64,
    gap: f64,
}

impl Metrics {
    fn new(sizes: &Sizes, font: f64) -> Self {
        Self {
            font,
            row: font * 1.5,
            pad: sizes.px(7.0),
            glyph: sizes.px(26.0),
            gap: sizes.px(6.0),
        }
    }

    /// Width of the box around texts `widest` wide.
    fn box_width(&self, widest: f64) -> f64 {
        self.pad + self.glyph + self.gap + widest + self.pad
    }

    /// Height a row of `lines` lines adds beyond one line.
    fn extra(&self, lines: usize) -> f64 {
        lines.saturating_sub(1) as f64 * LINE * self.font
    }
}

/// Lines allowed for one legend entry.
const ENTRY_LINES: usize = 2;

/// One row of the legend: a sample of the series (none for the row that
/// counts the entries left out) and its text.
struct Row<'a> {
    series: Option<&'a Series>,
    lines: Vec<String>,
}

/// A legend that fits inside the plotting area.
struct Layout<'a> {
    m: Metrics,
    rows: Vec<Row<'a>>,
}

impl Layout<'_> {
    fn size(&self) -> Px {
        let widest = self
            .rows
            .iter()
            .flat_map(|r| &r.lines)
            .map(|l| text_width(l, self.m.font))
            .fold(0.0, f64::max);
        let extra: f64 = self.rows.iter().map(|r| self.m.extra(r.lines.len())).sum();
        let h = self.rows.len() as f64 * self.m.row + self.m.pad + extra;
        (self.m.box_width(widest), h)
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
    let inset = sizes.px(8.0);
    let Some(legend) = arrange(a.plot, sizes, &entries, inset) else {
        return Ok(());
    };
    let m = &legend.m;
    let (w, h) = legend.size();
    let (x0, y0) = place(a.plot, corner, (w, h), inset);
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
    let mut above = 0.0;
    for (i, row) in legend.rows.iter().enumerate() {
        let extra = m.extra(row.lines.len());
        let y = y0 + m.pad / 2.0 + m.row * (i as f64 + 0.5) + above + extra / 2.0;
        if let Some(s) = row.series {
            draw_glyph(c, sizes, m.font, s, (x0 + m.pad, y), m.glyph)?;
        }
        for (k, line) in row.lines.iter().enumerate() {
            let at = (
                x0 + m.pad + m.glyph + m.gap,
                y - extra / 2.0 + k as f64 * LINE * m.font,
            );
            c.text(line, at, m.font, style::TEXT, anchor)?;
        }
        above += extra;
    }
    Ok(())
}

/// Fits the legend of `entries` inside the plotting area, `inset` from its
/// edges: each entry wrapped into at most [`ENTRY_LINES`] lines at the
/// largest font that lets all of them fit. Failing that, at the smallest
/// font, entries are cut short where need be; in one line each if that
/// is what it takes, and when the rows still do not all fit, the last
/// one that does says how many are left out. None when there is nothing
/// to show or no room for a single row.
fn arrange<'a>(
    plot: Rect,
    sizes: &Sizes,
    entries: &[&'a Series],
    inset: f64,
) -> Option<Layout<'a>> {
    if entries.is_empty() {
        return None;
    }
    let room_w = |m: &Metrics| plot.w() - 2.0 * inset - m.box_width(0.0);
    let room_h = plot.h() - 2.0 * inset;
    let mut smallest = sizes.legend;
    for font in text::sizes(sizes.legend) {
        smallest = font;
        let m = Metrics::new(sizes, font);
        let rows: Option<Vec<Row>> = entries
            .iter()
            .map(|&s| {
                let lines = text::wrap(&s.label, font, room_w(&m), ENTRY_LINES)?;
                Some(Row {
                    series: Some(s),
                    lines,
                })
            })
            .collect();
        if let Some(rows) = rows {
            let legend = Layout { m, rows };
            if legend.size().1 <= room_h {
                return Some(legend);
            }
        }
    }
    let m = Metrics::new(sizes, smallest);
    let room = room_w(&m);
    if room <= 0.0 {
        return None;
    }
    let cut = Layout {
        m,
        rows: entries
            .iter()
            .map(|&s| Row {
                series: Some(s),
                lines: text::cut(&s.label, m.font, room, ENTRY_LINES),
            })
            .collect(),
    };
    if cut.size().1 <= room_h {
        return Some(cut);
    }
    // Rows that fit below one another, each one line high.
    let fitting = ((room_h - m.pad) / m.row).floor().max(0.0) as usize;
    let shown = if fitting >= entries.len() {
        entries.len()
    } else {
        fitting.checked_sub(1)?
    };
    let mut rows: Vec<Row> = entries[..shown]
        .iter()
        .map(|&s| Row {
            series: Some(s),
            lines: text::cut(&s.label, m.font, room, 1),
        })
        .collect();
    if shown < entries.len() {
        let more = format!("+{} more", entries.len() - shown);
        rows.push(Row {
            series: None,
            lines: text::cut(&more, m.font, room, 1),
        });
    }
    Some(Layout { m, rows })
}

/// Top-left corner of a `w` × `h` box at `corner`, `inset` from the edges
/// (pinned to the left/top edge when the box is larger than the plot).
fn place(p: Rect, corner: Corner, (w, h): Px, inset: f64) -> Px {
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
    font: f64,
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
            let half = font * 0.4;
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
        Shape::Bars { .. } => {
            let half = font * 0.4;
            let (a, b) = ((x, y - half), (x + width, y + half));
            c.fill_rect(a, b, palette(s.color, BAR_ALPHA))?;
            c.stroke_rect(a, b, palette(s.color, BAR_EDGE_ALPHA), sizes.px(0.8))
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;
    use crate::figure::style::FIT_SPARE;

    fn entry(label: &str) -> Series {
        Series::hline(label, 0, 0.0, false)
    }

    fn plot_of(w: f64, h: f64) -> Rect {
        Rect {
            x0: 50.0,
            y0: 30.0,
            x1: 50.0 + w,
            y1: 30.0 + h,
        }
    }

    #[test]
    fn a_short_legend_keeps_its_full_size_and_one_line_per_entry() {
        let series = [entry("mean estimate"), entry("closed form 0.4431")];
        let entries: Vec<&Series> = series.iter().collect();
        let sizes = Sizes::for_panel(640.0, 440.0);
        let legend = arrange(plot_of(500.0, 330.0), &sizes, &entries, 8.0);
        let legend = legend.unwrap_or_else(|| panic!("no legend"));
        assert_eq!(legend.m.font, sizes.legend);
        let lines: Vec<_> = legend.rows.iter().map(|r| r.lines.clone()).collect();
        assert_eq!(lines, [["mean estimate"], ["closed form 0.4431"]]);
    }

    #[test]
    fn a_long_entry_wraps_and_too_many_entries_end_in_a_count() {
        let sizes = Sizes::for_panel(640.0, 440.0);
        let long = entry("forward KL(target ‖ q): mixture(weights=[0.5, 0.5], scale=2)");
        let legend = arrange(plot_of(300.0, 300.0), &sizes, &[&long], 8.0);
        let rows = legend.map(|l| l.rows).unwrap_or_default();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].lines.len(), 2, "{:?}", rows[0].lines);
        let many: Vec<Series> = (0..40).map(|i| entry(&format!("entry {i}"))).collect();
        let entries: Vec<&Series> = many.iter().collect();
        let legend = arrange(plot_of(300.0, 150.0), &sizes, &entries, 8.0);
        let rows = legend.map(|l| l.rows).unwrap_or_default();
        let last = rows.last().map(|r| r.lines.clone()).unwrap_or_default();
        assert_eq!(last, [format!("+{} more", 40 - (rows.len() - 1))]);
        assert!(rows.last().is_some_and(|r| r.series.is_none()));
    }

    fn any_label() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}",
            "[a-zA-Z0-9=.,()\\[\\] ]{10,200}",
            "[a-zA-Z0-9]{30,120}",
            "\\PC{1,60}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 200,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(7),
            ..ProptestConfig::default()
        })]

        #[test]
        fn legends_and_their_texts_stay_inside_the_plot(
            labels in vec(any_label(), 1..12),
            (w, h) in (20.0..900.0, 20.0..600.0),
            scale in 200.0..1400.0,
            corner in prop_oneof![
                Just(Corner::UpperLeft),
                Just(Corner::UpperRight),
                Just(Corner::LowerLeft),
                Just(Corner::LowerRight),
            ],
        ) {
            let series: Vec<Series> = labels.iter().map(|l| entry(l)).collect();
            let entries: Vec<&Series> = series.iter().collect();
            let sizes = Sizes::for_panel(scale, scale * 0.7);
            let inset = sizes.px(8.0);
            let plot = plot_of(w, h);
            if let Some(legend) = arrange(plot, &sizes, &entries, inset) {
                let m = &legend.m;
                let (bw, bh) = legend.size();
                let (x0, y0) = place(plot, corner, (bw, bh), inset);
                prop_assert!(x0 >= plot.x0 + inset - 1e-9 && x0 + bw <= plot.x1 - inset + 1e-9);
                prop_assert!(y0 >= plot.y0 + inset - 1e-9 && y0 + bh <= plot.y1 - inset + 1e-9);
                // Each text with its spare fits the widest box the plot holds.
                let room = plot.w() - 2.0 * inset - m.box_width(0.0);
                for line in legend.rows.iter().flat_map(|r| &r.lines) {
                    prop_assert!(text_width(line, m.font) * FIT_SPARE <= room + 1e-9);
                }
                prop_assert!(legend.rows.len() <= entries.len());
            }
        }
    }
}
