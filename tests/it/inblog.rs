//! likely inside a Jekyll blog: the project's root is the blog, likely
//! writes into its `_posts/` and `assets/likely/` and its HTML site into a
//! folder of its own, and never touches the blog's own files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{assert_same_tree, build_ok, likely, project, read, tree};

const OWN_POST: &str = "_posts/2024-11-05-before-likely.md";
const LIKELY_POST: &str = "_posts/2025-02-14-divergence-by-sampling.md";

/// The blog's files that are not likely's: everything but what a build
/// writes and its work folder.
fn blog_files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let ours = [
        "_html",
        ".likely",
        ".likely-manifest",
        "assets/likely",
        LIKELY_POST,
    ];
    tree(root)
        .into_iter()
        .filter(|(path, _)| !ours.iter().any(|o| path.starts_with(o)))
        .collect()
}

#[test]
fn a_build_inside_a_blog_writes_into_it_and_leaves_its_own_files_alone() {
    let dir = project("blog");
    let root = dir.path();
    let before = blog_files(root);
    let out = build_ok(root, &[], &[]);
    assert!(out.stdout.contains("built the blog"), "{}", out.stdout);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert_same_tree(&blog_files(root), &before, "the blog's own files");

    // The Jekyll post, its Liquid as written, likely's expressions replaced.
    let post = read(root, LIKELY_POST);
    for liquid in [
        "{% cite kullback1951 %}",
        "{% include figure.liquid path=\"assets/img/sketch.svg\"",
        "{% post_url 2024-11-05-before-likely %}",
        "{% raw %}Liquid as an example: {{ page.title }}{% endraw %}",
        "{% bibliography --cited %}",
    ] {
        assert!(post.contains(liquid), "{liquid}\n\n{post}");
    }
    assert!(!post.contains("coins.exact"), "{post}");
    assert!(root.join("assets/likely/coins/convergence.svg").is_file());
    assert!(root.join("assets/likely/coins/numbers.json").is_file());

    // The HTML site, in a folder of its own; Jekyll's `_site/` untouched.
    assert!(!root.join("_site").exists());
    assert!(!root.join("site").exists());
    let page = read(root, "_html/blog/2025/divergence-by-sampling/index.html");
    assert!(page.contains("Kullback &amp; Leibler, 1951"), "{page}");
    // A link to the blog's own post goes to the blog, where it is.
    assert!(
        page.contains("href=\"https://notes.example.org/field/blog/2024/before-likely/\""),
        "{page}"
    );
    assert!(root.join("_html/index.html").is_file());
    assert_eq!(
        std::fs::read(root.join("_html/assets/img/sketch.svg")).unwrap(),
        std::fs::read(root.join("assets/img/sketch.svg")).unwrap()
    );
    let manifest = read(root, ".likely-manifest");
    for line in manifest.lines() {
        let path = line.split_whitespace().nth(1).unwrap_or_default();
        assert!(
            path != OWN_POST && !path.starts_with("assets/img/"),
            "{line}"
        );
    }

    // The blog is exactly what a build makes, from its root or from outside.
    let out = likely(root, &["build", "--check"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("the blog is up to date"),
        "{}",
        out.stdout
    );
    let elsewhere = root.parent().unwrap();
    let out = likely(
        elsewhere,
        &["build", "--check", "--root", root.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    // A post removed from likely's sources leaves with its outputs only.
    let source = PathBuf::from("posts/2025-02-14-divergence-by-sampling.md");
    std::fs::remove_file(root.join(&source)).unwrap();
    build_ok(root, &[], &[]);
    assert!(!root.join(LIKELY_POST).exists());
    assert!(!root.join("_html/blog/2025").exists());
    let mut before = before;
    before.remove(&source);
    assert_same_tree(&blog_files(root), &before, "the blog's own files");
}

#[test]
fn the_html_folder_is_set_in_the_config() {
    let dir = project("blog");
    let root = dir.path();
    let config = read(root, "_config.yml").replace("likely:\n", "likely:\n  html: _notebook\n");
    std::fs::write(root.join("_config.yml"), config).unwrap();
    build_ok(root, &[], &[]);
    assert!(root.join("_notebook/index.html").is_file());
    assert!(!root.join("_html").exists());
}

/// Builds the blog fixture with `edit` applied to its config, expecting
/// an error; returns what was printed, having checked nothing was written.
fn config_error(edit: impl Fn(&str) -> String) -> String {
    let dir = project("blog");
    let root = dir.path();
    let config = edit(&read(root, "_config.yml"));
    std::fs::write(root.join("_config.yml"), config).unwrap();
    let before = tree(root);
    let out = likely(root, &["build"], &[]);
    assert_ne!(out.code, 0, "{}", out.stdout);
    let after = tree(root)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".likely"))
        .collect();
    assert_same_tree(&after, &before, "after a failed build");
    out.stderr
}

#[test]
fn the_html_site_may_not_overwrite_jekylls_output_or_the_posts() {
    for (html, says) in [
        ("_site", "Jekyll's own output (`_site`)"),
        ("_posts/html", "the blog's posts and assets"),
        ("assets", "the blog's posts and assets"),
        ("../outside", "is not a folder inside the site"),
    ] {
        let err = config_error(|c| c.replace("likely:\n", &format!("likely:\n  html: {html}\n")));
        let line = read_line_of(&err);
        assert!(err.contains(&format!("_config.yml:{line}")), "{err}");
        assert_eq!(line, 31, "{err}");
        assert!(
            err.contains("likely.html") && err.contains(says),
            "{html}: {err}"
        );
    }
    let err = config_error(|c| {
        c.replace("likely:\n", "likely:\n  html: _out\n")
            .replace("destination: x\n", "")
            + "destination: ./_out\n"
    });
    assert!(err.contains("Jekyll's own output (`_out`)"), "{err}");
}

/// The line number after `_config.yml:` in an error.
fn read_line_of(err: &str) -> usize {
    let at = err.find("_config.yml:").expect("the config is named") + "_config.yml:".len();
    err[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn jekyll_must_be_told_to_leave_likelys_sources_alone() {
    let err = config_error(|c| {
        c.replace("  - posts\n", "")
            .replace("  - experiments\n", "")
    });
    assert!(
        err.contains("exclude: Jekyll would publish likely's experiments, posts"),
        "{err}"
    );
    assert!(err.contains("_config.yml:23"), "{err}");
    // A folder of its own for the HTML site that Jekyll would publish.
    let err = config_error(|c| c.replace("likely:\n", "likely:\n  html: notebook\n"));
    assert!(err.contains("likely's notebook"), "{err}");
    // Patterns count.
    let dir = project("blog");
    let root = dir.path();
    let config = read(root, "_config.yml").replace("  - posts\n", "  - \"po*\"\n");
    std::fs::write(root.join("_config.yml"), config).unwrap();
    build_ok(root, &[], &[]);
}

#[test]
fn a_blog_file_in_the_way_is_never_overwritten() {
    let dir = project("blog");
    let root = dir.path();
    std::fs::write(root.join(LIKELY_POST), "the author's own text\n").unwrap();
    let before = tree(root);
    let out = likely(root, &["build"], &[]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains(LIKELY_POST), "{}", out.stderr);
    let after = tree(root)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".likely"))
        .collect();
    assert_same_tree(&after, &before, "after a refused build");
}
