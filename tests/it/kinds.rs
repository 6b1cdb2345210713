//! Experiment kinds as a user meets them: a project with one spec and a
//! post quoting its numbers, built by the binary.

use std::path::Path;

use crate::common::{build_ok, likely, numbers, project_of, read};

fn post(dir: &Path) -> String {
    read(dir, "site/_posts/2025-01-01-note.md")
}

#[test]
fn a_post_can_quote_the_true_parameters_of_an_mle_experiment() {
    let dir = project_of(
        &[(
            "m",
            "seed: 1\nkind:\n  mle_consistency:\n    data: {normal: {mean: 1.5, std: 2.0}}\n    n: [10, 100]\n    replicates: 5\n",
        )],
        &[],
        "The truth is N({{ m.truth.mean }}, {{ m.truth.std | fixed(digits=2) }}).",
    );
    build_ok(dir.path(), &[], &[]);
    assert!(post(dir.path()).contains("The truth is N(1.5, 2.00)."));
}

#[test]
fn monte_carlo_of_a_log_ratio_without_a_variance_is_flagged_and_warned_about() {
    let dir = project_of(
        &[(
            "mc",
            "seed: 1\nkind:\n  kl_monte_carlo:\n    p: {student_t: {df: 3, loc: 0, scale: 1}}\n    q: {normal: {mean: 0, std: 1}}\n    n: [100, 1000]\n    replicates: 10\n",
        )],
        &[],
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

#[test]
fn a_target_no_normal_can_cover_has_no_reverse_fit_and_the_build_says_so() {
    let dir = project_of(
        &[(
            "f",
            "seed: 1\nkind:\n  forward_vs_reverse:\n    target: {gamma: {shape: 2, rate: 1}}\n    sample_size: 1000\n    model: {normal: {mean: {linspace: [-1, 6, 15]}, std: {logspace: [0.2, 4, 11]}}}\n    draws: 500\n",
        )],
        &[],
        "{% if f.reverse.exists %}Reverse fit N({{ f.reverse.mean }}, {{ f.reverse.std }}).\
         {% else %}No reverse fit: KL(q ‖ target) = {{ f.reverse.kl_q_target }} on all {{ f.grid.points }} grid points.{% endif %}",
    );
    let out = build_ok(dir.path(), &[], &[]);
    assert!(
        out.stderr
            .contains("warning: f: KL(q ‖ target) is +∞ for every normal q on the grid"),
        "{}",
        out.stderr
    );
    assert!(
        post(dir.path()).contains("No reverse fit: KL(q ‖ target) = inf on all 165 grid points.")
    );
    let reverse = &numbers(dir.path(), "f")["reverse"];
    assert!(reverse.get("mean").is_none(), "{reverse}");
}

#[test]
fn a_post_quoting_a_reverse_fit_that_does_not_exist_stops_at_that_line() {
    let dir = project_of(
        &[(
            "f",
            "seed: 1\nkind:\n  forward_vs_reverse:\n    target: {gamma: {shape: 2, rate: 1}}\n    sample_size: 1000\n    model: {normal: {mean: {linspace: [-1, 6, 15]}, std: {logspace: [0.2, 4, 11]}}}\n    draws: 500\n",
        )],
        &[],
        "The reverse fit has mean {{ f.reverse.mean | fixed(digits=3) }}.",
    );
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stderr.contains("posts/2025-01-01-note.md:5:") && out.stderr.contains("undefined"),
        "{}",
        out.stderr
    );
    // The warning that explains the failure is shown with it.
    assert!(out.stderr.contains("warning: f: "), "{}", out.stderr);
}

#[test]
fn a_student_t_grid_with_df_fixed_fits_with_df_held() {
    // A uniform sample: a t fitted with df free runs off to df = ∞.
    let dir = project_of(
        &[(
            "t",
            "seed: 1\nkind:\n  kl_vs_likelihood:\n    data: {uniform: {low: -1, high: 1}}\n    sample_size: 300\n    model: {student_t: {df: 5, loc: {linspace: [-1, 1, 11]}, scale: {logspace: [0.1, 2, 11]}}}\n",
        )],
        &[],
        "The MLE holds df at {{ t.mle.fixed.df }}.",
    );
    let out = build_ok(dir.path(), &[], &[]);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    assert!(post(dir.path()).contains("The MLE holds df at 5.0."));
}

#[test]
fn a_small_sample_gives_a_divergence_and_a_sample_estimate_under_their_own_names() {
    let dir = project_of(
        &[(
            "k",
            "seed: 1\nkind:\n  kl_vs_likelihood:\n    data: {normal: {mean: 0, std: 1}}\n    sample_size: 10\n    model: {normal: {mean: {linspace: [-2, 2, 41]}, std: {logspace: [0.3, 3, 31]}}}\n",
        )],
        &[],
        "KL {{ k.argmin_kl.kl | fixed(digits=4) }}, estimate {{ k.argmax_loglik.kl_estimate | fixed(digits=4) }}.",
    );
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "k");
    let kl = n["argmin_kl"]["kl"].as_f64().unwrap();
    let estimate = n["argmax_loglik"]["kl_estimate"].as_f64().unwrap();
    // The MLE of ten draws fits them better than the truth: the estimate is
    // negative; the divergence never is.
    assert!(kl > 0.0 && estimate < 0.0, "{kl}, {estimate}");
    assert!(post(dir.path()).contains(&format!("KL {kl:.4}, estimate {estimate:.4}.")));
}

#[test]
fn the_cramer_rao_bound_of_a_gamma_is_the_inverse_fisher_information() {
    // At shape 2 the trigamma function is π²/6 − 1 exactly, so with rate 1
    // the information matrix is [[ψ′(2), −1], [−1, 2]] and its inverse has
    // diagonal 2 / (2ψ′(2) − 1) and ψ′(2) / (2ψ′(2) − 1).
    let dir = project_of(
        &[(
            "g",
            "seed: 1\nkind:\n  mle_consistency:\n    data: {gamma: {shape: 2, rate: 1}}\n    n: [500]\n    replicates: 20\n",
        )],
        &[],
        "x",
    );
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "g");
    let trigamma = std::f64::consts::PI.powi(2) / 6.0 - 1.0;
    let det = 2.0 * trigamma - 1.0;
    for (param, variance) in [("shape", 2.0 / det), ("rate", trigamma / det)] {
        let want = (variance / 500.0).sqrt();
        let got = n["crb"][param][0].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-12 * want,
            "{param}: {got} vs {want}"
        );
    }
}
