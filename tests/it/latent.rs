//! Latent-variable models in `elbo_gap` (a prior and a likelihood template
//! in z) and multivariate normals in `kl_monte_carlo`: projects that build,
//! numbers checked against independent values, bad input refused.

use crate::common::{assert_same_tree, build_ok, likely, num, numbers, project_of, read, tree};

const SQUARE: &str = "seed: 11
kind:
  elbo_gap:
    model:
      latent:
        prior: {normal: {mean: 0, std: 1}}
        likelihood: \"normal(mean = z^2, std = 0.5)\"
    x: [1.5]
    q:
      normal:
        mean: {linspace: [-2, 2, 41]}
        std: {logspace: [0.1, 2, 30]}
    draws: 1000
";

#[test]
fn an_elbo_gap_over_a_bimodal_posterior_builds_the_same_with_one_thread_and_many() {
    let post = "{{ square.log_px | fixed(digits=6) }}, {{ square.best_q.q }}\n\n\
                {{ figure(id=\"square.posterior\") }}\n\n{{ figure(id=\"square.surface\") }}\n\n\
                {{ table(id=\"square\") }}";
    let one = project_of(&[("square", SQUARE)], &[], post);
    let many = project_of(&[("square", SQUARE)], &[], post);
    build_ok(one.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "1")]);
    build_ok(many.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "4")]);
    assert_same_tree(
        &tree(&one.path().join("site")),
        &tree(&many.path().join("site")),
        "1 thread against 4 threads",
    );
    let dir = one.path();
    for figure in ["surface", "slice", "posterior"] {
        assert!(
            dir.join(format!("site/assets/likely/square/{figure}.svg"))
                .is_file(),
            "{figure}"
        );
    }
    let n = numbers(dir, "square");
    // ln ∫ N(z; 0, 1) N(1.5; z², 0.5) dz by mpmath's quad at 40 digits,
    // split at 0, ±0.5, ±√(11/8), ±2: −1.72518036462918763962733; the
    // posterior std from the same integrals, 1.120027633615003055519604.
    assert!((num(&n["log_px"]) - -1.725_180_364_629_187_6).abs() < 1e-11);
    assert!((num(&n["posterior"]["std"]) - 1.120_027_633_615_003).abs() < 1e-11);
    // The modes solve dℓ/dz = z(11 − 8z²) = 0.
    let modes = n["posterior"]["modes"].as_array().unwrap();
    assert_eq!(modes.len(), 2);
    let mode = (11.0f64 / 8.0).sqrt();
    assert!((num(&modes[0]) + mode).abs() < 1e-7);
    assert!((num(&modes[1]) - mode).abs() < 1e-7);
    // The gap at the best q is its KL to the posterior, computed apart.
    let best = &n["best_q"];
    assert!((num(&best["gap"]) - num(&best["kl"])).abs() < 1e-10);
    assert!(num(&n["gap_error_quadrature"]) < 1e-10);
    // Either mode, as narrow as the posterior's there.
    assert!((num(&n["max_elbo_quadrature"]["mean"]).abs() - 1.1).abs() < 1e-12);
    let html = read(dir, "site/_posts/2025-01-01-note.md");
    assert!(html.contains("-1.725180, normal(mean="), "{html}");
}

#[test]
fn a_kl_monte_carlo_between_two_dimensional_normals_is_held_to_the_closed_form() {
    let spec = "seed: 4
kind:
  kl_monte_carlo:
    p: {mvnormal: {mean: [0, 0], cov: [[1, 0.5], [0.5, 2]]}}
    q: \"mvnormal(mean=[1, -1], cov=[[2, 0], [0, 1]])\"
    n: [10, 1000, 100000]
    replicates: 40
";
    let dir = project_of(
        &[("mv", spec)],
        &[],
        "{{ mv.exact | fixed(digits=6) }}\n\n{{ figure(id=\"mv.convergence\") }}",
    );
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "mv");
    // ½[tr(Σq⁻¹Σp) + Δᵀ Σq⁻¹ Δ − 2 + ln(det Σq / det Σp)] with
    // tr = 1/2 + 2, Δᵀ Σq⁻¹ Δ = 1/2 + 1, det Σp = 1.75, det Σq = 2.
    let exact = 0.5 * (2.5 + 1.5 - 2.0 + (2.0f64 / 1.75).ln());
    assert!((num(&n["exact"]) - exact).abs() < 1e-14);
    assert_eq!(n["exact_method"], "closed_form");
    assert_eq!(n["finite_variance"], true);
    let (mean, std) = (&n["mean"][2], &n["std"][2]);
    let se = num(std) / 40f64.sqrt();
    assert!((num(mean) - exact).abs() < 5.0 * se, "{mean} ± {se}");
}

/// Builds a project holding only `spec` and returns stderr, checking that
/// the build failed cleanly.
fn refused(spec: &str) -> String {
    let dir = project_of(&[("bad", spec)], &[], "Nothing.");
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "exit code; stderr:\n{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(!dir.path().join("site/_posts").exists());
    out.stderr
}

#[test]
fn a_likelihood_naming_an_unknown_variable_is_refused_with_its_place() {
    let e = refused(&SQUARE.replace("mean = z^2", "mean = y^2"));
    for fragment in [
        "error: experiments/bad.yaml:7:21: kind.elbo_gap.model.latent.likelihood",
        "in `normal(mean = y^2, std = 0.5)` at column 15",
        "unknown name `y`; the names here are: z",
    ] {
        assert!(e.contains(fragment), "missing `{fragment}` in:\n{e}");
    }
}

#[test]
fn a_multivariate_prior_is_refused_with_its_place() {
    let e = refused(&SQUARE.replace(
        "prior: {normal: {mean: 0, std: 1}}",
        "prior: {mvnormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}}",
    ));
    for fragment in [
        "error: experiments/bad.yaml:6:17:",
        "kind.elbo_gap.model.latent.prior",
        "mvnormal is multivariate; a one-dimensional distribution is needed here",
    ] {
        assert!(e.contains(fragment), "missing `{fragment}` in:\n{e}");
    }
    let e = refused(&SQUARE.replace(
        "prior: {normal: {mean: 0, std: 1}}",
        "prior: {poisson: {rate: 2}}",
    ));
    assert!(
        e.contains("experiments/bad.yaml:6:9: kind.elbo_gap.model.latent.prior: poisson(rate=2) is discrete"),
        "{e}"
    );
}

#[test]
fn normals_of_different_dimensions_are_refused_before_anything_runs() {
    let e = refused(
        "seed: 1
kind:
  kl_monte_carlo:
    p: {mvnormal: {mean: [0, 0], cov: [[1, 0], [0, 1]]}}
    q: {normal: {mean: 0, std: 1}}
    n: [10]
    replicates: 2
",
    );
    assert!(
        e.contains(
            "experiments/bad.yaml:5:5: kind.kl_monte_carlo.q: has dimension 1 but p has dimension 2"
        ),
        "{e}"
    );
}
