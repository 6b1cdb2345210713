//! The texts of a drawn figure and where they are estimated to reach,
//! read back from the SVG, so tests can check that every text stays
//! inside its panel and clear of the others.

use super::super::canvas::UNITS_PER_PX;
use super::super::style::{self, text_width};

/// One `<text>` element and its estimated extent, in pixels.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Placed {
    /// What it says, unescaped.
    pub text: String,
    /// A title, axis label or legend entry, rather than a tick label.
    pub fitted: bool,
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Placed {
    /// Whether this reaches more than `tolerance` into `other`.
    pub(super) fn overlaps(&self, other: &Placed, tolerance: f64) -> bool {
        let across = self.x1.min(other.x1) - self.x0.max(other.x0);
        let down = self.y1.min(other.y1) - self.y0.max(other.y0);
        across > tolerance && down > tolerance
    }

    /// Whether this lies within the rectangle from `(x0, y0)` to `(x1, y1)`,
    /// give or take `tolerance`.
    pub(super) fn inside(
        &self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        tolerance: f64,
    ) -> bool {
        self.x0 >= x0 - tolerance
            && self.y0 >= y0 - tolerance
            && self.x1 <= x1 + tolerance
            && self.y1 <= y1 + tolerance
    }
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    tag[start..].split('"').next()
}

fn number(tag: &str, name: &str) -> Option<f64> {
    attribute(tag, name)?.parse().ok()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every text element of `svg` with its estimated extent: as wide as
/// [`text_width`] says, and from 0.76 em above the baseline (ascenders)
/// to 0.24 em below it (descenders), where the baseline is put by the
/// element's `dy` (an `ex` taken anywhere between 0.5 and 0.55 em).
pub(super) fn texts(svg: &str) -> Vec<Placed> {
    let mut out = Vec::new();
    for chunk in svg.split("<text ").skip(1) {
        let Some((attributes, rest)) = chunk.split_once('>') else {
            continue;
        };
        let tag = format!(" {attributes}");
        let tag = tag.as_str();
        let content = rest.split("</text>").next().unwrap_or("");
        // plotters puts the text on a line of its own.
        let content = content.strip_prefix('\n').unwrap_or(content);
        let content = content.strip_suffix('\n').unwrap_or(content);
        let text = unescape(content);
        let unit = f64::from(UNITS_PER_PX);
        let (x, y) = (
            number(tag, "x").unwrap_or(f64::NAN) / unit,
            number(tag, "y").unwrap_or(f64::NAN) / unit,
        );
        let size = number(tag, "font-size").unwrap_or(f64::NAN) / unit;
        let width = text_width(&text, size);
        let (along0, along1) = match attribute(tag, "text-anchor") {
            Some("start") => (0.0, width),
            Some("end") => (-width, 0.0),
            _ => (-width / 2.0, width / 2.0),
        };
        let (across0, across1) = match attribute(tag, "dy") {
            Some("0.76em") => (0.0, 1.0),
            Some("0.5ex") => (0.25 - 0.76, 0.275 + 0.24),
            Some("-0.5ex") => (-0.275 - 0.76, -0.25 + 0.24),
            other => panic!("unexpected dy {other:?}"),
        };
        let (across0, across1) = (across0 * size, across1 * size);
        let turned = attribute(tag, "transform").is_some_and(|t| t.starts_with("rotate(270"));
        // Turned a quarter to the left, the text runs up the page and
        // what was below it is to its right.
        let (x0, y0, x1, y1) = if turned {
            (x + across0, y - along1, x + across1, y - along0)
        } else {
            (x + along0, y + across0, x + along1, y + across1)
        };
        let fitted = attribute(tag, "fill") == Some(&hex(style::TEXT)[..]);
        out.push(Placed {
            text,
            fitted,
            x0,
            y0,
            x1,
            y1,
        });
    }
    out
}

fn hex(c: plotters::style::RGBAColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}
