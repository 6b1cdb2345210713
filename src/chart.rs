//! Figures as data: what to draw, not how.
//!
//! Experiments describe their figures with these types; [`crate::figure`]
//! turns them into SVG. Keeping the description separate from plotters lets
//! outcomes be cached and compared, and keeps drawing code in one place.

use serde::{Deserialize, Serialize};

/// Palette indices for [`Series::color`], named so experiments say what
/// they mean (the colours are Okabe–Ito, safe for colour-blind readers).
pub mod color {
    /// Blue: the main series.
    pub const BLUE: usize = 0;
    /// Vermillion: the second series.
    pub const VERMILLION: usize = 1;
    /// Bluish green.
    pub const GREEN: usize = 2;
    /// Orange: markers of optima.
    pub const ORANGE: usize = 3;
    /// Reddish purple.
    pub const PURPLE: usize = 4;
    /// Sky blue.
    pub const SKY: usize = 5;
    /// Black: references (closed forms, targets).
    pub const BLACK: usize = 6;
}

/// One figure: panels side by side, written to `<name>.svg`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The file stem, and the name posts use: `figure(id="<experiment>.<name>")`.
    pub name: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Panels, left to right, sharing the width equally.
    pub panels: Vec<Panel>,
}

/// One panel of a figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Panel {
    /// Lines, bands, reference lines and points on x/y axes.
    Plot(Plot),
    /// A surface over a grid, coloured, with a colour bar.
    Heatmap(Heatmap),
}

/// An x/y plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plot {
    /// Title above the panel.
    pub title: String,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
    /// What is drawn, in drawing order (later on top).
    pub series: Vec<Series>,
    /// Where the legend goes.
    pub legend: Corner,
}

/// A coloured surface `z` over the grid `xs × ys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heatmap {
    /// Title above the panel.
    pub title: String,
    /// The horizontal axis (the grid's first parameter).
    pub x: Axis,
    /// The vertical axis (the grid's second parameter).
    pub y: Axis,
    /// Cell centres along x.
    pub xs: Vec<f64>,
    /// Cell centres along y.
    pub ys: Vec<f64>,
    /// Values, `z[i * ys.len() + j]` at `(xs[i], ys[j])`.
    pub z: Vec<f64>,
    /// The colour bar's label.
    pub z_label: String,
    /// Values are clipped to this range before colouring; the full range of
    /// `z` when absent.
    pub z_range: Option<[f64; 2]>,
    /// Overlays: points (optima, a posterior) and lines, drawn on top.
    pub overlays: Vec<Series>,
    /// Where the legend of the overlays goes.
    pub legend: Corner,
}

/// An axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// The label.
    pub label: String,
    /// Linear or logarithmic.
    pub scale: Scale,
    /// The shown range; fitted to the data when absent.
    pub range: Option<[f64; 2]>,
}

impl Axis {
    /// A linear axis fitted to the data.
    pub fn linear(label: &str) -> Self {
        Self {
            label: label.to_string(),
            scale: Scale::Linear,
            range: None,
        }
    }

    /// A logarithmic axis fitted to the data.
    pub fn log(label: &str) -> Self {
        Self {
            label: label.to_string(),
            scale: Scale::Log,
            range: None,
        }
    }

    /// The same axis with a fixed range.
    pub fn with_range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some([lo, hi]);
        self
    }
}

/// An axis scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Base-10 logarithmic.
    Log,
}

/// One labelled thing drawn in a plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The legend entry; no entry when empty.
    pub label: String,
    /// Index into the palette (wraps around).
    pub color: usize,
    /// What to draw.
    pub shape: Shape,
}

/// How a series is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    /// A polyline, optionally dashed, optionally with a marker at each point.
    Line {
        /// x values.
        xs: Vec<f64>,
        /// y values.
        ys: Vec<f64>,
        /// Dashed rather than solid.
        dashed: bool,
        /// A marker at each point.
        marker: Option<Marker>,
    },
    /// A filled band between `lo` and `hi`, translucent.
    Band {
        /// x values.
        xs: Vec<f64>,
        /// Lower edge.
        lo: Vec<f64>,
        /// Upper edge.
        hi: Vec<f64>,
    },
    /// A horizontal reference line across the panel.
    HLine {
        /// Its height.
        y: f64,
        /// Dashed rather than solid.
        dashed: bool,
    },
    /// A vertical reference line across the panel.
    VLine {
        /// Its position.
        x: f64,
        /// Dashed rather than solid.
        dashed: bool,
    },
    /// Markers without lines.
    Points {
        /// x values.
        xs: Vec<f64>,
        /// y values.
        ys: Vec<f64>,
        /// The marker.
        marker: Marker,
    },
}

/// A point marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle.
    Triangle,
    /// A five-pointed star, for optima.
    Star,
    /// A cross.
    Cross,
}

/// A legend position inside the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Corner {
    /// Top left.
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
}

impl Series {
    /// A solid or dashed line with optional markers.
    pub fn line(
        label: &str,
        color: usize,
        xs: Vec<f64>,
        ys: Vec<f64>,
        dashed: bool,
        marker: Option<Marker>,
    ) -> Self {
        Self {
            label: label.to_string(),
            color,
            shape: Shape::Line {
                xs,
                ys,
                dashed,
                marker,
            },
        }
    }

    /// A single marked point.
    pub fn point(label: &str, color: usize, x: f64, y: f64, marker: Marker) -> Self {
        Self {
            label: label.to_string(),
            color,
            shape: Shape::Points {
                xs: vec![x],
                ys: vec![y],
                marker,
            },
        }
    }

    /// A horizontal reference line.
    pub fn hline(label: &str, color: usize, y: f64, dashed: bool) -> Self {
        Self {
            label: label.to_string(),
            color,
            shape: Shape::HLine { y, dashed },
        }
    }
}
