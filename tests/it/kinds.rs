//! Experiment kinds as a user meets them: a project with one spec and a
//! post quoting its numbers, built by the binary.

use std::path::Path;

use crate::common::{build_ok, read};

/// A project with `experiments/<id>.yaml` holding `spec` and one post,
/// `posts/2025-01-01-note.md`, whose body (line 5 on) is `body`.
fn project_with(id: &str, spec: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path();
    std::fs::create_dir_all(root.join("experiments")).unwrap();
    std::fs::create_dir_all(root.join("posts")).unwrap();
    std::fs::write(root.join(format!("experiments/{id}.yaml")), spec).unwrap();
    std::fs::write(
        root.join("posts/2025-01-01-note.md"),
        format!("---\ntitle: Note\n---\n\n{body}\n"),
    )
    .unwrap();
    dir
}

fn post(dir: &Path) -> String {
    read(dir, "site/_posts/2025-01-01-note.md")
}

#[test]
fn a_post_can_quote_the_true_parameters_of_an_mle_experiment() {
    let dir = project_with(
        "m",
        "seed: 1\nkind:\n  mle_consistency:\n    data: {normal: {mean: 1.5, std: 2.0}}\n    n: [10, 100]\n    replicates: 5\n",
        "The truth is N({{ m.truth.mean }}, {{ m.truth.std | fixed(digits=2) }}).",
    );
    build_ok(dir.path(), &[], &[]);
    assert!(post(dir.path()).contains("The truth is N(1.5, 2.00)."));
}

#[test]
fn monte_carlo_of_a_log_ratio_without_a_variance_is_flagged_and_warned_about() {
    let dir = project_with(
        "mc",
        "seed: 1\nkind:\n  kl_monte_carlo:\n    p: {student_t: {df: 3, loc: 0, scale: 1}}\n    q: {normal: {mean: 0, std: 1}}\n    n: [100, 1000]\n    replicates: 10\n",
        "{% if mc.finite_variance %}With error bars.{% else %}Without error bars.{% endif %}",
    );
    let out = build_ok(dir.path(), &[], &[]);
    assert!(
        out.stderr
            .contains("warning: mc: ln p − ln q has infinite variance under p"),
        "{}",
        out.stderr
    );
    assert!(post(dir.path()).contains("Without error bars."));
}
