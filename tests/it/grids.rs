//! Grids over any continuous family, one parameter swept or two:
//! `forward_vs_reverse` over a Laplace grid against a heavy-tailed target,
//! `kl_vs_likelihood` curves on a data file, and grids refused where they
//! are written.

use crate::common::{assert_same_tree, build_ok, likely, num, numbers, project_of, read, tree};

const LAPLACE_FOR_T3: &str = "seed: 9
kind:
  forward_vs_reverse:
    target: {student_t: {df: 3, loc: 0, scale: 1}}
    sample_size: 20000
    model:
      laplace:
        loc: {linspace: [-1, 1, 21]}
        scale: {logspace: [0.5, 2, 21]}
    draws: 20000
    log_density: true
";

#[test]
fn a_laplace_grid_fits_a_heavy_tailed_target_both_ways_at_any_thread_count() {
    let dir = project_of(
        &[("heavy", LAPLACE_FOR_T3)],
        &[],
        "{{ figure(id=\"heavy.fits\") }}\n\n{{ figure(id=\"heavy.surfaces\") }}\n\n\
         forward on the grid: {{ heavy.forward_grid.scale | fixed(digits=3) }}",
    );
    build_ok(dir.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "1")]);
    let one = tree(&dir.path().join("site"));
    build_ok(dir.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "3")]);
    assert_same_tree(&one, &tree(&dir.path().join("site")), "1 vs 3 threads");

    let n = numbers(dir.path(), "heavy");
    // Over Laplaces, KL(t₃ ‖ q) is least at the median, 0, and the mean
    // absolute deviation, 2√3/π = 1.10266; KL(q ‖ t₃) at loc 0, scale
    // 1.06486 (scipy: Nelder–Mead on quadrature of the definition). The
    // grid steps are 0.1 in loc and a factor 4^(1/20) in scale.
    let ratio = 4f64.powf(1.0 / 20.0).ln();
    let forward = &n["forward_grid"];
    assert_eq!(forward["exists"], true);
    assert!(num(&forward["loc"]).abs() < 0.05 + 1e-12, "{forward}");
    assert!(
        (num(&forward["scale"]) / 1.102_657_790_843_584_2)
            .ln()
            .abs()
            <= ratio / 2.0 + 1e-12
    );
    // The minimum is 0.0173930 (scipy); a half step off in scale costs
    // less than 1e-3.
    assert!((num(&forward["kl_target_q"]) - 0.017_393_047_741_254_3).abs() < 1e-3);
    let reverse = &n["reverse"];
    assert_eq!(reverse["exists"], true);
    assert!(num(&reverse["loc"]).abs() <= 0.1 + 1e-12, "{reverse}");
    assert!(
        (num(&reverse["scale"]) / 1.064_857_7).ln().abs() <= ratio + 1e-12,
        "{reverse}"
    );
    // By quadrature at the grid's reverse fit, against its minimum, 0.0095575.
    assert!(
        (num(&reverse["kl_q_target"]) - 0.009_557_533).abs() < 2e-3,
        "{reverse}"
    );
    assert_eq!(n["grid"]["forward_kl_method"], "quadrature");
    assert_eq!(n["grid"]["points"], 21 * 21);
    let svg = read(dir.path(), "site/assets/likely/heavy/surfaces.svg");
    assert!(svg.contains("KL(target ‖ q)") && svg.contains("KL(q ‖ target)"));
    let post = read(dir.path(), "site/_posts/2025-01-01-note.md");
    assert!(post.contains(&format!(
        "forward on the grid: {:.3}",
        num(&forward["scale"])
    )));
}

#[test]
fn a_curve_over_a_data_file_reports_the_likelihood_and_no_kl() {
    let mut csv = String::from("id,wait\n");
    let waits = [0.8, 2.5, 1.1, 0.3, 4.2, 1.7, 0.9, 2.2, 0.4, 3.1, 1.3, 0.6];
    for (k, w) in waits.iter().enumerate() {
        csv += &format!("{k},{w}\n");
    }
    let spec = "seed: 1
kind:
  kl_vs_likelihood:
    data: {csv: data/waits.csv, column: wait}
    model:
      exponential:
        rate: {logspace: [0.05, 5, 81]}
";
    let dir = project_of(
        &[("waits", spec)],
        &[("data/waits.csv", &csv)],
        "{{ figure(id=\"waits.surfaces\") }}\n\n{{ table(id=\"waits.optimum\") }}\n\n\
         MLE {{ waits.mle.rate | fixed(digits=4) }}",
    );
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "waits");
    let mean = waits.iter().sum::<f64>() / waits.len() as f64;
    // Exp(λ) has average log-likelihood ln λ − λ · mean(x), greatest at
    // λ = 1/mean(x).
    assert!((num(&n["mle"]["rate"]) - 1.0 / mean).abs() < 1e-12);
    let best = num(&n["argmax_loglik"]["rate"]);
    assert!((best / (1.0 / mean)).ln().abs() <= 100f64.powf(1.0 / 80.0).ln() / 2.0 + 1e-12);
    let ll = num(&n["argmax_loglik"]["avg_loglik"]);
    assert!((ll - (best.ln() - best * mean)).abs() < 1e-12);
    assert_eq!(n["sample_size"], waits.len());
    assert_eq!(n["kl_exact"], false);
    assert!(n["no_kl"].as_str().unwrap().contains("no known density"));
    for key in ["argmin_kl", "argmin_kl_estimate", "kl_at_mle", "entropy"] {
        assert!(n.get(key).is_none(), "{key}");
    }
    let post = read(dir.path(), "site/_posts/2025-01-01-note.md");
    assert!(!post.contains("KL (nats)"), "{post}");
    assert!(post.contains(&format!("MLE {:.4}", 1.0 / mean)));
    let svg = read(dir.path(), "site/assets/likely/waits/surfaces.svg");
    assert!(svg.contains("no KL"));
    // Editing the file reruns the experiment.
    std::fs::write(dir.path().join("data/waits.csv"), csv.replace("4.2", "5.2")).unwrap();
    let out = build_ok(dir.path(), &[], &[]);
    assert!(out.stdout.contains("(1 ran, 0 cached)"), "{}", out.stdout);
}

fn fails(spec: &str, expected: &[&str]) -> String {
    let dir = project_of(&[("bad", spec)], &[], "x");
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        !out.stdout.contains("ran "),
        "nothing runs:\n{}",
        out.stdout
    );
    for fragment in expected {
        assert!(
            out.stderr.contains(fragment),
            "missing `{fragment}` in:\n{}",
            out.stderr
        );
    }
    out.stderr
}

#[test]
fn bad_grids_are_refused_with_file_line_and_column() {
    let with_model = |model: &str| {
        LAPLACE_FOR_T3.replace(
        "      laplace:\n        loc: {linspace: [-1, 1, 21]}\n        scale: {logspace: [0.5, 2, 21]}\n",
        model,
    )
    };
    fails(
        &with_model("      laplace: {loc: 0, scale: 1}\n"),
        &[
            "experiments/bad.yaml:7:16: kind.forward_vs_reverse.model.laplace:",
            "sweeps one parameter (a curve) or two (a surface), giving the others one value; this one sweeps 0",
        ],
    );
    fails(
        &with_model("      student_t: {df: [3, 4], loc: [0, 1], scale: [1, 2]}\n"),
        &[
            "experiments/bad.yaml:",
            "this one sweeps 3: [df, loc, scale]",
        ],
    );
    fails(
        &with_model("      uniform: {low: [0, 1], high: [0.5, 2]}\n"),
        &[
            "experiments/bad.yaml:",
            "at the grid point low = 1, high = 0.5",
        ],
    );
    fails(
        &with_model("      poisson: {rate: [1, 2, 3]}\n"),
        &[
            "experiments/bad.yaml:7:16: kind.forward_vs_reverse.model.poisson:",
            "the poisson family is discrete",
        ],
    );
    fails(
        &LAPLACE_FOR_T3.replace(
            "{student_t: {df: 3, loc: 0, scale: 1}}",
            "{poisson: {rate: 3}}",
        ),
        &[
            "experiments/bad.yaml:",
            "kind.forward_vs_reverse.target:",
            "is discrete",
        ],
    );
    fails(
        "seed: 1\nkind:\n  kl_vs_likelihood:\n    data: {normal: {mean: 0, std: 1}}\n    sample_size: 10\n    model: {normal: {mean: 0, std: 1}}\n",
        &[
            "experiments/bad.yaml:6:",
            "kind.kl_vs_likelihood.model.normal:",
            "this one sweeps 0",
        ],
    );
}
