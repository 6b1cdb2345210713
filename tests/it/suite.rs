//! The published numbers (`site/assets/likely/*/numbers.json`, from the
//! full-size specs in `experiments/`) against closed forms and the
//! properties the post claims. CI's `likely build --check` proves these
//! files are exactly what the specs compute, so the full-size runs happen
//! once, there, and their sizes live only in the specs.

use std::path::Path;

use serde_json::Value;

/// The variance of the mixture 0.3 N(−2, 0.6) + 0.7 N(1.5, 1).
const VARIANCE: f64 = 0.3 * (4.0 + 0.36) + 0.7 * (2.25 + 1.0) - 0.45 * 0.45;

fn numbers(id: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("site/assets/likely")
        .join(id)
        .join("numbers.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value, path: &str) -> f64 {
    let mut at = v;
    for key in path.split('.') {
        at = &at[key];
    }
    at.as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number: {at}"))
}

fn list(v: &Value, path: &str) -> Vec<f64> {
    let mut at = v;
    for key in path.split('.') {
        at = &at[key];
    }
    at.as_array()
        .unwrap_or_else(|| panic!("{path} is not a list"))
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn s1_rmse_falls_like_one_over_root_n_onto_the_cramer_rao_bounds() {
    let n = numbers("mle_consistency");
    for p in ["mean", "std"] {
        let slope = num(&n, &format!("slope.{p}"));
        assert!((-0.55..=-0.45).contains(&slope), "{p}: slope {slope}");
        // σ/√n for the mean and σ/√(2n) for the std, σ = 2.
        let sizes = list(&n, "n");
        let bound = list(&n, &format!("crb.{p}"));
        for (size, b) in sizes.iter().zip(&bound) {
            let unit = if p == "mean" { 2.0 } else { 2.0 / 2f64.sqrt() };
            assert!(
                (b - unit / size.sqrt()).abs() < 1e-12 * b,
                "{p}: bound at {size}"
            );
        }
        // With 500 replicates the RMSE is within 15 % of the bound from
        // n = 1000 on.
        let rmse = list(&n, &format!("rmse.{p}"));
        for ((size, r), b) in sizes.iter().zip(&rmse).zip(&bound) {
            if *size >= 1000.0 {
                assert!((r / b - 1.0).abs() < 0.15, "{p} at n = {size}: {r} vs {b}");
            }
        }
    }
}

#[test]
fn s2_likelihood_argmax_is_kl_argmin_next_to_the_mle_and_the_mixture_moments() {
    let n = numbers("kl_vs_likelihood");
    assert_eq!(n["argmax_loglik"]["i"], n["argmin_kl"]["i"]);
    assert_eq!(n["argmax_loglik"]["j"], n["argmin_kl"]["j"]);
    for p in ["mean", "std"] {
        let (cell, mle, step) = (
            num(&n, &format!("argmax_loglik.{p}")),
            num(&n, &format!("mle.{p}")),
            num(&n, &format!("step.{p}")),
        );
        assert!((cell - mle).abs() <= step, "{p}: cell {cell} vs MLE {mle}");
    }
    // A normal's MLE matches the mixture's moments (mean 0.45, variance
    // 0.3·(4 + 0.36) + 0.7·(2.25 + 1) − 0.45² = 3.3805) up to sampling
    // error at n = 100000 (standard errors 0.0058 and about 0.0045).
    assert!((num(&n, "mle.mean") - 0.45).abs() < 5.0 * 0.0058);
    assert!((num(&n, "mle.std") - VARIANCE.sqrt()).abs() < 5.0 * 0.0045);
    // The exact divergence at the optimum is that of the moment-matched
    // normal, KL(M ‖ N(0.45, √3.3805)) = −H(M) + ½ ln(2πe·3.3805), within
    // a grid step's worth.
    let h = num(&n, "entropy");
    let at_best = -h + 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * VARIANCE).ln();
    assert!(
        (num(&n, "argmin_kl.kl") - at_best).abs() < 1e-3,
        "{at_best}"
    );
}

#[test]
fn s3_closed_form_and_monte_carlo_agree() {
    let n = numbers("kl_monte_carlo");
    let exact = num(&n, "exact");
    assert!((exact - (2f64.ln() + 0.25 - 0.5)).abs() < 1e-15);
    assert!((exact - 0.443_147_180_559_945_3).abs() < 1e-15);
    let reps = num(&n, "replicates").sqrt();
    let (means, stds, sizes) = (list(&n, "mean"), list(&n, "std"), list(&n, "n"));
    for ((m, sd), size) in means.iter().zip(&stds).zip(&sizes) {
        assert!((m - exact).abs() < 5.0 * sd / reps, "n {size}: {m} ± {sd}");
    }
    // The spread shrinks like 1/√n: a factor √10 a decade, within 25 %.
    for w in stds.windows(2) {
        assert!((w[0] / w[1] / 10f64.sqrt() - 1.0).abs() < 0.25, "{w:?}");
    }
}

#[test]
fn s4_reverse_fit_is_narrower_and_on_the_heavier_mode() {
    let n = numbers("forward_vs_reverse");
    let (fm, fs) = (num(&n, "forward.mean"), num(&n, "forward.std"));
    let (rm, rs) = (num(&n, "reverse.mean"), num(&n, "reverse.std"));
    assert!(rs < fs);
    // The heavier component (weight 0.7) sits at 1.5, the lighter at −2.
    assert!((rm - 1.5).abs() < (rm + 2.0).abs());
    assert!(rm > fm);
    // Forward KL is moment matching.
    assert!((fm - 0.45).abs() < 5.0 * 0.0058 && (fs - VARIANCE.sqrt()).abs() < 5.0 * 0.0045);
    // Each fit wins at its own objective.
    assert!(num(&n, "forward.kl_target_q") < num(&n, "reverse.kl_target_q"));
    assert!(num(&n, "reverse.kl_q_target") < num(&n, "forward.kl_q_target"));
}

#[test]
fn s5_evidence_posterior_and_gap_match_their_closed_forms() {
    let n = numbers("elbo_gap");
    // x ~ N(b, √(w² + s²)) with w = 2, b = 0.5, s = 0.8, at x = 1.7.
    let var = 4.0 + 0.64;
    let log_px = -0.5 * (1.2f64 * 1.2) / var - 0.5 * (2.0 * std::f64::consts::PI * var).ln();
    assert!((num(&n, "log_px") - log_px).abs() < 1e-14);
    assert!((num(&n, "log_px") - -1.841_468_130_116_858).abs() < 1e-14);
    // Posterior precision 1 + w²/s², mean (w/s²)(x − b) / precision.
    let precision = 1.0 + 4.0 / 0.64;
    assert!((num(&n, "posterior.mean") - (2.0 / 0.64) * 1.2 / precision).abs() < 1e-14);
    assert!((num(&n, "posterior.std") - precision.sqrt().recip()).abs() < 1e-14);
    assert!(num(&n, "gap_error_closed_form") < 1e-9);
    // The closed-form maximum of the ELBO stays below the evidence.
    assert!(num(&n, "max_elbo_closed_form.elbo") <= num(&n, "log_px"));
}
