//! Embedding heatmap rasters as PNG images, and finishing the SVG text.
//!
//! plotters can only emit `<image>` through the `image` crate, which this
//! project does not want. Instead each heatmap draws a placeholder
//! rectangle in a colour and opacity nothing else uses, and [`finish`]
//! swaps each placeholder for a clipped `<image>` holding a PNG data URI,
//! so the image keeps its place in the drawing order: over the panel
//! background, under overlays and axes.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use plotters::style::RGBAColor;

use super::axes::Rect;
use super::canvas::{UNITS_PER_PX, unit};

/// The placeholder's colour; only its SVG attributes matter.
pub(super) const PLACEHOLDER: RGBAColor = RGBAColor(1, 2, 3, 0.123456789);

/// How the placeholder shows in plotters' SVG output: opacity then fill,
/// as `SVGBackend::draw_rect` writes them.
const PLACEHOLDER_ATTRS: &str = r##"opacity="0.123456789" fill="#010203""##;

/// An RGB image, row by row from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Raster {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `width * height` RGB triples.
    pub rgb: Vec<u8>,
}

/// `raster` as PNG bytes.
pub(super) fn png(raster: &Raster) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, raster.width, raster.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&raster.rgb)
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The SVG for a PNG shown over `image` (pixels), cut off outside `clip`.
/// A nested `<svg>` clips to its viewport without needing an `id`, which
/// could clash when several figures are inlined into one page.
pub(super) fn image_element(png: &[u8], clip: Rect, image: Rect) -> String {
    // Both snap to whole units exactly as the frame drawn around them, so
    // an image covering the plot fills the viewport without slivers.
    let (x0, y0, x1, y1) = (unit(clip.x0), unit(clip.y0), unit(clip.x1), unit(clip.y1));
    let (ix0, iy0, ix1, iy1) = (
        unit(image.x0),
        unit(image.y0),
        unit(image.x1),
        unit(image.y1),
    );
    let mut s = String::with_capacity(png.len() * 4 / 3 + 300);
    let _ = write!(
        s,
        r#"<svg x="{}" y="{}" width="{}" height="{}" overflow="hidden"><image x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,"#,
        x0,
        y0,
        x1 - x0,
        y1 - y0,
        ix0 - x0,
        iy0 - y0,
        ix1 - ix0,
        iy1 - iy0,
    );
    // Standard base64 with padding (RFC 4648), as data URIs expect.
    STANDARD.encode_string(png, &mut s);
    s.push_str("\"/></svg>");
    s
}

/// Turns plotters' output into the final document: the real pixel size
/// on the root element, and `images` in place of the placeholders, in
/// order.
pub(super) fn finish(
    svg: &str,
    (width, height): (u32, u32),
    images: &[String],
) -> Result<String, String> {
    let (w, h) = (width * UNITS_PER_PX, height * UNITS_PER_PX);
    let root = format!(r#"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" "#);
    let rest = svg
        .strip_prefix(&root)
        .ok_or("plotters' SVG did not start with the expected root element")?;
    let mut out = String::with_capacity(svg.len() + images.iter().map(String::len).sum::<usize>());
    let _ = write!(
        out,
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {w} {h}" stroke-linejoin="round" "#
    );
    let spliced = splice(rest, images)?;
    out.push_str(&spliced);
    Ok(out)
}

/// Replaces the `i`-th placeholder `<rect …/>` in `svg` with `images[i]`.
fn splice(svg: &str, images: &[String]) -> Result<String, String> {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    let mut found = 0;
    while let Some(at) = rest.find(PLACEHOLDER_ATTRS) {
        let start = rest[..at]
            .rfind("<rect ")
            .ok_or("placeholder without its <rect")?;
        let end = at
            + rest[at..]
                .find("/>")
                .ok_or("unterminated placeholder <rect")?
            + 2;
        let image = images
            .get(found)
            .ok_or("more placeholders than heatmap images")?;
        out.push_str(&rest[..start]);
        out.push_str(image);
        rest = &rest[end..];
        found += 1;
    }
    if found != images.len() {
        return Err(format!(
            "found {found} placeholders for {} heatmap images",
            images.len()
        ));
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_data_is_padded_standard_base64() {
        let clip = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 1.0,
            y1: 1.0,
        };
        let cases: [(&[u8], &str); 5] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foobar", "Zm9vYmFy"),
            (&[0xFF, 0xEF, 0xBE], "/+++"),
        ];
        for (bytes, encoded) in cases {
            let s = image_element(bytes, clip, clip);
            let data = format!("base64,{encoded}\"/></svg>");
            assert!(s.ends_with(&data), "{s}");
        }
    }

    #[test]
    fn png_starts_with_the_png_signature() {
        let raster = Raster {
            width: 2,
            height: 1,
            rgb: vec![0, 0, 0, 255, 255, 255],
        };
        let bytes = png(&raster).unwrap_or_default();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn png_refuses_a_short_buffer() {
        let raster = Raster {
            width: 2,
            height: 2,
            rgb: vec![0; 3],
        };
        assert!(png(&raster).is_err());
    }

    fn sample(placeholders: usize) -> String {
        let mut s = String::from(
            r#"<svg width="40" height="20" viewBox="0 0 40 20" xmlns="http://www.w3.org/2000/svg">"#,
        );
        s.push('\n');
        for i in 0..placeholders {
            let _ = writeln!(
                s,
                r##"<rect x="{i}" y="0" width="4" height="4" {PLACEHOLDER_ATTRS} stroke="none"/>"##
            );
            s.push_str("<line x1=\"0\"/>\n");
        }
        s.push_str("</svg>\n");
        s
    }

    #[test]
    fn finish_swaps_placeholders_in_order_and_sets_the_real_size() {
        let out = finish(&sample(2), (10, 5), &["<A/>".into(), "<B/>".into()]);
        let out = out.unwrap_or_default();
        assert!(
            out.starts_with(r#"<svg width="10" height="5" viewBox="0 0 40 20" "#),
            "{out}"
        );
        assert!(!out.contains("#010203"));
        let (a, b) = (out.find("<A/>"), out.find("<B/>"));
        assert!(a.is_some() && a < b, "{out}");
        assert_eq!(out.matches("<line").count(), 2);
    }

    #[test]
    fn finish_refuses_a_count_mismatch() {
        assert!(finish(&sample(1), (10, 5), &[]).is_err());
        assert!(finish(&sample(1), (10, 5), &["<A/>".into(), "<B/>".into()]).is_err());
    }

    #[test]
    fn finish_refuses_an_unexpected_root() {
        assert!(finish("<svg width=\"1\">", (10, 5), &[]).is_err());
    }

    #[test]
    fn images_are_clipped_by_a_nested_viewport() {
        let r = Rect {
            x0: 1.0,
            y0: 2.0,
            x1: 11.0,
            y1: 12.0,
        };
        let s = image_element(b"abc", r, r);
        assert!(
            s.starts_with(r#"<svg x="4" y="8" width="40" height="40""#),
            "{s}"
        );
        assert!(s.contains(r#"href="data:image/png;base64,YWJj""#));
        assert!(s.contains("preserveAspectRatio=\"none\""));
    }
}
