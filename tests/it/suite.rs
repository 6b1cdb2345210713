//! The project's own experiments (experiments/*.yaml, the sizes of the
//! published post) checked against closed forms and the properties the post
//! claims.

use std::path::Path;

use likely::experiment::{Compute, Ctx, Kind};
use likely::spec::{self, Experiment};

fn experiments() -> Vec<Experiment> {
    spec::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments")).unwrap()
}

fn find(kind: &str) -> Experiment {
    experiments()
        .into_iter()
        .find(|e| e.spec.kind.name() == kind)
        .unwrap_or_else(|| panic!("no {kind} experiment in experiments/"))
}

fn ctx(e: &Experiment) -> Ctx<'static> {
    Ctx::new(e.spec.seed, &|_| {})
}

#[test]
fn s1_rmse_slopes_are_minus_one_half() {
    let e = find("mle_consistency");
    let Kind::MleConsistency(s) = &e.spec.kind else {
        unreachable!()
    };
    let r = s.compute(&ctx(&e)).unwrap();
    for (p, slope) in r.params.iter().zip(&r.slope) {
        assert!((-0.55..=-0.45).contains(slope), "{p}: slope {slope}");
    }
}

#[test]
fn s2_likelihood_argmax_is_kl_argmin_next_to_the_mle() {
    let e = find("kl_vs_likelihood");
    let Kind::KlVsLikelihood(s) = &e.spec.kind else {
        unreachable!()
    };
    let r = s.compute(&ctx(&e)).unwrap();
    let (a, b) = (r.argmax_loglik, r.argmin_kl.expect("a finite divergence"));
    assert_eq!((a.i, a.j), (b.i, b.j), "same cell");
    let mle = r.mle.unwrap();
    assert!(
        (a.a - mle[0]).abs() <= r.step[0],
        "mean {} vs MLE {}",
        a.a,
        mle[0]
    );
    assert!(
        (a.b - mle[1]).abs() <= r.step[1],
        "std {} vs MLE {}",
        a.b,
        mle[1]
    );
    // Independent check of the MLE: a normal's MLE matches the mixture's
    // moments (mean 0.45, std √3.3475) up to sampling error at n = 100000.
    assert!((mle[0] - 0.45).abs() < 5.0 * 1.83 / 316.2);
    assert!((mle[1] - 3.3475f64.sqrt()).abs() < 0.02);
}

#[test]
fn s3_closed_form_and_monte_carlo_agree() {
    let e = find("kl_monte_carlo");
    let Kind::KlMonteCarlo(s) = &e.spec.kind else {
        unreachable!()
    };
    let r = s.compute(&ctx(&e)).unwrap();
    assert!((r.exact.value - (2f64.ln() + 0.25 - 0.5)).abs() < 1e-12);
    assert!((r.exact.value - 0.443_147_180_559_945_3).abs() < 1e-12);
    let reps = (s.replicates.0 as f64).sqrt();
    for (k, (m, sd)) in r.mean.iter().zip(&r.std).enumerate() {
        assert!(
            (m - r.exact.value).abs() < 5.0 * sd / reps,
            "n index {k}: {m} ± {sd}"
        );
    }
}

#[test]
fn s4_reverse_fit_is_narrower_and_on_the_heavier_mode() {
    let e = find("forward_vs_reverse");
    let Kind::ForwardVsReverse(s) = &e.spec.kind else {
        unreachable!()
    };
    let r = s.compute(&ctx(&e)).unwrap();
    use likely::dist::Univariate;
    let reverse = &r.reverse.expect("a reverse fit").fit;
    assert!(reverse.q.std() < r.forward.q.std());
    // The heavier component (weight 0.7) sits at 1.5, the lighter at −2.
    assert!((reverse.q.mean() - 1.5).abs() < (reverse.q.mean() + 2.0).abs());
    assert!(reverse.q.mean() > r.forward.q.mean());
}

#[test]
fn s5_evidence_and_gap_match_their_closed_forms() {
    let e = find("elbo_gap");
    let Kind::ElboGap(s) = &e.spec.kind else {
        unreachable!()
    };
    let r = s.compute(&ctx(&e)).unwrap();
    assert!((r.log_px - -1.841_468_130_116_858).abs() < 1e-12);
    assert!(r.gap_error_cf < 1e-9, "max |gap − KL| = {}", r.gap_error_cf);
    use likely::dist::Univariate;
    assert!((r.posterior.mean() - 0.517_241_4).abs() < 1e-7);
    assert!((r.posterior.std() - 0.371_390_7).abs() < 1e-7);
}
