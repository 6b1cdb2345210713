//! Rendering [`crate::chart::Figure`] descriptions to standalone SVG.
//!
//! Panels sit side by side (in a grid when one row would make them too
//! narrow), each with its title, axes, grid and legend;
//! heatmaps carry their cells as one embedded PNG and a colour bar. The
//! output depends only on the input, byte for byte, so figures can be
//! cached and compared. Bad descriptions give a [`FigureError`] naming the
//! figure, the panel and the problem; no input makes this module panic.

mod axes;
mod cache;
mod canvas;
mod clip;
mod embed;
mod heatmap;
mod legend;
mod plot;
mod scale;
mod series;
mod style;
mod text;

pub use cache::Cache;

use crate::chart::{Figure, Panel};
use axes::Rect;
use canvas::Canvas;
use style::Sizes;

/// Smallest accepted figure side, in pixels.
const MIN_SIDE: u32 = 16;
/// Largest accepted figure side, in pixels.
const MAX_SIDE: u32 = 16384;

/// Why a figure could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FigureError {
    /// The figure as a whole is unusable (size, no panels).
    #[error("figure `{figure}`: {problem}")]
    Figure {
        /// The figure's name.
        figure: String,
        /// What is wrong.
        problem: String,
    },
    /// One panel's description is unusable.
    #[error("figure `{figure}`, panel {panel} ({title:?}): {problem}")]
    Panel {
        /// The figure's name.
        figure: String,
        /// The panel's position, counting from 1 at the left.
        panel: usize,
        /// The panel's title.
        title: String,
        /// What is wrong.
        problem: String,
    },
    /// Drawing failed inside plotters or while assembling the SVG; this
    /// points at a bug here, not in the description.
    #[error("figure `{figure}`: drawing failed: {message}")]
    Render {
        /// The figure's name.
        figure: String,
        /// What failed.
        message: String,
    },
}

/// A problem found while drawing one panel, before it is given the
/// figure's and panel's names.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    /// The description is unusable.
    Invalid(String),
    /// Drawing itself failed.
    Render(String),
}

/// Draws `figure` as a complete standalone SVG document.
pub fn draw(figure: &Figure) -> Result<String, FigureError> {
    check(figure)?;
    let mut buf = String::new();
    let images = {
        let canvas =
            Canvas::new(&mut buf, figure.width, figure.height).map_err(|p| blame(figure, 0, p))?;
        let images = draw_panels(&canvas, figure)?;
        canvas.present().map_err(|p| blame(figure, 0, p))?;
        images
    };
    embed::finish(&buf, (figure.width, figure.height), &images).map_err(|message| {
        FigureError::Render {
            figure: figure.name.clone(),
            message,
        }
    })
}

fn check(figure: &Figure) -> Result<(), FigureError> {
    let problem = if figure.panels.is_empty() {
        "it has no panels".to_string()
    } else if ![figure.width, figure.height]
        .iter()
        .all(|s| (MIN_SIDE..=MAX_SIDE).contains(s))
    {
        format!(
            "its size {}×{} px is outside {MIN_SIDE}…{MAX_SIDE} px per side",
            figure.width, figure.height
        )
    } else {
        return Ok(());
    };
    Err(FigureError::Figure {
        figure: figure.name.clone(),
        problem,
    })
}

/// The narrowest a panel may be, as a share of its height, before the
/// panels wrap into more rows.
const NARROWEST: f64 = 2.0 / 3.0;

/// How `n` panels are laid out in a `width` × `height` figure, as
/// `(rows, columns)`: the fewest rows that leave every panel at least
/// [`NARROWEST`] as wide as it is tall, filled left to right and top to
/// bottom. A wide figure keeps its panels side by side in one row; a
/// tall one holding many panels (a QQ plot per fitted family) makes a
/// grid of them.
fn grid(n: usize, width: f64, height: f64) -> (usize, usize) {
    let n = n.max(1);
    let rows = (1..=n)
        .find(|&rows| width / n.div_ceil(rows) as f64 >= NARROWEST * height / rows as f64)
        .unwrap_or(n);
    (rows, n.div_ceil(rows))
}

/// Draws every panel; returns the heatmaps' image elements in order.
fn draw_panels(canvas: &Canvas, figure: &Figure) -> Result<Vec<String>, FigureError> {
    let (width, height) = (f64::from(figure.width), f64::from(figure.height));
    let (rows, columns) = grid(figure.panels.len(), width, height);
    let panel_w = width / columns as f64;
    let panel_h = height / rows as f64;
    let sizes = Sizes::for_panel(panel_w, panel_h);
    let mut images = Vec::new();
    for (i, panel) in figure.panels.iter().enumerate() {
        let (row, column) = (i / columns, i % columns);
        let rect = Rect {
            x0: panel_w * column as f64,
            y0: panel_h * row as f64,
            x1: panel_w * (column + 1) as f64,
            y1: panel_h * (row + 1) as f64,
        };
        let drawn = match panel {
            Panel::Plot(p) => plot::draw(canvas, rect, &sizes, p).map(|()| None),
            Panel::Heatmap(h) => heatmap::draw(canvas, rect, &sizes, h),
        };
        images.extend(drawn.map_err(|p| blame(figure, i, p))?);
    }
    Ok(images)
}

/// Attaches the figure's name and the panel to a problem.
fn blame(figure: &Figure, panel: usize, problem: Problem) -> FigureError {
    match problem {
        Problem::Invalid(problem) => FigureError::Panel {
            figure: figure.name.clone(),
            panel: panel + 1,
            title: match figure.panels.get(panel) {
                Some(Panel::Plot(p)) => p.title.clone(),
                Some(Panel::Heatmap(h)) => h.title.clone(),
                None => String::new(),
            },
            problem,
        },
        Problem::Render(message) => FigureError::Render {
            figure: figure.name.clone(),
            message,
        },
    }
}

#[cfg(test)]
mod tests;
