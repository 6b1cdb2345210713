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

{% include figure.liquid loading=\"eager\" path=\"assets/img/9.jpg\" class=\"img-fluid rounded z-depth-1\" zoomable=true %}

A link to [the data]({{ '/assets/json/table.json' | relative_url }}) on {{ site.url }}{{ site.baseurl }},
a citation {% cite lai2025principles %}, and a post {% post_url 2015-10-20-math %}.

{% assign shown = 3 %}{% for tag in page.tags limit: shown %}{{ tag }} {% endfor %}
{% if site.enable_x %}x{% else %}y{% endif %}

{% raw %}Liquid shown as an example: {{ page.title }} and {% include x.liquid %}{% endraw %}

{% highlight python linenos %}
print(\"{{ not templated }}\")
{% endhighlight %}

```r
x <- c(1, 2); cat(\"{{ x }}\", \"${#x}\")
```

Inline `{% tag %}` code, `{{ x }}` too.

{% details Click here %}
Hidden text.
{% enddetails %}
";

#[test]
fn a_post_without_likely_expressions_reaches_jekyll_byte_for_byte() {
    let dir = project("tiny");
    std::fs::write(
        dir.path().join("posts/2025-03-01-liquid-only.md"),
        LIQUID_ONLY,
    )
    .unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert_eq!(
        read(dir.path(), "site/_posts/2025-03-01-liquid-only.md"),
        LIQUID_ONLY
    );
    // The HTML page: what it can render, rendered; the rest shown as its
    // source in code, each with a warning; no Liquid outside code.
    let html = read(dir.path(), "site/_site/blog/2025/liquid-only/index.html");
    assert!(
        html.contains("href=\"../../../assets/json/table.json\""),
        "{html}"
    );
    let text = visible_text(&html);
    // The raw block's content is shown as text, as Jekyll shows it.
    let text = text.replace("{{ page.title }} and {% include x.liquid %}", "");
    assert!(!text.contains("{%") && !text.contains("{{"), "{text}");
    assert!(
        html.contains("print(&quot;{{ not templated }}&quot;)")
            || html.contains("print(\"{{ not templated }}\")"),
        "{html}"
    );
    assert!(html.contains("${#x}"), "{html}");
    assert!(
        out.stderr
            .contains("liquid-only.md:10: Liquid the HTML site shows as its source"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("{% cite lai2025principles %}"),
        "{}",
        out.stderr
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
