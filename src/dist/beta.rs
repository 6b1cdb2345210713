//! The beta family, `beta(alpha, beta)`, and the closed-form KL divergences
//! from it to the beta, normal, uniform, exponential and gamma families.

use rand::Rng;
use rand_distr::Distribution;

use super::gamma::xlny;
use super::param::{self, Constraint, ParamDef, ParamError, ParamValue};
use super::{
    Exponential, Family, FitError, Gamma, Information, LN_SQRT_2PI, Normal, Uniform, Univariate,
};
use crate::numeric::special::{
    digamma, gamma_negentropy, ln_beta, ln_gamma, ln_gamma_bregman, trigamma, trigamma_minus_inv,
};
use crate::numeric::sum;

/// The beta distribution with density `x^(α−1) (1−x)^(β−1) / B(α, β)` on
/// `0 < x < 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Beta {
    alpha: f64,
    beta: f64,
    /// `ln B(α, β)`.
    ln_norm: f64,
    sampler: rand_distr::Beta<f64>,
}

impl Beta {
    /// A beta distribution.
    ///
    /// # Errors
    /// When `alpha` or `beta` is not a finite number > 0.
    pub fn new(alpha: f64, beta: f64) -> Result<Self, ParamError> {
        let alpha = Constraint::Positive.check("alpha", alpha)?;
        let beta = Constraint::Positive.check("beta", beta)?;
        // rand_distr refuses only parameters that are not > 0.
        let sampler = rand_distr::Beta::new(alpha, beta)
            .map_err(|e| ParamError::new("alpha", e.to_string()))?;
        Ok(Self {
            alpha,
            beta,
            ln_norm: ln_beta(alpha, beta),
            sampler,
        })
    }

    /// The first shape parameter, `α` (the exponent of `x`, plus one).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The second shape parameter, `β` (the exponent of `1 − x`, plus one).
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// `E[ln x] = ψ(α) − ψ(α + β)`.
    fn mean_ln(&self) -> f64 {
        digamma(self.alpha) - digamma(self.alpha + self.beta)
    }

    /// `−H(p) = E_p[ln p]`, the part every KL from a beta starts with:
    /// `−ln B(α, β) + (α − 1)ψ(α) + (β − 1)ψ(β) − (α + β − 2)ψ(α + β)`.
    /// Regrouped as `g(α) + g(β) − g(α + β) + ψ(α + β)` with `g` the gamma
    /// negentropy `(x − 1)ψ(x) − ln Γ(x) − x` (the `−x` terms cancel
    /// exactly), whose large terms are cancelled by hand: a concentrated
    /// beta's entropy then keeps its digits.
    fn neg_entropy(&self) -> f64 {
        let (a, b) = (self.alpha, self.beta);
        let s = a + b;
        gamma_negentropy(a) + gamma_negentropy(b) - gamma_negentropy(s) + digamma(s)
    }
}

impl Univariate for Beta {
    fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return x;
        }
        if !(0.0..=1.0).contains(&x) {
            return f64::NEG_INFINITY;
        }
        let ln_1mx = if self.beta == 1.0 {
            0.0
        } else {
            (self.beta - 1.0) * (-x).ln_1p()
        };
        xlny(self.alpha - 1.0, x) + ln_1mx - self.ln_norm
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }

    fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    fn variance(&self) -> f64 {
        let (a, b) = (self.alpha, self.beta);
        let s = a + b;
        a / s * (b / s) / (s + 1.0)
    }

    /// `ln B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β)`.
    fn entropy(&self) -> Option<f64> {
        Some(-self.neg_entropy())
    }

    fn support(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
}

impl Family for Beta {
    const NAME: &'static str = "beta";
    const PARAMS: &'static [ParamDef] = &[
        ParamDef::scalar("alpha", Constraint::Positive),
        ParamDef::scalar("beta", Constraint::Positive),
    ];
    const HAS_FIT: bool = true;
    const INFORMATION: Information = Information::Expected;

    fn from_params(values: &[ParamValue]) -> Result<Self, ParamError> {
        let [alpha, beta] = param::scalars(Self::PARAMS, values)?;
        Self::new(alpha, beta)
    }

    fn params(&self) -> Vec<ParamValue> {
        vec![
            ParamValue::Scalar(self.alpha),
            ParamValue::Scalar(self.beta),
        ]
    }

    /// Newton's method on the score `ψ(α+β) − ψ(α) + mean(ln x)`,
    /// `ψ(α+β) − ψ(β) + mean(ln(1−x))`, from the method-of-moments estimate
    /// (see `Sufficient::maximise`).
    fn fit(xs: &[f64]) -> Result<Self, FitError> {
        super::check_support(Self::NAME, xs, |x| x > 0.0 && x < 1.0, "0 < x < 1")?;
        let (mean, std) = sum::mean_std(xs, 0);
        if std <= 0.0 {
            return Err(FitError::degenerate(
                Self::NAME,
                "the data are constant, so alpha and beta would be infinite",
            ));
        }
        let n = xs.len() as f64;
        let stats = Sufficient {
            ln_x: sum::lanes(xs, f64::ln) / n,
            ln_1mx: sum::lanes(xs, |x| (-x).ln_1p()) / n,
        };
        // Method of moments: α + β = mean(1 − mean)/var − 1 (> 0 for data in (0, 1)).
        let total = (mean * (1.0 - mean) / (std * std) - 1.0).max(1e-3);
        let (alpha, beta) = stats
            .maximise(mean * total, (1.0 - mean) * total)
            .map_err(|r| FitError::degenerate(Self::NAME, r))?;
        Self::new(alpha, beta).map_err(|e| FitError::degenerate(Self::NAME, e.to_string()))
    }

    /// `I(α, β) = [[ψ₁(α) − ψ₁(α+β), −ψ₁(α+β)], [−ψ₁(α+β), ψ₁(β) − ψ₁(α+β)]]`.
    ///
    /// With `ψ₁(x) = 1/x + T(x)` the leading `1/(αβ)` terms of the
    /// determinant cancel exactly, leaving
    /// `T(α)α/(βs) + T(β)β/(αs) + T(α)T(β) − T(s)s/(αβ) − T(s)(T(α) + T(β))`
    /// (`s = α + β`), and `ψ₁(β) − ψ₁(s) = α/(βs) + T(β) − T(s)`: a
    /// concentrated beta's standard errors keep their digits.
    fn cramer_rao(&self) -> Option<Vec<f64>> {
        let (a, b) = (self.alpha, self.beta);
        let s = a + b;
        let (ta, tb, ts) = (
            trigamma_minus_inv(a),
            trigamma_minus_inv(b),
            trigamma_minus_inv(s),
        );
        let det = ta * a / (b * s) + tb * b / (a * s) + ta * tb - ts * s / (a * b) - ts * (ta + tb);
        let var_a = (a / (b * s) + tb - ts) / det;
        let var_b = (b / (a * s) + ta - ts) / det;
        Some(vec![var_a.sqrt(), var_b.sqrt()])
    }
}

/// The sufficient statistics of a beta sample, `mean(ln x)` and
/// `mean(ln(1 − x))`.
struct Sufficient {
    ln_x: f64,
    ln_1mx: f64,
}

impl Sufficient {
    /// The score (gradient of the average log-likelihood) at `(a, b)`, and
    /// how finely it can be resolved: it is a difference of digammas, each
    /// rounded.
    fn score(&self, a: f64, b: f64) -> ([f64; 2], [f64; 2]) {
        let (da, db, dab) = (digamma(a), digamma(b), digamma(a + b));
        let noise = |d: f64, l: f64| 16.0 * f64::EPSILON * (dab.abs() + d.abs() + l.abs());
        (
            [dab - da + self.ln_x, dab - db + self.ln_1mx],
            [noise(da, self.ln_x), noise(db, self.ln_1mx)],
        )
    }

    /// The maximiser of the log-likelihood from `(a, b)`. Each step moves
    /// along the Newton direction `δ` in the logarithms of the parameters,
    /// `θ ← θ·exp(t·δ/θ)`, so they stay positive and a start orders of
    /// magnitude off is left quickly; `t` is halved until the score shrinks
    /// (the log-likelihood itself, through `ln B`, is too rounded for large
    /// parameters to compare). Converged when the gradient in
    /// `(ln a, ln b)` is below 1e-12, or below the rounding of the score.
    ///
    /// # Errors
    /// When the steps stall short of that.
    fn maximise(&self, mut a: f64, mut b: f64) -> Result<(f64, f64), String> {
        let (mut g, mut noise) = self.score(a, b);
        for _ in 0..500 {
            let theta = [a, b];
            if (0..2).all(|i| g[i].abs() * theta[i] <= (noise[i] * theta[i]).max(1e-12)) {
                if (0..2).any(|i| noise[i] * theta[i] > 1e-6) {
                    return Err(format!(
                        "the likelihood is too flat to resolve alpha and beta near {a} and {b} \
                         (too few or too concentrated observations)"
                    ));
                }
                return Ok((a, b));
            }
            let tab = trigamma(a + b);
            let (h11, h22, h12) = (tab - trigamma(a), tab - trigamma(b), tab);
            let det = h11 * h22 - h12 * h12;
            let log_step = [
                -(h22 * g[0] - h12 * g[1]) / det / a,
                -(h11 * g[1] - h12 * g[0]) / det / b,
            ];
            let size = g[0].hypot(g[1]);
            let mut t = 1.0;
            let moved = loop {
                let (na, nb) = (a * (t * log_step[0]).exp(), b * (t * log_step[1]).exp());
                if na > 0.0 && nb > 0.0 && na.is_finite() && nb.is_finite() {
                    let (ng, nn) = self.score(na, nb);
                    if ng[0].hypot(ng[1]) < size {
                        break Some((na, nb, ng, nn));
                    }
                }
                t *= 0.5;
                if t < 1e-12 {
                    break None;
                }
            };
            let Some((na, nb, ng, nn)) = moved else { break };
            (a, b, g, noise) = (na, nb, ng, nn);
        }
        let residual = (g[0] * a).abs().max((g[1] * b).abs());
        Err(format!(
            "Newton's method stalled at alpha = {a}, beta = {b}, relative gradient \
             {residual:.1e} (too few or too concentrated observations)"
        ))
    }
}

/// `KL(B(αp, βp) ‖ B(αq, βq)) = ln B(αq, βq) − ln B(αp, βp) + (αp − αq)ψ(αp)
/// + (βp − βq)ψ(βp) + (αq − αp + βq − βp)ψ(αp + βp)`.
/// As torch.distributions.kl `_kl_beta_beta`.
///
/// Computed as `B(αp → αq) + B(βp → βq) − B(αp + βp → αq + βq)`, with
/// `B(x → y) = ln Γ(y) − ln Γ(x) − (y − x)ψ(x)` the Bregman divergence of
/// ln Γ, each term without cancellation for nearby parameters.
pub fn kl_beta_beta(p: &Beta, q: &Beta) -> f64 {
    let (da, db) = (q.alpha - p.alpha, q.beta - p.beta);
    ln_gamma_bregman(p.alpha, da) + ln_gamma_bregman(p.beta, db)
        - ln_gamma_bregman(p.alpha + p.beta, da + db)
}

/// `KL(B(α, β) ‖ N(μ, σ²)) = −H(p) + ln(σ√(2π)) + (Var_p + (E_p[x] − μ)²) / (2σ²)`.
/// As torch.distributions.kl `_kl_beta_normal`, with the square kept whole.
pub fn kl_beta_normal(p: &Beta, q: &Normal) -> f64 {
    let s = q.std();
    let bias = p.mean() - q.mean();
    p.neg_entropy() + s.ln() + LN_SQRT_2PI + (p.variance() + bias * bias) / (2.0 * s * s)
}

/// `KL(B(α, β) ‖ U(low, high)) = −H(p) + ln(high − low)` when the uniform
/// covers [0, 1], else `+inf`. As torch.distributions.kl `_kl_beta_uniform`.
pub fn kl_beta_uniform(p: &Beta, q: &Uniform) -> f64 {
    if q.low() > 0.0 || q.high() < 1.0 {
        return f64::INFINITY;
    }
    p.neg_entropy() + (q.high() - q.low()).ln()
}

/// `KL(B(α, β) ‖ Exp(λ)) = −H(p) − ln λ + λ E_p[x]`.
/// As torch.distributions.kl `_kl_beta_exponential`.
pub fn kl_beta_exponential(p: &Beta, q: &Exponential) -> f64 {
    let rate = q.rate();
    p.neg_entropy() - rate.ln() + rate * p.mean()
}

/// `KL(B(α, β) ‖ Γ(k, r)) = −H(p) + ln Γ(k) − k ln r − (k − 1)E_p[ln x] + r E_p[x]`,
/// `E_p[ln x] = ψ(α) − ψ(α + β)`. As torch.distributions.kl `_kl_beta_gamma`.
pub fn kl_beta_gamma(p: &Beta, q: &Gamma) -> f64 {
    let (k, r) = (q.shape(), q.rate());
    p.neg_entropy() + ln_gamma(k) - k * r.ln() - (k - 1.0) * p.mean_ln() + r * p.mean()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;
    use crate::numeric::quad::{self, Tolerance};
    use crate::stats::kl::{Method, entropy_by_definition, kl};
    use crate::testing::{
        agrees_with_definition, assert_close, assert_errors_are_the_observed_information,
        assert_fit_recovers, draws,
    };
    use rand::SeedableRng;

    fn beta(a: f64, b: f64) -> Beta {
        Beta::new(a, b).unwrap()
    }

    const SHAPES: [(f64, f64); 8] = [
        (0.5, 0.5),
        (0.7, 0.3),
        (0.02, 2.0),
        (2.0, 5.0),
        (0.3, 3.0),
        (1.0, 1.0),
        (4.0, 0.7),
        (120.0, 40.0),
    ];

    #[test]
    fn density_matches_the_formula_and_integrates_to_one() {
        for (a, b) in SHAPES {
            let d = beta(a, b);
            let norm = libm::tgamma(a) * libm::tgamma(b) / libm::tgamma(a + b);
            for x in [0.01f64, 0.3, 0.5, 0.93] {
                let expected = x.powf(a - 1.0) * (1.0 - x).powf(b - 1.0) / norm;
                assert_close(d.ln_pdf(x), expected.ln(), 1e-12);
            }
            let total = quad::integrate(|x| d.ln_pdf(x).exp(), 0.0, 1.0, Tolerance::default());
            assert_close(total.unwrap().value, 1.0, 1e-10);
        }
    }

    #[test]
    fn density_at_the_ends_follows_the_shapes() {
        assert_eq!(beta(0.5, 2.0).ln_pdf(0.0), f64::INFINITY);
        assert_close(beta(1.0, 3.0).ln_pdf(0.0), 3f64.ln(), 1e-15);
        assert_eq!(beta(2.0, 2.0).ln_pdf(1.0), f64::NEG_INFINITY);
        assert_close(beta(3.0, 1.0).ln_pdf(1.0), 3f64.ln(), 1e-15);
        assert_eq!(beta(2.0, 2.0).ln_pdf(-0.1), f64::NEG_INFINITY);
        assert_eq!(beta(2.0, 2.0).ln_pdf(1.1), f64::NEG_INFINITY);
    }

    #[test]
    fn mean_and_variance_match_quadrature() {
        let d = beta(2.5, 1.2);
        let moment = |k: i32| {
            quad::integrate(
                |x| x.powi(k) * d.ln_pdf(x).exp(),
                0.0,
                1.0,
                Tolerance::default(),
            )
            .unwrap()
            .value
        };
        assert_close(d.mean(), moment(1), 1e-12);
        assert_close(d.variance(), moment(2) - moment(1).powi(2), 1e-11);
    }

    #[test]
    fn entropy_matches_the_definition() {
        for (a, b) in SHAPES {
            let d = Dist::Beta(beta(a, b));
            let numeric = entropy_by_definition(&d).unwrap();
            assert_eq!(numeric.method, Method::Quadrature);
            assert_close(d.entropy().unwrap(), numeric.value, 1e-10);
        }
    }

    #[test]
    fn sample_moments_are_within_five_standard_errors() {
        for (a, b) in [(0.5, 0.5), (2.0, 5.0), (0.3, 3.0), (8.0, 1.5)] {
            let d = beta(a, b);
            let n = 1_000_000;
            let xs = draws(&d, n, 13);
            let (m, s) = sum::mean_std(&xs, 1);
            let var = d.variance();
            let excess = 6.0 * ((a - b).powi(2) * (a + b + 1.0) - a * b * (a + b + 2.0))
                / (a * b * (a + b + 2.0) * (a + b + 3.0));
            let mu4 = var * var * (3.0 + excess);
            assert!(
                (m - d.mean()).abs() < 5.0 * (var / n as f64).sqrt(),
                "{a} {b}"
            );
            assert!(
                (s * s - var).abs() < 5.0 * ((mu4 - var * var) / n as f64).sqrt(),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn first_draws_for_a_fixed_seed_are_pinned() {
        // A dependency bump that changes the streams must fail this test.
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(42);
        let d = beta(2.0, 5.0);
        let draws: Vec<f64> = (0..3).map(|_| d.sample(&mut rng)).collect();
        assert_eq!(
            draws,
            [0.5001172120513793, 0.47965498704505244, 0.10706315292806526]
        );
        let small = beta(0.5, 0.5);
        let draws: Vec<f64> = (0..3).map(|_| small.sample(&mut rng)).collect();
        assert_eq!(
            draws,
            [0.6174140383512075, 0.8187057113721068, 0.3131676024836283]
        );
    }

    #[test]
    fn invalid_parameters_name_the_parameter() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Beta::new(bad, 1.0).unwrap_err().param, "alpha");
            assert_eq!(Beta::new(1.0, bad).unwrap_err().param, "beta");
        }
    }

    #[test]
    fn fit_recovers_the_parameters_and_is_a_maximum() {
        for (a, b) in [(0.4, 0.6), (2.0, 5.0), (30.0, 3.0)] {
            assert_fit_recovers(&Dist::Beta(beta(a, b)), 200_000, 3);
        }
    }

    #[test]
    fn fit_report_standard_errors_are_the_observed_information() {
        // The observed information of a beta does not depend on the data.
        for (a, b) in [(0.4, 0.6), (1.5, 0.8), (30.0, 3.0)] {
            assert_errors_are_the_observed_information(
                "beta",
                &draws(&beta(a, b), 50_000, 4),
                1e-6,
            );
        }
    }

    #[test]
    fn degenerate_data_are_refused_with_a_reason() {
        for (xs, why) in [
            (vec![], "no observations"),
            (vec![0.5, f64::NEG_INFINITY], "observation 2 is -inf"),
            (
                vec![0.5, 0.0],
                "observation 2 is 0, outside the support 0 < x < 1",
            ),
            (vec![0.5, 1.0], "observation 2 is 1, outside"),
            (vec![0.5, 0.2, 1.5], "observation 3 is 1.5"),
            (vec![0.25, 0.25], "constant"),
            (vec![0.25], "constant"),
            // Both far below 1e-13: the maximum is beyond beta = 1e17.
            (vec![3.3e-77, 1.8e-31], "too few or too concentrated"),
        ] {
            let e = Beta::fit(&xs).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn kl_to_itself_is_zero() {
        let p = beta(0.3, 2.0);
        assert_eq!(kl_beta_beta(&p, &p), 0.0);
        let u = Uniform::new(0.0, 1.0).unwrap();
        assert!(kl_beta_uniform(&beta(1.0, 1.0), &u).abs() < 1e-15);
    }

    #[test]
    fn kl_between_betas_matches_the_definition() {
        for ((a, b), (c, d)) in [
            ((2.0, 3.0), (1.0, 1.0)),
            ((0.5, 0.5), (2.0, 2.0)),
            ((0.3, 5.0), (0.8, 1.2)),
            ((50.0, 20.0), (40.0, 25.0)),
            ((1.0, 1.0), (0.2, 0.4)),
            ((0.3, 0.3), (0.5, 0.7)),
            ((0.05, 1.5), (0.6, 0.2)),
        ] {
            agrees_with_definition(Dist::Beta(beta(a, b)), Dist::Beta(beta(c, d)));
        }
    }

    #[test]
    fn kl_to_normal_matches_the_definition() {
        for ((a, b), (m, s)) in [
            ((2.0, 3.0), (0.4, 0.2)),
            ((0.5, 0.5), (0.0, 1.0)),
            ((30.0, 2.0), (5.0, 10.0)),
        ] {
            let q = Dist::Normal(Normal::new(m, s).unwrap());
            agrees_with_definition(Dist::Beta(beta(a, b)), q);
        }
    }

    #[test]
    fn kl_to_uniform_matches_the_definition_where_it_is_finite() {
        for ((a, b), (lo, hi)) in [
            ((2.0, 3.0), (0.0, 1.0)),
            ((0.5, 0.5), (-1.0, 3.0)),
            ((7.0, 1.0), (-0.5, 1.0)),
        ] {
            let q = Dist::Uniform(Uniform::new(lo, hi).unwrap());
            agrees_with_definition(Dist::Beta(beta(a, b)), q);
        }
        let p = Dist::Beta(beta(2.0, 2.0));
        for (lo, hi) in [(0.1, 1.0), (0.0, 0.9), (0.2, 0.3)] {
            let q = Dist::Uniform(Uniform::new(lo, hi).unwrap());
            assert_eq!(kl(&p, &q).unwrap().value, f64::INFINITY);
            let (Dist::Beta(bp), Dist::Uniform(uq)) = (&p, &q) else {
                unreachable!()
            };
            assert_eq!(kl_beta_uniform(bp, uq), f64::INFINITY);
        }
    }

    #[test]
    fn kl_to_exponential_matches_the_definition() {
        for ((a, b), rate) in [((2.0, 3.0), 1.0), ((0.5, 0.5), 0.1), ((4.0, 0.6), 12.0)] {
            let q = Dist::Exponential(Exponential::new(rate).unwrap());
            agrees_with_definition(Dist::Beta(beta(a, b)), q);
        }
    }

    #[test]
    fn kl_to_gamma_matches_the_definition() {
        for ((a, b), (k, r)) in [
            ((2.0, 3.0), (2.0, 4.0)),
            ((0.5, 0.5), (0.5, 1.0)),
            ((0.4, 6.0), (0.3, 10.0)),
            ((60.0, 5.0), (80.0, 90.0)),
        ] {
            let q = Dist::Gamma(Gamma::new(k, r).unwrap());
            agrees_with_definition(Dist::Beta(beta(a, b)), q);
        }
    }

    /// Reference values: mpmath at 60 digits, `sqrt(diag(I⁻¹))` from the
    /// trigamma function directly.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn cramer_rao_keeps_its_digits_for_concentrated_betas() {
        for (a, b, want) in [
            (
                0.5,
                0.7,
                [0.615_205_167_671_593_977_76, 0.941_264_243_319_594_798_46],
            ),
            (
                2.0,
                3.0,
                [2.658_745_893_630_103_353_5, 4.153_093_850_808_532_586_9],
            ),
            (
                1e6,
                1e6,
                [1_414_213.385_596_477_092, 1_414_213.385_596_477_092],
            ),
            (
                1.0,
                1e6,
                [1.245_209_258_209_490_984_1, 1_597_042.437_189_894_633],
            ),
        ] {
            let got = Beta::new(a, b).unwrap().cramer_rao().unwrap();
            for (g, w) in got.iter().zip(want) {
                assert!(
                    ((g - w) / w).abs() < 1e-13,
                    "beta({a}, {b}): {g} against {w}"
                );
            }
        }
    }
}
