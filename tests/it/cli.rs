//! The quick commands: `likely entropy`, `kl` and `fit`, human and JSON.

use crate::common::likely;

fn json(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = likely(dir.path(), args, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn fails(args: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = likely(dir.path(), args, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stderr.contains(expected),
        "missing `{expected}` in {}",
        out.stderr
    );
}

#[test]
fn kl_of_two_normals_is_the_closed_form() {
    let v = json(&[
        "kl",
        "normal(mean=0, std=1)",
        "normal(mean=1, std=2)",
        "--json",
    ]);
    assert_eq!(v["method"], "closed_form");
    assert!((v["value"].as_f64().unwrap() - (2f64.ln() + 0.25 - 0.5)).abs() < 1e-15);
    assert!(v.get("stderr").is_none());
}

#[test]
fn kl_of_a_mixture_falls_back_to_quadrature() {
    let v = json(&[
        "kl",
        "mixture(weights=[0.3,0.7], components=[normal(mean=-2,std=0.6), normal(mean=1.5,std=1)])",
        "normal(mean=0.75, std=1.8)",
        "--json",
    ]);
    assert_eq!(v["method"], "quadrature");
    // Independent check: the trapezoid rule on a fine grid over ±12 std.
    let lnn = |x: f64, m: f64, s: f64| {
        -0.5 * ((x - m) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
    };
    let lnm = |x: f64| (0.3 * lnn(x, -2.0, 0.6).exp() + 0.7 * lnn(x, 1.5, 1.0).exp()).ln();
    let h = 1e-4;
    let trapezoid: f64 = (0..=300_000)
        .map(|i| {
            let x = -15.0 + i as f64 * h;
            let w = if i == 0 || i == 300_000 { 0.5 } else { 1.0 };
            w * h * lnm(x).exp() * (lnm(x) - lnn(x, 0.75, 1.8))
        })
        .sum();
    assert!(
        (v["value"].as_f64().unwrap() - trapezoid).abs() < 1e-9,
        "{v} vs {trapezoid}"
    );
}

#[test]
fn entropy_of_a_multivariate_normal_is_the_closed_form() {
    let v = json(&[
        "entropy",
        "mvnormal(mean=[0, 0], cov=[[1, 0.5], [0.5, 2]])",
        "--json",
    ]);
    let det: f64 = 1.0 * 2.0 - 0.25;
    let expected = 1.0 + (2.0 * std::f64::consts::PI).ln() + 0.5 * det.ln();
    assert!((v["value"].as_f64().unwrap() - expected).abs() < 1e-14);
}

#[test]
fn fit_reads_numbers_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.csv");
    std::fs::write(&file, "id,x\n1,1.0\n2,2.0\n3,4.0\n4,5.0\n").unwrap();
    let out = likely(
        dir.path(),
        &["fit", "normal", "x.csv", "--column", "x", "--json"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["family"], "normal");
    assert_eq!(v["n"], 4);
    assert_eq!(v["params"]["mean"], 3.0);
    assert!((v["params"]["std"].as_f64().unwrap() - 2.5f64.sqrt()).abs() < 1e-15);
    let se = v["stderr"]["mean"].as_f64().unwrap();
    assert!((se - 2.5f64.sqrt() / 2.0).abs() < 1e-15, "{se}");
    let human = likely(
        dir.path(),
        &["fit", "normal", "x.csv", "--column", "x"],
        &[],
    );
    assert!(
        human.stdout.contains("normal fitted to 4 observations"),
        "{}",
        human.stdout
    );
}

#[test]
fn human_output_writes_extreme_values_in_scientific_notation() {
    let dir = tempfile::tempdir().unwrap();
    // H = ln Γ(k) + (1 − k) ψ(k) + k − ln rate ≈ −1/k for a tiny shape k.
    let out = likely(dir.path(), &["entropy", "gamma(shape=1e-300, rate=1)"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("= -1e300 nats")
            || out.stdout.contains("= -9.999999999999999e299 nats"),
        "{}",
        out.stdout
    );
    for degenerate in [
        "bernoulli(p=1)",
        "geometric(p=1)",
        "categorical(probs=[1, 0])",
    ] {
        let v = json(&["entropy", degenerate, "--json"]);
        assert_eq!(v["value"].to_string(), "0.0", "{degenerate}");
    }
    let out = likely(
        dir.path(),
        &["kl", "normal(mean=0, std=1)", "normal(mean=1e-9, std=1)"],
        &[],
    );
    assert!(
        out.stdout.contains("= 5.0000000000000005e-19 nats") || out.stdout.contains("= 5e-19 nats"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_input_gives_one_clear_error() {
    fails(
        &["entropy", "normal(mean=0, std=0)"],
        "column 20: std: must be a finite number > 0, got 0",
    );
    fails(
        &["kl", "normal(mean=0, std=1)", "gauss(mean=0, std=1)"],
        "unknown family `gauss`",
    );
    fails(
        &[
            "kl",
            "mvnormal(mean=[0, 0], cov=[[1, 0], [0, 1]])",
            "normal(mean=0, std=1)",
        ],
        "cannot be compared with a one-dimensional family",
    );
    fails(
        &["entropy", "mvnormal(mean=[0, 0], cov=[[1, 2], [2, 1]])"],
        "not positive definite",
    );
    fails(&["fit", "normal", "missing.txt"], "missing.txt");
    fails(&["fit", "mixture", "x"], "cannot fit `mixture`");
    fails(&["fit", "normal_mixture", "x"], "needs --components");
    fails(
        &["fit", "normal", "x", "--components", "2"],
        "--components applies to normal_mixture only",
    );
}
