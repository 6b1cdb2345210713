//! The math of the HTML site: where it is in a post ([`find`]), its
//! equation numbers and references ([`number`]), and its rendering with
//! KaTeX's layout, fonts and stylesheet ([`katex`]), all at build time, so
//! that pages need no JavaScript and make no request elsewhere.

pub mod find;
pub mod katex;
pub mod number;

use crate::html::escape;

/// One formula of a post, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// The TeX, without its delimiters.
    pub tex: String,
    /// Display math (a block of its own, numbered if it asks), or inline.
    pub display: bool,
}

/// A formula the HTML site could not render as written. A formula that
/// failed is shown as its TeX in a code element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathWarning {
    /// The formula as written.
    pub formula: String,
    /// What is wrong.
    pub message: String,
}

/// A KaTeX font's path and bytes.
macro_rules! font {
    ($name:literal) => {
        (
            concat!("fonts/KaTeX_", $name, ".woff2"),
            include_bytes!(concat!("../katex/fonts/KaTeX_", $name, ".woff2")),
        )
    };
}

/// The stylesheet and fonts the rendered math needs, by path under the
/// site's `assets/katex/`.
pub const ASSETS: [(&str, &[u8]); 22] = [
    ("katex.min.css", include_bytes!("../katex/katex.min.css")),
    (
        "fonts/OFL-1.1.txt",
        include_bytes!("../katex/fonts/OFL-1.1.txt"),
    ),
    font!("AMS-Regular"),
    font!("Caligraphic-Bold"),
    font!("Caligraphic-Regular"),
    font!("Fraktur-Bold"),
    font!("Fraktur-Regular"),
    font!("Main-Bold"),
    font!("Main-BoldItalic"),
    font!("Main-Italic"),
    font!("Main-Regular"),
    font!("Math-BoldItalic"),
    font!("Math-Italic"),
    font!("SansSerif-Bold"),
    font!("SansSerif-Italic"),
    font!("SansSerif-Regular"),
    font!("Script-Regular"),
    font!("Size1-Regular"),
    font!("Size2-Regular"),
    font!("Size3-Regular"),
    font!("Size4-Regular"),
    font!("Typewriter-Regular"),
];

/// Renders a post's formulas, in document order: numbers the display
/// ones, resolves references, and gives each its HTML. A formula that
/// cannot be rendered is its TeX in a code element, with a warning.
pub fn render_all(formulas: &[Formula]) -> (Vec<String>, Vec<MathWarning>) {
    let displays: Vec<String> = formulas
        .iter()
        .filter(|f| f.display)
        .map(|f| f.tex.clone())
        .collect();
    let (numbered, labels, problems) = number::number(&displays);
    let mut warnings = Vec::new();
    let mut numbered = numbered.into_iter();
    let mut display_index = 0;
    let mut html = Vec::with_capacity(formulas.len());
    for formula in formulas {
        let mut warn = |message: String| {
            warnings.push(MathWarning {
                formula: formula.tex.clone(),
                message,
            });
        };
        let tex = if formula.display {
            for (_, problem) in problems.iter().filter(|(k, _)| *k == display_index) {
                warn(problem.clone());
            }
            display_index += 1;
            numbered.next().unwrap_or_default()
        } else {
            number::clean(&formula.tex)
        };
        let (tex, unknown) = number::references(&tex, &labels);
        for key in unknown {
            warn(format!("no equation is labelled `{key}`"));
        }
        match katex::render(&tex, formula.display) {
            Ok(rendered) => {
                for note in rendered.notes {
                    warn(note);
                }
                html.push(rendered.html);
            }
            Err(message) => {
                warn(message);
                html.push(as_code(&formula.tex, formula.display));
            }
        }
    }
    (html, warnings)
}

/// A formula that could not be rendered, shown as the TeX it is.
fn as_code(tex: &str, display: bool) -> String {
    let code = escape(tex);
    if display {
        format!("<pre class=\"math-error\"><code>{code}</code></pre>")
    } else {
        format!("<code class=\"math-error\">{code}</code>")
    }
}

/// The text of rendered HTML as a reader sees it, outside code: tags
/// dropped, and the MathML copy of each formula (for screen readers,
/// visually hidden) left out. Where TeX shows in it, a formula was not
/// rendered.
pub fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        rest = &rest[start..];
        for (open, close) in [
            ("<code", "</code>"),
            ("<span class=\"katex-mathml\">", "</math></span>"),
        ] {
            if rest.starts_with(open)
                && let Some(end) = rest.find(close)
            {
                rest = &rest[end..];
            }
        }
        rest = &rest[rest.find('>').map_or(rest.len(), |k| k + 1)..];
    }
    text + rest
}
