//! kramdown's extras in the HTML site, against what kramdown 2.4.0 (GFM
//! input, as Jekyll configures it) makes of the same Markdown. Expected
//! fragments were taken from kramdown's output; whitespace between tags
//! differs and is ignored.

use likely::config::MathSettings;
use likely::site::markdown::{Rendered, to_html};

fn render(markdown: &str) -> Rendered {
    to_html(markdown, MathSettings::default())
}

/// HTML with the white space between tags removed, so that fragments
/// compare by structure and attributes.
fn squeeze(html: &str) -> String {
    let mut out = String::new();
    for line in html.lines() {
        out.push_str(line.trim());
        out.push('\n');
    }
    out.replace(">\n<", "><").trim().to_owned()
}

fn assert_has(markdown: &str, fragments: &[&str]) {
    let html = squeeze(&render(markdown).html);
    for fragment in fragments {
        assert!(
            html.contains(&squeeze(fragment)),
            "{fragment}\nnot in\n{html}"
        );
    }
    assert_no_lists_left(&html);
}

fn assert_no_lists_left(html: &str) {
    let outside_code = html
        .split("<code")
        .enumerate()
        .map(|(k, part)| {
            if k == 0 {
                part
            } else {
                part.split_once("</code>").map_or("", |(_, after)| after)
            }
        })
        .collect::<String>();
    assert!(
        !outside_code.contains("{:"),
        "an attribute list or extension was printed: {html}"
    );
}

#[test]
fn a_list_after_a_lazy_quote_line_applies_to_the_quote_and_with_its_marker_to_the_paragraph() {
    assert_has(
        "> ##### TIP\n>\n> Some advice\n> on two lines.\n{: .block-tip }\n\n> quoted\n> {: .x}\n",
        &[
            "<blockquote class=\"block-tip\"><h5 id=\"tip\">TIP</h5><p>Some advice\non two lines.</p></blockquote>",
            "<blockquote><p class=\"x\">quoted</p></blockquote>",
        ],
    );
}

#[test]
fn block_lists_after_and_before_blocks() {
    assert_has(
        "para\n{: #pid .c1 .c2 key=\"v&lt;\"}\n\n{: .before}\nafter para\n\n## Head {#hid}\n{:data-toc-text=\"Short\"}\n\n- a\n- b\n{: .list}\n\n```python\nx = 1\n```\n{: .code}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n{: .table}\n\n* * *\n{: .rule}\n",
        &[
            "<p id=\"pid\" class=\"c1 c2\" key=\"v&lt;\">para</p>",
            "<p class=\"before\">after para</p>",
            "<h2 id=\"hid\" data-toc-text=\"Short\">Head</h2>",
            "<ul class=\"list\"><li>a</li><li>b</li></ul>",
            "<pre class=\"code\"><code class=\"language-python\">x = 1",
            "<table class=\"table\"><thead>",
            "<td>1</td><td>2</td></tr></tbody></table>",
            "<hr class=\"rule\" />",
        ],
    );
}

#[test]
fn a_list_in_the_middle_of_a_paragraph_ends_it_and_a_lone_one_waits_for_the_next_block() {
    assert_has(
        "para\n{: .a}\nnext\n\nfirst\n\n{: .lonely}\n\nlater\n\nlast\n\n{: .dropped}\n",
        &[
            "<p class=\"a\">para</p><p>next</p>",
            "<p>first</p><p class=\"lonely\">later</p><p>last</p>",
        ],
    );
}

#[test]
fn span_lists_apply_to_the_span_before_them() {
    assert_has(
        "[t](http://x){:target=\"\\_blank\"} and ![i](a.png){: .cls} *em*{: .x} **b**{:.y} `code`{: .language-python} x\n\n- {: .li} item\n- two\n",
        &[
            "<a href=\"http://x\" target=\"\\_blank\">t</a> and <img src=\"a.png\" alt=\"i\" class=\"cls\" /> <em class=\"x\">em</em> <strong class=\"y\">b</strong> <code class=\"language-python\">code</code> x",
            "<li class=\"li\">item</li>",
        ],
    );
}

#[test]
fn definitions_are_resolved_and_never_shown() {
    assert_has(
        "{:ref: .cls #rid}\n\npara\n{: ref}\n",
        &["<p class=\"cls\" id=\"rid\">para</p>"],
    );
}

#[test]
fn lists_kramdown_would_print_are_removed_and_escaped_ones_kept() {
    let html = render(
        "[t](u) {:target=\"_blank\"} and `{: .code}` and \\{: .y} and mid {: .x} text\n\n## H {: .cls}\n",
    )
    .html;
    assert!(html.contains("<code>{: .code}</code>"), "{html}");
    assert!(html.contains("and {: .y} and"), "{html}");
    assert!(!html.contains("target"), "{html}");
    assert!(!html.contains("{: .x}") && !html.contains(".cls"), "{html}");
    // The id is kramdown's, which reads the list as text.
    assert!(html.contains("<h2 id=\"h--cls\">"), "{html}");
}

#[test]
fn handlers_and_script_urls_are_never_written() {
    let html =
        render("x[t](u){: onclick=\"x\" href=\"javascript:alert(1)\" title=\"a\\\"<b\"}\n").html;
    assert!(
        html.contains("<a href=\"u\" title=\"a&quot;&lt;b\">t</a>"),
        "{html}"
    );
    assert!(
        !html.contains("onclick") && !html.contains("javascript"),
        "{html}"
    );
}

#[test]
fn extensions_are_raw_html_or_nothing() {
    assert_has(
        "a {::nomarkdown}<b>*x*</b>{:/nomarkdown} b\n\n{::nomarkdown}\n<div>*raw*</div>\n{:/nomarkdown}\n\n{::comment}\nhidden *x*\n{:/comment}\n\n{::options parse_block_html=\"true\" /}\n\nafter {::comment}gone{:/} end\n",
        &[
            "<p>a <b>*x*</b> b</p>",
            "<div>*raw*</div>",
            "<p>after  end</p>",
        ],
    );
    let html = render("{::comment}\nhidden\n{:/comment}\n").html;
    assert!(!html.contains("hidden") && !html.contains("{::"), "{html}");
}

#[test]
fn task_lists_are_disabled_checkboxes() {
    assert_has(
        "- [ ] todo\n- [x] done\n",
        &[
            "<ul class=\"task-list\"><li class=\"task-list-item\"><input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"disabled\" />todo</li><li class=\"task-list-item\"><input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"disabled\" checked=\"checked\" />done</li></ul>",
        ],
    );
}

#[test]
fn footnotes_are_listed_at_the_end_with_links_back() {
    assert_has(
        "Text[^1] and[^n] again[^1].\n\n[^1]: One.\n[^n]: Two\n    more.\n\n[^unused]: Never cited.\n",
        &[
            "<p>Text<sup id=\"fnref:1\" role=\"doc-noteref\"><a href=\"#fn:1\" class=\"footnote\" rel=\"footnote\">1</a></sup> and<sup id=\"fnref:n\" role=\"doc-noteref\"><a href=\"#fn:n\" class=\"footnote\" rel=\"footnote\">2</a></sup> again<sup id=\"fnref:1:1\" role=\"doc-noteref\"><a href=\"#fn:1\" class=\"footnote\" rel=\"footnote\">1</a></sup>.</p>",
            "<div class=\"footnotes\" role=\"doc-endnotes\"><ol><li id=\"fn:1\" role=\"doc-endnote\"><p>One. <a href=\"#fnref:1\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a> <a href=\"#fnref:1:1\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;<sup>2</sup></a></p></li><li id=\"fn:n\" role=\"doc-endnote\"><p>Two\nmore. <a href=\"#fnref:n\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a></p></li></ol></div>",
        ],
    );
    assert!(
        !render("A[^a].\n\n[^a]: x\n\n[^b]: Never cited.\n")
            .html
            .contains("Never")
    );
}

#[test]
fn blocks_drawn_by_javascript_are_labelled_source_with_one_warning_per_kind() {
    let post = "Intro\n\n````markdown\n```mermaid\nnot this one\n```\n````\n\n```mermaid\ngraph TD;\n  A-->B;\n```\n\n```mermaid\nsequenceDiagram\n```\n\n```vega_lite\n{\"mark\": \"bar\"}\n```\n\n<script type=\"text/tikz\">\n\\draw (0,0) node {$a<b$};\n</script>\n\nEnd.\n";
    let rendered = render(post);
    let html = &rendered.html;
    assert_eq!(
        html.matches("<figure class=\"js-block\">").count(),
        4,
        "{html}"
    );
    assert!(
        html.contains("<figcaption>Mermaid diagram — drawn by JavaScript on the blog; its source:</figcaption>\n<pre><code class=\"language-mermaid\">graph TD;\n  A--&gt;B;\n</code></pre>\n</figure>"),
        "{html}"
    );
    assert!(
        html.contains("<code class=\"language-latex\">\\draw (0,0) node {$a&lt;b$};\n</code>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    let kinds: Vec<(&str, usize, usize)> = rendered
        .scripts
        .iter()
        .map(|s| (s.kind, s.line, s.occurrence))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Mermaid diagram", 9, 1),
            ("Vega-Lite chart", 18, 0),
            ("TikZ picture", 22, 0)
        ]
    );
}

#[test]
fn every_kind_al_folio_draws_is_shown_as_source() {
    for lang in [
        "mermaid",
        "chartjs",
        "echarts",
        "vega_lite",
        "plotly",
        "geojson",
        "pseudocode",
        "typograms",
    ] {
        let rendered = render(&format!("```{lang}\nsource\n```\n"));
        assert_eq!(rendered.scripts.len(), 1, "{lang}");
        assert!(
            rendered
                .html
                .contains(&format!("<code class=\"language-{lang}\">source")),
            "{lang}: {}",
            rendered.html
        );
    }
}

#[test]
fn headings_are_listed_for_a_table_of_contents() {
    let rendered = render(
        "# Intro\n\n## Loss $$L_\\theta$$\n{:data-toc-text=\"Loss\"}\n\n### Own {#own-id}\n\n## Intro\n",
    );
    let headings: Vec<(u8, &str, &str, Option<&str>)> = rendered
        .headings
        .iter()
        .map(|h| {
            (
                h.level,
                h.id.as_str(),
                h.text.as_str(),
                h.toc_text.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        headings,
        [
            (1, "intro", "Intro", None),
            (2, "loss-l_theta", "Loss L_\\theta", Some("Loss")),
            (3, "own-id", "Own", None),
            (2, "intro-1", "Intro", None),
        ]
    );
    assert!(
        rendered.html.contains("<h3 id=\"own-id\">Own</h3>"),
        "{}",
        rendered.html
    );
}

#[test]
fn odd_lists_do_not_panic() {
    for input in [
        "{:",
        "{:}",
        "{: }",
        "{:\n",
        "> {: .x}",
        "- {: .x}",
        "{::nomarkdown}",
        "{:/}",
        "{::x /}",
        "a{: .x}",
        "*a*{:",
        "| a |\n|---|\n{: .x}",
        "> > a\n{: .x}",
        "- a\n  - b\n{: .x}",
        "[^1]\n\n[^1]: {: .x}",
        "```mermaid",
        "<script type=\"text/tikz\">",
        "{: #\u{e9}.\u{e9}}\n\nx",
    ] {
        let html = render(input).html;
        assert!(!html.contains("{: "), "{input:?}: {html}");
    }
}
