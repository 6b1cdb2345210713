//! Figures as data: what to draw, not how.
//!
//! Experiments describe their figures with these types; [`crate::figure`]
//! turns them into SVG. Keeping the description separate from plotters lets
//! outcomes be cached and compared, and keeps drawing code in one place.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
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

/// One figure: panels side by side, written to `<name>.svg`. Panels that
/// one row would leave narrower than two thirds of their height wrap into
/// a grid, so a tall figure of many panels is drawn as rows of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The file stem, and the name posts use: `figure(id="<experiment>.<name>")`.
    pub name: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Panels, left to right (and top to bottom, in a grid), sharing the
    /// figure equally.
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
    /// Filled bars standing on 0 (on the bottom of a log axis): a
    /// histogram, or the probabilities of whole numbers.
    Bars {
        /// Each bar's left edge.
        lo: Vec<f64>,
        /// Each bar's right edge.
        hi: Vec<f64>,
        /// Each bar's height.
        heights: Vec<f64>,
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

    /// Bars from `lo[i]` to `hi[i]`, `heights[i]` high.
    pub fn bars(label: &str, color: usize, lo: Vec<f64>, hi: Vec<f64>, heights: Vec<f64>) -> Self {
        Self {
            label: label.to_string(),
            color,
            shape: Shape::Bars { lo, hi, heights },
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

/// A spec's own words for a figure, written under `figures:` by figure
/// name: `{convergence: {title: ..., x_label: ..., y_label: ...}}`. Each is
/// one text for every panel, or a list with one per panel.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FigureText {
    /// The panel titles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Texts>,
    /// The horizontal axis labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_label: Option<Texts>,
    /// The vertical axis labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y_label: Option<Texts>,
}

/// One text for every panel, or one per panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Texts {
    /// The same text on every panel.
    One(String),
    /// A text per panel, left to right.
    Each(Vec<String>),
}

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Texts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text, or a list of texts (one per panel)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Texts, E> {
                Ok(Texts::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Texts, A::Error> {
                let mut all = Vec::new();
                while let Some(text) = seq.next_element::<String>()? {
                    all.push(text);
                }
                Ok(Texts::Each(all))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Texts {
    /// The text of each of `panels` panels.
    fn per_panel(&self, panels: usize, what: &str) -> Result<Vec<String>, String> {
        match self {
            Texts::One(text) => Ok(vec![text.clone(); panels]),
            Texts::Each(all) if all.len() == panels => Ok(all.clone()),
            Texts::Each(all) => Err(format!(
                "{what}: this figure has {panels} panel{}, so give one text or a list of {panels}, not {}",
                if panels == 1 { "" } else { "s" },
                all.len()
            )),
        }
    }
}

impl Figure {
    /// Puts a spec's own titles and axis labels on the panels.
    ///
    /// # Errors
    /// A list whose length is not the number of panels.
    pub fn relabel(&mut self, text: &FigureText) -> Result<(), String> {
        let n = self.panels.len();
        let each = |t: &Option<Texts>, what| t.as_ref().map(|t| t.per_panel(n, what)).transpose();
        let (titles, xs, ys) = (
            each(&text.title, "title")?,
            each(&text.x_label, "x_label")?,
            each(&text.y_label, "y_label")?,
        );
        for (k, panel) in self.panels.iter_mut().enumerate() {
            let (title, x, y) = match panel {
                Panel::Plot(p) => (&mut p.title, &mut p.x.label, &mut p.y.label),
                Panel::Heatmap(h) => (&mut h.title, &mut h.x.label, &mut h.y.label),
            };
            for (target, new) in [(title, &titles), (x, &xs), (y, &ys)] {
                if let Some(new) = new {
                    target.clone_from(&new[k]);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_panels() -> Figure {
        let plot = |t: &str| {
            Panel::Plot(Plot {
                title: t.into(),
                x: Axis::linear("x"),
                y: Axis::linear("y"),
                series: Vec::new(),
                legend: Corner::UpperLeft,
            })
        };
        Figure {
            name: "f".into(),
            width: 100,
            height: 100,
            panels: vec![plot("a"), plot("b")],
        }
    }

    fn titles(f: &Figure) -> Vec<(String, String, String)> {
        f.panels
            .iter()
            .map(|p| match p {
                Panel::Plot(p) => (p.title.clone(), p.x.label.clone(), p.y.label.clone()),
                Panel::Heatmap(h) => (h.title.clone(), h.x.label.clone(), h.y.label.clone()),
            })
            .collect()
    }

    #[test]
    fn one_text_labels_every_panel_and_a_list_each_in_turn() {
        let mut f = two_panels();
        let text: FigureText =
            crate::yaml::from_yaml("{title: [Left, Right], x_label: time}").unwrap();
        f.relabel(&text).unwrap();
        assert_eq!(
            titles(&f),
            [
                ("Left".into(), "time".into(), "y".into()),
                ("Right".into(), "time".into(), "y".into())
            ]
        );
    }

    #[test]
    fn a_list_of_the_wrong_length_is_refused() {
        let mut f = two_panels();
        let text: FigureText = crate::yaml::from_yaml("{title: [Only]}").unwrap();
        let e = f.relabel(&text).unwrap_err();
        assert!(e.contains("2 panels"), "{e}");
        assert!(crate::yaml::from_yaml::<FigureText>("{subtitle: x}").is_err());
    }
}
