//! The HTML site as a blog: the index by year and in pages, a page per tag,
//! category and year, the archive, the Atom feed, the sitemap, robots.txt
//! and the 404 page; every link of every page leads to a file of the site,
//! at the root of a host or under a `baseurl`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::common::{build_ok, read};

/// A bell curve, for a figure.
const SPEC: &str = "seed: 1\nkind:\n  density:\n    dist: {normal: {mean: 0, std: 1}}\n";

/// Six posts over two years: five published (two of them redirects, one
/// to another post, one to another site), one left out.
const POSTS: &[(&str, &str)] = &[
    (
        "2024-03-10-first-light.md",
        "---\nlayout: post\ntitle: First Light\ndescription: Where the notes begin.\n\
         tags: [Sampling, Monte Carlo]\ncategories: methods\n---\n\n\
         A curve, drawn from its experiment:\n\n\
         {{ figure(id=\"bell.density\", caption=\"The standard normal.\") }}\n\n\
         A photograph the blog keeps:\n\n\
         {% include figure.liquid path=\"assets/img/lens.svg\" class=\"img-fluid\" caption=\"A lens.\" %}\n\n\
         More in [the next note]({% post_url 2025-02-14-second-thoughts %}).\n",
    ),
    (
        "2024-11-02-a-detour.md",
        "---\ntitle: A Detour\ntags: notes sampling\ncategories: [essays]\n\
         redirect: /blog/2024/first-light/\n---\n\nMoved.\n",
    ),
    (
        "2025-02-14-second-thoughts.md",
        "---\ntitle: Second Thoughts\ndescription: A second look at <the> first.\ntags: [notes]\ncategories: methods\n---\n\n\
         Back to [the first note]({% post_url 2024-03-10-first-light %}).\n",
    ),
    (
        "2025-05-01-elsewhere.md",
        "---\ntitle: Elsewhere\ntags: [links]\nredirect: https://example.com/elsewhere\n---\n\nGone.\n",
    ),
    (
        "2025-06-06-unfinished.md",
        "---\ntitle: Unfinished\npublished: false\ntags: [secret]\ncategories: hidden\n---\n\nNot yet.\n",
    ),
    (
        "2025-08-20-latest.md",
        "---\ntitle: \"Bias & Variance <revisited>\"\ndate: 2025-08-20 09:30:00 +0200\n\
         last_modified_at: 2025-09-01\ntags: [Monte Carlo]\ncategories: [essays, methods]\n---\n\n\
         The newest note, with $$x^2$$ and a [link home]({{ '/' | relative_url }}).\n",
    ),
];

/// The published posts' titles as pages write them, newest first.
const NEWEST_FIRST: [&str; 5] = [
    "Bias &amp; Variance &lt;revisited&gt;",
    "Elsewhere",
    "Second Thoughts",
    "A Detour",
    "First Light",
];

/// The blog, built with `config` as its `_config.yml`.
fn blog(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    let mut files: Vec<(String, &str)> = POSTS
        .iter()
        .map(|(name, text)| (format!("posts/{name}"), *text))
        .collect();
    files.push(("experiments/bell.yaml".into(), SPEC));
    files.push(("site/_config.yml".into(), config));
    files.push((
        "site/assets/img/lens.svg".into(),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    ));
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    build_ok(root, &[], &[]);
    dir
}

fn config(baseurl: &str, pagination: &str) -> String {
    format!(
        "title: Field Notes\nauthor: A. Writer\nurl: https://example.org\nbaseurl: \"{baseurl}\"\n\
         permalink: /blog/:year/:title/\n{pagination}"
    )
}

/// The values of every `href` and `src` attribute in `html`, decoded.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" href=\"", " src=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            let value = &rest[..rest.find('"').unwrap()];
            found.push(
                value
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
            );
        }
    }
    found
}

/// The file of the site a link on the page `page` (under `site`) leads
/// to, or why it leads to none; `None` for a link that leaves the site.
fn resolve(site: &Path, page: &Path, link: &str, baseurl: &str) -> Option<Result<PathBuf, String>> {
    let remote = ["http://", "https://", "//", "mailto:", "data:"];
    if link.starts_with('#') || remote.iter().any(|r| link.starts_with(r)) {
        return None;
    }
    let path = link.split(['#', '?']).next().unwrap();
    let (mut resolved, rest) = match path.strip_prefix('/') {
        Some(_) => match path.strip_prefix(&format!("{baseurl}/")) {
            Some(rest) => (PathBuf::new(), rest),
            None => return Some(Err(format!("{link} is outside the baseurl"))),
        },
        None => (page.parent().unwrap().to_path_buf(), path),
    };
    for part in Path::new(rest).components() {
        match part {
            Component::ParentDir if !resolved.pop() => {
                return Some(Err(format!("{link} climbs above the site")));
            }
            Component::ParentDir | Component::CurDir => {}
            other => resolved.push(other),
        }
    }
    let file = site.join(&resolved);
    Some(if file.is_file() {
        Ok(resolved)
    } else {
        Err(format!("{link} leads to no file ({})", resolved.display()))
    })
}

/// Every HTML page of the site, by path under it.
fn pages(site: &Path) -> Vec<PathBuf> {
    crate::common::tree(site)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Checks that every internal link and asset of every page is a file of
/// the site, and returns the files linked to.
fn assert_links_resolve(site: &Path, baseurl: &str) -> BTreeSet<PathBuf> {
    let mut broken = Vec::new();
    let mut reached = BTreeSet::new();
    for page in pages(site) {
        let html = std::fs::read_to_string(site.join(&page)).unwrap();
        for link in links(&html) {
            match resolve(site, &page, &link, baseurl) {
                Some(Ok(file)) => {
                    reached.insert(file);
                }
                Some(Err(why)) => broken.push(format!("{}: {why}", page.display())),
                None => {}
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    reached
}

/// The titles a list page links to, in order.
fn listed(html: &str) -> Vec<String> {
    html.match_indices("class=\"post-link\"")
        .map(|(at, _)| {
            let rest = &html[at..];
            let start = rest.find('>').unwrap() + 1;
            rest[start..start + rest[start..].find("</a>").unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn every_link_of_every_page_leads_to_a_file_at_the_root_and_under_a_baseurl() {
    for baseurl in ["", "/notes"] {
        let dir = blog(&config(
            baseurl,
            "pagination:\n  enabled: true\n  per_page: 2\n",
        ));
        let site = dir.path().join("site/_site");
        let reached = assert_links_resolve(&site, baseurl);
        for file in [
            "index.html",
            "page/2/index.html",
            "page/3/index.html",
            "blog/archive/index.html",
            "blog/2024/index.html",
            "blog/tag/monte-carlo/index.html",
            "blog/category/essays/index.html",
            "blog/2024/first-light/index.html",
            "assets/likely/bell/density.svg",
            "assets/img/lens.svg",
            "assets/likely/style.css",
            "assets/katex/katex.min.css",
            "feed.xml",
        ] {
            assert!(
                reached.contains(Path::new(file)),
                "{baseurl}: nothing links to {file}"
            );
        }
        // The 404 page is shown at any depth, so its links start at the baseurl.
        let missing = read(&site, "404.html");
        assert!(
            missing.contains(&format!("href=\"{baseurl}/assets/likely/style.css\"")),
            "{missing}"
        );
        // The unpublished post has no page and is listed nowhere.
        assert!(!site.join("blog/2025/unfinished").exists());
        assert!(!site.join("blog/tag/secret").exists());
        assert!(!site.join("blog/category/hidden").exists());
        for page in pages(&site) {
            assert!(
                !read(&site, page.to_str().unwrap()).contains("Unfinished"),
                "{}",
                page.display()
            );
        }
        // The redirect to another post leads to that post's file.
        let detour = read(&site, "blog/2024/a-detour/index.html");
        assert!(
            detour.contains("url=../../../blog/2024/first-light/index.html"),
            "{detour}"
        );
        assert_eq!(
            read(&site, "robots.txt"),
            format!("Sitemap: https://example.org{baseurl}/sitemap.xml\n")
        );
    }
}

#[test]
fn tag_category_and_year_pages_list_exactly_their_posts() {
    let dir = blog(&config("", ""));
    let site = dir.path().join("site/_site");
    let expected: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("blog/tag/sampling", vec!["A Detour", "First Light"]),
        ("blog/tag/monte-carlo", vec![NEWEST_FIRST[0], "First Light"]),
        ("blog/tag/notes", vec!["Second Thoughts", "A Detour"]),
        ("blog/tag/links", vec!["Elsewhere"]),
        (
            "blog/category/methods",
            vec![NEWEST_FIRST[0], "Second Thoughts", "First Light"],
        ),
        ("blog/category/essays", vec![NEWEST_FIRST[0], "A Detour"]),
        ("blog/2024", vec!["A Detour", "First Light"]),
        ("blog/2025", NEWEST_FIRST[..3].to_vec()),
        ("blog/archive", NEWEST_FIRST.to_vec()),
    ]);
    for (page, titles) in &expected {
        assert_eq!(
            listed(&read(&site, &format!("{page}/index.html"))),
            *titles,
            "{page}"
        );
    }
    // No other tag or category has a page.
    for taxonomy in ["tag", "category"] {
        let made: BTreeSet<String> = std::fs::read_dir(site.join("blog").join(taxonomy))
            .unwrap()
            .map(|e| {
                format!(
                    "blog/{taxonomy}/{}",
                    e.unwrap().file_name().to_string_lossy()
                )
            })
            .collect();
        let wanted: BTreeSet<String> = expected
            .keys()
            .filter(|k| k.starts_with(&format!("blog/{taxonomy}/")))
            .map(|k| (*k).to_owned())
            .collect();
        assert_eq!(made, wanted);
    }
    // A post's page and the index link its tags and categories to theirs.
    let post = read(&site, "blog/2024/first-light/index.html");
    for link in [
        "<a class=\"tag\" href=\"../../../blog/tag/monte-carlo/index.html\">#Monte Carlo</a>",
        "<a class=\"category\" href=\"../../../blog/category/methods/index.html\">methods</a>",
    ] {
        assert!(post.contains(link), "{link}\n{post}");
    }
    let index = read(&site, "index.html");
    assert!(
        index.contains("href=\"blog/tag/notes/index.html\">#notes</a>"),
        "{index}"
    );
    assert!(
        index.contains("href=\"blog/category/essays/index.html\">essays</a>"),
        "{index}"
    );
    // Five posts, al-folio's five a page: one page, grouped by year.
    assert_eq!(listed(&index), NEWEST_FIRST);
    assert!(!site.join("page/2").exists());
    let years: Vec<_> = index.match_indices("class=\"year-title\"").collect();
    assert_eq!(years.len(), 2);
    assert!(index.contains("<a href=\"blog/2025/index.html\">2025</a>"));
}

#[test]
fn the_index_is_split_into_pages_linked_in_order() {
    let dir = blog(&config("", "pagination:\n  enabled: true\n  per_page: 2\n"));
    let site = dir.path().join("site/_site");
    let pages = [
        (
            "index.html",
            &NEWEST_FIRST[0..2],
            None,
            Some("page/2/index.html"),
        ),
        (
            "page/2/index.html",
            &NEWEST_FIRST[2..4],
            Some("../../index.html"),
            Some("../../page/3/index.html"),
        ),
        (
            "page/3/index.html",
            &NEWEST_FIRST[4..],
            Some("../../page/2/index.html"),
            None,
        ),
    ];
    for (page, titles, previous, next) in pages {
        let html = read(&site, page);
        assert_eq!(listed(&html), titles, "{page}");
        let link = |class: &str| {
            let at = html.find(&format!("class=\"{class}\" href=\""))?;
            let rest = &html[at + class.len() + 15..];
            Some(rest[..rest.find('"').unwrap()].to_owned())
        };
        assert_eq!(link("pager-previous").as_deref(), previous, "{page}");
        assert_eq!(link("pager-next").as_deref(), next, "{page}");
    }
    assert!(!site.join("page/4").exists());
    assert!(read(&site, "page/3/index.html").contains("Page 3 of 3"));
    // Jekyll's own `paginate:` key, and pagination turned off.
    let dir = blog(&config("", "paginate: 3\n"));
    let site = dir.path().join("site/_site");
    assert_eq!(listed(&read(&site, "index.html")).len(), 3);
    assert_eq!(listed(&read(&site, "page/2/index.html")).len(), 2);
    let dir = blog(&config(
        "",
        "pagination:\n  enabled: false\n  per_page: 2\n",
    ));
    let site = dir.path().join("site/_site");
    assert_eq!(listed(&read(&site, "index.html")), NEWEST_FIRST);
    assert!(!site.join("page").exists());
}

/// The text of the child of `node` named `name` (in `namespace`).
fn child<'a>(
    node: roxmltree::Node<'a, 'a>,
    namespace: &str,
    name: &str,
) -> roxmltree::Node<'a, 'a> {
    node.children()
        .find(|c| c.has_tag_name((namespace, name)))
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", node.tag_name().name()))
}

#[test]
fn the_feed_is_atom_as_jekyll_feed_writes_it() {
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let dir = blog(&config("/notes", ""));
    let xml = read(&dir.path().join("site/_site"), "feed.xml");
    let doc = roxmltree::Document::parse(&xml).expect("feed.xml is XML");
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")));
    let text = |node, name| child(node, ATOM, name).text().unwrap_or("").to_owned();
    assert_eq!(text(feed, "id"), "https://example.org/notes/feed.xml");
    assert_eq!(text(feed, "title"), "Field Notes");
    assert_eq!(text(feed, "updated"), "2025-09-01T00:00:00+00:00");
    assert_eq!(text(child(feed, ATOM, "author"), "name"), "A. Writer");
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .collect();
    let titles: Vec<String> = entries.iter().map(|e| text(*e, "title")).collect();
    // jekyll-feed's `strip_html` takes what looks like a tag out of a title.
    assert_eq!(
        titles,
        [
            "Bias & Variance",
            "Elsewhere",
            "Second Thoughts",
            "A Detour",
            "First Light"
        ]
    );
    for entry in &entries {
        for name in ["id", "title", "updated", "published"] {
            assert!(!text(*entry, name).is_empty(), "{name}");
        }
        let link = child(*entry, ATOM, "link").attribute("href").unwrap();
        assert!(
            link.starts_with("https://example.org/notes/blog/"),
            "{link}"
        );
    }
    let latest = entries[0];
    assert_eq!(text(latest, "published"), "2025-08-20T09:30:00+02:00");
    assert_eq!(text(latest, "updated"), "2025-09-01T00:00:00+00:00");
    assert_eq!(
        text(latest, "id"),
        "https://example.org/notes/blog/2025/latest"
    );
    let content = child(latest, ATOM, "content");
    assert_eq!(content.attribute("type"), Some("html"));
    assert_eq!(
        content.attribute(("http://www.w3.org/XML/1998/namespace", "base")),
        Some("https://example.org/notes/blog/2025/latest/")
    );
    let html = content.text().unwrap();
    assert!(
        html.starts_with("<p>The newest note, with <span class=\"katex\">"),
        "{html}"
    );
    // The description is the summary; a post without one has none.
    let summaries: Vec<Option<&str>> = entries
        .iter()
        .map(|e| {
            e.children()
                .find(|c| c.has_tag_name((ATOM, "summary")))
                .and_then(|s| s.text())
        })
        .collect();
    assert_eq!(
        summaries,
        [
            None,
            None,
            Some("A second look at <the> first."),
            None,
            Some("Where the notes begin.")
        ]
    );
    let terms: Vec<_> = latest
        .children()
        .filter(|c| c.has_tag_name((ATOM, "category")))
        .map(|c| c.attribute("term").unwrap())
        .collect();
    assert_eq!(terms, ["essays", "methods", "Monte Carlo"]);
    // jekyll-feed's limit.
    let dir = blog(&config("", "feed:\n  posts_limit: 2\n"));
    let xml = read(&dir.path().join("site/_site"), "feed.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(
        doc.root_element()
            .children()
            .filter(|c| c.has_tag_name((ATOM, "entry")))
            .count(),
        2
    );
}

#[test]
fn the_sitemap_lists_every_page_a_reader_lands_on() {
    const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
    let dir = blog(&config("/notes", "paginate: 2\n"));
    let xml = read(&dir.path().join("site/_site"), "sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is XML");
    assert!(doc.root_element().has_tag_name((SITEMAP, "urlset")));
    let mut locs = BTreeMap::new();
    for url in doc.root_element().children().filter(|c| c.is_element()) {
        assert!(url.has_tag_name((SITEMAP, "url")));
        let loc = child(url, SITEMAP, "loc").text().unwrap().to_owned();
        let lastmod = child(url, SITEMAP, "lastmod").text().unwrap().to_owned();
        assert!(loc.starts_with("https://example.org/notes/"), "{loc}");
        locs.insert(
            loc.trim_start_matches("https://example.org/notes")
                .to_owned(),
            lastmod,
        );
    }
    let expected = [
        "/",
        "/page/2/",
        "/page/3/",
        "/blog/archive/",
        "/blog/2024/",
        "/blog/2025/",
        "/blog/2024/first-light/",
        "/blog/2025/second-thoughts/",
        "/blog/2025/latest/",
        "/blog/tag/sampling/",
        "/blog/tag/monte-carlo/",
        "/blog/tag/notes/",
        "/blog/tag/links/",
        "/blog/category/methods/",
        "/blog/category/essays/",
    ];
    assert_eq!(
        locs.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected.into_iter().collect::<BTreeSet<_>>(),
        "redirects and the unpublished post are left out"
    );
    assert_eq!(locs["/blog/2025/latest/"], "2025-09-01T00:00:00+00:00");
    assert_eq!(locs["/blog/2024/"], "2024-11-02T00:00:00+00:00");
}
