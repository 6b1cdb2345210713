//! Math in the HTML site: a corpus of the formulas a statistics and
//! diffusion blog uses renders without a warning and without TeX left in
//! the page's text, numbered where it asks; the page ships what the math
//! needs.

use std::path::Path;

use likely::config::MathSettings;
use likely::site::markdown::to_html;
use likely::site::math::{ASSETS, visible_text};

use crate::common::{build_ok, project};

/// The corpus: (name, display, TeX).
fn corpus() -> Vec<(String, bool, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/math/formulas.tex");
    let text = std::fs::read_to_string(path).expect("the corpus");
    let mut entries: Vec<(String, bool, String)> = Vec::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("%% ") {
            let (name, mode) = head.split_once(' ').expect("name and mode");
            entries.push((name.to_owned(), mode == "display", String::new()));
        } else if !line.starts_with('%')
            && let Some((_, _, tex)) = entries.last_mut()
        {
            tex.push_str(line);
            tex.push('\n');
        }
    }
    entries
}

fn markdown(display: bool, tex: &str) -> String {
    if display {
        format!("Before.\n\n$$\n{}\n$$\n\nAfter.\n", tex.trim())
    } else {
        format!("We have $${}$$ in a sentence.\n", tex.trim())
    }
}

#[test]
fn every_formula_of_the_corpus_renders_with_no_tex_left_in_the_text() {
    let entries = corpus();
    assert!(entries.len() >= 80, "{} formulas", entries.len());
    for (name, display, tex) in &entries {
        let rendered = to_html(&markdown(*display, tex), MathSettings::default());
        assert!(
            rendered.warnings.is_empty(),
            "{name}: {:?}",
            rendered.warnings
        );
        let text = visible_text(&rendered.html);
        assert!(
            !text.contains('\\') && !text.contains("$$") && !text.contains("\\begin"),
            "{name}: TeX in the text: {text}"
        );
        let blocks = rendered.html.matches("class=\"katex-display\"").count();
        assert_eq!(blocks, usize::from(*display), "{name}: {}", rendered.html);
        assert!(!rendered.html.contains('\u{b5}'), "{name}: a micro sign");
    }
}

#[test]
fn numbers_follow_amsmath_and_restart_with_each_post() {
    let number_of = |name: &str| {
        let (_, display, tex) = corpus()
            .into_iter()
            .find(|(n, _, _)| n == name)
            .expect("in the corpus");
        visible_text(&to_html(&markdown(display, &tex), MathSettings::default()).html)
    };
    for (name, shown, hidden) in [
        ("elbo-align", &["(1)", "(2)"][..], &["(3)"][..]),
        ("align-nonumber", &["(1)"], &["(2)"]),
        ("equation-label", &["(1)"], &["(2)"]),
        ("equation-tag", &["(DDPM)"], &["(1)"]),
        ("gather", &["(1)", "(2)"], &["(3)"]),
        ("align-star", &[], &["(1)"]),
        ("equation-star", &[], &["(1)"]),
        ("gather-star", &[], &["(1)"]),
        ("tag-star", &["(Euler)"], &["((Euler))", "(1)"]),
        ("multline", &["(1)"], &["(2)"]),
        ("eqnarray", &["(1)", "(2)"], &["(3)"]),
    ] {
        let text = number_of(name);
        for s in shown {
            assert!(text.contains(s), "{name}: no {s} in {text}");
        }
        for s in hidden {
            assert!(!text.contains(s), "{name}: {s} in {text}");
        }
    }
}

#[test]
fn references_across_a_post_link_to_their_equations() {
    let post = "\\begin{equation}\nx_t = \\sqrt{\\bar\\alpha_t}\\, x_0 \\label{eq:forward}\n\\end{equation}\n\nThen\n\n$$\n\\begin{align}\na &= b \\label{eq:a} \\\\\nc &= d \\tag{$\\star$} \\label{eq:star}\n\\end{align}\n$$\n\nBy \\eqref{eq:forward} and $$\\eqref{eq:a}$$, and \\ref{eq:star}, and \\eqref{eq:later}.\n\n$$e = f \\tag{L} \\label{eq:later}$$\n";
    let rendered = to_html(post, MathSettings::default());
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let html = &rendered.html;
    for id in ["eq:forward", "eq:a", "eq:star", "eq:later"] {
        assert!(html.contains(&format!("id=\"eqn-{id}\"")), "{id}: {html}");
        assert!(
            html.contains(&format!("href=\"#eqn-{id}\"")),
            "{id}: {html}"
        );
    }
    let text = visible_text(html);
    assert!(text.contains("By (1) and (2), and"), "{text}");
    assert!(text.contains("and (L)."), "{text}");
}

#[test]
fn a_label_nothing_numbers_and_an_unknown_reference_are_warnings() {
    let rendered = to_html(
        "$$x \\label{lost}$$\n\nSee \\eqref{lost} and \\ref{missing}.\n",
        MathSettings::default(),
    );
    let messages: Vec<&str> = rendered
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains("without a number"), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("`missing`")),
        "{messages:?}"
    );
}

#[test]
fn a_page_with_math_links_the_stylesheet_and_every_font_it_names_is_shipped() {
    let css = ASSETS
        .iter()
        .find(|(path, _)| *path == "katex.min.css")
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("the stylesheet");
    let fonts: Vec<&str> = css
        .split("url(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .collect();
    assert_eq!(fonts.len(), 20, "{fonts:?}");
    for font in &fonts {
        assert!(font.ends_with(".woff2"), "{font}");
        assert!(
            ASSETS.iter().any(|(path, _)| path == font),
            "{font} not shipped"
        );
    }
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let site = dir.path().join("site/_site");
    for (path, bytes) in ASSETS {
        let shipped = std::fs::read(site.join("assets/katex").join(path)).expect(path);
        assert_eq!(&shipped[..], bytes, "{path}");
    }
    let page = walk(&site.join("blog"))
        .into_iter()
        .find(|p| {
            p.ends_with("index.html")
                && std::fs::read_to_string(p).is_ok_and(|h| h.contains("<article"))
        })
        .expect("a post page");
    let html = std::fs::read_to_string(&page).unwrap();
    let root = "../".repeat(page.strip_prefix(&site).unwrap().components().count() - 1);
    assert!(
        html.contains(&format!(
            "<link rel=\"stylesheet\" href=\"{root}assets/katex/katex.min.css\">"
        )),
        "{html}"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
