//! Bad input: one clear message with file and line, exit code 1, no panic,
//! and the previous site/ left exactly as it was.

use std::path::Path;

use crate::common::{assert_same_tree, build_ok, likely, project, tree};

/// Builds once, applies `edit` to `file`, builds again and checks the
/// failure: exit code 1, `expected` fragments in stderr, site unchanged.
fn fails_cleanly(file: &str, edit: impl Fn(&str) -> String, expected: &[&str]) -> String {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(text, edited, "the edit must change {file}");
    std::fs::write(&path, edited).unwrap();
    let before = tree(&dir.path().join("site"));

    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "exit code; stderr:\n{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    for fragment in expected {
        assert!(
            out.stderr.contains(fragment),
            "missing `{fragment}` in:\n{}",
            out.stderr
        );
    }
    assert_same_tree(
        &before,
        &tree(&dir.path().join("site")),
        "site/ must be unchanged",
    );
    assert!(
        !Path::new(&dir.path().join(".likely/staging")).exists(),
        "no staging left behind"
    );
    out.stderr
}

#[test]
fn yaml_syntax_error_names_file_and_line() {
    fails_cleanly(
        "experiments/mc.yaml",
        |t| t.replace("seed: 3", "seed: '3"),
        &[
            "error: experiments/mc.yaml:8:1: found unexpected end of stream, while scanning a quoted scalar",
        ],
    );
}

#[test]
fn unknown_field_names_file_line_and_field() {
    fails_cleanly(
        "experiments/mc.yaml",
        |t| t.replace("replicates: 20", "replicates: 20\n    repeats: 3"),
        &[
            "experiments/mc.yaml:8:5:",
            "kind.kl_monte_carlo",
            "unknown field `repeats`",
        ],
    );
}

#[test]
fn wrong_type_names_file_line_and_field() {
    fails_cleanly(
        "experiments/mc.yaml",
        |t| t.replace("replicates: 20", "replicates: many"),
        &[
            "experiments/mc.yaml:7:17:",
            "kind.kl_monte_carlo.replicates",
        ],
    );
}

#[test]
fn non_positive_std_names_the_parameter() {
    fails_cleanly(
        "experiments/mc.yaml",
        |t| {
            t.replace(
                "q: {normal: {mean: 1, std: 2}}",
                "q: {normal: {mean: 1, std: 0}}",
            )
        },
        &[
            "experiments/mc.yaml:5:",
            "kind.kl_monte_carlo.q.normal.std",
            "> 0, got 0",
        ],
    );
}

#[test]
fn weights_not_summing_to_one_are_refused() {
    fails_cleanly(
        "experiments/surfaces.yaml",
        |t| t.replace("weights: [0.3, 0.7]", "weights: [0.3, 0.6]"),
        &[
            "experiments/surfaces.yaml:6:",
            "data.mixture.weights",
            "sum to 1",
        ],
    );
}

#[test]
fn every_bad_spec_is_reported_at_once() {
    let dir = project("tiny");
    for (file, from, to) in [
        ("experiments/mc.yaml", "replicates: 20", "replicates: -1"),
        ("experiments/mle.yaml", "seed: 1", "seed: 1\nextra: 2"),
    ] {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap().replace(from, to);
        std::fs::write(&path, text).unwrap();
    }
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("experiments/mc.yaml:7:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("experiments/mle.yaml:3:1: unknown field `extra`"),
        "{}",
        out.stderr
    );
    assert!(!dir.path().join("site/assets").exists(), "nothing ran");
}

#[test]
fn unknown_experiment_in_a_post_names_post_line_and_id() {
    let stderr = fails_cleanly(
        "posts/2025-01-02-tiny-post.md",
        |t| t.replace("figure(id=\"mle.rmse\"", "figure(id=\"nope.rmse\""),
        &[
            "posts/2025-01-02-tiny-post.md:20:",
            "unknown experiment `nope`",
        ],
    );
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "one message:\n{stderr}"
    );
}

#[test]
fn unknown_figure_and_undefined_number_name_what_exists() {
    fails_cleanly(
        "posts/2025-01-02-tiny-post.md",
        |t| t.replace("mle.rmse", "mle.nope"),
        &[
            "posts/2025-01-02-tiny-post.md:20:",
            "no figure `nope`",
            "rmse",
        ],
    );
    fails_cleanly(
        "posts/2025-01-02-tiny-post.md",
        |t| t.replace("mc.exact", "mc.exactly"),
        &[
            "posts/2025-01-02-tiny-post.md:11:",
            "undefined",
            "`mc` has no `exactly`; it has: bias, exact, exact_method, finite_variance,",
        ],
    );
    fails_cleanly(
        "posts/2025-01-02-tiny-post.md",
        |t| t.replace("mc.mean[2]", "mc.mean[7]"),
        &["`mc.mean` has 3 items, so no item 7"],
    );
    fails_cleanly(
        "posts/2025-01-02-tiny-post.md",
        |t| t.replace("{{ mc.exact | fixed", "{{ 2 * mc.exact | fixed"),
        &[
            "posts/2025-01-02-tiny-post.md:11:",
            "write `(a / b) | fixed(digits=3)`",
        ],
    );
}

#[test]
fn template_syntax_error_fails_before_any_experiment_runs() {
    let dir = project("tiny");
    let post = dir.path().join("posts/2025-01-02-tiny-post.md");
    let text = std::fs::read_to_string(&post)
        .unwrap()
        .replace("{{ table(id=\"mc\") }}", "{{ table(id=\"mc\") ");
    std::fs::write(&post, text).unwrap();
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("posts/2025-01-02-tiny-post.md:"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains("ran "),
        "validation comes first:\n{}",
        out.stdout
    );
    assert!(!dir.path().join("site/assets").exists());
}

#[test]
fn a_hand_edited_output_is_not_overwritten() {
    fails_cleanly(
        "site/_posts/2025-01-02-tiny-post.md",
        |t| t.replace("A Tiny Post", "An Edited Post"),
        &["site/_posts/2025-01-02-tiny-post.md was edited since likely wrote it"],
    );
}

#[test]
fn an_experiment_too_large_to_finish_is_refused() {
    fails_cleanly(
        "experiments/mle.yaml",
        |t| t.replace("replicates: 40", "replicates: 100000000"),
        &["experiments/mle.yaml:4:3: kind.mle_consistency:", "limit"],
    );
}

#[test]
fn a_post_whose_body_starts_right_after_the_front_matter_is_located_exactly() {
    let stderr = fails_cleanly(
        "posts/2025-01-02-tiny-post.md",
        |t| t.replacen("---\n\n", "---\n{{ nope.value }}\n", 1),
        &[
            "posts/2025-01-02-tiny-post.md:10:4: Variable `nope` is not defined",
            "10 | {{ nope.value }}\n   |    ^",
        ],
    );
    assert!(!stderr.contains("#}"), "{stderr}");
}

#[test]
fn every_problem_in_every_spec_and_post_is_reported_in_one_run() {
    let dir = project("tiny");
    build_ok(dir.path(), &[], &[]);
    let before = tree(&dir.path().join("site"));
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} lacks {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit("experiments/mc.yaml", "replicates: 20", "replicates: many");
    edit(
        "experiments/mle.yaml",
        "replicates: 40",
        "replicates: 40\n    extra: 1",
    );
    edit("posts/2025-01-02-tiny-post.md", "mc.exact", "mc.exactly");
    std::fs::write(
        dir.path().join("posts/2025-01-03-second.md"),
        "---\ntitle: Second\n---\nText {{ figure(id=\"nope.x\") }} and {% if %}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("posts/2025-01-04-third.md"),
        "---\ntitle: [unclosed\n---\nbody\n",
    )
    .unwrap();

    for command in [&["check"][..], &["build"]] {
        let out = likely(dir.path(), command, &[]);
        assert_eq!(out.code, 1, "{command:?}: {}", out.stderr);
        for fragment in [
            "error: experiments/mc.yaml:7:17:",
            "error: experiments/mle.yaml:",
            "unknown field `extra`",
            "error: posts/2025-01-02-tiny-post.md:11:28: Variable `mc` is not defined",
            "whose spec has errors",
            "error: posts/2025-01-03-second.md:4:",
            "error: posts/2025-01-04-third.md:3:",
            "5 problems; nothing was built",
        ] {
            assert!(
                out.stderr.contains(fragment),
                "{command:?}: missing `{fragment}` in:\n{}",
                out.stderr
            );
        }
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    assert_same_tree(&before, &tree(&dir.path().join("site")), "site/ unchanged");
}
