//! `likely build --check`: compares `site/` with what the build makes,
//! lists every difference, and never writes `site/`.

use crate::common::{assert_same_tree, build_ok, likely, project, read, tree};

#[test]
fn an_up_to_date_site_passes_the_check() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let before = tree(&dir.path().join("site"));
    let out = likely(dir.path(), &["build", "--check"], &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("site/ is up to date"), "{}", out.stdout);
    assert_same_tree(&before, &tree(&dir.path().join("site")), "site/ untouched");
}

#[test]
fn every_changed_missing_and_extra_file_is_listed_and_nothing_is_written() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let post = dir.path().join("posts/2025-01-02-tiny-post.md");
    let text = read(dir.path(), "posts/2025-01-02-tiny-post.md");
    std::fs::write(
        &post,
        text.replace("The exact divergence", "The divergence"),
    )
    .unwrap();
    // A new experiment (missing outputs) and one removed (extra outputs).
    std::fs::copy(
        dir.path().join("experiments/mc.yaml"),
        dir.path().join("experiments/mc2.yaml"),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("experiments/fits.yaml")).unwrap();
    let before = tree(&dir.path().join("site"));

    let out = likely(dir.path(), &["build", "--check"], &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    for line in [
        "differs  site/_posts/2025-01-02-tiny-post.md",
        "differs  site/.likely-manifest",
        "missing  site/assets/likely/mc2/numbers.json",
        "extra    site/assets/likely/fits/numbers.json",
    ] {
        assert!(
            out.stdout.contains(line),
            "missing `{line}` in:\n{}",
            out.stdout
        );
    }
    assert!(
        out.stderr.contains("site/ is not what the build makes"),
        "{}",
        out.stderr
    );
    assert_same_tree(&before, &tree(&dir.path().join("site")), "site/ untouched");

    // Building makes the check pass.
    build_ok(dir.path(), &[], &[]);
    assert_eq!(likely(dir.path(), &["build", "--check"], &[]).code, 0);
}

#[test]
fn a_site_never_built_is_all_missing() {
    let dir = project("tiny");
    let out = likely(dir.path(), &["build", "--check"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("missing  site/_posts/2025-01-02-tiny-post.md"),
        "{}",
        out.stdout
    );
    assert!(
        !dir.path()
            .join("site/_posts/2025-01-02-tiny-post.md")
            .exists()
    );
}
