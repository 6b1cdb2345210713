//! Figures numbered per post, with `ref()` linking to them: captions and
//! anchors in both outputs, references before and after their figure, in
//! loops, and a reference to a figure the post does not show.

use crate::common::{build_ok, likely, project_of, read};

const SPECS: [(&str, &str); 2] = [
    ("mc", include_str!("../fixtures/tiny/experiments/mc.yaml")),
    (
        "elbo",
        include_str!("../fixtures/tiny/experiments/elbo.yaml"),
    ),
];

const JEKYLL: &str = "site/_posts/2025-01-01-note.md";
const HTML: &str = "site/_site/2025/01/01/note.html";

/// A post that refers to its second figure before showing any, and to its
/// first after showing all three.
const POST: &str = r#"The slice, {{ ref(id="elbo.slice") }}, comes later.

{{ figure(id="mc", caption="Estimates against n.") }}

{{ figure(id="elbo.slice", caption="The bound along m.") }}

{{ figure(id="elbo.surface") }}

As {{ ref(id="mc.convergence") }} showed, and {{ ref(id="elbo.surface") }} too."#;

/// Every `href="#..."` in `text` has an element with that id.
fn links_have_targets(text: &str) {
    for link in text.split("href=\"#").skip(1) {
        let id = &link[..link.find('"').unwrap()];
        assert!(
            text.contains(&format!("id=\"{id}\"")),
            "no element for #{id} in:\n{text}"
        );
    }
}

#[test]
fn figures_are_numbered_in_order_and_refs_link_forward_and_back() {
    let dir = project_of(&SPECS, &[], POST);
    build_ok(dir.path(), &[], &[]);

    let post = read(dir.path(), JEKYLL);
    assert!(
        post.starts_with(
            "---\ntitle: Note\n---\n\nThe slice, [Figure 2](#fig-elbo-slice), comes later."
        ),
        "{post}"
    );
    assert!(
        post.contains(
            "As [Figure 1](#fig-mc-convergence) showed, and [Figure 3](#fig-elbo-surface) too."
        ),
        "{post}"
    );
    for (anchor, caption) in [
        ("fig-mc-convergence", "Figure 1: Estimates against n."),
        ("fig-elbo-slice", "Figure 2: The bound along m."),
        ("fig-elbo-surface", "Figure 3"),
    ] {
        assert!(
            post.contains(&format!("<div class=\"row mt-3\" id=\"{anchor}\">")),
            "{post}"
        );
        assert!(post.contains(&format!("alt=\"{caption}")), "{post}");
    }
    assert!(post.contains("<div class=\"caption\">\n    Figure 2: The bound along m.\n</div>"));
    assert!(
        post.find("id=\"fig-mc-convergence\"") < post.find("id=\"fig-elbo-slice\""),
        "figures keep their order"
    );

    let html = read(dir.path(), HTML);
    assert!(
        html.contains("The slice, <a href=\"#fig-elbo-slice\">Figure 2</a>, comes later."),
        "{html}"
    );
    assert!(html.contains("<a href=\"#fig-mc-convergence\">Figure 1</a> showed"));
    assert!(html.contains("<figure class=\"likely-figure\" id=\"fig-elbo-slice\">"));
    assert!(
        html.contains("alt=\"Figure 2: The bound along m.\""),
        "{html}"
    );
    assert!(
        html.contains("<p>Figure 2: The bound along m.</p>"),
        "{html}"
    );
    assert!(html.contains("<p>Figure 3</p>"), "{html}");
    links_have_targets(&html);
}

#[test]
fn figures_shown_in_a_loop_are_numbered_as_the_loop_shows_them() {
    let post = r#"Last comes {{ ref(id="elbo.surface") }}.

{% set names = ["slice", "surface"] %}{% for name in names %}
{{ figure(id="elbo." ~ name, caption="The " ~ name ~ ".") }}
{% endfor %}"#;
    let dir = project_of(&SPECS, &[], post);
    build_ok(dir.path(), &[], &[]);
    let html = read(dir.path(), HTML);
    assert!(
        html.contains("Last comes <a href=\"#fig-elbo-surface\">Figure 2</a>."),
        "{html}"
    );
    assert!(html.contains("<p>Figure 1: The slice.</p>"), "{html}");
    assert!(html.contains("<p>Figure 2: The surface.</p>"), "{html}");
    links_have_targets(&html);
}

#[test]
fn the_markdown_figure_style_anchors_the_image_with_an_attribute_list() {
    let config = "likely:\n  figures: markdown\n";
    let dir = project_of(&SPECS, &[("site/_config.yml", config)], POST);
    build_ok(dir.path(), &[], &[]);
    let post = read(dir.path(), JEKYLL);
    assert!(
        post.contains(
            "![Figure 2: The bound along m.]({{ '/assets/likely/elbo/slice.svg' | relative_url }})\n{: #fig-elbo-slice }\n\n*Figure 2: The bound along m.*"
        ),
        "{post}"
    );
}

#[test]
fn a_ref_to_a_figure_the_post_does_not_show_names_the_ones_it_does() {
    let post = "{{ figure(id=\"mc\") }}\n\n{{ figure(id=\"elbo.slice\") }}\n\nSee {{ ref(id=\"elbo.surface\") }}.";
    let dir = project_of(&SPECS, &[], post);
    for args in [&["build", "--check"][..], &["build"][..]] {
        let out = likely(dir.path(), args, &[]);
        assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
        assert!(!out.stdout.contains("ran "), "nothing runs: {}", out.stdout);
        for fragment in [
            "posts/2025-01-01-note.md:9:",
            "`ref` to figure `elbo.surface`, which the post does not show",
            "the figures it shows are: mc.convergence (Figure 1), elbo.slice (Figure 2)",
        ] {
            assert!(
                out.stderr.contains(fragment),
                "missing `{fragment}` in:\n{}",
                out.stderr
            );
        }
    }
    let out = likely(dir.path(), &["build"], &[]);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn check_passes_a_post_with_refs() {
    let dir = project_of(&SPECS, &[], POST);
    build_ok(dir.path(), &[], &[]);
    let out = likely(dir.path(), &["build", "--check"], &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}
