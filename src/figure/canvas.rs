//! A thin drawing surface over plotters' SVG backend, in fractional pixels.
//!
//! plotters' backend coordinates and stroke widths are integers. To get
//! quarter-pixel precision and thin (0.75 px) lines, the SVG is drawn at
//! [`UNITS_PER_PX`] times the figure size, and [`super::embed`] later sets
//! the document's width and height back to the real size (its `viewBox`
//! keeps the fine units). Callers here work in real pixels.

use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{IntoDrawingArea, SVGBackend};
use plotters::style::text_anchor::Pos;
use plotters::style::{
    Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBAColor, ShapeStyle, TextStyle,
};

use super::Problem;
use super::text::clean;

/// SVG user units per pixel.
pub(super) const UNITS_PER_PX: u32 = 4;

/// A point in pixels.
pub(super) type Px = (f64, f64);

/// Where things are drawn.
pub(super) struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
}

/// How a text is anchored and turned.
#[derive(Clone, Copy)]
pub(super) struct Anchor {
    /// Which point of the text sits at the given position.
    pub pos: Pos,
    /// Reads bottom to top (for y-axis labels).
    pub vertical: bool,
}

/// Pixels to the SVG's integer user units, as every drawn element uses.
pub(super) fn unit(v: f64) -> i32 {
    // Clamping keeps wild coordinates (already clipped data should not
    // produce any) from overflowing i32.
    (v * UNITS_PER_PX as f64).round().clamp(-1e8, 1e8) as i32
}

fn pt((x, y): Px) -> (i32, i32) {
    (unit(x), unit(y))
}

fn stroke(color: RGBAColor, width: f64) -> ShapeStyle {
    ShapeStyle {
        color,
        filled: false,
        stroke_width: unit(width).max(1) as u32,
    }
}

fn fill(color: RGBAColor) -> ShapeStyle {
    ShapeStyle {
        color,
        filled: true,
        stroke_width: 0,
    }
}

fn render<E: std::fmt::Debug>(e: E) -> Problem {
    Problem::Render(format!("{e:?}"))
}

impl<'a> Canvas<'a> {
    /// A white canvas of `width` × `height` pixels writing into `buf`.
    pub(super) fn new(buf: &'a mut String, width: u32, height: u32) -> Result<Self, Problem> {
        let size = (width * UNITS_PER_PX, height * UNITS_PER_PX);
        let area = SVGBackend::with_string(buf, size).into_drawing_area();
        area.fill(&plotters::style::WHITE).map_err(render)?;
        Ok(Self { area })
    }

    /// Finishes the document.
    pub(super) fn present(self) -> Result<(), Problem> {
        self.area.present().map_err(render)
    }

    /// A solid polyline.
    pub(super) fn path(&self, points: &[Px], color: RGBAColor, width: f64) -> Result<(), Problem> {
        let points: Vec<_> = points.iter().copied().map(pt).collect();
        self.area
            .draw(&PathElement::new(points, stroke(color, width)))
            .map_err(render)
    }

    /// A dashed polyline, `dash` on and `gap` off (pixels).
    pub(super) fn dashed(
        &self,
        points: &[Px],
        color: RGBAColor,
        width: f64,
        dash: f64,
        gap: f64,
    ) -> Result<(), Problem> {
        let points: Vec<_> = points.iter().copied().map(pt).collect();
        let element = DashedPathElement::new(
            points,
            unit(dash).max(1),
            unit(gap).max(1),
            stroke(color, width),
        );
        self.area.draw(&element).map_err(render)
    }

    /// A filled polygon.
    pub(super) fn polygon(&self, points: &[Px], color: RGBAColor) -> Result<(), Problem> {
        let points: Vec<_> = points.iter().copied().map(pt).collect();
        self.area
            .draw(&Polygon::new(points, fill(color)))
            .map_err(render)
    }

    /// A filled rectangle between two corners.
    pub(super) fn fill_rect(&self, a: Px, b: Px, color: RGBAColor) -> Result<(), Problem> {
        self.area
            .draw(&Rectangle::new([pt(a), pt(b)], fill(color)))
            .map_err(render)
    }

    /// A rectangle outline between two corners.
    ///
    /// plotters' SVG backend drops the stroke width of rectangles, so this
    /// is a closed path, starting mid-edge so that no corner shows a seam.
    pub(super) fn stroke_rect(
        &self,
        a: Px,
        b: Px,
        color: RGBAColor,
        width: f64,
    ) -> Result<(), Problem> {
        let mid = ((a.0 + b.0) / 2.0, a.1);
        let outline = [mid, (b.0, a.1), b, (a.0, b.1), a, mid];
        self.path(&outline, color, width)
    }

    /// A filled circle.
    pub(super) fn disc(&self, centre: Px, radius: f64, color: RGBAColor) -> Result<(), Problem> {
        let r = unit(radius).max(1);
        self.area
            .draw(&Circle::new(pt(centre), r, fill(color)))
            .map_err(render)
    }

    /// A circle outline.
    pub(super) fn ring(
        &self,
        centre: Px,
        radius: f64,
        color: RGBAColor,
        width: f64,
    ) -> Result<(), Problem> {
        let r = unit(radius).max(1);
        self.area
            .draw(&Circle::new(pt(centre), r, stroke(color, width)))
            .map_err(render)
    }

    /// Text of font size `size` pixels.
    pub(super) fn text(
        &self,
        text: &str,
        at: Px,
        size: f64,
        color: RGBAColor,
        anchor: Anchor,
    ) -> Result<(), Problem> {
        if text.is_empty() {
            return Ok(());
        }
        let text = clean(text);
        // plotters writes `font-size` as the given size / 1.24.
        let mut font = FontDesc::new(
            FontFamily::SansSerif,
            size * UNITS_PER_PX as f64 * 1.24,
            FontStyle::Normal,
        );
        if anchor.vertical {
            font = font.transform(FontTransform::Rotate270);
        }
        let style = TextStyle {
            font,
            color: color.to_backend_color(),
            pos: anchor.pos,
        };
        self.area
            .draw(&Text::new(text.as_ref(), pt(at), style))
            .map_err(render)
    }
}
