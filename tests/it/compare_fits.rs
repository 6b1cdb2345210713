//! `compare_fits`: families fitted to the same data from a CSV file,
//! ranked by AIC, quoted by a post; bad specs refused with their place.

use crate::common::{assert_same_tree, build_ok, likely, numbers, project_of, read, tree};

/// 30 draws of a gamma(2.2, scale 1.3), rounded to hundredths
/// (`numpy.random.default_rng(5).gamma(2.2, 1.3, 30)`).
const XS: [f64; 30] = [
    1.26, 2.01, 5.06, 1.57, 2.94, 1.09, 2.81, 2.28, 1.47, 1.37, 2.32, 3.23, 0.52, 1.07, 0.78, 2.36,
    1.0, 0.96, 2.85, 5.16, 0.33, 0.95, 2.5, 2.04, 4.57, 3.99, 1.88, 6.02, 9.81, 4.26,
];

/// A project with `data/x.csv` holding [`XS`] in a column `minutes` (and
/// an unrelated first column), the specs given, and one post.
fn project(specs: &[(&str, &str)], post: &str) -> tempfile::TempDir {
    let mut csv = String::from("id,minutes\n");
    for (i, x) in XS.iter().enumerate() {
        csv += &format!("{i},{x}\n");
    }
    project_of(specs, &[("data/x.csv", &csv)], post)
}

const FITS: &str = "seed: 1
kind:
  compare_fits:
    data: {csv: data/x.csv, column: minutes}
    families: [normal, exponential, lognormal, gamma, {student_t: {df: 5}}]
";

fn close(got: &serde_json::Value, want: f64, rel: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {got} is no number"));
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: {got} vs {want}"
    );
}

#[test]
fn families_fitted_to_a_csv_column_are_ranked_by_aic_against_closed_forms_and_scipy() {
    let dir = project(
        &[("fits", FITS)],
        "Best: {{ fits.best }}, AIC {{ fits[fits.best].aic | fixed(digits=2) }}.\n\n\
         {{ figure(id=\"fits.fits\") }}\n\n{{ figure(id=\"fits.qq\") }}\n\n\
         {{ table(id=\"fits.fits\") }}",
    );
    build_ok(dir.path(), &[], &[]);
    let n = numbers(dir.path(), "fits");
    assert_eq!(n["n"], 30);
    assert_eq!(n["statistic"], "ks");
    assert_eq!(n["data"], "data/x.csv (minutes)");

    // Closed-form maximum-likelihood fits, computed here.
    let len = XS.len() as f64;
    let mean = XS.iter().sum::<f64>() / len;
    let var = XS.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / len;
    let logs: Vec<f64> = XS.iter().map(|x| x.ln()).collect();
    let meanlog = logs.iter().sum::<f64>() / len;
    let varlog = logs.iter().map(|l| (l - meanlog).powi(2)).sum::<f64>() / len;
    let two_pi = 2.0 * std::f64::consts::PI;
    let ll_normal = -0.5 * len * ((two_pi * var).ln() + 1.0);
    let ll_exponential = -len * mean.ln() - len;
    let ll_lognormal = -0.5 * len * ((two_pi * varlog).ln() + 1.0) - logs.iter().sum::<f64>();
    close(&n["normal"]["params"]["mean"], mean, 1e-14, "normal mean");
    close(
        &n["normal"]["params"]["std"],
        var.sqrt(),
        1e-14,
        "normal std",
    );
    close(
        &n["exponential"]["params"]["rate"],
        1.0 / mean,
        1e-14,
        "rate",
    );
    close(
        &n["lognormal"]["params"]["meanlog"],
        meanlog,
        1e-13,
        "meanlog",
    );
    close(
        &n["lognormal"]["params"]["sdlog"],
        varlog.sqrt(),
        1e-13,
        "sdlog",
    );
    close(&n["normal"]["loglik"], ll_normal, 1e-12, "normal ln L");
    close(
        &n["exponential"]["loglik"],
        ll_exponential,
        1e-12,
        "exponential ln L",
    );
    close(
        &n["lognormal"]["loglik"],
        ll_lognormal,
        1e-12,
        "lognormal ln L",
    );

    // The gamma has no closed form. References from scipy 1.17: the shape
    // by scipy.optimize.brentq on the profile score ln k − ψ(k) − s
    // (s = ln mean − mean ln x) to 1e-15, which scipy.stats.gamma.fit(xs,
    // floc=0) reproduces; ln L by scipy.stats.gamma.logpdf; D by
    // scipy.stats.kstest(xs, 'gamma', args=(k, 0, 1/rate)). Tolerances:
    // 1e-9 for Newton's method, 1e-12 for ln L (flat at its maximum) and
    // for D (a difference of distribution functions).
    close(
        &n["gamma"]["params"]["shape"],
        2.049_542_475_510_824_7,
        1e-9,
        "shape",
    );
    close(
        &n["gamma"]["params"]["rate"],
        0.783_663_959_537_659_1,
        1e-9,
        "rate",
    );
    close(
        &n["gamma"]["loglik"],
        -55.148_764_977_311_84,
        1e-12,
        "gamma ln L",
    );
    close(
        &n["gamma"]["ks_d"],
        0.076_592_717_755_933_02,
        1e-9,
        "gamma D",
    );
    // scipy.stats.kstest(xs, 'lognorm', args=(sdlog, 0, exp(meanlog))).
    close(
        &n["lognormal"]["ks_d"],
        0.067_004_842_450_170_8,
        1e-9,
        "lognormal D",
    );

    // AIC and BIC count the free parameters only: df = 5 is held fixed.
    let t = &n["student_t_df5"];
    assert_eq!(t["free_params"], 2);
    assert_eq!(t["fixed"]["df"], 5.0);
    assert_eq!(t["params"]["df"], 5.0);
    let lls = [
        ("normal", ll_normal, 2.0),
        ("exponential", ll_exponential, 1.0),
        ("lognormal", ll_lognormal, 2.0),
        ("gamma", -55.148_764_977_311_84, 2.0),
    ];
    let aic = |ll: f64, k: f64| 2.0 * k - 2.0 * ll;
    let t_aic = 4.0 - 2.0 * t["loglik"].as_f64().unwrap();
    let best = lls
        .iter()
        .map(|&(_, ll, k)| aic(ll, k))
        .fold(t_aic, f64::min);
    let total: f64 = lls
        .iter()
        .map(|&(_, ll, k)| (-(aic(ll, k) - best) / 2.0).exp())
        .sum::<f64>()
        + (-(t_aic - best) / 2.0).exp();
    for (name, ll, k) in lls {
        let f = &n[name];
        assert_eq!(f["fitted"], true);
        close(&f["aic"], aic(ll, k), 1e-12, "AIC");
        close(&f["bic"], k * len.ln() - 2.0 * ll, 1e-12, "BIC");
        let delta = aic(ll, k) - best;
        assert!(
            (f["delta_aic"].as_f64().unwrap() - delta).abs() < 1e-9,
            "{name}"
        );
        close(&f["weight"], (-delta / 2.0).exp() / total, 1e-9, "weight");
    }
    // The log-normal is best, the gamma 0.74 behind it (scipy's ln L).
    assert_eq!(n["best"], "lognormal");
    assert_eq!(n["order"][0], "lognormal");
    assert_eq!(n["order"][1], "gamma");
    assert_eq!(n["unfitted"], serde_json::json!([]));

    let post = read(dir.path(), "site/_posts/2025-01-01-note.md");
    assert!(post.contains("Best: lognormal, AIC 113.56."), "{post}");
    assert!(post.contains("| family | free parameters |"), "{post}");
    for figure in ["fits", "qq"] {
        let svg = read(dir.path(), &format!("site/assets/likely/fits/{figure}.svg"));
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{figure}"
        );
        assert!(svg.contains("lognormal"), "{figure} names the fits");
    }
}

#[test]
fn a_family_that_cannot_be_fitted_is_reported_and_the_build_goes_on() {
    // A beta needs data inside (0, 1).
    let spec = FITS.replace(
        "[normal, exponential, lognormal, gamma, {student_t: {df: 5}}]",
        "[gamma, beta]",
    );
    let dir = project(
        &[("fits", &spec)],
        "{% for f in fits.unfitted %}Not fitted: {{ f }}.{% endfor %}",
    );
    let out = build_ok(dir.path(), &[], &[]);
    assert!(
        out.stderr
            .contains("warning: fits: beta could not be fitted"),
        "{}",
        out.stderr
    );
    let n = numbers(dir.path(), "fits");
    assert_eq!(n["best"], "gamma");
    assert_eq!(n["beta"]["fitted"], false);
    assert_eq!(n["gamma"]["weight"], 1.0);
    let post = read(dir.path(), "site/_posts/2025-01-01-note.md");
    assert!(post.contains("Not fitted: beta."), "{post}");
}

const DRAWN: &str = "seed: 11
vary:
  shape: [1.5, 4]
overlay: [qq]
kind:
  compare_fits:
    data: {gamma: {shape: shape, rate: 2}}
    sample_size: 400
    families: [gamma, lognormal, student_t, {normal_mixture: {components: 2}}]
";

#[test]
fn fits_under_vary_are_byte_identical_at_any_thread_count() {
    let dir = project(
        &[("drawn", DRAWN)],
        "{{ drawn.points[1].best }} {{ figure(id=\"drawn.qq\") }}",
    );
    build_ok(dir.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "1")]);
    let one = tree(&dir.path().join("site"));
    build_ok(dir.path(), &["--no-cache"], &[("RAYON_NUM_THREADS", "4")]);
    assert_same_tree(&one, &tree(&dir.path().join("site")), "1 vs 4 threads");
    build_ok(dir.path(), &["--no-cache"], &[]);
    assert_same_tree(
        &one,
        &tree(&dir.path().join("site")),
        "1 vs default threads",
    );

    // Each point fits its own sample; the divergence from the truth is the
    // gamma–gamma closed form at that point's shape, small for the gamma.
    let n = numbers(dir.path(), "drawn");
    let points = n["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for (p, shape) in points.iter().zip([1.5, 4.0]) {
        assert_eq!(p["at"]["shape"], shape);
        assert_eq!(p["n"], 400);
        let g = &p["gamma"];
        assert_eq!(g["kl_method"], "closed_form");
        let (k, rate) = (
            g["params"]["shape"].as_f64().unwrap(),
            g["params"]["rate"].as_f64().unwrap(),
        );
        assert!((k - shape).abs() < 0.25 * shape, "shape {k} at {shape}");
        assert!((rate - 2.0).abs() < 0.5, "rate {rate}");
        assert!(g["kl"].as_f64().unwrap() < 0.02, "{}", g["kl"]);
        assert_eq!(p["normal_mixture_2"]["free_params"], 5);
    }
    assert_eq!(
        n["series"]["gamma"]["free_params"],
        serde_json::json!([2, 2])
    );
}

/// Builds a project holding `spec` as `experiments/bad.yaml` and returns
/// stderr, asserting exit code 1 and no panic.
fn refused(spec: &str) -> String {
    let dir = project(&[("bad", spec)], "x");
    let out = likely(dir.path(), &["build"], &[]);
    assert_eq!(out.code, 1, "exit code; stderr:\n{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.stderr
}

#[test]
fn an_unknown_family_or_a_missing_column_is_refused_with_its_place() {
    let e = refused(&FITS.replace("exponential", "exponentail"));
    assert!(
        e.contains("experiments/bad.yaml:5:") && e.contains("unknown family `exponentail`"),
        "{e}"
    );
    assert!(
        e.contains("the families with a maximum-likelihood fit are: "),
        "{e}"
    );
    let e = refused(&FITS.replace("column: minutes", "column: seconds"));
    assert!(
        e.contains("experiments/bad.yaml:4:") && e.contains("no column `seconds`"),
        "{e}"
    );
    assert!(e.contains("the columns are: id, minutes"), "{e}");
    let e = refused(&FITS.replace("{student_t: {df: 5}}", "{student_t: {df: -1}}"));
    assert!(
        e.contains("experiments/bad.yaml:5:") && e.contains("df: must be a finite number > 0"),
        "{e}"
    );
    let e = refused(&FITS.replace("    families:", "    sample_size: 10\n    families:"));
    assert!(
        e.contains("experiments/bad.yaml:5:") && e.contains("sample_size is only for data drawn"),
        "{e}"
    );
}
