//! Jekyll's Liquid in posts: it reaches Jekyll exactly as written, only
//! likely's own expressions are evaluated, code is never templated, and
//! the HTML site shows Liquid it cannot render as its source, in code,
//! with a warning.

use likely::site::math::visible_text;

use crate::common::{build_ok, likely, project, read};

/// A post in the style of an al-folio blog, with no likely expression.
const LIQUID_ONLY: &str = "---
layout: post
title: Liquid Only
date: 2025-03-01
tags: [demo]
---

An image through the theme's include:

{% include figure.liquid loading=\"eager\" path=\"assets/img/9.jpg\" class=\"img-fluid rounded z-depth-1\" zoomable=true caption=\"Dusk over the *bay*.\" %}

A link to [the data]({{ '/assets/json/table.json' | relative_url }}) on {{ site.url }}{{ site.baseurl }},
a citation {% cite lai2025principles fisher1922 %}, and a post {% post_url 2025-01-02-tiny-post %}.

{% assign shown = 3 %}{% for tag in page.tags limit: shown %}{{ tag }} {% endfor %}
{% if site.enable_x %}x{% else %}y{% endif %}

{% raw %}Liquid shown as an example: {{ page.title }} and {% include x.liquid %}{% endraw %}

{% highlight python linenos %}
print(\"{{ not templated }}\")

print(2)
{% endhighlight %}

```r
x <- c(1, 2); cat(\"{{ x }}\", \"${#x}\")
```

Inline `{% tag %}` code, `{{ x }}` too.

{% details Click *here* %}
Hidden **text**.
{% enddetails %}

{% tabs langs %}
{% tab langs python %}
Snake.
{% endtab %}
{% tab langs r %}
Arrr.
{% endtab %}
{% endtabs %}

{% include video.liquid path=\"assets/video/clip.mp4\" controls=true %}
{% include audio.liquid path=\"assets/audio/a.mp3\" controls=true %}
{% include video.liquid path=\"https://www.youtube.com/embed/abc\" %}
";

const BIB: &str = "---
---
@book{lai2025principles,
  title = {The Principles of Diffusion Models},
  author = {Lai, Chieh-Hsin and Song, Yang and Kim, Dongjun and Mitsufuji, Yuki and Ermon, Stefano},
  year = {2025}
}
@article{fisher1922,
  title = {On the mathematical foundations of theoretical statistics},
  author = {Fisher, R. A.},
  journal = {Philosophical Transactions of the Royal Society A},
  volume = {222}, pages = {309--368}, year = {1922}
}
";

#[test]
fn a_post_without_likely_expressions_reaches_jekyll_byte_for_byte() {
    let dir = project("tiny");
    let root = dir.path();
    std::fs::write(root.join("posts/2025-03-01-liquid-only.md"), LIQUID_ONLY).unwrap();
    for (path, bytes) in [
        ("site/_bibliography/papers.bib", BIB.as_bytes()),
        ("site/assets/img/9.jpg", b"\xff\xd8jpeg".as_slice()),
        ("site/assets/video/clip.mp4", b"mp4".as_slice()),
    ] {
        std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        std::fs::write(root.join(path), bytes).unwrap();
    }
    let out = build_ok(root, &[], &[]);
    assert_eq!(
        read(root, "site/_posts/2025-03-01-liquid-only.md"),
        LIQUID_ONLY
    );
    // The HTML page: what al-folio shows, rendered; the rest shown as its
    // source in code, each with a warning; no Liquid outside code.
    let html = read(root, "site/_site/blog/2025/liquid-only/index.html");
    for expected in [
        // The figure include, its alt text plain, the image carried along;
        // the caption as written, as kramdown leaves Markdown in HTML.
        "<figure><img src=\"../../../assets/img/9.jpg\" class=\"img-fluid rounded z-depth-1\" alt=\"Dusk over the bay.\">\
         <figcaption class=\"caption\">Dusk over the *bay*.</figcaption></figure>",
        "href=\"../../../assets/json/table.json\"",
        "on https://example.org,",
        // Author–year citations linked to the reference list at the end.
        "(<a href=\"#lai2025principles\">Lai et al., 2025</a>; <a href=\"#fisher1922\">Fisher, 1922</a>)",
        "<li id=\"fisher1922\">Fisher, R. A. (1922). On the mathematical foundations",
        "a post ../../../blog/2025/tiny-post/index.html.",
        "<pre class=\"lineno\">1&#10;2&#10;3</pre>",
        "<details><summary>Click *here*</summary>",
        "<p>Hidden <strong>text</strong>.</p>",
        "<p class=\"tab-title\">python</p>",
        "<p>Arrr.</p>",
        "<video src=\"../../../assets/video/clip.mp4\" controls></video>",
        "<audio src=\"../../../assets/audio/a.mp3\" controls></audio>",
        "<a class=\"embed\" href=\"https://www.youtube.com/embed/abc\">",
    ] {
        assert!(html.contains(expected), "{expected}\n\n{html}");
    }
    assert!(
        html.find("lai2025principles\">Lai").unwrap() < html.find("id=\"references\"").unwrap()
    );
    assert_eq!(
        std::fs::read(root.join("site/_site/assets/img/9.jpg")).unwrap(),
        b"\xff\xd8jpeg"
    );
    let text = visible_text(&html);
    // The raw block's content is shown as text, as Jekyll shows it.
    let text = text.replace("{{ page.title }} and {% include x.liquid %}", "");
    let outside_code = text.split("{% assign").next().unwrap();
    assert!(
        !outside_code.contains("{%") && !outside_code.contains("{{"),
        "{text}"
    );
    assert!(
        html.contains("print(&quot;{{ not templated }}&quot;)"),
        "{html}"
    );
    assert!(html.contains("${#x}"), "{html}");
    // Liquid the HTML site can't evaluate is code, warned at its line.
    assert!(
        html.contains("<code class=\"liquid\">{% assign shown = 3 %}</code>"),
        "{html}"
    );
    for warning in [
        // One construct over neighbouring lines, one warning.
        "liquid-only.md:15: Liquid the HTML site shows as its source (Jekyll renders it): \
         {% assign shown = 3 %} … {% endif %} (7 tags)",
        // A file the page links to that the blog does not have.
        "liquid-only.md: links to ",
    ] {
        assert!(out.stderr.contains(warning), "{warning}\n{}", out.stderr);
    }
    assert!(
        out.stderr
            .contains("assets/audio/a.mp3, which is not a file"),
        "{}",
        out.stderr
    );
    let this_post: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("liquid-only.md"))
        .collect();
    assert!(
        this_post
            .iter()
            .all(|l| !l.contains("cite") && !l.contains("include")),
        "{this_post:#?}"
    );
}

#[test]
fn without_a_bibliography_citations_are_code_and_warned() {
    let dir = project("tiny");
    std::fs::write(
        dir.path().join("posts/2025-03-01-cites.md"),
        "---\ntitle: Cites\n---\n\nAs shown {% cite lai2025principles %}.\n",
    )
    .unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    let html = read(dir.path(), "site/_site/blog/2025/cites/index.html");
    assert!(
        html.contains("<code class=\"liquid\">{% cite lai2025principles %}</code>"),
        "{html}"
    );
    assert!(
        out.stderr
            .contains("cites.md:5: `cite` needs the blog's _bibliography/papers.bib"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_front_matter_date_redirect_and_published_are_read_as_jekyll_reads_them() {
    let dir = project("tiny");
    let root = dir.path();
    for (name, text) in [
        (
            "2018-12-22-moved.md",
            "---\ntitle: Moved\ndate: 2021-05-22 10:00:00-0400\n---\nBody.\n",
        ),
        (
            "2025-03-05-draft.md",
            "---\ntitle: Draft\npublished: false\n---\nNot yet.\n",
        ),
        (
            "2025-03-06-away.md",
            "---\ntitle: Away\nredirect: https://example.com/paper\n---\n",
        ),
    ] {
        std::fs::write(root.join("posts").join(name), text).unwrap();
    }
    build_ok(root, &[], &[]);
    // The front matter's date makes the URL, in both sites' terms.
    assert!(root.join("site/_site/blog/2021/moved/index.html").is_file());
    assert!(!root.join("site/_site/blog/2018").exists());
    // Jekyll gets every post; the HTML site leaves out the unpublished one.
    assert!(root.join("site/_posts/2025-03-05-draft.md").is_file());
    assert!(!root.join("site/_site/blog/2025/draft").exists());
    let index = read(root, "site/_site/index.html");
    assert!(!index.contains("Draft"), "{index}");
    // A redirect: the index links to the target, the page sends readers on.
    assert!(
        index.contains("href=\"https://example.com/paper\""),
        "{index}"
    );
    let away = read(root, "site/_site/blog/2025/away/index.html");
    assert!(
        away.contains("<meta http-equiv=\"refresh\" content=\"0; url=https://example.com/paper\">"),
        "{away}"
    );
    assert!(
        away.contains("<a href=\"https://example.com/paper\">"),
        "{away}"
    );
}

#[test]
fn in_a_mixed_post_only_likely_expressions_are_replaced() {
    let dir = project("tiny");
    let body = "---\ntitle: Mixed\n---\n\nValue {{ mc.exact | fixed(digits=3) }} at {{ site.url }}.\n{% for v in mc.n %}{{ v }},{% endfor %} {% if site.x %}{{ mc.n | length }}{% endif %}\n{% raw %}{{ mc.exact }}{% endraw %} `{{ mc.exact }}`\n";
    std::fs::write(dir.path().join("posts/2025-03-02-mixed.md"), body).unwrap();
    build_ok(dir.path(), &[], &[]);
    let post = read(dir.path(), "site/_posts/2025-03-02-mixed.md");
    assert!(!post.contains("{{ mc.exact | fixed"), "{post}");
    assert!(post.contains(" at {{ site.url }}."), "{post}");
    assert!(post.contains("{% if site.x %}3{% endif %}"), "{post}");
    assert!(
        post.contains("{% raw %}{{ mc.exact }}{% endraw %} `{{ mc.exact }}`"),
        "{post}"
    );
    assert!(!post.contains("{% for"), "{post}");
}

#[test]
fn an_unknown_name_is_still_an_error_naming_the_experiments() {
    let dir = project("tiny");
    std::fs::write(
        dir.path().join("posts/2025-03-03-typo.md"),
        "---\ntitle: Typo\n---\n\n{{ mcc.exact }}\n",
    )
    .unwrap();
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("posts/2025-03-03-typo.md:5:"),
        "{}",
        out.stderr
    );
}

#[test]
fn likely_figures_carry_their_caption_as_plain_alt_text_on_the_blog_too() {
    let dir = project("tiny");
    std::fs::write(
        dir.path().join("posts/2025-03-07-alt.md"),
        "---\ntitle: Alt\n---\n\n{{ figure(id=\"mc.convergence\", caption=\"The \\\"exact\\\" value of $\\\\hat\\\\mu$, *bold*.\") }}\n",
    )
    .unwrap();
    build_ok(dir.path(), &[], &[]);
    let alt = "alt=\"Figure 1: The &quot;exact&quot; value of \\hat\\mu, bold.\"";
    let post = read(dir.path(), "site/_posts/2025-03-07-alt.md");
    assert!(post.contains(&format!("{{% include figure.liquid loading=\"eager\" path=\"assets/likely/mc/convergence.svg\" {alt}")), "{post}");
    let html = read(dir.path(), "site/_site/blog/2025/alt/index.html");
    assert!(html.contains(alt), "{html}");
}

/// A post in the style of al-folio's Distill layout, with its own
/// bibliography.
const DISTILL: &str = "---
layout: distill
title: Distilled
date: 2025-04-01
authors:
  - name: Ada Byron
    url: \"https://example.org/ada\"
    affiliations:
      name: Analytical & Co
  - name: C. Babbage
    affiliations:
      - name: Cambridge
      - name: London
  - name: Anonymous
bibliography: 2025-04-01-distilled.bib
toc:
  - name: Sources
    subsections:
      - name: Finer points
  - name: Not a heading
---

## Sources

As shown before<d-cite key=\"kullback1951,fisher1922\"></d-cite>, and
once more<d-cite key='fisher1922'></d-cite>.<d-footnote>A note with *stress*.</d-footnote>

### Finer points

Inline <d-code language=\"python\">x < 1</d-code> and a block:

<d-code block language=\"javascript\">
var x = 1;

return x;
</d-code>

Written about as `<d-cite key=\"x\"></d-cite>`, not cited.<d-footnote>Second.</d-footnote>
";

const DISTILL_BIB: &str = "@article{kullback1951,
  title = {On Information and Sufficiency},
  author = {Kullback, S. and Leibler, R. A.},
  journal = {The Annals of Mathematical Statistics}, year = {1951}
}
@article{fisher1922,
  title = {On the mathematical foundations of theoretical statistics},
  author = {Fisher, R. A.}, year = {1922}
}
";

#[test]
fn distill_citations_footnotes_and_code_are_shown_as_they_mean() {
    let dir = project("tiny");
    let root = dir.path();
    std::fs::write(root.join("posts/2025-04-01-distilled.md"), DISTILL).unwrap();
    let bib = root.join("site/assets/bibliography/2025-04-01-distilled.bib");
    std::fs::create_dir_all(bib.parent().unwrap()).unwrap();
    std::fs::write(&bib, DISTILL_BIB).unwrap();
    let out = build_ok(root, &[], &[]);
    assert!(!out.stderr.contains("distilled"), "{}", out.stderr);
    assert_eq!(read(root, "site/_posts/2025-04-01-distilled.md"), DISTILL);
    let html = read(root, "site/_site/blog/2025/distilled/index.html");
    for expected in [
        "(<a href=\"#kullback1951\">Kullback &amp; Leibler, 1951</a>; <a href=\"#fisher1922\">Fisher, 1922</a>)",
        "<sup class=\"footnote-ref\" id=\"d-fnref-1\"><a href=\"#d-fn-1\" role=\"doc-noteref\">1</a></sup>",
        "<li id=\"d-fn-1\">A note with *stress*. <a href=\"#d-fnref-1\"",
        "<li id=\"d-fn-2\">Second.",
        "<code class=\"language-python\">x &lt; 1</code>",
        "var x = 1;&#10;&#10;return x;",
        "<code>&lt;d-cite key=\"x\"&gt;&lt;/d-cite&gt;</code>",
        "<li id=\"kullback1951\">",
        // The byline: names, links and affiliations.
        "<p class=\"post-byline\"><span class=\"author\"><a href=\"https://example.org/ada\">Ada Byron</a> \
         <span class=\"affiliation\">(Analytical &amp; Co)</span></span>, <span class=\"author\">C. Babbage \
         <span class=\"affiliation\">(Cambridge; London)</span></span>, <span class=\"author\">Anonymous</span></p>",
        // The listed contents link to the headings they name.
        "<li class=\"toc-depth-0\"><a href=\"#sources\">Sources</a></li>",
        "<li class=\"toc-depth-1\"><a href=\"#finer-points\">Finer points</a></li>",
    ] {
        assert!(html.contains(expected), "{expected}\n\n{html}");
    }
    assert!(!html.contains("Not a heading"), "{html}");
    let text = visible_text(&html);
    assert!(!text.contains("<d-"), "{text}");

    // Without the file, citations are marked and the build says why.
    std::fs::remove_file(&bib).unwrap();
    let out = build_ok(root, &[], &[]);
    assert!(
        out.stderr
            .contains("assets/bibliography/2025-04-01-distilled.bib, is not a file"),
        "{}",
        out.stderr
    );
    let html = read(root, "site/_site/blog/2025/distilled/index.html");
    assert!(
        html.contains("<span class=\"citation\">[kullback1951 fisher1922]</span>"),
        "{html}"
    );
}

#[test]
fn a_table_of_contents_lists_the_top_two_levels_of_headings() {
    let dir = project("tiny");
    let root = dir.path();
    let post = "---\ntitle: Contents\ntoc:\n  sidebar: right\n---\n\n## One\n\n### One point one\n{: data-toc-text=\"Short\"}\n\n#### Too deep\n\n## Skipped\n{: data-toc-skip=\"\"}\n\n## Two\n";
    std::fs::write(root.join("posts/2025-04-02-contents.md"), post).unwrap();
    std::fs::write(
        root.join("posts/2025-04-03-none.md"),
        "---\ntitle: None\ntoc: false\n---\n\n## One\n",
    )
    .unwrap();
    build_ok(root, &[], &[]);
    let html = read(root, "site/_site/blog/2025/contents/index.html");
    let nav = &html[html.find("<nav class=\"toc").expect("a table of contents")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(
        nav.starts_with("<nav class=\"toc toc-sidebar toc-right\""),
        "{nav}"
    );
    let links: Vec<&str> = nav.split("<li class=").skip(1).collect();
    assert_eq!(links.len(), 3, "{nav}");
    assert!(
        links[0].contains("toc-depth-0\"><a href=\"#one\">One</a>"),
        "{nav}"
    );
    assert!(
        links[1].contains("toc-depth-1\"><a href=\"#one-point-one\">Short</a>"),
        "{nav}"
    );
    assert!(links[2].contains("href=\"#two\">Two</a>"), "{nav}");
    let none = read(root, "site/_site/blog/2025/none/index.html");
    assert!(!none.contains("<nav class=\"toc"), "{none}");
}

/// A post citing with likely's own `cite`, mixed with the blog's Liquid
/// `{% cite %}`.
const CITES: &str = "---
title: Cites
---

The book {{ cite(key=\"lai2025principles\") }} builds on
{% cite fisher1922 %}, both again {{ cite(key=\"fisher1922, lai2025principles\", locator=310) }}.
";

#[test]
fn likely_cites_with_jekyll_scholars_tag_and_lists_references_in_both_outputs() {
    let dir = project("tiny");
    let root = dir.path();
    std::fs::create_dir_all(root.join("site/_bibliography")).unwrap();
    std::fs::write(root.join("site/_bibliography/papers.bib"), BIB).unwrap();
    std::fs::write(root.join("posts/2025-03-01-cites.md"), CITES).unwrap();
    build_ok(root, &[], &[]);
    // Jekyll gets jekyll-scholar's tags, and a reference list at the end as
    // al-folio's layout would give with `related_publications`.
    assert_eq!(
        read(root, "site/_posts/2025-03-01-cites.md"),
        "---\ntitle: Cites\n---\n\nThe book {% cite lai2025principles %} builds on\n\
         {% cite fisher1922 %}, both again {% cite fisher1922 lai2025principles -l 310 %}.\n\n\
         ## References\n\n{% bibliography --cited_in_order %}\n"
    );
    // The HTML site: author–year citations, numbered in order of first
    // citation whichever wrote them, linked to the list.
    let html = read(root, "site/_site/blog/2025/cites/index.html");
    for expected in [
        "The book <span class=\"citation\">(<a href=\"#lai2025principles\">Lai et al., 2025</a>)</span> builds on",
        "<span class=\"citation\">(<a href=\"#fisher1922\">Fisher, 1922</a>)</span>, both again",
        "(<a href=\"#fisher1922\">Fisher, 1922</a>; <a href=\"#lai2025principles\">Lai et al., 2025</a>, p.\u{a0}310)",
        "<h2 id=\"references\">References</h2>",
    ] {
        assert!(html.contains(expected), "{expected}\n{html}");
    }
    let lai = html.find("<li id=\"lai2025principles\">").unwrap();
    let fisher = html.find("<li id=\"fisher1922\">").unwrap();
    assert!(lai < fisher, "{html}");
    assert!(!html.contains("{%"), "{html}");
}

#[test]
fn a_post_that_lists_its_references_gets_no_second_list() {
    let dir = project("tiny");
    let root = dir.path();
    std::fs::create_dir_all(root.join("site/_bibliography")).unwrap();
    std::fs::write(root.join("site/_bibliography/papers.bib"), BIB).unwrap();
    for (name, text) in [
        (
            "2025-03-01-listed.md",
            "---\ntitle: Listed\n---\n\nAs {{ cite(key=\"fisher1922\") }}.\n\n{% bibliography --cited %}\n",
        ),
        (
            "2025-03-02-layout.md",
            "---\ntitle: Layout\nrelated_publications: true\n---\n\nAs {{ cite(key=\"fisher1922\") }}.\n",
        ),
    ] {
        std::fs::write(root.join("posts").join(name), text).unwrap();
    }
    build_ok(root, &[], &[]);
    for name in ["2025-03-01-listed", "2025-03-02-layout"] {
        let jekyll = read(root, &format!("site/_posts/{name}.md"));
        assert!(!jekyll.contains("## References"), "{jekyll}");
        assert!(jekyll.contains("As {% cite fisher1922 %}."), "{jekyll}");
    }
    let html = read(root, "site/_site/blog/2025/listed/index.html");
    assert_eq!(html.matches("<li id=\"fisher1922\">").count(), 1, "{html}");
}

#[test]
fn a_citation_likely_cannot_make_is_an_error_at_its_line() {
    for (bib, body, expected) in [
        (
            Some(BIB),
            "Text.\n\nAs {{ cite(key=\"fisher1923\") }}.\n",
            "has no entry `fisher1923`; its keys are: lai2025principles, fisher1922",
        ),
        (
            None,
            "As {{ cite(key=\"fisher1922\") }}.\n",
            "`cite` needs a bibliography, and the site has no _bibliography/papers.bib",
        ),
        (
            Some(BIB),
            "As {{ cite(key=\"fisher1922\", locator=\"ch 2\") }}.\n",
            "the locator \"ch 2\" must be one word",
        ),
        (
            Some(BIB),
            "As {{ cite(key=\" \") }}.\n",
            "`cite` needs a key",
        ),
    ] {
        let dir = project("tiny");
        let root = dir.path();
        if let Some(bib) = bib {
            std::fs::create_dir_all(root.join("site/_bibliography")).unwrap();
            std::fs::write(root.join("site/_bibliography/papers.bib"), bib).unwrap();
        }
        std::fs::write(
            root.join("posts/2025-03-01-cites.md"),
            format!("---\ntitle: Cites\n---\n\n{body}"),
        )
        .unwrap();
        let out = likely(root, &["build"], &[]);
        assert_ne!(out.code, 0, "{body}");
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
        let line = 4 + body.lines().count();
        assert!(
            out.stderr.contains(&format!("2025-03-01-cites.md:{line}")),
            "{line}\n{}",
            out.stderr
        );
        assert!(!root.join("site/_posts/2025-03-01-cites.md").exists());
    }
}

#[test]
fn a_name_neither_knows_is_an_error_saying_how_to_declare_it_liquid() {
    let dir = project("tiny");
    let root = dir.path();
    let post = "---\ntitle: Byline\n---\n\nBy {{ author.name }}, {{ mle.replicates }} times.\n";
    std::fs::write(root.join("posts/2025-05-01-byline.md"), post).unwrap();
    let out = likely(root, &["build"], &[]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("2025-05-01-byline.md:5:")
            && out.stderr.contains("`likely: liquid: [author]`"),
        "{}",
        out.stderr
    );
    // Declared, it is Liquid: Jekyll gets it as written, likely's own
    // expression on the same line is evaluated.
    let config = root.join("site/_config.yml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("likely:\n  liquid: [author]\n");
    std::fs::write(&config, text).unwrap();
    build_ok(root, &[], &[]);
    let jekyll = read(root, "site/_posts/2025-05-01-byline.md");
    assert!(jekyll.contains("By {{ author.name }}, "), "{jekyll}");
    assert!(!jekyll.contains("mle.replicates"), "{jekyll}");
}
