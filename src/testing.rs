//! What the unit tests of the distributions and the statistics share:
//! tolerant comparisons, seeded samples, the closed-form-against-definition
//! check and the checks of a maximum-likelihood fit.

use rand::SeedableRng;

use crate::dist::{Dist, FamilyDef, Univariate};
use crate::stats::fit;
use crate::stats::kl::{Method, kl, kl_by_definition};

/// Whether `value` is within `tol` of a finite `reference`: relatively, and
/// absolutely where the reference is below 1 in size (so that 0 can be a
/// reference).
pub(crate) fn close(value: f64, reference: f64, tol: f64) -> bool {
    reference.is_finite() && (value - reference).abs() <= tol * reference.abs().max(1.0)
}

/// Whether `value` is within `rel` of `reference`, relatively.
pub(crate) fn relatively_close(value: f64, reference: f64, rel: f64) -> bool {
    (value - reference).abs() <= rel * reference.abs()
}

/// `value` within `tol` of a finite `reference`, as [`close`].
#[track_caller]
pub(crate) fn assert_close(value: f64, reference: f64, tol: f64) {
    assert!(
        close(value, reference, tol),
        "{value} vs {reference} (tolerance {tol:e})"
    );
}

/// `value` within `rel` of `reference`, relatively at every magnitude.
#[track_caller]
pub(crate) fn assert_relative(value: f64, reference: f64, rel: f64) {
    assert!(
        (value - reference).abs() <= rel * reference.abs().max(1e-300),
        "{value} vs {reference} (relative {:e})",
        (value - reference).abs() / reference.abs()
    );
}

/// `n` draws from `d` with a fixed seed.
pub(crate) fn draws(d: &impl Univariate, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| d.sample(&mut rng)).collect()
}

/// The registered closed form of KL(p ‖ q) against quadrature of the
/// definition, to 1e-10.
#[track_caller]
pub(crate) fn agrees_with_definition(p: Dist, q: Dist) {
    let closed = kl(&p, &q).unwrap();
    assert_eq!(closed.method, Method::ClosedForm, "{p:?} {q:?}");
    let numeric = kl_by_definition(&p, &q).unwrap();
    assert_eq!(numeric.method, Method::Quadrature, "{p:?} {q:?}");
    assert_close(closed.value, numeric.value, 1e-10);
}

/// A fit of `n` draws from `truth` lands within five standard errors of
/// each parameter, and its average log-likelihood beats the fit moved by a
/// relative 1e-4 along each axis and each diagonal of the first two
/// parameters.
#[track_caller]
pub(crate) fn assert_fit_recovers(truth: &Dist, n: usize, seed: u64) {
    let family = truth.family();
    let xs = draws(truth, n, seed);
    let fitted = family.fit(&xs).unwrap().scalar_params();
    let true_params = truth.scalar_params();
    let unit = truth.cramer_rao().unwrap();
    let root_n = (n as f64).sqrt();
    for ((f, t), se) in fitted.iter().zip(&true_params).zip(&unit) {
        assert!(
            (f - t).abs() < 5.0 * se / root_n,
            "{fitted:?} vs {true_params:?}"
        );
    }
    let at = |theta: &[f64]| family.build_scalars(theta).unwrap().sum_ln_pdf(&xs) / n as f64;
    let best = at(&fitted);
    let k = fitted.len();
    let mut moves: Vec<Vec<f64>> = Vec::new();
    for i in 0..k {
        for sign in [1.0, -1.0] {
            let mut d = vec![0.0; k];
            d[i] = sign;
            moves.push(d);
        }
    }
    if k >= 2 {
        moves.push([1.0, 1.0].into_iter().chain(vec![0.0; k - 2]).collect());
        moves.push([1.0, -1.0].into_iter().chain(vec![0.0; k - 2]).collect());
    }
    for d in moves {
        let moved: Vec<f64> = fitted
            .iter()
            .zip(&d)
            .map(|(t, s)| t * (1.0 + 1e-4 * s))
            .collect();
        assert!(best >= at(&moved), "moving by {d:?} raised the likelihood");
    }
}

/// The standard errors a fit reports agree, to `tol`, with those of the
/// observed information taken by finite differences of the log-likelihood
/// at the estimates: an independent computation of the same quantity for
/// the exponential families, whose observed and expected information are
/// equal at the maximum.
#[track_caller]
pub(crate) fn assert_errors_are_the_observed_information(family: &str, xs: &[f64], tol: f64) {
    let family = FamilyDef::find(family).unwrap();
    let report = fit::fit(family, xs).unwrap();
    let theta = report.dist.scalar_params();
    let cov = fit::covariance(&theta, None, |t| {
        family.build_scalars(t).ok().map(|d| d.sum_ln_pdf(xs))
    })
    .unwrap();
    let reported = report.stderr.unwrap();
    for (k, p) in family.params.iter().enumerate() {
        let se = cov[k][k].sqrt();
        assert_close(reported[p.name].as_f64().unwrap(), se, tol);
    }
}
